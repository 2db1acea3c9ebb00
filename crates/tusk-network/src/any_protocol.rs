//! The verdict of `tusk trace --proto any`: can the source reach the
//! destination with some protocol, given one trace per protocol.
//!
//! `allowed` if any protocol's trace is allowed (one open protocol is
//! reachability), `denied` if every protocol's trace is denied, `unknown`
//! otherwise: no protocol is allowed for sure and at least one is not
//! denied for sure, so the answer depends on what tusk could not decide.
//! Decided here, in the engine, so that reporters only render it.

use crate::trace::Trace;
use crate::Verdict;
use tusk_core::Protocol;

/// The combined verdict and the protocols behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnyProtocol {
    pub verdict: Verdict,
    /// The protocols whose trace is allowed, in the traces' order.
    pub allowed: Vec<Protocol>,
    /// The protocols whose trace is denied, in the traces' order.
    pub denied: Vec<Protocol>,
}

/// Combines one trace per protocol (see the module documentation).
pub fn any_protocol(traces: &[Trace]) -> AnyProtocol {
    let by = |v: Verdict| traces.iter().filter(|t| t.verdict == v).map(|t| t.flow.proto).collect::<Vec<_>>();
    let (allowed, denied) = (by(Verdict::Allowed), by(Verdict::Denied));
    let verdict = if !allowed.is_empty() {
        Verdict::Allowed
    } else if denied.len() == traces.len() {
        Verdict::Denied
    } else {
        Verdict::Unknown
    };
    AnyProtocol { verdict, allowed, denied }
}
