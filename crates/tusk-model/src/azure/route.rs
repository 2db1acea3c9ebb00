//! Route tables and user-defined routes.

use super::ResourceId;
use std::fmt;
use std::net::IpAddr;
use tusk_core::ip::Cidr;
use tusk_core::Loc;

/// Where a route sends traffic (the `nextHopType` values of the REST API,
/// plus `VNetPeering`, which only system routes have).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NextHopType {
    /// Within the VNet (system route for the address space).
    VnetLocal,
    /// To a peered VNet (system route).
    VnetPeering,
    /// To the VNet gateway (on-premises).
    VirtualNetworkGateway,
    /// Out to the Internet.
    Internet,
    /// To a virtual appliance's address (`next_hop_ip`).
    VirtualAppliance,
    /// Dropped.
    None,
    /// The system route a subnet's service endpoint adds for the service's
    /// prefixes (never a user route's next hop).
    VirtualNetworkServiceEndpoint,
}

impl NextHopType {
    /// The next hop type from the REST spelling (any case; `VirtualNetwork`
    /// is `VnetLocal`); `None` for any other text.
    pub fn parse(s: &str) -> Option<NextHopType> {
        Some(match s.to_ascii_lowercase().as_str() {
            "vnetlocal" | "virtualnetwork" => NextHopType::VnetLocal,
            "vnetpeering" => NextHopType::VnetPeering,
            "virtualnetworkgateway" => NextHopType::VirtualNetworkGateway,
            "internet" => NextHopType::Internet,
            "virtualappliance" => NextHopType::VirtualAppliance,
            "none" => NextHopType::None,
            _ => return None,
        })
    }

    /// Network Watcher's spelling.
    pub fn name(self) -> &'static str {
        match self {
            NextHopType::VnetLocal => "VnetLocal",
            NextHopType::VnetPeering => "VNetPeering",
            NextHopType::VirtualNetworkGateway => "VirtualNetworkGateway",
            NextHopType::Internet => "Internet",
            NextHopType::VirtualAppliance => "VirtualAppliance",
            NextHopType::None => "None",
            NextHopType::VirtualNetworkServiceEndpoint => "VirtualNetworkServiceEndpoint",
        }
    }
}

impl fmt::Display for NextHopType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a user-defined route's `addressPrefix` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteDestination {
    /// An address prefix.
    Prefix(Cidr),
    /// A service tag such as `AzureCloud`: its ranges are not in the inputs.
    Tag(String),
}

/// One route of a route table.
#[derive(Debug, Clone)]
pub struct Route {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// `addressPrefix`.
    pub destination: RouteDestination,
    /// `nextHopType`.
    pub next_hop: NextHopType,
    /// `nextHopIpAddress` (virtual appliance routes).
    pub next_hop_ip: Option<IpAddr>,
}

/// A route table (`Microsoft.Network/routeTables`).
#[derive(Debug, Clone)]
pub struct RouteTable {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// Its user-defined routes.
    pub routes: Vec<Route>,
    /// `disableBgpRoutePropagation`: gateway routes do not reach the subnet.
    pub disable_bgp_route_propagation: bool,
}
