//! The seed article's statements, one test each (listed in docs/article.md),
//! running the real `tusk` commands on the example estates
//! `examples/article/{kubenet,cni}` — the same files `tusk demo` embeds.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tusk(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).current_dir(root()).output().unwrap();
    assert!(out.status.success(), "tusk {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn trace(dir: &str, from: &str, to: &str, port: &str, actor: &str) -> Value {
    let out = tusk(&["trace", dir, "--from", from, "--to", to, "--port", port, "--actor", actor, "-o", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "tusk.path/v1");
    v
}

fn segment<'a>(pair: &'a Value, kind: &str) -> Option<&'a Value> {
    pair["segments"].as_array().unwrap().iter().find(|s| s["kind"] == kind)
}

/// The source address the destination's inbound NSG matched (the last NSG
/// step of the forward path), and that step's verdict.
fn last_nsg(pair: &Value) -> (String, String) {
    let steps = segment(pair, "network").unwrap()["trace"]["forward"]["steps"].as_array().unwrap();
    let s = steps.iter().rev().find(|s| s["control"] == "nsg").unwrap();
    (s["src"].as_str().unwrap().to_string(), s["verdict"].as_str().unwrap().to_string())
}

fn in_block(ip: &str, prefix: &str, len: u32) -> bool {
    let a: std::net::Ipv4Addr = ip.parse().unwrap();
    let b: std::net::Ipv4Addr = prefix.parse().unwrap();
    let mask = u32::MAX << (32 - len);
    u32::from(a) & mask == u32::from(b) & mask
}

#[test]
fn kubenet_tenant_nsgs_see_pod_cidr_addresses_so_only_policies_separate_tenants() {
    let v = trace("examples/article/kubenet", "workload:t1/web", "workload:t2/api", "8080", "pod");
    let pairs = v["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 16, "2 pods × 2 possible nodes each side");
    for p in pairs {
        let (src, verdict) = last_nsg(p);
        assert!(in_block(&src, "10.244.0.0", 16), "the tenant-2 NSG sees a pod-CIDR source, got {src}");
        assert_eq!(verdict, "allowed", "the NSG must admit the pod CIDR");
        assert_eq!(segment(p, "network").unwrap()["verdict"], "allowed");
        assert_eq!(segment(p, "destinationPolicy").unwrap()["verdict"], "denied", "only the policy stops it");
    }
    assert_eq!(v["verdict"], "denied");
}

#[test]
fn kubenet_traffic_to_the_vnet_is_nated_to_the_node_ip() {
    let v = trace("examples/article/kubenet", "pod:t1/web-0", "pe-sql", "1433", "pod");
    for p in v["pairs"].as_array().unwrap() {
        let exit = segment(p, "nodeExit").unwrap();
        assert_eq!(exit["masqueraded"], true);
        let src = exit["src"].as_str().unwrap();
        assert!(in_block(src, "10.1.1.0", 24), "the node's address in the tenant-1 subnet, got {src}");
        assert_eq!(last_nsg(p).0, src, "the data subnet's NSG sees the node IP");
    }
    assert_eq!(v["verdict"], "allowed");
}

#[test]
fn cni_nsgs_see_routable_pod_ips_and_can_separate_tenants() {
    let v = trace("examples/article/cni", "workload:t1/web", "workload:t2/api", "8080", "pod");
    for p in v["pairs"].as_array().unwrap() {
        let exit = segment(p, "nodeExit").unwrap();
        assert_eq!(exit["masqueraded"], false);
        let (src, verdict) = last_nsg(p);
        assert_eq!(src, exit["src"].as_str().unwrap(), "the NSG sees the pod's own address");
        assert!(in_block(&src, "10.1.1.0", 24));
        assert_eq!(verdict, "denied", "the tenant-2 NSG stops tenant 1's pods");
    }
    assert_eq!(v["verdict"], "denied");
}

#[test]
fn the_data_nsg_sees_the_node_ip_with_kubenet_and_the_pod_ip_with_cni() {
    let seen = |dir| {
        let v = trace(dir, "pod:t1/web-0", "pe-sql", "1433", "pod");
        let p = &v["pairs"][0];
        let exit = segment(p, "nodeExit").unwrap();
        (last_nsg(p).0, exit["masqueraded"].as_bool().unwrap())
    };
    let (kubenet, k_nat) = seen("examples/article/kubenet");
    let (cni, c_nat) = seen("examples/article/cni");
    assert!(k_nat && !c_nat);
    assert_ne!(kubenet, cni);
}

#[test]
fn an_escaped_container_is_outside_pod_policies_only_nsgs_and_firewalls_stop_it() {
    for dir in ["examples/article/kubenet", "examples/article/cni"] {
        // No pod policy at the source, and the data service admits the node.
        let v = trace(dir, "pod:t1/web-0", "pe-sql", "1433", "node");
        for p in v["pairs"].as_array().unwrap() {
            assert!(segment(p, "sourcePolicy").is_none());
        }
        assert_eq!(v["verdict"], "allowed");
        // Tenant 2's pods: the NSG stops it, not a policy.
        let v = trace(dir, "node:tenant1", "workload:t2/api", "8080", "node");
        for p in v["pairs"].as_array().unwrap() {
            assert_eq!(segment(p, "network").unwrap()["verdict"], "denied");
        }
        // On its own node the NetworkPolicy cannot stop it (traffic from the
        // pod's node is always allowed); on the pool's other node it does.
        let v = trace(dir, "node:tenant2", "workload:t2/api", "8080", "node");
        let pairs = v["pairs"].as_array().unwrap();
        let same: Vec<&Value> = pairs.iter().filter(|p| p["srcNode"] == p["dstNode"]).collect();
        assert!(!same.is_empty());
        for p in &same {
            assert_eq!(p["verdict"], "allowed");
            assert!(segment(p, "sameNode").is_some());
        }
        assert_eq!(v["verdict"], "mixed", "{dir}");
    }
}

#[test]
fn nsg_rules_on_pod_ips_are_volatile_a_verdict_depending_on_one_is_unknown() {
    // A copy of the CNI estate whose tenant-2 NSG admits one tenant-1 pod
    // address: AKS may give that address to any pod, so no verdict is definite.
    let dir = std::env::temp_dir().join(format!("tusk-article-{}", std::process::id()));
    let src = root().join("examples/article/cni");
    std::fs::create_dir_all(dir.join("k8s")).unwrap();
    for f in ["cluster.json", "k8s/workloads.yaml", "k8s/policies.yaml"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    let net = std::fs::read_to_string(src.join("network.json")).unwrap();
    let edited =
        net.replacen("\"sourceAddressPrefix\": \"10.1.2.0/24\"", "\"sourceAddressPrefix\": \"10.1.1.252/32\"", 1);
    assert_ne!(net, edited);
    std::fs::write(dir.join("network.json"), edited).unwrap();
    let v = trace(dir.to_str().unwrap(), "pod:t1/web-0", "pod:t2/api-0", "8080", "pod");
    for p in v["pairs"].as_array().unwrap() {
        assert_eq!(p["verdict"], "unknown");
        assert!(p["doubt"].as_str().unwrap().contains("names part of the addresses AKS may assign"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn taints_and_labels_keep_tenants_on_their_pools_and_a_missing_label_breaks_it() {
    let out = tusk(&["schedule", "examples/article/kubenet", "--tenant-label", "tenant"]);
    let block = |w: &str| {
        let start = out.find(&format!("Deployment {w} ")).unwrap();
        out[start..].lines().find(|l| l.trim_start().starts_with("can run on:")).unwrap().to_string()
    };
    assert!(block("t1/web").contains("pool(s) tenant1;"), "{}", block("t1/web"));
    assert!(block("t2/api").contains("pool(s) tenant2;"), "{}", block("t2/api"));
    // Tolerating every taint without a nodeSelector: it can land anywhere.
    assert!(block("t1/agent").contains("tenant2"), "{}", block("t1/agent"));
}

#[test]
fn the_kubenet_route_table_ceiling_is_reduced_by_user_routes_and_surge_nodes() {
    let out = tusk(&["schedule", "examples/article/kubenet"]);
    assert!(out.contains("kubenet route table needs 6 nodes + 3 surge + 1 user routes = 10 of 400"), "{out}");
}

#[test]
fn the_demo_prints_both_variants_findings() {
    let out = tusk(&["demo"]);
    assert!(out.contains("== kubenet =="));
    assert!(out.contains("== Azure CNI =="));
    assert!(out.contains("a pod-CIDR address"));
    assert!(out.contains("the node's address (the pod's was masqueraded on the node)"));
    assert!(out.contains("the pod's own address"));
}

#[test]
fn the_tenant_matrix_shows_what_a_co_scheduled_escape_reaches() {
    let out = tusk(&["matrix", "examples/article/kubenet", "--grain", "tenant", "--port", "8080", "-o", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "tusk.tenant-matrix/v1");
    let cell = |from: &str, to: &str, actor: &str| {
        let cells = v["cells"].as_array().unwrap();
        cells.iter().find(|c| c["from"] == from && c["to"] == to && c["actor"] == actor).unwrap().clone()
    };
    // Pods: the NetworkPolicies separate the tenants in both directions.
    assert_eq!(cell("t1", "t2", "pod")["verdict"], "denied");
    assert_eq!(cell("t2", "t1", "pod")["verdict"], "denied");
    // Nodes: t1/agent can run on tenant 2's nodes; escaped there, it
    // reaches t2's pods on the same node (the node is always admitted).
    assert_eq!(cell("t1", "t2", "node")["verdict"], "mixed");
    // The diagonal: a tenant's own pods reach each other.
    assert_eq!(cell("t1", "t1", "pod")["verdict"], "allowed");
    // Without --port every TCP port is answered at once (port atoms): the
    // policies separate the tenants' pods on every port, not only 8080.
    let out = tusk(&["matrix", "examples/article/kubenet", "--grain", "tenant", "-o", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "tusk.port-matrix/v1");
    let cells = v["cells"].as_array().unwrap();
    let cell = |from: &str, to: &str, actor: &str| {
        cells.iter().find(|c| c["from"] == from && c["to"] == to && c["actor"] == actor).unwrap().clone()
    };
    assert_eq!(cell("t1", "t2", "pod")["allowed"], "");
    assert_eq!(cell("t1", "t2", "pod")["denied"], "TCP 1-65535");
    assert_eq!(cell("t1", "t1", "pod")["allowed"], "TCP 1-65535");
    assert_eq!(cell("t1", "t2", "node")["mixed"], "TCP 1-65535");
}
