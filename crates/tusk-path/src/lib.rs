//! tusk-path: where the Kubernetes layer meets the Azure layer. Today:
//! which nodes each AKS node pool stands for ([`nodes`]), which addresses
//! its nodes and pods can have under the cluster's network plugin
//! ([`addressing`]), where the scheduler can put each workload's pods and
//! what a node or zone failure takes away ([`schedule`](mod@schedule)), which cluster a
//! manifest belongs to ([`binding`]), and the kubenet route-table budget
//! ([`route_budget`]); the data path per plugin ([`datapath`]) and the
//! end-to-end flow across both engines, for the pod or node actor
//! ([`join`], wired by `wiring`), what the demo states of it
//! ([`findings`]), the per-pair tenant matrix ([`tenants`], kept as the
//! oracle) and the class-based isolation matrix at any grain ([`matrix`]). It imports both
//! engines; they never import it.
//!
//! Architecture invariant: no I/O, and no guess presented as a fact. Where
//! AKS leaves a choice open (which address a node gets, which /24 of the
//! pod CIDR a kubenet node takes, the hash in a node's name), a node or pod
//! carries the *set* of what it could be, and everything computed from it
//! must hold for the whole set. A placement is a documented simulation of
//! the scheduler; the feasible pools and zones are exact.

#![warn(missing_docs)]

pub mod addressing;
pub mod any_protocol;
pub mod binding;
pub mod datapath;
pub mod errors;
pub mod findings;
pub mod impact;
pub mod ingress;
pub mod join;
pub mod matrix;
pub mod nodes;
pub mod probe;
pub mod route_budget;
pub mod schedule;
pub mod segment;
mod select;
mod services;
pub mod tenants;
pub mod ways_in;
mod wiring;

pub use nodes::{materialise, Fleet, NodeAddr, SimNode};
pub use schedule::{schedule, Schedule};
