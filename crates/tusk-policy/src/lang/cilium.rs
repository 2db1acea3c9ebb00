//! Cilium's policies in its deny-wins tier, beside the NetworkPolicies
//! Cilium translates into the same rule set (Cilium docs, "Deny Policies":
//! deny policies take precedence over allow policies, whether Cilium or
//! Kubernetes ones; "Policy Enforcement Modes": an endpoint a rule selects
//! in a direction is default deny there unless `enableDefaultDeny` says no).
//!
//! Peers: endpoint selectors over pods (hostNetwork pods have the node's
//! identity, never an endpoint's); CIDRs over outside addresses only (CIDR
//! rules select neither pods nor nodes: Cilium docs, "Layer 3 Policies",
//! IP/CIDR based, and Azure CNI powered by Cilium's limitations); entities
//! `all`, `world*` (outside addresses that are no declared node's) and
//! `cluster` (every pod and node) exactly. `host` and `remote-node` depend
//! on which node a pod runs on, and `kube-apiserver`, `health`, `init`,
//! `ingress`, `unmanaged` on identities tusk does not see: they match
//! node addresses, hostNetwork pods or outside addresses as *maybe*. A
//! rule with L7 rules, toFQDNs, toServices or another field tusk does not
//! model matches its peers as *maybe*: its cells are unknown.

use crate::compile::{Builder, Direction, Rule, RuleOrigin};
use crate::explain::{dir_name, port_match, Ctx, Dir, FlowEnd, Layer, Probe, Reason, Step, Verdict};
use roaring::RoaringBitmap;
use std::net::IpAddr;
use tusk_core::ip::ip_to_u128;
use tusk_core::Tri;
use tusk_model::cilium::{CiliumPeer, CiliumPolicy, CiliumRule, CiliumSelector, Entity};
use tusk_model::k8s::{AdminAction, Cluster, Pod};

/// Every address a declared node has.
fn node_ips(c: &Cluster) -> impl Iterator<Item = IpAddr> + '_ {
    c.nodes.iter().flat_map(|n| n.ips.iter().copied())
}

/// The Cilium policies, after the NetworkPolicies, into tier `tier`.
pub fn compile(b: &mut Builder, tier: u32) {
    let cluster = b.sel.cluster;
    let ep = b.sel.ep;
    let n = ep.class_count();
    let mut atoms = RoaringBitmap::new();
    atoms.insert_range(n..n + ep.atoms.len() as u32);
    let mut node_atoms = RoaringBitmap::new();
    for ip in node_ips(cluster) {
        let v = ip_to_u128(ip);
        if let Some(i) = ep.atoms.iter().position(|a| a.lo <= v && v <= a.hi) {
            node_atoms.insert(ep.atom_peer(i as u32));
        }
    }
    let mut host_classes = RoaringBitmap::new();
    for (ci, c) in ep.classes.iter().enumerate() {
        if ep.groups[c.group as usize].host_network {
            host_classes.insert(ci as u32);
        }
    }
    let all_v4 = tusk_core::ip::all_v4();
    let v4 = |peer: u32| all_v4.contains(ep.atoms[(peer - n) as usize].lo);
    for (pi, p) in cluster.cilium_policies.iter().enumerate() {
        let subject = select(b, &p.subject).0;
        for (d, dir, rules) in [(0, Direction::Ingress, &p.ingress), (1, Direction::Egress, &p.egress)] {
            if !p.selects[d] {
                continue;
            }
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
                                    (ep.select_addresses(set, b.sel.sem) - &node_atoms, RoaringBitmap::new())
                                }
                                CiliumPeer::Entity(e) => {
                                    let none = RoaringBitmap::new();
                                    let world = &atoms - &node_atoms;
                                    let mut cluster_all = RoaringBitmap::new();
                                    cluster_all.insert_range(0..n);
                                    match e {
                                        Entity::All => (ep.universe(), none),
                                        Entity::World => (world, none),
                                        Entity::WorldIpv4 => (world.iter().filter(|&a| v4(a)).collect(), none),
                                        Entity::WorldIpv6 => (world.iter().filter(|&a| !v4(a)).collect(), none),
                                        Entity::Cluster => (cluster_all | &node_atoms, none),
                                        Entity::Host | Entity::RemoteNode => (none, &node_atoms | &host_classes),
                                        _ => (none, atoms.clone()),
                                    }
                                }
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
            b.apply(tier, &subject, dir, &ids, p.default_deny[d]);
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

fn peer_match(cx: &Ctx, peer: &CiliumPeer, other: FlowEnd) -> Tri {
    let node = |ip: IpAddr| node_ips(cx.c).any(|n| n == ip);
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
            (Entity::Host | Entity::RemoteNode, FlowEnd::Address(ip)) => {
                if node(ip) {
                    Tri::Maybe
                } else {
                    Tri::No
                }
            }
            (Entity::Host | Entity::RemoteNode, FlowEnd::Pod(i)) => {
                if cx.c.pods[i].host_network {
                    Tri::Maybe
                } else {
                    Tri::No
                }
            }
            (
                Entity::KubeApiserver | Entity::Health | Entity::Init | Entity::Ingress | Entity::Unmanaged,
                FlowEnd::Address(_),
            ) => Tri::Maybe,
            _ => Tri::No,
        },
        (CiliumPeer::Unmodelled(_), _) => Tri::Maybe,
    }
}

/// Does a rule match the probe's flow?
fn rule_match(cx: &Ctx, r: &CiliumRule, probe: Probe) -> Tri {
    if !port_match(&r.ports, cx.c, probe.dst, probe.proto, probe.port) {
        return Tri::No;
    }
    let m = match &r.peers {
        None => Tri::Yes,
        Some(list) => Tri::any(list.iter().map(|p| peer_match(cx, p, probe.peer))),
    };
    match (m, &r.unmodelled) {
        (Tri::Yes, Some(_)) => Tri::Maybe,
        (m, _) => m,
    }
}

/// The policies that select `pod` in the probe's direction.
fn selecting<'c>(cx: &Ctx<'c>, pod: &Pod, dir: Dir) -> Vec<&'c CiliumPolicy> {
    let d = if dir == Dir::Ingress { 0 } else { 1 };
    cx.c.cilium_policies.iter().filter(|p| p.selects[d] && selects(cx, &p.subject, pod) == Tri::Yes).collect()
}

/// The plain counterpart of the tier: NetworkPolicies' allows, Cilium's
/// allows and denies, each matching rule recorded; `None` when no policy
/// of the tier selects the pod in that direction.
pub fn explain(cx: &Ctx, pod: &Pod, probe: Probe, steps: &mut Vec<Step>) -> Option<Verdict> {
    let dir = probe.dir;
    let d = if dir == Dir::Ingress { 0 } else { 1 };
    let cil = selecting(cx, pod, dir);
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
    let (mut deny, mut doubt) = (Tri::No, None::<(String, String, tusk_core::Loc)>);
    for p in &cil {
        let rules = if d == 0 { &p.ingress } else { &p.egress };
        for r in rules {
            let m = rule_match(cx, r, probe);
            if m == Tri::No {
                continue;
            }
            if m == Tri::Maybe && doubt.is_none() {
                let what = r.unmodelled.clone().unwrap_or_else(|| "a peer tusk cannot resolve".into());
                doubt = Some((format!("{} {}", p.title(), r.name), what, r.loc.clone()));
            }
            steps.push(Step {
                layer: Layer::Cilium,
                policy: p.title(),
                rule: r.name.clone(),
                action: if r.deny { "Deny" } else { "Allow" },
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
            Some((rule, what, loc)) => Verdict::unknown(Reason::CiliumUnmodelled { rule, what }, Some(loc)),
            // Only a NetworkPolicy rule was in doubt.
            None => np_doubt.take().map_or(Verdict::Denied, Verdict::Unknown),
        },
    };
    if !closed && verdict == Verdict::Allowed {
        for p in &cil {
            steps.push(Step {
                layer: Layer::Cilium,
                policy: p.title(),
                rule: format!("enableDefaultDeny off for {}; no deny rule matches this flow", dir_name(dir)),
                action: "Allow",
                loc: Some(p.loc.clone()),
                decisive: true,
            });
        }
    }
    if verdict == Verdict::Denied && deny != Tri::Yes {
        for p in cil.iter().filter(|p| p.default_deny[d]) {
            steps.push(Step {
                layer: Layer::Cilium,
                policy: p.title(),
                rule: format!("selects the pod for {}; no rule allows this flow", dir_name(dir)),
                action: "Deny",
                loc: Some(p.loc.clone()),
                decisive: true,
            });
        }
        super::netpol::deny_steps(cx, pod, dir, steps);
    }
    Some(verdict)
}
