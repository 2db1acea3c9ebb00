//! The fixture estates the matrix tests share: every estate under
//! `examples/article/` and `tests/aks/*/input` that holds an AKS cluster,
//! loaded once per test binary that asks.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};
use tusk_model::Estate;

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The estate of `dir`; panics with the loader's errors (a fixture must load).
pub fn load(dir: &Path) -> Estate {
    tusk_load::load_paths(&[dir.to_path_buf()]).unwrap_or_else(|e| panic!("{}: {e:?}", dir.display())).estate
}

/// Every fixture estate with an AKS cluster, by folder: the article's two
/// variants, then `extra` (paths under the root), then `tests/aks/*/input`
/// in name order.
pub fn aks_fixtures(extra: &[&str]) -> Vec<(String, Estate)> {
    let mut dirs = vec![root().join("examples/article/kubenet"), root().join("examples/article/cni")];
    dirs.extend(extra.iter().map(|p| root().join(p)));
    let aks = root().join("tests/aks");
    let mut more: Vec<PathBuf> = std::fs::read_dir(&aks)
        .unwrap_or_else(|e| panic!("{}: {e}", aks.display()))
        .map(|d| d.unwrap().path().join("input"))
        .filter(|p| p.is_dir())
        .collect();
    more.sort();
    dirs.extend(more);
    dirs.into_iter().map(|d| (d.display().to_string(), load(&d))).filter(|(_, e)| !e.clusters.is_empty()).collect()
}
