//! The Kubernetes policy kinds as the engines read them: label selectors,
//! NetworkPolicy (`networking.k8s.io/v1`) and AdminNetworkPolicy /
//! BaselineAdminNetworkPolicy (`policy.networking.k8s.io/v1alpha1`),
//! validated and typed by the loader. Re-exported by [`crate::k8s`], where
//! the objects they select live.

use crate::k8s::Labels;
use tusk_core::{IpSet, Loc, Protocol};

/// A label selector (metav1.LabelSelector). An empty selector selects
/// everything; an absent one is modelled by `Option` at the use site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct LabelSelector {
    /// `matchLabels`, as (key, value) pairs: all must be present.
    pub match_labels: Vec<(String, String)>,
    /// `matchExpressions`: all must hold.
    pub match_expressions: Vec<Requirement>,
}

impl LabelSelector {
    /// Does it have neither labels nor expressions (and so select everything)?
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Plain evaluation against one label map; the engine uses label
    /// indexes instead, and this is its reference.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| r.matches(labels))
    }

    /// Evaluation against labels of which only `labels` are known and any
    /// other key may or may not be present (a namespace no input declares):
    /// `Some` when the known labels decide, `None` when the rest could.
    pub fn matches_known(&self, labels: &Labels) -> Option<bool> {
        let mut open = false;
        for (k, v) in &self.match_labels {
            match labels.get(k) {
                Some(x) if x != v => return Some(false),
                Some(_) => {}
                None => open = true,
            }
        }
        for r in &self.match_expressions {
            if labels.contains_key(&r.key) {
                if !r.matches(labels) {
                    return Some(false);
                }
            } else {
                open = true;
            }
        }
        if open {
            None
        } else {
            Some(true)
        }
    }

    /// `app=web,tier in (a,b)`, the notation of `kubectl get -l`.
    pub fn describe(&self) -> String {
        if self.is_empty() {
            return "{} (all)".into();
        }
        let mut parts: Vec<String> = self.match_labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for r in &self.match_expressions {
            parts.push(match r.op {
                SelectorOp::In => format!("{} in ({})", r.key, r.values.join(",")),
                SelectorOp::NotIn => format!("{} notin ({})", r.key, r.values.join(",")),
                SelectorOp::Exists => r.key.clone(),
                SelectorOp::DoesNotExist => format!("!{}", r.key),
            });
        }
        parts.join(",")
    }
}

/// The operator of a selector requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SelectorOp {
    /// The label is present with one of the values.
    In,
    /// The label is absent, or present with none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Requirement {
    /// The label key.
    pub key: String,
    /// The operator.
    pub op: SelectorOp,
    /// The values (`In`, `NotIn`); empty for `Exists`, `DoesNotExist`.
    pub values: Vec<String>,
}

impl Requirement {
    /// Does the requirement hold for `labels` (apimachinery's semantics)?
    pub fn matches(&self, labels: &Labels) -> bool {
        let v = labels.get(&self.key);
        match self.op {
            SelectorOp::In => v.is_some_and(|v| self.values.contains(v)),
            // NotIn matches objects without the key, as in apimachinery's
            // labels.Requirement.Matches.
            SelectorOp::NotIn => v.is_none_or(|v| !self.values.contains(v)),
            SelectorOp::Exists => v.is_some(),
            SelectorOp::DoesNotExist => v.is_none(),
        }
    }
}

/// A port as a policy names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PolicyPort {
    /// Every port of the protocol (a `ports` entry with `port` absent).
    All(Protocol),
    /// `port` .. `endPort` (equal when `endPort` is absent).
    Range(Protocol, u16, u16),
    /// A container port name, resolved per destination pod. NetworkPolicy
    /// names a protocol (default TCP) that must match the container port's;
    /// AdminNetworkPolicy's `namedPort` takes the container port's protocol.
    Named(Option<Protocol>, String),
}

/// The peers of a NetworkPolicy rule.
#[derive(Debug, Clone)]
pub enum NpPeer {
    /// `podSelector` and/or `namespaceSelector`; an absent namespace selector
    /// means the policy's own namespace, an absent pod selector all pods.
    Pods {
        /// `namespaceSelector`; `None`: the policy's own namespace.
        namespace_selector: Option<LabelSelector>,
        /// `podSelector`; `None`: every pod of the selected namespaces.
        pod_selector: Option<LabelSelector>,
        /// Where the peer was read.
        loc: Loc,
    },
    /// `ipBlock`: the CIDR minus its exceptions.
    IpBlock {
        /// `cidr` as written.
        cidr: String,
        /// The block's addresses minus `except`.
        addresses: IpSet,
        /// Where the peer was read.
        loc: Loc,
    },
}

/// One `ingress[]` or `egress[]` rule of a NetworkPolicy.
#[derive(Debug, Clone)]
pub struct NpRule {
    /// Empty: all peers (the field was absent or an empty list).
    pub peers: Vec<NpPeer>,
    /// Empty: all ports and protocols.
    pub ports: Vec<PolicyPort>,
    /// Where the rule was read.
    pub loc: Loc,
}

/// networking.k8s.io/v1 NetworkPolicy.
#[derive(Debug, Clone)]
pub struct NetworkPolicy {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// `spec.podSelector`: the pods of its namespace it applies to.
    pub pod_selector: LabelSelector,
    /// From `policyTypes`, or its default: Ingress always, Egress when the
    /// spec has an `egress` section.
    pub isolates_ingress: bool,
    /// Does it isolate egress (see `isolates_ingress`)?
    pub isolates_egress: bool,
    /// `spec.ingress`: allow rules, read only when `isolates_ingress`.
    pub ingress: Vec<NpRule>,
    /// `spec.egress`: allow rules, read only when `isolates_egress`.
    pub egress: Vec<NpRule>,
    /// Where the policy was read.
    pub loc: Loc,
}

/// The action of an (Baseline)AdminNetworkPolicy rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    /// Allow, and stop evaluating.
    Allow,
    /// Deny, and stop evaluating.
    Deny,
    /// Skip the remaining ANPs: NetworkPolicies, then the baseline, decide
    /// (AdminNetworkPolicy only).
    Pass,
}

/// The subject or a peer of an (Baseline)AdminNetworkPolicy.
#[derive(Debug, Clone)]
pub enum AdminPeer {
    /// `namespaces`: every pod of the selected namespaces.
    Namespaces(LabelSelector),
    /// `pods`: the selected pods of the selected namespaces.
    Pods {
        /// Selects the namespaces.
        namespace_selector: LabelSelector,
        /// Selects the pods within them.
        pod_selector: LabelSelector,
    },
    /// Egress only: nodes selected by label.
    Nodes(LabelSelector),
    /// Egress only: CIDRs (their addresses, and the CIDRs as written).
    Networks(IpSet, Vec<String>),
}

/// One rule of an (Baseline)AdminNetworkPolicy.
#[derive(Debug, Clone)]
pub struct AdminRule {
    /// Its `name`.
    pub name: String,
    /// Its `action`.
    pub action: AdminAction,
    /// `from` / `to`: the peers it matches (any of them).
    pub peers: Vec<AdminPeer>,
    /// Empty: all ports and protocols.
    pub ports: Vec<PolicyPort>,
    /// Where the rule was read.
    pub loc: Loc,
}

/// policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy, or the cluster's one
/// BaselineAdminNetworkPolicy (`priority` is `None`, no `Pass`).
#[derive(Debug, Clone)]
pub struct AdminNetworkPolicy {
    /// Its name.
    pub name: String,
    /// `spec.priority`, 0–1000, lower first; `None` for the baseline.
    pub priority: Option<u32>,
    /// `spec.subject`: the pods it applies to.
    pub subject: AdminPeer,
    /// `spec.ingress` rules, in order (first match wins).
    pub ingress: Vec<AdminRule>,
    /// `spec.egress` rules, in order (first match wins).
    pub egress: Vec<AdminRule>,
    /// Where the policy was read.
    pub loc: Loc,
}
