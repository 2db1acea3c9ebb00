//! Reporters: analysis results in, text out.
//!
//! Architecture invariant: reporters render and never decide. Every verdict,
//! port set and location they print was computed by the engines (`tusk-policy`, `tusk-network`); the JSON
//! shapes are contracts, documented where they are produced, built from
//! serialize-only types kept apart from the model.

#![warn(missing_docs)]

pub mod audit;
mod audit_words;
pub mod azure;
pub mod check;
pub mod diagnostics;
pub mod diff;
pub mod k8s;
pub mod load;
pub mod path;
pub mod path_errors;
pub mod path_matrix;
pub mod path_matrix_ports;
mod path_words;
pub mod schedule;
