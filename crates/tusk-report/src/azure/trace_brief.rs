//! A trace in a few lines, for summaries such as `tusk demo`: the verdict,
//! then one line per hop of the forward path (control, where, verdict, and
//! the deciding rule's location), then the reply's verdict. `tusk trace`
//! prints the full form (`trace_text`).

use tusk_network::trace::Trace;

pub fn render(t: &Trace) -> String {
    let mut out = format!("{} → {}: {} ({})\n", t.from, t.to, t.verdict.name().to_uppercase(), t.reason);
    for (i, s) in t.forward.steps.iter().enumerate() {
        let cite =
            s.decision.cite.as_ref().map(|c| format!("  [{} `{}` at {}]", c.holder, c.rule, c.loc)).unwrap_or_default();
        out += &format!(
            "  {:>2}. {:<9} {:<34} {:<7} {}{cite}\n",
            i + 1,
            s.control.name(),
            s.at,
            s.decision.verdict.name(),
            s.decision.reason
        );
    }
    if let Some(r) = &t.reply {
        out += &format!("      reply: {} ({} hops)\n", r.verdict.name(), r.steps.len());
    }
    out
}
