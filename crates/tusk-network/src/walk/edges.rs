//! Where the walk meets the outside: leaving to the Internet (with the
//! source translation Azure applies), handing to a VNet gateway, and
//! entering from the Internet (public IPs of NICs and firewalls) or from
//! on-premises (through the gateway's subnet and its routes).

use super::{Arrival, Control, Decision, Kind, Next, Owner, Sender, Walker};
use tusk_model::azure::{Idx, Link, PublicIp, Subnet, VnetGateway};

impl Walker<'_, '_> {
    pub(super) fn hand_to_gateway(&mut self, subnet: Idx<Subnet>, g: Option<Idx<VnetGateway>>) -> Next {
        let p = self.p;
        let dst = self.flow.dst;
        match g {
            Some(g) if p.onprem[g].iter().any(|c| super::super::prepared::cidr_has(c, dst)) => {
                let d = Decision::new(
                    Kind::Allowed,
                    format!(
                        "handed to {} for on-premises {dst}; controls beyond the gateway are outside the inputs",
                        p.net.vnet_gateways[g].id.name()
                    ),
                    None,
                );
                self.step(self.sub(subnet), Control::Gateway, d);
                Next::Done(Arrival::OnPrem { ip: dst, gateway: g })
            }
            _ => {
                self.step(
                    self.sub(subnet),
                    Control::Gateway,
                    Decision::new(Kind::Unknown, format!("the gateway's routes for {dst} are not in the inputs"), None),
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
                Decision::new(
                    Kind::Denied,
                    format!("next hop Internet for {dst}, which is not a public address: Azure drops it"),
                    None,
                ),
            );
            return Next::Done(Arrival::Nowhere);
        }
        if self.reply() {
            self.step(
                self.sub(subnet),
                Control::Internet,
                Decision::new(Kind::Allowed, "reply leaves to the Internet", None),
            );
            return Next::Done(Arrival::Internet { ip: dst });
        }
        let pip_addr = |l: &Link<PublicIp>| l.found().and_then(|i| net.public_ips[i].address);
        let snat = match sender {
            Sender::Firewall(f) => net.firewalls[f]
                .public_ips
                .iter()
                .find_map(pip_addr)
                .map(|a| (a, "the firewall's public IP".to_string())),
            Sender::Endpoint(Some(Owner::Nic(n, c))) => net.nics[n].ip_configs[c]
                .public_ip
                .as_ref()
                .and_then(pip_addr)
                .map(|a| (a, "the NIC's public IP".to_string())),
            _ => None,
        }
        .or_else(|| {
            let ng = net.subnets[subnet].nat_gateway.as_ref()?.found()?;
            net.nat_gateways[ng]
                .public_ips
                .iter()
                .find_map(pip_addr)
                .map(|a| (a, format!("NAT gateway {}", net.nat_gateways[ng].id.name())))
        });
        self.step(
            self.sub(subnet),
            Control::Internet,
            Decision::new(Kind::Allowed, format!("leaves to the Internet towards {dst}"), None),
        );
        match snat {
            Some((a, why)) => {
                self.nat(format!("SNAT {} → {a} ({why})", self.flow.src));
                if let Sender::Firewall(f) = sender {
                    self.snat_by.push((f, a));
                }
                self.flow.src = a;
            }
            None => self.nat("SNAT by Azure outbound connectivity; the public address is not in the inputs".into()),
        }
        Next::Done(Arrival::Internet { ip: dst })
    }

    pub(super) fn enter_from_internet(&mut self) -> Next {
        let p = self.p;
        let dst = self.flow.dst;
        match p.public.get(&dst).copied() {
            Some(Owner::Firewall(f)) => match p.owner_subnet(Owner::Firewall(f)) {
                Some(s) => self.firewall(f, s),
                None => {
                    self.step(
                        "internet",
                        Control::Firewall,
                        Decision::new(Kind::Unknown, "the firewall's subnet is not in the inputs", None),
                    );
                    Next::Done(Arrival::Nowhere)
                }
            },
            Some(Owner::Nic(n, c)) => {
                let ipc = &p.net.nics[n].ip_configs[c];
                match (ipc.private_ip, p.owner_subnet(Owner::Nic(n, c))) {
                    (Some(priv_ip), Some(s)) => {
                        self.step(
                            "internet",
                            Control::Internet,
                            Decision::new(
                                Kind::Allowed,
                                format!("{dst} is the public IP of NIC {}", p.net.nics[n].id.name()),
                                None,
                            ),
                        );
                        self.nat(format!("DNAT {dst} → {priv_ip} (instance-level public IP)"));
                        self.flow.dst = priv_ip;
                        self.deliver(s, Some(Owner::Nic(n, c)))
                    }
                    _ => Next::Done(Arrival::Nowhere),
                }
            }
            Some(o) => {
                self.step(
                    "internet",
                    Control::Internet,
                    Decision::new(
                        Kind::Unknown,
                        format!("{dst} is {}; its backends are not modelled", p.owner_name(o)),
                        None,
                    ),
                );
                Next::Done(Arrival::Nowhere)
            }
            None if self.reply() => self.reply_from_internet(),
            None if !p.is_internet(None, dst) => {
                self.step(
                    "internet",
                    Control::Internet,
                    Decision::new(
                        Kind::Denied,
                        format!("{dst} is not a public address: not reachable from the Internet"),
                        None,
                    ),
                );
                Next::Done(Arrival::Nowhere)
            }
            None => {
                self.step(
                    "internet",
                    Control::Internet,
                    Decision::new(Kind::Unknown, format!("public address {dst} is not in the inputs"), None),
                );
                Next::Done(Arrival::Nowhere)
            }
        }
    }

    /// A reply from the Internet to an address no input owns: the platform's
    /// outbound SNAT (or a firewall whose public IP is not loaded) returns it.
    pub(super) fn reply_from_internet(&mut self) -> Next {
        let fwd = self.fwd.expect("reply mode");
        if let Some(&f) = fwd.devices.last() {
            if let Some(s) = self.p.owner_subnet(Owner::Firewall(f)) {
                return self.firewall(f, s);
            }
        }
        self.step(
            "internet",
            Control::Stateful,
            Decision::new(Kind::Allowed, "the reply returns through Azure's outbound SNAT to the source", None),
        );
        self.flow.dst = fwd.first_src;
        Next::Done(Arrival::Internet { ip: fwd.first_src })
    }

    pub(super) fn enter_from_onprem(&mut self, g: Option<Idx<VnetGateway>>) -> Next {
        let p = self.p;
        let g = g.or_else(|| Idx::all(&p.net.vnet_gateways).next());
        match g.and_then(|g| Some((g, p.owner_subnet(Owner::Gateway(g))?))) {
            Some((g, s)) => {
                self.step(
                    format!("VNet gateway {}", p.net.vnet_gateways[g].id.name()),
                    Control::Gateway,
                    Decision::new(
                        Kind::Allowed,
                        "enters Azure through the gateway; routed by the GatewaySubnet's routes",
                        None,
                    ),
                );
                Next::Continue(s, Sender::Gateway(g))
            }
            None => {
                self.step(
                    "on-premises",
                    Control::Gateway,
                    Decision::new(Kind::Unknown, "no virtual network gateway (with its subnet) in the inputs", None),
                );
                Next::Done(Arrival::Nowhere)
            }
        }
    }
}
