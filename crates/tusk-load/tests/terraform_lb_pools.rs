//! Terraform types that join an ARM equivalent tusk already reads (issue 10,
//! item 3's Terraform gaps), each checked against the ARM body of the same
//! thing: a subnet's `service_endpoint_policy_ids` (ARM
//! `serviceEndpointPolicies`) with `azurerm_subnet_service_endpoint_storage_policy`,
//! `azurerm_lb_backend_address_pool_address` (ARM
//! `backendAddressPools[].loadBalancerBackendAddresses[].ipAddress`) and
//! `azurerm_lb_nat_pool` (ARM `inboundNatPools`, whose members are scale set
//! instances tusk does not read, so the load balancer's flows are unknown).

use std::sync::Arc;
use tusk_model::azure::AzureNetwork;

const P: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";

fn res(t: &str, name: &str, values: String) -> String {
    format!(
        r#"{{"address": "{t}.{name}", "mode": "managed", "type": "{t}", "name": "{name}",
            "provider_name": "registry.terraform.io/hashicorp/azurerm", "values": {values}}}"#
    )
}

fn load(name: &str, text: String) -> AzureNetwork {
    let l = tusk_load::load_sources(&[(Arc::from(name), text)]).unwrap_or_else(|e| panic!("{e}"));
    l.estate.azure
}

fn terraform() -> AzureNetwork {
    let lb = format!("{P}/loadBalancers/lb");
    let resources = [
        res(
            "azurerm_virtual_network",
            "app",
            format!(
                r#"{{"id": "{P}/virtualNetworks/app", "name": "app", "resource_group_name": "rg", "address_space": ["10.1.0.0/16"], "subnet": []}}"#
            ),
        ),
        res(
            "azurerm_subnet",
            "web",
            format!(
                r#"{{"id": "{P}/virtualNetworks/app/subnets/web", "name": "web", "resource_group_name": "rg", "virtual_network_name": "app",
                "address_prefixes": ["10.1.1.0/24"], "service_endpoints": ["Microsoft.Storage"],
                "service_endpoint_policy_ids": ["{P}/serviceEndpointPolicies/sep"]}}"#
            ),
        ),
        res(
            "azurerm_subnet_service_endpoint_storage_policy",
            "sep",
            format!(r#"{{"id": "{P}/serviceEndpointPolicies/sep", "name": "sep", "resource_group_name": "rg"}}"#),
        ),
        res(
            "azurerm_lb",
            "lb",
            format!(
                r#"{{"id": "{lb}", "name": "lb", "resource_group_name": "rg", "sku": "Standard",
                "frontend_ip_configuration": [{{"name": "fe", "private_ip_address": "10.1.1.100", "subnet_id": "{P}/virtualNetworks/app/subnets/web", "public_ip_address_id": ""}}]}}"#
            ),
        ),
        // The address before its pool: the plan's order is not the fold's.
        res(
            "azurerm_lb_backend_address_pool_address",
            "a1",
            format!(
                r#"{{"id": "{lb}/backendAddressPools/be/loadBalancerBackendAddresses/a1", "name": "a1",
                "backend_address_pool_id": "{lb}/backendAddressPools/be", "virtual_network_id": "{P}/virtualNetworks/app", "ip_address": "10.1.1.4"}}"#
            ),
        ),
        res(
            "azurerm_lb_backend_address_pool",
            "be",
            format!(r#"{{"id": "{lb}/backendAddressPools/be", "name": "be", "loadbalancer_id": "{lb}"}}"#),
        ),
        res(
            "azurerm_lb_backend_address_pool_address",
            "a2",
            format!(
                r#"{{"id": "{lb}/backendAddressPools/be/loadBalancerBackendAddresses/a2", "name": "a2",
                "backend_address_pool_id": "{lb}/backendAddressPools/be", "virtual_network_id": "{P}/virtualNetworks/app", "ip_address": "10.1.1.5"}}"#
            ),
        ),
        res(
            "azurerm_lb_nat_pool",
            "ssh",
            format!(
                r#"{{"id": "{lb}/inboundNatPools/ssh", "name": "ssh", "loadbalancer_id": "{lb}", "protocol": "Tcp",
                "frontend_port_start": 50000, "frontend_port_end": 50119, "backend_port": 22, "frontend_ip_configuration_name": "fe"}}"#
            ),
        ),
    ];
    let state = format!(
        r#"{{"format_version": "1.0", "terraform_version": "1.9.8", "values": {{"root_module": {{"resources": [{}]}}}}}}"#,
        resources.join(",")
    );
    load("state.json", state)
}

fn arm() -> AzureNetwork {
    let lb = format!("{P}/loadBalancers/lb");
    load(
        "arm.json",
        format!(
            r#"[
 {{"id": "{P}/virtualNetworks/app", "name": "app", "type": "Microsoft.Network/virtualNetworks",
   "properties": {{"addressSpace": {{"addressPrefixes": ["10.1.0.0/16"]}}, "subnets": [
     {{"id": "{P}/virtualNetworks/app/subnets/web", "name": "web", "properties": {{"addressPrefix": "10.1.1.0/24",
       "serviceEndpoints": [{{"service": "Microsoft.Storage"}}],
       "serviceEndpointPolicies": [{{"id": "{P}/serviceEndpointPolicies/sep"}}]}}}}]}}}},
 {{"id": "{P}/serviceEndpointPolicies/sep", "name": "sep", "type": "Microsoft.Network/serviceEndpointPolicies", "properties": {{}}}},
 {{"id": "{lb}", "name": "lb", "type": "Microsoft.Network/loadBalancers", "sku": {{"name": "Standard"}}, "properties": {{
   "frontendIPConfigurations": [{{"name": "fe", "properties": {{"privateIPAddress": "10.1.1.100", "subnet": {{"id": "{P}/virtualNetworks/app/subnets/web"}}}}}}],
   "backendAddressPools": [{{"name": "be", "properties": {{"loadBalancerBackendAddresses": [
     {{"name": "a1", "properties": {{"ipAddress": "10.1.1.4", "virtualNetwork": {{"id": "{P}/virtualNetworks/app"}}}}}},
     {{"name": "a2", "properties": {{"ipAddress": "10.1.1.5", "virtualNetwork": {{"id": "{P}/virtualNetworks/app"}}}}}}]}}}}],
   "inboundNatPools": [{{"name": "ssh", "properties": {{"protocol": "Tcp", "frontendPortRangeStart": 50000, "frontendPortRangeEnd": 50119, "backendPort": 22}}}}]}}}}
]"#
        ),
    )
}

#[test]
fn terraform_pools_nat_pools_and_endpoint_policies_load_like_arm() {
    for (what, n) in [("terraform", terraform()), ("arm", arm())] {
        let web = n.subnets.iter().find(|s| s.id.name() == "web").unwrap_or_else(|| panic!("{what}: no subnet web"));
        let policies: Vec<&str> = web.service_endpoint_policies.iter().map(|(id, _)| id.name()).collect();
        assert_eq!(policies, ["sep"], "{what}");
        let lb = &n.load_balancers[0];
        let pool: Vec<String> =
            lb.pools.iter().flat_map(|p| p.addresses.iter().map(move |a| format!("{}={a}", p.name))).collect();
        assert_eq!(pool, ["be=10.1.1.4", "be=10.1.1.5"], "{what}");
        assert_eq!(lb.unread_rules, 1, "{what}: the NAT pool leaves the load balancer's flows unknown");
    }
}
