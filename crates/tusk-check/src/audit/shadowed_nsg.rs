//! TA007: an NSG rule that can never decide a flow. Azure evaluates an
//! NSG's rules of one direction by priority and stops at the first match
//! ("How network security groups filter network traffic"), so a rule whose
//! every flow an earlier rule already matches is dead: shadowed when the
//! earlier rule has the other access (the later rule's intent is never
//! applied), redundant when it has the same. Only address fields tusk can
//! compare exactly (any, prefixes) are compared; a tag, an ASG or an
//! unreadable value on either side makes the pair not reported rather
//! than guessed.

use super::{Finding, Problem, Rule, Severity, Shadowing};
use tusk_core::ip::all_ips;
use tusk_core::{Idx, IpSet};
use tusk_model::azure::{AddressMatch, RuleProtocol, SecurityRule};
use tusk_model::Estate;

pub const RULE: Rule = Rule {
    code: "TA007",
    name: "nsg-rule-shadowed",
    summary: "An NSG rule is fully covered by a higher-priority rule of the same direction, so it never decides.",
    help: "docs/audit.md#ta007-nsg-rule-shadowed",
    run,
};

/// The addresses of a rule's field, when every entry is exact.
pub(super) fn exact(field: &[AddressMatch]) -> Option<IpSet> {
    let mut set = IpSet::empty();
    for m in field {
        set = set.union(&match m {
            AddressMatch::Any => all_ips(),
            AddressMatch::Prefix(c) => c.set(),
            _ => return None,
        });
    }
    Some(set)
}

fn covers_protocol(a: RuleProtocol, b: RuleProtocol) -> bool {
    a == RuleProtocol::Any || a == b
}

/// Does `e` match every flow `r` matches?
fn covers(e: &SecurityRule, r: &SecurityRule) -> bool {
    if e.ports_unknown || r.ports_unknown || !covers_protocol(e.protocol, r.protocol) {
        return false;
    }
    let within = |a: &[AddressMatch], b: &[AddressMatch]| match (exact(a), exact(b)) {
        (Some(a), Some(b)) => b.subtract(&a).is_empty(),
        _ => false,
    };
    within(&e.sources, &r.sources)
        && within(&e.destinations, &r.destinations)
        && r.source_ports.is_subset(&e.source_ports)
        && r.destination_ports.is_subset(&e.destination_ports)
}

fn run(e: &Estate) -> Vec<Finding> {
    let mut out = Vec::new();
    for (nsg, n) in Idx::enumerate(&e.azure.nsgs) {
        for (rule, r) in Idx::enumerate(&n.rules).filter(|(_, r)| !r.is_default) {
            let Some((by, b)) = Idx::enumerate(&n.rules)
                .filter(|(_, x)| x.direction == r.direction && x.priority < r.priority && covers(x, r))
                .min_by_key(|(_, x)| x.priority)
            else {
                continue;
            };
            let (shadowing, severity) = if b.access == r.access {
                (Shadowing::Redundant, Severity::Note)
            } else {
                (Shadowing::Shadowed, Severity::Warning)
            };
            out.push(Finding {
                code: RULE.code,
                severity,
                loc: r.loc.clone(),
                problem: Problem::NsgRuleShadowed { nsg, rule, by, shadowing },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    fn nsg(rules: &str) -> String {
        format!(
            r#"{{"name": "n", "type": "Microsoft.Network/networkSecurityGroups", "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/n", "properties": {{"securityRules": [{rules}]}}}}"#
        )
    }

    fn rule(name: &str, prio: u32, access: &str, src: &str, port: &str) -> String {
        format!(
            r#"{{"name": "{name}", "properties": {{"priority": {prio}, "direction": "Inbound", "access": "{access}", "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "{port}", "sourceAddressPrefix": "{src}", "destinationAddressPrefix": "*"}}}}"#
        )
    }

    #[test]
    fn a_rule_inside_an_earlier_one_is_shadowed_or_redundant_and_a_tag_is_not_compared() {
        let rules = [
            rule("deny-10", 100, "Deny", "10.0.0.0/8", "*"),
            rule("allow-web", 200, "Allow", "10.1.0.0/16", "443"),
            rule("deny-10-1", 300, "Deny", "10.1.2.0/24", "22"),
            rule("allow-other", 400, "Allow", "192.168.0.0/16", "443"),
            rule("allow-tag", 500, "Allow", "VirtualNetwork", "443"),
        ]
        .join(",");
        let e = super::super::load(&[("nsg.json", &nsg(&rules))]);
        let f = super::run(&e);
        let got: Vec<(&str, &str, super::Shadowing, super::Severity)> = f
            .iter()
            .map(|x| {
                let super::Problem::NsgRuleShadowed { nsg, rule, by, shadowing } = x.problem else { panic!("{x:?}") };
                let rules = &e.azure.nsgs[nsg].rules;
                (rules[rule].name.as_str(), rules[by].name.as_str(), shadowing, x.severity)
            })
            .collect();
        use super::{Severity::*, Shadowing::*};
        assert_eq!(
            got,
            [("allow-web", "deny-10", Shadowed, Warning), ("deny-10-1", "deny-10", Redundant, Note)],
            "{f:?}"
        );
    }
}
