//! The shapes Azure material arrives in, reduced to a list of resource
//! bodies: a single resource, a JSON array, a REST list (`{"value": [...]}`),
//! an Azure REST example file (`{"parameters": ..., "responses": {"200":
//! {"body": ...}}}`) and an ARM template's `resources` (child resources
//! nested in `resources` too). ARM templates give no ids, so one is built
//! from the resource's type and name, without subscription or group.
//!
//! Also here: reading a field whether it sits under `properties` (ARM/REST
//! shape) or at the top (the flattened `az ... -o json` shape), and noticing
//! ARM `[expressions]`, which tusk does not evaluate.

use crate::doc::{Node, Value};
use tusk_model::azure::ResourceId;

/// One resource body found in a document.
pub struct RawResource<'a> {
    pub node: &'a Node,
    pub id: ResourceId,
    /// Lower-cased type, e.g. `microsoft.network/virtualnetworks/subnets`.
    pub type_key: String,
}

/// Does this document look like Azure material at all?
pub fn is_azure(root: &Node) -> bool {
    match &root.value {
        // `az ... list` prints `[]` when there is nothing: still an Azure export.
        Value::Seq(items) => items.first().is_none_or(looks_like_resource),
        Value::Map(_) => {
            root.get("responses").is_some()
                || root.get("value").and_then(Node::as_seq).is_some()
                || is_template(root)
                || looks_like_resource(root)
        }
        Value::Scalar { .. } => false,
    }
}

fn is_template(root: &Node) -> bool {
    root.get("$schema").and_then(Node::as_str).is_some_and(|s| s.contains("deploymentTemplate"))
        || (root.get("contentVersion").is_some() && root.get("resources").is_some())
}

fn looks_like_resource(n: &Node) -> bool {
    n.get_ci("type").and_then(Node::as_str).is_some_and(|t| t.to_ascii_lowercase().starts_with("microsoft."))
        || n.get_ci("id")
            .and_then(Node::as_str)
            .is_some_and(|i| i.to_ascii_lowercase().contains("/providers/microsoft."))
}

/// `az resource list` output: every item has `"properties": null` (the
/// generic resource listing does not expand properties; "az resource
/// list", learn.microsoft.com/cli/azure/resource), so it names resources
/// but carries no addresses, rules or routes. Returns the item count.
pub fn resource_listing(root: &Node) -> Option<usize> {
    let items = root.as_seq().or_else(|| root.get("value").and_then(Node::as_seq))?;
    let bare = |n: &Node| n.get_entry("properties").is_some_and(|(_, v)| v.is_null()) && n.get_ci("id").is_some();
    (!items.is_empty() && items.iter().all(bare)).then_some(items.len())
}

/// Every resource body of a document, with the nodes it could not read as
/// one (returned as the second list, for warnings).
pub fn resources(root: &Node) -> (Vec<RawResource<'_>>, Vec<&Node>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    collect(root, &mut out, &mut skipped);
    (out, skipped)
}

fn collect<'a>(n: &'a Node, out: &mut Vec<RawResource<'a>>, skipped: &mut Vec<&'a Node>) {
    if let Some(items) = n.as_seq() {
        for i in items {
            collect(i, out, skipped);
        }
        return;
    }
    if let Some(resp) = n.get("responses") {
        // REST example: the 200 body is the resource as GET returns it; a
        // create example may only have 201.
        let body = ["200", "201"].iter().find_map(|c| resp.get(c).and_then(|r| r.get("body")));
        match body {
            Some(b) => collect(b, out, skipped),
            None => skipped.push(n),
        }
        return;
    }
    if let Some(items) = n.get("value").and_then(Node::as_seq) {
        for i in items {
            collect(i, out, skipped);
        }
        return;
    }
    if is_template(n) {
        if let Some(items) = n.get("resources").and_then(Node::as_seq) {
            for r in items {
                template_resource(r, None, out, skipped);
            }
        }
        return;
    }
    match explicit(n) {
        Some(r) => out.push(r),
        None => skipped.push(n),
    }
}

/// A resource with an `id` (REST and `az` shapes).
fn explicit(n: &Node) -> Option<RawResource<'_>> {
    let id = ResourceId::new(n.get_ci("id")?.as_str()?);
    let type_key = n
        .get_ci("type")
        .and_then(Node::as_str)
        .filter(|t| t.contains('/'))
        .map(|t| t.to_ascii_lowercase())
        .or_else(|| id.type_key())?;
    Some(RawResource { node: n, id, type_key })
}

/// A resource inside an ARM template; `parent` is the enclosing resource's
/// (type, name) for nested child resources.
fn template_resource<'a>(
    n: &'a Node,
    parent: Option<(&str, &str)>,
    out: &mut Vec<RawResource<'a>>,
    skipped: &mut Vec<&'a Node>,
) {
    let (Some(t), Some(name)) = (n.get("type").and_then(Node::as_str), n.get("name").and_then(Node::as_str)) else {
        skipped.push(n);
        return;
    };
    if is_expression(t) || is_expression(name) {
        skipped.push(n);
        return;
    }
    let (full_type, full_name) = match parent {
        Some((pt, pn)) if !t.contains('.') => (format!("{pt}/{t}"), format!("{pn}/{name}")),
        _ => (t.to_string(), name.to_string()),
    };
    let Some(id) = template_id(&full_type, &full_name) else {
        skipped.push(n);
        return;
    };
    out.push(RawResource { node: n, id, type_key: full_type.to_ascii_lowercase() });
    if let Some(children) = n.get("resources").and_then(Node::as_seq) {
        for c in children {
            template_resource(c, Some((&full_type, &full_name)), out, skipped);
        }
    }
}

/// `providers/Microsoft.Network/virtualNetworks/v/subnets/s` from a type
/// `Microsoft.Network/virtualNetworks/subnets` and a name `v/s`.
pub fn template_id(full_type: &str, full_name: &str) -> Option<ResourceId> {
    let mut tsegs = full_type.split('/');
    let ns = tsegs.next()?;
    let types: Vec<&str> = tsegs.collect();
    let names: Vec<&str> = full_name.split('/').collect();
    if types.len() != names.len() || types.is_empty() {
        return None;
    }
    let mut id = format!("/providers/{ns}");
    for (t, n) in types.iter().zip(&names) {
        id.push_str(&format!("/{t}/{n}"));
    }
    Some(ResourceId::new(id))
}

/// `[concat(...)]`, `[parameters('x')]`: ARM template language, not a literal.
/// (`[[` escapes a literal leading bracket.)
pub fn is_expression(s: &str) -> bool {
    s.starts_with('[') && !s.starts_with("[[") && s.ends_with(']')
}

/// `[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg1')]` with
/// literal arguments only: the one expression worth reading, since templates
/// use it for every reference. Anything else is `None`.
pub fn resource_id_expression(s: &str) -> Option<ResourceId> {
    let inner = s.strip_prefix("[resourceId(")?.strip_suffix(")]")?;
    let args: Vec<&str> = inner.split(',').map(str::trim).collect();
    let lits: Option<Vec<&str>> =
        args.iter().map(|a| a.strip_prefix('\'').and_then(|a| a.strip_suffix('\''))).collect();
    let lits = lits?;
    // Optional leading subscription / group arguments have no '/'.
    let ti = lits.iter().position(|a| a.contains('/'))?;
    let t = lits[ti];
    let names = &lits[ti + 1..];
    template_id(t, &names.join("/"))
}

/// A field of a resource or of a child item, read from `properties` (ARM)
/// or from the object itself (`az`), case-insensitively.
pub fn prop<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    n.get_ci("properties").and_then(|p| p.get_ci(key)).or_else(|| n.get_ci(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_id_expressions_with_literals_resolve() {
        let id = resource_id_expression("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]").unwrap();
        assert_eq!(id.provider_key(), Some("providers/microsoft.network/virtualnetworks/v/subnets/s"));
        assert!(resource_id_expression("[resourceId('Microsoft.Network/x', parameters('n'))]").is_none());
        assert!(is_expression("[parameters('a')]") && !is_expression("[[literal]"));
    }
}
