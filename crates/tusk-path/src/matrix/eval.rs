//! The class-based matrix: for every ordered pair of units (a unit with
//! itself included: the diagonal, its members' flows to each other) and
//! each actor, the verdicts of the (source class, destination class, same
//! node or not) combinations that exist, each traced once through one
//! representative pair ([`crate::join::trace`]) and memoised across cells,
//! folded into the cell's group verdict with the layer that stopped each
//! denied or unknown combination.

use super::keys::{self, Keys, Members, NodeCtx, PodClass};
use super::{Grain, Unit};
use crate::findings::deciding;
use crate::join::{self, Actor, Ask, End, Member, Path, Segment, Wiring};
use std::collections::HashMap;
use std::sync::Arc;
use tusk_core::{GroupKind, Idx, Kind};
use tusk_model::k8s::Pod;
use tusk_model::Estate;
use tusk_network::Prepared;

/// The layer that did not allow a flow (the first segment of its path that
/// did not), or `None` in [`Cell::stops`] terms when every layer allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// The source pod's egress policy (Kubernetes).
    SourcePolicy,
    /// The Azure network: NSG, route, peering, firewall, appliance.
    Network,
    /// The destination pod's ingress policy (Kubernetes).
    DestinationPolicy,
    /// A segment the join could not evaluate (plugin, address or subnet
    /// unknown, CNI Overlay between nodes).
    NotEvaluated,
}

impl Layer {
    /// The layer of a path's deciding segment; `None` when every segment allows.
    pub fn of(path: &Path) -> Option<Layer> {
        Some(Layer::of_segment(deciding(path)?))
    }

    /// The layer a segment belongs to.
    pub fn of_segment(s: &Segment) -> Layer {
        match s {
            Segment::SourcePolicy(_) => Layer::SourcePolicy,
            Segment::DestinationPolicy { .. } => Layer::DestinationPolicy,
            Segment::Network(_) => Layer::Network,
            _ => Layer::NotEvaluated,
        }
    }
}

/// One cell: `from` → `to` for `actor`.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The row's unit name (see [`super::Unit::name`]).
    pub from: String,
    /// The column's unit name.
    pub to: String,
    /// Who sends: the row's pods, or the nodes hosting them.
    pub actor: Actor,
    /// The group verdict over every member pair the cell stands for.
    pub verdict: GroupKind,
    /// How many (class, class, same node or not) combinations it covers.
    pub combinations: usize,
    /// One representative path per distinct (verdict, stopping layer):
    /// allowed paths have no layer; an unknown one's path says why.
    pub examples: Vec<(Kind, Option<Layer>, Arc<Path>)>,
}

impl Cell {
    /// The layers that stopped (denied or left unknown) some member pair.
    pub fn stops(&self) -> Vec<Layer> {
        let mut v: Vec<Layer> = self.examples.iter().filter_map(|e| e.1).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// The whole matrix and what it cost.
pub struct Matrix {
    /// What rows and columns stand for.
    pub grain: Grain,
    /// One per ordered pair of units and actor, rows in unit order; the
    /// diagonal (a unit to itself) is left out only where it holds no
    /// member pair (one pod, one replica, pod actor).
    pub cells: Vec<Cell>,
    /// Context classes over all units (pod classes + node classes).
    pub classes: usize,
    /// Representative pairs traced (the memo's size).
    pub traced: usize,
    /// Distinct pod keys.
    pub pod_keys: usize,
}

/// What a representative trace is memoised by: who sends (a pod class or,
/// for the node actor, a node context), the destination class, and whether
/// both sit on one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Src {
    Pod(PodClass),
    Node(NodeCtx),
}

/// A representative pair: source member, destination member.
type Rep = (Member, Member);

/// What a matrix cost, without its cells (see [`Matrix`]).
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// Context classes over all units (pod classes + node classes).
    pub classes: usize,
    /// Representative pairs traced (the memo's size).
    pub traced: usize,
    /// Distinct pod keys.
    pub pod_keys: usize,
}

/// Where [`stream`] sends the cells.
pub trait Sink {
    /// The next cell, in [`Matrix::cells`] order.
    fn cell(&mut self, cell: Cell);
    /// Forget every cell sent so far: the matrix starts again (the factored
    /// form gave way to the class matrix).
    fn restart(&mut self);
}

/// [`matrix`] cell by cell into `sink`, row by row, so that memory follows
/// one row rather than the matrix (the workload grain of a large cluster
/// has millions of cells); the cells, in order, and the figures are those
/// of [`matrix`].
#[allow(clippy::too_many_arguments)]
pub fn stream(
    estate: &Estate,
    w: &Wiring,
    p: &Prepared,
    units: &[Unit],
    actors: &[Actor],
    ask: Ask,
    sink: &mut dyn Sink,
) -> Stats {
    if let Some(s) = super::factored::factored_rows(estate, w, p, units, actors, ask, &mut |c| sink.cell(c)) {
        return s;
    }
    sink.restart();
    class_rows(estate, w, p, units, actors, ask, &mut |c| sink.cell(c))
}

/// What a trace left behind: its verdict, the layer that stopped it, and
/// the pair (kept instead of the path, which is traced again only for the
/// few pairs shown as examples).
type Memo = HashMap<(Src, PodClass, bool), (Kind, Option<Layer>, Rep)>;

struct Ctx<'a> {
    estate: &'a Estate,
    w: &'a Wiring,
    p: &'a Prepared<'a>,
    ask: Ask<'a>,
}

impl Ctx<'_> {
    fn trace(&self, a: Member, b: Member, actor: Actor) -> Path {
        let from = End { name: String::new(), members: vec![a], ..Default::default() };
        let to = End { name: String::new(), members: vec![b], ..Default::default() };
        let g = join::trace(self.estate, self.w, self.p, &from, &to, Ask { actor, ..self.ask });
        g.pairs.into_iter().next().expect("a pair of two distinct members is traced")
    }
}

/// The matrix of `units` for each of `actors`, for the flow of `ask`
/// (`ask.actor` is ignored). Errors: none beyond what [`super::units`]
/// reports; an end the join cannot evaluate is an unknown cell. The
/// factored form ([`super::factored`]) answers what it covers; this class
/// matrix, one traced pair per class combination, answers the rest.
pub fn matrix(
    estate: &Estate,
    w: &Wiring,
    p: &Prepared,
    grain: Grain,
    units: &[Unit],
    actors: &[Actor],
    ask: Ask,
) -> Matrix {
    super::factored::factored(estate, w, p, grain, units, actors, ask)
        .unwrap_or_else(|| class_matrix(estate, w, p, grain, units, actors, ask))
}

/// The class matrix: one representative pair traced per (source class,
/// destination class, same node or not). Kept public as the factored
/// form's oracle. Same contract as [`matrix`].
pub fn class_matrix(
    estate: &Estate,
    w: &Wiring,
    p: &Prepared,
    grain: Grain,
    units: &[Unit],
    actors: &[Actor],
    ask: Ask,
) -> Matrix {
    let mut cells = Vec::new();
    let s = class_rows(estate, w, p, units, actors, ask, &mut |c| cells.push(c));
    Matrix { grain, cells, classes: s.classes, traced: s.traced, pod_keys: s.pod_keys }
}

/// [`class_matrix`] row by row into `sink` (see [`stream`]).
fn class_rows(
    estate: &Estate,
    w: &Wiring,
    p: &Prepared,
    units: &[Unit],
    actors: &[Actor],
    ask: Ask,
    sink: &mut dyn FnMut(Cell),
) -> Stats {
    let keys = Keys::new(estate, w);
    let feasible = w.feasible_nodes(estate);
    let pods: Vec<Vec<(PodClass, Members)>> =
        units.iter().map(|u| keys::pod_classes(&keys, w, &feasible, &u.pods)).collect();
    let nodes: Vec<Vec<(NodeCtx, Members)>> = if actors.contains(&Actor::Node) {
        units.iter().map(|u| keys::node_classes(&keys, &feasible, &u.pods)).collect()
    } else {
        vec![Vec::new(); units.len()]
    };
    let cx = Ctx { estate, w, p, ask };
    let mut memo: Memo = HashMap::new();
    let mut paths: HashMap<String, Arc<Path>> = HashMap::new();
    for (a, ua) in units.iter().enumerate() {
        let mut cells = Vec::new();
        // Per cell, its examples as pairs, traced again once the row is done.
        let mut shown: Vec<Vec<(Kind, Option<Layer>, Rep)>> = Vec::new();
        for (b, ub) in units.iter().enumerate() {
            for &actor in actors {
                let srcs: Vec<(Src, &Members)> = match actor {
                    Actor::Pod => pods[a].iter().map(|(c, m)| (Src::Pod(*c), m)).collect(),
                    Actor::Node => nodes[a].iter().map(|(c, m)| (Src::Node(*c), m)).collect(),
                };
                let mut cell = Cell {
                    from: ua.name.clone(),
                    to: ub.name.clone(),
                    actor,
                    verdict: GroupKind::Unknown,
                    combinations: 0,
                    examples: Vec::new(),
                };
                let mut kinds = [0usize; 3];
                let mut examples: Vec<(Kind, Option<Layer>, Rep)> = Vec::new();
                for (src, sm) in &srcs {
                    for (dst, dm) in &pods[b] {
                        for same in [true, false] {
                            let Some(r) = one(&cx, &mut memo, actor, (*src, sm), (*dst, dm), same) else { continue };
                            kinds[r.0 as usize] += 1;
                            cell.combinations += 1;
                            if !examples.iter().any(|e| e.0 == r.0 && e.1 == r.1) {
                                examples.push(r);
                            }
                        }
                    }
                }
                // The diagonal of a unit with one pod and no second replica
                // has no member pair for the pod actor: no cell.
                if cell.combinations == 0 && a == b {
                    continue;
                }
                cell.verdict = GroupKind::of_counts(
                    kinds[Kind::Allowed as usize],
                    kinds[Kind::Denied as usize],
                    kinds[Kind::Unknown as usize],
                );
                cells.push(cell);
                shown.push(examples);
            }
        }
        if paths.len() > 4_096 {
            paths.clear();
        }
        for (mut cell, examples) in cells.into_iter().zip(shown) {
            for (k, layer, (a, b)) in examples {
                let key = format!("{a:?}{b:?}{:?}", cell.actor);
                let path = paths.entry(key).or_insert_with(|| Arc::new(cx.trace(a, b, cell.actor))).clone();
                cell.examples.push((k, layer, path));
            }
            sink(cell);
        }
    }
    let classes = pods.iter().map(Vec::len).sum::<usize>() + nodes.iter().map(Vec::len).sum::<usize>();
    Stats { classes, traced: memo.len(), pod_keys: keys.pod_keys }
}

/// The verdict of one (source class, destination class) combination on one
/// node (`same`) or on two different nodes; `None` when no member pair of
/// that kind exists.
fn one(
    cx: &Ctx,
    memo: &mut Memo,
    actor: Actor,
    (src, sm): (Src, &Members),
    (dst, dm): (PodClass, &Members),
    same: bool,
) -> Option<(Kind, Option<Layer>, Rep)> {
    // A pod's flow to itself is no pair of the matrix (on the diagonal,
    // a unit's flow to itself, the pod actor needs two distinct pods or
    // two replicas of one template entry); a node to its own pods is.
    let count = |i: Idx<Pod>| cx.estate.k8s.pods[i].count();
    let ((sn, sp, sr), (dn, dp, dr)) = sm.pick(dm, same, actor == Actor::Pod, count)?;
    let key = (src, dst, same);
    if let Some(r) = memo.get(&key) {
        return Some(r.clone());
    }
    let a = match actor {
        Actor::Pod => Member::Pod { pod: sp, node: sn, replica: sr },
        Actor::Node => Member::Node(sn),
    };
    let b = Member::Pod { pod: dp, node: dn, replica: dr };
    let path = cx.trace(a.clone(), b.clone(), actor);
    let r = (path.verdict, Layer::of(&path), (a, b));
    memo.insert(key, r.clone());
    Some(r)
}
