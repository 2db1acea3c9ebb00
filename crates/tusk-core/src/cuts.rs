//! Port cuts: the places along the port line (1–65535) of each protocol
//! with ports (TCP, UDP, SCTP) where some rule of some layer may start or
//! stop matching. Between two consecutive cuts every rule that names ports
//! matches all ports or none, so any verdict computed from those rules is
//! the same for every port of the interval: an *atom*. Evaluating one
//! representative port per atom and merging the answers gives the verdict
//! of every port ([`crate::ConnSet`]) at the cost of one evaluation per atom.
//!
//! Each engine adds the boundaries of the rules it reads (the Azure network
//! in `tusk-network`, the Kubernetes policies in `tusk-policy`); the join
//! merges them. A boundary source left out makes the merged answer wrong,
//! which the tests of the per-atom matrix check by sampling ports inside
//! each atom.

use crate::conn::Protocol;
use crate::interval::PortSet;
use std::collections::BTreeSet;

/// Cuts per protocol with ports. A cut at `p` means ports `p - 1` and `p`
/// may differ; port 1 always starts an atom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortCuts {
    starts: [BTreeSet<u16>; 3],
}

/// One atom: a protocol and an interval of its ports (inclusive), or a
/// protocol without ports (`ports` is `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortAtom {
    /// The protocol.
    pub proto: Protocol,
    /// `(lo, hi)`, 1 ≤ lo ≤ hi ≤ 65535; `None` for ICMP, ESP, AH, others.
    pub ports: Option<(u16, u16)>,
}

impl PortAtom {
    /// The atom's port representative: its first port (`None` without ports).
    pub fn port(&self) -> Option<u16> {
        self.ports.map(|p| p.0)
    }

    /// The atom as a connection set.
    pub fn conns(&self) -> crate::ConnSet {
        match self.ports {
            Some((lo, hi)) => crate::ConnSet::of(self.proto, PortSet::range(lo, hi)),
            None => crate::ConnSet::of(self.proto, PortSet::empty()),
        }
    }
}

fn slot(proto: Protocol) -> Option<usize> {
    Protocol::PORTED.iter().position(|p| *p == proto)
}

impl PortCuts {
    /// No cut: one atom per protocol.
    pub fn new() -> PortCuts {
        PortCuts::default()
    }

    /// Ports `lo..=hi` of `proto` may be matched apart from their
    /// neighbours (cuts at `lo` and `hi + 1`). Ignored for protocols
    /// without ports. Port 0 is read as 1 (Azure's `0-65535`).
    pub fn range(&mut self, proto: Protocol, lo: u16, hi: u16) {
        let Some(i) = slot(proto) else { return };
        let (lo, hi) = (lo.max(1), hi.max(1));
        if lo > hi {
            return;
        }
        self.starts[i].insert(lo);
        if hi < u16::MAX {
            self.starts[i].insert(hi + 1);
        }
    }

    /// [`PortCuts::range`] for one port.
    pub fn port(&mut self, proto: Protocol, port: u16) {
        self.range(proto, port, port);
    }

    /// [`PortCuts::range`] for every range of `ports`.
    pub fn set(&mut self, proto: Protocol, ports: &PortSet) {
        for &(lo, hi) in ports.ranges() {
            self.range(proto, lo, hi);
        }
    }

    /// [`PortCuts::range`] on TCP, UDP and SCTP at once (a rule for any protocol).
    pub fn any(&mut self, lo: u16, hi: u16) {
        for p in Protocol::PORTED {
            self.range(p, lo, hi);
        }
    }

    /// [`PortCuts::set`] on TCP, UDP and SCTP at once.
    pub fn any_set(&mut self, ports: &PortSet) {
        for p in Protocol::PORTED {
            self.set(p, ports);
        }
    }

    /// Adds every cut of `other`.
    pub fn merge(&mut self, other: &PortCuts) {
        for (a, b) in self.starts.iter_mut().zip(&other.starts) {
            a.extend(b.iter().copied());
        }
    }

    /// Removes the cut at `port` of `proto` (for tests that plant a missing
    /// boundary); returns whether there was one.
    pub fn remove(&mut self, proto: Protocol, port: u16) -> bool {
        slot(proto).is_some_and(|i| self.starts[i].remove(&port))
    }

    /// The atoms of `proto`: consecutive intervals covering 1–65535, in
    /// order; one atom without ports for a protocol without ports.
    pub fn atoms(&self, proto: Protocol) -> Vec<PortAtom> {
        let Some(i) = slot(proto) else { return vec![PortAtom { proto, ports: None }] };
        let mut starts: Vec<u16> = self.starts[i].iter().copied().filter(|&p| p > 1).collect();
        starts.insert(0, 1);
        let mut out = Vec::with_capacity(starts.len());
        for (k, &lo) in starts.iter().enumerate() {
            let hi = starts.get(k + 1).map_or(u16::MAX, |n| n - 1);
            out.push(PortAtom { proto, ports: Some((lo, hi)) });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoms_cover_the_port_line_without_overlap() {
        let mut c = PortCuts::new();
        c.range(Protocol::Tcp, 80, 80);
        c.range(Protocol::Tcp, 8080, 8090);
        c.range(Protocol::Tcp, 0, 65535);
        c.range(Protocol::Icmp, 1, 2);
        let a: Vec<_> = c.atoms(Protocol::Tcp).into_iter().map(|a| a.ports.unwrap()).collect();
        assert_eq!(a, vec![(1, 79), (80, 80), (81, 8079), (8080, 8090), (8091, 65535)]);
        assert_eq!(c.atoms(Protocol::Udp).len(), 1);
        assert_eq!(c.atoms(Protocol::Icmp), vec![PortAtom { proto: Protocol::Icmp, ports: None }]);
        assert!(c.remove(Protocol::Tcp, 81));
        assert_eq!(c.atoms(Protocol::Tcp)[1].ports, Some((80, 8079)));
    }
}
