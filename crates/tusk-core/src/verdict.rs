//! The verdict of one flow: allowed, denied, or unknown — and when unknown,
//! why, as a typed reason, and where in the input the doubt comes from.
//!
//! Both engines speak this type. Each brings its own reason type `R` (an
//! enum of what it can fail to decide: an unknown service tag, a pod whose
//! address the input lacks, …), so a reason is data that a reporter words,
//! never an English string decided by the engine. [`Kind`] is the verdict
//! without its reason: what matrices store and counts are made of.
//!
//! Composition in packet order is [`Verdict::then`]: a flow passes two
//! controls in sequence only if both let it pass. A denial by either is
//! certain whatever the other would have done, so it wins over an unknown;
//! an unknown is never upgraded to allowed.

use crate::loc::Loc;
use std::fmt;

/// The three values of a verdict without its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The flow gets through.
    Allowed,
    /// The flow is dropped.
    Denied,
    /// The inputs do not decide.
    Unknown,
}

impl Kind {
    /// `allowed`, `denied` or `unknown`: the word every output uses.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Allowed => "allowed",
            Kind::Denied => "denied",
            Kind::Unknown => "unknown",
        }
    }

    /// Sequential composition on kinds, the shape of [`Verdict::then`]:
    /// denied if either denies, allowed if both allow, else unknown.
    pub fn then(self, next: Kind) -> Kind {
        match (self, next) {
            (Kind::Denied, _) | (_, Kind::Denied) => Kind::Denied,
            (Kind::Allowed, Kind::Allowed) => Kind::Allowed,
            _ => Kind::Unknown,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a verdict is unknown: the engine's typed reason and, when the doubt
/// comes from one place in the input (a rule, a selector, an object), that
/// place. `loc` is `None` only when the doubt is the absence of something
/// (no route at all, an address in no subnet), which has no line to cite.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unknown<R> {
    /// The engine's typed reason for the doubt.
    pub reason: R,
    /// Where the doubt comes from; `None` when it is the absence of something.
    pub loc: Option<Loc>,
}

/// The verdict of one flow through one control, or through a whole path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Verdict<R> {
    /// The flow gets through.
    Allowed,
    /// The flow is dropped.
    Denied,
    /// The inputs do not decide; the reason and where it comes from.
    Unknown(Unknown<R>),
}

impl<R> Verdict<R> {
    /// An unknown verdict with its reason and source location.
    pub fn unknown(reason: R, loc: Option<Loc>) -> Verdict<R> {
        Verdict::Unknown(Unknown { reason, loc })
    }

    /// Allowed or denied for sure.
    pub fn certain(allowed: bool) -> Verdict<R> {
        if allowed {
            Verdict::Allowed
        } else {
            Verdict::Denied
        }
    }

    /// The verdict without its reason.
    pub fn kind(&self) -> Kind {
        match self {
            Verdict::Allowed => Kind::Allowed,
            Verdict::Denied => Kind::Denied,
            Verdict::Unknown(_) => Kind::Unknown,
        }
    }

    /// Allowed for sure?
    pub fn is_allowed(&self) -> bool {
        matches!(self, Verdict::Allowed)
    }

    /// Denied for sure?
    pub fn is_denied(&self) -> bool {
        matches!(self, Verdict::Denied)
    }

    /// Unknown?
    pub fn is_unknown(&self) -> bool {
        matches!(self, Verdict::Unknown(_))
    }

    /// The reason, when unknown.
    pub fn why(&self) -> Option<&Unknown<R>> {
        match self {
            Verdict::Unknown(u) => Some(u),
            _ => None,
        }
    }

    /// Sequential composition: the flow passes `self`, then `next`. Denied
    /// if either denies (a certain denial holds whatever the other does);
    /// allowed only if both allow; otherwise unknown, keeping the first
    /// doubt on the way (the one a user must resolve first).
    pub fn then(self, next: Verdict<R>) -> Verdict<R> {
        match (self, next) {
            (Verdict::Denied, _) | (_, Verdict::Denied) => Verdict::Denied,
            (Verdict::Allowed, Verdict::Allowed) => Verdict::Allowed,
            (Verdict::Unknown(u), _) | (_, Verdict::Unknown(u)) => Verdict::Unknown(u),
        }
    }

    /// The same verdict with the reason mapped, e.g. into a wider enum when
    /// one engine's verdict becomes part of a joined path.
    pub fn map_reason<S>(self, f: impl FnOnce(R) -> S) -> Verdict<S> {
        match self {
            Verdict::Allowed => Verdict::Allowed,
            Verdict::Denied => Verdict::Denied,
            Verdict::Unknown(Unknown { reason, loc }) => Verdict::Unknown(Unknown { reason: f(reason), loc }),
        }
    }
}

impl<R> From<&Verdict<R>> for Kind {
    fn from(v: &Verdict<R>) -> Kind {
        v.kind()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_denial_wins_over_an_unknown_in_sequence_and_the_first_doubt_is_kept() {
        let u = |r: u8| Verdict::unknown(r, None);
        assert_eq!(u(1).then(Verdict::Denied), Verdict::Denied);
        assert_eq!(Verdict::Denied.then(u(1)), Verdict::Denied);
        assert_eq!(u(1).then(u(2)), u(1));
        assert_eq!(Verdict::Allowed.then(u(2)), u(2));
        assert_eq!(Verdict::<u8>::Allowed.then(Verdict::Allowed), Verdict::Allowed);
    }
}
