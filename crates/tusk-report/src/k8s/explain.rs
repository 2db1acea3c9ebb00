//! `tusk explain`: every layer a flow crossed at each end, the rules that
//! matched with their source lines, and the verdict.

use super::{doubt, step};
use serde::Serialize;
use std::io;
use tusk_model::k8s::Cluster;
use tusk_policy::explain::{Explanation, Layer, PolicyRef, Reason, Side, Verdict};
use tusk_policy::lang::istio::route::{
    RouteDoubt, RouteOwner, RoutePos, RouteRef, Routing, ServerDoubt, VirtualServiceRef,
};
use tusk_policy::services::ServiceExplanation;

fn verdict_text(v: &Verdict) -> String {
    match v {
        Verdict::Allowed => "ALLOWED".into(),
        Verdict::Denied => "DENIED".into(),
        Verdict::Unknown(u) => format!("UNKNOWN ({})", unknown_text(u)),
    }
}

/// An unknown verdict's reason, with the location of the doubt.
fn unknown_text(u: &tusk_core::Unknown<Reason>) -> String {
    match &u.loc {
        Some(l) if !matches!(u.reason, Reason::Unmodelled { .. }) => format!("{} ({l})", reason_text(&u.reason)),
        _ => reason_text(&u.reason),
    }
}

/// Words a reason of the Kubernetes engine.
pub fn reason_text(r: &Reason) -> String {
    fn kinds<T>(parts: &[(tusk_core::Kind, T)], with: &str, word: impl Fn(&T) -> String) -> String {
        parts.iter().map(|(k, d)| format!("{k} {with} {}", word(d))).collect::<Vec<_>>().join("; ")
    }
    match r {
        Reason::PodIpUnknown { pod, policy, rule } => {
            // An AdminNetworkPolicy's rule is named as a rule; a
            // NetworkPolicy's by its position alone.
            let sep = match **policy {
                PolicyRef::Admin { .. } | PolicyRef::Baseline { .. } => " rule ",
                _ => " ",
            };
            let what = format!("{}{sep}{}", step::policy(policy), step::rule(rule));
            format!("{what} may match the IP of {pod}, which the input does not give")
        }
        Reason::Unmodelled { policies, pod, ingress } => format!(
            "{} may decide {} of {pod}, and tusk does not model it",
            policies.iter().map(|(p, l)| format!("{} ({l})", step::policy(p))).collect::<Vec<_>>().join(", "),
            if *ingress { "ingress" } else { "egress" }
        ),
        Reason::CiliumUnmodelled { rule, what } => format!(
            "{} may match the flow, but it uses {}, which tusk does not model",
            doubt::doubt_at(rule),
            doubt::not_modelled(what)
        ),
        Reason::Istio { rule, what } => format!(
            "{} may decide the flow at the destination's Istio proxy, depending on {}",
            doubt::doubt_at(rule),
            doubt::istio(what)
        ),
        Reason::HostNetwork { pod, as_pods, ignored } => format!(
            "{pod} is a hostNetwork pod: {as_pods} if the network plugin applies policies to it, {ignored} if it ignores it (upstream leaves this undefined; --policy-engine names the plugin)"
        ),
        Reason::Readings(parts) => format!("the inputs leave it open: {}", kinds(parts, "with", doubt::reading)),
        Reason::NoServicePort { service, proto, port, ports } => format!(
            "{} has no port {proto} {port}: kube-proxy has nowhere to send the flow (ports: {})",
            doubt::service(service),
            ports.iter().map(|(p, n)| format!("{p} {n}")).collect::<Vec<_>>().join(", ")
        ),
        Reason::NoSelector { service } => format!(
            "{} has no selector: its endpoints (EndpointSlices) are not in the input",
            doubt::service(service)
        ),
        Reason::NoEndpoints { service, proto, port } => format!(
            "no pod of the input is an endpoint of {} port {proto} {port}: its endpoints are not in the input",
            doubt::service(service)
        ),
        Reason::MixedEndpoints(parts) => {
            format!("the endpoints differ (mixed): {}", kinds(parts, "to", doubt::endpoint_part))
        }
        Reason::VirtualService { by, why } => {
            format!("{} sends the flow from the source's sidecar, and {}", route_ref_text(by), doubt_text(why))
        }
        Reason::GatewayRoute { by, why } => {
            format!("the source is an Istio gateway pod; {} decides where it forwards, and {}", route_ref_text(by), doubt_text(why))
        }
    }
}

/// `VirtualService NS/NAME http[0]`, `Gateway NS/NAME server port 80`,
/// `control plane`.
pub(crate) fn route_ref_text(r: &RouteRef) -> String {
    let owner = match &r.vs {
        RouteOwner::VirtualService(v) => vs_text(v),
        RouteOwner::Gateway { gateway, port: Some(p) } => {
            format!("Gateway {}/{} server port {p}", gateway.namespace, gateway.name)
        }
        RouteOwner::Gateway { gateway, port: None } => format!("Gateway {}/{}", gateway.namespace, gateway.name),
        RouteOwner::ControlPlane => "control plane".to_string(),
    };
    match &r.route {
        Some(route) => format!("{owner} {}", route_pos_text(route)),
        None => owner,
    }
}

/// `VirtualService NS/NAME`.
fn vs_text(v: &VirtualServiceRef) -> String {
    format!("VirtualService {}/{}", v.namespace, v.name)
}

/// `http[0]`, or `http[0] (name)`.
fn route_pos_text(r: &RoutePos) -> String {
    match &r.name {
        Some(n) => format!("{}[{}] ({n})", r.kind.name(), r.index),
        None => format!("{}[{}]", r.kind.name(), r.index),
    }
}

/// Why a VirtualService route is not followed.
fn doubt_text(d: &RouteDoubt) -> String {
    use tusk_model::istio_route::MatchField as F;
    match d {
        RouteDoubt::Match(f) => {
            let what = match f {
                F::Headers => "HTTP headers",
                F::WithoutHeaders => "the absence of HTTP headers (withoutHeaders)",
                F::Uri => "the request URI (give --http-path)",
                F::Method => "the HTTP method (give --http-method)",
                F::QueryParams => "query parameters",
                F::Authority => "the authority (Host header)",
                F::Scheme => "the URI scheme",
                F::SniHosts => "the TLS SNI host",
                F::DestinationSubnets => "the destination subnet",
            };
            format!("the route matches on {what}, which the flow does not carry")
        }
        RouteDoubt::Regex => "the route matches by regex, which tusk does not evaluate".into(),
        RouteDoubt::NoRouteMatches => "no route matches the flow (the proxy answers itself; not modelled)".into(),
        RouteDoubt::Redirect => "the route redirects the client (a new request, not followed)".into(),
        RouteDoubt::DirectResponse => "the route answers at the proxy without forwarding (not modelled)".into(),
        RouteDoubt::Delegate(to) => format!("the route delegates to VirtualService {to} (delegation is not modelled)"),
        RouteDoubt::NoAction => "the route has no destination".into(),
        RouteDoubt::PartialAbort(None) => "the route aborts requests without stating the share".into(),
        RouteDoubt::PartialAbort(Some(p)) => {
            format!("the route aborts {p}% of the requests while the rest may reach the destination")
        }
        RouteDoubt::Rewrite => "the route rewrites the request before forwarding it".into(),
        RouteDoubt::PartialHost(h) => {
            format!("its host `{h}` is partly qualified, which Istio does not expand like a short name")
        }
        RouteDoubt::Several(v) => format!(
            "several VirtualServices name the host for the mesh: {}",
            v.iter().map(vs_text).collect::<Vec<_>>().join(", ")
        ),
        RouteDoubt::NotAService(h) => format!("its destination `{h}` is no Service of the input"),
        RouteDoubt::DestinationPort(h) => format!("the port of destination `{h}` is not given and it has several"),
        RouteDoubt::Subset { host, subset } => {
            format!("no DestinationRule of the input defines subset `{subset}` of `{host}`")
        }
        RouteDoubt::EmptySubset { service, subset } => {
            format!("no pod of the input is an endpoint of Service {}/{} in subset `{subset}`", service.namespace, service.name)
        }
        RouteDoubt::NoWeight => "no destination has a weight above 0".into(),
        RouteDoubt::Protocol(name) => format!(
            "the Service port's name `{name}` does not give its protocol, so the proxy sniffs it and any route list may apply"
        ),
        RouteDoubt::ShadowedBy(r) => {
            format!("an earlier route ({r}) has a condition tusk does not evaluate and may catch every request this one matches")
        }
        RouteDoubt::GatewayServer(what) => {
            let what = match what {
                ServerDoubt::AutoPassthrough => "tls mode AUTO_PASSTHROUGH".to_string(),
                ServerDoubt::Protocol(p) => format!("protocol `{p}`"),
            };
            format!("the server's {what} routes in a way tusk does not model")
        }
        RouteDoubt::ResolvedByDns(e) => format!("the destination is {e}, which has no addresses (resolved by DNS)"),
        RouteDoubt::SourceDataplane(d) => format!(
            "the source's dataplane is {} (only a sidecar applies VirtualServices to its own traffic)",
            match d {
                tusk_model::istio::Dataplane::Ambient => "ambient",
                tusk_model::istio::Dataplane::Unknown => "not known",
                _ => "other",
            }
        ),
    }
}

/// The routing line of a flow to a Service, when a VirtualService applies.
fn routing_text(c: &Cluster, r: &Routing) -> Option<String> {
    Some(match r {
        Routing::Direct => return None,
        Routing::Aborted(by) => {
            format!("routed: {} ({}) aborts every request at the source's sidecar", route_ref_text(by), by.loc)
        }
        Routing::Unknown(by, _) => format!("routed: {} ({}) applies; not followed", route_ref_text(by), by.loc),
        Routing::Forward { by, targets, abort } => {
            let to: Vec<String> = targets
                .iter()
                .map(|t| {
                    let s = &c.services[t.service];
                    let subset = t.subset.as_ref().map(|(n, _)| format!(" subset {n}")).unwrap_or_default();
                    format!("Service {}/{} port {}{subset} (weight {})", s.namespace, s.name, t.port, t.weight)
                })
                .collect();
            let abort = abort.map(|p| format!("; aborts {p}% of the requests")).unwrap_or_default();
            format!("routed: {} ({}) to {}{abort}", route_ref_text(by), by.loc, to.join(", "))
        }
    })
}

/// The tier's name as explain and trace print it (`Calico`, `Istio`, ...).
pub(crate) fn layer_name(l: Layer) -> &'static str {
    match l {
        Layer::Admin => "AdminNetworkPolicy",
        Layer::NetworkPolicy => "NetworkPolicy",
        Layer::Baseline => "BaselineAdminNetworkPolicy",
        Layer::Cilium => "Cilium",
        Layer::Calico => "Calico",
        Layer::Istio => "Istio",
        Layer::Default => "default",
        Layer::Unmodelled => "not modelled",
    }
}

fn side_text(out: &mut String, title: &str, s: &Side) {
    if !s.applies {
        *out += &format!("{title}: not a pod, no pod policy applies\n");
        return;
    }
    *out += &format!("{title}: {}\n", verdict_text(&s.verdict));
    for st in &s.steps {
        let mark = if st.decisive { "=>" } else { "  " };
        let loc = st.loc.as_ref().map(|l| format!("  ({l})")).unwrap_or_default();
        *out += &format!(
            "  {mark} [{}] {} / {}: {}{loc}\n",
            layer_name(st.layer),
            step::policy(&st.policy),
            step::rule(&st.rule),
            step::action(st.action)
        );
    }
}

/// One flow's explanation as text: the flow and semantics, then per side
/// the layers and rules that decided, the decisive one marked `=>`.
pub fn render_explanation(flow: &str, semantics: &str, e: &Explanation) -> String {
    let mut out = format!("flow: {flow}\nsemantics: {semantics}\n\n");
    side_text(&mut out, "egress at source", &e.egress);
    side_text(&mut out, "ingress at destination", &e.ingress);
    out += &format!("\nverdict: {}\n", verdict_text(&e.verdict));
    out
}

/// The `schema` of the explanation document.
pub const SCHEMA: &str = "tusk.explain/v1";

/// The JSON explanation (`tusk explain -o json`):
///
/// ```json
/// { "schema": "tusk.explain/v1", "flow": "a/web -> b/db TCP 5432", "semantics": "...",
///   "verdict": "allowed" | "denied" | "unknown", "reason": null | "why unknown",
///   "routing": null | "the VirtualService route that sent the flow, with file:line",
///   "egress":  {"applies": true, "verdict": "allowed", "steps": [
///       {"layer": "NetworkPolicy", "policy": "NetworkPolicy a/x", "rule": "egress[0]",
///        "action": "Allow", "location": "file.yaml:12:5", "decisive": true}]},
///   "ingress": { ... same shape ... } }
/// ```
pub fn write_explanation_json(w: &mut dyn io::Write, flow: &str, semantics: &str, e: &Explanation) -> io::Result<()> {
    let (verdict, reason) = verdict_json(&e.verdict);
    let doc = ExplanationJson {
        schema: SCHEMA,
        flow,
        semantics,
        verdict,
        reason,
        egress: side_json(&e.egress),
        ingress: side_json(&e.ingress),
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}

fn verdict_json(v: &Verdict) -> (&'static str, Option<String>) {
    match v {
        Verdict::Allowed => ("allowed", None),
        Verdict::Denied => ("denied", None),
        Verdict::Unknown(u) => ("unknown", Some(unknown_text(u))),
    }
}

fn side_json(s: &Side) -> SideJson {
    SideJson {
        applies: s.applies,
        verdict: verdict_json(&s.verdict).0,
        steps: s
            .steps
            .iter()
            .map(|s| StepJson {
                layer: layer_name(s.layer),
                policy: step::policy(&s.policy),
                rule: step::rule(&s.rule),
                action: step::action(s.action),
                location: s.loc.as_ref().map(|l| l.to_string()),
                decisive: s.decisive,
            })
            .collect(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExplanationJson<'a> {
    schema: &'static str,
    flow: &'a str,
    semantics: &'a str,
    verdict: &'static str,
    reason: Option<String>,
    egress: SideJson,
    ingress: SideJson,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SideJson {
    applies: bool,
    verdict: &'static str,
    steps: Vec<StepJson>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StepJson {
    layer: &'static str,
    policy: String,
    rule: String,
    action: &'static str,
    location: Option<String>,
    decisive: bool,
}

/// The schema of a flow to a Service's address.
pub const SERVICE_SCHEMA: &str = "tusk.explain-service/v1";

/// A flow to a Service address: each endpoint pod's explanation on its
/// target port, then the verdict over all of them.
pub fn render_service_explanation(c: &Cluster, flow: &str, semantics: &str, e: &ServiceExplanation) -> String {
    let mut out = format!(
        "flow: {flow}\nsemantics: {semantics}\n\n{}: {} endpoint pod(s); policies see the flow after the Service address is translated to one of them\n",
        doubt::service(&e.service),
        e.endpoints.iter().map(|(pod, _, _)| u64::from(c.pods[*pod].count())).sum::<u64>()
    );
    if let Some(line) = e.routing.as_ref().and_then(|r| routing_text(c, r)) {
        out += &line;
        out += "\n";
    }
    // A template entry stands for its replicas, alike: one section each.
    for (pod, target, x) in &e.endpoints {
        let p = &c.pods[*pod];
        for r in 0..p.count() {
            let (name, verdict) = (p.replica_name(r), verdict_text(&x.verdict));
            out += &format!("\n-- endpoint {}/{name} (target port {target}): {verdict}\n", p.namespace);
            side_text(&mut out, "egress at source", &x.egress);
            side_text(&mut out, "ingress at destination", &x.ingress);
        }
    }
    out += &format!("\nverdict over all endpoints: {}\n", verdict_text(&e.verdict));
    out
}

/// The JSON of a flow to a Service:
///
/// ```json
/// { "schema": "tusk.explain-service/v1", "flow": "...", "semantics": "...",
///   "service": "Service kube-system/kube-dns",
///   "verdict": "allowed" | "denied" | "unknown", "reason": null | "why unknown",
///   "routing": null | "the VirtualService route that sent the flow, with file:line",
///   "endpoints": [ {"pod": "kube-system/coredns-1", "targetPort": 53,
///                   "verdict": ..., "reason": ..., "egress": {...}, "ingress": {...}} ] }
///                   (egress / ingress as in tusk.explain/v1)
/// ```
pub fn render_service_explanation_json(c: &Cluster, flow: &str, semantics: &str, e: &ServiceExplanation) -> String {
    use serde_json::json;
    let (verdict, reason) = match &e.verdict {
        Verdict::Allowed => ("allowed", None),
        Verdict::Denied => ("denied", None),
        Verdict::Unknown(u) => ("unknown", Some(unknown_text(u))),
    };
    let endpoints: Vec<_> = e
        .endpoints
        .iter()
        .flat_map(|(pod, t, x)| {
            let p = &c.pods[*pod];
            (0..p.count()).map(move |replica| {
                let name = format!("{}/{}", p.namespace, p.replica_name(replica));
                let (v, r) = verdict_json(&x.verdict);
                json!({"pod": name, "targetPort": t, "verdict": v, "reason": r,
                       "egress": side_json(&x.egress), "ingress": side_json(&x.ingress)})
            })
        })
        .collect();
    let routing = e.routing.as_ref().and_then(|r| routing_text(c, r));
    let doc = json!({"schema": SERVICE_SCHEMA, "flow": flow, "semantics": semantics, "service": doubt::service(&e.service),
                     "verdict": verdict, "reason": reason, "routing": routing, "endpoints": endpoints});
    serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use tusk_model::istio_route::RouteKind;

    fn vs(ns: &str, name: &str) -> VirtualServiceRef {
        VirtualServiceRef { namespace: ns.into(), name: name.into() }
    }

    #[test]
    fn route_keys_are_worded_as_kind_namespace_name_and_position() {
        let at = tusk_core::Loc::builtin("test");
        let r = RouteRef { vs: RouteOwner::VirtualService(vs("shop", "reviews")), route: None, loc: at.clone() };
        assert_eq!(route_ref_text(&r), "VirtualService shop/reviews");
        let named = RoutePos { kind: RouteKind::Tcp, index: 1, name: Some("db".into()) };
        let r = RouteRef { vs: RouteOwner::VirtualService(vs("shop", "reviews")), route: Some(named), loc: at };
        assert_eq!(route_ref_text(&r), "VirtualService shop/reviews tcp[1] (db)");
    }

    #[test]
    fn several_virtual_services_and_an_empty_subset_name_their_objects() {
        let d = RouteDoubt::Several(vec![vs("a", "one"), vs("b", "two")]);
        assert_eq!(
            doubt_text(&d),
            "several VirtualServices name the host for the mesh: VirtualService a/one, VirtualService b/two"
        );
        let service = tusk_policy::reason::ServiceRef { namespace: "shop".into(), name: "api".into() };
        let d = RouteDoubt::EmptySubset { service, subset: "v2".into() };
        assert_eq!(doubt_text(&d), "no pod of the input is an endpoint of Service shop/api in subset `v2`");
    }
}
