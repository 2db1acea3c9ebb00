//! TA006: a spoke relies on a hub appliance but refuses forwarded traffic.
//! A spoke whose route sends traffic to a VirtualAppliance address in a
//! peered VNet (the hub's firewall or NVA) receives the replies, and the
//! other spokes' traffic, forwarded by that appliance; its peering to the
//! hub must allow forwarded traffic ("Virtual network peering",
//! allowForwardedTraffic: "traffic that didn't originate from within the
//! peered virtual network"), or Azure drops it.

use super::{Finding, Problem, Rule, Severity};
use tusk_core::Idx;
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
    for (vnet, v) in Idx::enumerate(&net.vnets) {
        for (peering, pe) in Idx::enumerate(&v.peerings) {
            if pe.allow_forwarded_traffic {
                continue;
            }
            let Link::Found(remote) = pe.remote else { continue };
            let remote_space = &net.vnets[remote].address_space;
            // A route of one of this VNet's subnets whose appliance lies in the remote VNet.
            let tables = v.subnets.iter().filter_map(|s| net.subnets[*s].route_table.as_ref()?.found());
            let via = tables
                .flat_map(|t| Idx::enumerate(&net.route_tables[t].routes).map(move |(i, r)| (t, i, r)))
                .find(|(_, _, r)| {
                    r.next_hop == NextHopType::VirtualAppliance
                        && r.next_hop_ip.is_some_and(|ip| remote_space.iter().any(|c| c.set().contains_ip(ip)))
                });
            if let Some((table, route, _)) = via {
                out.push(Finding {
                    code: RULE.code,
                    severity: Severity::Error,
                    loc: pe.loc.clone(),
                    problem: Problem::SpokeRefusesForwardedTraffic { vnet, peering, table, route, remote },
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
        let e = load(&off);
        let f = super::run(&e);
        assert_eq!(f.len(), 1, "{f:?}");
        let super::Problem::SpokeRefusesForwardedTraffic { table, route, remote, .. } = f[0].problem else {
            panic!("{f:?}")
        };
        let r = &e.azure.route_tables[table].routes[route];
        assert_eq!(r.next_hop_ip, Some("10.0.1.4".parse().unwrap()), "{r:?}");
        assert!(e.azure.vnets[remote].address_space.iter().any(|c| c.set().contains_ip("10.0.1.4".parse().unwrap())));
    }
}
