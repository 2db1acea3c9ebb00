//! Why an intent cannot be checked, or two versions cannot be compared
//! (bad input or usage): an end that names nothing, a device in `through`
//! that is none, ends in two layers without the cluster, too few tenants.
//! Data only: tusk-report words each (`tusk_report::check::check_error`,
//! `tusk_report::diff::diff_error`); the engines' own reasons are kept
//! whole inside ([`EndFailure`]).

use tusk_model::config::IntentKind;
use tusk_path::errors::TooFewUnits;

/// Which end of an intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndSide {
    /// `from`.
    From,
    /// `to`.
    To,
}

/// Why one end names nothing, as the resolver of its layer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndFailure {
    /// The Azure resolver (`tusk_network::endpoint::resolve_group`).
    Azure(tusk_network::endpoint::ResolveError),
    /// The cluster's resolver (`tusk_policy::endpoint::resolve`).
    Cluster(tusk_policy::endpoint::EndError),
    /// The resolver across both layers (`tusk_path::join::resolve`).
    Joined(tusk_path::join::EndError),
    /// A `tenant:NAME` end.
    Tenant(TenantError),
}

/// Why `tenant:NAME` stands for no pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantError {
    /// No namespace carries the tenant label with that value.
    Unknown {
        /// The tenant asked.
        name: String,
        /// The namespace label naming tenants.
        label: String,
        /// The tenants of the inputs (empty: none).
        known: Vec<String>,
    },
    /// None of the tenant's pods can run on a node (see `tusk schedule`).
    Unschedulable {
        /// The tenant asked.
        name: String,
    },
}

/// Why an intent cannot be checked: bad input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// An end names nothing.
    End {
        /// Which end.
        side: EndSide,
        /// Why.
        why: EndFailure,
    },
    /// A tenant of `isolatedTenants` names nothing.
    Tenant(TenantError),
    /// `through: NAME` names no Azure Firewall or network interface.
    NotADevice(String),
    /// One end is an Azure resource and the other a Kubernetes object, and
    /// the inputs hold no AKS cluster to join them.
    LayersWithoutCluster {
        /// The intent's `from`, in the notation.
        from: String,
        /// The intent's `to`.
        to: String,
    },
    /// A tenant, node or actor, answered across both layers only, with
    /// another `layer:` asked.
    JoinedOnly {
        /// The intent's `from`.
        from: String,
        /// The intent's `to`.
        to: String,
    },
    /// The intent is checked across both layers, and the inputs hold no
    /// AKS cluster (a managedClusters resource) or no subnet.
    NoCluster,
    /// Devices to pass through (Azure devices) asked of Kubernetes ends.
    DevicesOnKubernetesEnds {
        /// The intent's kind (`mustPassThrough`, `egressOnlyVia`).
        kind: IntentKind,
        /// The intent's `from`.
        from: String,
        /// The intent's `to`.
        to: String,
    },
    /// The intent is about the Azure network, and the inputs hold no subnet.
    NoNetwork,
    /// `isolatedTenants` with fewer than two tenants.
    TooFewTenants {
        /// How many tenants were named (or the inputs have).
        count: usize,
        /// The namespace label naming tenants.
        label: String,
    },
    /// The intent's `to` is a Service that cannot be resolved.
    ToService(tusk_path::join::ServiceError),
}

impl CheckError {
    /// `why` at end `side`.
    pub fn at(side: EndSide) -> impl Fn(EndFailure) -> CheckError {
        move |why| CheckError::End { side, why }
    }
}

impl From<TenantError> for CheckError {
    fn from(e: TenantError) -> CheckError {
        CheckError::Tenant(e)
    }
}

/// Why two versions' matrices cannot be compared
/// ([`crate::diff_tenants`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffError {
    /// A version has fewer than two tenants.
    FewerThanTwoTenants {
        /// The namespace label naming tenants.
        label: String,
    },
    /// A tenant of a version stands for no pod.
    Tenant(TenantError),
    /// A version has fewer than two units at the grain asked.
    Units(TooFewUnits),
    /// A unit pair stands for more than `tusk_path::join::MAX_PAIRS`
    /// member pairs (the per-pair oracle only).
    TooManyPairs {
        /// The source unit's name.
        from: String,
        /// The destination unit's name.
        to: String,
    },
}

impl From<TenantError> for DiffError {
    fn from(e: TenantError) -> DiffError {
        DiffError::Tenant(e)
    }
}

impl From<TooFewUnits> for DiffError {
    fn from(e: TooFewUnits) -> DiffError {
        DiffError::Units(e)
    }
}
