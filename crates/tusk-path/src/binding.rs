//! Which AKS cluster a Kubernetes object belongs to: the `tusk.yaml`
//! `clusters:` entry whose manifests contain the object's file, or the
//! estate's only cluster when there is exactly one.
//!
//! Paths are compared component by component, lexically, as the loader
//! wrote them; no file system access.

use std::path::Path;
use tusk_model::Estate;

/// The cluster of an object read from `file`, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// Index into `Estate::clusters`.
    Cluster(usize, &'static str),
    /// No cluster applies; the text says why.
    None(&'static str),
}

impl Bound {
    pub fn index(&self) -> Option<usize> {
        match self {
            Bound::Cluster(i, _) => Some(*i),
            Bound::None(_) => None,
        }
    }
}

pub fn cluster_of(estate: &Estate, file: &str) -> Bound {
    let f = crate_path(file);
    for b in &estate.config.clusters {
        if b.manifests.iter().any(|m| Path::new(&f).starts_with(crate_path(m))) {
            return match b.cluster_index {
                Some(i) => Bound::Cluster(i, "bound by tusk.yaml `clusters:`"),
                None => Bound::None("tusk.yaml binds it to a cluster the inputs do not hold"),
            };
        }
    }
    match estate.clusters.len() {
        0 => Bound::None("the inputs hold no AKS managed cluster"),
        1 => Bound::Cluster(0, "the estate's only managed cluster"),
        _ => Bound::None("several managed clusters and no tusk.yaml `clusters:` entry for this file"),
    }
}

/// `./a/b` and `a/b` compare equal.
fn crate_path(p: &str) -> String {
    let p = p.strip_prefix("./").unwrap_or(p);
    p.trim_end_matches('/').to_string()
}
