//! The resource types real hub & spoke exports carry (issue 10 item 3):
//! IP groups referenced by firewall rules, rule collection groups whose
//! `type` is the short `Microsoft.Network/RuleCollectionGroups`, the
//! service tags file. Real azure-cli recordings are read in place from
//! `../shared/realworld/` (skipped with a message when absent).

use tusk_load::load_paths;
use tusk_model::azure::{AddressMatch, AzureNetwork, Link};
use tusk_testkit::require_shared;

fn load(p: &std::path::Path) -> AzureNetwork {
    load_paths(&[p.to_path_buf()]).unwrap_or_else(|e| panic!("{}: {e}", p.display())).estate.azure
}

/// Every IP group reference of every firewall rule, resolved to its group's
/// addresses as text.
fn ip_group_refs(n: &AzureNetwork) -> Vec<(String, Vec<String>)> {
    let classic = n.firewalls.iter().flat_map(|f| f.classic.iter());
    let policy = n.firewall_policies.iter().flat_map(|p| p.groups.iter()).flat_map(|g| g.collections.iter());
    let mut out = Vec::new();
    for r in classic.chain(policy).flat_map(|c| c.rules.iter()) {
        for a in r.sources.iter().chain(r.destinations.iter()) {
            if let AddressMatch::IpGroup(l) = a {
                let Link::Found(g) = l else { panic!("rule {}: IP group {l:?} not resolved", r.name) };
                let g = &n.ip_groups[*g];
                let addrs = g
                    .addresses
                    .iter()
                    .map(|a| match a {
                        AddressMatch::Prefix(c) => c.to_string(),
                        other => format!("{other:?}"),
                    })
                    .collect();
                out.push((g.id.name().to_string(), addrs));
            }
        }
    }
    out
}

#[test]
fn classic_firewall_rules_resolve_their_ip_groups() {
    let d =
        require_shared!("realworld/azure-cli-ext-firewall-recordings/az-shape/test_azure_firewall_rules_with_ipgroups");
    let n = load(&d);
    assert_eq!(n.ip_groups.len(), 2);
    let refs = ip_group_refs(&n);
    assert!(!refs.is_empty());
    assert!(refs.contains(&("sourceipgroup".into(), vec!["10.0.0.0/32".into(), "10.0.0.1/32".into()])), "{refs:?}");
}

#[test]
fn a_short_typed_rule_collection_group_joins_its_policy_and_resolves_ip_groups() {
    let d = require_shared!(
        "realworld/azure-cli-ext-firewall-recordings/az-shape/test_azure_firewall_policy_rules_with_ip_groups"
    );
    let n = load(&d);
    assert_eq!(n.firewall_policies.len(), 1);
    let groups = &n.firewall_policies[0].groups;
    assert_eq!(groups.len(), 1, "the RuleCollectionGroups body joins its policy");
    assert!(n.firewall_policies[0].missing_groups.is_empty());
    assert!(ip_group_refs(&n).iter().any(|(g, _)| g == "sourceipgroup"));
}

const RG: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("tusk-realnet-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `az network nsg rule list` and `az network route-table route list` print
/// a JSON array of child resources in the flattened shape; beside their
/// parents they complete them.
#[test]
fn az_rule_and_route_lists_join_their_parents() {
    let d = temp_dir("lists");
    let nsg = format!(
        r#"{{"id": "{RG}/networkSecurityGroups/nsg1", "name": "nsg1", "type": "Microsoft.Network/networkSecurityGroups", "securityRules": []}}"#
    );
    let rules = format!(
        r#"[{{"access": "Deny", "direction": "Inbound", "id": "{RG}/networkSecurityGroups/nsg1/securityRules/deny-ssh", "name": "deny-ssh", "priority": 100, "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22", "type": "Microsoft.Network/networkSecurityGroups/securityRules"}},
           {{"access": "Allow", "direction": "Outbound", "id": "{RG}/networkSecurityGroups/nsg1/securityRules/web", "name": "web", "priority": 200, "protocol": "*", "sourceAddressPrefixes": ["10.0.0.0/24"], "sourcePortRange": "*", "destinationAddressPrefix": "Internet", "destinationPortRanges": ["80", "443"], "type": "Microsoft.Network/networkSecurityGroups/securityRules"}}]"#
    );
    let rt = format!(
        r#"{{"id": "{RG}/routeTables/rt1", "name": "rt1", "type": "Microsoft.Network/routeTables", "routes": []}}"#
    );
    let routes = format!(
        r#"[{{"addressPrefix": "0.0.0.0/0", "id": "{RG}/routeTables/rt1/routes/to-fw", "name": "to-fw", "nextHopIpAddress": "10.0.1.4", "nextHopType": "VirtualAppliance", "type": "Microsoft.Network/routeTables/routes"}}]"#
    );
    for (f, t) in [("nsg.json", nsg), ("rules.json", rules), ("rt.json", rt), ("routes.json", routes)] {
        std::fs::write(d.join(f), t).unwrap();
    }
    let n = load(&d);
    let custom: Vec<&str> = n.nsgs[0].rules.iter().filter(|r| !r.is_default).map(|r| r.name.as_str()).collect();
    assert_eq!(custom.len(), 2, "{custom:?}");
    assert!(custom.contains(&"deny-ssh") && custom.contains(&"web"), "{custom:?}");
    let routes: Vec<&str> = n.route_tables[0].routes.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(routes, ["to-fw"]);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_recorded_standalone_security_rule_joins_its_nsg() {
    let d = require_shared!("realworld/azure-cli-recordings/az-shape/test_network_extended_nsg");
    let n = load(&d);
    let nsg = n.nsgs.iter().find(|x| x.id.name() == "nsg1").expect("nsg1");
    assert_eq!(nsg.rules.iter().filter(|r| r.name == "rule1").count(), 1);
}

/// `az network list-service-tags` prints the Download Center file's shape
/// with an `id` and `type` of its own; either is recognised by shape, and a
/// second file is a warning (two versions would disagree).
#[test]
fn a_service_tags_file_is_recognised_by_its_shape() {
    let d = temp_dir("tags");
    let az = r#"{"changeNumber": 7, "cloud": "Public", "id": "/subscriptions/s/providers/Microsoft.Network/serviceTags/Public", "name": "Public", "type": "Microsoft.Network/serviceTags",
      "values": [{"id": "Storage.WestEurope", "name": "Storage.WestEurope", "properties": {"addressPrefixes": ["20.60.0.0/16", "2603:1020::/48"], "region": "westeurope", "systemService": "AzureStorage"}}]}"#;
    let download = r#"{"changeNumber": 8, "cloud": "Public", "values": [{"name": "Sql", "id": "Sql", "properties": {"addressPrefixes": ["40.70.0.0/16"], "region": ""}}]}"#;
    std::fs::write(d.join("az.json"), az).unwrap();
    std::fs::write(d.join("ServiceTags_Public_20261130.json"), download).unwrap();
    let l = load_paths(std::slice::from_ref(&d)).unwrap();
    let t = l.estate.azure.service_tags.as_ref().expect("service tags loaded");
    let one = t.get("storage.westeurope").or_else(|| t.get("sql")).expect("a tag");
    assert!(!one.prefixes.is_empty());
    assert!(l.warnings.iter().any(|w| w.message.contains("a second service tags file")), "{:?}", l.warnings);
    let _ = std::fs::remove_dir_all(&d);
}
