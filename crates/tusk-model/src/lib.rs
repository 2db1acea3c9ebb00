//! The model: one [`Estate`] holding everything tusk knows about a cluster
//! and the network around it, as plain data with provenance.
//!
//! Architecture invariant: the model is data. It parses nothing and decides
//! nothing; loaders fill it, analyses read it. Every rule and object carries
//! the [`tusk_core::Loc`] it was read from.

#![warn(missing_docs)]

pub mod aks;
pub mod azure;
pub mod calico;
pub mod cilium;
pub mod config;
pub mod istio;
pub mod istio_net;
pub mod istio_route;
pub mod k8s;
pub mod k8s_policy;
pub mod scheduling;

/// Everything loaded from a set of input files.
#[derive(Debug, Clone, Default)]
pub struct Estate {
    /// The Kubernetes objects of every manifest and export.
    pub k8s: k8s::Cluster,
    /// The Azure network resources of every export, template and plan.
    pub azure: azure::AzureNetwork,
    /// AKS managed clusters with their node pools.
    pub clusters: Vec<aks::AksCluster>,
    /// `tusk.yaml`: what the exports cannot say (NVA rules, ...).
    pub config: config::Config,
}
