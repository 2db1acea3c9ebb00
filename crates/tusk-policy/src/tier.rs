//! The intermediate representation every policy language compiles into: an
//! ordered list of *tiers*, each with its own way of combining the rules
//! that select an endpoint. A flow enters the first tier; a tier either
//! decides it (allowed or denied) or hands it on to the next; what leaves
//! the last tier is allowed (Kubernetes' default for unselected pods).
//!
//! The class engine ([`super::eval`]) and the plain per-flow evaluator
//! ([`super::explain`]) both walk [`plan`]: they share the order of the
//! tiers and their kinds, never the code that evaluates them.

use super::{PolicyEngine, Semantics};
use tusk_model::k8s::Cluster;

/// How a tier combines the rules that select an endpoint in one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TierKind {
    /// Rules in order, the first match decides: Allow and Deny are final,
    /// Pass hands the flow to the next tier, and a flow no rule matches
    /// falls through (AdminNetworkPolicy and BaselineAdminNetworkPolicy,
    /// network-policy-api "Precedence"; a Calico tier whose
    /// `defaultAction` is Pass).
    FirstMatch,
    /// As [`TierKind::FirstMatch`], but a flow no rule decides is dropped
    /// at the end of the tier, for endpoints some policy of the tier
    /// selects (Calico docs, "Tier": "If the Tier applies to the endpoint,
    /// but takes no action on the packet the packet is dropped"). Calico's
    /// profiles end the same way.
    FirstMatchDrop,
    /// The union of the allow rules; an endpoint some policy of the tier
    /// selects is denied everything else (NetworkPolicy docs, "Isolated and
    /// Non-isolated Pods"). Endpoints no policy selects pass on.
    Union,
    /// The union of the allow rules minus the union of the deny rules, and
    /// default deny for an endpoint some rule selects in that direction
    /// (Cilium docs, "Policy Enforcement Modes" and "Deny Policies": deny
    /// policies take precedence over allow policies).
    DenyWins,
    /// Deny wins over the union of allows, as [`TierKind::DenyWins`], but
    /// applied on top of what the tiers before it let through rather than
    /// deciding in their place: a proxy at the destination that can only
    /// refuse (Istio docs, "Authorization Policy": CUSTOM, DENY, then
    /// ALLOW; a workload some ALLOW policy applies to is denied what none
    /// allows).
    AtDestination,
}

/// The language a tier's rules come from, for explanations and for the
/// per-language compilers of [`super::lang`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// AdminNetworkPolicy, ordered by priority (network-policy-api.sigs.k8s.io).
    AdminNetworkPolicy,
    /// Kubernetes NetworkPolicy on its own (every engine but Cilium).
    NetworkPolicy,
    /// Cilium's policy repository: CiliumNetworkPolicy,
    /// CiliumClusterwideNetworkPolicy and the Kubernetes NetworkPolicies
    /// Cilium translates into its own rules, all in one set.
    Cilium,
    /// BaselineAdminNetworkPolicy, the cluster's default below NetworkPolicy.
    BaselineAdminNetworkPolicy,
    /// A Calico tier: its index in [`super::lang::calico_explain::tiers`].
    Calico(tusk_core::Idx<super::lang::calico_explain::TierInfo>),
    /// Calico's profiles, after every tier.
    CalicoProfiles,
    /// Istio's AuthorizationPolicy and PeerAuthentication at the
    /// destination's proxy.
    Istio,
}

/// One tier of the evaluation: how it decides and where its rules come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tier {
    /// How its rules combine (first match, deny wins, ...).
    pub kind: TierKind,
    /// The language of its rules.
    pub language: Language,
}

impl Tier {
    /// The tier's name in explanations.
    pub fn name(&self) -> &'static str {
        match self.language {
            Language::AdminNetworkPolicy => "AdminNetworkPolicy",
            Language::NetworkPolicy => "NetworkPolicy",
            Language::Cilium => "Cilium",
            Language::BaselineAdminNetworkPolicy => "BaselineAdminNetworkPolicy",
            Language::Calico(_) => "Calico tier",
            Language::CalicoProfiles => "Calico profiles",
            Language::Istio => "Istio",
        }
    }
}

/// The tiers of a cluster under one engine, in evaluation order.
///
/// AdminNetworkPolicies come first and BaselineAdminNetworkPolicy last
/// (network-policy-api, "Precedence"). Between them sit the NetworkPolicies:
/// on their own under every engine but Cilium, which evaluates them together
/// with its own policies (a NetworkPolicy is one more allow rule set there).
/// Istio's tier, when the cluster has Istio policies, comes last: it acts
/// at the destination's proxy on what the network delivered.
pub fn plan(cluster: &Cluster, sem: &Semantics) -> Vec<Tier> {
    let mut tiers = if super::lang::calico_explain::active(cluster, sem) {
        calico_plan(cluster)
    } else {
        let middle = if sem.engine == PolicyEngine::Cilium {
            Tier { kind: TierKind::DenyWins, language: Language::Cilium }
        } else {
            Tier { kind: TierKind::Union, language: Language::NetworkPolicy }
        };
        vec![
            Tier { kind: TierKind::FirstMatch, language: Language::AdminNetworkPolicy },
            middle,
            Tier { kind: TierKind::FirstMatch, language: Language::BaselineAdminNetworkPolicy },
        ]
    };
    if super::lang::istio::active(cluster) {
        tiers.push(Tier { kind: TierKind::AtDestination, language: Language::Istio });
    }
    tiers
}

/// The tiers of a cluster running Calico with Calico objects in the input:
/// AdminNetworkPolicies first (Calico's `kube-admin` tier, order 1,000),
/// then Calico's tiers by order (the Kubernetes NetworkPolicies inside
/// `default`), BaselineAdminNetworkPolicy (`kube-baseline`, order
/// 10,000,000), then the profiles (Calico docs, "Get started with policy
/// tiers"). A user tier ordered before 1,000 would precede the admin tier
/// in Calico; tusk keeps the admin tier first (docs/calico.md).
fn calico_plan(cluster: &Cluster) -> Vec<Tier> {
    let mut out = vec![Tier { kind: TierKind::FirstMatch, language: Language::AdminNetworkPolicy }];
    for (i, t) in tusk_core::Idx::enumerate(&super::lang::calico_explain::tiers(cluster)) {
        let kind = if t.default_pass { TierKind::FirstMatch } else { TierKind::FirstMatchDrop };
        out.push(Tier { kind, language: Language::Calico(i) });
    }
    out.push(Tier { kind: TierKind::FirstMatch, language: Language::BaselineAdminNetworkPolicy });
    out.push(Tier { kind: TierKind::FirstMatchDrop, language: Language::CalicoProfiles });
    out
}
