//! Issue 8's Azure cases: wrong answers tusk gave, each now a test with the
//! right value. Cases found by others live in `../shared/cases/<name>/`
//! (read in place; skipped with a message when `../shared` is absent,
//! required when `CI=true`); cases of the same kinds written for this
//! project live under `tests/azure/` (data-driven ones with an
//! `expect.json` run by `azure_cases.rs`, defective inputs in `malformed/`).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `../shared/cases/<name>` beside the checkout, through `tusk_testkit`
/// (skipped with a message when absent, a failure under `CI=true`).
fn shared_case(name: &str) -> Option<PathBuf> {
    tusk_testkit::shared(&format!("cases/{name}"))
}

fn own(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/azure").join(p)
}

fn tusk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).output().expect("tusk runs")
}

fn json(args: &[&str]) -> Value {
    let out = tusk(args);
    assert!(out.status.success(), "tusk {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// The deciding step: the first one that is not allowed.
fn deciding_rule(t: &Value) -> String {
    let steps = t["forward"]["steps"].as_array().expect("steps");
    let s = steps.iter().find(|s| s["verdict"] != "allowed").expect("a deciding step");
    s["rule"]["name"].as_str().unwrap_or_default().to_string()
}

fn assert_located_error(path: &Path, needle: &str) {
    let p = path.to_str().unwrap();
    let out = tusk(&["trace", p, "--from", "10.0.0.1", "--to", "10.0.0.2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{p}: {err}");
    assert!(out.stdout.is_empty() && !err.contains("panicked"), "{p}: {err}");
    // Diagnostics print `error[CODE]: message` and ` --> file:line:col` on
    // lines of their own: a `file:line:col: error: message` needle is checked
    // part by part.
    for part in needle.split(": error: ") {
        assert!(err.contains(part), "expected `{part}` in: {err}");
    }
}

#[test]
fn the_internet_tag_is_not_emptied_by_a_forced_tunnel_udr() {
    let Some(dir) = shared_case("nsg-internet-tag-forced-tunnel") else { return };
    let d = dir.to_str().unwrap();
    let t = json(&["trace", d, "--from", "vm-nic", "--to", "internet:192.0.2.80", "--port", "443", "--format", "json"]);
    assert_eq!(t["verdict"], "denied", "{t}");
    assert_eq!(deciding_rule(&t), "deny-internet-out");
}

#[test]
fn rules_expand_every_tag_into_prefixes() {
    let Some(dir) = shared_case("nsg-internet-tag-forced-tunnel") else { return };
    let rules = json(&["rules", dir.to_str().unwrap(), "--subnet", "spoke/vms", "--format", "json"]);
    let rule = |name: &str| rules["rules"].as_array().unwrap().iter().find(|r| r["name"] == name).cloned().unwrap();
    let dst = rule("deny-internet-out")["destinations"][0].as_str().unwrap().to_string();
    // Public space, not emptied by the UDR, without private ranges.
    assert!(dst.starts_with("Internet=1.0.0.0/8,"), "{dst}");
    assert!(dst.contains("192.0.0.0/9") && !dst.contains("10.0.0.0/8"), "{dst}");
    let vnet = rule("AllowVnetOutBound")["destinations"][0].as_str().unwrap().to_string();
    assert_eq!(vnet, "VirtualNetwork=0.0.0.0/0");
}

#[test]
fn a_reference_of_the_wrong_type_is_a_located_error() {
    if let Some(dir) = shared_case("azure-reference-wrong-type") {
        assert_located_error(&dir, "net.json:8:");
        assert_located_error(&dir, "`networkSecurityGroup` must reference a network security group");
    }
    assert_located_error(&own("malformed/wrong-type-nic-subnet.json"), "wrong-type-nic-subnet.json:14:24");
    assert_located_error(&own("malformed/wrong-type-nic-subnet.json"), "`subnet` must reference a subnet");
    assert_located_error(&own("malformed/wrong-type-peering-remote.json"), "wrong-type-peering-remote.json:9:");
    assert_located_error(
        &own("malformed/wrong-type-peering-remote.json"),
        "`remoteVirtualNetwork` must reference a virtual network",
    );
}

#[test]
fn a_rule_with_prefixes_and_asgs_on_one_side_is_a_located_error() {
    assert_located_error(
        &own("malformed/asg-and-prefix-on-one-side.json"),
        "asg-and-prefix-on-one-side.json:15:47: error: rule `web-and-admin` sets both `destinationAddressPrefixes` and `destinationApplicationSecurityGroups`",
    );
}

#[test]
fn a_bare_number_prefix_from_a_real_recording_loads_with_a_warning() {
    let Some(p) = tusk_testkit::shared("realworld/azure-cli-recordings") else { return };
    let files =
        ["az-shape", "bodies"].map(|s| p.join(s).join("test_network_nsg/networkSecurityGroups__test-nsg1.json"));
    for f in files {
        let out = tusk(&["rules", f.to_str().unwrap(), "--subnet", "none/none"]);
        let err = String::from_utf8_lossy(&out.stderr);
        // The NSG loads (the command then fails only for want of a subnet).
        assert!(err.contains("address prefix `789` is a bare number"), "{err}");
        assert!(err.contains("no subnet (loaded: 1 network security group)"), "{err}");
    }
}

#[test]
fn a_given_port_is_never_called_not_given() {
    let d = own("nsg-bare-number-prefix/input");
    let t = json(&["trace", d.to_str().unwrap(), "--from", "vm-a", "--to", "vm-b", "--port", "22", "--format", "json"]);
    let reason = t["reason"].as_str().unwrap();
    assert_eq!(t["verdict"], "unknown");
    assert!(reason.contains("`789`") && !reason.contains("not given"), "{reason}");
}

#[test]
fn an_unknown_private_endpoint_policy_is_a_located_error() {
    assert_located_error(
        &own("malformed/private-endpoint-policies-value.json"),
        "private-endpoint-policies-value.json:8:43: error: `privateEndpointNetworkPolicies` must be Disabled, Enabled, NetworkSecurityGroupEnabled or RouteTableEnabled",
    );
}

/// Issue 8 D1: `tusk reach` panicked ("chunk size must be non-zero") on
/// inputs without a subnet. Every Azure command on an empty or near-empty
/// estate says what is missing, with exit code 2, and never panics.
#[test]
fn degenerate_estates_say_what_is_missing() {
    let commands: [&[&str]; 4] = [
        &["reach", "--port", "443"],
        &["trace", "--from", "10.0.0.4", "--to", "10.0.0.5"],
        &["routes", "--subnet", "v/a"],
        &["rules", "--subnet", "v/a"],
    ];
    let cases = [
        ("nsg-only", "no subnet (loaded: 1 network security group)"),
        ("vnet-without-subnets", "no subnet (loaded: 1 virtual network)"),
    ];
    for (dir, needle) in cases {
        for c in commands {
            let path = own(&format!("degenerate/{dir}"));
            let mut args = c.to_vec();
            args.insert(1, path.to_str().unwrap());
            let out = tusk(&args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(!err.contains("panicked") && err.contains(needle), "{args:?}: {err}");
        }
    }
    for dir in ["subnet-without-prefix", "one-subnet"] {
        let path = own(&format!("degenerate/{dir}"));
        let out = tusk(&["reach", path.to_str().unwrap(), "--port", "443"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{dir}: {err}");
        assert!(err.contains("give at least two"), "{dir}: {err}");
    }
}

#[test]
fn a_child_security_rule_keeps_the_unique_priority_rule() {
    assert_located_error(
        &own("malformed/child-rule-duplicate-priority.json"),
        "child-rule-duplicate-priority.json:9:5: error: rule `child-100` has priority 100 like rule `inline-100`",
    );
}
