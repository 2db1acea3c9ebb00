//! The order ARM deploys a template's resources in: each after those it
//! `dependsOn`, so that `reference()` reads what an earlier resource or
//! nested deployment produced.

use super::eval::{Env, Frame};
use super::template::key;
use super::value::Val;
use crate::doc::Node;

/// The resources in an order where each comes after those it `dependsOn`
/// (a stable topological sort), so that `reference()` finds what it reads:
/// ARM deploys in dependency order, not in the order written. A
/// dependency is matched by symbolic name, name, or an id ending with the
/// name; what cannot be matched keeps the written order.
pub fn dependency_order<'n>(
    env: &Env<'n>,
    list: Vec<(Option<&'n str>, &'n Node)>,
    f: &Frame,
) -> Vec<(Option<&'n str>, &'n Node)> {
    let names: Vec<Vec<String>> = list
        .iter()
        .map(|(sym, r)| {
            let mut keys: Vec<String> = sym.iter().map(|s| s.to_ascii_lowercase()).collect();
            if let Some(Ok(Val::Str(n))) = key(r, "name").map(|n| env.eval_node(n, f)) {
                keys.push(n.to_ascii_lowercase());
            }
            keys
        })
        .collect();
    let deps: Vec<Vec<usize>> = list
        .iter()
        .enumerate()
        .map(|(i, (_, r))| {
            let mut out = Vec::new();
            for d in key(r, "dependsOn").and_then(Node::as_seq).unwrap_or_default() {
                let Some(Ok(Val::Str(d))) = Some(env.eval_node(d, f)) else { continue };
                let d = d.to_ascii_lowercase();
                for (j, keys) in names.iter().enumerate() {
                    let hit = keys.iter().any(|k| {
                        d == *k
                            || (d.len() > k.len()
                                && d.ends_with(k.as_str())
                                && d.as_bytes()[d.len() - k.len() - 1] == b'/')
                    });
                    if j != i && hit {
                        out.push(j);
                    }
                }
            }
            out
        })
        .collect();
    let mut done = vec![false; list.len()];
    let mut order = Vec::with_capacity(list.len());
    while order.len() < list.len() {
        let next = (0..list.len())
            .find(|&i| !done[i] && deps[i].iter().all(|&j| done[j]))
            .or_else(|| (0..list.len()).find(|&i| !done[i]))
            .expect("some resource is left");
        done[next] = true;
        order.push(list[next]);
    }
    order
}
