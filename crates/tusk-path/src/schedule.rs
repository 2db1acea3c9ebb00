//! Where each workload's pods can run, and where a simulation of the
//! scheduler puts them.
//!
//! **Feasibility is exact**: a node is feasible for a workload when it
//! passes the scheduler's filters that depend on the pod and the node only
//! ("Assign Pods to Nodes", "Taints and Tolerations"): not cordoned,
//! `nodeSelector`, required node affinity (terms ORed, expressions ANDed;
//! In, NotIn, Exists, DoesNotExist, Gt, Lt), and every `NoSchedule` /
//! `NoExecute` taint tolerated (`PreferNoSchedule` is a preference). Surge
//! nodes are never candidates. A workload with no feasible node is
//! reported with each pool's reason, never dropped.
//!
//! **Placement is a simulation**, deterministic and documented: workloads
//! in input order, replicas one at a time, dealt round-robin over the
//! feasible zones (sorted; replica *r* tries zone *r mod Z* first) and,
//! inside a zone, to the node with the fewest replicas of the workload.
//! A node is skipped when it would break a `DoNotSchedule` topology spread
//! constraint (skew = count in the domain after placing − the least count
//! over the feasible domains, at most `maxSkew`; nodes without the key are
//! not eligible) or a required pod anti-affinity term, in either direction
//! (the pod's own terms against pods already placed, and theirs against
//! it, as the scheduler enforces both). A replica no node accepts is
//! unplaceable. Resource requests are not modelled, nor `maxPods`.
//! Exported pods that name their node (`spec.nodeName`) are placed there.
//! A DaemonSet gets one pod on every feasible node.

use crate::binding::{cluster_of, Bound};
use crate::nodes::{Fleet, SimNode};
use crate::select::{blocking_taint, term_matches};
use std::collections::{BTreeMap, BTreeSet};
use tusk_core::Warning;
use tusk_model::k8s::{Labels, WorkloadKind};
use tusk_model::scheduling::{PodAffinityTerm, PodScheduling, WhenUnsatisfiable};
use tusk_model::Estate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlacedBy {
    /// Every pod named its node in the export.
    Exported,
    Simulated,
}

/// Why a pool's nodes do not take a workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub pool: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Placement {
    /// Index into `k8s.workloads`.
    pub workload: usize,
    pub cluster: Bound,
    /// Fleet indices of the nodes that pass the filters.
    pub feasible: Vec<usize>,
    /// Pools (or node groups) with no feasible node, and why.
    pub rejected: Vec<Rejection>,
    /// The node of each replica; `None`: no node accepts it.
    pub replicas: Vec<Option<usize>>,
    pub placed_by: PlacedBy,
}

impl Placement {
    pub fn unplaced(&self) -> usize {
        self.replicas.iter().filter(|r| r.is_none()).count()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Schedule {
    pub placements: Vec<Placement>,
    pub warnings: Vec<Warning>,
}

/// A pod already placed, for spread and anti-affinity checks.
struct Placed<'a> {
    node: usize,
    namespace: &'a str,
    labels: &'a Labels,
    terms: &'a [PodAffinityTerm],
}

pub fn schedule(estate: &Estate, fleet: &Fleet) -> Schedule {
    schedule_without(estate, fleet, &BTreeSet::new())
}

/// The schedule after the nodes `down` (fleet indices) failed: they are
/// no candidates, and every workload is placed by the simulation (pods
/// that ran on a failed node must be placed again).
pub fn schedule_without(estate: &Estate, fleet: &Fleet, down: &BTreeSet<usize>) -> Schedule {
    let mut out = Schedule::default();
    let mut placed: Vec<Placed> = Vec::new();
    let first_pod = first_pods(estate);
    let empty = Labels::new();
    for (wi, w) in estate.k8s.workloads.iter().enumerate() {
        let bound = cluster_of(estate, &w.loc.file);
        let candidates: Vec<usize> = (0..fleet.nodes.len())
            .filter(|&n| !fleet.nodes[n].surge && fleet.nodes[n].cluster == bound.index() && !down.contains(&n))
            .collect();
        let daemon = w.kind == WorkloadKind::DaemonSet;
        let (feasible, rejected) = filter(estate, fleet, &w.scheduling, &candidates, daemon);
        let labels = first_pod.get(&wi).map(|p| &estate.k8s.pods[*p].labels);
        let labels = labels.unwrap_or(&empty);
        let pods: Vec<usize> = (0..estate.k8s.pods.len()).filter(|p| estate.k8s.pods[*p].workload == wi).collect();
        let exported: Vec<&str> = pods.iter().filter_map(|p| estate.k8s.pods[*p].node_name.as_deref()).collect();
        let (replicas, placed_by) = if !pods.is_empty() && exported.len() == pods.len() && !daemon && down.is_empty() {
            let mut r = Vec::new();
            for name in exported {
                let n = fleet.nodes.iter().position(|n| n.name == name);
                if n.is_none() {
                    out.warnings.push(Warning {
                        loc: w.loc.clone(),
                        message: format!("{}/{} runs on node {name}, which no input describes", w.namespace, w.name),
                    });
                }
                r.push(n);
            }
            (r, PlacedBy::Exported)
        } else if daemon {
            (feasible.iter().map(|n| Some(*n)).collect(), PlacedBy::Simulated)
        } else {
            let count = w.replicas as usize;
            let mut r = Vec::with_capacity(count);
            for i in 0..count {
                let n = place_one(estate, fleet, &w.scheduling, &w.namespace, labels, &feasible, i, &placed, &r);
                r.push(n);
            }
            (r, PlacedBy::Simulated)
        };
        for n in replicas.iter().flatten() {
            placed.push(Placed {
                node: *n,
                namespace: &w.namespace,
                labels,
                terms: &w.scheduling.required_anti_affinity,
            });
        }
        out.placements.push(Placement { workload: wi, cluster: bound, feasible, rejected, replicas, placed_by });
    }
    out
}

/// The first pod of each workload: its labels stand for the template's.
fn first_pods(estate: &Estate) -> BTreeMap<usize, usize> {
    let mut m = BTreeMap::new();
    for (i, p) in estate.k8s.pods.iter().enumerate() {
        m.entry(p.workload).or_insert(i);
    }
    m
}

/// The scheduler's pod-and-node filters over `candidates`: the nodes that
/// pass, and for each pool none of whose nodes passes, the first reason.
fn filter(
    estate: &Estate,
    fleet: &Fleet,
    s: &PodScheduling,
    candidates: &[usize],
    daemon: bool,
) -> (Vec<usize>, Vec<Rejection>) {
    let mut feasible = Vec::new();
    let mut by_pool: BTreeMap<String, (bool, Option<String>)> = BTreeMap::new();
    for &n in candidates {
        let node = &fleet.nodes[n];
        let pool = fleet.pool_name(estate, node);
        let verdict = node_passes(s, node, daemon);
        let e = by_pool.entry(pool).or_insert((false, None));
        match verdict {
            Ok(()) => {
                feasible.push(n);
                e.0 = true;
            }
            Err(why) => {
                e.1.get_or_insert(why);
            }
        }
    }
    let rejected = by_pool
        .into_iter()
        .filter(|(_, (ok, _))| !ok)
        .map(|(pool, (_, why))| Rejection { pool, reason: why.unwrap_or_default() })
        .collect();
    (feasible, rejected)
}

/// Why a node fails the filters, or `Ok`. A DaemonSet's pods ignore a
/// cordon: its controller adds the `node.kubernetes.io/unschedulable`
/// toleration to them ("DaemonSet", Taints and tolerations).
pub fn node_passes(s: &PodScheduling, node: &SimNode, daemon: bool) -> Result<(), String> {
    if node.unschedulable && !daemon {
        return Err(format!("node {} is cordoned (spec.unschedulable)", node.name));
    }
    for (k, v) in &s.node_selector {
        if node.labels.get(k) != Some(v) {
            let has = node.labels.get(k).map_or("no such label".to_string(), |x| format!("{k}={x}"));
            return Err(format!("nodeSelector {k}={v} does not match ({has})"));
        }
    }
    if !s.required_node_terms.is_empty()
        && !s.required_node_terms.iter().any(|t| term_matches(t, &node.labels, &node.name))
    {
        return Err("required node affinity matches none of its terms".into());
    }
    if let Some(t) = blocking_taint(&s.tolerations, &node.taints) {
        return Err(format!("taint {t} is not tolerated"));
    }
    Ok(())
}

/// The topology value of `node` for `key` (`None` when it lacks the label).
fn topo<'a>(node: &'a SimNode, key: &str) -> Option<&'a str> {
    node.labels.get(key).map(String::as_str)
}

#[allow(clippy::too_many_arguments)]
fn place_one(
    estate: &Estate,
    fleet: &Fleet,
    s: &PodScheduling,
    namespace: &str,
    labels: &Labels,
    feasible: &[usize],
    replica: usize,
    placed: &[Placed],
    mine: &[Option<usize>],
) -> Option<usize> {
    let mut zones: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for &n in feasible {
        zones.entry(fleet.nodes[n].zone.as_deref()).or_default().push(n);
    }
    let zones: Vec<Vec<usize>> = zones.into_values().collect();
    if zones.is_empty() {
        return None;
    }
    let own = |n: usize| mine.iter().filter(|m| **m == Some(n)).count();
    for k in 0..zones.len() {
        let mut nodes = zones[(replica + k) % zones.len()].clone();
        nodes.sort_by_key(|n| (own(*n), *n));
        for n in nodes {
            if spread_ok(fleet, s, namespace, labels, feasible, n, placed, mine)
                && anti_affinity_ok(estate, fleet, s, namespace, labels, n, placed, mine)
            {
                return Some(n);
            }
        }
    }
    None
}

/// Every pod placed so far, this workload's earlier replicas included.
fn all_placed<'a>(
    placed: &'a [Placed<'a>],
    mine: &'a [Option<usize>],
    namespace: &'a str,
    labels: &'a Labels,
    terms: &'a [PodAffinityTerm],
) -> impl Iterator<Item = Placed<'a>> + 'a {
    placed
        .iter()
        .map(|p| Placed { node: p.node, namespace: p.namespace, labels: p.labels, terms: p.terms })
        .chain(mine.iter().flatten().map(move |n| Placed { node: *n, namespace, labels, terms }))
}

#[allow(clippy::too_many_arguments)]
fn spread_ok(
    fleet: &Fleet,
    s: &PodScheduling,
    namespace: &str,
    labels: &Labels,
    feasible: &[usize],
    n: usize,
    placed: &[Placed],
    mine: &[Option<usize>],
) -> bool {
    for c in s.spread.iter().filter(|c| c.when_unsatisfiable == WhenUnsatisfiable::DoNotSchedule) {
        let Some(here) = topo(&fleet.nodes[n], &c.topology_key) else { return false };
        let domains: BTreeSet<&str> = feasible.iter().filter_map(|m| topo(&fleet.nodes[*m], &c.topology_key)).collect();
        let mut counts: BTreeMap<&str, u32> = domains.iter().map(|d| (*d, 0)).collect();
        let matches = |l: &Labels| c.label_selector.as_ref().is_some_and(|sel| sel.matches(l));
        for p in all_placed(placed, mine, namespace, labels, &[]) {
            if p.namespace == namespace && matches(p.labels) {
                if let Some(d) = topo(&fleet.nodes[p.node], &c.topology_key) {
                    if let Some(x) = counts.get_mut(d) {
                        *x += 1;
                    }
                }
            }
        }
        let min = counts.values().copied().min().unwrap_or(0);
        let after = counts.get(here).copied().unwrap_or(0) + u32::from(matches(labels));
        if after.saturating_sub(min) > c.max_skew {
            return false;
        }
    }
    true
}

/// Does `term` (of a pod in `term_ns`) select a pod in `ns` with `labels`?
fn term_selects(estate: &Estate, term: &PodAffinityTerm, term_ns: &str, ns: &str, labels: &Labels) -> bool {
    let ns_ok = match (&term.namespace_selector, term.namespaces.is_empty()) {
        (None, true) => ns == term_ns,
        (None, false) => term.namespaces.iter().any(|x| x == ns),
        (Some(sel), _) => {
            term.namespaces.iter().any(|x| x == ns)
                || estate.k8s.namespaces.iter().any(|n| n.name == ns && sel.matches(&n.labels))
        }
    };
    ns_ok && term.label_selector.as_ref().is_some_and(|sel| sel.matches(labels))
}

#[allow(clippy::too_many_arguments)]
fn anti_affinity_ok(
    estate: &Estate,
    fleet: &Fleet,
    s: &PodScheduling,
    namespace: &str,
    labels: &Labels,
    n: usize,
    placed: &[Placed],
    mine: &[Option<usize>],
) -> bool {
    let node = &fleet.nodes[n];
    let same = |p: &Placed, key: &str| match (topo(node, key), topo(&fleet.nodes[p.node], key)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    for p in all_placed(placed, mine, namespace, labels, &s.required_anti_affinity) {
        for t in &s.required_anti_affinity {
            if same(&p, &t.topology_key) && term_selects(estate, t, namespace, p.namespace, p.labels) {
                return false;
            }
        }
        for t in p.terms {
            if same(&p, &t.topology_key) && term_selects(estate, t, p.namespace, namespace, labels) {
                return false;
            }
        }
    }
    true
}
