//! The tenant matrix across both layers: for every ordered pair of tenants
//! (namespaces grouped by a label's value) and each actor, the group
//! verdict of one flow (protocol and port) from every pod of the first
//! (actor `pod`) or every node those pods can run on (actor `node`) to
//! every pod of the second, with [`crate::join::trace`].
//!
//! This is the simple form of issue 7's matrix: it traces each member pair
//! (interchangeable replicas collapsed, [`crate::join::pod_members`]),
//! one port at a time. It is meant for estates of the article's size; the
//! class-based form the issue asks for at 100,000 pods is not built.

pub use crate::errors::TenantsError;
use crate::join::{self, Actor, Ask, End, GroupPath, Wiring};
use std::collections::BTreeMap;
use tusk_core::Idx;
use tusk_model::k8s::Pod;
use tusk_model::Estate;
use tusk_network::Prepared;

/// One cell: `from` → `to` for `actor`.
pub struct Cell {
    /// The source tenant.
    pub from: String,
    /// The destination tenant.
    pub to: String,
    /// Every pair from `from`'s members to `to`'s, with the group verdict.
    pub paths: GroupPath,
}

/// Tenants by the namespaces' `label`: tenant → its pods.
pub fn tenants(estate: &Estate, label: &str) -> BTreeMap<String, Vec<Idx<Pod>>> {
    let mut out: BTreeMap<String, Vec<Idx<Pod>>> = BTreeMap::new();
    for (i, p) in Idx::enumerate(&estate.k8s.pods) {
        let ns = estate.k8s.namespaces.iter().find(|n| n.name == p.namespace);
        if let Some(t) = ns.and_then(|n| n.labels.get(label)) {
            out.entry(t.clone()).or_default().push(i);
        }
    }
    out
}

/// Every ordered pair of distinct tenants, for each actor. [`TenantsError`]
/// when there are fewer than two tenants or a pair is too large to trace.
pub fn matrix(
    estate: &Estate,
    w: &Wiring,
    p: &Prepared,
    label: &str,
    actors: &[Actor],
    ask: Ask,
) -> Result<Vec<Cell>, TenantsError> {
    let ts = tenants(estate, label);
    if ts.len() < 2 {
        return Err(TenantsError::FewerThanTwo { label: label.to_string() });
    }
    let ends: Vec<(String, End)> = ts
        .into_iter()
        .map(|(t, pods)| {
            let pods: Vec<Idx<Pod>> = pods.into_iter().filter(|&i| !w.nodes_of(estate, i).is_empty()).collect();
            let (members, collapsed) = join::pod_members(estate, w, pods);
            let name = format!("tenant:{t}");
            (t, End { name, members, collapsed, ..Default::default() })
        })
        .collect();
    let mut cells = Vec::new();
    for (a, ea) in &ends {
        for (b, eb) in &ends {
            if a == b {
                continue;
            }
            if ea.members.len() * eb.members.len() > join::MAX_PAIRS {
                return Err(TenantsError::TooManyPairs { from: a.clone(), to: b.clone() });
            }
            for &actor in actors {
                let paths = join::trace(estate, w, p, ea, eb, Ask { actor, ..ask });
                cells.push(Cell { from: a.clone(), to: b.clone(), paths });
            }
        }
    }
    Ok(cells)
}
