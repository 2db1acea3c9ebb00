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
//!             "protocol": "TCP"|"UDP"|"ICMP", "port": int|null,
//!             "fqdn": string (only with --fqdn) },
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

use super::words;
use serde::Serialize;
use std::io;
use tusk_network::any_protocol::AnyProtocol;
use tusk_network::trace::{Arrival, Path, Step, Trace};
use tusk_network::Prepared;

/// The `schema` of a one-protocol trace document.
pub const SCHEMA: &str = "tusk.trace/v1";
/// The `schema` of the `--proto any` document.
pub const SCHEMA_ANY: &str = "tusk.trace-any/v1";

/// One trace (see the module documentation for the schema).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceJson {
    /// Present on a top-level document only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<&'static str>,
    /// `allowed`, `denied` or `unknown`.
    pub verdict: &'static str,
    /// The first deciding step, worded, or `delivered`.
    pub reason: String,
    /// What was traced.
    pub flow: FlowJson,
    /// The request's path.
    pub forward: PathJson,
    /// The reply's path; `None` when the request does not arrive.
    pub reply: Option<PathJson>,
}

/// The flow of a trace.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowJson {
    /// The source, worded (`NIC vm-nic (VM vm)`, `internet 192.0.2.1`).
    pub from: String,
    /// The destination, worded.
    pub to: String,
    /// The source address.
    pub src: String,
    /// The destination address.
    pub dst: String,
    /// `TCP`, `UDP`, `ICMP`, ...
    pub protocol: &'static str,
    /// The destination port, when the protocol has ports.
    pub port: Option<u16>,
    /// `--fqdn`: the name the client asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,
}

/// The request's or the reply's path.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathJson {
    /// The path's verdict.
    pub verdict: &'static str,
    /// Did the packet reach its destination?
    pub delivered: bool,
    /// Each control along the path, in order.
    pub steps: Vec<StepJson>,
}

/// One control along a path.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepJson {
    /// Where the control sits, worded (`subnet vnet/subnet`, ...).
    pub at: String,
    /// The control's kind: `route`, `nsg`, `peering`, `firewall`, ...
    pub control: &'static str,
    /// Its verdict.
    pub verdict: &'static str,
    /// Why, worded.
    pub reason: String,
    /// The source address as this control saw it.
    pub src: String,
    /// The destination address as this control saw it.
    pub dst: String,
    /// The translation done at this step, worded.
    pub nat: Option<String>,
    /// The deciding rule, when one decided.
    pub rule: Option<RuleJson>,
}

/// A deciding rule.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleJson {
    /// What holds the rule (`NSG x on subnet v/s`, a firewall's collection).
    pub holder: String,
    /// The rule's name.
    pub name: String,
    /// Its priority, when its holder orders rules by one.
    pub priority: Option<u32>,
    /// `file:line:col` of the rule.
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

/// The trace as its JSON view, without `schema` (for embedding).
pub fn view(p: &Prepared, t: &Trace) -> TraceJson {
    TraceJson {
        schema: None,
        verdict: t.verdict.name(),
        reason: words::trace_reason(p, t),
        flow: FlowJson {
            from: words::endpoint(p.net, &t.from),
            to: words::endpoint(p.net, &t.to),
            src: t.flow.src.to_string(),
            dst: t.flow.dst.to_string(),
            protocol: t.flow.proto.name(),
            port: t.flow.port,
            fqdn: t.name.clone(),
        },
        forward: path(p, &t.forward),
        reply: t.reply.as_ref().map(|r| path(p, r)),
    }
}

/// Writes the trace document of one protocol.
pub fn write(w: &mut dyn io::Write, p: &Prepared, t: &Trace) -> io::Result<()> {
    let doc = TraceJson { schema: Some(SCHEMA), ..view(p, t) };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}

/// The `--proto any` document (see the module documentation).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnyProtocolJson {
    /// Always [`SCHEMA_ANY`].
    pub schema: &'static str,
    /// The engine's combined verdict over the protocols.
    pub verdict: &'static str,
    /// Why, worded.
    pub reason: String,
    /// One trace per protocol, each without `schema`.
    pub traces: Vec<TraceJson>,
}

/// Writes the `--proto any` document (see the module documentation): the
/// engine's combined verdict `any`, worded, and each trace.
pub fn write_any(w: &mut dyn io::Write, p: &Prepared, any: &AnyProtocol, traces: &[Trace]) -> io::Result<()> {
    use tusk_network::Kind;
    let names = |ps: &[tusk_core::Protocol]| ps.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ");
    let reason = match any.verdict {
        Kind::Allowed => format!("allowed for {}", names(&any.allowed)),
        Kind::Denied => "denied for every protocol".to_string(),
        Kind::Unknown if any.denied.is_empty() => "no protocol is allowed for sure".to_string(),
        Kind::Unknown => format!("no protocol is allowed for sure; denied for {}", names(&any.denied)),
    };
    let doc = AnyProtocolJson {
        schema: SCHEMA_ANY,
        verdict: any.verdict.name(),
        reason,
        traces: traces.iter().map(|t| view(p, t)).collect(),
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}
