//! TA010: an Azure Firewall network rule that can never decide a flow.
//! Network rules are processed by rule collection group priority, then
//! collection priority, and the first matching rule decides ("Azure
//! Firewall rule processing logic"); a rule whose every flow an earlier
//! network rule already matches is dead: shadowed when the earlier rule's
//! collection has the other action, redundant when the same. Compared
//! within one firewall policy (or one firewall's classic rules); rules of
//! a parent policy come first and could only shadow more, so leaving them
//! out reports less, never wrongly. Only `*` and prefixes are compared, as
//! in TA007; IP groups, FQDNs and service tags make a pair not reported.

use super::shadowed_nsg::exact;
use super::{Finding, FirewallRuleAt, Problem, Rule, Severity, Shadowing};
use tusk_core::Idx;
use tusk_model::azure::{
    AddressMatch, AzureFirewall, CollectionKind, FirewallAction, FirewallPolicy, FirewallRule, FwIpProtocol,
    RuleCollection, RuleCollectionGroup,
};
use tusk_model::Estate;

pub const RULE: Rule = Rule {
    code: "TA010",
    name: "firewall-rule-shadowed",
    summary: "An Azure Firewall network rule is fully covered by an earlier network rule, so it never decides.",
    help: "docs/audit.md#ta010-firewall-rule-shadowed",
    run,
};

fn covers(e: &FirewallRule, r: &FirewallRule) -> bool {
    let protocols = e.ip_protocols.contains(&FwIpProtocol::Any)
        || (!r.ip_protocols.contains(&FwIpProtocol::Any) && r.ip_protocols.iter().all(|p| e.ip_protocols.contains(p)));
    let within = |a: &[AddressMatch], b: &[AddressMatch]| match (exact(a), exact(b)) {
        (Some(a), Some(b)) => b.subtract(&a).is_empty(),
        _ => false,
    };
    protocols
        && within(&e.sources, &r.sources)
        && within(&e.destinations, &r.destinations)
        && r.destination_ports.is_subset(&e.destination_ports)
}

/// The network rules of one rule set, in processing order, with their
/// collection's action and where they are.
type Ordered<'a> = Vec<(&'a FirewallRule, FirewallAction, FirewallRuleAt)>;

/// Where a rule collection is: a [`FirewallRuleAt`] without the rule.
#[derive(Clone, Copy)]
enum CollectionAt {
    Policy(Idx<FirewallPolicy>, Idx<RuleCollectionGroup>, Idx<RuleCollection>),
    Classic(Idx<AzureFirewall>, Idx<RuleCollection>),
}

impl CollectionAt {
    fn rule(self, rule: Idx<FirewallRule>) -> FirewallRuleAt {
        match self {
            CollectionAt::Policy(policy, group, collection) => {
                FirewallRuleAt::Policy { policy, group, collection, rule }
            }
            CollectionAt::Classic(firewall, collection) => FirewallRuleAt::Classic { firewall, collection, rule },
        }
    }
}

/// A collection with its processing order key and where it is.
type Keyed<'a> = ((u32, u32), &'a RuleCollection, CollectionAt);

fn ordered<'a>(collections: impl Iterator<Item = Keyed<'a>>) -> Ordered<'a> {
    let mut v: Vec<Keyed> = collections.filter(|(_, c, _)| c.kind == CollectionKind::Network).collect();
    v.sort_by_key(|(k, _, _)| *k);
    v.into_iter().flat_map(|(_, c, at)| Idx::enumerate(&c.rules).map(move |(i, r)| (r, c.action, at.rule(i)))).collect()
}

fn lint(rules: &Ordered, out: &mut Vec<Finding>) {
    for (i, (r, action, at)) in rules.iter().enumerate() {
        let Some((_, by_action, by)) = rules[..i].iter().find(|(e, _, _)| covers(e, r)) else { continue };
        let (shadowing, severity) = if by_action == action {
            (Shadowing::Redundant, Severity::Note)
        } else {
            (Shadowing::Shadowed, Severity::Warning)
        };
        out.push(Finding {
            code: RULE.code,
            severity,
            loc: r.loc.clone(),
            problem: Problem::FirewallRuleShadowed { rule: *at, by: *by, shadowing },
        });
    }
}

fn run(e: &Estate) -> Vec<Finding> {
    let net = &e.azure;
    let mut out = Vec::new();
    for (policy, p) in Idx::enumerate(&net.firewall_policies) {
        let rules = ordered(Idx::enumerate(&p.groups).flat_map(|(group, g)| {
            Idx::enumerate(&g.collections).map(move |(collection, c)| {
                ((g.priority, c.priority), c, CollectionAt::Policy(policy, group, collection))
            })
        }));
        lint(&rules, &mut out);
    }
    for (firewall, f) in Idx::enumerate(&net.firewalls) {
        let rules = ordered(
            Idx::enumerate(&f.classic)
                .map(|(collection, c)| ((0, c.priority), c, CollectionAt::Classic(firewall, collection))),
        );
        lint(&rules, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_network_rule_inside_an_earlier_collections_rule_is_reported() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ci/azure");
        let fw = std::fs::read_to_string(dir.join("firewall.json")).unwrap();
        let vnets = std::fs::read_to_string(dir.join("vnets.json")).unwrap();
        let load = |fw: &str| super::super::load(&[("vnets.json", &vnets), ("firewall.json", fw)]);
        let run = |fw: &str| super::run(&load(fw));
        assert!(run(&fw).is_empty(), "{:?}", run(&fw));
        // `inner` (10.1.0.0/24 → 10.2.0.4, TCP 443) lies inside spokes-https
        // (10.1/16 and 10.2/16 both ways, TCP 443), in the same collection.
        let inner = r#"{"ruleType": "NetworkRule", "name": "inner", "sourceAddresses": ["10.1.0.0/24"], "destinationAddresses": ["10.2.0.4"], "ipProtocols": ["TCP"], "destinationPorts": ["443"]}"#;
        let head = "{\n                \"ruleType\": \"NetworkRule\",\n                \"name\": \"spokes-https\",";
        let before = fw.replacen(head, &format!("{inner},\n              {head}"), 1);
        assert_ne!(before, fw, "the fixture changed shape");
        let end =
            "\"destinationPorts\": [\n                  \"443\"\n                ]\n              }\n            ]";
        let after = fw.replacen(end, &format!("{},\n              {inner}\n            ]", &end[..end.len() - 14]), 1);
        assert_ne!(after, fw, "the fixture changed shape");
        assert!(run(&before).is_empty(), "a narrower rule first shadows nothing: {:?}", run(&before));
        let e = load(&after);
        let f = super::run(&e);
        assert_eq!(f.len(), 1, "{f:?}");
        let super::Problem::FirewallRuleShadowed { rule, by, shadowing } = f[0].problem else { panic!("{f:?}") };
        let names = (rule.rule(&e.azure).name.as_str(), by.rule(&e.azure).name.as_str());
        assert_eq!((names, shadowing), (("inner", "spokes-https"), super::Shadowing::Redundant));
        assert_eq!(rule.collection(&e.azure).name, by.collection(&e.azure).name, "the same collection");
    }
}
