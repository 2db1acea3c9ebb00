//! The model: one [`Estate`] holding everything tusk knows about a cluster
//! and the network around it, as plain data with provenance.
//!
//! Architecture invariant: the model is data. It parses nothing and decides
//! nothing; loaders fill it, analyses read it. Every rule and object carries
//! the [`tusk_core::Loc`] it was read from.

pub mod aks;
pub mod azure;
pub mod calico;
pub mod cilium;
pub mod config;
pub mod istio;
pub mod k8s;
pub mod scheduling;

/// Everything loaded from a set of input files.
#[derive(Debug, Clone, Default)]
pub struct Estate {
    pub k8s: k8s::Cluster,
    pub azure: azure::AzureNetwork,
    /// AKS managed clusters with their node pools.
    pub clusters: Vec<aks::AksCluster>,
    /// `tusk.yaml`: what the exports cannot say (NVA rules, ...).
    pub config: config::Config,
}
