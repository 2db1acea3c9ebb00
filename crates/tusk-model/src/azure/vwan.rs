//! Virtual WAN: virtual hubs, their route tables, their virtual network
//! connections (with each connection's association, propagation and static
//! routes) and their routing intent. A hub is a routing domain Microsoft
//! manages: a connection is associated to one hub route table, whose routes
//! its VNet learns, and propagates its VNet's ranges to route tables chosen
//! by id or label (Microsoft Learn, "About virtual hub routing",
//! virtual-wan/about-virtual-hub-routing); with routing intent the hub sends
//! private and/or Internet traffic to the secured hub's firewall ("How to
//! configure Virtual WAN Hub routing intent and routing policies",
//! virtual-wan/how-to-routing-policies). tusk-network routes through the hub
//! where those pages make the route deterministic; branch, inter-hub and
//! BGP-learned routes stay unknown.

use super::{ResourceId, VirtualNetwork};
use std::net::IpAddr;
use tusk_core::{Idx, Loc};

/// `Microsoft.Network/virtualHubs` with its children.
#[derive(Debug, Clone)]
pub struct VirtualHub {
    /// Its Azure resource id.
    pub id: ResourceId,
    /// Where it was read (file:line).
    pub loc: Loc,
    /// `properties.addressPrefix`, the hub's own range (text as written:
    /// it may be an unevaluated expression).
    pub address_prefix: Option<String>,
    /// `properties.azureFirewall.id`: the secured hub's firewall.
    pub firewall: Option<ResourceId>,
    /// `virtualHubs/hubVirtualNetworkConnections`.
    pub connections: Vec<HubConnection>,
    /// `virtualHubs/routingIntent` routing policies.
    pub routing_policies: Vec<RoutingPolicy>,
    /// `virtualHubs/hubRouteTables` (including `defaultRouteTable` and
    /// `noneRouteTable` when the inputs hold them).
    pub route_tables: Vec<HubRouteTable>,
    /// `properties.virtualWan.id` and what the inputs say of that WAN.
    pub wan: Option<VirtualWan>,
    /// Resources in the hub that learn routes from outside the inputs
    /// (VPN, ExpressRoute and point-to-site gateways, NVAs in the hub):
    /// branch routes tusk does not model.
    pub branch_gateways: Vec<HubAttachment>,
}

/// A `Microsoft.Network/virtualWans` resource, as far as routing needs it.
#[derive(Debug, Clone)]
pub struct VirtualWan {
    /// Its Azure resource id.
    pub id: ResourceId,
    /// Where it was read (file:line); `None` when only a hub names it.
    pub loc: Option<Loc>,
    /// `properties.type`: `Basic` or `Standard` (hub routing between VNets
    /// is a Standard feature, "About virtual hub routing").
    pub kind: Option<String>,
    /// `properties.allowBranchToBranchTraffic`.
    pub allow_branch_to_branch: Option<bool>,
    /// `properties.allowVnetToVnetTraffic` (older API versions).
    pub allow_vnet_to_vnet: Option<bool>,
}

/// A gateway or appliance that lives in a hub (`properties.virtualHub.id`).
#[derive(Debug, Clone)]
pub struct HubAttachment {
    /// Its Azure resource id.
    pub id: ResourceId,
    /// Where it was read (file:line).
    pub loc: Loc,
    /// What it is.
    pub kind: AttachmentKind,
}

/// What lives in a hub and learns branch routes (BGP), by resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    /// `Microsoft.Network/vpnGateways`.
    VpnGateway,
    /// `Microsoft.Network/expressRouteGateways`.
    ExpressRouteGateway,
    /// `Microsoft.Network/p2sVpnGateways`.
    PointToSiteGateway,
    /// `Microsoft.Network/networkVirtualAppliances` in the hub.
    VirtualAppliance,
}

/// A hub route table (`virtualHubs/hubRouteTables`).
#[derive(Debug, Clone)]
pub struct HubRouteTable {
    /// Its Azure resource id (its name is the last segment:
    /// `defaultRouteTable`, `noneRouteTable` or a custom name).
    pub id: ResourceId,
    /// Where it was read (file:line).
    pub loc: Loc,
    /// `properties.labels`; the default route table also carries the
    /// built-in label `default`.
    pub labels: Vec<String>,
    /// `properties.routes`: its static routes.
    pub routes: Vec<HubStaticRoute>,
}

/// One static route of a hub route table (`properties.routes[]`).
#[derive(Debug, Clone)]
pub struct HubStaticRoute {
    /// Where it was read (file:line).
    pub loc: Loc,
    /// `name`.
    pub name: String,
    /// `destinationType`: `CIDR` (others, such as `ResourceId` or
    /// `Service`, are not modelled).
    pub destination_type: String,
    /// `destinations`, as written (CIDR text).
    pub destinations: Vec<String>,
    /// `nextHopType`: `ResourceId` (the firewall or a VNet connection).
    pub next_hop_type: String,
    /// `nextHop`: a resource id.
    pub next_hop: String,
}

/// A connection's `routingConfiguration`.
#[derive(Debug, Clone, Default)]
pub struct ConnectionRouting {
    /// `associatedRouteTable.id`; `None`: the hub's `defaultRouteTable`.
    pub associated: Option<ResourceId>,
    /// `propagatedRouteTables` is written: `ids` and `labels` below say
    /// everything. When absent, the connection propagates to the default
    /// route table and the `default` label.
    pub propagation_written: bool,
    /// `propagatedRouteTables.ids[].id`.
    pub propagated_ids: Vec<ResourceId>,
    /// `propagatedRouteTables.labels`.
    pub propagated_labels: Vec<String>,
    /// `vnetRoutes.staticRoutes`: next hops inside the connected VNet.
    pub static_routes: Vec<VnetStaticRoute>,
    /// `vnetRoutes.staticRoutesConfig.propagateStaticRoutes`.
    pub propagate_static_routes: Option<bool>,
}

/// A static route of a VNet connection (`vnetRoutes.staticRoutes[]`): from
/// the hub, these prefixes go to an appliance inside the connected VNet.
#[derive(Debug, Clone)]
pub struct VnetStaticRoute {
    /// Where it was read (file:line).
    pub loc: Loc,
    /// `name`.
    pub name: String,
    /// `addressPrefixes`, as written.
    pub prefixes: Vec<String>,
    /// `nextHopIpAddress`, when it is a literal address.
    pub next_hop_ip: Option<IpAddr>,
}

/// A hub's connection to a VNet (`hubVirtualNetworkConnections`).
#[derive(Debug, Clone)]
pub struct HubConnection {
    /// Its Azure resource id.
    pub id: ResourceId,
    /// Where it was read (file:line).
    pub loc: Loc,
    /// `properties.remoteVirtualNetwork.id`.
    pub remote: ResourceId,
    /// That VNet, when the inputs hold it.
    pub vnet: Option<Idx<VirtualNetwork>>,
    /// `routingConfiguration` (defaults when absent); `None` when it is
    /// written but not readable (an unevaluated expression).
    pub routing: Option<ConnectionRouting>,
    /// `enableInternetSecurity`: does the VNet learn the hub's 0.0.0.0/0?
    pub internet_security: Option<bool>,
}

/// One routing policy of a hub's routing intent (`properties.routingPolicies[]`).
#[derive(Debug, Clone)]
pub struct RoutingPolicy {
    /// Where it was read (file:line).
    pub loc: Loc,
    /// `name` (`PublicTraffic`, `PrivateTraffic`, ...).
    pub name: String,
    /// `destinations`: `Internet` and/or `PrivateTraffic`.
    pub destinations: Vec<String>,
    /// `nextHop`: the firewall (or NVA) resource id.
    pub next_hop: String,
}

/// A device tusk reads but does not model, that holds addresses in
/// subnets of the inputs: an application gateway (a reverse proxy that
/// ends the client's connection and opens its own to the backends) or an
/// Azure Bastion host. A flow to an address it may hold is unknown, naming
/// it, instead of "nothing holds the address".
#[derive(Debug, Clone)]
pub struct OpaqueDevice {
    /// Its Azure resource id.
    pub id: ResourceId,
    /// Where it was read (file:line).
    pub loc: Loc,
    /// What it is (worded by tusk-report).
    pub kind: OpaqueKind,
    /// The subnets its instances take addresses in.
    pub subnets: Vec<ResourceId>,
    /// Its private frontend addresses, where the inputs give them.
    pub private_ips: Vec<std::net::IpAddr>,
}

/// A resource of a type tusk reads only to say which verdicts it could
/// change (the decision table of docs/azure.md, "Resource types tusk
/// skips"): the flows it touches are unknown, naming it.
#[derive(Debug, Clone)]
pub struct Unmodelled {
    /// Its Azure resource id.
    pub id: ResourceId,
    /// Where it was read (file:line).
    pub loc: Loc,
    /// What it is (worded by tusk-report).
    pub kind: UnmodelledKind,
    /// What it could change.
    pub effect: UnmodelledEffect,
}

/// What an [`OpaqueDevice`] is: one variant per resource type the loader
/// reads as a device holding addresses it does not model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpaqueKind {
    /// `Microsoft.Network/applicationGateways` (also modelled as an
    /// [`crate::azure::AppGateway`]; the device stands for its instances).
    ApplicationGateway,
    /// `Microsoft.Network/bastionHosts` (also modelled as a
    /// [`crate::azure::BastionHost`]).
    Bastion,
    /// `Microsoft.Network/privateLinkServices` (its NAT addresses).
    PrivateLinkService,
    /// `Microsoft.Network/dnsResolvers/inboundEndpoints` or
    /// `outboundEndpoints`.
    DnsResolverEndpoint,
    /// `Microsoft.Compute/virtualMachineScaleSets` (its instances).
    ScaleSet,
    /// Another `Microsoft.Network` type the loader's table does not list.
    OtherNetworkResource,
    /// A type outside `Microsoft.Network` that names a subnet (VNet
    /// injection of a PaaS service).
    InjectedService,
}

/// What an [`Unmodelled`] resource is: one variant per resource type (or
/// family) the loader reads only to say which verdicts it could change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnmodelledKind {
    /// `Microsoft.Network/networkManagers/connectivityConfigurations`.
    AvnmConnectivity,
    /// `Microsoft.Network/virtualHubs/ipConfigurations` or
    /// `bgpConnections`: Azure Route Server and its BGP peers.
    RouteServerBgp,
    /// `Microsoft.Network/dnsResolvers` and DNS forwarding rulesets.
    DnsForwarding,
}

impl OpaqueKind {
    /// The kind's name, as the load warnings and the reports print it
    /// (`application gateway`), like [`crate::k8s::WorkloadKind::name`].
    pub fn name(self) -> &'static str {
        match self {
            OpaqueKind::ApplicationGateway => "application gateway",
            OpaqueKind::Bastion => "Azure Bastion",
            OpaqueKind::PrivateLinkService => "private link service",
            OpaqueKind::DnsResolverEndpoint => "DNS private resolver endpoint",
            OpaqueKind::ScaleSet => "virtual machine scale set",
            OpaqueKind::OtherNetworkResource => "network resource tusk does not model",
            OpaqueKind::InjectedService => "service injected into a subnet",
        }
    }
}

impl UnmodelledKind {
    /// The kind's name, as the load warnings and the reports print it
    /// (`Azure Route Server BGP`).
    pub fn name(self) -> &'static str {
        match self {
            UnmodelledKind::AvnmConnectivity => "AVNM connectivity configuration",
            UnmodelledKind::RouteServerBgp => "Azure Route Server BGP",
            UnmodelledKind::DnsForwarding => "DNS private resolver forwarding",
        }
    }
}

/// What an [`Unmodelled`] resource could change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnmodelledEffect {
    /// Routes learned into these VNets (BGP from a route server, a
    /// gateway's learned routes): a flow leaving a listed VNet's own
    /// address space may take them. An empty list means every VNet.
    Routes(Vec<ResourceId>),
    /// How names resolve (a DNS private resolver's forwarding rules): a
    /// name resolved through private DNS zones may resolve otherwise.
    Names,
}
