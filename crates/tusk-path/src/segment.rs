//! The values of an end-to-end path across both layers: its segments
//! (source policy, node exit, the Azure network, the destination node,
//! destination policy), one member pair's [`Path`] with its named ends,
//! and a group flow's pairs with the group verdict. [`crate::join`] builds
//! them; tusk-report words them.

use crate::join::Actor;
use std::net::IpAddr;
use tusk_core::{GroupKind, Kind};
use tusk_model::aks::OutboundType;
use tusk_network::endpoint::{Endpoint, Sample};
use tusk_network::trace::Trace;
use tusk_policy::explain::Side;

/// One segment of an end-to-end path.
#[derive(Debug, Clone)]
pub enum Segment {
    /// The destination was a Service: translated at the source node to an
    /// endpoint pod's address and target port.
    ServiceDnat {
        /// The Service, as `namespace/name`.
        service: String,
        /// Its ClusterIP, `None` when it has none (headless) or the inputs
        /// do not give it.
        cluster_ip: Option<IpAddr>,
        /// The Service port asked, when one was.
        port: Option<u16>,
        /// The endpoint pod's port the packet is sent to (`targetPort`).
        target: u16,
    },
    /// The source pod's egress policy.
    SourcePolicy(Side),
    /// The packet leaves the node `node` with source `src` (after
    /// masquerade when `masqueraded`), `why` naming the ranges used.
    NodeExit {
        /// The node's name.
        node: String,
        /// The sending pod's address, `None` for the node actor.
        pod_ip: Option<IpAddr>,
        /// The source address on the wire.
        src: IpAddr,
        /// Whether the node translated the pod's address to its own
        /// (ip-masq-agent, "Configure ip-masq-agent" in the AKS docs).
        masqueraded: bool,
        /// The ranges that decided it, and where they come from.
        why: String,
    },
    /// Source and destination share the node: the packet never reaches
    /// the Azure network.
    SameNode {
        /// The shared node's name.
        node: String,
    },
    /// The Azure network's trace of the translated flow.
    Network(Box<Trace>),
    /// The flow left Azure for the Internet from a node of a cluster with
    /// this outbound type: who translates its source there.
    Egress {
        /// The cluster's `outboundType` ("Customize cluster egress with
        /// outbound types in AKS").
        outbound: OutboundType,
    },
    /// The Azure layer is not evaluated, and why (unknown).
    NotEvaluated(String),
    /// kubenet (the route AKS maintains for the node's pod CIDR) or CNI
    /// Overlay (the overlay routing domain): the Azure leg ended at the
    /// destination node, which took the pod's address; the node hands the
    /// packet to the pod over its bridge. The Azure trace above carries
    /// the reply, from the pod's address back to the source.
    PodBridge {
        /// The destination node's name.
        node: String,
        /// CNI Overlay (`true`) or kubenet (`false`).
        overlay: bool,
    },
    /// The destination pod's ingress policy, for the source it sees.
    DestinationPolicy {
        /// The source address the destination pod sees.
        seen_src: IpAddr,
        /// The policy engine's answer for that source.
        side: Side,
    },
    /// A LoadBalancer Service's Azure load balancer hands the flow to
    /// node `entry` (floating IP: still addressed to `frontend`, `port`);
    /// `local`: externalTrafficPolicy Local (only nodes with an endpoint).
    LoadBalancer {
        /// The Service, as `namespace/name`.
        service: String,
        /// The frontend address, `None` when the inputs do not give it.
        frontend: Option<IpAddr>,
        /// An internal load balancer (the
        /// `service.beta.kubernetes.io/azure-load-balancer-internal` annotation).
        internal: bool,
        /// The Service port.
        port: u16,
        /// The name of the node the balancer hands the flow to.
        entry: String,
        /// `externalTrafficPolicy: Local`.
        local: bool,
    },
    /// kube-proxy (or Cilium) on `node` translates the frontend to an
    /// endpoint pod and its target port; `snat`: the node address the
    /// source is translated to (externalTrafficPolicy Cluster).
    KubeProxy {
        /// The node doing the translation.
        node: String,
        /// The endpoint pod's address, `None` when unknown.
        pod_ip: Option<IpAddr>,
        /// The endpoint pod's port (`targetPort`).
        target: u16,
        /// The node address the source becomes, `None` when kept
        /// (externalTrafficPolicy Local).
        snat: Option<IpAddr>,
    },
    /// The reply to an Internet client of a public frontend leaves through
    /// a firewall the request did not cross (a 0.0.0.0/0 user route): the
    /// firewall drops it (asymmetric routing).
    AsymmetricReturn {
        /// The public frontend the request reached.
        frontend: IpAddr,
    },
    /// The Service admits only these clients (`loadBalancerSourceRanges`
    /// and AKS's allowed ranges / service tags): `admitted` for `client`,
    /// `None` when only an unresolved service tag could hold it.
    SourceRanges {
        /// The client address tested.
        client: IpAddr,
        /// The admitted ranges and service tags, as written.
        ranges: Vec<String>,
        /// Whether `client` is admitted; `None` when only a service tag
        /// tusk cannot resolve could hold it.
        admitted: Option<bool>,
    },
}

impl Segment {
    /// What this segment says of the flow: a policy's or the network's
    /// verdict, `Allowed` for a translation or hand-over, `Denied` for an
    /// asymmetric return, `Unknown` when not evaluated.
    pub fn verdict(&self) -> Kind {
        match self {
            Segment::SourcePolicy(s) | Segment::DestinationPolicy { side: s, .. } => s.verdict.kind(),
            Segment::NodeExit { .. }
            | Segment::SameNode { .. }
            | Segment::Egress { .. }
            | Segment::PodBridge { .. }
            | Segment::LoadBalancer { .. }
            | Segment::KubeProxy { .. }
            | Segment::ServiceDnat { .. } => Kind::Allowed,
            Segment::AsymmetricReturn { .. } => Kind::Denied,
            Segment::SourceRanges { admitted, .. } => match admitted {
                Some(true) => Kind::Allowed,
                Some(false) => Kind::Denied,
                None => Kind::Unknown,
            },
            Segment::Network(t) => t.verdict,
            Segment::NotEvaluated(_) => Kind::Unknown,
        }
    }
}

/// One (source, destination) pair's path.
#[derive(Debug, Clone)]
pub struct Path {
    /// The sending end.
    pub from: PairEnd,
    /// The receiving end.
    pub to: PairEnd,
    /// The source's node name, when the source runs on a node.
    pub src_node: Option<String>,
    /// The destination's node name, when it runs on a node.
    pub dst_node: Option<String>,
    /// The hops in order, from the source's policy to the destination's.
    pub segments: Vec<Segment>,
    /// The pair's verdict: the first segment that does not allow decides.
    pub verdict: Kind,
    /// Why a verdict that the segments state is not definite.
    pub doubt: Option<String>,
}

/// One end of a pair, naming the object; `tusk-report` words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairEnd {
    /// A pod.
    Pod {
        /// The pod's namespace.
        namespace: String,
        /// The pod's name.
        name: String,
    },
    /// An AKS node, by its node name.
    Node(String),
    /// An Azure endpoint (an address, a NIC, a private endpoint, ...).
    Azure(Endpoint),
    /// The end as the question gave it (`--to svc:NS/NAME`), when no
    /// member stands for it (a ClusterIP asked from outside the cluster).
    Given(String),
}

/// Every pair of a group flow, with the group verdict.
pub struct GroupPath {
    /// Replicas left out because another one stands for them.
    pub collapsed: usize,
    /// Ends answered with samples: (the end, why).
    pub samples: Vec<(String, Sample)>,
    /// The source end as asked.
    pub from: String,
    /// The destination end as asked.
    pub to: String,
    /// Who sends.
    pub actor: Actor,
    /// Allowed or denied when every pair is, mixed when both occur,
    /// otherwise unknown.
    pub verdict: GroupKind,
    /// One path per (source member, destination member).
    pub pairs: Vec<Path>,
}
