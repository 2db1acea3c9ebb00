//! Cilium's policy kinds (cilium.io/v2 CiliumNetworkPolicy and
//! CiliumClusterwideNetworkPolicy), as far as tusk models them: endpoint
//! selectors split into their namespace and pod parts, CIDR and entity
//! peers, L4 ports, allow and deny rules. What tusk does not model inside a
//! rule (L7 rules, toFQDNs, toServices, ...) is kept as a reason that makes
//! the rule's match unknown; a policy whose subject tusk cannot read stays
//! a [`super::k8s::ForeignPolicy`].

use super::k8s::{LabelSelector, PolicyPort};
use tusk_core::{IpSet, Loc};

/// A Cilium endpoint selector, split: labels Cilium derives from the pod's
/// namespace (`io.kubernetes.pod.namespace`, `io.cilium.k8s.namespace.labels.*`)
/// become a selector over the namespace's labels (the name as
/// `kubernetes.io/metadata.name`), the rest a selector over the pod's labels.
/// A selector of a namespaced policy that names no namespace is confined to
/// the policy's namespace by the loader (Cilium docs, "Layer 3 Policies":
/// an endpoint selector of a CiliumNetworkPolicy selects in its namespace).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CiliumSelector {
    /// The selector over the pod's namespace's labels.
    pub namespace: LabelSelector,
    /// The selector over the pod's own labels.
    pub pod: LabelSelector,
    /// Does `namespace` read labels besides the namespace's name?
    pub namespace_labels: bool,
}

/// Cilium's entities (Cilium docs, "Layer 3 Policies", "Entities Based";
/// the accepted names are the CRD's enum in Cilium's source,
/// pkg/policy/api/entity.go, which also maps each to its reserved label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    /// Every identity (the wildcard selector).
    All,
    /// Everything outside the cluster (`reserved:world`, its IPv4 and IPv6 halves).
    World,
    /// The IPv4 half of `world`.
    WorldIpv4,
    /// The IPv6 half of `world`.
    WorldIpv6,
    /// Every endpoint of the cluster and the nodes: host, remote-node, init,
    /// ingress, health, unmanaged, kube-apiserver and the cluster's pods.
    Cluster,
    /// The node the selected endpoint runs on (`reserved:host`), hostNetwork
    /// pods on it included.
    Host,
    /// Every other node of the cluster (`reserved:remote-node`).
    RemoteNode,
    /// The Kubernetes API server, in or outside the cluster.
    KubeApiserver,
    /// Cilium's health-check endpoints, one per node.
    Health,
    /// Endpoints whose identity Cilium has not resolved yet (while starting).
    Init,
    /// Cilium's ingress / Gateway API Envoy.
    Ingress,
    /// Pods Cilium does not manage.
    Unmanaged,
    /// Selectable but never present: matches no peer.
    None,
}

impl Entity {
    /// The entity a policy names, or `None` for a name Cilium's CRD rejects.
    pub fn parse(s: &str) -> Option<Entity> {
        Some(match s {
            "all" => Entity::All,
            "world" => Entity::World,
            "world-ipv4" => Entity::WorldIpv4,
            "world-ipv6" => Entity::WorldIpv6,
            "cluster" => Entity::Cluster,
            "host" => Entity::Host,
            "remote-node" => Entity::RemoteNode,
            "kube-apiserver" => Entity::KubeApiserver,
            "health" => Entity::Health,
            "init" => Entity::Init,
            "ingress" => Entity::Ingress,
            "unmanaged" => Entity::Unmanaged,
            "none" => Entity::None,
            _ => return None,
        })
    }

    /// The name as policies spell it (`remote-node`).
    pub fn name(self) -> &'static str {
        match self {
            Entity::All => "all",
            Entity::World => "world",
            Entity::WorldIpv4 => "world-ipv4",
            Entity::WorldIpv6 => "world-ipv6",
            Entity::Cluster => "cluster",
            Entity::Host => "host",
            Entity::RemoteNode => "remote-node",
            Entity::KubeApiserver => "kube-apiserver",
            Entity::Health => "health",
            Entity::Init => "init",
            Entity::Ingress => "ingress",
            Entity::Unmanaged => "unmanaged",
            Entity::None => "none",
        }
    }
}

/// A peer of a Cilium rule.
#[derive(Debug, Clone)]
pub enum CiliumPeer {
    /// fromEndpoints / toEndpoints.
    Endpoints(CiliumSelector),
    /// fromCIDR / toCIDR, fromCIDRSet / toCIDRSet with `except` removed.
    Cidr(IpSet),
    /// fromEntities / toEntities.
    Entity(Entity),
    /// A peer kind tusk does not model (toFQDNs, toServices, toGroups,
    /// fromRequires, fromNodes, cidrGroupRef, ...) or a selector label it
    /// cannot read: its match is unknown.
    Unmodelled(CiliumUnmodelled),
}

/// What a Cilium rule or peer uses that tusk does not model, so that its
/// match is unknown. Keys are kept as the input writes them (data);
/// tusk-report words the cases.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CiliumUnmodelled {
    /// A field of a rule tusk does not read, by its key (`toFQDNs`,
    /// `toServices`, `fromRequires`, `cidrGroupRef`, ...).
    Field(String),
    /// A selector label from a source other than Kubernetes (`source:key`,
    /// the key as written).
    LabelSource(String),
    /// A label Cilium derives itself (`io.cilium.*`, `io.kubernetes.*`)
    /// beyond the namespace labels tusk maps.
    DerivedLabel(String),
    /// `icmps`: ICMP types, which no flow of tusk's names.
    Icmps,
    /// An L7 part of a `toPorts` entry (`rules`, `serverNames`,
    /// `listener`, `originatingTLS`, `terminatingTLS`), by its key.
    L7(String),
}

/// One rule of a direction, one per `toPorts` entry (each entry has its own
/// ports and L7 rules).
#[derive(Debug, Clone)]
pub struct CiliumRule {
    /// A deny rule (`ingressDeny`, `egressDeny`)?
    pub deny: bool,
    /// The rule's position in its list (`ingress[2]`, `egressDeny[0]`).
    pub name: String,
    /// `None`: the rule names no L3 peer and matches every peer (an
    /// L4-only rule); `Some(empty)`: it matches none (the empty rule `{}`).
    pub peers: Option<Vec<CiliumPeer>>,
    /// Empty: every port and protocol.
    pub ports: Vec<PolicyPort>,
    /// L7 rules (http, dns, kafka) or other conditions on the flow that
    /// tusk's L4 view cannot decide: the rule's match is unknown.
    pub unmodelled: Option<CiliumUnmodelled>,
    /// Where the rule was read.
    pub loc: Loc,
}

/// A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy (one per `spec` / `specs[i]`).
#[derive(Debug, Clone)]
pub struct CiliumPolicy {
    /// `CiliumNetworkPolicy` or `CiliumClusterwideNetworkPolicy`.
    pub kind: String,
    /// `None` for a CiliumClusterwideNetworkPolicy.
    pub namespace: Option<String>,
    /// The object's name, with `specs[i]` when it holds several.
    pub name: String,
    /// `endpointSelector`: the pods it applies to.
    pub subject: CiliumSelector,
    /// `Some`: a host policy (a CiliumClusterwideNetworkPolicy with
    /// `nodeSelector`, over the nodes' labels): it selects no pod (`subject`
    /// is unused) but the host endpoints of the nodes it selects (Cilium
    /// docs, "Host Policies").
    pub nodes: Option<LabelSelector>,
    /// Ingress rules (allow and deny), one per `toPorts` entry.
    pub ingress: Vec<CiliumRule>,
    /// Egress rules (allow and deny), one per `toPorts` entry.
    pub egress: Vec<CiliumRule>,
    /// Does the policy put its subjects into default deny, `[ingress,
    /// egress]` (`enableDefaultDeny`, by default true for a direction the
    /// policy has rules for)?
    pub default_deny: [bool; 2],
    /// Does it have rules (allow or deny) in `[ingress, egress]`?
    pub selects: [bool; 2],
    /// Where the policy was read.
    pub loc: Loc,
}
