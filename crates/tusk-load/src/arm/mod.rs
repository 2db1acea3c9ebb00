//! The ARM template loader: evaluates templates (compiled Bicep included)
//! the way Azure Resource Manager would deploy them, offline, and hands the
//! resulting network resource bodies, with full ids, to the Azure loader,
//! so templates and exports give the same model. Each resource keeps the
//! file and line of the template position it came from.
//!
//! Parts: `jsonc` (comments and trailing commas), `expr` (the expression
//! language), `value` (values, with unknown values that carry a reason),
//! `funcs` / `scope` / `uniq` (template functions), `eval` (one
//! template's context), `template` (the walk: resources, loops,
//! conditions, nested deployments).
//!
//! Parameters come from the template's defaults, then parameters files
//! (`deploymentParameters.json` schema) given with `--parameters`, then
//! `--param NAME=VALUE` (which wins). A parameter without a value is an
//! unknown value with a warning naming it, and an error only when a
//! network resource's name, address or reference depends on it.

mod alloc;
mod eval;
mod expr;
mod funcs;
pub mod jsonc;
mod scope;
mod template;
mod uniq;
mod value;

use crate::doc::{Doc, Node};
use scope::{Level, Scope, Shared, NIL_SUBSCRIPTION};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
pub use template::Evaluated;
use tusk_core::{LoadError, Loc, Pos, Warning};
use value::Val;

pub use funcs::EVALUATED as EVALUATED_FUNCTIONS;

/// Parameter values given on the command line.
#[derive(Debug, Clone, Default)]
pub struct ArmParams {
    /// `--param NAME=VALUE`, in order (a later one wins).
    pub values: Vec<(String, String)>,
    /// `--parameters FILE`: (file name, text).
    pub files: Vec<(Arc<str>, String)>,
}

/// Is this document an ARM template?
pub fn is_template(root: &Node) -> bool {
    schema(root).is_some_and(|s| s.contains("deploymenttemplate"))
        || (root.get("contentVersion").is_some() && root.get("resources").is_some())
}

/// Is this document an ARM parameters file?
pub fn is_parameters(root: &Node) -> bool {
    schema(root).is_some_and(|s| s.contains("deploymentparameters"))
        || (root.get("contentVersion").is_some()
            && root.get("parameters").is_some()
            && root.get("resources").is_none()
            && root.get("$schema").is_none())
}

fn schema(root: &Node) -> Option<String> {
    root.get("$schema").and_then(Node::as_str).map(str::to_ascii_lowercase)
}

/// The templates and parameters files of one load.
#[derive(Default)]
pub struct Collector {
    templates: Vec<Doc>,
    parameters: Vec<Doc>,
}

impl Collector {
    pub fn add_template(&mut self, d: Doc) {
        self.templates.push(d);
    }

    pub fn add_parameters(&mut self, d: Doc) {
        self.parameters.push(d);
    }

    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// Evaluates every template that no other template links to.
    pub fn evaluate(self, given: &ArmParams, warnings: &mut Vec<Warning>) -> Result<Vec<Evaluated>, LoadError> {
        for p in &self.parameters {
            warnings.push(Warning {
                loc: p.loc(&p.root),
                message: format!(
                    "ARM parameters file not bound to a template: pass it with --parameters {} (it was read as an input)",
                    p.file
                ),
            });
        }
        let mut values = HashMap::new();
        for (name, text) in &given.files {
            let text = jsonc::blank(text);
            for d in crate::doc::parse_documents(name, &text)? {
                read_parameters_file(&d, &mut values)?;
            }
        }
        for (k, v) in &given.values {
            values.insert(k.to_ascii_lowercase(), Val::str(v.as_str()));
        }
        let files: HashMap<String, &Doc> =
            self.templates.iter().map(|d| (template::normalize(Path::new(&*d.file)), d)).collect();
        let linked = linked_files(&self.templates);
        let shared = Rc::new(Shared::default());
        let mut out = Vec::new();
        for d in &self.templates {
            if linked.contains(&template::normalize(Path::new(&*d.file))) {
                continue;
            }
            let mut w = template::Walker {
                shared: shared.clone(),
                out: Vec::new(),
                warnings,
                files: &files,
                skipped_types: BTreeMap::new(),
                depth: 0,
            };
            let deployment = Val::obj(vec![
                ("name".into(), Val::unknown("the deployment's name is given at deployment time")),
                ("location".into(), Val::unknown("the deployment's location is given at deployment time")),
                ("properties".into(), Val::obj(vec![])),
            ]);
            w.deploy(template::Deployment {
                file: d.file.clone(),
                template: &d.root,
                params: values.clone(),
                scope: top_scope(&d.root),
                deployment,
            })?;
            let skipped = std::mem::take(&mut w.skipped_types);
            out.append(&mut w.out);
            if !skipped.is_empty() {
                let list: Vec<String> = skipped.iter().map(|(t, n)| format!("{t} ×{n}")).collect();
                warnings.push(Warning {
                    loc: d.loc(&d.root),
                    message: format!(
                        "{} resources of types outside the network model were evaluated but not loaded: {}",
                        skipped.values().sum::<usize>(),
                        list.join(", ")
                    ),
                });
            }
        }
        Ok(out)
    }
}

/// The scope a template deploys to, from its schema. Without a plan the
/// subscription and names are stand-ins, the same for the whole input.
fn top_scope(root: &Node) -> Scope {
    let s = schema(root).unwrap_or_default();
    let level = if s.contains("subscriptiondeploymenttemplate") {
        Level::Subscription
    } else if s.contains("managementgroupdeploymenttemplate") {
        Level::ManagementGroup("(management group)".into())
    } else if s.contains("tenantdeploymenttemplate") {
        Level::Tenant
    } else {
        Level::ResourceGroup("(resource group)".into())
    };
    Scope { subscription: NIL_SUBSCRIPTION.into(), level }
}

/// `{"parameters": {"name": {"value": ...} | {"reference": ...}}}`.
fn read_parameters_file(d: &Doc, values: &mut HashMap<String, Val>) -> Result<(), LoadError> {
    let Some(params) = d.root.get("parameters").and_then(Node::as_map) else {
        return Err(LoadError::new(d.loc(&d.root), "an ARM parameters file needs a `parameters` object"));
    };
    for (k, p) in params {
        let name = k.as_str().unwrap_or_default().to_ascii_lowercase();
        let v = match (p.get_entry("value"), p.get("reference")) {
            (Some((_, v)), _) => funcs::node_val(v),
            (None, Some(_)) => Val::unknown(format!("parameter `{name}` is a Key Vault secret")),
            _ => {
                return Err(LoadError::new(
                    Loc::new(d.file.clone(), p.pos),
                    format!("parameter `{name}` needs a `value` or a Key Vault `reference`"),
                ))
            }
        };
        values.insert(name, v);
    }
    Ok(())
}

/// Files that a template of the input links to by `relativePath`.
fn linked_files(templates: &[Doc]) -> HashSet<String> {
    fn walk(n: &Node, dir: &Path, out: &mut HashSet<String>) {
        if let Some(m) = n.as_map() {
            for (k, v) in m {
                if k.as_str() == Some("relativePath") {
                    if let Some(p) = v.as_str().filter(|p| !expr::is_expression(p)) {
                        out.insert(template::normalize(&dir.join(p)));
                    }
                }
                walk(v, dir, out);
            }
        } else if let Some(s) = n.as_seq() {
            s.iter().for_each(|i| walk(i, dir, out));
        }
    }
    let mut out = HashSet::new();
    for d in templates {
        let dir = Path::new(&*d.file).parent().unwrap_or(Path::new("")).to_path_buf();
        walk(&d.root, &dir, &mut out);
    }
    out
}

/// A `.bicep` / `.bicepparam` file: tusk cannot compile Bicep.
pub fn is_bicep(name: &str) -> bool {
    name.ends_with(".bicep") || name.ends_with(".bicepparam")
}

/// The one warning for Bicep sources among the inputs.
pub fn bicep_warning(first: &str, count: usize) -> Warning {
    Warning {
        loc: Loc::new(Arc::from(first), Pos::default()),
        message: format!(
            "{count} Bicep file(s) not read: compile them with `az bicep build --file FILE` (or `bicep build FILE`) and pass the JSON"
        ),
    }
}
