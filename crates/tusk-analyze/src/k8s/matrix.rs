//! The connectivity matrix: class-to-class connection sets, then expanded to
//! the grain the user asked for (pod, workload, namespace).
//!
//! Cost: each distinct (rules applied, direction) is evaluated once; pairs
//! are enumerated only from the peers a destination's ingress allows, so a
//! cluster whose policies confine traffic to namespaces costs in proportion
//! to the allowed pairs, not to the square of the pods.
//!
//! Variants (a pod of unknown IP under "ipBlock selects pods"): a flow is
//! *allowed* only if every variant combination allows it, *unknown* if some
//! do, so no verdict depends on an address tusk had to guess.

use super::classes::Endpoints;
use super::compile::{dir_index, has_named, Compiled, Direction};
use super::eval::{lookup, Evaluator, Pieces};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use tusk_core::{ConnSet, IpRange};
use tusk_model::k8s::Cluster;

/// One allowed class-level pair (peer ids: classes, then atoms).
pub type ClassPair = (u32, u32, ConnSet);

/// What a class allows, per direction, shared between classes whose applied
/// rules are the same.
pub struct ClassResults {
    pub ingress: Vec<Arc<Pieces>>,
    pub egress: Vec<Arc<Pieces>>,
}

pub fn evaluate_all(ep: &Endpoints, compiled: &Compiled) -> ClassResults {
    let ev = Evaluator::new(ep, compiled);
    let mut out = [Vec::new(), Vec::new()];
    for dir in [Direction::Ingress, Direction::Egress] {
        let d = dir_index(dir);
        // Key: the applied rules, plus the class's own named ports when an
        // ingress rule names a port (it resolves on the class).
        let key = |c: usize| {
            let a = &compiled.applied[c][d];
            let named = dir == Direction::Ingress
                && a.admin
                    .iter()
                    .chain(a.np.iter().flatten())
                    .chain(&a.baseline)
                    .any(|&id| has_named(&compiled.rules[id as usize].ports));
            let ports = if named { Some(ep.classes[c].group) } else { None };
            (a, ports)
        };
        let mut unique: HashMap<_, usize> = HashMap::new();
        let mut reps = Vec::new();
        let class_key: Vec<usize> = (0..ep.classes.len())
            .map(|c| {
                let k = key(c);
                *unique.entry(k).or_insert_with(|| {
                    reps.push(c);
                    reps.len() - 1
                })
            })
            .collect();
        let results: Vec<Arc<Pieces>> =
            reps.par_iter().map(|&c| Arc::new(ev.evaluate(c as u32, dir, &compiled.applied[c][d]))).collect();
        out[d] = class_key.into_iter().map(|k| results[k].clone()).collect();
    }
    let [ingress, egress] = out;
    ClassResults { ingress, egress }
}

/// Every allowed (source, destination) class/atom pair.
pub fn class_pairs(ep: &Endpoints, res: &ClassResults) -> Vec<ClassPair> {
    let n = ep.class_count();
    let mut pairs: Vec<ClassPair> = (0..n)
        .into_par_iter()
        .flat_map_iter(|d| {
            let mut out = Vec::new();
            for (srcs, c) in res.ingress[d as usize].iter() {
                for s in srcs {
                    if ep.is_atom(s) {
                        out.push((s, d, c.clone()));
                    } else if let Some(e) = lookup(&res.egress[s as usize], d) {
                        let conn = c.intersect(e);
                        if !conn.is_empty() {
                            out.push((s, d, conn));
                        }
                    }
                }
            }
            out
        })
        .collect();
    // Pod → outside: only the source's egress applies.
    let to_atoms: Vec<ClassPair> = (0..n)
        .into_par_iter()
        .flat_map_iter(|s| {
            let mut out = Vec::new();
            for (dsts, c) in res.egress[s as usize].iter() {
                for d in dsts.range(n..) {
                    out.push((s, d, c.clone()));
                }
            }
            out
        })
        .collect();
    pairs.extend(to_atoms);
    pairs
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grain {
    Pod,
    Workload,
    Namespace,
}

/// An endpoint of the matrix at some grain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    Pod { namespace: String, name: String },
    Workload { namespace: String, name: String, kind: &'static str },
    Namespace(String),
    External(IpRange),
}

/// One row of the matrix: what `src` may open toward `dst`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub src: Endpoint,
    pub dst: Endpoint,
    /// Allowed whatever the unknown inputs turn out to be.
    pub allowed: ConnSet,
    /// Allowed under some readings of unknown inputs (e.g. a pod IP).
    pub unknown: ConnSet,
}

/// Expands class pairs to the requested grain. Members of one endpoint are
/// merged by union: a row says "some pod of A may reach some pod of B".
pub fn expand(cluster: &Cluster, ep: &Endpoints, pairs: &[ClassPair], grain: Grain) -> Vec<Entry> {
    // Variant resolution: group pair → [conn per variant pair].
    let n = ep.class_count();
    let side = |peer: u32| -> (Side, usize) {
        if peer >= n {
            (Side::Atom(peer - n), 1)
        } else {
            let g = ep.classes[peer as usize].group;
            (Side::Group(g), ep.groups[g as usize].variants.len())
        }
    };
    let mut by_groups: HashMap<(Side, Side), (Vec<ConnSet>, usize)> = HashMap::new();
    for (s, d, c) in pairs {
        let ((gs, ns), (gd, nd)) = (side(*s), side(*d));
        let e = by_groups.entry((gs, gd)).or_insert_with(|| (Vec::new(), ns * nd));
        e.0.push(c.clone());
    }
    let mut memo: HashMap<Side, Vec<Endpoint>> = HashMap::new();
    let mut rows: HashMap<(Endpoint, Endpoint), (ConnSet, ConnSet)> = HashMap::new();
    for ((gs, gd), (conns, combos)) in by_groups {
        let union = conns.iter().fold(ConnSet::none(), |a, c| a.union(c));
        let all = if conns.len() == combos {
            conns.iter().skip(1).fold(conns[0].clone(), |a, c| a.intersect(c))
        } else {
            ConnSet::none()
        };
        let unknown = union.subtract(&all);
        let srcs = memo.entry(gs).or_insert_with(|| members(cluster, ep, gs, grain)).clone();
        let dsts = memo.entry(gd).or_insert_with(|| members(cluster, ep, gd, grain)).clone();
        for src in &srcs {
            // A pod, workload or namespace talking to itself is not a row.
            for dst in dsts.iter().filter(|d| *d != src) {
                let e = rows.entry((src.clone(), dst.clone())).or_default();
                e.0 = e.0.union(&all);
                e.1 = e.1.union(&unknown);
            }
        }
    }
    let mut out: Vec<Entry> = rows
        .into_iter()
        .map(|((src, dst), (allowed, unknown))| {
            let unknown = unknown.subtract(&allowed);
            Entry { src, dst, allowed, unknown }
        })
        .filter(|e| !e.allowed.is_empty() || !e.unknown.is_empty())
        .collect();
    out.sort_by(|a, b| (&a.src, &a.dst).cmp(&(&b.src, &b.dst)));
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Side {
    Group(u32),
    Atom(u32),
}

/// The distinct endpoints (at `grain`) that a group or atom stands for.
fn members(cluster: &Cluster, ep: &Endpoints, s: Side, grain: Grain) -> Vec<Endpoint> {
    match s {
        Side::Atom(a) => vec![Endpoint::External(ep.atoms[a as usize])],
        Side::Group(g) => {
            let mut v: Vec<Endpoint> = ep.groups[g as usize]
                .pods
                .iter()
                .map(|&pi| {
                    let p = &cluster.pods[pi as usize];
                    match grain {
                        Grain::Pod => Endpoint::Pod { namespace: p.namespace.clone(), name: p.name.clone() },
                        Grain::Workload => {
                            let w = &cluster.workloads[p.workload];
                            Endpoint::Workload {
                                namespace: w.namespace.clone(),
                                name: w.name.clone(),
                                kind: w.kind.name(),
                            }
                        }
                        Grain::Namespace => Endpoint::Namespace(p.namespace.clone()),
                    }
                })
                .collect();
            v.sort();
            v.dedup();
            v
        }
    }
}
