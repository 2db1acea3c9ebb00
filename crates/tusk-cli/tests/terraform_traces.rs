//! End to end: a Terraform plan of the hub & spoke of the seed article's
//! Figure 3 (tests/terraform/hub-spoke/plan.json; the same estate planned
//! from scratch, greenfield/plan.json; and after apply, state/state.json)
//! gives the same traces as the equivalent ARM export
//! (tests/azure/fig3-hub-spoke/input): verdict, reason, and every step of
//! the forward and reply paths (control, verdict, addresses seen, NAT,
//! deciding rule and its priority). Only where a rule was read from
//! differs (a plan's line instead of an export's), so locations are left
//! out of the comparison.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn path(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests").join(p)
}

fn trace(input: &Path, from: &str, to: &str, port: u16) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tusk"))
        .args(["trace", input.to_str().unwrap(), "--from", from, "--to", to, "--port", &port.to_string()])
        .args(["--format", "json"])
        .output()
        .expect("tusk runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A trace without source locations.
fn comparable(v: Value) -> Value {
    without(v, "location")
}

fn without(mut v: Value, key: &str) -> Value {
    fn strip(v: &mut Value, key: &str) {
        match v {
            Value::Object(m) => {
                m.remove(key);
                m.values_mut().for_each(|v| strip(v, key));
            }
            Value::Array(a) => a.iter_mut().for_each(|v| strip(v, key)),
            _ => {}
        }
    }
    strip(&mut v, key);
    v
}

/// The flows of tests/azure/fig3-hub-spoke/expect.json, then more.
const FLOWS: &[(&str, &str, u16)] = &[
    ("spoke1-node", "spoke2-node", 443),
    ("spoke1-node", "spoke2-node", 22),
    ("spoke1-node", "internet:93.184.216.34", 443),
    ("spoke2-node", "internet:93.184.216.34", 443),
    ("hub-vm", "spoke2-node-nic", 443),
    ("hub-vm-nic", "10.2.0.4", 80),
    ("internet:93.184.216.34", "10.1.0.4", 443),
];

#[test]
fn terraform_plans_and_state_trace_like_the_equivalent_arm_export() {
    let arm = path("azure/fig3-hub-spoke/input");
    let expect: Value =
        serde_json::from_str(&std::fs::read_to_string(path("azure/fig3-hub-spoke/expect.json")).unwrap()).unwrap();
    let mut verdicts = Vec::new();
    for &(from, to, port) in FLOWS {
        let want = comparable(trace(&arm, from, to, port));
        verdicts.push(want["verdict"].as_str().unwrap().to_string());
        for tf in ["terraform/hub-spoke/plan.json", "terraform/state/state.json"] {
            let got = comparable(trace(&path(tf), from, to, port));
            assert_eq!(got, want, "{tf}: {from} → {to} port {port}");
        }
        // Planned from scratch, the firewall's public address is allocated
        // at apply: the SNAT to the Internet names no address, the rest is
        // the same.
        let got = comparable(trace(&path("terraform/greenfield/plan.json"), from, to, port));
        if to.starts_with("internet") && want["verdict"] == "allowed" {
            let steps = got["forward"]["steps"].as_array().unwrap();
            let said = steps
                .iter()
                .any(|s| s["nat"].as_str().is_some_and(|n| n.contains("public address is not in the inputs")));
            assert!(said, "{}", got["forward"]);
            assert_eq!(without(got, "nat"), without(want.clone(), "nat"), "greenfield: {from} → {to} port {port}");
        } else {
            assert_eq!(got, want, "greenfield: {from} → {to} port {port}");
        }
    }
    // The ARM side is the checked case of tests/azure (with VM names there):
    // its first four traces are the first four flows here.
    let expected: Vec<&str> =
        expect["traces"].as_array().unwrap().iter().map(|t| t["verdict"].as_str().unwrap()).collect();
    assert_eq!(&verdicts[..4], &expected[..4]);
    // The hub VM reaches spoke2 directly over the peering (no UDR in the hub):
    // port 80 too, by AllowVnetInBound; the Internet cannot reach a spoke.
    assert_eq!(verdicts[4..], ["allowed", "allowed", "denied"]);
}

#[test]
fn a_trace_through_a_plan_cites_the_plan() {
    let v = trace(&path("terraform/hub-spoke/plan.json"), "spoke1-node", "spoke2-node", 443);
    let fw = v["forward"]["steps"].as_array().unwrap().iter().find(|s| s["control"] == "firewall").unwrap();
    let loc = fw["rule"]["location"].as_str().unwrap();
    assert!(loc.contains("tests/terraform/hub-spoke/plan.json:"), "{loc}");
    // The plan's resource address beside the line: a plan's lines are
    // generated, its addresses are what the user wrote.
    assert!(loc.ends_with(" (module.hub.azurerm_firewall_policy_rule_collection_group.east_west)"), "{loc}");
    let steps = v["forward"]["steps"].as_array().unwrap();
    let route = steps.iter().find(|s| s["control"] == "route").unwrap();
    let loc = route["rule"]["location"].as_str().unwrap();
    assert!(loc.ends_with(" (module.spoke[\"spoke1\"].azurerm_route_table.this)"), "{loc}");
}

#[test]
fn a_next_hop_known_only_after_apply_makes_the_flows_on_that_route_unknown() {
    // Without the name Azure requires of a firewall's subnet, the
    // allocation rule does not fix the firewall's address, so the spokes'
    // `next_hop_in_ip_address` (the firewall's address, through module
    // outputs) stays unknown. The plan loads (exit 0, a warning naming the
    // route), and a flow the route carries is unknown with that reason,
    // never computed without the route.
    let text = std::fs::read_to_string(path("terraform/greenfield/plan.json")).unwrap();
    let dir = std::env::temp_dir().join(format!("tusk-tf-hop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plan = dir.join("plan.json");
    std::fs::write(&plan, text.replace("\"AzureFirewallSubnet\"", "\"FirewallSubnet\"")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tusk"))
        .args(["trace", plan.to_str().unwrap(), "--from", "spoke1-node", "--to", "spoke2-node", "--port", "443"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("plan.json:")
            && err.contains("route `default-via-fw`")
            && err.contains("route[0].next_hop_in_ip_address")
            && err.contains("known only after apply"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "unknown", "{v}");
    let steps = v["forward"]["steps"].as_array().unwrap();
    let last = steps.last().unwrap();
    assert_eq!(last["verdict"], "unknown", "{last}");
    assert!(last["reason"].as_str().unwrap().contains("next hop address is not known offline"), "{last}");
    // The route step before it cites the route with its plan address.
    let route = &steps[steps.len() - 2];
    assert_eq!(route["control"], "route", "{route}");
    let loc = route["rule"]["location"].as_str().unwrap();
    assert!(loc.ends_with(" (module.spoke[\"spoke1\"].azurerm_route_table.this)"), "{loc}");
    std::fs::remove_dir_all(&dir).unwrap();
}
