//! The trace of one flow, hop by hop, and of its reply.
//!
//! The forward walk starts at the source, applies the controls in the
//! order Azure does (admin rules and NSGs out, the route, peering flags,
//! the next hop's device, admin rules and NSGs in) and stops at the first
//! denial. The reply walk starts where the flow was delivered, addressed to
//! the source as the destination saw it; NSGs and admin rules let it pass
//! (they are stateful), routes and peerings do not care about state, and a
//! stateful device (Azure Firewall) only passes a reply it saw the request
//! of. A firewall on one path and not on the other is asymmetric routing,
//! which Azure Firewall drops ("Azure Firewall ... is stateful ... asymmetric
//! routing" — firewall/forced-tunneling, firewall/integrate-lb): the trace
//! reports it as denied and shows both paths.
//!
//! The verdict is the first non-allowed decision along the forward path,
//! then along the reply path: after an unknown step, anything downstream is
//! conditional, so an unknown is never upgraded to allowed or denied.

use super::endpoint::Endpoint;
use super::walk::{Start, Walker};
use super::{Decision, Flow, Owner, Prepared, Verdict};
use std::net::IpAddr;

/// What a step checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Route,
    Nsg,
    AdminRules,
    Peering,
    Firewall,
    Nva,
    Gateway,
    Internet,
    Delivery,
    /// A stateful control letting a reply through.
    Stateful,
}

impl Control {
    pub fn name(self) -> &'static str {
        match self {
            Control::Route => "route",
            Control::Nsg => "nsg",
            Control::AdminRules => "admin-rules",
            Control::Peering => "peering",
            Control::Firewall => "firewall",
            Control::Nva => "nva",
            Control::Gateway => "gateway",
            Control::Internet => "internet",
            Control::Delivery => "delivery",
            Control::Stateful => "stateful",
        }
    }
}

/// One check along a path, with the addresses the control saw.
#[derive(Debug, Clone)]
pub struct Step {
    /// Where: `subnet spoke1/app`, `Azure Firewall fw-hub`, ...
    pub at: String,
    pub control: Control,
    pub decision: Decision,
    pub src: IpAddr,
    pub dst: IpAddr,
    /// An address translation this step performed.
    pub nat: Option<String>,
}

/// Where a path ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival {
    /// Delivered in a subnet (to the owner, if known).
    Azure {
        subnet: usize,
        owner: Option<Owner>,
        ip: IpAddr,
    },
    Internet {
        ip: IpAddr,
    },
    OnPrem {
        ip: IpAddr,
        gateway: usize,
    },
    /// Not delivered.
    Nowhere,
}

#[derive(Debug, Clone)]
pub struct Path {
    pub steps: Vec<Step>,
    pub verdict: Verdict,
    pub arrival: Arrival,
    /// Stateful devices traversed (firewalls), in order.
    pub devices: Vec<usize>,
    /// Firewalls that translated the source, with the address used.
    pub snat_by: Vec<(usize, IpAddr)>,
    /// Firewalls that translated the destination: (firewall, original dst).
    pub dnat_by: Vec<(usize, IpAddr)>,
    /// The source address the path started with.
    pub first_src: IpAddr,
    /// The source and destination addresses the final hop saw.
    pub final_src: IpAddr,
    pub final_dst: IpAddr,
}

#[derive(Debug, Clone)]
pub struct Trace {
    pub flow: Flow,
    pub from: String,
    pub to: String,
    pub forward: Path,
    /// The reply, when the forward path was not denied.
    pub reply: Option<Path>,
    pub verdict: Verdict,
    pub reason: String,
}

/// Traces `flow` from `from` to `to` (the flow's addresses are theirs).
pub fn trace(p: &Prepared, from: &Endpoint, to: &Endpoint, flow: Flow) -> Trace {
    let forward = Walker::new(p, flow, None).run(Start::from_endpoint(from), to);
    let mut reply = None;
    let (mut verdict, mut reason) = summary(&forward, "forward path");
    if forward.verdict != Verdict::Denied && forward.arrival != Arrival::Nowhere {
        let back_flow = Flow { src: forward.final_dst, dst: forward.final_src, proto: flow.proto, port: None };
        let r = Walker::new(p, back_flow, Some(&forward)).run(Start::reply_from(p, &forward), from);
        if verdict == Verdict::Allowed {
            (verdict, reason) = summary(&r, "reply path");
        }
        reply = Some(r);
    }
    Trace { flow, from: from.label(), to: to.label(), forward, reply, verdict, reason }
}

fn summary(path: &Path, what: &str) -> (Verdict, String) {
    match path.steps.iter().find(|s| s.decision.verdict != Verdict::Allowed) {
        Some(s) => (s.decision.verdict, format!("{what}: {} at {}: {}", s.control.name(), s.at, s.decision.reason)),
        None if path.verdict == Verdict::Allowed => (Verdict::Allowed, format!("{what} delivered")),
        None => (path.verdict, format!("{what} not delivered")),
    }
}
