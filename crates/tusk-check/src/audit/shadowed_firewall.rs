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
use super::{Finding, Rule, Severity};
use tusk_core::Loc;
use tusk_model::azure::{AddressMatch, CollectionKind, FirewallAction, FirewallRule, FwIpProtocol, RuleCollection};
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
/// collection's action and a name for the holder.
type Ordered<'a> = Vec<(&'a FirewallRule, FirewallAction, String)>;

fn ordered<'a>(collections: impl Iterator<Item = ((u32, u32), &'a RuleCollection)>) -> Ordered<'a> {
    let mut v: Vec<((u32, u32), &RuleCollection)> =
        collections.filter(|(_, c)| c.kind == CollectionKind::Network).collect();
    v.sort_by_key(|(k, _)| *k);
    v.into_iter().flat_map(|(_, c)| c.rules.iter().map(move |r| (r, c.action, c.name.clone()))).collect()
}

fn lint(holder: &str, rules: &Ordered, out: &mut Vec<Finding>) {
    for (i, (r, action, coll)) in rules.iter().enumerate() {
        let Some((e, e_action, e_coll)) = rules[..i].iter().find(|(e, _, _)| covers(e, r)) else { continue };
        let (word, severity) =
            if e_action == action { ("redundant", Severity::Note) } else { ("shadowed", Severity::Warning) };
        out.push(Finding {
            code: RULE.code,
            severity,
            loc: r.loc.clone(),
            message: format!(
                "{holder} network rule {} (collection {coll}) is {word}: rule {} (collection {e_coll}, {:?}, {}) matches every flow it matches",
                r.name,
                e.name,
                e_action,
                Loc::to_string(&e.loc)
            ),
            fix: format!("remove rule {}, or move it to a collection processed before {e_coll}", r.name),
        });
    }
}

fn run(e: &Estate) -> Vec<Finding> {
    let net = &e.azure;
    let mut out = Vec::new();
    for p in &net.firewall_policies {
        let rules =
            ordered(p.groups.iter().flat_map(|g| g.collections.iter().map(move |c| ((g.priority, c.priority), c))));
        lint(&format!("firewall policy {}", p.id.name()), &rules, &mut out);
    }
    for f in &net.firewalls {
        let rules = ordered(f.classic.iter().map(|c| ((0, c.priority), c)));
        lint(&format!("firewall {}", f.id.name()), &rules, &mut out);
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
        let run = |fw: &str| super::run(&super::super::load(&[("vnets.json", &vnets), ("firewall.json", fw)]));
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
        let f = run(&after);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("rule inner") && f[0].message.contains("redundant"), "{}", f[0].message);
    }
}
