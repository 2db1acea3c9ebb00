//! CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2)
//! into [`CiliumPolicy`]: endpointSelector, ingress / egress / ingressDeny /
//! egressDeny, fromEndpoints / toEndpoints, fromCIDR(Set) / toCIDR(Set) with
//! `except`, fromEntities / toEntities, toPorts, enableDefaultDeny (Cilium
//! docs, "Layer 3 Policies", "Layer 4 Policies", "Deny Policies", "Policy
//! Enforcement Modes"). A field tusk does not model inside a rule (L7
//! `rules`, toFQDNs, toServices, ...) makes that rule's match unknown; a
//! CiliumClusterwideNetworkPolicy with `nodeSelector` is a host policy over
//! the nodes' labels; a subject tusk cannot read (labels of sources other
//! than `k8s:`/`any:`, service accounts) leaves the policy on the foreign
//! path.

use super::fields::{text, Cx};
use super::netpol::parse_cidr;
use super::selector::{is_label_key, is_label_value};
use crate::doc::{Node, Value};
use tusk_core::{IpSet, LoadError, Protocol, Warning};
use tusk_model::cilium::{CiliumPeer, CiliumPolicy, CiliumRule, CiliumSelector, CiliumUnmodelled, Entity};
use tusk_model::k8s::{LabelSelector, PolicyPort, Requirement, SelectorOp};

/// The namespace name label every namespace carries (Kubernetes docs,
/// "Well-Known Labels": kubernetes.io/metadata.name).
const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Why a selector key is not modelled.
struct Unreadable(CiliumUnmodelled);

/// The policies of one object (one per entry of `specs`), or `None` when
/// tusk cannot read a subject: the object then stays a foreign policy.
pub fn policies(
    cx: Cx,
    n: &Node,
    kind: &str,
    namespace: &str,
    name: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<Vec<CiliumPolicy>>, LoadError> {
    let scope = (kind == "CiliumNetworkPolicy").then_some(namespace);
    let specs: Vec<(&Node, String)> = match (n.get("spec"), n.get("specs").and_then(Node::as_seq)) {
        (Some(s), None) => vec![(s, name.to_string())],
        (None, Some(list)) => list.iter().enumerate().map(|(i, s)| (s, format!("{name} specs[{i}]"))).collect(),
        (Some(_), Some(_)) => return Err(cx.err(n, "a Cilium policy has `spec` or `specs`, not both")),
        (None, None) => return Err(cx.err(n, "a Cilium policy needs `spec` or `specs`")),
    };
    let mut out = Vec::new();
    for (s, title) in specs {
        cx.map(s, "spec")?;
        // Exactly one of the two (Cilium source, pkg/policy/api/rule_validation.go).
        let (subject, nodes) = match (s.get("endpointSelector"), s.get("nodeSelector")) {
            (Some(_), Some(n)) => {
                return Err(cx.err(n, "a Cilium rule has `endpointSelector` or `nodeSelector`, not both"))
            }
            (None, None) => return Err(cx.err(s, "a Cilium rule needs `endpointSelector` or `nodeSelector`")),
            (Some(sel), None) => match selector(cx, sel, scope)? {
                Ok(sel) if !sel.namespace_labels => (sel, None),
                _ => return Ok(None),
            },
            // A host policy: only cluster-wide policies select nodes (Cilium
            // docs, "Host Policies"); a namespaced one stays foreign.
            (None, Some(_)) if scope.is_some() => return Ok(None),
            (None, Some(n)) => match node_selector(cx, n)? {
                Some(sel) => (no_pod(), Some(sel)),
                None => return Ok(None),
            },
        };
        let mut rules = [Vec::new(), Vec::new()];
        for (d, keys) in [(0, ["ingress", "ingressDeny"]), (1, ["egress", "egressDeny"])] {
            for key in keys {
                for (i, r) in cx.seq(s, key)?.iter().enumerate() {
                    rules[d].extend(rule(cx, r, key, i, scope, d == 0, warnings)?);
                }
            }
        }
        let has = |keys: [&str; 2]| keys.iter().any(|k| s.get(k).and_then(Node::as_seq).is_some_and(|l| !l.is_empty()));
        let selects = [has(["ingress", "ingressDeny"]), has(["egress", "egressDeny"])];
        // enableDefaultDeny: per direction, true by default for a direction
        // the policy has rules for (CRD field documentation).
        let mut default_deny = selects;
        if let Some(e) = s.get("enableDefaultDeny") {
            cx.only_keys(e, "enableDefaultDeny", &["ingress", "egress"])?;
            for (d, k) in [(0, "ingress"), (1, "egress")] {
                match cx.opt_bool(e, k)? {
                    // Default deny asked for a direction without rules: tusk
                    // has not checked whether Cilium closes the endpoint
                    // then, so the policy stays on the unknown path.
                    Some(true) if !selects[d] => return Ok(None),
                    Some(b) => default_deny[d] = b && selects[d],
                    None => {}
                }
            }
        }
        let [ingress, egress] = rules;
        out.push(CiliumPolicy {
            kind: kind.to_string(),
            namespace: scope.map(str::to_string),
            name: title,
            subject,
            nodes,
            ingress,
            egress,
            default_deny,
            selects,
            loc: cx.loc(n),
        });
    }
    Ok(Some(out))
}

/// An endpoint selector, split into namespace and pod parts; confined to
/// `scope` (a CiliumNetworkPolicy's namespace) unless it names a namespace.
fn selector(cx: Cx, n: &Node, scope: Option<&str>) -> Result<Result<CiliumSelector, Unreadable>, LoadError> {
    for (k, _) in cx.map(n, "endpoint selector")? {
        if !matches!(k.as_str(), Some("matchLabels" | "matchExpressions")) {
            return Err(cx.err(k, format!("unknown field `{}` in endpoint selector", text(k))));
        }
    }
    let (mut ns, mut pod) = (LabelSelector::default(), LabelSelector::default());
    let mut namespace_labels = false;
    let mut names_namespace = false;
    let mut place = |key: &str| -> Result<(bool, String), Unreadable> {
        // `source:key`: Kubernetes label keys hold no colon.
        let key = match key.split_once(':') {
            None => key,
            Some(("k8s" | "any", k)) => k,
            Some(_) => return Err(Unreadable(CiliumUnmodelled::LabelSource(key.to_string()))),
        };
        if key == "io.kubernetes.pod.namespace" {
            names_namespace = true;
            return Ok((true, NAME_LABEL.to_string()));
        }
        if let Some(k) = key.strip_prefix("io.cilium.k8s.namespace.labels.") {
            names_namespace = true;
            namespace_labels = true;
            return Ok((true, k.to_string()));
        }
        if key.starts_with("io.cilium.") || key.starts_with("io.kubernetes.") {
            return Err(Unreadable(CiliumUnmodelled::DerivedLabel(key.to_string())));
        }
        Ok((false, key.to_string()))
    };
    for (k, v, _) in cx.string_map(n, "matchLabels")? {
        if !is_label_value(&v) {
            return Err(cx.err(n, format!("invalid label value `{v}` in matchLabels")));
        }
        match place(&k) {
            Ok((true, k)) => ns.match_labels.push((k, v)),
            Ok((false, k)) => pod.match_labels.push((k, v)),
            Err(u) => return Ok(Err(u)),
        }
    }
    for e in cx.seq(n, "matchExpressions")? {
        cx.only_keys(e, "matchExpressions[]", &["key", "operator", "values"])?;
        let key = cx.req_str(e, "key")?;
        let op = match cx.req_str(e, "operator")? {
            "In" => SelectorOp::In,
            "NotIn" => SelectorOp::NotIn,
            "Exists" => SelectorOp::Exists,
            "DoesNotExist" => SelectorOp::DoesNotExist,
            o => return Err(cx.err(e, format!("invalid selector operator `{o}`"))),
        };
        let mut values = Vec::new();
        for v in cx.seq(e, "values")? {
            values.push(v.as_str().ok_or_else(|| cx.err(v, "selector values must be strings"))?.to_string());
        }
        values.sort();
        values.dedup();
        let (is_ns, k) = match place(key) {
            Ok(x) => x,
            Err(u) => return Ok(Err(u)),
        };
        if !is_label_key(&k) {
            return Err(cx.err(e, format!("invalid label key `{key}`")));
        }
        let r = Requirement { key: k, op, values };
        if is_ns {
            ns.match_expressions.push(r);
        } else {
            pod.match_expressions.push(r);
        }
    }
    if let (Some(scope), false) = (scope, names_namespace) {
        ns.match_labels.push((NAME_LABEL.to_string(), scope.to_string()));
    }
    ns.match_labels.sort();
    pod.match_labels.sort();
    Ok(Ok(CiliumSelector { namespace: ns, pod, namespace_labels }))
}

/// The subject of a host policy: no pod (`In` with no value matches none).
fn no_pod() -> CiliumSelector {
    let never = Requirement { key: "io.cilium.host-policy".into(), op: SelectorOp::In, values: Vec::new() };
    let pod = LabelSelector { match_labels: Vec::new(), match_expressions: vec![never] };
    CiliumSelector { namespace: LabelSelector::default(), pod, namespace_labels: false }
}

/// A host policy's `nodeSelector`, over the Node objects' labels (`k8s:`
/// and `any:` prefixes dropped); `None` when it reads labels of another
/// source, which tusk cannot see.
fn node_selector(cx: Cx, n: &Node) -> Result<Option<LabelSelector>, LoadError> {
    match selector(cx, n, None)? {
        Ok(sel) if sel.namespace.is_empty() => Ok(Some(sel.pod)),
        _ => Ok(None),
    }
}

/// Fields of a rule tusk does not model: the rule's match is unknown.
const UNMODELLED: &[&str] = &[
    "fromRequires",
    "toRequires",
    "fromNodes",
    "toNodes",
    "fromGroups",
    "toGroups",
    "toServices",
    "toFQDNs",
    "authentication",
];

/// One rule, one [`CiliumRule`] per `toPorts` entry.
fn rule(
    cx: Cx,
    r: &Node,
    key: &str,
    i: usize,
    scope: Option<&str>,
    ingress: bool,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<CiliumRule>, LoadError> {
    cx.map(r, key)?;
    let deny = key.ends_with("Deny");
    let (ep, cidr, cidr_set, ent) = if ingress {
        ("fromEndpoints", "fromCIDR", "fromCIDRSet", "fromEntities")
    } else {
        ("toEndpoints", "toCIDR", "toCIDRSet", "toEntities")
    };
    let mut peers: Option<Vec<CiliumPeer>> = None;
    let mut unmodelled: Option<CiliumUnmodelled> = None;
    for (k, _) in cx.map(r, key)? {
        let k = k.as_str().unwrap_or_default();
        if UNMODELLED.contains(&k) {
            unmodelled.get_or_insert_with(|| CiliumUnmodelled::Field(k.to_string()));
            peers.get_or_insert_with(Vec::new).push(CiliumPeer::Unmodelled(CiliumUnmodelled::Field(k.to_string())));
        } else if ![ep, cidr, cidr_set, ent, "toPorts", "icmps"].contains(&k) {
            return Err(cx.err(r, format!("unknown field `{k}` in Cilium {key} rule")));
        }
    }
    for s in cx.seq(r, ep)? {
        let p = match selector(cx, s, scope)? {
            Ok(sel) => CiliumPeer::Endpoints(sel),
            Err(Unreadable(why)) => CiliumPeer::Unmodelled(why),
        };
        peers.get_or_insert_with(Vec::new).push(p);
    }
    for c in cx.seq(r, cidr)? {
        let s = c.as_str().ok_or_else(|| cx.err(c, format!("`{cidr}` entries must be CIDR strings")))?;
        peers.get_or_insert_with(Vec::new).push(CiliumPeer::Cidr(parse_cidr(cx, c, s, warnings)?.set()));
    }
    for b in cx.seq(r, cidr_set)? {
        cx.only_keys(b, cidr_set, &["cidr", "except", "cidrGroupRef", "cidrGroupSelector"])?;
        let Some(cs) = cx.opt_str(b, "cidr")? else {
            let u = CiliumUnmodelled::Field("cidrGroupRef".into());
            peers.get_or_insert_with(Vec::new).push(CiliumPeer::Unmodelled(u));
            continue;
        };
        let mut set: IpSet = parse_cidr(cx, b.get("cidr").unwrap_or(b), cs, warnings)?.set();
        for e in cx.seq(b, "except")? {
            let s = e.as_str().ok_or_else(|| cx.err(e, "`except` entries must be CIDR strings"))?;
            set = set.subtract(&parse_cidr(cx, e, s, warnings)?.set());
        }
        peers.get_or_insert_with(Vec::new).push(CiliumPeer::Cidr(set));
    }
    for e in cx.seq(r, ent)? {
        let s = e.as_str().unwrap_or_default();
        let entity = Entity::parse(s).ok_or_else(|| cx.err(e, format!("unknown Cilium entity `{}`", text(e))))?;
        peers.get_or_insert_with(Vec::new).push(CiliumPeer::Entity(entity));
    }
    // Checked against Cilium's source (pkg/policy/rule.go, `mergeIngress` /
    // `mergeEgress`; pkg/policy/utils/parserules.go, `mergeEndpointSelectors`):
    // an L3 field given as an empty list (`fromEndpoints: []`) makes the
    // whole rule select no peer, whatever its ports; a rule with no L3 field
    // and ports is L4-only and gets the wildcard selector, which matches
    // every identity (pods, `world`, `host`, `remote-node`, ...); the empty
    // rule `{}` creates no filter at all, so it allows nothing and only puts
    // the endpoint into default deny.
    let to_ports = cx.seq(r, "toPorts")?;
    let icmps = icmp_rules(cx, r)?;
    let given_empty =
        [ep, cidr, cidr_set, ent].iter().any(|k| r.get(k).and_then(Node::as_seq).is_some_and(|l| l.is_empty()));
    if given_empty || (peers.is_none() && to_ports.is_empty() && icmps.is_empty()) {
        peers = Some(Vec::new());
    }
    let name = format!("{key}[{i}]");
    let base = CiliumRule { deny, name, peers, ports: Vec::new(), unmodelled, loc: cx.loc(r) };
    if to_ports.is_empty() && icmps.is_empty() {
        return Ok(vec![base]);
    }
    // `icmps` is L4 beside `toPorts` (the same peers): it matches ICMP only,
    // on the listed types, which no flow tusk evaluates names: its match is
    // unknown for ICMP and no for every port protocol.
    let mut out: Vec<CiliumRule> = icmps
        .into_iter()
        .map(|loc| CiliumRule {
            ports: vec![PolicyPort::All(Protocol::Icmp)],
            unmodelled: Some(base.unmodelled.clone().unwrap_or(CiliumUnmodelled::Icmps)),
            loc,
            ..base.clone()
        })
        .collect();
    for tp in to_ports {
        let mut rule = CiliumRule { loc: cx.loc(tp), ..base.clone() };
        for (k, _) in cx.map(tp, "toPorts")? {
            match k.as_str().unwrap_or_default() {
                "ports" => {}
                "rules" | "serverNames" | "listener" | "originatingTLS" | "terminatingTLS" => {
                    let what = CiliumUnmodelled::L7(k.as_str().unwrap_or_default().to_string());
                    rule.unmodelled.get_or_insert(what);
                }
                other => return Err(cx.err(tp, format!("unknown field `{other}` in toPorts"))),
            }
        }
        for p in cx.seq(tp, "ports")? {
            rule.ports.extend(port(cx, p)?);
        }
        out.push(rule);
    }
    Ok(out)
}

/// The `icmps[].fields[]` entries of a rule, checked (`type` 0-255 or an
/// ICMP message name, `family` IPv4 or IPv6: Cilium source,
/// pkg/policy/api/icmp.go), as locations.
fn icmp_rules(cx: Cx, r: &Node) -> Result<Vec<tusk_core::Loc>, LoadError> {
    let mut out = Vec::new();
    for rule in cx.seq(r, "icmps")? {
        cx.only_keys(rule, "icmps", &["fields"])?;
        for f in cx.seq(rule, "fields")? {
            cx.only_keys(f, "icmps fields", &["type", "family"])?;
            match cx.opt_str(f, "family")? {
                None | Some("IPv4" | "IPv6") => {}
                Some(o) => return Err(cx.err(f, format!("invalid ICMP family `{o}`: expected IPv4 or IPv6"))),
            }
            let Some(t) = f.get("type") else { return Err(cx.err(f, "an ICMP field needs `type`")) };
            let ok = match &t.value {
                Value::Scalar { text, .. } => match text.parse::<u32>() {
                    Ok(n) => n <= 255,
                    Err(_) => !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric()),
                },
                _ => false,
            };
            if !ok {
                return Err(cx.err(t, "ICMP `type` must be 0-255 or an ICMP message name"));
            }
            out.push(cx.loc(f));
        }
    }
    Ok(out)
}

/// One `ports` entry: `port` (number, name or `0` for all), `endPort`,
/// `protocol` (TCP, UDP, SCTP, ANY; absent is ANY).
fn port(cx: Cx, n: &Node) -> Result<Vec<PolicyPort>, LoadError> {
    cx.only_keys(n, "toPorts ports", &["port", "endPort", "protocol"])?;
    let protos: Vec<Option<Protocol>> = match cx.opt_str(n, "protocol")? {
        None | Some("ANY") => vec![None],
        Some("TCP") => vec![Some(Protocol::Tcp)],
        Some("UDP") => vec![Some(Protocol::Udp)],
        Some("SCTP") => vec![Some(Protocol::Sctp)],
        Some("ICMP" | "ICMPv6") => vec![Some(Protocol::Icmp)],
        Some(o) => {
            return Err(cx.err(n, format!("invalid protocol `{o}`: expected TCP, UDP, SCTP, ICMP, ICMPv6 or ANY")))
        }
    };
    let expand = |p: Option<Protocol>| -> Vec<Protocol> {
        p.map(|p| vec![p]).unwrap_or_else(|| vec![Protocol::Tcp, Protocol::Udp, Protocol::Sctp])
    };
    let port_text = match n.get("port") {
        None => None,
        Some(p) => match &p.value {
            Value::Scalar { text, .. } => Some((p, text.clone())),
            _ => return Err(cx.err(p, "`port` must be a number or a port name")),
        },
    };
    let mut out = Vec::new();
    match port_text {
        None => protos.iter().flat_map(|p| expand(*p)).for_each(|p| out.push(PolicyPort::All(p))),
        Some((_, t)) if t == "0" => protos.iter().flat_map(|p| expand(*p)).for_each(|p| out.push(PolicyPort::All(p))),
        Some((pn, t)) if t.bytes().all(|c| c.is_ascii_digit()) => {
            let lo: u16 = t.parse().map_err(|_| cx.err(pn, format!("port `{t}` out of range")))?;
            let hi = match cx.opt_int(n, "endPort")? {
                None => lo,
                Some(e) if (lo as i64..=65535).contains(&e) => e as u16,
                Some(e) => return Err(cx.err(n, format!("`endPort` {e} must be between `port` {lo} and 65535"))),
            };
            protos.iter().flat_map(|p| expand(*p)).for_each(|p| out.push(PolicyPort::Range(p, lo, hi)));
        }
        Some((pn, t)) => {
            if !super::ports::is_port_name(&t) {
                return Err(cx.err(pn, format!("`port` must be a number or a port name, found `{t}`")));
            }
            protos.iter().for_each(|p| out.push(PolicyPort::Named(*p, t.to_string())));
        }
    }
    Ok(out)
}
