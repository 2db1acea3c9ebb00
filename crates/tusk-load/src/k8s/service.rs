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
use tusk_model::k8s::{Service, ServicePort, TargetPort};

pub fn service(cx: Cx, n: &Node, namespace: String, name: String, loc: Loc) -> Result<Service, LoadError> {
    let Some(spec) = n.get("spec") else {
        return Ok(Service { namespace, name, selector: None, cluster_ips: Vec::new(), ports: Vec::new(), loc });
    };
    cx.map(spec, "spec")?;
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
                Value::Scalar { text: s, .. } if is_port_name(s) => TargetPort::Name(s.clone()),
                _ => return Err(cx.err(t, format!("`targetPort` must be a port number or name, found `{}`", text(t)))),
            },
        };
        let name = cx.opt_str(p, "name")?.map(str::to_string);
        ports.push(ServicePort { name, port, protocol: protocol(cx, p)?, target });
    }
    Ok(Service { namespace, name, selector, cluster_ips, ports, loc })
}
