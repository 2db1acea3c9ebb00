//! Istio end to end through the binary: `--http-method` / `--http-path`
//! decide L7 rules, the matrix's L7 column (txt and JSON), and a malformed
//! AuthorizationPolicy exits 2 with its file:line:col.

use std::process::{Command, Output};

fn tusk(args: &[&str]) -> Output {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).current_dir(root).output().expect("tusk runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const L7: &str = "tests/k8s-istio/l7_methods_paths/input";

#[test]
fn http_method_and_path_decide_the_l7_rule() {
    let base = ["explain", L7, "--from", "shop/fe", "--to", "shop/api", "--port", "8080"];
    let unknown = tusk(&base);
    assert!(stdout(&unknown).contains("verdict: UNKNOWN"), "{}", stdout(&unknown));
    assert!(stdout(&unknown).contains("give --http-path"), "{}", stdout(&unknown));
    let mut get = base.to_vec();
    get.extend(["--http-method", "GET", "--http-path", "/api/items"]);
    let out = stdout(&tusk(&get));
    assert!(out.contains("verdict: ALLOWED"), "{out}");
    assert!(out.contains("[Istio] AuthorizationPolicy shop/api-read (ALLOW) / rules[0]: Allow"), "{out}");
    let mut post = base.to_vec();
    post.extend(["--http-method", "POST", "--http-path", "/api/items"]);
    assert!(stdout(&tusk(&post)).contains("verdict: DENIED"));
}

#[test]
fn matrix_lists_the_l7_rules_per_pair() {
    let txt = stdout(&tusk(&["matrix", L7]));
    let row =
        txt.lines().find(|l| l.starts_with("shop/fe[Pod]") && l.contains("shop/api[Pod]")).expect("fe -> api row");
    assert!(row.contains("unknown: TCP 1-65535"), "{row}");
    assert!(row.contains("[L7: ALLOW methods GET,HEAD paths /api/*"), "{row}");
    assert!(row.contains("DENY paths /api/debug*"), "{row}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&tusk(&["matrix", L7, "-o", "json"]))).unwrap();
    let rows = json["rows"].as_array().unwrap();
    let with_l7: Vec<_> = rows.iter().filter(|r| r.get("l7").is_some()).collect();
    assert_eq!(with_l7.len(), 2, "the two rows into the api have an L7 list");
    assert!(with_l7.iter().all(|r| r["dst"]["name"] == "api"));
}

#[test]
fn malformed_authorization_policy_exits_2_located() {
    let out = tusk(&["matrix", "tests/k8s-malformed/istio_authz_unknown_action/m.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("m.yaml:7:11") && err.contains("unknown action `REJECT`"), "{err}");
}

#[test]
fn node_actor_is_plaintext_for_a_strict_sidecar() {
    let out = stdout(&tusk(&[
        "explain",
        "tests/k8s-istio/node_actor_plaintext/input",
        "--from",
        "10.240.0.4",
        "--to",
        "pay/ui",
        "--port",
        "8080",
    ]));
    assert!(out.contains("verdict: DENIED"), "{out}");
    assert!(out.contains("mTLS STRICT on port 8080"), "{out}");
}
