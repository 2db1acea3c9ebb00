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
    assert!(err.contains("error[E0103]: `endPort` 1 is less than `port` 10"), "{err}");
    assert!(err.contains("netpol.yaml:15:20\n"), "{err}");
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
        "hello-world/workload-b",
        "--to",
        "hello-world/workload-a",
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
fn json_matrix_is_refused_when_empty_and_valid_when_not() {
    // A cluster without pods has no matrix: the command says what is missing (exit 2).
    let dir = std::env::temp_dir().join(format!("tusk-empty-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: empty}\n").unwrap();
    let out = tusk(&["matrix", &s(&dir), "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("needs Kubernetes pods or workloads"), "{err}");
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
