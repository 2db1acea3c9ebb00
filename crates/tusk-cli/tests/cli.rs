//! The `tusk` binary end to end: what a user runs, what they see, and the
//! exit codes CI gates on.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tusk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).output().expect("tusk runs")
}

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/netpol-analyzer")
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn demo_prints_the_leak_and_its_rule() {
    let out = tusk(&["demo"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("demo", text);
}

#[test]
fn malformed_input_exits_2_with_location_and_no_output() {
    let input = shared().join("bad/np_test_with_empty_port_range/input");
    let out = tusk(&["matrix", &s(&input)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "printed a result for bad input");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("netpol.yaml:15:20: error: `endPort` 1 is less than `port` 10"), "{err}");
    assert!(err.contains("NetworkPolicy ns1/egress-empty-port-range"), "{err}");
}

#[test]
fn failed_run_leaves_no_output_file() {
    let dir = std::env::temp_dir().join(format!("tusk-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("out.json");
    let bad = shared().join("bad/document_with_syntax_error/input");
    let out = tusk(&["matrix", &s(&bad), "--format", "json", "-o", &s(&target)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!target.exists());
    let good = shared().join("cases/minimal_test_in_ns/input");
    let out = tusk(&["matrix", &s(&good), "--format", "json", "-o", &s(&target)]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(v["grain"], "workload");
    assert!(v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["dst"]["name"] == "workload-a" && r["allowed"]["tcp"][0][0] == 8050));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn connlist_matches_netpol_analyzer_text_on_a_simple_case() {
    let case = shared().join("cases/minimal_test_in_ns");
    let out = tusk(&["matrix", &s(&case.join("input")), "--format", "connlist", "--policy-engine", "cilium"]);
    assert!(out.status.success());
    let expected = std::fs::read_to_string(case.join("expected_connlist.txt")).unwrap();
    let mut want: Vec<&str> = expected.lines().filter(|l| !l.is_empty()).collect();
    want.sort();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), want.join("\n") + "\n");
}

#[test]
fn explain_names_the_deciding_rule() {
    let input = shared().join("cases/minimal_test_in_ns/input");
    let out = tusk(&[
        "explain",
        &s(&input),
        "--from",
        "pod:hello-world/workload-b-0",
        "--to",
        "hello-world/workload-a-1",
        "--port",
        "8050",
        "--format",
        "json",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "allowed");
    let step = &v["ingress"]["steps"][0];
    assert_eq!(step["layer"], "NetworkPolicy");
    assert!(step["location"].as_str().unwrap().contains("netpol.yaml:"), "{step}");

    // A workload is every one of its pods (issue 8, A8: not its first pod):
    // two replicas each, so four pod pairs, each explained.
    let out = tusk(&[
        "explain",
        &s(&input),
        "--from",
        "hello-world/workload-b",
        "--to",
        "workload:hello-world/workload-a",
        "--port",
        "8050",
        "--format",
        "json",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["members"].as_array().unwrap().len(), 4, "{v}");
    assert!(v["members"].as_array().unwrap().iter().all(|m| m["verdict"] == "allowed"), "{v}");
    assert_eq!(v["explanations"][3]["ingress"]["steps"][0]["layer"], "NetworkPolicy");

    let out = tusk(&[
        "explain",
        &s(&input),
        "--from",
        "hello-world/workload-b",
        "--to",
        "hello-world/workload-a",
        "--port",
        "9999",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("verdict: DENIED"), "{text}");
    assert!(text.contains("no rule allows this flow"), "{text}");
}

#[test]
fn explain_rejects_unknown_endpoint() {
    let input = shared().join("cases/minimal_test_in_ns/input");
    let out =
        tusk(&["explain", &s(&input), "--from", "hello-world/nope", "--to", "hello-world/workload-a", "--port", "1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no pod or workload `hello-world/nope`") && err.contains("workload-a"), "{err}");
}

#[test]
fn unknown_pod_ip_is_reported_not_guessed() {
    // An egress ipBlock that covers only part of the address space: whether a
    // pod without a known IP is inside it cannot be known.
    let dir = std::env::temp_dir().join(format!("tusk-unknown-ip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("m.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x}\n---\n\
apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: only-10, namespace: x}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/8}\n",
    )
    .unwrap();
    let out = tusk(&["matrix", &s(&dir), "--grain", "pod"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("x/a[Pod]") && text.contains("unknown: All Connections"), "{text}");
    let out = tusk(&["matrix", &s(&dir), "--grain", "pod", "--policy-engine", "cilium", "--format", "connlist"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("x/a[Pod] => x/b[Pod]"), "cilium: ipBlock never selects pods\n{text}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn oversized_matrix_is_refused_with_a_reason_not_built() {
    let input = shared().join("cases/minimal_test_in_ns/input");
    let out = tusk(&["matrix", &s(&input), "--max-class-pairs", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("class-to-class pairs") && err.contains("is not built"), "{err}");
    assert!(tusk(&["matrix", &s(&input), "--max-class-pairs", "1000"]).status.success());
}

#[test]
fn json_matrix_is_valid_when_empty_and_when_not() {
    let dir = std::env::temp_dir().join(format!("tusk-empty-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: empty}\n").unwrap();
    let out = tusk(&["matrix", &s(&dir), "--format", "json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"].as_array().map(Vec::len), Some(0));
    std::fs::remove_dir_all(&dir).ok();

    let input = shared().join("cases/anp_test_7/input");
    let out = tusk(&["matrix", &s(&input), "--format", "json", "--policy-engine", "cilium"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    // draco-malfoy -> harry-potter: everything but TCP 80 (anp_test_7's expected connlist).
    let row = rows
        .iter()
        .find(|r| r["src"]["name"] == "draco-malfoy" && r["dst"]["name"] == "harry-potter")
        .expect("row present");
    assert_eq!(row["allowed"]["tcp"], serde_json::json!([[1, 79], [81, 65535]]));
    assert_eq!(row["allowed"]["udp"], serde_json::json!([[1, 65535]]));
}

/// Issue 8, A8: a group that the policies treat differently is `mixed`,
/// with each pair's verdict, never the verdict of one sample member. The
/// CIDR holds pod p1 (admitted), pod p2 (isolated for ingress) and
/// addresses outside the cluster, one of which stands for the rest.
#[test]
fn explain_gives_the_group_verdict_of_a_cidr_whose_pods_differ() {
    let dir = std::env::temp_dir().join(format!("tusk-mixed-group-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pod = |name: &str, app: &str, ip: &str| {
        format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: x, labels: {{app: {app}}}}}\nstatus: {{podIP: {ip}}}\n---\n")
    };
    let manifests = pod("client", "c", "10.9.0.9")
        + &pod("p1", "a", "10.0.0.1")
        + &pod("p2", "b", "10.0.0.2")
        + "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: isolate-b, namespace: x}\nspec:\n  podSelector: {matchLabels: {app: b}}\n  policyTypes: [Ingress]\n";
    std::fs::write(dir.join("m.yaml"), manifests).unwrap();
    let out =
        tusk(&["explain", &s(&dir), "--from", "x/client", "--to", "10.0.0.0/30", "--port", "80", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "mixed", "{v}");
    let verdicts: Vec<&str> = v["members"].as_array().unwrap().iter().map(|m| m["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts, ["allowed", "denied", "allowed"], "{v}");
    assert_eq!(v["samples"], serde_json::json!(["10.0.0.0/30"]));
    // The pod alone is a single flow, as before.
    let out = tusk(&["explain", &s(&dir), "--from", "x/client", "--to", "pod:x/p2", "--port", "80"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("verdict: DENIED"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A bare `NS/NAME` that names a pod and a different workload is an error
/// that lists both; `pod:` picks the pod (docs/endpoints.md).
#[test]
fn an_ambiguous_bare_name_is_an_error_listing_the_candidates() {
    let dir = std::env::temp_dir().join(format!("tusk-ambiguous-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("m.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: x}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: i}]}\n---\n\
apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: x, labels: {app: other}}\n",
    )
    .unwrap();
    let out = tusk(&["explain", &s(&dir), "--from", "x/web", "--to", "8.8.8.8", "--port", "443"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("pod:x/web") && err.contains("workload:x/web (Deployment)"), "{err}");
    let out = tusk(&["explain", &s(&dir), "--from", "pod:x/web", "--to", "8.8.8.8", "--port", "443"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&dir).ok();
}
