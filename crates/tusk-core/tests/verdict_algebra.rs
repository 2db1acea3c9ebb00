//! The laws of the verdict algebra, checked by proptest (which shrinks a
//! failing case to a small one): `then` and `both` are associative, an
//! unknown is never upgraded to allowed or denied, `allowed ∩ unknown = ∅`
//! after every operation, set-valued composition agrees pointwise with the
//! composition of single verdicts, first match under `Maybe` is certain
//! exactly when every resolution of the `Maybe`s agrees, and a group verdict
//! holds for every member or is mixed / unknown.

use proptest::prelude::*;
use tusk_core::tri::{first_match_verdict, Tri};
use tusk_core::{ConnSet, GroupKind, GroupReach, GroupVerdict, Kind, PortSet, Protocol, Reach, Unknown, Verdict};

/// Port sets over a small domain (so that sets overlap often), sometimes
/// holding every port.
fn port_set() -> impl Strategy<Value = PortSet> {
    prop_oneof![
        4 => prop::collection::vec((1u16..12, 0u16..4), 0..3)
            .prop_map(|v| PortSet::from_ranges(v.into_iter().map(|(lo, len)| (lo, lo + len)).collect())),
        1 => Just(PortSet::all_ports()),
    ]
}

fn conn_set() -> impl Strategy<Value = ConnSet> {
    (port_set(), port_set(), prop::collection::vec(any::<bool>(), 4)).prop_map(|(tcp, udp, portless)| {
        let mut c = ConnSet::of(Protocol::Tcp, tcp).union(&ConnSet::of(Protocol::Udp, udp));
        for (p, on) in Protocol::PORTLESS.into_iter().zip(portless) {
            if on {
                c = c.union(&ConnSet::of(p, PortSet::empty()));
            }
        }
        c
    })
}

fn reach() -> impl Strategy<Value = Reach> {
    (conn_set(), conn_set()).prop_map(|(a, u)| Reach::new(a, u))
}

/// The connections the pointwise laws are checked on.
fn samples() -> Vec<(Protocol, u16)> {
    let mut v: Vec<(Protocol, u16)> = (1..17).flat_map(|p| [(Protocol::Tcp, p), (Protocol::Udp, p)]).collect();
    v.extend([(Protocol::Tcp, 65535), (Protocol::Sctp, 5)]);
    v.extend(Protocol::PORTLESS.map(|p| (p, 0)));
    v
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::Allowed), Just(Kind::Denied), Just(Kind::Unknown)]
}

/// A verdict whose unknown reason is a small number, so that which reason
/// survives a composition is visible.
fn verdict() -> impl Strategy<Value = Verdict<u8>> {
    prop_oneof![Just(Verdict::Allowed), Just(Verdict::Denied), (0u8..4).prop_map(|r| Verdict::unknown(r, None)),]
}

fn tri() -> impl Strategy<Value = Tri> {
    prop_oneof![Just(Tri::Yes), Just(Tri::No), Just(Tri::Maybe)]
}

proptest! {
    #[test]
    fn then_is_associative(a in reach(), b in reach(), c in reach()) {
        prop_assert_eq!(a.then(&b).then(&c), a.then(&b.then(&c)));
    }

    #[test]
    fn both_is_associative_and_commutative(a in reach(), b in reach(), c in reach()) {
        prop_assert_eq!(a.both(&b).both(&c), a.both(&b.both(&c)));
        prop_assert_eq!(a.both(&b), b.both(&a));
    }

    #[test]
    fn allowed_and_unknown_never_overlap(a in conn_set(), u in conn_set(), b in reach()) {
        let r = Reach::new(a, u);
        prop_assert!(r.is_consistent());
        prop_assert!(r.then(&b).is_consistent());
        prop_assert!(r.both(&b).is_consistent());
        prop_assert!(r.allowed().intersect(&r.denied()).is_empty());
        prop_assert!(r.unknown().intersect(&r.denied()).is_empty());
    }

    #[test]
    fn set_composition_agrees_with_single_verdicts(a in reach(), b in reach()) {
        for (p, port) in samples() {
            let (x, y) = (a.at(p, port), b.at(p, port));
            prop_assert_eq!(a.then(&b).at(p, port), x.then(y), "then at {} {}", p, port);
            let both = if x == y { x } else { Kind::Unknown };
            prop_assert_eq!(a.both(&b).at(p, port), both, "both at {} {}", p, port);
        }
    }

    #[test]
    fn unknown_is_never_upgraded(a in reach(), b in reach()) {
        for (p, port) in samples() {
            if a.at(p, port) != Kind::Unknown {
                continue;
            }
            // In sequence only a certain denial of the other step decides.
            let then = a.then(&b).at(p, port);
            let expected = if b.at(p, port) == Kind::Denied { Kind::Denied } else { Kind::Unknown };
            prop_assert_eq!(then, expected);
            prop_assert_eq!(b.then(&a).at(p, port), expected);
            // Side by side, an unknown stays unknown whatever the other says.
            prop_assert_eq!(a.both(&b).at(p, port), Kind::Unknown);
        }
    }

    #[test]
    fn verdict_then_is_associative_keeps_the_first_doubt_and_agrees_with_kinds(
        a in verdict(), b in verdict(), c in verdict()
    ) {
        prop_assert_eq!(a.clone().then(b.clone()).then(c.clone()), a.clone().then(b.clone().then(c.clone())));
        let ab = a.clone().then(b.clone());
        prop_assert_eq!(ab.kind(), a.kind().then(b.kind()));
        if ab.is_unknown() {
            let first = [&a, &b].into_iter().find_map(|v| v.why()).cloned();
            prop_assert_eq!(ab.why().cloned(), first);
        }
        if a.is_unknown() {
            prop_assert!(!ab.is_allowed());
        }
    }

    #[test]
    fn first_match_is_certain_exactly_when_every_resolution_agrees(
        rules in prop::collection::vec((tri(), any::<bool>()), 0..8),
        default_allows in any::<bool>(),
    ) {
        let (v, by) = first_match_verdict(
            rules.iter(), |r| r.0, |r| r.1, default_allows,
            |r| Unknown { reason: r.1, loc: None },
        );
        // Resolve every `Maybe` both ways and run plain first match.
        let maybes: Vec<usize> = (0..rules.len()).filter(|&i| rules[i].0 == Tri::Maybe).collect();
        let mut outcomes = std::collections::BTreeSet::new();
        for bits in 0u32..(1 << maybes.len()) {
            let hit = |i: usize| match rules[i].0 {
                Tri::Yes => true,
                Tri::No => false,
                Tri::Maybe => bits >> maybes.iter().position(|&m| m == i).unwrap() & 1 == 1,
            };
            let outcome = (0..rules.len()).find(|&i| hit(i)).map_or(default_allows, |i| rules[i].1);
            outcomes.insert(outcome);
        }
        match v {
            Verdict::Allowed => prop_assert_eq!(outcomes.into_iter().collect::<Vec<_>>(), vec![true]),
            Verdict::Denied => prop_assert_eq!(outcomes.into_iter().collect::<Vec<_>>(), vec![false]),
            Verdict::Unknown(u) => {
                prop_assert_eq!(outcomes.len(), 2);
                // The rule in doubt would decide otherwise than the certain outcome.
                let certain = by.map_or(default_allows, |r| r.1);
                prop_assert_ne!(u.reason, certain);
            }
        }
        // The deciding rule is the first certain match.
        let first_yes = rules.iter().position(|r| r.0 == Tri::Yes);
        prop_assert_eq!(by.map(|r| r as *const _), first_yes.map(|i| &rules[i] as *const _));
    }

    #[test]
    fn group_verdict_follows_its_rules(kinds in prop::collection::vec(kind(), 0..12)) {
        let g = GroupVerdict::of(kinds.iter().enumerate().map(|(i, k)| (i, match k {
            Kind::Allowed => Verdict::<()>::Allowed,
            Kind::Denied => Verdict::Denied,
            Kind::Unknown => Verdict::unknown((), None),
        })));
        let n = |k: Kind| kinds.iter().filter(|&&x| x == k).count();
        let expected = if !kinds.is_empty() && n(Kind::Allowed) == kinds.len() {
            GroupKind::Allowed
        } else if !kinds.is_empty() && n(Kind::Denied) == kinds.len() {
            GroupKind::Denied
        } else if n(Kind::Allowed) > 0 && n(Kind::Denied) > 0 {
            GroupKind::Mixed
        } else {
            GroupKind::Unknown
        };
        prop_assert_eq!(g.kind, expected);
        // A uniform group verdict holds for every member; the breakdown is whole.
        if let Some(k) = g.kind.uniform() {
            prop_assert!(g.members.iter().all(|(_, v)| v.kind() == k));
        }
        prop_assert_eq!(g.members.len(), kinds.len());
        prop_assert_eq!(g.count(Kind::Allowed) + g.count(Kind::Denied) + g.count(Kind::Unknown), kinds.len());
        // The order of members does not matter.
        prop_assert_eq!(GroupKind::of_kinds(kinds.iter().rev().copied()), g.kind);
    }

    #[test]
    fn a_mixed_group_stays_mixed_as_members_join(kinds in prop::collection::vec(kind(), 0..8), more in kind()) {
        let before = GroupKind::of_kinds(kinds.iter().copied());
        let after = GroupKind::of_kinds(kinds.iter().copied().chain([more]));
        if before == GroupKind::Mixed {
            prop_assert_eq!(after, GroupKind::Mixed);
        }
        // No member can make a group verdict certain that was not.
        if before == GroupKind::Unknown && !kinds.is_empty() {
            prop_assert!(after.uniform().is_none());
        }
    }

    #[test]
    fn set_valued_group_verdict_agrees_with_the_group_rules_pointwise(members in prop::collection::vec(reach(), 0..5)) {
        let g = GroupReach::of(&members);
        for (p, port) in samples() {
            let want = GroupKind::of_kinds(members.iter().map(|r| r.at(p, port)));
            prop_assert_eq!(g.at(p, port), want, "at {} {}", p, port);
        }
        prop_assert!(g.allowed.intersect(&g.mixed).is_empty() && g.mixed.intersect(&g.unknown).is_empty());
    }
}
