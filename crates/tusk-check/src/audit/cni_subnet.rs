//! TA003: a subnet too small for Azure CNI. Without Overlay and without a
//! pod subnet, Azure CNI takes every pod's address from the node subnet up
//! front: each node needs `maxPods + 1` addresses, and an upgrade adds the
//! surge nodes ("Configure Azure CNI networking in AKS", plan IP
//! addressing: `(nodes + surge) × (maxPods + 1)`). Azure reserves five
//! addresses of each subnet ("Virtual network FAQ").

use super::{Finding, PoolDemand, Problem, Rule, Severity};
use std::collections::BTreeMap;
use tusk_core::Idx;
use tusk_model::aks::NetworkPlugin;
use tusk_model::azure::Subnet;
use tusk_model::Estate;

pub const RULE: Rule = Rule {
    code: "TA003",
    name: "cni-subnet-too-small",
    summary: "A node subnet holds fewer addresses than Azure CNI needs: (nodes + surge) × (maxPods + 1).",
    help: "docs/audit.md#ta003-cni-subnet-too-small",
    run,
};

fn usable(s: &Subnet) -> u128 {
    s.prefixes
        .iter()
        .filter(|c| c.addr.is_ipv4())
        .map(|c| (1u128 << (32 - u32::from(c.prefix))).saturating_sub(5))
        .sum()
}

fn run(e: &Estate) -> Vec<Finding> {
    let fleet = tusk_path::nodes::materialise(e, true);
    // Per node subnet: addresses needed, and the pools that need them.
    let mut need: BTreeMap<Idx<Subnet>, (u128, Vec<PoolDemand>)> = BTreeMap::new();
    for (ci, c) in Idx::enumerate(&e.clusters) {
        if c.network.plugin != NetworkPlugin::Azure || c.network.overlay {
            continue;
        }
        for (pi, p) in Idx::enumerate(&c.pools) {
            let Some(s) = p.vnet_subnet.as_ref().and_then(|l| l.found()) else { continue };
            if p.pod_subnet.is_some() || p.max_pods == 0 {
                continue;
            }
            let nodes = fleet.nodes.iter().filter(|n| n.cluster == Some(ci) && n.pool == Some(pi)).count() as u128;
            let addresses = nodes * (u128::from(p.max_pods) + 1);
            let entry = need.entry(s).or_default();
            entry.0 += addresses;
            entry.1.push(PoolDemand { cluster: ci, pool: pi, nodes, addresses });
        }
    }
    need.into_iter()
        .filter(|(s, (n, _))| *n > usable(&e.azure.subnets[*s]))
        .map(|(subnet, (needed, pools))| {
            let sub = &e.azure.subnets[subnet];
            Finding {
                code: RULE.code,
                severity: Severity::Error,
                loc: sub.loc.clone(),
                problem: Problem::CniSubnetTooSmall { subnet, usable: usable(sub), needed, pools },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    const VNET: &str = r#"{"name": "v", "type": "Microsoft.Network/virtualNetworks", "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v",
     "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
      "subnets": [{"name": "nodes", "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes", "properties": {"addressPrefix": "10.0.0.0/24"}}]}}"#;

    fn aks(count: u32) -> String {
        format!(
            r#"{{"name": "aks1", "type": "Microsoft.ContainerService/managedClusters",
 "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/aks1", "location": "westeurope",
 "properties": {{"networkProfile": {{"networkPlugin": "azure"}},
  "agentPoolProfiles": [{{"name": "sys", "mode": "System", "count": {count}, "maxPods": 30, "upgradeSettings": {{"maxSurge": "1"}},
   "vnetSubnetID": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes"}}]}}}}"#
        )
    }

    #[test]
    fn a_slash_24_holds_251_addresses_so_eight_nodes_of_31_fit_and_nine_do_not() {
        // (7 + 1 surge) × 31 = 248 ≤ 251; (8 + 1) × 31 = 279 > 251.
        let run = |n| super::run(&super::super::load(&[("vnet.json", VNET), ("aks.json", &aks(n))]));
        assert!(run(7).is_empty());
        let f = run(8);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((&*f[0].loc.file, f[0].loc.pos.line), ("vnet.json", 3));
        let super::Problem::CniSubnetTooSmall { usable, needed, pools, .. } = &f[0].problem else { panic!("{f:?}") };
        assert_eq!((*usable, *needed), (251, 279));
        let pools: Vec<(usize, usize, u128, u128)> =
            pools.iter().map(|p| (p.cluster.index(), p.pool.index(), p.nodes, p.addresses)).collect();
        assert_eq!(pools, [(0, 0, 9, 279)]);
    }
}
