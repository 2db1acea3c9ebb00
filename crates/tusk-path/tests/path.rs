//! tusk-path on small estates written inline: nodes per pool (count,
//! maxCount, surge, zones, names), pod address ranges per plugin, exported
//! Node objects bound to their pool, the tusk.yaml cluster binding, the
//! kubenet route budget, and the scheduler's constraints.

use std::sync::Arc;
use tusk_core::ip::ip_to_u128;
use tusk_core::Idx;
use tusk_model::Estate;
use tusk_path::addressing::{pod_addresses, PodAddressing};
use tusk_path::nodes::{FleetNote, NodeAddr, PoolNodes};
use tusk_path::{materialise, schedule};

const SUB: &str = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets";

fn vnet() -> String {
    format!(
        r#"{{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v",
  "type": "Microsoft.Network/virtualNetworks", "properties": {{"addressSpace": {{"addressPrefixes": ["10.1.0.0/16"]}},
  "subnets": [
   {{"id": "{SUB}/nodes", "name": "nodes", "properties": {{"addressPrefix": "10.1.0.0/24",
     "routeTable": {{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/routeTables/rt"}}}}}},
   {{"id": "{SUB}/pods", "name": "pods", "properties": {{"addressPrefix": "10.1.16.0/20"}}}}]}}}}"#
    )
}

fn route_table(user_routes: usize) -> String {
    let mut routes: Vec<String> = (0..user_routes)
        .map(|i| format!(r#"{{"name": "user{i}", "properties": {{"addressPrefix": "192.168.{i}.0/24", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}}}}"#))
        .collect();
    routes.push(r#"{"name": "aks-pool-12345678-vmss000000____1024400024", "properties": {"addressPrefix": "10.244.0.0/24", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.1.0.4"}}"#.into());
    format!(
        r#"{{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/routeTables/rt", "type": "Microsoft.Network/routeTables",
  "properties": {{"routes": [{}]}}}}"#,
        routes.join(",")
    )
}

fn cluster(name: &str, network: &str, pools: &[&str]) -> String {
    format!(
        r#"{{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/{name}",
  "type": "Microsoft.ContainerService/managedClusters", "location": "eastus",
  "properties": {{"networkProfile": {network}, "agentPoolProfiles": [{}]}}}}"#,
        pools.join(",")
    )
}

fn load(docs: &[(&str, String)]) -> Estate {
    let sources: Vec<(Arc<str>, String)> = docs.iter().map(|(n, t)| (Arc::from(*n), t.clone())).collect();
    tusk_load::load_sources(&sources).unwrap_or_else(|e| panic!("{e}")).estate
}

fn ip(s: &str) -> u128 {
    ip_to_u128(s.parse().unwrap())
}

const KUBENET: &str = r#"{"networkPlugin": "kubenet", "podCidr": "10.244.0.0/16", "serviceCidr": "10.0.0.0/16"}"#;

#[test]
fn autoscaled_pool_is_materialised_at_max_count_with_surge_for_capacity() {
    let pool = format!(
        r#"{{"name": "pool", "mode": "System", "count": 2, "enableAutoScaling": true, "minCount": 1, "maxCount": 5,
          "availabilityZones": ["1", "2", "3"], "upgradeSettings": {{"maxSurge": "33%"}}, "vnetSubnetID": "{SUB}/nodes"}}"#
    );
    let e = load(&[("v.json", vnet()), ("c.json", cluster("k", KUBENET, &[&pool]))]);
    let f = materialise(&e, false);
    assert_eq!(f.nodes.len(), 5, "maxCount");
    let zones: Vec<&str> = f.nodes.iter().map(|n| n.zone.as_deref().unwrap()).collect();
    assert_eq!(zones, ["1", "2", "3", "1", "2"], "dealt round-robin");
    assert_eq!(f.nodes[0].name, "aks-pool-xxxxxxxx-vmss000000");
    assert_eq!(f.nodes[0].labels["topology.kubernetes.io/zone"], "eastus-1");
    assert_eq!(f.nodes[0].labels["kubernetes.azure.com/mode"], "system");
    let simulated = |f: &tusk_path::nodes::Fleet| {
        f.notes.iter().find_map(|n| match n {
            FleetNote::Pool { nodes: PoolNodes::Simulated { count, autoscale, surge }, .. } => {
                Some((*count, *autoscale, *surge))
            }
            _ => None,
        })
    };
    assert_eq!(simulated(&f), Some((5, Some((1, 5)), None)), "{:?}", f.notes);
    // A node's address is the subnet's usable set (Azure keeps .0-.3 and .255).
    let NodeAddr::OneOf(set) = &f.nodes[0].address else { panic!("{:?}", f.nodes[0].address) };
    assert!(set.contains(ip("10.1.0.4")) && !set.contains(ip("10.1.0.3")) && !set.contains(ip("10.1.0.255")));
    let with = materialise(&e, true);
    assert_eq!(with.nodes.iter().filter(|n| n.surge).count(), 2, "33% of 5 rounds up to 2");
    assert_eq!(simulated(&with), Some((5, Some((1, 5)), Some((2, true)))), "maxSurge set: {:?}", with.notes);
    // Surge nodes are never scheduled on.
    assert!(with.nodes.iter().filter(|n| n.surge).all(|n| n.name.ends_with("000005") || n.name.ends_with("000006")));
}

#[test]
fn pod_ranges_follow_the_plugin() {
    let node_pool = format!(r#"{{"name": "a", "count": 1, "vnetSubnetID": "{SUB}/nodes"}}"#);
    let pod_pool =
        format!(r#"{{"name": "b", "count": 1, "vnetSubnetID": "{SUB}/nodes", "podSubnetID": "{SUB}/pods"}}"#);
    let cases: [(&str, &str, PodAddressing, &str, &str); 5] = [
        (KUBENET, &node_pool, PodAddressing::PodCidrPerNode, "10.244.200.7", "10.1.0.9"),
        (r#"{"networkPlugin": "azure"}"#, &node_pool, PodAddressing::NodeSubnet, "10.1.0.9", "10.244.0.1"),
        (r#"{"networkPlugin": "azure"}"#, &pod_pool, PodAddressing::PodSubnet, "10.1.17.1", "10.1.0.9"),
        (
            r#"{"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "192.168.0.0/16"}"#,
            &node_pool,
            PodAddressing::PodCidrPerNode,
            "192.168.9.9",
            "10.1.0.9",
        ),
        (r#"{"networkPlugin": "none"}"#, &node_pool, PodAddressing::Unknown, "", ""),
    ];
    for (np, pool, mode, inside, outside) in cases {
        let e = load(&[("v.json", vnet()), ("c.json", cluster("k", np, &[pool]))]);
        let c = &e.clusters[0];
        assert_eq!(tusk_path::addressing::pod_addressing(c, &c.pools[0]), mode, "{np}");
        let f = materialise(&e, false);
        match &f.nodes[0].pod_addresses {
            None => assert_eq!(mode, PodAddressing::Unknown),
            Some(set) => {
                assert!(set.contains(ip(inside)) && !set.contains(ip(outside)), "{np}: {:?}", set.to_cidr_strings())
            }
        }
    }
}

const NODE: &str = r#"apiVersion: v1
kind: Node
metadata:
  name: aks-pool-31415926-vmss000003
  labels: {kubernetes.azure.com/agentpool: pool, topology.kubernetes.io/zone: eastus-2}
spec:
  providerID: azure:///subscriptions/s/resourceGroups/mc_g_k_eastus/providers/Microsoft.Compute/virtualMachineScaleSets/aks-pool-31415926-vmss/virtualMachines/3
  podCIDR: 10.244.7.0/24
status:
  addresses: [{type: InternalIP, address: 10.1.0.9}]
"#;

const PODS: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: app, namespace: default}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: default}
spec: {hostNetwork: true, containers: [{name: c, image: i}]}
"#;

#[test]
fn exported_nodes_replace_the_pool_and_narrow_pod_ranges() {
    let pool = format!(r#"{{"name": "pool", "count": 3, "vnetSubnetID": "{SUB}/nodes"}}"#);
    let e = load(&[
        ("v.json", vnet()),
        ("c.json", cluster("k", KUBENET, &[&pool])),
        ("nodes.yaml", NODE.into()),
        ("pods.yaml", PODS.into()),
    ]);
    let f = materialise(&e, false);
    assert_eq!(f.nodes.len(), 1, "the export stands for the pool");
    let n = &f.nodes[0];
    assert_eq!((n.pool, n.zone.as_deref(), n.subnet), (Some(Idx::new(0)), Some("2"), Some(Idx::new(0))));
    assert_eq!(n.address, NodeAddr::Exact("10.1.0.9".parse().unwrap()));
    let pods = n.pod_addresses.as_ref().unwrap();
    assert_eq!(pods.to_cidr_strings(), ["10.244.7.0/24"], "spec.podCIDR narrows kubenet's range");
    // A pod's possible addresses: its node's pod range; hostNetwork: the node's own.
    let app = e.k8s.pods.iter().find(|p| p.name == "app").unwrap();
    let agent = e.k8s.pods.iter().find(|p| p.name == "agent").unwrap();
    assert_eq!(pod_addresses(&f, app, &[Idx::new(0)]).unwrap().to_cidr_strings(), ["10.244.7.0/24"]);
    assert_eq!(pod_addresses(&f, agent, &[Idx::new(0)]).unwrap().to_cidr_strings(), ["10.1.0.9/32"]);
}

#[test]
fn simulated_nodes_reuse_the_hash_an_exported_node_shows() {
    let pool = format!(r#"{{"name": "pool", "count": 2, "vnetSubnetID": "{SUB}/nodes"}}"#);
    let other = format!(r#"{{"name": "other", "count": 1, "vnetSubnetID": "{SUB}/nodes"}}"#);
    let node = NODE.replace("agentpool: pool", "agentpool: other");
    let e = load(&[("v.json", vnet()), ("c.json", cluster("k", KUBENET, &[&pool, &other])), ("n.yaml", node)]);
    let f = materialise(&e, false);
    // The export names `aks-pool-31415926-vmss...` but is labelled pool
    // `other`: the hash is pool `pool`'s, by name.
    let names: Vec<&str> = f.nodes.iter().map(|n| n.name.as_str()).collect();
    assert!(names.contains(&"aks-pool-31415926-vmss000001"), "{names:?}");
}

#[test]
fn tusk_yaml_binds_manifests_to_one_of_several_clusters() {
    let pool_a = r#"{"name": "a", "count": 2, "nodeLabels": {"which": "prod"}}"#;
    let pool_b = r#"{"name": "b", "count": 1, "nodeLabels": {"which": "dev"}}"#;
    let cfg = "apiVersion: tusk.dev/v1alpha1\nkind: TuskConfig\nclusters:\n- cluster: PROD\n  manifests: [k8s/prod/]\n- cluster: /subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/dev\n  manifests: [k8s/dev.yaml]\n";
    let deploy = |ns: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app, namespace: {ns}}}\nspec:\n  replicas: 2\n  template:\n    metadata: {{labels: {{app: x}}}}\n    spec: {{containers: [{{name: c, image: i}}]}}\n")
    };
    let e = load(&[
        ("est/prod.json", cluster("prod", KUBENET, &[pool_a])),
        ("est/dev.json", cluster("dev", KUBENET, &[pool_b])),
        ("est/tusk.yaml", cfg.into()),
        ("est/k8s/prod/app.yaml", deploy("p")),
        ("est/k8s/dev.yaml", deploy("d")),
        ("est/k8s/other.yaml", deploy("o")),
    ]);
    assert_eq!(e.config.clusters[0].manifests, ["est/k8s/prod"]);
    let f = materialise(&e, false);
    let s = schedule(&e, &f);
    let on = |ns: &str| {
        let p = s.placements.iter().find(|p| e.k8s.workloads[p.workload].namespace == ns).unwrap();
        let pools: Vec<String> = p.feasible.iter().filter_map(|n| f.pool_name(&e, &f.nodes[*n])).collect();
        (p.cluster.index(), pools)
    };
    assert_eq!(on("p"), (Some(Idx::new(0)), vec!["a".to_string(), "a".to_string()]));
    assert_eq!(on("d"), (Some(Idx::new(1)), vec!["b".to_string()]));
    assert_eq!(on("o"), (None, vec![]), "several clusters and no binding: no nodes, reported");
    // A binding that names no loaded cluster is a located error.
    let bad = "apiVersion: tusk.dev/v1alpha1\nkind: TuskConfig\nclusters:\n- cluster: nope\n  manifests: [x]\n";
    let err = tusk_load::load_sources(&[
        (Arc::from("c.json"), cluster("prod", KUBENET, &[pool_a])),
        (Arc::from("tusk.yaml"), bad.to_string()),
    ])
    .unwrap_err();
    assert!(err.message.contains("names no managed cluster") && err.loc.pos.line == 4, "{err}");
}

#[test]
fn kubenet_route_budget_counts_nodes_surge_and_user_routes() {
    let pools = [
        format!(r#"{{"name": "sys", "mode": "System", "count": 3, "vnetSubnetID": "{SUB}/nodes"}}"#),
        format!(
            r#"{{"name": "big", "count": 100, "enableAutoScaling": true, "minCount": 50, "maxCount": 380,
              "upgradeSettings": {{"maxSurge": "10%"}}, "vnetSubnetID": "{SUB}/nodes"}}"#
        ),
    ];
    let refs: Vec<&str> = pools.iter().map(String::as_str).collect();
    let e = load(&[("v.json", vnet()), ("rt.json", route_table(7)), ("c.json", cluster("k", KUBENET, &refs))]);
    let f = materialise(&e, true);
    let b = tusk_path::route_budget::kubenet_route_budget(&e, &f, Idx::new(0)).unwrap();
    // 3 + 380 nodes; surge 1 (AKS default) + 38 (10% of 380); 7 user routes
    // (the `aks-` route is AKS's own and not counted).
    assert_eq!((b.nodes, b.surge, b.user_routes, b.user_routes_unknown), (383, 39, 7, false));
    assert_eq!(b.needed(), 429);
    assert!(!b.fits() && b.headroom() == 0);
    // Without the route table in the inputs, the user routes are a lower bound.
    let e = load(&[("v.json", vnet()), ("c.json", cluster("k", KUBENET, &refs))]);
    let b = tusk_path::route_budget::kubenet_route_budget(&e, &materialise(&e, true), Idx::new(0)).unwrap();
    assert!(b.user_routes_unknown && b.user_routes == 0);
    let cni = load(&[("c.json", cluster("k", r#"{"networkPlugin": "azure"}"#, &[r#"{"name": "a", "count": 1}"#]))]);
    assert!(tusk_path::route_budget::kubenet_route_budget(&cni, &materialise(&cni, true), Idx::new(0)).is_none());
}

#[test]
fn addresses_outside_what_the_plugin_and_subnet_allow_are_warnings() {
    let pool = format!(r#"{{"name": "pool", "count": 3, "vnetSubnetID": "{SUB}/nodes"}}"#);
    let node = NODE.replace("address: 10.1.0.9", "address: 10.9.9.9");
    let pods = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: default}\nspec: {containers: [{name: c, image: i}]}\nstatus: {podIP: 8.8.8.8}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: default}\nspec: {containers: [{name: c, image: i}]}\nstatus: {podIP: 10.244.7.20}\n";
    let e = load(&[
        ("v.json", vnet()),
        ("c.json", cluster("k", KUBENET, &[&pool])),
        ("n.yaml", node),
        ("p.yaml", pods.into()),
    ]);
    let f = materialise(&e, false);
    assert!(f
        .warnings
        .iter()
        .any(|w| w.message.contains("InternalIP 10.9.9.9 is not an address of its pool's subnet v/nodes")));
    let w = tusk_path::addressing::check_exported_ips(&e, &f);
    let msgs: Vec<&str> = w.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(msgs[0].contains("pod default/a: status.podIP 8.8.8.8 is outside every range"), "{msgs:?}");
}

#[test]
fn an_exported_node_without_a_pool_subnet_is_bound_to_the_subnet_holding_its_address() {
    // The pool names no subnet (AKS's own VNet as far as the cluster says),
    // but the loaded VNet has the subnet the node's InternalIP is in.
    let pool = r#"{"name": "pool", "count": 1}"#;
    let e = load(&[
        ("v.json", vnet()),
        ("c.json", cluster("k", r#"{"networkPlugin": "azure"}"#, &[pool])),
        ("n.yaml", NODE.into()),
    ]);
    let f = materialise(&e, false);
    assert_eq!(f.nodes[0].subnet, Some(Idx::new(0)));
    assert!(f.nodes[0].pod_addresses.as_ref().unwrap().contains(ip("10.1.0.200")), "Azure CNI: the node's subnet");
}
