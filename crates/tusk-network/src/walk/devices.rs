//! The devices a route can send a packet to: an Azure Firewall (rules,
//! NAT, and in reply mode its connection state) or a NIC (an NVA when IP
//! forwarding is on, otherwise a drop), and the symmetry check of a reply.
//! An NVA's rules come from `tusk.yaml`; without them its verdict is unknown.

use super::super::decision::{Hop, Nat, SnatWhy};
use super::super::{firewall, nva};
use super::{Arrival, Control, Decision, Kind, Next, Owner, Path, Reason, Sender, Walker};
use std::net::IpAddr;
use tusk_model::azure::{AzureFirewall, Idx, LoadBalancer, NetworkInterface, Subnet, VirtualNetwork};

impl Walker<'_, '_> {
    /// A route sent the packet to `ip` as next hop, from VNet `a`.
    pub(super) fn appliance(&mut self, a: Idx<VirtualNetwork>, ip: IpAddr, sender: Sender) -> Next {
        let p = self.p;
        let Some(&o) = p.private.get(&ip) else {
            let d = Decision::new(Kind::Unknown, Reason::NextHopUnknown { ip }, None);
            self.step(Hop::NextHop(ip), Control::Nva, d);
            return Next::Done(Arrival::Nowhere);
        };
        let Some(s2) = p.owner_subnet(o) else {
            let d = Decision::new(Kind::Unknown, Reason::OwnerSubnetMissing(o), None);
            self.step(Hop::NextHop(ip), Control::Nva, d);
            return Next::Done(Arrival::Nowhere);
        };
        let b = p.net.subnets[s2].vnet;
        if a != b {
            // The next hop must be in the same or a directly peered VNet.
            if p.peering(a, b).is_none() {
                let d = Decision::new(Kind::Denied, Reason::NextHopNotPeered { ip, at: b, from: a }, None);
                self.step(Hop::NextHop(ip), Control::Route, d);
                return Next::Done(Arrival::Nowhere);
            }
            if !self.peering(a, b, sender) {
                return Next::Done(Arrival::Nowhere);
            }
        }
        match o {
            // A reply routed to the device that opened the connection (a
            // firewall or NVA sending traffic of its own) is delivered to it:
            // it holds the connection's state.
            _ if self.is_origin(o) => self.deliver(s2, Some(o)),
            // A route to the node that takes the destination behind it
            // (kubenet: the route AKS maintains for a node's pod CIDR).
            _ if self.target_holder() == Some(o) => {
                let d = Decision::new(Kind::Allowed, Reason::HandedTo { dst: self.flow.dst, owner: o }, None);
                self.step(Hop::Device(o), Control::Delivery, d);
                self.deliver(s2, Some(o))
            }
            Owner::Firewall(f) => self.firewall(f, s2),
            Owner::Nic(n, c) if p.net.nics[n].ip_forwarding => self.nva(n, c, s2),
            _ => {
                self.step(Hop::Device(o), Control::Nva, Decision::new(Kind::Denied, Reason::DoesNotForward(o), None));
                Next::Done(Arrival::Nowhere)
            }
        }
    }

    /// NIC `n` (IP forwarding on, in subnet `s`) received a packet to
    /// forward on its ip configuration `c`.
    pub(super) fn nva(&mut self, n: Idx<NetworkInterface>, c: usize, s: Idx<Subnet>) -> Next {
        let p = self.p;
        let o = Owner::Nic(n, c);
        let at = Hop::Device(o);
        let Some(cfg) = p.nva(n) else {
            if !self.reply() && !self.inbound(s, Some(o)) {
                return Next::Done(Arrival::Nowhere);
            }
            self.step(at, Control::Nva, Decision::new(Kind::Unknown, Reason::NvaRulesMissing, None));
            return Next::Continue(s, Sender::Nva(n));
        };
        if let Some(fwd) = self.fwd {
            if cfg.stateful {
                return self.nva_reply(n, s, at, fwd);
            }
            // A stateless NVA knows no connections: the reply is a packet
            // like any other, judged by the rules.
            let d = nva::evaluate(cfg, n, &self.flow);
            if self.step(at, Control::Nva, d) == Kind::Denied {
                return Next::Done(Arrival::Nowhere);
            }
            return Next::Continue(s, Sender::Nva(n));
        }
        if !self.inbound(s, Some(o)) {
            return Next::Done(Arrival::Nowhere);
        }
        let d = nva::evaluate(cfg, n, &self.flow);
        if cfg.stateful {
            self.nvas.push(n);
        }
        if self.step(at, Control::Nva, d) == Kind::Denied {
            return Next::Done(Arrival::Nowhere);
        }
        if let Some(own) = cfg.snat.then(|| p.net.nics[n].ip_configs.get(c).and_then(|i| i.private_ip)).flatten() {
            self.nat(Nat::Snat { from: self.flow.src, to: own, why: SnatWhy::NvaSnat });
            self.nva_snat_by.push((n, own, self.flow.src));
            self.flow.src = own;
        }
        Next::Continue(s, Sender::Nva(n))
    }

    /// A stateful NVA on the reply: it passes the reply of a connection it
    /// forwarded (translating back what it translated) and drops any other.
    fn nva_reply(&mut self, n: Idx<NetworkInterface>, s: Idx<Subnet>, at: Hop, fwd: &Path) -> Next {
        if !fwd.nvas.contains(&n) {
            self.step(at, Control::Nva, Decision::new(Kind::Denied, Reason::NvaNeverSawRequest, None));
            return Next::Done(Arrival::Nowhere);
        }
        self.step(at, Control::Nva, Decision::new(Kind::Allowed, Reason::NvaReplyStateful, None));
        if let Some(&(_, own, orig)) = fwd.nva_snat_by.iter().find(|x| x.0 == n && x.1 == self.flow.dst) {
            self.nat(Nat::Restore { destination: true, from: own, to: orig });
            self.flow.dst = orig;
        }
        self.nvas.push(n);
        Next::Continue(s, Sender::Nva(n))
    }

    pub(super) fn firewall(&mut self, f: Idx<AzureFirewall>, s: Idx<Subnet>) -> Next {
        let p = self.p;
        let fw = &p.net.firewalls[f];
        let at = Hop::Device(Owner::Firewall(f));
        if let Some(fwd) = self.fwd {
            if !fwd.devices.contains(&f) {
                self.step(at, Control::Firewall, Decision::new(Kind::Denied, Reason::FirewallNeverSawRequest, None));
                return Next::Done(Arrival::Nowhere);
            }
            let mut nat = Vec::new();
            if let Some((_, a)) = fwd.snat_by.iter().find(|(g, a)| *g == f && *a == self.flow.dst) {
                // Before the reply reaches the request's application
                // gateway, the connection is the gateway's own.
                let first = match fwd.appgw {
                    Some(l) if !self.appgw_passed => l.instance,
                    _ => fwd.first_src,
                };
                nat.push(Nat::Restore { destination: true, from: *a, to: first });
                self.flow.dst = first;
            }
            if let Some((_, orig)) = fwd.dnat_by.iter().find(|(g, _)| *g == f) {
                nat.push(Nat::Restore { destination: false, from: self.flow.src, to: *orig });
                self.flow.src = *orig;
            }
            self.step(at, Control::Firewall, Decision::new(Kind::Allowed, Reason::FirewallReplyMatches, None));
            nat.into_iter().for_each(|n| self.nat(n));
            self.devices.push(f);
            return Next::Continue(s, Sender::Firewall(f));
        }
        let out = firewall::evaluate_named(p, f, &self.flow, self.name.as_deref());
        self.devices.push(f);
        let v = self.step(at, Control::Firewall, out.decision);
        if v == Kind::Denied {
            return Next::Done(Arrival::Nowhere);
        }
        if let Some((to, port)) = out.dnat {
            self.nat(Nat::Dnat { from: self.flow.dst, from_port: self.flow.port, to, to_port: port });
            self.dnat_by.push((f, self.flow.dst));
            self.flow.dst = to;
            self.flow.port = port;
        }
        match (out.snat, fw.private_ips.first()) {
            (Some(why), Some(own)) => {
                self.nat(Nat::Snat { from: self.flow.src, to: *own, why });
                self.snat_by.push((f, *own));
                self.flow.src = *own;
            }
            (Some(_), None) => {}
            (None, _) => out.keeps_source.into_iter().for_each(|n| self.nat(n)),
        }
        Next::Continue(s, Sender::Firewall(f))
    }

    /// In reply mode, before a hop that reaches no appliance: is a firewall
    /// or stateful NVA of the request, other than the reply's own
    /// destination, still unvisited? Then the reply bypasses it, and the
    /// step saying so is recorded.
    pub(super) fn bypasses_a_device(&mut self) -> bool {
        let Some(fwd) = self.fwd else { return false };
        let dst = self.flow.dst;
        let net = self.p.net;
        // Before the reply reaches the request's application gateway, only
        // the devices of the gateway's own connection are owed a visit.
        let (d0, n0) = match fwd.appgw {
            Some(l) if !self.appgw_passed => (l.devices, l.nvas),
            _ => (0, 0),
        };
        let nva = fwd.nvas[n0..]
            .iter()
            .copied()
            .find(|n| !self.nvas.contains(n) && !net.nics[*n].ip_configs.iter().any(|c| c.private_ip == Some(dst)));
        let fw = fwd.devices[d0..]
            .iter()
            .copied()
            .find(|f| !self.devices.contains(f) && !net.firewalls[*f].private_ips.contains(&dst));
        if nva.is_none() && fw.is_none() {
            return false;
        }
        self.check_symmetry();
        true
    }

    /// Every firewall and stateful NVA the request crossed must see the
    /// reply too.
    pub(super) fn check_symmetry(&mut self) {
        let fwd = self.fwd.expect("reply mode");
        for &n in &fwd.nvas {
            if !self.nvas.contains(&n) {
                let o = Owner::Nic(n, 0);
                self.step(Hop::Device(o), Control::Nva, Decision::new(Kind::Denied, Reason::BypassesNva(o), None));
            }
        }
        for &f in &fwd.devices {
            if !self.devices.contains(&f) {
                let d = Decision::new(Kind::Denied, Reason::BypassesFirewall(f), None);
                self.step(Hop::Device(Owner::Firewall(f)), Control::Firewall, d);
            }
        }
    }

    /// A flow to a load balancer frontend: the rule's backends, each walked
    /// on its own (destination translated to it); the verdict holds when
    /// every backend answers alike, else it is "mixed" (unknown). Backends
    /// must share one subnet, so that their replies route alike.
    pub(super) fn load_balancer(&mut self, l: Idx<LoadBalancer>, fi: usize) -> Next {
        let p = self.p;
        let at = Hop::Device(Owner::LbFrontend(l, fi));
        let (rule, backends, port) = match crate::lb::select(p, l, fi, &self.flow) {
            Ok(x) => x,
            Err(reason) => {
                self.step(at, Control::Delivery, Decision::new(Kind::Unknown, reason, None));
                return Next::Done(Arrival::Nowhere);
            }
        };
        let subnets: Vec<Option<Idx<Subnet>>> = backends
            .iter()
            .map(|b| b.owner.and_then(|o| p.owner_subnet(o)).or_else(|| p.subnets_holding(b.ip).into_iter().next()))
            .collect();
        let Some(Some(bs)) = subnets.first().copied() else {
            let d = Decision::new(
                Kind::Unknown,
                Reason::LbUnknown { lb: l, why: crate::lb::LbDoubt::BackendsSpread },
                None,
            );
            self.step(at, Control::Delivery, d);
            return Next::Done(Arrival::Nowhere);
        };
        if subnets.iter().any(|s| *s != Some(bs)) {
            let d = Decision::new(
                Kind::Unknown,
                Reason::LbUnknown { lb: l, why: crate::lb::LbDoubt::BackendsSpread },
                None,
            );
            self.step(at, Control::Delivery, d);
            return Next::Done(Arrival::Nowhere);
        }
        let ips: Vec<IpAddr> = backends.iter().map(|b| b.ip).collect();
        // The step that says "all alike" is kept only when they are.
        let fork = self.steps.len() + 1;
        let mut runs: Vec<(Self, Next, Kind)> = Vec::new();
        for b in &backends {
            let mut w = self.clone();
            let reason = Reason::LoadBalanced { lb: l, rule, backends: ips.clone() };
            w.step(at, Control::Delivery, Decision::new(Kind::Allowed, reason, None));
            w.nat(Nat::Dnat { from: w.flow.dst, from_port: w.flow.port, to: b.ip, to_port: port });
            w.flow.dst = b.ip;
            w.flow.port = port;
            let next = w.deliver(bs, b.owner);
            let kind =
                w.steps[fork..].iter().map(|s| s.decision.verdict).find(|k| *k != Kind::Allowed).unwrap_or(
                    if matches!(next, Next::Done(Arrival::Nowhere)) { Kind::Unknown } else { Kind::Allowed },
                );
            runs.push((w, next, kind));
        }
        let first = runs[0].2;
        if runs.iter().all(|r| r.2 == first) {
            let (w, next, _) = runs.swap_remove(0);
            *self = w;
            return next;
        }
        let allowed = runs.iter().filter(|r| r.2 == Kind::Allowed).map(|r| r.0.flow.dst).collect();
        let other = runs.iter().filter(|r| r.2 != Kind::Allowed).map(|r| (r.0.flow.dst, r.2)).collect();
        let d = Decision::new(Kind::Unknown, Reason::LbMixed { lb: l, rule, allowed, other }, None);
        self.step(at, Control::Delivery, d);
        Next::Done(Arrival::Nowhere)
    }
}
