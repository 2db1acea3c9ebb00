//! The devices a route can send a packet to: an Azure Firewall (rules,
//! NAT, and in reply mode its connection state) or a NIC (an NVA when IP
//! forwarding is on, otherwise a drop), and the symmetry check of a reply.
//! An NVA's rules come from `tusk.yaml`; without them its verdict is unknown.

use super::super::decision::{Hop, Nat, SnatWhy};
use super::super::{firewall, nva};
use super::{Arrival, Control, Decision, Kind, Next, Owner, Path, Reason, Sender, Walker};
use std::net::IpAddr;
use tusk_model::azure::{AzureFirewall, Idx, NetworkInterface, Subnet, VirtualNetwork};

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
                nat.push(Nat::Restore { destination: true, from: *a, to: fwd.first_src });
                self.flow.dst = fwd.first_src;
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
        let nva = fwd
            .nvas
            .iter()
            .copied()
            .find(|n| !self.nvas.contains(n) && !net.nics[*n].ip_configs.iter().any(|c| c.private_ip == Some(dst)));
        let fw = fwd
            .devices
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
}
