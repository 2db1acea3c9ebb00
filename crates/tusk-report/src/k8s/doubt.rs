//! The words of what an unknown Kubernetes verdict doubts: where the doubt
//! sits and what tusk cannot decide of it (Cilium, Calico and Istio rules,
//! a pod's mesh membership, the readings the inputs leave open, a
//! Service's endpoints). tusk-policy and tusk-model record these as enums
//! ([`tusk_policy::doubt`], [`tusk_policy::reason`]); every reporter words
//! them here, next to the steps' words ([`super::step`]).

use super::step;
use tusk_model::calico::{CalicoUnmodelled, RuleEnd};
use tusk_model::cilium::{CiliumUnmodelled, Entity};
use tusk_model::istio::{MeshWhy, NoSidecar};
use tusk_policy::doubt::{DoubtAt, HttpField, IstioDoubt, NotModelled};
use tusk_policy::foreign::Note;
use tusk_policy::ingress_controller::{BackendDoubt, BackendWhy, ControllerReach, InTheWay};
use tusk_policy::reason::{EndpointPart, ReadingLabel, ServiceRef};

/// Where the doubt sits: `POLICY RULE`, a policy's title, a host policy
/// (`... (host policy, node egress)`), `the proxy of NS/NAME`, or the
/// placeholders `a Calico rule` and `Istio`.
pub fn doubt_at(d: &DoubtAt) -> String {
    match d {
        DoubtAt::Rule { policy, rule } => format!("{} {}", step::policy(policy), step::rule(rule)),
        DoubtAt::Policy(p) => step::policy(p),
        DoubtAt::HostPolicy { policy, node_egress } => {
            let dir = if *node_egress { "egress" } else { "ingress" };
            format!("{} (host policy, node {dir})", step::policy(policy))
        }
        DoubtAt::Proxy { pod } => format!("the proxy of {pod}"),
        DoubtAt::AnyCalicoRule => "a Calico rule".to_string(),
        DoubtAt::AnyIstio => "Istio".to_string(),
    }
}

/// What a Cilium or Calico rule uses that tusk does not model, in words.
pub fn not_modelled(n: &NotModelled) -> String {
    match n {
        NotModelled::UndeclaredNamespaceLabels => "namespace labels of a namespace no input declares".to_string(),
        NotModelled::CidrPeer => "a CIDR peer".to_string(),
        NotModelled::Entity(e) => entity(*e),
        NotModelled::Cilium(u) => cilium(u),
        NotModelled::UnresolvedPeer => "a peer tusk cannot resolve".to_string(),
        NotModelled::HostFirewall => "a host policy on the peer node that does not let this pod through on every \
                                      port; whether the Cilium agent enforces host policies (its host firewall) is \
                                      not in the input"
            .to_string(),
        NotModelled::Calico(u) => calico(u),
        NotModelled::PeerAddress => "a peer whose address the input lacks".to_string(),
        NotModelled::UnresolvedMatch => "an unresolved match".to_string(),
    }
}

/// A Cilium entity whose members the inputs do not give, with what is
/// missing (Cilium docs, "Layer 3 Policies", "Entities Based").
fn entity(e: Entity) -> String {
    match e {
        Entity::Host | Entity::RemoteNode => format!(
            "entity `{}`: which node the pod or its hostNetwork peer runs on is not in the input (spec.nodeName naming a declared Node)",
            e.name()
        ),
        Entity::KubeApiserver => "entity `kube-apiserver`: the API server's addresses (the endpoints of Service default/kubernetes) are not in the input".to_string(),
        Entity::Health => "entity `health`: the addresses of Cilium's per-node health endpoints are not in the input".to_string(),
        Entity::Ingress => "entity `ingress`: the addresses of Cilium's ingress Envoy are not in the input".to_string(),
        Entity::Unmanaged => "entity `unmanaged`: which addresses are pods Cilium does not manage is not in the input".to_string(),
        e => format!("entity `{}`", e.name()),
    }
}

/// What of a Cilium rule tusk does not model: `` `toFQDNs` ``, `` L7 `rules` ``, ...
pub fn cilium(u: &CiliumUnmodelled) -> String {
    match u {
        CiliumUnmodelled::Field(k) => format!("`{k}`"),
        CiliumUnmodelled::LabelSource(k) => format!("`label source of `{k}``"),
        CiliumUnmodelled::DerivedLabel(k) => format!("`derived label `{k}``"),
        CiliumUnmodelled::Icmps => "`icmps` (ICMP types; the flow names no ICMP type)".to_string(),
        CiliumUnmodelled::L7(k) => format!("L7 `{k}`"),
    }
}

/// What of a Calico rule tusk does not model.
pub fn calico(u: &CalicoUnmodelled) -> String {
    let end = |e: &RuleEnd| match e {
        RuleEnd::Source => "source",
        RuleEnd::Destination => "destination",
    };
    match u {
        CalicoUnmodelled::ServiceAccounts(e) => {
            format!("{}.serviceAccounts (tusk does not read service accounts)", end(e))
        }
        CalicoUnmodelled::Services(e) => format!("{}.services (Service endpoints as peers are not modelled)", end(e)),
        CalicoUnmodelled::IcmpTypeCode { not } => {
            format!("{} type/code (tusk's flows carry no ICMP type)", if *not { "notICMP" } else { "icmp" })
        }
        CalicoUnmodelled::Http => "an http match (layer 7)".to_string(),
        CalicoUnmodelled::SourcePorts => "source ports (tusk's flows carry no source port)".to_string(),
        CalicoUnmodelled::Protocol { spelled, not } => {
            format!("{}protocol {spelled}", if *not { "not" } else { "" })
        }
        CalicoUnmodelled::NamedNotPort => "a named port in notPorts".to_string(),
        CalicoUnmodelled::NamedPortWithNot => "a named port with notPorts or notProtocol".to_string(),
    }
}

/// What an Istio decision depends on that the flow or the inputs lack.
pub fn istio(d: &IstioDoubt) -> String {
    match d {
        IstioDoubt::HasProxy(why) => format!("whether it has one: {}", mesh_why(why)),
        IstioDoubt::SourceSidecar => "whether the source has a sidecar (its namespace is not declared)".to_string(),
        IstioDoubt::Applies => "whether it applies to the pod".to_string(),
        IstioDoubt::TargetRefs(refs) => format!(
            "whether it applies to the pod: targetRef(s) {} attach to gateways and waypoints, and tusk cannot tell which pods they serve",
            refs.join(", ")
        ),
        IstioDoubt::ExternalAuthorizer => "the answer of the external authorizer (CUSTOM provider)".to_string(),
        IstioDoubt::AmbientL7 => "an L7 field at an ambient pod (ztunnel or a waypoint)".to_string(),
        IstioDoubt::RequestAttribute(k) => format!("the request attribute `{k}` (when condition)"),
        IstioDoubt::Http(f) => {
            let name = match f {
                HttpField::Method => "method",
                HttpField::Path => "path",
            };
            format!("the HTTP {name} (give --http-{name})")
        }
        IstioDoubt::HostHeader => "the HTTP Host header (hosts)".to_string(),
        IstioDoubt::RequestPrincipals => {
            "JWT request principals (requestPrincipals), which only the request carries".to_string()
        }
        IstioDoubt::Sidecar(c) => step::sidecar(*c).to_string(),
        IstioDoubt::Undecided => "an undecided match".to_string(),
    }
}

/// Why tusk read a pod's Istio dataplane as it did (Istio docs, "Installing
/// the Sidecar", automatic injection; "Adding workloads to the mesh").
pub fn mesh_why(w: &MeshWhy) -> String {
    let no_sidecar = |n: &NoSidecar| match n {
        NoSidecar::NoLiveProxy => "the live pod runs no istio-proxy container",
        NoSidecar::NoInjection => "no sidecar injection applies",
    };
    match w {
        MeshWhy::Unread => String::new(),
        MeshWhy::LiveProxy => "the live pod runs an istio-proxy container".to_string(),
        MeshWhy::GatewayProxy => {
            "it is an Istio gateway proxy (its only container is istio-proxy, or it asks for the gateway injection template)".to_string()
        }
        MeshWhy::InjectLabel => "label sidecar.istio.io/inject=true".to_string(),
        MeshWhy::InjectOff => "sidecar.istio.io/inject=false".to_string(),
        MeshWhy::NamespaceUndeclared(ns) => {
            format!("namespace {ns} is not declared: its injection labels are unknown")
        }
        MeshWhy::NamespaceInjection(ns) => format!("namespace {ns} has istio-injection=enabled"),
        MeshWhy::NamespaceRevision(ns) => format!("namespace {ns} has an istio.io/rev label"),
        MeshWhy::AmbientPodLabel => "pod label istio.io/dataplane-mode=ambient".to_string(),
        MeshWhy::AmbientNamespace(ns) => format!("namespace {ns} has istio.io/dataplane-mode=ambient"),
        MeshWhy::NoSidecar(n) => no_sidecar(n).to_string(),
        MeshWhy::DataplaneNone(n) => format!("{}; pod label istio.io/dataplane-mode=none", no_sidecar(n)),
    }
}

/// What one reading assumes: each pod's assumed address, whether what the
/// inputs lack matches, the order of equal-priority AdminNetworkPolicies.
pub fn reading(r: &ReadingLabel) -> String {
    let mut parts: Vec<String> = r.pods.iter().map(|(pod, ip)| format!("pod {pod} at {ip}")).collect();
    if let Some(wide) = r.wide {
        let what = if wide { "matching" } else { "not matching" };
        parts.push(format!(
            "what the input lacks {what} (node addresses of `nodes` peers, labels of undeclared namespaces)"
        ));
    }
    if let Some(o) = r.order {
        parts.push(format!("order {} of the AdminNetworkPolicies sharing a priority", o + 1));
    }
    parts.join(", ")
}

/// One endpoint (or group of them) of a Service whose endpoints disagree.
pub fn endpoint_part(e: &EndpointPart) -> String {
    match e {
        EndpointPart::Pod(p) => p.clone(),
        EndpointPart::SourceItself { workload } => format!("the source itself (a replica of {workload})"),
        EndpointPart::OtherReplicas { workload } => format!("the other replicas of {workload}"),
    }
}

/// `Service NS/NAME`.
pub fn service(s: &ServiceRef) -> String {
    format!("Service {}/{}", s.namespace, s.name)
}

/// `NS/NAME`, or `NAME` for a cluster-wide object.
fn scoped(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

/// A note printed beside the verdicts (on stderr): `LOCATION: what`.
pub fn note(n: &Note) -> String {
    match n {
        Note::Staged { kind, namespace, name, loc } => format!(
            "{loc}: Calico {} {}: staged policies preview rules and are not enforced; it changes no verdict",
            kind.name(),
            scoped(namespace.as_deref(), name)
        ),
        Note::HostEndpoint { name, loc } => format!(
            "{loc}: Calico HostEndpoint {name}: traffic of the host itself is not modelled; pod verdicts do not include host endpoint policies"
        ),
        Note::NotEnforced { policy, loc, engine } => {
            let foreign = match policy {
                tusk_policy::step::PolicyRef::Foreign { engine, .. } => format!(" ({})", engine.name()),
                _ => String::new(),
            };
            format!(
                "{loc}: {}{foreign} is not enforced by the cluster's policy engine (--policy-engine {}); it changes no verdict",
                step::policy(policy),
                engine.flag()
            )
        }
    }
}

/// Why the ingress controller's reach to one backend is undecided:
/// `Ingress NS/NAME backend SERVICE (LOCATION): why`.
pub fn backend_doubt(d: &BackendDoubt) -> String {
    let why = match &d.why {
        BackendWhy::NoService => "no such Service in the inputs".to_string(),
        BackendWhy::NoTcpPort(s) => format!("{} has no such TCP port", service(s)),
        BackendWhy::Endpoints(r) => super::reason_text(r),
        BackendWhy::InTheWay { pod, by } => {
            let by = match by {
                InTheWay::NetworkPolicy { namespace, name, loc } => {
                    format!("NetworkPolicy {namespace}/{name} ({loc}) selects it for ingress")
                }
                InTheWay::AdminIngress { name, loc } => format!("{name} ({loc}) has ingress rules"),
                InTheWay::CiliumInForce => "Cilium policies are in force".to_string(),
                InTheWay::Foreign { policy, loc } => format!("{} ({loc}) may select it", step::policy(policy)),
            };
            format!("pod {pod}: {by}; the controller's namespace and labels are not in the inputs")
        }
    };
    format!("Ingress {}/{} backend {} ({}): {why}", d.namespace, d.ingress, d.service, d.loc)
}

/// The ingress controller's undecided backends, one line each, sorted and
/// without repeats.
pub fn ingress_controller_unknown(r: &ControllerReach) -> Vec<String> {
    let mut out: Vec<String> = r.unknown.iter().map(backend_doubt).collect();
    out.sort();
    out.dedup();
    out
}
