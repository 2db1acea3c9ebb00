//! The endpoint notation of `docs/endpoints.md` on the Azure commands:
//! `subnet:VNET/SUBNET` and bare `VNET/SUBNET` name every NIC of the subnet
//! and get the group verdict; `internet` without an address is labelled as
//! a sample; a malformed or unknown endpoint is a usage error (exit 2).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn input(case: &str) -> String {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/azure").join(case).join("input");
    p.display().to_string()
}

fn tusk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).output().expect("tusk runs")
}

fn json(args: &[&str]) -> Value {
    let out = tusk(args);
    assert!(out.status.success(), "tusk {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("tusk {args:?}: bad JSON: {e}"))
}

#[test]
fn trace_from_a_subnet_gives_the_group_verdict_over_every_nic() {
    let i = input("nic-groups-mixed");
    let v = json(&[
        "trace",
        &i,
        "--from",
        "subnet:vnet1/web",
        "--to",
        "subnet:vnet1/app",
        "--port",
        "443",
        "--format",
        "json",
    ]);
    assert_eq!(v["verdict"], "mixed", "{v}");
    let members: Vec<(&str, &str)> = v["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["dst"].as_str().unwrap(), m["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(members, [("10.0.2.4", "allowed"), ("10.0.2.5", "denied"), ("10.0.2.6", "allowed")]);
    assert_eq!(v["traces"].as_array().unwrap().len(), 3);
    // A bare VNET/SUBNET that names one subnet is the same group.
    let bare = json(&["trace", &i, "--from", "vnet1/web", "--to", "vnet1/app", "--port", "443", "--format", "json"]);
    assert_eq!(bare["members"], v["members"]);
    // Toward web, every NIC pair is allowed.
    let back =
        json(&["trace", &i, "--from", "subnet:vnet1/app", "--to", "web-1-nic", "--port", "443", "--format", "json"]);
    assert_eq!(back["verdict"], "allowed", "{back}");
    // One NIC to one NIC is the single trace, as before.
    let one = json(&["trace", &i, "--from", "web-1-nic", "--to", "app-2-nic", "--port", "443", "--format", "json"]);
    assert_eq!(one["verdict"], "denied");
    assert!(one.get("members").is_none() && one.get("samples").is_none(), "{one}");
}

#[test]
fn internet_without_an_address_is_labelled_as_a_sample() {
    let i = input("doc-nsg-example");
    let out = tusk(&["trace", &i, "--from", "internet", "--to", "vm2-nic", "--port", "80"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("sample: `internet` stands for every Internet address"), "{text}");
    let v = json(&["trace", &i, "--from", "internet", "--to", "vm2-nic", "--port", "80", "--format", "json"]);
    assert_eq!(v["samples"][0]["end"], "internet", "{v}");
}

#[test]
fn malformed_and_unknown_endpoints_are_usage_errors() {
    let i = input("nic-groups-mixed");
    for (from, needle) in [
        ("subnet:vnet1", "subnet:VNET/SUBNET"),
        ("subnet:vnet1/nope", "no subnet `vnet1/nope`"),
        ("vm:web-1", "unknown kind `vm:`"),
        ("pod:ns/web", "names a Kubernetes object"),
    ] {
        let out = tusk(&["trace", &i, "--from", from, "--to", "web-1-nic", "--port", "443"]);
        assert_eq!(out.status.code(), Some(2), "{from}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{from}: expected `{needle}` in {err}");
        assert!(out.stdout.is_empty());
    }
    let out = tusk(&["trace", &i, "--from", "web-1-nic", "--to", "app-1-nic", "--port", "0"]);
    assert_eq!(out.status.code(), Some(2), "port 0 is not a port a flow uses");
}
