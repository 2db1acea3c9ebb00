//! The ARM template functions that need no context: strings, arrays,
//! objects, comparison, logic, numbers, conversion, CIDR and lambdas
//! (Microsoft Learn, "ARM template functions", one page per category).
//! Functions whose value only Azure knows (`newGuid`, `utcNow`, `list*`)
//! and any function tusk does not implement give an unknown value naming
//! the function, never a guess.
//!
//! Unknown arguments propagate: a function of an unknown value is unknown
//! with the same reason.

use super::value::{Obj, Val};
use std::rc::Rc;

/// The functions this module and `eval`/`scope` evaluate (lower-cased), for
/// the census of functions used in real templates.
pub const EVALUATED: &[&str] = &[
    "parameters",
    "variables",
    "lambdavariables",
    "copyindex",
    "if",
    "lambda",
    "filter",
    "map",
    "reduce",
    "sort",
    "toobject",
    "mapvalues",
    "groupby",
    "concat",
    "format",
    "tolower",
    "toupper",
    "replace",
    "substring",
    "padleft",
    "base64",
    "base64tostring",
    "split",
    "string",
    "int",
    "bool",
    "json",
    "array",
    "createarray",
    "createobject",
    "trim",
    "startswith",
    "endswith",
    "indexof",
    "lastindexof",
    "length",
    "empty",
    "contains",
    "first",
    "last",
    "take",
    "skip",
    "union",
    "intersection",
    "coalesce",
    "equals",
    "not",
    "and",
    "or",
    "less",
    "lessorequals",
    "greater",
    "greaterorequals",
    "add",
    "sub",
    "mul",
    "div",
    "mod",
    "min",
    "max",
    "range",
    "items",
    "objectkeys",
    "tryget",
    "join",
    "flatten",
    "shallowmerge",
    "null",
    "true",
    "false",
    "cidrsubnet",
    "cidrhost",
    "parsecidr",
    "uniquestring",
    "uricomponent",
    "uri",
    "resourceid",
    "subscriptionresourceid",
    "tenantresourceid",
    "managementgroupresourceid",
    "extensionresourceid",
    "resourcegroup",
    "subscription",
    "tenant",
    "deployment",
    "environment",
    "managementgroup",
    "reference",
];

pub(super) fn unknown_arg(args: &[Val]) -> Option<Val> {
    args.iter().find(|a| a.is_unknown()).cloned()
}

pub(super) fn bad(name: &str, args: &[Val]) -> Val {
    let types: Vec<&str> = args.iter().map(Val::type_name).collect();
    Val::unknown(format!("{name}() cannot take ({}) ", types.join(", ")))
}

/// `x.p`: a property of an object. A property a resource's state lacks is
/// unknown (Azure fills it in at deployment).
pub fn property(v: &Val, p: &str) -> Val {
    match v {
        Val::Unknown(_) => v.clone(),
        Val::Obj(o) => match (o.get(p), &o.open) {
            (Some(x), _) => x.clone(),
            (None, Some(what)) => Val::unknown(format!("`{p}` of {what} is known only after deployment")),
            (None, None) => Val::unknown(format!("the object has no property `{p}`")),
        },
        other => Val::unknown(format!("cannot read property `{p}` of a {}", other.type_name())),
    }
}

/// `x[i]`: an array element or an object property.
pub fn index(v: &Val, i: &Val) -> Val {
    match (v, i) {
        (Val::Unknown(_), _) => v.clone(),
        (_, Val::Unknown(_)) => i.clone(),
        (Val::Arr(a), Val::Int(k)) => match usize::try_from(*k).ok().and_then(|k| a.get(k)) {
            Some(x) => x.clone(),
            None => Val::unknown(format!("index {k} is outside the array of {}", a.len())),
        },
        (Val::Obj(_), Val::Str(k)) => property(v, k),
        _ => Val::unknown(format!("cannot index a {} with a {}", v.type_name(), i.type_name())),
    }
}

/// Functions of plain values.
pub fn call(name: &str, args: &[Val]) -> Val {
    match name {
        "coalesce" => {
            for a in args {
                match a {
                    Val::Null => continue,
                    other => return other.clone(),
                }
            }
            return Val::Null;
        }
        "null" => return Val::Null,
        "true" => return Val::Bool(true),
        "false" => return Val::Bool(false),
        "createarray" => return Val::arr(args.to_vec()),
        "createobject" => {
            let mut o = Obj::default();
            for pair in args.chunks(2) {
                match pair {
                    [Val::Str(k), v] => o.insert(k.to_string(), v.clone()),
                    [Val::Unknown(u), _] => return Val::Unknown(u.clone()),
                    _ => return bad(name, args),
                }
            }
            return Val::Obj(Rc::new(o));
        }
        "tryget" => return try_get(args),
        "newguid" | "utcnow" | "datetimeadd" | "datetimefromepoch" | "datetimetoepoch" => {
            return Val::unknown(format!("{name}() is known only at deployment time"))
        }
        n if n.starts_with("list") => {
            return Val::unknown(format!("{name}() reads a deployed resource's secrets or state, known only to Azure"))
        }
        "pickzones" => return Val::unknown("pickZones() depends on the availability zones Azure offers in the region"),
        "guid" => {
            return Val::unknown("guid() is not evaluated by tusk (a name derived from its arguments)");
        }
        _ => {}
    }
    if let Some(u) = unknown_arg(args) {
        return u;
    }
    strings(name, args).unwrap_or_else(|| collections(name, args))
}

fn try_get(args: &[Val]) -> Val {
    let mut v = match args.first() {
        Some(v) => v.clone(),
        None => return Val::Null,
    };
    for k in &args[1..] {
        v = match (&v, k) {
            (Val::Unknown(_), _) => return v,
            (_, Val::Unknown(_)) => return k.clone(),
            (Val::Obj(o), Val::Str(s)) => match (o.get(s), &o.open) {
                (Some(x), _) => x.clone(),
                (None, Some(_)) => return property(&v, s),
                (None, None) => return Val::Null,
            },
            (Val::Arr(a), Val::Int(i)) => match usize::try_from(*i).ok().and_then(|i| a.get(i)) {
                Some(x) => x.clone(),
                None => return Val::Null,
            },
            (Val::Null, _) => return Val::Null,
            _ => return Val::Null,
        };
    }
    v
}

fn s(v: &Val) -> Option<&str> {
    v.as_str()
}

fn i(v: &Val) -> Option<i64> {
    match v {
        Val::Int(i) => Some(*i),
        _ => None,
    }
}

/// `string()`: strings as they are, other values as compact JSON.
pub fn to_string(v: &Val) -> String {
    match v {
        Val::Str(s) => s.to_string(),
        Val::Bool(b) => (if *b { "True" } else { "False" }).to_string(),
        Val::Null => String::new(),
        other => other.to_json(),
    }
}

fn strings(name: &str, a: &[Val]) -> Option<Val> {
    let r = match (name, a) {
        ("concat", _) if a.iter().all(|x| matches!(x, Val::Arr(_))) && !a.is_empty() => {
            let mut out = Vec::new();
            for x in a {
                if let Val::Arr(items) = x {
                    out.extend(items.iter().cloned());
                }
            }
            Val::arr(out)
        }
        ("concat", _) => Val::str(a.iter().map(to_string).collect::<String>()),
        ("format", [Val::Str(f), rest @ ..]) => format(f, rest),
        ("tolower", [Val::Str(x)]) => Val::str(x.to_lowercase()),
        ("toupper", [Val::Str(x)]) => Val::str(x.to_uppercase()),
        ("trim", [Val::Str(x)]) => Val::str(x.trim()),
        ("replace", [Val::Str(x), Val::Str(o), Val::Str(n)]) => Val::str(x.replace(&**o, n)),
        ("substring", [Val::Str(x), rest @ ..]) => {
            let chars: Vec<char> = x.chars().collect();
            let start = rest.first().and_then(i).unwrap_or(0);
            let len = rest.get(1).and_then(i).unwrap_or(chars.len() as i64 - start);
            if start < 0 || len < 0 || (start + len) as usize > chars.len() {
                Val::unknown(format!("substring(): {start}+{len} is outside `{x}`"))
            } else {
                Val::str(chars[start as usize..(start + len) as usize].iter().collect::<String>())
            }
        }
        ("padleft", [v, Val::Int(n), rest @ ..]) => {
            let x = to_string(v);
            let pad = rest.first().and_then(s).and_then(|p| p.chars().next()).unwrap_or(' ');
            let missing = (*n).clamp(0, 16_384) as usize;
            let missing = missing.saturating_sub(x.chars().count());
            Val::str(format!("{}{x}", pad.to_string().repeat(missing)))
        }
        ("startswith", [Val::Str(x), Val::Str(p)]) => Val::Bool(x.to_lowercase().starts_with(&p.to_lowercase())),
        ("endswith", [Val::Str(x), Val::Str(p)]) => Val::Bool(x.to_lowercase().ends_with(&p.to_lowercase())),
        ("indexof", [Val::Str(x), Val::Str(p)]) => {
            Val::Int(x.to_lowercase().find(&p.to_lowercase()).map_or(-1, |k| k as i64))
        }
        ("lastindexof", [Val::Str(x), Val::Str(p)]) => {
            Val::Int(x.to_lowercase().rfind(&p.to_lowercase()).map_or(-1, |k| k as i64))
        }
        ("base64", [Val::Str(x)]) => Val::str(base64(x.as_bytes())),
        ("split", [Val::Str(x), Val::Str(d)]) => Val::arr(x.split(&**d).map(Val::str).collect()),
        ("split", [Val::Str(x), Val::Arr(ds)]) => {
            let ds: Vec<&str> = ds.iter().filter_map(Val::as_str).collect();
            let mut parts = vec![x.to_string()];
            for d in ds {
                parts = parts.iter().flat_map(|p| p.split(d).map(str::to_string).collect::<Vec<_>>()).collect();
            }
            Val::arr(parts.into_iter().map(Val::str).collect())
        }
        ("string", [v]) => Val::str(to_string(v)),
        ("uricomponent", [Val::Str(x)]) => Val::str(uri_component(x)),
        ("uri", [Val::Str(base), Val::Str(rel)]) => {
            let b = match base.rfind('/') {
                Some(k) => &base[..=k],
                None => base,
            };
            Val::str(format!("{b}{}", rel.trim_start_matches('/')))
        }
        ("uniquestring", _) if !a.is_empty() && a.iter().all(|x| x.as_str().is_some()) => {
            let joined: Vec<&str> = a.iter().filter_map(Val::as_str).collect();
            Val::str(super::uniq::unique_string(&joined.join("-")))
        }
        ("int", [Val::Str(x)]) => {
            x.trim().parse().map(Val::Int).unwrap_or_else(|_| Val::unknown(format!("int(): `{x}` is not an integer")))
        }
        ("int", [Val::Int(x)]) => Val::Int(*x),
        ("bool", [Val::Bool(b)]) => Val::Bool(*b),
        ("bool", [Val::Int(x)]) => Val::Bool(*x != 0),
        ("bool", [Val::Str(x)]) => match x.to_ascii_lowercase().as_str() {
            "true" => Val::Bool(true),
            "false" => Val::Bool(false),
            _ => Val::unknown(format!("bool(): `{x}` is not true or false")),
        },
        ("json", [Val::Str(x)]) => json(x),
        ("cidrsubnet", [Val::Str(n), Val::Int(c), Val::Int(k)]) => super::cidr::cidr_subnet(n, *c, *k),
        ("cidrhost", [Val::Str(n), Val::Int(k)]) => super::cidr::cidr_host(n, *k),
        ("parsecidr", [Val::Str(n)]) => super::cidr::parse_cidr(n),
        _ => return None,
    };
    Some(r)
}

fn collections(name: &str, a: &[Val]) -> Val {
    // A resource's state read by `reference()` holds only what the template
    // sets: questions about its whole key set are known only after deployment.
    let open = a.iter().find_map(|x| match x {
        Val::Obj(o) => o.open.clone(),
        _ => None,
    });
    if let Some(what) = open {
        let decided = matches!((name, a), ("contains", [Val::Obj(o), Val::Str(k)]) if o.get(k).is_some());
        if !decided
            && matches!(
                name,
                "contains" | "empty" | "length" | "objectkeys" | "items" | "equals" | "union" | "intersection"
            )
        {
            return Val::unknown(format!("{name}() of the state of {what}, known only after deployment"));
        }
    }
    match (name, a) {
        ("array", [Val::Arr(_)]) => a[0].clone(),
        ("array", [v]) => Val::arr(vec![v.clone()]),
        ("length", [Val::Str(x)]) => Val::Int(x.chars().count() as i64),
        ("length", [Val::Arr(x)]) => Val::Int(x.len() as i64),
        ("length", [Val::Obj(o)]) => Val::Int(o.entries.len() as i64),
        ("empty", [Val::Null]) => Val::Bool(true),
        ("empty", [Val::Str(x)]) => Val::Bool(x.is_empty()),
        ("empty", [Val::Arr(x)]) => Val::Bool(x.is_empty()),
        ("empty", [Val::Obj(o)]) => Val::Bool(o.entries.is_empty()),
        ("contains", [Val::Str(x), v]) => Val::Bool(x.contains(&to_string(v))),
        ("contains", [Val::Arr(x), v]) => Val::Bool(x.iter().any(|e| e.arm_eq(v))),
        ("contains", [Val::Obj(o), Val::Str(k)]) => Val::Bool(o.get(k).is_some()),
        ("first", [Val::Arr(x)]) => x.first().cloned().unwrap_or(Val::Null),
        ("first", [Val::Str(x)]) => Val::str(x.chars().take(1).collect::<String>()),
        ("last", [Val::Arr(x)]) => x.last().cloned().unwrap_or(Val::Null),
        ("last", [Val::Str(x)]) => Val::str(x.chars().last().map(String::from).unwrap_or_default()),
        ("take", [Val::Arr(x), Val::Int(n)]) => Val::arr(x.iter().take((*n).max(0) as usize).cloned().collect()),
        ("take", [Val::Str(x), Val::Int(n)]) => Val::str(x.chars().take((*n).max(0) as usize).collect::<String>()),
        ("skip", [Val::Arr(x), Val::Int(n)]) => Val::arr(x.iter().skip((*n).max(0) as usize).cloned().collect()),
        ("skip", [Val::Str(x), Val::Int(n)]) => Val::str(x.chars().skip((*n).max(0) as usize).collect::<String>()),
        ("union", _) if a.iter().all(|x| matches!(x, Val::Obj(_))) => {
            let mut o = Obj::default();
            for x in a {
                if let Val::Obj(p) = x {
                    for (k, v) in &p.entries {
                        // union merges nested objects recursively (ARM docs, union).
                        let merged = match (o.get(k), v) {
                            (Some(old @ Val::Obj(_)), Val::Obj(_)) => call("union", &[old.clone(), v.clone()]),
                            _ => v.clone(),
                        };
                        o.insert(k.clone(), merged);
                    }
                }
            }
            Val::Obj(Rc::new(o))
        }
        ("shallowmerge", [Val::Arr(items)]) => {
            let mut o = Obj::default();
            for x in items.iter() {
                if let Val::Obj(p) = x {
                    for (k, v) in &p.entries {
                        o.insert(k.clone(), v.clone());
                    }
                }
            }
            Val::Obj(Rc::new(o))
        }
        ("union", _) if a.iter().all(|x| matches!(x, Val::Arr(_))) => {
            let mut out: Vec<Val> = Vec::new();
            for x in a {
                if let Val::Arr(items) = x {
                    for v in items.iter() {
                        if !out.iter().any(|o| o.arm_eq(v)) {
                            out.push(v.clone());
                        }
                    }
                }
            }
            Val::arr(out)
        }
        ("intersection", [Val::Arr(first), rest @ ..]) => Val::arr(
            first
                .iter()
                .filter(|v| rest.iter().all(|r| matches!(r, Val::Arr(x) if x.iter().any(|y| y.arm_eq(v)))))
                .cloned()
                .collect(),
        ),
        ("intersection", [Val::Obj(first), rest @ ..]) => Val::obj(
            first
                .entries
                .iter()
                .filter(|(k, v)| rest.iter().all(|r| matches!(r, Val::Obj(o) if o.get(k).is_some_and(|w| w.arm_eq(v)))))
                .cloned()
                .collect(),
        ),
        ("flatten", [Val::Arr(x)]) => {
            let mut out = Vec::new();
            for v in x.iter() {
                match v {
                    Val::Arr(inner) => out.extend(inner.iter().cloned()),
                    other => out.push(other.clone()),
                }
            }
            Val::arr(out)
        }
        ("join", [Val::Arr(x), Val::Str(d)]) => Val::str(x.iter().map(to_string).collect::<Vec<_>>().join(d)),
        ("items", [Val::Obj(o)]) => {
            let mut entries = o.entries.clone();
            entries.sort_by_key(|x| x.0.to_lowercase());
            Val::arr(
                entries
                    .into_iter()
                    .map(|(k, v)| Val::obj(vec![("key".into(), Val::str(k)), ("value".into(), v)]))
                    .collect(),
            )
        }
        ("objectkeys", [Val::Obj(o)]) => Val::arr(o.entries.iter().map(|(k, _)| Val::str(k.as_str())).collect()),
        ("range", [Val::Int(s), Val::Int(n)]) if (0..=10_000).contains(n) => {
            Val::arr((*s..s + n).map(Val::Int).collect())
        }
        ("equals", [x, y]) => Val::Bool(x.arm_eq(y)),
        ("not", [Val::Bool(b)]) => Val::Bool(!b),
        ("and", _) if a.iter().all(|x| matches!(x, Val::Bool(_))) => {
            Val::Bool(a.iter().all(|x| matches!(x, Val::Bool(true))))
        }
        ("or", _) if a.iter().all(|x| matches!(x, Val::Bool(_))) => {
            Val::Bool(a.iter().any(|x| matches!(x, Val::Bool(true))))
        }
        ("less" | "lessorequals" | "greater" | "greaterorequals", [x, y]) => compare(name, x, y),
        ("add", [Val::Int(x), Val::Int(y)]) => Val::Int(x.wrapping_add(*y)),
        ("sub", [Val::Int(x), Val::Int(y)]) => Val::Int(x.wrapping_sub(*y)),
        ("mul", [Val::Int(x), Val::Int(y)]) => Val::Int(x.wrapping_mul(*y)),
        ("div", [Val::Int(_), Val::Int(0)]) | ("mod", [Val::Int(_), Val::Int(0)]) => {
            Val::unknown(format!("{name}() by zero"))
        }
        ("div", [Val::Int(x), Val::Int(y)]) => x.checked_div(*y).map_or_else(|| bad(name, a), Val::Int),
        ("mod", [Val::Int(x), Val::Int(y)]) => x.checked_rem(*y).map_or_else(|| bad(name, a), Val::Int),
        ("min" | "max", _) => {
            let nums: Vec<i64> = match a {
                [Val::Arr(x)] => x.iter().filter_map(i).collect(),
                _ => a.iter().filter_map(i).collect(),
            };
            let r = if name == "min" { nums.iter().min() } else { nums.iter().max() };
            r.map(|v| Val::Int(*v)).unwrap_or_else(|| bad(name, a))
        }
        _ if super::funcs::EVALUATED.contains(&name) => bad(name, a),
        _ => Val::unknown(format!("the template function `{name}` is not evaluated by tusk")),
    }
}

fn compare(name: &str, x: &Val, y: &Val) -> Val {
    let ord = match (x, y) {
        (Val::Int(a), Val::Int(b)) => a.cmp(b),
        (Val::Str(a), Val::Str(b)) => a.cmp(b),
        _ => return bad(name, &[x.clone(), y.clone()]),
    };
    use std::cmp::Ordering::*;
    Val::Bool(match name {
        "less" => ord == Less,
        "lessorequals" => ord != Greater,
        "greater" => ord == Greater,
        _ => ord != Less,
    })
}

/// .NET composite formatting as `format()` uses it: `{0}`, `{{`, `}}`.
/// A format specifier (`{0:N2}`) gives an unknown value.
fn format(f: &str, args: &[Val]) -> Val {
    let mut out = String::new();
    let mut chars = f.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    spec.push(d);
                }
                let Ok(k) = spec.trim().parse::<usize>() else {
                    return Val::unknown(format!("format(): the placeholder `{{{spec}}}` is not evaluated by tusk"));
                };
                match args.get(k) {
                    Some(v) => out.push_str(&to_string(v)),
                    None => return Val::unknown(format!("format(): no argument {k}")),
                }
            }
            c => out.push(c),
        }
    }
    Val::str(out)
}

fn json(x: &str) -> Val {
    let name: std::sync::Arc<str> = std::sync::Arc::from("json()");
    match crate::doc::parse_documents(&name, x) {
        Ok(docs) if docs.is_empty() => Val::Null,
        Ok(docs) => node_val(&docs[0].root),
        Err(e) => Val::unknown(format!("json(): {}", e.message)),
    }
}

/// A node as a value, without evaluating expressions (for `json()`).
pub fn node_val(n: &crate::doc::Node) -> Val {
    use crate::doc::Value;
    match &n.value {
        Value::Scalar { text, quoted } => super::value::scalar_val(text, *quoted),
        Value::Seq(items) => Val::arr(items.iter().map(node_val).collect()),
        Value::Map(m) => {
            Val::obj(m.iter().map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), node_val(v))).collect())
        }
    }
}

fn base64(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for k in 0..4 {
            if k <= c.len() {
                out.push(T[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn uri_component(x: &str) -> String {
    x.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(x: &str) -> Val {
        Val::str(x)
    }

    #[test]
    fn string_and_cidr_functions_follow_the_docs() {
        assert_eq!(call("format", &[st("{0}-{1}{{x}}"), st("a"), Val::Int(2)]).as_str(), Some("a-2{x}"));
        assert_eq!(call("base64", &[st("one, two, three")]).as_str(), Some("b25lLCB0d28sIHRocmVl"));
        assert_eq!(
            call("cidrsubnet", &[st("10.144.0.0/20"), Val::Int(24), Val::Int(2)]).as_str(),
            Some("10.144.2.0/24")
        );
        assert_eq!(call("cidrhost", &[st("10.144.3.0/24"), Val::Int(0)]).as_str(), Some("10.144.3.1"));
        let p = call("parsecidr", &[st("10.144.0.0/20")]);
        assert_eq!(property(&p, "broadcast").as_str(), Some("10.144.15.255"));
        assert_eq!(call("padleft", &[st("123"), Val::Int(5), st("0")]).as_str(), Some("00123"));
        assert!(call("utcnow", &[]).is_unknown());
        // Out-of-range arguments give unknown values, never a panic.
        assert!(call("cidrhost", &[st("10.0.0.0/40"), Val::Int(1)]).is_unknown());
        assert!(call("cidrhost", &[st("10.0.0.0/24"), Val::Int(-1)]).is_unknown());
        assert!(call("div", &[Val::Int(i64::MIN), Val::Int(-1)]).is_unknown());
        assert_eq!(call("padleft", &[st("1"), Val::Int(-5)]).as_str(), Some("1"));
        let u = Val::unknown("why");
        assert!(matches!(call("concat", &[st("a"), u]), Val::Unknown(r) if r.reason == "why"));
    }

    #[test]
    fn collections_union_and_tryget() {
        let o1 = Val::obj(vec![("a".into(), Val::Int(1))]);
        let o2 = Val::obj(vec![("b".into(), Val::Int(2))]);
        assert!(matches!(call("equals", &[st("A"), st("a")]), Val::Bool(false)));
        let state = Val::Obj(Rc::new(Obj { entries: vec![("a".into(), Val::Int(1))], open: Some("`r`".into()) }));
        assert!(call("contains", &[state.clone(), st("zz")]).is_unknown());
        assert!(matches!(call("contains", &[state.clone(), st("a")]), Val::Bool(true)));
        assert!(call("length", &[state]).is_unknown());
        let u = call("union", &[o1.clone(), o2]);
        assert_eq!(call("length", &[u]).to_json(), "2");
        assert!(matches!(call("tryget", &[o1.clone(), st("zz")]), Val::Null));
        assert!(matches!(call("tryget", &[o1, st("A")]), Val::Int(1)));
        let r = call("range", &[Val::Int(1), Val::Int(3)]);
        assert_eq!(r.to_json(), "[1,2,3]");
    }
}
