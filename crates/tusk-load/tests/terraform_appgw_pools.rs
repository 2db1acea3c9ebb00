//! `azurerm_network_interface_application_gateway_backend_address_pool_association`
//! (issue 10): the association puts the pool on the NIC's ip configuration
//! it names, as ARM keeps it (`applicationGatewayBackendAddressPools`,
//! networkInterface.json); a name or pool known only after apply leaves
//! the membership unknown, never dropped and never guessed.

use std::sync::Arc;
use tusk_model::azure::AzureNetwork;

const P: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";

fn res(t: &str, name: &str, values: String) -> String {
    format!(
        r#"{{"address": "{t}.{name}", "mode": "managed", "type": "{t}", "name": "{name}",
            "provider_name": "registry.terraform.io/hashicorp/azurerm", "values": {values}}}"#
    )
}

/// A plan with a NIC of two ip configurations (`a` 10.1.1.4, `b`
/// 10.1.1.5) and one association, whose values are `assoc` and whose
/// `after_unknown` is `unknown`.
fn load(assoc: &str, unknown: &str) -> (AzureNetwork, Vec<String>) {
    load_typed("azurerm_network_interface_application_gateway_backend_address_pool_association", assoc, unknown)
}

/// As [`load`], with an association of type `t`.
fn load_typed(t: &str, assoc: &str, unknown: &str) -> (AzureNetwork, Vec<String>) {
    let nic = format!("{P}/networkInterfaces/vm");
    let cfg = |n: &str, ip: &str| {
        format!(r#"{{"name": "{n}", "subnet_id": "{P}/virtualNetworks/v/subnets/s", "private_ip_address": "{ip}"}}"#)
    };
    let resources = [
        res(
            "azurerm_network_interface",
            "vm",
            format!(
                r#"{{"id": "{nic}", "name": "vm", "resource_group_name": "rg", "ip_configuration": [{}, {}]}}"#,
                cfg("a", "10.1.1.4"),
                cfg("b", "10.1.1.5")
            ),
        ),
        res(t, "vm", format!(r#"{{"network_interface_id": "{nic}", {assoc}}}"#)),
    ];
    let change = format!(
        r#"{{"address": "{t}.vm",
            "change": {{"actions": ["create"], "after_unknown": {unknown}}}}}"#
    );
    let plan = format!(
        r#"{{"format_version": "1.2", "terraform_version": "1.9.8", "planned_values": {{"root_module": {{"resources": [{}]}}}}, "resource_changes": [{change}]}}"#,
        resources.join(",")
    );
    let l = tusk_load::load_sources(&[(Arc::from("plan.json"), plan)]).unwrap_or_else(|e| panic!("{e}"));
    (l.estate.azure, l.warnings.iter().map(|w| w.message.clone()).collect())
}

/// Each ip configuration's pools: the id's last segment, `?` when unknown.
fn pools(n: &AzureNetwork) -> Vec<(String, Vec<String>)> {
    n.nics[0]
        .ip_configs
        .iter()
        .map(|c| {
            let names = c.appgw_pools.iter().map(|p| p.as_ref().map_or("?".into(), |id| id.name().to_string()));
            (c.name.clone(), names.collect())
        })
        .collect()
}

#[test]
fn the_association_joins_the_named_ip_configuration_only() {
    let pool = format!("{P}/applicationGateways/agw/backendAddressPools/web");
    let (n, _) = load(&format!(r#""ip_configuration_name": "b", "backend_address_pool_id": "{pool}""#), "{}");
    assert_eq!(pools(&n), [("a".to_string(), vec![]), ("b".to_string(), vec!["web".to_string()])]);
    let id = n.nics[0].ip_configs[1].appgw_pools[0].as_ref().unwrap();
    assert_eq!(id.key(), pool.to_ascii_lowercase());
}

#[test]
fn a_configuration_name_known_after_apply_makes_every_configuration_a_possible_member() {
    let pool = format!("{P}/applicationGateways/agw/backendAddressPools/web");
    let (n, w) = load(&format!(r#""backend_address_pool_id": "{pool}""#), r#"{"ip_configuration_name": true}"#);
    assert_eq!(pools(&n), [("a".to_string(), vec!["?".to_string()]), ("b".to_string(), vec!["?".to_string()])]);
    assert!(w.iter().any(|m| m.contains("ip_configuration_name")), "{w:?}");
}

#[test]
fn an_ip_configuration_the_nic_lacks_is_a_warning() {
    let pool = format!("{P}/applicationGateways/agw/backendAddressPools/web");
    let (n, w) = load(&format!(r#""ip_configuration_name": "zz", "backend_address_pool_id": "{pool}""#), "{}");
    assert_eq!(pools(&n), [("a".to_string(), vec![]), ("b".to_string(), vec![])]);
    assert!(w.iter().any(|m| m.contains("has no ip configuration `zz`")), "{w:?}");
}

/// `azurerm_network_interface_backend_address_pool_association` names its
/// ip configuration too (`ip_configuration_name`, required by the provider);
/// a load balancer's pool goes on that configuration only, so the NIC's
/// other address is not taken for a backend.
#[test]
fn a_load_balancer_association_joins_the_named_ip_configuration_only() {
    let pool = format!("{P}/loadBalancers/lb/backendAddressPools/web");
    let (n, _) = load_typed(
        "azurerm_network_interface_backend_address_pool_association",
        &format!(r#""ip_configuration_name": "b", "backend_address_pool_id": "{pool}""#),
        "{}",
    );
    let lb: Vec<(String, Vec<String>)> = n.nics[0]
        .ip_configs
        .iter()
        .map(|c| (c.name.clone(), c.lb_pools.iter().map(|id| id.name().to_string()).collect()))
        .collect();
    assert_eq!(lb, [("a".to_string(), vec![]), ("b".to_string(), vec!["web".to_string()])]);
}
