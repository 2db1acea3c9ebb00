//! Loaders: files in, one [`tusk_model::Estate`] out.
//!
//! Architecture invariant: loaders know formats and nothing of analysis. They
//! validate what they read and attach a [`tusk_core::Loc`] to every object;
//! a defect is a [`tusk_core::LoadError`] (the CLI exits 2), something merely
//! skipped is a [`tusk_core::Warning`].
//!
//! [`load_paths_all`] reads files and folders ([`walk`]: recursively, in name
//! order, regular files only, no folder twice), splits them into documents and hands each document to the loader of its format:
//! an `apiVersion` under `tusk.dev/` is tusk's own configuration (`config`),
//! an ARM template or parameters file goes to the evaluator (`arm`), a
//! mapping with `apiVersion` and `kind` is Kubernetes, `terraform show
//! -json` output goes to `terraform` (which hands ARM bodies to the Azure
//! loader), anything the Azure loader recognises is Azure, and anything
//! else is skipped with a warning (an error when nothing was usable).
//! Kustomizations and Bicep sources are skipped with a hint. The
//! configuration is bound to the Azure resources last (an NVA names a NIC).
//!
//! A load does not stop at the first defect: each file that cannot be read or
//! parsed and each malformed document is one error, and the load goes on with
//! the next, so that one run reports every defect ([`Outcome`]).
//! [`load_paths`] and [`load_sources`] keep the first error only.

#![warn(missing_docs)]

pub mod arm;
pub mod azure;
pub mod config;
mod config_clusters;
mod config_intents;
pub mod doc;
pub mod fields;
mod json;
pub mod k8s;
pub mod kustomize;
mod summary;
pub mod terraform;
pub mod walk;
mod yaml;

pub use summary::Summary;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tusk_core::{Diagnostic, LoadError, Loc, Pos, Warning};
use tusk_model::Estate;

/// The result of a successful load.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Everything loaded.
    pub estate: Estate,
    /// What was skipped or assumed, each located.
    pub warnings: Vec<Warning>,
}

/// Everything a load found: the estate (complete only when `errors` is
/// empty), every error and warning, and what was read.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The estate and warnings.
    pub loaded: Loaded,
    /// Every error found (the load goes on after each).
    pub errors: Vec<LoadError>,
    /// Files read and documents parsed, for the load summary.
    pub files: usize,
    /// Documents parsed.
    pub documents: usize,
}

impl Outcome {
    /// The estate, or the first error (for callers that need one).
    pub fn into_result(self) -> Result<Loaded, LoadError> {
        match self.errors.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(self.loaded),
        }
    }

    /// Every error, then every warning, in input order within each.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let errors = self.errors.iter().map(LoadError::to_diagnostic);
        errors.chain(self.loaded.warnings.iter().map(Warning::to_diagnostic)).collect()
    }

    /// What was loaded per kind and what was skipped.
    pub fn summary(&self) -> Summary {
        Summary::of(self)
    }
}

/// The files a path stands for: itself, or every `.yaml`, `.yml` and `.json`
/// file below it, sorted so that loads are deterministic (see [`walk`]).
pub fn input_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let w = walk::walk(&[path.to_path_buf()]);
    match w.errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(w.files),
    }
}

/// Loads every file under `paths` into one estate; the first error fails it.
pub fn load_paths(paths: &[PathBuf]) -> Result<Loaded, LoadError> {
    load_paths_with(paths, &arm::ArmParams::default())
}

/// [`load_paths`] with ARM template parameter values.
pub fn load_paths_with(paths: &[PathBuf], params: &arm::ArmParams) -> Result<Loaded, LoadError> {
    load_paths_all(paths, params).into_result()
}

/// Loads every file under `paths`, collecting every error and warning: a
/// file that cannot be read or parsed, and a document that is malformed,
/// each count once and the load goes on with the next.
pub fn load_paths_all(paths: &[PathBuf], params: &arm::ArmParams) -> Outcome {
    let w = walk::walk(paths);
    let mut errors = w.errors;
    let mut sources = Vec::new();
    // `.tf` files are HCL, which tusk does not read (see `terraform::hcl_notice`).
    for f in w.files.iter().filter(|f| f.extension().is_none_or(|e| e != "tf")) {
        let name: Arc<str> = Arc::from(f.display().to_string());
        match walk::read(&name, f) {
            Ok(text) => sources.push((name, text)),
            Err(e) => errors.push(e),
        }
    }
    let files = w.files.len();
    // Terraform's HCL is not read: say how to make the plan JSON, as an error
    // when nothing else was given.
    let hcl = terraform::hcl_notice(&w.files);
    if let (Some((loc, msg)), true) = (&hcl, sources.is_empty()) {
        errors.push(LoadError::new(loc.clone(), msg.clone()));
    }
    let mut out = load_sources_all(&sources, params);
    if !sources.is_empty() {
        out.loaded.warnings.extend(hcl.map(|(loc, message)| Warning { loc, message }));
    }
    errors.append(&mut out.errors);
    // In input order: by file, then position.
    errors.sort_by(|a, b| a.loc.cmp(&b.loc));
    out.errors = errors;
    let mut warnings = w.warnings;
    warnings.append(&mut out.loaded.warnings);
    out.loaded.warnings = warnings;
    out.files = files;
    if out.documents == 0 && out.errors.is_empty() {
        let at = paths
            .first()
            .map_or_else(|| Loc::builtin("inputs"), |p| Loc::new(Arc::from(p.display().to_string()), Pos::default()));
        out.errors.push(
            LoadError::new(at, "no document tusk can read in the inputs (no YAML or JSON file, or only empty ones)")
                .with_help("give Kubernetes manifests, `az ... -o json` exports, ARM templates or a tusk.yaml"),
        );
    }
    out
}

/// Loads in-memory sources (name, text): the embedded demo and tests use this.
pub fn load_sources(sources: &[(Arc<str>, String)]) -> Result<Loaded, LoadError> {
    load_sources_with(sources, &arm::ArmParams::default())
}

/// [`load_sources`] with ARM template parameter values.
pub fn load_sources_with(sources: &[(Arc<str>, String)], params: &arm::ArmParams) -> Result<Loaded, LoadError> {
    load_sources_all(sources, params).into_result()
}

/// Loads in-memory sources, collecting every error and warning (see
/// [`load_paths_all`]). References between documents are resolved only
/// when every document loaded, so that one defect does not echo as
/// dangling references elsewhere.
pub fn load_sources_all(sources: &[(Arc<str>, String)], params: &arm::ArmParams) -> Outcome {
    let mut templates = arm::Collector::default();
    let mut k8s = k8s::Builder::default();
    let mut az = azure::Builder::default();
    let mut cfg = config::Builder::default();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let mut documents = 0;
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
        // ARM's JSON allows comments and trailing commas in `.json` files:
        // the reader takes them (see doc::for_each_document_skipping).
        let mut in_doc = Vec::new();
        let parsed = doc::for_each_document_skipping(
            name,
            text,
            Some(&TERRAFORM_UNREAD),
            |d| {
                documents += 1;
                for d in split(d) {
                    let r = match route(&d.root) {
                        Route::Template => {
                            templates.add_template(d);
                            Ok(())
                        }
                        Route::Parameters => {
                            templates.add_parameters(d);
                            Ok(())
                        }
                        Route::Plan => templates.add_plan(&d).and_then(|()| cfg.add_document(&d)),
                        Route::Kustomization => {
                            warnings.push(kustomize::skipped_document(&d));
                            Ok(())
                        }
                        Route::Kubernetes => k8s.add_document(&d, &mut warnings),
                        Route::PolicyWithoutApiVersion => k8s::policy_without_api_version(&d).map_or(Ok(()), Err),
                        Route::Terraform => terraform::add_document(&d, &mut az, &mut warnings),
                        Route::ServiceTags => az.add_service_tags(&d, &mut warnings),
                        Route::Azure => az.add_document(&d, &mut warnings),
                        Route::Unrecognised => {
                            // Folders often hold other JSON/YAML (tool output, values
                            // files): skip it, but refuse a load where nothing was usable.
                            let e = LoadError::new(
                                d.loc(&d.root),
                                "not a Kubernetes object (no `apiVersion` and `kind`) nor an Azure resource or export",
                            );
                            unrecognised.get_or_insert(e.clone());
                            warnings.push(Warning { loc: e.loc, message: format!("skipping document: {}", e.message) });
                            Ok(())
                        }
                    };
                    if let Err(e) = r {
                        errors.push(e);
                    }
                }
                Ok(())
            },
            |e| in_doc.push(e),
        );
        errors.append(&mut in_doc);
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        match templates.evaluate(params, &mut warnings) {
            Ok(evaluated) => {
                for r in evaluated {
                    if let Err(e) = az.add_evaluated(r, &mut warnings) {
                        errors.push(e);
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    let nothing_usable = k8s.is_empty() && az.is_empty() && cfg.is_empty();
    if let Some(e) = unrecognised.filter(|_| nothing_usable && errors.is_empty()) {
        errors.push(e);
    }
    let mut out = Outcome { documents, ..Outcome::default() };
    if errors.is_empty() {
        match finish(k8s, az, cfg, &mut warnings) {
            Ok(estate) => out.loaded.estate = estate,
            Err(e) => errors.push(e),
        }
    }
    out.loaded.warnings = warnings;
    errors.sort_by(|a, b| a.loc.cmp(&b.loc));
    out.errors = errors;
    out
}

/// A Terraform plan carries each resource up to four times: in
/// `planned_values`, in `prior_state`, and as `before` and `after` of its
/// change (`resource_drift` repeats drifted ones); the Terraform loader
/// reads only the first and each change's `after_unknown`, so a plan is
/// read without the others (see `doc::for_each_document_skipping`).
const TERRAFORM_UNREAD: doc::Skip = doc::Skip {
    paths: &[
        &["prior_state"],
        &["resource_drift"],
        &["resource_changes", "*", "change", "before"],
        &["resource_changes", "*", "change", "after"],
        &["resource_changes", "*", "change", "before_sensitive"],
        &["resource_changes", "*", "change", "after_sensitive"],
    ],
    usable: routes_to_terraform_only,
};

/// Which reader takes a document (one piece of [`split`]), in the order
/// [`load_sources_all`] asks: the first whose test the root passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Template,
    Parameters,
    /// A `tusk.yaml` (its deployment plan and its sections).
    Plan,
    Kustomization,
    Kubernetes,
    /// A policy kind without `apiVersion`: an error.
    PolicyWithoutApiVersion,
    Terraform,
    ServiceTags,
    Azure,
    Unrecognised,
}

/// The reader of a document whose root is `root`; every test reads
/// top-level keys only.
fn route(root: &doc::Node) -> Route {
    if arm::is_template(root) {
        Route::Template
    } else if arm::is_parameters(root) {
        Route::Parameters
    } else if config::is_config(root) {
        Route::Plan
    } else if kustomize::is_kustomization(root) {
        Route::Kustomization
    } else if k8s::is_k8s(root) {
        Route::Kubernetes
    } else if k8s::is_policy_without_api_version(root) {
        Route::PolicyWithoutApiVersion
    } else if terraform::is_terraform(root) {
        Route::Terraform
    } else if azure::is_service_tags(root) {
        Route::ServiceTags
    } else if azure::is_azure(root) {
        Route::Azure
    } else {
        Route::Unrecognised
    }
}

/// Whether [`load_sources_all`] hands a document of this root, whole, to
/// the Terraform loader and to nothing else: a mapping that `split` keeps
/// whole (more than two keys, no `kind`) and that [`route`] gives to the
/// Terraform loader. [`route`] reads top-level keys only, which leaving out
/// the subtrees of [`TERRAFORM_UNREAD`] does not change.
fn routes_to_terraform_only(root: &doc::Node) -> bool {
    root.as_map().is_some_and(|m| m.len() > 2) && root.get_entry("kind").is_none() && route(root) == Route::Terraform
}

/// A document as the pieces loaded one by one, so that one malformed item
/// is one error and the others are still checked: the items of a `kind:
/// List` whose items all name their kind (`kubectl get -o yaml`), and the
/// resources of an `az ... list` array or a REST `{"value": [...]}` list
/// when every element is a resource. Any other document is one piece.
fn split(d: doc::Doc) -> Vec<doc::Doc> {
    use doc::Value;
    let is_resource =
        |n: &doc::Node| n.as_map().is_some() && azure::is_azure(n) && !k8s::is_k8s(n) && !config::is_config(n);
    let list_items = match &d.root.value {
        Value::Seq(items) => !items.is_empty() && items.iter().all(is_resource),
        Value::Map(m) if d.root.get("kind").and_then(doc::Node::as_str) == Some("List") => d
            .root
            .get("items")
            .and_then(doc::Node::as_seq)
            .is_some_and(|items| items.iter().all(|i| i.as_map().is_some() && k8s::is_k8s(i)) && m.len() <= 4),
        Value::Map(m) if m.len() == 1 || (m.len() == 2 && d.root.get_entry("nextLink").is_some()) => {
            d.root.get("value").and_then(doc::Node::as_seq).is_some_and(|v| !v.is_empty() && v.iter().all(is_resource))
        }
        _ => false,
    };
    // `az resource list` output is reported as one document (it carries no
    // network data), not split into empty resources.
    if !list_items || azure::is_resource_listing(&d.root) {
        return vec![d];
    }
    let file = d.file;
    let items = match d.root.value {
        Value::Seq(items) => items,
        Value::Map(m) => m
            .into_iter()
            .find(|(k, _)| matches!(k.as_str(), Some("items" | "value")))
            .and_then(|(_, v)| match v.value {
                Value::Seq(items) => Some(items),
                _ => None,
            })
            .unwrap_or_default(),
        Value::Scalar { .. } => Vec::new(),
    };
    items.into_iter().map(|root| doc::Doc { file: file.clone(), root }).collect()
}

fn finish(
    k8s: k8s::Builder,
    mut az: azure::Builder,
    cfg: config::Builder,
    warnings: &mut Vec<Warning>,
) -> Result<Estate, LoadError> {
    let mut k8s = k8s.finish(warnings)?;
    let aks = az.take_aks();
    let azure = az.finish(warnings)?;
    let clusters = aks.finish(&azure, warnings)?;
    let mut config = cfg.finish(&azure, warnings)?;
    config_clusters::bind(&mut config.clusters, &clusters, warnings)?;
    k8s.pod_cidrs = config.pod_cidrs.as_ref().map(|(s, _)| s.clone());
    Ok(Estate { k8s, azure, clusters, config })
}
