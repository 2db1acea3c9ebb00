//! Three-valued matching and first-match evaluation over it.
//!
//! A rule matches a packet `Yes`, `No`, or `Maybe` (the rule names something
//! whose addresses are not in the inputs: an ASG without members, a service
//! tag tusk does not know, a pod without an IP). First-match evaluation (NSG
//! priorities, Azure Firewall collections, AdminNetworkPolicy priorities)
//! stays sound under `Maybe`: the outcome is certain only if every
//! undecidable rule ahead of the deciding one would have decided the same
//! way; otherwise it is unknown, citing the first rule in doubt.

use crate::interval::PortSet;
use crate::verdict::{Unknown, Verdict};

/// Does a rule match a packet: surely, surely not, or not decidable from
/// the inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tri {
    /// The rule matches for sure.
    Yes,
    /// The rule does not match for sure.
    No,
    /// The inputs do not tell whether the rule matches.
    Maybe,
}

impl Tri {
    /// `Yes` for true, `No` for false.
    pub fn from_bool(b: bool) -> Tri {
        if b {
            Tri::Yes
        } else {
            Tri::No
        }
    }

    /// Both must match.
    pub fn and(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Maybe,
        }
    }

    /// Either may match.
    pub fn or(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::No, Tri::No) => Tri::No,
            _ => Tri::Maybe,
        }
    }

    /// Does any of `items` match?
    pub fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        items.into_iter().fold(Tri::No, Tri::or)
    }

    /// Do all of `items` match?
    pub fn all(items: impl IntoIterator<Item = Tri>) -> Tri {
        items.into_iter().fold(Tri::Yes, Tri::and)
    }
}

/// Does a rule's port set hold the flow's destination port? `None` asks
/// about every port at once: `Yes` when the rule holds every port
/// ([`PortSet::all_ports`]), `No` when it holds none, `Maybe` otherwise.
pub fn ports(rule: &PortSet, port: Option<u16>) -> Tri {
    match port {
        Some(p) => Tri::from_bool(rule.contains(p)),
        // `all_ports() ⊆ rule` without building a set: this runs for every
        // rule of every first match (an NSG rule's source ports), so an
        // allocation here costs the all-pairs evaluator a quarter of its time.
        None if rule.contains(1) && rule.contains(u16::MAX) && rule.ranges().len() == 1 => Tri::Yes,
        None if rule.is_empty() => Tri::No,
        None => Tri::Maybe,
    }
}

/// The result of first-match evaluation over an ordered rule list.
#[derive(Debug)]
pub enum FirstMatch<'r, R> {
    /// `rule` matched; `doubt` is the first earlier `Maybe` rule with a
    /// different action, if any (then the outcome is unknown).
    Hit {
        /// The first rule that matched for sure.
        rule: &'r R,
        /// The first earlier `Maybe` rule with a different action.
        doubt: Option<&'r R>,
    },
    /// No rule matched for sure; `doubt` is the first `Maybe` rule.
    Miss {
        /// The first `Maybe` rule, if any.
        doubt: Option<&'r R>,
    },
}

/// First match over `rules` (already in priority order), where `same`
/// tells whether two rules have the same action.
pub fn first_match<'r, R>(
    rules: impl IntoIterator<Item = &'r R>,
    matches: impl Fn(&R) -> Tri,
    same: impl Fn(&R, &R) -> bool,
) -> FirstMatch<'r, R> {
    let mut maybes: Vec<&R> = Vec::new();
    for r in rules {
        match matches(r) {
            Tri::No => {}
            Tri::Maybe => maybes.push(r),
            Tri::Yes => {
                let doubt = maybes.into_iter().find(|m| !same(m, r));
                return FirstMatch::Hit { rule: r, doubt };
            }
        }
    }
    FirstMatch::Miss { doubt: maybes.into_iter().next() }
}

/// First match of allow / deny rules as a [`Verdict`], with the rule that
/// decided it (`None`: no rule matched and `default_allows` decided).
///
/// The verdict is allowed (denied) exactly when it is allowed (denied) in
/// every way the `Maybe` matches could resolve; otherwise it is unknown,
/// and `why` words the first rule in doubt whose action differs from the
/// outcome it precedes. A property test checks this against enumerating
/// every resolution.
pub fn first_match_verdict<'r, R, X>(
    rules: impl IntoIterator<Item = &'r R>,
    matches: impl Fn(&R) -> Tri,
    allows: impl Fn(&R) -> bool,
    default_allows: bool,
    why: impl FnOnce(&R) -> Unknown<X>,
) -> (Verdict<X>, Option<&'r R>) {
    let mut maybes: Vec<&R> = Vec::new();
    let mut decided: Option<&R> = None;
    for r in rules {
        match matches(r) {
            Tri::No => {}
            Tri::Maybe => maybes.push(r),
            Tri::Yes => {
                decided = Some(r);
                break;
            }
        }
    }
    let outcome = decided.map_or(default_allows, &allows);
    match maybes.into_iter().find(|m| allows(m) != outcome) {
        Some(m) => (Verdict::Unknown(why(m)), decided),
        None => (Verdict::certain(outcome), decided),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maybe_before_a_hit_only_matters_when_it_would_decide_otherwise() {
        let rules = [(Tri::Maybe, true), (Tri::Yes, true)];
        match first_match(rules.iter(), |r| r.0, |a, b| a.1 == b.1) {
            FirstMatch::Hit { doubt, .. } => assert!(doubt.is_none()),
            FirstMatch::Miss { .. } => panic!("expected a hit"),
        }
        let rules = [(Tri::Maybe, false), (Tri::Yes, true)];
        match first_match(rules.iter(), |r| r.0, |a, b| a.1 == b.1) {
            FirstMatch::Hit { doubt, .. } => assert!(doubt.is_some()),
            FirstMatch::Miss { .. } => panic!("expected a hit"),
        }
    }

    #[test]
    fn any_port_question_is_maybe_for_a_partial_rule() {
        assert_eq!(ports(&PortSet::range(0, u16::MAX), None), Tri::Yes);
        assert_eq!(ports(&PortSet::all_ports(), None), Tri::Yes);
        assert_eq!(ports(&PortSet::single(80), None), Tri::Maybe);
        assert_eq!(ports(&PortSet::empty(), None), Tri::No);
        assert_eq!(ports(&PortSet::single(80), Some(443)), Tri::No);
    }

    #[test]
    fn a_maybe_rule_that_agrees_with_the_default_leaves_a_miss_certain() {
        let rules = [(Tri::Maybe, false), (Tri::No, true)];
        let (v, by) = first_match_verdict(rules.iter(), |r| r.0, |r| r.1, false, |_| Unknown { reason: (), loc: None });
        assert_eq!(v, Verdict::Denied);
        assert!(by.is_none());
        let (v, _) = first_match_verdict(rules.iter(), |r| r.0, |r| r.1, true, |_| Unknown { reason: (), loc: None });
        assert!(v.is_unknown());
    }
}
