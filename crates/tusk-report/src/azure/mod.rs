//! Renderings of the Azure analyses: `tusk trace` (text and JSON),
//! `tusk routes` and `tusk rules` (text and JSON).

mod appgw_words;
mod bastion_words;
mod nat_words;
pub mod reach;
pub mod routes;
pub mod rules;
pub mod trace_brief;
pub mod trace_group;
pub mod trace_json;
pub mod trace_text;
mod vwan_words;
pub mod words;

/// What an Azure command lacks when the inputs hold no subnet, in words
/// (`None` when there is at least one): what was loaded, and how to export
/// the rest. The CLI turns it into an error (exit code 2).
pub fn missing_subnets(net: &tusk_model::azure::AzureNetwork, command: &str) -> Option<String> {
    if !net.subnets.is_empty() {
        return None;
    }
    let counts = [
        (net.vnets.len(), "virtual network"),
        (net.nsgs.len(), "network security group"),
        (net.route_tables.len(), "route table"),
        (net.nics.len(), "network interface"),
        (net.firewalls.len(), "Azure Firewall"),
        (net.private_endpoints.len(), "private endpoint"),
    ];
    let loaded: Vec<String> = counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}{}", if *n == 1 { "" } else { "s" }))
        .collect();
    let loaded = if loaded.is_empty() { "no Azure network resource".to_string() } else { loaded.join(", ") };
    Some(format!(
        "the inputs hold no subnet (loaded: {loaded}); `tusk {command}` needs the virtual networks with their subnets (for example `az network vnet list -o json`)"
    ))
}
