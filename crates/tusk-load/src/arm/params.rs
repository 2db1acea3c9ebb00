//! Parameter declarations: given values read as the declared type,
//! `nullable` parameters (languageVersion 2.0), and the check that a network
//! resource's address or reference does not depend on a parameter without
//! value (the one case that is an error rather than an unknown value).

use super::template::key;
use super::value::Val;
use crate::doc::Node;

/// `nullable: true` on the declaration or on the definition it `$ref`s.
pub fn nullable(t: &Node, decl: &Node) -> bool {
    if key(decl, "nullable").and_then(Node::as_bool) == Some(true) {
        return true;
    }
    let Some(r) = key(decl, "$ref").and_then(Node::as_str).and_then(|r| r.strip_prefix("#/definitions/")) else {
        return false;
    };
    key(t, "definitions").and_then(|d| key(d, r)).and_then(|d| key(d, "nullable")).and_then(Node::as_bool) == Some(true)
}

/// A value given for a declared parameter, read as the declared type
/// (a `--param` value is text).
pub fn coerce(decl: &Node, v: Val) -> Val {
    let ty = key(decl, "type").and_then(Node::as_str).unwrap_or("string").to_ascii_lowercase();
    match (ty.as_str(), &v) {
        ("int", Val::Str(s)) => s.trim().parse().map(Val::Int).unwrap_or(v),
        ("bool", Val::Str(s)) => match s.to_ascii_lowercase().as_str() {
            "true" => Val::Bool(true),
            "false" => Val::Bool(false),
            _ => v,
        },
        ("array" | "object" | "secureobject", Val::Str(s)) => match super::funcs::call("json", &[Val::str(&**s)]) {
            Val::Unknown(_) => v,
            j => j,
        },
        _ => v,
    }
}

/// [`critical_missing_param`] of an evaluated body node, without building
/// its value: the same answer, read from the node tree (an unknown value is
/// a quoted `[unknown: ...]` scalar there).
pub fn critical_missing_param_node(n: &Node, field: &str) -> Option<(String, String)> {
    use crate::doc::Value;
    match &n.value {
        Value::Scalar { text, quoted: true } if text.starts_with(super::value::UNKNOWN_PREFIX) => {
            critical_missing_param(&super::value::evaluated_node_val(n), field)
        }
        Value::Scalar { .. } => None,
        Value::Seq(items) => items.iter().find_map(|x| critical_missing_param_node(x, field)),
        Value::Map(m) => m.iter().find_map(|(k, x)| critical_missing_param_node(x, k.as_str().unwrap_or_default())),
    }
}

/// A field of a network resource that names an address or another resource
/// and depends on a parameter without value: (field, parameter).
pub fn critical_missing_param(v: &Val, field: &str) -> Option<(String, String)> {
    match v {
        Val::Unknown(u) => {
            let f = field.to_ascii_lowercase();
            let critical = f == "id" || f.contains("address") || f.contains("prefix");
            match (&u.param, critical) {
                (Some(p), true) => Some((field.to_string(), p.clone())),
                _ => None,
            }
        }
        Val::Arr(a) => a.iter().find_map(|x| critical_missing_param(x, field)),
        Val::Obj(o) => o.entries.iter().find_map(|(k, x)| critical_missing_param(x, k)),
        _ => None,
    }
}
