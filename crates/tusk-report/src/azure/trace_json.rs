//! `tusk trace --format json`: the machine-readable trace.
//!
//! The schema (a contract; change it only additively):
//!
//! ```text
//! {
//!   "verdict": "allowed" | "denied" | "unknown",
//!   "reason": string,                     // the first deciding step, or "delivered"
//!   "flow": { "from": string, "to": string, "src": IP, "dst": IP,
//!             "protocol": "TCP"|"UDP"|"ICMP", "port": int|null },
//!   "forward": Path,
//!   "reply": Path | null                  // null when the request is denied
//! }
//! Path = { "verdict": ..., "delivered": bool, "steps": [Step] }
//! Step = {
//!   "at": string,                          // "subnet vnet/subnet", "Azure Firewall fw", ...
//!   "control": "route"|"nsg"|"admin-rules"|"peering"|"firewall"|"nva"|
//!              "gateway"|"internet"|"delivery"|"stateful",
//!   "verdict": "allowed"|"denied"|"unknown",
//!   "reason": string,
//!   "src": IP, "dst": IP,                  // as this control saw them
//!   "nat": string|null,                    // translation done at this step
//!   "rule": null | { "holder": string, "name": string,
//!                    "priority": int|null, "location": "file:line:col" }
//! }
//! ```
//!
//! With `--proto any` the output is one object
//! `{ "verdict": ..., "reason": string, "traces": [Trace, ...] }` holding a
//! trace per protocol (TCP, UDP, ICMP); its verdict answers "can the source
//! reach the destination with some protocol": `allowed` if any trace is
//! allowed, `denied` if all are denied, `unknown` otherwise.
//!
//! These types are serialize-only views, kept apart from the engine's.

use serde::Serialize;
use tusk_network::trace::{Arrival, Path, Step, Trace};

#[derive(Serialize)]
pub struct TraceJson<'a> {
    pub verdict: &'static str,
    pub reason: &'a str,
    pub flow: FlowJson<'a>,
    pub forward: PathJson<'a>,
    pub reply: Option<PathJson<'a>>,
}

#[derive(Serialize)]
pub struct FlowJson<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub src: String,
    pub dst: String,
    pub protocol: &'static str,
    pub port: Option<u16>,
}

#[derive(Serialize)]
pub struct PathJson<'a> {
    pub verdict: &'static str,
    pub delivered: bool,
    pub steps: Vec<StepJson<'a>>,
}

#[derive(Serialize)]
pub struct StepJson<'a> {
    pub at: &'a str,
    pub control: &'static str,
    pub verdict: &'static str,
    pub reason: &'a str,
    pub src: String,
    pub dst: String,
    pub nat: Option<&'a str>,
    pub rule: Option<RuleJson<'a>>,
}

#[derive(Serialize)]
pub struct RuleJson<'a> {
    pub holder: &'a str,
    pub name: &'a str,
    pub priority: Option<u32>,
    pub location: String,
}

fn step(s: &Step) -> StepJson<'_> {
    StepJson {
        at: &s.at,
        control: s.control.name(),
        verdict: s.decision.verdict.name(),
        reason: &s.decision.reason,
        src: s.src.to_string(),
        dst: s.dst.to_string(),
        nat: s.nat.as_deref(),
        rule: s.decision.cite.as_ref().map(|c| RuleJson {
            holder: &c.holder,
            name: &c.rule,
            priority: c.priority,
            location: c.loc.to_string(),
        }),
    }
}

fn path(p: &Path) -> PathJson<'_> {
    PathJson {
        verdict: p.verdict.name(),
        delivered: p.arrival != Arrival::Nowhere,
        steps: p.steps.iter().map(step).collect(),
    }
}

pub fn view(t: &Trace) -> TraceJson<'_> {
    TraceJson {
        verdict: t.verdict.name(),
        reason: &t.reason,
        flow: FlowJson {
            from: &t.from,
            to: &t.to,
            src: t.flow.src.to_string(),
            dst: t.flow.dst.to_string(),
            protocol: t.flow.proto.name(),
            port: t.flow.port,
        },
        forward: path(&t.forward),
        reply: t.reply.as_ref().map(path),
    }
}

pub fn render(t: &Trace) -> String {
    serde_json::to_string_pretty(&view(t)).expect("trace JSON serializes")
}

#[derive(Serialize)]
pub struct AnyProtocolJson<'a> {
    pub verdict: &'static str,
    pub reason: String,
    pub traces: Vec<TraceJson<'a>>,
}

/// The `--proto any` object (see the module documentation).
pub fn render_any(traces: &[Trace]) -> String {
    use tusk_network::Kind;
    let by = |v: Kind| traces.iter().filter(|t| t.verdict == v).map(|t| t.flow.proto.name()).collect::<Vec<_>>();
    let (allowed, denied) = (by(Kind::Allowed), by(Kind::Denied));
    let (verdict, reason) = if !allowed.is_empty() {
        (Kind::Allowed, format!("allowed for {}", allowed.join(", ")))
    } else if denied.len() == traces.len() {
        (Kind::Denied, "denied for every protocol".to_string())
    } else {
        (Kind::Unknown, format!("no protocol is allowed for sure; denied for {}", denied.join(", ")))
    };
    let doc = AnyProtocolJson { verdict: verdict.name(), reason, traces: traces.iter().map(view).collect() };
    serde_json::to_string_pretty(&doc).expect("trace JSON serializes")
}
