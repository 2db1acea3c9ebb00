//! Which AKS cluster a Kubernetes object belongs to: the `tusk.yaml`
//! `clusters:` entry whose manifests contain the object's file, or the
//! estate's only cluster when there is exactly one.
//!
//! Paths are compared component by component, lexically, as the loader
//! wrote them; no file system access.

use std::path::{Component, Path, PathBuf};
use tusk_core::Idx;
use tusk_model::aks::AksCluster;
use tusk_model::Estate;

/// The cluster of an object read from `file`, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// Index into `Estate::clusters`, and how it was chosen.
    Cluster(Idx<AksCluster>, BoundBy),
    /// No cluster applies, and why.
    None(Unbound),
}

/// How an object's cluster was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundBy {
    /// A `tusk.yaml` `clusters:` entry lists a folder holding the file.
    TuskYaml,
    /// The estate has exactly one managed cluster.
    OnlyCluster,
}

/// Why no cluster applies to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unbound {
    /// `tusk.yaml` binds the file to a cluster the inputs do not hold.
    ClusterNotInInputs,
    /// The inputs hold no AKS managed cluster.
    NoCluster,
    /// Several managed clusters, and no `tusk.yaml` `clusters:` entry for
    /// the file.
    SeveralClusters,
}

impl Bound {
    /// The index into `Estate::clusters`, or `None` when no cluster applies.
    pub fn index(&self) -> Option<Idx<AksCluster>> {
        match self {
            Bound::Cluster(i, _) => Some(*i),
            Bound::None(_) => None,
        }
    }
}

/// The cluster a manifest read from `file` (a path as the loader recorded it)
/// belongs to: the cluster whose `tusk.yaml` binding lists a manifest folder
/// containing it, else the only cluster of the estate, else [`Bound::None`]
/// with the reason (docs/tusk-yaml.md, `clusters`). Never fails.
pub fn cluster_of(estate: &Estate, file: &str) -> Bound {
    let f = crate_path(file);
    for b in &estate.config.clusters {
        if b.manifests.iter().any(|m| f.starts_with(crate_path(m))) {
            return match b.cluster_index {
                Some(i) => Bound::Cluster(i, BoundBy::TuskYaml),
                None => Bound::None(Unbound::ClusterNotInInputs),
            };
        }
    }
    match estate.clusters.len() {
        0 => Bound::None(Unbound::NoCluster),
        1 => Bound::Cluster(Idx::new(0), BoundBy::OnlyCluster),
        _ => Bound::None(Unbound::SeveralClusters),
    }
}

/// `./a/b`, `a/b/` and `a/x/../b` compare equal: `.` and `..` are
/// resolved lexically, as the `tusk.yaml` loader resolves `manifests`.
fn crate_path(p: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in Path::new(p).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
