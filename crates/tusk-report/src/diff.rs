//! `tusk diff` as text, JSON (`tusk.diff/v1`) and Markdown (for a pull
//! request comment): each changed flow, the connections, one concrete
//! example, and the rules that decided it in the head and in the base.

use serde_json::json;
use std::fmt::Write;
use tusk_check::diff::{Cause, Change, Example, ExampleEnd, FlowChange};
use tusk_check::DiffError;
use tusk_core::{ConnSet, Loc};

/// One changed row as the outputs print it: a policy-layer change
/// ([`row`]), a subnet pair's ([`subnet_row`]) or a unit pair's across
/// both layers ([`tenant_row`]), its example and causes in words.
#[derive(Debug, Clone)]
pub struct Row {
    /// The source row.
    pub from: String,
    /// The destination row.
    pub to: String,
    /// Which way the verdict moved.
    pub change: Change,
    /// The connections whose verdict moved that way.
    pub conns: ConnSet,
    /// The concrete flow explained, in words.
    pub example: Option<String>,
    /// What decided it in the head, each located, in words.
    pub head_cause: Vec<(Loc, String)>,
    /// What decided it in the base.
    pub base_cause: Vec<(Loc, String)>,
}

/// What decided a changed flow, in words.
pub fn cause(c: &Cause) -> String {
    match c {
        Cause::Undecided => "undecided here".to_string(),
        Cause::Step(s) => crate::k8s::step::cited(s),
        Cause::DefaultAllows => "no policy selects the pods: the default allows".to_string(),
    }
}

/// `pod NS/NAME -> ADDRESS TCP 80`.
fn example(e: &Example) -> String {
    let end = |x: &ExampleEnd| match x {
        ExampleEnd::Pod { namespace, name } => format!("pod {namespace}/{name}"),
        ExampleEnd::Address(ip) => ip.to_string(),
    };
    crate::flow_line(end(&e.from), end(&e.to), e.proto, e.port)
}

/// A policy-layer change (`tusk_check::diff::diff`) as a row.
pub fn row(c: &FlowChange) -> Row {
    let causes = |v: &[(Loc, Cause)]| v.iter().map(|(l, c)| (l.clone(), cause(c))).collect();
    Row {
        from: c.from.clone(),
        to: c.to.clone(),
        change: c.change,
        conns: c.conns.clone(),
        example: c.example.as_ref().map(example),
        head_cause: causes(&c.head_cause),
        base_cause: causes(&c.base_cause),
    }
}

fn cite((l, why): &(Loc, String)) -> String {
    if l.file.starts_with('<') {
        why.clone()
    } else {
        format!("{why} at {l}")
    }
}

/// Why two versions' matrices cannot be compared, in one sentence (no
/// trailing period).
pub fn diff_error(e: &DiffError) -> String {
    match e {
        DiffError::FewerThanTwoTenants { label } => {
            format!("fewer than two tenants: no two namespaces carry different values of the label `{label}`")
        }
        DiffError::Tenant(e) => crate::check::tenant_error(e),
        DiffError::Units(e) => crate::path_errors::too_few_units(e),
        DiffError::TooManyPairs { from, to } => {
            format!("{from} → {to} stands for more than {} pairs", tusk_path::join::MAX_PAIRS)
        }
    }
}

/// The changed flows as text at `grain` (`pod`, `workload`, ...): each change,
/// its connections, an example flow and the rules that decided it on each side.
pub fn render_text(changes: &[Row], grain: &str) -> String {
    let mut s = String::new();
    if changes.is_empty() {
        let _ = writeln!(s, "no flow changed its verdict (grain {grain})");
        return s;
    }
    for c in changes {
        let _ = writeln!(s, "{}: {} -> {}  {}", c.change.name(), c.from, c.to, c.conns);
        if let Some(e) = &c.example {
            let _ = writeln!(s, "  e.g. {e}");
        }
        for x in &c.head_cause {
            let _ = writeln!(s, "  head: {}", cite(x));
        }
        for x in &c.base_cause {
            let _ = writeln!(s, "  base: {}", cite(x));
        }
    }
    let n = changes.len();
    let _ = writeln!(s, "\n{n} changed flow{} (grain {grain})", if n == 1 { "" } else { "s" });
    s
}

/// `{"schema": "tusk.diff/v1", "grain": ..., "changes": [{change, from, to,
/// connections, example, headCause: [{location, rule}], baseCause: [...]}]}`
pub fn render_json(changes: &[Row], grain: &str) -> String {
    let causes = |v: &[(Loc, String)]| -> Vec<serde_json::Value> {
        v.iter()
            .map(|(l, why)| {
                let loc = (!l.file.starts_with('<'))
                    .then(|| json!({"file": &*l.file, "line": l.pos.line, "column": l.pos.col}));
                json!({"location": loc, "rule": why})
            })
            .collect()
    };
    let items: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| {
            json!({"change": c.change.name(), "from": c.from, "to": c.to, "connections": c.conns.to_string(),
                   "example": c.example, "headCause": causes(&c.head_cause), "baseCause": causes(&c.base_cause)})
        })
        .collect();
    serde_json::to_string_pretty(&json!({"schema": "tusk.diff/v1", "grain": grain, "changes": items}))
        .unwrap_or_default()
        + "\n"
}

/// The changed flows as Markdown, for a pull-request comment.
pub fn render_md(changes: &[Row], grain: &str) -> String {
    let mut s = format!("### tusk diff ({grain})\n\n");
    if changes.is_empty() {
        s += "No flow changed its verdict.\n";
        return s;
    }
    s += "| change | from | to | connections | cause (head) | before (base) |\n|---|---|---|---|---|---|\n";
    let cell = |v: &[(Loc, String)]| v.iter().map(|x| cite(x).replace('|', "\\|")).collect::<Vec<_>>().join("<br>");
    for c in changes {
        let _ = writeln!(
            s,
            "| {} | `{}` | `{}` | {} | {} | {} |",
            c.change.name(),
            c.from,
            c.to,
            c.conns,
            cell(&c.head_cause),
            cell(&c.base_cause)
        );
    }
    s
}

/// A subnet pair's change as a row of the diff: the rules that decided the
/// traced member flow in each version (the same ordering as `tusk check`'s
/// counterexamples: the deciding rule, else the filters that let it pass).
pub fn subnet_row(
    head: &tusk_network::Prepared,
    base: &tusk_network::Prepared,
    c: &tusk_check::diff_subnets::SubnetChange,
    conns: ConnSet,
) -> Row {
    use tusk_check::Witness;
    let causes = |p, t: &Option<Box<tusk_network::trace::Trace>>| {
        // The first is the rule that decided; the rest is the path's context.
        let mut v = t.as_ref().map(|t| crate::check::deciding(Some(p), &Witness::Azure(t.clone()))).unwrap_or_default();
        v.truncate(1);
        v
    };
    let example = c.head_trace.as_ref().map(|t| {
        let flow = crate::flow_line(
            crate::azure::words::endpoint(head.net, &t.from),
            crate::azure::words::endpoint(head.net, &t.to),
            t.flow.proto,
            t.flow.port,
        );
        format!("{flow} ({} in head, {} in base)", c.head, c.base.map(|b| b.name()).unwrap_or("absent"))
    });
    Row {
        from: c.from.clone(),
        to: c.to.clone(),
        change: c.change,
        conns,
        example,
        head_cause: causes(head, &c.head_trace),
        base_cause: causes(base, &c.base_trace),
    }
}

/// A tenant pair's change (`tusk diff --grain tenant`) as a row of the
/// diff: one member pair that moved, and the rule that decided its path
/// in each version (`head` and `base` are the wired networks' engines, to
/// word the Azure hops; the same ordering as `tusk check`'s
/// counterexamples across both layers: the deciding segment's rule, else,
/// for an allowed path, the rule nearest the destination).
pub fn tenant_row(
    head: &tusk_network::Prepared,
    base: &tusk_network::Prepared,
    c: &tusk_check::diff_tenants::TenantChange,
    conns: ConnSet,
) -> Row {
    use tusk_check::Witness;
    let causes = |p, w: Option<&tusk_check::JoinedWitness>| {
        let mut v =
            w.map(|w| crate::check::deciding(Some(p), &Witness::Joined(Box::new(w.clone())))).unwrap_or_default();
        v.truncate(1);
        v
    };
    let actor = match c.actor {
        tusk_path::join::Actor::Pod => "pod",
        tusk_path::join::Actor::Node => "node",
    };
    let x = &c.head.path;
    let node = |n: &Option<String>| n.as_deref().map(|n| format!(" [{n}]")).unwrap_or_default();
    let example = format!(
        "{}{} -> {}{} (actor {actor}; {} in head, {} in base; {} of {} member pairs)",
        crate::path::end(head, &x.from),
        node(&x.src_node),
        crate::path::end(head, &x.to),
        node(&x.dst_node),
        x.verdict.name(),
        c.base.as_ref().map(|b| b.path.verdict.name()).unwrap_or("absent"),
        c.moved,
        c.of
    );
    Row {
        from: format!("{} (actor {actor})", c.from),
        to: c.to.clone(),
        change: c.change,
        conns,
        example: Some(example),
        head_cause: causes(head, Some(&c.head)),
        base_cause: causes(base, c.base.as_ref()),
    }
}
