//! Label and taint matching as the Kubernetes scheduler does it, for node
//! filters and pod-to-pod terms. Kept apart from the placement loop so that
//! each rule sits next to the documentation it follows.

use tusk_model::k8s::Labels;
use tusk_model::scheduling::*;

/// "Taints and Tolerations" (kubernetes.io/docs/concepts/scheduling-eviction/
/// taint-and-toleration): a toleration matches a taint when the keys are
/// equal and, with `Equal`, the values are equal, or with `Exists` for any
/// value; an empty key with `Exists` matches every key; an empty effect
/// matches every effect.
pub fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    let key_ok = (t.key.is_empty() && t.op == TolerationOp::Exists) || t.key == taint.key;
    let value_ok = match t.op {
        TolerationOp::Exists => true,
        TolerationOp::Equal => t.value == taint.value,
    };
    let effect_ok = t.effect.is_none_or(|e| e == taint.effect);
    key_ok && value_ok && effect_ok
}

/// The first taint that keeps the pod off the node: `NoSchedule` and
/// `NoExecute` taints must be tolerated; `PreferNoSchedule` is a
/// preference, never a filter.
pub fn blocking_taint<'a>(tolerations: &[Toleration], taints: &'a [Taint]) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|t| t.effect != TaintEffect::PreferNoSchedule)
        .find(|taint| !tolerations.iter().any(|t| tolerates(t, taint)))
}

/// One node selector requirement ("Assign Pods to Nodes", node affinity):
/// `In`/`NotIn` on the value (`NotIn` and `DoesNotExist` also match a
/// node without the label), `Gt`/`Lt` compare the label, parsed as an
/// integer, with the one integer value; a label that is not an integer
/// does not match.
pub fn requirement_matches(r: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let int = |s: &str| s.trim().parse::<i64>().ok();
    match r.op {
        NodeSelectorOp::In => value.is_some_and(|v| r.values.iter().any(|x| x == v)),
        NodeSelectorOp::NotIn => value.is_none_or(|v| !r.values.iter().any(|x| x == v)),
        NodeSelectorOp::Exists => value.is_some(),
        NodeSelectorOp::DoesNotExist => value.is_none(),
        NodeSelectorOp::Gt => matches!((value.and_then(int), int(&r.values[0])), (Some(a), Some(b)) if a > b),
        NodeSelectorOp::Lt => matches!((value.and_then(int), int(&r.values[0])), (Some(a), Some(b)) if a < b),
    }
}

/// A node selector term: all its expressions (on labels) and fields (on
/// `metadata.name`) hold. A term with neither matches no node (the API
/// documents an empty term as matching nothing).
pub fn term_matches(t: &NodeSelectorTerm, labels: &Labels, node_name: &str) -> bool {
    if t.match_expressions.is_empty() && t.match_fields.is_empty() {
        return false;
    }
    t.match_expressions.iter().all(|r| requirement_matches(r, labels.get(&r.key).map(String::as_str)))
        && t.match_fields.iter().all(|r| requirement_matches(r, Some(node_name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taint(k: &str, v: &str, e: TaintEffect) -> Taint {
        Taint { key: k.into(), value: v.into(), effect: e }
    }

    fn tol(k: &str, op: TolerationOp, v: &str, e: Option<TaintEffect>) -> Toleration {
        Toleration { key: k.into(), op, value: v.into(), effect: e }
    }

    #[test]
    fn toleration_matching_follows_the_documented_rules() {
        let t = taint("CriticalAddonsOnly", "true", TaintEffect::NoSchedule);
        assert!(tolerates(&tol("CriticalAddonsOnly", TolerationOp::Exists, "", None), &t));
        assert!(tolerates(&tol("", TolerationOp::Exists, "", None), &t), "empty key + Exists tolerates all");
        assert!(!tolerates(&tol("CriticalAddonsOnly", TolerationOp::Equal, "false", None), &t));
        assert!(!tolerates(&tol("CriticalAddonsOnly", TolerationOp::Exists, "", Some(TaintEffect::NoExecute)), &t));
        let taints = [taint("soft", "", TaintEffect::PreferNoSchedule), t.clone()];
        assert_eq!(blocking_taint(&[], &taints), Some(&t), "PreferNoSchedule never blocks");
    }

    #[test]
    fn gt_and_lt_compare_integers_and_reject_non_integers() {
        let r = |op, v: &str| NodeSelectorRequirement { key: "k".into(), op, values: vec![v.into()] };
        assert!(requirement_matches(&r(NodeSelectorOp::Gt, "3"), Some("10")), "10 > 3 numerically, not as text");
        assert!(!requirement_matches(&r(NodeSelectorOp::Gt, "3"), Some("3")));
        assert!(requirement_matches(&r(NodeSelectorOp::Lt, "3"), Some("-1")));
        assert!(!requirement_matches(&r(NodeSelectorOp::Lt, "3"), Some("two")));
        assert!(!requirement_matches(&r(NodeSelectorOp::Gt, "3"), None));
        let notin = NodeSelectorRequirement { key: "k".into(), op: NodeSelectorOp::NotIn, values: vec!["a".into()] };
        assert!(requirement_matches(&notin, None), "NotIn matches a node without the label");
    }
}
