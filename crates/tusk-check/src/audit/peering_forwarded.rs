//! TA006: a spoke relies on a hub appliance but refuses forwarded traffic.
//! A spoke whose route sends traffic to a VirtualAppliance address in a
//! peered VNet (the hub's firewall or NVA) receives the replies, and the
//! other spokes' traffic, forwarded by that appliance; its peering to the
//! hub must allow forwarded traffic ("Virtual network peering",
//! allowForwardedTraffic: "traffic that didn't originate from within the
//! peered virtual network"), or Azure drops it.

use super::{Finding, Rule, Severity};
use tusk_model::azure::{Link, NextHopType};
use tusk_model::Estate;

pub const RULE: Rule = Rule {
    code: "TA006",
    name: "spoke-refuses-forwarded-traffic",
    summary: "A spoke routes through an appliance in a peered VNet, but its peering refuses forwarded traffic.",
    help: "docs/audit.md#ta006-spoke-refuses-forwarded-traffic",
    run,
};

fn run(e: &Estate) -> Vec<Finding> {
    let net = &e.azure;
    let mut out = Vec::new();
    for (v, vnet) in tusk_core::Idx::enumerate(&net.vnets) {
        for pe in &vnet.peerings {
            if pe.allow_forwarded_traffic {
                continue;
            }
            let Link::Found(remote) = &pe.remote else { continue };
            let remote_space = &net.vnets[*remote].address_space;
            // A route of one of this VNet's subnets whose appliance lies in the remote VNet.
            let relies = vnet.subnets.iter().filter_map(|s| match &net.subnets[*s].route_table {
                Some(Link::Found(t)) => Some(&net.route_tables[*t]),
                _ => None,
            });
            let via = relies.flat_map(|t| t.routes.iter()).find(|r| {
                r.next_hop == NextHopType::VirtualAppliance
                    && r.next_hop_ip.is_some_and(|ip| remote_space.iter().any(|c| c.set().contains_ip(ip)))
            });
            if let Some(r) = via {
                out.push(Finding {
                    code: RULE.code,
                    severity: Severity::Error,
                    loc: pe.loc.clone(),
                    message: format!(
                        "peering {} of VNet {} has allowForwardedTraffic off, but route {} sends traffic to the appliance {} in {}",
                        pe.id.name(),
                        net.vnets[v].id.name(),
                        r.name,
                        r.next_hop_ip.map(|i| i.to_string()).unwrap_or_default(),
                        net.vnets[*remote].id.name()
                    ),
                    fix: "set allowForwardedTraffic: true on this peering".into(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn turning_forwarded_traffic_off_on_a_spoke_is_flagged_at_its_peering() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ci/azure");
        let vnets = std::fs::read_to_string(dir.join("vnets.json")).unwrap();
        let routes = std::fs::read_to_string(dir.join("routes.json")).unwrap();
        let load = |v: &str| super::super::load(&[("vnets.json", v), ("routes.json", &routes)]);
        assert!(super::run(&load(&vnets)).is_empty());
        // The spokes' peerings are the last "allowForwardedTraffic": true entries.
        let at = vnets.rfind("\"allowForwardedTraffic\": true").unwrap();
        let off = format!("{}\"allowForwardedTraffic\": false{}", &vnets[..at], &vnets[at + 29..]);
        let f = super::run(&load(&off));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("10.0.1.4") && f[0].fix.contains("allowForwardedTraffic"), "{}", f[0].message);
    }
}
