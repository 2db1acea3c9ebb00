//! Istio's VirtualService and Gateway (networking.istio.io v1, v1beta1,
//! v1alpha3) and the subsets of DestinationRules, into
//! [`tusk_model::istio_route`]. This file decides nothing about traffic.
//!
//! Validation follows the CRD schemas and istiod's validation
//! (`pkg/config/validation`): unknown fields, a route without destination
//! host, a route with both `route` and `redirect`, a weight or port out of
//! range, a Gateway without servers or a server without port or hosts, an
//! HTTPS or TLS server without `tls`.
//! References: istio.io/latest/docs/reference/config/networking/
//! virtual-service/ and .../gateway/.

use super::fields::Cx;
use crate::doc::Node;
use tusk_core::LoadError;
use tusk_model::istio_route::{
    Gateway, GatewayServer, MatchField, Route, RouteAction, RouteDestination, RouteKind, RouteMatch, StringMatch,
    Subset, VirtualService,
};

/// The fields of an HTTP route (VirtualService reference, `HTTPRoute`).
const HTTP_ROUTE: &[&str] = &[
    "name",
    "match",
    "route",
    "redirect",
    "directResponse",
    "delegate",
    "rewrite",
    "timeout",
    "retries",
    "fault",
    "mirror",
    "mirrorPercent",
    "mirrorPercentage",
    "mirrors",
    "corsPolicy",
    "headers",
];

/// The fields of an HTTP match (`HTTPMatchRequest`).
const HTTP_MATCH: &[&str] = &[
    "name",
    "uri",
    "scheme",
    "method",
    "authority",
    "headers",
    "port",
    "sourceLabels",
    "gateways",
    "queryParams",
    "ignoreUriCase",
    "withoutHeaders",
    "sourceNamespace",
    "statPrefix",
];

/// The fields of a TCP (`L4MatchAttributes`) or TLS (`TLSMatchAttributes`) match.
const L4_MATCH: &[&str] = &["destinationSubnets", "port", "sourceLabels", "gateways", "sourceNamespace", "sniHosts"];

/// A port field (1–65535).
fn port(cx: Cx, parent: &Node, key: &str) -> Result<Option<u16>, LoadError> {
    let Some(v) = cx.opt_int(parent, key)? else { return Ok(None) };
    match u16::try_from(v) {
        Ok(p) if p >= 1 => Ok(Some(p)),
        _ => Err(cx.err(parent.get(key).unwrap_or(parent), format!("`{key}` {v}: a port is 1-65535"))),
    }
}

/// A list of strings.
fn strings(cx: Cx, parent: &Node, key: &str) -> Result<Vec<String>, LoadError> {
    let mut out = Vec::new();
    for v in cx.seq(parent, key)? {
        out.push(v.as_str().ok_or_else(|| cx.err(v, format!("`{key}` holds strings")))?.to_string());
    }
    Ok(out)
}

/// A `StringMatch` (`exact`, `prefix`, `regex`: exactly one).
fn string_match(cx: Cx, n: &Node, what: &str) -> Result<StringMatch, LoadError> {
    cx.only_keys(n, what, &["exact", "prefix", "regex"])?;
    let (e, p, r) = (cx.opt_str(n, "exact")?, cx.opt_str(n, "prefix")?, cx.opt_str(n, "regex")?);
    match (e, p, r) {
        (Some(e), None, None) => Ok(StringMatch::Exact(e.to_string())),
        (None, Some(p), None) => Ok(StringMatch::Prefix(p.to_string())),
        (None, None, Some(r)) => Ok(StringMatch::Regex(r.to_string())),
        _ => Err(cx.err(n, format!("`{what}` needs exactly one of `exact`, `prefix`, `regex`"))),
    }
}

fn route_match(cx: Cx, m: &Node, kind: RouteKind) -> Result<RouteMatch, LoadError> {
    let what = if kind == RouteKind::Http { "HTTP match" } else { "match" };
    cx.only_keys(m, what, if kind == RouteKind::Http { HTTP_MATCH } else { L4_MATCH })?;
    if kind == RouteKind::Tcp && m.get("sniHosts").is_some() {
        return Err(cx.err(m, "`sniHosts` belongs to TLS routes, not TCP"));
    }
    let mut out = RouteMatch { port: port(cx, m, "port")?, ..Default::default() };
    if m.get("sourceLabels").is_some_and(|s| !s.is_null()) {
        out.source_labels = Some(super::selector::labels(cx, m, "sourceLabels")?);
    }
    out.source_namespace = cx.opt_str(m, "sourceNamespace")?.map(str::to_string);
    out.gateways = strings(cx, m, "gateways")?;
    out.sni_hosts = strings(cx, m, "sniHosts")?;
    if let Some(u) = m.get("uri").filter(|u| !u.is_null()) {
        out.uri = Some(string_match(cx, u, "uri")?);
    }
    if let Some(u) = m.get("method").filter(|u| !u.is_null()) {
        out.method = Some(string_match(cx, u, "method")?);
    }
    for (key, field) in [
        ("headers", MatchField::Headers),
        ("withoutHeaders", MatchField::WithoutHeaders),
        ("queryParams", MatchField::QueryParams),
        ("authority", MatchField::Authority),
        ("scheme", MatchField::Scheme),
        ("sniHosts", MatchField::SniHosts),
        ("destinationSubnets", MatchField::DestinationSubnets),
    ] {
        if m.get(key).is_some_and(|v| !v.is_null()) && !out.unmodelled.contains(&field) {
            out.unmodelled.push(field);
        }
    }
    Ok(out)
}

fn destination(cx: Cx, rd: &Node) -> Result<RouteDestination, LoadError> {
    cx.only_keys(rd, "route destination", &["destination", "weight", "headers"])?;
    let Some(d) = rd.get("destination").filter(|d| !d.is_null()) else {
        return Err(cx.err(rd, "a route needs `destination`"));
    };
    cx.only_keys(d, "destination", &["host", "subset", "port"])?;
    let host = cx.req_str(d, "host")?.to_string();
    let port = match d.get("port").filter(|p| !p.is_null()) {
        Some(p) => {
            cx.only_keys(p, "destination port", &["number"])?;
            port(cx, p, "number")?
        }
        None => None,
    };
    let weight = match cx.opt_int(rd, "weight")? {
        None => None,
        Some(w) => Some(
            u32::try_from(w)
                .map_err(|_| cx.err(rd.get("weight").unwrap_or(rd), format!("`weight` {w}: weights are 0 or more")))?,
        ),
    };
    let subset = cx.opt_str(d, "subset")?.map(str::to_string);
    Ok(RouteDestination { host, subset, port, weight: weight.unwrap_or(u32::MAX) })
}

/// `percentage.value` (or the deprecated integer `percent`) of a fault.
fn percentage(cx: Cx, f: &Node) -> Result<Option<f64>, LoadError> {
    if let Some(p) = f.get("percentage").filter(|p| !p.is_null()) {
        cx.only_keys(p, "percentage", &["value"])?;
        let Some(v) = p.get("value") else { return Ok(Some(0.0)) };
        let x = v.as_str().and_then(|s| s.parse::<f64>().ok());
        return match x {
            Some(x) if (0.0..=100.0).contains(&x) => Ok(Some(x)),
            _ => Err(cx.err(v, "`percentage.value` is a number from 0 to 100")),
        };
    }
    match cx.opt_int(f, "percent")? {
        Some(p) if (0..=100).contains(&p) => Ok(Some(p as f64)),
        Some(p) => Err(cx.err(f.get("percent").unwrap_or(f), format!("`percent` {p}: 0 to 100"))),
        None => Ok(None),
    }
}

fn route(cx: Cx, r: &Node, kind: RouteKind, index: usize) -> Result<Route, LoadError> {
    if kind == RouteKind::Http {
        cx.only_keys(r, "HTTP route", HTTP_ROUTE)?;
    } else {
        cx.only_keys(r, if kind == RouteKind::Tcp { "TCP route" } else { "TLS route" }, &["match", "route"])?;
    }
    let mut matches = Vec::new();
    for m in cx.seq(r, "match")? {
        matches.push(route_match(cx, m, kind)?);
    }
    let mut dests = Vec::new();
    for rd in cx.seq(r, "route")? {
        dests.push(destination(cx, rd)?);
    }
    // Without `weight`, a single destination takes all the traffic; among
    // several, an unweighted one takes none (the reference: "If there is
    // only one destination in a rule, it will receive all traffic";
    // weights must sum to 100).
    let single = dests.len() == 1;
    for d in &mut dests {
        if d.weight == u32::MAX {
            d.weight = if single { 100 } else { 0 };
        }
    }
    let has = |k: &str| r.get(k).is_some_and(|v| !v.is_null());
    let action = match (dests.is_empty(), has("redirect"), has("directResponse"), has("delegate")) {
        (false, false, false, false) => RouteAction::Forward(dests),
        (true, true, false, false) => RouteAction::Redirect,
        (true, false, true, false) => RouteAction::DirectResponse,
        (true, false, false, true) => {
            let d = r.get("delegate").unwrap();
            cx.only_keys(d, "delegate", &["name", "namespace"])?;
            let name = cx.req_str(d, "name")?;
            RouteAction::Delegate(match cx.opt_str(d, "namespace")? {
                Some(ns) => format!("{ns}/{name}"),
                None => name.to_string(),
            })
        }
        (true, false, false, false) if kind == RouteKind::Http => RouteAction::None,
        (true, false, false, false) => return Err(cx.err(r, "a TCP or TLS route needs `route`")),
        _ => {
            return Err(cx.err(r, "a route has one of `route`, `redirect`, `directResponse` or `delegate`"));
        }
    };
    let mut abort = None;
    let mut delay = false;
    if let Some(f) = r.get("fault").filter(|f| !f.is_null()) {
        cx.only_keys(f, "fault", &["abort", "delay"])?;
        if let Some(a) = f.get("abort").filter(|a| !a.is_null()) {
            cx.only_keys(a, "abort", &["httpStatus", "grpcStatus", "http2Error", "percentage", "percent"])?;
            abort = Some(percentage(cx, a)?);
        }
        if let Some(d) = f.get("delay").filter(|d| !d.is_null()) {
            cx.only_keys(d, "delay", &["fixedDelay", "exponentialDelay", "percentage", "percent"])?;
            delay = true;
        }
    }
    Ok(Route {
        kind,
        index,
        name: cx.opt_str(r, "name")?.map(str::to_string),
        matches,
        action,
        abort,
        delay,
        rewrite: has("rewrite"),
        mirror: has("mirror") || !cx.seq(r, "mirrors")?.is_empty(),
        loc: cx.loc(r),
    })
}

/// A VirtualService (VirtualService reference).
pub fn virtual_service(cx: Cx, n: &Node, namespace: &str, name: &str) -> Result<VirtualService, LoadError> {
    let Some(spec) = n.get("spec").filter(|s| !s.is_null()) else {
        return Err(cx.err(n, "VirtualService needs `spec`"));
    };
    cx.only_keys(spec, "VirtualService spec", &["hosts", "gateways", "http", "tls", "tcp", "exportTo"])?;
    let hosts = strings(cx, spec, "hosts")?;
    for (h, at) in hosts.iter().zip(cx.seq(spec, "hosts")?) {
        if h.is_empty() || h.contains('/') {
            return Err(cx.err(at, format!("host `{h}`: a DNS name, a short name, or a `*`-prefixed wildcard")));
        }
    }
    let mut routes = Vec::new();
    for kind in [RouteKind::Http, RouteKind::Tls, RouteKind::Tcp] {
        for (i, r) in cx.seq(spec, kind.name())?.iter().enumerate() {
            routes.push(route(cx, r, kind, i)?);
        }
    }
    let export_to = match spec.get("exportTo").filter(|e| !e.is_null()) {
        None => None,
        Some(_) => Some(strings(cx, spec, "exportTo")?),
    };
    Ok(VirtualService {
        namespace: namespace.to_string(),
        name: name.to_string(),
        hosts,
        gateways: strings(cx, spec, "gateways")?,
        export_to,
        routes,
        loc: cx.loc(n),
    })
}

/// A Gateway (Gateway reference): its selector and servers.
pub fn gateway(cx: Cx, n: &Node, namespace: &str, name: &str) -> Result<Gateway, LoadError> {
    let Some(spec) = n.get("spec").filter(|s| !s.is_null()) else {
        return Err(cx.err(n, "Gateway needs `spec`"));
    };
    cx.only_keys(spec, "Gateway spec", &["selector", "servers"])?;
    let selector = super::selector::labels(cx, spec, "selector")?;
    let mut servers = Vec::new();
    for s in cx.seq(spec, "servers")? {
        cx.only_keys(s, "server", &["port", "bind", "hosts", "tls", "defaultEndpoint", "name"])?;
        let Some(p) = s.get("port").filter(|p| !p.is_null()) else {
            return Err(cx.err(s, "a Gateway server needs `port`"));
        };
        cx.only_keys(p, "server port", &["number", "protocol", "name", "targetPort"])?;
        let Some(number) = port(cx, p, "number")? else {
            return Err(cx.err(p, "a server port needs `number`"));
        };
        let hosts = strings(cx, s, "hosts")?;
        if hosts.is_empty() {
            return Err(cx.err(s, "a Gateway server needs at least one host (`hosts`)"));
        }
        let protocol = cx.opt_str(p, "protocol")?.unwrap_or_default().to_ascii_uppercase();
        let tls = s.get("tls").filter(|t| !t.is_null());
        // istiod's validation (`validateServer`): "server must have TLS
        // settings for HTTPS/TLS protocols".
        if tls.is_none() && (protocol == "HTTPS" || protocol == "TLS") {
            return Err(cx.err(s, format!("a Gateway server with protocol {protocol} needs `tls` (its TLS settings)")));
        }
        let tls_mode = match tls {
            Some(t) => cx.opt_str(t, "mode")?.map(str::to_ascii_uppercase),
            None => None,
        };
        servers.push(GatewayServer { port: number, protocol, tls_mode, hosts, loc: cx.loc(s) });
    }
    Ok(Gateway { namespace: namespace.to_string(), name: name.to_string(), selector, servers, loc: cx.loc(n) })
}

/// The named subsets of a DestinationRule (`spec.subsets[]`, each with
/// `labels`); its other fields are validated by the DestinationRule reader.
pub fn subsets(cx: Cx, n: &Node, namespace: &str, rule: &str) -> Result<Vec<Subset>, LoadError> {
    let Some(spec) = n.get("spec").filter(|s| !s.is_null()) else { return Ok(Vec::new()) };
    let Some(host) = cx.opt_str(spec, "host")? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for s in cx.seq(spec, "subsets")? {
        let Some(name) = cx.opt_str(s, "name")? else { continue };
        out.push(Subset {
            namespace: namespace.to_string(),
            rule: rule.to_string(),
            host: host.to_string(),
            name: name.to_string(),
            labels: super::selector::labels(cx, s, "labels")?,
            loc: cx.loc(s),
        });
    }
    Ok(out)
}
