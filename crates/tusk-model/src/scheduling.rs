//! What a pod says about where it may run, and what a node says about who
//! may run on it: the inputs of the Kubernetes scheduler's filters
//! (`nodeSelector`, required node affinity, taints and tolerations,
//! topology spread constraints, required pod anti-affinity).
//!
//! Plain data. Evaluating it (which node passes which filter) is
//! `tusk-path`'s job; the matching rules are written there, next to the
//! Kubernetes documentation they follow.

use crate::k8s::{LabelSelector, Labels};
use tusk_core::Loc;

/// The effect of a taint (Kubernetes docs, "Taints and Tolerations").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaintEffect {
    /// No new pod without a toleration is scheduled on the node.
    NoSchedule,
    /// The scheduler avoids the node (a preference: tusk does not filter on it).
    PreferNoSchedule,
    /// As `NoSchedule`, and running pods without a toleration are evicted.
    NoExecute,
}

impl TaintEffect {
    /// The effect from its API spelling; `None` for any other text.
    pub fn parse(s: &str) -> Option<TaintEffect> {
        Some(match s {
            "NoSchedule" => TaintEffect::NoSchedule,
            "PreferNoSchedule" => TaintEffect::PreferNoSchedule,
            "NoExecute" => TaintEffect::NoExecute,
            _ => return None,
        })
    }

    /// The API spelling.
    pub fn name(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }
}

/// A node taint, `key=value:Effect`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Taint {
    /// The taint's key.
    pub key: String,
    /// Empty when the taint has no value (`key:Effect`).
    pub value: String,
    /// The taint's effect.
    pub effect: TaintEffect,
}

impl std::fmt::Display for Taint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}:{}", self.key, self.effect.name())
        } else {
            write!(f, "{}={}:{}", self.key, self.value, self.effect.name())
        }
    }
}

/// The operator of a toleration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TolerationOp {
    /// The taint's value equals the toleration's (the default).
    Equal,
    /// Any value (the toleration has none).
    Exists,
}

/// A pod toleration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toleration {
    /// Empty with `Exists`: tolerates every taint.
    pub key: String,
    /// `Equal` or `Exists`.
    pub op: TolerationOp,
    /// The value compared with `Equal`.
    pub value: String,
    /// `None`: every effect.
    pub effect: Option<TaintEffect>,
}

/// The operator of a node selector requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeSelectorOp {
    /// The label has one of the values.
    In,
    /// The label is absent or has none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
    /// The label, an integer, is greater than the one value.
    Gt,
    /// The label, an integer, is less than the one value.
    Lt,
}

/// One requirement of a node selector term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSelectorRequirement {
    /// The label key (or `metadata.name` for a `matchFields` entry).
    pub key: String,
    /// The operator.
    pub op: NodeSelectorOp,
    /// The values the operator compares with.
    pub values: Vec<String>,
}

/// One `nodeSelectorTerms` entry: its requirements are ANDed. `matchFields`
/// (only `metadata.name` is allowed) is kept as requirements on the key
/// `metadata.name`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeSelectorTerm {
    /// `matchExpressions` over the node's labels.
    pub match_expressions: Vec<NodeSelectorRequirement>,
    /// `matchFields` (`metadata.name`).
    pub match_fields: Vec<NodeSelectorRequirement>,
}

/// A required pod (anti-)affinity term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodAffinityTerm {
    /// The pods it is about; `None`: no pod.
    pub label_selector: Option<LabelSelector>,
    /// Namespaces the selector looks in; empty with no namespace selector:
    /// the pod's own namespace.
    pub namespaces: Vec<String>,
    /// `namespaceSelector`, over namespaces' labels.
    pub namespace_selector: Option<LabelSelector>,
    /// The node label that defines a topology domain (`kubernetes.io/hostname`, a zone).
    pub topology_key: String,
}

/// What a topology spread constraint does when it cannot be met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenUnsatisfiable {
    /// The pod stays pending (a filter).
    DoNotSchedule,
    /// The pod is scheduled anyway (a preference: tusk does not filter on it).
    ScheduleAnyway,
}

/// One `topologySpreadConstraints` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopologySpreadConstraint {
    /// `maxSkew`: the largest allowed difference in matching pods between domains, ≥ 1.
    pub max_skew: u32,
    /// The node label that defines the domains.
    pub topology_key: String,
    /// Filter or preference.
    pub when_unsatisfiable: WhenUnsatisfiable,
    /// The pods counted; `None`: none.
    pub label_selector: Option<LabelSelector>,
}

/// The scheduling-relevant part of a pod spec.
#[derive(Debug, Clone, Default)]
pub struct PodScheduling {
    /// `nodeSelector`: labels the node must carry.
    pub node_selector: Labels,
    /// `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`:
    /// ORed. Empty: no required node affinity.
    pub required_node_terms: Vec<NodeSelectorTerm>,
    /// `tolerations`.
    pub tolerations: Vec<Toleration>,
    /// `topologySpreadConstraints`.
    pub spread: Vec<TopologySpreadConstraint>,
    /// Required pod anti-affinity terms (`podAntiAffinity.requiredDuringScheduling…`).
    pub required_anti_affinity: Vec<PodAffinityTerm>,
    /// Scheduling fields present in the spec that the placement does not
    /// simulate (`required podAffinity`, `minDomains`, ...): the feasible
    /// set is then an upper bound and the placement may differ.
    pub not_modelled: Vec<&'static str>,
    /// Where the pod spec was read, for messages.
    pub loc: Option<Loc>,
}
