//! Istio's Sidecar and ServiceEntry (networking.istio.io v1, v1beta1,
//! v1alpha3) into [`tusk_model::istio_net`], and DestinationRule into a
//! foreign record when its TLS mode may change a verdict (see
//! `docs/istio.md`). Gateway and VirtualService are read by
//! `istio_route.rs`.
//!
//! Validation follows the CRD schemas and istiod's validation
//! (`pkg/config/validation`): unknown fields; an egress host that is not
//! `NAMESPACE/DNS`; an egress listener without hosts; an unknown
//! `outboundTrafficPolicy.mode`, `captureMode`, ServiceEntry `location` or
//! `resolution`; a ServiceEntry without hosts; a port outside 1–65535; an
//! invalid address. References: istio.io/latest/docs/reference/config/
//! networking/sidecar/ and .../service-entry/. This file decides nothing
//! about traffic.

use super::fields::Cx;
use crate::doc::Node;
use tusk_core::ip::Cidr;
use tusk_core::{IpSet, LoadError};
use tusk_model::istio_net::{EgressHost, EgressListener, HostNamespace, OutboundMode, ServiceEntry, Sidecar};
use tusk_model::k8s::LabelSelector;

/// Does tusk model this networking.istio.io kind?
pub fn models(kind: &str) -> bool {
    matches!(kind, "Sidecar" | "ServiceEntry" | "DestinationRule" | "VirtualService" | "Gateway")
}

/// The versions networking.istio.io serves.
const VERSIONS: &[&str] = &["v1", "v1beta1", "v1alpha3"];

fn check_version(cx: Cx, n: &Node) -> Result<(), LoadError> {
    let api = cx.opt_str(n, "apiVersion")?.unwrap_or_default();
    let (group, version) = api.rsplit_once('/').unwrap_or(("", ""));
    if group != "networking.istio.io" || !VERSIONS.contains(&version) {
        let at = n.get("apiVersion").unwrap_or(n);
        return Err(cx.err(at, format!("apiVersion `{api}`: networking.istio.io serves v1, v1beta1 and v1alpha3")));
    }
    Ok(())
}

/// A port number field (1–65535).
fn port_number(cx: Cx, parent: &Node, key: &str) -> Result<Option<u16>, LoadError> {
    let Some(v) = cx.opt_int(parent, key)? else { return Ok(None) };
    match u16::try_from(v) {
        Ok(p) if p >= 1 => Ok(Some(p)),
        _ => Err(cx.err(parent.get(key).unwrap_or(parent), format!("`{key}` {v}: a port is 1-65535"))),
    }
}

/// An Istio `Port` object (`number`, `protocol`, `name`, `targetPort`).
fn port_object(cx: Cx, p: &Node) -> Result<Option<u16>, LoadError> {
    cx.only_keys(p, "port", &["number", "protocol", "name", "targetPort"])?;
    port_number(cx, p, "targetPort")?;
    port_number(cx, p, "number")
}

/// A Sidecar.
pub fn sidecar(cx: Cx, n: &Node, namespace: &str, name: &str) -> Result<Sidecar, LoadError> {
    check_version(cx, n)?;
    let mut out = Sidecar {
        namespace: namespace.to_string(),
        name: name.to_string(),
        selector: None,
        egress: Vec::new(),
        outbound: None,
        egress_proxy: false,
        ingress: false,
        loc: cx.loc(n),
    };
    let Some(spec) = n.get("spec") else { return Ok(out) };
    cx.only_keys(
        spec,
        "Sidecar spec",
        &["workloadSelector", "ingress", "egress", "outboundTrafficPolicy", "inboundConnectionPool"],
    )?;
    if let Some(ws) = spec.get("workloadSelector").filter(|w| !w.is_null()) {
        cx.only_keys(ws, "workloadSelector", &["labels"])?;
        let labels = super::selector::labels(cx, ws, "labels")?;
        out.selector =
            Some(LabelSelector { match_labels: labels.into_iter().collect(), match_expressions: Vec::new() });
    }
    out.ingress = !cx.seq(spec, "ingress")?.is_empty();
    for l in cx.seq(spec, "egress")? {
        cx.only_keys(l, "egress listener", &["port", "bind", "captureMode", "hosts"])?;
        let port = match l.get("port").filter(|p| !p.is_null()) {
            Some(p) => port_object(cx, p)?,
            None => None,
        };
        let capture = cx.opt_str(l, "captureMode")?.unwrap_or("DEFAULT");
        if !matches!(capture, "DEFAULT" | "IPTABLES" | "NONE") {
            let at = l.get("captureMode").unwrap_or(l);
            return Err(cx.err(at, format!("unknown captureMode `{capture}`: expected DEFAULT, IPTABLES or NONE")));
        }
        let bind = cx.opt_str(l, "bind")?.is_some_and(|b| !b.is_empty());
        let list = cx.seq(l, "hosts")?;
        if list.is_empty() {
            return Err(cx.err(l, "an egress listener needs at least one host (`hosts`)"));
        }
        let mut hosts = Vec::new();
        for h in list {
            hosts.push(egress_host(cx, h)?);
        }
        out.egress.push(EgressListener { port, hosts, custom_capture: bind || capture == "NONE", loc: cx.loc(l) });
    }
    if let Some(otp) = spec.get("outboundTrafficPolicy").filter(|o| !o.is_null()) {
        cx.only_keys(otp, "outboundTrafficPolicy", &["mode", "egressProxy"])?;
        out.outbound = match cx.opt_str(otp, "mode")? {
            None | Some("ALLOW_ANY") => Some(OutboundMode::AllowAny),
            Some("REGISTRY_ONLY") => Some(OutboundMode::RegistryOnly),
            Some(other) => {
                let at = otp.get("mode").unwrap_or(otp);
                return Err(cx.err(
                    at,
                    format!("unknown outboundTrafficPolicy mode `{other}`: expected ALLOW_ANY or REGISTRY_ONLY"),
                ));
            }
        };
        out.egress_proxy = otp.get("egressProxy").is_some_and(|e| !e.is_null());
    }
    Ok(out)
}

/// `NAMESPACE/DNS` (Sidecar reference, `IstioEgressListener.hosts`;
/// istiod refuses a host without `/`).
fn egress_host(cx: Cx, h: &Node) -> Result<EgressHost, LoadError> {
    let s = h.as_str().ok_or_else(|| cx.err(h, "`hosts` holds `namespace/dnsName` strings"))?;
    let Some((ns, dns)) = s.split_once('/') else {
        return Err(cx.err(h, format!("egress host `{s}`: namespace and DNS name must be separated by `/`")));
    };
    let namespace = match ns {
        "*" => HostNamespace::Any,
        "." => HostNamespace::Own,
        "~" => HostNamespace::None,
        n if super::selector::is_label_value(n) && !n.is_empty() => HostNamespace::Named(n.to_string()),
        n => return Err(cx.err(h, format!("egress host `{s}`: `{n}` is not a namespace, `*`, `.` or `~`"))),
    };
    if !valid_dns(dns) {
        return Err(cx.err(h, format!("egress host `{s}`: `{dns}` is not `*`, a DNS name or `*.` and a DNS name")));
    }
    Ok(EgressHost { namespace, dns: dns.to_string() })
}

/// A DNS name, optionally with `*` as its leftmost label, or `*` alone.
fn valid_dns(d: &str) -> bool {
    let rest = match d.strip_prefix('*') {
        Some("") => return true,
        Some(r) => match r.strip_prefix('.') {
            Some(r) => r,
            None => return false,
        },
        None => d,
    };
    !rest.is_empty()
        && rest.len() <= 253
        && rest.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// A ServiceEntry.
pub fn service_entry(cx: Cx, n: &Node, namespace: &str, name: &str) -> Result<ServiceEntry, LoadError> {
    check_version(cx, n)?;
    let Some(spec) = n.get("spec") else { return Err(cx.err(n, "ServiceEntry needs `spec.hosts`")) };
    cx.only_keys(
        spec,
        "ServiceEntry spec",
        &[
            "hosts",
            "addresses",
            "ports",
            "location",
            "resolution",
            "endpoints",
            "workloadSelector",
            "exportTo",
            "subjectAltNames",
        ],
    )?;
    let mut hosts = Vec::new();
    for h in cx.seq(spec, "hosts")? {
        let s = h.as_str().ok_or_else(|| cx.err(h, "`hosts` holds DNS names"))?;
        if !valid_dns(s) || s == "*" {
            return Err(cx.err(h, format!("host `{s}`: a DNS name, optionally with a leading `*.`")));
        }
        hosts.push(s.to_string());
    }
    if hosts.is_empty() {
        return Err(cx.err(spec, "ServiceEntry needs at least one host (`hosts`)"));
    }
    let addresses = match spec.get("addresses").filter(|a| !a.is_null()) {
        None => None,
        Some(_) => {
            let mut set = IpSet::empty();
            for v in cx.seq(spec, "addresses")? {
                let s = v.as_str().ok_or_else(|| cx.err(v, "`addresses` holds IPs or CIDRs"))?;
                let c = Cidr::parse_prefix_or_addr(s).map_err(|e| cx.err(v, format!("`addresses`: {e}")))?;
                set = set.union(&c.set());
            }
            Some(set).filter(|s| !s.is_empty())
        }
    };
    let mut ports = Vec::new();
    for p in cx.seq(spec, "ports")? {
        match port_object(cx, p)? {
            Some(n) => ports.push(n),
            None => return Err(cx.err(p, "a ServiceEntry port needs `number`")),
        }
    }
    let mesh_internal = match cx.opt_str(spec, "location")? {
        None | Some("MESH_EXTERNAL") => false,
        Some("MESH_INTERNAL") => true,
        Some(other) => {
            let at = spec.get("location").unwrap_or(spec);
            return Err(cx.err(at, format!("unknown location `{other}`: expected MESH_EXTERNAL or MESH_INTERNAL")));
        }
    };
    if let Some(r) = cx.opt_str(spec, "resolution")? {
        if !matches!(r, "NONE" | "STATIC" | "DNS" | "DNS_ROUND_ROBIN") {
            let at = spec.get("resolution").unwrap_or(spec);
            return Err(cx.err(at, format!("unknown resolution `{r}`: expected NONE, STATIC, DNS or DNS_ROUND_ROBIN")));
        }
    }
    let export_to = match spec.get("exportTo").filter(|e| !e.is_null()) {
        None => None,
        Some(_) => {
            let mut l = Vec::new();
            for v in cx.seq(spec, "exportTo")? {
                l.push(v.as_str().ok_or_else(|| cx.err(v, "`exportTo` holds namespaces, `.` or `*`"))?.to_string());
            }
            Some(l).filter(|l| !l.iter().any(|e| e == "*"))
        }
    };
    Ok(ServiceEntry {
        namespace: namespace.to_string(),
        name: name.to_string(),
        hosts,
        addresses,
        ports,
        mesh_internal,
        export_to,
        loc: cx.loc(n),
    })
}

impl super::Builder {
    /// A Sidecar or ServiceEntry, validated and recorded in the mesh. A
    /// Sidecar's `ingress` listeners (inbound ports and their capture) are
    /// not modelled: they stay a foreign record on the ingress side, so the
    /// verdicts into the pods it selects are unknown.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn add_istio_net(
        &mut self,
        cx: Cx,
        n: &Node,
        group: &str,
        kind: &str,
        namespace: String,
        name: String,
        warnings: &mut Vec<tusk_core::Warning>,
    ) -> Result<(), LoadError> {
        if group != "networking.istio.io" {
            let at = n.get("apiVersion").unwrap_or(n);
            return Err(cx.err(at, format!("{kind} belongs to networking.istio.io, not {group}")));
        }
        if let Some(prev) = self.seen.insert((format!("{group}/{kind}"), namespace.clone(), name.clone()), cx.loc(n)) {
            return Err(cx.err(n, format!("duplicate {kind} `{name}` (first defined at {prev})")));
        }
        self.ensure_namespace(&namespace);
        if kind == "VirtualService" || kind == "Gateway" {
            check_version(cx, n)?;
            if kind == "Gateway" {
                let g = super::istio_route::gateway(cx, n, &namespace, &name)?;
                self.cluster.mesh.gateways.push(g);
            } else {
                let v = super::istio_route::virtual_service(cx, n, &namespace, &name)?;
                self.cluster.mesh.virtual_services.push(v);
            }
            return Ok(());
        }
        if kind == "DestinationRule" {
            let subsets = super::istio_route::subsets(cx, n, &namespace, &name)?;
            self.cluster.mesh.subsets.extend(subsets);
            match destination_rule(cx, n, &namespace, &name)? {
                Ok(p) => {
                    warnings.push(tusk_core::Warning {
                        loc: p.loc.clone(),
                        message: format!(
                            "{}: it sets a TLS mode other than ISTIO_MUTUAL towards in-cluster hosts, so the peers' principals and mTLS are not known: verdicts into {} are unknown",
                            p.title(),
                            p.namespace.as_deref().map_or("every pod".to_string(), |ns| format!("the pods of namespace {ns}"))
                        ),
                    });
                    self.cluster.foreign_policies.push(p);
                }
                Err(why) => warnings.push(tusk_core::Warning {
                    loc: cx.loc(n),
                    message: format!("Istio DestinationRule {namespace}/{name} changes no verdict: {why}"),
                }),
            }
            return Ok(());
        }
        if kind == "ServiceEntry" {
            let e = service_entry(cx, n, &namespace, &name)?;
            self.cluster.mesh.service_entries.push(e);
            return Ok(());
        }
        let s = sidecar(cx, n, &namespace, &name)?;
        if s.ingress {
            let p = tusk_model::k8s::ForeignPolicy {
                engine: tusk_model::k8s::ForeignEngine::Istio,
                kind: "Sidecar".into(),
                namespace: Some(namespace.clone()),
                name: name.clone(),
                subject: s.selector.clone(),
                ingress: true,
                egress: false,
                can_allow: false,
                loc: s.loc.clone(),
            };
            warnings.push(tusk_core::Warning {
                loc: s.loc.clone(),
                message: format!(
                    "{}: its egress is modelled, its `ingress` listeners are not: verdicts into the pods it selects are unknown",
                    s.title()
                ),
            });
            self.cluster.foreign_policies.push(p);
        }
        self.cluster.mesh.sidecars.push(s);
        Ok(())
    }
}

/// The TLS modes a DestinationRule's traffic policy may set.
const TLS_MODES: &[&str] = &["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"];

/// The `tls.mode`s a traffic policy sets (its own and its port-level ones).
fn tls_modes(cx: Cx, tp: &Node, out: &mut Vec<String>) -> Result<(), LoadError> {
    cx.only_keys(
        tp,
        "trafficPolicy",
        &[
            "loadBalancer",
            "connectionPool",
            "outlierDetection",
            "tls",
            "portLevelSettings",
            "tunnel",
            "proxyProtocol",
            "retryBudget",
        ],
    )?;
    let mut one = |holder: &Node| -> Result<(), LoadError> {
        let Some(tls) = holder.get("tls").filter(|t| !t.is_null()) else { return Ok(()) };
        cx.only_keys(
            tls,
            "tls",
            &[
                "mode",
                "clientCertificate",
                "privateKey",
                "caCertificates",
                "credentialName",
                "subjectAltNames",
                "sni",
                "insecureSkipVerify",
                "caCrl",
            ],
        )?;
        let mode = cx.opt_str(tls, "mode")?.unwrap_or("DISABLE");
        if !TLS_MODES.contains(&mode) {
            let at = tls.get("mode").unwrap_or(tls);
            return Err(
                cx.err(at, format!("unknown tls mode `{mode}`: expected DISABLE, SIMPLE, MUTUAL or ISTIO_MUTUAL"))
            );
        }
        out.push(mode.to_string());
        Ok(())
    };
    one(tp)?;
    for pl in cx.seq(tp, "portLevelSettings")? {
        cx.only_keys(pl, "portLevelSettings", &["port", "loadBalancer", "connectionPool", "outlierDetection", "tls"])?;
        if let Some(p) = pl.get("port").filter(|p| !p.is_null()) {
            cx.only_keys(p, "port", &["number"])?;
            port_number(cx, p, "number")?;
        }
        one(pl)?;
    }
    Ok(())
}

/// A DestinationRule (Istio docs, "Destination Rule" reference). It
/// decides no access by itself; only its TLS mode can change a verdict:
/// `DISABLE` makes the client's sidecar send plaintext (no principal, and
/// STRICT refuses it), `SIMPLE` / `MUTUAL` originate TLS with other
/// certificates. `ISTIO_MUTUAL` is what auto mTLS does already. So a rule
/// with another mode towards an in-cluster host (`*.svc.cluster.local` or a
/// short name) becomes a foreign record over the host's namespace (or the
/// cluster, for a wildcard host): the verdicts into it are unknown. `Err`
/// holds why a rule changes no verdict (the caller warns with it).
pub fn destination_rule(
    cx: Cx,
    n: &Node,
    namespace: &str,
    name: &str,
) -> Result<Result<tusk_model::k8s::ForeignPolicy, String>, LoadError> {
    check_version(cx, n)?;
    let Some(spec) = n.get("spec") else { return Err(cx.err(n, "DestinationRule needs `spec.host`")) };
    cx.only_keys(spec, "DestinationRule spec", &["host", "trafficPolicy", "subsets", "exportTo", "workloadSelector"])?;
    let host = cx.req_str(spec, "host")?;
    if !valid_dns(host) {
        let at = spec.get("host").unwrap_or(spec);
        return Err(cx.err(at, format!("host `{host}`: a DNS name, a short name or `*`-prefixed wildcard")));
    }
    let mut modes = Vec::new();
    if let Some(tp) = spec.get("trafficPolicy").filter(|t| !t.is_null()) {
        tls_modes(cx, tp, &mut modes)?;
    }
    for sub in cx.seq(spec, "subsets")? {
        cx.only_keys(sub, "subset", &["name", "labels", "trafficPolicy"])?;
        cx.req_str(sub, "name")?;
        if let Some(tp) = sub.get("trafficPolicy").filter(|t| !t.is_null()) {
            tls_modes(cx, tp, &mut modes)?;
        }
    }
    if modes.iter().all(|m| m == "ISTIO_MUTUAL") {
        return Ok(Err(
            "without a TLS mode other than ISTIO_MUTUAL it only tunes load balancing, connection pools and outlier detection, which decide no access".into(),
        ));
    }
    // The host's namespace: `NAME.NS.svc.cluster.local`, a short name (the
    // rule's namespace), `*.NS.svc.cluster.local`; other in-cluster
    // wildcards cover every namespace; any other host is outside the
    // cluster, where no proxy of the mesh judges the flow.
    let labels: Vec<&str> = host.split('.').collect();
    let scope: Option<Option<String>> = match labels.as_slice() {
        [_] if !host.starts_with('*') => Some(Some(namespace.to_string())),
        [_, ns, "svc", "cluster", "local"] if *ns != "*" => Some(Some((*ns).to_string())),
        [_, _] if host.starts_with('*') => None,
        _ if host == "*" || host.ends_with(".svc.cluster.local") || host.ends_with(".cluster.local") => Some(None),
        _ => None,
    };
    let Some(scope) = scope else {
        return Ok(Err(format!(
            "host `{host}` is outside the cluster, where no mesh proxy judges the flow (its TLS mode changes no verdict tusk gives)"
        )));
    };
    Ok(Ok(tusk_model::k8s::ForeignPolicy {
        engine: tusk_model::k8s::ForeignEngine::Istio,
        kind: "DestinationRule".into(),
        namespace: scope,
        name: name.to_string(),
        subject: None,
        ingress: true,
        egress: false,
        can_allow: true,
        loc: cx.loc(n),
    }))
}
