//! The lambda functions of ARM templates (Microsoft Learn, "Lambda
//! functions for ARM templates"): `filter`, `map`, `reduce`, `sort`,
//! `toObject`, `mapValues`, `groupBy`. The lambda is applied by the caller
//! (`eval`), which owns the variables in scope.

use super::funcs::{bad, unknown_arg};
use super::value::{Lambda, Obj, Val};
use std::rc::Rc;

/// The lambda functions (Microsoft Learn, "Lambda functions for ARM templates").
pub fn lambda_fn(name: &str, a: &[Val], apply: &mut dyn FnMut(&Lambda, Vec<Val>) -> Val) -> Val {
    if let Some(u) = unknown_arg(a) {
        return u;
    }
    let items: Vec<Val> = match a.first() {
        Some(Val::Arr(x)) => x.to_vec(),
        Some(Val::Obj(o)) if name == "mapvalues" => o.entries.iter().map(|(_, v)| v.clone()).collect(),
        _ => return bad(name, a),
    };
    let lam = |k: usize| match a.get(k) {
        Some(Val::Lambda(l)) => Some(l.clone()),
        _ => None,
    };
    match name {
        "filter" | "map" => {
            let Some(l) = lam(1) else { return bad(name, a) };
            let mut out = Vec::new();
            for (k, x) in items.into_iter().enumerate() {
                let r = apply(&l, vec![x.clone(), Val::Int(k as i64)]);
                if name == "map" {
                    out.push(r);
                    continue;
                }
                match r {
                    Val::Bool(true) => out.push(x),
                    Val::Bool(false) => {}
                    Val::Unknown(u) => return Val::Unknown(u),
                    _ => return Val::unknown("filter(): the predicate did not give a bool"),
                }
            }
            Val::arr(out)
        }
        "reduce" => {
            let (Some(init), Some(l)) = (a.get(1), lam(2)) else { return bad(name, a) };
            let mut acc = init.clone();
            for (k, x) in items.into_iter().enumerate() {
                acc = apply(&l, vec![acc, x, Val::Int(k as i64)]);
            }
            acc
        }
        "sort" => {
            let Some(l) = lam(1) else { return bad(name, a) };
            let mut out = items;
            let mut unknown = None;
            // Insertion sort: the comparison is a template lambda that may be unknown.
            for k in 1..out.len() {
                let mut j = k;
                while j > 0 {
                    match apply(&l, vec![out[j].clone(), out[j - 1].clone()]) {
                        Val::Bool(true) => out.swap(j, j - 1),
                        Val::Bool(false) => break,
                        other => {
                            unknown.get_or_insert(other);
                            break;
                        }
                    }
                    j -= 1;
                }
            }
            match unknown {
                Some(u @ Val::Unknown(_)) => u,
                Some(_) => Val::unknown("sort(): the comparison did not give a bool"),
                None => Val::arr(out),
            }
        }
        "toobject" => {
            let Some(kl) = lam(1) else { return bad(name, a) };
            let vl = lam(2);
            let mut o = Obj::default();
            for x in items {
                let k = match apply(&kl, vec![x.clone()]) {
                    Val::Str(k) => k.to_string(),
                    Val::Unknown(u) => return Val::Unknown(u),
                    _ => return Val::unknown("toObject(): a key is not a string"),
                };
                let v = match &vl {
                    Some(l) => apply(l, vec![x]),
                    None => x,
                };
                o.insert(k, v);
            }
            Val::Obj(Rc::new(o))
        }
        "mapvalues" => {
            let (Some(Val::Obj(src)), Some(l)) = (a.first(), lam(1)) else { return bad(name, a) };
            Val::obj(src.entries.iter().map(|(k, v)| (k.clone(), apply(&l, vec![v.clone()]))).collect())
        }
        "groupby" => {
            let Some(l) = lam(1) else { return bad(name, a) };
            let mut o = Obj::default();
            for x in items {
                let k = match apply(&l, vec![x.clone()]) {
                    Val::Str(k) => k.to_string(),
                    Val::Unknown(u) => return Val::Unknown(u),
                    _ => return Val::unknown("groupBy(): a key is not a string"),
                };
                let mut list = match o.get(&k) {
                    Some(Val::Arr(v)) => v.to_vec(),
                    _ => Vec::new(),
                };
                list.push(x);
                o.insert(k, Val::arr(list));
            }
            Val::Obj(Rc::new(o))
        }
        _ => bad(name, a),
    }
}
