//! Istio VirtualService routing and the Calico engine warning, end to end
//! through the binary: `explain --to svc:NS/NAME` names the route that sent
//! the flow with its file:line; the load says once (with a count) that
//! Calico policies are modelled only under the Calico engine, and not at
//! all when the engine is Calico.

use std::process::{Command, Output};

fn tusk(args: &[&str]) -> Output {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).current_dir(root).output().expect("tusk runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const VS: &str = "tests/k8s-istio/virtual_service_routes/input";

#[test]
fn explain_names_the_route_that_sent_the_flow() {
    let out = stdout(&tusk(&["explain", VS, "--from", "shop/client", "--to", "svc:shop/legacy", "--port", "9080"]));
    assert!(
        out.contains(
            "routed: VirtualService shop/legacy http[0] (tests/k8s-istio/virtual_service_routes/input/mesh.yaml:"
        ),
        "{out}"
    );
    assert!(out.contains("to Service shop/details port 9080"), "{out}");
    assert!(out.contains("endpoint shop/details"), "{out}");
    assert!(out.contains("verdict over all endpoints: ALLOWED"), "{out}");
}

#[test]
fn a_route_on_what_the_flow_lacks_is_unknown_and_decided_with_it() {
    let base = ["explain", VS, "--from", "shop/client", "--to", "svc:shop/reviews", "--port", "9080"];
    let out = stdout(&tusk(&base));
    assert!(out.contains("UNKNOWN (VirtualService shop/reviews http[1]"), "{out}");
    assert!(out.contains("request URI (give --http-path)"), "{out}");
    let mut with = base.to_vec();
    with.extend(["--http-method", "GET", "--http-path", "/v2/book"]);
    let out = stdout(&tusk(&with));
    assert!(out.contains("subset v2"), "{out}");
    assert!(out.contains("verdict over all endpoints: DENIED"), "{out}");
}

#[test]
fn an_abort_is_denied_at_the_client_and_json_carries_the_route() {
    let o = tusk(&["explain", VS, "--from", "shop/client", "--to", "svc:shop/ratings", "--port", "9080", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["verdict"], "denied");
    let routing = v["routing"].as_str().unwrap_or_default();
    assert!(routing.contains("VirtualService shop/ratings http[0]") && routing.contains("aborts every request"), "{v}");
}

#[test]
fn the_calico_warning_is_one_line_and_absent_under_calico() {
    let input = "tests/k8s/calico_staged_and_order_ties/input";
    let o = tusk(&["matrix", input]);
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("may or may not be Calico")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("2 Calico policies (the first here)"), "{err}");
    let o = tusk(&["matrix", "--policy-engine", "calico", input]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("may or may not be Calico"), "{err}");
}
