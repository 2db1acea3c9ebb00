//! Private addresses that a plan does not know but Azure's allocation rule
//! determines. An Azure Firewall takes its private address dynamically from
//! `AzureFirewallSubnet`, a subnet dedicated to it ("Azure Firewall FAQ",
//! learn.microsoft.com/azure/firewall/firewall-faq), and Azure hands out
//! "the next available unassigned or unreserved IP address in the subnet's
//! address range", the first four being reserved ("Virtual network FAQ",
//! learn.microsoft.com/azure/virtual-network/virtual-networks-faq). So when
//! a firewall is the only one in its subnet, its address is the subnet's
//! fifth: tusk uses it, says so in a warning, and routes that name the
//! firewall's address (`next_hop_in_ip_address =
//! azurerm_firewall.hub.ip_configuration[0].private_ip_address`) follow.
//! Anything else known only after apply stays unknown.

use super::build::{field_path, s, Cur, Tr};
use super::plan::Want;
use crate::doc::Node;
use std::collections::HashMap;
use std::net::Ipv4Addr;

/// Fills `tr.allocated` for every firewall whose address the rule determines.
pub fn determine(tr: &mut Tr) {
    let mut by_subnet: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, x) in tr.plan.instances.iter().enumerate() {
        if x.tf_type != "azurerm_firewall" {
            continue;
        }
        let Some(c) = tr.root(i).field("ip_configuration").first() else { continue };
        if !c.field("private_ip_address").is_unknown() {
            continue;
        }
        if let Some(sn) = subnet_of(tr, &c) {
            by_subnet.entry(sn).or_default().push(i);
        }
    }
    let mut found = Vec::new();
    for (sn, fws) in by_subnet {
        let r = tr.root(sn);
        let name = r.field("name").str().unwrap_or_default();
        let prefix = r.field("address_prefixes").known().and_then(Node::as_seq).and_then(|p| p.first()?.as_str());
        let (true, [fw], Some(prefix)) = (name == "AzureFirewallSubnet", fws.as_slice(), prefix) else { continue };
        let Some(ip) = fifth_address(prefix) else { continue };
        found.push((*fw, ip, prefix.to_string()));
    }
    found.sort();
    for (fw, ip, prefix) in found {
        let pos = tr.inst(fw).cite.pos;
        let addr = tr.inst(fw).address.clone();
        tr.warn(
            pos,
            format!(
                "{addr}: its private IP is known only after apply; taken as {ip}, the first address Azure allocates in AzureFirewallSubnet {prefix} (a subnet dedicated to the firewall; Azure reserves the first four addresses); traces through it rely on this"
            ),
        );
        tr.allocated.insert(fw, ip.to_string());
    }
}

/// The subnet instance an ip_configuration's `subnet_id` names.
fn subnet_of(tr: &Tr, c: &Cur) -> Option<usize> {
    let f = c.field("subnet_id");
    if let Some(id) = f.str() {
        return (0..tr.plan.instances.len()).find(|&i| {
            tr.inst(i).tf_type == "azurerm_subnet" && tr.arm_id(i).is_some_and(|x| x.eq_ignore_ascii_case(id))
        });
    }
    tr.target(&f).ok().filter(|&i| tr.inst(i).tf_type == "azurerm_subnet")
}

fn fifth_address(prefix: &str) -> Option<Ipv4Addr> {
    let (a, len) = prefix.split_once('/')?;
    let a: Ipv4Addr = a.trim().parse().ok()?;
    let len: u32 = len.trim().parse().ok()?;
    if len > 29 {
        return None;
    }
    Some(Ipv4Addr::from(u32::from(a).checked_add(4)?))
}

/// An IP argument: known, a firewall's determined address that the
/// expression names, or the marker.
pub fn ip(tr: &Tr, c: &Cur, path: &str) -> Option<Node> {
    let f = field_path(c, path);
    if let Some(n) = f.known() {
        return Some(n.clone());
    }
    if !f.is_unknown() {
        return None;
    }
    if let Some(ip) = tr.target_of(&f, Want::FirewallIp).ok().and_then(|fw| tr.allocated.get(&fw)) {
        return Some(s(f.pos, ip.clone()));
    }
    Some(tr.marker(&f))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fifth_address_is_the_first_azure_allocates() {
        assert_eq!(super::fifth_address("10.0.1.0/26").unwrap().to_string(), "10.0.1.4");
        assert!(super::fifth_address("10.0.1.0/30").is_none());
    }
}
