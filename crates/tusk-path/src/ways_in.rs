//! Ways into the cluster from outside it: a Service of type LoadBalancer
//! (an ingress controller's Service is one), reached from the Internet,
//! the VNet, a peered hub or on-premises.
//!
//! AKS puts an Azure Load Balancer in front of every node of the cluster
//! (AKS docs, "Use a public standard load balancer" and "Use an internal
//! load balancer"): public, or internal when the Service carries
//! `service.beta.kubernetes.io/azure-load-balancer-internal: "true"`, its
//! frontend then "dynamically assigned from the same subnet as the AKS
//! cluster" unless `…-internal-subnet` names another subnet of the VNet.
//! The rules AKS writes use floating IP: the node receives the packet
//! still addressed to the frontend (so the node's NSGs see the frontend
//! address and the Service port), and kube-proxy (or Cilium) translates it
//! to an endpoint pod and its target port. `externalTrafficPolicy`
//! (Kubernetes docs, "Virtual IPs and Service Proxies", traffic policies;
//! "Using Source IP"): `Cluster` — every node takes the flow and forwards
//! it to any endpoint, its source translated to the node's address;
//! `Local` — only nodes running an endpoint pass the load balancer's
//! health probe, and the pod sees the client's address.
//!
//! A pair here is (entry node, endpoint pod on its node): the Azure trace
//! from the client to the entry node (frontend address, Service port), the
//! node's translation, then — `Cluster` — the node's own flow to the pod
//! (`join::pair` with the node as source) or — `Local` — the pod's ingress
//! policy for the client's address. The reply of the Azure leg is traced:
//! a 0.0.0.0/0 user route to a firewall sends the reply of an Internet
//! client through a firewall that never saw the request, and the trace
//! reports the asymmetric drop ([`Segment::AsymmetricReturn`]).

use crate::join::{self, Ask, Member, PairEnd, Path, Segment, Unevaluated, Wiring};
use crate::nodes::SimNode;
use std::net::IpAddr;
use tusk_core::Idx;
use tusk_model::k8s::Pod;
use tusk_model::k8s::{Service, TrafficPolicy};
use tusk_model::Estate;
use tusk_network::endpoint::{Endpoint, Label};
use tusk_network::{Flow, Owner, Prepared, Reason};
use tusk_policy::explain;

/// One way through a load balancer: (entry node, endpoint pod, the pod's
/// node, target port).
pub type Entry = (Idx<SimNode>, Idx<Pod>, Idx<SimNode>, u16);

/// A LoadBalancer Service as a way in: its frontend, traffic policy and
/// the (entry node, endpoint pod, pod's node, target port) pairs.
#[derive(Debug, Clone)]
pub struct LbWay {
    /// The Service, as `namespace/name`.
    pub service: String,
    /// The frontend address, `None` when the inputs do not give it.
    pub frontend: Option<IpAddr>,
    /// Internal frontend (a VNet address) rather than a public IP.
    pub internal: bool,
    /// The subnet holding an internal frontend, when known.
    pub subnet: Option<tusk_model::azure::Idx<tusk_model::azure::Subnet>>,
    /// `externalTrafficPolicy`: which nodes are entries, which source the pod sees.
    pub policy: TrafficPolicy,
    /// The Service port the client connects to.
    pub port: u16,
    /// Its ways in ([`Entry`]).
    pub entries: Vec<Entry>,
    /// The clients admitted (`loadBalancerSourceRanges` and the
    /// annotations), empty for any.
    pub source_ranges: Vec<tusk_core::ip::Cidr>,
    /// Service tags admitted too (AKS's `azure-allowed-service-tags`).
    pub allowed_tags: Vec<String>,
    /// Floating IP on the load balancer rule (off with the
    /// `azure-disable-load-balancer-floating-ip` annotation).
    pub floating_ip: bool,
    /// The Service port's `nodePort`, when the inputs give it.
    pub node_port: Option<u16>,
    /// The port the health probe asks ([`crate::probe`]): the health check
    /// node port (Local) or the node port (Cluster), when known.
    pub probe_port: Option<u16>,
}

/// The LoadBalancer Service `s` with endpoint `members` (aligned with
/// their target `ports`), as a way in on Service port `port`.
pub fn lb_way(estate: &Estate, w: &Wiring, s: &Service, port: u16, members: &[Member], ports: &[u16]) -> LbWay {
    let net = &w.net;
    let mut entries = Vec::new();
    let mut cluster = None;
    for (m, target) in members.iter().zip(ports) {
        let Member::Pod { pod, node, .. } = m else { continue };
        cluster = cluster.or(w.fleet.nodes[*node].cluster);
        let nodes: Vec<Idx<SimNode>> = match s.external_traffic_policy {
            // Only nodes with a local endpoint pass the health probe.
            TrafficPolicy::Local => vec![*node],
            TrafficPolicy::Cluster => Idx::all(&w.fleet.nodes)
                .filter(|&n| !w.fleet.nodes[n].surge && w.fleet.nodes[n].cluster == w.fleet.nodes[*node].cluster)
                .collect(),
        };
        entries.extend(nodes.into_iter().map(|n| (n, *pod, *node, *target)));
    }
    let frontend = s.load_balancer_ips.first().copied();
    let node_port = s.ports.iter().find(|sp| sp.port == port).and_then(|sp| sp.node_port);
    // The internal frontend's subnet: the one holding its address, else
    // the annotated subnet of the cluster's VNet, else the subnet of the
    // cluster's (first system pool's) nodes.
    let home = cluster.and_then(|c| {
        let nodes = || w.fleet.nodes.iter().filter(move |n| n.cluster == Some(c));
        let system = |n: &&crate::SimNode| {
            n.pool.is_some_and(|i| estate.clusters[c].pools[i].mode == tusk_model::aks::PoolMode::System)
        };
        nodes().find(system).or_else(|| nodes().next()).and_then(|n| n.subnet)
    });
    let subnet = match (&frontend, &s.internal_subnet, home) {
        (Some(ip), _, _) if net.subnets.iter().any(|t| t.prefixes.iter().any(|c| c.set().contains_ip(*ip))) => {
            tusk_model::azure::Idx::all(&net.subnets)
                .find(|t| net.subnets[*t].prefixes.iter().any(|c| c.set().contains_ip(*ip)))
        }
        (_, Some(name), Some(h)) => {
            let v = net.subnets[h].vnet;
            net.vnets[v].subnets.iter().copied().find(|t| net.subnets[*t].id.name().eq_ignore_ascii_case(name))
        }
        (_, None, h) => h,
        _ => None,
    };
    LbWay {
        service: format!("{}/{}", s.namespace, s.name),
        frontend,
        internal: s.internal,
        subnet: subnet.filter(|_| s.internal),
        policy: s.external_traffic_policy,
        port,
        entries,
        source_ranges: s.source_ranges.clone(),
        allowed_tags: s.allowed_service_tags.clone(),
        floating_ip: s.floating_ip,
        node_port,
        probe_port: match s.external_traffic_policy {
            TrafficPolicy::Local => s.health_check_node_port,
            TrafficPolicy::Cluster => node_port,
        },
    }
}

/// Does the Service admit `client`? `loadBalancerSourceRanges` ("if
/// specified and supported by the platform, this will restrict traffic
/// through the cloud-provider load-balancer … to the specified client
/// IPs", Kubernetes API reference, ServiceSpec; cloud-provider-azure writes
/// them as NSG rules, with AKS's `azure-allowed-ip-ranges` and
/// `azure-allowed-service-tags`). `None`: not in the ranges, but a service
/// tag tusk does not resolve here may hold it.
fn admits(lb: &LbWay, client: std::net::IpAddr) -> Option<bool> {
    if lb.source_ranges.is_empty() && lb.allowed_tags.is_empty() {
        return Some(true);
    }
    if lb.source_ranges.iter().any(|c| c.set().contains_ip(client)) {
        return Some(true);
    }
    if lb.allowed_tags.is_empty() {
        Some(false)
    } else {
        None
    }
}

/// One pair of a flow from `client` (outside the cluster) through the
/// load balancer of `lb` to an endpoint pod.
pub fn pair(estate: &Estate, w: &Wiring, p: &Prepared, client: &Endpoint, lb: &LbWay, entry: Entry, ask: Ask) -> Path {
    let (enode, pod, pnode, target) = entry;
    let c = &estate.k8s;
    let pname = |n: Idx<SimNode>| w.fleet.nodes[n].name.clone();
    let path = Path {
        from: PairEnd::Azure(client.clone()),
        to: PairEnd::Pod { namespace: c.pods[pod].namespace.clone(), name: c.pods[pod].name.clone() },
        src_node: Some(pname(enode)),
        dst_node: Some(pname(pnode)),
        segments: Vec::new(),
        verdict: tusk_core::Kind::Unknown,
        doubt: None,
    };
    let mut segs = vec![Segment::LoadBalancer {
        service: lb.service.clone(),
        frontend: lb.frontend,
        internal: lb.internal,
        port: lb.port,
        entry: pname(enode),
        local: lb.policy == TrafficPolicy::Local,
        floating_ip: lb.floating_ip,
        node_port: lb.node_port,
    }];
    let Some(fe) = lb.frontend else {
        segs.push(Segment::NotEvaluated(Unevaluated::FrontendUnknown { service: lb.service.clone() }));
        return join::finish(path, segs, None);
    };
    if !lb.source_ranges.is_empty() || !lb.allowed_tags.is_empty() {
        let (ranges, tags) = (lb.source_ranges.clone(), lb.allowed_tags.clone());
        let admitted = admits(lb, client.ip());
        segs.push(Segment::SourceRanges { client: client.ip(), ranges, tags, admitted });
        if admitted != Some(true) {
            return join::finish(path, segs, None);
        }
    }
    if !lb.internal && !matches!(client, Endpoint::Internet { .. }) {
        // From inside Azure to a public frontend: the packet leaves for the
        // Internet first (its own egress: routes, NSGs, a firewall), then
        // comes back with a source address the inputs do not give.
        let flow = Flow { src: client.ip(), dst: fe, proto: ask.proto, port: Some(lb.port) };
        let out = tusk_network::trace::trace(p, client, &Endpoint::Internet { ip: fe }, flow);
        let left = out.verdict != tusk_core::Kind::Denied;
        segs.push(Segment::Network(Box::new(out)));
        if left {
            segs.push(Segment::NotEvaluated(Unevaluated::PublicFrontendFromAzure));
        }
        return join::finish(path, segs, None);
    }
    let node_ip = w.node_ips[enode];
    let nic = node_ip.and_then(|ip| p.private.get(&ip).copied()).filter(|o| matches!(o, Owner::Nic(..)));
    let nic_idx = match nic {
        Some(Owner::Nic(n, _)) => Some(n),
        _ => None,
    };
    let (Some(node_ip), Some(nic), Some(nic_idx), Some(home)) = (node_ip, nic, nic_idx, w.fleet.nodes[enode].subnet)
    else {
        segs.push(Segment::NotEvaluated(Unevaluated::EntryNode { node: pname(enode) }));
        return join::finish(path, segs, None);
    };
    if p.net.nics[nic_idx].nsg.is_none() {
        segs.push(Segment::ManagedNsgAssumed { node: pname(enode) });
    }
    let local = lb.policy == TrafficPolicy::Local;
    segs.push(crate::probe::health_probe(p, w, enode, (node_ip, nic_idx, home), lb.probe_port, local));
    // Floating IP off: the load balancer rewrites the destination to the
    // node's address and the node port (cloud-provider-azure writes the
    // NSG rules for the node addresses then).
    let (dst, dport) = match (lb.floating_ip, lb.node_port) {
        (true, _) => (fe, lb.port),
        (false, Some(np)) => (node_ip, np),
        (false, None) => {
            segs.push(Segment::NotEvaluated(Unevaluated::NodePortUnknown { service: lb.service.clone() }));
            return join::finish(path, segs, None);
        }
    };
    let target_end = Endpoint::Azure {
        ip: dst,
        subnet: lb.subnet.unwrap_or(home),
        owner: Some(nic),
        label: Label::NodeBehind { node: pname(enode), service: lb.service.clone() },
    };
    let flow = Flow { src: client.ip(), dst, proto: ask.proto, port: Some(dport) };
    let tr = tusk_network::trace::trace(p, client, &target_end, flow);
    let asymmetric = matches!(client, Endpoint::Internet { .. })
        && tr.reply.as_ref().is_some_and(|r| {
            r.steps
                .iter()
                .any(|s| matches!(s.decision.reason, Reason::FirewallNeverSawRequest | Reason::BypassesFirewall(_)))
        });
    let seen = tr.forward.final_src;
    let through = tr.forward.verdict == tusk_core::Kind::Allowed;
    segs.push(Segment::Network(Box::new(tr)));
    if asymmetric {
        segs.push(Segment::AsymmetricReturn { frontend: fe });
    }
    if !through {
        return join::finish(path, segs, None);
    }
    let local = lb.policy == TrafficPolicy::Local;
    let pod_ip = w.pod_ips.get(&(pod, pnode)).copied();
    segs.push(Segment::KubeProxy { node: pname(enode), pod_ip, target, snat: (!local).then_some(node_ip) });
    let mut doubt = None;
    if local {
        // The pod runs on the entry node and sees the client's address.
        let e = explain::explain(
            c,
            ask.sem,
            explain::FlowEnd::Address(seen),
            explain::FlowEnd::Pod(pod),
            ask.proto,
            target,
        );
        segs.push(Segment::DestinationPolicy { seen_src: seen, side: e.ingress });
    } else {
        // The node's own flow to the endpoint (same node: built-in admission).
        let sub = join::pair_of(
            estate,
            w,
            p,
            &Member::Node(enode),
            &Member::Pod { pod, node: pnode, replica: 0 },
            Ask { port: Some(target), ..ask },
        );
        doubt = sub.doubt.clone();
        segs.extend(sub.segments);
    }
    if doubt.is_none() {
        doubt = w.possible(estate, enode, None).and_then(|set| crate::datapath::splits(&estate.azure, &set));
    }
    join::finish(path, segs, doubt)
}
