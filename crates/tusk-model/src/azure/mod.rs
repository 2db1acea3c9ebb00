//! The Azure network of an estate: virtual networks and their subnets and
//! peerings, NSGs and ASGs, route tables, NICs, Azure Firewalls and firewall
//! policies, gateways, private endpoints, NAT gateways, public IPs, load
//! balancer frontends and AVNM security admin rules.
//!
//! Everything here is plain, validated data: CIDRs are parsed, priorities
//! checked, references between resources resolved to indices ([`Link`]).
//! A reference the loader could not follow because the inputs hold no
//! resource of that type at all stays [`Link::Absent`], so that an analysis
//! can answer "unknown" for it rather than guess. This module decides nothing.

mod firewall;
mod id;
mod nsg;
mod route;

pub use firewall::*;
pub use id::ResourceId;
pub use nsg::*;
pub use route::*;

use std::net::IpAddr;
use tusk_core::ip::Cidr;
use tusk_core::Loc;

/// A reference from one resource to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Index into the matching vector of [`AzureNetwork`].
    Found(usize),
    /// The inputs hold no resource of the referenced type, so the reference
    /// points outside what was exported. Analyses treat it as unknown.
    Absent(ResourceId),
}

impl Link {
    pub fn found(&self) -> Option<usize> {
        match self {
            Link::Found(i) => Some(*i),
            Link::Absent(_) => None,
        }
    }
}

/// The Azure resources of an estate. Vectors are indexed by [`Link::Found`].
#[derive(Debug, Clone, Default)]
pub struct AzureNetwork {
    pub vnets: Vec<VirtualNetwork>,
    pub subnets: Vec<Subnet>,
    pub nsgs: Vec<Nsg>,
    pub asgs: Vec<Asg>,
    pub route_tables: Vec<RouteTable>,
    pub nics: Vec<NetworkInterface>,
    pub firewalls: Vec<AzureFirewall>,
    pub firewall_policies: Vec<FirewallPolicy>,
    pub vnet_gateways: Vec<VnetGateway>,
    pub local_gateways: Vec<LocalNetworkGateway>,
    pub connections: Vec<GatewayConnection>,
    pub private_endpoints: Vec<PrivateEndpoint>,
    pub nat_gateways: Vec<NatGateway>,
    pub public_ips: Vec<PublicIp>,
    pub load_balancers: Vec<LoadBalancer>,
    pub admin_rules: Vec<AdminRule>,
}

impl AzureNetwork {
    pub fn is_empty(&self) -> bool {
        self.vnets.is_empty() && self.subnets.is_empty() && self.nsgs.is_empty() && self.nics.is_empty()
    }

    /// `vnet/subnet`, the name users type.
    pub fn subnet_path(&self, s: usize) -> String {
        let sn = &self.subnets[s];
        format!("{}/{}", self.vnets[sn.vnet].id.name(), sn.id.name())
    }
}

#[derive(Debug, Clone)]
pub struct VirtualNetwork {
    pub id: ResourceId,
    pub loc: Loc,
    pub address_space: Vec<Cidr>,
    /// Indices into [`AzureNetwork::subnets`].
    pub subnets: Vec<usize>,
    pub peerings: Vec<Peering>,
}

#[derive(Debug, Clone)]
pub struct Subnet {
    pub id: ResourceId,
    pub loc: Loc,
    /// Index into [`AzureNetwork::vnets`].
    pub vnet: usize,
    pub prefixes: Vec<Cidr>,
    pub nsg: Option<Link>,
    pub route_table: Option<Link>,
    pub nat_gateway: Option<Link>,
}

/// One side of a virtual network peering, as seen from its local VNet.
#[derive(Debug, Clone)]
pub struct Peering {
    pub id: ResourceId,
    pub loc: Loc,
    /// Index into [`AzureNetwork::vnets`] when the remote VNet was loaded.
    pub remote: Link,
    /// `remoteAddressSpace` as exported, used when the remote VNet is absent.
    pub remote_address_space: Vec<Cidr>,
    pub allow_virtual_network_access: bool,
    pub allow_forwarded_traffic: bool,
    pub allow_gateway_transit: bool,
    pub use_remote_gateways: bool,
    /// `peeringState` when exported (`Connected`, `Initiated`, `Disconnected`).
    pub state: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Asg {
    pub id: ResourceId,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct NetworkInterface {
    pub id: ResourceId,
    pub loc: Loc,
    pub ip_configs: Vec<IpConfig>,
    pub nsg: Option<Link>,
    pub ip_forwarding: bool,
    /// The VM's name, from `virtualMachine.id`, when attached.
    pub vm: Option<String>,
}

#[derive(Debug, Clone)]
pub struct IpConfig {
    pub name: String,
    pub loc: Loc,
    pub private_ip: Option<IpAddr>,
    /// A prefix delegated to the NIC (`privateIPAddress: "172.20.2.16/28"`).
    pub private_prefix: Option<Cidr>,
    pub subnet: Option<Link>,
    /// Indices into [`AzureNetwork::asgs`].
    pub asgs: Vec<Link>,
    pub public_ip: Option<Link>,
}

#[derive(Debug, Clone)]
pub struct VnetGateway {
    pub id: ResourceId,
    pub loc: Loc,
    pub subnet: Option<Link>,
    pub private_ips: Vec<IpAddr>,
}

#[derive(Debug, Clone)]
pub struct LocalNetworkGateway {
    pub id: ResourceId,
    pub loc: Loc,
    pub prefixes: Vec<Cidr>,
}

#[derive(Debug, Clone)]
pub struct GatewayConnection {
    pub id: ResourceId,
    pub loc: Loc,
    pub gateway: Link,
    /// The local network gateway (site-to-site) when there is one.
    pub local_gateway: Option<Link>,
}

#[derive(Debug, Clone)]
pub struct PrivateEndpoint {
    pub id: ResourceId,
    pub loc: Loc,
    pub subnet: Option<Link>,
    pub ips: Vec<IpAddr>,
}

#[derive(Debug, Clone)]
pub struct NatGateway {
    pub id: ResourceId,
    pub loc: Loc,
    pub public_ips: Vec<Link>,
}

#[derive(Debug, Clone)]
pub struct PublicIp {
    pub id: ResourceId,
    pub loc: Loc,
    pub address: Option<IpAddr>,
    /// The id of the ipConfiguration it is bound to (NIC, firewall, LB).
    pub bound_to: Option<ResourceId>,
}

#[derive(Debug, Clone)]
pub struct LoadBalancer {
    pub id: ResourceId,
    pub loc: Loc,
    pub frontends: Vec<Frontend>,
}

#[derive(Debug, Clone)]
pub struct Frontend {
    pub name: String,
    pub loc: Loc,
    pub private_ip: Option<IpAddr>,
    pub subnet: Option<Link>,
    pub public_ip: Option<Link>,
}
