//! The words of one explanation step: the policy it belongs to, the rule
//! or default that applied, and what it did. tusk-policy records these as
//! enums ([`tusk_policy::step`]); every reporter (`explain`, `trace`,
//! `check`, `diff`) words them here, so one step reads the same everywhere.

use tusk_policy::explain::{Dir, Step};
use tusk_policy::step::{Action, Admission, GatewayCase, PolicyRef, SidecarCase, StepRule};

/// `ingress` or `egress`.
pub fn dir(d: Dir) -> &'static str {
    match d {
        Dir::Ingress => "ingress",
        Dir::Egress => "egress",
    }
}

/// The action as the policy languages spell it: `Allow`, `Deny`, `Pass`,
/// `Unknown`, `Log`, `Custom`, `Audit`.
pub fn action(a: Action) -> &'static str {
    match a {
        Action::Allow => "Allow",
        Action::Deny => "Deny",
        Action::Pass => "Pass",
        Action::Unknown => "Unknown",
        Action::Log => "Log",
        Action::Custom => "Custom",
        Action::Audit => "Audit",
    }
}

/// `NS/NAME`, or `NAME` for a cluster-wide object.
fn scoped(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

/// The policy's title: `AdminNetworkPolicy x (priority 10)`,
/// `NetworkPolicy ns/y`, `Calico GlobalNetworkPolicy z (tier t, order 5)`, ...
pub fn policy(p: &PolicyRef) -> String {
    match p {
        PolicyRef::Admin { name, priority } => format!("AdminNetworkPolicy {name} (priority {priority})"),
        PolicyRef::Baseline { name } => format!("BaselineAdminNetworkPolicy {name}"),
        PolicyRef::NetworkPolicy { namespace, name } => format!("NetworkPolicy {namespace}/{name}"),
        PolicyRef::Cilium { kind, namespace, name } => format!("{kind} {}", scoped(namespace.as_deref(), name)),
        PolicyRef::Calico { kind, namespace, name, tier, order } => {
            let order = order.map_or("no order".to_string(), |o| format!("order {}", o.0));
            format!("Calico {} {} (tier {tier}, {order})", kind.name(), scoped(namespace.as_deref(), name))
        }
        PolicyRef::CalicoKubernetesPolicies { tier, order } => {
            format!("Kubernetes NetworkPolicies (tier {tier}, order {})", order.0)
        }
        PolicyRef::CalicoTier { name } => format!("Calico tier {name}"),
        PolicyRef::CalicoProfile { name } => format!("Calico Profile {name}"),
        PolicyRef::CalicoProfiles { names } => format!("Calico profiles {}", names.join(", ")),
        PolicyRef::Authorization { namespace, name, action } => {
            format!("AuthorizationPolicy {namespace}/{name} ({})", action.name())
        }
        PolicyRef::PeerAuthentication(Some((namespace, name))) => format!("PeerAuthentication {namespace}/{name}"),
        PolicyRef::PeerAuthentication(None) => "PeerAuthentication".to_string(),
        PolicyRef::Foreign { engine, kind, namespace, name } => {
            let engine = engine.name();
            let kind = if kind.starts_with(engine) { kind.clone() } else { format!("{engine} {kind}") };
            format!("{kind} {}", scoped(namespace.as_deref(), name))
        }
        PolicyRef::Sidecar { namespace, name } => format!("Sidecar {namespace}/{name}"),
        PolicyRef::Gateway { namespace, name } => format!("Gateway {namespace}/{name}"),
        PolicyRef::BuiltinAdmission => "built-in admission".to_string(),
        PolicyRef::HostNetworkPod => "hostNetwork pod".to_string(),
        PolicyRef::NoPolicy => "no policy decides".to_string(),
        PolicyRef::NoIstioProxy => "no Istio proxy".to_string(),
        PolicyRef::IstioProxy => "Istio proxy".to_string(),
    }
}

/// The built-in admission, in words.
pub fn admission(a: Admission) -> &'static str {
    match a {
        Admission::SelfTraffic => "a pod cannot block traffic to itself",
        Admission::FromOwnNode => "traffic from the node where the pod runs is always allowed",
        Admission::ToOwnNode => "traffic to the node where the pod runs is always allowed",
    }
}

/// What an Istio Sidecar's egress restriction does, in words.
pub fn sidecar(c: SidecarCase) -> &'static str {
    match c {
        SidecarCase::CustomCapture => {
            "an egress listener with `bind` or `captureMode: NONE`, which tusk does not model"
        }
        SidecarCase::EgressProxy => {
            "outboundTrafficPolicy.egressProxy: what the Sidecar does not import goes to that proxy"
        }
        SidecarCase::SourceSidecarUnknown => "whether the source runs a sidecar (its namespace is not declared)",
        SidecarCase::NotImported => "REGISTRY_ONLY: the destination is no host the Sidecar imports (BlackHoleCluster)",
        SidecarCase::ServiceHostOnly => {
            "REGISTRY_ONLY: reached through an imported Service's host, refused when addressed by pod IP"
        }
        SidecarCase::UnresolvedEntry => {
            "REGISTRY_ONLY: an imported ServiceEntry without addresses (resolved by DNS) or partly covering the address"
        }
        SidecarCase::Imported => "the destination is a host the Sidecar imports",
        SidecarCase::AllowAnyOnImportedPort => {
            "ALLOW_ANY: the destination is no imported host, but its port is an imported host's, where passthrough depends on the Istio version (istio#39794)"
        }
    }
}

/// The rule's name or position (`ingress[2]`, `rules[0]`), or the default
/// that applied, in words.
pub fn rule(r: &StepRule) -> String {
    match r {
        StepRule::Position { dir: d, index } => format!("{}[{index}]", dir(*d)),
        StepRule::Named(name) => name.clone(),
        StepRule::IstioRule(i) => format!("rules[{i}]"),
        StepRule::SelectsNoRuleAllows(d) => format!("selects the pod for {}; no rule allows this flow", dir(*d)),
        StepRule::NotIsolated(d) => format!("{} not isolated", dir(*d)),
        StepRule::DefaultDenyOff(d) => {
            format!("enableDefaultDeny off for {}; no deny rule matches this flow", dir(*d))
        }
        StepRule::PeerNodeHostPolicy => "host policy of the peer node: may refuse this pod".to_string(),
        StepRule::MaySelect { pod, dir: d, engine } => {
            format!("may select {pod} for {}; tusk does not model {} policies", dir(*d), engine.name())
        }
        StepRule::HostNetworkUnselected => {
            "no policy selects it under this reading; its traffic is the node's".to_string()
        }
        StepRule::Admission(a) => admission(*a).to_string(),
        StepRule::NetworkPoliciesAllow => "some rule allows (see above)".to_string(),
        StepRule::EndOfTier => "end of tier: no rule decided the flow".to_string(),
        StepRule::NamespaceProfileDecides => {
            "no policy decided; the namespace profile (not in the input) allows everything".to_string()
        }
        StepRule::NamespaceProfileAllows => "namespace profile (not in the input): allows everything".to_string(),
        StepRule::NoProfileRuleMatched => "no profile rule matched: dropped".to_string(),
        StepRule::NoProxy { pod, why } => {
            let why = why.as_ref().map_or("hostNetwork pod".to_string(), super::doubt::mesh_why);
            format!(
                "{pod} has no sidecar and is not in ambient mode ({why}): Istio's policies are not enforced for it, at L4 or L7"
            )
        }
        StepRule::OnlyTcp { pod, proto } => format!("only TCP is intercepted: {proto} passes the proxy of {pod}"),
        StepRule::MtlsStrict { port } => {
            format!("mTLS STRICT on port {port}: a plaintext peer (no sidecar, a node, an outside address) is refused")
        }
        StepRule::AllowPolicyWithoutRules => "ALLOW policy without rules: allows nothing".to_string(),
        StepRule::AllowPolicyNoRuleMatches => {
            "an ALLOW policy applies to the pod and none of its rules matches this flow".to_string()
        }
        StepRule::NoAllowNoDeny => "no ALLOW policy applies and no DENY rule matches: allowed".to_string(),
        StepRule::Sidecar(c) => sidecar(*c).to_string(),
        StepRule::Gateway(GatewayCase::Routed(by)) => {
            format!("the gateway pod forwards there: {}", super::explain::route_ref_text(by))
        }
        StepRule::Gateway(GatewayCase::NotRouted) => {
            "the gateway pod opens no such connection: no route of a VirtualService bound to its Gateway sends traffic to this destination and port".to_string()
        }
        StepRule::Gateway(GatewayCase::Unknown) => "whether a route of the gateway sends traffic there".to_string(),
    }
}

/// A decisive step as `check` and `diff` cite it: `POLICY RULE (ACTION)`.
pub fn cited(s: &Step) -> String {
    format!("{} {} ({})", policy(&s.policy), rule(&s.rule), action(s.action))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tusk_model::calico::CalicoKind;
    use tusk_policy::step::Order;

    #[test]
    fn calico_titles_name_the_tier_and_the_order_or_its_absence() {
        let p = |order| PolicyRef::Calico {
            kind: CalicoKind::GlobalNetworkPolicy,
            namespace: None,
            name: "deny-all".into(),
            tier: "security".into(),
            order,
        };
        assert_eq!(policy(&p(None)), "Calico GlobalNetworkPolicy deny-all (tier security, no order)");
        assert_eq!(policy(&p(Some(Order(2.5)))), "Calico GlobalNetworkPolicy deny-all (tier security, order 2.5)");
        let k8s = PolicyRef::CalicoKubernetesPolicies { tier: "default".into(), order: Order(1000.0) };
        assert_eq!(policy(&k8s), "Kubernetes NetworkPolicies (tier default, order 1000)");
    }

    #[test]
    fn positions_and_defaults_read_as_before() {
        assert_eq!(rule(&StepRule::Position { dir: Dir::Egress, index: 2 }), "egress[2]");
        assert_eq!(rule(&StepRule::NotIsolated(Dir::Ingress)), "ingress not isolated");
        assert_eq!(rule(&StepRule::IstioRule(0)), "rules[0]");
        let host = StepRule::NoProxy { pod: "a/b".into(), why: None };
        assert!(rule(&host).starts_with("a/b has no sidecar and is not in ambient mode (hostNetwork pod)"));
    }
}
