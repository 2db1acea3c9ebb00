//! Set-valued verdicts: for every connection (protocol, port) at once,
//! which are surely allowed and which may or may not be. The rest are
//! surely denied. This is the currency between layers (DESIGN.md, "The
//! shape of the code as the layers join"): a pod's egress policy, the node,
//! the Azure walk and the destination's ingress policy each give a
//! [`Reach`], and the flow's answer is their composition in packet order,
//! `egress.then(datapath).then(azure).then(ingress)`.
//!
//! Invariant: `allowed ∩ unknown = ∅`. Every constructor and operation keeps
//! it, so a connection is in exactly one of allowed, unknown, denied.

use crate::conn::{ConnSet, Protocol};
use crate::group::GroupKind;
use crate::verdict::Kind;

/// Which connections are allowed for sure, and which are unknown; every
/// other connection is denied for sure.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Reach {
    allowed: ConnSet,
    unknown: ConnSet,
}

impl Reach {
    /// `allowed` for sure, `unknown` where undecided; a connection in both
    /// is allowed (the certain knowledge wins over a weaker claim).
    pub fn new(allowed: ConnSet, unknown: ConnSet) -> Reach {
        let unknown = unknown.subtract(&allowed);
        Reach { allowed, unknown }
    }

    /// Every connection allowed (a layer with no say, e.g. no policy).
    pub fn all() -> Reach {
        Reach { allowed: ConnSet::all(), unknown: ConnSet::none() }
    }

    /// Every connection denied.
    pub fn none() -> Reach {
        Reach::default()
    }

    /// `conns` allowed, the rest denied, nothing unknown.
    pub fn certain(conns: ConnSet) -> Reach {
        Reach { allowed: conns, unknown: ConnSet::none() }
    }

    /// The connections allowed for sure.
    pub fn allowed(&self) -> &ConnSet {
        &self.allowed
    }

    /// The connections whose verdict the inputs leave open (disjoint from
    /// [`Reach::allowed`]).
    pub fn unknown(&self) -> &ConnSet {
        &self.unknown
    }

    /// The connections that may be allowed: allowed ∪ unknown.
    pub fn possible(&self) -> ConnSet {
        self.allowed.union(&self.unknown)
    }

    /// The connections denied for sure.
    pub fn denied(&self) -> ConnSet {
        ConnSet::all().subtract(&self.possible())
    }

    /// The verdict of one connection (the port is ignored for protocols
    /// without ports).
    pub fn at(&self, proto: Protocol, port: u16) -> Kind {
        if self.allowed.allows(proto, port) {
            Kind::Allowed
        } else if self.unknown.allows(proto, port) {
            Kind::Unknown
        } else {
            Kind::Denied
        }
    }

    /// Sequential composition: a connection passes `self`, then `next`.
    /// Allowed where both surely allow; denied where either surely denies;
    /// unknown elsewhere. Pointwise it is [`Kind::then`].
    pub fn then(&self, next: &Reach) -> Reach {
        let allowed = self.allowed.intersect(&next.allowed);
        let possible = self.possible().intersect(&next.possible());
        Reach { unknown: possible.subtract(&allowed), allowed }
    }

    /// Parallel composition of two answers that cannot be told apart: two
    /// readings of an input (hostNetwork pods selectable or not), or two
    /// members of a group asked about at once. Allowed only where both
    /// surely allow, denied only where both surely deny, unknown elsewhere:
    /// a connection on which they disagree is unknown.
    pub fn both(&self, other: &Reach) -> Reach {
        let allowed = self.allowed.intersect(&other.allowed);
        let possible = self.possible().union(&other.possible());
        Reach { unknown: possible.subtract(&allowed), allowed }
    }

    /// Is the invariant `allowed ∩ unknown = ∅` kept? (For tests: every
    /// operation keeps it.)
    pub fn is_consistent(&self) -> bool {
        self.allowed.intersect(&self.unknown).is_empty()
    }
}

/// The set-valued group verdict: per connection, the [`GroupKind`] of the
/// members' [`Reach`]es (allowed / denied only where every member is,
/// mixed where at least one allows and one denies, unknown elsewhere).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupReach {
    /// The connections every member allows.
    pub allowed: ConnSet,
    /// The connections some member allows and another denies.
    pub mixed: ConnSet,
    /// The connections neither uniform nor certainly mixed.
    pub unknown: ConnSet,
}

impl GroupReach {
    /// The group verdict of `members` (none: nothing is claimed, every
    /// connection is unknown).
    pub fn of<'a>(members: impl IntoIterator<Item = &'a Reach>) -> GroupReach {
        let mut all_allowed: Option<ConnSet> = None;
        let mut all_denied: Option<ConnSet> = None;
        let (mut any_allowed, mut any_denied) = (ConnSet::none(), ConnSet::none());
        for r in members {
            let denied = r.denied();
            all_allowed = Some(all_allowed.map_or(r.allowed.clone(), |a| a.intersect(&r.allowed)));
            all_denied = Some(all_denied.map_or(denied.clone(), |d| d.intersect(&denied)));
            any_allowed = any_allowed.union(&r.allowed);
            any_denied = any_denied.union(&denied);
        }
        let allowed = all_allowed.unwrap_or_default();
        let denied = all_denied.unwrap_or_default();
        let mixed = any_allowed.intersect(&any_denied);
        let unknown = ConnSet::all().subtract(&allowed).subtract(&denied).subtract(&mixed);
        GroupReach { allowed, mixed, unknown }
    }

    /// The connections every member denies.
    pub fn denied(&self) -> ConnSet {
        ConnSet::all().subtract(&self.allowed).subtract(&self.mixed).subtract(&self.unknown)
    }

    /// The group verdict of one connection.
    pub fn at(&self, proto: Protocol, port: u16) -> GroupKind {
        if self.allowed.allows(proto, port) {
            GroupKind::Allowed
        } else if self.mixed.allows(proto, port) {
            GroupKind::Mixed
        } else if self.unknown.allows(proto, port) {
            GroupKind::Unknown
        } else {
            GroupKind::Denied
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interval::PortSet;

    #[test]
    fn then_denies_where_either_denies_and_keeps_doubt_elsewhere() {
        let tcp80 = ConnSet::of(Protocol::Tcp, PortSet::single(80));
        let tcp = ConnSet::of(Protocol::Tcp, PortSet::all_ports());
        let egress = Reach::new(tcp.clone(), ConnSet::none());
        let ingress = Reach::new(ConnSet::none(), tcp80.clone());
        let r = egress.then(&ingress);
        assert_eq!(r.at(Protocol::Tcp, 80), Kind::Unknown);
        assert_eq!(r.at(Protocol::Tcp, 81), Kind::Denied);
        assert_eq!(r.at(Protocol::Udp, 53), Kind::Denied);
        assert!(r.allowed().is_empty());
    }
}
