//! Terraform for application gateways and Bastion hosts (issue 10): the
//! plans of tests/terraform/appgw/ and tests/terraform/bastion/ (written
//! by tests/terraform/appgw_bastion.py to the documented `terraform show
//! -json` format from the ARM cases) give the same traces as the ARM
//! inputs tests/azure/appgw-listeners and tests/azure/bastion-sessions:
//! verdict, reason and every step. Only where objects were read from
//! differs, so locations are left out.

mod same_as_arm;

use same_as_arm::{path, trace, without_locations};

fn same(arm: &str, tf: &str, flows: &[(&str, &str, u16)]) -> Vec<String> {
    let (arm, tf) = (path(arm), path(tf));
    let mut verdicts = Vec::new();
    for &(from, to, port) in flows {
        let want = without_locations(trace(&arm, from, to, port));
        let got = without_locations(trace(&tf, from, to, port));
        assert_eq!(got, want, "{from} → {to} port {port}");
        verdicts.push(want["verdict"].as_str().unwrap().to_string());
    }
    verdicts
}

#[test]
fn an_application_gateway_plan_traces_like_the_arm_export() {
    let flows = [
        ("vm-client-nic", "10.3.1.10", 443),
        ("vm-client-nic", "10.3.1.10", 80),
        ("vm-client-nic", "10.3.1.10", 8080),
        ("vm-client-nic", "10.3.1.10", 8443),
        ("vm-client-nic", "10.3.1.10", 22),
        ("internet:198.51.100.7", "20.50.60.70", 443),
    ];
    let v = same("azure/appgw-listeners/input", "terraform/appgw/plan.json", &flows);
    // Listener and pool (443), the backend NSG (80), the URL path map
    // (8080), the gateway subnet's NSG (8443), no listener (22), the WAF
    // policy in Prevention mode on the public listener.
    assert_eq!(v, ["allowed", "denied", "unknown", "denied", "denied", "unknown"]);
}

#[test]
fn pool_members_given_by_nic_associations_trace_like_the_arm_template() {
    // tests/azure/appgw-nic-pool: the pools' members are NICs, named from
    // the NIC side (`applicationGatewayBackendAddressPools`), and the plan
    // gives them by `azurerm_network_interface_application_gateway_backend_address_pool_association`;
    // web2-nic's second ip configuration is in no pool.
    let flows = [
        ("vm-client-nic", "10.3.1.10", 443),
        ("vm-client-nic", "10.3.1.10", 80),
        ("vm-client-nic", "10.3.1.10", 8080),
        ("internet:198.51.100.7", "20.50.60.70", 443),
    ];
    let v = same("azure/appgw-nic-pool/input", "terraform/appgw-nic-pool/plan.json", &flows);
    assert_eq!(v, ["allowed", "denied", "unknown", "unknown"]);
    // The members are those of the pools that list addresses instead, and
    // 10.3.2.9 is not one of them.
    // (Locations kept: the reason names the pool's location before its members.)
    let nics = trace(&path("azure/appgw-nic-pool/input"), "vm-client-nic", "10.3.1.10", 443);
    let listed = trace(&path("azure/appgw-listeners/input"), "vm-client-nic", "10.3.1.10", 443);
    let backends = |t: &serde_json::Value| -> Vec<String> {
        let text = t.to_string();
        ["10.3.2.4", "10.3.2.5", "10.3.2.6", "10.3.2.9"]
            .iter()
            .filter(|a| text.contains(*a))
            .map(|a| a.to_string())
            .collect()
    };
    assert_eq!(backends(&nics), ["10.3.2.4", "10.3.2.5"]);
    assert_eq!(backends(&nics), backends(&listed));
    assert_eq!(nics["verdict"], listed["verdict"]);
}

#[test]
fn a_bastion_plan_traces_like_the_arm_export() {
    let flows = [
        ("bas-basic", "vm-hub-nic", 22),
        ("bas-basic", "vm-hub-nic", 8022),
        ("bas-basic", "vm-spoke-nic", 3389),
        ("bas-basic", "vm-island-nic", 22),
        ("bas-std", "vm-spoke-nic", 8022),
        ("bas-std", "vm-hub-nic", 22),
        // The Internet leg: the Bastion's public IP (Terraform's
        // `ip_configuration[].public_ip_address_id`) on 443.
        ("internet:198.51.100.7", "20.60.0.10", 443),
        ("internet:198.51.100.7", "20.60.0.11", 8443),
    ];
    let v = same("azure/bastion-sessions/input", "terraform/bastion/plan.json", &flows);
    assert_eq!(v, ["allowed", "denied", "allowed", "denied", "allowed", "denied", "allowed", "unknown"]);
}
