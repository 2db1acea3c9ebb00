//! `tusk matrix --grain tenant` without `--port` (issue 7 item 6): every
//! port at once, per cell the connections allowed, mixed and unknown, in
//! every format, on `tests/aks-ports/input` (the article's kubenet estate
//! with port-specific policies and NSG rules). With `--port` the output
//! keeps the per-port schema.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tusk(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).current_dir(root()).output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8_lossy(&out.stderr).into_owned())
}

const DIR: &str = "tests/aks-ports/input";

fn ok(args: &[&str]) -> String {
    let (code, out, err) = tusk(args);
    assert_eq!(code, Some(0), "tusk {args:?}: {err}");
    out
}

#[test]
fn every_format_gives_the_port_sets_of_each_cell() {
    let base = ["matrix", DIR, "--grain", "tenant", "--actor", "pod", "-o"];
    let with = |f: &str| ok(&[&base[..], &[f]].concat());
    // t1 → t2: t1's egress ports ∩ t2's ingress from t1 ∩ the tenant-2 NSG.
    let conns = "TCP 8080-8084,8086-8090";
    let txt = with("txt");
    assert!(txt.starts_with("tenant matrix across both layers, TCP every port ("), "{txt}");
    assert!(txt.contains(&format!("t1 -> t2       actor pod   allowed {conns}")), "{txt}");
    assert!(txt.contains("port atoms"), "{txt}");
    let v: Value = serde_json::from_str(&with("json")).unwrap();
    assert_eq!(v["schema"], "tusk.port-matrix/v1");
    assert!(v["atoms"].as_u64().unwrap() > 5);
    let cell = v["cells"].as_array().unwrap().iter().find(|c| c["from"] == "t1" && c["to"] == "t2").unwrap().clone();
    assert_eq!(cell["allowed"], conns);
    assert_eq!(cell["denied"], "TCP 1-8079,8091-65535");
    // 8085: the tenant-2 NSG denies it between nodes; t1/agent may share a node with t2/api.
    assert_eq!(cell["mixed"], "TCP 8085");
    let parts = cell["parts"].as_array().unwrap();
    let layers: Vec<&str> = parts.iter().filter_map(|p| p["stoppedBy"].as_str()).collect();
    assert!(layers.contains(&"source pod policy") && layers.contains(&"azure network"), "{parts:?}");
    let net = parts.iter().find(|p| p["stoppedBy"] == "azure network").unwrap();
    assert_eq!(net["conns"], "TCP 8085", "the NSG's deny of 8085 is the network's part");
    let csv = with("csv");
    assert!(csv.starts_with("from,to,actor,allowed,mixed,unknown,stopped_by\n"), "{csv}");
    assert!(csv.contains(&format!("t1,t2,pod,\"{conns}\",TCP 8085,,")), "{csv}");
    let md = with("md");
    assert!(md.contains(&format!("| t1 | t2 | pod | {conns} |")), "{md}");
    let dot = with("dot");
    assert!(
        dot.starts_with("digraph matrix {")
            && dot.contains(&format!("\"t1\" -> \"t2\" [label=\"pod: {conns} ?TCP 8085\", style=dashed")),
        "{dot}"
    );
    let connlist = with("connlist");
    assert!(connlist.lines().any(|l| l == format!("t1 => t2 : {conns}")), "{connlist}");
    assert!(connlist.lines().any(|l| l == "# t1 => t1 : mixed TCP 8085"), "{connlist}");
}

#[test]
fn proto_any_answers_every_protocol_and_the_node_actor_too() {
    let out = ok(&["matrix", DIR, "--grain", "tenant", "--proto", "any", "-o", "connlist"]);
    // t2's pods send anything; the tenant-1 NSG admits the pod CIDR.
    assert!(out.lines().any(|l| l.starts_with("t2 => t1 : ICMP and other non-port protocols,")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("# t1[nodes] => t2 : mixed")), "{out}");
}

#[test]
fn with_a_port_the_per_port_matrix_is_unchanged() {
    let v: Value =
        serde_json::from_str(&ok(&["matrix", DIR, "--grain", "tenant", "--port", "8085", "-o", "json"])).unwrap();
    assert_eq!(v["schema"], "tusk.tenant-matrix/v1");
    let (code, _, err) = tusk(&["matrix", DIR, "--grain", "tenant", "--port", "8085", "-o", "dot"]);
    assert_eq!(code, Some(2), "{err}");
}
