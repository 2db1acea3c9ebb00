//! Every Azure REST example in `shared/fixtures/azure-rest-api-specs` loads
//! on its own (each is one resource, so its references point outside the
//! inputs and become warnings, never errors), and the loaded model holds
//! what the file says.

use std::path::Path;
use tusk_load::load_paths;
use tusk_testkit::require_shared;

/// Where the fixtures are, below `../shared` (see `tusk_testkit`).
const FIXTURES: &str = "fixtures/azure-rest-api-specs";

fn load(fixtures: &Path, name: &str) -> tusk_load::Loaded {
    load_paths(&[fixtures.join(name)]).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_fixture_loads_alone() {
    let fixtures = require_shared!(FIXTURES);
    let mut n = 0;
    for e in std::fs::read_dir(&fixtures).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            load_paths(std::slice::from_ref(&p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            n += 1;
        }
    }
    assert!(n >= 29, "only {n} fixtures found");
}

#[test]
fn nsg_fixture_has_its_rule_and_six_defaults_with_lines() {
    let fixtures = require_shared!(FIXTURES);
    let l = load(&fixtures, "NetworkSecurityGroupGet.json");
    let nsg = &l.estate.azure.nsgs[0];
    assert_eq!(nsg.id.name(), "testnsg");
    assert_eq!(nsg.rules.len(), 7);
    let r = nsg.rules.iter().find(|r| r.name == "rule1").unwrap();
    assert_eq!(r.priority, 130);
    assert!(r.destination_ports.contains(80) && !r.destination_ports.contains(81));
    assert_eq!(r.loc.pos.line, 9, "{}", r.loc);
    assert_eq!(nsg.rules.iter().filter(|r| r.is_default).count(), 6);
}

#[test]
fn firewall_fixture_keeps_classic_collections() {
    let fixtures = require_shared!(FIXTURES);
    let l = load(&fixtures, "AzureFirewallGet.json");
    let fw = &l.estate.azure.firewalls[0];
    assert_eq!(fw.private_ips, vec!["10.0.0.0".parse::<std::net::IpAddr>().unwrap()]);
    assert_eq!(fw.classic.len(), 3);
    let nat = fw.classic.iter().find(|c| c.name == "natrulecoll").unwrap();
    assert_eq!(nat.rules[0].translated_port, Some(8443));
    assert_eq!(nat.rules[1].translated_fqdn.as_deref(), Some("internalhttpserver"));
    // The subnet (vnet2/AzureFirewallSubnet) is not in the inputs: a warning.
    assert!(l.warnings.iter().any(|w| w.message.contains("outside the inputs")));
}

#[test]
fn route_table_and_vnet_and_peering_fixtures() {
    let fixtures = require_shared!(FIXTURES);
    let l = load(&fixtures, "RouteTableCreateWithRoute.json");
    assert!(l.estate.azure.route_tables[0].disable_bgp_route_propagation);
    let l = load(&fixtures, "VirtualNetworkGet.json");
    assert_eq!(l.estate.azure.subnets.len(), 1);
    assert_eq!(l.estate.azure.subnet_path(tusk_model::azure::Idx::new(0)), "test-vnet/subnet1");
    // A standalone peering without its VNet is skipped with a warning.
    let l = load(&fixtures, "VirtualNetworkPeeringGet.json");
    assert!(l.estate.azure.vnets.is_empty());
    assert!(l.warnings.iter().any(|w| w.message.contains("peering")));
}

#[test]
fn policy_groups_and_admin_rules() {
    let fixtures = require_shared!(FIXTURES);
    let l = load_paths(&[
        fixtures.join("FirewallPolicyGet.json"),
        fixtures.join("FirewallPolicyRuleCollectionGroupGet.json"),
    ])
    .unwrap();
    let p = &l.estate.azure.firewall_policies[0];
    assert_eq!(p.groups.len(), 1);
    assert!(p.missing_groups.is_empty());
    assert_eq!(p.groups[0].collections[0].rules[0].name, "network-rule1");
    let l = load(&fixtures, "NetworkManagerAdminRuleGet.json");
    let r = &l.estate.azure.admin_rules[0];
    assert_eq!(r.priority, 1);
    assert!(r.destination_ports.contains(22));
}

#[test]
fn aks_agent_pool_without_its_cluster_is_skipped_with_a_warning() {
    // AKS resources go to the AKS loader (tests/aks_loader.rs); a pool alone
    // cannot be analysed without its cluster's network profile.
    let fixtures = require_shared!(FIXTURES);
    let l = load(&fixtures, "AgentPoolsGet.json");
    assert!(l.estate.clusters.is_empty());
    assert!(l.warnings.iter().any(|w| w.message.contains("which is not in the inputs; skipped")), "{:?}", l.warnings);
}
