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

use super::classes::{ClassIndex, Group};
use super::compile::{dir_index, has_named, Compiled, Direction};
use super::eval::{lookup, Evaluator, Pieces};
use rayon::prelude::*;
use roaring::RoaringBitmap;
use std::collections::HashMap;
use std::sync::Arc;
use tusk_core::{ConnSet, Idx, IpRange, Reach};
use tusk_model::k8s::{Cluster, Namespace, Pod, Service, Workload};

/// One class-level pair (peer ids: classes, then atoms) with its surely
/// allowed and its unknown connections.
pub type ClassPair = (u32, u32, ConnSet, ConnSet);

/// What one class allows in one direction: surely, and depending on inputs
/// tusk lacks (disjoint piece lists each).
#[derive(Debug, Default)]
pub struct Verdicts {
    /// Peers and connections allowed whatever the open inputs are.
    pub allowed: Pieces,
    /// Peers and connections allowed under some readings only.
    pub unknown: Pieces,
}

impl Verdicts {
    /// What this class may open toward (or accept from) one peer.
    pub fn at(&self, peer: u32) -> Reach {
        Reach::new(
            lookup(&self.allowed, peer).cloned().unwrap_or_default(),
            lookup(&self.unknown, peer).cloned().unwrap_or_default(),
        )
    }

    /// [`Reach::both`] over every peer of `peers` of [`Verdicts::at`]: what
    /// is allowed toward each of them surely, and toward some possibly.
    /// Pieces are disjoint, so it is read piece by piece, not peer by peer.
    pub fn over(&self, peers: &RoaringBitmap) -> Reach {
        let mut covered = 0u64;
        let mut all: Option<ConnSet> = None;
        let mut possible = ConnSet::none();
        for (b, c) in &self.allowed {
            let n = b.intersection_len(peers);
            if n > 0 {
                covered += n;
                all = Some(all.map_or_else(|| c.clone(), |a| a.intersect(c)));
                possible = possible.union(c);
            }
        }
        for (b, c) in &self.unknown {
            if !b.is_disjoint(peers) {
                possible = possible.union(c);
            }
        }
        // A peer in no allowed piece is allowed nothing.
        let all = if covered == peers.len() { all.unwrap_or_default() } else { ConnSet::none() };
        Reach::new(all, possible)
    }

    /// Every peer with an allowed or unknown connection.
    pub fn peers(&self) -> RoaringBitmap {
        self.allowed.iter().chain(&self.unknown).fold(RoaringBitmap::new(), |acc, (b, _)| acc | b)
    }
}

/// What a class allows, per direction, shared between classes whose applied
/// rules are the same.
pub struct ClassResults {
    /// Per class id, what it accepts (ingress).
    pub ingress: Vec<Arc<Verdicts>>,
    /// Per class id, what it may open (egress).
    pub egress: Vec<Arc<Verdicts>>,
}

/// Evaluates every class in both directions, sharing the result between
/// classes with the same applied rules. Never fails.
pub fn evaluate_all(ep: &ClassIndex, compiled: &Compiled) -> ClassResults {
    let ev = Evaluator::new(ep, compiled);
    let mut out = [Vec::new(), Vec::new()];
    for dir in [Direction::Ingress, Direction::Egress] {
        let d = dir_index(dir);
        // Key: the applied rules, plus the class's own named ports when an
        // ingress rule names a port (it resolves on the class).
        let key = |c: usize| {
            let a = &compiled.applied[c][d];
            let named = dir == Direction::Ingress && a.ids().any(|id| has_named(&compiled.rules[id].ports));
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
        let results: Vec<Arc<Verdicts>> = reps
            .par_iter()
            .map(|&c| {
                let (allowed, unknown) = ev.evaluate(c as u32, dir, &compiled.applied[c][d]);
                Arc::new(Verdicts { allowed, unknown })
            })
            .collect();
        out[d] = class_key.into_iter().map(|k| results[k].clone()).collect();
    }
    let [ingress, egress] = out;
    ClassResults { ingress, egress }
}

/// An upper bound of the class pairs [`class_pairs`] would return, from
/// bitmap cardinalities alone: nothing is enumerated or allocated.
pub fn class_pair_bound(ep: &ClassIndex, res: &ClassResults) -> u64 {
    let n = ep.class_count();
    // With variants the matrix is built from group pairs: count those.
    if ep.classes.len() != ep.groups.len() {
        if let Some(rep) = shared_results(ep, res) {
            return rep
                .iter()
                .map(|&r| {
                    let groups: std::collections::HashSet<Side> = res.ingress[r as usize]
                        .peers()
                        .iter()
                        .map(|p| if p >= n { Side::Atom(p - n) } else { Side::Group(ep.classes[p as usize].group) })
                        .collect();
                    groups.len() as u64 + res.egress[r as usize].peers().range_cardinality(n..)
                })
                .sum();
        }
    }
    let count = |v: &Verdicts, f: &dyn Fn(&RoaringBitmap) -> u64| {
        v.allowed.iter().chain(&v.unknown).map(|(b, _)| f(b)).sum::<u64>()
    };
    let ingress: u64 = (0..n as usize).map(|d| count(&res.ingress[d], &|b| b.len())).sum();
    let to_atoms: u64 = (0..n as usize).map(|s| count(&res.egress[s], &|b| b.range_cardinality(n..))).sum();
    ingress + to_atoms
}

/// Every (source, destination) class/atom pair with an allowed or unknown
/// connection.
pub fn class_pairs(ep: &ClassIndex, res: &ClassResults) -> Vec<ClassPair> {
    let n = ep.class_count();
    let mut pairs: Vec<ClassPair> = (0..n)
        .into_par_iter()
        .flat_map_iter(|d| {
            let mut out = Vec::new();
            let ingress = &res.ingress[d as usize];
            for s in ingress.peers() {
                // Outside addresses have no policy of their own.
                let egress = if ep.is_atom(s) { Reach::all() } else { res.egress[s as usize].at(d) };
                let r = egress.then(&ingress.at(s));
                if !r.allowed().is_empty() || !r.unknown().is_empty() {
                    out.push((s, d, r.allowed().clone(), r.unknown().clone()));
                }
            }
            out
        })
        .collect();
    // Pod → outside: only the source's egress applies.
    let to_atoms: Vec<ClassPair> = (0..n)
        .into_par_iter()
        .flat_map_iter(|s| {
            let egress = &res.egress[s as usize];
            let mut out = Vec::new();
            for d in egress.peers().range(n..) {
                let r = egress.at(d);
                out.push((s, d, r.allowed().clone(), r.unknown().clone()));
            }
            out
        })
        .collect();
    pairs.extend(to_atoms);
    pairs
}

/// The granularity of a matrix's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grain {
    /// One row per pod.
    Pod,
    /// One row per workload (Deployment, StatefulSet, ...).
    Workload,
    /// One row per namespace.
    Namespace,
}

/// An endpoint of the matrix at some grain: an index into the cluster's
/// pods (with the replica, for an entry standing for a template's
/// replicas), workloads or namespaces (names are looked up only when
/// printed), or a range of outside addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    /// Pod entry of `Cluster::pods`, replica (0 for a pod the input gives).
    Pod(Idx<Pod>, u32),
    /// A workload of `Cluster::workloads`.
    Workload(Idx<Workload>),
    /// A namespace of `Cluster::namespaces`.
    Namespace(Idx<Namespace>),
    /// A range of addresses outside the cluster.
    External(IpRange),
    /// A Service of `Cluster::services` as a destination: its ClusterIP,
    /// answered through its endpoint pods in its own port space
    /// ([`crate::services::matrix_rows`]).
    Service(Idx<Service>),
}

impl Endpoint {
    /// `ns/name[Kind]`, `ns[Namespace]` or `a-b[External]`: the notation of
    /// netpol-analyzer's connlist.
    pub fn label(&self, c: &Cluster) -> String {
        match *self {
            Endpoint::Pod(i, r) => {
                let p = &c.pods[i];
                format!("{}/{}[Pod]", p.namespace, p.replica_name(r))
            }
            Endpoint::Workload(i) => {
                let w = &c.workloads[i];
                format!("{}/{}[{}]", w.namespace, w.name, w.kind.name())
            }
            Endpoint::Namespace(i) => format!("{}[Namespace]", c.namespaces[i].name),
            Endpoint::External(r) => format!("{r}[External]"),
            Endpoint::Service(i) => {
                let s = &c.services[i];
                format!("{}/{}[Service]", s.namespace, s.name)
            }
        }
    }

    /// The namespace of a pod, workload or namespace endpoint.
    pub fn namespace<'c>(&self, c: &'c Cluster) -> Option<&'c str> {
        match *self {
            Endpoint::Pod(i, _) => Some(&c.pods[i].namespace),
            Endpoint::Workload(i) => Some(&c.workloads[i].namespace),
            Endpoint::Namespace(i) => Some(&c.namespaces[i].name),
            Endpoint::Service(i) => Some(&c.services[i].namespace),
            Endpoint::External(_) => None,
        }
    }
}

/// One row of the matrix: what `src` may open toward `dst`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The source.
    pub src: Endpoint,
    /// The destination.
    pub dst: Endpoint,
    /// Allowed whatever the unknown inputs turn out to be.
    pub allowed: ConnSet,
    /// Allowed under some readings of unknown inputs (e.g. a pod IP).
    pub unknown: ConnSet,
}

/// Expands class pairs to the requested grain. Members of one endpoint are
/// merged by union: a row says "some pod of A may reach some pod of B".
pub fn expand(cluster: &Cluster, ep: &ClassIndex, pairs: &[ClassPair], grain: Grain) -> Vec<Entry> {
    expand_at_most(cluster, ep, pairs, grain, u64::MAX).unwrap_or_default()
}

/// [`expand`], unless the matrix would have more than `limit` rows: then
/// `Err` with that count (before merging), and nothing is built. The count
/// follows the replicas (`--grain pod` lists each), not the input's size.
pub fn expand_at_most(
    cluster: &Cluster,
    ep: &ClassIndex,
    pairs: &[ClassPair],
    grain: Grain,
    limit: u64,
) -> Result<Vec<Entry>, u64> {
    rows_of(cluster, ep, grouped(ep, pairs), grain, limit)
}

/// Class pairs merged to group (or atom) pairs: without variants a class is
/// its group and each pair is definite; with them, a flow is allowed only
/// if every variant combination allows it (each combination is present).
fn grouped(ep: &ClassIndex, pairs: &[ClassPair]) -> Vec<GroupPair> {
    let n = ep.class_count();
    let side = |peer: u32| -> Side {
        if peer >= n {
            Side::Atom(peer - n)
        } else {
            Side::Group(ep.classes[peer as usize].group)
        }
    };
    let variants = |s: Side| match s {
        Side::Atom(_) => 1,
        Side::Group(g) => ep.groups[g].variants.len(),
    };
    if ep.classes.len() == ep.groups.len() {
        pairs.iter().map(|(s, d, a, u)| (side(*s), side(*d), a.clone(), u.clone())).collect()
    } else {
        let mut by_groups: HashMap<(Side, Side), Vec<(ConnSet, ConnSet)>> = HashMap::new();
        for (s, d, a, u) in pairs {
            by_groups.entry((side(*s), side(*d))).or_default().push((a.clone(), u.clone()));
        }
        by_groups
            .into_iter()
            .map(|((gs, gd), conns)| {
                let possible = conns.iter().fold(ConnSet::none(), |acc, (a, u)| acc.union(a).union(u));
                let all = if conns.len() == variants(gs) * variants(gd) {
                    conns.iter().skip(1).fold(conns[0].0.clone(), |acc, (a, _)| acc.intersect(a))
                } else {
                    ConnSet::none()
                };
                let unknown = possible.subtract(&all);
                (gs, gd, all, unknown)
            })
            .collect()
    }
}

/// Group (or atom) pairs with what each allows surely and possibly.
pub(crate) type GroupPair = (Side, Side, ConnSet, ConnSet);

/// The rows of group pairs at `grain`, at most `limit` of them (else `Err`
/// with the count).
fn rows_of(
    cluster: &Cluster,
    ep: &ClassIndex,
    group_pairs: Vec<GroupPair>,
    grain: Grain,
    limit: u64,
) -> Result<Vec<Entry>, u64> {
    // Members per group at `grain`, counted once.
    let sizes: Vec<u64> = ep
        .groups
        .iter()
        .map(|g| match grain {
            Grain::Pod => g.pods.iter().map(|&p| u64::from(cluster.pods[p].count())).sum(),
            Grain::Workload => {
                g.pods.iter().map(|&p| cluster.pods[p].workload).collect::<std::collections::HashSet<_>>().len() as u64
            }
            Grain::Namespace => 1,
        })
        .collect();
    let size = |s: Side| match s {
        Side::Group(g) => sizes[g.index()],
        Side::Atom(_) => 1,
    };
    let rows_needed =
        group_pairs.iter().fold(0u64, |n, (s, d, _, _)| n.saturating_add(size(*s).saturating_mul(size(*d))));
    if rows_needed > limit {
        return Err(rows_needed);
    }
    let mut memo: HashMap<Side, Vec<Endpoint>> = HashMap::new();
    let mut rows: Vec<Entry> = Vec::with_capacity(group_pairs.len());
    for (gs, gd, all, unknown) in group_pairs {
        let srcs = memo.entry(gs).or_insert_with(|| members(cluster, ep, gs, grain)).clone();
        let dsts = memo.entry(gd).or_insert_with(|| members(cluster, ep, gd, grain)).clone();
        for src in &srcs {
            // A pod, workload or namespace talking to itself is not a row.
            for dst in dsts.iter().filter(|d| *d != src) {
                rows.push(Entry { src: *src, dst: *dst, allowed: all.clone(), unknown: unknown.clone() });
            }
        }
    }
    Ok(union_rows(rows))
}

/// Rows sorted by (source, destination), those of one endpoint pair merged
/// by union (several groups can make one endpoint: a workload whose pods
/// differ), unknown less allowed, empty rows dropped.
pub(crate) fn union_rows(mut rows: Vec<Entry>) -> Vec<Entry> {
    rows.sort_unstable_by_key(|e| (e.src, e.dst));
    let mut out: Vec<Entry> = Vec::with_capacity(rows.len());
    for e in rows {
        match out.last_mut() {
            Some(last) if last.src == e.src && last.dst == e.dst => {
                last.allowed = last.allowed.union(&e.allowed);
                last.unknown = last.unknown.union(&e.unknown);
            }
            _ => out.push(e),
        }
    }
    for e in &mut out {
        e.unknown = e.unknown.subtract(&e.allowed);
    }
    out.retain(|e| !e.allowed.is_empty() || !e.unknown.is_empty());
    out
}

/// The matrix of one reading of the inputs at `grain`, at most `limit`
/// rows (else `Err` with the count). With address variants (pods of unknown
/// IP under "ipBlock selects pods") the group pairs come from
/// [`variant_group_pairs`], whose cost follows groups, not variant pairs.
pub fn matrix_of(
    cluster: &Cluster,
    ep: &ClassIndex,
    res: &ClassResults,
    grain: Grain,
    limit: u64,
) -> Result<Vec<Entry>, u64> {
    rows_of(cluster, ep, group_pairs(ep, res), grain, limit)
}

/// The group (or atom) pairs of one reading with what each allows, before
/// they are expanded to rows: from [`variant_group_pairs`] when pods have
/// address variants that share their results, else from [`class_pairs`].
pub(crate) fn group_pairs(ep: &ClassIndex, res: &ClassResults) -> Vec<GroupPair> {
    if ep.classes.len() != ep.groups.len() {
        if let Some(gp) = variant_group_pairs(ep, res) {
            return gp;
        }
    }
    grouped(ep, &class_pairs(ep, res))
}

/// The class whose results stand for every variant of each group, when
/// all variants share them (a pod's own address never decides which of
/// its own policies apply); `None` when some group's variants differ.
fn shared_results(ep: &ClassIndex, res: &ClassResults) -> Option<Vec<u32>> {
    ep.groups
        .iter()
        .map(|g| {
            let r = *g.variants.first()? as usize;
            let same = g.variants.iter().all(|&v| {
                Arc::ptr_eq(&res.ingress[v as usize], &res.ingress[r])
                    && Arc::ptr_eq(&res.egress[v as usize], &res.egress[r])
            });
            same.then_some(r as u32)
        })
        .collect()
}

/// Group pairs from the class results without enumerating variant pairs.
/// A group pair's verdict is [`Reach::both`] over every (source variant,
/// destination variant) of egress-then-ingress; with results shared per
/// group, egress depends only on the destination variant and ingress only
/// on the source's, and `both` over a product of independent choices
/// factors: (both over destination variants of egress) then (both over
/// source variants of ingress). Same rows as [`expand`] of
/// [`class_pairs`], at a cost of group pairs × variants (issue 8 C6: 50
/// pods without IPs and 1,000 ipBlocks made 52 million class pairs).
fn variant_group_pairs(ep: &ClassIndex, res: &ClassResults) -> Option<Vec<GroupPair>> {
    let rep = shared_results(ep, res)?;
    let n = ep.class_count();
    let side = |peer: u32| if peer >= n { Side::Atom(peer - n) } else { Side::Group(ep.classes[peer as usize].group) };
    let variants: Vec<RoaringBitmap> = ep.groups.iter().map(|g| g.variants.iter().copied().collect()).collect();
    let out: Vec<GroupPair> = (0..ep.groups.len())
        .into_par_iter()
        .flat_map_iter(|gd| {
            let gd = Idx::<Group>::new(gd);
            let ingress = &res.ingress[rep[gd.index()] as usize];
            let mut sources: Vec<Side> = ingress.peers().iter().map(side).collect();
            sources.sort_unstable_by_key(|s| match *s {
                Side::Group(g) => (0, g.index() as u32),
                Side::Atom(a) => (1, a),
            });
            sources.dedup();
            let dst_variants = &variants[gd.index()];
            let mut out = Vec::new();
            for s in sources {
                let r = match s {
                    // Outside addresses have no policy of their own.
                    Side::Atom(a) => ingress.at(n + a),
                    Side::Group(gs) => {
                        let egress = &res.egress[rep[gs.index()] as usize];
                        egress.over(dst_variants).then(&ingress.over(&variants[gs.index()]))
                    }
                };
                if !r.allowed().is_empty() || !r.unknown().is_empty() {
                    out.push((s, Side::Group(gd), r.allowed().clone(), r.unknown().clone()));
                }
            }
            // Pod → outside: only the source's egress applies.
            let egress = &res.egress[rep[gd.index()] as usize];
            for a in egress.peers().range(n..) {
                let r = egress.at(a);
                out.push((Side::Group(gd), Side::Atom(a - n), r.allowed().clone(), r.unknown().clone()));
            }
            out.into_iter()
        })
        .collect();
    Some(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Side {
    Group(Idx<Group>),
    Atom(u32),
}

/// The distinct endpoints (at `grain`) that a group or atom stands for.
pub(crate) fn members(cluster: &Cluster, ep: &ClassIndex, s: Side, grain: Grain) -> Vec<Endpoint> {
    match s {
        Side::Atom(a) => vec![Endpoint::External(ep.atoms[a as usize])],
        Side::Group(g) => {
            let group = &ep.groups[g];
            let mut v: Vec<Endpoint> = match grain {
                Grain::Pod => group
                    .pods
                    .iter()
                    .flat_map(|&pi| (0..cluster.pods[pi].count()).map(move |r| Endpoint::Pod(pi, r)))
                    .collect(),
                Grain::Workload => group.pods.iter().map(|&pi| Endpoint::Workload(cluster.pods[pi].workload)).collect(),
                // Every pod of a group shares the group's namespace.
                Grain::Namespace => vec![Endpoint::Namespace(group.namespace)],
            };
            v.sort_unstable();
            v.dedup();
            v
        }
    }
}

/// Joins the rows of two readings of the inputs (both sorted by endpoint
/// pair): a connection is allowed if both allow it, unknown if either may.
pub fn join_readings(a: Vec<Entry>, b: Vec<Entry>) -> Vec<Entry> {
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let (mut i, mut j) = (0, 0);
    let none = (ConnSet::none(), ConnSet::none());
    while i < a.len() || j < b.len() {
        let ka = a.get(i).map(|e| (e.src, e.dst));
        let kb = b.get(j).map(|e| (e.src, e.dst));
        let take_a = kb.is_none() || ka.is_some_and(|k| Some(k) <= kb);
        let take_b = ka.is_none() || kb.is_some_and(|k| Some(k) <= ka);
        let (src, dst) = if take_a { ka } else { kb }.unwrap_or_else(|| unreachable!("one side remains"));
        let x = if take_a { (a[i].allowed.clone(), a[i].unknown.clone()) } else { none.clone() };
        let y = if take_b { (b[j].allowed.clone(), b[j].unknown.clone()) } else { none.clone() };
        i += take_a as usize;
        j += take_b as usize;
        let allowed = x.0.intersect(&y.0);
        let unknown = x.0.union(&x.1).union(&y.0).union(&y.1).subtract(&allowed);
        if !allowed.is_empty() || !unknown.is_empty() {
            out.push(Entry { src, dst, allowed, unknown });
        }
    }
    out
}

/// Rows for the built-in admission between a pod and the node it runs on
/// (Kubernetes docs, "Network Policies": traffic to and from the node where
/// a pod is running is always allowed): for every pod placed on a Node whose
/// addresses the input gives, each address's atom reaches the pod's
/// endpoint at `grain` and back, with every connection. Joined into `rows`
/// by union, like the members of one endpoint.
/// `inbound(pod, node_ip)` is what the pod's own proxy (Istio) lets in
/// from its node: (allowed, unknown); the admission is NetworkPolicy's.
pub fn node_admissions(
    cluster: &Cluster,
    ep: &ClassIndex,
    rows: Vec<Entry>,
    grain: Grain,
    inbound: &dyn Fn(Idx<Pod>, std::net::IpAddr) -> (ConnSet, ConnSet),
) -> Vec<Entry> {
    let mut extra = Vec::new();
    for (pi, p) in Idx::enumerate(&cluster.pods) {
        let Some(node) = p.node_name.as_deref().and_then(|n| cluster.nodes.iter().find(|x| x.name == n)) else {
            continue;
        };
        // Every replica of a template entry runs on the node it names.
        let mes: Vec<Endpoint> = match grain {
            Grain::Pod => (0..p.count()).map(|r| Endpoint::Pod(pi, r)).collect(),
            Grain::Workload => vec![Endpoint::Workload(p.workload)],
            Grain::Namespace => vec![Endpoint::Namespace(ep.groups[ep.pod_group[pi]].namespace)],
        };
        for ip in &node.ips {
            let v = tusk_core::ip::ip_to_u128(*ip);
            let Some(a) = ep.atoms.iter().find(|a| a.lo <= v && v <= a.hi) else { continue };
            // The verdict toward the pod is the same for each of its
            // replicas (one entry, one class).
            let (allowed, unknown) = inbound(pi, *ip);
            for &me in &mes {
                extra.push(Entry {
                    src: Endpoint::External(*a),
                    dst: me,
                    allowed: allowed.clone(),
                    unknown: unknown.clone(),
                });
                extra.push(Entry {
                    src: me,
                    dst: Endpoint::External(*a),
                    allowed: ConnSet::all(),
                    unknown: ConnSet::none(),
                });
            }
        }
    }
    if extra.is_empty() {
        return rows;
    }
    let mut all = rows;
    all.extend(extra);
    merge_rows(all)
}

/// Rows sorted by (source, destination), those of one pair merged into one:
/// allowed is the union, unknown the union less what is allowed (so the
/// two stay disjoint).
pub(crate) fn merge_rows(mut rows: Vec<Entry>) -> Vec<Entry> {
    rows.sort_unstable_by_key(|e| (e.src, e.dst));
    let mut out: Vec<Entry> = Vec::with_capacity(rows.len());
    for e in rows {
        match out.last_mut() {
            Some(last) if last.src == e.src && last.dst == e.dst => {
                last.allowed = last.allowed.union(&e.allowed);
                last.unknown = last.unknown.union(&e.unknown).subtract(&last.allowed);
            }
            _ => out.push(e),
        }
    }
    out
}
