//! `tusk explain`: every layer a flow crossed at each end, the rules that
//! matched with their source lines, and the verdict.

use tusk_policy::explain::{Explanation, Layer, Side, Step, Verdict};

fn verdict_text(v: &Verdict) -> String {
    match v {
        Verdict::Allowed => "ALLOWED".into(),
        Verdict::Denied => "DENIED".into(),
        Verdict::Unknown(why) => format!("UNKNOWN ({why})"),
    }
}

fn layer_name(l: Layer) -> &'static str {
    match l {
        Layer::Admin => "AdminNetworkPolicy",
        Layer::NetworkPolicy => "NetworkPolicy",
        Layer::Baseline => "BaselineAdminNetworkPolicy",
        Layer::Default => "default",
        Layer::Unmodelled => "not modelled",
    }
}

fn side_text(out: &mut String, title: &str, s: &Side) {
    if !s.applies {
        *out += &format!("{title}: not a pod, no pod policy applies\n");
        return;
    }
    *out += &format!("{title}: {}\n", verdict_text(&s.verdict));
    for st in &s.steps {
        let mark = if st.decisive { "=>" } else { "  " };
        let loc = st.loc.as_ref().map(|l| format!("  ({l})")).unwrap_or_default();
        *out += &format!("  {mark} [{}] {} / {}: {}{loc}\n", layer_name(st.layer), st.policy, st.rule, st.action);
    }
}

pub fn render_explanation(flow: &str, semantics: &str, e: &Explanation) -> String {
    let mut out = format!("flow: {flow}\nsemantics: {semantics}\n\n");
    side_text(&mut out, "egress at source", &e.egress);
    side_text(&mut out, "ingress at destination", &e.ingress);
    out += &format!("\nverdict: {}\n", verdict_text(&e.verdict));
    out
}

/// The JSON explanation (`tusk explain --format json`):
///
/// ```json
/// { "flow": "a/web -> b/db TCP 5432", "semantics": "...",
///   "verdict": "allowed" | "denied" | "unknown", "reason": null | "why unknown",
///   "egress":  {"applies": true, "verdict": "allowed", "steps": [
///       {"layer": "NetworkPolicy", "policy": "NetworkPolicy a/x", "rule": "egress[0]",
///        "action": "Allow", "location": "file.yaml:12:5", "decisive": true}]},
///   "ingress": { ... same shape ... } }
/// ```
pub fn render_explanation_json(flow: &str, semantics: &str, e: &Explanation) -> String {
    use serde_json::json;
    let v = |v: &Verdict| match v {
        Verdict::Allowed => ("allowed", None),
        Verdict::Denied => ("denied", None),
        Verdict::Unknown(r) => ("unknown", Some(r.clone())),
    };
    let step = |s: &Step| {
        json!({"layer": layer_name(s.layer), "policy": s.policy, "rule": s.rule, "action": s.action,
               "location": s.loc.as_ref().map(|l| l.to_string()), "decisive": s.decisive})
    };
    let side = |s: &Side| json!({"applies": s.applies, "verdict": v(&s.verdict).0, "steps": s.steps.iter().map(step).collect::<Vec<_>>()});
    let (verdict, reason) = v(&e.verdict);
    let doc = json!({"flow": flow, "semantics": semantics, "verdict": verdict, "reason": reason,
                     "egress": side(&e.egress), "ingress": side(&e.ingress)});
    serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"
}
