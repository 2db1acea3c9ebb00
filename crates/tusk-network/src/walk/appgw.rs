//! The walk through an application gateway ([`crate::appgw`]): the
//! client's connection ends at a listener (after the gateway subnet's
//! inbound NSG); the gateway then opens its own connection from an
//! address of its subnet to the rule's backends, walked like any flow from
//! that subnet (its outbound NSG and routes first). The instances'
//! addresses are not in the inputs: one address per part of the subnet the
//! controls tell apart stands for them ([`super::super::appgw::instance_addresses`]);
//! a walk goes from one of them, and `trace.rs` traces the flow from each
//! (request and reply) and settles the verdict. Several backends are
//! walked one by one and must end alike (as a load balancer's, in
//! `devices.rs`); the reply of the gateway's connection reaches the
//! gateway, which answers the client from the frontend address.

use super::super::appgw::{self as ag, AppGwDoubt, AppGwWhy, NotSelected};
use super::super::decision::{Hop, Nat, SnatWhy};
use super::super::path::AppGwLeg;
use super::{Arrival, Control, Decision, Kind, Next, Reason, Sender, Walker};
use std::net::IpAddr;
use tusk_model::azure::{AppGateway, Idx, Subnet, WafMode};

impl Walker<'_, '_> {
    fn gw_step(&mut self, gw: Idx<AppGateway>, kind: Kind, what: AppGwWhy) -> Kind {
        self.step(Hop::AppGateway(gw), Control::AppGateway, Decision::new(kind, Reason::AppGateway { gw, what }, None))
    }

    fn gw_unknown(&mut self, gw: Idx<AppGateway>, d: AppGwDoubt) -> Next {
        self.gw_step(gw, Kind::Unknown, AppGwWhy::Doubt(d));
        Next::Done(Arrival::Nowhere)
    }

    /// In subnet `t`, addressed to the current destination: a modelled
    /// gateway's private frontend (request), or the address its own
    /// connection left from (that connection's reply)? Then the gateway
    /// takes the packet.
    pub(super) fn app_gateway_at(&mut self, t: Idx<Subnet>) -> Option<Next> {
        let dst = self.flow.dst;
        if let Some(fwd) = self.fwd {
            let leg = fwd.appgw?;
            return (!self.appgw_passed && dst == leg.instance).then(|| self.app_gateway_reply(t, leg));
        }
        if self.appgw.is_some() {
            return None;
        }
        let (g, fe) = ag::private_frontend(self.p, dst)?;
        Some(self.app_gateway(g, fe))
    }

    /// From the Internet to a public frontend of a modelled gateway.
    pub(super) fn app_gateway_from_internet(&mut self) -> Option<Next> {
        let dst = self.flow.dst;
        let (g, fe) = ag::public_frontend(self.p, dst)?;
        self.step(
            Hop::Internet,
            Control::Internet,
            Decision::new(Kind::Allowed, Reason::AppGateway { gw: g, what: AppGwWhy::PublicFrontend { dst } }, None),
        );
        Some(self.app_gateway(g, fe))
    }

    /// The client's connection reaches frontend `fe` of gateway `g`.
    fn app_gateway(&mut self, g: Idx<AppGateway>, fe: usize) -> Next {
        let p = self.p;
        let Some(t) = ag::subnet(p, g) else { return self.gw_unknown(g, AppGwDoubt::SubnetMissing) };
        // The gateway subnet's NSG filters the client's connection
        // (configuration-infrastructure, "Network security groups").
        if !self.inbound(t, None) {
            return Next::Done(Arrival::Nowhere);
        }
        let sel = match ag::select(p, g, fe, &self.flow, self.name.as_deref(), self.http_path.as_deref()) {
            Ok(s) => s,
            Err(NotSelected::NoListener) => {
                let frontend = p.net.app_gateways[g].frontends[fe].name.clone();
                self.gw_step(g, Kind::Denied, AppGwWhy::NoListener { frontend, port: self.flow.port });
                return Next::Done(Arrival::Nowhere);
            }
            Err(NotSelected::Doubt(d)) => return self.gw_unknown(g, d),
        };
        self.gw_step(g, Kind::Allowed, AppGwWhy::Listener { listener: sel.listener, rule: sel.rule, path: sel.path });
        // The WAF inspects the request's content: Prevention may block it.
        match sel.waf {
            Ok((WafMode::Off, _)) => {}
            Ok((WafMode::Detection, policy)) => {
                self.gw_step(g, Kind::Allowed, AppGwWhy::Waf { mode: WafMode::Detection, policy });
            }
            Ok((mode, policy)) => {
                self.gw_step(g, Kind::Unknown, AppGwWhy::Waf { mode, policy });
            }
            Err(d) => {
                self.gw_step(g, Kind::Unknown, AppGwWhy::Doubt(d));
            }
        }
        let subnets: Vec<Option<Idx<Subnet>>> = sel
            .members
            .iter()
            .map(|(ip, o)| o.and_then(|o| p.owner_subnet(o)).or_else(|| p.subnets_holding(*ip).into_iter().next()))
            .collect();
        if subnets.iter().any(|s| *s != subnets[0]) {
            return self.gw_unknown(g, AppGwDoubt::BackendsSpread);
        }
        // The addresses that stand for the instances (one per part of the
        // subnet the controls tell apart); this walk goes from the one the
        // trace asks for (`Walker::appgw_instance`), else the first, and
        // `trace.rs` settles the verdict over all of them.
        let instances = ag::instance_addresses(p, g, t);
        let Some(instance) = self.appgw_instance.filter(|i| instances.contains(i)).or(instances.first().copied())
        else {
            return self.gw_unknown(g, AppGwDoubt::SubnetMissing);
        };
        let backends: Vec<IpAddr> = sel.members.iter().map(|m| m.0).collect();
        let fork = self.steps.len() + 1;
        let mut runs: Vec<(Self, Arrival, Kind)> = Vec::new();
        for &(ip, _) in &sel.members {
            let mut w = self.clone();
            let what = AppGwWhy::Proxied {
                pool: sel.pool,
                backends: backends.clone(),
                port: sel.port,
                instance,
                instances: instances.clone(),
            };
            w.gw_step(g, Kind::Allowed, what);
            w.nat(Nat::Snat { from: w.flow.src, to: instance, why: SnatWhy::AppGateway(g) });
            w.nat(Nat::Dnat { from: w.flow.dst, from_port: w.flow.port, to: ip, to_port: Some(sel.port) });
            w.appgw = Some(AppGwLeg {
                gw: g,
                client: w.flow.src,
                frontend: w.flow.dst,
                instance,
                devices: w.devices.len(),
                nvas: w.nvas.len(),
            });
            w.flow.src = instance;
            w.flow.dst = ip;
            w.flow.port = Some(sel.port);
            let arrival = w.walk_on(t, Sender::Endpoint(None));
            let kind = w.steps[fork..]
                .iter()
                .map(|s| s.decision.verdict)
                .find(|k| *k != Kind::Allowed)
                .unwrap_or(if arrival == Arrival::Nowhere { Kind::Unknown } else { Kind::Allowed });
            runs.push((w, arrival, kind));
        }
        let first = runs[0].2;
        if runs.iter().all(|r| r.2 == first) {
            let (w, arrival, _) = runs.swap_remove(0);
            *self = w;
            return Next::Done(arrival);
        }
        let allowed = runs.iter().filter(|r| r.2 == Kind::Allowed).map(|r| r.0.flow.dst).collect();
        let other = runs.iter().filter(|r| r.2 != Kind::Allowed).map(|r| (r.0.flow.dst, r.2)).collect();
        self.gw_step(g, Kind::Unknown, AppGwWhy::Mixed { allowed, other });
        Next::Done(Arrival::Nowhere)
    }

    /// The reply of the gateway's own connection reaches it (at `t`, its
    /// subnet): it answers the client from the frontend, and that reply
    /// goes on from the gateway's subnet.
    fn app_gateway_reply(&mut self, t: Idx<Subnet>, leg: AppGwLeg) -> Next {
        self.gw_step(leg.gw, Kind::Allowed, AppGwWhy::Reply);
        self.nat(Nat::Restore { destination: false, from: self.flow.src, to: leg.frontend });
        self.nat(Nat::Restore { destination: true, from: leg.instance, to: leg.client });
        self.flow.src = leg.frontend;
        self.flow.dst = leg.client;
        self.appgw_passed = true;
        Next::Continue(t, Sender::Endpoint(None))
    }
}
