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

use super::words;
use serde::Serialize;
use tusk_network::trace::{Arrival, Path, Step, Trace};
use tusk_network::Prepared;

#[derive(Serialize)]
pub struct TraceJson {
    pub verdict: &'static str,
    pub reason: String,
    pub flow: FlowJson,
    pub forward: PathJson,
    pub reply: Option<PathJson>,
}

#[derive(Serialize)]
pub struct FlowJson {
    pub from: String,
    pub to: String,
    pub src: String,
    pub dst: String,
    pub protocol: &'static str,
    pub port: Option<u16>,
}

#[derive(Serialize)]
pub struct PathJson {
    pub verdict: &'static str,
    pub delivered: bool,
    pub steps: Vec<StepJson>,
}

#[derive(Serialize)]
pub struct StepJson {
    pub at: String,
    pub control: &'static str,
    pub verdict: &'static str,
    pub reason: String,
    pub src: String,
    pub dst: String,
    pub nat: Option<String>,
    pub rule: Option<RuleJson>,
}

#[derive(Serialize)]
pub struct RuleJson {
    pub holder: String,
    pub name: String,
    pub priority: Option<u32>,
    pub location: String,
}

fn step(p: &Prepared, s: &Step) -> StepJson {
    StepJson {
        at: words::hop(p.net, &s.at),
        control: s.control.name(),
        verdict: s.decision.verdict.name(),
        reason: words::reason(p, s),
        src: s.src.to_string(),
        dst: s.dst.to_string(),
        nat: words::nat(p.net, &s.nat),
        rule: s.decision.cite.as_ref().map(|c| words::cite(p, c)).map(|c| RuleJson {
            holder: c.holder,
            name: c.rule,
            priority: c.priority,
            location: c.loc.to_string(),
        }),
    }
}

fn path(p: &Prepared, path: &Path) -> PathJson {
    PathJson {
        verdict: path.verdict.name(),
        delivered: path.arrival != Arrival::Nowhere,
        steps: path.steps.iter().map(|s| step(p, s)).collect(),
    }
}

pub fn view(p: &Prepared, t: &Trace) -> TraceJson {
    TraceJson {
        verdict: t.verdict.name(),
        reason: words::trace_reason(p, t),
        flow: FlowJson {
            from: t.from.label(),
            to: t.to.label(),
            src: t.flow.src.to_string(),
            dst: t.flow.dst.to_string(),
            protocol: t.flow.proto.name(),
            port: t.flow.port,
        },
        forward: path(p, &t.forward),
        reply: t.reply.as_ref().map(|r| path(p, r)),
    }
}

pub fn render(p: &Prepared, t: &Trace) -> String {
    serde_json::to_string_pretty(&view(p, t)).expect("trace JSON serializes")
}

#[derive(Serialize)]
pub struct AnyProtocolJson {
    pub verdict: &'static str,
    pub reason: String,
    pub traces: Vec<TraceJson>,
}

/// The `--proto any` object (see the module documentation); the verdict is
/// the engine's ([`tusk_network::trace::any_protocol`]).
pub fn render_any(p: &Prepared, traces: &[Trace]) -> String {
    use tusk_network::Kind;
    let by = |v: Kind| traces.iter().filter(|t| t.verdict == v).map(|t| t.flow.proto.name()).collect::<Vec<_>>();
    let verdict = tusk_network::trace::any_protocol(traces);
    let reason = match verdict {
        Kind::Allowed => format!("allowed for {}", by(Kind::Allowed).join(", ")),
        Kind::Denied => "denied for every protocol".to_string(),
        Kind::Unknown => format!("no protocol is allowed for sure; denied for {}", by(Kind::Denied).join(", ")),
    };
    let doc = AnyProtocolJson { verdict: verdict.name(), reason, traces: traces.iter().map(|t| view(p, t)).collect() };
    serde_json::to_string_pretty(&doc).expect("trace JSON serializes")
}
