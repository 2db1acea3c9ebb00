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
//! inside a zone, to the node with the fewest replicas of the workload,
//! then the fewest pods overall (as the scheduler's spreading and
//! least-allocated scores tend to), then the first in name order.
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
use tusk_core::{Idx, IdxVec, Warning};
use tusk_model::k8s::{Labels, Pod, Workload, WorkloadKind};
use tusk_model::scheduling::{PodAffinityTerm, PodScheduling, WhenUnsatisfiable};
use tusk_model::Estate;

/// How a workload's pods came to their nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlacedBy {
    /// Every pod named its node in the export.
    Exported,
    /// tusk simulated the scheduler's filters and spreading.
    Simulated,
}

/// Why a pool's nodes do not take a workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The pool (or node group) name; `None` for nodes of no pool.
    pub pool: Option<String>,
    /// Which filter rejected it (taints, node selector, affinity, ...),
    /// for the first of its nodes; worded by tusk-report.
    pub reason: NodeRefusal,
}

/// Why a node fails the scheduler's filters (worded by tusk-report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeRefusal {
    /// The node is cordoned (`spec.unschedulable`).
    Cordoned {
        /// The node's name.
        node: String,
    },
    /// A nodeSelector label the node lacks or holds with another value.
    NodeSelector {
        /// The label key.
        key: String,
        /// The value the pod asks for.
        want: String,
        /// The node's value, `None` when it has no such label.
        has: Option<String>,
    },
    /// Required node affinity matches none of its terms.
    NodeAffinity,
    /// A taint the pod does not tolerate.
    Taint(tusk_model::scheduling::Taint),
}

/// Where one workload's pods can go and where they went.
#[derive(Debug, Clone)]
pub struct Placement {
    /// Index into `k8s.workloads`.
    pub workload: Idx<Workload>,
    /// The cluster the workload's manifest belongs to, or why none applies.
    pub cluster: Bound,
    /// Fleet indices of the nodes that pass the filters.
    pub feasible: Vec<Idx<SimNode>>,
    /// Pools (or node groups) with no feasible node, and why.
    pub rejected: Vec<Rejection>,
    /// The node of each replica; `None`: no node accepts it.
    pub replicas: Vec<Option<Idx<SimNode>>>,
    /// Exported or simulated.
    pub placed_by: PlacedBy,
    /// The workload's first pod, whose labels stand for every replica's in
    /// spread and anti-affinity (`None`: the workload has no pod entry).
    pub first_pod: Option<Idx<Pod>>,
}

impl Placement {
    /// Replicas no node accepts.
    pub fn unplaced(&self) -> usize {
        self.replicas.iter().filter(|r| r.is_none()).count()
    }
}

/// Every workload's placement, with what could not be read.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// One placement per workload, in the order of `k8s.workloads`.
    pub placements: Vec<Placement>,
    /// Inputs the simulation could not use (located).
    pub warnings: Vec<Warning>,
}

/// A pod already placed, for spread and anti-affinity checks.
struct Placed<'a> {
    node: Idx<SimNode>,
    namespace: &'a str,
    labels: &'a Labels,
    terms: &'a [PodAffinityTerm],
}

/// The pods placed so far, and which of them carry anti-affinity terms
/// (the only ones a pod without terms of its own must be checked against).
#[derive(Default)]
struct Board<'a> {
    all: Vec<Placed<'a>>,
    termed: Vec<usize>,
    /// Pods per node, for the least-loaded tie-break.
    load: BTreeMap<Idx<SimNode>, usize>,
}

impl<'a> Board<'a> {
    fn push(&mut self, p: Placed<'a>) {
        if !p.terms.is_empty() {
            self.termed.push(self.all.len());
        }
        *self.load.entry(p.node).or_default() += 1;
        self.all.push(p);
    }

    fn load(&self, n: Idx<SimNode>) -> usize {
        self.load.get(&n).copied().unwrap_or(0)
    }
}

/// Each workload's pods.
fn pods_by_workload(estate: &Estate) -> IdxVec<Workload, Vec<Idx<Pod>>> {
    let mut v = IdxVec::filled(&estate.k8s.workloads, Vec::new());
    for (i, p) in Idx::enumerate(&estate.k8s.pods) {
        v[p.workload].push(i);
    }
    v
}

/// At most this many replicas of one workload are placed one by one (the
/// loader accepts any int32 `replicas`; AKS runs at most 5,000 nodes of
/// 250 pods in a cluster, "AKS quotas and limits").
pub const MAX_SIMULATED: usize = 1_000_000;

/// Places every workload of the estate on the nodes of `fleet`: the exported
/// `spec.nodeName` of each pod when all have one, else a simulation of
/// kube-scheduler's filters (nodeSelector, node affinity, taints and
/// tolerations, unschedulable) and a least-loaded spread with pod
/// anti-affinity and topology spread constraints ("Assigning Pods to Nodes",
/// kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/). The
/// feasible set is exact; the placement is one the scheduler could make.
/// Never fails: what it cannot read becomes a warning.
pub fn schedule(estate: &Estate, fleet: &Fleet) -> Schedule {
    let mut out = Schedule::default();
    let mut placed = Board::default();
    let by_workload = pods_by_workload(estate);
    let empty = Labels::new();
    for (wi, w) in Idx::enumerate(&estate.k8s.workloads) {
        let bound = cluster_of(estate, &w.loc.file);
        let candidates: Vec<Idx<SimNode>> = Idx::all(&fleet.nodes)
            .filter(|&n| !fleet.nodes[n].surge && fleet.nodes[n].cluster == bound.index())
            .collect();
        let daemon = w.kind == WorkloadKind::DaemonSet;
        let (feasible, rejected) = filter(estate, fleet, &w.scheduling, &candidates, daemon);
        let pods = &by_workload[wi];
        let labels = pods.first().map_or(&empty, |p| &estate.k8s.pods[*p].labels);
        // A template entry naming a node (`spec.nodeName`) puts each of its
        // replicas there.
        let all_named = pods.iter().all(|p| estate.k8s.pods[*p].node_name.is_some());
        let exported: Vec<&str> = pods
            .iter()
            .filter_map(|p| {
                let q = &estate.k8s.pods[*p];
                q.node_name.as_deref().map(|n| std::iter::repeat_n(n, (q.count() as usize).min(MAX_SIMULATED)))
            })
            .flatten()
            .take(MAX_SIMULATED)
            .collect();
        let (replicas, placed_by) = if !pods.is_empty() && all_named && !daemon {
            let mut r = Vec::new();
            for name in exported {
                let n = fleet.find(name);
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
            let count = (w.replicas as usize).min(MAX_SIMULATED);
            if count < w.replicas as usize {
                out.warnings.push(Warning {
                    loc: w.loc.clone(),
                    message: format!(
                        "{}/{} asks for {} replicas; the placement simulates the first {MAX_SIMULATED} only",
                        w.namespace, w.name, w.replicas
                    ),
                });
            }
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
        let first_pod = pods.first().copied();
        out.placements.push(Placement {
            workload: wi,
            cluster: bound,
            feasible,
            rejected,
            replicas,
            placed_by,
            first_pod,
        });
    }
    out
}

/// How many of workload `wi`'s replicas run again after the nodes `down`
/// fail: its lost replicas are placed again, by the same rules, on its
/// surviving feasible nodes, with every other pod left where it was (an
/// approximation: the other workloads' lost pods are not re-placed first).
/// A bare pod has no controller and is not re-created; a DaemonSet only
/// loses the failed nodes' pods.
pub fn running_after(
    estate: &Estate,
    fleet: &Fleet,
    s: &Schedule,
    wi: Idx<Workload>,
    down: &BTreeSet<Idx<SimNode>>,
) -> usize {
    let Some(p) = s.placements.iter().find(|p| p.workload == wi) else { return 0 };
    let w = &estate.k8s.workloads[wi];
    let alive = |r: &&Option<Idx<SimNode>>| r.is_some_and(|n| !down.contains(&n));
    let surviving: Vec<Option<Idx<SimNode>>> = p.replicas.iter().filter(alive).copied().collect();
    if matches!(w.kind, WorkloadKind::Pod | WorkloadKind::DaemonSet) {
        return surviving.len();
    }
    // Each placement names its first pod: rebuilding the pod list of every
    // workload here, once per replayed failure, was most of `tusk schedule`.
    let empty = Labels::new();
    let labels_of = |q: &Placement| q.first_pod.map_or(&empty, |x| &estate.k8s.pods[x].labels);
    let mut board = Board::default();
    for q in s.placements.iter().filter(|q| q.workload != wi) {
        let qw = &estate.k8s.workloads[q.workload];
        for n in q.replicas.iter().flatten().filter(|n| !down.contains(n)) {
            board.push(Placed {
                node: *n,
                namespace: &qw.namespace,
                labels: labels_of(q),
                terms: &qw.scheduling.required_anti_affinity,
            });
        }
    }
    let feasible: Vec<Idx<SimNode>> = p.feasible.iter().copied().filter(|n| !down.contains(n)).collect();
    let mut mine = surviving;
    let lost = p.replicas.len() - mine.len();
    for i in 0..lost {
        let n = place_one(estate, fleet, &w.scheduling, &w.namespace, labels_of(p), &feasible, i, &board, &mine);
        mine.push(n);
    }
    mine.iter().flatten().count()
}

/// The scheduler's pod-and-node filters over `candidates`: the nodes that
/// pass, and for each pool none of whose nodes passes, the first reason.
fn filter(
    estate: &Estate,
    fleet: &Fleet,
    s: &PodScheduling,
    candidates: &[Idx<SimNode>],
    daemon: bool,
) -> (Vec<Idx<SimNode>>, Vec<Rejection>) {
    let mut feasible = Vec::new();
    let mut by_pool: BTreeMap<Option<String>, (bool, Option<NodeRefusal>)> = BTreeMap::new();
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
        // A pool none of whose nodes passed has a first refusal.
        .filter_map(|(pool, (ok, why))| if ok { None } else { why.map(|reason| Rejection { pool, reason }) })
        .collect();
    (feasible, rejected)
}

/// Why a node fails the filters, or `Ok`. A DaemonSet's pods ignore a
/// cordon: its controller adds the `node.kubernetes.io/unschedulable`
/// toleration to them ("DaemonSet", Taints and tolerations).
pub fn node_passes(s: &PodScheduling, node: &SimNode, daemon: bool) -> Result<(), NodeRefusal> {
    if node.unschedulable && !daemon {
        return Err(NodeRefusal::Cordoned { node: node.name.clone() });
    }
    for (k, v) in &s.node_selector {
        if node.labels.get(k) != Some(v) {
            return Err(NodeRefusal::NodeSelector {
                key: k.clone(),
                want: v.clone(),
                has: node.labels.get(k).cloned(),
            });
        }
    }
    if !s.required_node_terms.is_empty()
        && !s.required_node_terms.iter().any(|t| term_matches(t, &node.labels, &node.name))
    {
        return Err(NodeRefusal::NodeAffinity);
    }
    if let Some(t) = blocking_taint(&s.tolerations, &node.taints) {
        return Err(NodeRefusal::Taint(t.clone()));
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
    feasible: &[Idx<SimNode>],
    replica: usize,
    placed: &Board,
    mine: &[Option<Idx<SimNode>>],
) -> Option<Idx<SimNode>> {
    let mut zones: BTreeMap<Option<&str>, Vec<Idx<SimNode>>> = BTreeMap::new();
    for &n in feasible {
        zones.entry(fleet.nodes[n].zone.as_deref()).or_default().push(n);
    }
    let zones: Vec<Vec<Idx<SimNode>>> = zones.into_values().collect();
    if zones.is_empty() {
        return None;
    }
    let own = |n: Idx<SimNode>| mine.iter().filter(|m| **m == Some(n)).count();
    for k in 0..zones.len() {
        let mut nodes = zones[(replica + k) % zones.len()].clone();
        nodes.sort_by_key(|n| (own(*n), placed.load(*n), *n));
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

/// Every pod placed so far, this workload's earlier replicas included;
/// with `only_termed`, just those carrying anti-affinity terms.
fn all_placed<'a>(
    placed: &'a Board<'a>,
    only_termed: bool,
    mine: &'a [Option<Idx<SimNode>>],
    namespace: &'a str,
    labels: &'a Labels,
    terms: &'a [PodAffinityTerm],
) -> Box<dyn Iterator<Item = Placed<'a>> + 'a> {
    let copy = |p: &Placed<'a>| Placed { node: p.node, namespace: p.namespace, labels: p.labels, terms: p.terms };
    let mine = mine.iter().flatten().map(move |n| Placed { node: *n, namespace, labels, terms });
    if only_termed {
        Box::new(placed.termed.iter().map(move |i| copy(&placed.all[*i])).chain(mine.filter(|p| !p.terms.is_empty())))
    } else {
        Box::new(placed.all.iter().map(copy).chain(mine))
    }
}

#[allow(clippy::too_many_arguments)]
fn spread_ok(
    fleet: &Fleet,
    s: &PodScheduling,
    namespace: &str,
    labels: &Labels,
    feasible: &[Idx<SimNode>],
    n: Idx<SimNode>,
    placed: &Board,
    mine: &[Option<Idx<SimNode>>],
) -> bool {
    for c in s.spread.iter().filter(|c| c.when_unsatisfiable == WhenUnsatisfiable::DoNotSchedule) {
        let Some(here) = topo(&fleet.nodes[n], &c.topology_key) else { return false };
        let domains: BTreeSet<&str> = feasible.iter().filter_map(|m| topo(&fleet.nodes[*m], &c.topology_key)).collect();
        let mut counts: BTreeMap<&str, u32> = domains.iter().map(|d| (*d, 0)).collect();
        let matches = |l: &Labels| c.label_selector.as_ref().is_some_and(|sel| sel.matches(l));
        for p in all_placed(placed, false, mine, namespace, labels, &[]) {
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
    n: Idx<SimNode>,
    placed: &Board,
    mine: &[Option<Idx<SimNode>>],
) -> bool {
    let node = &fleet.nodes[n];
    let same = |p: &Placed, key: &str| match (topo(node, key), topo(&fleet.nodes[p.node], key)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    let only_termed = s.required_anti_affinity.is_empty();
    for p in all_placed(placed, only_termed, mine, namespace, labels, &s.required_anti_affinity) {
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
