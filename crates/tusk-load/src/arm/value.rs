//! The values of the ARM template language (JSON values plus lambdas), and
//! one more: [`Val::Unknown`], a value that only Azure knows at deployment
//! time (a parameter nobody gave, `utcNow()`, a runtime property read by
//! `reference()`). An unknown value carries its reason and propagates
//! through every function that reads it, so a resource built from it says
//! why it cannot be known instead of holding a guessed value.
//!
//! Conversion to and from the positioned [`Node`] tree is here too: template
//! text is read as nodes, and evaluated resource bodies go back to nodes so
//! the Azure loader reads them exactly as it reads exports.

use crate::doc::{Node, Value};
use std::rc::Rc;
use tusk_core::Pos;

/// Why a value is unknown. `param` names the template parameter without a
/// value it comes from, if that is the cause (such a parameter in a network
/// resource's name or address is an error, not a warning).
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    pub reason: String,
    pub param: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Val {
    Null,
    Bool(bool),
    Int(i64),
    /// A JSON number that is not an integer, kept as written.
    Num(Rc<str>),
    Str(Rc<str>),
    Arr(Rc<Vec<Val>>),
    Obj(Rc<Obj>),
    Unknown(Rc<Unknown>),
    Lambda(Rc<Lambda>),
}

/// An object; keys compare case-insensitively, as ARM's do. `open` marks a
/// resource's state read by `reference()`: the template gives only part of
/// it, so a missing property is unknown (Azure fills it in), not absent.
#[derive(Debug, Clone, Default)]
pub struct Obj {
    pub entries: Vec<(String, Val)>,
    pub open: Option<String>,
}

#[derive(Debug)]
pub struct Lambda {
    pub params: Vec<String>,
    pub body: super::expr::Expr,
}

impl Obj {
    pub fn get(&self, key: &str) -> Option<&Val> {
        self.entries.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
    }

    pub fn insert(&mut self, key: String, v: Val) {
        match self.entries.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&key)) {
            Some(slot) => slot.1 = v,
            None => self.entries.push((key, v)),
        }
    }
}

impl Val {
    pub fn unknown(reason: impl Into<String>) -> Val {
        Val::Unknown(Rc::new(Unknown { reason: reason.into(), param: None }))
    }

    pub fn str(s: impl Into<Rc<str>>) -> Val {
        Val::Str(s.into())
    }

    pub fn arr(v: Vec<Val>) -> Val {
        Val::Arr(Rc::new(v))
    }

    pub fn obj(entries: Vec<(String, Val)>) -> Val {
        Val::Obj(Rc::new(Obj { entries, open: None }))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown(_))
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "bool",
            Val::Int(_) | Val::Num(_) => "int",
            Val::Str(_) => "string",
            Val::Arr(_) => "array",
            Val::Obj(_) => "object",
            Val::Unknown(_) => "unknown",
            Val::Lambda(_) => "lambda",
        }
    }

    /// ARM's equality (`equals`, and `contains` / `union` on arrays):
    /// strings compare case-sensitively (Bicep compiles its case-sensitive
    /// `==` to `equals`, and `=~` to `equals(toLower(..), toLower(..))`),
    /// object keys case-insensitively, arrays and objects element-wise.
    pub fn arm_eq(&self, o: &Val) -> bool {
        match (self, o) {
            (Val::Null, Val::Null) => true,
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (Val::Int(a), Val::Int(b)) => a == b,
            (Val::Num(a), Val::Num(b)) => a == b,
            (Val::Str(a), Val::Str(b)) => a == b,
            (Val::Arr(a), Val::Arr(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.arm_eq(y)),
            (Val::Obj(a), Val::Obj(b)) => {
                a.entries.len() == b.entries.len()
                    && a.entries.iter().all(|(k, v)| b.get(k).is_some_and(|w| v.arm_eq(w)))
            }
            _ => false,
        }
    }

    /// The JSON text of a value (`string()` of an object, `json` round trips).
    pub fn to_json(&self) -> String {
        let mut s = String::new();
        self.write_json(&mut s);
        s
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Val::Null => out.push_str("null"),
            Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Val::Int(i) => out.push_str(&i.to_string()),
            Val::Num(n) => out.push_str(n),
            Val::Str(s) => json_string(s, out),
            Val::Arr(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_json(out);
                }
                out.push(']');
            }
            Val::Obj(o) => {
                out.push('{');
                for (i, (k, v)) in o.entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_string(k, out);
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
            Val::Unknown(u) => out.push_str(&format!("\"<unknown: {}>\"", u.reason)),
            Val::Lambda(_) => out.push_str("\"<lambda>\""),
        }
    }

    /// A value as a positioned node, every part at `pos` (the template
    /// position it was computed from). Unknown values become the string
    /// `[unknown: reason]`, which the Azure loader reports as unknown; a
    /// string that would read as an expression is escaped with `[[`.
    pub fn to_node(&self, pos: Pos) -> Node {
        let scalar = |text: String, quoted: bool| Node { pos, value: Value::Scalar { text: text.into(), quoted } };
        match self {
            Val::Null => scalar("null".into(), false),
            Val::Bool(b) => scalar(b.to_string(), false),
            Val::Int(i) => scalar(i.to_string(), false),
            Val::Num(n) => scalar(n.to_string(), false),
            Val::Str(s) if s.starts_with('[') && s.ends_with(']') => scalar(format!("[{s}"), true),
            Val::Str(s) => scalar(s.to_string(), true),
            Val::Arr(a) => Node { pos, value: Value::Seq(a.iter().map(|v| v.to_node(pos)).collect()) },
            Val::Obj(o) => Node {
                pos,
                value: Value::Map(o.entries.iter().map(|(k, v)| (scalar(k.clone(), true), v.to_node(pos))).collect()),
            },
            Val::Unknown(u) => scalar(format!("{}{}]", UNKNOWN_PREFIX, u.reason.replace(']', ")")), true),
            Val::Lambda(_) => scalar(format!("{UNKNOWN_PREFIX}a lambda is not a value]"), true),
        }
    }
}

/// How an unknown value is spelled in a resource body handed to the Azure
/// loader (see `azure::shape::unknown_reason`).
pub const UNKNOWN_PREFIX: &str = "[unknown: ";

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A scalar node's JSON value, without expression evaluation.
pub fn scalar_val(text: &str, quoted: bool) -> Val {
    if quoted {
        return Val::str(text);
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Val::Null,
        "true" | "True" | "TRUE" => Val::Bool(true),
        "false" | "False" | "FALSE" => Val::Bool(false),
        _ => match text.parse::<i64>() {
            Ok(i) => Val::Int(i),
            Err(_) if text.parse::<f64>().is_ok() => Val::Num(text.into()),
            Err(_) => Val::str(text),
        },
    }
}

/// An evaluated body (see [`Val::to_node`]) read back as a value: the
/// `[unknown: ...]` markers become unknown values again, with the
/// parameter they name when the reason is a parameter without value.
pub fn evaluated_node_val(n: &Node) -> Val {
    match &n.value {
        Value::Scalar { text, quoted: true } => match text.strip_prefix(UNKNOWN_PREFIX) {
            Some(rest) => {
                let reason = rest.strip_suffix(']').unwrap_or(rest).to_string();
                let param = reason
                    .strip_prefix("parameter `")
                    .and_then(|r| r.strip_suffix("` has no value"))
                    .map(str::to_string);
                Val::Unknown(Rc::new(Unknown { reason, param }))
            }
            None if text.starts_with("[[") => Val::str(&text[1..]),
            None => Val::str(text.as_str()),
        },
        Value::Scalar { text, quoted: false } => scalar_val(text, false),
        Value::Seq(items) => Val::arr(items.iter().map(evaluated_node_val).collect()),
        Value::Map(m) => Val::obj(
            m.iter().map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), evaluated_node_val(v))).collect(),
        ),
    }
}
