//! Evaluating expressions and template JSON in one template's context:
//! its parameters, variables (evaluated lazily, in any order, as ARM
//! allows), user-defined functions, copy indexes and lambda variables, and
//! the deployment scope that `resourceGroup()`, `subscription()` and the
//! `resourceId` family read. Functions that need no context are in
//! `funcs`; scope and `reference()` are in `scope`.
//!
//! Every failure to know a value is a [`Val::Unknown`] with its reason; a
//! syntax error in an expression is a located error.

use super::expr::{parse_template_string, Expr, Parsed};
use super::funcs;
use super::scope::{self, Shared};
use super::value::{scalar_val, Lambda, Obj, Unknown, Val};
use crate::doc::{Node, Value};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use tusk_core::{LoadError, Loc};

/// A user-defined function: its parameter names and output expression.
pub struct Udf<'n> {
    pub params: Vec<String>,
    pub output: &'n Node,
}

/// One template's evaluation context.
pub struct Env<'n> {
    pub file: Arc<str>,
    /// Parameter values by lower-cased name.
    pub params: HashMap<String, Val>,
    pub var_src: HashMap<String, &'n Node>,
    pub vars: RefCell<HashMap<String, Val>>,
    /// Variables being evaluated, to report a cycle instead of recursing.
    pub var_busy: RefCell<Vec<String>>,
    pub udfs: HashMap<String, Rc<Udf<'n>>>,
    pub scope: scope::Scope,
    /// `deployment()`'s value.
    pub deployment: Val,
    /// Symbolic (2.0) and plain resource names of this template, lower-cased,
    /// to the resource id they stand for (for `reference('name')`).
    pub symbols: RefCell<HashMap<String, Val>>,
    pub shared: Rc<Shared>,
    /// Set when an evaluated body may hold an unknown value (see
    /// `inplace::may_hold_unknown`), so that only those bodies are searched
    /// for a parameter without value.
    pub unknown_written: Cell<bool>,
    /// The first error met while evaluating lazily (a variable, a
    /// function), raised by the walker after the resource that needed it.
    pub error: RefCell<Option<LoadError>>,
}

/// Per-call state on top of an [`Env`]: copy indexes and lambda variables.
#[derive(Clone, Default)]
pub struct Frame {
    /// (loop name lower-cased, index); the resource's own loop is named "".
    pub copy: Vec<(String, i64)>,
    pub locals: Vec<(String, Val)>,
    /// Inside a user-defined function, its parameters replace the template's.
    pub udf_params: Option<Rc<HashMap<String, Val>>>,
}

pub type Res<T> = Result<T, LoadError>;

impl<'n> Env<'n> {
    fn loc(&self, n: &Node) -> Loc {
        Loc::new(self.file.clone(), n.pos)
    }

    /// Evaluates a template string node: a literal or an expression.
    pub fn eval_str(&self, n: &Node, s: &str, f: &Frame) -> Res<Val> {
        match parse_template_string(s) {
            Ok(Parsed::Literal(l)) => Ok(Val::str(l)),
            Ok(Parsed::Expr(e)) => Ok(self.eval(&e, f)),
            Err(m) => Err(LoadError::new(self.loc(n), format!("ARM expression `{s}`: {m}"))),
        }
    }

    /// A JSON node's value, expressions evaluated, `copy` blocks expanded.
    pub fn eval_node(&self, n: &Node, f: &Frame) -> Res<Val> {
        Ok(match &n.value {
            Value::Scalar { text, quoted: true } => self.eval_str(n, text, f)?,
            Value::Scalar { text, quoted: false } => scalar_val(text, false),
            Value::Seq(items) => Val::arr(items.iter().map(|i| self.eval_node(i, f)).collect::<Res<_>>()?),
            Value::Map(entries) => {
                let mut o = Obj::default();
                for (k, v) in entries {
                    let key = k.as_str().unwrap_or_default();
                    if key == "copy" && v.as_seq().is_some_and(|s| s.iter().all(|c| c.get("input").is_some())) {
                        for (name, arr) in self.property_copy(v, f)? {
                            o.insert(name, arr);
                        }
                        continue;
                    }
                    o.insert(key.to_string(), self.eval_node(v, f)?);
                }
                Val::Obj(Rc::new(o))
            }
        })
    }

    /// A JSON node evaluated back into a positioned node: literals keep
    /// their own positions, computed values take the position of the
    /// expression that computed them.
    pub fn eval_to_node(&self, n: &Node, f: &Frame) -> Res<Node> {
        Ok(match &n.value {
            Value::Scalar { text, quoted: true } if super::expr::is_expression(text) => {
                let v = self.eval_str(n, text, f)?;
                self.note_unknown(super::inplace::may_hold_unknown(&v));
                v.to_node(n.pos)
            }
            Value::Scalar { text, quoted } => {
                self.note_unknown(*quoted && text.starts_with(super::value::UNKNOWN_PREFIX));
                n.clone()
            }
            Value::Seq(items) => Node {
                pos: n.pos,
                value: Value::Seq(items.iter().map(|i| self.eval_to_node(i, f)).collect::<Res<_>>()?),
            },
            Value::Map(entries) => {
                let mut out: Vec<(Node, Node)> = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    if super::inplace::is_property_copy(k, v) {
                        for (name, arr) in self.property_copy(v, f)? {
                            self.note_unknown(super::inplace::may_hold_unknown(&arr));
                            let key = Node { pos: v.pos, value: Value::Scalar { text: name.into(), quoted: true } };
                            out.push((key, arr.to_node(v.pos)));
                        }
                        continue;
                    }
                    out.push((k.clone(), self.eval_to_node(v, f)?));
                }
                Node { pos: n.pos, value: Value::Map(out) }
            }
        })
    }

    /// `copy: [{name, count, input}]` inside properties or variables: each
    /// names an array of `count` evaluations of `input` with
    /// `copyIndex('name')` set (Microsoft Learn, "Property iteration in ARM
    /// templates").
    pub(super) fn property_copy(&self, v: &Node, f: &Frame) -> Res<Vec<(String, Val)>> {
        let mut out = Vec::new();
        for c in v.as_seq().unwrap_or_default() {
            let name = match c.get("name").map(|n| self.eval_node(n, f)).transpose()? {
                Some(Val::Str(s)) => s.to_string(),
                _ => return Err(LoadError::new(self.loc(c), "a `copy` entry needs a literal `name`")),
            };
            let count = c.get("count").map(|n| self.eval_node(n, f)).transpose()?.unwrap_or(Val::Int(0));
            let input = c.get("input").expect("checked by the caller");
            let val = match count {
                Val::Int(k) if (0..=800).contains(&k) => {
                    let mut items = Vec::new();
                    for i in 0..k {
                        let mut g = f.clone();
                        g.copy.push((name.to_ascii_lowercase(), i));
                        items.push(self.eval_node(input, &g)?);
                    }
                    Val::arr(items)
                }
                Val::Unknown(u) => Val::Unknown(u),
                other => {
                    return Err(LoadError::new(
                        self.loc(c),
                        format!("copy `{name}`: count must be an integer 0-800, not {}", other.to_json()),
                    ))
                }
            };
            out.push((name, val));
        }
        Ok(out)
    }

    pub fn variable(&self, name: &str) -> Val {
        let key = name.to_ascii_lowercase();
        if let Some(v) = self.vars.borrow().get(&key) {
            return v.clone();
        }
        let Some(src) = self.var_src.get(&key).copied() else {
            return Val::unknown(format!("variable `{name}` is not defined in the template"));
        };
        if self.var_busy.borrow().contains(&key) {
            return Val::unknown(format!("variable `{name}` refers to itself"));
        }
        self.var_busy.borrow_mut().push(key.clone());
        let v = self.eval_node(src, &Frame::default()).unwrap_or_else(|e| self.fail(e));
        self.var_busy.borrow_mut().retain(|k| k != &key);
        self.vars.borrow_mut().insert(key, v.clone());
        v
    }

    /// Evaluates an expression. Function arguments are evaluated first,
    /// except for the functions whose arguments ARM evaluates lazily
    /// (`if` evaluates only the branch taken) and `lambda`.
    pub fn eval(&self, e: &Expr, f: &Frame) -> Val {
        match e {
            Expr::Str(s) => Val::Str(s.clone()),
            Expr::Int(i) => Val::Int(*i),
            Expr::Bool(b) => Val::Bool(*b),
            Expr::Null => Val::Null,
            Expr::Prop(inner, p) => funcs::property(&self.eval(inner, f), p),
            Expr::Index(inner, i) => funcs::index(&self.eval(inner, f), &self.eval(i, f)),
            Expr::Call(name, args) => self.call(name, args, f),
        }
    }

    fn call(&self, name: &str, args: &[Expr], f: &Frame) -> Val {
        let lname = name.to_ascii_lowercase();
        match lname.as_str() {
            "if" if args.len() == 3 => {
                return match self.eval(&args[0], f) {
                    Val::Bool(true) => self.eval(&args[1], f),
                    Val::Bool(false) => self.eval(&args[2], f),
                    Val::Unknown(u) => {
                        let (a, b) = (self.eval(&args[1], f), self.eval(&args[2], f));
                        if a.arm_eq(&b) {
                            a
                        } else {
                            Val::Unknown(u)
                        }
                    }
                    other => Val::unknown(format!("if(): the condition is {}, not a bool", other.type_name())),
                };
            }
            // `and` / `or` stop at the first argument that decides
            // (Bicep's `&&` / `||` compile to them and rely on it).
            "and" | "or" if !args.is_empty() => {
                let decisive = lname == "or";
                let mut unknown = None;
                for a in args {
                    match self.eval(a, f) {
                        Val::Bool(b) if b == decisive => return Val::Bool(decisive),
                        Val::Bool(_) => {}
                        Val::Unknown(u) => {
                            unknown.get_or_insert(u);
                        }
                        other => {
                            return Val::unknown(format!("{name}(): an argument is {}, not a bool", other.type_name()))
                        }
                    }
                }
                return unknown.map_or(Val::Bool(!decisive), Val::Unknown);
            }
            "lambda" => {
                let mut params = Vec::new();
                for a in &args[..args.len().saturating_sub(1)] {
                    match a {
                        Expr::Str(s) => params.push(s.to_string()),
                        _ => return Val::unknown("lambda(): parameter names must be literal strings"),
                    }
                }
                return match args.last() {
                    Some(body) => Val::Lambda(Rc::new(Lambda { params, body: body.clone() })),
                    None => Val::unknown("lambda() needs a body"),
                };
            }
            _ => {}
        }
        let vals: Vec<Val> = args.iter().map(|a| self.eval(a, f)).collect();
        match lname.as_str() {
            "parameters" => self.parameter(&vals, f),
            "variables" => match vals.first() {
                Some(Val::Str(s)) => self.variable(s),
                Some(Val::Unknown(u)) => Val::Unknown(u.clone()),
                _ => Val::unknown("variables() needs a name"),
            },
            "lambdavariables" => match vals.first() {
                Some(Val::Str(s)) => f
                    .locals
                    .iter()
                    .rev()
                    .find(|(k, _)| k.eq_ignore_ascii_case(s))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| Val::unknown(format!("lambda variable `{s}` is not in scope"))),
                _ => Val::unknown("lambdaVariables() needs a name"),
            },
            "copyindex" => self.copy_index(&vals, f),
            "filter" | "map" | "reduce" | "sort" | "toobject" | "mapvalues" | "groupby" => {
                super::lambda::lambda_fn(&lname, &vals, &mut |l: &Lambda, xs: Vec<Val>| self.apply(l, xs, f))
            }
            _ if name.contains('.') => self.call_udf(name, vals, f),
            _ => match scope::call(self, &lname, &vals) {
                Some(v) => v,
                None => funcs::call(&lname, &vals),
            },
        }
    }

    fn apply(&self, l: &Lambda, xs: Vec<Val>, f: &Frame) -> Val {
        let mut g = f.clone();
        for (p, x) in l.params.iter().zip(xs) {
            g.locals.push((p.clone(), x));
        }
        self.eval(&l.body, &g)
    }

    fn parameter(&self, vals: &[Val], f: &Frame) -> Val {
        let name = match vals.first() {
            Some(Val::Str(s)) => s,
            Some(Val::Unknown(u)) => return Val::Unknown(u.clone()),
            _ => return Val::unknown("parameters() needs a name"),
        };
        let key = name.to_ascii_lowercase();
        let found = match &f.udf_params {
            Some(p) => p.get(&key),
            None => self.params.get(&key),
        };
        found.cloned().unwrap_or_else(|| {
            Val::Unknown(Rc::new(Unknown {
                reason: format!("parameter `{name}` is not declared by the template"),
                param: None,
            }))
        })
    }

    fn copy_index(&self, vals: &[Val], f: &Frame) -> Val {
        let (name, offset) = match vals {
            [] => (String::new(), 0),
            [Val::Int(o)] => (String::new(), *o),
            [Val::Str(n)] => (n.to_ascii_lowercase(), 0),
            [Val::Str(n), Val::Int(o)] => (n.to_ascii_lowercase(), *o),
            _ => return Val::unknown("copyIndex(): unexpected arguments"),
        };
        let hit = if name.is_empty() {
            f.copy.iter().rev().find(|(k, _)| k.is_empty()).or_else(|| f.copy.last())
        } else {
            f.copy.iter().rev().find(|(k, _)| *k == name)
        };
        match hit {
            Some((_, i)) => Val::Int(i + offset),
            None => Val::unknown(format!("copyIndex({name}) is used outside its copy loop")),
        }
    }

    fn call_udf(&self, name: &str, vals: Vec<Val>, f: &Frame) -> Val {
        let Some(udf) = self.udfs.get(&name.to_ascii_lowercase()).cloned() else {
            return Val::unknown(format!("function `{name}` is not defined in the template"));
        };
        let params: HashMap<String, Val> = udf.params.iter().map(|p| p.to_ascii_lowercase()).zip(vals).collect();
        let g = Frame { copy: Vec::new(), locals: f.locals.clone(), udf_params: Some(Rc::new(params)) };
        self.eval_node(udf.output, &g).unwrap_or_else(|e| self.fail(e))
    }

    /// Records that a body being evaluated may hold an unknown value.
    pub(super) fn note_unknown(&self, may: bool) {
        if may {
            self.unknown_written.set(true);
        }
    }

    fn fail(&self, e: LoadError) -> Val {
        let v = Val::unknown(e.message.clone());
        self.error.borrow_mut().get_or_insert(e);
        v
    }

    /// The error met lazily, if any.
    pub fn take_error(&self) -> Res<()> {
        match self.error.borrow_mut().take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
