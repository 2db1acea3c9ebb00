//! The tools every translator shares: a cursor over one attribute of a
//! resource instance (its planned value, whether the plan knows it, and its
//! configuration expression, walked together), builders for the ARM-shaped
//! [`Node`]s handed to the Azure loader (each keeping the position of the
//! Terraform value it came from, so citations point into the plan), and
//! the resource ids: the one Terraform knows, or, before apply, one
//! synthesised from the resource group and name.
//!
//! A value known only after apply becomes the text `[after apply: ADDRESS.PATH]`,
//! which the Azure loader treats like an ARM expression it does not
//! evaluate: a warning naming it, and the value unknown.

use super::plan::{references, Instance, Plan, Target, Want};
use crate::doc::{Node, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use tusk_core::{Loc, Pos, Warning};

/// One attribute of one instance: the planned value (`v`), the matching
/// part of `after_unknown` (`u`) and of the configuration expressions (`c`).
#[derive(Clone)]
pub struct Cur<'a> {
    pub inst: usize,
    /// The attribute path from the resource, e.g. `ip_configuration[0]`.
    pub path: String,
    pub v: Option<&'a Node>,
    pub u: Option<&'a Node>,
    pub c: Option<&'a Node>,
    pub pos: Pos,
}

impl<'a> Cur<'a> {
    pub fn field(&self, key: &str) -> Cur<'a> {
        let v = self.v.and_then(|n| n.get(key));
        Cur {
            inst: self.inst,
            path: if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) },
            v,
            u: self.u.and_then(|n| n.get(key)),
            c: self.c.and_then(|n| n.get(key)),
            pos: v.map(|n| n.pos).unwrap_or(self.pos),
        }
    }

    /// Known and not null (an empty string or list counts as absent: the
    /// provider writes `""` and `[]` for unset optional arguments).
    pub fn known(&self) -> Option<&'a Node> {
        self.v.filter(|n| match &n.value {
            Value::Scalar { text, .. } => !n.is_null() && !text.is_empty(),
            Value::Seq(s) => !s.is_empty(),
            Value::Map(_) => true,
        })
    }

    pub fn is_unknown(&self) -> bool {
        self.known().is_none() && self.u.is_some_and(|u| u.as_bool() == Some(true))
    }

    pub fn str(&self) -> Option<&'a str> {
        self.known().and_then(Node::as_str)
    }

    pub fn bool(&self) -> Option<bool> {
        self.known().and_then(Node::as_bool)
    }

    /// The items of a block list (or set), each as a cursor.
    pub fn items(&self) -> Vec<Cur<'a>> {
        let Some(items) = self.v.and_then(Node::as_seq) else { return Vec::new() };
        let us = self.u.and_then(Node::as_seq);
        let cs = self.c.and_then(Node::as_seq);
        items
            .iter()
            .enumerate()
            .map(|(i, v)| Cur {
                inst: self.inst,
                path: format!("{}[{i}]", self.path),
                v: Some(v),
                u: us.and_then(|u| u.get(i)),
                c: cs.and_then(|c| c.get(i)),
                pos: v.pos,
            })
            .collect()
    }

    pub fn first(&self) -> Option<Cur<'a>> {
        self.items().into_iter().next()
    }
}

pub fn s(pos: Pos, text: impl Into<crate::doc::Text>) -> Node {
    Node { pos, value: Value::Scalar { text: text.into(), quoted: true } }
}

pub fn plain(pos: Pos, text: impl Into<crate::doc::Text>) -> Node {
    Node { pos, value: Value::Scalar { text: text.into(), quoted: false } }
}

pub fn seq(pos: Pos, items: Vec<Node>) -> Node {
    Node { pos, value: Value::Seq(items) }
}

/// An ARM object under construction.
pub struct Obj {
    pub pos: Pos,
    pub entries: Vec<(Node, Node)>,
}

impl Obj {
    pub fn new(pos: Pos) -> Obj {
        Obj { pos, entries: Vec::new() }
    }

    pub fn put(&mut self, key: &str, v: Node) -> &mut Obj {
        self.entries.push((s(v.pos, key), v));
        self
    }

    pub fn put_opt(&mut self, key: &str, v: Option<Node>) -> &mut Obj {
        if let Some(v) = v {
            self.put(key, v);
        }
        self
    }

    pub fn node(self) -> Node {
        Node { pos: self.pos, value: Value::Map(self.entries) }
    }
}

/// `{"id": ...}`.
pub fn id_ref(v: Node) -> Node {
    let mut o = Obj::new(v.pos);
    o.put("id", v);
    o.node()
}

/// The translation context: the plan, ids already computed, warnings.
pub struct Tr<'a, 'w> {
    pub plan: &'a Plan<'a>,
    pub file: Arc<str>,
    pub warnings: &'w mut Vec<Warning>,
    pub subscription: String,
    ids: RefCell<HashMap<usize, Option<String>>>,
    /// Instances whose id had to be synthesised.
    pub synthesised: RefCell<Vec<usize>>,
    /// Private IPs determined by Azure's allocation rule, by instance.
    pub allocated: HashMap<usize, String>,
    /// Attributes given to the Azure loader as unknown, by instance.
    pub unknowns: RefCell<Vec<(usize, String)>>,
}

impl<'a, 'w> Tr<'a, 'w> {
    pub fn new(plan: &'a Plan<'a>, file: Arc<str>, warnings: &'w mut Vec<Warning>) -> Tr<'a, 'w> {
        let subscription = common_subscription(plan).unwrap_or_else(|| "unknown".to_string());
        Tr {
            plan,
            file,
            warnings,
            subscription,
            ids: RefCell::new(HashMap::new()),
            synthesised: RefCell::new(Vec::new()),
            allocated: HashMap::new(),
            unknowns: RefCell::new(Vec::new()),
        }
    }

    pub fn inst(&self, i: usize) -> &'a Instance<'a> {
        &self.plan.instances[i]
    }

    pub fn root(&self, i: usize) -> Cur<'a> {
        let x = self.inst(i);
        Cur { inst: i, path: String::new(), v: Some(x.values), u: x.unknown, c: x.config, pos: x.cite.pos }
    }

    pub fn loc(&self, pos: Pos) -> Loc {
        Loc::new(self.file.clone(), pos)
    }

    pub fn warn(&mut self, pos: Pos, msg: impl Into<String>) {
        let loc = self.loc(pos);
        self.warnings.push(Warning { loc, message: msg.into() });
    }

    /// `[after apply: ADDRESS.PATH]` for a value the plan does not know.
    pub fn marker(&self, c: &Cur) -> Node {
        self.unknowns.borrow_mut().push((c.inst, c.path.clone()));
        s(c.pos, format!("[after apply: {}.{}]", self.inst(c.inst).address, c.path))
    }

    /// One warning per resource naming what of it is known only after
    /// apply and so unknown to every verdict that depends on it.
    pub fn warn_unknowns(&mut self) {
        let mut all = self.unknowns.borrow().clone();
        all.sort();
        all.dedup();
        let mut i = 0;
        while i < all.len() {
            let inst = all[i].0;
            let paths: Vec<String> = all[i..].iter().take_while(|(x, _)| *x == inst).map(|(_, p)| p.clone()).collect();
            i += paths.len();
            let (addr, pos) = (self.inst(inst).address.clone(), self.inst(inst).cite.pos);
            self.warn(
                pos,
                format!(
                    "{addr}: known only after apply, so unknown to tusk: {}; what depends on it is unknown",
                    paths.join(", ")
                ),
            );
        }
    }

    /// A scalar value: known, unknown (the marker), or absent.
    pub fn val(&self, c: &Cur, path: &str) -> Option<Node> {
        let f = field_path(c, path);
        match f.known() {
            Some(n) => Some(n.clone()),
            None if f.is_unknown() => Some(self.marker(&f)),
            None => None,
        }
    }

    /// A list of scalars: known items, a marker for each unknown item (or
    /// one if the whole list is unknown), or absent.
    pub fn list(&self, c: &Cur<'a>, path: &str) -> Option<Node> {
        let f = field_path(c, path);
        match f.known() {
            Some(n) => match n.as_seq() {
                Some(_) => {
                    let items = self.items_or_markers(&f, |_, e| self.marker(e));
                    (!items.is_empty()).then(|| seq(n.pos, items))
                }
                None => Some(seq(n.pos, vec![n.clone()])),
            },
            None if f.is_unknown() => Some(seq(f.pos, vec![self.marker(&f)])),
            None => None,
        }
    }

    /// The known items of a list, and for each item the plan does not know
    /// (`after_unknown` `[true]`), what `unknown` makes of it.
    fn items_or_markers(&self, f: &Cur<'a>, unknown: impl Fn(usize, &Cur<'a>) -> Node) -> Vec<Node> {
        let Some(items) = f.v.and_then(Node::as_seq) else { return Vec::new() };
        let us = f.u.and_then(Node::as_seq);
        let mut out = Vec::new();
        for (k, it) in items.iter().enumerate() {
            if it.as_str().is_some_and(|s| !s.is_empty()) || it.as_map().is_some() {
                out.push(it.clone());
            } else if us.and_then(|u| u.get(k)).and_then(Node::as_bool) == Some(true) {
                let e = Cur { path: format!("{}[{k}]", f.path), pos: it.pos, v: None, u: None, ..f.clone() };
                out.push(unknown(k, &e));
            }
        }
        out
    }

    /// A list of CIDRs, which the Azure loader reads only as literals: an
    /// unknown one is left out with a warning of its own.
    pub fn cidrs(&mut self, c: &Cur, path: &str) -> Option<Node> {
        let f = field_path(c, path);
        if f.is_unknown() {
            let what = format!("{}.{}", self.inst(c.inst).address, f.path);
            self.warn(f.pos, format!("`{what}` is known only after apply; those prefixes are unknown and left out"));
            return None;
        }
        self.list(c, path)
    }

    /// A resource id argument: known, or resolved through the configuration's
    /// references to the resource it names (whose id may be synthesised),
    /// or the marker.
    pub fn id(&self, c: &Cur, path: &str) -> Option<Node> {
        let f = field_path(c, path);
        if let Some(n) = f.known() {
            return Some(n.clone());
        }
        if !f.is_unknown() {
            return None;
        }
        Some(match self.target(&f) {
            Ok(t) => match self.arm_id(t) {
                Some(id) => s(f.pos, id),
                None => self.marker(&f),
            },
            Err(_) => self.marker(&f),
        })
    }

    /// The instance an unknown argument refers to.
    pub fn target(&self, f: &Cur) -> Result<usize, String> {
        self.target_of(f, Want::Id)
    }

    pub fn target_of(&self, f: &Cur, want: Want) -> Result<usize, String> {
        let refs = f.c.map(references).unwrap_or_default();
        let x = self.inst(f.inst);
        match self.plan.resolve(&x.module, &refs, x.key.as_deref(), want, 0) {
            Target::Instance(i) => Ok(i),
            Target::Unresolved(why) => Err(why),
        }
    }

    /// A list of resource ids, each resolved like [`Tr::id`]. The list has
    /// one expression: an unknown item is resolved when the list has one
    /// item (`[azurerm_application_security_group.web.id]`).
    pub fn ids(&self, c: &Cur<'a>, path: &str) -> Vec<Node> {
        let f = field_path(c, path);
        let resolve = |e: &Cur<'a>| match self.target(e).ok().and_then(|t| self.arm_id(t)) {
            Some(id) => s(e.pos, id),
            None => self.marker(e),
        };
        if let Some(items) = f.known().and_then(Node::as_seq) {
            let single = items.len() == 1;
            return self.items_or_markers(&f, |_, e| if single { resolve(e) } else { self.marker(e) });
        }
        if f.is_unknown() {
            return vec![resolve(&f)];
        }
        Vec::new()
    }

    /// The ARM id of an instance: Terraform's when known, else synthesised.
    pub fn arm_id(&self, i: usize) -> Option<String> {
        if let Some(v) = self.ids.borrow().get(&i) {
            return v.clone();
        }
        let r = self.root(i);
        let id = match r.field("id").str() {
            Some(id) => Some(id.to_string()),
            None => {
                let id = super::ids::synthesise(self, i);
                if id.is_some() {
                    self.synthesised.borrow_mut().push(i);
                }
                id
            }
        };
        self.ids.borrow_mut().insert(i, id.clone());
        id
    }

    /// `/subscriptions/S/resourceGroups/G/providers/` for an instance.
    pub fn group_prefix(&self, i: usize) -> String {
        let rg = self.root(i).field("resource_group_name").str().map(str::to_string);
        let rg = rg.unwrap_or_else(|| format!("unknown-group-of-{}", self.inst(i).address));
        format!("/subscriptions/{}/resourceGroups/{rg}/providers/", self.subscription)
    }

    /// The Azure name of an instance, or its address when unknown.
    pub fn name(&self, i: usize) -> String {
        self.root(i).field("name").str().map(str::to_string).unwrap_or_else(|| self.inst(i).address.clone())
    }
}

/// Follows a dotted path of fields (`a.b`) from a cursor.
pub fn field_path<'a>(c: &Cur<'a>, path: &str) -> Cur<'a> {
    path.split('.').fold(c.clone(), |c, k| c.field(k))
}

/// The one subscription that the known ids of the plan name, if only one.
fn common_subscription(plan: &Plan) -> Option<String> {
    let mut subs: Vec<String> = Vec::new();
    for x in &plan.instances {
        if let Some(id) = x.values.get("id").and_then(Node::as_str) {
            let mut segs = id.split('/');
            while let Some(s) = segs.next() {
                if s.eq_ignore_ascii_case("subscriptions") {
                    if let Some(sub) = segs.next() {
                        if !subs.iter().any(|x| x.eq_ignore_ascii_case(sub)) {
                            subs.push(sub.to_string());
                        }
                    }
                    break;
                }
            }
        }
    }
    (subs.len() == 1).then(|| subs.remove(0))
}
