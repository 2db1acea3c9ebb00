//! Terraform for Virtual WAN (issue 10): the states of tests/terraform/vwan/
//! (written by tests/terraform/vwan.py to the documented `terraform show
//! -json` format, with azurerm_virtual_hub_routing_intent,
//! azurerm_virtual_hub_route_table, azurerm_virtual_hub_route_table_route,
//! azurerm_virtual_hub_connection's routing block and a secured-hub
//! azurerm_firewall) give the same traces as the ARM estates
//! tests/azure/vwan-secured-hub and tests/azure/vwan-static-firewall:
//! verdict, reason and every step. Only where objects were read from
//! differs, so locations are left out.

mod same_as_arm;

use same_as_arm::{path, trace, without_locations};

const FLOWS: &[(&str, &str, u16)] = &[
    ("spoke1-vm", "spoke2-vm", 443),
    ("spoke1-vm", "spoke2-vm", 22),
    ("spoke2-vm", "spoke1-vm", 443),
    ("spoke1-vm", "internet:93.184.216.34", 443),
    ("spoke1-vm", "internet:93.184.216.34", 80),
];

fn same_traces(arm: &str, tf: &str) -> Vec<String> {
    let (arm, tf) = (path(arm), path(tf));
    let mut verdicts = Vec::new();
    for &(from, to, port) in FLOWS {
        let want = without_locations(trace(&arm, from, to, port));
        let got = without_locations(trace(&tf, from, to, port));
        assert_eq!(got, want, "{from} → {to} port {port}");
        verdicts.push(want["verdict"].as_str().unwrap().to_string());
    }
    verdicts
}

#[test]
fn routing_intent_in_terraform_traces_like_arm() {
    let v = same_traces("azure/vwan-secured-hub/input", "terraform/vwan/intent.json");
    assert_eq!(v, ["allowed", "denied", "allowed", "allowed", "denied"]);
}

#[test]
fn hub_route_tables_in_terraform_trace_like_arm() {
    let v = same_traces("azure/vwan-static-firewall/input", "terraform/vwan/tables.json");
    assert_eq!(v, ["allowed", "denied", "allowed", "allowed", "denied"]);
}
