//! Policy ports: NetworkPolicy's `{protocol, port, endPort}` and the
//! AdminNetworkPolicy `portNumber` / `namedPort` / `portRange` forms.

use super::fields::{text, Cx};
use crate::doc::{Node, Value};
use tusk_core::{LoadError, Protocol};
use tusk_model::k8s::PolicyPort;

/// `IsValidPortName` (IANA_SVC_NAME): ≤15 lowercase alphanumerics or '-',
/// at least one letter, no leading, trailing or double '-'.
pub fn is_port_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 15
        && s.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && s.bytes().any(|c| c.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// A protocol field; absent means TCP (NetworkPolicyPort.protocol default).
pub fn protocol(cx: Cx, parent: &Node) -> Result<Protocol, LoadError> {
    match cx.opt_str(parent, "protocol")? {
        None => Ok(Protocol::Tcp),
        Some(s) => match s {
            "TCP" => Ok(Protocol::Tcp),
            "UDP" => Ok(Protocol::Udp),
            "SCTP" => Ok(Protocol::Sctp),
            _ => Err(cx.err(
                parent.get("protocol").unwrap_or(parent),
                format!("invalid protocol `{s}`: expected TCP, UDP or SCTP"),
            )),
        },
    }
}

/// A port number in 1–65535 ("ContainerPort", "ServicePort" in the
/// Kubernetes API reference); anything else is a located error naming `what`.
pub fn port_number(cx: Cx, n: &Node, what: &str) -> Result<u16, LoadError> {
    n.as_i64()
        .filter(|p| (1..=65535).contains(p))
        .map(|p| p as u16)
        .ok_or_else(|| cx.err(n, format!("`{what}` must be a port number 1–65535, found `{}`", text(n))))
}

/// One entry of a NetworkPolicy rule's `ports`.
pub fn np_port(cx: Cx, n: &Node) -> Result<PolicyPort, LoadError> {
    cx.only_keys(n, "NetworkPolicy port", &["protocol", "port", "endPort"])?;
    let proto = protocol(cx, n)?;
    let end = n.get("endPort");
    let Some(p) = n.get("port") else {
        if let Some(e) = end {
            return Err(cx.err(e, "`endPort` needs a numeric `port`"));
        }
        return Ok(PolicyPort::All(proto));
    };
    // A quoted number is still a name in the API (IntOrString from a JSON
    // string), but kubectl users write `"80"` meaning 80; accept digits.
    let is_number = matches!(&p.value, Value::Scalar { text, .. } if text.bytes().all(|c| c.is_ascii_digit()));
    if !is_number {
        let name = p.as_str().unwrap_or_default();
        if !is_port_name(name) {
            return Err(cx.err(p, format!("`port` must be a number 1–65535 or a port name, found `{}`", text(p))));
        }
        if let Some(e) = end {
            return Err(cx.err(e, "`endPort` cannot be used with a named `port`"));
        }
        return Ok(PolicyPort::Named(Some(proto), name.to_string()));
    }
    let lo = port_number(cx, p, "port")?;
    let hi = match end {
        None => lo,
        Some(e) => {
            let hi = port_number(cx, e, "endPort")?;
            if hi < lo {
                return Err(cx.err(e, format!("`endPort` {hi} is less than `port` {lo}")));
            }
            hi
        }
    };
    Ok(PolicyPort::Range(proto, lo, hi))
}

/// One entry of an (B)ANP rule's `ports`: exactly one of `portNumber`,
/// `namedPort`, `portRange` (network-policy-api v1alpha1 AdminNetworkPolicyPort).
pub fn admin_port(cx: Cx, n: &Node) -> Result<PolicyPort, LoadError> {
    let entries = cx.map(n, "ports[]")?;
    if entries.len() != 1 {
        return Err(cx.err(n, "a port entry needs exactly one of `portNumber`, `namedPort`, `portRange`"));
    }
    let (k, v) = &entries[0];
    match k.as_str() {
        Some("portNumber") => {
            cx.only_keys(v, "portNumber", &["protocol", "port"])?;
            let proto = protocol(cx, v)?;
            let p = v.get("port").ok_or_else(|| cx.err(v, "`portNumber` needs `port`"))?;
            let p = port_number(cx, p, "port")?;
            Ok(PolicyPort::Range(proto, p, p))
        }
        Some("namedPort") => {
            let name = v.as_str().unwrap_or_default();
            if !is_port_name(name) {
                return Err(cx.err(v, format!("`namedPort` must be a port name, found `{}`", text(v))));
            }
            // A named port matches the container port of that name, whatever
            // its protocol; the engine resolves it per pod.
            Ok(PolicyPort::Named(None, name.to_string()))
        }
        Some("portRange") => {
            cx.only_keys(v, "portRange", &["protocol", "start", "end"])?;
            let proto = protocol(cx, v)?;
            let s = v.get("start").ok_or_else(|| cx.err(v, "`portRange` needs `start`"))?;
            let e = v.get("end").ok_or_else(|| cx.err(v, "`portRange` needs `end`"))?;
            let (lo, hi) = (port_number(cx, s, "start")?, port_number(cx, e, "end")?);
            // AdminNetworkPolicy's CEL rule: start must be less than end.
            if lo >= hi {
                return Err(cx.err(e, format!("`portRange` end {hi} must be greater than start {lo}")));
            }
            Ok(PolicyPort::Range(proto, lo, hi))
        }
        _ => {
            Err(cx
                .err(k, format!("unknown port form `{}`: expected `portNumber`, `namedPort` or `portRange`", text(k))))
        }
    }
}
