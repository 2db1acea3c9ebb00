//! The same resources in the shapes Azure material comes in load to the
//! same model: ARM/REST bodies (the shared fixtures) against their
//! flattened `az ... -o json` twins (tests/azure/az-shape, made from the
//! fixtures by merging every `properties` object into its parent, with
//! `resourceGroup` added and the older CLI's `enableIpForwarding` casing),
//! a REST list, a JSON array, and an ARM template.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tusk_load::{load_paths, load_sources};
use tusk_model::azure::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/azure-rest-api-specs").join(name)
}

fn twin(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/azure/az-shape").join(name)
}

fn both(rest: &str, az: &str) -> (AzureNetwork, AzureNetwork) {
    let a = load_paths(&[fixture(rest)]).unwrap_or_else(|e| panic!("{e}")).estate.azure;
    let b = load_paths(&[twin(az)]).unwrap_or_else(|e| panic!("{e}")).estate.azure;
    (a, b)
}

#[test]
fn nsg_in_both_shapes() {
    let (a, b) = both("NetworkSecurityGroupGet.json", "nsg-show.json");
    let rules = |n: &AzureNetwork| -> Vec<(String, u32, Direction, Access)> {
        n.nsgs[0].rules.iter().map(|r| (r.name.clone(), r.priority, r.direction, r.access)).collect()
    };
    assert_eq!(rules(&a), rules(&b));
    assert_eq!(a.nsgs[0].rules[0].destination_ports, b.nsgs[0].rules[0].destination_ports);
    assert_eq!(a.nsgs[0].rules.len(), 7);
}

#[test]
fn vnet_route_table_nic_and_firewall_in_both_shapes() {
    let (a, b) = both("VirtualNetworkGet.json", "vnet-show.json");
    assert_eq!(a.vnets[0].address_space, b.vnets[0].address_space);
    assert_eq!(a.subnets[0].prefixes, b.subnets[0].prefixes);

    let (a, b) = both("RouteTableGet.json", "route-table-show.json");
    let routes = |n: &AzureNetwork| -> Vec<(String, RouteDestination, NextHopType)> {
        n.route_tables[0].routes.iter().map(|r| (r.name.clone(), r.destination.clone(), r.next_hop)).collect()
    };
    assert_eq!(routes(&a), routes(&b));
    assert_eq!(a.route_tables[0].disable_bgp_route_propagation, b.route_tables[0].disable_bgp_route_propagation);

    let (a, b) = both("NetworkInterfaceGet.json", "nic-show.json");
    let ips =
        |n: &AzureNetwork| n.nics[0].ip_configs.iter().map(|c| (c.private_ip, c.private_prefix)).collect::<Vec<_>>();
    assert_eq!(ips(&a), ips(&b));
    assert_eq!(a.nics[0].ip_forwarding, b.nics[0].ip_forwarding);
    assert!(a.nics[0].nsg.is_some() && b.nics[0].nsg.is_some());

    let (a, b) = both("AzureFirewallGet.json", "firewall-show.json");
    let colls = |n: &AzureNetwork| {
        n.firewalls[0].classic.iter().map(|c| (c.name.clone(), c.priority, c.kind, c.rules.len())).collect::<Vec<_>>()
    };
    assert_eq!(colls(&a), colls(&b));
}

fn load(text: &str) -> tusk_load::Loaded {
    load_sources(&[(Arc::from("t.json"), text.to_string())]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn rest_lists_and_arrays_hold_several_resources() {
    let asg = |n: &str| {
        format!(
            r#"{{"name": "{n}", "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/{n}", "type": "Microsoft.Network/applicationSecurityGroups"}}"#
        )
    };
    let l = load(&format!(r#"{{"value": [{}, {}], "nextLink": null}}"#, asg("a"), asg("b")));
    assert_eq!(l.estate.azure.asgs.len(), 2);
    let l = load(&format!("[{}, {}]", asg("a"), asg("b")));
    assert_eq!(l.estate.azure.asgs.len(), 2);
    // `az ... list` with nothing to list.
    assert!(load("[]").estate.azure.is_empty());
    // The same id twice: the first definition is kept, with a warning.
    let l = load(&format!("[{}, {}]", asg("a"), asg("A")));
    assert_eq!(l.estate.azure.asgs.len(), 1);
    assert!(l.warnings.iter().any(|w| w.message.contains("defined again")));
}

#[test]
fn arm_templates_take_literals_and_resource_ids_and_warn_on_expressions() {
    let l = load(
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"prefix": {"type": "string"}},
  "resources": [
    {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "nsg-app",
     "properties": {"securityRules": [
       {"name": "allow-https", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "sourceAddressPrefix": "[parameters('prefix')]", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "443"}}]}},
    {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "vnet-app",
     "properties": {"addressSpace": {"addressPrefixes": ["10.5.0.0/16"]},
       "subnets": [{"name": "app", "properties": {"addressPrefix": "10.5.1.0/24",
         "networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-app')]"}}}]}},
    {"type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01", "name": "[concat('rt-', parameters('prefix'))]",
     "properties": {"routes": []}}
  ]
}"#,
    );
    let net = &l.estate.azure;
    assert_eq!(net.nsgs.len(), 1);
    assert_eq!(net.vnets[0].address_space[0].to_string(), "10.5.0.0/16");
    // resourceId() with literal arguments resolves like an id.
    assert_eq!(net.subnets[0].nsg, Some(Link::Found(Idx::new(0))));
    // An expression is a warning and the value is unknown.
    assert!(matches!(net.nsgs[0].rules[0].sources[0], AddressMatch::Unknown(_)));
    assert!(
        l.warnings.iter().any(|w| w.message.contains("parameters('prefix')") && w.loc.pos.line == 9),
        "{:?}",
        l.warnings
    );
    // A resource whose name is an expression cannot be identified: skipped.
    assert!(net.route_tables.is_empty());
    assert!(l.warnings.iter().any(|w| w.message.contains("skipped")));
}

#[test]
fn unknown_resource_types_are_skipped_with_a_warning() {
    let l = load(
        r#"{"name": "kv", "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv", "type": "Microsoft.KeyVault/vaults"}"#,
    );
    assert!(l.warnings.iter().any(|w| w.message.contains("microsoft.keyvault/vaults") && w.loc.pos.line == 1));
}
