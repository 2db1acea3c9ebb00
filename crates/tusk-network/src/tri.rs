//! Three-valued matching. A rule matches a packet `Yes`, `No`, or `Maybe`
//! (the rule names something whose addresses are not in the inputs), and
//! first-match evaluation stays sound under `Maybe`: the outcome is certain
//! only if every undecidable rule ahead of the deciding one would have
//! decided the same way.

use tusk_core::PortSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Maybe,
}

impl Tri {
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

    pub fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        items.into_iter().fold(Tri::No, Tri::or)
    }
}

/// Does a rule's port set hold the flow's port (`None`: any port)?
pub fn ports(rule: &PortSet, port: Option<u16>) -> Tri {
    match port {
        Some(p) => Tri::from_bool(rule.contains(p)),
        None if rule.contains(1) && rule.contains(u16::MAX) && rule.ranges().len() == 1 => Tri::Yes,
        None if rule.is_empty() => Tri::No,
        None => Tri::Maybe,
    }
}

/// The result of first-match evaluation over an ordered rule list.
pub enum FirstMatch<'r, R> {
    /// `rule` matched; `doubt` is the first earlier `Maybe` rule with a
    /// different action, if any (then the outcome is unknown).
    Hit { rule: &'r R, doubt: Option<&'r R> },
    /// No rule matched for sure; `doubt` is the first `Maybe` rule.
    Miss { doubt: Option<&'r R> },
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
        assert_eq!(ports(&PortSet::single(80), None), Tri::Maybe);
        assert_eq!(ports(&PortSet::single(80), Some(443)), Tri::No);
    }
}
