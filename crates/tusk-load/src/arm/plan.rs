//! The deployment plan: `deployments:` in `tusk.yaml`, the steps a platform
//! team deploys in order (hub, spoke, cluster), each a template into its
//! own subscription and resource group with its own parameters. Later
//! steps read earlier steps' resources and outputs through `reference()`
//! and `resourceId()`, and overwrite resources with the same id (ARM's
//! Incremental mode: "Resource Manager ... updates resources that already
//! exist", Microsoft Learn, "Azure Resource Manager deployment modes").
//!
//! ```yaml
//! deployments:
//!   - template: hub/main.json          # relative to tusk.yaml
//!     parameters: [hub/params.json]     # ARM parameters files
//!     values: {firewallSku: Premium}    # win over the files
//!     subscription: 1111...             # optional
//!     resourceGroup: rg-hub             # optional: subscription scope without it
//!     location: westeurope
//!     name: hub                         # the deployment name
//! ```

use super::value::Val;
use crate::doc::{Doc, Node};
use std::path::{Path, PathBuf};
use tusk_core::{LoadError, Loc};

/// One step of the plan, validated.
#[derive(Debug, Clone)]
pub struct Step {
    pub loc: Loc,
    pub template: PathBuf,
    pub parameters: Vec<(PathBuf, Loc)>,
    pub values: Vec<(String, Val)>,
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
    pub location: Option<String>,
    pub name: Option<String>,
}

const KEYS: &[&str] = &["template", "parameters", "values", "subscription", "resourceGroup", "location", "name"];

/// The steps of a `tusk.yaml` document's `deployments:` list.
pub fn read(doc: &Doc) -> Result<Vec<Step>, LoadError> {
    let Some(list) = doc.root.get("deployments") else { return Ok(Vec::new()) };
    let err = |n: &Node, m: String| LoadError::new(doc.loc(n), m);
    let items = list.as_seq().ok_or_else(|| err(list, "`deployments` must be a list".into()))?;
    let dir = Path::new(&*doc.file).parent().unwrap_or(Path::new("")).to_path_buf();
    let mut steps = Vec::new();
    for it in items {
        let entries = it.as_map().ok_or_else(|| err(it, "a deployment must be a mapping".into()))?;
        for (k, _) in entries {
            let key = k.as_str().unwrap_or_default();
            if !KEYS.contains(&key) {
                return Err(err(
                    k,
                    format!("unknown key `{key}` in a deployment (expected one of {})", KEYS.join(", ")),
                ));
            }
        }
        let text = |key: &str| -> Result<Option<String>, LoadError> {
            match it.get(key) {
                None => Ok(None),
                Some(v) => {
                    v.as_str().map(|s| Some(s.to_string())).ok_or_else(|| err(v, format!("`{key}` must be a string")))
                }
            }
        };
        let template = text("template")?.ok_or_else(|| err(it, "a deployment needs a `template`".into()))?;
        let mut parameters = Vec::new();
        if let Some(p) = it.get("parameters") {
            let files = p.as_seq().ok_or_else(|| err(p, "`parameters` must be a list of files".into()))?;
            for f in files {
                let s = f.as_str().ok_or_else(|| err(f, "a parameters file must be a path".into()))?;
                parameters.push((dir.join(s), doc.loc(f)));
            }
        }
        let mut values = Vec::new();
        if let Some(v) = it.get("values") {
            let m =
                v.as_map().ok_or_else(|| err(v, "`values` must be a mapping of parameter names to values".into()))?;
            for (k, val) in m {
                values.push((k.as_str().unwrap_or_default().to_ascii_lowercase(), super::funcs::node_val(val)));
            }
        }
        steps.push(Step {
            loc: doc.loc(it),
            template: dir.join(template),
            parameters,
            values,
            subscription: text("subscription")?,
            resource_group: text("resourceGroup")?,
            location: text("location")?,
            name: text("name")?,
        });
    }
    Ok(steps)
}

/// A value the user knows that only Azure decides (`runtimeValues:` in
/// `tusk.yaml`): `path` in the evaluated body of the resource `resource`.
#[derive(Debug, Clone)]
pub struct RuntimeValue {
    pub loc: Loc,
    pub resource: String,
    pub path: Vec<PathSeg>,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

/// `properties.ipConfigurations[0].properties.privateIPAddress`.
fn parse_path(s: &str) -> Option<Vec<PathSeg>> {
    let mut out = Vec::new();
    for part in s.split('.') {
        let (name, mut rest) = part.split_once('[').map_or((part, ""), |(a, b)| (a, b));
        if name.is_empty() {
            return None;
        }
        out.push(PathSeg::Key(name.to_string()));
        while !rest.is_empty() {
            let (i, r) = rest.split_once(']')?;
            out.push(PathSeg::Index(i.trim().parse().ok()?));
            rest = r.strip_prefix('[').unwrap_or(r);
            if !r.is_empty() && !r.starts_with('[') {
                return None;
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The `runtimeValues:` of a `tusk.yaml` document.
pub fn read_runtime(doc: &Doc) -> Result<Vec<RuntimeValue>, LoadError> {
    let Some(list) = doc.root.get("runtimeValues") else { return Ok(Vec::new()) };
    let err = |n: &Node, m: &str| LoadError::new(doc.loc(n), m.to_string());
    let items = list.as_seq().ok_or_else(|| err(list, "`runtimeValues` must be a list"))?;
    let mut out = Vec::new();
    for it in items {
        for (k, _) in it.as_map().ok_or_else(|| err(it, "a runtime value must be a mapping"))? {
            if !matches!(k.as_str(), Some("resource" | "path" | "value")) {
                return Err(err(k, "unknown key in a runtime value (expected resource, path, value)"));
            }
        }
        let text = |key: &str| {
            it.get(key).and_then(Node::as_str).ok_or_else(|| err(it, &format!("a runtime value needs `{key}`")))
        };
        let (resource, path) = (text("resource")?, text("path")?);
        let path = parse_path(path)
            .ok_or_else(|| err(it.get("path").unwrap_or(it), "`path` must look like `properties.a[0].b`"))?;
        let value = it.get("value").ok_or_else(|| err(it, "a runtime value needs `value`"))?.clone();
        out.push(RuntimeValue { loc: doc.loc(it), resource: resource.to_ascii_lowercase(), path, value });
    }
    Ok(out)
}

impl RuntimeValue {
    /// Does this value belong to the resource `id`? An id without
    /// subscription (`/providers/...` or `providers/...`) matches on that part.
    pub fn matches(&self, id: &str) -> bool {
        let id = id.to_ascii_lowercase();
        id == self.resource
            || (!self.resource.starts_with("/subscriptions/")
                && id.ends_with(&format!("/{}", self.resource.trim_start_matches('/'))))
    }

    /// Sets the value in a body, creating missing object keys (not array
    /// elements). `false` when the path does not fit the body.
    pub fn apply(&self, body: &mut Node) -> bool {
        use crate::doc::Value;
        let mut cur = body;
        for (k, seg) in self.path.iter().enumerate() {
            let last = k + 1 == self.path.len();
            let pos = cur.pos;
            cur = match (seg, &mut cur.value) {
                (PathSeg::Key(key), Value::Map(m)) => {
                    let i = match m.iter().position(|(kn, _)| kn.as_str().is_some_and(|s| s.eq_ignore_ascii_case(key)))
                    {
                        Some(i) => i,
                        None => {
                            let text = Value::Scalar { text: key.as_str().into(), quoted: true };
                            m.push((Node { pos, value: text }, Node { pos, value: Value::Map(Vec::new()) }));
                            m.len() - 1
                        }
                    };
                    &mut m[i].1
                }
                (PathSeg::Index(i), Value::Seq(items)) if *i < items.len() => &mut items[*i],
                _ => return false,
            };
            if last {
                *cur = Node { pos: self.value.pos, value: self.value.value.clone() };
            }
        }
        true
    }
}
