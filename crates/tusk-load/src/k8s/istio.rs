//! Istio's AuthorizationPolicy and PeerAuthentication (security.istio.io
//! v1 and v1beta1) into [`tusk_model::istio`], and each pod's place in the
//! mesh (sidecar, ambient or none).
//!
//! Validation follows Istio's (the `security.istio.io` CRD schemas and
//! istiod's validation webhook, `pkg/config/validation`): unknown fields,
//! an unknown action, `selector` together with `targetRef(s)`, a CUSTOM
//! action without `provider` (or a provider on another action), an empty
//! `from` / `to` list, a source or operation with no field, a `when`
//! condition without values or with an unknown key, a malformed IP block or
//! port are located errors. Reference: istio.io/latest/docs/reference/
//! config/security/authorization-policy/ and .../peer_authentication/.
//! This file decides nothing about traffic.

use super::fields::{text, Cx};
use crate::doc::Node;
use tusk_core::ip::Cidr;
use tusk_core::{IpSet, LoadError};
use tusk_model::istio::{
    AuthorizationPolicy, AuthzAction, AuthzRule, AuthzTarget, Condition, ConditionKey, Dataplane, Field, MeshWhy,
    MtlsMode, NoSidecar, Operation, PeerAuthentication, PodMesh, Source, StrMatch,
};
use tusk_model::k8s::{LabelSelector, Labels};

/// Does tusk model this Istio kind (otherwise it stays a foreign policy)?
pub fn models(kind: &str) -> bool {
    matches!(kind, "AuthorizationPolicy" | "PeerAuthentication")
}

/// The API groups' versions Istio serves for these kinds.
const VERSIONS: &[&str] = &["v1", "v1beta1"];

/// Checks `apiVersion` is one Istio serves for security kinds.
fn check_version(cx: Cx, n: &Node) -> Result<(), LoadError> {
    let api = cx.opt_str(n, "apiVersion")?.unwrap_or_default();
    let version = api.rsplit_once('/').map_or("", |(_, v)| v);
    if !api.is_empty() && !VERSIONS.contains(&version) {
        let at = n.get("apiVersion").unwrap_or(n);
        return Err(cx.err(at, format!("apiVersion `{api}`: security.istio.io serves v1 and v1beta1")));
    }
    Ok(())
}

/// `istio.io/dry-run: "true"`: the policy runs in shadow mode.
fn dry_run(cx: Cx, n: &Node) -> Result<bool, LoadError> {
    let Some(meta) = n.get("metadata") else { return Ok(false) };
    Ok(cx.string_map(meta, "annotations")?.iter().any(|(k, v, _)| k == "istio.io/dry-run" && v == "true"))
}

/// An AuthorizationPolicy.
pub fn authorization_policy(cx: Cx, n: &Node, namespace: &str, name: &str) -> Result<AuthorizationPolicy, LoadError> {
    check_version(cx, n)?;
    // No spec, like `spec: {}`, is an ALLOW policy without rules: it
    // allows nothing (AuthorizationPolicy reference, "allow-nothing").
    let Some(spec) = n.get("spec") else {
        return Ok(AuthorizationPolicy {
            namespace: namespace.to_string(),
            name: name.to_string(),
            target: AuthzTarget::All,
            action: AuthzAction::Allow,
            rules: Vec::new(),
            dry_run: dry_run(cx, n)?,
            loc: cx.loc(n),
        });
    };
    cx.only_keys(
        spec,
        "AuthorizationPolicy spec",
        &["selector", "targetRef", "targetRefs", "action", "provider", "rules"],
    )?;
    let action = match cx.opt_str(spec, "action")?.unwrap_or("ALLOW") {
        "ALLOW" => AuthzAction::Allow,
        "DENY" => AuthzAction::Deny,
        "AUDIT" => AuthzAction::Audit,
        "CUSTOM" => AuthzAction::Custom,
        other => {
            let at = spec.get("action").unwrap_or(spec);
            return Err(cx.err(at, format!("unknown action `{other}`: expected ALLOW, DENY, AUDIT or CUSTOM")));
        }
    };
    match (action, spec.get("provider")) {
        (AuthzAction::Custom, None) => return Err(cx.err(spec, "action CUSTOM needs `provider`")),
        (AuthzAction::Custom, Some(p)) => {
            cx.only_keys(p, "provider", &["name"])?;
            cx.req_str(p, "name")?;
        }
        (_, Some(p)) => return Err(cx.err(p, "`provider` is only allowed with action CUSTOM")),
        _ => {}
    }
    let target = target(cx, spec)?;
    let mut rules = Vec::new();
    for r in cx.seq(spec, "rules")? {
        rules.push(rule(cx, r)?);
    }
    Ok(AuthorizationPolicy {
        namespace: namespace.to_string(),
        name: name.to_string(),
        target,
        action,
        rules,
        dry_run: dry_run(cx, n)?,
        loc: cx.loc(n),
    })
}

/// `selector` (matchLabels only) or `targetRef` / `targetRefs`, never both.
fn target(cx: Cx, spec: &Node) -> Result<AuthzTarget, LoadError> {
    let refs: Vec<&Node> = match (spec.get("targetRef"), spec.get("targetRefs")) {
        (Some(_), Some(b)) => return Err(cx.err(b, "`targetRef` and `targetRefs` cannot both be set")),
        (Some(a), None) => vec![a],
        (None, Some(_)) => cx.seq(spec, "targetRefs")?.iter().collect(),
        (None, None) => Vec::new(),
    };
    if let Some(sel) = spec.get("selector") {
        if !refs.is_empty() {
            return Err(cx.err(sel, "`selector` and `targetRef(s)` cannot both be set"));
        }
        return Ok(AuthzTarget::Selector(workload_selector(cx, sel)?));
    }
    if refs.is_empty() {
        return Ok(AuthzTarget::All);
    }
    let mut out = Vec::new();
    for r in refs {
        cx.only_keys(r, "targetRef", &["group", "kind", "name", "namespace"])?;
        out.push(format!("{} {}", cx.req_str(r, "kind")?, cx.req_str(r, "name")?));
    }
    Ok(AuthzTarget::Refs(out))
}

/// Istio's WorkloadSelector: `matchLabels` only.
fn workload_selector(cx: Cx, sel: &Node) -> Result<LabelSelector, LoadError> {
    cx.only_keys(sel, "selector", &["matchLabels"])?;
    let labels = super::selector::labels(cx, sel, "matchLabels")?;
    Ok(LabelSelector { match_labels: labels.into_iter().collect(), match_expressions: Vec::new() })
}

fn rule(cx: Cx, r: &Node) -> Result<AuthzRule, LoadError> {
    cx.only_keys(r, "rule", &["from", "to", "when"])?;
    let mut out = AuthzRule { from: Vec::new(), to: Vec::new(), when: Vec::new(), loc: cx.loc(r) };
    for (key, inner) in [("from", "source"), ("to", "operation")] {
        let Some(list) = r.get(key) else { continue };
        let items = cx.seq(r, key)?;
        if items.is_empty() {
            return Err(cx.err(list, format!("`{key}` must not be empty")));
        }
        for item in items {
            cx.only_keys(item, key, &[inner])?;
            let Some(body) = item.get(inner) else {
                return Err(cx.err(item, format!("`{key}.{inner}` must not be nil")));
            };
            // istiod's validation counts a field with an empty list as
            // absent: a source or operation with nothing in it is refused.
            let empty = |v: &Node| v.is_null() || v.as_seq().is_some_and(|l| l.is_empty());
            if body.as_map().is_none_or(|m| m.iter().all(|(_, v)| empty(v))) {
                return Err(cx.err(body, format!("`{key}.{inner}` must not be empty")));
            }
            if key == "from" {
                out.from.push(source(cx, body)?);
            } else {
                out.to.push(operation(cx, body)?);
            }
        }
    }
    for c in cx.seq(r, "when")? {
        out.when.push(condition(cx, c)?);
    }
    Ok(out)
}

fn strings(cx: Cx, parent: &Node, key: &str) -> Result<Option<Vec<String>>, LoadError> {
    let Some(_) = parent.get(key) else { return Ok(None) };
    let mut out = Vec::new();
    for v in cx.seq(parent, key)? {
        match v.as_str() {
            Some(s) => out.push(s.to_string()),
            None => return Err(cx.err(v, format!("`{key}` holds strings, found {}", v.type_name()))),
        }
    }
    Ok(Some(out))
}

fn matches_field(cx: Cx, n: &Node, key: &str, not: &str) -> Result<Field<StrMatch>, LoadError> {
    let conv = |v: Option<Vec<String>>| v.map(|l| l.into_iter().map(StrMatch).collect());
    Ok(Field { values: conv(strings(cx, n, key)?), not_values: conv(strings(cx, n, not)?) })
}

fn ip_field(cx: Cx, n: &Node, key: &str) -> Result<Option<IpSet>, LoadError> {
    if n.get(key).is_none() {
        return Ok(None);
    }
    let mut set = IpSet::empty();
    for v in cx.seq(n, key)? {
        let s = v.as_str().ok_or_else(|| cx.err(v, format!("`{key}` holds IPs or CIDRs")))?;
        let c = Cidr::parse_prefix_or_addr(s).map_err(|e| cx.err(v, format!("`{key}`: {e}")))?;
        set = set.union(&c.set());
    }
    Ok(Some(set))
}

fn source(cx: Cx, s: &Node) -> Result<Source, LoadError> {
    cx.only_keys(
        s,
        "source",
        &[
            "principals",
            "notPrincipals",
            "requestPrincipals",
            "notRequestPrincipals",
            "namespaces",
            "notNamespaces",
            "ipBlocks",
            "notIpBlocks",
            "remoteIpBlocks",
            "notRemoteIpBlocks",
        ],
    )?;
    Ok(Source {
        principals: matches_field(cx, s, "principals", "notPrincipals")?,
        request_principals: matches_field(cx, s, "requestPrincipals", "notRequestPrincipals")?,
        namespaces: matches_field(cx, s, "namespaces", "notNamespaces")?,
        ip_blocks: Field {
            values: ip_field(cx, s, "ipBlocks")?.map(|x| vec![x]),
            not_values: ip_field(cx, s, "notIpBlocks")?.map(|x| vec![x]),
        },
        remote_ip_blocks: Field {
            values: ip_field(cx, s, "remoteIpBlocks")?.map(|x| vec![x]),
            not_values: ip_field(cx, s, "notRemoteIpBlocks")?.map(|x| vec![x]),
        },
    })
}

fn ports(cx: Cx, n: &Node, key: &str) -> Result<Option<Vec<u16>>, LoadError> {
    if n.get(key).is_none() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for v in cx.seq(n, key)? {
        let t = text(v);
        match t.parse::<u16>() {
            Ok(p) if p > 0 => out.push(p),
            _ => return Err(cx.err(v, format!("`{key}`: `{t}` is not a port number 1-65535"))),
        }
    }
    Ok(Some(out))
}

fn operation(cx: Cx, o: &Node) -> Result<Operation, LoadError> {
    cx.only_keys(
        o,
        "operation",
        &["hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths"],
    )?;
    Ok(Operation {
        hosts: matches_field(cx, o, "hosts", "notHosts")?,
        ports: Field { values: ports(cx, o, "ports")?, not_values: ports(cx, o, "notPorts")? },
        methods: matches_field(cx, o, "methods", "notMethods")?,
        paths: matches_field(cx, o, "paths", "notPaths")?,
    })
}

/// A `when` condition. Keys: the AuthorizationPolicy reference's
/// "Authorization Policy Conditions" list.
fn condition(cx: Cx, c: &Node) -> Result<Condition, LoadError> {
    cx.only_keys(c, "when", &["key", "values", "notValues"])?;
    let key_text = cx.req_str(c, "key")?;
    let key = match key_text {
        "source.ip" => ConditionKey::SourceIp,
        "remote.ip" => ConditionKey::RemoteIp,
        "source.namespace" => ConditionKey::SourceNamespace,
        "source.principal" => ConditionKey::SourcePrincipal,
        "destination.port" => ConditionKey::DestinationPort,
        "request.auth.principal"
        | "request.auth.audiences"
        | "request.auth.presenter"
        | "destination.ip"
        | "connection.sni" => ConditionKey::Opaque(key_text.to_string()),
        k if (k.starts_with("request.headers[") || k.starts_with("request.auth.claims[")) && k.ends_with(']') => {
            ConditionKey::Opaque(k.to_string())
        }
        k if k.starts_with("experimental.envoy.filters.") => ConditionKey::Opaque(k.to_string()),
        k => return Err(cx.err(c.get("key").unwrap_or(c), format!("unknown attribute `{k}` in when.key"))),
    };
    let values = strings(cx, c, "values")?;
    let not_values = strings(cx, c, "notValues")?;
    if values.as_ref().is_none_or(Vec::is_empty) && not_values.as_ref().is_none_or(Vec::is_empty) {
        return Err(cx.err(c, format!("`values` or `notValues` must be set for when.key `{key_text}`")));
    }
    // Typed values are checked where Istio checks them.
    for v in values.iter().chain(&not_values).flatten() {
        let ok = match key {
            ConditionKey::SourceIp | ConditionKey::RemoteIp => Cidr::parse_prefix_or_addr(v).is_ok(),
            ConditionKey::DestinationPort => v.parse::<u16>().is_ok_and(|p| p > 0),
            _ => true,
        };
        if !ok {
            return Err(cx.err(c, format!("when.key `{key_text}`: invalid value `{v}`")));
        }
    }
    Ok(Condition { key, values, not_values, loc: cx.loc(c) })
}

fn mtls_mode(cx: Cx, n: &Node) -> Result<MtlsMode, LoadError> {
    cx.only_keys(n, "mtls", &["mode"])?;
    Ok(match cx.opt_str(n, "mode")?.unwrap_or("UNSET") {
        "UNSET" => MtlsMode::Unset,
        "PERMISSIVE" => MtlsMode::Permissive,
        "STRICT" => MtlsMode::Strict,
        "DISABLE" => MtlsMode::Disable,
        m => {
            return Err(cx.err(
                n.get("mode").unwrap_or(n),
                format!("unknown mTLS mode `{m}`: expected UNSET, PERMISSIVE, STRICT or DISABLE"),
            ))
        }
    })
}

/// A PeerAuthentication. `portLevelMtls` needs a selector (istiod's
/// validation: "portLevelMtls requires selector").
pub fn peer_authentication(cx: Cx, n: &Node, namespace: &str, name: &str) -> Result<PeerAuthentication, LoadError> {
    check_version(cx, n)?;
    let spec = n.get("spec");
    if let Some(spec) = spec {
        cx.only_keys(spec, "PeerAuthentication spec", &["selector", "mtls", "portLevelMtls"])?;
    }
    let selector = spec.and_then(|s| s.get("selector")).map(|s| workload_selector(cx, s)).transpose()?;
    let mode = match spec.and_then(|s| s.get("mtls")) {
        Some(m) => mtls_mode(cx, m)?,
        None => MtlsMode::Unset,
    };
    let mut port_level = Vec::new();
    if let Some(pl) = spec.and_then(|s| s.get("portLevelMtls")) {
        if selector.is_none() {
            return Err(cx.err(pl, "portLevelMtls requires a workload selector"));
        }
        for (k, v) in cx.map(pl, "portLevelMtls")? {
            let t = text(k);
            let port = t
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| cx.err(k, format!("portLevelMtls: `{t}` is not a port number 1-65535")))?;
            port_level.push((port, mtls_mode(cx, v)?));
        }
    }
    Ok(PeerAuthentication {
        namespace: namespace.to_string(),
        name: name.to_string(),
        selector,
        mode,
        port_level,
        loc: cx.loc(n),
    })
}

/// What a pod's own manifest says about its mesh membership.
#[derive(Debug, Clone, Default)]
pub struct PodHint {
    pub service_account: Option<String>,
    /// `sidecar.istio.io/inject` as a pod label (the webhook's object
    /// selector) or annotation.
    pub inject_label: Option<bool>,
    pub inject_annotation: Option<bool>,
    /// `istio.io/dataplane-mode` pod label.
    pub dataplane_label: Option<String>,
    /// For a live pod (it has `status`): does it run an `istio-proxy`
    /// container (or init container, as native sidecars do)?
    pub live_proxy: Option<bool>,
    /// A gateway proxy: its only container is `istio-proxy`, or the
    /// annotation `inject.istio.io/templates` names `gateway`.
    pub router: bool,
}

/// Reads a pod's (or template's) mesh hints.
pub fn pod_hint(cx: Cx, meta: Option<&Node>, spec: Option<&Node>, live: bool) -> Result<PodHint, LoadError> {
    let mut h = PodHint::default();
    let flag = |v: &str| match v {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    if let Some(m) = meta {
        for (k, v, _) in cx.string_map(m, "labels")? {
            match k.as_str() {
                "sidecar.istio.io/inject" => h.inject_label = flag(&v),
                "istio.io/dataplane-mode" => h.dataplane_label = Some(v),
                _ => {}
            }
        }
        for (k, v, _) in cx.string_map(m, "annotations")? {
            if k == "sidecar.istio.io/inject" {
                h.inject_annotation = flag(&v);
            }
            if k == "inject.istio.io/templates" && v.split(',').any(|t| t.trim() == "gateway") {
                h.router = true;
            }
        }
    }
    if let Some(s) = spec {
        h.service_account =
            cx.opt_str(s, "serviceAccountName")?.or(cx.opt_str(s, "serviceAccount")?).map(str::to_string);
        let names: Vec<Option<&str>> =
            cx.seq(s, "containers")?.iter().map(|c| cx.opt_str(c, "name")).collect::<Result<_, _>>()?;
        h.router |= !names.is_empty() && names.iter().all(|n| *n == Some("istio-proxy"));
        if live {
            let mut proxy = false;
            for key in ["containers", "initContainers"] {
                for c in cx.seq(s, key)? {
                    proxy |= cx.opt_str(c, "name")? == Some("istio-proxy");
                }
            }
            h.live_proxy = Some(proxy);
        }
    }
    Ok(h)
}

/// A pod's mesh membership from its hints and its namespace's labels
/// (`None`: a namespace no input declares). Istio docs, "Installing the
/// Sidecar" (automatic injection): the namespace label
/// `istio-injection=enabled` or `istio.io/rev` turns injection on, a pod
/// label `sidecar.istio.io/inject=true` also (the webhook's object
/// selector), `false` (label or annotation) turns it off; `istio-injection=
/// disabled` wins over a revision label. Ambient: "Adding workloads to the
/// mesh", label `istio.io/dataplane-mode=ambient` on the namespace or pod,
/// `none` on the pod opting out; a sidecar-injected pod is not captured by
/// ztunnel.
pub fn pod_mesh(hint: &PodHint, ns: &str, ns_labels: Option<&Labels>) -> PodMesh {
    let service_account = hint.service_account.clone().unwrap_or_else(|| "default".to_string());
    let mk = |dataplane, why: MeshWhy| PodMesh {
        dataplane,
        service_account: service_account.clone(),
        why,
        router: hint.router,
    };
    // A gateway proxy (Istio docs, "Installing Gateways": the `gateway`
    // injection template; a live gateway runs istio-proxy alone) is a
    // proxy whatever the namespace says.
    if hint.router && hint.live_proxy != Some(false) {
        return mk(Dataplane::Sidecar, MeshWhy::GatewayProxy);
    }
    if let Some(p) = hint.live_proxy {
        return if p {
            mk(Dataplane::Sidecar, MeshWhy::LiveProxy)
        } else {
            ambient_or_none(hint, ns, ns_labels, &mk, NoSidecar::NoLiveProxy)
        };
    }
    let Some(labels) = ns_labels else {
        if hint.inject_label == Some(true) && hint.inject_annotation != Some(false) {
            return mk(Dataplane::Sidecar, MeshWhy::InjectLabel);
        }
        if hint.inject_label == Some(false) || hint.inject_annotation == Some(false) {
            return mk(Dataplane::None, MeshWhy::InjectOff);
        }
        return mk(Dataplane::Unknown, MeshWhy::NamespaceUndeclared(ns.to_string()));
    };
    let ns_inject = labels.get("istio-injection").map(String::as_str);
    let ns_rev = labels.contains_key("istio.io/rev");
    let opted_out = hint.inject_label == Some(false) || hint.inject_annotation == Some(false);
    let injected = ns_inject != Some("disabled")
        && !opted_out
        && (ns_inject == Some("enabled") || ns_rev || hint.inject_label == Some(true));
    if injected {
        let why = if hint.inject_label == Some(true) {
            MeshWhy::InjectLabel
        } else if ns_inject == Some("enabled") {
            MeshWhy::NamespaceInjection(ns.to_string())
        } else {
            MeshWhy::NamespaceRevision(ns.to_string())
        };
        return mk(Dataplane::Sidecar, why);
    }
    ambient_or_none(hint, ns, ns_labels, &mk, NoSidecar::NoInjection)
}

fn ambient_or_none(
    hint: &PodHint,
    ns: &str,
    ns_labels: Option<&Labels>,
    mk: &dyn Fn(Dataplane, MeshWhy) -> PodMesh,
    base: NoSidecar,
) -> PodMesh {
    match hint.dataplane_label.as_deref() {
        Some("ambient") => return mk(Dataplane::Ambient, MeshWhy::AmbientPodLabel),
        Some("none") => return mk(Dataplane::None, MeshWhy::DataplaneNone(base)),
        _ => {}
    }
    if ns_labels.and_then(|l| l.get("istio.io/dataplane-mode")).map(String::as_str) == Some("ambient") {
        return mk(Dataplane::Ambient, MeshWhy::AmbientNamespace(ns.to_string()));
    }
    mk(Dataplane::None, MeshWhy::NoSidecar(base))
}
