//! Analyses over a loaded [`tusk_model::Estate`].
//!
//! Architecture invariant: the engine does no I/O and never fails; an input
//! it cannot decide on becomes an `unknown` verdict with a reason.

pub mod azure;
