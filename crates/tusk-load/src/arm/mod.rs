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
mod cidr;
mod eval;
mod expr;
mod funcs;
mod inplace;
pub mod jsonc;
mod lambda;
mod order;
mod params;
mod plan;
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
    plan: Vec<plan::Step>,
    runtime: Vec<plan::RuntimeValue>,
}

impl Collector {
    /// Adds an ARM template (a document whose `$schema` is a deploymentTemplate).
    pub fn add_template(&mut self, d: Doc) {
        self.templates.push(d);
    }

    /// Adds an ARM parameters file (`$schema` deploymentParameters), matched to
    /// its template when the templates are evaluated.
    pub fn add_parameters(&mut self, d: Doc) {
        self.parameters.push(d);
    }

    /// Whether no template was added (parameters files alone evaluate nothing).
    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// The `deployments:` of a `tusk.yaml` document, if any.
    pub fn add_plan(&mut self, d: &Doc) -> Result<(), LoadError> {
        self.plan.extend(plan::read(d)?);
        self.runtime.extend(plan::read_runtime(d)?);
        Ok(())
    }

    /// Evaluates the deployment plan's steps in order, then every other
    /// template that no template links to.
    pub fn evaluate(mut self, given: &ArmParams, warnings: &mut Vec<Warning>) -> Result<Vec<Evaluated>, LoadError> {
        let key = |f: &str| template::normalize(Path::new(f));
        // Templates and parameters files the plan names: from the inputs,
        // or read from disk.
        let mut claimed_params = HashSet::new();
        let mut step_params: Vec<Vec<usize>> = Vec::new();
        let mut step_template: Vec<usize> = Vec::new();
        for step in &self.plan {
            let t = key(&step.template.display().to_string());
            let ti = match self.templates.iter().position(|d| key(&d.file) == t) {
                Some(i) => i,
                None => {
                    self.templates.extend(read_json(&step.template, &step.loc)?);
                    self.templates.len() - 1
                }
            };
            step_template.push(ti);
            let mut ps = Vec::new();
            for (f, loc) in &step.parameters {
                let k = key(&f.display().to_string());
                let pi = match self.parameters.iter().position(|d| key(&d.file) == k) {
                    Some(i) => i,
                    None => {
                        self.parameters.extend(read_json(f, loc)?);
                        self.parameters.len() - 1
                    }
                };
                claimed_params.insert(pi);
                ps.push(pi);
            }
            step_params.push(ps);
        }
        for (i, p) in self.parameters.iter().enumerate().filter(|(i, _)| !claimed_params.contains(i)) {
            let _ = i;
            warnings.push(Warning {
                loc: p.loc(&p.root),
                message: format!(
                    "ARM parameters file not bound to a template: pass it with --parameters {}, or name it in a `deployments:` plan",
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
        let (mut skip, computed_links) = linked_files(&self.templates);
        // Templates that exactly one run evaluates (one plan step, or the
        // run of a template no plan step names): their resources' bodies
        // are evaluated in place (see `inplace`). A linked template may be
        // deployed any number of times; so may any, when a link's path is
        // computed.
        let mut bodies = inplace::Bodies::default();
        for (i, d) in self.templates.iter_mut().enumerate() {
            let steps = step_template.iter().filter(|&&t| t == i).count();
            if !computed_links && steps <= 1 && !skip.contains(&key(&d.file)) {
                inplace::split(&mut d.root, &mut bodies);
            }
        }
        skip.extend(step_template.iter().map(|&i| key(&self.templates[i].file)));
        let files: HashMap<String, &Doc> = self.templates.iter().map(|d| (key(&d.file), d)).collect();
        let shared = Rc::new(Shared::default());
        let used = std::cell::RefCell::new(vec![false; self.runtime.len()]);
        let runtime = &self.runtime;
        let mut out = Vec::new();
        let run = |d: &Doc,
                   params: HashMap<String, Val>,
                   scope: Scope,
                   name: Val,
                   location: Val,
                   warnings: &mut Vec<Warning>| {
            let mut w = template::Walker {
                shared: shared.clone(),
                out: Vec::new(),
                warnings,
                files: &files,
                skipped_types: BTreeMap::new(),
                depth: 0,
                runtime,
                runtime_used: &used,
                bodies: &bodies,
            };
            let deployment = Val::obj(vec![
                ("name".into(), name),
                ("location".into(), location),
                ("properties".into(), Val::obj(vec![])),
            ]);
            w.deploy(template::Deployment { file: d.file.clone(), template: &d.root, params, scope, deployment })?;
            let skipped = std::mem::take(&mut w.skipped_types);
            let evaluated = std::mem::take(&mut w.out);
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
            Ok::<_, LoadError>(evaluated)
        };
        let unknown_name = || Val::unknown("the deployment's name is given at deployment time");
        let unknown_location = || Val::unknown("the deployment's location is given at deployment time");
        let mut planned = Vec::new();
        for (k, step) in self.plan.iter().enumerate() {
            let d = &self.templates[step_template[k]];
            let mut params = HashMap::new();
            for &pi in &step_params[k] {
                read_parameters_file(&self.parameters[pi], &mut params)?;
            }
            params.extend(step.values.iter().cloned());
            let mut scope = top_scope(&d.root);
            if let Some(s) = &step.subscription {
                scope.subscription = s.clone();
            }
            if let Some(g) = &step.resource_group {
                scope.level = Level::ResourceGroup(g.clone());
            }
            let name = step.name.as_deref().map_or_else(unknown_name, Val::str);
            let location = step.location.as_deref().map_or_else(unknown_location, Val::str);
            planned.extend(run(d, params, scope, name, location, warnings)?);
        }
        // Incremental mode: a later step's resource replaces an earlier one
        // with the same id.
        let mut last: HashMap<String, usize> = HashMap::new();
        for (i, r) in planned.iter().enumerate() {
            last.insert(r.id.to_ascii_lowercase(), i);
        }
        out.extend(
            planned.into_iter().enumerate().filter(|(i, r)| last[&r.id.to_ascii_lowercase()] == *i).map(|(_, r)| r),
        );
        // A command-line parameter that no template given declares (ARM
        // rejects undeclared parameters; here several templates share them).
        let declared: HashSet<String> = self
            .templates
            .iter()
            .filter(|d| !skip.contains(&key(&d.file)))
            .filter_map(|d| d.root.get("parameters").and_then(Node::as_map))
            .flat_map(|m| m.iter().filter_map(|(k, _)| k.as_str().map(str::to_ascii_lowercase)))
            .collect();
        if self.templates.iter().any(|d| !skip.contains(&key(&d.file))) {
            for (name, _) in given.values.iter().filter(|(n, _)| !declared.contains(&n.to_ascii_lowercase())) {
                warnings.push(Warning {
                    loc: Loc::new(Arc::from("--param"), Pos::default()),
                    message: format!("parameter `{name}` is given but no template declares it; ignored"),
                });
            }
            let from_cli: HashSet<String> = given.values.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
            let mut from_files: Vec<&String> =
                values.keys().filter(|k| !declared.contains(*k) && !from_cli.contains(*k)).collect();
            from_files.sort();
            for name in from_files {
                warnings.push(Warning {
                    loc: Loc::new(Arc::from("--parameters"), Pos::default()),
                    message: format!("parameter `{name}` of the parameters file is declared by no template; ignored"),
                });
            }
        }
        for d in &self.templates {
            if skip.contains(&key(&d.file)) {
                continue;
            }
            out.extend(run(d, values.clone(), top_scope(&d.root), unknown_name(), unknown_location(), warnings)?);
        }
        for (rv, used) in self.runtime.iter().zip(used.borrow().iter()) {
            if !used {
                warnings.push(Warning {
                    loc: rv.loc.clone(),
                    message: format!(
                        "runtime value for `{}` matches no resource evaluated from a template",
                        rv.resource
                    ),
                });
            }
        }
        Ok(out)
    }
}

/// A JSON file named by the plan, read from disk.
fn read_json(path: &Path, at: &Loc) -> Result<Vec<Doc>, LoadError> {
    let name: Arc<str> = Arc::from(path.display().to_string());
    let text = std::fs::read_to_string(path)
        .map_err(|e| LoadError::new(at.clone(), format!("deployment plan: cannot read {}: {e}", path.display())))?;
    let docs = crate::doc::parse_documents(&name, &jsonc::blank(&text))?;
    if docs.len() != 1 {
        return Err(LoadError::new(
            at.clone(),
            format!("deployment plan: {} is not one JSON document", path.display()),
        ));
    }
    Ok(docs)
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

/// Files that a template of the input links to by `relativePath`, and
/// whether some link's path is not such a literal (an expression, or the
/// key spelled in another case), so that any template may be linked.
fn linked_files(templates: &[Doc]) -> (HashSet<String>, bool) {
    fn walk(n: &Node, dir: &Path, out: &mut HashSet<String>, computed: &mut bool) {
        match &n.value {
            crate::doc::Value::Map(m) => {
                for (k, v) in m {
                    if matches!(&k.value, crate::doc::Value::Scalar { text, .. } if text.len() == 12 && text.eq_ignore_ascii_case("relativePath"))
                    {
                        match v.as_str().filter(|p| !expr::is_expression(p)) {
                            Some(p) if k.as_str() == Some("relativePath") => {
                                out.insert(template::normalize(&dir.join(p)));
                            }
                            _ => *computed = true,
                        }
                    }
                    walk(v, dir, out, computed);
                }
            }
            crate::doc::Value::Seq(s) => s.iter().for_each(|i| walk(i, dir, out, computed)),
            crate::doc::Value::Scalar { .. } => {}
        }
    }
    let mut out = HashSet::new();
    let mut computed = false;
    for d in templates {
        let dir = Path::new(&*d.file).parent().unwrap_or(Path::new("")).to_path_buf();
        walk(&d.root, &dir, &mut out, &mut computed);
    }
    (out, computed)
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
