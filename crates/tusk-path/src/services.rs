//! A Service as a destination: the ClusterIP translated at the source
//! node to each endpoint pod and its target port (pods and nodes), and,
//! for a LoadBalancer Service, the way in from outside the cluster
//! ([`crate::ways_in`]).

use crate::join::{End, Member, Wiring};
use tusk_core::{FlowEnd, Idx, Protocol};
use tusk_model::Estate;
use tusk_policy::reason::{Reason, ServiceRef};

/// Why a Service destination cannot be resolved (bad input or usage);
/// tusk-report words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceError {
    /// `svc:NS/NAME` names no Service of the inputs.
    NoSuchService(ServiceRef),
    /// No port asked: a Service is reached on one of its ports (`--port`).
    NoPort(ServiceRef),
    /// The Service has no port of this protocol and number.
    NoSuchPort {
        /// The Service.
        service: ServiceRef,
        /// The protocol asked.
        proto: Protocol,
        /// The port asked.
        port: u16,
    },
    /// The Service's endpoints cannot be told from the inputs.
    Endpoints {
        /// The Service.
        service: ServiceRef,
        /// Why (no selector, ...).
        reason: Box<Reason>,
    },
}

/// A Service destination (`svc:NS/NAME`, or an address that is a
/// Service's ClusterIP): kube-proxy (or the data plane) translates it at
/// the source node to an endpoint pod and its target port before any
/// policy or NSG sees the packet (Kubernetes docs, "Virtual IPs and Service
/// Proxies"). `None` when `end` is no Service; [`ServiceError`] when it
/// names none, no port is given, the Service has no such port, or its
/// endpoints cannot be told.
pub fn resolve_service(
    estate: &Estate,
    w: &Wiring,
    end: &FlowEnd,
    proto: Protocol,
    port: Option<u16>,
) -> Result<Option<End>, ServiceError> {
    let c = &estate.k8s;
    let svc = match end {
        FlowEnd::Service { namespace, name } => Some(
            Idx::enumerate(&c.services)
                .find(|(_, s)| &s.namespace == namespace && &s.name == name)
                .map(|(i, _)| i)
                .ok_or_else(|| {
                    ServiceError::NoSuchService(ServiceRef { namespace: namespace.clone(), name: name.clone() })
                })?,
        ),
        FlowEnd::Address(ip) if !c.pods.iter().any(|p| p.ips.contains(ip)) => {
            tusk_policy::services::by_cluster_ip(c, *ip)
                .or_else(|| Idx::enumerate(&c.services).find(|(_, s)| s.load_balancer_ips.contains(ip)).map(|(i, _)| i))
        }
        _ => None,
    };
    let Some(i) = svc else { return Ok(None) };
    let s = &c.services[i];
    let service = tusk_policy::services::service_ref(s);
    let Some(port) = port else { return Err(ServiceError::NoPort(service)) };
    let Some(sp) = s.ports.iter().find(|sp| sp.port == port && sp.protocol == proto) else {
        return Err(ServiceError::NoSuchPort { service, proto, port });
    };
    let eps = tusk_policy::services::endpoints(c, s, sp)
        .map_err(|reason| ServiceError::Endpoints { service: service.clone(), reason: Box::new(reason) })?;
    let (mut members, mut ports) = (Vec::new(), Vec::new());
    for (pod, target) in eps {
        for node in w.nodes_of(estate, pod) {
            members.push(Member::Pod { pod, node, replica: 0 });
            ports.push(target);
        }
    }
    let lb = (s.kind == tusk_model::k8s::ServiceType::LoadBalancer)
        .then(|| Box::new(crate::ways_in::lb_way(estate, w, s, port, &members, &ports)));
    Ok(Some(End {
        name: end.to_string(),
        members,
        service: Some((format!("{}/{}", s.namespace, s.name), s.cluster_ips.first().copied(), ports)),
        lb,
        ..Default::default()
    }))
}

/// A client outside the cluster (`client`) and a Service without a load
/// balancer: its ClusterIP is translated only on the cluster's own nodes
/// (kube-proxy, Kubernetes docs "Virtual IPs and Service Proxies"), so the
/// question has no path through the Service (`service`, as
/// `namespace/name`); unknown, saying so.
pub(crate) fn outside_cluster_ip(
    client: &tusk_network::endpoint::Endpoint,
    service: &str,
    to: &str,
) -> crate::join::Path {
    crate::join::finish(
        crate::join::Path {
            from: crate::join::PairEnd::Azure(client.clone()),
            to: crate::join::PairEnd::Given(to.to_string()),
            src_node: None,
            dst_node: None,
            segments: Vec::new(),
            verdict: tusk_core::Kind::Unknown,
            doubt: None,
        },
        vec![crate::join::Segment::NotEvaluated(crate::segment::Unevaluated::NoLoadBalancer {
            service: service.to_string(),
        })],
        None,
    )
}
