//! The small vocabulary every stage of tusk speaks: where a thing came from
//! ([`Loc`]), what went wrong while loading it ([`LoadError`], [`Diagnostic`]
//! with its stable [`Code`]), and the set
//! algebra the engines are built on ([`IntervalSet`], [`IpSet`], [`PortSet`],
//! [`ConnSet`]), and the verdict algebra both engines speak: [`Verdict`]
//! (allowed / denied / unknown with a typed reason and a location),
//! first-match over three-valued matches ([`tri`]), set-valued [`Reach`]
//! with sequential and parallel composition, and the verdict of a group
//! ([`GroupVerdict`]: allowed / denied / mixed / unknown with its breakdown).
//!
//! This crate knows nothing of Azure or Kubernetes objects and does no I/O.

#![warn(missing_docs)]

pub mod conn;
pub mod cuts;
pub mod endpoint;
pub mod error;
pub mod flow;
pub mod group;
pub mod idx;
pub mod interval;
pub mod ip;
pub mod loc;
pub mod reach;
pub mod tri;
pub mod verdict;

pub use conn::{ConnSet, Protocol};
pub use cuts::{PortAtom, PortCuts};
pub use endpoint::{FlowEnd, NotationError};
pub use error::{Code, Diagnostic, LoadError, Severity, Warning};
pub use flow::Flow;
pub use group::{GroupKind, GroupVerdict};
pub use idx::{Idx, IdxVec};
pub use interval::{IntervalSet, PortSet};
pub use ip::{IpRange, IpSet};
pub use loc::{Loc, Pos};
pub use reach::{GroupReach, Reach};
pub use tri::Tri;
pub use verdict::{Kind, Unknown, Verdict};
