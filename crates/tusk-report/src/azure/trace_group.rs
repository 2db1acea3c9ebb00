//! `tusk trace` between groups (a subnet, a VM with several addresses, a
//! CIDR, `internet` / `onprem` without an address): the group verdict, the
//! verdict of every member pair, and full traces; and the wording of a
//! sample, so an output never passes one address off as the whole group.
//!
//! JSON (`-o json`), when either end has several members:
//!
//! ```text
//! { "schema": "tusk.trace-group/v1",
//!   "verdict": "allowed" | "denied" | "mixed" | "unknown",
//!   "from": string, "to": string,          // as written, canonical notation
//!   "counts": { "allowed": int, "denied": int, "unknown": int },
//!   "samples": [ { "end": string, "note": string } ],
//!   "members": [ { "from": string, "to": string, "src": IP, "dst": IP,
//!                  "verdict": ..., "reason": string } ],
//!   "traces": [Trace, ...] }                // one per member pair, as trace_json
//! ```
//!
//! When both ends are one address, the output is the single trace of
//! `trace_json` / `trace_text`, with `"samples"` added when that address is
//! a sample.

use super::{trace_json, trace_text, words};
use serde_json::{json, Value};
use tusk_network::endpoint::Sample;
use tusk_network::group_trace::GroupTrace;
use tusk_network::{Kind as Verdict, Prepared};

/// What a sample stands for, in words.
pub fn sample_note(end: &str, s: Sample) -> String {
    match s {
        Sample::Internet => format!(
            "`{end}` stands for every Internet address; traced from the sample 203.0.113.10 only (give internet:IP for another)"
        ),
        Sample::OnPrem => format!(
            "`{end}` stands for every on-premises address; traced from one address per part of each on-premises prefix that the rules and routes tell apart"
        ),
        Sample::FreeSubnet => {
            format!("`{end}` has no NIC; one usable address per part of the subnet that the rules and routes tell apart stands for every address of that part")
        }
        Sample::FreeAddresses => {
            format!("`{end}` holds addresses no resource owns; one of them per part of the block that the rules and routes tell apart stands for the rest of that part")
        }
        Sample::BastionInstances => {
            format!("`{end}` is an Azure Bastion host, whose instances take addresses of its subnet the inputs do not list; one usable address per part of the subnet that the rules and routes tell apart stands for them")
        }
    }
}

/// The `schema` of a trace between groups.
pub const SCHEMA: &str = "tusk.trace-group/v1";

fn samples_json(g: &GroupTrace) -> Value {
    g.samples.iter().map(|(end, s)| json!({"end": end, "note": sample_note(end, *s)})).collect()
}

fn count(g: &GroupTrace, v: Verdict) -> usize {
    g.traces.iter().filter(|t| t.verdict == v).count()
}

/// Text: one trace as `trace_text` when the group is one pair; otherwise
/// the group verdict, every member pair's verdict, and the full trace of
/// the first pair of each verdict.
pub fn render_text(p: &Prepared, g: &GroupTrace) -> String {
    let mut out = String::new();
    for (end, s) in &g.samples {
        out += &format!("sample: {}\n", sample_note(end, *s));
    }
    if let [t] = g.traces.as_slice() {
        return out + &trace_text::render(p, t);
    }
    let (a, d, u) = (count(g, Verdict::Allowed), count(g, Verdict::Denied), count(g, Verdict::Unknown));
    let proto = g.traces.first().map(|t| match t.flow.port {
        Some(port) => format!("{} port {port}", t.flow.proto),
        None => format!("{}", t.flow.proto),
    });
    out += &format!("group: {} → {} ({})\n", g.from, g.to, proto.unwrap_or_default());
    out += &format!(
        "verdict: {}  ({} member pairs: {a} allowed, {d} denied, {u} unknown)\n",
        g.verdict.name().to_uppercase(),
        g.traces.len()
    );
    for t in &g.traces {
        out += &format!(
            "  {} → {}: {}\n",
            words::endpoint(p.net, &t.from),
            words::endpoint(p.net, &t.to),
            t.verdict.name()
        );
    }
    for v in [Verdict::Denied, Verdict::Unknown, Verdict::Allowed] {
        if let Some(t) = g.traces.iter().find(|t| t.verdict == v) {
            out += &format!("\nfirst {} pair:\n", v.name());
            out += &trace_text::render(p, t);
        }
    }
    out
}

/// JSON: see the module documentation.
pub fn render_json(p: &Prepared, g: &GroupTrace) -> String {
    let trace = |t| serde_json::to_value(trace_json::view(p, t)).expect("trace JSON serializes");
    let doc = if let [t] = g.traces.as_slice() {
        let mut v = trace(t);
        v["schema"] = json!(trace_json::SCHEMA);
        if !g.samples.is_empty() {
            v["samples"] = samples_json(g);
        }
        v
    } else {
        json!({
            "schema": SCHEMA,
            "verdict": g.verdict.name(),
            "from": g.from,
            "to": g.to,
            "counts": {
                "allowed": count(g, Verdict::Allowed),
                "denied": count(g, Verdict::Denied),
                "unknown": count(g, Verdict::Unknown),
            },
            "samples": samples_json(g),
            "members": g.traces.iter().map(|t| json!({
                "from": words::endpoint(p.net, &t.from), "to": words::endpoint(p.net, &t.to), "src": t.flow.src.to_string(), "dst": t.flow.dst.to_string(),
                "verdict": t.verdict.name(), "reason": super::words::trace_reason(p, t),
            })).collect::<Vec<_>>(),
            "traces": g.traces.iter().map(trace).collect::<Vec<_>>(),
        })
    };
    serde_json::to_string_pretty(&doc).expect("trace JSON serializes") + "\n"
}
