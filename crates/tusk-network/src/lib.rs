//! The Azure network engine: effective routes, NSG and admin-rule
//! evaluation, Azure Firewall rule processing, and the hop-by-hop trace of
//! one flow with its return path.
//!
//! One idea per file: [`routes`] (effective routes of a subnet), [`nsg`]
//! (security rules), [`avnm`] (admin rules), [`firewall`] (Azure Firewall),
//! [`nva`] (a generic NVA's `tusk.yaml` rules),
//! [`trace`] (the walk), [`endpoint`] (what `--from`/`--to` name), [`reach`]
//! (all subnet pairs). [`Prepared`] holds the indexes they share.
//!
//! Verdicts are three-valued: a rule whose match tusk cannot decide (an
//! unknown service tag, an ASG outside the inputs, an FQDN) makes the
//! verdict [`Verdict::Unknown`] unless every such rule would have decided
//! the same way. Nothing here guesses.

pub mod avnm;
pub mod endpoint;
pub mod firewall;
pub mod group_trace;
pub mod members;
pub mod nsg;
pub mod nva;
mod prepared;
pub mod reach;
pub mod routes;
#[cfg(test)]
mod testutil;
pub mod trace;
mod tri;
mod walk;

pub use prepared::{Owner, Prepared};
pub use tri::Tri;

use std::fmt;
use std::net::IpAddr;
use tusk_core::{Loc, Protocol};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    Allowed,
    Denied,
    Unknown,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The rule (or route, or built-in behaviour) that decided something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cite {
    /// What holds the rule: `NSG nsg-app`, `route table rt-spoke`, ...
    pub holder: String,
    pub rule: String,
    pub priority: Option<u32>,
    pub loc: Loc,
}

/// A decision of one control: verdict, why, and the deciding rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    pub reason: String,
    pub cite: Option<Cite>,
}

impl Decision {
    pub fn new(verdict: Verdict, reason: impl Into<String>, cite: Option<Cite>) -> Decision {
        Decision { verdict, reason: reason.into(), cite }
    }
}

/// One flow: addresses, protocol and destination port (`None`: any port).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flow {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub proto: Protocol,
    pub port: Option<u16>,
}
