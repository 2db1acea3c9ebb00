//! `tusk diff --grain subnet`: the Azure half of the semantic diff. Both
//! versions' subnet matrices (`tusk_network::reach::all_pairs`, group
//! verdicts over the classes of NICs) are keyed by `VNET/SUBNET` names and
//! compared; for each pair whose verdict moved, one member pair whose
//! verdict is the new one is traced in the head and the same addresses in
//! the base, so the report can cite the rule that decided each side.

use crate::diff::Change;
use std::collections::BTreeMap;
use tusk_core::{FlowEnd, GroupKind, Kind, Protocol};
use tusk_network::endpoint::resolve_group;
use tusk_network::trace::{trace, Trace};
use tusk_network::{Flow, Prepared};

/// One subnet pair whose verdict changed.
#[derive(Debug, Clone)]
pub struct SubnetChange {
    /// The source subnet, as `VNET/SUBNET`.
    pub from: String,
    /// The destination subnet, as `VNET/SUBNET`.
    pub to: String,
    /// Which way the verdict moved.
    pub change: Change,
    /// The group verdict in the base, `None` when either subnet is new.
    pub base: Option<GroupKind>,
    /// The group verdict in the head.
    pub head: GroupKind,
    /// A member flow with the new verdict, traced in the head, and the same
    /// addresses traced in the base (when both subnets exist there).
    pub head_trace: Option<Box<Trace>>,
    /// The same addresses traced in the base, `None` when a subnet is not there.
    pub base_trace: Option<Box<Trace>>,
}

fn verdicts(p: &Prepared, proto: Protocol, port: Option<u16>) -> BTreeMap<(String, String), GroupKind> {
    let m = tusk_network::reach::all_pairs(p, proto, port);
    m.subnet_pairs().map(|s| ((p.net.subnet_path(s.from), p.net.subnet_path(s.to)), s.verdict)).collect()
}

/// What the move from `base` to `head` is, if any.
fn classify(base: Option<GroupKind>, head: GroupKind) -> Option<Change> {
    use GroupKind::*;
    Some(match (base, head) {
        (Some(b), h) if b == h => return None,
        (_, Unknown) => Change::NewlyUnknown,
        (Some(Denied), Allowed | Mixed) | (Some(Mixed), Allowed) | (None, Allowed | Mixed) => Change::NewlyAllowed,
        (Some(Allowed), Denied | Mixed) | (Some(Mixed), Denied) | (None, Denied) => Change::NewlyDenied,
        (Some(Unknown), Allowed | Mixed) => Change::NewlyAllowed,
        (Some(Unknown), Denied) => Change::NewlyDenied,
        _ => return None,
    })
}

fn end(path: &str) -> FlowEnd {
    let (vnet, subnet) = path.split_once('/').unwrap_or((path, ""));
    FlowEnd::Subnet { vnet: vnet.to_string(), subnet: subnet.to_string() }
}

/// Every subnet pair of `head` whose group verdict for `proto` (and `port`,
/// when given) differs from `base`'s, in (source, destination) order: a pair
/// new in the head counts from no verdict, and a move into `unknown` is
/// [`Change::NewlyUnknown`]. Never fails.
pub fn diff_subnets(base: &Prepared, head: &Prepared, proto: Protocol, port: Option<u16>) -> Vec<SubnetChange> {
    let (b, h) = (verdicts(base, proto, port), verdicts(head, proto, port));
    let mut out = Vec::new();
    for (k, hv) in &h {
        let bv = b.get(k).copied();
        let Some(change) = classify(bv, *hv) else { continue };
        let want = match change {
            Change::NewlyAllowed => Kind::Allowed,
            Change::NewlyDenied => Kind::Denied,
            Change::NewlyUnknown => Kind::Unknown,
        };
        let mut c = SubnetChange {
            from: k.0.clone(),
            to: k.1.clone(),
            change,
            base: bv,
            head: *hv,
            head_trace: None,
            base_trace: None,
        };
        if let (Ok(f), Ok(t)) = (resolve_group(head, &end(&k.0)), resolve_group(head, &end(&k.1))) {
            let found = f.members.iter().flat_map(|a| t.members.iter().map(move |z| (a, z))).find_map(|(a, z)| {
                let tr = trace(head, a, z, Flow { src: a.ip(), dst: z.ip(), proto, port });
                (a.ip() != z.ip() && tr.verdict == want).then_some(tr)
            });
            if let Some(tr) = found {
                let (src, dst) = (FlowEnd::Address(tr.flow.src), FlowEnd::Address(tr.flow.dst));
                if let (Ok(bf), Ok(bt)) = (resolve_group(base, &src), resolve_group(base, &dst)) {
                    if let (Some(a), Some(z)) = (bf.members.first(), bt.members.first()) {
                        let flow = Flow { src: a.ip(), dst: z.ip(), proto, port };
                        c.base_trace = Some(Box::new(trace(base, a, z, flow)));
                    }
                }
                c.head_trace = Some(Box::new(tr));
            }
        }
        out.push(c);
    }
    out
}
