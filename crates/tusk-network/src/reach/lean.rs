//! The lean evaluator behind [`super::all_pairs`]: the verdict of one
//! class pair on the common hub & spoke paths, without the steps, reasons
//! and texts of a trace, through the same rule functions the trace uses
//! (NSG first match [`crate::nsg::verdict`], the peering rule
//! [`crate::peering::cross`], the firewall's [`crate::firewall::prefilter`]
//! and [`crate::firewall::Prefilter::first_match`], computed once per
//! source and firewall).
//!
//! It answers what the full trace would: the verdict of the first step
//! that is not allowed, forward then reply. Where a step's outcome would
//! be unknown, the pair is unknown without walking on (nothing after an
//! unknown step can change the verdict). Covered: NIC and subnet NSGs,
//! effective routes without doubt, peerings, one Azure Firewall on the
//! way (its network rules, its default deny, and the application rules
//! that make a name-less flow unknown), the Internet next hop for a
//! private destination (dropped), a subnet's stand-in address that nothing
//! holds (delivery unknown or denied, as the trace says), the reply and its
//! symmetry. Anything else (admin rules, Virtual WAN hubs, NVAs, gateways,
//! DNAT, private endpoints, load balancers, a route in doubt) returns
//! `None`, and the full [`crate::trace::trace`] decides.

use super::Rep;
use crate::firewall::{prefilter, snat_applies, FirstMatch, Prefilter};
use crate::prepared::FxMap;
use crate::routes::EffectiveRoute;
use crate::{nsg, Flow, Kind, Owner, Prepared};
use std::net::IpAddr;
use tusk_core::Protocol;
use tusk_model::azure::{
    AddressMatch, AzureFirewall, Direction, FirewallAction, Idx, Link, NetworkInterface, NextHopType, Nsg,
    PrivateRanges, Subnet, VirtualNetwork,
};

/// What the firewall does with a flow, for the lean evaluator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fw {
    /// Allowed by a network rule; `snat`: the source becomes the firewall's.
    Pass {
        /// Does the firewall translate the source?
        snat: bool,
    },
    /// Denied by a network rule or by default.
    Denied,
    /// Unknown: a rule that may match would decide otherwise (an
    /// application rule without a name, say), or the rule set is unknown.
    Unknown,
    /// A shape the lean evaluator leaves to the full trace (a DNAT match).
    Full,
}

/// The evaluator for one source representative.
pub(super) struct Lean<'p, 'a> {
    p: &'p Prepared<'a>,
    src: Rep,
    proto: Protocol,
    port: Option<u16>,
    /// Per firewall: its rules that may match this source (`None` when the
    /// rule set itself is unknown).
    fw: FxMap<Idx<AzureFirewall>, Option<Prefilter<'p>>>,
    /// Firewall outcomes per (firewall, destination VNet), for VNets over
    /// whose whole address space every kept rule decides alike.
    fw_by_vnet: FxMap<(Idx<AzureFirewall>, Idx<VirtualNetwork>), Option<Fw>>,
}

impl<'p, 'a> Lean<'p, 'a> {
    pub(super) fn new(p: &'p Prepared<'a>, src: Rep, proto: Protocol, port: Option<u16>) -> Self {
        Lean { p, src, proto, port, fw: FxMap::default(), fw_by_vnet: FxMap::default() }
    }

    fn vnet(&self, s: Idx<Subnet>) -> Idx<VirtualNetwork> {
        self.p.net.subnets[s].vnet
    }

    /// The NIC behind a representative (`Some(None)`: a NIC-less subnet's
    /// stand-in that nothing holds); `None` for any other holder.
    fn nic(&self, r: Rep) -> Option<Option<Idx<NetworkInterface>>> {
        match r.owner {
            Some(Owner::Nic(n, _)) => Some(Some(n)),
            None if !self.p.private.contains_key(&r.ip) => Some(None),
            _ => None,
        }
    }

    /// NSG verdict, `None` when unknown.
    fn nsg(&self, link: &Option<Link<Nsg>>, vnet: Idx<VirtualNetwork>, dir: Direction, f: &Flow) -> Option<bool> {
        match link {
            None => Some(true),
            Some(Link::Absent(_)) => None,
            Some(Link::Found(i)) => match nsg::verdict(self.p, *i, Some(vnet), dir, f) {
                Kind::Allowed => Some(true),
                Kind::Denied => Some(false),
                Kind::Unknown => None,
            },
        }
    }

    /// The peering rule ([`crate::peering::cross`]); `None` when unknown.
    fn peering(&self, a: Idx<VirtualNetwork>, b: Idx<VirtualNetwork>, src: IpAddr) -> Option<bool> {
        match crate::peering::cross(self.p, a, b, src, false).verdict {
            Kind::Allowed => Some(true),
            Kind::Denied => Some(false),
            Kind::Unknown => None,
        }
    }

    /// The route `dst` takes from subnet `s`; `None` when the lookup is in
    /// doubt (a route on a service tag, a service endpoint whose prefixes
    /// are not given, a doubtful route) or finds no route.
    fn route(&self, s: Idx<Subnet>, dst: IpAddr) -> Option<&'p EffectiveRoute> {
        let routes = &self.p.routes[s];
        if !routes.tag_routes.is_empty() || routes.endpoint_doubt(dst).is_some() {
            return None;
        }
        let r = &routes.routes[routes.best(dst)?];
        r.doubt.is_none().then_some(r)
    }

    fn prefilter(&mut self, fw: Idx<AzureFirewall>) -> Option<&Prefilter<'p>> {
        let (p, src, proto, port) = (self.p, self.src.ip, self.proto, self.port);
        self.fw.entry(fw).or_insert_with(|| prefilter(p, fw, src, proto, port).ok()).as_ref()
    }

    /// [`Self::firewall_each`], shared across a destination VNet when that
    /// is sound: every kept rule's destinations hold all of the VNet's
    /// address space or none of it, and so do the SNAT private ranges.
    fn firewall(&mut self, fw: Idx<AzureFirewall>, f: &Flow, dst_vnet: Idx<VirtualNetwork>) -> Fw {
        if !self.p.vnet_space[dst_vnet].contains_ip(f.dst) {
            return self.firewall_each(fw, f);
        }
        match self.fw_by_vnet.get(&(fw, dst_vnet)) {
            Some(Some(memo)) => return *memo,
            Some(None) => return self.firewall_each(fw, f),
            None => {}
        }
        let uniform = self.uniform(fw, dst_vnet);
        let r = self.firewall_each(fw, f);
        self.fw_by_vnet.insert((fw, dst_vnet), uniform.then_some(r));
        r
    }

    fn uniform(&mut self, fw: Idx<AzureFirewall>, v: Idx<VirtualNetwork>) -> bool {
        let p = self.p;
        let space = p.vnet_space[v].ranges();
        // Holds all of the space, or none of it (no sets are built).
        let whole = |lo: u128, hi: u128| {
            space.iter().all(|&(a, b)| lo <= a && b <= hi) || space.iter().all(|&(a, b)| b < lo || a > hi)
        };
        let fw_ok = match p.net.firewalls[fw].private_ranges.as_ref().or_else(|| {
            p.net.firewalls[fw]
                .policy
                .as_ref()
                .and_then(Link::found)
                .and_then(|i| p.net.firewall_policies[i].private_ranges.as_ref())
        }) {
            Some(PrivateRanges::List(l)) => l.iter().all(|c| whole(c.range().lo, c.range().hi)),
            _ => [
                (0x0a00_0000u128, 0x0aff_ffffu128),
                (0xac10_0000, 0xac1f_ffff),
                (0xc0a8_0000, 0xc0a8_ffff),
                (0x6440_0000, 0x647f_ffff),
            ]
            .iter()
            .all(|(lo, hi)| whole(0xffff_0000_0000 | lo, 0xffff_0000_0000 | hi)),
        };
        if !fw_ok {
            return false;
        }
        // An unknown rule set is unknown for every destination.
        let Some(pre) = self.prefilter(fw) else { return true };
        pre.rules.iter().all(|c| {
            c.rule.destinations.iter().all(|d| match d {
                AddressMatch::Any => true,
                AddressMatch::Prefix(x) => whole(x.range().lo, x.range().hi),
                AddressMatch::Range(lo, hi) => whole(*lo, *hi),
                _ => false,
            })
        })
    }

    /// The firewall's outcome on `f`, from the prefilter's first match.
    fn firewall_each(&mut self, fw: Idx<AzureFirewall>, f: &Flow) -> Fw {
        let p = self.p;
        let Some(pre) = self.prefilter(fw) else { return Fw::Unknown };
        match pre.first_match(p, f, None) {
            FirstMatch::Network(i) if pre.rules[i].action == FirewallAction::Allow => {
                Fw::Pass { snat: snat_applies(p, &p.net.firewalls[fw], f.dst) }
            }
            FirstMatch::Network(_) | FirstMatch::DefaultDeny => Fw::Denied,
            FirstMatch::Doubt(..) | FirstMatch::DnatFqdn(_) => Fw::Unknown,
            FirstMatch::Dnat(_) | FirstMatch::Application(_) => Fw::Full,
        }
    }

    /// The verdict from the source to `dst`, `None` when the full trace
    /// must decide.
    pub(super) fn pair(&mut self, dst: Rep) -> Option<Kind> {
        let p = self.p;
        let net = p.net;
        // Virtual WAN hubs' routes, and routes a resource tusk does not
        // model may inject (a route server's BGP peers), are not modelled
        // here: the full trace says so.
        if !net.admin_rules.is_empty() || !net.virtual_hubs.is_empty() || !net.unmodelled.is_empty() {
            return None;
        }
        let (src_nic, dst_nic) = (self.nic(self.src)?, self.nic(dst)?);
        let mut f = Flow { src: self.src.ip, dst: dst.ip, proto: self.proto, port: self.port };
        let sv = self.vnet(self.src.subnet);
        // Outbound: NIC, then subnet.
        if let Some(n) = src_nic {
            if !self.nsg(&net.nics[n].nsg, sv, Direction::Outbound, &f)? {
                return Some(Kind::Denied);
            }
        }
        if !self.nsg(&net.subnets[self.src.subnet].nsg, sv, Direction::Outbound, &f)? {
            return Some(Kind::Denied);
        }
        let mut cur = self.src.subnet;
        let mut via: Option<(Idx<AzureFirewall>, bool)> = None;
        loop {
            let r = self.route(cur, f.dst)?;
            let v = self.vnet(cur);
            match r.next_hop {
                NextHopType::None => return Some(Kind::Denied),
                // A private destination routed to the Internet is dropped.
                NextHopType::Internet if !p.is_internet(None, f.dst) => return Some(Kind::Denied),
                NextHopType::VnetLocal | NextHopType::VnetPeering => {
                    let b = r.vnet?;
                    if b != v && !self.peering(v, b, f.src)? {
                        return Some(Kind::Denied);
                    }
                    if p.subnet_in(b, f.dst) != Some(dst.subnet) {
                        return None;
                    }
                    break;
                }
                NextHopType::VirtualAppliance => {
                    let Some(Owner::Firewall(fw)) = p.private.get(&r.next_hop_ip?).copied() else { return None };
                    let s2 = p.owner_subnet(Owner::Firewall(fw))?;
                    let b = self.vnet(s2);
                    if via.is_some() {
                        return None;
                    }
                    if b != v && !self.peering(v, b, f.src)? {
                        return Some(Kind::Denied);
                    }
                    let snat = match self.firewall(fw, &f, self.vnet(dst.subnet)) {
                        Fw::Pass { snat } => snat,
                        Fw::Denied => return Some(Kind::Denied),
                        // Every step before it allowed the flow.
                        Fw::Unknown => return Some(Kind::Unknown),
                        Fw::Full => return None,
                    };
                    if snat {
                        f.src = *net.firewalls[fw].private_ips.first()?;
                    }
                    via = Some((fw, snat));
                    cur = s2;
                }
                _ => return None,
            }
        }
        // Inbound: subnet, then NIC.
        let dv = self.vnet(dst.subnet);
        if !self.nsg(&net.subnets[dst.subnet].nsg, dv, Direction::Inbound, &f)? {
            return Some(Kind::Denied);
        }
        let Some(n) = dst_nic else {
            // Nothing holds the stand-in address: the trace's delivery step
            // is unknown when the inputs hold no NIC at all or an opaque
            // device may hold it, denied ("nothing holds it") otherwise;
            // either way it decides, and no reply follows an allowed one.
            let opaque = net.nics.is_empty() || crate::walk::opaque_device(net, dst.subnet, dst.ip).is_some();
            return Some(if opaque { Kind::Unknown } else { Kind::Denied });
        };
        if !self.nsg(&net.nics[n].nsg, dv, Direction::Inbound, &f)? {
            return Some(Kind::Denied);
        }
        self.reply(dst, f, via)
    }

    /// The reply from `dst` to the address it saw, through the same firewall.
    fn reply(&mut self, dst: Rep, f: Flow, via: Option<(Idx<AzureFirewall>, bool)>) -> Option<Kind> {
        let p = self.p;
        let mut g = Flow { src: f.dst, dst: f.src, proto: f.proto, port: None };
        let mut cur = dst.subnet;
        let mut seen = false;
        for _ in 0..4 {
            let r = self.route(cur, g.dst)?;
            let v = self.vnet(cur);
            let at_fw = |ip: IpAddr| match p.private.get(&ip) {
                Some(Owner::Firewall(fw)) => Some(*fw),
                _ => None,
            };
            let next_fw = match r.next_hop {
                NextHopType::None => return Some(Kind::Denied),
                // Dropped, whether or not it also bypasses the firewall.
                NextHopType::Internet if !p.is_internet(None, g.dst) => return Some(Kind::Denied),
                NextHopType::VnetLocal | NextHopType::VnetPeering => {
                    let b = r.vnet?;
                    if b != v && !self.peering(v, b, g.src)? {
                        return Some(Kind::Denied);
                    }
                    match at_fw(g.dst) {
                        Some(fw) => fw,
                        None if p.subnet_in(b, g.dst) == Some(self.src.subnet) && g.dst == self.src.ip => {
                            return Some(if via.is_some() && !seen { Kind::Denied } else { Kind::Allowed });
                        }
                        None => return None,
                    }
                }
                NextHopType::VirtualAppliance => {
                    let fw = at_fw(r.next_hop_ip?)?;
                    let b = self.vnet(p.owner_subnet(Owner::Firewall(fw))?);
                    if b != v && !self.peering(v, b, g.src)? {
                        return Some(Kind::Denied);
                    }
                    fw
                }
                _ => return None,
            };
            // A firewall that did not see the request drops the reply.
            match via {
                Some((fw, _)) if fw == next_fw && seen => return None,
                Some((fw, snat)) if fw == next_fw => {
                    seen = true;
                    if snat {
                        g.dst = self.src.ip;
                    }
                    cur = p.owner_subnet(Owner::Firewall(fw))?;
                }
                _ => return Some(Kind::Denied),
            }
        }
        None
    }
}
