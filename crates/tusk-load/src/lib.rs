//! Loaders: files in, one [`tusk_model::Estate`] out.
//!
//! Architecture invariant: loaders know formats and nothing of analysis. They
//! validate what they read and attach a [`tusk_core::Loc`] to every object;
//! a defect is a [`tusk_core::LoadError`] (the CLI exits 2), something merely
//! skipped is a [`tusk_core::Warning`].
//!
//! [`load_paths`] reads files and folders (recursively, in name order), splits
//! them into documents and hands each document to the loader of its format:
//! an `apiVersion` under `tusk.dev/` is tusk's own configuration (`config`),
//! a mapping with `apiVersion` and `kind` is Kubernetes, anything the Azure
//! loader recognises is Azure, and anything else is an error. The
//! configuration is bound to the Azure resources last (an NVA names a NIC).

pub mod azure;
pub mod config;
pub mod doc;
pub mod k8s;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tusk_core::{LoadError, Loc, Pos, Warning};
use tusk_model::Estate;

/// The result of a successful load.
#[derive(Debug, Default)]
pub struct Loaded {
    pub estate: Estate,
    pub warnings: Vec<Warning>,
}

/// The files a path stands for: itself, or every `.yaml`, `.yml` and `.json`
/// file below it, sorted so that loads are deterministic.
pub fn input_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let loc = || Loc::new(Arc::from(path.display().to_string()), Pos::default());
    let meta = std::fs::metadata(path).map_err(|e| LoadError::new(loc(), format!("cannot read: {e}")))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| LoadError::new(loc(), format!("cannot list folder: {e}")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(input_files(&p)?);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")) {
            out.push(p);
        }
    }
    Ok(out)
}

/// Loads every file under `paths` into one estate.
pub fn load_paths(paths: &[PathBuf]) -> Result<Loaded, LoadError> {
    let mut sources = Vec::new();
    for p in paths {
        for f in input_files(p)? {
            let name: Arc<str> = Arc::from(f.display().to_string());
            let text = std::fs::read_to_string(&f)
                .map_err(|e| LoadError::new(Loc::new(name.clone(), Pos::default()), format!("cannot read: {e}")))?;
            sources.push((name, text));
        }
    }
    load_sources(&sources)
}

/// Loads in-memory sources (name, text): the embedded demo and tests use this.
pub fn load_sources(sources: &[(Arc<str>, String)]) -> Result<Loaded, LoadError> {
    let mut k8s = k8s::Builder::default();
    let mut az = azure::Builder::default();
    let mut cfg = config::Builder::default();
    let mut warnings = Vec::new();
    let mut unrecognised: Option<LoadError> = None;
    for (name, text) in sources {
        doc::for_each_document(name, text, |d| {
            if config::is_config(&d.root) {
                cfg.add_document(&d)?;
            } else if k8s::is_k8s(&d.root) {
                k8s.add_document(&d, &mut warnings)?;
            } else if let Some(e) = k8s::policy_without_api_version(&d) {
                return Err(e);
            } else if azure::is_azure(&d.root) {
                az.add_document(&d, &mut warnings)?;
            } else {
                // Folders often hold other JSON/YAML (tool output, values
                // files): skip it, but refuse a load where nothing was usable.
                let e = LoadError::new(
                    d.loc(&d.root),
                    "not a Kubernetes object (no `apiVersion` and `kind`) nor an Azure resource or export",
                );
                unrecognised.get_or_insert(e.clone());
                warnings.push(Warning { loc: e.loc, message: format!("skipping document: {}", e.message) });
            }
            Ok(())
        })?;
    }
    if let Some(e) = unrecognised.filter(|_| k8s.is_empty() && az.is_empty() && cfg.is_empty()) {
        return Err(e);
    }
    let mut k8s = k8s.finish(&mut warnings)?;
    let azure = az.finish(&mut warnings)?;
    let config = cfg.finish(&azure, &mut warnings)?;
    k8s.pod_cidrs = config.pod_cidrs.as_ref().map(|(s, _)| s.clone());
    let estate = Estate { k8s, azure, config };
    Ok(Loaded { estate, warnings })
}
