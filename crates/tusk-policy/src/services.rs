//! Flows to a Service address. kube-proxy (or the data plane) rewrites the
//! Service's virtual IP to one endpoint pod before any network policy sees
//! the packet (Kubernetes docs, "Virtual IPs and Service Proxies"; policies
//! act on pod IPs, "Network Policies"), so a flow to a ClusterIP is a flow
//! to each endpoint pod on its target port, and its verdict is the group
//! verdict over all of them: allowed or denied only when every endpoint's
//! is, unknown otherwise. A Service whose endpoints the input cannot give
//! (no selector, no matching pod) is unknown with the reason.

use super::explain::{explain, Explanation, FlowEnd, Reason, Verdict};
use super::{Analysis, Semantics};
use std::net::IpAddr;
use tusk_core::{ConnSet, GroupVerdict, Kind, PortSet, Protocol, Reach};
use tusk_model::k8s::{Cluster, Service, ServicePort, TargetPort};

/// The Service whose ClusterIP is `ip`.
pub fn by_cluster_ip(c: &Cluster, ip: IpAddr) -> Option<usize> {
    c.services.iter().position(|s| s.cluster_ips.contains(&ip))
}

/// `Service NS/NAME`, the name explanations and reasons use.
pub fn title(s: &Service) -> String {
    format!("Service {}/{}", s.namespace, s.name)
}

/// The endpoint pods of one Service port, each with its target port; or why
/// the input cannot give them.
pub fn endpoints(c: &Cluster, svc: &Service, sp: &ServicePort) -> Result<Vec<(usize, u16)>, Reason> {
    let Some(sel) = &svc.selector else {
        return Err(Reason::NoSelector { service: title(svc) });
    };
    let mut out = Vec::new();
    for (i, p) in c.pods.iter().enumerate() {
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
        return Err(Reason::NoEndpoints { service: title(svc), proto: sp.protocol, port: sp.port });
    }
    Ok(out)
}

/// One flow to a Service: every endpoint's explanation and the verdict
/// over all of them.
#[derive(Debug, Clone)]
pub struct ServiceExplanation {
    /// The Service, as [`title`] names it.
    pub service: String,
    /// (pod index, target port, its explanation).
    pub endpoints: Vec<(usize, u16, Explanation)>,
    /// The verdict over every endpoint: allowed or denied when all agree,
    /// unknown (with each endpoint's verdict) otherwise.
    pub verdict: Verdict,
}

/// Explains a flow from `src` to Service index `svc` on `proto`/`port`: each
/// endpoint pod of that Service port with its target port ("Service",
/// kubernetes.io/docs/concepts/services-networking/service/: the selector and
/// `targetPort`, a named one resolved per pod). A Service without a selector,
/// port or endpoint yields an unknown verdict with its [`Reason`], located
/// at the Service.
pub fn explain_service(
    c: &Cluster,
    sem: &Semantics,
    src: FlowEnd,
    svc: usize,
    proto: Protocol,
    port: u16,
) -> ServiceExplanation {
    let s = &c.services[svc];
    let service = title(s);
    let Some(sp) = s.ports.iter().find(|p| p.protocol == proto && p.port == port) else {
        let ports = s.ports.iter().map(|p| format!("{} {}", p.protocol, p.port)).collect();
        let reason = Reason::NoServicePort { service: service.clone(), proto, port, ports };
        let verdict = Verdict::unknown(reason, Some(s.loc.clone()));
        return ServiceExplanation { service, endpoints: Vec::new(), verdict };
    };
    let eps = match endpoints(c, s, sp) {
        Ok(e) => e,
        Err(why) => {
            let verdict = Verdict::unknown(why, Some(s.loc.clone()));
            return ServiceExplanation { service, endpoints: Vec::new(), verdict };
        }
    };
    let endpoints: Vec<(usize, u16, Explanation)> =
        eps.into_iter().map(|(pod, t)| (pod, t, explain(c, sem, src, FlowEnd::Pod(pod), proto, t))).collect();
    let verdict = group_verdict(c, &endpoints);
    ServiceExplanation { service, endpoints, verdict }
}

/// Allowed or denied when every endpoint's verdict is (the vocabulary's
/// group verdict); otherwise unknown, naming an endpoint of each verdict
/// (`mixed` when some are allowed and some denied).
fn group_verdict(c: &Cluster, eps: &[(usize, u16, Explanation)]) -> Verdict {
    let g = GroupVerdict::of(eps.iter().map(|(p, _, e)| (*p, e.verdict.clone())));
    match g.kind.uniform() {
        Some(_) => eps[0].2.verdict.clone(),
        None => {
            let name = |i: usize| format!("{}/{}", c.pods[i].namespace, c.pods[i].name);
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
pub fn pair(a: &Analysis, src: FlowEnd, svc: usize) -> (Reach, Vec<Reason>) {
    let c = a.cluster;
    let s = &c.services[svc];
    let (mut allowed, mut unknown, mut notes) = (ConnSet::none(), ConnSet::none(), Vec::<Reason>::new());
    for sp in &s.ports {
        let one = ConnSet::of(sp.protocol, PortSet::single(sp.port));
        let eps = match endpoints(c, s, sp) {
            Ok(e) => e,
            Err(why) => {
                unknown = unknown.union(&one);
                notes.push(why);
                continue;
            }
        };
        let (mut all, mut any) = (true, false);
        for (pod, t) in eps {
            let k = a.pair(src, FlowEnd::Pod(pod)).at(sp.protocol, t);
            all &= k == Kind::Allowed;
            any |= k != Kind::Denied;
        }
        if all {
            allowed = allowed.union(&one);
        } else if any {
            unknown = unknown.union(&one);
        }
    }
    (Reach::new(allowed, unknown), notes)
}
