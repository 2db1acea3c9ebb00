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
    /// masquerade when `masqueraded`), `why` naming the ranges that decided.
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
        why: ExitSource,
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
    NotEvaluated(Unevaluated),
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
        /// Floating IP on (the default): the node receives the packet still
        /// addressed to the frontend and the Service port. Off (the
        /// `azure-disable-load-balancer-floating-ip` annotation): addressed
        /// to the node's own address and the Service's node port.
        floating_ip: bool,
        /// The Service port's `nodePort`, when the inputs give it.
        node_port: Option<u16>,
    },
    /// The load balancer's health probe of the entry node: from the
    /// platform address 168.63.129.16 (the `AzureLoadBalancer` service
    /// tag) to the node's address, through the node subnet's and NIC's
    /// NSGs. A node whose probe is denied is taken out of the backend pool,
    /// so the frontend does not reach it (Azure Load Balancer docs, "Health
    /// probes": "NSGs must allow the AzureLoadBalancer service tag").
    HealthProbe {
        /// The probed node's name.
        node: String,
        /// The probed port: the health check node port (externalTrafficPolicy
        /// Local, HTTP `/healthz`) or the Service's node port (Cluster, TCP);
        /// `None` when not in the inputs.
        port: Option<u16>,
        /// externalTrafficPolicy Local (the probe asks kube-proxy's health
        /// check node port).
        local: bool,
        /// The NSG checks, in order (subnet, then NIC), as the Azure trace
        /// states them.
        steps: Vec<tusk_network::path::Step>,
    },
    /// The ingress controller pod `controller` ends the client's connection
    /// and opens its own to `service`:`port`, the backend of the Ingress's
    /// matching rule (Kubernetes docs, "Ingress"): the hops after this one
    /// see the controller pod's address as the source.
    IngressProxy {
        /// The Ingress, as `namespace/name`.
        ingress: String,
        /// The request path asked, when given.
        path: Option<String>,
        /// The controller pod.
        controller: PairEnd,
        /// The backend Service, as `namespace/name`.
        service: String,
        /// The backend Service's port.
        port: u16,
    },
    /// The entry node's NIC has no NSG in the inputs: the AKS-managed NSG
    /// (in the node resource group) is assumed to hold only what AKS writes
    /// — its default rules and, per LoadBalancer Service, an allow rule for
    /// the Service's ports from its `loadBalancerSourceRanges` (Internet
    /// when none) to the frontend (or, floating IP off, the node addresses
    /// and node port) — AKS docs, "Use a public standard load balancer in
    /// AKS" and "Customize NSG rules"; AKS overwrites manual changes. The
    /// source ranges are checked by [`Segment::SourceRanges`].
    ManagedNsgAssumed {
        /// The entry node's name.
        node: String,
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
        /// The admitted address ranges (`loadBalancerSourceRanges` and
        /// `azure-allowed-ip-ranges`).
        ranges: Vec<tusk_core::ip::Cidr>,
        /// The admitted service tags (`azure-allowed-service-tags`), as written.
        tags: Vec<String>,
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
            | Segment::ServiceDnat { .. }
            | Segment::ManagedNsgAssumed { .. }
            | Segment::IngressProxy { .. } => Kind::Allowed,
            Segment::HealthProbe { steps, .. } => steps.iter().fold(Kind::Allowed, |k, s| k.then(s.decision.verdict)),
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
    pub doubt: Option<Doubt>,
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

/// Why a segment is not evaluated (its verdict is unknown). Typed data:
/// tusk-report words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unevaluated {
    /// The destination end (a pod or a node) has no address: the cluster's
    /// plugin or the node's subnet is not in the inputs.
    EndAddress(PairEnd),
    /// The source node (by name) has no address.
    NodeAddress {
        /// The node's name.
        node: String,
        /// Why, when the inputs say ([`crate::nodes::NodeAddr::Unknown`]);
        /// `None` when the node's subnet has no address left for it.
        why: Option<crate::nodes::AddrUnknown>,
    },
    /// The network plugin of the source node's (by name) cluster is unknown,
    /// so its masquerade is too.
    UnknownPlugin {
        /// The node's name.
        node: String,
    },
    /// CNI Overlay: a user route names part of the overlay pod CIDR, and
    /// whether it overrides the overlay routing domain is not documented
    /// (AKS docs, "Azure CNI Overlay networking").
    OverlayRoute(RuleRef),
    /// An end of the Azure leg is not in the Azure inputs (its subnet is
    /// unknown).
    OutsideAzure,
    /// The frontend address of the Service (`namespace/name`)'s load
    /// balancer is not in the inputs (no `status.loadBalancer`, no
    /// `loadBalancerIP`).
    FrontendUnknown {
        /// The Service, as `namespace/name`.
        service: String,
    },
    /// The entry node (by name) of a load balancer has no known address,
    /// NIC or subnet.
    EntryNode {
        /// The node's name.
        node: String,
    },
    /// A client outside the cluster asked for the Service (`namespace/name`)
    /// that has no load balancer: its ClusterIP is translated only on the
    /// cluster's nodes (Kubernetes docs, "Virtual IPs and Service Proxies").
    NoLoadBalancer {
        /// The Service, as `namespace/name`.
        service: String,
    },
    /// A client inside Azure asked for a public frontend: the packet leaves
    /// for the Internet (the Azure trace before this segment) and comes back
    /// to the load balancer with the public source address its egress gives
    /// it (the load balancer's outbound IP, a NAT gateway's or a firewall's,
    /// AKS docs "Use a public standard load balancer in AKS"), which the
    /// inputs do not give: the way back in is not evaluated.
    PublicFrontendFromAzure,
    /// Floating IP is off and the Service port's `nodePort` is not in the
    /// inputs: the port the node's NSGs see is unknown.
    NodePortUnknown {
        /// The Service, as `namespace/name`.
        service: String,
    },
}

/// The kind of an Azure rule or route a [`RuleRef`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// A network security group's security rule.
    NsgRule,
    /// A firewall rule (classic collection or firewall policy).
    FirewallRule,
    /// A user-defined route of a route table.
    Route,
}

/// An Azure rule or route, by its name and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRef {
    /// What kind of rule it is.
    pub kind: RuleKind,
    /// Its name, as the input gives it.
    pub name: String,
    /// Its source location (file:line:col).
    pub loc: tusk_core::Loc,
}

/// Why a verdict the segments state is not definite (the pair becomes
/// unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doubt {
    /// A rule or route names part, but not all, of the addresses AKS may
    /// assign to a node or pod of the pair: the verdict computed with one
    /// representative address may not hold for the others
    /// ([`crate::datapath::splits`]).
    AddressSplit(RuleRef),
}

/// Where a node's decision to keep or masquerade a pod's source address
/// comes from (ip-masq-agent; AKS docs, "Configure ip-masq-agent").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExitSource {
    /// The sender is the node itself (or a host-network pod): its own address.
    NodeAddress,
    /// A pod's packet: the non-masquerade ranges that decided.
    Masquerade(MasqSource),
}

/// The non-masquerade ranges of a node: AKS's default for the plugin,
/// merged with every exported `azure-ip-masq-agent-config` ConfigMap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasqSource {
    /// AKS's default for the cluster's plugin.
    pub default: MasqDefault,
    /// The exported ConfigMaps, in input order; empty when none is exported.
    pub configs: Vec<MasqConfigRef>,
}

/// AKS's default non-masquerade range per plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MasqDefault {
    /// kubenet and CNI Overlay: the cluster's pod CIDR.
    PodCidr,
    /// Azure CNI (node or pod subnet): the VNet's address space.
    VnetSpace,
}

/// One exported ip-masq-agent ConfigMap, as it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasqConfigRef {
    /// `kube-system/NAME`.
    pub name: String,
    /// Its `nonMasqueradeCIDRs`.
    pub cidrs: Vec<tusk_core::ip::Cidr>,
    /// Where it was read.
    pub loc: tusk_core::Loc,
}
