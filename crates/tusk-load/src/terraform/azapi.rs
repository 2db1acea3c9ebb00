//! The AzAPI provider's `azapi_resource`: its `type` is the ARM type with
//! an API version (`Microsoft.Network/virtualNetworks@2024-05-01`), its
//! `parent_id` the resource group or parent resource, and its `body` the
//! ARM request body itself (an object since AzAPI 2.0, a JSON string
//! before), so the body goes to the Azure loader as it is, with the id ARM
//! will give it ("azapi_resource", registry.terraform.io/providers/Azure/azapi).

use super::build::Tr;
use super::Body;
use crate::doc::{self, Node, Value};

/// `parent_id` + the type's last segment + name; a top-level type goes
/// under `providers/` of its resource group.
pub fn id(tr: &Tr, i: usize) -> Option<String> {
    let r = tr.root(i);
    let t = arm_type(tr, i)?;
    let parent = tr.id(&r, "parent_id")?;
    let parent = parent.as_str()?.trim_end_matches('/').to_string();
    let name = tr.name(i);
    let segs: Vec<&str> = t.split('/').collect();
    Some(if segs.len() <= 2 {
        format!("{parent}/providers/{t}/{name}")
    } else {
        format!("{parent}/{}/{name}", segs[segs.len() - 1])
    })
}

fn arm_type(tr: &Tr, i: usize) -> Option<String> {
    let t = tr.root(i).field("type").str()?;
    Some(t.split('@').next().unwrap_or(t).to_string())
}

pub fn resource(tr: &mut Tr, i: usize) -> Option<Body> {
    let t = arm_type(tr, i)?;
    let r = tr.root(i);
    let body = r.field("body");
    let parsed: Option<Node> = match body.known() {
        Some(n) if n.as_map().is_some() => Some(n.clone()),
        Some(n) => match n.as_str().map(|text| doc::parse_documents(&tr.file, text)) {
            // The body string has positions of its own; cite the attribute.
            Some(Ok(mut docs)) if !docs.is_empty() => Some(repositioned(docs.remove(0).root, n.pos)),
            _ => {
                tr.warn(n.pos, format!("{}: `body` is not a JSON object; skipped", tr.inst(i).address));
                return None;
            }
        },
        None => None,
    };
    let mut b = Body::new(tr, i, &t);
    if let Some(Node { value: Value::Map(entries), .. }) = parsed {
        for (k, v) in entries {
            match k.as_str() {
                Some("properties") => {
                    if let Value::Map(p) = v.value {
                        b.props.entries.extend(p);
                    }
                }
                Some("id" | "type" | "name") => {}
                _ => b.extra.push((k, v)),
            }
        }
    }
    Some(b)
}

fn repositioned(mut n: Node, pos: tusk_core::Pos) -> Node {
    n.pos = pos;
    n.value = match n.value {
        Value::Seq(items) => Value::Seq(items.into_iter().map(|c| repositioned(c, pos)).collect()),
        Value::Map(entries) => {
            Value::Map(entries.into_iter().map(|(k, v)| (repositioned(k, pos), repositioned(v, pos))).collect())
        }
        v => v,
    };
    n
}
