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
    VnetLocal,
    VnetPeering,
    VirtualNetworkGateway,
    Internet,
    VirtualAppliance,
    None,
    /// The system route a subnet's service endpoint adds for the service's
    /// prefixes (never a user route's next hop).
    VirtualNetworkServiceEndpoint,
}

impl NextHopType {
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
    Prefix(Cidr),
    /// A service tag such as `AzureCloud`: its ranges are not in the inputs.
    Tag(String),
}

#[derive(Debug, Clone)]
pub struct Route {
    pub name: String,
    pub loc: Loc,
    pub destination: RouteDestination,
    pub next_hop: NextHopType,
    pub next_hop_ip: Option<IpAddr>,
}

#[derive(Debug, Clone)]
pub struct RouteTable {
    pub id: ResourceId,
    pub loc: Loc,
    pub routes: Vec<Route>,
    pub disable_bgp_route_propagation: bool,
}
