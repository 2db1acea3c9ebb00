//! The small vocabulary every stage of tusk speaks: where a thing came from
//! ([`Loc`]), what went wrong while loading it ([`LoadError`], [`Diagnostic`]
//! with its stable [`Code`]), and the set
//! algebra the engines are built on ([`IntervalSet`], [`IpSet`], [`PortSet`],
//! [`ConnSet`]).
//!
//! This crate knows nothing of Azure or Kubernetes objects and does no I/O.

pub mod conn;
pub mod error;
pub mod interval;
pub mod ip;
pub mod loc;

pub use conn::{ConnSet, Protocol};
pub use error::{Code, Diagnostic, LoadError, Severity, Warning};
pub use interval::{IntervalSet, PortSet};
pub use ip::{IpRange, IpSet};
pub use loc::{Loc, Pos};
