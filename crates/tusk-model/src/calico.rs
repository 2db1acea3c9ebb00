//! Calico's policy objects (`projectcalico.org/v3`, and the same shapes
//! under `crd.projectcalico.org/v1`) as the Calico tier engine needs them:
//! selectors parsed into [`Sel`], ports and protocols typed, CIDRs as
//! [`IpSet`]s, every object and rule with its [`Loc`]. What tusk does not
//! model inside a rule (ICMP type/code, source ports of the local end,
//! service-account matches, HTTP matches) is kept as a reason that makes
//! the rule's match unknown. Calico docs, "Resource definitions":
//! NetworkPolicy, GlobalNetworkPolicy, Tier, Profile, NetworkSet,
//! GlobalNetworkSet, HostEndpoint, WorkloadEndpoint.
use super::k8s::{Labels, PolicyPort};
use tusk_core::{IpSet, Loc};

/// The label Calico gives every workload endpoint: its namespace's name
/// (Calico docs, "NetworkPolicy": `projectcalico.org/namespace`).
pub const NAMESPACE_LABEL: &str = "projectcalico.org/namespace";
/// The label Calico gives every namespace (as seen by a namespaceSelector):
/// its name.
pub const NAME_LABEL: &str = "projectcalico.org/name";
/// The order Kubernetes NetworkPolicies take inside Calico's `default` tier
/// (Calico docs, "Get started with policy tiers": "Kubernetes network
/// policies ... order 1000").
pub const K8S_POLICY_ORDER: f64 = 1000.0;
/// The name of the tier every policy without `tier` belongs to.
pub const DEFAULT_TIER: &str = "default";

/// A parsed Calico selector expression (Calico docs, "NetworkPolicy",
/// section "Selectors"; grammar of libcalico-go `lib/selector/parser`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Sel {
    /// `all()`, and the empty selector.
    All,
    /// `global()`: non-namespaced resources (true on any endpoint's labels).
    Global,
    /// `has(k)`.
    Has(String),
    /// `k == "v"`.
    Eq(String, String),
    /// `k != "v"` (true when `k` is absent).
    Ne(String, String),
    /// `k in {"a", "b"}`.
    In(String, Vec<String>),
    /// `k not in {"a", "b"}` (true when `k` is absent).
    NotIn(String, Vec<String>),
    /// `k contains "s"`.
    Contains(String, String),
    /// `k starts with "s"`.
    StartsWith(String, String),
    /// `k ends with "s"`.
    EndsWith(String, String),
    /// `!e`.
    Not(Box<Sel>),
    /// `a && b`.
    And(Box<Sel>, Box<Sel>),
    /// `a || b`.
    Or(Box<Sel>, Box<Sel>),
}

impl Sel {
    /// Evaluates the expression over a label lookup (`get(key)` is the
    /// label's value, `None` when absent), as libcalico-go's `Evaluate`.
    pub fn eval<'a>(&self, get: &impl Fn(&str) -> Option<&'a str>) -> bool {
        match self {
            Sel::All | Sel::Global => true,
            Sel::Has(k) => get(k).is_some(),
            Sel::Eq(k, v) => get(k) == Some(v.as_str()),
            Sel::Ne(k, v) => get(k) != Some(v.as_str()),
            Sel::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Sel::NotIn(k, vs) => get(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
            Sel::Contains(k, s) => get(k).is_some_and(|x| x.contains(s.as_str())),
            Sel::StartsWith(k, s) => get(k).is_some_and(|x| x.starts_with(s.as_str())),
            Sel::EndsWith(k, s) => get(k).is_some_and(|x| x.ends_with(s.as_str())),
            Sel::Not(e) => !e.eval(get),
            Sel::And(a, b) => a.eval(get) && b.eval(get),
            Sel::Or(a, b) => a.eval(get) || b.eval(get),
        }
    }

    /// Evaluates over a plain label map.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.eval(&|k: &str| labels.get(k).map(String::as_str))
    }

    /// Every label key the expression reads, appended to `out`.
    pub fn keys(&self, out: &mut Vec<String>) {
        match self {
            Sel::All | Sel::Global => {}
            Sel::Has(k)
            | Sel::Eq(k, _)
            | Sel::Ne(k, _)
            | Sel::In(k, _)
            | Sel::NotIn(k, _)
            | Sel::Contains(k, _)
            | Sel::StartsWith(k, _)
            | Sel::EndsWith(k, _) => out.push(k.clone()),
            Sel::Not(e) => e.keys(out),
            Sel::And(a, b) | Sel::Or(a, b) => {
                a.keys(out);
                b.keys(out);
            }
        }
    }

    /// Does the expression contain `global()`?
    pub fn has_global(&self) -> bool {
        match self {
            Sel::Global => true,
            Sel::Not(e) => e.has_global(),
            Sel::And(a, b) | Sel::Or(a, b) => a.has_global() || b.has_global(),
            _ => false,
        }
    }
}

/// A rule's action (Calico docs, "Rule": Allow, Deny, Log, Pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CalicoAction {
    /// Allows the flow: it is decided.
    Allow,
    /// Denies the flow: it is decided.
    Deny,
    /// Skips the rest of the tier: the next tier that selects the endpoint
    /// (or the profiles) decides.
    Pass,
    /// Logs and goes on with the next rule: it decides nothing.
    Log,
}

impl CalicoAction {
    /// `Allow`, `Deny`, `Pass` or `Log`.
    pub fn name(self) -> &'static str {
        match self {
            CalicoAction::Allow => "Allow",
            CalicoAction::Deny => "Deny",
            CalicoAction::Pass => "Pass",
            CalicoAction::Log => "Log",
        }
    }
}

/// The peer side of a rule (`source` of an ingress rule, `destination` of
/// an egress one): every given criterion must hold (Calico docs, "Entity
/// rule"). Selectors match workload endpoints and network sets.
#[derive(Debug, Clone, Default)]
pub struct EntityMatch {
    /// `selector`: `None` when absent (no constraint).
    pub selector: Option<Sel>,
    /// `notSelector`.
    pub not_selector: Option<Sel>,
    /// `namespaceSelector`: `None` when absent. On a namespaced policy an
    /// absent one with a `selector` means the policy's namespace.
    pub namespace_selector: Option<Sel>,
    /// `nets`, unioned (`None`: no constraint).
    pub nets: Option<IpSet>,
    /// `notNets`, unioned.
    pub not_nets: Option<IpSet>,
}

impl EntityMatch {
    /// Does it constrain the peer at all?
    pub fn is_any(&self) -> bool {
        self.selector.is_none()
            && self.not_selector.is_none()
            && self.namespace_selector.is_none()
            && self.nets.is_none()
            && self.not_nets.is_none()
    }
}

/// One rule of a Calico policy or profile, with its peer, its local-end
/// constraints and its connections typed.
#[derive(Debug, Clone)]
pub struct CalicoRule {
    /// What a match does.
    pub action: CalicoAction,
    /// `ingress[2]`, `egress[0]`.
    pub name: String,
    /// Constraints on the other end.
    pub peer: EntityMatch,
    /// Constraints on the policy's own endpoint (`destination` of an ingress
    /// rule, `source` of an egress one): its selector and nets.
    pub local: EntityMatch,
    /// The connections the rule matches, as port entries over the
    /// destination (empty: every protocol and port). `notProtocol` and
    /// `notPorts` are already subtracted.
    pub ports: Vec<PolicyPort>,
    /// Does the rule match no connection at all (e.g. `notProtocol` of the
    /// only protocol named)? Then it never matches.
    pub matches_nothing: bool,
    /// A criterion tusk cannot decide on its flow view (ICMP type/code,
    /// source ports, service accounts, HTTP): the rule's match is unknown.
    pub unmodelled: Option<CalicoUnmodelled>,
    /// Where it was read (file:line).
    pub loc: Loc,
}

/// Which entity of a Calico rule a field sits in (`source`, `destination`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleEnd {
    /// The rule's `source`.
    Source,
    /// The rule's `destination`.
    Destination,
}

/// A criterion of a Calico rule tusk cannot decide on its flow view
/// (Calico docs, "Network policy" reference, "Rule" and "EntityRule"), so
/// the rule's match is unknown. tusk-report words the cases.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CalicoUnmodelled {
    /// `serviceAccounts` of an entity: tusk does not read service accounts.
    ServiceAccounts(RuleEnd),
    /// `services` of an entity: Service endpoints as peers.
    Services(RuleEnd),
    /// `icmp` (or, `not`, `notICMP`) type and code: flows carry no ICMP type.
    IcmpTypeCode {
        /// `notICMP` rather than `icmp`.
        not: bool,
    },
    /// An `http` match (layer 7).
    Http,
    /// Source ports: flows carry no source port.
    SourcePorts,
    /// A `protocol` (or, `not`, `notProtocol`) tusk's flows do not carry
    /// (ICMPv6, UDPLite, a number without a name of tusk's), as written
    /// (a number as its decimal value).
    Protocol {
        /// The protocol as the rule names it.
        spelled: String,
        /// `notProtocol` rather than `protocol`.
        not: bool,
    },
    /// A named port in `notPorts`.
    NamedNotPort,
    /// A named port together with `notPorts` or `notProtocol`.
    NamedPortWithNot,
}

/// Which Calico kind a policy came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CalicoKind {
    /// `NetworkPolicy` (`projectcalico.org/v3`): namespaced.
    NetworkPolicy,
    /// `GlobalNetworkPolicy`: cluster-wide.
    GlobalNetworkPolicy,
    /// `StagedNetworkPolicy`: namespaced, enforces nothing.
    StagedNetworkPolicy,
    /// `StagedGlobalNetworkPolicy`: cluster-wide, enforces nothing.
    StagedGlobalNetworkPolicy,
}

impl CalicoKind {
    /// The kind's name as written in `kind:`.
    pub fn name(self) -> &'static str {
        match self {
            CalicoKind::NetworkPolicy => "NetworkPolicy",
            CalicoKind::GlobalNetworkPolicy => "GlobalNetworkPolicy",
            CalicoKind::StagedNetworkPolicy => "StagedNetworkPolicy",
            CalicoKind::StagedGlobalNetworkPolicy => "StagedGlobalNetworkPolicy",
        }
    }

    /// Staged kinds preview rules and enforce nothing (Calico docs,
    /// "Staged network policy").
    pub fn staged(self) -> bool {
        matches!(self, CalicoKind::StagedNetworkPolicy | CalicoKind::StagedGlobalNetworkPolicy)
    }
}

/// A Calico NetworkPolicy or GlobalNetworkPolicy (or a staged one).
#[derive(Debug, Clone)]
pub struct CalicoPolicy {
    /// The kind it was read as.
    pub kind: CalicoKind,
    /// `None` for a global policy.
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
    /// `spec.tier`, `default` when absent.
    pub tier: String,
    /// `spec.order`; `None` (absent) sorts after every ordered policy.
    pub order: Option<f64>,
    /// `spec.selector` (`all()` when absent).
    pub selector: Sel,
    /// `spec.namespaceSelector` of a global policy.
    pub namespace_selector: Option<Sel>,
    /// `spec.serviceAccountSelector`, kept as its text: tusk does not read
    /// service accounts' labels, so a policy with one selects *maybe*.
    pub service_account_selector: Option<String>,
    /// Does it apply to `[ingress, egress]` (`types`, or its default:
    /// Ingress, plus Egress when egress rules exist; Egress alone when only
    /// egress rules exist)?
    pub types: [bool; 2],
    /// Ingress rules, in order.
    pub ingress: Vec<CalicoRule>,
    /// Egress rules, in order.
    pub egress: Vec<CalicoRule>,
    /// `spec.applyOnForward`, `preDNAT`, `doNotTrack`: host endpoint
    /// settings tusk does not model (only read, and reported).
    pub host_flags: Vec<&'static str>,
    /// Where it was read (file:line).
    pub loc: Loc,
    /// Where `spec.tier` is written (or the object), for a dangling tier.
    pub tier_loc: Loc,
}

impl CalicoPolicy {
    /// `Calico GlobalNetworkPolicy deny-all`, `Calico NetworkPolicy ns/x`.
    pub fn title(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("Calico {} {ns}/{}", self.kind.name(), self.name),
            None => format!("Calico {} {}", self.kind.name(), self.name),
        }
    }
}

/// A Tier (Calico docs, "Tier"): its `order` (absent: after every ordered
/// tier) and what happens to a flow no policy of the tier decides.
#[derive(Debug, Clone)]
pub struct CalicoTier {
    /// Its name.
    pub name: String,
    /// `spec.order`: lower first; `None` (absent) after every ordered tier.
    pub order: Option<f64>,
    /// `defaultAction: Pass` (the default is Deny).
    pub default_pass: bool,
    /// `None` for the implicit `default` tier.
    pub loc: Option<Loc>,
}

/// A Profile (Calico docs, "Profile"): rules applied to the endpoints that
/// name it when no policy decides, and labels it gives them.
#[derive(Debug, Clone)]
pub struct CalicoProfile {
    /// Its name.
    pub name: String,
    /// Ingress rules, in order.
    pub ingress: Vec<CalicoRule>,
    /// Egress rules, in order.
    pub egress: Vec<CalicoRule>,
    /// `spec.labelsToApply`: labels the endpoints naming it carry.
    pub labels_to_apply: Labels,
    /// Where it was read (file:line).
    pub loc: Loc,
}

/// A NetworkSet or GlobalNetworkSet: addresses with labels, matched by
/// rule selectors like endpoints (Calico docs, "NetworkSet").
#[derive(Debug, Clone)]
pub struct CalicoNetworkSet {
    /// `None` for a GlobalNetworkSet.
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
    /// Its labels, which rule selectors match.
    pub labels: Labels,
    /// `spec.nets`: its addresses.
    pub nets: IpSet,
    /// Where it was read (file:line).
    pub loc: Loc,
}

/// A HostEndpoint: a node's interface, with labels policies may select.
/// tusk records it; policies that select host endpoints are not modelled.
#[derive(Debug, Clone)]
pub struct CalicoHostEndpoint {
    /// Its name.
    pub name: String,
    /// `spec.node`: the node it belongs to.
    pub node: Option<String>,
    /// Its labels, which policy selectors match.
    pub labels: Labels,
    /// `spec.expectedIPs`.
    pub expected_ips: Vec<std::net::IpAddr>,
    /// `spec.profiles`: profile names.
    pub profiles: Vec<String>,
    /// Where it was read (file:line).
    pub loc: Loc,
}

/// Everything Calico-specific the inputs hold.
#[derive(Debug, Clone, Default)]
pub struct CalicoObjects {
    /// Policies, staged ones included, in input order.
    pub policies: Vec<CalicoPolicy>,
    /// Tiers the inputs define (the implicit `default` tier included).
    pub tiers: Vec<CalicoTier>,
    /// Profiles the inputs define.
    pub profiles: Vec<CalicoProfile>,
    /// NetworkSets and GlobalNetworkSets.
    pub network_sets: Vec<CalicoNetworkSet>,
    /// HostEndpoints (read, their own traffic not modelled).
    pub host_endpoints: Vec<CalicoHostEndpoint>,
    /// The profiles a WorkloadEndpoint names, by `(namespace, pod name)`;
    /// a pod absent here has its namespace's and service account's
    /// (`kns.<ns>`, which allows everything unless the input redefines it).
    pub endpoint_profiles: std::collections::BTreeMap<(String, String), Vec<String>>,
}

impl CalicoObjects {
    /// Does the input hold any Calico object at all?
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
            && self.tiers.is_empty()
            && self.profiles.is_empty()
            && self.network_sets.is_empty()
            && self.host_endpoints.is_empty()
            && self.endpoint_profiles.is_empty()
    }
}
