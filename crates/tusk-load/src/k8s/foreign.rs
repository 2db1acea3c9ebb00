//! Policy kinds of languages tusk does not model yet: Calico
//! (`projectcalico.org`, `crd.projectcalico.org`), Cilium (`cilium.io`) and
//! Istio (`security.istio.io`, `networking.istio.io`).
//!
//! Skipping them like a ConfigMap would keep verdicts definite that they may
//! change (a CiliumNetworkPolicy denies what a NetworkPolicy leaves open), so
//! each policy-bearing object becomes a [`ForeignPolicy`]: what it may act on,
//! over-approximated from its scope (namespace or cluster), its subject when
//! that is a plain label selector, and the directions it has sections for.
//! The engine makes those verdicts unknown. Kinds of these API groups that
//! bear no policy (IPPool, FelixConfiguration, CiliumNode, DestinationRule,
//! ...) are skipped with a warning naming the kind. This file reads no rule:
//! it must never narrow what an object may act on by guessing its meaning.

use super::fields::Cx;
use crate::doc::Node;
use tusk_core::{LoadError, Warning};
use tusk_model::k8s::{ForeignEngine, ForeignPolicy, LabelSelector};

/// Istio's root namespace by default, and the AKS service mesh add-on's:
/// a policy there applies to the whole mesh (Istio docs, AuthorizationPolicy
/// "root namespace"; AKS "Istio-based service mesh add-on").
const ISTIO_ROOT_NAMESPACES: &[&str] = &["istio-system", "aks-istio-system"];

/// How tusk treats a kind of a foreign policy API group.
pub enum Class {
    /// It may allow or deny traffic of the pods it selects.
    Policy,
    /// It carries no policy by itself (referenced by policies, or previews
    /// them without enforcing): a warning says why it changes no verdict.
    Inert(&'static str),
    /// Another kind of a policy engine's API group: skipped with a warning.
    Other,
}

/// The engine an API group (the part of `apiVersion` before `/`) belongs to.
pub fn engine_of(group: &str) -> Option<ForeignEngine> {
    match group {
        "projectcalico.org" | "crd.projectcalico.org" => Some(ForeignEngine::Calico),
        "cilium.io" => Some(ForeignEngine::Cilium),
        "security.istio.io" | "networking.istio.io" => Some(ForeignEngine::Istio),
        _ => None,
    }
}

pub fn classify(engine: ForeignEngine, kind: &str) -> Class {
    use ForeignEngine::*;
    match (engine, kind) {
        (Calico, "NetworkPolicy" | "GlobalNetworkPolicy" | "Profile" | "HostEndpoint") => Class::Policy,
        (Calico, "StagedNetworkPolicy" | "StagedGlobalNetworkPolicy" | "StagedKubernetesNetworkPolicy") => {
            // Calico docs, "Staged network policy": staged rules "are used to
            // preview network behavior and do not enforce network traffic".
            Class::Inert("staged policies preview rules and are not enforced")
        }
        (Calico, "Tier" | "NetworkSet" | "GlobalNetworkSet") | (Cilium, "CiliumCIDRGroup") => Class::Inert(
            "it acts only through the policies that use it, and every such policy makes the verdicts it may change unknown",
        ),
        (Cilium, "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy") => Class::Policy,
        (Istio, "AuthorizationPolicy" | "PeerAuthentication" | "RequestAuthentication" | "Sidecar") => {
            Class::Policy
        }
        _ => Class::Other,
    }
}

/// Reads a policy-bearing object into what it may act on.
pub fn policy(
    cx: Cx,
    n: &Node,
    engine: ForeignEngine,
    kind: &str,
    namespace: &str,
    name: &str,
) -> Result<ForeignPolicy, LoadError> {
    let spec = n.get("spec");
    let cluster_wide =
        matches!(kind, "GlobalNetworkPolicy" | "Profile" | "HostEndpoint" | "CiliumClusterwideNetworkPolicy")
            || (engine == ForeignEngine::Istio && ISTIO_ROOT_NAMESPACES.contains(&namespace));
    let (mut ingress, mut egress) = (true, true);
    let mut subject = None;
    let mut can_allow = true;
    match engine {
        ForeignEngine::Calico => {
            // `types` narrows the directions when given; without it Calico
            // derives them from the rules, which tusk does not read: both.
            if let Some(types) = spec.and_then(|s| s.get("types")).and_then(Node::as_seq) {
                ingress = types.iter().any(|t| t.as_str() == Some("Ingress"));
                egress = types.iter().any(|t| t.as_str() == Some("Egress"));
            }
            if kind != "HostEndpoint" && kind != "Profile" {
                subject = spec.and_then(|s| s.get("selector")).and_then(Node::as_str).and_then(calico_selector);
            }
        }
        ForeignEngine::Cilium => {
            // A rule acts only in the directions it has sections for
            // (Cilium docs, "Layer 3 examples": an endpoint is default-deny
            // in a direction once a rule with that direction selects it).
            let specs: Vec<&Node> = match (spec, n.get("specs").and_then(Node::as_seq)) {
                (Some(s), _) => vec![s],
                (None, Some(list)) => list.iter().collect(),
                (None, None) => Vec::new(),
            };
            let has = |keys: &[&str]| specs.iter().any(|s| keys.iter().any(|k| s.get(k).is_some()));
            let (i, e) = (has(&["ingress", "ingressDeny"]), has(&["egress", "egressDeny"]));
            if i || e {
                (ingress, egress) = (i, e);
            }
            if let [s] = specs.as_slice() {
                subject = s.get("endpointSelector").and_then(|sel| plain_selector(cx, sel));
            }
        }
        ForeignEngine::Istio => {
            // Istio only refuses what the network lets through: authorization
            // and mTLS at the destination's proxy, egress limits at the source's.
            can_allow = false;
            (ingress, egress) = (kind != "Sidecar", kind == "Sidecar");
            subject = match kind {
                "Sidecar" => spec.and_then(|s| s.get("workloadSelector")).and_then(|w| plain_labels(cx, w, "labels")),
                _ => spec.and_then(|s| s.get("selector")).and_then(|w| plain_labels(cx, w, "matchLabels")),
            };
        }
    }
    Ok(ForeignPolicy {
        engine,
        kind: kind.to_string(),
        namespace: (!cluster_wide).then(|| namespace.to_string()),
        name: name.to_string(),
        subject,
        ingress,
        egress,
        can_allow,
        loc: cx.loc(n),
    })
}

/// A Cilium endpoint selector that reads plain pod labels: keys without a
/// source prefix (`k8s:`, `reserved:`, ...) select the pod label of that
/// name. Labels Cilium derives from elsewhere (`io.kubernetes.pod.namespace`,
/// `io.cilium.k8s.namespace.labels.*`, `io.cilium.k8s.policy.*`) are not pod
/// labels: such a selector, like any other tusk cannot read as pod labels,
/// gives `None`, every pod of the scope.
fn plain_selector(cx: Cx, sel: &Node) -> Option<LabelSelector> {
    let s = super::selector::selector(cx, sel, "endpointSelector").ok()?;
    let derived = |k: &str| k.starts_with("io.kubernetes.") || k.starts_with("io.cilium.");
    let keys = s.match_labels.iter().map(|(k, _)| k.as_str()).chain(s.match_expressions.iter().map(|r| r.key.as_str()));
    if keys.clone().any(derived) {
        return None;
    }
    Some(s)
}

/// Istio's `matchLabels` / `labels` map: pods carrying all of them.
fn plain_labels(cx: Cx, parent: &Node, key: &str) -> Option<LabelSelector> {
    let labels = super::selector::labels(cx, parent, key).ok()?;
    parent.get(key)?;
    Some(LabelSelector { match_labels: labels.into_iter().collect(), match_expressions: Vec::new() })
}

/// The warning for a policy-bearing object tusk recorded.
pub fn recorded(p: &ForeignPolicy) -> Warning {
    let scope = match (&p.namespace, &p.subject) {
        (None, _) => "pods cluster-wide".to_string(),
        (Some(ns), None) => format!("pods of namespace {ns}"),
        (Some(ns), Some(s)) => format!("pods of namespace {ns} matching {}", s.describe()),
    };
    Warning {
        loc: p.loc.clone(),
        message: format!(
            "{}: tusk does not model {} policies; where {} enforces it, verdicts of the {scope} it may select are unknown",
            p.title(),
            p.engine.name(),
            p.engine.name()
        ),
    }
}

/// The subset of Calico's selector language that reads as a label
/// selector: `k == 'v'` and `has(k)` terms joined by `&&` (Calico docs,
/// "Selectors"). Anything else (`||`, `!`, `in`, `all()`, labels Calico
/// derives such as `projectcalico.org/namespace`) gives `None`: the policy
/// covers its whole scope.
fn calico_selector(text: &str) -> Option<LabelSelector> {
    let mut sel = LabelSelector::default();
    for term in text.split("&&").map(str::trim) {
        if let Some(k) = term.strip_prefix("has(").and_then(|t| t.strip_suffix(')')) {
            let k = k.trim();
            plain_key(k)?;
            sel.match_expressions.push(tusk_model::k8s::Requirement {
                key: k.to_string(),
                op: tusk_model::k8s::SelectorOp::Exists,
                values: Vec::new(),
            });
            continue;
        }
        let (k, v) = term.split_once("==")?;
        let (k, v) = (k.trim(), v.trim());
        let v = v
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .or_else(|| v.strip_prefix('"').and_then(|v| v.strip_suffix('"')))?;
        plain_key(k)?;
        if !super::selector::is_label_value(v) {
            return None;
        }
        sel.match_labels.push((k.to_string(), v.to_string()));
    }
    Some(sel)
}

/// A pod label key (not one Calico derives).
fn plain_key(k: &str) -> Option<()> {
    (super::selector::is_label_key(k) && !k.starts_with("projectcalico.org/")).then_some(())
}
