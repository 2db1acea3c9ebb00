//! The Azure network of an estate: virtual networks and their subnets and
//! peerings, NSGs and ASGs, route tables, NICs, Azure Firewalls and firewall
//! policies, gateways, private endpoints, NAT gateways, public IPs, load
//! balancer frontends, application gateways, Bastion hosts and AVNM
//! security admin rules.
//!
//! Everything here is plain, validated data: CIDRs are parsed, priorities
//! checked, references between resources resolved to indices ([`Link`]).
//! A reference the loader could not follow because the inputs hold no
//! resource of that type at all stays [`Link::Absent`], so that an analysis
//! can answer "unknown" for it rather than guess. This module decides nothing.

mod appgw;
mod bastion;
mod dns;
mod firewall;
mod id;
mod nsg;
mod route;
mod vwan;

pub use appgw::*;
pub use bastion::*;
pub use dns::*;
pub use firewall::*;
pub use id::ResourceId;
pub use nsg::*;
pub use route::*;
pub use tusk_core::{Idx, IdxVec};
pub use vwan::*;

use std::net::IpAddr;
use tusk_core::ip::Cidr;
use tusk_core::Loc;

/// A reference from one resource to a resource of type `T`.
///
/// The loader resolves each reference against the list of the type its
/// field expects (a subnet's `networkSecurityGroup` against the NSGs), and
/// rejects an id naming another type, as Azure does; [`Idx<T>`] then makes
/// it impossible to use the index on another list.
pub enum Link<T> {
    /// Index into the vector of `T` in [`AzureNetwork`].
    Found(Idx<T>),
    /// The inputs hold no resource of the referenced type, so the reference
    /// points outside what was exported. Analyses treat it as unknown.
    Absent(ResourceId),
}

impl<T> Link<T> {
    /// The index, when the reference was resolved.
    pub fn found(&self) -> Option<Idx<T>> {
        match self {
            Link::Found(i) => Some(*i),
            Link::Absent(_) => None,
        }
    }
}

impl<T> Clone for Link<T> {
    fn clone(&self) -> Self {
        match self {
            Link::Found(i) => Link::Found(*i),
            Link::Absent(id) => Link::Absent(id.clone()),
        }
    }
}
impl<T> PartialEq for Link<T> {
    fn eq(&self, o: &Self) -> bool {
        match (self, o) {
            (Link::Found(a), Link::Found(b)) => a == b,
            (Link::Absent(a), Link::Absent(b)) => a == b,
            _ => false,
        }
    }
}
impl<T> Eq for Link<T> {}
impl<T> std::fmt::Debug for Link<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Link::Found(i) => write!(f, "Found({i:?})"),
            Link::Absent(id) => write!(f, "Absent({id})"),
        }
    }
}

/// A resource type of the model: its ARM type (lower-cased, as
/// [`ResourceId::type_key`] spells it), which references to it must name,
/// and its id, its stable key across estates.
pub trait AzureResource {
    /// `microsoft.network/networksecuritygroups`, ...
    const TYPE: &'static str;
    /// What the type is called in messages (`network security group`).
    const NOUN: &'static str;
    /// Its resource id.
    fn id(&self) -> &ResourceId;
}

macro_rules! resource {
    ($($t:ty => $name:literal, $noun:literal);* $(;)?) => {$(
        impl AzureResource for $t {
            const TYPE: &'static str = $name;
            const NOUN: &'static str = $noun;
            fn id(&self) -> &ResourceId {
                &self.id
            }
        }
    )*};
}

resource! {
    VirtualNetwork => "microsoft.network/virtualnetworks", "virtual network";
    Subnet => "microsoft.network/virtualnetworks/subnets", "subnet";
    Nsg => "microsoft.network/networksecuritygroups", "network security group";
    Asg => "microsoft.network/applicationsecuritygroups", "application security group";
    RouteTable => "microsoft.network/routetables", "route table";
    NetworkInterface => "microsoft.network/networkinterfaces", "network interface";
    AzureFirewall => "microsoft.network/azurefirewalls", "Azure Firewall";
    FirewallPolicy => "microsoft.network/firewallpolicies", "firewall policy";
    VnetGateway => "microsoft.network/virtualnetworkgateways", "virtual network gateway";
    LocalNetworkGateway => "microsoft.network/localnetworkgateways", "local network gateway";
    NatGateway => "microsoft.network/natgateways", "NAT gateway";
    PublicIp => "microsoft.network/publicipaddresses", "public IP address";
    PrivateEndpoint => "microsoft.network/privateendpoints", "private endpoint";
    LoadBalancer => "microsoft.network/loadbalancers", "load balancer";
    GatewayConnection => "microsoft.network/connections", "connection";
    IpGroup => "microsoft.network/ipgroups", "IP group";
}

/// The Azure resources of an estate, one vector per type, indexed by [`Idx`].
#[derive(Debug, Clone, Default)]
pub struct AzureNetwork {
    /// Virtual networks.
    pub vnets: Vec<VirtualNetwork>,
    /// Subnets of every VNet (each names its VNet).
    pub subnets: Vec<Subnet>,
    /// Network security groups.
    pub nsgs: Vec<Nsg>,
    /// Application security groups.
    pub asgs: Vec<Asg>,
    /// Route tables.
    pub route_tables: Vec<RouteTable>,
    /// Network interfaces.
    pub nics: Vec<NetworkInterface>,
    /// Azure Firewalls.
    pub firewalls: Vec<AzureFirewall>,
    /// Firewall policies (with their rule collection groups).
    pub firewall_policies: Vec<FirewallPolicy>,
    /// Virtual network gateways (VPN, ExpressRoute).
    pub vnet_gateways: Vec<VnetGateway>,
    /// Local network gateways: the on-premises side of a site-to-site connection.
    pub local_gateways: Vec<LocalNetworkGateway>,
    /// Gateway connections.
    pub connections: Vec<GatewayConnection>,
    /// Private endpoints.
    pub private_endpoints: Vec<PrivateEndpoint>,
    /// NAT gateways.
    pub nat_gateways: Vec<NatGateway>,
    /// Public IP addresses.
    pub public_ips: Vec<PublicIp>,
    /// Load balancers.
    pub load_balancers: Vec<LoadBalancer>,
    /// AVNM security admin rules, every configuration's, in priority order per direction.
    pub admin_rules: Vec<AdminRule>,
    /// IP groups.
    pub ip_groups: Vec<IpGroup>,
    /// Virtual WAN hubs with their VNet connections and routing intent.
    pub virtual_hubs: Vec<VirtualHub>,
    /// Application gateways and Bastion hosts: read, not modelled.
    pub opaque_devices: Vec<OpaqueDevice>,
    /// Application gateways whose listeners the inputs hold (each also
    /// in `opaque_devices`, for the addresses of its instances).
    pub app_gateways: Vec<AppGateway>,
    /// Application Gateway WAF policies.
    pub waf_policies: Vec<WafPolicy>,
    /// Azure Bastion hosts (each also in `opaque_devices`, for the
    /// addresses of its instances).
    pub bastions: Vec<BastionHost>,
    /// Private DNS zones, their A records and VNet links.
    pub private_dns: PrivateDns,
    /// Resources tusk reads only to say what they make unknown (see
    /// [`Unmodelled`]).
    pub unmodelled: Vec<Unmodelled>,
    /// Microsoft's published service tags (`ServiceTags_Public_*.json`),
    /// when the inputs hold them: the only source of the address ranges of
    /// tags other than VirtualNetwork, Internet and AzureLoadBalancer.
    pub service_tags: Option<ServiceTags>,
}

impl AzureNetwork {
    /// Does the estate hold no VNet, subnet, NSG or NIC?
    pub fn is_empty(&self) -> bool {
        self.vnets.is_empty() && self.subnets.is_empty() && self.nsgs.is_empty() && self.nics.is_empty()
    }

    /// `vnet/subnet`, the name users type.
    pub fn subnet_path(&self, s: Idx<Subnet>) -> String {
        let sn = &self.subnets[s];
        format!("{}/{}", self.vnets[sn.vnet].id.name(), sn.id.name())
    }
}

/// A virtual network (`Microsoft.Network/virtualNetworks`).
#[derive(Debug, Clone)]
pub struct VirtualNetwork {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// `addressSpace.addressPrefixes`.
    pub address_space: Vec<Cidr>,
    /// Its subnets.
    pub subnets: Vec<Idx<Subnet>>,
    /// Its side of each peering.
    pub peerings: Vec<Peering>,
}

/// A subnet (`Microsoft.Network/virtualNetworks/subnets`).
#[derive(Debug, Clone)]
pub struct Subnet {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// The VNet it belongs to.
    pub vnet: Idx<VirtualNetwork>,
    /// `addressPrefix` / `addressPrefixes`.
    pub prefixes: Vec<Cidr>,
    /// `networkSecurityGroup`, when set.
    pub nsg: Option<Link<Nsg>>,
    /// `routeTable`, when set.
    pub route_table: Option<Link<RouteTable>>,
    /// `natGateway`, when set.
    pub nat_gateway: Option<Link<NatGateway>>,
    /// `privateEndpointNetworkPolicies`: whether the subnet's NSG and route
    /// table apply to the private endpoints in it.
    pub private_endpoint_policies: PrivateEndpointPolicies,
    /// `serviceEndpoints`: Azure services this subnet reaches over its own
    /// private addresses, by a system route to the service's prefixes.
    pub service_endpoints: Vec<ServiceEndpoint>,
    /// `serviceEndpointPolicies`: the policies (id, place) that limit which
    /// Azure Storage accounts the subnet's service endpoints reach.
    pub service_endpoint_policies: Vec<(ResourceId, Loc)>,
    /// `defaultOutboundAccess`, with where it was written: `Some((false, _))`
    /// makes a private subnet, whose VMs have no default outbound access to
    /// the Internet ("Default outbound access in Azure", Microsoft Learn,
    /// virtual-network/ip-services/default-outbound-access). `None` when
    /// the input does not say (the REST default depends on the API version).
    pub default_outbound_access: Option<(bool, Loc)>,
}

/// An IP group (`Microsoft.Network/ipGroups`): addresses, prefixes and
/// ranges that Azure Firewall rules name by reference.
#[derive(Debug, Clone)]
pub struct IpGroup {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// [`AddressMatch::Prefix`] / [`AddressMatch::Range`], or
    /// [`AddressMatch::Unknown`] for an entry tusk could not read.
    pub addresses: Vec<AddressMatch>,
}

/// One entry of a subnet's `serviceEndpoints` (`Microsoft.Storage` with its
/// `locations`; `*` or none means every region of the service).
#[derive(Debug, Clone)]
pub struct ServiceEndpoint {
    /// `None` when the loader could not read it (an ARM expression).
    pub service: Option<String>,
    /// `locations`; empty or `*`: every region.
    pub locations: Vec<String>,
    /// Where it was read.
    pub loc: Loc,
}

/// The service tags file: each tag's address prefixes by lower-cased name.
#[derive(Debug, Clone)]
pub struct ServiceTags {
    /// Where it was read.
    pub loc: Loc,
    /// The file's `changeNumber`, its version.
    pub change_number: Option<i64>,
    /// Each tag by lower-cased name.
    pub tags: std::collections::BTreeMap<String, TagPrefixes>,
}

/// One tag of the service tags file (`Storage.WestEurope`).
#[derive(Debug, Clone)]
pub struct TagPrefixes {
    /// The name as the file spells it.
    pub name: String,
    /// `properties.region` (`westeurope`), empty for a global tag.
    pub region: String,
    /// `properties.addressPrefixes`.
    pub prefixes: Vec<Cidr>,
}

impl ServiceTags {
    /// The tag named `name` (case-insensitive, as NSG rules accept it).
    pub fn get(&self, name: &str) -> Option<&TagPrefixes> {
        self.tags.get(&name.to_ascii_lowercase())
    }
}

/// A subnet's `privateEndpointNetworkPolicies` ("Manage network policies
/// for private endpoints", private-link/disable-private-endpoint-network-policy):
/// `Disabled` (the REST default) exempts private endpoints from the subnet's
/// NSG and user-defined routes; `Enabled` applies both;
/// `NetworkSecurityGroupEnabled` and `RouteTableEnabled` apply one each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrivateEndpointPolicies {
    /// Neither the NSG nor the route table applies (the REST default).
    #[default]
    Disabled,
    /// Both apply.
    Enabled,
    /// Only the NSG applies.
    NetworkSecurityGroupEnabled,
    /// Only the route table applies.
    RouteTableEnabled,
}

impl PrivateEndpointPolicies {
    /// Does the subnet's NSG filter traffic to its private endpoints?
    pub fn nsg_applies(self) -> bool {
        matches!(self, PrivateEndpointPolicies::Enabled | PrivateEndpointPolicies::NetworkSecurityGroupEnabled)
    }

    /// Do the subnet's user-defined routes apply to its private endpoints?
    pub fn route_table_applies(self) -> bool {
        matches!(self, PrivateEndpointPolicies::Enabled | PrivateEndpointPolicies::RouteTableEnabled)
    }
}

/// One side of a virtual network peering, as seen from its local VNet.
#[derive(Debug, Clone)]
pub struct Peering {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// The remote VNet, when it was loaded.
    pub remote: Link<VirtualNetwork>,
    /// `remoteAddressSpace` as exported, used when the remote VNet is absent.
    pub remote_address_space: Vec<Cidr>,
    /// `allowVirtualNetworkAccess`: may the remote VNet's addresses reach the local VNet at all?
    pub allow_virtual_network_access: bool,
    /// `allowForwardedTraffic`: is traffic not originating in the remote VNet (forwarded by its NVA or firewall) accepted?
    pub allow_forwarded_traffic: bool,
    /// `allowGatewayTransit`: may the remote VNet use this VNet's gateway?
    pub allow_gateway_transit: bool,
    /// `useRemoteGateways`: does this VNet use the remote VNet's gateway?
    pub use_remote_gateways: bool,
    /// `peeringState` when exported (`Connected`, `Initiated`, `Disconnected`).
    pub state: Option<String>,
    /// Subnet peering (`peerCompleteVnets: false`): the subnets of each
    /// side that take part; `None` for a peering of whole VNets.
    pub subnets_only: Option<SubnetPeering>,
}

/// `localSubnetNames` and `remoteSubnetNames` of a subnet peering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetPeering {
    /// `localSubnetNames`.
    pub local: Vec<String>,
    /// `remoteSubnetNames`.
    pub remote: Vec<String>,
}

/// An application security group (its members are the NIC configurations naming it).
#[derive(Debug, Clone)]
pub struct Asg {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
}

/// A network interface (`Microsoft.Network/networkInterfaces`).
#[derive(Debug, Clone)]
pub struct NetworkInterface {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// `ipConfigurations`.
    pub ip_configs: Vec<IpConfig>,
    /// `networkSecurityGroup` (the NIC-level NSG), when set.
    pub nsg: Option<Link<Nsg>>,
    /// `enableIPForwarding`: may it forward packets not addressed to it (an NVA)?
    pub ip_forwarding: bool,
    /// The VM's name, from `virtualMachine.id`, when attached.
    pub vm: Option<String>,
}

/// One `ipConfigurations[]` entry of a NIC.
#[derive(Debug, Clone)]
pub struct IpConfig {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// `privateIPAddress`, when known.
    pub private_ip: Option<IpAddr>,
    /// A prefix delegated to the NIC (`privateIPAddress: "172.20.2.16/28"`).
    pub private_prefix: Option<Cidr>,
    /// `subnet`.
    pub subnet: Option<Link<Subnet>>,
    /// `applicationSecurityGroups`.
    pub asgs: Vec<Link<Asg>>,
    /// `publicIPAddress`, when set.
    pub public_ip: Option<Link<PublicIp>>,
    /// `loadBalancerBackendAddressPools` and `loadBalancerInboundNatRules`
    /// this configuration is a member of, by id.
    pub lb_pools: Vec<ResourceId>,
    /// Inbound NAT rules it is the target of, by id.
    pub lb_nat_rules: Vec<ResourceId>,
    /// `applicationGatewayBackendAddressPools`: the application gateway
    /// backend pools this configuration is a member of, by id
    /// (`GATEWAY_ID/backendAddressPools/NAME`; networkInterface.json, the
    /// side an ARM template or `azurerm_network_interface_application_gateway_backend_address_pool_association`
    /// writes, where an export also lists the gateway's read-only
    /// `backendIPConfigurations`). `None` is an entry whose id the inputs
    /// do not give as a literal (an unevaluated expression, a value known
    /// only after apply): the configuration may be in any pool.
    pub appgw_pools: Vec<Option<ResourceId>>,
}

/// A virtual network gateway (VPN or ExpressRoute).
#[derive(Debug, Clone)]
pub struct VnetGateway {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// Its `GatewaySubnet`.
    pub subnet: Option<Link<Subnet>>,
    /// Its private addresses in that subnet.
    pub private_ips: Vec<IpAddr>,
}

/// A local network gateway: an on-premises site's address space.
#[derive(Debug, Clone)]
pub struct LocalNetworkGateway {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// `localNetworkAddressSpace.addressPrefixes`: the on-premises prefixes.
    pub prefixes: Vec<Cidr>,
}

/// A gateway connection (`Microsoft.Network/connections`).
#[derive(Debug, Clone)]
pub struct GatewayConnection {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// `virtualNetworkGateway1`: the VNet's gateway.
    pub gateway: Link<VnetGateway>,
    /// The local network gateway (site-to-site) when there is one.
    pub local_gateway: Option<Link<LocalNetworkGateway>>,
}

/// A private endpoint.
#[derive(Debug, Clone)]
pub struct PrivateEndpoint {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// The subnet it sits in.
    pub subnet: Option<Link<Subnet>>,
    /// Its private addresses (from its NIC or `customDnsConfigs`).
    pub ips: Vec<IpAddr>,
}

/// A NAT gateway.
#[derive(Debug, Clone)]
pub struct NatGateway {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// `publicIpAddresses`: the addresses outbound flows leave with.
    pub public_ips: Vec<Link<PublicIp>>,
}

/// A public IP address resource.
#[derive(Debug, Clone)]
pub struct PublicIp {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// `ipAddress`, when allocated and exported.
    pub address: Option<IpAddr>,
    /// The id of the ipConfiguration it is bound to (NIC, firewall, LB).
    pub bound_to: Option<ResourceId>,
}

/// A load balancer.
#[derive(Debug, Clone)]
pub struct LoadBalancer {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// `frontendIPConfigurations`.
    pub frontends: Vec<Frontend>,
    /// Backend pools by name; members are NIC configurations naming the
    /// pool (`IpConfig::lb_pools`) and the pool's own IP addresses.
    pub pools: Vec<BackendPool>,
    /// Load-balancing rules and inbound NAT rules.
    pub rules: Vec<LbRule>,
    /// Rules tusk could not read (port ranges of pool-based NAT rules):
    /// flows to the load balancer stay unknown.
    pub unread_rules: usize,
    /// `outboundRules`: the frontends whose public addresses the pool's
    /// members leave for the Internet with ("Outbound rules Azure Load
    /// Balancer", load-balancer/outbound-rules).
    pub outbound_rules: Vec<OutboundRule>,
    /// `sku.name` is `Basic` (else Standard, the default since 2020 and
    /// the only SKU after Basic's retirement).
    pub basic_sku: bool,
}

/// An outbound rule of a load balancer.
#[derive(Debug, Clone)]
pub struct OutboundRule {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// `frontendIPConfigurations[]`: the frontends' names (from their ids).
    pub frontends: Vec<String>,
    /// `backendAddressPool`: the pool's name.
    pub pool: Option<String>,
    /// `protocol`: `Tcp`, `Udp` or `All`.
    pub protocol: LbProtocol,
}

/// A backend address pool of a load balancer.
#[derive(Debug, Clone)]
pub struct BackendPool {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// `loadBalancerBackendAddresses[].ipAddress` (IP-based pools).
    pub addresses: Vec<IpAddr>,
    /// Members given only by ids tusk does not resolve (VM scale set
    /// configurations in `backendIPConfigurations`).
    pub unresolved: usize,
}

/// The kind of a load balancer rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LbRuleKind {
    /// `loadBalancingRules`: frontend port to a backend pool.
    LoadBalancing,
    /// `inboundNatRules`: frontend port to one backend configuration.
    InboundNat,
}

/// `protocol` of a load balancer rule: `Tcp`, `Udp` or `All`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LbProtocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// Every protocol (HA ports with port 0).
    All,
}

/// A load-balancing or inbound NAT rule.
#[derive(Debug, Clone)]
pub struct LbRule {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// Load-balancing or inbound NAT.
    pub kind: LbRuleKind,
    /// The frontend configuration's name (from its id).
    pub frontend: Option<String>,
    /// `protocol`.
    pub protocol: LbProtocol,
    /// 0 with `All`: HA ports, every port.
    pub frontend_port: u16,
    /// `backendPort` (0 with `All`: the same port).
    pub backend_port: u16,
    /// The backend pool's name (load-balancing rules).
    pub pool: Option<String>,
    /// `enableFloatingIP`: the backend sees the frontend address as destination.
    pub floating_ip: bool,
    /// `disableOutboundSnat`: the rule's frontend is not used for the
    /// pool's outbound flows (load-balancing rules; false for NAT rules).
    pub disable_outbound_snat: bool,
}

/// A frontend IP configuration of a load balancer.
#[derive(Debug, Clone)]
pub struct Frontend {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// `privateIPAddress` (internal load balancer).
    pub private_ip: Option<IpAddr>,
    /// `subnet` (internal load balancer).
    pub subnet: Option<Link<Subnet>>,
    /// `publicIPAddress` (public load balancer).
    pub public_ip: Option<Link<PublicIp>>,
}
