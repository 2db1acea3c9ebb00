//! What the loader makes of resource types it does not model (docs/azure.md,
//! "Resource types tusk skips"): a harmless one is only a warning; one that
//! may hold addresses becomes an opaque device of its subnets; one that may
//! put routes into a VNet, or change how names resolve, is kept as an
//! unmodelled resource the engine turns into unknowns.

use std::sync::Arc;
use tusk_load::arm::ArmParams;
use tusk_load::{load_sources, load_sources_with};
use tusk_model::azure::{AzureNetwork, UnmodelledEffect};

const SUB: &str = "/subscriptions/s/resourceGroups/rg/providers";

fn net(doc: &str) -> (AzureNetwork, Vec<String>) {
    let l = load_sources(&[(Arc::from("t.json"), doc.to_string())]).unwrap_or_else(|e| panic!("{e}"));
    (l.estate.azure, l.warnings.iter().map(|w| w.message.clone()).collect())
}

#[test]
fn a_private_link_service_holds_addresses_in_its_subnet() {
    let doc = format!(
        r#"{{"id": "{SUB}/Microsoft.Network/privateLinkServices/pls", "type": "Microsoft.Network/privateLinkServices",
            "properties": {{"ipConfigurations": [{{"name": "c", "properties": {{"privateIPAddress": "10.0.1.9",
            "subnet": {{"id": "{SUB}/Microsoft.Network/virtualNetworks/v/subnets/s"}}}}}}]}}}}"#
    );
    let (n, w) = net(&doc);
    assert_eq!(n.opaque_devices.len(), 1, "{w:?}");
    assert_eq!(n.opaque_devices[0].kind, tusk_model::azure::OpaqueKind::PrivateLinkService);
    assert_eq!(n.opaque_devices[0].subnets[0].name(), "s");
    assert_eq!(n.opaque_devices[0].private_ips, ["10.0.1.9".parse::<std::net::IpAddr>().unwrap()]);
    assert!(w.iter().any(|m| m.contains("flows to addresses it may hold")), "{w:?}");
}

#[test]
fn a_route_server_peer_and_a_dns_resolver_are_kept_as_unmodelled() {
    let bgp = format!(
        r#"{{"id": "{SUB}/Microsoft.Network/virtualHubs/rs/bgpConnections/nva", "type": "Microsoft.Network/virtualHubs/bgpConnections",
            "properties": {{"peerIp": "10.0.2.4", "peerAsn": 65001}}}}"#
    );
    let (n, _) = net(&bgp);
    assert_eq!(n.unmodelled.len(), 1);
    // No VNet named: every VNet's outside traffic is unknown.
    assert_eq!(n.unmodelled[0].effect, UnmodelledEffect::Routes(Vec::new()));
    let ipc = format!(
        r#"{{"id": "{SUB}/Microsoft.Network/virtualHubs/rs/ipConfigurations/c", "type": "Microsoft.Network/virtualHubs/ipConfigurations",
            "properties": {{"subnet": {{"id": "{SUB}/Microsoft.Network/virtualNetworks/hub/subnets/RouteServerSubnet"}}}}}}"#
    );
    let (n, _) = net(&ipc);
    match &n.unmodelled[0].effect {
        UnmodelledEffect::Routes(v) => assert_eq!(v[0].name(), "hub"),
        other => panic!("{other:?}"),
    }
    let resolver = format!(
        r#"{{"id": "{SUB}/Microsoft.Network/dnsForwardingRulesets/rs", "type": "Microsoft.Network/dnsForwardingRulesets", "properties": {{}}}}"#
    );
    let (n, _) = net(&resolver);
    assert_eq!(n.unmodelled[0].effect, UnmodelledEffect::Names);
}

#[test]
fn a_storage_account_allowing_a_subnet_is_harmless() {
    let doc = format!(
        r#"{{"id": "{SUB}/Microsoft.Storage/storageAccounts/st", "type": "Microsoft.Storage/storageAccounts",
            "properties": {{"networkAcls": {{"virtualNetworkRules": [{{"id": "{SUB}/Microsoft.Network/virtualNetworks/v/subnets/s"}}]}}}}}}"#
    );
    let (n, w) = net(&doc);
    assert!(n.opaque_devices.is_empty() && n.unmodelled.is_empty());
    assert!(w.iter().any(|m| m.contains("not part of the network model; skipped (names no subnet")), "{w:?}");
}

#[test]
fn a_legacy_firewall_rule_group_makes_its_policy_incomplete() {
    let doc = format!(
        r#"[{{"id": "{SUB}/Microsoft.Network/firewallPolicies/p", "type": "Microsoft.Network/firewallPolicies", "properties": {{}}}},
            {{"id": "{SUB}/Microsoft.Network/firewallPolicies/p/ruleGroups/g", "type": "Microsoft.Network/firewallPolicies/ruleGroups",
              "properties": {{"priority": 100, "rules": []}}}}]"#
    );
    let (n, _) = net(&doc);
    assert_eq!(n.firewall_policies[0].missing_groups.len(), 1);
}

#[test]
fn a_template_service_injected_into_a_subnet_reaches_the_loader() {
    // An ARM template's App Service with VNet integration: outside
    // Microsoft.Network, but naming a subnet, so it is evaluated and kept.
    let t = r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0",
      "resources": [
        {"type": "Microsoft.Web/sites", "apiVersion": "2022-09-01", "name": "app", "location": "westeurope",
         "properties": {"virtualNetworkSubnetId": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]"}},
        {"type": "Microsoft.KeyVault/vaults", "apiVersion": "2022-07-01", "name": "kv", "location": "westeurope",
         "properties": {"tenantId": "t", "sku": {"family": "A", "name": "standard"}}}
      ]
    }"#;
    let l = load_sources_with(&[(Arc::from("t.json"), t.to_string())], &ArmParams::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let n = &l.estate.azure;
    assert_eq!(n.opaque_devices.len(), 1, "{:?}", l.warnings);
    assert_eq!(n.opaque_devices[0].subnets[0].name(), "s");
}
