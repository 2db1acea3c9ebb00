//! The Internet leg of Azure Bastion: a client reaches the host's public
//! address on TCP 443 ([`crate::bastion`]), through the inbound NSG of its
//! AzureBastionSubnet, to one of its instances. The session Bastion then
//! opens to a VM is the other leg, traced from the Bastion
//! (`--from BASTION`, `Start::Bastion`).
//!
//! The instances take addresses of the subnet that the inputs do not list;
//! one address per part of the subnet the controls tell apart stands for
//! them ([`crate::bastion::instance_endpoints`]): the NSG is asked for
//! each, and when they answer differently the step is unknown, naming
//! both groups (as an application gateway's instances).

use super::super::bastion::{self as bas, BastionDoubt, BastionWhy};
use super::super::decision::{Hop, Nat};
use super::{Arrival, Control, Decision, Kind, Next, Reason, Walker};
use tusk_core::Protocol;
use tusk_model::azure::{BastionHost, Idx};

impl Walker<'_, '_> {
    fn bastion_step(&mut self, b: Idx<BastionHost>, kind: Kind, what: BastionWhy) -> Kind {
        let d = Decision::new(kind, Reason::Bastion { host: b, what }, None);
        self.step(Hop::Bastion(b), Control::Bastion, d)
    }

    /// From the Internet to the public address of Bastion host `b`.
    pub(super) fn bastion_from_internet(&mut self, b: Idx<BastionHost>) -> Next {
        let p = self.p;
        let dst = self.flow.dst;
        if self.flow.proto != Protocol::Tcp || self.flow.port != Some(443) {
            self.bastion_step(b, Kind::Unknown, BastionWhy::Doubt(BastionDoubt::PublicPort));
            return Next::Done(Arrival::Nowhere);
        }
        self.bastion_step(b, Kind::Allowed, BastionWhy::PublicEntry { dst });
        // An NSG Azure would not let on the subnet: the estate is not one
        // Azure deploys, so what it does with the flow is unknown.
        if let Some(d) = bas::nsg_not_compliant(p, b) {
            self.bastion_step(b, Kind::Unknown, BastionWhy::Doubt(d));
            return Next::Done(Arrival::Nowhere);
        }
        let instances = match bas::instance_endpoints(p, b) {
            Ok(list) => list,
            Err(_) => {
                let d = Decision::new(Kind::Unknown, Reason::PublicAddressUnknown { dst }, None);
                self.step(Hop::Internet, Control::Internet, d);
                return Next::Done(Arrival::Nowhere);
            }
        };
        // The subnet's inbound NSG, asked for every address standing for
        // the instances.
        let mut runs: Vec<(Self, Option<Next>)> = Vec::new();
        for e in &instances {
            let mut w = self.clone();
            w.nat(Nat::InstancePublicIp { from: dst, to: e.ip() });
            w.flow.dst = e.ip();
            let s = match e {
                super::Endpoint::Azure { subnet, .. } => *subnet,
                _ => continue,
            };
            let next = if w.inbound(s, None) {
                let why = BastionWhy::Reached { instance: e.ip() };
                let d = Decision::new(Kind::Allowed, Reason::Bastion { host: b, what: why }, None);
                w.step(w.sub(s), Control::Delivery, d);
                Some(Next::Done(Arrival::Azure { subnet: s, owner: None, ip: e.ip() }))
            } else {
                None
            };
            runs.push((w, next));
        }
        let kinds: Vec<Kind> = runs.iter().map(|(w, n)| path_kind(w, n.is_some())).collect();
        if kinds.iter().any(|k| *k != kinds[0]) {
            let allowed = instances.iter().zip(&kinds).filter(|(_, k)| **k == Kind::Allowed).map(|(e, _)| e.ip());
            let other = instances.iter().zip(&kinds).filter(|(_, k)| **k != Kind::Allowed).map(|(e, k)| (e.ip(), *k));
            let what = BastionWhy::MixedInstances { allowed: allowed.collect(), other: other.collect() };
            self.bastion_step(b, Kind::Unknown, what);
            return Next::Done(Arrival::Nowhere);
        }
        let Some((w, next)) = runs.into_iter().next() else { return Next::Done(Arrival::Nowhere) };
        *self = w;
        next.unwrap_or(Next::Done(Arrival::Nowhere))
    }
}

/// The verdict of a walk so far: its first step that is not allowed, else
/// allowed when it was delivered.
fn path_kind(w: &Walker, delivered: bool) -> Kind {
    match w.steps.iter().find(|s| s.decision.verdict != Kind::Allowed) {
        Some(s) => s.decision.verdict,
        None if delivered => Kind::Allowed,
        None => Kind::Denied,
    }
}
