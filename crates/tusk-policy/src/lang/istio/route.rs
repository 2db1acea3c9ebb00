//! Where a client's sidecar sends a flow addressed to a Service host, when
//! a VirtualService bound to the mesh names that host (Istio docs, "Virtual
//! Service" reference: `hosts`, `gateways` — omitted means `mesh`, every
//! sidecar —, `exportTo`, and the `http` / `tls` / `tcp` routes evaluated in
//! order, the first match winning).
//!
//! [`route`] answers, for one flow from a pod to one Service port:
//! * [`Routing::Direct`]: no VirtualService applies (the source has no
//!   sidecar, none names the host, none is exported to the source's
//!   namespace, or none of its route lists applies to the port's protocol):
//!   the flow goes to the Service's own endpoints;
//! * [`Routing::Forward`]: the matching route's destinations (each one a
//!   Service port, possibly narrowed to a DestinationRule subset; a
//!   weighted split gives each destination with a weight above 0);
//! * [`Routing::Aborted`]: a `fault.abort` of 100 % answers at the client's
//!   proxy, so the destination is never reached;
//! * [`Routing::Unknown`]: the route depends on what the flow does not
//!   carry (headers, SNI, a URI without `--http-path`), redirects, answers
//!   directly, delegates, or names what the input does not hold.
//!
//! Host matching: a short name means the Service of that name in the
//! VirtualService's (or DestinationRule's) namespace, an FQDN
//! `NAME.NS.svc.cluster.local` that Service, `*.suffix` every host ending
//! so ("Note for Kubernetes users" under `hosts`); a partly qualified name
//! (`NAME.NS`) is not expanded by Istio's registry and is unknown here.
//! The cluster domain is assumed to be `cluster.local`.
//!
//! The port's protocol picks the route list (Istio docs, "Protocol
//! Selection": the Service port's name prefix `http`, `http2`, `grpc`,
//! `tcp`, `tls`, `https`, `mongo`, `mysql`, `redis`, ...). A port whose
//! protocol the name does not give is sniffed by the proxy: any route list
//! of the VirtualService may then apply, and tusk answers unknown.
//! `fault.delay` and `mirror` change no verdict: the request is still
//! forwarded to the route's destination and the mirror's answer is
//! dropped ("HTTPFaultInjection", "mirror" in the reference).

use super::HttpRequest;
use crate::explain::FlowEnd;
use tusk_core::{Idx, Loc};
use tusk_model::istio::Dataplane;
use tusk_model::istio_net::dns_matches;
use tusk_model::istio_route::{
    qualify, service_fqdn, MatchField, Route, RouteAction, RouteKind, RouteMatch, StringMatch, VirtualService,
    MESH_GATEWAY,
};
use tusk_model::k8s::{Cluster, Labels, Service, ServicePort};

/// The VirtualService route a step or doubt belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouteRef {
    /// The object holding the route: a VirtualService, or for a gateway
    /// pod its Gateway (server) or the control plane.
    pub vs: RouteOwner,
    /// The route in it (`http[0]`, `tcp[1]` named ...), or `None` for the
    /// object as a whole.
    pub route: Option<RoutePos>,
    /// Where the route (or the object) is.
    pub loc: Loc,
}

/// What a [`RouteRef`] points into.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RouteOwner {
    /// A VirtualService (its routes are [`RoutePos`]).
    VirtualService(VirtualServiceRef),
    /// A Gateway (namespace, name), at the server listening on `port`
    /// when one is meant.
    Gateway {
        /// The Gateway, by namespace and name.
        gateway: VirtualServiceRef,
        /// The server's port, when the reference is to one server.
        port: Option<u16>,
    },
    /// istiod and kube-dns, which a gateway pod always reaches (the
    /// gateway module's doc).
    ControlPlane,
}

/// A VirtualService (or Gateway), by namespace and name (its stable key).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VirtualServiceRef {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
}

impl VirtualServiceRef {
    /// The key of `vs`.
    pub fn of(vs: &VirtualService) -> VirtualServiceRef {
        VirtualServiceRef { namespace: vs.namespace.clone(), name: vs.name.clone() }
    }
}

/// Where a route sits in its VirtualService: the list (`http`, `tls`,
/// `tcp`), its index there, and its `name` when given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoutePos {
    /// The route list.
    pub kind: RouteKind,
    /// The index in that list.
    pub index: usize,
    /// The route's `name`, when given.
    pub name: Option<String>,
}

/// Why tusk cannot tell where a VirtualService sends a flow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RouteDoubt {
    /// A match condition the flow does not carry (or tusk does not
    /// evaluate: `regex`).
    Match(MatchField),
    /// A `regex` condition on the URI or method.
    Regex,
    /// No route matches: the proxy answers itself (HTTP 404) or drops the
    /// connection; not modelled.
    NoRouteMatches,
    /// `redirect`: the client is told to ask elsewhere.
    Redirect,
    /// `directResponse`: the proxy answers without forwarding.
    DirectResponse,
    /// `delegate`: the routes live in another VirtualService (named).
    Delegate(String),
    /// A route with neither destination nor action.
    NoAction,
    /// `fault.abort` without a percentage, or of part of the requests
    /// (the percentage) while the rest may pass.
    PartialAbort(Option<String>),
    /// `rewrite` with a flow that carries an HTTP request: the destination
    /// sees another URI or authority than the one given.
    Rewrite,
    /// The host is written `NAME.NS` or `NAME.NS.svc`, which Istio does
    /// not expand as it expands a short name.
    PartialHost(String),
    /// Several VirtualServices for the mesh name the host (in input order).
    Several(Vec<VirtualServiceRef>),
    /// A destination host that is no Service of the input.
    NotAService(String),
    /// The destination's port cannot be told (several ports, none given).
    DestinationPort(String),
    /// A destination subset no DestinationRule of the input defines.
    Subset {
        /// The destination host.
        host: String,
        /// The subset name.
        subset: String,
    },
    /// No endpoint of the Service carries the subset's labels.
    EmptySubset {
        /// The Service.
        service: crate::reason::ServiceRef,
        /// The subset name.
        subset: String,
    },
    /// No destination has a weight above 0.
    NoWeight,
    /// The Service port's protocol is not given by its name: the proxy
    /// sniffs it, and several route lists may apply.
    Protocol(String),
    /// The source may or may not have a sidecar (or is in ambient mode,
    /// where only a waypoint applies VirtualServices).
    SourceDataplane(Dataplane),
    /// At a gateway: an earlier route (its label) has a condition tusk
    /// does not evaluate and may catch every request this one matches.
    ShadowedBy(String),
    /// At a gateway: a server whose routing tusk does not model.
    GatewayServer(ServerDoubt),
    /// At a gateway: the destination is a ServiceEntry (`ServiceEntry
    /// NS/NAME`) without addresses, resolved by DNS.
    ResolvedByDns(String),
}

/// What of a Gateway server tusk does not model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ServerDoubt {
    /// `tls.mode: AUTO_PASSTHROUGH` (routing by SNI to any service).
    AutoPassthrough,
    /// A protocol other than HTTP, HTTP2, GRPC, GRPC-WEB, HTTPS, TLS, TCP,
    /// MONGO, MYSQL or REDIS, as written.
    Protocol(String),
}

/// One place a route sends the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The Service in `Cluster::services`.
    pub service: Idx<Service>,
    /// The destination Service's port number.
    pub port: u16,
    /// The subset: its name and labels (the endpoints must carry them).
    pub subset: Option<(String, Labels)>,
    /// The route's weight for it (above 0).
    pub weight: u32,
}

/// Where the client's proxy sends a flow addressed to a Service port.
#[derive(Debug, Clone, PartialEq)]
pub enum Routing {
    /// No VirtualService applies: the Service's own endpoints.
    Direct,
    /// The route's destinations. `abort`: the percentage of requests the
    /// route aborts first (0 < p < 100), when it aborts some.
    Forward {
        /// The deciding route.
        by: RouteRef,
        /// Each destination with a weight above 0.
        targets: Vec<Target>,
        /// A partial `fault.abort` (percent), when the route has one.
        abort: Option<f64>,
    },
    /// `fault.abort` of every request: the client's proxy answers.
    Aborted(RouteRef),
    /// Not followed, with the route (or object) and why.
    Unknown(RouteRef, RouteDoubt),
}

/// The route kind a Service port's name selects (Istio "Protocol
/// Selection": `<protocol>[-<suffix>]`); `None` when the proxy sniffs.
fn port_kind(sp: &ServicePort) -> Option<RouteKind> {
    let name = sp.name.as_deref()?;
    let proto = name.split('-').next().unwrap_or(name).to_ascii_lowercase();
    match proto.as_str() {
        "http" | "http2" | "grpc" | "grpc-web" => Some(RouteKind::Http),
        "https" | "tls" => Some(RouteKind::Tls),
        "tcp" | "mongo" | "mysql" | "redis" => Some(RouteKind::Tcp),
        _ => None,
    }
}

/// How host pattern `h` of an object in `ns` names `fqdn`: `Some(true)`
/// it does, `Some(false)` it does not, `None` it may (partly qualified).
fn names(h: &str, ns: &str, fqdn: &str) -> Option<bool> {
    if h.starts_with('*') {
        return Some(dns_matches(h, fqdn));
    }
    let q = qualify(h, ns);
    if q == fqdn {
        return Some(true);
    }
    // `NAME.NS` or `NAME.NS.svc`: a prefix of the FQDN at a label boundary.
    if fqdn.starts_with(&format!("{q}.")) {
        return None;
    }
    Some(false)
}

fn vs_ref(vs: &VirtualService, r: Option<&Route>) -> RouteRef {
    let route = r.map(|r| RoutePos { kind: r.kind, index: r.index, name: r.name.clone() });
    RouteRef {
        vs: RouteOwner::VirtualService(VirtualServiceRef::of(vs)),
        route,
        loc: r.map_or_else(|| vs.loc.clone(), |r| r.loc.clone()),
    }
}

/// Does a string condition hold for `value`?
fn string_holds(m: &StringMatch, value: &str) -> Option<bool> {
    match m {
        StringMatch::Exact(e) => Some(e == value),
        StringMatch::Prefix(p) => Some(value.starts_with(p.as_str())),
        StringMatch::Regex(_) => None,
    }
}

/// A match entry against the flow: `Ok(true)` matches, `Ok(false)` does
/// not, `Err(why)` may.
fn entry_holds(
    m: &RouteMatch,
    src_ns: &str,
    src_labels: &Labels,
    port: u16,
    http: Option<&HttpRequest>,
) -> Result<bool, RouteDoubt> {
    if m.port.is_some_and(|p| p != port)
        || (!m.gateways.is_empty() && !m.gateways.iter().any(|g| g == MESH_GATEWAY))
        || m.source_labels.as_ref().is_some_and(|l| !l.iter().all(|(k, v)| src_labels.get(k) == Some(v)))
        || m.source_namespace.as_ref().is_some_and(|n| n != src_ns)
    {
        return Ok(false);
    }
    let mut doubt = None;
    for (cond, given, field) in [
        (&m.uri, http.and_then(|h| h.path.as_deref()), MatchField::Uri),
        (&m.method, http.and_then(|h| h.method.as_deref()), MatchField::Method),
    ] {
        let Some(cond) = cond else { continue };
        match given.map(|v| string_holds(cond, v)) {
            Some(Some(false)) => return Ok(false),
            Some(Some(true)) => {}
            Some(None) => doubt = doubt.or(Some(RouteDoubt::Regex)),
            None => doubt = doubt.or(Some(RouteDoubt::Match(field))),
        }
    }
    if let Some(f) = m.unmodelled.first() {
        doubt = doubt.or(Some(RouteDoubt::Match(*f)));
    }
    match doubt {
        Some(d) => Err(d),
        None => Ok(true),
    }
}

/// The Service `fqdn` names, if the input has it.
pub(crate) fn service_by_fqdn(c: &Cluster, fqdn: &str) -> Option<Idx<Service>> {
    let rest = fqdn.strip_suffix(".svc.cluster.local")?;
    let (name, ns) = rest.split_once('.')?;
    c.services.iter().position(|s| s.namespace == ns && s.name == name).map(Idx::new)
}

/// Where the client's proxy sends a flow from `src` to port `sp` of
/// Service `svc` (module doc). `http`: the request, when the flow carries one.
pub fn route(c: &Cluster, src: FlowEnd, svc: Idx<Service>, sp: &ServicePort, http: Option<&HttpRequest>) -> Routing {
    // Only TCP is intercepted by the sidecar (see the module doc of `istio`).
    let FlowEnd::Pod(p) = src else { return Routing::Direct };
    if sp.protocol != tusk_core::Protocol::Tcp {
        return Routing::Direct;
    }
    let pod = &c.pods[p];
    let s: &Service = &c.services[svc];
    let fqdn = service_fqdn(&s.namespace, &s.name);
    let mut found: Vec<&VirtualService> = Vec::new();
    for vs in &c.mesh.virtual_services {
        if !vs.applies_to_mesh() || !vs.visible_from(&pod.namespace) {
            continue;
        }
        let mut hit = false;
        for h in &vs.hosts {
            match names(h, &vs.namespace, &fqdn) {
                Some(true) => hit = true,
                Some(false) => {}
                None => return Routing::Unknown(vs_ref(vs, None), RouteDoubt::PartialHost(h.clone())),
            }
        }
        if hit {
            found.push(vs);
        }
    }
    let vs = match found.as_slice() {
        [] => return Routing::Direct,
        [one] => *one,
        [first, ..] => {
            return Routing::Unknown(
                vs_ref(first, None),
                RouteDoubt::Several(found.iter().map(|v| VirtualServiceRef::of(v)).collect()),
            )
        }
    };
    match pod.mesh.dataplane {
        Dataplane::Sidecar => {}
        Dataplane::None => return Routing::Direct,
        d => return Routing::Unknown(vs_ref(vs, None), RouteDoubt::SourceDataplane(d)),
    }
    let kinds: &[RouteKind] = match port_kind(sp) {
        Some(RouteKind::Http) => &[RouteKind::Http],
        Some(RouteKind::Tls) => &[RouteKind::Tls, RouteKind::Tcp],
        Some(RouteKind::Tcp) => &[RouteKind::Tcp],
        None => {
            if vs.routes.is_empty() {
                return Routing::Direct;
            }
            let name = sp.name.clone().unwrap_or_default();
            return Routing::Unknown(vs_ref(vs, None), RouteDoubt::Protocol(name));
        }
    };
    let routes: Vec<&Route> = vs.routes.iter().filter(|r| kinds.contains(&r.kind)).collect();
    if routes.is_empty() {
        return Routing::Direct;
    }
    for r in routes {
        let holds = if r.matches.is_empty() {
            Ok(true)
        } else {
            let mut any = Ok(false);
            for m in &r.matches {
                match entry_holds(m, &pod.namespace, &pod.labels, sp.port, http) {
                    Ok(true) => {
                        any = Ok(true);
                        break;
                    }
                    Ok(false) => {}
                    Err(d) => any = any.and(Err(d)),
                }
            }
            any
        };
        match holds {
            Ok(false) => continue,
            Err(d) => return Routing::Unknown(vs_ref(vs, Some(r)), d),
            Ok(true) => return follow(c, vs, r, sp, http),
        }
    }
    Routing::Unknown(vs_ref(vs, None), RouteDoubt::NoRouteMatches)
}

/// What the matching route `r` does.
fn follow(c: &Cluster, vs: &VirtualService, r: &Route, sp: &ServicePort, http: Option<&HttpRequest>) -> Routing {
    let by = vs_ref(vs, Some(r));
    let dests = match &r.action {
        RouteAction::Forward(d) => d,
        RouteAction::Redirect => return Routing::Unknown(by, RouteDoubt::Redirect),
        RouteAction::DirectResponse => return Routing::Unknown(by, RouteDoubt::DirectResponse),
        RouteAction::Delegate(to) => return Routing::Unknown(by, RouteDoubt::Delegate(to.clone())),
        RouteAction::None => return Routing::Unknown(by, RouteDoubt::NoAction),
    };
    let abort = match r.abort {
        None => None,
        Some(None) => return Routing::Unknown(by, RouteDoubt::PartialAbort(None)),
        Some(Some(p)) if p >= 100.0 => return Routing::Aborted(by),
        Some(Some(p)) if p <= 0.0 => None,
        Some(Some(p)) => Some(p),
    };
    if r.rewrite && http.is_some() {
        return Routing::Unknown(by, RouteDoubt::Rewrite);
    }
    let mut targets = Vec::new();
    for d in dests.iter().filter(|d| d.weight > 0) {
        let fqdn = qualify(&d.host, &vs.namespace);
        let Some(service) = service_by_fqdn(c, &fqdn) else {
            return Routing::Unknown(by, RouteDoubt::NotAService(d.host.clone()));
        };
        let ds = &c.services[service];
        let tcp = |n: u16| ds.ports.iter().any(|p| p.port == n && p.protocol == tusk_core::Protocol::Tcp);
        let port = match d.port {
            Some(n) => n,
            None if tcp(sp.port) => sp.port,
            None => match ds.ports.as_slice() {
                [only] => only.port,
                _ => return Routing::Unknown(by, RouteDoubt::DestinationPort(d.host.clone())),
            },
        };
        let subset = match &d.subset {
            None => None,
            Some(name) => {
                let def = c.mesh.subsets.iter().find(|s| &s.name == name && qualify(&s.host, &s.namespace) == fqdn);
                match def {
                    Some(s) => Some((name.clone(), s.labels.clone())),
                    None => {
                        return Routing::Unknown(by, RouteDoubt::Subset { host: d.host.clone(), subset: name.clone() })
                    }
                }
            }
        };
        targets.push(Target { service, port, subset, weight: d.weight });
    }
    if targets.is_empty() {
        return Routing::Unknown(by, RouteDoubt::NoWeight);
    }
    Routing::Forward { by, targets, abort }
}

/// Could any VirtualService route flows from pod `p`'s labels differently
/// from another pod's of the same namespace (`sourceLabels` matches)? The
/// matrix then asks per pod rather than per class.
pub fn depends_on_source_labels(c: &Cluster) -> bool {
    c.mesh.virtual_services.iter().any(VirtualService::uses_source_labels)
}
