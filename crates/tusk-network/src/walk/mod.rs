//! The packet walk behind [`super::trace`]: from a subnet, through the
//! controls and the chosen route, to the next subnet or device, until the
//! packet is delivered, dropped, or its fate is unknown. The same walker
//! runs the reply, in "reply mode" (stateful controls pass it; a firewall
//! or a stateful NVA passes it only if it saw the request).

mod devices;
mod edges;

use super::avnm::{self, AdminOutcome};
use super::endpoint::Endpoint;
use super::nsg;
use super::path::{Arrival, Control, Path, Step};
use super::{Cite, Decision, Flow, Kind, Owner, Prepared};
use std::collections::HashSet;
use std::net::IpAddr;
use tusk_model::azure::{
    AzureFirewall, Direction, Idx, Link, NetworkInterface, NextHopType, Subnet, VirtualNetwork, VnetGateway,
};

/// Who puts the packet on the wire at the current subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sender {
    Endpoint(Option<Owner>),
    Firewall(Idx<AzureFirewall>),
    Nva(Idx<NetworkInterface>),
    Gateway(Idx<VnetGateway>),
}

pub enum Start {
    InSubnet(Idx<Subnet>, Sender),
    FromInternet,
    FromOnPrem(Option<Idx<VnetGateway>>),
}

impl Start {
    pub fn from_endpoint(e: &Endpoint) -> Start {
        match e {
            Endpoint::Azure { subnet, owner, .. } => Start::InSubnet(*subnet, Sender::Endpoint(*owner)),
            Endpoint::Internet { .. } => Start::FromInternet,
            Endpoint::OnPrem { gateway, .. } => Start::FromOnPrem(*gateway),
        }
    }

    /// Where the reply to `fwd` starts.
    pub fn reply_from(_p: &Prepared, fwd: &Path) -> Start {
        match &fwd.arrival {
            Arrival::Azure { subnet, owner, .. } => Start::InSubnet(*subnet, Sender::Endpoint(*owner)),
            Arrival::Internet { .. } => Start::FromInternet,
            Arrival::OnPrem { gateway, .. } => Start::FromOnPrem(Some(*gateway)),
            Arrival::Nowhere => Start::FromInternet,
        }
    }
}

enum Next {
    Continue(Idx<Subnet>, Sender),
    Done(Arrival),
}

pub struct Walker<'p, 'a> {
    p: &'p Prepared<'a>,
    flow: Flow,
    /// The forward path, when this walker runs the reply.
    fwd: Option<&'p Path>,
    steps: Vec<Step>,
    devices: Vec<Idx<AzureFirewall>>,
    snat_by: Vec<(Idx<AzureFirewall>, IpAddr)>,
    dnat_by: Vec<(Idx<AzureFirewall>, IpAddr)>,
    nvas: Vec<Idx<NetworkInterface>>,
    nva_snat_by: Vec<(Idx<NetworkInterface>, IpAddr, IpAddr)>,
}

const MAX_HOPS: usize = 64;

impl<'p, 'a> Walker<'p, 'a> {
    pub fn new(p: &'p Prepared<'a>, flow: Flow, fwd: Option<&'p Path>) -> Self {
        Walker {
            p,
            flow,
            fwd,
            steps: Vec::new(),
            devices: Vec::new(),
            snat_by: Vec::new(),
            dnat_by: Vec::new(),
            nvas: Vec::new(),
            nva_snat_by: Vec::new(),
        }
    }

    fn reply(&self) -> bool {
        self.fwd.is_some()
    }

    fn step(&mut self, at: impl Into<String>, control: Control, decision: Decision) -> Kind {
        let v = decision.verdict;
        self.steps.push(Step { at: at.into(), control, decision, src: self.flow.src, dst: self.flow.dst, nat: None });
        v
    }

    fn nat(&mut self, text: String) {
        if let Some(s) = self.steps.last_mut() {
            s.nat = Some(text);
        }
    }

    fn sub(&self, s: Idx<Subnet>) -> String {
        format!("subnet {}", self.p.net.subnet_path(s))
    }

    pub fn run(mut self, start: Start, _target: &Endpoint) -> Path {
        let first_src = self.flow.src;
        let origin = match start {
            Start::InSubnet(_, Sender::Endpoint(o)) => o,
            _ => None,
        };
        let arrival = self.walk(start);
        if self.reply() && arrival != Arrival::Nowhere {
            self.check_symmetry();
        }
        let verdict = match self.steps.iter().find(|s| s.decision.verdict != Kind::Allowed) {
            Some(s) => s.decision.verdict,
            None if arrival == Arrival::Nowhere => Kind::Unknown,
            None => Kind::Allowed,
        };
        Path {
            steps: self.steps,
            verdict,
            arrival,
            devices: self.devices,
            snat_by: self.snat_by,
            dnat_by: self.dnat_by,
            nvas: self.nvas,
            nva_snat_by: self.nva_snat_by,
            origin,
            first_src,
            final_src: self.flow.src,
            final_dst: self.flow.dst,
        }
    }

    fn walk(&mut self, start: Start) -> Arrival {
        let (mut subnet, mut sender) = match start {
            Start::InSubnet(s, snd) => (s, snd),
            Start::FromInternet => match self.enter_from_internet() {
                Next::Continue(s, snd) => (s, snd),
                Next::Done(a) => return a,
            },
            Start::FromOnPrem(g) => match self.enter_from_onprem(g) {
                Next::Continue(s, snd) => (s, snd),
                Next::Done(a) => return a,
            },
        };
        let mut seen = HashSet::new();
        for _ in 0..MAX_HOPS {
            if !seen.insert((subnet, sender, self.flow.src, self.flow.dst)) {
                self.step(
                    self.sub(subnet),
                    Control::Route,
                    Decision::new(Kind::Denied, "routing loop: the packet comes back to a place it already left", None),
                );
                return Arrival::Nowhere;
            }
            match self.hop(subnet, sender) {
                Next::Continue(s, snd) => (subnet, sender) = (s, snd),
                Next::Done(a) => return a,
            }
        }
        self.step(self.sub(subnet), Control::Route, Decision::new(Kind::Denied, "more than 64 hops", None));
        Arrival::Nowhere
    }

    /// One hop: outbound controls at the sender, the route, the next hop.
    fn hop(&mut self, subnet: Idx<Subnet>, sender: Sender) -> Next {
        if !self.reply() {
            let owner = match sender {
                Sender::Endpoint(o) => Some(o),
                Sender::Nva(n) => Some(self.nva_owner(n)),
                _ => None,
            };
            if let Some(o) = owner {
                if !self.outbound(subnet, o) {
                    return Next::Done(Arrival::Nowhere);
                }
            }
        }
        let p = self.p;
        let net = p.net;
        let table = p.routes_from(
            subnet,
            match sender {
                Sender::Endpoint(o) => o,
                _ => None,
            },
        );
        let Some(choice) = table.lookup(self.flow.dst) else {
            self.step(
                self.sub(subnet),
                Control::Route,
                Decision::new(Kind::Denied, format!("no route for {}", self.flow.dst), None),
            );
            return Next::Done(Arrival::Nowhere);
        };
        let r = &table.routes[choice.route];
        let cite = Some(Cite {
            holder: match (r.source, net.subnets[subnet].route_table.as_ref().and_then(Link::found)) {
                (super::routes::RouteSource::User, Some(t)) => format!("route table {}", net.route_tables[t].id.name()),
                _ => format!("{} route", r.source.name()),
            },
            rule: r.name.clone(),
            priority: None,
            loc: r.loc.clone(),
        });
        let hop_text = match r.next_hop_ip {
            Some(ip) => format!("{} {ip}", r.next_hop),
            None => r.next_hop.to_string(),
        };
        let why = format!("{} → {hop_text} ({} route; {})", r.prefix, r.source.name(), choice.why);
        let verdict = match (&choice.doubt, r.next_hop) {
            (_, NextHopType::None) => Kind::Denied,
            (Some(_), _) => Kind::Unknown,
            _ => Kind::Allowed,
        };
        let why = match (&choice.doubt, r.next_hop) {
            (_, NextHopType::None) => format!("{why}; next hop None drops the packet"),
            (Some(d), _) => format!("{why}; {d}"),
            _ => why,
        };
        if self.step(self.sub(subnet), Control::Route, Decision::new(verdict, why, cite)) == Kind::Denied {
            return Next::Done(Arrival::Nowhere);
        }
        // A reply whose route goes anywhere but to an appliance does not
        // cross a stateful device it still owes a visit: the drop is here,
        // where it leaves the request's path, not after its delivery.
        if self.reply() && r.next_hop != NextHopType::VirtualAppliance && self.bypasses_a_device() {
            return Next::Done(Arrival::Nowhere);
        }
        let v = net.subnets[subnet].vnet;
        match r.next_hop {
            NextHopType::VnetLocal => self.arrive(v),
            NextHopType::VnetPeering => match r.vnet {
                Some(b) => {
                    if self.peering(v, b, sender) {
                        self.arrive(b)
                    } else {
                        Next::Done(Arrival::Nowhere)
                    }
                }
                None => {
                    self.step(
                        self.sub(subnet),
                        Control::Peering,
                        Decision::new(Kind::Unknown, "the peered virtual network is not in the inputs", None),
                    );
                    Next::Done(Arrival::Nowhere)
                }
            },
            NextHopType::VirtualAppliance => match r.next_hop_ip {
                Some(ip) => self.appliance(v, ip, sender),
                None => Next::Done(Arrival::Nowhere),
            },
            NextHopType::VirtualNetworkGateway => self.hand_to_gateway(subnet, r.gateway),
            NextHopType::Internet => self.leave_to_internet(subnet, sender),
            NextHopType::None => Next::Done(Arrival::Nowhere),
        }
    }

    /// Is `o` the device that opened the connection this walker replies to?
    fn is_origin(&self, o: Owner) -> bool {
        self.fwd.is_some_and(|f| f.origin == Some(o) && f.first_src == self.flow.dst)
    }

    fn nva_owner(&self, nic: Idx<NetworkInterface>) -> Option<Owner> {
        Some(Owner::Nic(nic, 0))
    }

    /// AVNM security admin rules at `subnet`, which run before NSGs:
    /// `Some(passes)` when they settle the flow (AlwaysAllow skips NSGs, a
    /// final Deny drops), `None` to go on to the NSGs.
    fn admin_rules(&mut self, subnet: Idx<Subnet>, dir: Direction) -> Option<bool> {
        let v = self.p.net.subnets[subnet].vnet;
        match avnm::evaluate(self.p, v, dir, &self.flow) {
            AdminOutcome::NoMatch => None,
            AdminOutcome::Continue(d) => {
                self.step(self.sub(subnet), Control::AdminRules, d);
                None
            }
            AdminOutcome::AlwaysAllow(d) => {
                self.step(self.sub(subnet), Control::AdminRules, d);
                Some(true)
            }
            AdminOutcome::Final(d) => Some(self.step(self.sub(subnet), Control::AdminRules, d) != Kind::Denied),
        }
    }

    /// Admin rules, then the NIC's NSG, then the subnet's NSG, outbound.
    fn outbound(&mut self, subnet: Idx<Subnet>, owner: Option<Owner>) -> bool {
        if let Some(ok) = self.admin_rules(subnet, Direction::Outbound) {
            return ok;
        }
        let v = self.p.net.subnets[subnet].vnet;
        if let Some(Owner::Nic(n, _)) = owner {
            if !self.nic_nsg(n, v, Direction::Outbound) {
                return false;
            }
        }
        self.subnet_nsg(subnet, Direction::Outbound, false)
    }

    /// Admin rules, then the subnet's NSG, then the NIC's NSG, inbound.
    fn inbound(&mut self, subnet: Idx<Subnet>, owner: Option<Owner>) -> bool {
        if let Some(ok) = self.admin_rules(subnet, Direction::Inbound) {
            return ok;
        }
        let v = self.p.net.subnets[subnet].vnet;
        let pe = matches!(owner, Some(Owner::PrivateEndpoint(_)));
        if !self.subnet_nsg(subnet, Direction::Inbound, pe) {
            return false;
        }
        if let Some(Owner::Nic(n, _)) = owner {
            return self.nic_nsg(n, v, Direction::Inbound);
        }
        true
    }

    fn subnet_nsg(&mut self, subnet: Idx<Subnet>, dir: Direction, private_endpoint: bool) -> bool {
        let net = self.p.net;
        let s = &net.subnets[subnet];
        let at = self.sub(subnet);
        // The subnet's NSG filters traffic to its private endpoints only when
        // its privateEndpointNetworkPolicies is Enabled or
        // NetworkSecurityGroupEnabled ("Manage network policies for private
        // endpoints", private-link/disable-private-endpoint-network-policy).
        if private_endpoint && s.nsg.is_some() && !s.private_endpoint_policies.nsg_applies() {
            let why = format!(
                "the subnet's NSG does not apply to private endpoints: privateEndpointNetworkPolicies is {:?}",
                s.private_endpoint_policies
            );
            let cite = Cite {
                holder: at.clone(),
                rule: "privateEndpointNetworkPolicies".into(),
                priority: None,
                loc: s.loc.clone(),
            };
            self.step(at, Control::Nsg, Decision::new(Kind::Allowed, why, Some(cite)));
            return true;
        }
        let d = match &s.nsg {
            None => return true,
            Some(Link::Absent(id)) => {
                Decision::new(Kind::Unknown, format!("the subnet's NSG `{}` is not in the inputs", id.name()), None)
            }
            Some(Link::Found(i)) => {
                let nsg = &net.nsgs[*i];
                let holder = format!("NSG {} on {at}", nsg.id.name());
                nsg::evaluate(self.p, nsg, &holder, Some(s.vnet), dir, &self.flow)
            }
        };
        self.step(at, Control::Nsg, d) != Kind::Denied
    }

    fn nic_nsg(&mut self, n: Idx<NetworkInterface>, vnet: Idx<VirtualNetwork>, dir: Direction) -> bool {
        let net = self.p.net;
        let nic = &net.nics[n];
        let at = format!("NIC {}", nic.id.name());
        let d = match &nic.nsg {
            None => return true,
            Some(Link::Absent(id)) => {
                Decision::new(Kind::Unknown, format!("the NIC's NSG `{}` is not in the inputs", id.name()), None)
            }
            Some(Link::Found(i)) => {
                let nsg = &net.nsgs[*i];
                let holder = format!("NSG {} on {at}", nsg.id.name());
                nsg::evaluate(self.p, nsg, &holder, Some(vnet), dir, &self.flow)
            }
        };
        self.step(at, Control::Nsg, d) != Kind::Denied
    }

    /// Crossing from VNet `a` into VNet `b` over their peering.
    fn peering(&mut self, a: Idx<VirtualNetwork>, b: Idx<VirtualNetwork>, sender: Sender) -> bool {
        let p = self.p;
        let net = p.net;
        let at = format!("peering {} → {}", net.vnets[a].id.name(), net.vnets[b].id.name());
        let (Some(ab), Some(ba)) = (p.peering(a, b), p.peering(b, a)) else {
            return self.step(
                at,
                Control::Peering,
                Decision::new(Kind::Unknown, "only one side of the peering is in the inputs", None),
            ) != Kind::Denied;
        };
        let cite = |pe: &tusk_model::azure::Peering, flag: &str| Cite {
            holder: format!("peering {}", pe.id.name()),
            rule: flag.to_string(),
            priority: None,
            loc: pe.loc.clone(),
        };
        // "Allow virtual network access" on either side gates all traffic
        // between the two (virtual-network/virtual-network-manage-peering).
        for pe in [ab, ba] {
            if !pe.allow_virtual_network_access {
                return self.step(
                    at,
                    Control::Peering,
                    Decision::new(
                        Kind::Denied,
                        format!("`{}` has allowVirtualNetworkAccess false", pe.id.name()),
                        Some(cite(pe, "allowVirtualNetworkAccess")),
                    ),
                ) != Kind::Denied;
            }
        }
        // Traffic whose source is outside the sending VNet was forwarded (by
        // an NVA, a firewall or a gateway); the receiving side's peering must
        // allow forwarded traffic. Gateway transit traffic is governed by
        // useRemoteGateways instead.
        let forwarded = !p.vnet_space[a].contains_ip(self.flow.src);
        let transit = matches!(sender, Sender::Gateway(_)) && ba.use_remote_gateways;
        if forwarded && !transit && !ba.allow_forwarded_traffic {
            return self.step(
                at,
                Control::Peering,
                Decision::new(
                    Kind::Denied,
                    format!(
                        "source {} is not in {}'s address space (forwarded traffic) and `{}` does not allow forwarded traffic",
                        self.flow.src,
                        net.vnets[a].id.name(),
                        ba.id.name()
                    ),
                    Some(cite(ba, "allowForwardedTraffic")),
                ),
            ) != Kind::Denied;
        }
        let (why, flag) = if forwarded {
            ("access and forwarded traffic allowed", "allowForwardedTraffic")
        } else {
            ("access allowed", "allowVirtualNetworkAccess")
        };
        self.step(at, Control::Peering, Decision::new(Kind::Allowed, why, Some(cite(ba, flag)))) != Kind::Denied
    }

    /// The packet is in VNet `v`, addressed to its destination.
    fn arrive(&mut self, v: Idx<VirtualNetwork>) -> Next {
        let p = self.p;
        let dst = self.flow.dst;
        let Some(t) = p.subnet_in(v, dst) else {
            self.step(
                format!("virtual network {}", p.net.vnets[v].id.name()),
                Control::Delivery,
                Decision::new(Kind::Denied, format!("no subnet of {} holds {dst}", p.net.vnets[v].id.name()), None),
            );
            return Next::Done(Arrival::Nowhere);
        };
        let owner = p.private.get(&dst).copied().filter(|o| p.owner_subnet(*o) == Some(t));
        match owner {
            // The reply to a connection a device opened itself ends there.
            Some(o) if self.is_origin(o) => self.deliver(t, owner),
            Some(Owner::Firewall(f)) => self.firewall(f, t),
            // The reply to an NVA that translated the request's source is
            // addressed to the NVA itself: it translates it back and forwards.
            Some(Owner::Nic(n, c))
                if self.fwd.is_some_and(|f| f.nva_snat_by.iter().any(|x| (x.0, x.1) == (n, dst))) =>
            {
                self.nva(n, c, t)
            }
            Some(Owner::Gateway(_)) | Some(Owner::LbFrontend(..)) => {
                let name = owner.map(|o| p.owner_name(o)).unwrap_or_default();
                self.step(
                    self.sub(t),
                    Control::Delivery,
                    Decision::new(
                        Kind::Unknown,
                        format!("{dst} is {name}; what it does with the packet is not modelled"),
                        None,
                    ),
                );
                Next::Done(Arrival::Nowhere)
            }
            _ => self.deliver(t, owner),
        }
    }

    fn deliver(&mut self, t: Idx<Subnet>, owner: Option<Owner>) -> Next {
        let p = self.p;
        let dst = self.flow.dst;
        let at = self.sub(t);
        if self.reply() {
            self.step(
                at.clone(),
                Control::Stateful,
                Decision::new(Kind::Allowed, "reply of an allowed flow: NSGs and admin rules are stateful", None),
            );
        } else if !self.inbound(t, owner) {
            return Next::Done(Arrival::Nowhere);
        }
        let d = match owner {
            Some(o) => Decision::new(Kind::Allowed, format!("delivered to {}", p.owner_name(o)), None),
            None if p.net.nics.is_empty() => Decision::new(
                Kind::Unknown,
                format!("no NIC in the inputs holds {dst}; its NIC-level NSG is unknown"),
                None,
            ),
            None => Decision::new(
                Kind::Denied,
                format!("no NIC, firewall or private endpoint in the inputs holds {dst}"),
                None,
            ),
        };
        let v = self.step(at, Control::Delivery, d);
        if v == Kind::Denied {
            return Next::Done(Arrival::Nowhere);
        }
        Next::Done(Arrival::Azure { subnet: t, owner, ip: dst })
    }
}

fn opt(p: Option<u16>) -> String {
    p.map(|p| p.to_string()).unwrap_or_else(|| "*".into())
}
