//! networking.k8s.io/v1 NetworkPolicy, validated like the API server's
//! `ValidateNetworkPolicy` (peers, ipBlock, ports, policyTypes).

use super::fields::Cx;
use super::ports::np_port;
use super::selector::{opt_selector, selector};
use crate::doc::Node;
use tusk_core::ip::Cidr;
use tusk_core::{IpSet, LoadError, Warning};
use tusk_model::k8s::{LabelSelector, NetworkPolicy, NpPeer, NpRule};

pub fn network_policy(
    cx: Cx,
    root: &Node,
    namespace: &str,
    name: &str,
    warnings: &mut Vec<Warning>,
) -> Result<NetworkPolicy, LoadError> {
    let empty_spec;
    let spec = match root.get("spec") {
        Some(s) => s,
        None => {
            empty_spec = Node { pos: root.pos, value: crate::doc::Value::Map(Vec::new()) };
            &empty_spec
        }
    };
    cx.only_keys(root, "NetworkPolicy", &["apiVersion", "kind", "metadata", "spec", "status"])?;
    if let Some(m) = root.get("metadata") {
        cx.only_keys(m, "metadata", super::fields::OBJECT_META)?;
    }
    cx.only_keys(spec, "NetworkPolicy spec", &["podSelector", "policyTypes", "ingress", "egress"])?;
    let pod_selector = match spec.get("podSelector") {
        Some(n) => selector(cx, n, "podSelector")?,
        None => LabelSelector::default(),
    };
    let ingress = rules(cx, spec, "ingress", "from", warnings)?;
    let egress = rules(cx, spec, "egress", "to", warnings)?;
    // NetworkPolicySpec.policyTypes: when absent, Ingress always applies and
    // Egress applies when the policy has egress rules (networking/v1 types.go).
    let (isolates_ingress, isolates_egress) = match spec.get("policyTypes") {
        None => (true, !egress.is_empty()),
        Some(n) => {
            let list = n.as_seq().ok_or_else(|| cx.err(n, "`policyTypes` must be a list"))?;
            let (mut i, mut e) = (false, false);
            for t in list {
                match t.as_str() {
                    Some("Ingress") => i = true,
                    Some("Egress") => e = true,
                    _ => return Err(cx.err(t, "`policyTypes` entries must be `Ingress` or `Egress`")),
                }
            }
            (i, e)
        }
    };
    Ok(NetworkPolicy {
        namespace: namespace.to_string(),
        name: name.to_string(),
        pod_selector,
        isolates_ingress,
        isolates_egress,
        ingress,
        egress,
        loc: cx.loc(root),
    })
}

fn rules(
    cx: Cx,
    spec: &Node,
    key: &str,
    peers_key: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<NpRule>, LoadError> {
    let mut out = Vec::new();
    for r in cx.seq(spec, key)? {
        cx.only_keys(r, &format!("{key} rule"), &[peers_key, "ports"])?;
        let mut peers = Vec::new();
        for p in cx.seq(r, peers_key)? {
            peers.push(peer(cx, p, warnings)?);
        }
        let mut ports = Vec::new();
        for p in cx.seq(r, "ports")? {
            ports.push(np_port(cx, p)?);
        }
        // A named port with ipBlock peers is valid (ValidateNetworkPolicyPort
        // checks the name's syntax, not the peers): the name resolves on
        // destination pods inside the block and matches nothing outside the
        // cluster, which the engine does per destination.
        out.push(NpRule { peers, ports, loc: cx.loc(r) });
    }
    Ok(out)
}

fn peer(cx: Cx, p: &Node, warnings: &mut Vec<Warning>) -> Result<NpPeer, LoadError> {
    // A misspelt key would silently widen or narrow the peer: refuse it.
    for (k, _) in cx.map(p, "peer")? {
        if !matches!(k.as_str(), Some("podSelector" | "namespaceSelector" | "ipBlock")) {
            return Err(cx.err(
                k,
                format!(
                    "unknown field `{}` in peer: expected `podSelector`, `namespaceSelector` or `ipBlock`",
                    super::fields::text(k)
                ),
            ));
        }
    }
    let pod_selector = opt_selector(cx, p, "podSelector")?;
    let namespace_selector = opt_selector(cx, p, "namespaceSelector")?;
    let ip_block = p.get("ipBlock");
    match (ip_block, pod_selector.is_some() || namespace_selector.is_some()) {
        (Some(_), true) => Err(cx.err(p, "a peer may have `ipBlock` or pod/namespace selectors, not both")),
        (None, false) => Err(cx.err(p, "empty peer: expected `podSelector`, `namespaceSelector` or `ipBlock`")),
        (None, true) => Ok(NpPeer::Pods { namespace_selector, pod_selector, loc: cx.loc(p) }),
        (Some(b), false) => {
            cx.only_keys(b, "ipBlock", &["cidr", "except"])?;
            let cidr_s = cx.req_str(b, "cidr")?;
            let cidr = parse_cidr(cx, b.get("cidr").unwrap_or(b), cidr_s, warnings)?;
            let mut addresses = cidr.set();
            for e in cx.seq(b, "except")? {
                let s = e.as_str().ok_or_else(|| cx.err(e, "`except` entries must be CIDR strings"))?;
                let ex = parse_cidr(cx, e, s, warnings)?;
                // ValidateIPBlock: each except must lie strictly within cidr.
                if !ex.set().is_subset(&cidr.set()) || ex.set() == cidr.set() {
                    return Err(cx.err(e, format!("except `{s}` must be strictly inside cidr `{cidr_s}`")));
                }
                addresses = addresses.subtract(&ex.set());
            }
            Ok(NpPeer::IpBlock { cidr: cidr_s.to_string(), addresses, loc: cx.loc(b) })
        }
    }
}

/// A CIDR as Kubernetes reads it (Go `ParseCIDR`: host bits allowed, masked).
pub fn parse_cidr(cx: Cx, n: &Node, s: &str, warnings: &mut Vec<Warning>) -> Result<Cidr, LoadError> {
    let c = Cidr::parse(s).map_err(|m| cx.err(n, format!("invalid CIDR: {m}")))?;
    if !c.canonical {
        warnings.push(Warning { loc: cx.loc(n), message: format!("CIDR `{s}` has host bits set; read as `{c}`") });
    }
    Ok(c)
}

pub fn cidr_set(cx: Cx, n: &Node, s: &str, warnings: &mut Vec<Warning>) -> Result<IpSet, LoadError> {
    Ok(parse_cidr(cx, n, s, warnings)?.set())
}
