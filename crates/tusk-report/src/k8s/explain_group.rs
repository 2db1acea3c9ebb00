//! `tusk explain` between groups (a workload's pods, a CIDR): the group
//! verdict (allowed / denied only when every pod pair is, mixed when both
//! occur, unknown otherwise), each pair's verdict, and the full
//! explanation of the first pair of each verdict.
//!
//! JSON:
//!
//! ```text
//! { "schema": "tusk.explain-group/v1", "flow": string, "semantics": string,
//!   "verdict": "allowed" | "denied" | "mixed" | "unknown",
//!   "samples": [string],                    // ends evaluated through a sample address
//!   "members": [ { "flow": string, "verdict": "allowed" | "denied" | "unknown" } ],
//!   "explanations": [Explanation, ...] }    // one per pair, as a single explain's JSON
//! ```

use super::explain::{render_explanation, write_explanation_json};
use serde_json::{json, Value};
use tusk_core::GroupKind;
use tusk_policy::explain::{Explanation, Verdict};

fn word(v: &Verdict) -> &'static str {
    match v {
        Verdict::Allowed => "allowed",
        Verdict::Denied => "denied",
        Verdict::Unknown(_) => "unknown",
    }
}

/// Text: see the module documentation.
pub fn render_group_text(
    notes: &str,
    flow: &str,
    semantics: &str,
    verdict: GroupKind,
    pairs: &[(String, Explanation)],
) -> String {
    let mut out = format!(
        "{notes}flow: {flow}\nsemantics: {semantics}\nverdict: {} ({} pod pairs)\n\n",
        verdict.name().to_uppercase(),
        pairs.len()
    );
    for (f, e) in pairs {
        out += &format!("  {f}: {}\n", word(&e.verdict));
    }
    for w in ["denied", "unknown", "allowed"] {
        if let Some((f, e)) = pairs.iter().find(|(_, e)| word(&e.verdict) == w) {
            out += &format!("\nfirst {w} pair:\n");
            out += &render_explanation(f, semantics, e);
        }
    }
    out
}

/// The `schema` of an explanation between groups.
pub const SCHEMA: &str = "tusk.explain-group/v1";

/// JSON: see the module documentation.
pub fn render_group_json(
    flow: &str,
    semantics: &str,
    verdict: GroupKind,
    samples: &[&String],
    pairs: &[(String, Explanation)],
) -> String {
    let explanations: Vec<Value> = pairs
        .iter()
        .map(|(f, e)| {
            let mut buf = Vec::new();
            write_explanation_json(&mut buf, f, semantics, e).expect("writing to memory does not fail");
            serde_json::from_slice(&buf).expect("explain JSON parses")
        })
        .collect();
    let doc = json!({
        "schema": SCHEMA,
        "flow": flow,
        "semantics": semantics,
        "verdict": verdict.name(),
        "samples": samples,
        "members": pairs.iter().map(|(f, e)| json!({"flow": f, "verdict": word(&e.verdict)})).collect::<Vec<_>>(),
        "explanations": explanations,
    });
    serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"
}
