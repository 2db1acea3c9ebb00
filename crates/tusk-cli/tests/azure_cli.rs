//! The `tusk` binary on bad Azure input: a located error on stderr, exit
//! code 2, nothing on stdout, never a panic. And on good input: exit 0
//! whatever the verdict.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn case(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/azure").join(p)
}

fn tusk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).output().expect("tusk runs")
}

fn assert_located_error(file: &str, line: u32, needle: &str) {
    let path = case(&format!("malformed/{file}"));
    let out = tusk(&["trace", path.to_str().unwrap(), "--from", "10.0.0.1", "--to", "10.0.0.2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{file}: {err}");
    assert!(out.stdout.is_empty(), "{file}: stdout not empty");
    assert!(!err.contains("panicked"), "{file}: {err}");
    assert!(err.contains(&format!("{file}:{line}:")), "{file}: expected line {line} in: {err}");
    assert!(err.contains(needle), "{file}: expected `{needle}` in: {err}");
}

#[test]
fn truncated_json_is_a_located_syntax_error() {
    assert_located_error("truncated.json", 4, "syntax error");
}

#[test]
fn bad_cidr_names_its_line() {
    assert_located_error("bad-cidr.json", 7, "10.0.300.0");
}

#[test]
fn nsg_priority_out_of_range() {
    assert_located_error("priority-out-of-range.json", 6, "out of range 100-4096");
}

#[test]
fn duplicate_priority_in_one_direction() {
    assert_located_error("duplicate-priority.json", 8, "priority 100 like rule `r1`");
}

#[test]
fn dangling_reference_when_the_type_was_exported() {
    assert_located_error("dangling-nsg.json", 9, "dangling reference");
}

#[test]
fn malformed_tusk_yaml_is_a_located_error() {
    assert_located_error("nva-bad-port.yaml", 9, "the range is reversed");
}

#[test]
fn an_nva_verdict_cites_its_tusk_yaml_rule_with_file_and_line() {
    let dir = case("fig3-nva/input");
    let out = tusk(&[
        "trace",
        dir.to_str().unwrap(),
        "--from",
        "spoke1-node",
        "--to",
        "spoke2-node",
        "--port",
        "443",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nva = t["forward"]["steps"].as_array().unwrap().iter().find(|s| s["control"] == "nva").expect("an nva step");
    assert_eq!(nva["rule"]["name"], "spokes-to-web");
    let at = nva["rule"]["location"].as_str().unwrap();
    assert!(at.ends_with("tusk.yaml:14:5"), "{at}");
}

#[test]
fn unknown_endpoint_is_bad_usage() {
    let dir = case("fig3-hub-spoke/input");
    let out = tusk(&["trace", dir.to_str().unwrap(), "--from", "no-such-vm", "--to", "spoke2-node"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-vm"));
}

#[test]
fn a_denied_verdict_still_exits_zero_and_cites_the_rule_file() {
    let dir = case("fig3-hub-spoke/input");
    let out = tusk(&["trace", dir.to_str().unwrap(), "--from", "spoke1-node", "--to", "spoke2-node", "--port", "22"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("verdict: DENIED"), "{text}");
    assert!(text.contains("fw-hub"), "{text}");
}

#[test]
fn routes_and_rules_subcommands_answer() {
    let dir = case("fig3-hub-spoke/input");
    let out = tusk(&["routes", dir.to_str().unwrap(), "--subnet", "spoke1/aks-nodes"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("VirtualAppliance       10.0.1.4"), "{text}");
    assert!(text.contains("routes.json:9:9"), "{text}");
    let out = tusk(&["rules", dir.to_str().unwrap(), "--nic", "spoke1-node"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("allow-https-in") && text.contains("DenyAllOutBound"), "{text}");
    let out = tusk(&["routes", dir.to_str().unwrap(), "--subnet", "nope/nope"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_has_a_top_level_verdict_also_for_any_protocol() {
    let dir = case("fig3-hub-spoke/input");
    let d = dir.to_str().unwrap();
    let out = tusk(&["trace", d, "--from", "spoke1-node", "--to", "spoke2-node", "--port", "443", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "tusk.trace/v1");
    assert_eq!(v["verdict"], "allowed");
    assert!(v["forward"]["steps"][1]["rule"]["location"].as_str().unwrap().contains("routes.json:"));
    let out = tusk(&[
        "trace",
        d,
        "--from",
        "spoke1-node",
        "--to",
        "spoke2-node",
        "--port",
        "443",
        "--proto",
        "any",
        "-o",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The firewall allows only TCP/443: allowed with some protocol.
    assert_eq!(v["schema"], "tusk.trace-any/v1");
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["reason"], "allowed for TCP");
    assert_eq!(v["traces"].as_array().unwrap().len(), 3);
    assert_eq!(v["traces"][1]["verdict"], "denied");
    assert!(v["traces"][0].get("schema").is_none(), "only the document carries a schema");
}

#[test]
fn rules_of_an_nva_list_its_tusk_yaml_rules_in_order() {
    let dir = case("fig3-nva/input");
    let out = tusk(&["rules", dir.to_str().unwrap(), "--nic", "hub-nva-nic"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let ssh = text.find("no-ssh-between-spokes").expect("first rule listed");
    let web = text.find("spokes-to-web").expect("second rule listed");
    assert!(ssh < web, "rules out of order:\n{text}");
    assert!(text.contains("src 10.1.0.0/16 → dst 10.2.0.0/16 ports 443,8000-8080"), "{text}");
    assert!(text.contains("tusk.yaml:14:5") && text.contains("no rule matched"), "{text}");

    let out = tusk(&["rules", dir.to_str().unwrap(), "--nic", "hub-nva-nic", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "tusk.rules/v1");
    assert_eq!(v["of"], "NIC hub-nva-nic");
    let nva: Vec<&serde_json::Value> =
        v["rules"].as_array().unwrap().iter().filter(|r| r["direction"] == "Forwarded").collect();
    assert_eq!(nva.len(), 2);
    assert_eq!(nva[0]["name"], "no-ssh-between-spokes");
    assert_eq!(nva[0]["access"], "Deny");
    assert_eq!(nva[1]["destinationPorts"], "443,8000-8080");
}
