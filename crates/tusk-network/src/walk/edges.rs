//! Where the walk meets the outside: leaving to the Internet (with the
//! source translation Azure applies), handing to a VNet gateway, and
//! entering from the Internet (public IPs of NICs and firewalls) or from
//! on-premises (through the gateway's subnet and its routes).

use super::super::decision::{Hop, Nat, SnatDoubt, SnatWhy};
use super::{Arrival, Control, Decision, Kind, Next, Owner, Reason, Sender, Walker};
use crate::lb::LbOutbound;
use std::net::IpAddr;
use tusk_model::azure::{Idx, Link, LoadBalancer, PublicIp, Subnet, VnetGateway};

/// How a flow to the Internet leaves (see `leave_to_internet`).
enum Out {
    /// With this source address, for this reason.
    To(IpAddr, SnatWhy),
    /// Translated, to an address the inputs do not settle.
    Undetermined(SnatDoubt),
    /// A Standard load balancer member without an outbound method.
    NoMethod(Idx<LoadBalancer>),
    /// Default outbound access: an address Azure picks.
    Platform,
}

impl Walker<'_, '_> {
    pub(super) fn hand_to_gateway(&mut self, subnet: Idx<Subnet>, g: Option<Idx<VnetGateway>>) -> Next {
        let p = self.p;
        let dst = self.flow.dst;
        match g {
            Some(g) if p.onprem[g].iter().any(|c| super::super::prepared::cidr_has(c, dst)) => {
                let d = Decision::new(Kind::Allowed, Reason::HandedToGateway { gateway: g, dst }, None);
                self.step(self.sub(subnet), Control::Gateway, d);
                Next::Done(Arrival::OnPrem { ip: dst, gateway: g })
            }
            _ => {
                self.step(
                    self.sub(subnet),
                    Control::Gateway,
                    Decision::new(Kind::Unknown, Reason::GatewayRoutesUnknown { dst }, None),
                );
                Next::Done(Arrival::Nowhere)
            }
        }
    }

    pub(super) fn leave_to_internet(&mut self, subnet: Idx<Subnet>, sender: Sender) -> Next {
        let p = self.p;
        let net = p.net;
        let dst = self.flow.dst;
        if !p.is_internet(None, dst) {
            self.step(
                self.sub(subnet),
                Control::Internet,
                Decision::new(Kind::Denied, Reason::InternetNotPublic { dst }, None),
            );
            return Next::Done(Arrival::Nowhere);
        }
        if self.reply() {
            self.step(
                self.sub(subnet),
                Control::Internet,
                Decision::new(Kind::Allowed, Reason::ReplyLeavesToInternet, None),
            );
            return Next::Done(Arrival::Internet { ip: dst });
        }
        let pip_addr = |l: &Link<PublicIp>| l.found().and_then(|i| net.public_ips[i].address);
        // Which address the Internet sees, by Microsoft's precedence ("Source
        // Network Address Translation (SNAT) for outbound connections",
        // load-balancer/load-balancer-outbound-connections; "What is Azure
        // NAT Gateway?", nat-gateway/nat-overview: a subnet's NAT gateway
        // takes precedence over instance-level public IPs and load
        // balancers, an AzureFirewallSubnet's too, firewall/integrate-with-nat-gateway):
        // NAT gateway, then the NIC's public IP, then its load balancers'
        // outbound rules or SNAT rules, then default outbound access.
        let nat_gateway = net.subnets[subnet].nat_gateway.as_ref().and_then(Link::found);
        let out = match (nat_gateway, sender) {
            (Some(ng), _) => match net.nat_gateways[ng].public_ips.iter().find_map(pip_addr) {
                Some(a) => Out::To(a, SnatWhy::NatGateway(ng)),
                None => Out::Undetermined(SnatDoubt::NatGateway(ng)),
            },
            // A firewall forwarding traffic, or sending its own: its public IP.
            (None, Sender::Firewall(f) | Sender::Endpoint(Some(Owner::Firewall(f)))) => {
                match net.firewalls[f].public_ips.iter().find_map(pip_addr) {
                    Some(a) => Out::To(a, SnatWhy::FirewallPublicIp),
                    None => Out::Platform,
                }
            }
            (None, Sender::Endpoint(Some(Owner::Nic(n, c)))) => {
                match net.nics[n].ip_configs.get(c).and_then(|ipc| ipc.public_ip.as_ref()).and_then(pip_addr) {
                    Some(a) => Out::To(a, SnatWhy::NicPublicIp),
                    None => match crate::lb::outbound(p, n, c, self.flow.proto) {
                        Some(LbOutbound::Address { lb, by, ip }) => Out::To(ip, SnatWhy::LoadBalancer { lb, by }),
                        Some(LbOutbound::Undetermined { lb, by }) => {
                            Out::Undetermined(SnatDoubt::LoadBalancer { lb, by })
                        }
                        Some(LbOutbound::NoMethod { lb }) => Out::NoMethod(lb),
                        None => Out::Platform,
                    },
                }
            }
            _ => Out::Platform,
        };
        // A private subnet (`defaultOutboundAccess: false`) gives its VMs
        // no default outbound access; only an explicit method (NAT
        // gateway, public IP, load balancer) reaches the Internet ("Default
        // outbound access in Azure", virtual-network/ip-services/default-outbound-access).
        // A firewall always SNATs to its own public IPs, so it is not one.
        let nic_sender = matches!(sender, Sender::Endpoint(Some(Owner::Nic(..))));
        if let (Out::Platform, true, Some((false, _))) =
            (&out, nic_sender, net.subnets[subnet].default_outbound_access.as_ref())
        {
            let d = Decision::new(Kind::Denied, Reason::PrivateSubnet { subnet, dst }, None);
            self.step(self.sub(subnet), Control::Internet, d);
            return Next::Done(Arrival::Nowhere);
        }
        if let Out::NoMethod(lb) = out {
            let d = Decision::new(Kind::Unknown, Reason::LbNoOutbound { lb, dst }, None);
            self.step(self.sub(subnet), Control::Internet, d);
            return Next::Done(Arrival::Nowhere);
        }
        self.step(
            self.sub(subnet),
            Control::Internet,
            Decision::new(Kind::Allowed, Reason::LeavesToInternet { dst }, None),
        );
        match out {
            Out::To(a, why) => {
                self.nat(Nat::Snat { from: self.flow.src, to: a, why });
                if let Sender::Firewall(f) = sender {
                    self.snat_by.push((f, a));
                }
                self.flow.src = a;
            }
            Out::Undetermined(why) => self.nat(Nat::SnatUnknown { from: self.flow.src, why }),
            Out::Platform | Out::NoMethod(_) => self.nat(Nat::PlatformSnat),
        }
        Next::Done(Arrival::Internet { ip: dst })
    }

    /// A service endpoint route: the packet goes to the Azure service over
    /// the backbone with its private source address, no SNAT ("Virtual
    /// Network service endpoints", virtual-network/virtual-network-service-endpoints).
    pub(super) fn leave_to_service(&mut self, subnet: Idx<Subnet>, r: &crate::routes::EffectiveRoute) -> Next {
        let dst = self.flow.dst;
        let service = match &r.origin {
            crate::routes::RouteOrigin::ServiceEndpoint(s) => s.clone(),
            _ => String::new(),
        };
        // A service endpoint policy admits only the Azure Storage accounts
        // it lists ("Virtual network service endpoint policies for Azure
        // Storage", Microsoft Learn): which account an address serves is
        // not in the inputs, so the flow is unknown.
        let policies = &self.p.net.subnets[subnet].service_endpoint_policies;
        if !policies.is_empty() && service.to_ascii_lowercase().starts_with("microsoft.storage") {
            let d = Decision::new(Kind::Unknown, Reason::ServiceEndpointPolicy { dst, service, policy: 0 }, None);
            self.step(self.sub(subnet), Control::Internet, d);
            return Next::Done(Arrival::Nowhere);
        }
        let d = Decision::new(Kind::Allowed, Reason::ServiceEndpoint { dst, service }, None);
        self.step(self.sub(subnet), Control::Internet, d);
        Next::Done(Arrival::Internet { ip: dst })
    }

    pub(super) fn enter_from_internet(&mut self) -> Next {
        if let Some(next) = self.hub_firewall_reply() {
            return next;
        }
        let p = self.p;
        let dst = self.flow.dst;
        match p.public.get(&dst).copied() {
            Some(Owner::Firewall(f)) => match p.owner_subnet(Owner::Firewall(f)) {
                // The reply to a connection the firewall opened itself comes
                // back to its public IP and ends at the firewall, which holds
                // the connection (and undoes its own SNAT).
                Some(s) if self.fwd.is_some_and(|x| x.origin == Some(Owner::Firewall(f))) => {
                    let first = self.fwd.map(|x| x.first_src).unwrap_or(dst);
                    self.flow.dst = first;
                    let next = self.deliver(s, Some(Owner::Firewall(f)));
                    if let Some(st) = self.steps.first_mut() {
                        st.nat.push(Nat::Restore { destination: true, from: dst, to: first });
                    }
                    next
                }
                Some(s) => self.firewall(f, s),
                None => {
                    let d = Decision::new(Kind::Unknown, Reason::FirewallSubnetMissing, None);
                    self.step(Hop::Internet, Control::Firewall, d);
                    Next::Done(Arrival::Nowhere)
                }
            },
            Some(Owner::Nic(n, c)) => {
                let private_ip = p.net.nics[n].ip_configs.get(c).and_then(|i| i.private_ip);
                match (private_ip, p.owner_subnet(Owner::Nic(n, c))) {
                    (Some(priv_ip), Some(s)) => {
                        let d = Decision::new(Kind::Allowed, Reason::PublicIpOfNic { dst, nic: n }, None);
                        self.step(Hop::Internet, Control::Internet, d);
                        self.nat(Nat::InstancePublicIp { from: dst, to: priv_ip });
                        self.flow.dst = priv_ip;
                        self.deliver(s, Some(Owner::Nic(n, c)))
                    }
                    _ => Next::Done(Arrival::Nowhere),
                }
            }
            // The reply to a backend's flow that left with a load balancer
            // frontend's address (an outbound or SNAT rule).
            Some(Owner::LbFrontend(..)) if self.reply() => self.reply_from_internet(),
            Some(o) => {
                let d = Decision::new(Kind::Unknown, Reason::PublicIpBackends { dst, owner: o }, None);
                self.step(Hop::Internet, Control::Internet, d);
                Next::Done(Arrival::Nowhere)
            }
            None if self.reply() => self.reply_from_internet(),
            // A Bastion host's public address.
            None if super::super::bastion::public_entry(p, dst).is_some() => {
                match super::super::bastion::public_entry(p, dst) {
                    Some(b) => self.bastion_from_internet(b),
                    None => Next::Done(Arrival::Nowhere),
                }
            }
            // An application gateway's public frontend.
            None if super::super::appgw::public_frontend(p, dst).is_some() => {
                self.app_gateway_from_internet().unwrap_or(Next::Done(Arrival::Nowhere))
            }
            // A public frontend the caller resolved (a Kubernetes Service of
            // type LoadBalancer): the load balancer hands the flow to the
            // backend node with its destination unchanged (floating IP).
            None if self.target_holder().is_some() => {
                let Some(o) = self.target_holder() else { return Next::Done(Arrival::Nowhere) };
                let Some(s) = p.owner_subnet(o) else { return Next::Done(Arrival::Nowhere) };
                let d = Decision::new(Kind::Allowed, Reason::EntersThroughFrontend { dst, owner: o }, None);
                self.step(Hop::Internet, Control::Internet, d);
                self.deliver(s, Some(o))
            }
            None if !p.is_internet(None, dst) => {
                self.step(
                    Hop::Internet,
                    Control::Internet,
                    Decision::new(Kind::Denied, Reason::NotPublic { dst }, None),
                );
                Next::Done(Arrival::Nowhere)
            }
            None => {
                let d = Decision::new(Kind::Unknown, Reason::PublicAddressUnknown { dst }, None);
                self.step(Hop::Internet, Control::Internet, d);
                Next::Done(Arrival::Nowhere)
            }
        }
    }

    /// A reply from the Internet to an address no input owns: the platform's
    /// outbound SNAT (or a firewall whose public IP is not loaded) returns it.
    pub(super) fn reply_from_internet(&mut self) -> Next {
        let fwd = self.fwd.expect("reply mode");
        // The service answers the private address it saw, over the backbone.
        if fwd.steps.last().is_some_and(|s| matches!(s.decision.reason, Reason::ServiceEndpoint { .. })) {
            let d = Decision::new(Kind::Allowed, Reason::ReplyOverServiceEndpoint, None);
            self.step(Hop::Internet, Control::Stateful, d);
            self.flow.dst = fwd.first_src;
            return Next::Done(Arrival::Internet { ip: fwd.first_src });
        }
        if let Some(&f) = fwd.devices.last() {
            if let Some(s) = self.p.owner_subnet(Owner::Firewall(f)) {
                return self.firewall(f, s);
            }
        }
        let d = Decision::new(Kind::Allowed, Reason::ReplyThroughPlatformSnat, None);
        self.step(Hop::Internet, Control::Stateful, d);
        self.flow.dst = fwd.first_src;
        Next::Done(Arrival::Internet { ip: fwd.first_src })
    }

    pub(super) fn enter_from_onprem(&mut self, g: Option<Idx<VnetGateway>>) -> Next {
        let p = self.p;
        let g = g.or_else(|| Idx::all(&p.net.vnet_gateways).next());
        match g.and_then(|g| Some((g, p.owner_subnet(Owner::Gateway(g))?))) {
            Some((g, s)) => {
                let d = Decision::new(Kind::Allowed, Reason::EntersThroughGateway, None);
                self.step(Hop::Gateway(g), Control::Gateway, d);
                Next::Continue(s, Sender::Gateway(g))
            }
            None => {
                self.step(Hop::OnPremises, Control::Gateway, Decision::new(Kind::Unknown, Reason::NoGateway, None));
                Next::Done(Arrival::Nowhere)
            }
        }
    }
}
