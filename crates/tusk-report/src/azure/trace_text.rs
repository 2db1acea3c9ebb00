//! `tusk trace` as text: one line per control along the forward path and
//! the reply, each with its verdict, the deciding rule and its source line.

use super::words;
use std::fmt::Write;
use tusk_network::trace::{Path, Trace};
use tusk_network::{Kind, Prepared};

/// The full trace as text (see the module documentation).
pub fn render(p: &Prepared, t: &Trace) -> String {
    let mut s = String::new();
    let port = t.flow.port.map(|p| format!(" port {p}")).unwrap_or_default();
    let name = t.name.as_ref().map(|n| format!(", name {n}")).unwrap_or_default();
    let _ = writeln!(
        s,
        "flow: {} → {} ({}{port}{name})",
        words::endpoint(p.net, &t.from),
        words::endpoint(p.net, &t.to),
        t.flow.proto
    );
    let _ = writeln!(s, "verdict: {}  ({})", t.verdict.name().to_uppercase(), words::trace_reason(p, t));
    let _ = writeln!(s, "\nforward path:");
    path(&mut s, p, &t.forward);
    match &t.reply {
        Some(r) => {
            let _ = writeln!(s, "\nreply path:");
            path(&mut s, p, r);
        }
        None => {
            let _ = writeln!(s, "\nreply path: not traced (the request does not get through)");
        }
    }
    s
}

fn mark(v: Kind) -> &'static str {
    match v {
        Kind::Allowed => "ok  ",
        Kind::Denied => "DENY",
        Kind::Unknown => "??  ",
    }
}

fn path(s: &mut String, p: &Prepared, path: &Path) {
    for (i, st) in path.steps.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {:>2}. [{}] {:<11} {}  ({} → {})",
            i + 1,
            mark(st.decision.verdict),
            st.control.name(),
            words::hop(p.net, &st.at),
            st.src,
            st.dst
        );
        let _ = writeln!(s, "        {}", words::reason(p, st));
        if let Some(c) = st.decision.cite.as_ref().map(|c| words::cite(p, c)) {
            let prio = c.priority.map(|p| format!(", priority {p}")).unwrap_or_default();
            let _ = writeln!(s, "        rule: {} `{}`{prio} at {}", c.holder, c.rule, c.loc);
        }
        if let Some(n) = words::nat(p.net, &st.nat) {
            let _ = writeln!(s, "        nat: {n}");
        }
    }
}
