//! The Azure network engine: effective routes, NSG and admin-rule
//! evaluation, Azure Firewall rule processing, and the hop-by-hop trace of
//! one flow with its return path.
//!
//! One idea per file, in build order: [`index`] (the estate without
//! routes), [`routes`] (effective routes of a subnet), [`Prepared`] (both,
//! and `tusk.yaml`'s NVA rules, built in one step); one control each:
//! [`nsg`] (security rules), [`avnm`] (admin rules), [`peering`],
//! [`firewall`] (Azure Firewall), [`nva`] (a generic NVA's `tusk.yaml`
//! rules); [`path`] and [`trace`] (the walk of a flow and its reply),
//! [`endpoint`] (what `--from`/`--to` name), [`reach`] (all subnet pairs),
//! [`effective`] (effective security rules). Results are data
//! ([`decision`]: verdict, typed reason, cited rule, hop, translations);
//! `tusk-report` words them.
//!
//! Verdicts are three-valued: a rule whose match tusk cannot decide (an
//! unknown service tag, an ASG outside the inputs, an FQDN, a port field
//! tusk cannot read) makes the verdict [`Kind::Unknown`] (the vocabulary of
//! `tusk-core`) unless every such rule would have decided the same way.
//! Nothing here guesses, and nothing here writes English.

#![warn(missing_docs)]

pub mod any_protocol;
pub mod appgw;
pub mod appgw_path;
pub mod avnm;
pub mod bastion;
pub mod bastion_nsg;
pub mod decision;
pub mod dns;
pub mod effective;
pub mod endpoint;
pub mod firewall;
pub mod fqdn;
mod fx;
pub mod group_trace;
pub mod index;
pub mod lb;
pub mod members;
pub mod nat;
pub mod nsg;
pub mod nva;
pub mod path;
pub mod peering;
pub mod port_cuts;
mod prepared;
pub mod reach;
pub mod routes;
pub mod service_tags;
#[cfg(test)]
mod testutil;
pub mod trace;
pub mod vwan;
mod walk;

pub use decision::{Cite, Decision, Hop, Nat, Reason};
pub use index::{EstateIndex, Owner};
pub use prepared::Prepared;
pub use tusk_core::{Flow, Kind, Tri};
