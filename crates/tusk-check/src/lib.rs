//! What a pull request needs from tusk: the intents of `tusk.yaml` checked
//! against the estate ([`intent`]; across both layers through the AKS join,
//! [`joined`]), with a concrete counterexample for each violated one.
//! Every answer comes from the engines (`tusk-network` for the Azure
//! network, `tusk-policy` for Kubernetes policies, `tusk-path` for the two
//! joined); this crate
//! only asks them the right questions and judges their answers against the
//! intent. An intent about a group (a subnet, a CIDR, a workload) is judged
//! on every member pair, so `mustNotReach` holds only when every pair is
//! denied; an answer the engines leave unknown is `unknown`, never a pass.
//!
//! Rendering (text, JSON, SARIF, JUnit) is `tusk-report`'s; exit codes are
//! the CLI's.

#![warn(missing_docs)]

pub mod audit;
pub mod diff;
pub mod diff_subnets;
pub mod diff_tenants;
pub mod errors;
pub mod intent;
pub mod joined;

pub use errors::{CheckError, DiffError, EndFailure, EndSide, TenantError};
pub use intent::{check, Aks, Engines, JoinedWitness, LabelledFlow, Outcome, Skip, Status, Summary, Witness};
