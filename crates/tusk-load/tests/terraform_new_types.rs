//! The azurerm types mapped to the model this session, from a state in
//! the documented `terraform show -json` format ("JSON Output Format",
//! developer.hashicorp.com/terraform/internals/json-format): application
//! gateways and Bastion hosts (devices read, not modelled), virtual hubs
//! and their VNet connections. The load-balancer and private DNS types
//! are checked trace for trace against ARM in tusk-cli's lb_dns_terraform.

use std::sync::Arc;

const P: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";

fn res(t: &str, name: &str, values: String) -> String {
    format!(
        r#"{{"address": "{t}.{name}", "mode": "managed", "type": "{t}", "name": "{name}",
            "provider_name": "registry.terraform.io/hashicorp/azurerm", "values": {values}}}"#
    )
}

#[test]
fn app_gateways_bastions_and_hubs_load_from_a_state() {
    let resources = [
        res(
            "azurerm_virtual_network",
            "spoke",
            format!(
                r#"{{"id": "{P}/virtualNetworks/spoke", "name": "spoke", "resource_group_name": "rg", "address_space": ["10.5.0.0/16"], "subnet": []}}"#
            ),
        ),
        res(
            "azurerm_subnet",
            "agw",
            format!(
                r#"{{"id": "{P}/virtualNetworks/spoke/subnets/agw", "name": "agw", "resource_group_name": "rg", "virtual_network_name": "spoke", "address_prefixes": ["10.5.1.0/24"]}}"#
            ),
        ),
        res(
            "azurerm_subnet",
            "bastion",
            format!(
                r#"{{"id": "{P}/virtualNetworks/spoke/subnets/AzureBastionSubnet", "name": "AzureBastionSubnet", "resource_group_name": "rg", "virtual_network_name": "spoke", "address_prefixes": ["10.5.2.0/26"]}}"#
            ),
        ),
        res(
            "azurerm_application_gateway",
            "agw",
            format!(
                r#"{{"id": "{P}/applicationGateways/agw", "name": "agw", "resource_group_name": "rg",
            "gateway_ip_configuration": [{{"name": "gw", "subnet_id": "{P}/virtualNetworks/spoke/subnets/agw"}}],
            "frontend_ip_configuration": [{{"name": "priv", "private_ip_address": "10.5.1.10", "subnet_id": "{P}/virtualNetworks/spoke/subnets/agw"}}]}}"#
            ),
        ),
        res(
            "azurerm_bastion_host",
            "bastion",
            format!(
                r#"{{"id": "{P}/bastionHosts/bastion", "name": "bastion", "resource_group_name": "rg",
            "ip_configuration": [{{"name": "c", "subnet_id": "{P}/virtualNetworks/spoke/subnets/AzureBastionSubnet", "public_ip_address_id": "{P}/publicIPAddresses/pip"}}]}}"#
            ),
        ),
        res(
            "azurerm_virtual_hub",
            "hub",
            format!(
                r#"{{"id": "{P}/virtualHubs/hub", "name": "hub", "resource_group_name": "rg", "address_prefix": "10.100.0.0/23"}}"#
            ),
        ),
        res(
            "azurerm_virtual_hub_connection",
            "spoke",
            format!(
                r#"{{"id": "{P}/virtualHubs/hub/hubVirtualNetworkConnections/spoke", "name": "spoke",
            "virtual_hub_id": "{P}/virtualHubs/hub", "remote_virtual_network_id": "{P}/virtualNetworks/spoke"}}"#
            ),
        ),
    ];
    let state = format!(
        r#"{{"format_version": "1.0", "terraform_version": "1.9.8", "values": {{"root_module": {{"resources": [{}]}}}}}}"#,
        resources.join(",")
    );
    let l = tusk_load::load_sources(&[(Arc::from("state.json"), state)]).unwrap_or_else(|e| panic!("{e}"));
    let n = &l.estate.azure;
    let kinds: Vec<tusk_model::azure::OpaqueKind> = n.opaque_devices.iter().map(|d| d.kind).collect();
    use tusk_model::azure::OpaqueKind::{ApplicationGateway, Bastion};
    assert_eq!(kinds, [ApplicationGateway, Bastion], "{:?}", l.warnings);
    assert_eq!(n.opaque_devices[0].private_ips, ["10.5.1.10".parse::<std::net::IpAddr>().unwrap()]);
    assert_eq!(n.opaque_devices[1].subnets[0].name(), "AzureBastionSubnet");
    assert_eq!(n.virtual_hubs.len(), 1);
    assert_eq!(n.virtual_hubs[0].address_prefix.as_deref(), Some("10.100.0.0/23"));
    let c = &n.virtual_hubs[0].connections;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].vnet.map(|v| n.vnets[v].id.name()), Some("spoke"));
}
