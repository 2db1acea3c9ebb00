//! Resource bodies evaluated in place instead of copied. A resource that
//! is deployed exactly once (a top-level `Microsoft.Network` resource
//! without `copy` or `existing`, of a template that one run evaluates once,
//! or of an inline nested deployment that is itself such a resource) has
//! its `properties` moved out of the template before evaluation starts
//! ([`split`]); the walker takes it back when it reaches the resource and
//! replaces only the expression strings in it ([`Env::eval_in_place`]),
//! instead of building a copy of every body ([`Env::eval_to_node`], which
//! stays the way for everything else). The result is the same node tree.
//!
//! Copying the bodies of a large flat template (routes, rules) was about a
//! sixth of evaluating it, and dropping the copies beside the template
//! another share (BENCHMARKS.md, "Session 6").

use super::eval::{Env, Frame, Res};
use super::template::key;
use super::value::{Val, UNKNOWN_PREFIX};
use crate::doc::{Node, Value};
use std::cell::RefCell;
use std::collections::HashMap;

/// The `properties` moved out of resources deployed once: by the address
/// of the resource's node in the template (an identity only, never read
/// through), the index of its `properties` entry and the node, until the
/// walker takes it.
#[derive(Default)]
pub struct Bodies {
    taken: HashMap<usize, (usize, RefCell<Option<Node>>), foldhash::fast::RandomState>,
}

/// The identity of a template resource node.
fn addr(r: &Node) -> usize {
    std::ptr::from_ref(r) as usize
}

impl Bodies {
    /// Whether `r`'s properties were moved out; then the index of its
    /// `properties` entry and the node (taken once: `None` after that).
    pub fn take(&self, r: &Node) -> Option<(usize, Option<Node>)> {
        self.taken.get(&addr(r)).map(|(i, cell)| (*i, cell.borrow_mut().take()))
    }
}

/// Moves the `properties` of the resources of `template` that a run
/// deploys once into `bodies`, leaving a null in their place. `template`
/// must be evaluated exactly once (see the module comment).
pub fn split(template: &mut Node, bodies: &mut Bodies) {
    let resources: Vec<&mut Node> = match map_mut(template).and_then(|m| entry_mut(m, "resources")) {
        Some(Node { value: Value::Seq(items), .. }) => items.iter_mut().collect(),
        Some(Node { value: Value::Map(m), .. }) => m.iter_mut().map(|(_, r)| r).collect(),
        _ => return,
    };
    for r in resources {
        if key(r, "copy").is_some() || key(r, "existing").is_some() {
            continue;
        }
        let ty = key(r, "type").and_then(Node::as_str).filter(|t| !super::expr::is_expression(t));
        let Some(ty) = ty.map(str::to_ascii_lowercase) else { continue };
        let at = addr(r);
        let Some(m) = map_mut(r) else { continue };
        if ty == "microsoft.resources/deployments" {
            // An inline nested template runs once when its deployment does.
            if let Some(t) = entry_mut(m, "properties").and_then(map_mut).and_then(|p| entry_mut(p, "template")) {
                split(t, bodies);
            }
            continue;
        }
        if !ty.starts_with("microsoft.network/") {
            continue;
        }
        let Some(i) = m.iter().position(|(k, _)| k.as_str().is_some_and(|s| s.eq_ignore_ascii_case("properties")))
        else {
            continue;
        };
        let slot = &mut m[i].1;
        let null = Node { pos: slot.pos, value: Value::Scalar { text: "".into(), quoted: false } };
        let props = std::mem::replace(slot, null);
        bodies.taken.insert(at, (i, RefCell::new(Some(props))));
    }
}

fn map_mut(n: &mut Node) -> Option<&mut [(Node, Node)]> {
    match &mut n.value {
        Value::Map(m) => Some(m),
        _ => None,
    }
}

/// The value under `k` (case-insensitive, null values included), mutably.
fn entry_mut<'a>(m: &'a mut [(Node, Node)], k: &str) -> Option<&'a mut Node> {
    m.iter_mut().find(|(kn, _)| kn.as_str().is_some_and(|s| s.eq_ignore_ascii_case(k))).map(|(_, v)| v)
}

/// Whether a value's node form holds a string that reads as an unknown
/// value (`[unknown: ...`), which the check for parameters without value
/// must then look at.
pub fn may_hold_unknown(v: &Val) -> bool {
    match v {
        Val::Unknown(_) | Val::Lambda(_) => true,
        Val::Str(s) => s.starts_with(UNKNOWN_PREFIX),
        Val::Arr(a) => a.iter().any(may_hold_unknown),
        Val::Obj(o) => o.entries.iter().any(|(_, v)| may_hold_unknown(v)),
        Val::Null | Val::Bool(_) | Val::Int(_) | Val::Num(_) => false,
    }
}

impl Env<'_> {
    /// [`Env::eval_to_node`] of `n`, done to `n` itself: expression strings
    /// are replaced by their values, property `copy` blocks by the arrays
    /// they make, everything else stays where it is.
    pub fn eval_in_place(&self, n: &mut Node, f: &Frame) -> Res<()> {
        match &mut n.value {
            Value::Scalar { text, quoted: true } if super::expr::is_expression(text) => {
                let text = text.clone();
                let v = self.eval_str(n, &text, f)?;
                self.note_unknown(may_hold_unknown(&v));
                *n = v.to_node(n.pos);
            }
            Value::Scalar { text, quoted: true } => self.note_unknown(text.starts_with(UNKNOWN_PREFIX)),
            Value::Scalar { .. } => {}
            Value::Seq(items) => {
                for i in items {
                    self.eval_in_place(i, f)?;
                }
            }
            Value::Map(entries) if entries.iter().any(|(k, v)| is_property_copy(k, v)) => {
                let old = std::mem::take(entries);
                for (k, mut v) in old {
                    if is_property_copy(&k, &v) {
                        for (name, arr) in self.property_copy(&v, f)? {
                            self.note_unknown(may_hold_unknown(&arr));
                            let key = Node { pos: v.pos, value: Value::Scalar { text: name.into(), quoted: true } };
                            entries.push((key, arr.to_node(v.pos)));
                        }
                        continue;
                    }
                    self.eval_in_place(&mut v, f)?;
                    entries.push((k, v));
                }
            }
            Value::Map(entries) => {
                for (_, v) in entries {
                    self.eval_in_place(v, f)?;
                }
            }
        }
        Ok(())
    }
}

/// A property `copy` block: `copy: [{name, count, input}, ...]` (Microsoft
/// Learn, "Property iteration in ARM templates").
pub fn is_property_copy(k: &Node, v: &Node) -> bool {
    // The key's text first ("copy" is no spelling of null, so this is
    // `k.as_str() == Some("copy")`, without the null check on every key).
    matches!(&k.value, Value::Scalar { text, .. } if text == "copy")
        && v.as_seq().is_some_and(|s| s.iter().all(|c| c.get("input").is_some()))
}
