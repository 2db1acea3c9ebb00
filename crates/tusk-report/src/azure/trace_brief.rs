//! A trace in a few lines, for summaries such as `tusk demo`: the verdict,
//! then one line per hop of the forward path (control, where, verdict, and
//! the deciding rule's location), then the reply's verdict. `tusk trace`
//! prints the full form (`trace_text`).

use super::words;
use tusk_network::trace::Trace;
use tusk_network::Prepared;

/// The trace in a few lines (see the module documentation).
pub fn render(p: &Prepared, t: &Trace) -> String {
    let mut out = format!(
        "{} → {}: {} ({})\n",
        words::endpoint(p.net, &t.from),
        words::endpoint(p.net, &t.to),
        t.verdict.name().to_uppercase(),
        words::trace_reason(p, t)
    );
    for (i, s) in t.forward.steps.iter().enumerate() {
        let cite = s
            .decision
            .cite
            .as_ref()
            .map(|c| words::cite(p, c))
            .map(|c| format!("  [{} `{}` at {}]", c.holder, c.rule, c.loc))
            .unwrap_or_default();
        out += &format!(
            "  {:>2}. {:<9} {:<34} {:<7} {}{cite}\n",
            i + 1,
            s.control.name(),
            words::hop(p.net, &s.at),
            s.decision.verdict.name(),
            words::reason(p, s)
        );
    }
    if let Some(r) = &t.reply {
        out += &format!("      reply: {} ({} hops)\n", r.verdict.name(), r.steps.len());
    }
    out
}
