//! The placement simulation against the scheduler's rules: required pod
//! anti-affinity (own replicas and, symmetrically, other workloads'),
//! topology spread with DoNotSchedule, node affinity Gt/Lt and NotIn,
//! NoExecute taints, and the system pool's CriticalAddonsOnly taint.

use std::sync::Arc;
use tusk_model::Estate;
use tusk_path::{materialise, schedule};

fn estate(pools: &[&str], k8s: &str) -> Estate {
    let cluster = format!(
        r#"{{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/k",
  "type": "Microsoft.ContainerService/managedClusters", "location": "eastus",
  "properties": {{"networkProfile": {{"networkPlugin": "azure"}}, "agentPoolProfiles": [{}]}}}}"#,
        pools.join(",")
    );
    let sources = [(Arc::from("c.json"), cluster), (Arc::from("k.yaml"), k8s.to_string())];
    tusk_load::load_sources(&sources).unwrap_or_else(|e| panic!("{e}")).estate
}

/// (feasible pools, nodes of placed replicas, unplaced) of workload `name`.
fn placed(e: &Estate, name: &str) -> (Vec<String>, Vec<String>, usize) {
    let f = materialise(e, false);
    let s = schedule(e, &f);
    let p = s.placements.iter().find(|p| e.k8s.workloads[p.workload].name == name).unwrap();
    let mut pools: Vec<String> = p.feasible.iter().filter_map(|n| f.pool_name(e, &f.nodes[*n])).collect();
    pools.dedup();
    let nodes = p.replicas.iter().flatten().map(|n| f.nodes[*n].name.clone()).collect();
    (pools, nodes, p.unplaced())
}

fn deploy(name: &str, replicas: u32, spec: &str) -> String {
    format!(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: default}}\nspec:\n  replicas: {replicas}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n{spec}      containers: [{{name: c, image: i}}]\n"
    )
}

const ZONED: &str = r#"{"name": "user", "count": 4, "availabilityZones": ["1", "2"]}"#;

#[test]
fn anti_affinity_per_host_leaves_extra_replicas_unplaced() {
    let spec = "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}\n";
    let e = estate(&[ZONED], &deploy("web", 6, spec));
    let (_, nodes, unplaced) = placed(&e, "web");
    assert_eq!((nodes.len(), unplaced), (4, 2), "one per node, 4 nodes");
    let mut distinct = nodes.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 4);
}

#[test]
fn anti_affinity_is_enforced_in_both_directions() {
    // `db` refuses to share a zone with `cache`; `cache` says nothing, yet
    // the scheduler keeps it out of db's zones too.
    let db = "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - {topologyKey: topology.kubernetes.io/zone, labelSelector: {matchLabels: {app: cache}}}\n";
    let k8s = deploy("db", 1, db) + &deploy("cache", 2, "");
    let e = estate(&[ZONED], &k8s);
    let f = materialise(&e, false);
    let s = schedule(&e, &f);
    let zones = |name: &str| -> Vec<String> {
        let p = s.placements.iter().find(|p| e.k8s.workloads[p.workload].name == name).unwrap();
        p.replicas.iter().flatten().map(|n| f.nodes[*n].zone.clone().unwrap()).collect()
    };
    let db_zone = &zones("db")[0];
    assert!(zones("cache").iter().all(|z| z != db_zone), "cache {:?} vs db {db_zone}", zones("cache"));
}

#[test]
fn spread_with_do_not_schedule_bounds_the_skew() {
    // `a` (3 pods labelled tier=web) is pinned to zone 1. `b` (also
    // tier=web) spreads over zones with maxSkew 1: round-robin alone would
    // put one of its pods in zone 1, but zone 1 already holds 3 more than
    // zone 2, so all of b's pods go to zone 2.
    let pools = [
        r#"{"name": "a", "count": 2, "availabilityZones": ["1"], "nodeLabels": {"which": "a"}}"#,
        r#"{"name": "b", "count": 2, "availabilityZones": ["2"]}"#,
    ];
    let pod = |name: &str, n: u32, spec: &str| {
        format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: default}}\nspec:\n  replicas: {n}\n  template:\n    metadata: {{labels: {{tier: web}}}}\n    spec:\n{spec}      containers: [{{name: c, image: i}}]\n"
        )
    };
    let spread = "      topologySpreadConstraints:\n      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {tier: web}}}\n";
    let k8s = pod("a", 3, "      nodeSelector: {which: a}\n") + &pod("b", 3, spread);
    let e = estate(&pools, &k8s);
    let f = materialise(&e, false);
    let s = schedule(&e, &f);
    let p = s.placements.iter().find(|p| e.k8s.workloads[p.workload].name == "b").unwrap();
    let zones: Vec<&str> = p.replicas.iter().flatten().map(|n| f.nodes[*n].zone.as_deref().unwrap()).collect();
    assert_eq!(zones, ["2", "2", "2"]);
    // ScheduleAnyway is a preference: the same spread does not move pods.
    let k8s = pod("a", 3, "      nodeSelector: {which: a}\n")
        + &pod("b", 3, &spread.replace("DoNotSchedule", "ScheduleAnyway"));
    let e = estate(&pools, &k8s);
    let f = materialise(&e, false);
    let s = schedule(&e, &f);
    let p = s.placements.iter().find(|p| e.k8s.workloads[p.workload].name == "b").unwrap();
    assert!(p.replicas.iter().flatten().any(|n| f.nodes[*n].zone.as_deref() == Some("1")));
}

#[test]
fn node_affinity_gt_lt_and_not_in() {
    let pools = [
        r#"{"name": "small", "count": 1, "nodeLabels": {"cores": "4"}}"#,
        r#"{"name": "large", "count": 1, "nodeLabels": {"cores": "16"}}"#,
    ];
    let aff = |op: &str, v: &str| {
        format!("      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions: [{{key: cores, operator: {op}, values: [\"{v}\"]}}]\n")
    };
    let e = estate(
        &pools,
        &(deploy("gt", 1, &aff("Gt", "8"))
            + &deploy("lt", 1, &aff("Lt", "8"))
            + &deploy("notin", 1, &aff("NotIn", "4"))),
    );
    assert_eq!(placed(&e, "gt").0, ["large"], "16 > 8 as integers");
    assert_eq!(placed(&e, "lt").0, ["small"]);
    assert_eq!(placed(&e, "notin").0, ["large"]);
}

#[test]
fn system_pool_taint_and_no_execute_need_tolerations() {
    let pools = [
        r#"{"name": "sys", "mode": "System", "count": 1, "nodeTaints": ["CriticalAddonsOnly=true:NoSchedule"]}"#,
        r#"{"name": "evict", "count": 1, "nodeTaints": ["maint:NoExecute"]}"#,
        r#"{"name": "soft", "count": 1, "nodeTaints": ["spot=true:PreferNoSchedule"]}"#,
    ];
    let tol = "      tolerations:\n      - {key: CriticalAddonsOnly, operator: Exists}\n      - {key: maint, operator: Exists, effect: NoExecute}\n";
    let e = estate(&pools, &(deploy("plain", 1, "") + &deploy("tolerant", 1, tol)));
    assert_eq!(placed(&e, "plain").0, ["soft"], "PreferNoSchedule is no filter");
    assert_eq!(placed(&e, "tolerant").0, ["sys", "evict", "soft"]);
}

#[test]
fn malformed_scheduling_fields_are_located_errors() {
    let bad = [
        ("      tolerations: [{key: '', operator: Equal, value: x}]\n", "empty key must use operator Exists"),
        ("      tolerations: [{key: a, operator: Exists, value: x}]\n", "must not have a value"),
        ("      tolerations: [{key: a, effect: Sometimes}]\n", "toleration effect"),
        (
            "      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions: [{key: a, operator: Gt, values: [x]}]\n",
            "exactly one integer value",
        ),
        (
            "      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms: []\n",
            "at least one term",
        ),
        (
            "      topologySpreadConstraints: [{maxSkew: 0, topologyKey: k, whenUnsatisfiable: DoNotSchedule}]\n",
            "greater than zero",
        ),
    ];
    for (spec, want) in bad {
        let src = [(Arc::from("k.yaml"), deploy("x", 1, spec))];
        let e = tusk_load::load_sources(&src).err().unwrap_or_else(|| panic!("accepted: {spec}"));
        assert!(e.message.contains(want) && e.loc.pos.line > 1, "{spec}: {e}");
    }
}
