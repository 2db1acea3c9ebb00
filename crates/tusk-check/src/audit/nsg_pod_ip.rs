//! TA009: an NSG rule names a pod's address. Pod IPs change whenever a pod
//! is rescheduled, so an NSG rule written for one pod's address soon
//! applies to another pod, or to none (the seed article's warning; NSGs
//! filter at the NIC and subnet, below the pods). Reported: a prefix of
//! /28 or narrower (IPv4; /124 IPv6) holding an exported pod IP, or a
//! prefix inside the cluster's pod CIDR (kubenet and Overlay pods take
//! addresses from it). A subnet-wide prefix that happens to hold pod IPs
//! (Azure CNI pods live in the node subnet) is not reported.

use super::{Finding, PodAddress, Problem, Rule, Severity};
use tusk_core::{Idx, IpSet};
use tusk_model::azure::AddressMatch;
use tusk_model::Estate;

pub const RULE: Rule = Rule {
    code: "TA009",
    name: "nsg-rule-on-pod-ip",
    summary: "An NSG rule names a pod address, which changes when the pod is rescheduled.",
    help: "docs/audit.md#ta009-nsg-rule-on-pod-ip",
    run,
};

fn run(e: &Estate) -> Vec<Finding> {
    let mut pod_cidrs = e.k8s.pod_cidrs.clone().unwrap_or_else(IpSet::empty);
    for c in &e.clusters {
        for p in &c.network.pod_cidrs {
            pod_cidrs = pod_cidrs.union(&p.set());
        }
    }
    let pod_ips: Vec<(std::net::IpAddr, Idx<tusk_model::k8s::Pod>)> =
        Idx::enumerate(&e.k8s.pods).flat_map(|(i, p)| p.ips.iter().map(move |ip| (*ip, i))).collect();
    let mut out = Vec::new();
    for (nsg, n) in Idx::enumerate(&e.azure.nsgs) {
        for (rule, r) in Idx::enumerate(&n.rules).filter(|(_, r)| !r.is_default) {
            for m in r.sources.iter().chain(&r.destinations) {
                let AddressMatch::Prefix(c) = m else { continue };
                let narrow = c.prefix >= if c.addr.is_ipv4() { 28 } else { 124 };
                let set = c.set();
                let pod = pod_ips
                    .iter()
                    .find(|(ip, _)| narrow && set.contains_ip(*ip))
                    .map(|&(ip, pod)| PodAddress::Pod { pod, ip });
                let inside =
                    (!pod_cidrs.is_empty() && set.subtract(&pod_cidrs).is_empty()).then_some(PodAddress::PodCidr);
                let Some(inside) = pod.or(inside) else { continue };
                out.push(Finding {
                    code: RULE.code,
                    severity: Severity::Warning,
                    loc: r.loc.clone(),
                    problem: Problem::NsgRuleOnPodIp { nsg, rule, prefix: *c, inside },
                });
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_rule_on_a_pod_address_is_flagged_and_a_subnet_wide_rule_is_not() {
        let nsg = |src: &str| {
            format!(
                r#"{{"name": "n", "type": "Microsoft.Network/networkSecurityGroups", "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/n", "properties": {{"securityRules": [{{"name": "r", "properties": {{"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "443", "sourceAddressPrefix": "{src}", "destinationAddressPrefix": "*"}}}}]}}}}"#
            )
        };
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec: {containers: [{name: c, image: c}]}\nstatus: {podIP: 10.1.0.37}\n";
        let load = |src: &str| super::super::load(&[("nsg.json", &nsg(src)), ("p.yaml", pod)]);
        let e = load("10.1.0.37/32");
        let f = super::run(&e);
        assert_eq!(f.len(), 1, "{f:?}");
        let super::Problem::NsgRuleOnPodIp { prefix, inside: super::PodAddress::Pod { pod, ip }, .. } = f[0].problem
        else {
            panic!("{f:?}")
        };
        let p = &e.k8s.pods[pod];
        assert_eq!(
            (prefix.to_string(), p.namespace.as_str(), p.name.as_str(), ip.to_string()),
            ("10.1.0.37/32".into(), "x", "p", "10.1.0.37".into())
        );
        assert!(super::run(&load("10.1.0.0/24")).is_empty());
        // Inside the pod CIDR given in tusk.yaml, even without pod IPs.
        let cfg = "apiVersion: tusk.dev/v1alpha1\nkind: TuskConfig\npodCidrs: [10.244.0.0/16]\n";
        let f = super::run(&super::super::load(&[("nsg.json", &nsg("10.244.3.0/24")), ("tusk.yaml", cfg)]));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            matches!(f[0].problem, super::Problem::NsgRuleOnPodIp { inside: super::PodAddress::PodCidr, .. }),
            "{f:?}"
        );
    }
}
