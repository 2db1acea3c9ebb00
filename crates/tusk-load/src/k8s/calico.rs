//! Calico's kinds (`projectcalico.org/v3`, `crd.projectcalico.org/v1`) into
//! [`CalicoObjects`]: NetworkPolicy, GlobalNetworkPolicy, their staged
//! forms, Tier, Profile, NetworkSet, GlobalNetworkSet, HostEndpoint, and
//! WorkloadEndpoint (calicoctl's view of a pod, read into a pod by the
//! caller). Validation mirrors Calico's API (projectcalico/api v3 types and
//! libcalico-go's validator): unknown keys, unknown actions, types,
//! protocols and malformed selectors are located errors. Fields tusk reads
//! but does not model inside a rule (ICMP type/code, source ports of the
//! local end, service accounts, HTTP) are kept as a reason that makes the
//! rule's match unknown; this file decides nothing about traffic.

use super::calico_selector::{parse, SelectorError};
use super::fields::{text, Cx};
use super::netpol::cidr_set;
use crate::doc::{Node, Value};
use tusk_core::{IpSet, LoadError, PortSet, Protocol, Warning};
use tusk_model::calico::*;
use tusk_model::k8s::{Labels, PolicyPort};

const SPEC_KEYS: &[&str] =
    &["tier", "order", "ingress", "egress", "selector", "types", "serviceAccountSelector", "performanceHints"];
const GLOBAL_KEYS: &[&str] = &["namespaceSelector", "doNotTrack", "preDNAT", "applyOnForward"];
const RULE_KEYS: &[&str] =
    &["action", "ipVersion", "protocol", "icmp", "notProtocol", "notICMP", "source", "destination", "http", "metadata"];
const ENTITY_KEYS: &[&str] = &[
    "nets",
    "selector",
    "namespaceSelector",
    "services",
    "ports",
    "notNets",
    "notSelector",
    "notPorts",
    "serviceAccounts",
];

/// A selector string at `n`, the defect located at its column.
pub fn selector(cx: Cx, n: &Node, what: &str) -> Result<Sel, LoadError> {
    let s = match &n.value {
        Value::Scalar { text, .. } if !n.is_null() => text.as_str(),
        _ if n.is_null() => "",
        _ => return Err(cx.err(n, format!("`{what}` must be a string, found {}", n.type_name()))),
    };
    parse(s).map_err(|SelectorError { offset, message }| {
        let mut loc = cx.loc(n);
        // Point inside a one-line scalar; a quoted one starts one column later.
        if !s.contains('\n') {
            let quoted = matches!(n.value, Value::Scalar { quoted: true, .. });
            loc.pos.col += offset as u32 + u32::from(quoted);
        }
        LoadError::new(loc, format!("invalid selector in `{what}` (`{s}`): {message}"))
    })
}

fn opt_selector(cx: Cx, parent: &Node, key: &str) -> Result<Option<Sel>, LoadError> {
    match parent.get(key) {
        None => Ok(None),
        Some(n) if n.is_null() || n.as_str() == Some("") => Ok(None),
        Some(n) => selector(cx, n, key).map(Some),
    }
}

/// An `order` (a float; absent sorts last).
fn order(cx: Cx, parent: &Node) -> Result<Option<f64>, LoadError> {
    let Some(n) = parent.get("order") else { return Ok(None) };
    if n.is_null() {
        return Ok(None);
    }
    let v: f64 = n
        .as_str()
        .and_then(|s| s.parse().ok())
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| cx.err(n, format!("`order` must be a number, found `{}`", text(n))))?;
    Ok(Some(v))
}

/// The protocol of a rule: one tusk's flows carry, or a reason it cannot be
/// decided (ICMPv6, UDPLite, a number with no name of tusk's).
enum Proto {
    Known(Protocol),
    /// The protocol as written (a number as its decimal value).
    Unmodelled(String),
}

fn protocol(cx: Cx, n: &Node) -> Result<Proto, LoadError> {
    let s = text(n);
    let by_number = |v: u8| match v {
        1 => Some(Protocol::Icmp),
        6 => Some(Protocol::Tcp),
        17 => Some(Protocol::Udp),
        50 => Some(Protocol::Esp),
        51 => Some(Protocol::Ah),
        132 => Some(Protocol::Sctp),
        _ => None,
    };
    // numorstring.Protocol: a name in either case as listed, or 1-255.
    Ok(match s.as_str() {
        "TCP" | "tcp" => Proto::Known(Protocol::Tcp),
        "UDP" | "udp" => Proto::Known(Protocol::Udp),
        "SCTP" | "sctp" => Proto::Known(Protocol::Sctp),
        "ICMP" | "icmp" => Proto::Known(Protocol::Icmp),
        "ICMPv6" | "icmpv6" | "UDPLite" | "udplite" => Proto::Unmodelled(s.clone()),
        _ => match s.parse::<u8>() {
            Ok(v) if v >= 1 => by_number(v).map_or(Proto::Unmodelled(v.to_string()), Proto::Known),
            _ => {
                return Err(cx.err(
                    n,
                    format!("unknown protocol `{s}`: expected TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255"),
                ))
            }
        },
    })
}

/// One `ports` / `notPorts` entry: a number, `lo:hi`, or a port name.
enum Port {
    Range(u16, u16),
    Named(String),
}

fn port(cx: Cx, n: &Node) -> Result<Port, LoadError> {
    let s = text(n);
    let num = |t: &str| t.trim().parse::<u16>().ok().filter(|&p| p >= 1);
    if let Some(p) = num(&s) {
        return Ok(Port::Range(p, p));
    }
    if let Some((a, b)) = s.split_once(':') {
        return match (num(a), num(b)) {
            (Some(lo), Some(hi)) if lo <= hi => Ok(Port::Range(lo, hi)),
            _ => Err(cx.err(n, format!("invalid port range `{s}`: expected `min:max` with 1 ≤ min ≤ max ≤ 65535"))),
        };
    }
    if super::selector::is_label_value(&s) && !s.is_empty() && s.chars().any(|c| c.is_ascii_alphabetic()) {
        return Ok(Port::Named(s));
    }
    Err(cx.err(n, format!("invalid port `{s}`: expected a number, `min:max`, or a port name")))
}

fn ports(cx: Cx, parent: &Node, key: &str) -> Result<Vec<Port>, LoadError> {
    cx.seq(parent, key)?.iter().map(|p| port(cx, p)).collect()
}

fn nets(cx: Cx, parent: &Node, key: &str, warnings: &mut Vec<Warning>) -> Result<Option<IpSet>, LoadError> {
    let list = cx.seq(parent, key)?;
    if parent.get(key).is_none_or(Node::is_null) {
        return Ok(None);
    }
    let mut set = IpSet::empty();
    for n in list {
        // Calico's nets take a CIDR or a bare address (libcalico-go
        // `net.IPNet` parses either; an address is its /32 or /128).
        let t = text(n);
        let cidr = match (t.contains('/'), t.parse::<std::net::IpAddr>()) {
            (false, Ok(std::net::IpAddr::V4(_))) => format!("{t}/32"),
            (false, Ok(std::net::IpAddr::V6(_))) => format!("{t}/128"),
            _ => t,
        };
        set = set.union(&cidr_set(cx, n, &cidr, warnings)?);
    }
    // An empty list matches nothing for `nets` and excludes nothing for
    // `notNets`; an empty `nets` list is read as absent by Calico's API
    // (omitempty), so both are "no constraint".
    Ok((!list.is_empty()).then_some(set))
}

/// What one entity rule (`source` / `destination`) says.
struct Entity {
    m: EntityMatch,
    ports: Vec<Port>,
    not_ports: Vec<Port>,
    unmodelled: Option<CalicoUnmodelled>,
}

fn entity(cx: Cx, parent: &Node, end: RuleEnd, warnings: &mut Vec<Warning>) -> Result<Entity, LoadError> {
    let key = match end {
        RuleEnd::Source => "source",
        RuleEnd::Destination => "destination",
    };
    let Some(n) = parent.get(key).filter(|n| !n.is_null()) else {
        return Ok(Entity { m: EntityMatch::default(), ports: Vec::new(), not_ports: Vec::new(), unmodelled: None });
    };
    cx.only_keys(n, key, ENTITY_KEYS)?;
    let m = EntityMatch {
        selector: opt_selector(cx, n, "selector")?,
        not_selector: opt_selector(cx, n, "notSelector")?,
        namespace_selector: opt_selector(cx, n, "namespaceSelector")?,
        nets: nets(cx, n, "nets", warnings)?,
        not_nets: nets(cx, n, "notNets", warnings)?,
    };
    let mut unmodelled = None;
    if let Some(sa) = n.get("serviceAccounts").filter(|s| !s.is_null()) {
        cx.only_keys(sa, "serviceAccounts", &["names", "selector"])?;
        opt_selector(cx, sa, "selector")?;
        unmodelled = Some(CalicoUnmodelled::ServiceAccounts(end));
    }
    if let Some(s) = n.get("services").filter(|s| !s.is_null()) {
        cx.only_keys(s, "services", &["name", "namespace"])?;
        unmodelled = Some(CalicoUnmodelled::Services(end));
    }
    Ok(Entity { m, ports: ports(cx, n, "ports")?, not_ports: ports(cx, n, "notPorts")?, unmodelled })
}

/// The connections of a rule as port entries: `protocol` and `ports` minus
/// `notProtocol` and `notPorts`. `Err(reason)` when tusk cannot express it.
fn connections(
    proto: Option<&Proto>,
    not_proto: Option<&Proto>,
    ports: &[Port],
    not_ports: &[Port],
) -> Result<Vec<PolicyPort>, CalicoUnmodelled> {
    let mut list: Vec<PolicyPort> = match proto {
        Some(Proto::Unmodelled(what)) => return Err(CalicoUnmodelled::Protocol { spelled: what.clone(), not: false }),
        Some(Proto::Known(p)) if ports.is_empty() => vec![PolicyPort::All(*p)],
        Some(Proto::Known(p)) => ports
            .iter()
            .map(|x| match x {
                Port::Range(lo, hi) => PolicyPort::Range(*p, *lo, *hi),
                Port::Named(name) => PolicyPort::Named(Some(*p), name.clone()),
            })
            .collect(),
        // Without a protocol only named ports are valid (validator); a
        // named port then matches whatever protocol the container declares.
        None => ports
            .iter()
            .filter_map(|x| match x {
                Port::Named(name) => Some(PolicyPort::Named(None, name.clone())),
                Port::Range(..) => None,
            })
            .collect(),
    };
    if not_ports.iter().any(|p| matches!(p, Port::Named(_))) {
        return Err(CalicoUnmodelled::NamedNotPort);
    }
    let excluded: Vec<(u16, u16)> =
        not_ports.iter().filter_map(|p| if let Port::Range(a, b) = p { Some((*a, *b)) } else { None }).collect();
    if !excluded.is_empty() || not_proto.is_some() {
        if list.iter().any(|p| matches!(p, PolicyPort::Named(..))) {
            return Err(CalicoUnmodelled::NamedPortWithNot);
        }
        let every: Vec<PolicyPort> = if list.is_empty() {
            Protocol::PORTED.into_iter().chain(Protocol::PORTLESS).map(PolicyPort::All).collect()
        } else {
            std::mem::take(&mut list)
        };
        let not = match not_proto {
            Some(Proto::Unmodelled(what)) => {
                return Err(CalicoUnmodelled::Protocol { spelled: what.clone(), not: true })
            }
            Some(Proto::Known(p)) => Some(*p),
            None => None,
        };
        let mut cut = PortSet::empty();
        for (a, b) in &excluded {
            cut = cut.union(&PortSet::range(*a, *b));
        }
        for e in every {
            let (p, set) = match e {
                PolicyPort::All(p) => (p, PortSet::all_ports()),
                PolicyPort::Range(p, lo, hi) => (p, PortSet::range(lo, hi)),
                PolicyPort::Named(..) => unreachable!("refused above"),
            };
            if Some(p) == not {
                continue;
            }
            if !p.has_ports() {
                list.push(PolicyPort::All(p));
                continue;
            }
            list.extend(set.subtract(&cut).ranges().iter().map(|&(lo, hi)| PolicyPort::Range(p, lo, hi)));
        }
    }
    Ok(list)
}

/// One rule of `ingress` / `egress`.
pub fn rule(
    cx: Cx,
    n: &Node,
    name: String,
    ingress: bool,
    warnings: &mut Vec<Warning>,
) -> Result<CalicoRule, LoadError> {
    cx.only_keys(n, "rule", RULE_KEYS)?;
    let a = n.get("action").ok_or_else(|| cx.err(n, "a Calico rule needs `action`"))?;
    let action = match text(a).as_str() {
        "Allow" => CalicoAction::Allow,
        "Deny" => CalicoAction::Deny,
        "Pass" => CalicoAction::Pass,
        "Log" => CalicoAction::Log,
        other => return Err(cx.err(a, format!("unknown action `{other}`: expected Allow, Deny, Pass or Log"))),
    };
    if let Some(v) = n.get("ipVersion") {
        if !matches!(text(v).as_str(), "4" | "6") {
            return Err(cx.err(v, format!("`ipVersion` must be 4 or 6, found `{}`", text(v))));
        }
    }
    let proto = n.get("protocol").filter(|p| !p.is_null()).map(|p| protocol(cx, p)).transpose()?;
    let not_proto = n.get("notProtocol").filter(|p| !p.is_null()).map(|p| protocol(cx, p)).transpose()?;
    let src = entity(cx, n, RuleEnd::Source, warnings)?;
    let dst = entity(cx, n, RuleEnd::Destination, warnings)?;
    let ported = |p: &Option<Proto>| match p {
        None => None,
        Some(Proto::Known(p)) => Some(p.has_ports()),
        Some(Proto::Unmodelled(w)) => Some(w.contains("UDPLite") || w.contains("udplite")),
    };
    for (e, key) in [(&src, "source"), (&dst, "destination")] {
        let numeric = e.ports.iter().chain(&e.not_ports).any(|p| matches!(p, Port::Range(..)));
        let any = !e.ports.is_empty() || !e.not_ports.is_empty();
        match ported(&proto) {
            None if numeric => {
                return Err(cx.err(n, format!("{key} port numbers need `protocol` TCP, UDP, SCTP or UDPLite")))
            }
            Some(false) if any => {
                return Err(cx.err(n, format!("{key} ports are only valid with protocol TCP, UDP, SCTP or UDPLite")))
            }
            _ => {}
        }
    }
    let mut unmodelled = src.unmodelled.clone().or(dst.unmodelled.clone());
    for (key, not) in [("icmp", false), ("notICMP", true)] {
        if let Some(i) = n.get(key).filter(|i| !i.is_null()) {
            cx.only_keys(i, key, &["type", "code"])?;
            unmodelled.get_or_insert(CalicoUnmodelled::IcmpTypeCode { not });
        }
    }
    if n.get("http").is_some_and(|h| !h.is_null()) {
        unmodelled.get_or_insert(CalicoUnmodelled::Http);
    }
    // The other end is the source of an ingress rule, the destination of an
    // egress one; the ports that count are always the destination's.
    let (peer, local) = if ingress { (&src, &dst) } else { (&dst, &src) };
    if !src.ports.is_empty() || !src.not_ports.is_empty() {
        unmodelled.get_or_insert(CalicoUnmodelled::SourcePorts);
    }
    let constrained = proto.is_some() || not_proto.is_some() || !dst.ports.is_empty() || !dst.not_ports.is_empty();
    let (ports, matches_nothing) = match connections(proto.as_ref(), not_proto.as_ref(), &dst.ports, &dst.not_ports) {
        Ok(list) => {
            let nothing = constrained && list.is_empty();
            (list, nothing)
        }
        Err(why) => {
            unmodelled.get_or_insert(why);
            (Vec::new(), false)
        }
    };
    Ok(CalicoRule {
        action,
        name,
        peer: peer.m.clone(),
        local: local.m.clone(),
        ports,
        matches_nothing,
        unmodelled,
        loc: cx.loc(n),
    })
}

fn rules(cx: Cx, spec: &Node, key: &str, warnings: &mut Vec<Warning>) -> Result<Vec<CalicoRule>, LoadError> {
    let ingress = key == "ingress";
    cx.seq(spec, key)?.iter().enumerate().map(|(i, r)| rule(cx, r, format!("{key}[{i}]"), ingress, warnings)).collect()
}

/// A NetworkPolicy / GlobalNetworkPolicy (or staged) object.
pub fn policy(
    cx: Cx,
    n: &Node,
    kind: CalicoKind,
    namespace: &str,
    name: &str,
    warnings: &mut Vec<Warning>,
) -> Result<CalicoPolicy, LoadError> {
    let global = matches!(kind, CalicoKind::GlobalNetworkPolicy | CalicoKind::StagedGlobalNetworkPolicy);
    let spec = n.get("spec").ok_or_else(|| cx.err(n, format!("{} has no `spec`", kind.name())))?;
    let mut keys: Vec<&str> = SPEC_KEYS.to_vec();
    if global {
        keys.extend(GLOBAL_KEYS);
    }
    if kind.staged() {
        keys.push("stagedAction");
    }
    cx.only_keys(spec, "spec", &keys)?;
    let tier_node = spec.get("tier").filter(|t| !t.is_null());
    let tier = tier_node.map(text).filter(|t| !t.is_empty()).unwrap_or_else(|| DEFAULT_TIER.to_string());
    let ingress = rules(cx, spec, "ingress", warnings)?;
    let egress = rules(cx, spec, "egress", warnings)?;
    let mut types = [false, false];
    match spec.get("types").filter(|t| !t.is_null()) {
        Some(t) => {
            for x in cx.seq(spec, "types")? {
                let d = match text(x).as_str() {
                    "Ingress" => 0,
                    "Egress" => 1,
                    other => {
                        return Err(cx.err(x, format!("unknown policy type `{other}`: expected Ingress or Egress")))
                    }
                };
                if types[d] {
                    return Err(cx.err(x, format!("`{}` type specified more than once", text(x))));
                }
                types[d] = true;
            }
            if t.as_seq().is_some_and(|l| l.is_empty()) {
                types = [true, !egress.is_empty()];
            }
        }
        // Calico docs, "NetworkPolicy", `types`: "Ingress" when there are
        // no egress rules, "Egress" when there are only egress rules, both
        // when there are both.
        None => types = [!ingress.is_empty() || egress.is_empty(), !egress.is_empty()],
    }
    let mut host_flags = Vec::new();
    for flag in ["doNotTrack", "preDNAT", "applyOnForward"] {
        if cx.opt_bool(spec, flag)? == Some(true) {
            host_flags.push(flag);
        }
    }
    let sa = match spec.get("serviceAccountSelector").filter(|s| !s.is_null() && s.as_str() != Some("")) {
        Some(s) => {
            selector(cx, s, "serviceAccountSelector")?;
            Some(text(s))
        }
        None => None,
    };
    Ok(CalicoPolicy {
        kind,
        namespace: (!global).then(|| namespace.to_string()),
        name: name.to_string(),
        tier,
        order: order(cx, spec)?,
        selector: opt_selector(cx, spec, "selector")?.unwrap_or(Sel::All),
        namespace_selector: if global { opt_selector(cx, spec, "namespaceSelector")? } else { None },
        service_account_selector: sa,
        types,
        ingress,
        egress,
        host_flags,
        loc: cx.loc(n),
        tier_loc: cx.loc(tier_node.unwrap_or(n)),
    })
}

/// A Tier.
pub fn tier(cx: Cx, n: &Node, name: &str) -> Result<CalicoTier, LoadError> {
    let spec = n.get("spec");
    let mut default_pass = false;
    let mut ord = None;
    if let Some(spec) = spec.filter(|s| !s.is_null()) {
        cx.only_keys(spec, "spec", &["order", "defaultAction"])?;
        ord = order(cx, spec)?;
        if let Some(a) = spec.get("defaultAction").filter(|a| !a.is_null()) {
            default_pass = match text(a).as_str() {
                "Deny" => false,
                "Pass" => true,
                other => return Err(cx.err(a, format!("unknown defaultAction `{other}`: expected Deny or Pass"))),
            };
        }
    }
    let valid = !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
    if !valid {
        return Err(cx.err(n, format!("invalid tier name `{name}`: lower case alphanumerics or '-', at most 63")));
    }
    Ok(CalicoTier { name: name.to_string(), order: ord, default_pass, loc: Some(cx.loc(n)) })
}

/// A Profile.
pub fn profile(cx: Cx, n: &Node, name: &str, warnings: &mut Vec<Warning>) -> Result<CalicoProfile, LoadError> {
    let empty = Node { value: Value::Map(Vec::new()), pos: n.pos };
    let spec = n.get("spec").filter(|s| !s.is_null()).unwrap_or(&empty);
    cx.only_keys(spec, "spec", &["ingress", "egress", "labelsToApply"])?;
    Ok(CalicoProfile {
        name: name.to_string(),
        ingress: rules(cx, spec, "ingress", warnings)?,
        egress: rules(cx, spec, "egress", warnings)?,
        labels_to_apply: super::selector::labels(cx, spec, "labelsToApply")?,
        loc: cx.loc(n),
    })
}

/// A NetworkSet (namespaced) or GlobalNetworkSet.
pub fn network_set(
    cx: Cx,
    n: &Node,
    namespace: Option<&str>,
    name: &str,
    labels: Labels,
    warnings: &mut Vec<Warning>,
) -> Result<CalicoNetworkSet, LoadError> {
    let empty = Node { value: Value::Map(Vec::new()), pos: n.pos };
    let spec = n.get("spec").filter(|s| !s.is_null()).unwrap_or(&empty);
    cx.only_keys(spec, "spec", &["nets", "allowedEgressDomains"])?;
    let nets = nets(cx, spec, "nets", warnings)?.unwrap_or_else(IpSet::empty);
    Ok(CalicoNetworkSet {
        namespace: namespace.map(str::to_string),
        name: name.to_string(),
        labels,
        nets,
        loc: cx.loc(n),
    })
}

/// A HostEndpoint.
pub fn host_endpoint(cx: Cx, n: &Node, name: &str, labels: Labels) -> Result<CalicoHostEndpoint, LoadError> {
    let spec = n.get("spec").ok_or_else(|| cx.err(n, "HostEndpoint has no `spec`"))?;
    cx.only_keys(spec, "spec", &["node", "interfaceName", "expectedIPs", "profiles", "ports"])?;
    let mut expected_ips = Vec::new();
    for ip in cx.seq(spec, "expectedIPs")? {
        expected_ips.push(text(ip).parse().map_err(|_| cx.err(ip, format!("`{}` is not an IP address", text(ip))))?);
    }
    let profiles = cx.seq(spec, "profiles")?.iter().map(text).collect();
    Ok(CalicoHostEndpoint {
        name: name.to_string(),
        node: cx.opt_str(spec, "node")?.map(str::to_string),
        labels,
        expected_ips,
        profiles,
        loc: cx.loc(n),
    })
}

/// What a WorkloadEndpoint says of its pod: (pod name, node, IPs, named
/// ports, profiles).
pub struct WepPod {
    pub pod: String,
    pub node: Option<String>,
    pub ips: Vec<std::net::IpAddr>,
    pub ports: Vec<tusk_model::k8s::ContainerPort>,
    pub profiles: Vec<String>,
}

/// A WorkloadEndpoint (libcalico-go `WorkloadEndpointSpec`).
pub fn workload_endpoint(cx: Cx, n: &Node, name: &str) -> Result<WepPod, LoadError> {
    let spec = n.get("spec").ok_or_else(|| cx.err(n, "WorkloadEndpoint has no `spec`"))?;
    cx.only_keys(
        spec,
        "spec",
        &[
            "orchestrator",
            "workload",
            "node",
            "containerID",
            "pod",
            "endpoint",
            "serviceAccountName",
            "ipNetworks",
            "ipNATs",
            "ipv4Gateway",
            "ipv6Gateway",
            "profiles",
            "interfaceName",
            "mac",
            "ports",
            "allowSpoofedSourcePrefixes",
            "qosControls",
        ],
    )?;
    let mut ips = Vec::new();
    for net in cx.seq(spec, "ipNetworks")? {
        let t = text(net);
        let addr = t.split('/').next().unwrap_or_default();
        ips.push(addr.parse().map_err(|_| cx.err(net, format!("`{t}` is not an IP network")))?);
    }
    let mut ports = Vec::new();
    for p in cx.seq(spec, "ports")? {
        cx.only_keys(p, "port", &["name", "protocol", "port", "hostPort", "hostIP"])?;
        let proto = match p.get("protocol") {
            Some(x) => match protocol(cx, x)? {
                Proto::Known(p) => p,
                Proto::Unmodelled(_) => continue,
            },
            None => Protocol::Tcp,
        };
        let port = cx
            .opt_int(p, "port")?
            .and_then(|v| u16::try_from(v).ok())
            .ok_or_else(|| cx.err(p, "a WorkloadEndpoint port needs `port` 1-65535"))?;
        ports.push(tusk_model::k8s::ContainerPort {
            name: cx.opt_str(p, "name")?.map(str::to_string),
            port,
            protocol: proto,
        });
    }
    Ok(WepPod {
        pod: cx.opt_str(spec, "pod")?.map_or_else(|| name.to_string(), str::to_string),
        node: cx.opt_str(spec, "node")?.map(str::to_string),
        ips,
        ports,
        profiles: cx.seq(spec, "profiles")?.iter().map(text).collect(),
    })
}

/// The object's location, for checks done once every object is read.
pub fn dangling_tier(p: &CalicoPolicy) -> LoadError {
    LoadError::new(
        p.tier_loc.clone(),
        format!("{} is in tier `{}`, which no input defines (Calico refuses it)", p.title(), p.tier),
    )
}

/// Every tier a policy names must exist; the `default` tier always does.
pub fn check_tiers(objs: &CalicoObjects) -> Result<(), LoadError> {
    for p in &objs.policies {
        if p.tier != DEFAULT_TIER && !objs.tiers.iter().any(|t| t.name == p.tier) {
            return Err(dangling_tier(p));
        }
    }
    Ok(())
}
