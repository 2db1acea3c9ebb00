//! The port boundaries of the Kubernetes layer ([`tusk_core::PortCuts`]):
//! every port or port range a policy of any language names, with named
//! ports resolved to the numbers pods give them, plus the ports Services
//! and Ingresses translate. Between two cuts every rule the engines
//! evaluate ([`crate::explain`], the fast engine's [`crate::compile`])
//! matches every port or none, so a pod-to-pod verdict is the same for every
//! port of an atom.
//!
//! Sources, each with the page whose port field it reads:
//! * NetworkPolicy `ports[].port` / `endPort` ("Network Policies",
//!   kubernetes.io/docs/concepts/services-networking/network-policies:
//!   "Targeting a range of ports"), and (Baseline)AdminNetworkPolicy
//!   `ports[].portNumber` / `portRange` / `namedPort`
//!   (network-policy-api.sigs.k8s.io, API reference);
//! * a named port is matched per destination pod against its container
//!   ports ("Network Policies": named ports), so every container port
//!   number is cut on its own: whatever a name resolves to is an atom
//!   edge ([`crate::compile::resolve_ports`] resolves the same way);
//! * Calico rules' `destination.ports` (with `notPorts` already subtracted
//!   by the loader) and Cilium `toPorts` (docs.tigera.io, "Network policy";
//!   docs.cilium.io, "Layer 4 Examples");
//! * Istio AuthorizationPolicy `to.operation.ports` / `notPorts` and `when`
//!   on `destination.port` ([`crate::lang::istio::op_ports`],
//!   [`crate::lang::istio::when_ports`]), PeerAuthentication
//!   `portLevelMtls`, Sidecar egress listener ports and ServiceEntry ports
//!   (istio.io, "Authorization Policy", "PeerAuthentication", "Sidecar",
//!   "Service Entry" references);
//! * Service `port`, `targetPort`, `nodePort`, `healthCheckNodePort`
//!   ("Service", kubernetes.io/docs/concepts/services-networking/service).
//!
//! Protocols: a port entry naming its protocol is cut on that protocol;
//! Istio's ports (TCP by definition) and anything not typed are cut on
//! TCP, UDP and SCTP: more atoms, never fewer.

use tusk_core::{PortCuts, Protocol};
use tusk_model::k8s::{Cluster, PolicyPort, TargetPort};

/// Every port boundary of `cluster`'s policies (every language, enforced
/// or not: a policy the chosen engine ignores only adds atoms), named
/// ports, Services and Ingress backends. Cost: one pass over policies and
/// pods. Never fails.
pub fn port_cuts(cluster: &Cluster) -> PortCuts {
    let mut c = PortCuts::new();
    let mut add = |ports: &[PolicyPort]| {
        for p in ports {
            match *p {
                PolicyPort::All(_) | PolicyPort::Named(..) => {}
                PolicyPort::Range(proto, lo, hi) => c.range(proto, lo, hi),
            }
        }
    };
    for np in &cluster.network_policies {
        for r in np.ingress.iter().chain(&np.egress) {
            add(&r.ports);
        }
    }
    for anp in cluster.admin_policies.iter().chain(&cluster.baseline_policy) {
        for r in anp.ingress.iter().chain(&anp.egress) {
            add(&r.ports);
        }
    }
    for p in &cluster.calico.policies {
        for r in p.ingress.iter().chain(&p.egress) {
            add(&r.ports);
        }
    }
    for p in &cluster.calico.profiles {
        for r in p.ingress.iter().chain(&p.egress) {
            add(&r.ports);
        }
    }
    for p in &cluster.cilium_policies {
        for r in p.ingress.iter().chain(&p.egress) {
            add(&r.ports);
        }
    }
    // Named ports: every container port number, on its protocol.
    for pod in &cluster.pods {
        for cp in &pod.ports {
            c.port(cp.protocol, cp.port);
        }
    }
    let mesh = &cluster.mesh;
    for ap in &mesh.authorization {
        for r in &ap.rules {
            c.any_set(&crate::lang::istio::when_ports(r));
            for o in &r.to {
                c.any_set(&crate::lang::istio::op_ports(o));
            }
        }
    }
    for pa in &mesh.peer_authentication {
        for (port, _) in &pa.port_level {
            c.any(*port, *port);
        }
    }
    for sc in &mesh.sidecars {
        for l in &sc.egress {
            if let Some(p) = l.port {
                c.any(p, p);
            }
        }
    }
    for se in &mesh.service_entries {
        for &p in &se.ports {
            c.any(p, p);
        }
    }
    for s in &cluster.services {
        for sp in &s.ports {
            c.port(sp.protocol, sp.port);
            if let TargetPort::Number(t) = sp.target {
                c.port(sp.protocol, t);
            }
            if let Some(n) = sp.node_port {
                c.port(sp.protocol, n);
            }
        }
        if let Some(h) = s.health_check_node_port {
            c.port(Protocol::Tcp, h);
        }
    }
    for ing in &cluster.ingresses {
        for b in &ing.backends {
            if let TargetPort::Number(n) = b.port {
                c.port(Protocol::Tcp, n);
            }
        }
    }
    c
}
