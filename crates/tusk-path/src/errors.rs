//! Why a question across both layers cannot be asked (bad input or usage):
//! an end that names no pod, node or Azure resource, a matrix with fewer
//! than two rows, a tenant pair too large to trace pair by pair. Data
//! only: tusk-report words each (`tusk_report::path_errors`), so that
//! `trace`, `matrix`, `check` and `diff` print one sentence per case.
//! The Service and Ingress errors live beside their resolvers
//! (`services.rs`, `ingress.rs`).

use crate::matrix::Grain;

/// Why `--from` / `--to` of `tusk trace` across both layers (or an
/// intent's end) cannot be resolved ([`crate::join::resolve`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndError {
    /// The cluster's resolver refused the end (tusk-policy's reasons).
    Cluster(tusk_policy::endpoint::EndError),
    /// A pod of the end can run on no node (see `tusk schedule`).
    Unschedulable {
        /// The pod, as outputs name it (`ns/name`, with its workload).
        pod: String,
    },
    /// An address given as a pod end is no pod's (the end as asked).
    NotAPod(String),
    /// `node:NAME` names no node and no node pool (the name as asked).
    NoNode(String),
    /// The Azure resolver refused the end.
    Azure(tusk_network::endpoint::ResolveError),
}

impl From<tusk_policy::endpoint::EndError> for EndError {
    fn from(e: tusk_policy::endpoint::EndError) -> EndError {
        EndError::Cluster(e)
    }
}

impl From<tusk_network::endpoint::ResolveError> for EndError {
    fn from(e: tusk_network::endpoint::ResolveError) -> EndError {
        EndError::Azure(e)
    }
}

/// The matrix at `grain` has fewer than two units (rows), so no cell
/// ([`crate::matrix::units`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooFewUnits {
    /// The grain asked.
    pub grain: Grain,
    /// The namespace label naming tenants (read for [`Grain::Tenant`]).
    pub label: String,
}

/// Why the per-pair tenant matrix cannot be computed
/// ([`crate::tenants::matrix`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantsError {
    /// No two namespaces carry different values of the tenant label.
    FewerThanTwo {
        /// The namespace label naming tenants.
        label: String,
    },
    /// A tenant pair stands for more than [`crate::join::MAX_PAIRS`]
    /// member pairs.
    TooManyPairs {
        /// The source tenant (its label value).
        from: String,
        /// The destination tenant.
        to: String,
    },
}
