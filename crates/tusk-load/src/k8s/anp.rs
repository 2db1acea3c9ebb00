//! policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy and
//! BaselineAdminNetworkPolicy, validated like the CRD's OpenAPI schema and
//! CEL rules (network-policy-api `apis/v1alpha1`): priority 0–1000, a
//! subject with exactly one of `namespaces`/`pods`, at most 100 rules per
//! direction, peers with exactly one field, actions Allow/Deny/Pass (Pass
//! only for ANP), BANP named `default`.

use super::fields::Cx;
use super::netpol::cidr_set;
use super::ports::admin_port;
use super::selector::selector;
use crate::doc::Node;
use tusk_core::{IpSet, LoadError, Warning};
use tusk_model::k8s::{AdminAction, AdminNetworkPolicy, AdminPeer, AdminRule, LabelSelector};

pub fn admin_policy(
    cx: Cx,
    root: &Node,
    name: &str,
    baseline: bool,
    warnings: &mut Vec<Warning>,
) -> Result<AdminNetworkPolicy, LoadError> {
    let kind = if baseline { "BaselineAdminNetworkPolicy" } else { "AdminNetworkPolicy" };
    if baseline && name != "default" {
        let n = root.get("metadata").and_then(|m| m.get("name")).unwrap_or(root);
        return Err(cx.err(n, format!("a BaselineAdminNetworkPolicy must be named `default`, not `{name}`")));
    }
    let spec = root.get("spec").ok_or_else(|| cx.err(root, format!("{kind} needs a `spec`")))?;
    cx.only_keys(root, kind, &["apiVersion", "kind", "metadata", "spec", "status"])?;
    if let Some(m) = root.get("metadata") {
        cx.only_keys(m, "metadata", super::fields::OBJECT_META)?;
    }
    let spec_keys: &[&str] =
        if baseline { &["subject", "ingress", "egress"] } else { &["priority", "subject", "ingress", "egress"] };
    cx.only_keys(spec, &format!("{kind} spec"), spec_keys)?;
    let priority = if baseline {
        None
    } else {
        let p = spec.get("priority").ok_or_else(|| cx.err(spec, "AdminNetworkPolicy needs `priority`"))?;
        match p.as_i64() {
            Some(v) if (0..=1000).contains(&v) => Some(v as u32),
            _ => {
                return Err(
                    cx.err(p, format!("`priority` must be an integer 0–1000, found `{}`", super::fields::text(p)))
                )
            }
        }
    };
    let subject_n = spec.get("subject").ok_or_else(|| cx.err(spec, format!("{kind} needs a `subject`")))?;
    let subject = pods_or_namespaces(cx, subject_n, "subject", warnings)?;
    let ingress = rules(cx, spec, "ingress", "from", baseline, warnings)?;
    let egress = rules(cx, spec, "egress", "to", baseline, warnings)?;
    Ok(AdminNetworkPolicy { name: name.to_string(), priority, subject, ingress, egress, loc: cx.loc(root) })
}

/// Exactly one of `namespaces` / `pods` (subjects and ingress peers).
fn pods_or_namespaces(cx: Cx, n: &Node, what: &str, warnings: &mut Vec<Warning>) -> Result<AdminPeer, LoadError> {
    let entries = cx.map(n, what)?;
    if entries.len() != 1 {
        return Err(
            cx.err(n, format!("`{what}` needs exactly one of `namespaces` or `pods`, found {} fields", entries.len()))
        );
    }
    let (k, v) = &entries[0];
    match k.as_str() {
        Some("namespaces") => Ok(AdminPeer::Namespaces(selector(cx, v, "namespaces")?)),
        Some("pods") => {
            cx.only_keys(v, "pods", &["namespaceSelector", "podSelector"])?;
            // The CRD marks both selectors required, but manifests in the wild
            // (and netpol-analyzer's cases) omit one to mean "all": read an
            // absent selector as the empty one and say so.
            let mut sel = |key: &str| -> Result<LabelSelector, LoadError> {
                match v.get(key) {
                    Some(s) => selector(cx, s, key),
                    None => {
                        warnings.push(Warning {
                            loc: cx.loc(v),
                            message: format!("`pods` without `{key}`: read as `{{}}` (all)"),
                        });
                        Ok(LabelSelector::default())
                    }
                }
            };
            let namespace_selector = sel("namespaceSelector")?;
            let pod_selector = sel("podSelector")?;
            Ok(AdminPeer::Pods { namespace_selector, pod_selector })
        }
        _ => Err(cx.err(
            k,
            format!("unknown field `{}` in `{what}`: expected `namespaces` or `pods`", super::fields::text(k)),
        )),
    }
}

fn egress_peer(cx: Cx, n: &Node, warnings: &mut Vec<Warning>) -> Result<AdminPeer, LoadError> {
    let entries = cx.map(n, "to[]")?;
    if entries.len() == 1 {
        let (k, v) = &entries[0];
        match k.as_str() {
            Some("nodes") => return Ok(AdminPeer::Nodes(selector(cx, v, "nodes")?)),
            Some("networks") => {
                let list = v
                    .as_seq()
                    .filter(|l| !l.is_empty())
                    .ok_or_else(|| cx.err(v, "`networks` must be a non-empty list of CIDRs"))?;
                let mut set = IpSet::empty();
                let mut names = Vec::new();
                for c in list {
                    let s = c.as_str().ok_or_else(|| cx.err(c, "`networks` entries must be CIDR strings"))?;
                    // The CRD requires a CIDR (`isCIDR()`), not a bare address.
                    if !s.contains('/') {
                        return Err(cx.err(c, format!("invalid CIDR `{s}` in `networks`")));
                    }
                    set = set.union(&cidr_set(cx, c, s, warnings)?);
                    names.push(s.to_string());
                }
                return Ok(AdminPeer::Networks(set, names));
            }
            _ => {}
        }
    }
    pods_or_namespaces(cx, n, "to[]", warnings).map_err(|e| {
        if e.message.starts_with("unknown field") || e.message.contains("exactly one") {
            LoadError::new(e.loc, "an egress peer needs exactly one of `namespaces`, `pods`, `nodes` or `networks`")
        } else {
            e
        }
    })
}

fn rules(
    cx: Cx,
    spec: &Node,
    key: &str,
    peers_key: &str,
    baseline: bool,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<AdminRule>, LoadError> {
    let list = cx.seq(spec, key)?;
    if list.len() > 100 {
        return Err(cx.err(&list[100], format!("at most 100 `{key}` rules are allowed")));
    }
    let mut out = Vec::new();
    for r in list {
        cx.only_keys(r, &format!("{key} rule"), &["name", "action", peers_key, "ports"])?;
        let name = cx.opt_str(r, "name")?.unwrap_or_default().to_string();
        let action_s = cx.req_str(r, "action")?;
        let action = match action_s {
            "Allow" => AdminAction::Allow,
            "Deny" => AdminAction::Deny,
            "Pass" if !baseline => AdminAction::Pass,
            _ => {
                let allowed = if baseline { "Allow or Deny" } else { "Allow, Deny or Pass" };
                return Err(
                    cx.err(r.get("action").unwrap_or(r), format!("invalid action `{action_s}`: expected {allowed}"))
                );
            }
        };
        let peer_nodes = cx.seq(r, peers_key)?;
        if peer_nodes.is_empty() {
            return Err(cx.err(r, format!("rule `{name}` needs at least one peer in `{peers_key}`")));
        }
        let mut peers = Vec::new();
        for p in peer_nodes {
            peers.push(if key == "egress" {
                egress_peer(cx, p, warnings)?
            } else {
                pods_or_namespaces(cx, p, "from[]", warnings)?
            });
        }
        let mut ports = Vec::new();
        for p in cx.seq(r, "ports")? {
            ports.push(admin_port(cx, p)?);
        }
        out.push(AdminRule { name, action, peers, ports, loc: cx.loc(r) });
    }
    Ok(out)
}
