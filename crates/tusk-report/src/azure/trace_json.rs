//! `tusk trace -o json`: the machine-readable trace.
//!
//! The schema (a contract; change it only additively):
//!
//! ```text
//! {
//!   "schema": "tusk.trace/v1",
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
//! `{ "schema": "tusk.trace-any/v1", "verdict": ..., "reason": string,
//! "traces": [Trace, ...] }` holding a trace per protocol (TCP, UDP, ICMP),
//! each without its own `schema`; its verdict, decided by the engine
//! (`tusk_network::any_protocol`), answers "can the source reach the
//! destination with some protocol": `allowed` if any trace is allowed,
//! `denied` if all are denied, `unknown` otherwise.
//!
//! Keys are camelCase, as in every tusk JSON document. These types are
//! serialize-only views, kept apart from the engine's, streamed to an
//! `io::Write`.

use serde::Serialize;
use std::io;
use tusk_network::any_protocol::AnyProtocol;
use tusk_network::trace::{Arrival, Path, Step, Trace};

/// The `schema` of a one-protocol trace document.
pub const SCHEMA: &str = "tusk.trace/v1";
/// The `schema` of the `--proto any` document.
pub const SCHEMA_ANY: &str = "tusk.trace-any/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceJson<'a> {
    /// Present on a top-level document only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<&'static str>,
    pub verdict: &'static str,
    pub reason: &'a str,
    pub flow: FlowJson<'a>,
    pub forward: PathJson<'a>,
    pub reply: Option<PathJson<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowJson<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub src: String,
    pub dst: String,
    pub protocol: &'static str,
    pub port: Option<u16>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathJson<'a> {
    pub verdict: &'static str,
    pub delivered: bool,
    pub steps: Vec<StepJson<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
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
#[serde(rename_all = "camelCase")]
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
        schema: None,
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

/// Writes the trace document of one protocol.
pub fn write(w: &mut dyn io::Write, t: &Trace) -> io::Result<()> {
    let doc = TraceJson { schema: Some(SCHEMA), ..view(t) };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnyProtocolJson<'a> {
    pub schema: &'static str,
    pub verdict: &'static str,
    pub reason: String,
    pub traces: Vec<TraceJson<'a>>,
}

/// Writes the `--proto any` document (see the module documentation): the
/// engine's combined verdict `any`, worded, and each trace.
pub fn write_any(w: &mut dyn io::Write, any: &AnyProtocol, traces: &[Trace]) -> io::Result<()> {
    let names = |ps: &[tusk_core::Protocol]| ps.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ");
    let reason = match any.verdict {
        tusk_network::Verdict::Allowed => format!("allowed for {}", names(&any.allowed)),
        tusk_network::Verdict::Denied => "denied for every protocol".to_string(),
        tusk_network::Verdict::Unknown if any.denied.is_empty() => "no protocol is allowed for sure".to_string(),
        tusk_network::Verdict::Unknown => {
            format!("no protocol is allowed for sure; denied for {}", names(&any.denied))
        }
    };
    let doc = AnyProtocolJson {
        schema: SCHEMA_ANY,
        verdict: any.verdict.name(),
        reason,
        traces: traces.iter().map(view).collect(),
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}
