//! Terraform for the load balancer's rules and pools and for private DNS
//! (issue 10): the state of tests/terraform/lb-dns/state.json (written by
//! tests/terraform/lb_dns.py to the documented `terraform show -json`
//! format) gives the same traces as the ARM export of the same estate,
//! tests/azure/lb-outbound/input: verdict, reason and every step, the
//! SNAT address the Internet sees included. Only where objects were read
//! from differs, so locations are left out.

mod same_as_arm;

use same_as_arm::{path, trace, without_locations};

const FLOWS: &[(&str, &str, u16)] = &[
    ("vm1-nic", "internet:203.0.113.10", 443),
    ("vm2-nic", "internet:203.0.113.10", 443),
    ("vm3-nic", "internet:203.0.113.10", 443),
    ("vm4-nic", "internet:203.0.113.10", 443),
    ("vm5-nic", "internet:203.0.113.10", 443),
    ("vm6-nic", "internet:203.0.113.10", 443),
    ("vm6-nic", "vm2.privatelink.example.internal", 80),
];

#[test]
fn terraform_state_traces_like_the_arm_export() {
    let arm = path("azure/lb-outbound/input");
    let tf = path("terraform/lb-dns/state.json");
    let mut verdicts = Vec::new();
    for &(from, to, port) in FLOWS {
        let want = without_locations(trace(&arm, from, to, port));
        let got = without_locations(trace(&tf, from, to, port));
        assert_eq!(got, want, "{from} → {to} port {port}");
        verdicts.push(want["verdict"].as_str().unwrap().to_string());
    }
    // vm3 sits only in a pool whose rule disables outbound SNAT, with no
    // outbound rule: no default outbound access, so unknown.
    assert_eq!(verdicts, ["allowed", "allowed", "unknown", "allowed", "allowed", "allowed", "allowed"]);
}
