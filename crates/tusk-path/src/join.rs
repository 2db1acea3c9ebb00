//! The end-to-end flow across both layers: a [`Path`] of segments —
//! source-pod egress policy (tusk-policy's `explain`), the node's exit
//! (masquerade per plugin, [`crate::datapath`]), the Azure network
//! (tusk-network's `trace` on the translated flow, whose hops show what
//! each control sees), the destination node, and the destination pod's
//! ingress policy. Both engines are called through their public APIs; this
//! module only decides which addresses each of them is asked about.
//!
//! Actors: [`Actor::Pod`] is a workload's container; [`Actor::Node`] is an
//! attacker who escaped a container (or a host process): the source is the
//! node's address and no pod-level policy applies at the source.
//!
//! An end that stands for several pods or nodes (a workload, a pool, a pod
//! whose node the scheduler chooses among several) is evaluated for every
//! (source node, destination node) pair; simulated addresses are one
//! representative each, and a pair whose verdict could change with the
//! address AKS assigns (a rule naming part of the possible set,
//! [`crate::datapath::splits`]) is unknown, never definite.

use crate::datapath::{self, Masquerade, Wire};
pub use crate::errors::EndError;
use crate::nodes::SimNode;
pub use crate::segment::{Doubt, ExitSource, GroupPath, PairEnd, Path, Segment, Unevaluated};
pub use crate::services::{resolve_service, ServiceError};
pub use crate::wiring::{wire, Wiring};
use std::net::IpAddr;
use tusk_core::{FlowEnd, GroupKind, Idx, Kind, Protocol};
use tusk_model::k8s::{Pod, Workload};
use tusk_model::Estate;
use tusk_network::endpoint::{resolve_group, Endpoint, Label, Sample};
use tusk_network::trace::{Arrival, Trace};
use tusk_network::{Flow, Owner, Prepared};
use tusk_policy::explain::{self, Layer, Side, Step};
use tusk_policy::Semantics;

/// Who sends the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A process in the pod's own network namespace: its egress policy
    /// applies, and its packets carry the pod's address.
    Pod,
    /// The escaped container: a process on the node's host network, seen
    /// with the node's address and not subject to pod policy.
    Node,
}

/// One member of a resolved end.
#[derive(Debug, Clone)]
pub enum Member {
    /// A pod on one of its possible nodes.
    Pod {
        /// The pod entry in the cluster's pods (`k8s.pods`).
        pod: Idx<Pod>,
        /// Fleet index of the node it runs on (or may run on).
        node: Idx<SimNode>,
        /// Which replica of a template entry (0 for a pod the input gives).
        replica: u32,
    },
    /// A node (fleet index).
    Node(Idx<SimNode>),
    /// Anything the Azure layer knows.
    Azure(Endpoint),
}

/// An end resolved: its name and members.
#[derive(Default)]
pub struct End {
    /// The end as asked (its notation, docs/endpoints.md).
    pub name: String,
    /// Every pod, node or Azure endpoint it stands for.
    pub members: Vec<Member>,
    /// Set when the Azure resolver answered with samples standing for more
    /// addresses (the Internet, free addresses of a subnet).
    pub sample: Option<Sample>,
    /// Interchangeable replicas left out (another replica of the same
    /// workload stands for them on each node).
    pub collapsed: usize,
    /// A Service destination: its `namespace/name` and ClusterIP, and each
    /// member's target port (aligned with `members`).
    pub service: Option<(String, Option<IpAddr>, Vec<u16>)>,
    /// A LoadBalancer Service: the way in for sources outside the cluster
    /// ([`crate::ways_in`]); pods and nodes still use its ClusterIP.
    pub lb: Option<Box<crate::ways_in::LbWay>>,
    /// An Ingress: through its controller's load balancer to the controller,
    /// then the controller's own connection to a backend
    /// ([`crate::ingress`]); sources outside the cluster only.
    pub ingress: Option<Box<crate::ingress::IngressWay>>,
}

/// Resolves `end` against the cluster (pods, workloads, nodes, pools), then
/// against the Azure estate. [`EndError`] when it names nothing there.
pub fn resolve(estate: &Estate, w: &Wiring, p: &Prepared, end: &FlowEnd) -> Result<End, EndError> {
    let name = end.to_string();
    let pods = |g: tusk_policy::endpoint::Group| {
        let mut idx = Vec::new();
        for m in g.members {
            match m.end {
                explain::FlowEnd::Pod(i) => {
                    if w.nodes_of(estate, i).is_empty() {
                        return Err(EndError::Unschedulable { pod: m.label });
                    }
                    idx.push((i, m.replica));
                }
                explain::FlowEnd::Address(_) => return Err(EndError::NotAPod(name.clone())),
            }
        }
        let (members, collapsed) = replica_members(estate, w, idx);
        Ok(End { name: name.clone(), members, sample: None, collapsed, service: None, lb: None, ingress: None })
    };
    match end {
        FlowEnd::Pod { .. } | FlowEnd::Workload { .. } => pods(tusk_policy::endpoint::resolve(&estate.k8s, end)?),
        FlowEnd::Qualified { .. } if tusk_policy::endpoint::resolve(&estate.k8s, end).is_ok() => {
            pods(tusk_policy::endpoint::resolve(&estate.k8s, end)?)
        }
        FlowEnd::Node(n) => {
            let by_name: Vec<Idx<SimNode>> =
                Idx::all(&w.fleet.nodes).filter(|&i| w.fleet.nodes[i].name == *n).collect();
            let members: Vec<Idx<SimNode>> = if by_name.is_empty() {
                Idx::all(&w.fleet.nodes)
                    .filter(|&i| {
                        !w.fleet.nodes[i].surge && w.fleet.pool_name(estate, &w.fleet.nodes[i]).as_ref() == Some(n)
                    })
                    .collect()
            } else {
                by_name
            };
            if members.is_empty() {
                return Err(EndError::NoNode(n.clone()));
            }
            Ok(End {
                name,
                members: members.into_iter().map(Member::Node).collect(),
                sample: None,
                collapsed: 0,
                service: None,
                lb: None,
                ingress: None,
            })
        }
        _ => {
            let g = resolve_group(p, end)?;
            Ok(End {
                name,
                members: g.members.into_iter().map(Member::Azure).collect(),
                sample: g.sample,
                collapsed: 0,
                service: None,
                lb: None,
                ingress: None,
            })
        }
    }
}

/// The members standing for `pods`, each on every node it can run on.
/// Replicas of one workload without an exported address or node are
/// interchangeable (same labels, namespace and ports; their address is a
/// representative anyway): two stand for them on each node — two, so that
/// a flow between replicas of one workload keeps a pair of distinct pods
/// beside a pod's flow to itself. Returns the members and how many
/// replicas were left out.
pub fn pod_members(estate: &Estate, w: &Wiring, pods: impl IntoIterator<Item = Idx<Pod>>) -> (Vec<Member>, usize) {
    // A template entry stands for all its replicas: three of them are
    // enough to meet the rule below, the rest are counted, not listed.
    let mut left_out = 0;
    let replicas: Vec<(Idx<Pod>, u32)> = pods
        .into_iter()
        .flat_map(|i| {
            let count = estate.k8s.pods[i].count();
            left_out += count.saturating_sub(3) as usize;
            (0..count.min(3)).map(move |r| (i, r))
        })
        .collect();
    let (members, collapsed) = replica_members(estate, w, replicas);
    (members, collapsed + left_out)
}

/// [`pod_members`] of single replicas (pod entry, replica).
fn replica_members(estate: &Estate, w: &Wiring, pods: Vec<(Idx<Pod>, u32)>) -> (Vec<Member>, usize) {
    let mut seen: std::collections::HashMap<Idx<Workload>, usize> = Default::default();
    let (mut members, mut collapsed) = (Vec::new(), 0);
    for (i, replica) in pods {
        let pod = &estate.k8s.pods[i];
        let n = seen.entry(pod.workload).or_default();
        *n += 1;
        // Replicas of a template are alike even when it names a node.
        let alike = pod.template.is_some() || (pod.ips.is_empty() && pod.node_name.is_none());
        if alike && *n > 2 {
            collapsed += 1;
            continue;
        }
        members.extend(w.nodes_of(estate, i).into_iter().map(|node| Member::Pod { pod: i, node, replica }));
    }
    (members, collapsed)
}

/// The question asked.
#[derive(Clone, Copy)]
pub struct Ask<'a> {
    /// The policy semantics to evaluate with (which plugin enforces what).
    pub sem: &'a Semantics,
    /// Who sends.
    pub actor: Actor,
    /// The flow's protocol.
    pub proto: Protocol,
    /// The destination port, `None` for a protocol without ports.
    pub port: Option<u16>,
    /// The flow's HTTP request, when given (`--http-method`, `--http-path`):
    /// Istio's L7 rules test it.
    pub http: Option<&'a tusk_policy::lang::istio::HttpRequest>,
    /// The name the client asks for (`tusk trace --fqdn`: TLS SNI or HTTP
    /// Host), when given: the Azure leg's firewall application rules and
    /// network rules on FQDNs match on it (`tusk_network::trace::trace_named`).
    pub fqdn: Option<&'a str>,
}

/// The most member pairs one question may stand for; more is refused
/// (narrow `--from` / `--to`), since each pair is a full trace.
pub const MAX_PAIRS: usize = 20_000;

/// Traces every member pair of `from` → `to`.
pub fn trace(estate: &Estate, w: &Wiring, p: &Prepared, from: &End, to: &End, ask: Ask) -> GroupPath {
    let mut pairs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for a in &from.members {
        // An Ingress: client → controller's load balancer → controller pod,
        // then the controller → backend Service → endpoint pod.
        if let Some(ing) = &to.ingress {
            pairs.extend(ingress_pairs(estate, w, p, a, ing, ask));
            continue;
        }
        // From outside the cluster, a LoadBalancer Service is reached
        // through its load balancer and a node, not its ClusterIP.
        if let (Some(lb), Member::Azure(client)) = (&to.lb, a) {
            for &e in &lb.entries {
                pairs.push(crate::ways_in::pair(estate, w, p, client, lb, e, ask));
            }
            continue;
        }
        // A Service without a load balancer: kube-proxy translates its
        // ClusterIP on the cluster's nodes only.
        if let (Some((service, _, _)), None, Member::Azure(client)) = (&to.service, &to.lb, a) {
            pairs.push(crate::services::outside_cluster_ip(client, service, &to.name));
            continue;
        }
        // The node actor stands on the node: one source per node.
        let a = match (ask.actor, a) {
            (Actor::Node, Member::Pod { node, .. }) => Member::Node(*node),
            _ => a.clone(),
        };
        for (bi, b) in to.members.iter().enumerate() {
            // One pod runs on one node: a pod with itself on another node
            // is no pair.
            if let (Member::Pod { pod: p1, node: n1, replica: r1 }, Member::Pod { pod: p2, node: n2, replica: r2 }) =
                (&a, b)
            {
                if (p1, r1) == (p2, r2) && n1 != n2 {
                    continue;
                }
            }
            let key = (format!("{a:?}"), format!("{b:?}"));
            if seen.insert(key) {
                match &to.service {
                    Some((service, ip, ports)) => {
                        let target = ports[bi];
                        let dnat =
                            Segment::ServiceDnat { service: service.clone(), cluster_ip: *ip, port: ask.port, target };
                        let mut x = pair(estate, w, p, &a, b, Ask { port: Some(target), ..ask });
                        x.segments.insert(0, dnat);
                        pairs.push(x);
                    }
                    None => pairs.push(pair(estate, w, p, &a, b, ask)),
                }
            }
        }
    }
    let verdict = GroupKind::of_kinds(pairs.iter().map(|x| x.verdict));
    let samples = [from, to].iter().filter_map(|e| e.sample.map(|s| (e.name.clone(), s))).collect();
    GroupPath {
        collapsed: from.collapsed + to.collapsed,
        samples,
        from: from.name.clone(),
        to: to.name.clone(),
        actor: ask.actor,
        verdict,
        pairs,
    }
}

/// Every pair of `client` → Ingress `ing`: each (entry node, controller
/// pod) of the controller's load balancer, then each backend endpoint.
fn ingress_pairs(
    estate: &Estate,
    w: &Wiring,
    p: &Prepared,
    client: &Member,
    ing: &crate::ingress::IngressWay,
    ask: Ask,
) -> Vec<Path> {
    let Member::Azure(client) = client else {
        // Pods and nodes reach the controller's Service by its ClusterIP: not
        // this way in.
        return Vec::new();
    };
    let mut out = Vec::new();
    for &entry in &ing.controller.entries {
        let first = crate::ways_in::pair(estate, w, p, client, &ing.controller, entry, ask);
        let ctl = Member::Pod { pod: entry.1, node: entry.2, replica: 0 };
        for b in &ing.backends {
            for (m, &target) in b.members.iter().zip(&b.targets) {
                let mut second = pair(estate, w, p, &ctl, m, Ask { port: Some(target), ..ask });
                let dnat = Segment::ServiceDnat {
                    service: b.service.clone(),
                    cluster_ip: b.cluster_ip,
                    port: Some(b.port),
                    target,
                };
                let proxy = Segment::IngressProxy {
                    ingress: ing.ingress.clone(),
                    path: ing.path.clone(),
                    controller: second.from.clone(),
                    service: b.service.clone(),
                    port: b.port,
                };
                let mut segs = first.segments.clone();
                segs.push(proxy);
                segs.push(dnat);
                segs.append(&mut second.segments);
                let path = Path {
                    from: first.from.clone(),
                    to: second.to.clone(),
                    src_node: first.src_node.clone(),
                    dst_node: second.dst_node.clone(),
                    segments: Vec::new(),
                    verdict: Kind::Unknown,
                    doubt: None,
                };
                out.push(finish(path, segs, first.doubt.clone().or(second.doubt.clone())));
            }
        }
    }
    out
}

fn label(estate: &Estate, w: &Wiring, m: &Member) -> PairEnd {
    match m {
        Member::Pod { pod, replica, .. } => {
            let p = &estate.k8s.pods[*pod];
            PairEnd::Pod { namespace: p.namespace.clone(), name: p.replica_name(*replica).into_owned() }
        }
        Member::Node(n) => PairEnd::Node(w.fleet.nodes[*n].name.clone()),
        Member::Azure(e) => PairEnd::Azure(e.clone()),
    }
}

fn node_of(m: &Member) -> Option<Idx<SimNode>> {
    match m {
        Member::Pod { node, .. } | Member::Node(node) => Some(*node),
        Member::Azure(_) => None,
    }
}

/// Node `n` as an end of the Azure trace, for a packet from or to `ip`:
/// in the subnet holding `ip` (a CNI pod subnet), else the node's subnet
/// (its own address, or a kubenet pod address the VNet does not hold).
fn node_endpoint(w: &Wiring, p: &Prepared, n: Idx<SimNode>, ip: IpAddr) -> Option<Endpoint> {
    let node = &w.fleet.nodes[n];
    let home = node.subnet?;
    let v = w.net.subnets[home].vnet;
    let subnet = w.net.vnets[v]
        .subnets
        .iter()
        .copied()
        .find(|t| w.net.subnets[*t].prefixes.iter().any(|c| c.set().contains_ip(ip)))
        .unwrap_or(home);
    let owner = p.private.get(&w.node_ips[n]?).copied();
    Some(Endpoint::Azure { ip, subnet, owner, label: Label::Node(node.name.clone()) })
}

/// One (source, destination) member pair's path (for [`crate::ways_in`]).
pub(crate) fn pair_of(estate: &Estate, w: &Wiring, p: &Prepared, a: &Member, b: &Member, ask: Ask) -> Path {
    pair(estate, w, p, a, b, ask)
}

fn pair(estate: &Estate, w: &Wiring, p: &Prepared, a: &Member, b: &Member, ask: Ask) -> Path {
    let c = &estate.k8s;
    let mut segs = Vec::new();
    let mut doubt = None;
    let (sn, dn) = (node_of(a), node_of(b));
    let name = |n: Option<Idx<SimNode>>| n.map(|n| w.fleet.nodes[n].name.clone());
    let mut path = Path {
        from: label(estate, w, a),
        to: label(estate, w, b),
        src_node: name(sn),
        dst_node: name(dn),
        segments: Vec::new(),
        verdict: Kind::Unknown,
        doubt: None,
    };
    let port = ask.port.unwrap_or(0);
    // Addresses: the destination's, the source's before and after the node.
    let dst_ip = match b {
        Member::Pod { pod, node, .. } => w.pod_ips.get(&(*pod, *node)).copied(),
        Member::Node(n) => w.node_ips[*n],
        Member::Azure(e) => Some(e.ip()),
    };
    let Some(dst_ip) = dst_ip else {
        // Only a pod or a node can be without an address (an Azure end is one).
        path.segments.push(Segment::NotEvaluated(Unevaluated::EndAddress(path.to.clone())));
        return path;
    };
    let dst_k8s = match b {
        Member::Pod { pod, .. } => explain::FlowEnd::Pod(*pod),
        _ => explain::FlowEnd::Address(dst_ip),
    };
    let src_pod = match a {
        Member::Pod { pod, node, .. } => Some((*pod, *node)),
        _ => None,
    };
    let mut full = None;
    if let Some((i, _)) = src_pod {
        // One replica of a template entry to itself is a pod to itself;
        // to another replica of the entry, the policies decide.
        let same = matches!((a, b), (Member::Pod { pod: p1, replica: r1, .. }, Member::Pod { pod: p2, replica: r2, .. })
            if (p1, r1) == (p2, r2));
        let src = explain::FlowEnd::Pod(i);
        let e = if same {
            let why = explain::Admission::SelfTraffic;
            explain::admitted(c, ask.sem, src, dst_k8s, ask.proto, port, ask.http, why)
        } else {
            explain::explain_l7(c, ask.sem, src, dst_k8s, ask.proto, port, ask.http)
        };
        segs.push(Segment::SourcePolicy(e.egress.clone()));
        full = Some(e);
    }
    let mut wire_src = match a {
        Member::Pod { pod, node, .. } => w.pod_ips.get(&(*pod, *node)).copied(),
        Member::Node(n) => w.node_ips[*n],
        Member::Azure(e) => Some(e.ip()),
    };
    if let Some(n) = sn {
        let node = &w.fleet.nodes[n];
        let Some(node_ip) = w.node_ips[n] else {
            let why = match &node.address {
                crate::nodes::NodeAddr::Unknown(why) => Some(why.clone()),
                _ => None,
            };
            segs.push(Segment::NotEvaluated(Unevaluated::NodeAddress { node: node.name.clone(), why }));
            return finish(path, segs, None);
        };
        let cl = node.cluster.map(|i| &estate.clusters[i]);
        let pod_ip = wire_src;
        let host = src_pod.is_some_and(|(i, _)| c.pods[i].host_network);
        if sn == dn {
            segs.push(Segment::SameNode { node: node.name.clone() });
        } else if let (Some((_, _)), false) = (src_pod, host) {
            let m = cl.and_then(|cl| Masquerade::for_node(estate, cl, node.subnet));
            let Some(m) = m else {
                segs.push(Segment::NotEvaluated(Unevaluated::UnknownPlugin { node: node.name.clone() }));
                return finish(path, segs, None);
            };
            let keep = m.keeps(dst_ip);
            wire_src = Some(if keep { pod_ip.unwrap_or(node_ip) } else { node_ip });
            segs.push(Segment::NodeExit {
                node: node.name.clone(),
                pod_ip,
                src: wire_src.unwrap_or(node_ip),
                masqueraded: !keep,
                why: ExitSource::Masquerade(m.source.clone()),
            });
        } else {
            wire_src = Some(node_ip);
            segs.push(Segment::NodeExit {
                node: node.name.clone(),
                pod_ip: None,
                src: node_ip,
                masqueraded: false,
                why: ExitSource::NodeAddress,
            });
        }
    }
    let wire_src = wire_src.unwrap_or(dst_ip);
    // The Azure network, unless the packet stays on its node.
    let mut seen_src = wire_src;
    if sn.is_none() || sn != dn {
        let start = match (a, sn) {
            (Member::Azure(e), _) => Some(e.clone()),
            (_, Some(n)) => node_endpoint(w, p, n, wire_src),
            _ => None,
        };
        let dst_wire = dn.map(|n| datapath::wire_of(estate, &w.fleet, n));
        let target = match (b, dn) {
            (Member::Azure(e), _) => Some(e.clone()),
            (_, Some(n)) => node_endpoint(w, p, n, dst_ip),
            _ => None,
        };
        let overlay_doubt = match (dst_wire, b) {
            (Some(Wire::Overlay), Member::Pod { pod, .. }) if !c.pods[*pod].host_network => dn
                .and_then(|n| w.fleet.nodes[n].cluster)
                .and_then(|i| datapath::overlay_route_doubt(&estate.azure, &estate.clusters[i])),
            _ => None,
        };
        match (start, target) {
            _ if overlay_doubt.is_some() => {
                segs.extend(overlay_doubt.map(|r| Segment::NotEvaluated(Unevaluated::OverlayRoute(r))));
            }
            (Some(s), Some(t)) => {
                let flow = Flow { src: wire_src, dst: dst_ip, proto: ask.proto, port: ask.port };
                let tr = tusk_network::trace::trace_named(p, &s, &t, flow, ask.fqdn);
                // kubenet / overlay: the Azure leg ends at the node that
                // takes the pod's address; the node hands it to the pod.
                let bridge = match (dn, b, dst_wire) {
                    (Some(n), Member::Pod { pod, .. }, Some(wire @ (Wire::PodCidrRouted | Wire::Overlay)))
                        if !c.pods[*pod].host_network && reached_node(&tr, p, w, n) =>
                    {
                        Some(Segment::PodBridge { node: w.fleet.nodes[n].name.clone(), overlay: wire == Wire::Overlay })
                    }
                    _ => None,
                };
                seen_src = tr.forward.final_src;
                let internet = matches!(tr.forward.arrival, Arrival::Internet { .. });
                segs.push(Segment::Network(Box::new(tr)));
                segs.extend(bridge);
                let cluster = sn.and_then(|n| w.fleet.nodes[n].cluster);
                if let (true, Some(cl)) = (internet, cluster) {
                    segs.push(Segment::Egress { outbound: estate.clusters[cl].network.outbound });
                }
            }
            _ => segs.push(Segment::NotEvaluated(Unevaluated::OutsideAzure)),
        }
    }
    // The destination pod's ingress policy, for the source it sees.
    if let Member::Pod { pod: j, node, .. } = b {
        // Kubernetes docs, "Network Policies": traffic from the pod's own
        // node is always allowed (explain::builtin_admission, for nodes the
        // cluster inputs do not hold).
        // The source pod's own explanation holds when the destination sees
        // the pod's address; after SNAT it sees another address.
        let own = match (&full, src_pod) {
            (Some(e), Some((i, n))) if w.pod_ips.get(&(i, n)) == Some(&seen_src) => Some(e.ingress.clone()),
            _ => None,
        };
        let side = if sn == Some(*node) && Some(seen_src) == w.node_ips[*node] {
            let mut side = builtin_side();
            let from = explain::FlowEnd::Address(seen_src);
            if let Some(v) = explain::proxy_ingress(c, ask.sem, from, *j, ask.proto, port, ask.http, &mut side.steps) {
                side.verdict = v;
            }
            side
        } else if let Some(side) = own {
            side
        } else {
            let (from, to) = (explain::FlowEnd::Address(seen_src), explain::FlowEnd::Pod(*j));
            explain::explain_l7(c, ask.sem, from, to, ask.proto, port, ask.http).ingress
        };
        segs.push(Segment::DestinationPolicy { seen_src, side });
    }
    // Simulated addresses: does the verdict hold for every address AKS may pick?
    for (n, pod) in [(sn, src_pod.map(|x| x.0)), (dn, if let Member::Pod { pod, .. } = b { Some(*pod) } else { None })]
    {
        let Some(n) = n else { continue };
        if let Some(set) = w.possible(estate, n, pod) {
            if let Some(why) = w.splits(&estate.azure, &set) {
                doubt.get_or_insert(why);
            }
        }
    }
    finish(path, segs, doubt)
}

fn builtin_side() -> Side {
    Side {
        applies: true,
        steps: vec![Step {
            layer: Layer::Default,
            policy: explain::PolicyRef::BuiltinAdmission,
            rule: explain::StepRule::Admission(explain::Admission::FromOwnNode),
            action: explain::Action::Allow,
            loc: None,
            decisive: true,
        }],
        verdict: explain::Verdict::Allowed,
    }
}

pub(crate) fn finish(mut path: Path, segs: Vec<Segment>, doubt: Option<Doubt>) -> Path {
    let mut v = segs.iter().fold(Kind::Allowed, |k, s| k.then(s.verdict()));
    if v != Kind::Unknown && doubt.is_some() {
        v = Kind::Unknown;
        path.doubt = doubt;
    }
    path.verdict = v;
    path.segments = segs;
    path
}

/// Did the Azure leg deliver the packet to node `n` (its NIC taking a pod
/// address behind it)?
fn reached_node(t: &Trace, p: &Prepared, w: &Wiring, n: Idx<SimNode>) -> bool {
    let Some(node_ip) = w.node_ips[n] else { return false };
    let Some(Owner::Nic(nic, _)) = p.private.get(&node_ip).copied() else { return false };
    matches!(t.forward.arrival, Arrival::Azure { owner: Some(Owner::Nic(m, _)), .. } if m == nic)
}
