//! The factored matrix: each cell's verdicts without enumerating (source
//! class, destination class) pairs or tracing one per pair.
//!
//! A traced member pair ([`crate::join`]) is, in order, the source pod's
//! egress policy, the network leg (node exit, masquerade, the Azure trace,
//! the pod bridge), and the destination pod's ingress policy for the
//! source address it sees; a doubt about simulated addresses makes the
//! verdict unknown. The network leg, the address seen, and the doubt
//! depend only on the *net part* of the two ends ([`Net`]: node context,
//! whether the wiring gave the pod an address, and the pod fields that pin
//! or replace its address: hostNetwork, exported IPs, `hostIP`,
//! `nodeName`) and on whether both sit on one node: one representative
//! pair per (source net part, destination net part, same node) is traced
//! for it ([`NetPart`]). The two policy verdicts come from the Kubernetes
//! engine's shared results ([`super::policy_part`]): the egress verdict
//! depends on (the source's egress result, the destination's class), the
//! ingress verdict on (the destination's ingress result, the source's class
//! or the address seen). So over a block of source classes S and
//! destination classes D that all pair with each other, the set of
//! (egress, ingress) verdicts, for one egress result group `Eg` ⊆ S and one
//! ingress result group `Ig` ⊆ D, is exactly {egress(Eg, d) : d ∈ Ig} ×
//! {ingress(Ig, s) : s ∈ Eg}: a full product, read in |Eg| + |Ig| lookups.
//! Only pairs of a class with itself that have no two distinct members
//! (the diagonal) break the product; those sub-blocks are read pair by pair.
//!
//! Each distinct (verdict, stopping layer) of a cell keeps one witnessing
//! member pair, traced with [`crate::join::trace`] at the end; a witness
//! whose trace disagrees with the factored verdict makes the whole matrix
//! fall back to the class matrix ([`super::eval`]), so a disagreement
//! between the engine's results and the explanation can cost time, never a
//! wrong cell. Not covered (the class matrix answers): Istio (its
//! at-destination tier judges the flow per request), HTTP requests,
//! protocols without ports, and two readings of hostNetwork pods.

use super::eval::{Cell, Layer, Matrix, Stats};
use super::keys::{self, Keys, Members, NodeCtx};
use super::policy_part::{EKey, PolicyPart};
use super::{Grain, Unit};
use crate::join::{self, Actor, Ask, End, Member, Path, Segment, Wiring};
use crate::nodes::SimNode;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Arc;
use tusk_core::{GroupKind, Idx, IdxVec, Kind};
use tusk_model::k8s::Pod;
use tusk_model::Estate;
use tusk_network::Prepared;
use tusk_policy::explain::{builtin_admission, FlowEnd};
use tusk_policy::Analysis;

/// The net part of a pod on a node context (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Net {
    /// Interned (hostNetwork, exported IPs, `hostIP`, `nodeName`).
    pod: u32,
    ctx: NodeCtx,
    wired: bool,
}

/// One class within a block: an engine group, its members, its result keys.
struct Class {
    group: u32,
    members: Members,
    ekey: EKey,
    ikey: EKey,
}

/// Classes of one unit with one net part and one node set.
struct Sub {
    /// Its number among all units' subs (a key of [`Run`]'s memos).
    id: u32,
    nodes: Vec<Idx<SimNode>>,
    classes: Vec<Class>,
}

/// How the destination's ingress policy sees the source.
#[derive(Debug, Clone, Copy)]
enum Seen {
    /// The source pod's own address: the pod's class is the peer.
    Own,
    /// Admitted whatever the policies say: from the pod's own node.
    Admitted,
    /// An address (a node's, or after SNAT): its atom is the peer.
    Address(IpAddr),
}

/// The network leg of a (source net part, destination net part, same
/// node) block, from its representative pair's path.
#[derive(Debug, Clone, Copy)]
struct NetPart {
    /// The path starts with the source pod's egress policy.
    src_policy: bool,
    /// The network segments' verdict and the first that did not allow.
    mid: Kind,
    mid_layer: Option<Layer>,
    /// The destination policy segment and what it sees (`None`: none).
    seen: Option<Seen>,
    /// A rule splits the addresses AKS may give one end.
    doubt: bool,
}

impl NetPart {
    /// The pair's (verdict, stopping layer) for egress `e` and ingress `i`,
    /// folded as [`crate::join`] folds the segments.
    fn compose(&self, e: Kind, i: Kind) -> (Kind, Option<Layer>) {
        let mut v = Kind::Allowed;
        let mut layer = None;
        let mut step = |k: Kind, l: Option<Layer>| {
            v = v.then(k);
            if k != Kind::Allowed && layer.is_none() {
                layer = l;
            }
        };
        if self.src_policy {
            step(e, Some(Layer::SourcePolicy));
        }
        step(self.mid, self.mid_layer);
        if self.seen.is_some() {
            step(i, Some(Layer::DestinationPolicy));
        }
        if v != Kind::Unknown && self.doubt {
            v = Kind::Unknown;
        }
        (v, layer)
    }
}

/// Who sends, as the network-leg memo tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Src {
    Pod(Net),
    Node(NodeCtx),
}

struct Run<'a> {
    estate: &'a Estate,
    w: &'a Wiring,
    p: &'a Prepared<'a>,
    ask: Ask<'a>,
    pp: PolicyPart<'a>,
    nets: HashMap<(Src, Net, bool), Option<NetPart>>,
    /// Per (sub, direction): its classes grouped by result key (in key
    /// order) and each group's peer set — the same in every block.
    grouped: HashMap<(u32, bool), Arc<Grouped>>,
    /// Per (egress result, destination sub): its verdicts toward each of
    /// the sub's ingress result groups ([`Run::e_row`]); per (ingress
    /// result, source sub): its verdicts from each of the sub's egress
    /// result groups ([`Run::i_row`]). A (source sub, destination sub)
    /// pair is met in several blocks, and subs of one row share results;
    /// both are emptied at each new row.
    e_rows: HashMap<(EKey, u32), Arc<Row>>,
    i_rows: HashMap<(EKey, u32), Arc<Row>>,
}

/// A sub's classes grouped by one direction's result key: class indices
/// per group, groups in key order.
struct Grouped {
    groups: Vec<Vec<usize>>,
}

/// One side's verdicts over each result group of a sub (see [`Run::e_row`]):
/// per group, the kinds its members meet (a mask of [`bit`]s) and, per
/// kind, the first member (its position in the group) that meets it.
#[derive(Clone)]
struct Row {
    mask: Vec<u8>,
    first: Vec<[u32; 3]>,
}

impl Row {
    /// `n` groups whose every member meets `k`.
    fn all(k: Kind, n: usize) -> Row {
        let mut f = [u32::MAX; 3];
        f[k as usize] = 0;
        Row { mask: vec![bit(k); n], first: vec![f; n] }
    }

    /// The row of `groups` (class indices) from each class's verdict.
    fn of(groups: &[Vec<usize>], kinds: &[Kind]) -> Row {
        let mut row = Row { mask: Vec::with_capacity(groups.len()), first: Vec::with_capacity(groups.len()) };
        for g in groups {
            let (mut m, mut f) = (0u8, [u32::MAX; 3]);
            for (pos, &k) in g.iter().enumerate() {
                let kd = kinds[k];
                if m & bit(kd) == 0 {
                    m |= bit(kd);
                    f[kd as usize] = pos as u32;
                }
            }
            row.mask.push(m);
            row.first.push(f);
        }
        row
    }

    /// The kind of a one-kind mask.
    fn kind(mask: u8) -> Kind {
        KINDS.into_iter().find(|k| mask & bit(*k) != 0).unwrap_or(Kind::Unknown)
    }
}

/// Every (egress kind, ingress kind) of two masks, egress first, each in
/// [`KINDS`] order.
fn kinds_of(em: u8, im: u8) -> impl Iterator<Item = (Kind, Kind)> {
    KINDS
        .into_iter()
        .filter(move |e| em & bit(*e) != 0)
        .flat_map(move |e| KINDS.into_iter().filter(move |i| im & bit(*i) != 0).map(move |i| (e, i)))
}

/// One cell's findings so far: kinds seen and one witness per (verdict, layer).
#[derive(Default)]
struct Acc {
    kinds: [usize; 3],
    combinations: usize,
    examples: Vec<(Kind, Option<Layer>, (Member, Member))>,
    /// Something the factored form cannot read: the class matrix answers.
    fallback: bool,
}

impl Acc {
    /// `n` combinations of verdict and layer `v`.
    fn add(&mut self, v: (Kind, Option<Layer>), n: usize, witness: impl FnOnce() -> Option<(Member, Member)>) {
        self.kinds[v.0 as usize] += n;
        self.combinations += n;
        if !self.examples.iter().any(|e| (e.0, e.1) == v) {
            match witness() {
                Some(pair) => self.examples.push((v.0, v.1, pair)),
                None => self.fallback = true,
            }
        }
    }
}

/// Whether the factored matrix covers the question (see the module doc).
fn covered(estate: &Estate, ask: &Ask, analysis: &Analysis) -> bool {
    ask.http.is_none()
        && ask.port.is_some()
        && analysis.worlds.len() == 1
        && !tusk_policy::lang::istio::active(&estate.k8s)
}

/// The matrix of `units` for each of `actors`, factored (see the module
/// doc); `None` when the question is not covered or a witness disagrees,
/// and the class matrix must answer. Same contract as [`super::matrix`].
pub fn factored(
    estate: &Estate,
    w: &Wiring,
    p: &Prepared,
    grain: Grain,
    units: &[Unit],
    actors: &[Actor],
    ask: Ask,
) -> Option<Matrix> {
    let mut cells = Vec::new();
    let s = factored_rows(estate, w, p, units, actors, ask, &mut |c| cells.push(c))?;
    Some(Matrix { grain, cells, classes: s.classes, traced: s.traced, pod_keys: s.pod_keys })
}

/// [`factored`], row by row: each row's cells (in unit order, witnesses
/// traced and checked) go to `sink` as soon as the row is done, so memory
/// follows one row, not the matrix. `None` as for [`factored`]; then the
/// cells `sink` received must be discarded (the class matrix answers).
pub fn factored_rows(
    estate: &Estate,
    w: &Wiring,
    p: &Prepared,
    units: &[Unit],
    actors: &[Actor],
    ask: Ask,
    sink: &mut dyn FnMut(Cell),
) -> Option<Stats> {
    let analysis = Analysis::new(&estate.k8s, *ask.sem);
    if !covered(estate, &ask, &analysis) {
        return None;
    }
    let pp = PolicyPart::new(&analysis.worlds[0], ask.proto, ask.port.unwrap_or(0));
    let keys = Keys::new(estate, w);
    let feasible = w.feasible_nodes(estate);
    let netpod = intern_net(estate);
    let blocks: Vec<Vec<(Net, Vec<Sub>)>> =
        units.iter().map(|u| unit_blocks(&keys, w, &pp, &feasible, &netpod, &u.pods)).collect();
    let mut blocks = blocks;
    for (i, sub) in blocks.iter_mut().flatten().flat_map(|b| &mut b.1).enumerate() {
        sub.id = i as u32;
    }
    let nodes: Vec<Vec<(NodeCtx, Members)>> = if actors.contains(&Actor::Node) {
        units.iter().map(|u| keys::node_classes(&keys, &feasible, &u.pods)).collect()
    } else {
        vec![Vec::new(); units.len()]
    };
    let mut run = Run {
        estate,
        w,
        p,
        ask,
        pp,
        nets: HashMap::new(),
        grouped: HashMap::new(),
        e_rows: HashMap::new(),
        i_rows: HashMap::new(),
    };
    let classes = blocks.iter().flatten().flat_map(|b| &b.1).map(|s| s.classes.len()).sum::<usize>()
        + nodes.iter().map(Vec::len).sum::<usize>();
    // Witness paths by pair, kept across rows up to a bound (a node
    // witnesses cells of every unit it hosts).
    let mut paths: HashMap<String, Arc<Path>> = HashMap::new();
    for (a, ua) in units.iter().enumerate() {
        run.e_rows.clear();
        run.i_rows.clear();
        let mut cells = Vec::new();
        let mut shown = Vec::new();
        for (b, ub) in units.iter().enumerate() {
            for &actor in actors {
                let mut acc = Acc::default();
                match actor {
                    Actor::Pod => run.pod_cell(&blocks[a], &blocks[b], a == b, &mut acc),
                    Actor::Node => run.node_cell(&nodes[a], &blocks[b], &mut acc),
                }
                if acc.fallback {
                    return None;
                }
                if acc.combinations == 0 && a == b {
                    continue;
                }
                let n = acc.kinds;
                cells.push(Cell {
                    from: ua.name.clone(),
                    to: ub.name.clone(),
                    actor,
                    verdict: GroupKind::of_counts(
                        n[Kind::Allowed as usize],
                        n[Kind::Denied as usize],
                        n[Kind::Unknown as usize],
                    ),
                    combinations: acc.combinations,
                    examples: Vec::new(),
                });
                shown.push(acc.examples);
            }
        }
        if paths.len() > 4_096 {
            paths.clear();
        }
        for (mut cell, examples) in cells.into_iter().zip(shown) {
            for (k, layer, (a, b)) in examples {
                let key = format!("{a:?}{b:?}{:?}", cell.actor);
                let path = match paths.get(&key) {
                    Some(x) => x.clone(),
                    None => {
                        let x = Arc::new(run.trace(a, b, cell.actor)?);
                        paths.insert(key, x.clone());
                        x
                    }
                };
                // The witness must say what the factored verdict says.
                if (path.verdict, Layer::of(&path)) != (k, layer) {
                    return None;
                }
                cell.examples.push((k, layer, path));
            }
            sink(cell);
        }
    }
    Some(Stats { classes, traced: run.nets.len(), pod_keys: keys.pod_keys })
}

/// Each pod's interned net part (see [`Net`]).
fn intern_net(estate: &Estate) -> IdxVec<Pod, u32> {
    type K<'a> = (bool, &'a [IpAddr], Option<IpAddr>, Option<&'a str>);
    let mut ids: HashMap<K, u32> = HashMap::new();
    IdxVec::build(&estate.k8s.pods, |i| {
        let p = &estate.k8s.pods[i];
        let next = ids.len() as u32;
        *ids.entry((p.host_network, &p.ips[..], p.host_ip, p.node_name.as_deref())).or_insert(next)
    })
}

/// One unit's classes: by net part, then by node set.
fn unit_blocks(
    keys: &Keys,
    w: &Wiring,
    pp: &PolicyPart,
    feasible: &IdxVec<Pod, Vec<Idx<SimNode>>>,
    netpod: &IdxVec<Pod, u32>,
    pods: &[Idx<Pod>],
) -> Vec<(Net, Vec<Sub>)> {
    let mut by: BTreeMap<(Net, u32), keys::OnNodes> = BTreeMap::new();
    for &i in pods {
        for &n in &feasible[i] {
            let net = Net { pod: netpod[i], ctx: keys.node[n], wired: w.pod_ips.contains_key(&(i, n)) };
            keys::add(by.entry((net, pp.group(i))).or_default(), n, i);
        }
    }
    let mut out: BTreeMap<Net, BTreeMap<Vec<Idx<SimNode>>, Vec<Class>>> = BTreeMap::new();
    for ((net, group), m) in by {
        let members = keys::members(m);
        let nodes: Vec<Idx<SimNode>> = members.nodes().collect();
        let class = Class { group, members, ekey: pp.ekey(group), ikey: pp.ikey(group) };
        out.entry(net).or_default().entry(nodes).or_default().push(class);
    }
    out.into_iter()
        .map(|(net, subs)| (net, subs.into_iter().map(|(nodes, classes)| Sub { id: 0, nodes, classes }).collect()))
        .collect()
}

/// Is there a node of `a` and a node of `b` that are one node (`same`)
/// or two different nodes? (Sorted lists.)
fn can_pair(a: &[Idx<SimNode>], b: &[Idx<SimNode>], same: bool) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if same {
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => return true,
            }
        }
        return false;
    }
    !(a.len() == 1 && b.len() == 1 && a[0] == b[0])
}

/// The member standing for one end of a representative pair.
fn member(actor: Actor, r: keys::Rep) -> Member {
    match actor {
        Actor::Pod => Member::Pod { pod: r.1, node: r.0, replica: r.2 },
        Actor::Node => Member::Node(r.0),
    }
}

/// The bit of a kind in a mask of kinds.
fn bit(k: Kind) -> u8 {
    1 << (k as u8)
}

const KINDS: [Kind; 3] = [Kind::Allowed, Kind::Denied, Kind::Unknown];

impl Run<'_> {
    fn trace(&self, a: Member, b: Member, actor: Actor) -> Option<Path> {
        let from = End { members: vec![a], ..Default::default() };
        let to = End { members: vec![b], ..Default::default() };
        let g = join::trace(self.estate, self.w, self.p, &from, &to, Ask { actor, ..self.ask });
        g.pairs.into_iter().next()
    }

    /// The network leg of a block, traced once through `pair`.
    fn net_part(&mut self, key: (Src, Net, bool), actor: Actor, pair: (keys::Rep, keys::Rep)) -> Option<NetPart> {
        if let Some(n) = self.nets.get(&key) {
            return *n;
        }
        let (a, b) = (member(actor, pair.0), member(Actor::Pod, pair.1));
        let part = self.trace(a.clone(), b.clone(), actor).map(|path| self.decompose(&path, &a, &b));
        self.nets.insert(key, part);
        part
    }

    /// Splits a representative path into its network leg and what the
    /// destination policy sees, as [`crate::join`] built it.
    fn decompose(&self, path: &Path, a: &Member, b: &Member) -> NetPart {
        let mut part = NetPart { src_policy: false, mid: Kind::Allowed, mid_layer: None, seen: None, doubt: false };
        let mut seen_src = None;
        for s in &path.segments {
            match s {
                Segment::SourcePolicy(_) => part.src_policy = true,
                Segment::DestinationPolicy { seen_src: ip, .. } => seen_src = Some(*ip),
                s => {
                    let k = s.verdict();
                    part.mid = part.mid.then(k);
                    if k != Kind::Allowed && part.mid_layer.is_none() {
                        part.mid_layer = Some(Layer::of_segment(s));
                    }
                }
            }
        }
        let (sn, src_pod) = match *a {
            Member::Pod { pod, node, .. } => (Some(node), Some((pod, node))),
            Member::Node(n) => (Some(n), None),
            Member::Azure(_) => (None, None),
        };
        let Member::Pod { pod: j, node: dn, .. } = *b else { return part };
        let Some(seen) = seen_src else { return part };
        let w = self.w;
        part.seen = Some(if sn == Some(dn) && Some(seen) == w.node_ips[dn] {
            // The node hands the packet to its own pod; no mesh tier here.
            Seen::Admitted
        } else if src_pod.is_some_and(|(i, n)| w.pod_ips.get(&(i, n)) == Some(&seen)) {
            Seen::Own
        } else if builtin_admission(&self.estate.k8s, FlowEnd::Address(seen), FlowEnd::Pod(j)).is_some() {
            Seen::Admitted
        } else {
            Seen::Address(seen)
        });
        for (n, pod) in [(sn, src_pod.map(|x| x.0)), (Some(dn), Some(j))] {
            let Some(n) = n else { continue };
            if let Some(set) = w.possible(self.estate, n, pod) {
                part.doubt |= w.splits(&self.estate.azure, &set).is_some();
            }
        }
        part
    }

    /// The ingress verdict of `d` for `s` (a pod class, or none: an address).
    fn ingress(&mut self, seen: Option<Seen>, d: &Class, s: Option<&Class>) -> Option<Kind> {
        Some(match seen {
            None | Some(Seen::Admitted) => Kind::Allowed,
            Some(Seen::Own) => self.pp.ingress(d.ikey, d.group, s?.group),
            Some(Seen::Address(ip)) => self.pp.ingress_from(d.ikey, d.group, ip)?,
        })
    }

    /// A pod-actor cell: every (source net part, destination net part,
    /// same node) block of the row's and the column's classes.
    fn pod_cell(&mut self, row: &[(Net, Vec<Sub>)], col: &[(Net, Vec<Sub>)], diagonal: bool, acc: &mut Acc) {
        for (sn, ss) in row {
            for (dn, ds) in col {
                for same in [true, false] {
                    for s in ss {
                        for d in ds {
                            if can_pair(&s.nodes, &d.nodes, same) {
                                self.pod_block((*sn, *dn, same), s, d, diagonal && sn == dn, acc);
                            }
                        }
                    }
                }
            }
        }
    }

    fn pod_block(&mut self, (sn, dn, same): (Net, Net, bool), s: &Sub, d: &Sub, diagonal: bool, acc: &mut Acc) {
        let estate = self.estate;
        let count = move |i: Idx<Pod>| estate.k8s.pods[i].count();
        let pick = |x: &Class, y: &Class| x.members.pick(&y.members, same, true, count);
        // The network leg, from the first pair of the block; two classes
        // rather than a class with itself where possible (two replicas of
        // one entry make the explanation copy the cluster).
        let pairs = || s.classes.iter().flat_map(|x| d.classes.iter().map(move |y| (x, y)));
        let rep = pairs()
            .filter(|(x, y)| x.group != y.group)
            .find_map(|(x, y)| pick(x, y))
            .or_else(|| pairs().find_map(|(x, y)| pick(x, y)));
        let Some(rep) = rep else { return };
        let Some(np) = self.net_part((Src::Pod(sn), dn, same), Actor::Pod, rep) else {
            return self.unknown_block(acc);
        };
        // Classes paired with themselves without two distinct members.
        let lonely = |x: &Class| diagonal && d.classes.iter().any(|y| y.group == x.group) && pick(x, x).is_none();
        // Each sub's classes by result key, read a group at a time.
        let (sg, dg) = (self.grouped(s, true), self.grouped(d, false));
        let (ne, ni) = (sg.groups.len(), dg.groups.len());
        // Per egress group, its verdicts toward each ingress group.
        let erows: Vec<Arc<Row>> = if np.src_policy {
            (0..ne).map(|ei| self.e_row(&s.classes[sg.groups[ei][0]], d, &dg)).collect()
        } else {
            let all = Arc::new(Row::all(Kind::Allowed, ni));
            (0..ne).map(|_| all.clone()).collect()
        };
        // Per ingress group, its verdicts from each egress group: from the
        // source's class (its own address seen), else one for every source.
        let own = matches!(np.seen, Some(Seen::Own));
        let irows: Vec<Arc<Row>> = if own {
            (0..ni).map(|ii| self.i_row(&d.classes[dg.groups[ii][0]], s, &sg)).collect()
        } else {
            let mut v = Vec::with_capacity(ni);
            for g in &dg.groups {
                match self.ingress(np.seen, &d.classes[g[0]], None) {
                    Some(k) => v.push(Arc::new(Row::all(k, 1))),
                    None => return self.unknown_block(acc),
                }
            }
            v
        };
        let i_at = |ei: usize| if own { ei } else { 0 };
        let pair_at = |ei: usize, ii: usize, xi: usize, yi: usize| {
            let (x, y) = (&s.classes[sg.groups[ei][xi]], &d.classes[dg.groups[ii][yi]]);
            pick(x, y).map(|(a, b)| (member(Actor::Pod, a), member(Actor::Pod, b)))
        };
        // Each (egress group, ingress group) is the product of its two
        // sides' verdicts (see the module doc); a witness for (e, i) is the
        // first source member with ingress verdict i and the first
        // destination member with egress verdict e.
        let witness = |ei: usize, ii: usize, e: Kind, i: Kind| {
            let xi = irows[ii].first[i_at(ei)][i as usize] as usize;
            let yi = erows[ei].first[ii][e as usize] as usize;
            pair_at(ei, ii, xi, yi)
        };
        if (0..ne).any(|ei| sg.groups[ei].iter().any(|&k| lonely(&s.classes[k]))) {
            // The product has holes: read the block pair by pair, member
            // by member where a class meets itself.
            for (ei, eg) in sg.groups.iter().enumerate() {
                let holes = eg.iter().any(|&k| lonely(&s.classes[k]));
                for (ii, ig) in dg.groups.iter().enumerate() {
                    if !holes {
                        let (em, im) = (erows[ei].mask[ii], irows[ii].mask[i_at(ei)]);
                        for (e, i) in kinds_of(em, im) {
                            acc.add(np.compose(e, i), 1, || witness(ei, ii, e, i));
                        }
                        continue;
                    }
                    let x0 = &s.classes[eg[0]];
                    let y0 = &d.classes[ig[0]];
                    for (xi, &xk) in eg.iter().enumerate() {
                        let x = &s.classes[xk];
                        let i = match own {
                            true => self.pp.ingress(y0.ikey, y0.group, x.group),
                            false => Row::kind(irows[ii].mask[0]),
                        };
                        for (yi, &yk) in ig.iter().enumerate() {
                            let y = &d.classes[yk];
                            if x.group == y.group && lonely(x) {
                                continue;
                            }
                            let e = match np.src_policy {
                                true => self.pp.egress(x0.ekey, x0.group, y.group),
                                false => Kind::Allowed,
                            };
                            acc.add(np.compose(e, i), 1, || pair_at(ei, ii, xi, yi));
                        }
                    }
                }
            }
            return;
        }
        // Count the (egress mask, ingress mask) of every group pair, with
        // the first pair of each, then fold each mask pair once, in the
        // order of their first pairs (the order a pair-by-pair reading
        // would meet them, so the same witnesses).
        let mut count = [0usize; 64];
        let mut first = [usize::MAX; 64];
        for (ei, er) in erows.iter().enumerate() {
            let base = ei * ni;
            let mut note = |ii: usize, b: usize| {
                count[b] += 1;
                if first[b] == usize::MAX {
                    first[b] = base + ii;
                }
            };
            if own {
                for (ii, (em, ir)) in er.mask.iter().zip(&irows).enumerate() {
                    note(ii, ((*em as usize) << 3) | ir.mask[ei] as usize);
                }
            } else {
                for (ii, (em, ir)) in er.mask.iter().zip(&irows).enumerate() {
                    note(ii, ((*em as usize) << 3) | ir.mask[0] as usize);
                }
            }
        }
        let mut bins: Vec<usize> = (0..64).filter(|&b| count[b] > 0).collect();
        bins.sort_by_key(|&b| first[b]);
        for b in bins {
            let (ei, ii) = (first[b] / ni, first[b] % ni);
            for (e, i) in kinds_of((b >> 3) as u8, (b & 7) as u8) {
                acc.add(np.compose(e, i), count[b], || witness(ei, ii, e, i));
            }
        }
    }

    /// The egress verdicts of source class `x`'s result toward each ingress
    /// result group of `d` (`dg`); memoised per (result, sub) for the row.
    fn e_row(&mut self, x: &Class, d: &Sub, dg: &Grouped) -> Arc<Row> {
        if let Some(r) = self.e_rows.get(&(x.ekey, d.id)) {
            return r.clone();
        }
        let kinds = self.pp.egress_each(x.ekey, x.group, d.classes.iter().map(|y| y.group));
        let r = Arc::new(Row::of(&dg.groups, &kinds));
        self.e_rows.insert((x.ekey, d.id), r.clone());
        r
    }

    /// The ingress verdicts of destination class `y`'s result from each
    /// egress result group of `s` (`sg`), each source seen by its own
    /// address; memoised per (result, sub) for the row.
    fn i_row(&mut self, y: &Class, s: &Sub, sg: &Grouped) -> Arc<Row> {
        if let Some(r) = self.i_rows.get(&(y.ikey, s.id)) {
            return r.clone();
        }
        let kinds = self.pp.ingress_each(y.ikey, y.group, s.classes.iter().map(|x| x.group));
        let r = Arc::new(Row::of(&sg.groups, &kinds));
        self.i_rows.insert((y.ikey, s.id), r.clone());
        r
    }

    /// `sub`'s classes grouped by egress (`egress`) or ingress result key,
    /// in key order, with each group's peer set; computed once per sub.
    fn grouped(&mut self, sub: &Sub, egress: bool) -> Arc<Grouped> {
        if let Some(g) = self.grouped.get(&(sub.id, egress)) {
            return g.clone();
        }
        let mut by: BTreeMap<EKey, Vec<usize>> = BTreeMap::new();
        for (k, x) in sub.classes.iter().enumerate() {
            by.entry(if egress { x.ekey } else { x.ikey }).or_default().push(k);
        }
        let g = Arc::new(Grouped { groups: by.into_values().collect() });
        self.grouped.insert((sub.id, egress), g.clone());
        g
    }

    /// A block whose network leg or ingress source could not be read: the
    /// class matrix must answer.
    fn unknown_block(&mut self, acc: &mut Acc) {
        acc.fallback = true;
    }

    /// A node-actor cell: every (source node context, destination block,
    /// same node) of the row's nodes and the column's classes.
    fn node_cell(&mut self, row: &[(NodeCtx, Members)], col: &[(Net, Vec<Sub>)], acc: &mut Acc) {
        let estate = self.estate;
        let count = move |i: Idx<Pod>| estate.k8s.pods[i].count();
        for (ctx, sm) in row {
            let src: Vec<Idx<SimNode>> = sm.nodes().collect();
            for (dn, ds) in col {
                for same in [true, false] {
                    for d in ds {
                        if !can_pair(&src, &d.nodes, same) {
                            continue;
                        }
                        let Some(rep) = d.classes.iter().find_map(|y| sm.pick(&y.members, same, false, count)) else {
                            continue;
                        };
                        let Some(np) = self.net_part((Src::Node(*ctx), *dn, same), Actor::Node, rep) else {
                            return self.unknown_block(acc);
                        };
                        for y in &d.classes {
                            let Some(i) = self.ingress(np.seen, y, None) else { return self.unknown_block(acc) };
                            let v = np.compose(Kind::Allowed, i);
                            let witness = || {
                                sm.pick(&y.members, same, false, count)
                                    .map(|(a, b)| (member(Actor::Node, a), member(Actor::Pod, b)))
                            };
                            acc.add(v, 1, witness);
                        }
                    }
                }
            }
        }
    }
}
