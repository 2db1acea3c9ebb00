//! Istio's networking kinds as far as tusk models them (networking.istio.io
//! v1, v1beta1, v1alpha3): Sidecar egress scoping and ServiceEntry, the
//! registry entries a Sidecar may import.
//!
//! Plain data: the loader (`tusk-load/src/k8s/istio_net.rs`) validates and
//! fills it, the engine (`tusk-policy/src/lang/istio/sidecar.rs`) decides
//! with it. Istio docs: "Sidecar" and "Service Entry" reference pages
//! (istio.io/latest/docs/reference/config/networking/).

use super::k8s::LabelSelector;
use tusk_core::{IpSet, Loc};

/// `outboundTrafficPolicy.mode` (Sidecar reference, "OutboundTrafficPolicy").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundMode {
    /// `ALLOW_ANY`: a destination the proxy does not know passes through
    /// (the mesh default when MeshConfig does not say otherwise).
    AllowAny,
    /// `REGISTRY_ONLY`: only hosts the proxy imports (Services and
    /// ServiceEntries named by the egress listeners) are reachable; the rest
    /// goes to a black hole.
    RegistryOnly,
}

/// The namespace part of an egress host `NS/DNS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostNamespace {
    /// `*`: every namespace.
    Any,
    /// `.`: the Sidecar's own namespace.
    Own,
    /// `~`: no namespace (imports nothing).
    None,
    /// A namespace named literally.
    Named(String),
}

/// One egress host `NS/DNS` (Sidecar reference, `IstioEgressListener.hosts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EgressHost {
    /// Where the imported services live.
    pub namespace: HostNamespace,
    /// The DNS name: exact, `*` (every host) or `*.suffix`.
    pub dns: String,
}

impl EgressHost {
    /// Does this host import a service `dns` of namespace `ns`, for a
    /// Sidecar in namespace `own`?
    pub fn imports(&self, own: &str, ns: &str, dns: &str) -> bool {
        let ns_ok = match &self.namespace {
            HostNamespace::Any => true,
            HostNamespace::Own => ns == own,
            HostNamespace::None => false,
            HostNamespace::Named(n) => n == ns,
        };
        ns_ok && dns_matches(&self.dns, dns)
    }
}

/// An Istio host pattern against a host: exact, `*`, or `*.suffix` (the
/// wildcard stands for one or more leading labels).
pub fn dns_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix('*') {
        Some("") => true,
        Some(suffix) => host.len() > suffix.len() && host.ends_with(suffix),
        None => pattern == host,
    }
}

/// One `egress` listener of a Sidecar.
#[derive(Debug, Clone)]
pub struct EgressListener {
    /// `port.number`: the listener imports its hosts on that port only.
    pub port: Option<u16>,
    /// `hosts`.
    pub hosts: Vec<EgressHost>,
    /// `bind` or a `captureMode` other than DEFAULT / IPTABLES is set: the
    /// listener's interception is not the default one.
    pub custom_capture: bool,
    /// Where the listener is.
    pub loc: Loc,
}

/// One Sidecar (networking.istio.io).
#[derive(Debug, Clone)]
pub struct Sidecar {
    /// metadata.namespace.
    pub namespace: String,
    /// metadata.name.
    pub name: String,
    /// `workloadSelector.labels`; `None`: every workload of the namespace
    /// (or of the mesh, from the root namespace).
    pub selector: Option<LabelSelector>,
    /// `egress` listeners (none: the proxy imports every host).
    pub egress: Vec<EgressListener>,
    /// `outboundTrafficPolicy.mode`; `None`: the mesh default.
    pub outbound: Option<OutboundMode>,
    /// `outboundTrafficPolicy.egressProxy` is set: unknown destinations go
    /// to that proxy rather than straight out.
    pub egress_proxy: bool,
    /// The Sidecar has `ingress` listeners (inbound ports, not modelled).
    pub ingress: bool,
    /// Where the object is.
    pub loc: Loc,
}

impl Sidecar {
    /// `Sidecar NS/NAME`.
    pub fn title(&self) -> String {
        format!("Sidecar {}/{}", self.namespace, self.name)
    }
}

/// One ServiceEntry (networking.istio.io): hosts added to the registry.
#[derive(Debug, Clone)]
pub struct ServiceEntry {
    /// metadata.namespace.
    pub namespace: String,
    /// metadata.name.
    pub name: String,
    /// `hosts`.
    pub hosts: Vec<String>,
    /// `addresses` (IPs and CIDRs); `None` when absent: the entry is found
    /// by its host name, which resolves to addresses tusk does not know.
    pub addresses: Option<IpSet>,
    /// `ports[].number` (empty: every port).
    pub ports: Vec<u16>,
    /// `location: MESH_INTERNAL` (otherwise MESH_EXTERNAL, the default).
    pub mesh_internal: bool,
    /// `exportTo` is set and is not `*`: visible only to some namespaces.
    pub export_to: Option<Vec<String>>,
    /// Where the object is.
    pub loc: Loc,
}

impl ServiceEntry {
    /// `ServiceEntry NS/NAME`.
    pub fn title(&self) -> String {
        format!("ServiceEntry {}/{}", self.namespace, self.name)
    }

    /// Is the entry visible from namespace `ns` (`exportTo`: `*` or absent
    /// everywhere, `.` its own namespace, or named namespaces)?
    pub fn visible_from(&self, ns: &str) -> bool {
        match &self.export_to {
            None => true,
            Some(list) => list.iter().any(|e| e == "*" || e == ns || (e == "." && ns == self.namespace)),
        }
    }
}
