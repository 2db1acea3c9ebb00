//! Typed access to a document's fields with located errors, for every loader
//! (Kubernetes, tusk.yaml, AKS, ...): every getter
//! names the field, the expected shape, and the line and column.

use crate::doc::{Doc, Node, Value};
use tusk_core::{LoadError, Loc, Pos};

/// The document being read, for building locations and errors.
#[derive(Clone, Copy)]
pub struct Cx<'a> {
    /// The document read.
    pub doc: &'a Doc,
}

impl<'a> Cx<'a> {
    /// The location of `n` in the document's file.
    pub fn loc(&self, n: &Node) -> Loc {
        self.doc.loc(n)
    }

    /// A located error at `n`.
    pub fn err(&self, n: &Node, msg: impl Into<String>) -> LoadError {
        LoadError::new(self.loc(n), msg)
    }

    /// `n` as a mapping; an error naming `what` when it is not one.
    pub fn map<'n>(&self, n: &'n Node, what: &str) -> Result<&'n [(Node, Node)], LoadError> {
        n.as_map().ok_or_else(|| self.err(n, format!("`{what}` must be a mapping, found {}", n.type_name())))
    }

    /// A list field; absent or null is the empty list.
    pub fn seq<'n>(&self, parent: &'n Node, key: &str) -> Result<&'n [Node], LoadError> {
        match parent.get(key) {
            None => Ok(&[]),
            Some(n) => {
                n.as_seq().ok_or_else(|| self.err(n, format!("`{key}` must be a list, found {}", n.type_name())))
            }
        }
    }

    /// An optional string field: `None` when absent or null; a plain number or
    /// boolean is read as its text; a list or mapping is an error.
    pub fn opt_str<'n>(&self, parent: &'n Node, key: &str) -> Result<Option<&'n str>, LoadError> {
        match parent.get(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Value::Scalar { .. } => Ok(n.as_str()),
                _ => Err(self.err(n, format!("`{key}` must be a string, found {}", n.type_name()))),
            },
        }
    }

    /// A required string field: as [`Cx::opt_str`], and an error at `parent`
    /// when absent or null.
    pub fn req_str<'n>(&self, parent: &'n Node, key: &str) -> Result<&'n str, LoadError> {
        self.opt_str(parent, key)?.ok_or_else(|| self.err(parent, format!("missing required field `{key}`")))
    }

    /// An optional integer field (plain, or quoted as `az` emits some); an error
    /// when present and not an integer.
    pub fn opt_int(&self, parent: &Node, key: &str) -> Result<Option<i64>, LoadError> {
        match parent.get(key) {
            None => Ok(None),
            Some(n) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.err(n, format!("`{key}` must be an integer, found `{}`", text(n)))),
        }
    }

    /// An optional boolean field (see [`Node::as_bool`]); an error when present
    /// and not `true` or `false`.
    pub fn opt_bool(&self, parent: &Node, key: &str) -> Result<Option<bool>, LoadError> {
        match parent.get(key) {
            None => Ok(None),
            Some(n) => n.as_bool().map(Some).ok_or_else(|| self.err(n, format!("`{key}` must be true or false"))),
        }
    }

    /// Refuses keys outside `allowed`, as kubectl's default strict field
    /// validation does (`kubectl apply --validate=strict`): for the kinds
    /// whose whole schema tusk reads, a misspelt key (`form:` for `from:`)
    /// would otherwise change the object's meaning silently.
    pub fn only_keys(&self, n: &Node, what: &str, allowed: &[&str]) -> Result<(), LoadError> {
        for (k, _) in self.map(n, what)? {
            let key = k.as_str().unwrap_or_default();
            if !allowed.contains(&key) {
                let expected: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
                return Err(
                    self.err(k, format!("unknown field `{}` in {what}: expected {}", text(k), expected.join(", ")))
                );
            }
        }
        Ok(())
    }

    /// A `map[string]string` such as labels, with each value's position.
    pub fn string_map(&self, parent: &Node, key: &str) -> Result<Vec<(String, String, Pos)>, LoadError> {
        let Some(n) = parent.get(key) else { return Ok(Vec::new()) };
        let entries = self.map(n, key)?;
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let ks = k.as_str().ok_or_else(|| self.err(k, format!("keys of `{key}` must be strings")))?;
            let vs = match &v.value {
                Value::Scalar { text, .. } => text.to_string(),
                _ => return Err(self.err(v, format!("values of `{key}` must be strings, found {}", v.type_name()))),
            };
            out.push((ks.to_string(), vs, v.pos));
        }
        Ok(out)
    }
}

/// The text of a node for messages.
pub fn text(n: &Node) -> String {
    match &n.value {
        Value::Scalar { text, .. } => text.to_string(),
        _ => n.type_name().to_string(),
    }
}

/// The fields of `metadata` (ObjectMeta) that an exported object may carry.
pub const OBJECT_META: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];
