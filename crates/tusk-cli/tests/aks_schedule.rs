//! The data-driven AKS cases: every folder `tests/aks/<case>/` holds an
//! estate (`input/`: a managed cluster and pools in ARM and `az` shape,
//! subnets, Node objects, workloads), the extra arguments of
//! `tusk schedule` (`args`, one line) and its expected text output
//! (`expected_schedule.txt`). Adding a case needs no Rust. The JSON output
//! of the same run is checked structurally against the text's facts.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/aks")
}

fn run(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).output().expect("tusk runs")
}

fn case_args(dir: &Path) -> Vec<String> {
    let extra = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
    let mut args = vec!["schedule".to_string(), dir.join("input").display().to_string()];
    args.extend(extra.split_whitespace().map(str::to_string));
    args
}

#[test]
fn every_case_prints_its_expected_schedule() {
    let mut n = 0;
    for e in std::fs::read_dir(root()).expect("tests/aks") {
        let dir = e.unwrap().path();
        let Ok(want) = std::fs::read_to_string(dir.join("expected_schedule.txt")) else { continue };
        let out = run(&case_args(&dir));
        assert!(out.status.success(), "{}: {}", dir.display(), String::from_utf8_lossy(&out.stderr));
        let got = String::from_utf8(out.stdout).unwrap();
        assert_eq!(got, want, "{}: output differs from expected_schedule.txt", dir.display());
        n += 1;
    }
    assert!(n >= 1, "no AKS cases found");
}

fn workload<'a>(j: &'a Value, name: &str) -> &'a Value {
    j["workloads"].as_array().unwrap().iter().find(|w| w["workload"] == name).unwrap_or_else(|| panic!("{name}"))
}

#[test]
fn tenants_case_json_states_pools_losses_and_shared_nodes() {
    let dir = root().join("tenants");
    let mut args = case_args(&dir);
    args.extend(["-o".to_string(), "json".to_string()]);
    let out = run(&args);
    assert!(out.status.success());
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Taints and labels keep each tenant on its pool.
    assert_eq!(workload(&j, "t1/web")["pools"], serde_json::json!(["tenant1"]));
    assert_eq!(workload(&j, "t2/api")["pools"], serde_json::json!(["tenant2"]));
    // A missing toleration leaves no feasible node: reported, with why.
    let batch = workload(&j, "t1/batch");
    assert_eq!((batch["pools"].as_array().unwrap().len(), batch["unplaced"].as_u64()), (0, Some(2)));
    let why: Vec<&str> = batch["rejected"].as_array().unwrap().iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert!(why.contains(&"taint tenant=t1:NoSchedule is not tolerated"), "{why:?}");
    // Gt on a label no node has: no feasible node.
    assert_eq!(workload(&j, "t2/trainer")["unplaced"], 1);
    // CriticalAddonsOnly keeps coredns... on the system pool only.
    assert_eq!(workload(&j, "kube-system/coredns")["pools"], serde_json::json!(["system"]));
    // Siloed pools trade resilience: one zone of tenant1 down, anti-affinity
    // per node leaves room for 2 of 3 web replicas.
    let web = workload(&j, "t1/web");
    let z = web["zoneFailures"].as_array().unwrap();
    assert!(z.iter().all(|l| l["after"] == 2 && l["recoverable"] == true), "{z:?}");
    // Required podAffinity is not simulated: said, not hidden.
    assert_eq!(workload(&j, "t1/cache")["notModelled"], serde_json::json!(["required podAffinity"]));
    // The DaemonSet tolerating everything runs on every node, the cordoned one too.
    assert_eq!(workload(&j, "monitoring/node-agent")["replicas"], 10);
    // Shared nodes: the platform tenant with each tenant; t1 and t2 never
    // share through their pools... except via t2/debug, which tolerates
    // `tenant` of any value and names no pool.
    let shared: Vec<(String, String)> = j["sharedNodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["tenants"][0].as_str().unwrap().into(), s["tenants"][1].as_str().unwrap().into()))
        .collect();
    assert!(shared.contains(&("t1".into(), "t2".into())), "{shared:?}");
    assert!(shared.contains(&("platform".into(), "t1".into())));
}

#[test]
fn pod_ip_outside_the_plugin_range_is_a_warning() {
    let out = run(&case_args(&root().join("tenants")));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(
            "pod t2/stray: status.podIP 10.10.1.50 is outside what node aks-tenant2-41527386-vmss000001 allows"
        ),
        "{err}"
    );
    assert!(!err.contains("t2/debug"), "{err}");
}

fn stdout(args: &[&str]) -> String {
    let out = run(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn cluster_network_policy_chooses_the_semantics_and_the_flag_overrides_it() {
    let input = root().join("tenants/input").display().to_string();
    let m = stdout(&["matrix", &input]);
    assert!(m.contains("semantics: Calico") && m.contains("from cluster aks-tenants's networkPolicy `calico`"), "{m}");
    let m = stdout(&["matrix", &input, "--policy-engine", "cilium"]);
    assert!(m.contains("semantics: Cilium") && m.contains("chosen by --policy-engine"), "{m}");
    let e = stdout(&["explain", &input, "--from", "t1/web", "--to", "t2/api", "--port", "80"]);
    assert!(e.contains("from cluster aks-tenants's networkPolicy `calico`"), "{e}");
}

#[test]
fn tusk_yaml_binds_each_manifest_folder_to_its_cluster() {
    let dir = root().join("two-clusters");
    let mut args = case_args(&dir);
    args.extend(["-o".to_string(), "json".to_string()]);
    let out = run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(workload(&j, "shop/shop")["cluster"], "aks-prod");
    assert_eq!(workload(&j, "shop/shop-dev")["cluster"], "aks-dev");
    assert_eq!(workload(&j, "shop/shop-dev")["pools"], serde_json::json!(["apps"]));
    let orphan = workload(&j, "misc/orphan");
    assert!(
        orphan["cluster"].is_null() && orphan["unbound"].as_str().unwrap().contains("no tusk.yaml `clusters:` entry")
    );
    // The dev cluster's pools are not zonal: no zone failure is claimed.
    let dev = workload(&j, "shop/shop-dev");
    assert_eq!((dev["nonZonal"].as_bool(), dev["unzoned"].as_u64()), (Some(true), Some(2)));
    assert!(dev["zoneFailures"].as_array().unwrap().is_empty());
    // Each cluster's policy engine: prod's manifests alone get Calico's semantics.
    let prod = dir.join("input").display().to_string();
    let out = run(&["matrix".into(), prod.clone(), "-o".into(), "json".into()]);
    let m: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(m["semantics"].as_str().unwrap().contains("several clusters"), "{}", m["semantics"]);
}

#[test]
fn malformed_pool_exits_2_with_its_location() {
    let dir = std::env::temp_dir().join(format!("tusk-aks-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("c.json");
    std::fs::write(
        &f,
        r#"{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/k",
"type": "Microsoft.ContainerService/managedClusters",
"properties": {"networkProfile": {"networkPlugin": "kubenet"},
 "agentPoolProfiles": [{"name": "p", "count": 1,
   "nodeTaints": ["dedicated=x:Sometimes"]}]}}"#,
    )
    .unwrap();
    let out = run(&["schedule".into(), f.display().to_string()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("c.json:5:") && err.contains("taint `dedicated=x:Sometimes`"), "{err}");
    assert!(out.stdout.is_empty());
}
