//! The Istio constructs added after AuthorizationPolicy and
//! PeerAuthentication, end to end through the binary: `--http-method` /
//! `--http-path` on a flow to a Service.

use std::process::{Command, Output};

fn tusk(args: &[&str]) -> Output {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).current_dir(root).output().expect("tusk runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const SVC: &str = "tests/k8s-istio/http_to_service/input";

#[test]
fn http_request_decides_the_l7_rule_of_each_service_endpoint() {
    let base = ["explain", SVC, "--from", "shop/fe", "--to", "svc:shop/api", "--port", "80"];
    let out = tusk(&base);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(text.contains("verdict over all endpoints: UNKNOWN"), "without a request the L7 rule is open: {text}");
    let mut get = base.to_vec();
    get.extend(["--http-method", "GET", "--http-path", "/items/7"]);
    let out = stdout(&tusk(&get));
    assert!(out.contains("verdict over all endpoints: ALLOWED"), "{out}");
    assert!(out.contains("AuthorizationPolicy shop/api-read"), "the deciding rule is named: {out}");
    let mut delete = base.to_vec();
    delete.extend(["--http-method", "DELETE", "--http-path", "/items/7"]);
    let out = stdout(&tusk(&delete));
    assert!(out.contains("verdict over all endpoints: DENIED"), "{out}");
}
