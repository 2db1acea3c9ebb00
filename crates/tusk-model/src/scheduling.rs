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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

impl TaintEffect {
    pub fn parse(s: &str) -> Option<TaintEffect> {
        Some(match s {
            "NoSchedule" => TaintEffect::NoSchedule,
            "PreferNoSchedule" => TaintEffect::PreferNoSchedule,
            "NoExecute" => TaintEffect::NoExecute,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Taint {
    pub key: String,
    /// Empty when the taint has no value (`key:Effect`).
    pub value: String,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TolerationOp {
    Equal,
    Exists,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toleration {
    /// Empty with `Exists`: tolerates every taint.
    pub key: String,
    pub op: TolerationOp,
    pub value: String,
    /// `None`: every effect.
    pub effect: Option<TaintEffect>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeSelectorOp {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSelectorRequirement {
    pub key: String,
    pub op: NodeSelectorOp,
    pub values: Vec<String>,
}

/// One `nodeSelectorTerms` entry: its requirements are ANDed. `matchFields`
/// (only `metadata.name` is allowed) is kept as requirements on the key
/// `metadata.name`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeSelectorTerm {
    pub match_expressions: Vec<NodeSelectorRequirement>,
    pub match_fields: Vec<NodeSelectorRequirement>,
}

/// A required pod (anti-)affinity term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodAffinityTerm {
    pub label_selector: Option<LabelSelector>,
    /// Namespaces the selector looks in; empty with no namespace selector:
    /// the pod's own namespace.
    pub namespaces: Vec<String>,
    pub namespace_selector: Option<LabelSelector>,
    pub topology_key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenUnsatisfiable {
    DoNotSchedule,
    ScheduleAnyway,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopologySpreadConstraint {
    pub max_skew: u32,
    pub topology_key: String,
    pub when_unsatisfiable: WhenUnsatisfiable,
    pub label_selector: Option<LabelSelector>,
}

/// The scheduling-relevant part of a pod spec.
#[derive(Debug, Clone, Default)]
pub struct PodScheduling {
    pub node_selector: Labels,
    /// `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`:
    /// ORed. Empty: no required node affinity.
    pub required_node_terms: Vec<NodeSelectorTerm>,
    pub tolerations: Vec<Toleration>,
    pub spread: Vec<TopologySpreadConstraint>,
    pub required_anti_affinity: Vec<PodAffinityTerm>,
    /// Scheduling fields present in the spec that the placement does not
    /// simulate (`required podAffinity`, `minDomains`, ...): the feasible
    /// set is then an upper bound and the placement may differ.
    pub not_modelled: Vec<&'static str>,
    /// Where the pod spec was read, for messages.
    pub loc: Option<Loc>,
}
