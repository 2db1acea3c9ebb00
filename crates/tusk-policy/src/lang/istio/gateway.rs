//! Istio gateway pods: where an ingress or egress gateway (an Envoy in
//! router mode, selected by a `networking.istio.io` Gateway's `selector`)
//! opens connections. A gateway proxy forwards only what its Gateway's
//! servers accept and the VirtualServices bound to that Gateway route
//! (Istio docs, "Gateway" reference: `selector`, `servers[].hosts`;
//! "Virtual Service" reference: `gateways`, `exportTo`, the `http` / `tls`
//! / `tcp` routes evaluated in order, first match winning). So the egress
//! of a gateway pod, over TCP, is the set of the routes' destinations:
//!
//! * **Which pods**: a pod matched by a Gateway's non-empty `selector`, in
//!   any namespace (the reference: "By default workloads are searched
//!   across all namespaces"; `PILOT_SCOPE_GATEWAY_TO_NAMESPACE` is not
//!   read), that is a gateway proxy (`PodMesh::router`: its only container
//!   is `istio-proxy`, or it asks for the `gateway` injection template) or
//!   has no sidecar and is not in ambient mode (a sidecar proxy does not
//!   read Gateways). A Gateway without selector (every router) is not
//!   applied: tusk cannot tell routers from other pods.
//! * **Which VirtualServices**: those naming the Gateway in `gateways`
//!   (`NS/NAME`, or `NAME` in the VirtualService's namespace), exported
//!   to the Gateway's namespace, with a host the server exposes (server
//!   host `[ns/]dnsName`: `*/` or no prefix any namespace, `./` the
//!   Gateway's; the DNS names match exactly or by `*` wildcard either way).
//!   Several such VirtualServices with overlapping hosts on one server:
//!   which one wins is not modelled, their routes are unknown.
//! * **Which routes**: by the server's protocol: `HTTP`, `HTTP2`, `GRPC`,
//!   and `HTTPS` that terminates TLS use `http`; `HTTPS` / `TLS` in
//!   `PASSTHROUGH` use `tls`; `TLS` terminated, `TCP`, `MONGO`, ... use
//!   `tcp`. `AUTO_PASSTHROUGH` (SNI-encoded destinations) or another
//!   protocol: every destination is unknown. A match entry applies when its
//!   `port` is the server's, its `gateways` (if any) name the Gateway, its
//!   `sourceLabels` / `sourceNamespace` hold for the gateway pod.
//! * **Which routes are reached**: a route is reached by some request
//!   unless earlier entries surely catch every request it matches (exact /
//!   prefix `uri` and `method`, `sniHosts`: decided; an earlier `headers`
//!   or `queryParams` condition is escaped by a request without them). A
//!   route whose own match needs a `uri` or `method` splits the flow: some
//!   requests go there, others elsewhere, so its destinations are unknown
//!   unless the flow carries the request (`--http-path`, `--http-method`,
//!   which decide exact and prefix conditions). A `regex`, `headers`,
//!   `withoutHeaders`, `queryParams`, `authority`, `scheme` or
//!   `destinationSubnets` condition on the route, or one on an earlier route
//!   that could shadow it, makes the route's destinations unknown. The
//!   request's Host picks the VirtualService and is not a split: a client
//!   can send any host the server exposes.
//! * **What a route reaches**: a destination `host` that is a Service of
//!   the input: its endpoint pods on the target port of the destination's
//!   `port` (or the Service's only port, or the server's port), narrowed by
//!   a DestinationRule subset; a ServiceEntry host: its `addresses` (on the
//!   destination's port), any outside address when it has none (unknown:
//!   DNS). `fault.abort` of 100 %, `redirect` and `directResponse` reach
//!   nothing (the gateway answers); `delegate`, a host that is neither, an
//!   unknown subset or port make every destination unknown.
//! * The gateway's own control-plane connection (istiod, TCP 15012, Istio
//!   docs "Ports used by Istio") and DNS over TCP to kube-dns (port 53)
//!   are allowed. Other protocols than TCP are left to the network tiers.
//!
//! The verdicts (class engine, `explain`) are in [`super::gateway_eval`].

use super::route::{service_by_fqdn, RouteDoubt, RouteOwner, RoutePos, RouteRef, ServerDoubt, VirtualServiceRef};
use super::HttpRequest;
use std::collections::HashMap;
use tusk_core::{Idx, IpSet, PortSet, Protocol};
use tusk_model::istio::Dataplane;
use tusk_model::istio_net::dns_matches;
use tusk_model::istio_route::{
    qualify, Gateway, GatewayServer, MatchField, Route, RouteAction, RouteDestination, RouteKind, RouteMatch,
    StringMatch, VirtualService,
};
use tusk_model::k8s::{Cluster, Pod};

/// What a gateway pod reaches at one destination (a pod, or an address
/// set): TCP ports surely reached, ports maybe reached, and why.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// Ports some request surely reaches.
    pub yes: PortSet,
    /// Ports that may be reached (not in `yes`).
    pub maybe: PortSet,
    /// The first route that surely reaches it.
    pub by: Option<RouteRef>,
    /// The first doubt.
    pub doubt: Option<(RouteRef, RouteDoubt)>,
}

impl Reach {
    fn add(&mut self, port: PortSet, sure: &Result<RouteRef, (RouteRef, RouteDoubt)>) {
        match sure {
            Ok(by) => {
                self.yes = self.yes.union(&port);
                self.maybe = self.maybe.subtract(&self.yes);
                self.by.get_or_insert_with(|| by.clone());
            }
            Err(d) => {
                self.maybe = self.maybe.union(&port.subtract(&self.yes));
                self.doubt.get_or_insert_with(|| d.clone());
            }
        }
    }
}

/// The egress of one gateway pod (module doc).
#[derive(Debug, Clone, Default)]
pub struct Egress {
    /// The first Gateway selecting the pod (index into `mesh.gateways`).
    pub gateway: usize,
    /// Per destination pod.
    pub pods: HashMap<Idx<Pod>, Reach>,
    /// Per ServiceEntry address set.
    pub addrs: Vec<(IpSet, Reach)>,
    /// Any outside address (ServiceEntries resolved by DNS).
    pub outside: Reach,
    /// Every destination, every port may be reached.
    pub anything: Option<(RouteRef, RouteDoubt)>,
    /// The pods of each namespace (the endpoints of a Service are looked up
    /// in its namespace only).
    by_ns: HashMap<String, Vec<Idx<Pod>>>,
}

/// The Gateways whose servers run on `pod` (indices), empty when it is no
/// gateway pod (module doc).
pub fn gateways_of(c: &Cluster, pod: &Pod) -> Vec<usize> {
    if !pod.mesh.router && matches!(super::dataplane(pod), Dataplane::Sidecar | Dataplane::Ambient) {
        return Vec::new();
    }
    let sel = |g: &Gateway| !g.selector.is_empty() && g.selector.iter().all(|(k, v)| pod.labels.get(k) == Some(v));
    c.mesh.gateways.iter().enumerate().filter(|(_, g)| sel(g)).map(|(i, _)| i).collect()
}

/// Does `name` (as written in a VirtualService of `vs_ns`) name Gateway `g`?
fn names_gateway(name: &str, vs_ns: &str, g: &Gateway) -> bool {
    match name.split_once('/') {
        Some((ns, n)) => ns == g.namespace && n == g.name,
        None => vs_ns == g.namespace && name == g.name,
    }
}

/// Do two host patterns share a host (either covers the other)?
fn overlap(a: &str, b: &str) -> bool {
    a == b || dns_matches(a, b) || dns_matches(b, a) || (a.starts_with('*') && b.starts_with('*'))
}

/// The hosts of `vs` that server `s` of Gateway `g` exposes.
fn exposed<'v>(vs: &'v VirtualService, g: &Gateway, s: &GatewayServer) -> Vec<&'v str> {
    let admits = |sh: &str, h: &str| {
        let (ns, dns) = sh.split_once('/').unwrap_or(("*", sh));
        let ns_ok = ns == "*" || (ns == "." && vs.namespace == g.namespace) || ns == vs.namespace;
        ns_ok && overlap(dns, h)
    };
    vs.hosts.iter().map(String::as_str).filter(|h| s.hosts.iter().any(|sh| admits(sh, h))).collect()
}

/// The route lists a server uses, or why tusk cannot tell.
fn kinds(s: &GatewayServer) -> Result<&'static [RouteKind], ServerDoubt> {
    let mode = s.tls_mode.as_deref().unwrap_or("PASSTHROUGH");
    match s.protocol.as_str() {
        _ if s.tls_mode.as_deref() == Some("AUTO_PASSTHROUGH") => Err(ServerDoubt::AutoPassthrough),
        "HTTP" | "HTTP2" | "GRPC" | "GRPC-WEB" => Ok(&[RouteKind::Http]),
        "HTTPS" if mode == "PASSTHROUGH" => Ok(&[RouteKind::Tls]),
        "HTTPS" => Ok(&[RouteKind::Http]),
        "TLS" if mode == "PASSTHROUGH" => Ok(&[RouteKind::Tls]),
        "TLS" | "TCP" | "MONGO" | "MYSQL" | "REDIS" => Ok(&[RouteKind::Tcp]),
        p => Err(ServerDoubt::Protocol(p.to_string())),
    }
}

/// Three-valued answer of "does an earlier entry catch every request of
/// this one" on the string dimensions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cover {
    Yes,
    Maybe,
    No,
}

/// Does condition `f` hold for every value `e` admits? (`None`: any value;
/// an exact or prefix set is infinite or a point, so one earlier condition
/// covers or leaves a value out.)
fn covers(f: Option<&StringMatch>, e: Option<&StringMatch>) -> Cover {
    use StringMatch::{Exact, Prefix, Regex};
    match (f, e) {
        (None, _) => Cover::Yes,
        (Some(Regex(_)), _) | (_, Some(Regex(_))) => Cover::Maybe,
        (Some(Prefix(p)), None) if p.is_empty() => Cover::Yes,
        (Some(_), None) => Cover::No,
        (Some(Exact(a)), Some(Exact(b))) => bool_cover(a == b),
        (Some(Prefix(p)), Some(Exact(s) | Prefix(s))) => bool_cover(s.starts_with(p.as_str())),
        (Some(Exact(_)), Some(Prefix(_))) => Cover::No,
    }
}

fn bool_cover(b: bool) -> Cover {
    if b {
        Cover::Yes
    } else {
        Cover::No
    }
}

/// Does `f` catch every request `e` matches, on the dimensions other than
/// SNI? `headers` and `queryParams` on `f` match only requests that carry
/// them, so a request without them escapes `f` (unless `e` asks for them
/// too); other conditions tusk does not evaluate turn a cover into maybe.
fn covers_entry(f: &RouteMatch, e: &RouteMatch) -> Cover {
    use MatchField as F;
    let (u, m) = (covers(f.uri.as_ref(), e.uri.as_ref()), covers(f.method.as_ref(), e.method.as_ref()));
    if u == Cover::No || m == Cover::No {
        return Cover::No;
    }
    let escapable = [F::Headers, F::QueryParams];
    if f.unmodelled.iter().any(|x| escapable.contains(x) && !e.unmodelled.contains(x)) {
        return Cover::No;
    }
    let other = f.unmodelled.iter().any(|x| *x != F::SniHosts);
    if u == Cover::Yes && m == Cover::Yes && !other {
        Cover::Yes
    } else {
        Cover::Maybe
    }
}

/// Entry `m` with the flow's HTTP request put in: a `uri` / `method`
/// condition the request decides is dropped when it holds; `None` when it
/// fails (the entry does not match the request).
fn with_request(m: &RouteMatch, http: Option<&HttpRequest>) -> Option<RouteMatch> {
    let Some(h) = http else { return Some(m.clone()) };
    let mut out = m.clone();
    for (cond, given) in [(&mut out.uri, h.path.as_deref()), (&mut out.method, h.method.as_deref())] {
        let holds = match (cond.as_ref(), given) {
            (Some(StringMatch::Exact(e)), Some(v)) => Some(e == v),
            (Some(StringMatch::Prefix(p)), Some(v)) => Some(v.starts_with(p.as_str())),
            _ => None,
        };
        match holds {
            Some(true) => *cond = None,
            Some(false) => return None,
            None => {}
        }
    }
    Some(out)
}

/// Is entry `m` applicable to the gateway pod on this server?
fn applies(m: &RouteMatch, g: &Gateway, vs_ns: &str, port: u16, pod: &Pod) -> bool {
    m.port.is_none_or(|p| p == port)
        && (m.gateways.is_empty() || m.gateways.iter().any(|n| names_gateway(n, vs_ns, g)))
        && m.source_labels.as_ref().is_none_or(|l| l.iter().all(|(k, v)| pod.labels.get(k) == Some(v)))
        && m.source_namespace.as_ref().is_none_or(|n| *n == pod.namespace)
}

/// Whether route `i` of `routes` (its applicable entries) is reached by a
/// request no earlier applicable entry catches: `None` shadowed,
/// `Some(Ok(()))` surely reached, `Some(Err(doubt))` maybe.
fn reached(entries: &[Vec<RouteMatch>], labels: &[String], i: usize) -> Option<Result<(), RouteDoubt>> {
    let mut best: Option<Result<(), RouteDoubt>> = None;
    for e in &entries[i] {
        let mut doubt = None;
        if [&e.uri, &e.method].iter().any(|x| matches!(x, Some(StringMatch::Regex(_)))) {
            doubt = Some(RouteDoubt::Regex);
        }
        // A URI or method the flow does not carry splits it: some requests
        // take this route, others not (decided with --http-path / -method).
        for (cond, field) in [(&e.uri, MatchField::Uri), (&e.method, MatchField::Method)] {
            if cond.is_some() {
                doubt = doubt.or(Some(RouteDoubt::Match(field)));
            }
        }
        if let Some(f) = e.unmodelled.iter().find(|f| **f != MatchField::SniHosts) {
            doubt = doubt.or(Some(RouteDoubt::Match(*f)));
        }
        // SNI names the earlier entries that surely cover `e` otherwise
        // take away (`None` in the list: all).
        let mut sni_taken: Vec<Option<&[String]>> = Vec::new();
        for (j, earlier) in entries[..i].iter().enumerate() {
            for f in earlier {
                match covers_entry(f, e) {
                    Cover::No => {}
                    Cover::Yes => sni_taken.push(if f.sni_hosts.is_empty() { None } else { Some(&f.sni_hosts) }),
                    Cover::Maybe => doubt = doubt.or(Some(RouteDoubt::ShadowedBy(labels[j].clone()))),
                }
            }
        }
        let taken = |s: &str| sni_taken.iter().any(|t| t.is_none_or(|l| l.iter().any(|p| dns_matches(p, s))));
        let dead = if sni_taken.iter().any(Option::is_none) {
            true
        } else if e.sni_hosts.is_empty() {
            // Any SNI: the earlier lists are finite (wildcards aside).
            if sni_taken.is_empty() {
                false
            } else {
                doubt = doubt.or(Some(RouteDoubt::Match(MatchField::SniHosts)));
                false
            }
        } else {
            e.sni_hosts.iter().all(|s| taken(s))
        };
        if dead {
            continue;
        }
        let status = match doubt {
            None => Ok(()),
            Some(d) => Err(d),
        };
        best = match (best, status) {
            (Some(Ok(())), _) | (_, Ok(())) => Some(Ok(())),
            (b, s) => b.or(Some(s)),
        };
    }
    best
}

fn route_ref(vs: &VirtualService, r: Option<&Route>) -> RouteRef {
    let route = r.map(|r| RoutePos { kind: r.kind, index: r.index, name: r.name.clone() });
    RouteRef {
        vs: RouteOwner::VirtualService(VirtualServiceRef::of(vs)),
        route,
        loc: r.map_or_else(|| vs.loc.clone(), |r| r.loc.clone()),
    }
}

fn gateway_ref(g: &Gateway, s: &GatewayServer) -> RouteRef {
    RouteRef { vs: gateway_owner(g, Some(s.port)), route: None, loc: s.loc.clone() }
}

/// The Gateway `g` as a route owner, at the server on `port` when given.
pub(crate) fn gateway_owner(g: &Gateway, port: Option<u16>) -> RouteOwner {
    RouteOwner::Gateway { gateway: VirtualServiceRef { namespace: g.namespace.clone(), name: g.name.clone() }, port }
}

/// The egress of pod `p` if it is a gateway pod (module doc); `http`: the
/// flow's HTTP request, when given (its URI and method decide `uri` and
/// `method` conditions).
pub fn egress(c: &Cluster, p: Idx<Pod>, http: Option<&HttpRequest>) -> Option<Egress> {
    let pod = &c.pods[p];
    let gws = gateways_of(c, pod);
    let first = *gws.first()?;
    let mut out = Egress { gateway: first, ..Default::default() };
    for (i, q) in Idx::enumerate(&c.pods) {
        out.by_ns.entry(q.namespace.clone()).or_default().push(i);
    }
    for &gi in &gws {
        let g = &c.mesh.gateways[gi];
        for s in &g.servers {
            let kinds = match kinds(s) {
                Ok(k) => k,
                Err(why) => {
                    out.anything.get_or_insert((gateway_ref(g, s), RouteDoubt::GatewayServer(why)));
                    continue;
                }
            };
            let bound: Vec<(&VirtualService, Vec<&str>)> = c
                .mesh
                .virtual_services
                .iter()
                .filter(|vs| vs.gateways.iter().any(|n| names_gateway(n, &vs.namespace, g)))
                .filter(|vs| vs.visible_from(&g.namespace))
                .map(|vs| (vs, exposed(vs, g, s)))
                .filter(|(_, h)| !h.is_empty())
                .collect();
            for (k, (vs, hosts)) in bound.iter().enumerate() {
                let rivals: Vec<VirtualServiceRef> = bound
                    .iter()
                    .enumerate()
                    .filter(|(j, (_, h2))| *j != k && hosts.iter().any(|a| h2.iter().any(|b| overlap(a, b))))
                    .map(|(_, (v, _))| VirtualServiceRef::of(v))
                    .collect();
                let several = (!rivals.is_empty()).then(|| {
                    let mut all = vec![VirtualServiceRef::of(vs)];
                    all.extend(rivals);
                    RouteDoubt::Several(all)
                });
                routes_of(c, &mut out, pod, g, s, vs, kinds, several, http);
            }
        }
    }
    // The control plane and DNS over TCP (module doc).
    for (j, q) in Idx::enumerate(&c.pods) {
        let ports = if c.mesh.is_root(&q.namespace) && q.labels.get("app").is_some_and(|a| a == "istiod") {
            PortSet::single(15012)
        } else if q.labels.get("k8s-app").is_some_and(|a| a == "kube-dns") {
            PortSet::single(53)
        } else {
            continue;
        };
        let by = RouteRef { vs: RouteOwner::ControlPlane, route: None, loc: pod.loc.clone() };
        out.pods.entry(j).or_default().add(ports, &Ok(by));
    }
    Some(out)
}

/// Adds what the routes of `vs` at server `s` reach.
#[allow(clippy::too_many_arguments)]
fn routes_of(
    c: &Cluster,
    out: &mut Egress,
    pod: &Pod,
    g: &Gateway,
    s: &GatewayServer,
    vs: &VirtualService,
    kinds: &[RouteKind],
    several: Option<RouteDoubt>,
    http: Option<&HttpRequest>,
) {
    let routes: Vec<&Route> = vs.routes.iter().filter(|r| kinds.contains(&r.kind)).collect();
    let entries: Vec<Vec<RouteMatch>> = routes
        .iter()
        .map(|r| {
            if r.matches.is_empty() {
                vec![RouteMatch::default()]
            } else {
                let applicable = r.matches.iter().filter(|m| applies(m, g, &vs.namespace, s.port, pod));
                applicable.filter_map(|m| with_request(m, http)).collect()
            }
        })
        .collect();
    let labels: Vec<String> = routes.iter().map(|r| r.label()).collect();
    for (i, r) in routes.iter().enumerate() {
        let by = route_ref(vs, Some(r));
        let Some(status) = reached(&entries, &labels, i) else { continue };
        let status = match (status, &several) {
            (_, Some(d)) => Err((by.clone(), d.clone())),
            (Ok(()), None) => Ok(by.clone()),
            (Err(d), None) => Err((by.clone(), d)),
        };
        let dests = match &r.action {
            RouteAction::Forward(d) => d,
            RouteAction::Redirect | RouteAction::DirectResponse => continue,
            RouteAction::Delegate(to) => {
                out.anything.get_or_insert((by, RouteDoubt::Delegate(to.clone())));
                continue;
            }
            RouteAction::None => {
                out.anything.get_or_insert((by, RouteDoubt::NoAction));
                continue;
            }
        };
        let status = match r.abort {
            Some(Some(p)) if p >= 100.0 => continue,
            Some(None) => Err((by.clone(), RouteDoubt::PartialAbort(None))),
            _ => status,
        };
        for d in dests.iter().filter(|d| d.weight > 0) {
            destination(c, out, vs, s, d, &status);
        }
    }
}

/// Adds what destination `d` of a route reached with `status` gives.
fn destination(
    c: &Cluster,
    out: &mut Egress,
    vs: &VirtualService,
    s: &GatewayServer,
    d: &RouteDestination,
    status: &Result<RouteRef, (RouteRef, RouteDoubt)>,
) {
    let by = match status {
        Ok(b) | Err((b, _)) => b.clone(),
    };
    let fqdn = qualify(&d.host, &vs.namespace);
    if let Some(si) = service_by_fqdn(c, &fqdn) {
        let svc = &c.services[si];
        let tcp: Vec<_> = svc.ports.iter().filter(|p| p.protocol == Protocol::Tcp).collect();
        let chosen = match d.port {
            Some(n) => tcp.iter().find(|p| p.port == n).copied(),
            None if tcp.len() == 1 => Some(tcp[0]),
            None => tcp.iter().find(|p| p.port == s.port).copied(),
        };
        let labels = match &d.subset {
            None => None,
            Some(name) => {
                let def = c.mesh.subsets.iter().find(|x| &x.name == name && qualify(&x.host, &x.namespace) == fqdn);
                match def {
                    Some(x) => Some(&x.labels),
                    None => {
                        let why = RouteDoubt::Subset { host: d.host.clone(), subset: name.clone() };
                        out.anything.get_or_insert((by, why));
                        return;
                    }
                }
            }
        };
        let (ports, status) = match chosen {
            Some(sp) => (vec![sp], status.clone()),
            // No such port: Istio builds no cluster for it; tusk does not
            // rely on that (unknown over the Service's ports).
            None => (tcp.clone(), Err((by.clone(), RouteDoubt::DestinationPort(d.host.clone())))),
        };
        for sp in ports {
            let among = out.by_ns.get(svc.namespace.as_str()).cloned().unwrap_or_default();
            match crate::services::endpoints_among(c, svc, sp, among) {
                Ok(eps) => {
                    for (pod, target) in eps {
                        if labels.is_none_or(|l| l.iter().all(|(k, v)| c.pods[pod].labels.get(k) == Some(v))) {
                            out.pods.entry(pod).or_default().add(PortSet::single(target), &status);
                        }
                    }
                }
                Err(_) => {
                    out.anything.get_or_insert((by.clone(), RouteDoubt::NotAService(d.host.clone())));
                }
            }
        }
        return;
    }
    let port = d.port.unwrap_or(s.port);
    let entry = c.mesh.service_entries.iter().find(|e| {
        e.hosts.iter().any(|h| h == &d.host || dns_matches(h, &d.host))
            && e.visible_from(&c.mesh.gateways[out.gateway].namespace)
    });
    match entry {
        Some(e) if !e.mesh_internal => {
            let ports = PortSet::single(port);
            match &e.addresses {
                Some(a) => {
                    let mut r = Reach::default();
                    r.add(ports, status);
                    out.addrs.push((a.clone(), r));
                }
                None => {
                    let why = (by, RouteDoubt::ResolvedByDns(e.title()));
                    out.outside.add(ports, &Err(why));
                }
            }
        }
        _ => {
            out.anything.get_or_insert((by, RouteDoubt::NotAService(d.host.clone())));
        }
    }
}
