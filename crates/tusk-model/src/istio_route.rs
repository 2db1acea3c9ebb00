//! Istio's routing kinds (networking.istio.io v1, v1beta1, v1alpha3):
//! VirtualService routes, Gateway servers and the DestinationRule subsets a
//! route may name.
//!
//! Plain data: the loader (`tusk-load/src/k8s/istio_route.rs`) validates and
//! fills it, the engine (`tusk-policy/src/lang/istio/route.rs`) decides with
//! it. Istio docs: "Virtual Service", "Gateway" and "Destination Rule"
//! reference pages (istio.io/latest/docs/reference/config/networking/).

use std::collections::BTreeMap;
use tusk_core::Loc;

/// The reserved gateway name meaning every sidecar of the mesh
/// (VirtualService reference, `gateways`).
pub const MESH_GATEWAY: &str = "mesh";

/// Which list of a VirtualService a route is in: the proxy applies
/// `http` routes to HTTP traffic, `tls` to TLS (SNI) traffic and `tcp` to
/// the rest (VirtualService reference, `http` / `tls` / `tcp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteKind {
    /// `http[]`.
    Http,
    /// `tls[]`.
    Tls,
    /// `tcp[]`.
    Tcp,
}

impl RouteKind {
    /// The field name (`http`, `tls`, `tcp`).
    pub fn name(self) -> &'static str {
        match self {
            RouteKind::Http => "http",
            RouteKind::Tls => "tls",
            RouteKind::Tcp => "tcp",
        }
    }
}

/// A condition of a route match that tusk's flows do not carry or tusk does
/// not evaluate: a flow that may meet it is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchField {
    /// `headers`.
    Headers,
    /// `withoutHeaders`: matches requests that lack the header.
    WithoutHeaders,
    /// `uri` (evaluated when the flow carries `--http-path`).
    Uri,
    /// `method` (evaluated when the flow carries `--http-method`).
    Method,
    /// `queryParams`.
    QueryParams,
    /// `authority`.
    Authority,
    /// `scheme`.
    Scheme,
    /// `sniHosts` (TLS routes).
    SniHosts,
    /// `destinationSubnets`.
    DestinationSubnets,
}

/// A string match (`exact`, `prefix`, `regex`) of a route condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StringMatch {
    /// `exact`.
    Exact(String),
    /// `prefix`.
    Prefix(String),
    /// `regex` (RE2): not evaluated, so unknown.
    Regex(String),
}

/// One entry of a route's `match` list (its conditions are ANDed; the
/// entries are ORed).
#[derive(Debug, Clone, Default)]
pub struct RouteMatch {
    /// `port`: the port the client addressed.
    pub port: Option<u16>,
    /// `sourceLabels`: labels the source workload must carry.
    pub source_labels: Option<BTreeMap<String, String>>,
    /// `sourceNamespace`.
    pub source_namespace: Option<String>,
    /// `gateways`: the match applies only to these (overrides the
    /// VirtualService's own list).
    pub gateways: Vec<String>,
    /// `uri` (HTTP).
    pub uri: Option<StringMatch>,
    /// `method` (HTTP).
    pub method: Option<StringMatch>,
    /// `sniHosts` (TLS): the SNI names the match accepts (also listed in
    /// `unmodelled`, since a mesh flow carries no SNI).
    pub sni_hosts: Vec<String>,
    /// Other conditions present, which tusk does not evaluate.
    pub unmodelled: Vec<MatchField>,
}

/// One `destination` of a route with its `weight`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteDestination {
    /// `destination.host` as written.
    pub host: String,
    /// `destination.subset`.
    pub subset: Option<String>,
    /// `destination.port.number`.
    pub port: Option<u16>,
    /// `weight` (absent: 100 for a single destination, 0 otherwise: the
    /// reference says weights must sum to 100; tusk only asks whether it is
    /// above 0).
    pub weight: u32,
}

/// What a route does with the traffic it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteAction {
    /// `route`: forwarded to these destinations (a split when several
    /// have a weight above 0).
    Forward(Vec<RouteDestination>),
    /// `redirect`: the proxy answers with an HTTP redirect.
    Redirect,
    /// `directResponse`: the proxy answers itself.
    DirectResponse,
    /// `delegate`: the routes are in another VirtualService.
    Delegate(String),
    /// Neither (an invalid route the API server would still store).
    None,
}

/// One route of `http`, `tls` or `tcp`.
#[derive(Debug, Clone)]
pub struct Route {
    /// Which list it is in.
    pub kind: RouteKind,
    /// Its index in that list.
    pub index: usize,
    /// `name`, when given.
    pub name: Option<String>,
    /// `match` (empty: every request or connection).
    pub matches: Vec<RouteMatch>,
    /// What it does.
    pub action: RouteAction,
    /// `fault.abort`: `Some(Some(p))` aborts p % of the requests;
    /// `Some(None)` when the abort gives no percentage (tusk does not assume
    /// a default share).
    pub abort: Option<Option<f64>>,
    /// `fault.delay` is set (requests are delayed, then forwarded).
    pub delay: bool,
    /// `rewrite` is set (the URI or authority changes before forwarding).
    pub rewrite: bool,
    /// `mirror` / `mirrors` are set (a copy goes elsewhere, the answer is
    /// the route's own).
    pub mirror: bool,
    /// Where the route is.
    pub loc: Loc,
}

impl Route {
    /// `http[0]`, or `http[0] (name)`.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{}[{}] ({n})", self.kind.name(), self.index),
            None => format!("{}[{}]", self.kind.name(), self.index),
        }
    }
}

/// One VirtualService.
#[derive(Debug, Clone)]
pub struct VirtualService {
    /// metadata.namespace.
    pub namespace: String,
    /// metadata.name.
    pub name: String,
    /// `hosts` as written.
    pub hosts: Vec<String>,
    /// `gateways` as written (empty: `mesh` alone).
    pub gateways: Vec<String>,
    /// `exportTo` (absent: every namespace).
    pub export_to: Option<Vec<String>>,
    /// Every route, `http` first, then `tls`, then `tcp`.
    pub routes: Vec<Route>,
    /// Where the object is.
    pub loc: Loc,
}

impl VirtualService {
    /// `VirtualService NS/NAME`.
    pub fn title(&self) -> String {
        format!("VirtualService {}/{}", self.namespace, self.name)
    }

    /// Does it apply to the sidecars of the mesh (`gateways` omitted or
    /// naming `mesh`)?
    pub fn applies_to_mesh(&self) -> bool {
        self.gateways.is_empty() || self.gateways.iter().any(|g| g == MESH_GATEWAY)
    }

    /// Is it visible from namespace `ns` (`exportTo`: absent or `*`
    /// everywhere, `.` its own namespace, or named namespaces)?
    pub fn visible_from(&self, ns: &str) -> bool {
        match &self.export_to {
            None => true,
            Some(list) => list.iter().any(|e| e == "*" || e == ns || (e == "." && ns == self.namespace)),
        }
    }

    /// Does any route match on `sourceLabels` (routing then depends on
    /// the source pod's labels)?
    pub fn uses_source_labels(&self) -> bool {
        self.routes.iter().any(|r| r.matches.iter().any(|m| m.source_labels.is_some()))
    }
}

/// One named subset of a DestinationRule: the host's endpoints carrying
/// these labels.
#[derive(Debug, Clone)]
pub struct Subset {
    /// The DestinationRule's namespace (short hosts resolve there).
    pub namespace: String,
    /// The DestinationRule's name.
    pub rule: String,
    /// `host` as written.
    pub host: String,
    /// `subsets[].name`.
    pub name: String,
    /// `subsets[].labels`.
    pub labels: BTreeMap<String, String>,
    /// Where the subset is.
    pub loc: Loc,
}

/// One Gateway: the pods it selects and what their servers listen on.
#[derive(Debug, Clone)]
pub struct Gateway {
    /// metadata.namespace.
    pub namespace: String,
    /// metadata.name.
    pub name: String,
    /// `selector`: labels of the gateway pods (searched in every namespace
    /// unless the mesh restricts it).
    pub selector: BTreeMap<String, String>,
    /// `servers[]`: what each listens on and which VirtualService hosts
    /// it exposes.
    pub servers: Vec<GatewayServer>,
    /// Where the object is.
    pub loc: Loc,
}

/// One `servers[]` entry of a Gateway (Gateway reference, `Server`).
#[derive(Debug, Clone)]
pub struct GatewayServer {
    /// `port.number`: the port the gateway pod listens on.
    pub port: u16,
    /// `port.protocol`, upper-cased (`HTTP`, `HTTPS`, `GRPC`, `HTTP2`,
    /// `MONGO`, `TCP`, `TLS`); empty when absent.
    pub protocol: String,
    /// `tls.mode`, upper-cased (`PASSTHROUGH`, `SIMPLE`, `MUTUAL`,
    /// `AUTO_PASSTHROUGH`, `ISTIO_MUTUAL`); `None` without `tls.mode`.
    pub tls_mode: Option<String>,
    /// `hosts`: `[namespace/]dnsName` (`*/` when no namespace is given).
    pub hosts: Vec<String>,
    /// Where the server is.
    pub loc: Loc,
}

impl Gateway {
    /// `Gateway NS/NAME`.
    pub fn title(&self) -> String {
        format!("Gateway {}/{}", self.namespace, self.name)
    }
}

/// The FQDN of Service `name` in `ns` (`NAME.NS.svc.cluster.local`; the
/// cluster domain is assumed to be `cluster.local`).
pub fn service_fqdn(ns: &str, name: &str) -> String {
    format!("{name}.{ns}.svc.cluster.local")
}

/// A route host as Istio reads it from an object in namespace `ns`: a
/// short name (no dot, no wildcard) is the Service of that name in `ns`
/// ("Note for Kubernetes users" under VirtualService `hosts` and
/// Destination `host`); anything else stays as written.
pub fn qualify(host: &str, ns: &str) -> String {
    if host.contains('.') || host.contains('*') {
        host.to_string()
    } else {
        service_fqdn(ns, host)
    }
}
