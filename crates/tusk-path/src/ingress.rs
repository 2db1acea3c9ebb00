//! An Ingress as one way in (`--to ingress:NS/NAME[/PATH]`): the client
//! reaches the ingress controller through the controller's LoadBalancer
//! Service ([`crate::ways_in`]); the controller, a proxy, opens its own
//! connection to the backend Service of the matching rule, which kube-proxy
//! on the controller's node translates to an endpoint pod
//! ([`crate::join`]'s Service path). One pair = (entry node, controller
//! pod) × (backend pod on one of its nodes); its path is both legs, each
//! hop with the addresses it sees (Kubernetes docs, "Ingress" and
//! "Ingress Controllers").
//!
//! Which rule: the Ingress's rules whose path matches `PATH` ("Ingress",
//! path types: `Exact` the whole path; `Prefix` element by element split
//! by `/`; `ImplementationSpecific` taken as `Prefix`, which is what
//! ingress-nginx does without regular expressions), the longest match
//! winning, else `spec.defaultBackend`; without `PATH`, every backend of
//! the Ingress. Hosts are not told apart.
//!
//! Which controller: the inputs do not link an Ingress to its controller's
//! Service (the IngressClass names a controller, not a Service), so the
//! controller is the one LoadBalancer Service whose endpoint pods carry
//! `app.kubernetes.io/name: ingress-nginx` or `app.kubernetes.io/component:
//! controller`, or that sits in `app-routing-system` (AKS's application
//! routing add-on). None or several is an error naming the candidates.

use crate::join::{End, Member, ServiceError, Wiring};
use crate::ways_in::LbWay;
use std::net::IpAddr;
use tusk_core::{FlowEnd, Idx, Loc, Protocol};
use tusk_model::k8s::{PathType, Service, ServiceType, TargetPort};
use tusk_model::Estate;
use tusk_policy::reason::ServiceRef;

/// Why `ingress:NS/NAME[/PATH]` cannot be resolved (bad input or usage);
/// tusk-report words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngressError {
    /// No Ingress of that namespace and name in the inputs.
    NoSuchIngress {
        /// The namespace asked.
        namespace: String,
        /// The name asked.
        name: String,
    },
    /// No port asked (the controller's port, 80 or 443).
    NoPort,
    /// No rule serves the path and the Ingress has no default backend.
    NoRule {
        /// The Ingress's namespace.
        namespace: String,
        /// The Ingress's name.
        name: String,
        /// The path asked (`None`: `/`).
        path: Option<String>,
    },
    /// No LoadBalancer Service of the inputs is an ingress controller.
    NoController,
    /// Several are: each Service.
    SeveralControllers(Vec<ServiceRef>),
    /// The controller's Service did not resolve to endpoints.
    ControllerUnresolved,
    /// The controller's Service has no load balancer.
    ControllerNoLoadBalancer,
    /// A backend names a Service the inputs do not hold.
    NoBackendService(Box<BackendRef>),
    /// A backend names a port its Service does not have (over TCP).
    NoBackendPort(Box<BackendRef>),
    /// A backend Service did not resolve to endpoints.
    BackendUnresolved(ServiceRef),
    /// The controller's or a backend's Service cannot be resolved.
    Service(ServiceError),
}

/// One backend of an Ingress, as an error names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendRef {
    /// The Ingress's namespace.
    pub namespace: String,
    /// The Ingress's name.
    pub name: String,
    /// Where the backend is written.
    pub loc: Loc,
    /// The Service it names.
    pub service: ServiceRef,
}

impl From<ServiceError> for IngressError {
    fn from(e: ServiceError) -> IngressError {
        IngressError::Service(e)
    }
}

/// One backend Service of the Ingress: its endpoint members and target ports.
#[derive(Debug, Clone)]
pub struct Backend {
    /// The Service, as `namespace/name`.
    pub service: String,
    /// Its ClusterIP, when it has one in the inputs.
    pub cluster_ip: Option<IpAddr>,
    /// The Service port the controller connects to.
    pub port: u16,
    /// Every endpoint pod on each node it can run on.
    pub members: Vec<Member>,
    /// Each member's target port (aligned with `members`).
    pub targets: Vec<u16>,
}

/// An Ingress as a way in: its controller's load balancer and its backends.
#[derive(Debug, Clone)]
pub struct IngressWay {
    /// The Ingress, as `namespace/name`.
    pub ingress: String,
    /// The request path asked, when given.
    pub path: Option<String>,
    /// The controller's LoadBalancer Service as a way in.
    pub controller: LbWay,
    /// The backends the request may go to.
    pub backends: Vec<Backend>,
}

/// Does `rule` (an Ingress path of `kind`) match the request path `req`?
/// `Some(length)` of the match (longest wins).
fn matches(rule: &str, kind: PathType, req: &str) -> Option<usize> {
    match kind {
        PathType::Exact => (rule == req).then_some(rule.len()),
        PathType::Prefix | PathType::ImplementationSpecific => {
            let parts = |s: &str| s.split('/').filter(|x| !x.is_empty()).map(str::to_string).collect::<Vec<_>>();
            let (r, q) = (parts(rule), parts(req));
            (r.len() <= q.len() && r.iter().zip(&q).all(|(a, b)| a == b)).then_some(rule.len())
        }
    }
}

/// The one ingress controller Service of the inputs (see the module
/// documentation), or why there is none.
fn controller(estate: &Estate) -> Result<Idx<Service>, IngressError> {
    let c = &estate.k8s;
    let is_controller = |s: &Service| {
        s.kind == ServiceType::LoadBalancer
            && (s.namespace == "app-routing-system"
                || c.pods.iter().any(|p| {
                    p.namespace == s.namespace
                        && s.selector.as_ref().is_some_and(|sel| sel.iter().all(|(k, v)| p.labels.get(k) == Some(v)))
                        && (p.labels.get("app.kubernetes.io/name").map(String::as_str) == Some("ingress-nginx")
                            || p.labels.get("app.kubernetes.io/component").map(String::as_str) == Some("controller"))
                }))
    };
    let found: Vec<Idx<Service>> = Idx::all(&c.services).filter(|&i| is_controller(&c.services[i])).collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(IngressError::NoController),
        many => Err(IngressError::SeveralControllers(
            many.iter().map(|&i| tusk_policy::services::service_ref(&c.services[i])).collect(),
        )),
    }
}

/// Resolves `ingress:NS/NAME[/PATH]` for a client connecting on `port`
/// (the controller Service's port, 80 or 443). `None` when `end` is no
/// Ingress. Errors: no such Ingress, no controller (or several), no
/// backend for the path, a backend Service or port not in the inputs.
pub fn resolve_ingress(
    estate: &Estate,
    w: &Wiring,
    end: &FlowEnd,
    port: Option<u16>,
) -> Result<Option<End>, IngressError> {
    let FlowEnd::Ingress { namespace, name, path } = end else { return Ok(None) };
    let c = &estate.k8s;
    let ing = c
        .ingresses
        .iter()
        .find(|i| &i.namespace == namespace && &i.name == name)
        .ok_or_else(|| IngressError::NoSuchIngress { namespace: namespace.clone(), name: name.clone() })?;
    let Some(port) = port else { return Err(IngressError::NoPort) };
    // The rules for the path: the longest match, else the default backend.
    let chosen: Vec<&tusk_model::k8s::IngressBackend> = match path {
        None => ing.backends.iter().collect(),
        Some(req) => {
            let scored: Vec<(usize, _)> = ing
                .backends
                .iter()
                .filter_map(|b| b.path.as_ref().and_then(|(r, k)| matches(r, *k, req)).map(|n| (n, b)))
                .collect();
            let best = scored.iter().map(|x| x.0).max();
            match best {
                Some(n) => scored.into_iter().filter(|x| x.0 == n).map(|x| x.1).collect(),
                None => ing.backends.iter().filter(|b| b.path.is_none()).collect(),
            }
        }
    };
    if chosen.is_empty() {
        return Err(IngressError::NoRule { namespace: namespace.clone(), name: name.clone(), path: path.clone() });
    }
    let ctl = controller(estate)?;
    let cs = &c.services[ctl];
    let ctl_end = crate::services::resolve_service(
        estate,
        w,
        &FlowEnd::Service { namespace: cs.namespace.clone(), name: cs.name.clone() },
        Protocol::Tcp,
        Some(port),
    )?
    .ok_or(IngressError::ControllerUnresolved)?;
    let controller = ctl_end.lb.map(|b| *b).ok_or(IngressError::ControllerNoLoadBalancer)?;
    let mut backends = Vec::new();
    for b in chosen {
        let svc = c.services.iter().find(|s| s.namespace == ing.namespace && s.name == b.service).ok_or_else(|| {
            IngressError::NoBackendService(Box::new(BackendRef {
                namespace: namespace.clone(),
                name: name.clone(),
                loc: b.loc.clone(),
                service: ServiceRef { namespace: ing.namespace.clone(), name: b.service.clone() },
            }))
        })?;
        let sp = svc
            .ports
            .iter()
            .find(|p| {
                p.protocol == Protocol::Tcp
                    && match &b.port {
                        TargetPort::Number(n) => p.port == *n,
                        TargetPort::Name(n) => p.name.as_deref() == Some(n.as_str()),
                    }
            })
            .ok_or_else(|| {
                IngressError::NoBackendPort(Box::new(BackendRef {
                    namespace: namespace.clone(),
                    name: name.clone(),
                    loc: b.loc.clone(),
                    service: tusk_policy::services::service_ref(svc),
                }))
            })?;
        let end = FlowEnd::Service { namespace: svc.namespace.clone(), name: svc.name.clone() };
        let e = crate::services::resolve_service(estate, w, &end, Protocol::Tcp, Some(sp.port))?
            .ok_or_else(|| IngressError::BackendUnresolved(tusk_policy::services::service_ref(svc)))?;
        let (service, cluster_ip, targets) = e.service.unwrap_or_default();
        backends.push(Backend { service, cluster_ip, port: sp.port, members: e.members, targets });
    }
    let way = IngressWay { ingress: format!("{namespace}/{name}"), path: path.clone(), controller, backends };
    Ok(Some(End { name: end.to_string(), ingress: Some(Box::new(way)), ..Default::default() }))
}
