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
