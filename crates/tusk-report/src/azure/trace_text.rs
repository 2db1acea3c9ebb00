//! `tusk trace` as text: one line per control along the forward path and
//! the reply, each with its verdict, the deciding rule and its source line.

use std::fmt::Write;
use tusk_network::trace::{Path, Trace};
use tusk_network::Kind;

pub fn render(t: &Trace) -> String {
    let mut s = String::new();
    let port = t.flow.port.map(|p| format!(" port {p}")).unwrap_or_default();
    let _ = writeln!(s, "flow: {} → {} ({}{port})", t.from, t.to, t.flow.proto);
    let _ = writeln!(s, "verdict: {}  ({})", t.verdict.name().to_uppercase(), t.reason);
    let _ = writeln!(s, "\nforward path:");
    path(&mut s, &t.forward);
    match &t.reply {
        Some(r) => {
            let _ = writeln!(s, "\nreply path:");
            path(&mut s, r);
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

fn path(s: &mut String, p: &Path) {
    for (i, st) in p.steps.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {:>2}. [{}] {:<11} {}  ({} → {})",
            i + 1,
            mark(st.decision.verdict),
            st.control.name(),
            st.at,
            st.src,
            st.dst
        );
        let _ = writeln!(s, "        {}", st.decision.reason);
        if let Some(c) = &st.decision.cite {
            let prio = c.priority.map(|p| format!(", priority {p}")).unwrap_or_default();
            let _ = writeln!(s, "        rule: {} `{}`{prio} at {}", c.holder, c.rule, c.loc);
        }
        if let Some(n) = &st.nat {
            let _ = writeln!(s, "        nat: {n}");
        }
    }
}
