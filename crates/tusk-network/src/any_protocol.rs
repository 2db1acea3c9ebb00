//! The verdict of `tusk trace --proto any`: can the source reach the
//! destination with some protocol, given one trace per protocol.
//!
//! `allowed` if any protocol's trace is allowed (one open protocol is
//! reachability), `denied` if every protocol's trace is denied, `unknown`
//! otherwise: no protocol is allowed for sure and at least one is not
//! denied for sure, so the answer depends on what tusk could not decide.
//! Decided here, in the engine, so that reporters only render it.

use crate::trace::Trace;
use crate::Kind;
use tusk_core::Protocol;

/// The combined verdict and the protocols behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnyProtocol {
    /// Allowed if some protocol's trace is, denied if all are, else unknown.
    pub verdict: Kind,
    /// The protocols whose trace is allowed, in the traces' order.
    pub allowed: Vec<Protocol>,
    /// The protocols whose trace is denied, in the traces' order.
    pub denied: Vec<Protocol>,
}

/// Combines one trace per protocol (see the module documentation).
pub fn any_protocol(traces: &[Trace]) -> AnyProtocol {
    combine(traces.iter().map(|t| (t.flow.proto, t.verdict)))
}

/// The rule itself, over each protocol's verdict.
fn combine(verdicts: impl Iterator<Item = (Protocol, Kind)> + Clone) -> AnyProtocol {
    let by = |v: Kind| verdicts.clone().filter(|(_, x)| *x == v).map(|(p, _)| p).collect::<Vec<_>>();
    let (allowed, denied) = (by(Kind::Allowed), by(Kind::Denied));
    let verdict = if !allowed.is_empty() {
        Kind::Allowed
    } else if denied.len() == verdicts.count() {
        Kind::Denied
    } else {
        Kind::Unknown
    };
    AnyProtocol { verdict, allowed, denied }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Kind::{Allowed, Denied, Unknown};
    use Protocol::{Icmp, Tcp, Udp};

    fn of(v: &[(Protocol, Kind)]) -> AnyProtocol {
        combine(v.iter().copied())
    }

    #[test]
    fn one_allowed_protocol_is_reachability() {
        let a = of(&[(Tcp, Denied), (Udp, Allowed), (Icmp, Unknown)]);
        assert_eq!((a.verdict, a.allowed, a.denied), (Allowed, vec![Udp], vec![Tcp]));
    }

    #[test]
    fn denied_only_when_every_protocol_is_denied() {
        assert_eq!(of(&[(Tcp, Denied), (Udp, Denied), (Icmp, Denied)]).verdict, Denied);
        // One protocol tusk cannot decide keeps the answer open, never denied by guess.
        let a = of(&[(Tcp, Denied), (Udp, Unknown), (Icmp, Denied)]);
        assert_eq!((a.verdict, a.denied), (Unknown, vec![Tcp, Icmp]));
        assert_eq!(of(&[(Tcp, Unknown)]).verdict, Unknown);
    }
}
