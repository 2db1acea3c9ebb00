//! The packet walk behind [`super::trace`]: from a subnet, through the
//! controls and the chosen route, to the next subnet or device, until the
//! packet is delivered, dropped, or its fate is unknown. The same walker
//! runs the reply, in "reply mode" (stateful controls pass it; a firewall
//! or a stateful NVA passes it only if it saw the request).

mod appgw;
mod bastion_in;
mod devices;
mod edges;
mod hub;

use super::avnm::{self, AdminOutcome};
use super::decision::{Hop, Nat};
use super::endpoint::{Endpoint, Label};
use super::nsg;
use super::path::{AppGwLeg, Arrival, Control, Path, Step};
use super::{Cite, Decision, Flow, Kind, Owner, Prepared, Reason};
use std::collections::HashSet;
use std::net::IpAddr;
use tusk_model::azure::{
    AzureFirewall, BastionHost, Direction, Idx, Link, NetworkInterface, NextHopType, OpaqueDevice, Subnet, Unmodelled,
    VirtualNetwork, VnetGateway,
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
    /// A session Bastion host `.0` opens from its subnet `.1`.
    Bastion(Idx<BastionHost>, Idx<Subnet>),
    FromInternet,
    FromOnPrem(Option<Idx<VnetGateway>>),
}

impl Start {
    pub fn from_endpoint(e: &Endpoint) -> Start {
        match e {
            Endpoint::Azure { subnet, label: Label::Bastion(b), .. } => Start::Bastion(*b, *subnet),
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

#[derive(Clone)]
enum Next {
    Continue(Idx<Subnet>, Sender),
    Done(Arrival),
}

#[derive(Clone)]
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
    /// The name the client asks for (TLS SNI / HTTP Host), for firewall
    /// application rules and network rules on FQDNs.
    name: Option<String>,
    /// The endpoint the walk goes to (`run`'s target).
    target: Option<Endpoint>,
    /// The application gateway the request went through (request mode).
    appgw: Option<AppGwLeg>,
    /// In reply mode: has the reply passed the request's application
    /// gateway (it is then the reply of the client's connection)?
    appgw_passed: bool,
    /// The address an application gateway's own connection leaves from,
    /// when the trace asks for one of [`super::appgw::instance_addresses`].
    appgw_instance: Option<IpAddr>,
    /// The HTTP request's path (`--http-path`), when given.
    http_path: Option<String>,
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
            name: None,
            target: None,
            appgw: None,
            appgw_passed: false,
            appgw_instance: None,
            http_path: None,
        }
    }

    /// The walker for a request whose HTTP path is `path` (an application
    /// gateway's URL path map reads it).
    pub fn http_path(mut self, path: Option<String>) -> Self {
        self.http_path = path;
        self
    }

    /// The walker for a client that asks for `name`.
    pub fn named(mut self, name: Option<String>) -> Self {
        self.name = name;
        self
    }

    /// The walker whose application gateway connections leave from
    /// `instance` (when it is one of the gateway's instance addresses).
    pub fn appgw_instance(mut self, instance: Option<IpAddr>) -> Self {
        self.appgw_instance = instance;
        self
    }

    fn reply(&self) -> bool {
        self.fwd.is_some()
    }

    fn step(&mut self, at: Hop, control: Control, decision: Decision) -> Kind {
        let v = decision.verdict;
        self.steps.push(Step { at, control, decision, src: self.flow.src, dst: self.flow.dst, nat: Vec::new() });
        v
    }

    fn nat(&mut self, n: Nat) {
        if let Some(s) = self.steps.last_mut() {
            s.nat.push(n);
        }
    }

    fn sub(&self, s: Idx<Subnet>) -> Hop {
        Hop::Subnet(s)
    }

    pub fn run(mut self, start: Start, target: &Endpoint) -> Path {
        self.target = Some(target.clone());
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
            appgw: self.appgw,
        }
    }

    fn walk(&mut self, start: Start) -> Arrival {
        let (subnet, sender) = match start {
            Start::InSubnet(s, snd) => (s, snd),
            Start::Bastion(b, s) => {
                // Bastion decides the session first (tier, port, target);
                // an unknown decision is shown and the walk goes on.
                let target = self.target.clone();
                let (kind, what) = match &target {
                    Some(t) => super::bastion::decide(self.p, b, t, &self.flow),
                    None => return Arrival::Nowhere,
                };
                let d = Decision::new(kind, Reason::Bastion { host: b, what }, None);
                if self.step(Hop::Bastion(b), Control::Bastion, d) == Kind::Denied {
                    return Arrival::Nowhere;
                }
                (s, Sender::Endpoint(None))
            }
            Start::FromInternet => match self.enter_from_internet() {
                Next::Continue(s, snd) => (s, snd),
                Next::Done(a) => return a,
            },
            Start::FromOnPrem(g) => match self.enter_from_onprem(g) {
                Next::Continue(s, snd) => (s, snd),
                Next::Done(a) => return a,
            },
        };
        self.walk_on(subnet, sender)
    }

    /// The walk from `subnet`, where `sender` puts the packet on the wire.
    fn walk_on(&mut self, mut subnet: Idx<Subnet>, mut sender: Sender) -> Arrival {
        let mut seen = HashSet::new();
        for _ in 0..MAX_HOPS {
            if !seen.insert((subnet, sender, self.flow.src, self.flow.dst)) {
                self.step(self.sub(subnet), Control::Route, Decision::new(Kind::Denied, Reason::RoutingLoop, None));
                return Arrival::Nowhere;
            }
            match self.hop(subnet, sender) {
                Next::Continue(s, snd) => (subnet, sender) = (s, snd),
                Next::Done(a) => return a,
            }
        }
        self.step(self.sub(subnet), Control::Route, Decision::new(Kind::Denied, Reason::TooManyHops, None));
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
        // A VNet connected to a Virtual WAN hub learns the routes of the
        // hub route table its connection is associated to (Microsoft Learn,
        // "About virtual hub routing"; see crate::vwan). Where the docs leave
        // that table open, only traffic inside the VNet's own address space
        // is sure to stay local.
        if let Some((hub, connection)) = hub_connection(net, net.subnets[subnet].vnet) {
            if !p.vnet_space[net.subnets[subnet].vnet].contains_ip(self.flow.dst) {
                if let Err(doubt) = crate::vwan::precheck(p, hub, connection, self.flow.dst) {
                    let d = Decision::new(
                        Kind::Unknown,
                        Reason::VirtualHub(crate::vwan::HubStep::Doubt { hub, connection, doubt }),
                        None,
                    );
                    self.step(self.sub(subnet), Control::Route, d);
                    return Next::Done(Arrival::Nowhere);
                }
            }
        }
        // Routes a resource tusk does not model puts into the VNet (Azure
        // Route Server's BGP peers, route-server/overview; AVNM
        // connectivity, virtual-network-manager/concept-connectivity-configuration):
        // only traffic inside the VNet's own address space is sure to stay local.
        if let Some(item) = unmodelled_routes(net, net.subnets[subnet].vnet) {
            if !p.vnet_space[net.subnets[subnet].vnet].contains_ip(self.flow.dst) {
                let d = Decision::new(Kind::Unknown, Reason::UnmodelledRouting { item }, None);
                self.step(self.sub(subnet), Control::Route, d);
                return Next::Done(Arrival::Nowhere);
            }
        }
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
                Decision::new(Kind::Denied, Reason::NoRoute { dst: self.flow.dst }, None),
            );
            return Next::Done(Arrival::Nowhere);
        };
        let r = &table.routes[choice.route];
        let cite = Some(Cite::Route {
            table: match r.source {
                super::routes::RouteSource::User => net.subnets[subnet].route_table.as_ref().and_then(Link::found),
                _ => None,
            },
            route: Box::new(r.clone()),
        });
        let verdict = match (&choice.doubt, r.next_hop) {
            (_, NextHopType::None) => Kind::Denied,
            (Some(_), _) => Kind::Unknown,
            _ => Kind::Allowed,
        };
        let why = Reason::Route { dst: self.flow.dst, candidates: choice.candidates, doubt: choice.doubt.clone() };
        if self.step(self.sub(subnet), Control::Route, Decision::new(verdict, why, cite)) == Kind::Denied {
            return Next::Done(Arrival::Nowhere);
        }
        if let super::routes::RouteOrigin::VirtualHub { hub, connection } = r.origin {
            return self.via_hub(hub, connection);
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
                        Decision::new(Kind::Unknown, Reason::PeeredVnetMissing, None),
                    );
                    Next::Done(Arrival::Nowhere)
                }
            },
            NextHopType::VirtualAppliance => match r.next_hop_ip {
                Some(ip) => self.appliance(v, ip, sender),
                None => {
                    let d = Decision::new(Kind::Unknown, Reason::NextHopAddressNotRead, None);
                    self.step(self.sub(subnet), Control::Nva, d);
                    Next::Done(Arrival::Nowhere)
                }
            },
            NextHopType::VirtualNetworkGateway => self.hand_to_gateway(subnet, r.gateway),
            NextHopType::Internet => self.leave_to_internet(subnet, sender),
            NextHopType::VirtualNetworkServiceEndpoint => self.leave_to_service(subnet, r),
            NextHopType::None => Next::Done(Arrival::Nowhere),
        }
    }

    /// The owner the target endpoint names for the current destination
    /// when no ip configuration holds that address: a caller (tusk-path)
    /// saying that a node takes a pod's address behind it, or that a load
    /// balancer frontend with floating IP hands its flows to this node.
    fn target_holder(&self) -> Option<Owner> {
        match &self.target {
            Some(Endpoint::Azure { ip, owner: Some(o), .. })
                if *ip == self.flow.dst && !self.p.private.contains_key(ip) =>
            {
                Some(*o)
            }
            _ => None,
        }
    }

    /// The packet reached `o`, which takes its destination for what runs
    /// behind it ([`Self::target_holder`]): the inbound controls of `o`'s
    /// subnet and NIC, as for any delivery, then delivered.
    fn hand_to_holder(&mut self, o: Owner) -> Option<Next> {
        let s = self.p.owner_subnet(o)?;
        let d = Decision::new(Kind::Allowed, Reason::HandedTo { dst: self.flow.dst, owner: o }, None);
        self.step(Hop::Device(o), Control::Delivery, d);
        Some(self.deliver(s, Some(o)))
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
            let why = Reason::NsgNotForPrivateEndpoints(s.private_endpoint_policies);
            let cite = Cite::PrivateEndpointPolicies(subnet);
            self.step(at, Control::Nsg, Decision::new(Kind::Allowed, why, Some(cite)));
            return true;
        }
        let d = match &s.nsg {
            None => return true,
            Some(Link::Absent(id)) => {
                Decision::new(Kind::Unknown, Reason::NsgMissing { nic: false, id: id.clone() }, None)
            }
            Some(Link::Found(i)) => nsg::evaluate(self.p, *i, at, Some(s.vnet), dir, &self.flow),
        };
        self.step(at, Control::Nsg, d) != Kind::Denied
    }

    fn nic_nsg(&mut self, n: Idx<NetworkInterface>, vnet: Idx<VirtualNetwork>, dir: Direction) -> bool {
        let net = self.p.net;
        let nic = &net.nics[n];
        let at = Hop::Nic(n);
        let d = match &nic.nsg {
            None => return true,
            Some(Link::Absent(id)) => {
                Decision::new(Kind::Unknown, Reason::NsgMissing { nic: true, id: id.clone() }, None)
            }
            Some(Link::Found(i)) => nsg::evaluate(self.p, *i, at, Some(vnet), dir, &self.flow),
        };
        self.step(at, Control::Nsg, d) != Kind::Denied
    }

    /// Crossing from VNet `a` into VNet `b` over their peering
    /// ([`super::peering::cross`]).
    fn peering(&mut self, a: Idx<VirtualNetwork>, b: Idx<VirtualNetwork>, sender: Sender) -> bool {
        let d = super::peering::cross(self.p, a, b, self.flow.src, matches!(sender, Sender::Gateway(_)));
        self.step(Hop::Peering(a, b), Control::Peering, d) != Kind::Denied
    }

    /// The packet is in VNet `v`, addressed to its destination.
    fn arrive(&mut self, v: Idx<VirtualNetwork>) -> Next {
        let p = self.p;
        let dst = self.flow.dst;
        let Some(t) = p.subnet_in(v, dst) else {
            if let Some(next) = self.target_holder().and_then(|o| self.hand_to_holder(o)) {
                return next;
            }
            self.step(
                Hop::Vnet(v),
                Control::Delivery,
                Decision::new(Kind::Denied, Reason::NoSubnetHolds { vnet: v, dst }, None),
            );
            return Next::Done(Arrival::Nowhere);
        };
        if let Some(next) = self.app_gateway_at(t) {
            return next;
        }
        let owner = p.private.get(&dst).copied().filter(|o| p.owner_subnet(*o) == Some(t));
        if let (None, Some(o)) = (owner, self.target_holder()) {
            if let Some(next) = self.hand_to_holder(o) {
                return next;
            }
        }
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
            Some(Owner::LbFrontend(l, fi)) if !self.reply() => self.load_balancer(l, fi),
            Some(o @ (Owner::Gateway(_) | Owner::LbFrontend(..))) => {
                let d = Decision::new(Kind::Unknown, Reason::NotModelled { dst, owner: o }, None);
                self.step(self.sub(t), Control::Delivery, d);
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
            self.step(at, Control::Stateful, Decision::new(Kind::Allowed, Reason::ReplyStateful, None));
        } else if !self.inbound(t, owner) {
            return Next::Done(Arrival::Nowhere);
        }
        let d = match owner {
            Some(o) => Decision::new(Kind::Allowed, Reason::Delivered(o), None),
            // The reply returns to the address that sent the request: the
            // sender exists, whether or not the inputs name its NIC (an AKS
            // node of a scale set, given by address).
            None if self.fwd.is_some_and(|f| f.first_src == dst) => {
                Decision::new(Kind::Allowed, Reason::ReplyToSender { dst }, None)
            }
            None if p.net.nics.is_empty() => Decision::new(Kind::Unknown, Reason::NoNicInInputs { dst }, None),
            // An application gateway or Bastion host takes addresses in its
            // subnet that the inputs do not list: not "nothing holds it".
            None => match opaque_device(p.net, t, dst) {
                Some(device) => Decision::new(Kind::Unknown, Reason::OpaqueDevice { dst, device }, None),
                None => Decision::new(Kind::Denied, Reason::NothingHolds { dst }, None),
            },
        };
        let v = self.step(at, Control::Delivery, d);
        if v == Kind::Denied {
            return Next::Done(Arrival::Nowhere);
        }
        Next::Done(Arrival::Azure { subnet: t, owner, ip: dst })
    }
}

/// The Virtual WAN hub (and its connection) a VNet is connected to.
pub(crate) fn hub_connection(
    net: &tusk_model::azure::AzureNetwork,
    v: Idx<tusk_model::azure::VirtualNetwork>,
) -> Option<(Idx<tusk_model::azure::VirtualHub>, Idx<tusk_model::azure::HubConnection>)> {
    Idx::enumerate(&net.virtual_hubs)
        .find_map(|(h, hub)| Idx::enumerate(&hub.connections).find(|(_, c)| c.vnet == Some(v)).map(|(c, _)| (h, c)))
}

/// The unmodelled resource that may put routes into VNet `v`.
pub(crate) fn unmodelled_routes(
    net: &tusk_model::azure::AzureNetwork,
    v: Idx<tusk_model::azure::VirtualNetwork>,
) -> Option<Idx<Unmodelled>> {
    use tusk_model::azure::UnmodelledEffect;
    let key = net.vnets[v].id.key();
    Idx::enumerate(&net.unmodelled).find_map(|(i, u)| match &u.effect {
        UnmodelledEffect::Routes(vs) => (vs.is_empty() || vs.iter().any(|x| x.key() == key)).then_some(i),
        UnmodelledEffect::Names => None,
    })
}

/// The unmodelled device (application gateway, Bastion host) that may hold
/// `dst` in subnet `t`: one whose frontend has that address, else one whose
/// instances take addresses in the subnet.
pub(crate) fn opaque_device(
    net: &tusk_model::azure::AzureNetwork,
    t: Idx<Subnet>,
    dst: IpAddr,
) -> Option<Idx<OpaqueDevice>> {
    let ds = &net.opaque_devices;
    Idx::all(ds).find(|&d| ds[d].private_ips.contains(&dst)).or_else(|| {
        let key = net.subnets[t].id.key();
        Idx::all(ds).find(|&d| ds[d].subnets.iter().any(|s| s.key() == key))
    })
}
