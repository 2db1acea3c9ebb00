//! The scheduling part of a pod spec (`nodeSelector`, `affinity`,
//! `tolerations`, `topologySpreadConstraints`) and a Node's taints, read
//! and validated as the API server does (core/v1 validation: operators,
//! values required or forbidden per operator, `Gt`/`Lt` with exactly one
//! integer value, taint effects, `maxSkew` ≥ 1).
//!
//! Preferred (soft) affinities are read for validity of shape only: they
//! never make a node infeasible, so the placement simulation ignores them.

use super::fields::Cx;
use super::selector::{is_label_key, labels, opt_selector};
use crate::doc::Node;
use tusk_core::LoadError;
use tusk_model::scheduling::*;

/// Reads the scheduling fields of a pod spec.
pub fn pod_scheduling(cx: Cx, spec: &Node) -> Result<PodScheduling, LoadError> {
    let mut s = PodScheduling {
        node_selector: labels(cx, spec, "nodeSelector")?,
        loc: Some(cx.loc(spec)),
        ..Default::default()
    };
    for t in cx.seq(spec, "tolerations")? {
        s.tolerations.push(toleration(cx, t)?);
    }
    for c in cx.seq(spec, "topologySpreadConstraints")? {
        s.spread.push(spread(cx, c)?);
        for (key, what) in [
            ("minDomains", "topologySpreadConstraints.minDomains"),
            ("matchLabelKeys", "topologySpreadConstraints.matchLabelKeys"),
            ("nodeAffinityPolicy", "topologySpreadConstraints.nodeAffinityPolicy"),
            ("nodeTaintsPolicy", "topologySpreadConstraints.nodeTaintsPolicy"),
        ] {
            if c.get(key).is_some() && !s.not_modelled.contains(&what) {
                s.not_modelled.push(what);
            }
        }
    }
    if let Some(aff) = spec.get("affinity") {
        cx.map(aff, "affinity")?;
        if let Some(na) = aff.get("nodeAffinity") {
            if let Some(req) = na.get("requiredDuringSchedulingIgnoredDuringExecution") {
                let terms = cx.seq(req, "nodeSelectorTerms")?;
                if terms.is_empty() {
                    // core/v1 validation: "must have at least one node selector term".
                    return Err(cx.err(req, "`nodeSelectorTerms` must have at least one term"));
                }
                for t in terms {
                    s.required_node_terms.push(node_term(cx, t)?);
                }
            }
        }
        if aff.get("podAffinity").and_then(|pa| pa.get("requiredDuringSchedulingIgnoredDuringExecution")).is_some() {
            s.not_modelled.push("required podAffinity");
        }
        if let Some(pa) = aff.get("podAntiAffinity") {
            for t in cx.seq(pa, "requiredDuringSchedulingIgnoredDuringExecution")? {
                s.required_anti_affinity.push(pod_term(cx, t)?);
            }
        }
    }
    Ok(s)
}

fn toleration(cx: Cx, t: &Node) -> Result<Toleration, LoadError> {
    cx.map(t, "toleration")?;
    let key = cx.opt_str(t, "key")?.unwrap_or("").to_string();
    let op = match cx.opt_str(t, "operator")? {
        None | Some("Equal") => TolerationOp::Equal,
        Some("Exists") => TolerationOp::Exists,
        Some(o) => return Err(cx.err(t, format!("toleration operator `{o}`: expected Equal or Exists"))),
    };
    let value = cx.opt_str(t, "value")?.unwrap_or("").to_string();
    // core/v1 validation: an empty key requires `Exists`; `Exists` forbids a value.
    if key.is_empty() && op != TolerationOp::Exists {
        return Err(cx.err(t, "a toleration with an empty key must use operator Exists"));
    }
    if op == TolerationOp::Exists && !value.is_empty() {
        return Err(cx.err(t, "a toleration with operator Exists must not have a value"));
    }
    let effect = match cx.opt_str(t, "effect")? {
        None | Some("") => None,
        Some(e) => Some(TaintEffect::parse(e).ok_or_else(|| {
            cx.err(t, format!("toleration effect `{e}`: expected NoSchedule, PreferNoSchedule or NoExecute"))
        })?),
    };
    Ok(Toleration { key, op, value, effect })
}

fn spread(cx: Cx, c: &Node) -> Result<TopologySpreadConstraint, LoadError> {
    cx.map(c, "topologySpreadConstraint")?;
    let max_skew = cx.opt_int(c, "maxSkew")?.ok_or_else(|| cx.err(c, "missing required field `maxSkew`"))?;
    if max_skew < 1 || max_skew > i32::MAX as i64 {
        return Err(cx.err(c.get("maxSkew").unwrap_or(c), "`maxSkew` must be greater than zero"));
    }
    let topology_key = cx.req_str(c, "topologyKey")?.to_string();
    let when_unsatisfiable = match cx.req_str(c, "whenUnsatisfiable")? {
        "DoNotSchedule" => WhenUnsatisfiable::DoNotSchedule,
        "ScheduleAnyway" => WhenUnsatisfiable::ScheduleAnyway,
        o => return Err(cx.err(c, format!("`whenUnsatisfiable` `{o}`: expected DoNotSchedule or ScheduleAnyway"))),
    };
    let label_selector = opt_selector(cx, c, "labelSelector")?;
    Ok(TopologySpreadConstraint { max_skew: max_skew as u32, topology_key, when_unsatisfiable, label_selector })
}

fn node_term(cx: Cx, t: &Node) -> Result<NodeSelectorTerm, LoadError> {
    cx.map(t, "nodeSelectorTerm")?;
    let mut term = NodeSelectorTerm::default();
    for r in cx.seq(t, "matchExpressions")? {
        term.match_expressions.push(node_requirement(cx, r, false)?);
    }
    for r in cx.seq(t, "matchFields")? {
        term.match_fields.push(node_requirement(cx, r, true)?);
    }
    Ok(term)
}

fn node_requirement(cx: Cx, r: &Node, field: bool) -> Result<NodeSelectorRequirement, LoadError> {
    cx.map(r, "requirement")?;
    let key = cx.req_str(r, "key")?.to_string();
    if field && key != "metadata.name" {
        // core/v1 validation: the only supported field is metadata.name.
        return Err(cx.err(r, format!("matchFields key `{key}` is not supported: only `metadata.name`")));
    }
    if !field && !is_label_key(&key) {
        return Err(cx.err(r, format!("`{key}` is not a valid label key")));
    }
    let op = match cx.req_str(r, "operator")? {
        "In" => NodeSelectorOp::In,
        "NotIn" => NodeSelectorOp::NotIn,
        "Exists" => NodeSelectorOp::Exists,
        "DoesNotExist" => NodeSelectorOp::DoesNotExist,
        "Gt" => NodeSelectorOp::Gt,
        "Lt" => NodeSelectorOp::Lt,
        o => return Err(cx.err(r, format!("operator `{o}`: expected In, NotIn, Exists, DoesNotExist, Gt or Lt"))),
    };
    let mut values = Vec::new();
    for v in cx.seq(r, "values")? {
        values.push(v.as_str().ok_or_else(|| cx.err(v, "values must be strings"))?.to_string());
    }
    let bad = |m: &str| Err(cx.err(r, m.to_string()));
    match op {
        NodeSelectorOp::In | NodeSelectorOp::NotIn if values.is_empty() => {
            return bad("operator In/NotIn needs at least one value")
        }
        NodeSelectorOp::Exists | NodeSelectorOp::DoesNotExist if !values.is_empty() => {
            return bad("operator Exists/DoesNotExist must have no values")
        }
        // core/v1 validation: Gt and Lt take exactly one value, an integer.
        NodeSelectorOp::Gt | NodeSelectorOp::Lt if values.len() != 1 || values[0].parse::<i64>().is_err() => {
            return bad("operator Gt/Lt needs exactly one integer value")
        }
        _ => {}
    }
    if field && !matches!(op, NodeSelectorOp::In | NodeSelectorOp::NotIn) {
        return bad("matchFields supports only the In and NotIn operators");
    }
    Ok(NodeSelectorRequirement { key, op, values })
}

fn pod_term(cx: Cx, t: &Node) -> Result<PodAffinityTerm, LoadError> {
    cx.map(t, "podAffinityTerm")?;
    let topology_key = cx.req_str(t, "topologyKey")?.to_string();
    if topology_key.is_empty() {
        return Err(cx.err(t, "`topologyKey` must not be empty for required pod anti-affinity"));
    }
    let mut namespaces = Vec::new();
    for v in cx.seq(t, "namespaces")? {
        namespaces.push(v.as_str().ok_or_else(|| cx.err(v, "namespaces must be strings"))?.to_string());
    }
    Ok(PodAffinityTerm {
        label_selector: opt_selector(cx, t, "labelSelector")?,
        namespaces,
        namespace_selector: opt_selector(cx, t, "namespaceSelector")?,
        topology_key,
    })
}

/// A Node's `spec.taints`.
pub fn node_taints(cx: Cx, spec: &Node) -> Result<Vec<Taint>, LoadError> {
    let mut out = Vec::new();
    for t in cx.seq(spec, "taints")? {
        cx.map(t, "taint")?;
        let key = cx.req_str(t, "key")?.to_string();
        let value = cx.opt_str(t, "value")?.unwrap_or("").to_string();
        let e = cx.req_str(t, "effect")?;
        let effect = TaintEffect::parse(e).ok_or_else(|| {
            cx.err(t, format!("taint effect `{e}`: expected NoSchedule, PreferNoSchedule or NoExecute"))
        })?;
        out.push(Taint { key, value, effect });
    }
    Ok(out)
}
