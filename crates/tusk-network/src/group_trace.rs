//! One flow between two groups (`tusk trace --from subnet:VNET/SUBNET`, a
//! VM with several addresses, a CIDR): a trace per member pair, and the
//! group verdict over them (`tusk_core::GroupKind`: allowed or denied only
//! when every member pair is, mixed when both occur, unknown otherwise).

use super::endpoint::{Group, Sample};
use super::trace::{trace_request, Trace};
use super::{Flow, Prepared};
use tusk_core::{GroupKind, Protocol};

/// Every member pair's trace and the group verdict.
pub struct GroupTrace {
    /// The source as written (canonical notation).
    pub from: String,
    /// The destination as written.
    pub to: String,
    /// The group verdict over the member traces.
    pub verdict: GroupKind,
    /// One trace per ordered pair of distinct member addresses.
    pub traces: Vec<Trace>,
    /// Why either side holds samples rather than every address.
    pub samples: Vec<(String, Sample)>,
}

/// Traces every member of `from` to every member of `to` (pairs of one
/// address with itself are skipped).
pub fn trace_group(
    p: &Prepared,
    from: &Group,
    to: &Group,
    proto: Protocol,
    port: Option<u16>,
    req: super::trace::Request,
) -> GroupTrace {
    let mut traces = Vec::with_capacity(from.members.len() * to.members.len());
    for a in &from.members {
        for b in &to.members {
            if a.ip() != b.ip() {
                traces.push(trace_request(p, a, b, Flow { src: a.ip(), dst: b.ip(), proto, port }, req));
            }
        }
    }
    let verdict = GroupKind::of_kinds(traces.iter().map(|t| t.verdict));
    let samples = [from, to].iter().filter_map(|g| g.sample.map(|s| (g.name.clone(), s))).collect();
    GroupTrace { from: from.name.clone(), to: to.name.clone(), verdict, traces, samples }
}
