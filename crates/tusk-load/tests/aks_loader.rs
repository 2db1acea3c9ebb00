//! AKS managed clusters and agent pools load from the real shapes, read in
//! place from `../shared`: the Azure REST examples (ARM shape, under
//! `properties`) and the `az aks` recordings (flattened shape), each with
//! its network profile and pools, and each object citing its file:line.

use std::path::Path;
use tusk_load::{load_paths, load_sources};
use tusk_model::aks::*;
use tusk_model::scheduling::TaintEffect;

use tusk_testkit::shared;

fn load_one(p: &Path) -> tusk_load::Loaded {
    load_paths(&[p.to_path_buf()]).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn rest_example_cluster_has_kubenet_profile_and_zoned_pool() {
    let Some(dir) = shared("fixtures/azure-rest-api-specs") else { return };
    let l = load_one(&dir.join("ManagedClustersGet.json"));
    assert_eq!(l.estate.clusters.len(), 1);
    let c = &l.estate.clusters[0];
    assert_eq!(c.name(), "clustername1");
    assert_eq!(c.network.plugin, NetworkPlugin::Kubenet);
    assert_eq!(c.network.policy, NetworkPolicyEngine::None);
    assert_eq!(c.network.outbound, OutboundType::LoadBalancer);
    assert_eq!(c.network.pod_cidrs[0].to_string(), "10.244.0.0/16");
    assert_eq!(c.network.service_cidrs[0].to_string(), "10.0.0.0/16");
    assert_eq!(c.network.dns_service_ip, Some("10.0.0.10".parse().unwrap()));
    let p = &c.pools[0];
    assert_eq!((p.name.as_str(), p.count, p.max_pods), ("nodepool1", 3, 110));
    assert_eq!(p.zones, ["1", "2", "3"]);
    assert_eq!(p.max_surge, Some(MaxSurge::Percent(33)));
    assert_eq!(p.max_surge.unwrap().nodes(3), 1, "33% of 3 rounds up to 1");
    assert_eq!(p.vm_size.as_deref(), Some("Standard_DS1_v2"));
    assert!(p.vnet_subnet.is_none(), "no vnetSubnetID: AKS's own VNet");
    assert_eq!(p.mode, PoolMode::User, "`mode` absent");
    assert!(l.warnings.iter().any(|w| w.message.contains("no pool with mode System")), "{:?}", l.warnings);
    // The pool cites its line in the file (agentPoolProfiles[0] starts at its `name`, line 9).
    assert!(p.loc.file.ends_with("ManagedClustersGet.json"));
    assert_eq!(p.loc.pos.line, 9, "{}", p.loc);
    assert_eq!(c.loc.pos.line, 1);
}

#[test]
fn rest_examples_cover_outbound_types_and_cilium_overlay() {
    let Some(dir) = shared("fixtures/azure-rest-api-specs") else { return };
    let cases = [
        ("ManagedClustersCreate_ManagedNATGateway.json", OutboundType::ManagedNatGateway),
        ("ManagedClustersCreate_UserAssignedNATGateway.json", OutboundType::UserAssignedNatGateway),
        ("ManagedClustersCreate_DualStackNetworking.json", OutboundType::LoadBalancer),
    ];
    for (f, outbound) in cases {
        let l = load_one(&dir.join(f));
        assert_eq!(l.estate.clusters[0].network.outbound, outbound, "{f}");
    }
    let dual = load_one(&dir.join("ManagedClustersCreate_DualStackNetworking.json"));
    assert_eq!(dual.estate.clusters[0].network.pod_cidrs.len(), 2, "IPv4 and IPv6 pod CIDRs");
    let cil = load_one(&dir.join("AdvancedNetworkingTransitEncryption.json"));
    let n = &cil.estate.clusters[0].network;
    assert_eq!((n.plugin, n.overlay, n.dataplane), (NetworkPlugin::Azure, true, Dataplane::Cilium));
    assert_eq!(n.policy, NetworkPolicyEngine::Cilium, "the Cilium data plane enforces policy");
    assert_eq!(cil.estate.clusters[0].pools[0].max_pods, 110);
}

#[test]
fn rest_agent_pool_alone_is_a_warning_with_its_taints_read() {
    let Some(dir) = shared("fixtures/azure-rest-api-specs") else { return };
    let l = load_one(&dir.join("AgentPoolsCreate_Update.json"));
    assert!(l.estate.clusters.is_empty());
    assert!(l
        .warnings
        .iter()
        .any(|w| w.message.contains("node pool agentpool1 belongs to managed cluster clustername1")));
    // With its cluster, the child pool replaces the profile of the same
    // name and brings its taint and label.
    let mut sources = Vec::new();
    for f in ["ManagedClustersGet.json", "AgentPoolsCreate_Update.json"] {
        let name: std::sync::Arc<str> = dir.join(f).display().to_string().into();
        sources.push((name, std::fs::read_to_string(dir.join(f)).unwrap()));
    }
    let l = load_sources(&sources).unwrap();
    let pools = &l.estate.clusters[0].pools;
    assert_eq!(pools.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["nodepool1", "agentpool1"]);
    let ap = &pools[1];
    assert_eq!(ap.mode, PoolMode::User);
    assert_eq!((ap.taints[0].key.as_str(), ap.taints[0].value.as_str()), ("Key1", "Value1"));
    assert_eq!(ap.taints[0].effect, TaintEffect::NoSchedule);
    assert_eq!(ap.labels.get("key1").map(String::as_str), Some("val1"));
    assert!(ap.loc.file.ends_with("AgentPoolsCreate_Update.json"));
}

#[test]
fn az_shape_cluster_and_nodepool_list_load() {
    let Some(dir) = shared("realworld/azure-cli-recordings/az-shape/test_aks_nodepool_create_scale_delete") else {
        return;
    };
    let l = load_one(&dir);
    let c = &l.estate.clusters[0];
    assert_eq!(c.name(), "cliakstest000001");
    assert_eq!(c.location.as_deref(), Some("westus2"));
    assert_eq!(c.network.plugin, NetworkPlugin::Kubenet);
    assert_eq!(c.network.pod_cidrs[0].to_string(), "10.244.0.0/16");
    let names: Vec<(&str, PoolMode, u32)> = c.pools.iter().map(|p| (p.name.as_str(), p.mode, p.count)).collect();
    assert_eq!(names, [("nodepool1", PoolMode::System, 1), ("nodepool2", PoolMode::User, 3)]);
    assert_eq!(c.pools[1].labels.get("label1").map(String::as_str), Some("value1"));
    assert!(c.pools[1].loc.file.ends_with("agentPools__nodepool2.json"), "{}", c.pools[1].loc);
}

#[test]
fn every_az_aks_recording_loads() {
    let Some(root) = shared("realworld/azure-cli-recordings/az-shape") else { return };
    let mut clusters = 0;
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if !p.file_name().unwrap().to_string_lossy().starts_with("test_aks") {
            continue;
        }
        for f in std::fs::read_dir(&p).unwrap() {
            let f = f.unwrap().path();
            let l = load_one(&f);
            clusters += l.estate.clusters.len();
            for c in &l.estate.clusters {
                assert!(!c.pools.is_empty(), "{}: cluster without pools", f.display());
            }
        }
    }
    assert!(clusters >= 14, "only {clusters} clusters");
}

fn load_text(text: &str) -> Result<tusk_load::Loaded, tusk_core::LoadError> {
    load_sources(&[("c.json".into(), text.to_string())])
}

const BASE: &str = r#"{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/c1",
 "type": "Microsoft.ContainerService/managedClusters", "location": "eastus",
 "properties": {"networkProfile": {NP}, "agentPoolProfiles": [{@POOL@}]}}"#;

fn body(np: &str, pool: &str) -> String {
    BASE.replace("{NP}", np).replace("@POOL@", pool)
}

#[test]
fn combinations_aks_refuses_are_located_errors() {
    let ok_pool = r#""name": "sys", "mode": "System", "count": 1"#;
    let bad = [
        (r#"{"networkPlugin": "kubenet", "networkPolicy": "azure"}"#, ok_pool, "Azure NPM"),
        (r#"{"networkPlugin": "azure", "networkPolicy": "cilium"}"#, ok_pool, "requires `networkDataplane: cilium`"),
        (r#"{"networkPlugin": "kubenet", "networkPluginMode": "overlay"}"#, ok_pool, "overlay"),
        (r#"{"networkPlugin": "flannel"}"#, ok_pool, "not one of kubenet, azure, none"),
        (r#"{"outboundType": "bogus"}"#, ok_pool, "outboundType"),
        (r#"{"networkPlugin": "kubenet"}"#, r#""name": "Sys", "count": 1"#, "must match"),
        (r#"{"networkPlugin": "kubenet"}"#, r#""name": "sys", "count": 1001"#, "out of range"),
        (r#"{"networkPlugin": "kubenet"}"#, r#""name": "sys", "maxPods": 5"#, "out of range"),
        (r#"{"networkPlugin": "kubenet"}"#, r#""name": "sys", "nodeTaints": ["a=b"]"#, "no effect"),
        (r#"{"networkPlugin": "kubenet"}"#, r#""name": "sys", "nodeTaints": ["a=b:Never"]"#, "effect must be"),
        (r#"{"networkPlugin": "kubenet"}"#, r#""name": "sys", "podSubnetID": "/x/subnets/p""#, "podSubnetID"),
        (r#"{"networkPlugin": "kubenet", "podCidr": "10.244.0.1/16"}"#, ok_pool, "host bits"),
        (r#"{"serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.1.0.10"}"#, ok_pool, "outside the service CIDR"),
        (
            r#"{"networkPlugin": "kubenet"}"#,
            r#""name": "sys", "enableAutoScaling": true, "minCount": 3, "maxCount": 2"#,
            "minCount",
        ),
    ];
    for (np, pool, want) in bad {
        let e = load_text(&body(np, pool)).err().unwrap_or_else(|| panic!("accepted {np} {pool}"));
        assert!(e.message.contains(want), "{np} {pool}: {e}");
        assert!(e.loc.pos.line >= 1 && e.loc.file.as_ref() == "c.json", "{e}");
    }
}

#[test]
fn pod_subnet_with_azure_cni_resolves_against_loaded_subnets() {
    let vnet = r#"{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v",
      "type": "Microsoft.Network/virtualNetworks", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
      "subnets": [{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes", "name": "nodes", "properties": {"addressPrefix": "10.1.0.0/24"}},
                  {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/pods", "name": "pods", "properties": {"addressPrefix": "10.1.16.0/20"}}]}}"#;
    let sub = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets";
    let pool = format!(
        r#""name": "user1", "count": 2, "enableAutoScaling": true, "minCount": 1, "maxCount": 5, "vnetSubnetID": "{sub}/NODES", "podSubnetID": "{sub}/pods""#
    );
    let cluster = body(r#"{"networkPlugin": "azure", "networkPolicy": "calico"}"#, &pool);
    let l = load_sources(&[("v.json".into(), vnet.to_string()), ("c.json".into(), cluster)]).unwrap();
    let p = &l.estate.clusters[0].pools[0];
    assert_eq!(
        p.vnet_subnet,
        Some(tusk_model::azure::Link::Found(tusk_core::Idx::new(0))),
        "ids compare case-insensitively"
    );
    assert_eq!(p.pod_subnet, Some(tusk_model::azure::Link::Found(tusk_core::Idx::new(1))));
    assert_eq!((p.autoscale, p.max_nodes(), p.max_pods), (Some((1, 5)), 5, 30));
    assert_eq!(l.estate.clusters[0].network.policy, NetworkPolicyEngine::Calico);
    // A subnet id that names nothing while subnets are loaded is dangling.
    let dangling = body(r#"{"networkPlugin": "azure"}"#, &format!(r#""name": "u", "vnetSubnetID": "{sub}/gone""#));
    let e = load_sources(&[("v.json".into(), vnet.to_string()), ("c.json".into(), dangling)]).unwrap_err();
    assert!(e.message.contains("not in the inputs"), "{e}");
}

#[test]
fn absent_plugin_is_unspecified_with_a_warning_not_a_guess() {
    let l = load_text(&body(r#"{"podCidr": "10.244.0.0/16"}"#, r#""name": "sys", "count": 1"#)).unwrap();
    let c = &l.estate.clusters[0];
    assert_eq!(c.network.plugin, NetworkPlugin::Unspecified);
    assert_eq!(c.pools[0].max_pods, 0, "its default depends on the plugin");
    assert!(l.warnings.iter().any(|w| w.message.contains("`networkPlugin` absent")), "{:?}", l.warnings);
}

#[test]
fn arm_template_cluster_with_expressions_loads_with_warnings() {
    let t = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0",
      "resources": [{"type": "Microsoft.ContainerService/managedClusters", "apiVersion": "2024-05-01", "name": "aks1",
        "location": "[resourceGroup().location]",
        "properties": {"networkProfile": {"networkPlugin": "azure", "networkPolicy": "[parameters('policy')]"},
          "agentPoolProfiles": [{"name": "sys", "mode": "System", "count": "[parameters('n')]",
            "availabilityZones": ["1", "[parameters('z')]"], "nodeTaints": ["[parameters('t')]"],
            "vnetSubnetID": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 'nodes')]"}]}}]}"#;
    let l = load_text(t).unwrap();
    let c = &l.estate.clusters[0];
    assert_eq!(c.name(), "aks1");
    let p = &c.pools[0];
    assert_eq!((p.count, p.zones.clone(), p.taints.len()), (1, vec!["1".to_string()], 0));
    assert!(matches!(&p.vnet_subnet, Some(tusk_model::azure::Link::Absent(id)) if id.name() == "nodes"));
    assert!(l.warnings.iter().filter(|w| w.message.contains("ARM expression")).count() >= 3, "{:?}", l.warnings);
}
