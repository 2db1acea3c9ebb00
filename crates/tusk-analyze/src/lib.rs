//! Analyses: read an [`tusk_model::Estate`], return results and diagnostics.
//!
//! Architecture invariant: the engines do no I/O and never fail on input they
//! do not understand; such input yields an `unknown` verdict with a reason
//! and the source location. Results are plain data for the reporters.

pub mod azure;
pub mod k8s;
