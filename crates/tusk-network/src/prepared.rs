//! The indexes every Azure analysis shares, built once per estate: who owns
//! each address, which subnet of a VNet holds an address, the peerings
//! between two VNets, each VNet's `VirtualNetwork` service tag, the members
//! of each ASG, on-premises prefixes per gateway, every subnet's effective
//! routes, and the `tusk.yaml` rules of each NIC that is an NVA.

use super::routes::{self, EffectiveRoutes};
use std::collections::HashMap;
use std::net::IpAddr;
use tusk_core::ip::{addr_set, all_ips, ip_to_u128, Cidr};
use tusk_core::IpSet;
use tusk_model::azure::*;
use tusk_model::config::{Config, NvaConfig};

/// What sits at an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// NIC index and ip configuration index.
    Nic(usize, usize),
    Firewall(usize),
    PrivateEndpoint(usize),
    Gateway(usize),
    /// Load balancer index and frontend index.
    LbFrontend(usize, usize),
}

/// The Azure host's virtual IP (DNS, health probes): part of the
/// `VirtualNetwork` tag and the source of `AzureLoadBalancer` probes.
pub const HOST_VIP: [u8; 4] = [168, 63, 129, 16];

pub struct Prepared<'a> {
    pub net: &'a AzureNetwork,
    /// Private addresses to their owners.
    pub private: FxMap<IpAddr, Owner>,
    /// Public addresses to their owners.
    pub public: FxMap<IpAddr, Owner>,
    /// Per VNet: (lo, hi, subnet) sorted by lo, for address lookups.
    subnet_ranges: Vec<Vec<(u128, u128, usize)>>,
    /// `(local vnet, remote vnet)` to the local VNet's peering index.
    peering: FxMap<(usize, usize), usize>,
    pub vnet_space: Vec<IpSet>,
    /// The `VirtualNetwork` tag as seen from each VNet.
    pub vnet_tag: Vec<IpSet>,
    pub asg_members: Vec<IpSet>,
    /// Per gateway: on-premises prefixes of its connections.
    pub onprem: Vec<Vec<Cidr>>,
    pub routes: Vec<EffectiveRoutes>,
    /// Every public address (see [`non_public`]).
    public_space: IpSet,
    /// Per NIC: its NVA rules from `tusk.yaml`, if any.
    nvas: Vec<Option<&'a NvaConfig>>,
}

impl<'a> Prepared<'a> {
    pub fn new(net: &'a AzureNetwork) -> Prepared<'a> {
        let mut p = Prepared {
            net,
            private: FxMap::default(),
            public: FxMap::default(),
            subnet_ranges: vec![Vec::new(); net.vnets.len()],
            peering: FxMap::default(),
            vnet_space: net.vnets.iter().map(|v| set_of(&v.address_space)).collect(),
            vnet_tag: Vec::new(),
            asg_members: vec![IpSet::empty(); net.asgs.len()],
            onprem: vec![Vec::new(); net.vnet_gateways.len()],
            routes: Vec::new(),
            public_space: all_ips().subtract(&non_public()),
            nvas: vec![None; net.nics.len()],
        };
        p.index_owners();
        for (i, s) in net.subnets.iter().enumerate() {
            for c in &s.prefixes {
                let r = c.range();
                p.subnet_ranges[s.vnet].push((r.lo, r.hi, i));
            }
        }
        for v in &mut p.subnet_ranges {
            v.sort_unstable();
        }
        for (vi, v) in net.vnets.iter().enumerate() {
            for (pi, pe) in v.peerings.iter().enumerate() {
                if let Some(r) = pe.remote.found() {
                    p.peering.insert((vi, r), pi);
                }
            }
        }
        for c in &net.connections {
            if let (Some(g), Some(Some(l))) = (c.gateway.found(), c.local_gateway.as_ref().map(Link::found)) {
                p.onprem[g].extend(net.local_gateways[l].prefixes.iter().copied());
            }
        }
        p.vnet_tag = (0..net.vnets.len()).map(|v| p.compute_vnet_tag(v)).collect();
        p.routes = (0..net.subnets.len()).map(|s| routes::effective_routes(&p, s)).collect();
        p
    }

    /// The indexes plus `tusk.yaml`'s NVA rules, bound to their NICs.
    pub fn with_config(net: &'a AzureNetwork, config: &'a Config) -> Prepared<'a> {
        let mut p = Prepared::new(net);
        for c in &config.nvas {
            if let Some(slot) = c.nic_index.and_then(|n| p.nvas.get_mut(n)) {
                *slot = Some(c);
            }
        }
        p
    }

    /// The `tusk.yaml` rules of NIC `nic`, when it is a configured NVA.
    pub fn nva(&self, nic: usize) -> Option<&'a NvaConfig> {
        self.nvas.get(nic).copied().flatten()
    }

    fn index_owners(&mut self) {
        let net = self.net;
        let mut bound: HashMap<&str, Owner> = HashMap::new();
        for (n, nic) in net.nics.iter().enumerate() {
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
        for (f, fw) in net.firewalls.iter().enumerate() {
            for ip in &fw.private_ips {
                self.private.insert(*ip, Owner::Firewall(f));
            }
            for pip in fw.public_ips.iter().filter_map(Link::found) {
                bound.insert(net.public_ips[pip].id.key(), Owner::Firewall(f));
            }
        }
        for (i, pe) in net.private_endpoints.iter().enumerate() {
            for ip in &pe.ips {
                self.private.insert(*ip, Owner::PrivateEndpoint(i));
            }
        }
        for (i, g) in net.vnet_gateways.iter().enumerate() {
            for ip in &g.private_ips {
                self.private.insert(*ip, Owner::Gateway(i));
            }
        }
        for (l, lb) in net.load_balancers.iter().enumerate() {
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

    /// "VirtualNetwork: the address space of the virtual network, all
    /// connected on-premises address spaces, peered virtual networks,
    /// virtual networks connected to a virtual network gateway, the virtual
    /// IP address of the host, and address prefixes used on user-defined
    /// routes" (virtual-network/service-tags-overview).
    fn compute_vnet_tag(&self, v: usize) -> IpSet {
        let net = self.net;
        let mut ranges: Vec<(u128, u128)> = self.vnet_space[v].ranges().to_vec();
        let vip = ip_to_u128(IpAddr::from(HOST_VIP));
        ranges.push((vip, vip));
        for pe in &net.vnets[v].peerings {
            ranges.extend_from_slice(self.remote_space(pe).ranges());
        }
        for g in self.gateway_routes_from(v) {
            ranges.extend(self.onprem[g].iter().map(|c| (c.range().lo, c.range().hi)));
        }
        let mut tables: Vec<usize> =
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
        match pe.remote.found() {
            Some(r) => self.vnet_space[r].clone(),
            None => set_of(&pe.remote_address_space),
        }
    }

    /// Gateways whose GatewaySubnet is in VNet `v`.
    pub fn gateways_of(&self, v: usize) -> impl Iterator<Item = usize> + '_ {
        self.net.vnet_gateways.iter().enumerate().filter_map(move |(i, g)| {
            let s = g.subnet.as_ref()?.found()?;
            (self.net.subnets[s].vnet == v).then_some(i)
        })
    }

    /// Gateways whose routes VNet `v` learns: its own, and through a peering
    /// with `useRemoteGateways` whose remote side allows gateway transit
    /// ("Virtual network peering", gateway transit).
    pub fn gateway_routes_from(&self, v: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self.gateways_of(v).collect();
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
    pub fn subnet_in(&self, v: usize, ip: IpAddr) -> Option<usize> {
        let x = ip_to_u128(ip);
        self.subnet_ranges[v]
            .iter()
            .filter(|(lo, hi, _)| *lo <= x && x <= *hi)
            .max_by_key(|(lo, hi, _)| lo.wrapping_sub(*hi))
            .map(|t| t.2)
    }

    /// Every subnet, in any VNet, that holds `ip`.
    pub fn subnets_holding(&self, ip: IpAddr) -> Vec<usize> {
        (0..self.net.vnets.len()).filter_map(|v| self.subnet_in(v, ip)).collect()
    }

    /// The peering of VNet `local` towards VNet `remote`.
    pub fn peering(&self, local: usize, remote: usize) -> Option<&'a Peering> {
        self.peering.get(&(local, remote)).map(|&i| &self.net.vnets[local].peerings[i])
    }

    /// The `Internet` tag: public address space outside the VNet tag.
    pub fn is_internet(&self, v: Option<usize>, ip: IpAddr) -> bool {
        self.public_space.contains_ip(ip) && v.is_none_or(|v| !self.vnet_tag[v].contains_ip(ip))
    }

    /// The subnet an owner sits in.
    pub fn owner_subnet(&self, o: Owner) -> Option<usize> {
        let net = self.net;
        match o {
            Owner::Nic(n, c) => net.nics[n].ip_configs[c].subnet.as_ref()?.found(),
            Owner::Firewall(f) => net.firewalls[f].subnet.as_ref()?.found(),
            Owner::PrivateEndpoint(p) => net.private_endpoints[p].subnet.as_ref()?.found(),
            Owner::Gateway(g) => net.vnet_gateways[g].subnet.as_ref()?.found(),
            Owner::LbFrontend(l, f) => net.load_balancers[l].frontends[f].subnet.as_ref()?.found(),
        }
    }

    pub fn owner_name(&self, o: Owner) -> String {
        let net = self.net;
        match o {
            Owner::Nic(n, _) => match &net.nics[n].vm {
                Some(vm) => format!("NIC {} (VM {vm})", net.nics[n].id.name()),
                None => format!("NIC {}", net.nics[n].id.name()),
            },
            Owner::Firewall(f) => format!("Azure Firewall {}", net.firewalls[f].id.name()),
            Owner::PrivateEndpoint(p) => format!("private endpoint {}", net.private_endpoints[p].id.name()),
            Owner::Gateway(g) => format!("VNet gateway {}", net.vnet_gateways[g].id.name()),
            Owner::LbFrontend(l, f) => {
                format!(
                    "load balancer {} frontend {}",
                    net.load_balancers[l].id.name(),
                    net.load_balancers[l].frontends[f].name
                )
            }
        }
    }
}

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

/// A fast, non-cryptographic hasher (FxHash) for the engine's lookup
/// tables, whose keys are addresses and indices, not attacker-chosen.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u128(&mut self, v: u128) {
        self.write_u64(v as u64);
        self.write_u64((v >> 64) as u64);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }
    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }
}

pub type FxBuild = std::hash::BuildHasherDefault<FxHasher>;
pub type FxMap<K, V> = HashMap<K, V, FxBuild>;

/// Does the CIDR hold the address? (No set is built.)
pub fn cidr_has(c: &Cidr, ip: IpAddr) -> bool {
    let r = c.range();
    (r.lo..=r.hi).contains(&ip_to_u128(ip))
}
