//! The verdict about a group: a subnet, a workload, a node pool, an address
//! range. A claim about a group must hold for every member, so a group is
//! `allowed` only if every member pair is allowed, `denied` only if every
//! member pair is denied, `mixed` if at least one pair is allowed and one
//! denied (a certain disagreement), and `unknown` otherwise (some pair is
//! undecided and no certain disagreement shows). The per-pair breakdown is
//! kept, so a report can name the members on each side.
//!
//! A group without members claims nothing: its verdict is `unknown`.

use crate::verdict::{Kind, Verdict};
use std::fmt;

/// The four values of a group verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupKind {
    /// Every member pair is allowed (and there is at least one).
    Allowed,
    /// Every member pair is denied (and there is at least one).
    Denied,
    /// At least one member pair is allowed and at least one is denied.
    Mixed,
    /// Neither of the above: some pair is unknown, or there are no members.
    Unknown,
}

impl GroupKind {
    /// `allowed`, `denied`, `mixed` or `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            GroupKind::Allowed => "allowed",
            GroupKind::Denied => "denied",
            GroupKind::Mixed => "mixed",
            GroupKind::Unknown => "unknown",
        }
    }

    /// The group verdict of member verdicts given as counts.
    pub fn of_counts(allowed: usize, denied: usize, unknown: usize) -> GroupKind {
        match (allowed, denied, unknown) {
            (0, 0, _) => GroupKind::Unknown,
            (a, 0, 0) if a > 0 => GroupKind::Allowed,
            (0, d, 0) if d > 0 => GroupKind::Denied,
            (a, d, _) if a > 0 && d > 0 => GroupKind::Mixed,
            _ => GroupKind::Unknown,
        }
    }

    /// The group verdict of any number of member kinds.
    pub fn of_kinds(kinds: impl IntoIterator<Item = Kind>) -> GroupKind {
        let mut n = [0usize; 3];
        for k in kinds {
            n[k as usize] += 1;
        }
        GroupKind::of_counts(n[Kind::Allowed as usize], n[Kind::Denied as usize], n[Kind::Unknown as usize])
    }

    /// The verdict this group verdict states for every member, when there
    /// is one (`mixed` and `unknown` state none).
    pub fn uniform(self) -> Option<Kind> {
        match self {
            GroupKind::Allowed => Some(Kind::Allowed),
            GroupKind::Denied => Some(Kind::Denied),
            GroupKind::Mixed | GroupKind::Unknown => None,
        }
    }
}

impl fmt::Display for GroupKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A group verdict with its breakdown: each member pair `P` (for example
/// `(source NIC, destination NIC)`) and its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupVerdict<P, R> {
    /// The group verdict, derived from `members`.
    pub kind: GroupKind,
    /// Each member pair with its own verdict, in the order given.
    pub members: Vec<(P, Verdict<R>)>,
}

impl<P, R> GroupVerdict<P, R> {
    /// The group verdict of the given member pairs.
    pub fn of(members: impl IntoIterator<Item = (P, Verdict<R>)>) -> GroupVerdict<P, R> {
        let members: Vec<(P, Verdict<R>)> = members.into_iter().collect();
        let kind = GroupKind::of_kinds(members.iter().map(|(_, v)| v.kind()));
        GroupVerdict { kind, members }
    }

    /// How many member pairs have verdict `k`.
    pub fn count(&self, k: Kind) -> usize {
        self.members.iter().filter(|(_, v)| v.kind() == k).count()
    }

    /// The member pairs whose verdict is `k`.
    pub fn with(&self, k: Kind) -> impl Iterator<Item = &(P, Verdict<R>)> {
        self.members.iter().filter(move |(_, v)| v.kind() == k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_denied_member_makes_an_allowed_group_mixed() {
        let g = GroupVerdict::of([("a", Verdict::<()>::Allowed), ("b", Verdict::Denied)]);
        assert_eq!(g.kind, GroupKind::Mixed);
        assert_eq!(g.count(Kind::Denied), 1);
        assert_eq!(g.with(Kind::Allowed).map(|(p, _)| *p).collect::<Vec<_>>(), ["a"]);
        assert_eq!(GroupKind::of_kinds([]), GroupKind::Unknown);
        assert_eq!(GroupKind::of_kinds([Kind::Allowed, Kind::Unknown]), GroupKind::Unknown);
        assert_eq!(GroupKind::of_kinds([Kind::Denied, Kind::Denied]), GroupKind::Denied);
    }
}
