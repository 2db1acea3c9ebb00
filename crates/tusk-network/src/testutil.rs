//! Test helpers: small estates written inline as `az`-shaped JSON.

use std::sync::Arc;
use tusk_model::azure::AzureNetwork;

pub const SUB: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";

/// Loads inline JSON documents (one per string) into a network.
pub fn net(docs: &[String]) -> AzureNetwork {
    let sources: Vec<(Arc<str>, String)> =
        docs.iter().enumerate().map(|(i, d)| (Arc::from(format!("t{i}.json")), d.clone())).collect();
    tusk_load::load_sources(&sources).unwrap_or_else(|e| panic!("{e}")).estate.azure
}

/// A VNet with subnets `(name, prefix, nsg, route table)` and peerings to `peers`.
pub fn vnet(name: &str, space: &str, subnets: &[(&str, &str, Option<&str>, Option<&str>)], peers: &[&str]) -> String {
    let subs: Vec<String> = subnets
        .iter()
        .map(|(s, p, nsg, rt)| {
            let mut x = format!(r#"{{"name": "{s}", "addressPrefix": "{p}""#);
            if let Some(n) = nsg {
                x.push_str(&format!(r#", "networkSecurityGroup": {{"id": "{SUB}/networkSecurityGroups/{n}"}}"#));
            }
            if let Some(r) = rt {
                x.push_str(&format!(r#", "routeTable": {{"id": "{SUB}/routeTables/{r}"}}"#));
            }
            x + "}"
        })
        .collect();
    let peerings: Vec<String> = peers
        .iter()
        .map(|r| {
            format!(
                r#"{{"name": "{name}-{r}", "remoteVirtualNetwork": {{"id": "{SUB}/virtualNetworks/{r}"}}, "allowForwardedTraffic": true}}"#
            )
        })
        .collect();
    format!(
        r#"{{"name": "{name}", "id": "{SUB}/virtualNetworks/{name}", "type": "Microsoft.Network/virtualNetworks", "addressSpace": {{"addressPrefixes": ["{space}"]}}, "subnets": [{}], "virtualNetworkPeerings": [{}]}}"#,
        subs.join(","),
        peerings.join(",")
    )
}

/// A route table with routes `(name, prefix, next hop type, next hop ip)`.
pub fn route_table(name: &str, routes: &[(&str, &str, &str, Option<&str>)], disable_bgp: bool) -> String {
    let rs: Vec<String> = routes
        .iter()
        .map(|(n, p, h, ip)| {
            let ip = ip.map(|i| format!(r#", "nextHopIpAddress": "{i}""#)).unwrap_or_default();
            format!(r#"{{"name": "{n}", "addressPrefix": "{p}", "nextHopType": "{h}"{ip}}}"#)
        })
        .collect();
    format!(
        r#"{{"name": "{name}", "id": "{SUB}/routeTables/{name}", "type": "Microsoft.Network/routeTables", "disableBgpRoutePropagation": {disable_bgp}, "routes": [{}]}}"#,
        rs.join(",")
    )
}

/// An NSG whose rules are given as JSON objects (flattened shape).
pub fn nsg(name: &str, rules: &[&str]) -> String {
    format!(
        r#"{{"name": "{name}", "id": "{SUB}/networkSecurityGroups/{name}", "type": "Microsoft.Network/networkSecurityGroups", "securityRules": [{}]}}"#,
        rules.join(",")
    )
}

/// The prepared view of `n` with no `tusk.yaml` (an empty configuration
/// that lives as long as the test).
pub fn prep(n: &AzureNetwork) -> crate::Prepared<'_> {
    crate::Prepared::new(n, Box::leak(Box::default()))
}

/// The name of the rule a decision cites (NSG and firewall rules).
pub fn cited(n: &AzureNetwork, c: &Option<crate::Cite>) -> String {
    use crate::decision::{Cite, CollectionRef};
    match c {
        Some(Cite::NsgRule { nsg, rule, .. }) => n.nsgs[*nsg].rules[*rule].name.clone(),
        Some(Cite::FirewallRule { at: CollectionRef::Policy { policy, group, collection }, rule }) => {
            n.firewall_policies[*policy].groups[*group].collections[*collection].rules[*rule].name.clone()
        }
        Some(Cite::FirewallRule { at: CollectionRef::Classic { fw, collection }, rule }) => {
            n.firewalls[*fw].classic[*collection].rules[*rule].name.clone()
        }
        other => format!("{other:?}"),
    }
}
