//! What one step of a per-flow explanation holds, as data: which policy
//! ([`PolicyRef`]: its kind and identity, as the input names it), which rule
//! or default ([`StepRule`]: one variant per case the evaluator records) and
//! what it did ([`Action`]). No English here: tusk-report words each enum
//! (`tusk_report::k8s::step`), so a reporter, `check` and `diff` print the
//! same words and tests match on values, not sentences. Names that come
//! from the input (policies, rules, namespaces, pods) stay strings: they are
//! data.

use crate::explain::Dir;
use tusk_core::Protocol;
use tusk_model::calico::CalicoKind;
use tusk_model::istio::AuthzAction;
use tusk_model::k8s::ForeignEngine;

/// What a step did to the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The rule or default allows the flow.
    Allow,
    /// The rule or default denies (drops) the flow.
    Deny,
    /// An AdminNetworkPolicy or Calico `Pass`: on to the next tier.
    Pass,
    /// The rule may decide, and tusk cannot tell how.
    Unknown,
    /// Calico's `Log` (decides nothing).
    Log,
    /// An Istio CUSTOM rule (an external authorizer decides).
    Custom,
    /// An Istio AUDIT rule (decides nothing).
    Audit,
}

impl From<tusk_model::k8s::AdminAction> for Action {
    fn from(a: tusk_model::k8s::AdminAction) -> Self {
        use tusk_model::k8s::AdminAction as A;
        match a {
            A::Allow => Action::Allow,
            A::Deny => Action::Deny,
            A::Pass => Action::Pass,
        }
    }
}

impl From<tusk_model::calico::CalicoAction> for Action {
    fn from(a: tusk_model::calico::CalicoAction) -> Self {
        use tusk_model::calico::CalicoAction as A;
        match a {
            A::Allow => Action::Allow,
            A::Deny => Action::Deny,
            A::Pass => Action::Pass,
            A::Log => Action::Log,
        }
    }
}

impl From<AuthzAction> for Action {
    fn from(a: AuthzAction) -> Self {
        match a {
            AuthzAction::Allow => Action::Allow,
            AuthzAction::Deny => Action::Deny,
            AuthzAction::Custom => Action::Custom,
            AuthzAction::Audit => Action::Audit,
        }
    }
}

/// The policy (or built-in default) a step belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PolicyRef {
    /// An AdminNetworkPolicy and its `spec.priority`.
    Admin {
        /// `metadata.name`.
        name: String,
        /// `spec.priority` (lower first).
        priority: u32,
    },
    /// The BaselineAdminNetworkPolicy.
    Baseline {
        /// `metadata.name`.
        name: String,
    },
    /// A Kubernetes NetworkPolicy.
    NetworkPolicy {
        /// Its namespace.
        namespace: String,
        /// `metadata.name`.
        name: String,
    },
    /// A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy.
    Cilium {
        /// The `kind` as written.
        kind: String,
        /// `None` for a cluster-wide policy.
        namespace: Option<String>,
        /// `metadata.name`.
        name: String,
    },
    /// A Calico (Global/Staged) NetworkPolicy in its tier.
    Calico {
        /// Its kind.
        kind: CalicoKind,
        /// `None` for a global policy.
        namespace: Option<String>,
        /// `metadata.name`.
        name: String,
        /// The tier's name.
        tier: String,
        /// `spec.order` (`None`: absent, after every ordered policy).
        order: Option<Order>,
    },
    /// The Kubernetes NetworkPolicies as Calico runs them: in tier `tier`
    /// at order `order` (Calico docs, "Kubernetes policy").
    CalicoKubernetesPolicies {
        /// The tier they run in (`default`).
        tier: String,
        /// Their order in it (1000).
        order: Order,
    },
    /// A Calico tier's end (its `defaultAction`).
    CalicoTier {
        /// The tier's name.
        name: String,
    },
    /// One Calico Profile.
    CalicoProfile {
        /// The profile's name (`kns.NAMESPACE`, ...).
        name: String,
    },
    /// The list of profiles of the pod's endpoint, in order.
    CalicoProfiles {
        /// The profiles' names.
        names: Vec<String>,
    },
    /// An Istio AuthorizationPolicy.
    Authorization {
        /// Its namespace.
        namespace: String,
        /// `metadata.name`.
        name: String,
        /// `spec.action`.
        action: AuthzAction,
    },
    /// An Istio PeerAuthentication (`None`: the mesh's default, no object).
    PeerAuthentication(Option<(String, String)>),
    /// A policy of a language tusk does not model.
    Foreign {
        /// The engine whose kind it is.
        engine: ForeignEngine,
        /// The `kind` as written.
        kind: String,
        /// `None` for a cluster-wide object.
        namespace: Option<String>,
        /// `metadata.name`.
        name: String,
    },
    /// An Istio Gateway whose routes limit its pods' egress.
    Gateway {
        /// Its namespace.
        namespace: String,
        /// `metadata.name`.
        name: String,
    },
    /// An Istio Sidecar restricting the source's egress.
    Sidecar {
        /// Its namespace.
        namespace: String,
        /// `metadata.name`.
        name: String,
    },
    /// Kubernetes' built-in admissions (a pod to itself, its own node).
    BuiltinAdmission,
    /// A hostNetwork pod no policy selects under the reading.
    HostNetworkPod,
    /// No policy decides the direction.
    NoPolicy,
    /// The destination has no Istio proxy.
    NoIstioProxy,
    /// The destination's Istio proxy, for what it does not intercept.
    IstioProxy,
}

/// A Calico `order` (a float, lower first), compared and hashed by its
/// bits so that a step (and a [`crate::reason::Reason`] naming it) can be
/// a map key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Order(pub f64);

impl Eq for Order {}

impl std::hash::Hash for Order {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.to_bits().hash(h);
    }
}

/// The flows NetworkPolicy never restricts (Kubernetes docs, "Network
/// Policies", "The two sorts of pod isolation").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Admission {
    /// A pod to itself.
    SelfTraffic,
    /// From the node where the destination pod runs.
    FromOwnNode,
    /// To the node where the source pod runs.
    ToOwnNode,
}

/// Which rule or default of the policy the step records.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StepRule {
    /// An unnamed rule by its position: `ingress[2]`.
    Position {
        /// The rule list.
        dir: Dir,
        /// The 0-based index in it.
        index: usize,
    },
    /// A rule named in the input (ANP, Cilium, Calico rule names).
    Named(String),
    /// An Istio AuthorizationPolicy rule by position: `rules[1]`.
    IstioRule(usize),
    /// The policy selects the pod in `dir` and none of its rules allows
    /// the flow.
    SelectsNoRuleAllows(Dir),
    /// No policy isolates the pod in `dir`.
    NotIsolated(Dir),
    /// A Cilium policy with `enableDefaultDeny` off for `dir` and no
    /// matching deny rule.
    DefaultDenyOff(Dir),
    /// A Cilium host policy of the peer node may refuse the pod.
    PeerNodeHostPolicy,
    /// An unmodelled policy may select the pod in `dir`.
    MaySelect {
        /// The pod, as `namespace/name`.
        pod: String,
        /// The side.
        dir: Dir,
        /// The language tusk does not model.
        engine: ForeignEngine,
    },
    /// A hostNetwork pod no policy selects under this reading.
    HostNetworkUnselected,
    /// A built-in admission.
    Admission(Admission),
    /// Calico's run of the Kubernetes NetworkPolicies: some rule allows
    /// (listed before).
    NetworkPoliciesAllow,
    /// The end of a Calico tier: no rule decided the flow.
    EndOfTier,
    /// No policy decided and the namespace profile, absent from the input,
    /// allows everything.
    NamespaceProfileDecides,
    /// A namespace profile absent from the input: allows everything.
    NamespaceProfileAllows,
    /// No profile rule matched: dropped.
    NoProfileRuleMatched,
    /// The destination has no proxy, so Istio enforces nothing for it.
    NoProxy {
        /// The pod, as `namespace/name`.
        pod: String,
        /// Why it has none, as the loader records it (`None`: it is a
        /// hostNetwork pod).
        why: Option<tusk_model::istio::MeshWhy>,
    },
    /// The proxy intercepts only TCP: `proto` passes it.
    OnlyTcp {
        /// The pod, as `namespace/name`.
        pod: String,
        /// The flow's protocol.
        proto: Protocol,
    },
    /// STRICT mTLS on the port refuses a plaintext peer.
    MtlsStrict {
        /// The destination port.
        port: u16,
    },
    /// An ALLOW policy without rules allows nothing.
    AllowPolicyWithoutRules,
    /// An ALLOW policy applies and none of its rules matches.
    AllowPolicyNoRuleMatches,
    /// No ALLOW policy applies and no DENY rule matches.
    NoAllowNoDeny,
    /// What an Istio Sidecar's egress restriction does with the flow.
    Sidecar(SidecarCase),
    /// What an Istio gateway pod's routes do with a flow it opens.
    Gateway(GatewayCase),
}

/// What the routes of an Istio gateway pod (its Gateway's servers and the
/// VirtualServices bound to it) do with a connection the pod opens
/// (`crate::lang::istio::gateway`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GatewayCase {
    /// A route sends requests there: a VirtualService's route, or the
    /// control plane for istiod and kube-dns.
    Routed(Box<crate::lang::istio::route::RouteRef>),
    /// No route of a bound VirtualService sends traffic to this
    /// destination and port: the gateway opens no such connection.
    NotRouted,
    /// Whether a route sends traffic there is not known (the reason says
    /// why).
    Unknown,
}

/// What an Istio Sidecar's egress restriction does with a flow (Istio
/// docs, "Sidecar": egress listeners, `outboundTrafficPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SidecarCase {
    /// An egress listener with `bind` or `captureMode: NONE` (not modelled).
    CustomCapture,
    /// `outboundTrafficPolicy.egressProxy`: what is not imported goes there.
    EgressProxy,
    /// Whether the source runs a sidecar is open (undeclared namespace).
    SourceSidecarUnknown,
    /// REGISTRY_ONLY and the destination is no imported host.
    NotImported,
    /// REGISTRY_ONLY: reachable through an imported Service's host, refused
    /// when addressed by pod IP.
    ServiceHostOnly,
    /// REGISTRY_ONLY: an imported ServiceEntry without addresses, or partly
    /// covering the address.
    UnresolvedEntry,
    /// The destination is a host the Sidecar imports.
    Imported,
    /// ALLOW_ANY, and the destination is no imported host but its port is
    /// the port of one: whether the proxy passes it through depends on the
    /// Istio version (Sidecar reference, `OutboundTrafficPolicy.Mode`;
    /// istio/istio#39794).
    AllowAnyOnImportedPort,
}
