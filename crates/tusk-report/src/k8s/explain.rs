//! `tusk explain`: every layer a flow crossed at each end, the rules that
//! matched with their source lines, and the verdict.

use serde::Serialize;
use std::io;
use tusk_policy::explain::{Explanation, Layer, Side, Verdict};

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

/// The `schema` of the explanation document.
pub const SCHEMA: &str = "tusk.explain/v1";

/// The JSON explanation (`tusk explain -o json`):
///
/// ```json
/// { "schema": "tusk.explain/v1", "flow": "a/web -> b/db TCP 5432", "semantics": "...",
///   "verdict": "allowed" | "denied" | "unknown", "reason": null | "why unknown",
///   "egress":  {"applies": true, "verdict": "allowed", "steps": [
///       {"layer": "NetworkPolicy", "policy": "NetworkPolicy a/x", "rule": "egress[0]",
///        "action": "Allow", "location": "file.yaml:12:5", "decisive": true}]},
///   "ingress": { ... same shape ... } }
/// ```
pub fn write_explanation_json(w: &mut dyn io::Write, flow: &str, semantics: &str, e: &Explanation) -> io::Result<()> {
    let (verdict, reason) = verdict_json(&e.verdict);
    let doc = ExplanationJson {
        schema: SCHEMA,
        flow,
        semantics,
        verdict,
        reason,
        egress: side_json(&e.egress),
        ingress: side_json(&e.ingress),
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}

fn verdict_json(v: &Verdict) -> (&'static str, Option<&str>) {
    match v {
        Verdict::Allowed => ("allowed", None),
        Verdict::Denied => ("denied", None),
        Verdict::Unknown(r) => ("unknown", Some(r)),
    }
}

fn side_json(s: &Side) -> SideJson<'_> {
    SideJson {
        applies: s.applies,
        verdict: verdict_json(&s.verdict).0,
        steps: s
            .steps
            .iter()
            .map(|s| StepJson {
                layer: layer_name(s.layer),
                policy: &s.policy,
                rule: &s.rule,
                action: s.action,
                location: s.loc.as_ref().map(|l| l.to_string()),
                decisive: s.decisive,
            })
            .collect(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExplanationJson<'a> {
    schema: &'static str,
    flow: &'a str,
    semantics: &'a str,
    verdict: &'static str,
    reason: Option<&'a str>,
    egress: SideJson<'a>,
    ingress: SideJson<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SideJson<'a> {
    applies: bool,
    verdict: &'static str,
    steps: Vec<StepJson<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StepJson<'a> {
    layer: &'static str,
    policy: &'a str,
    rule: &'a str,
    action: &'a str,
    location: Option<String>,
    decisive: bool,
}
