//! The `tusk` binary end to end: what a user runs, what they see, and the
//! exit codes CI gates on.

use std::path::Path;
use std::process::{Command, Output};

fn tusk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).output().expect("tusk runs")
}

/// Where netpol-analyzer's cases are, below `../shared` (see `tusk_testkit`).
const CONFORMANCE: &str = "conformance/netpol-analyzer";

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
    let shared = tusk_testkit::require_shared!(CONFORMANCE);
    let input = shared.join("bad/np_test_with_empty_port_range/input");
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
    let shared = tusk_testkit::require_shared!(CONFORMANCE);
    let dir = temp_dir("failed-run");
    let target = dir.join("out.json");
    let bad = shared.join("bad/document_with_syntax_error/input");
    let out = tusk(&["matrix", &s(&bad), "-o", "json", "--file", &s(&target)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!target.exists());
    let good = shared.join("cases/minimal_test_in_ns/input");
    let out = tusk(&["matrix", &s(&good), "--format", "json", "--file", &s(&target)]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(v["schema"], "tusk.matrix/v1");
    assert_eq!(v["grain"], "workload");
    assert!(v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["dst"]["name"] == "workload-a" && r["allowed"]["tcp"][0][0] == 8050));
    assert_eq!(entries(&dir), ["out.json"], "no temporary file left beside the output");
    std::fs::remove_dir_all(&dir).ok();
}

/// A fresh, empty directory for one test.
fn temp_dir(what: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tusk-cli-{what}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The names in a directory, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// An input of the repository itself, so the test runs on a fresh clone.
fn repo_case(case: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/k8s").join(case).join("input")
}

#[test]
fn o_names_the_format_and_a_file_name_there_is_refused_with_a_hint() {
    let input = repo_case("empty_vs_absent_fields");
    let dir = temp_dir("o-file");
    let target = dir.join("out.json");
    // `tusk matrix -o PATH` used to write PATH: now a usage error naming --file.
    let out = tusk(&["matrix", &s(&input), "-o", &s(&target)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("is not an output format") && err.contains(&format!("--file {}", s(&target))), "{err}");
    assert!(entries(&dir).is_empty());
    // -o, --output and --format are the same option.
    let by = |flag: &str| tusk(&["matrix", &s(&input), flag, "csv"]).stdout;
    assert!(by("-o").starts_with(b"src,dst,allowed,unknown\n"));
    assert_eq!(by("-o"), by("--output"));
    assert_eq!(by("-o"), by("--format"));
    // `--file -` is standard output.
    assert_eq!(tusk(&["matrix", &s(&input), "-o", "csv", "--file", "-"]).stdout, by("-o"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn output_that_cannot_be_written_exits_3_and_leaves_nothing() {
    let input = repo_case("empty_vs_absent_fields");
    let dir = temp_dir("unwritable");
    // A folder that does not exist, and a "folder" that is a file.
    std::fs::write(dir.join("a-file"), "x").unwrap();
    for target in [dir.join("missing").join("out.json"), dir.join("a-file").join("out.json")] {
        let out = tusk(&["matrix", &s(&input), "-o", "json", "--file", &s(&target)]);
        assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(&format!("cannot write {}", s(&target))), "{err}");
        assert!(out.stdout.is_empty());
    }
    assert_eq!(entries(&dir), ["a-file"], "no partial or temporary file");
    // A device that refuses every write (not a regular file: written directly).
    if Path::new("/dev/full").exists() {
        let out = tusk(&["matrix", &s(&input), "--file", "/dev/full"]);
        assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_file_that_is_not_regular_is_written_directly() {
    // The test harness gives the child a pipe as standard output.
    if !Path::new("/dev/stdout").exists() {
        return;
    }
    let input = repo_case("empty_vs_absent_fields");
    let direct = tusk(&["matrix", &s(&input), "-o", "csv", "--file", "/dev/stdout"]);
    assert!(direct.status.success(), "{}", String::from_utf8_lossy(&direct.stderr));
    assert_eq!(direct.stdout, tusk(&["matrix", &s(&input), "-o", "csv"]).stdout);
}

#[test]
fn every_json_document_has_a_schema_and_camel_case_keys() {
    let input = repo_case("unknown_pod_ip_is_unknown");
    let out = tusk(&["matrix", &s(&input), "-o", "json", "--grain", "pod"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "tusk.matrix/v1");
    let row = &v["rows"][0];
    assert!(row["allowedText"].is_string() && row["allowed"]["nonPortProtocols"].is_boolean(), "{row}");
    assert_no_snake_case_keys(&v);

    // Every other command, on the repository's own inputs.
    let azure = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/azure/fig3-nva/input");
    let (k8s, net) = (s(&input), s(&azure));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (article, ways_in) =
        (s(&root.join("examples/article/kubenet")), s(&root.join("tests/aks/ways-in/services.yaml")));
    let flow = ["--from", "spoke1-node", "--to", "spoke2-node", "--port", "443"];
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("tusk.explain/v1", vec!["explain", &k8s, "--from", "r/src", "--to", "r/in", "--port", "80"]),
        ("tusk.trace/v1", [&["trace", &net][..], &flow].concat()),
        ("tusk.trace-any/v1", [&["trace", &net, "--proto", "any"][..], &flow].concat()),
        ("tusk.routes/v1", vec!["routes", &net, "--subnet", "spoke1/aks-nodes"]),
        ("tusk.rules/v1", vec!["rules", &net, "--nic", "hub-nva-nic"]),
        ("tusk.reach/v1", vec!["reach", &net, "--port", "443"]),
        // Across both layers: a LoadBalancer Service from the Internet, and
        // `--proto any` from a pod.
        (
            "tusk.path/v1",
            vec![
                "trace",
                &article,
                &ways_in,
                "--from",
                "internet:198.51.100.7",
                "--to",
                "svc:t2/api-public",
                "--port",
                "80",
            ],
        ),
        (
            "tusk.path-any/v1",
            vec!["trace", &article, "--from", "pod:t1/web-0", "--to", "pe-sql", "--port", "1433", "--proto", "any"],
        ),
    ];
    for (schema, mut args) in runs {
        args.extend(["-o", "json"]);
        let out = tusk(&args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["schema"], schema, "{args:?}");
        assert_no_snake_case_keys(&v);
    }
}

/// Fails on any object key with an underscore (tusk's JSON is camelCase).
fn assert_no_snake_case_keys(v: &serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                assert!(!k.contains('_'), "snake_case key `{k}`");
                assert_no_snake_case_keys(x);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(assert_no_snake_case_keys),
        _ => {}
    }
}

#[test]
fn connlist_matches_netpol_analyzer_text_on_a_simple_case() {
    let shared = tusk_testkit::require_shared!(CONFORMANCE);
    let case = shared.join("cases/minimal_test_in_ns");
    let out = tusk(&["matrix", &s(&case.join("input")), "-o", "connlist", "--policy-engine", "cilium"]);
    assert!(out.status.success());
    let expected = std::fs::read_to_string(case.join("expected_connlist.txt")).unwrap();
    let mut want: Vec<&str> = expected.lines().filter(|l| !l.is_empty()).collect();
    want.sort();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), want.join("\n") + "\n");
}

#[test]
fn explain_names_the_deciding_rule() {
    let shared = tusk_testkit::require_shared!(CONFORMANCE);
    let input = shared.join("cases/minimal_test_in_ns/input");
    let out = tusk(&[
        "explain",
        &s(&input),
        "--from",
        "pod:hello-world/workload-b-0",
        "--to",
        "hello-world/workload-a-1",
        "--port",
        "8050",
        "-o",
        "json",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "tusk.explain/v1");
    assert_no_snake_case_keys(&v);
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
    let shared = tusk_testkit::require_shared!(CONFORMANCE);
    let input = shared.join("cases/minimal_test_in_ns/input");
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
    let out = tusk(&["matrix", &s(&dir), "--grain", "pod", "--policy-engine", "cilium", "-o", "connlist"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("x/a[Pod] => x/b[Pod]"), "cilium: ipBlock never selects pods\n{text}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn oversized_matrix_is_refused_with_a_reason_not_built() {
    let shared = tusk_testkit::require_shared!(CONFORMANCE);
    let input = shared.join("cases/minimal_test_in_ns/input");
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
    let out = tusk(&["matrix", &s(&dir), "-o", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("needs Kubernetes pods or workloads"), "{err}");
    std::fs::remove_dir_all(&dir).ok();

    let shared = tusk_testkit::require_shared!(CONFORMANCE);
    let input = shared.join("cases/anp_test_7/input");
    let out = tusk(&["matrix", &s(&input), "-o", "json", "--policy-engine", "cilium"]);
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
