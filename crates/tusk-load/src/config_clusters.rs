//! The `clusters:` section of `tusk.yaml`: which Kubernetes inputs belong
//! to which AKS managed cluster, when an estate holds several.
//!
//! ```yaml
//! clusters:
//! - cluster: aks-prod            # the managed cluster's name or resource id
//!   manifests: [k8s/prod/]       # files or folders, relative to this tusk.yaml
//! ```
//!
//! Paths are joined to the folder of the `tusk.yaml` and normalised
//! lexically, so they compare with the names the loader gives input files.
//! A `cluster` naming no cluster of the inputs is an error when the inputs
//! hold managed clusters and a warning when they hold none (the Azure
//! loader's rule for dangling references).

use crate::doc::Node;
use crate::fields::Cx;
use std::path::{Component, Path, PathBuf};
use tusk_core::{Idx, LoadError, Warning};
use tusk_model::aks::AksCluster;
use tusk_model::config::ClusterBinding;

pub fn entry(cx: Cx, n: &Node) -> Result<ClusterBinding, LoadError> {
    let cluster = cx.req_str(n, "cluster")?.to_string();
    let base = Path::new(&*cx.doc.file).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut manifests = Vec::new();
    let items = cx.seq(n, "manifests")?;
    if items.is_empty() {
        return Err(cx.err(n, "a clusters entry needs `manifests`: the files or folders of the cluster's objects"));
    }
    for m in items {
        let p = m.as_str().ok_or_else(|| cx.err(m, "`manifests` entries must be paths"))?;
        manifests.push(normalise(&base.join(p)));
    }
    Ok(ClusterBinding { cluster, cluster_index: None, manifests, loc: cx.loc(n) })
}

/// `a/./b/../c` → `a/c`, without touching the file system.
pub fn normalise(p: &Path) -> String {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out.display().to_string()
}

/// Binds each entry to its cluster (by name, case-insensitively as Azure
/// compares names, or by id) and refuses one cluster bound twice.
pub fn bind(
    bindings: &mut [ClusterBinding],
    clusters: &[AksCluster],
    warnings: &mut Vec<Warning>,
) -> Result<(), LoadError> {
    for i in 0..bindings.len() {
        let b = &bindings[i];
        let found = Idx::enumerate(clusters)
            .find(|(_, c)| c.name().eq_ignore_ascii_case(&b.cluster) || c.id.key() == b.cluster.to_ascii_lowercase())
            .map(|(i, _)| i);
        if let Some(prev) = bindings[..i].iter().find(|o| found.is_some() && o.cluster_index == found) {
            return Err(LoadError::new(
                b.loc.clone(),
                format!("cluster `{}` is bound twice (first at {})", b.cluster, prev.loc),
            ));
        }
        match found {
            Some(c) => bindings[i].cluster_index = Some(c),
            None if clusters.is_empty() => warnings.push(Warning {
                loc: b.loc.clone(),
                message: format!(
                    "cluster `{}`: the inputs hold no AKS managed cluster; the binding is unused",
                    b.cluster
                ),
            }),
            None => {
                let names: Vec<&str> = clusters.iter().map(AksCluster::name).collect();
                return Err(LoadError::new(
                    b.loc.clone(),
                    format!(
                        "cluster `{}` names no managed cluster of the inputs (they hold {})",
                        b.cluster,
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalise_lexically() {
        assert_eq!(normalise(Path::new("tests/aks/./x/../k8s/")), "tests/aks/k8s");
        assert_eq!(normalise(Path::new("../shared/a")), "../shared/a");
    }
}
