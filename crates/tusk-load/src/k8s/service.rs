//! Services: the virtual addresses (`spec.clusterIP(s)`), the selector that
//! picks endpoint pods, and each port's `targetPort` (a number, or a name
//! resolved on each endpoint pod). Kubernetes evaluates network policies
//! after the Service address is translated to an endpoint pod (docs,
//! "Virtual IPs and Service Proxies"), so the engine needs exactly these.

use super::fields::{text, Cx};
use super::ports::{is_port_name, port_number, protocol};
use super::selector::labels;
use crate::doc::{Node, Value};
use std::net::IpAddr;
use tusk_core::{LoadError, Loc};
use tusk_model::k8s::{
    Ingress, IngressBackend, PathType, Service, ServicePort, ServiceType, TargetPort, TrafficPolicy,
};

/// The AKS annotation making a LoadBalancer Service's frontend internal.
const INTERNAL: &str = "service.beta.kubernetes.io/azure-load-balancer-internal";
const INTERNAL_SUBNET: &str = "service.beta.kubernetes.io/azure-load-balancer-internal-subnet";
const IPV4: &str = "service.beta.kubernetes.io/azure-load-balancer-ipv4";
const SOURCE_RANGES: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";
const ALLOWED_RANGES: &str = "service.beta.kubernetes.io/azure-allowed-ip-ranges";
const ALLOWED_TAGS: &str = "service.beta.kubernetes.io/azure-allowed-service-tags";
const NO_FLOATING_IP: &str = "service.beta.kubernetes.io/azure-disable-load-balancer-floating-ip";

pub fn service(cx: Cx, n: &Node, namespace: String, name: String, loc: Loc) -> Result<Service, LoadError> {
    let mut svc = Service {
        namespace,
        name,
        selector: None,
        cluster_ips: Vec::new(),
        ports: Vec::new(),
        loc,
        kind: ServiceType::ClusterIp,
        external_traffic_policy: TrafficPolicy::Cluster,
        load_balancer_ips: Vec::new(),
        internal: false,
        internal_subnet: None,
        source_ranges: Vec::new(),
        allowed_service_tags: Vec::new(),
        floating_ip: true,
        health_check_node_port: None,
    };
    let Some(spec) = n.get("spec") else { return Ok(svc) };
    cx.map(spec, "spec")?;
    // The API server's enums: anything else is refused at admission.
    svc.kind = match cx.opt_str(spec, "type")? {
        None | Some("ClusterIP") => ServiceType::ClusterIp,
        Some("NodePort") => ServiceType::NodePort,
        Some("LoadBalancer") => ServiceType::LoadBalancer,
        Some("ExternalName") => ServiceType::ExternalName,
        Some(t) => {
            let at = spec.get("type").unwrap_or(spec);
            return Err(
                cx.err(at, format!("`{t}` is not a Service type (ClusterIP, NodePort, LoadBalancer, ExternalName)"))
            );
        }
    };
    svc.external_traffic_policy = match cx.opt_str(spec, "externalTrafficPolicy")? {
        None | Some("Cluster") => TrafficPolicy::Cluster,
        Some("Local") => TrafficPolicy::Local,
        Some(t) => {
            let at = spec.get("externalTrafficPolicy").unwrap_or(spec);
            return Err(cx.err(at, format!("`{t}` is not an externalTrafficPolicy (Cluster, Local)")));
        }
    };
    if let Some(np) = spec.get("healthCheckNodePort") {
        svc.health_check_node_port = Some(port_number(cx, np, "healthCheckNodePort")?);
    }
    let mut lb_ips = Vec::new();
    let mut add = |at: &Node, s: &str, what: &str| -> Result<(), LoadError> {
        let ip: IpAddr = s.parse().map_err(|_| cx.err(at, format!("`{s}` is not an IP address ({what})")))?;
        if !lb_ips.contains(&ip) {
            lb_ips.push(ip);
        }
        Ok(())
    };
    if let Some(ingress) = n.get("status").and_then(|st| st.get("loadBalancer")) {
        for i in cx.seq(ingress, "ingress")? {
            if let (Some(at), Some(s)) = (i.get("ip"), cx.opt_str(i, "ip")?) {
                add(at, s, "status.loadBalancer.ingress[].ip")?;
            }
        }
    }
    if let (Some(at), Some(s)) = (spec.get("loadBalancerIP"), cx.opt_str(spec, "loadBalancerIP")?) {
        if !s.is_empty() {
            add(at, s, "loadBalancerIP")?;
        }
    }
    for r in cx.seq(spec, "loadBalancerSourceRanges")? {
        let t = r.as_str().ok_or_else(|| cx.err(r, "`loadBalancerSourceRanges` entries must be strings"))?;
        svc.source_ranges.push(cidr(cx, r, t)?);
    }
    if let Some(meta) = n.get("metadata") {
        for (k, v, _) in cx.string_map(meta, "annotations")? {
            let at = meta.get("annotations").unwrap_or(meta);
            match k.as_str() {
                // Comma-separated CIDRs (cloud-provider-azure reads both).
                SOURCE_RANGES | ALLOWED_RANGES => {
                    for t in v.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                        svc.source_ranges.push(cidr(cx, at, t)?);
                    }
                }
                ALLOWED_TAGS => {
                    svc.allowed_service_tags
                        .extend(v.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string));
                }
                INTERNAL => svc.internal = v.eq_ignore_ascii_case("true"),
                NO_FLOATING_IP => svc.floating_ip = !v.eq_ignore_ascii_case("true"),
                INTERNAL_SUBNET if !v.is_empty() => svc.internal_subnet = Some(v),
                IPV4 => {
                    let at = meta.get("annotations").unwrap_or(meta);
                    add(at, &v, IPV4)?;
                }
                _ => {}
            }
        }
    }
    svc.load_balancer_ips = lb_ips;
    // The endpoints controller derives endpoints only from a non-empty
    // selector (an empty map does not survive storage as one).
    let selector = Some(labels(cx, spec, "selector")?).filter(|l| !l.is_empty());
    let mut texts: Vec<(&Node, &str)> = Vec::new();
    for ip in cx.seq(spec, "clusterIPs")? {
        texts.push((ip, ip.as_str().ok_or_else(|| cx.err(ip, "`clusterIPs` entries must be strings"))?));
    }
    if let (true, Some(s)) = (texts.is_empty(), cx.opt_str(spec, "clusterIP")?) {
        texts.push((spec.get("clusterIP").unwrap_or(spec), s));
    }
    let mut cluster_ips = Vec::new();
    for (at, s) in texts {
        if s.is_empty() || s == "None" {
            continue;
        }
        let ip: IpAddr = s.parse().map_err(|_| cx.err(at, format!("`{s}` is not an IP address (clusterIP)")))?;
        if !cluster_ips.contains(&ip) {
            cluster_ips.push(ip);
        }
    }
    let mut ports = Vec::new();
    for p in cx.seq(spec, "ports")? {
        cx.map(p, "ports[]")?;
        let port = port_number(cx, p.get("port").ok_or_else(|| cx.err(p, "service port needs `port`"))?, "port")?;
        let target = match p.get("targetPort") {
            None => TargetPort::Number(port),
            Some(t) => match &t.value {
                Value::Scalar { text: s, .. } if s.bytes().all(|b| b.is_ascii_digit()) => {
                    TargetPort::Number(port_number(cx, t, "targetPort")?)
                }
                Value::Scalar { text: s, .. } if is_port_name(s) => TargetPort::Name(s.to_string()),
                _ => return Err(cx.err(t, format!("`targetPort` must be a port number or name, found `{}`", text(t)))),
            },
        };
        let name = cx.opt_str(p, "name")?.map(str::to_string);
        let node_port = match p.get("nodePort") {
            Some(np) => Some(port_number(cx, np, "nodePort")?),
            None => None,
        };
        ports.push(ServicePort { name, port, protocol: protocol(cx, p)?, target, node_port });
    }
    svc.selector = selector;
    svc.cluster_ips = cluster_ips;
    svc.ports = ports;
    Ok(svc)
}

fn cidr(cx: Cx, at: &Node, t: &str) -> Result<tusk_core::ip::Cidr, LoadError> {
    tusk_core::ip::Cidr::parse(t).map_err(|e| cx.err(at, format!("`{t}` is not a CIDR ({e})")))
}

/// An Ingress (networking.k8s.io/v1): the Service backends it routes to
/// (Kubernetes docs, "Ingress": `defaultBackend` and each rule path's
/// `backend.service` with `port.number` or `port.name`). Resource backends
/// (`backend.resource`) name no Service and are skipped.
pub fn ingress(cx: Cx, n: &Node, namespace: String, name: String, loc: Loc) -> Result<Ingress, LoadError> {
    let mut backends = Vec::new();
    if let Some(spec) = n.get("spec") {
        cx.map(spec, "spec")?;
        let mut raw: Vec<(&Node, Option<(String, PathType)>)> =
            spec.get("defaultBackend").into_iter().map(|b| (b, None)).collect();
        for rule in cx.seq(spec, "rules")? {
            if let Some(http) = rule.get("http") {
                for path in cx.seq(http, "paths")? {
                    // The API server refuses other path types ("Ingress", path types).
                    let kind = match cx.opt_str(path, "pathType")? {
                        Some("Exact") => PathType::Exact,
                        Some("Prefix") => PathType::Prefix,
                        None | Some("ImplementationSpecific") => PathType::ImplementationSpecific,
                        Some(t) => {
                            let at = path.get("pathType").unwrap_or(path);
                            return Err(
                                cx.err(at, format!("`{t}` is not a pathType (Exact, Prefix, ImplementationSpecific)"))
                            );
                        }
                    };
                    let p = cx.opt_str(path, "path")?.unwrap_or("/").to_string();
                    raw.extend(path.get("backend").map(|b| (b, Some((p, kind)))));
                }
            }
        }
        for (b, path) in raw {
            let Some(svc) = b.get("service") else { continue };
            let service = cx.req_str(svc, "name")?.to_string();
            let port = svc.get("port").ok_or_else(|| cx.err(svc, "an Ingress service backend needs `port`"))?;
            let port = match (port.get("number"), cx.opt_str(port, "name")?) {
                (Some(num), None) => TargetPort::Number(port_number(cx, num, "port.number")?),
                (None, Some(s)) => TargetPort::Name(s.to_string()),
                _ => return Err(cx.err(port, "an Ingress backend port needs exactly one of `number` and `name`")),
            };
            backends.push(IngressBackend { service, port, path, loc: cx.loc(b) });
        }
    }
    Ok(Ingress { namespace, name, loc, backends })
}
