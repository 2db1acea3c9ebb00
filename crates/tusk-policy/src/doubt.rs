//! What an unknown verdict of a Cilium, Calico or Istio rule doubts, as
//! data: where the doubt sits ([`DoubtAt`]: a rule of a policy, a whole
//! policy, a host policy, a pod's proxy) and what tusk cannot decide of it
//! ([`NotModelled`] for Cilium and Calico, [`IstioDoubt`] for Istio). One
//! variant per case the evaluators meet; names from the input (policies,
//! rules, keys, pods, targetRefs) stay strings, since they are data.
//! tusk-report words every enum (`tusk_report::k8s::doubt`), so the reasons
//! read the same in `explain`, `trace`, `check` and `diff`.

use crate::step::{PolicyRef, SidecarCase, StepRule};
use tusk_model::calico::CalicoUnmodelled;
use tusk_model::cilium::{CiliumUnmodelled, Entity};
use tusk_model::istio::MeshWhy;

/// Where the doubt of a Cilium, Calico or Istio verdict sits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DoubtAt {
    /// A rule of a policy: the policy, then the rule's name or position
    /// (`StepRule::Named("ingress[0]")`, `StepRule::IstioRule(2)`).
    Rule {
        /// The policy holding the rule.
        policy: PolicyRef,
        /// The rule.
        rule: StepRule,
    },
    /// A whole policy (an AuthorizationPolicy that may apply to the pod, a
    /// PeerAuthentication, a Sidecar).
    Policy(PolicyRef),
    /// A Cilium host policy on the peer node (Cilium docs, "Host
    /// Policies"): its egress side when the flow enters the pod, its
    /// ingress side when the flow leaves it.
    HostPolicy {
        /// The CiliumClusterwideNetworkPolicy with a `nodeSelector`.
        policy: PolicyRef,
        /// The node's egress side (`true`) or ingress side (`false`).
        node_egress: bool,
    },
    /// The Istio proxy of a pod, as `namespace/name`.
    Proxy {
        /// The pod, as `namespace/name`.
        pod: String,
    },
    /// No rule was recorded: some Calico rule of the tiers.
    AnyCalicoRule,
    /// No rule was recorded: some Istio policy.
    AnyIstio,
}

/// What a Cilium or Calico rule uses that tusk does not model, or cannot
/// resolve from the inputs, so that its match is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NotModelled {
    /// An endpoint selector reads labels of a namespace no input declares.
    UndeclaredNamespaceLabels,
    /// A CIDR peer whose match the inputs leave open.
    CidrPeer,
    /// A Cilium entity whose members the inputs do not give (Cilium docs,
    /// "Layer 3 Policies", "Entities Based").
    Entity(Entity),
    /// A field, label or L7 part of a Cilium rule tusk does not model.
    Cilium(CiliumUnmodelled),
    /// A peer tusk cannot resolve (no more precise reason was recorded).
    UnresolvedPeer,
    /// A Cilium host policy on the peer node that does not let the pod
    /// through on every port; whether the agent enforces host policies
    /// (its host firewall) is not in the input.
    HostFirewall,
    /// A part of a Calico rule tusk does not model.
    Calico(CalicoUnmodelled),
    /// A Calico peer whose address the input lacks.
    PeerAddress,
    /// No rule recorded a reason: an unresolved match.
    UnresolvedMatch,
}

/// Which HTTP request field an Istio rule needs and the flow lacks (each
/// has its `--http-*` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpField {
    /// The request method (`--http-method`).
    Method,
    /// The request path (`--http-path`).
    Path,
}

/// What an Istio decision depends on that the flow or the inputs lack
/// (Istio docs, "Authorization Policy" reference; "Sidecar" reference).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IstioDoubt {
    /// Whether the pod has a proxy at all, with why tusk read its
    /// dataplane so.
    HasProxy(MeshWhy),
    /// Whether the source has a sidecar (its namespace is not declared).
    SourceSidecar,
    /// Whether the policy applies to the pod.
    Applies,
    /// Whether the policy applies to the pod: its targetRefs (as
    /// `Kind/name`) attach to gateways and waypoints, whose served pods
    /// tusk cannot tell.
    TargetRefs(Vec<String>),
    /// The answer of a CUSTOM action's external authorizer.
    ExternalAuthorizer,
    /// An L7 field at an ambient pod (ztunnel sees no request; a waypoint
    /// may).
    AmbientL7,
    /// A `when` condition on a request attribute tusk does not see (the
    /// key as written).
    RequestAttribute(String),
    /// An HTTP field the flow does not give.
    Http(HttpField),
    /// The HTTP Host header (`hosts`).
    HostHeader,
    /// JWT request principals (`requestPrincipals`), which only the request
    /// carries.
    RequestPrincipals,
    /// What a Sidecar's egress restriction does with the flow.
    Sidecar(SidecarCase),
    /// No rule recorded a reason: an undecided match.
    Undecided,
}
