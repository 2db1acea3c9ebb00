//! Reporters: render analysis results as text and JSON.
//!
//! Architecture invariant: reporters render and never decide.

pub mod azure;
