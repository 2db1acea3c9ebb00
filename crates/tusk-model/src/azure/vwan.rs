//! Virtual WAN: virtual hubs, their virtual network connections and their
//! routing intent. A hub is a routing domain Microsoft manages: it gives
//! every connected VNet routes to the hub, to the other connected VNets and
//! to branches, and with routing intent it sends private and/or Internet
//! traffic to the secured hub's firewall (Microsoft Learn, "How to configure
//! Virtual WAN Hub routing intent and routing policies"). tusk reads these
//! resources and the engine makes the flows whose route depends on the hub
//! unknown, naming the hub, since those routes are not modelled.

use super::{ResourceId, VirtualNetwork};
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
    /// `application gateway`, `Azure Bastion`.
    pub kind: &'static str,
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
    /// What it is, in words (`Azure Route Server BGP peer`, `DNS private resolver`).
    pub kind: &'static str,
    /// What it could change.
    pub effect: UnmodelledEffect,
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
