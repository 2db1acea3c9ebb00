//! TA004: a 0.0.0.0/0 user-defined route widens the `VirtualNetwork`
//! service tag. The tag includes the address prefixes of user-defined
//! routes ("Virtual network service tags": VirtualNetwork), so with a
//! 0.0.0.0/0 route on the subnet the default rule `AllowVnetInBound`
//! (priority 65000) admits every source address. The lint fires on a
//! subnet with such a route whose NSG holds no inbound deny of every
//! source ahead of 65000 (a subnet without an NSG filters nothing anyway).

use super::{Finding, Problem, Rule, Severity};
use tusk_core::Idx;
use tusk_model::azure::{Access, AddressMatch, Direction, Link, Nsg, RouteDestination};
use tusk_model::Estate;

pub const RULE: Rule = Rule {
    code: "TA004",
    name: "udr-widens-virtualnetwork",
    summary: "A 0.0.0.0/0 route widens the VirtualNetwork tag, so AllowVnetInBound admits every source.",
    help: "docs/audit.md#ta004-udr-widens-virtualnetwork",
    run,
};

/// Does the NSG deny every source inbound before the default rules?
fn denies_all_inbound(n: &Nsg) -> bool {
    n.rules.iter().any(|r| {
        !r.is_default
            && r.direction == Direction::Inbound
            && r.access == Access::Deny
            && r.priority < 65000
            && r.sources.iter().any(|s| match s {
                AddressMatch::Any => true,
                AddressMatch::Prefix(c) => c.prefix == 0,
                _ => false,
            })
    })
}

fn run(e: &Estate) -> Vec<Finding> {
    let net = &e.azure;
    let mut out = Vec::new();
    for (subnet, sub) in Idx::enumerate(&net.subnets) {
        let Some(Link::Found(table)) = sub.route_table else { continue };
        let Some(Link::Found(nsg)) = sub.nsg else { continue };
        if denies_all_inbound(&net.nsgs[nsg]) {
            continue;
        }
        for (route, r) in Idx::enumerate(&net.route_tables[table].routes) {
            if matches!(&r.destination, RouteDestination::Prefix(c) if c.prefix == 0 && c.addr.is_ipv4()) {
                out.push(Finding {
                    code: RULE.code,
                    severity: Severity::Warning,
                    loc: r.loc.clone(),
                    problem: Problem::UdrWidensVirtualNetwork { subnet, table, route, nsg },
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_hub_and_spoke_example_is_flagged_and_a_deny_all_rule_silences_it() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ci/azure");
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let files = ["vnets.json", "nsgs.json", "routes.json", "nics.json", "firewall.json"];
        let texts: Vec<String> = files.iter().map(|f| read(f)).collect();
        let sources: Vec<(&str, &str)> = files.iter().zip(&texts).map(|(f, t)| (*f, t.as_str())).collect();
        let e = super::super::load(&sources);
        let f = super::run(&e);
        assert_eq!(f.len(), 2, "{f:?}");
        for x in &f {
            let super::Problem::UdrWidensVirtualNetwork { table, route, .. } = x.problem else { panic!("{x:?}") };
            assert_eq!(
                (&*x.loc.file, e.azure.route_tables[table].routes[route].name.as_str()),
                ("routes.json", "default-via-fw")
            );
        }
        // A deny of every source at 4000 in both NSGs: nothing to report.
        let deny = r#"{"name": "deny-all-in", "properties": {"priority": 4000, "direction": "Inbound", "access": "Deny", "protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*"}}, "#;
        let nsgs = texts[1].replace("\"securityRules\": [", &format!("\"securityRules\": [{deny}"));
        let mut sources = sources.clone();
        sources[1] = ("nsgs.json", &nsgs);
        assert!(super::run(&super::super::load(&sources)).is_empty());
    }
}
