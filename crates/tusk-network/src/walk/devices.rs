//! The devices a route can send a packet to: an Azure Firewall (rules,
//! NAT, and in reply mode its connection state) or a NIC (an NVA when IP
//! forwarding is on, otherwise a drop), and the symmetry check of a reply.
//! An NVA's rules come from `tusk.yaml`; without them its verdict is unknown.

use super::super::{firewall, nva};
use super::{opt, Arrival, Control, Decision, Kind, Next, Owner, Path, Sender, Walker};
use std::net::IpAddr;
use tusk_model::azure::{AzureFirewall, Idx, NetworkInterface, Subnet, VirtualNetwork};

impl Walker<'_, '_> {
    /// A route sent the packet to `ip` as next hop, from VNet `a`.
    pub(super) fn appliance(&mut self, a: Idx<VirtualNetwork>, ip: IpAddr, sender: Sender) -> Next {
        let p = self.p;
        let Some(&o) = p.private.get(&ip) else {
            self.step(
                format!("next hop {ip}"),
                Control::Nva,
                Decision::new(Kind::Unknown, format!("next hop {ip} is no NIC or firewall of the inputs"), None),
            );
            return Next::Done(Arrival::Nowhere);
        };
        let Some(s2) = p.owner_subnet(o) else {
            self.step(
                format!("next hop {ip}"),
                Control::Nva,
                Decision::new(Kind::Unknown, format!("the subnet of {} is not in the inputs", p.owner_name(o)), None),
            );
            return Next::Done(Arrival::Nowhere);
        };
        let b = p.net.subnets[s2].vnet;
        if a != b {
            // The next hop must be in the same or a directly peered VNet.
            if p.peering(a, b).is_none() {
                self.step(
                    format!("next hop {ip}"),
                    Control::Route,
                    Decision::new(
                        Kind::Denied,
                        format!(
                            "next hop {ip} is in {}, which is not peered with {}",
                            p.net.vnets[b].id.name(),
                            p.net.vnets[a].id.name()
                        ),
                        None,
                    ),
                );
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
                self.step(p.owner_name(o), Control::Nva, Decision::new(Kind::Denied, format!("{} does not forward: only a NIC with IP forwarding enabled or an Azure Firewall accepts packets addressed elsewhere", p.owner_name(o)), None));
                Next::Done(Arrival::Nowhere)
            }
        }
    }

    /// NIC `n` (IP forwarding on, in subnet `s`) received a packet to
    /// forward on its ip configuration `c`.
    pub(super) fn nva(&mut self, n: Idx<NetworkInterface>, c: usize, s: Idx<Subnet>) -> Next {
        let p = self.p;
        let o = Owner::Nic(n, c);
        let at = p.owner_name(o);
        let Some(cfg) = p.nva(n) else {
            if !self.reply() && !self.inbound(s, Some(o)) {
                return Next::Done(Arrival::Nowhere);
            }
            self.step(at, Control::Nva, Decision::new(Kind::Unknown, "network virtual appliance (IP forwarding on): its rules are not in the inputs (no `nvas` entry in tusk.yaml), so whether it forwards, drops or translates is unknown", None));
            return Next::Continue(s, Sender::Nva(n));
        };
        let holder = format!("tusk.yaml NVA {}", cfg.nic);
        if let Some(fwd) = self.fwd {
            if cfg.stateful {
                return self.nva_reply(n, s, at, fwd);
            }
            // A stateless NVA knows no connections: the reply is a packet
            // like any other, judged by the rules.
            let d = nva::evaluate(cfg, &holder, &self.flow);
            if self.step(at, Control::Nva, d) == Kind::Denied {
                return Next::Done(Arrival::Nowhere);
            }
            return Next::Continue(s, Sender::Nva(n));
        }
        if !self.inbound(s, Some(o)) {
            return Next::Done(Arrival::Nowhere);
        }
        let d = nva::evaluate(cfg, &holder, &self.flow);
        if cfg.stateful {
            self.nvas.push(n);
        }
        if self.step(at, Control::Nva, d) == Kind::Denied {
            return Next::Done(Arrival::Nowhere);
        }
        if let Some(own) = cfg.snat.then(|| p.net.nics[n].ip_configs.get(c).and_then(|i| i.private_ip)).flatten() {
            self.nat(format!("SNAT {} → {own} (NVA `snat: true`)", self.flow.src));
            self.nva_snat_by.push((n, own, self.flow.src));
            self.flow.src = own;
        }
        Next::Continue(s, Sender::Nva(n))
    }

    /// A stateful NVA on the reply: it passes the reply of a connection it
    /// forwarded (translating back what it translated) and drops any other.
    fn nva_reply(&mut self, n: Idx<NetworkInterface>, s: Idx<Subnet>, at: String, fwd: &Path) -> Next {
        if !fwd.nvas.contains(&n) {
            self.step(at, Control::Nva, Decision::new(
                Kind::Denied,
                "asymmetric routing: the reply reaches this stateful NVA, which never saw the request, and it drops it",
                None,
            ));
            return Next::Done(Arrival::Nowhere);
        }
        self.step(
            at,
            Control::Nva,
            Decision::new(Kind::Allowed, "reply of a flow the NVA allowed: it is stateful", None),
        );
        if let Some(&(_, own, orig)) = fwd.nva_snat_by.iter().find(|x| x.0 == n && x.1 == self.flow.dst) {
            self.nat(format!("un-NAT: destination {own} → {orig}"));
            self.flow.dst = orig;
        }
        self.nvas.push(n);
        Next::Continue(s, Sender::Nva(n))
    }

    pub(super) fn firewall(&mut self, f: Idx<AzureFirewall>, s: Idx<Subnet>) -> Next {
        let p = self.p;
        let fw = &p.net.firewalls[f];
        let at = format!("Azure Firewall {}", fw.id.name());
        if let Some(fwd) = self.fwd {
            if !fwd.devices.contains(&f) {
                self.step(at, Control::Firewall, Decision::new(
                    Kind::Denied,
                    "asymmetric routing: the reply reaches this firewall, which never saw the request; Azure Firewall is stateful and drops it",
                    None,
                ));
                return Next::Done(Arrival::Nowhere);
            }
            let mut nat = Vec::new();
            if let Some((_, a)) = fwd.snat_by.iter().find(|(g, a)| *g == f && *a == self.flow.dst) {
                nat.push(format!("destination {a} → {}", fwd.first_src));
                self.flow.dst = fwd.first_src;
            }
            if let Some((_, orig)) = fwd.dnat_by.iter().find(|(g, _)| *g == f) {
                nat.push(format!("source {} → {orig}", self.flow.src));
                self.flow.src = *orig;
            }
            self.step(
                at,
                Control::Firewall,
                Decision::new(Kind::Allowed, "reply matches the connection the firewall saw", None),
            );
            if !nat.is_empty() {
                self.nat(format!("un-NAT: {}", nat.join(", ")));
            }
            self.devices.push(f);
            return Next::Continue(s, Sender::Firewall(f));
        }
        let out = firewall::evaluate(p, f, &self.flow);
        self.devices.push(f);
        let v = self.step(at, Control::Firewall, out.decision);
        if v == Kind::Denied {
            return Next::Done(Arrival::Nowhere);
        }
        let mut nat = Vec::new();
        if let Some((to, port)) = out.dnat {
            nat.push(format!("DNAT {}:{} → {to}:{}", self.flow.dst, opt(self.flow.port), opt(port)));
            self.dnat_by.push((f, self.flow.dst));
            self.flow.dst = to;
            self.flow.port = port;
        }
        if out.snat {
            if let Some(own) = fw.private_ips.first() {
                nat.push(format!("SNAT {} → {own} ({})", self.flow.src, out.snat_reason));
                self.snat_by.push((f, *own));
                self.flow.src = *own;
            }
        } else if !out.snat_reason.is_empty() {
            nat.push(out.snat_reason);
        }
        if !nat.is_empty() {
            self.nat(nat.join("; "));
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
                let at = self.p.owner_name(Owner::Nic(n, 0));
                self.step(
                    at.clone(),
                    Control::Nva,
                    Decision::new(
                        Kind::Denied,
                        format!("asymmetric routing: the reply bypasses {at}, a stateful NVA that saw the request; it never sees the reply and drops the connection"),
                        None,
                    ),
                );
            }
        }
        for f in &fwd.devices {
            if !self.devices.contains(f) {
                let name = self.p.net.firewalls[*f].id.name().to_string();
                self.step(
                    format!("Azure Firewall {name}"),
                    Control::Firewall,
                    Decision::new(
                        Kind::Denied,
                        format!("asymmetric routing: the reply bypasses firewall {name}, which saw the request; the stateful firewall never sees the reply and drops the connection"),
                        None,
                    ),
                );
            }
        }
    }
}
