//! Cilium's policies in its deny-wins tier, beside the NetworkPolicies
//! Cilium translates into the same rule set (Cilium docs, "Deny Policies":
//! deny policies take precedence over allow policies, whether Cilium or
//! Kubernetes ones; "Policy Enforcement Modes": an endpoint a rule selects
//! in a direction is default deny there unless `enableDefaultDeny` says no).
//!
//! Rule shapes, checked in Cilium's source (pkg/policy/rule.go,
//! `mergeIngress` / `mergeEgress`): the empty rule `{}` allows nothing; a
//! rule with ports and no L3 field matches every peer (the wildcard
//! selector: pods, nodes and the world); an L3 field given as an empty list
//! matches none (the loader, crates/tusk-load/src/k8s/cilium.rs).
//!
//! Peers: endpoint selectors over pods (hostNetwork pods have the node's
//! identity, never an endpoint's); CIDRs over outside addresses only (CIDR
//! rules select neither pods nor nodes: Cilium docs, "Layer 3 Policies",
//! IP/CIDR based, and Azure CNI powered by Cilium's limitations). Entities
//! (Cilium source, pkg/policy/api/entity.go, maps each to a reserved
//! identity): `all`, `world*` (outside addresses that are no declared
//! node's), `cluster` (every pod and node) and `none` exactly; `host` (the
//! subject's own node: its addresses and the hostNetwork pods on it) and
//! `remote-node` (every other declared node) exactly where `spec.nodeName`
//! names a declared Node, for the subject and for a hostNetwork peer, else
//! *maybe* on node addresses and hostNetwork pods; `init` (endpoints whose
//! identity is not resolved yet, only while they start) matches nothing in
//! the steady state tusk evaluates; `kube-apiserver`, `health`, `ingress`,
//! `unmanaged` stand for addresses the inputs do not carry (the endpoints
//! of Service default/kubernetes, Cilium's per-node health endpoints, its
//! ingress Envoy, pods Cilium does not manage): *maybe* on every outside
//! address, never a declared pod. A rule with L7 rules, toFQDNs, toServices
//! or another field tusk does not model matches its peers as *maybe*: its
//! cells are unknown, with the reason.

use crate::compile::{Builder, Direction, Rule, RuleOrigin};
use crate::doubt::{DoubtAt, NotModelled};
use crate::explain::{port_match, Action, Ctx, Dir, FlowEnd, Layer, PolicyRef, Probe, Reason, Step, StepRule, Verdict};
use crate::tier::Tier;
use roaring::RoaringBitmap;
use std::net::IpAddr;
use tusk_core::ip::ip_to_u128;
use tusk_core::{Idx, IdxVec, Tri};
use tusk_model::cilium::{CiliumPeer, CiliumPolicy, CiliumRule, CiliumSelector, Entity};
use tusk_model::k8s::{AdminAction, Cluster, LabelSelector, Node, Pod};

/// Every address a declared node has.
fn node_ips(c: &Cluster) -> impl Iterator<Item = IpAddr> + '_ {
    c.nodes.iter().flat_map(|n| n.ips.iter().copied())
}

/// Does some Cilium rule name the `host` or `remote-node` entity? Then
/// pods are told apart by the node they run on (their class says which).
pub fn needs_nodes(c: &Cluster) -> bool {
    c.cilium_policies.iter().any(|p| p.nodes.is_some())
        || c.cilium_policies
            .iter()
            .flat_map(|p| p.ingress.iter().chain(&p.egress))
            .flat_map(|r| r.peers.iter().flatten())
            .any(|p| matches!(p, CiliumPeer::Entity(Entity::Host | Entity::RemoteNode)))
}

/// The declared node `pod` runs on (`spec.nodeName`), if any.
pub fn node_of(c: &Cluster, pod: &Pod) -> Option<Idx<Node>> {
    let name = pod.node_name.as_deref()?;
    c.nodes.iter().position(|n| n.name == name).map(Idx::new)
}

/// The peers each entity stands for, over classes and address atoms.
struct Entities {
    /// Every address atom.
    atoms: RoaringBitmap,
    /// Atoms of declared nodes' addresses, all and per node.
    node_atoms: RoaringBitmap,
    node_atoms_of: IdxVec<Node, RoaringBitmap>,
    /// hostNetwork classes: all, per declared node, on no declared node.
    host_classes: RoaringBitmap,
    host_on: IdxVec<Node, RoaringBitmap>,
    host_unknown: RoaringBitmap,
    /// Every class.
    classes: RoaringBitmap,
    /// IPv4 atoms.
    v4: RoaringBitmap,
}

impl Entities {
    fn new(cluster: &Cluster, ep: &crate::classes::ClassIndex) -> Entities {
        let n = ep.class_count();
        let mut atoms = RoaringBitmap::new();
        atoms.insert_range(n..n + ep.atoms.len() as u32);
        let atom_of = |ip: IpAddr| {
            let v = ip_to_u128(ip);
            ep.atoms.iter().position(|a| a.lo <= v && v <= a.hi).map(|i| ep.atom_peer(i as u32))
        };
        let node_atoms_of: IdxVec<Node, RoaringBitmap> =
            IdxVec::build(&cluster.nodes, |i| cluster.nodes[i].ips.iter().filter_map(|ip| atom_of(*ip)).collect());
        let node_atoms = node_atoms_of.values().fold(RoaringBitmap::new(), |a, b| a | b);
        let (mut host_classes, mut host_unknown) = (RoaringBitmap::new(), RoaringBitmap::new());
        let mut host_on = IdxVec::filled(&cluster.nodes, RoaringBitmap::new());
        for (ci, c) in ep.classes.iter().enumerate() {
            let g = &ep.groups[c.group];
            if g.host_network {
                host_classes.insert(ci as u32);
                match g.node {
                    Some(i) => host_on[i].insert(ci as u32),
                    None => host_unknown.insert(ci as u32),
                };
            }
        }
        let mut classes = RoaringBitmap::new();
        classes.insert_range(0..n);
        let all_v4 = tusk_core::ip::all_v4();
        let v4 = atoms.iter().filter(|&a| all_v4.contains(ep.atoms[(a - n) as usize].lo)).collect();
        Entities { atoms, node_atoms, node_atoms_of, host_classes, host_on, host_unknown, classes, v4 }
    }

    /// (surely, maybe) the peers of `e` for a subject on node `local`
    /// (`None`: on no declared node, or not known).
    fn peers(&self, e: Entity, local: Option<Idx<Node>>) -> (RoaringBitmap, RoaringBitmap) {
        let none = RoaringBitmap::new();
        let world = &self.atoms - &self.node_atoms;
        let nodes = &self.node_atoms | &self.host_classes;
        match (e, local) {
            (Entity::All, _) => (&self.classes | &self.atoms, none),
            (Entity::World, _) => (world, none),
            (Entity::WorldIpv4, _) => (world & &self.v4, none),
            (Entity::WorldIpv6, _) => (world - &self.v4, none),
            (Entity::Cluster, _) => (&self.classes | &self.node_atoms, none),
            (Entity::Host, Some(i)) => (&self.node_atoms_of[i] | &self.host_on[i], self.host_unknown.clone()),
            (Entity::RemoteNode, Some(i)) => {
                let other_hosts = &self.host_classes - &self.host_on[i] - &self.host_unknown;
                ((&self.node_atoms - &self.node_atoms_of[i]) | other_hosts, self.host_unknown.clone())
            }
            (Entity::Host | Entity::RemoteNode, None) => (none, nodes),
            (Entity::Init | Entity::None, _) => (none.clone(), none),
            (Entity::KubeApiserver | Entity::Health | Entity::Ingress | Entity::Unmanaged, _) => {
                (none, self.atoms.clone())
            }
        }
    }
}

/// The Cilium policies, after the NetworkPolicies, into tier `tier`.
pub fn compile(b: &mut Builder, tier: Idx<Tier>) {
    let cluster = b.sel.cluster;
    let ep = b.sel.ep;
    let ents = Entities::new(cluster, ep);
    for (pi, p) in cluster.cilium_policies.iter().enumerate() {
        if p.nodes.is_some() {
            // A host policy selects no pod: see `host_taint`.
            continue;
        }
        let subject = select(b, &p.subject).0;
        for (d, dir, rules) in [(0, Direction::Ingress, &p.ingress), (1, Direction::Egress, &p.egress)] {
            if !p.selects[d] {
                continue;
            }
            // `host` and `remote-node` depend on the subject's node: the
            // rules are compiled once per node the subjects run on.
            let by_node = rules
                .iter()
                .flat_map(|r| r.peers.iter().flatten())
                .any(|x| matches!(x, CiliumPeer::Entity(Entity::Host | Entity::RemoteNode)));
            let mut parts: Vec<(Option<Idx<Node>>, RoaringBitmap)> = Vec::new();
            for c in &subject {
                let node = if by_node { ep.groups[ep.classes[c as usize].group].node } else { None };
                match parts.iter_mut().find(|(k, _)| *k == node) {
                    Some((_, set)) => {
                        set.insert(c);
                    }
                    None => parts.push((node, std::iter::once(c).collect())),
                }
            }
            for (local, part) in parts {
                let mut ids = Vec::with_capacity(rules.len());
                for (ri, r) in rules.iter().enumerate() {
                    let (mut peers, mut maybe) = (RoaringBitmap::new(), RoaringBitmap::new());
                    match &r.peers {
                        None => peers = ep.universe(),
                        Some(list) => {
                            for peer in list {
                                let (sure, may) = match peer {
                                    CiliumPeer::Endpoints(sel) => select(b, sel),
                                    CiliumPeer::Cidr(set) => {
                                        (ep.select_addresses(set, b.sel.sem) - &ents.node_atoms, RoaringBitmap::new())
                                    }
                                    CiliumPeer::Entity(e) => ents.peers(*e, local),
                                    CiliumPeer::Unmodelled(_) => (RoaringBitmap::new(), ep.universe()),
                                };
                                peers |= sure;
                                maybe |= may;
                            }
                        }
                    }
                    if r.unmodelled.is_some() {
                        // The rule's L3/L4 match is only where it may act.
                        maybe |= &peers;
                        peers = RoaringBitmap::new();
                    }
                    maybe -= &peers;
                    let action = if r.deny { AdminAction::Deny } else { AdminAction::Allow };
                    let origin = RuleOrigin { tier, policy: pi as u32, rule: ri as u32 };
                    ids.push(b.push(Rule { origin, action, peers, maybe, ports: r.ports.clone(), priority: None }));
                }
                b.apply(tier, &part, dir, &ids, p.default_deny[d]);
            }
        }
    }
}

/// The classes a Cilium selector selects: (surely, maybe). Namespace
/// labels other than the name may be unknown for undeclared namespaces.
fn select(b: &mut Builder, sel: &CiliumSelector) -> (RoaringBitmap, RoaringBitmap) {
    let (ns, ns_maybe) = if sel.namespace_labels {
        b.sel.namespaces_np(&sel.namespace)
    } else {
        (b.sel.namespaces(&sel.namespace), RoaringBitmap::new())
    };
    let sure = b.sel.pods(ns, &sel.pod);
    let maybe = if ns_maybe.is_empty() { ns_maybe } else { b.sel.pods(ns_maybe, &sel.pod) };
    (sure, maybe)
}

/// A Cilium selector against one pod.
fn selects(cx: &Ctx, sel: &CiliumSelector, pod: &Pod) -> Tri {
    if !cx.selectable(pod) || pod.host_network || !sel.pod.matches(&pod.labels) {
        return Tri::No;
    }
    let Some(ns) = cx.c.namespaces.iter().find(|n| n.name == pod.namespace) else { return Tri::No };
    if ns.loc.is_none() && sel.namespace_labels && cx.sem.undeclared_namespaces_open {
        return sel.namespace.matches_known(&ns.labels).map_or(Tri::Maybe, Tri::from_bool);
    }
    Tri::from_bool(sel.namespace.matches(&ns.labels))
}

/// Does `peer` match the flow's other end, for a subject on node `local`?
fn peer_match(cx: &Ctx, peer: &CiliumPeer, other: FlowEnd, local: Option<Idx<Node>>) -> Tri {
    let node = |ip: IpAddr| node_ips(cx.c).any(|n| n == ip);
    let own = |ip: IpAddr| local.is_some_and(|i| cx.c.nodes[i].ips.contains(&ip));
    match (peer, other) {
        (CiliumPeer::Endpoints(sel), FlowEnd::Pod(i)) => selects(cx, sel, &cx.c.pods[i]),
        (CiliumPeer::Endpoints(_), FlowEnd::Address(_)) => Tri::No,
        (CiliumPeer::Cidr(set), FlowEnd::Address(ip)) => Tri::from_bool(set.contains_ip(ip) && !node(ip)),
        (CiliumPeer::Cidr(_), FlowEnd::Pod(_)) => Tri::No,
        (CiliumPeer::Entity(e), end) => match (e, end) {
            (Entity::All, _) => Tri::Yes,
            (Entity::World, FlowEnd::Address(ip)) => Tri::from_bool(!node(ip)),
            (Entity::WorldIpv4, FlowEnd::Address(ip)) => Tri::from_bool(!node(ip) && ip.is_ipv4()),
            (Entity::WorldIpv6, FlowEnd::Address(ip)) => Tri::from_bool(!node(ip) && ip.is_ipv6()),
            (Entity::Cluster, FlowEnd::Pod(_)) => Tri::Yes,
            (Entity::Cluster, FlowEnd::Address(ip)) => Tri::from_bool(node(ip)),
            (Entity::Host | Entity::RemoteNode, FlowEnd::Address(ip)) => match local {
                _ if !node(ip) => Tri::No,
                None => Tri::Maybe,
                Some(_) => Tri::from_bool(own(ip) == (*e == Entity::Host)),
            },
            (Entity::Host | Entity::RemoteNode, FlowEnd::Pod(i)) => {
                let p = &cx.c.pods[i];
                match (p.host_network, local, node_of(cx.c, p)) {
                    (false, _, _) => Tri::No,
                    (true, Some(a), Some(b)) => Tri::from_bool((a == b) == (*e == Entity::Host)),
                    _ => Tri::Maybe,
                }
            }
            (Entity::KubeApiserver | Entity::Health | Entity::Ingress | Entity::Unmanaged, FlowEnd::Address(_)) => {
                Tri::Maybe
            }
            _ => Tri::No,
        },
        (CiliumPeer::Unmodelled(_), _) => Tri::Maybe,
    }
}

/// Why a peer's match is unknown, for the verdict's reason.
fn doubt(peer: &CiliumPeer) -> NotModelled {
    match peer {
        CiliumPeer::Endpoints(_) => NotModelled::UndeclaredNamespaceLabels,
        CiliumPeer::Cidr(_) => NotModelled::CidrPeer,
        CiliumPeer::Unmodelled(what) => NotModelled::Cilium(what.clone()),
        CiliumPeer::Entity(e) => NotModelled::Entity(*e),
    }
}

/// Does a rule match the probe's flow? With the reason when it may.
fn rule_match(cx: &Ctx, r: &CiliumRule, probe: Probe, local: Option<Idx<Node>>) -> (Tri, Option<NotModelled>) {
    if !port_match(&r.ports, cx.c, probe.dst, probe.proto, probe.port) {
        return (Tri::No, None);
    }
    let (m, why) = match &r.peers {
        None => (Tri::Yes, None),
        Some(list) => {
            let ms: Vec<Tri> = list.iter().map(|p| peer_match(cx, p, probe.peer, local)).collect();
            let why = list.iter().zip(&ms).find(|(_, m)| **m == Tri::Maybe).map(|(p, _)| doubt(p));
            (Tri::any(ms), why)
        }
    };
    match (m, &r.unmodelled) {
        (Tri::Yes | Tri::Maybe, Some(u)) => (Tri::Maybe, Some(NotModelled::Cilium(u.clone()))),
        (m, _) => (m, why),
    }
}

/// The policies that select `pod` in the probe's direction.
fn selecting<'c>(cx: &Ctx<'c>, pod: &Pod, dir: Dir) -> Vec<&'c CiliumPolicy> {
    let d = if dir == Dir::Ingress { 0 } else { 1 };
    cx.c.cilium_policies
        .iter()
        .filter(|p| p.nodes.is_none() && p.selects[d] && selects(cx, &p.subject, pod) == Tri::Yes)
        .collect()
}

/// The plain counterpart of the tier: NetworkPolicies' allows, Cilium's
/// allows and denies, each matching rule recorded; `None` when no policy
/// of the tier selects the pod in that direction.
pub fn explain(cx: &Ctx, pod: &Pod, probe: Probe, steps: &mut Vec<Step>) -> Option<Verdict> {
    let dir = probe.dir;
    let d = if dir == Dir::Ingress { 0 } else { 1 };
    let cil = selecting(cx, pod, dir);
    let local = node_of(cx.c, pod);
    let first_step = steps.len();
    let np = super::netpol::explain(cx, pod, probe, steps);
    if cil.is_empty() {
        if np == Some(Verdict::Denied) {
            super::netpol::deny_steps(cx, pod, dir, steps);
        }
        return np;
    }
    let closed = np.is_some() || cil.iter().any(|p| p.default_deny[d]);
    // What the NetworkPolicies allow joins Cilium's allows.
    let mut allow = match &np {
        Some(Verdict::Allowed) => Tri::Yes,
        Some(Verdict::Unknown(_)) => Tri::Maybe,
        _ => Tri::No,
    };
    let mut np_doubt = match np {
        Some(Verdict::Unknown(u)) => Some(u),
        _ => None,
    };
    let (mut deny, mut doubt) = (Tri::No, None::<(DoubtAt, NotModelled, tusk_core::Loc)>);
    for p in &cil {
        let rules = if d == 0 { &p.ingress } else { &p.egress };
        for r in rules {
            let (m, why) = rule_match(cx, r, probe, local);
            if m == Tri::No {
                continue;
            }
            if m == Tri::Maybe && doubt.is_none() {
                let what = why.unwrap_or(NotModelled::UnresolvedPeer);
                let at = DoubtAt::Rule { policy: cilium_ref(p), rule: StepRule::Named(r.name.clone()) };
                doubt = Some((at, what, r.loc.clone()));
            }
            steps.push(Step {
                layer: Layer::Cilium,
                policy: cilium_ref(p),
                rule: StepRule::Named(r.name.clone()),
                action: if r.deny { Action::Deny } else { Action::Allow },
                loc: Some(r.loc.clone()),
                decisive: m == Tri::Yes && (r.deny || deny == Tri::No),
            });
            if r.deny {
                deny = Tri::any([deny, m]);
            } else {
                allow = Tri::any([allow, m]);
            }
        }
    }
    if !closed {
        allow = Tri::Yes;
    }
    let verdict = match (deny, allow) {
        (Tri::Yes, _) | (_, Tri::No) => Verdict::Denied,
        (Tri::No, Tri::Yes) => Verdict::Allowed,
        _ => match doubt {
            Some((rule, what, loc)) => {
                Verdict::unknown(Reason::CiliumUnmodelled { rule: Box::new(rule), what }, Some(loc))
            }
            // Only a NetworkPolicy rule was in doubt.
            None => np_doubt.take().map_or(Verdict::Denied, Verdict::Unknown),
        },
    };
    if deny == Tri::Yes {
        // A matching deny wins over every allow (Cilium's policy
        // enforcement: deny policies take precedence), so no allow of
        // either language decided this flow.
        for s in steps[first_step..].iter_mut().filter(|s| s.action == Action::Allow) {
            s.decisive = false;
        }
    }
    if !closed && verdict == Verdict::Allowed {
        for p in &cil {
            steps.push(Step {
                layer: Layer::Cilium,
                policy: cilium_ref(p),
                rule: StepRule::DefaultDenyOff(dir),
                action: Action::Allow,
                loc: Some(p.loc.clone()),
                decisive: true,
            });
        }
    }
    if verdict == Verdict::Denied && deny != Tri::Yes {
        for p in cil.iter().filter(|p| p.default_deny[d]) {
            steps.push(Step {
                layer: Layer::Cilium,
                policy: cilium_ref(p),
                rule: StepRule::SelectsNoRuleAllows(dir),
                action: Action::Deny,
                loc: Some(p.loc.clone()),
                decisive: true,
            });
        }
        super::netpol::deny_steps(cx, pod, dir, steps);
    }
    Some(verdict)
}

/// May a host policy's node selector select `node`'s host endpoint? The
/// host endpoint carries the node's labels minus those Cilium's label
/// filter drops, so a selector with a negative term may select any node.
fn may_select_node(sel: &LabelSelector, node: &tusk_model::k8s::Node) -> bool {
    use tusk_model::k8s::SelectorOp::{DoesNotExist, NotIn};
    sel.matches(&node.labels) || sel.match_expressions.iter().any(|r| matches!(r.op, NotIn | DoesNotExist))
}

/// Would host policy `h` surely let a pod through on every port, in the
/// host's direction `d` (0: into the node, 1: out of it)? `peer` says
/// whether a rule's peer list surely or maybe matches the pod.
fn host_lets_through(h: &CiliumPolicy, d: usize, mut peer: impl FnMut(usize, &CiliumRule) -> Tri) -> bool {
    let rules = if d == 0 { &h.ingress } else { &h.egress };
    let denied = rules.iter().enumerate().filter(|(_, r)| r.deny).any(|(i, r)| peer(i, r) != Tri::No);
    let allowed = !h.default_deny[d]
        || rules
            .iter()
            .enumerate()
            .any(|(i, r)| !r.deny && r.ports.is_empty() && r.unmodelled.is_none() && peer(i, r) == Tri::Yes);
    allowed && !denied
}

/// Host policies (Cilium docs, "Host Policies"): a
/// CiliumClusterwideNetworkPolicy with `nodeSelector` acts on the host
/// endpoint of the nodes it selects, so it can refuse what passes between a
/// pod and such a node (its addresses and the hostNetwork pods on it): a
/// pod's egress meets the node's ingress rules, its ingress the node's
/// egress rules. It never allows what the pod's own policies deny. Whether
/// it is enforced depends on the agent's host firewall (`hostFirewall`),
/// which no input tusk reads: where the policy would let the pod through
/// on every port the verdict stands, elsewhere an allowed connection
/// becomes unknown (a denied one stays denied).
pub fn host_taint(
    cluster: &Cluster,
    sem: &crate::Semantics,
    ep: &crate::classes::ClassIndex,
    res: &mut crate::matrix::ClassResults,
) {
    if sem.engine != crate::PolicyEngine::Cilium || !cluster.cilium_policies.iter().any(|p| p.nodes.is_some()) {
        return;
    }
    let ents = Entities::new(cluster, ep);
    let n = ep.class_count();
    for h in cluster.cilium_policies.iter().filter(|p| p.nodes.is_some()) {
        let sel = h.nodes.as_ref().expect("host policy");
        let mut affected = ents.host_unknown.clone();
        for (i, node) in Idx::enumerate(&cluster.nodes) {
            if may_select_node(sel, node) {
                affected |= &ents.node_atoms_of[i];
                affected |= &ents.host_on[i];
            }
        }
        // The peers each rule may match, once per policy.
        let peers: Vec<(RoaringBitmap, RoaringBitmap)> = h
            .ingress
            .iter()
            .chain(&h.egress)
            .map(|r| match &r.peers {
                None => (ep.universe(), RoaringBitmap::new()),
                Some(list) => list.iter().fold((RoaringBitmap::new(), RoaringBitmap::new()), |(s, m), p| {
                    let (a, b) = match p {
                        CiliumPeer::Endpoints(sel) => host_select(cluster, ep, sel),
                        CiliumPeer::Cidr(_) => (RoaringBitmap::new(), RoaringBitmap::new()),
                        CiliumPeer::Entity(e) => ents.peers(*e, None),
                        CiliumPeer::Unmodelled(_) => (RoaringBitmap::new(), ep.universe()),
                    };
                    (s | a, m | b)
                }),
            })
            .collect();
        for (d, list) in [(0, &mut res.egress), (1, &mut res.ingress)] {
            if !h.selects[d] {
                continue;
            }
            let offset = if d == 0 { 0 } else { h.ingress.len() };
            for c in 0..n {
                if ep.groups[ep.classes[c as usize].group].host_network {
                    continue;
                }
                let through = host_lets_through(h, d, |i, _| {
                    let (sure, maybe) = &peers[offset + i];
                    if sure.contains(c) {
                        Tri::Yes
                    } else if maybe.contains(c) {
                        Tri::Maybe
                    } else {
                        Tri::No
                    }
                });
                if through {
                    continue;
                }
                let old = list[c as usize].clone();
                let cut = |p: &crate::eval::Pieces, keep: bool| -> crate::eval::Pieces {
                    p.iter()
                        .map(|(b, conns)| (if keep { b - &affected } else { b & &affected }, conns.clone()))
                        .filter(|(b, _)| !b.is_empty())
                        .collect()
                };
                let moved = cut(&old.allowed, false);
                if moved.is_empty() {
                    continue;
                }
                let unknown = crate::eval::combine(&moved, &old.unknown, |a, b| a.union(b));
                list[c as usize] =
                    std::sync::Arc::new(crate::matrix::Verdicts { allowed: cut(&old.allowed, true), unknown });
            }
        }
    }
}

/// A host policy rule's endpoint selector over classes (sure, maybe):
/// cluster-wide, so no namespace scope beyond what it names.
fn host_select(
    cluster: &Cluster,
    ep: &crate::classes::ClassIndex,
    sel: &CiliumSelector,
) -> (RoaringBitmap, RoaringBitmap) {
    let mut sure = RoaringBitmap::new();
    let mut maybe = RoaringBitmap::new();
    for (ci, c) in ep.classes.iter().enumerate() {
        let g = &ep.groups[c.group];
        if g.host_network || !sel.pod.matches(&g.labels) {
            continue;
        }
        let ns = &cluster.namespaces[g.namespace];
        if ns.loc.is_none() && sel.namespace_labels {
            match sel.namespace.matches_known(&ns.labels) {
                Some(true) => sure.insert(ci as u32),
                Some(false) => false,
                None => maybe.insert(ci as u32),
            };
        } else if sel.namespace.matches(&ns.labels) {
            sure.insert(ci as u32);
        }
    }
    (sure, maybe)
}

/// The step's reference to a Cilium policy: its kind, namespace and name.
pub fn cilium_ref(p: &CiliumPolicy) -> PolicyRef {
    PolicyRef::Cilium { kind: p.kind.clone(), namespace: p.namespace.clone(), name: p.name.clone() }
}

/// The plain counterpart of [`host_taint`] for one flow end: the host
/// policy that may refuse the flow between `pod` and the probe's peer, with
/// its location, when the pod's side was allowed.
pub fn host_doubt<'c>(cx: &Ctx<'c>, pod: &Pod, probe: Probe) -> Option<&'c CiliumPolicy> {
    if cx.sem.engine != crate::PolicyEngine::Cilium || pod.host_network {
        return None;
    }
    // The host's direction: into the node when the pod sends.
    let d = if probe.dir == Dir::Egress { 0 } else { 1 };
    cx.c.cilium_policies.iter().filter(|h| h.nodes.is_some() && h.selects[d]).find(|h| {
        let sel = h.nodes.as_ref().expect("host policy");
        let on_selected = |i: Option<Idx<Node>>| i.is_none_or(|i| may_select_node(sel, &cx.c.nodes[i]));
        let touches = match probe.peer {
            FlowEnd::Address(ip) => cx.c.nodes.iter().any(|nd| may_select_node(sel, nd) && nd.ips.contains(&ip)),
            FlowEnd::Pod(j) => cx.c.pods[j].host_network && on_selected(node_of(cx.c, &cx.c.pods[j])),
        };
        let me =
            FlowEnd::Pod(Idx::new(cx.c.pods.iter().position(|p| std::ptr::eq(p, pod)).expect("pod of the cluster")));
        touches
            && !host_lets_through(h, d, |_, r| match &r.peers {
                None => Tri::Yes,
                Some(list) => Tri::any(list.iter().map(|p| host_peer(cx, p, me))),
            })
    })
}

/// A host policy's peer against a pod (cluster-wide selectors).
fn host_peer(cx: &Ctx, peer: &CiliumPeer, pod: FlowEnd) -> Tri {
    match (peer, pod) {
        (CiliumPeer::Endpoints(sel), FlowEnd::Pod(i)) => {
            let p = &cx.c.pods[i];
            if p.host_network || !sel.pod.matches(&p.labels) {
                return Tri::No;
            }
            let Some(ns) = cx.c.namespaces.iter().find(|n| n.name == p.namespace) else { return Tri::No };
            if ns.loc.is_none() && sel.namespace_labels {
                return sel.namespace.matches_known(&ns.labels).map_or(Tri::Maybe, Tri::from_bool);
            }
            Tri::from_bool(sel.namespace.matches(&ns.labels))
        }
        (p, end) => peer_match(cx, p, end, None),
    }
}

/// The rule and the reason an explained flow names for host policy `h`
/// (`pod_ingress`: the flow enters the pod, so it leaves the node).
pub fn host_reason(h: &CiliumPolicy, pod_ingress: bool) -> Reason {
    let rule = DoubtAt::HostPolicy { policy: cilium_ref(h), node_egress: pod_ingress };
    Reason::CiliumUnmodelled { rule: Box::new(rule), what: NotModelled::HostFirewall }
}
