//! Flows to a Service address. kube-proxy (or the data plane) rewrites the
//! Service's virtual IP to one endpoint pod before any network policy sees
//! the packet (Kubernetes docs, "Virtual IPs and Service Proxies"; policies
//! act on pod IPs, "Network Policies"), so a flow to a ClusterIP is a flow
//! to each endpoint pod on its target port, and its verdict is the group
//! verdict over all of them: allowed or denied only when every endpoint's
//! is, unknown otherwise. A Service whose endpoints the input cannot give
//! (no selector, no matching pod) is unknown with the reason. `tusk matrix`
//! lists each Service with a ClusterIP as a destination ([`matrix_rows`]).
//!
//! A source with an Istio sidecar may not reach the Service's own
//! endpoints: a VirtualService bound to the mesh that names the host sends
//! the flow where its matching route says ([`crate::lang::istio::route`]);
//! the verdict is then the group verdict over the route's destinations'
//! endpoints, denied when the route aborts every request, unknown when the
//! route cannot be followed.

use super::explain::{explain_l7, Explanation, FlowEnd, Reason, Verdict};
use super::lang::istio::route::{route, RouteDoubt, Routing, Target};
use super::matrix::{Endpoint, Entry, Grain};
use super::reason::{EndpointPart, ServiceRef};
use super::{Analysis, Semantics};
use std::net::IpAddr;
use tusk_core::{ConnSet, GroupVerdict, Idx, Kind, PortSet, Protocol, Reach};
use tusk_model::k8s::{Cluster, Pod, Service, ServicePort, TargetPort};

/// The Service whose ClusterIP is `ip`.
pub fn by_cluster_ip(c: &Cluster, ip: IpAddr) -> Option<Idx<Service>> {
    c.services.iter().position(|s| s.cluster_ips.contains(&ip)).map(Idx::new)
}

/// The Service's reference, as explanations and reasons hold it.
pub fn service_ref(s: &Service) -> ServiceRef {
    ServiceRef { namespace: s.namespace.clone(), name: s.name.clone() }
}

/// The endpoint pods of one Service port, each with its target port; or why
/// the input cannot give them.
pub fn endpoints(c: &Cluster, svc: &Service, sp: &ServicePort) -> Result<Vec<(Idx<Pod>, u16)>, Reason> {
    endpoints_among(c, svc, sp, Idx::all(&c.pods))
}

/// [`endpoints`] among the pods `candidates` (of `Cluster::pods`; pass a
/// namespace's pods to keep the cost per Service to that namespace).
pub fn endpoints_among(
    c: &Cluster,
    svc: &Service,
    sp: &ServicePort,
    candidates: impl IntoIterator<Item = Idx<Pod>>,
) -> Result<Vec<(Idx<Pod>, u16)>, Reason> {
    let Some(sel) = &svc.selector else {
        return Err(Reason::NoSelector { service: service_ref(svc) });
    };
    let mut out = Vec::new();
    for i in candidates {
        let p = &c.pods[i];
        if p.namespace != svc.namespace || !sel.iter().all(|(k, v)| p.labels.get(k) == Some(v)) {
            continue;
        }
        // A named target port resolves on each pod; a pod without it is not
        // an endpoint of this port (the EndpointSlice controller skips it).
        let target = match &sp.target {
            TargetPort::Number(n) => Some(*n),
            TargetPort::Name(name) => p
                .ports
                .iter()
                .find(|cp| cp.name.as_deref() == Some(name) && cp.protocol == sp.protocol)
                .map(|cp| cp.port),
        };
        if let Some(t) = target {
            out.push((i, t));
        }
    }
    if out.is_empty() {
        return Err(Reason::NoEndpoints { service: service_ref(svc), proto: sp.protocol, port: sp.port });
    }
    Ok(out)
}

/// One flow to a Service: every endpoint's explanation and the verdict
/// over all of them.
#[derive(Debug, Clone)]
pub struct ServiceExplanation {
    /// The Service.
    pub service: ServiceRef,
    /// (pod, target port, its explanation).
    pub endpoints: Vec<(Idx<Pod>, u16, Explanation)>,
    /// The verdict over every endpoint: allowed or denied when all agree,
    /// unknown (with each endpoint's verdict) otherwise.
    pub verdict: Verdict,
    /// Where a VirtualService sent the flow (`None`: none applies, the
    /// endpoints are the Service's own).
    pub routing: Option<Routing>,
}

/// A reason with the location of the doubt.
pub type Located = (Reason, tusk_core::Loc);

/// The endpoints of every target of a route, each narrowed to its subset's
/// labels (DestinationRule `subsets[].labels`), or why one has none.
pub fn target_endpoints(
    c: &Cluster,
    by: &super::lang::istio::route::RouteRef,
    targets: &[Target],
) -> Result<Vec<(Idx<Pod>, u16)>, Box<Located>> {
    let mut out = Vec::new();
    for t in targets {
        let s = &c.services[t.service];
        let Some(sp) = s.ports.iter().find(|p| p.port == t.port && p.protocol == Protocol::Tcp) else {
            let ports = s.ports.iter().map(|p| (p.protocol, p.port)).collect();
            let reason = Reason::NoServicePort { service: service_ref(s), proto: Protocol::Tcp, port: t.port, ports };
            return Err(Box::new((reason, s.loc.clone())));
        };
        let mut eps = endpoints(c, s, sp).map_err(|r| Box::new((r, s.loc.clone())))?;
        if let Some((name, labels)) = &t.subset {
            eps.retain(|(p, _)| labels.iter().all(|(k, v)| c.pods[*p].labels.get(k) == Some(v)));
            if eps.is_empty() {
                let why = RouteDoubt::EmptySubset { service: service_ref(s), subset: name.clone() };
                return Err(Box::new((Reason::VirtualService { by: Box::new(by.clone()), why }, by.loc.clone())));
            }
        }
        for e in eps {
            if !out.contains(&e) {
                out.push(e);
            }
        }
    }
    Ok(out)
}

/// The unknown verdict of a route tusk cannot follow.
fn route_unknown(by: &super::lang::istio::route::RouteRef, why: &RouteDoubt) -> Verdict {
    Verdict::unknown(Reason::VirtualService { by: Box::new(by.clone()), why: why.clone() }, Some(by.loc.clone()))
}

/// Explains a flow from `src` to Service `svc` on `proto`/`port`: each
/// endpoint pod of that Service port with its target port ("Service",
/// kubernetes.io/docs/concepts/services-networking/service/: the selector and
/// `targetPort`, a named one resolved per pod). A Service without a selector,
/// port or endpoint yields an unknown verdict with its [`Reason`], located
/// at the Service.
pub fn explain_service(
    c: &Cluster,
    sem: &Semantics,
    src: FlowEnd,
    svc: Idx<Service>,
    proto: Protocol,
    port: u16,
) -> ServiceExplanation {
    explain_service_l7(c, sem, src, svc, proto, port, None)
}

/// [`explain_service`] with the flow's HTTP request (`--http-method`,
/// `--http-path`): each endpoint's Istio rules on methods and paths are
/// decided by it, as [`crate::explain::explain_l7`] does for one pod (the
/// request reaches the endpoint's proxy unchanged: kube-proxy rewrites
/// only the address).
pub fn explain_service_l7(
    c: &Cluster,
    sem: &Semantics,
    src: FlowEnd,
    svc: Idx<Service>,
    proto: Protocol,
    port: u16,
    http: Option<&crate::lang::istio::HttpRequest>,
) -> ServiceExplanation {
    let s = &c.services[svc];
    let service = service_ref(s);
    let Some(sp) = s.ports.iter().find(|p| p.protocol == proto && p.port == port) else {
        let ports = s.ports.iter().map(|p| (p.protocol, p.port)).collect();
        let reason = Reason::NoServicePort { service: service.clone(), proto, port, ports };
        let verdict = Verdict::unknown(reason, Some(s.loc.clone()));
        return ServiceExplanation { service, endpoints: Vec::new(), verdict, routing: None };
    };
    let routing = route(c, src, svc, sp, http);
    let none = |verdict: Verdict, routing: &Routing| ServiceExplanation {
        service: service.clone(),
        endpoints: Vec::new(),
        verdict,
        routing: Some(routing.clone()),
    };
    let (eps, abort) = match &routing {
        Routing::Direct => match endpoints(c, s, sp) {
            Ok(e) => (e, None),
            Err(why) => {
                let verdict = Verdict::unknown(why, Some(s.loc.clone()));
                return ServiceExplanation { service, endpoints: Vec::new(), verdict, routing: None };
            }
        },
        Routing::Unknown(by, why) => return none(route_unknown(by, why), &routing),
        Routing::Aborted(_) => return none(Verdict::Denied, &routing),
        Routing::Forward { by, targets, abort } => match target_endpoints(c, by, targets) {
            Ok(e) => (e, *abort),
            Err(e) => {
                let (why, loc) = *e;
                return none(Verdict::unknown(why, Some(loc)), &routing);
            }
        },
    };
    let endpoints: Vec<(Idx<Pod>, u16, Explanation)> =
        eps.into_iter().map(|(pod, t)| (pod, t, explain_l7(c, sem, src, FlowEnd::Pod(pod), proto, t, http))).collect();
    let mut verdict = group_verdict(c, &endpoints);
    // The source may be one of an endpoint entry's replicas: the Service
    // may send it to itself (always allowed) or to another replica.
    let own = endpoints
        .iter()
        .find(|(p, _, _)| matches!(src, FlowEnd::Pod(s) if s == *p))
        .map(|(p, _, e)| (*p, e.verdict.kind()));
    if let Some((p, kind)) = own.filter(|(_, k)| *k != Kind::Allowed) {
        let w = &c.workloads[c.pods[p].workload];
        let parts = vec![
            (Kind::Allowed, EndpointPart::SourceItself { workload: format!("{}/{}", w.namespace, w.name) }),
            (kind, EndpointPart::OtherReplicas { workload: format!("{}/{}", w.namespace, w.name) }),
        ];
        verdict = Verdict::unknown(Reason::MixedEndpoints(parts), None);
    }
    // A route aborting part of the requests: the rest reach the endpoints,
    // so the flow is denied only when they deny it.
    if let (Some(p), Routing::Forward { by, .. }) = (abort, &routing) {
        if verdict.kind() != Kind::Denied {
            verdict = route_unknown(by, &RouteDoubt::PartialAbort(Some(format!("{p}"))));
        }
    }
    let routing = (routing != Routing::Direct).then_some(routing);
    ServiceExplanation { service, endpoints, verdict, routing }
}

/// Allowed or denied when every endpoint's verdict is (the vocabulary's
/// group verdict); otherwise unknown, naming an endpoint of each verdict
/// (`mixed` when some are allowed and some denied).
fn group_verdict(c: &Cluster, eps: &[(Idx<Pod>, u16, Explanation)]) -> Verdict {
    let g = GroupVerdict::of(eps.iter().map(|(p, _, e)| (*p, e.verdict.clone())));
    match g.kind.uniform() {
        Some(_) => eps[0].2.verdict.clone(),
        None => {
            let name = |i: Idx<Pod>| EndpointPart::Pod(format!("{}/{}", c.pods[i].namespace, c.pods[i].name));
            let parts = [Kind::Allowed, Kind::Denied, Kind::Unknown]
                .into_iter()
                .filter_map(|k| g.with(k).next().map(|(p, _)| (k, name(*p))))
                .collect();
            Verdict::unknown(Reason::MixedEndpoints(parts), None)
        }
    }
}

/// (allowed, unknown) connections to a Service, in its port space: a
/// service port is allowed when every endpoint allows its target port,
/// unknown when some may; ports the Service lacks are never reached.
pub fn pair(a: &Analysis, src: FlowEnd, svc: Idx<Service>) -> (Reach, Vec<Reason>) {
    let c = a.cluster;
    let s = &c.services[svc];
    let (mut allowed, mut unknown, mut notes) = (ConnSet::none(), ConnSet::none(), Vec::<Reason>::new());
    for sp in &s.ports {
        let one = ConnSet::of(sp.protocol, PortSet::single(sp.port));
        let (eps, abort) = match route(c, src, svc, sp, None) {
            Routing::Direct => match endpoints(c, s, sp) {
                Ok(e) => (e, false),
                Err(why) => {
                    unknown = unknown.union(&one);
                    notes.push(why);
                    continue;
                }
            },
            Routing::Aborted(_) => continue,
            Routing::Unknown(by, why) => {
                unknown = unknown.union(&one);
                notes.push(Reason::VirtualService { by: Box::new(by), why });
                continue;
            }
            Routing::Forward { by, targets, abort } => match target_endpoints(c, &by, &targets) {
                Ok(e) => (e, abort.is_some()),
                Err(e) => {
                    let why = e.0;
                    unknown = unknown.union(&one);
                    notes.push(why);
                    continue;
                }
            },
        };
        let (mut all, mut any) = (true, false);
        for (pod, t) in eps {
            let k = a.pair(src, FlowEnd::Pod(pod)).at(sp.protocol, t);
            all &= k == Kind::Allowed;
            // A source among the replicas of an endpoint entry may be sent
            // to itself, which is always allowed.
            any |= k != Kind::Denied || matches!(src, FlowEnd::Pod(s) if s == pod);
        }
        if all && !abort {
            allowed = allowed.union(&one);
        } else if any {
            unknown = unknown.union(&one);
        }
    }
    (Reach::new(allowed, unknown), notes)
}

/// Matrix rows toward every Service with a ClusterIP in the input: what
/// each source (at `grain`) may open to the Service address, in the
/// Service's port space, by [`pair`] (a port is allowed when every endpoint
/// allows its target port, unknown when some may). Sources whose pods share
/// a class are asked once, unless one of them is an endpoint itself (a pod
/// reaching itself through its Service is always allowed). Members of one
/// source endpoint merge by union, as in [`crate::matrix::expand`]. Also
/// returns, per Service, why it is unknown (no selector, no endpoint).
pub fn matrix_rows(a: &Analysis, grain: Grain) -> (Vec<Entry>, Vec<(Idx<Service>, Reason)>) {
    let c = a.cluster;
    let ep = &a.worlds[0].endpoints;
    let (mut rows, mut notes): (Vec<Entry>, Vec<(Idx<Service>, Reason)>) = (Vec::new(), Vec::new());
    // A VirtualService may route by the source's labels (`sourceLabels`)
    // and send a source to a Service of which it is an endpoint: such
    // sources are asked one by one. Others share an answer per class and
    // dataplane (routes apply to sidecar sources only).
    let by_labels = crate::lang::istio::route::depends_on_source_labels(c);
    let any_endpoint: std::collections::HashSet<Idx<Pod>> = if c.mesh.virtual_services.is_empty() {
        Default::default()
    } else {
        c.services
            .iter()
            .flat_map(|s| s.ports.iter().filter_map(|sp| endpoints(c, s, sp).ok()))
            .flatten()
            .map(|(p, _)| p)
            .collect()
    };
    for (si, s) in Idx::enumerate(&c.services).filter(|(_, s)| !s.cluster_ips.is_empty()) {
        let mut endpoint_pods = std::collections::HashSet::new();
        for sp in &s.ports {
            match endpoints(c, s, sp) {
                Ok(e) => endpoint_pods.extend(e.into_iter().map(|(p, _)| p)),
                Err(why) => notes.push((si, why)),
            }
        }
        for g in &ep.groups {
            let mut shared: std::collections::HashMap<tusk_model::istio::Dataplane, Reach> = Default::default();
            for &p in &g.pods {
                let r = if by_labels || endpoint_pods.contains(&p) || any_endpoint.contains(&p) {
                    pair(a, FlowEnd::Pod(p), si).0
                } else {
                    let d = c.pods[p].mesh.dataplane;
                    shared.entry(d).or_insert_with(|| pair(a, FlowEnd::Pod(p), si).0).clone()
                };
                if r.allowed().is_empty() && r.unknown().is_empty() {
                    continue;
                }
                let pod = &c.pods[p];
                let srcs: Vec<Endpoint> = match grain {
                    Grain::Pod => (0..pod.count()).map(|k| Endpoint::Pod(p, k)).collect(),
                    Grain::Workload => vec![Endpoint::Workload(pod.workload)],
                    Grain::Namespace => vec![Endpoint::Namespace(g.namespace)],
                };
                for src in srcs {
                    let (allowed, unknown) = (r.allowed().clone(), r.unknown().clone());
                    rows.push(Entry { src, dst: Endpoint::Service(si), allowed, unknown });
                }
            }
        }
    }
    (crate::matrix::merge_rows(rows), notes)
}
