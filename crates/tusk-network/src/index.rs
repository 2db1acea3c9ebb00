//! The index of an estate, without routes: who owns each address, which
//! subnet of a VNet holds an address, the peerings between two VNets, each
//! VNet's `VirtualNetwork` and `Internet` service tags, the members of each
//! ASG and the on-premises prefixes per gateway. Effective routes
//! ([`super::routes`]) are computed over it, and [`super::Prepared`] joins
//! both; nothing here reads a route's next hop.

use super::fx::FxMap;
use std::collections::HashMap;
use std::net::IpAddr;
use tusk_core::ip::{addr_set, all_ips, ip_to_u128, Cidr};
use tusk_core::IpSet;
use tusk_model::azure::*;

/// The Azure host's virtual IP (DNS, health probes): part of the
/// `VirtualNetwork` tag and the source of `AzureLoadBalancer` probes.
pub const HOST_VIP: [u8; 4] = [168, 63, 129, 16];

/// What sits at an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A NIC and the index of its ip configuration.
    Nic(Idx<NetworkInterface>, usize),
    /// An Azure Firewall (its private addresses).
    Firewall(Idx<AzureFirewall>),
    /// A private endpoint.
    PrivateEndpoint(Idx<PrivateEndpoint>),
    /// A VNet gateway.
    Gateway(Idx<VnetGateway>),
    /// A load balancer and the index of its frontend.
    LbFrontend(Idx<LoadBalancer>, usize),
}

/// The estate indexed for lookups (no routes): who holds each address,
/// each VNet's address space and tags, each ASG's members.
pub struct EstateIndex<'a> {
    /// The estate.
    pub net: &'a AzureNetwork,
    /// Private addresses to their owners.
    pub private: FxMap<IpAddr, Owner>,
    /// Public addresses to their owners.
    pub public: FxMap<IpAddr, Owner>,
    /// Per VNet: (lo, hi, subnet) sorted by lo, for address lookups.
    subnet_ranges: IdxVec<VirtualNetwork, Vec<(u128, u128, Idx<Subnet>)>>,
    /// `(local vnet, remote vnet)` to the local VNet's peering index.
    peering: FxMap<(Idx<VirtualNetwork>, Idx<VirtualNetwork>), usize>,
    /// Each VNet's address space.
    pub vnet_space: IdxVec<VirtualNetwork, IpSet>,
    /// The `VirtualNetwork` tag as seen from each VNet.
    pub vnet_tag: IdxVec<VirtualNetwork, IpSet>,
    /// What the `Internet` tag leaves out, seen from each VNet: the
    /// `VirtualNetwork` tag without the prefixes of user-defined routes.
    not_internet: IdxVec<VirtualNetwork, IpSet>,
    /// Each ASG's member addresses.
    pub asg_members: IdxVec<Asg, IpSet>,
    /// Per gateway: on-premises prefixes of its connections.
    pub onprem: IdxVec<VnetGateway, Vec<Cidr>>,
    /// Every public address (see [`non_public`]).
    public_space: IpSet,
}

impl<'a> EstateIndex<'a> {
    /// Indexes `net`.
    pub fn new(net: &'a AzureNetwork) -> EstateIndex<'a> {
        let mut ix = EstateIndex {
            net,
            private: FxMap::default(),
            public: FxMap::default(),
            subnet_ranges: IdxVec::filled(&net.vnets, Vec::new()),
            peering: FxMap::default(),
            vnet_space: IdxVec::build(&net.vnets, |v| set_of(&net.vnets[v].address_space)),
            vnet_tag: IdxVec::new(),
            not_internet: IdxVec::new(),
            asg_members: IdxVec::filled(&net.asgs, IpSet::empty()),
            onprem: IdxVec::filled(&net.vnet_gateways, Vec::new()),
            public_space: all_ips().subtract(&non_public()),
        };
        ix.index_owners();
        for (i, s) in Idx::enumerate(&net.subnets) {
            for c in &s.prefixes {
                let r = c.range();
                ix.subnet_ranges[s.vnet].push((r.lo, r.hi, i));
            }
        }
        for v in ix.subnet_ranges.values_mut() {
            v.sort_unstable();
        }
        for (vi, v) in Idx::enumerate(&net.vnets) {
            for (pi, pe) in v.peerings.iter().enumerate() {
                if let Some(r) = pe.remote.found() {
                    ix.peering.insert((vi, r), pi);
                }
            }
        }
        for c in &net.connections {
            if let (Some(g), Some(Some(l))) = (c.gateway.found(), c.local_gateway.as_ref().map(Link::found)) {
                ix.onprem[g].extend(net.local_gateways[l].prefixes.iter().copied());
            }
        }
        ix.not_internet = IdxVec::build(&net.vnets, |v| ix.vnet_tag_without_routes(v));
        ix.vnet_tag = IdxVec::build(&net.vnets, |v| ix.compute_vnet_tag(v));
        ix
    }

    fn index_owners(&mut self) {
        let net = self.net;
        let mut bound: HashMap<&str, Owner> = HashMap::new();
        for (n, nic) in Idx::enumerate(&net.nics) {
            for (c, ipc) in nic.ip_configs.iter().enumerate() {
                if let Some(ip) = ipc.private_ip {
                    self.private.insert(ip, Owner::Nic(n, c));
                }
                for a in ipc.asgs.iter().filter_map(Link::found) {
                    if let Some(ip) = ipc.private_ip {
                        self.asg_members[a] = self.asg_members[a].union(&addr_set(ip));
                    }
                }
                if let Some(Link::Found(pip)) = &ipc.public_ip {
                    bound.insert(net.public_ips[*pip].id.key(), Owner::Nic(n, c));
                }
            }
        }
        for (f, fw) in Idx::enumerate(&net.firewalls) {
            for ip in &fw.private_ips {
                self.private.insert(*ip, Owner::Firewall(f));
            }
            for pip in fw.public_ips.iter().filter_map(Link::found) {
                bound.insert(net.public_ips[pip].id.key(), Owner::Firewall(f));
            }
        }
        for (i, pe) in Idx::enumerate(&net.private_endpoints) {
            for ip in &pe.ips {
                self.private.insert(*ip, Owner::PrivateEndpoint(i));
            }
        }
        for (i, g) in Idx::enumerate(&net.vnet_gateways) {
            for ip in &g.private_ips {
                self.private.insert(*ip, Owner::Gateway(i));
            }
        }
        for (l, lb) in Idx::enumerate(&net.load_balancers) {
            for (f, fe) in lb.frontends.iter().enumerate() {
                if let Some(ip) = fe.private_ip {
                    self.private.insert(ip, Owner::LbFrontend(l, f));
                }
                if let Some(Link::Found(pip)) = &fe.public_ip {
                    bound.insert(net.public_ips[*pip].id.key(), Owner::LbFrontend(l, f));
                }
            }
        }
        for pip in &net.public_ips {
            if let (Some(addr), Some(o)) = (pip.address, bound.get(pip.id.key())) {
                self.public.insert(addr, *o);
            }
        }
    }

    /// The address space of the VNet, of its peered VNets, the on-premises
    /// prefixes of the gateways it learns routes from, and the host VIP.
    fn vnet_tag_without_routes(&self, v: Idx<VirtualNetwork>) -> IpSet {
        let mut ranges: Vec<(u128, u128)> = self.vnet_space[v].ranges().to_vec();
        let vip = ip_to_u128(IpAddr::from(HOST_VIP));
        ranges.push((vip, vip));
        for pe in &self.net.vnets[v].peerings {
            ranges.extend_from_slice(self.remote_space(pe).ranges());
        }
        for g in self.gateway_routes_from(v) {
            ranges.extend(self.onprem[g].iter().map(|c| (c.range().lo, c.range().hi)));
        }
        IpSet::from_ranges(ranges)
    }

    /// "VirtualNetwork: the address space of the virtual network, all
    /// connected on-premises address spaces, peered virtual networks,
    /// virtual networks connected to a virtual network gateway, the virtual
    /// IP address of the host, and address prefixes used on user-defined
    /// routes" (virtual-network/service-tags-overview).
    fn compute_vnet_tag(&self, v: Idx<VirtualNetwork>) -> IpSet {
        let net = self.net;
        let mut ranges: Vec<(u128, u128)> = self.not_internet[v].ranges().to_vec();
        let mut tables: Vec<Idx<RouteTable>> =
            net.vnets[v].subnets.iter().filter_map(|&i| net.subnets[i].route_table.as_ref()?.found()).collect();
        tables.sort_unstable();
        tables.dedup();
        for rt in tables {
            for r in &net.route_tables[rt].routes {
                // Including 0.0.0.0/0: with a default route to an appliance the
                // tag, and so AllowVnetInBound/OutBound, covers every address,
                // as the subnet's effective security rules show.
                if let RouteDestination::Prefix(c) = &r.destination {
                    ranges.push((c.range().lo, c.range().hi));
                }
            }
        }
        IpSet::from_ranges(ranges)
    }

    /// The remote VNet's address space, or the peering's copy of it.
    pub fn remote_space(&self, pe: &Peering) -> IpSet {
        match (pe.remote.found(), &pe.subnets_only) {
            (Some(r), None) => self.vnet_space[r].clone(),
            _ => set_of(&self.remote_prefixes(pe)),
        }
    }

    /// The prefixes a peering makes reachable: the remote VNet's address
    /// space, or for a subnet peering only the prefixes of the remote
    /// subnets it names ("Subnet peering ... linking only the subnet address
    /// spaces rather than the entire virtual network address spaces",
    /// virtual-network/how-to-configure-subnet-peering). A remote VNet
    /// outside the inputs: the peering's `remoteAddressSpace`.
    pub fn remote_prefixes(&self, pe: &Peering) -> Vec<Cidr> {
        let net = self.net;
        match (pe.remote.found(), &pe.subnets_only) {
            (Some(r), None) => net.vnets[r].address_space.clone(),
            (Some(r), Some(sp)) => net.vnets[r]
                .subnets
                .iter()
                .filter(|&&s| sp.remote.iter().any(|n| n.eq_ignore_ascii_case(net.subnets[s].id.name())))
                .flat_map(|&s| net.subnets[s].prefixes.iter().copied())
                .collect(),
            (None, _) => pe.remote_address_space.clone(),
        }
    }

    /// Gateways whose GatewaySubnet is in VNet `v`.
    pub fn gateways_of(&self, v: Idx<VirtualNetwork>) -> impl Iterator<Item = Idx<VnetGateway>> + '_ {
        Idx::enumerate(&self.net.vnet_gateways).filter_map(move |(i, g)| {
            let s = g.subnet.as_ref()?.found()?;
            (self.net.subnets[s].vnet == v).then_some(i)
        })
    }

    /// Gateways whose routes VNet `v` learns: its own, and through a peering
    /// with `useRemoteGateways` whose remote side allows gateway transit
    /// ("Virtual network peering", gateway transit).
    pub fn gateway_routes_from(&self, v: Idx<VirtualNetwork>) -> Vec<Idx<VnetGateway>> {
        let mut out: Vec<Idx<VnetGateway>> = self.gateways_of(v).collect();
        for pe in &self.net.vnets[v].peerings {
            if !pe.use_remote_gateways {
                continue;
            }
            if let Some(r) = pe.remote.found() {
                if self.peering(r, v).is_some_and(|back| back.allow_gateway_transit) {
                    out.extend(self.gateways_of(r));
                }
            }
        }
        out
    }

    /// The subnet of VNet `v` that holds `ip` (longest prefix).
    pub fn subnet_in(&self, v: Idx<VirtualNetwork>, ip: IpAddr) -> Option<Idx<Subnet>> {
        let x = ip_to_u128(ip);
        self.subnet_ranges[v]
            .iter()
            .filter(|(lo, hi, _)| *lo <= x && x <= *hi)
            .max_by_key(|(lo, hi, _)| lo.wrapping_sub(*hi))
            .map(|t| t.2)
    }

    /// Every subnet, in any VNet, that holds `ip`.
    pub fn subnets_holding(&self, ip: IpAddr) -> Vec<Idx<Subnet>> {
        Idx::all(&self.net.vnets).filter_map(|v| self.subnet_in(v, ip)).collect()
    }

    /// The index of VNet `local`'s peering towards VNet `remote`.
    pub fn peering_index(&self, local: Idx<VirtualNetwork>, remote: Idx<VirtualNetwork>) -> Option<usize> {
        self.peering.get(&(local, remote)).copied()
    }

    /// The peering of VNet `local` towards VNet `remote`.
    pub fn peering(&self, local: Idx<VirtualNetwork>, remote: Idx<VirtualNetwork>) -> Option<&'a Peering> {
        self.peering.get(&(local, remote)).map(|&i| &self.net.vnets[local].peerings[i])
    }

    /// Is `ip` public, that is, in the `Internet` tag seen from nowhere in
    /// particular?
    pub fn is_public(&self, ip: IpAddr) -> bool {
        self.public_space.contains_ip(ip)
    }

    /// The `Internet` tag seen from VNet `v`: "all IP addresses outside the
    /// virtual network address space that are reachable by the public
    /// internet" (NSG troubleshooting; service tags overview). The two tags
    /// are defined independently: a user-defined route widens
    /// `VirtualNetwork` (a 0.0.0.0/0 UDR to the hub firewall makes it every
    /// address) but does not shrink `Internet`, so rules naming `Internet`
    /// keep matching public addresses and are taken by priority.
    pub fn is_internet(&self, v: Option<Idx<VirtualNetwork>>, ip: IpAddr) -> bool {
        self.public_space.contains_ip(ip) && v.is_none_or(|v| !self.not_internet[v].contains_ip(ip))
    }

    /// The `Internet` tag seen from VNet `v`, as a set (for `tusk rules`).
    pub fn internet_tag(&self, v: Option<Idx<VirtualNetwork>>) -> IpSet {
        match v {
            Some(v) => self.public_space.subtract(&self.not_internet[v]),
            None => self.public_space.clone(),
        }
    }

    /// The subnet an owner sits in.
    pub fn owner_subnet(&self, o: Owner) -> Option<Idx<Subnet>> {
        let net = self.net;
        match o {
            Owner::Nic(n, c) => net.nics[n].ip_configs.get(c)?.subnet.as_ref()?.found(),
            Owner::Firewall(f) => net.firewalls[f].subnet.as_ref()?.found(),
            Owner::PrivateEndpoint(p) => net.private_endpoints[p].subnet.as_ref()?.found(),
            Owner::Gateway(g) => net.vnet_gateways[g].subnet.as_ref()?.found(),
            Owner::LbFrontend(l, f) => net.load_balancers[l].frontends.get(f)?.subnet.as_ref()?.found(),
        }
    }
}

/// The addresses of `cidrs`.
pub fn set_of(cidrs: &[Cidr]) -> IpSet {
    IpSet::from_ranges(cidrs.iter().map(|c| (c.range().lo, c.range().hi)).collect())
}

/// RFC 1918, RFC 6598, loopback, link-local, multicast, "this network",
/// reserved, the host VIP, and IPv6 ULA/link-local: not the Internet.
pub fn non_public() -> IpSet {
    let v: Vec<Cidr> = [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "168.63.129.16/32",
        "fc00::/7",
        "fe80::/10",
        "::/128",
        "::1/128",
    ]
    .iter()
    .map(|s| Cidr::parse(s).expect("static CIDR"))
    .collect();
    set_of(&v)
}

/// Does the CIDR hold the address? (No set is built.)
pub fn cidr_has(c: &Cidr, ip: IpAddr) -> bool {
    let r = c.range();
    (r.lo..=r.hi).contains(&ip_to_u128(ip))
}
