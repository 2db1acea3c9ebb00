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
//! a mapping with `apiVersion` and `kind` is Kubernetes, `terraform show
//! -json` output goes to `terraform` (which hands ARM bodies to the Azure
//! loader), anything the Azure loader recognises is Azure, and anything
//! else is an error. Kustomizations are skipped (`kustomize`). The
//! configuration is bound to the Azure resources last (an NVA names a NIC).

pub mod arm;
pub mod azure;
pub mod config;
mod config_clusters;
mod config_intents;
pub mod doc;
pub mod k8s;
pub mod kustomize;
pub mod terraform;
pub mod text;

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
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json" | "bicep" | "bicepparam")
        ) {
            out.push(p);
        }
    }
    Ok(out)
}

/// Loads every file under `paths` into one estate.
pub fn load_paths(paths: &[PathBuf]) -> Result<Loaded, LoadError> {
    load_paths_with(paths, &arm::ArmParams::default())
}

/// [`load_paths`] with ARM template parameter values.
pub fn load_paths_with(paths: &[PathBuf], params: &arm::ArmParams) -> Result<Loaded, LoadError> {
    let mut sources = Vec::new();
    for p in paths {
        for f in input_files(p)?.into_iter().filter(|f| f.extension().is_none_or(|e| e != "tf")) {
            let name: Arc<str> = Arc::from(f.display().to_string());
            let text = std::fs::read(&f)
                .map_err(|e| e.to_string())
                .and_then(text::decode)
                .map_err(|e| LoadError::new(Loc::new(name.clone(), Pos::default()), format!("cannot read: {e}")))?;
            sources.push((name, text));
        }
    }
    let hcl = terraform::hcl_notice(paths);
    match hcl {
        Some((loc, msg)) if sources.is_empty() => Err(LoadError::new(loc, msg)),
        _ => load_sources_with(&sources, params).map(|mut l| {
            l.warnings.extend(hcl.map(|(loc, message)| Warning { loc, message }));
            l
        }),
    }
}

/// Loads in-memory sources (name, text): the embedded demo and tests use this.
pub fn load_sources(sources: &[(Arc<str>, String)]) -> Result<Loaded, LoadError> {
    load_sources_with(sources, &arm::ArmParams::default())
}

/// [`load_sources`] with ARM template parameter values.
pub fn load_sources_with(sources: &[(Arc<str>, String)], params: &arm::ArmParams) -> Result<Loaded, LoadError> {
    let mut templates = arm::Collector::default();
    let mut k8s = k8s::Builder::default();
    let mut az = azure::Builder::default();
    let mut cfg = config::Builder::default();
    let mut warnings = Vec::new();
    let mut unrecognised: Option<LoadError> = None;
    let bicep: Vec<&Arc<str>> = sources.iter().map(|(n, _)| n).filter(|n| arm::is_bicep(n)).collect();
    if let Some(first) = bicep.first() {
        warnings.push(arm::bicep_warning(first, bicep.len()));
    }
    let skip = kustomize::skipped(sources);
    for (name, text) in sources.iter().filter(|(n, _)| !arm::is_bicep(n)) {
        if let Some((_, w)) = skip.iter().find(|(n, _)| n == name) {
            warnings.push(w.clone());
            continue;
        }
        // ARM's JSON allows comments and trailing commas (see arm::jsonc).
        let text = if name.ends_with(".json") { arm::jsonc::blank(text) } else { text.as_str().into() };
        doc::for_each_document(name, &text, |d| {
            if arm::is_template(&d.root) {
                templates.add_template(d);
            } else if arm::is_parameters(&d.root) {
                templates.add_parameters(d);
            } else if config::is_config(&d.root) {
                templates.add_plan(&d)?;
                cfg.add_document(&d)?;
            } else if kustomize::is_kustomization(&d.root) {
                warnings.push(kustomize::skipped_document(&d));
            } else if k8s::is_k8s(&d.root) {
                k8s.add_document(&d, &mut warnings)?;
            } else if let Some(e) = k8s::policy_without_api_version(&d) {
                return Err(e);
            } else if terraform::is_terraform(&d.root) {
                terraform::add_document(&d, &mut az, &mut warnings)?;
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
    for r in templates.evaluate(params, &mut warnings)? {
        az.add_evaluated(r, &mut warnings)?;
    }
    if let Some(e) = unrecognised.filter(|_| k8s.is_empty() && az.is_empty() && cfg.is_empty()) {
        return Err(e);
    }
    let mut k8s = k8s.finish(&mut warnings)?;
    let aks = az.take_aks();
    let azure = az.finish(&mut warnings)?;
    let clusters = aks.finish(&azure, &mut warnings)?;
    let mut config = cfg.finish(&azure, &mut warnings)?;
    config_clusters::bind(&mut config.clusters, &clusters, &mut warnings)?;
    k8s.pod_cidrs = config.pod_cidrs.as_ref().map(|(s, _)| s.clone());
    let estate = Estate { k8s, azure, clusters, config };
    Ok(Loaded { estate, warnings })
}
