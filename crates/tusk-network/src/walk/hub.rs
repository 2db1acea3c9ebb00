//! The walk through a Virtual WAN hub ([`crate::vwan`] holds the routing):
//! a subnet's route learned from the hub hands the packet to the hub, which
//! forwards it by its own route for the destination: into a connected VNet
//! (to an appliance there when the connection's static route says so), or
//! to the secured hub's Azure Firewall, whose rules decide as anywhere
//! else. After the firewall the packet goes to the connected VNet that
//! holds the destination, or to the Internet when the hub sends Internet
//! traffic to that firewall (routing intent's "direct access",
//! virtual-wan/how-to-routing-policies). Everything else (branches, other
//! hubs) is unknown, naming the hub.

use super::{Arrival, Control, Decision, Kind, Next, Reason, Sender, Walker};
use crate::decision::Hop;
use crate::vwan::{self, HubStep, HubTarget};
use tusk_model::azure::{AzureFirewall, HubConnection, Idx, VirtualHub};

impl Walker<'_, '_> {
    fn hub_step(&mut self, hub: Idx<VirtualHub>, kind: Kind, s: HubStep) -> Kind {
        self.step(Hop::Hub(hub), Control::Route, Decision::new(kind, Reason::VirtualHub(s), None))
    }

    fn hub_unknown(&mut self, hub: Idx<VirtualHub>, s: HubStep) -> Next {
        self.hub_step(hub, Kind::Unknown, s);
        Next::Done(Arrival::Nowhere)
    }

    /// The source subnet's route (learned from hub `hub` over `connection`)
    /// handed the packet to the hub.
    pub(super) fn via_hub(&mut self, hub: Idx<VirtualHub>, connection: Idx<HubConnection>) -> Next {
        let p = self.p;
        let dst = self.flow.dst;
        let routes = match vwan::table(p, hub, connection) {
            Ok(r) => r,
            Err(doubt) => return self.hub_unknown(hub, HubStep::Doubt { hub, connection, doubt }),
        };
        let route = match vwan::lookup(&routes, dst) {
            Ok(Some(r)) => r.clone(),
            Ok(None) => {
                self.hub_step(hub, Kind::Denied, HubStep::NoRoute { hub, connection, dst });
                return Next::Done(Arrival::Nowhere);
            }
            Err(doubt) => return self.hub_unknown(hub, HubStep::Doubt { hub, connection, doubt }),
        };
        // The default route reaches the VNet only over a connection with
        // `enableInternetSecurity` ("Prefix advertisement", how-to-routing-policies).
        let conn = &p.net.virtual_hubs[hub].connections[connection];
        if route.prefix.prefix == 0 && conn.internet_security.is_none() {
            let doubt = vwan::HubDoubt { kind: vwan::HubDoubtKind::InternetSecurityUnset, loc: conn.loc.clone() };
            return self.hub_unknown(hub, HubStep::Doubt { hub, connection, doubt });
        }
        let target = route.target.clone();
        let internet_route = route.prefix.prefix == 0;
        self.hub_step(hub, Kind::Allowed, HubStep::Route { hub, connection, route });
        match target {
            HubTarget::Connection(c) => self.hub_to_connection(hub, c),
            HubTarget::Firewall(f) => {
                if self.firewall_inspect(f) {
                    self.after_hub_firewall(hub, internet_route)
                } else {
                    Next::Done(Arrival::Nowhere)
                }
            }
            HubTarget::RemoteHub { hub: remote, connection } => {
                self.hub_unknown(hub, HubStep::RemoteHub { hub, remote, connection })
            }
        }
    }

    /// The hub sends the packet into the VNet of its connection `c`.
    fn hub_to_connection(&mut self, hub: Idx<VirtualHub>, c: Idx<HubConnection>) -> Next {
        let p = self.p;
        let conn = &p.net.virtual_hubs[hub].connections[c];
        let Some(v) = conn.vnet else {
            let doubt = vwan::HubDoubt { kind: vwan::HubDoubtKind::VnetMissing, loc: conn.loc.clone() };
            return self.hub_unknown(hub, HubStep::Doubt { hub, connection: c, doubt });
        };
        // "Configuring static routes in a virtual network connection":
        // from the hub, these prefixes go to an appliance in the VNet.
        match vwan::connection_next_hop(p, hub, c, self.flow.dst) {
            Err(doubt) => self.hub_unknown(hub, HubStep::Doubt { hub, connection: c, doubt }),
            Ok(Some((route, ip))) => {
                self.hub_step(hub, Kind::Allowed, HubStep::ConnectionNextHop { hub, connection: c, route, ip });
                self.appliance(v, ip, Sender::Endpoint(None))
            }
            Ok(None) => {
                if self.reply() && self.bypasses_a_device() {
                    return Next::Done(Arrival::Nowhere);
                }
                self.arrive(v)
            }
        }
    }

    /// The hub's firewall let the packet through: where does it go?
    /// `internet_route`: the hub's 0.0.0.0/0 brought it to the firewall.
    fn after_hub_firewall(&mut self, hub: Idx<VirtualHub>, internet_route: bool) -> Next {
        let p = self.p;
        let dst = self.flow.dst;
        let h = &p.net.virtual_hubs[hub];
        let holder = Idx::enumerate(&h.connections)
            .find(|(_, c)| c.vnet.is_some_and(|v| p.vnet_space[v].contains_ip(dst)))
            .map(|(c, _)| c);
        if let Some(c) = holder {
            self.hub_step(hub, Kind::Allowed, HubStep::FirewallForwards { hub, connection: c });
            return self.hub_to_connection(hub, c);
        }
        let to_internet = (internet_route || vwan::internet_via(p, hub).is_some()) && p.is_internet(None, dst);
        if to_internet {
            if self.reply() {
                let d = Decision::new(Kind::Allowed, Reason::ReplyLeavesToInternet, None);
                self.step(Hop::Hub(hub), Control::Internet, d);
            } else {
                let d = Decision::new(Kind::Allowed, Reason::VirtualHub(HubStep::FirewallToInternet { hub }), None);
                self.step(Hop::Hub(hub), Control::Internet, d);
            }
            return Next::Done(Arrival::Internet { ip: dst });
        }
        self.hub_unknown(hub, HubStep::BeyondFirewall { hub, dst })
    }

    /// The reply from the Internet to a flow that left through a secured
    /// hub's firewall `f` (which has no subnet) comes back to it.
    pub(super) fn hub_firewall_reply(&mut self) -> Option<Next> {
        let fwd = self.fwd?;
        if !matches!(fwd.arrival, Arrival::Internet { .. }) {
            return None;
        }
        let f: Idx<AzureFirewall> = *fwd.devices.last()?;
        if self.p.net.firewalls[f].subnet.is_some() {
            return None;
        }
        let hub = vwan::hub_of_firewall(self.p, f)?;
        if !self.firewall_inspect(f) {
            return Some(Next::Done(Arrival::Nowhere));
        }
        Some(self.after_hub_firewall(hub, true))
    }
}
