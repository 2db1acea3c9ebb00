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

/// `FROM -> TO PROTO PORT` (no port for a protocol without ports): how
/// every reporter names one flow between two ends it has already worded.
pub(crate) fn flow_line(
    from: impl std::fmt::Display,
    to: impl std::fmt::Display,
    proto: tusk_core::Protocol,
    port: Option<u16>,
) -> String {
    match port {
        Some(port) => format!("{from} -> {to} {proto} {port}"),
        None => format!("{from} -> {to} {proto}"),
    }
}
