//! What a walk produces: the steps of one path (each control met, its
//! decision and the addresses it saw), where the path ended, and the state
//! stateful devices keep for the reply. Plain results: the walk
//! (`walk`) builds them, [`super::trace`] pairs a forward path with
//! its reply, and reporters render them.

use super::decision::{Hop, Nat};
use super::{Decision, Kind, Owner};
use std::net::IpAddr;
use tusk_model::azure::{AppGateway, AzureFirewall, Idx, NetworkInterface, Subnet, VnetGateway};

/// What a step checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Routing.
    Route,
    /// A network security group.
    Nsg,
    /// AVNM security admin rules.
    AdminRules,
    /// A VNet peering.
    Peering,
    /// An Azure Firewall.
    Firewall,
    /// A network virtual appliance.
    Nva,
    /// A VNet gateway.
    Gateway,
    /// The Internet edge.
    Internet,
    /// Delivery to the destination.
    Delivery,
    /// A stateful control letting a reply through.
    Stateful,
    /// An application gateway (listener, rule, WAF, its own connection).
    AppGateway,
    /// An Azure Bastion host (the session it opens: tier, port, target).
    Bastion,
}

impl Control {
    /// `route`, `nsg`, `admin-rules`, ...: the word of `tusk trace -o json`.
    pub fn name(self) -> &'static str {
        match self {
            Control::Route => "route",
            Control::Nsg => "nsg",
            Control::AdminRules => "admin-rules",
            Control::Peering => "peering",
            Control::Firewall => "firewall",
            Control::Nva => "nva",
            Control::Gateway => "gateway",
            Control::Internet => "internet",
            Control::Delivery => "delivery",
            Control::Stateful => "stateful",
            Control::AppGateway => "app-gateway",
            Control::Bastion => "bastion",
        }
    }
}

/// One check along a path, with the addresses the control saw.
#[derive(Debug, Clone)]
pub struct Step {
    /// Where the control sits.
    pub at: Hop,
    /// What it checked.
    pub control: Control,
    /// What it decided.
    pub decision: Decision,
    /// The source address it saw.
    pub src: IpAddr,
    /// The destination address it saw.
    pub dst: IpAddr,
    /// The address translations this step performed.
    pub nat: Vec<Nat>,
}

/// Where a path ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival {
    /// Delivered in a subnet (to the owner, if known).
    Azure {
        /// The subnet.
        subnet: Idx<Subnet>,
        /// What holds the address, when known.
        owner: Option<Owner>,
        /// The address.
        ip: IpAddr,
    },
    /// Left to the Internet.
    Internet {
        /// The destination.
        ip: IpAddr,
    },
    /// Handed to a VNet gateway for on-premises.
    OnPrem {
        /// The destination.
        ip: IpAddr,
        /// The gateway.
        gateway: Idx<VnetGateway>,
    },
    /// Not delivered.
    Nowhere,
}

/// One direction of a trace: its steps, verdict and arrival.
#[derive(Debug, Clone)]
pub struct Path {
    /// Each check, in order.
    pub steps: Vec<Step>,
    /// Denied if a step denies, allowed if all allow and it arrives, else unknown.
    pub verdict: Kind,
    /// Where it ended.
    pub arrival: Arrival,
    /// Stateful devices traversed (firewalls), in order.
    pub devices: Vec<Idx<AzureFirewall>>,
    /// Firewalls that translated the source, with the address used.
    pub snat_by: Vec<(Idx<AzureFirewall>, IpAddr)>,
    /// Firewalls that translated the destination: (firewall, original dst).
    pub dnat_by: Vec<(Idx<AzureFirewall>, IpAddr)>,
    /// Stateful NVAs (NIC indices) that forwarded the packet, in order.
    pub nvas: Vec<Idx<NetworkInterface>>,
    /// NVAs that translated the source: (NIC, address used, original source).
    pub nva_snat_by: Vec<(Idx<NetworkInterface>, IpAddr, IpAddr)>,
    /// What sent the first packet, when it is a known resource: the device
    /// that opened a connection holds its state, so the reply addressed to
    /// it is delivered to it, not judged as traffic it never saw.
    pub origin: Option<Owner>,
    /// The source address the path started with.
    pub first_src: IpAddr,
    /// The source and destination addresses the final hop saw.
    pub final_src: IpAddr,
    /// The destination address the final hop saw.
    pub final_dst: IpAddr,
    /// The application gateway the request went through, when it did: the
    /// rest of the path is the gateway's own connection.
    pub appgw: Option<AppGwLeg>,
}

/// Where an application gateway joined the client's connection to its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppGwLeg {
    /// The gateway.
    pub gw: Idx<AppGateway>,
    /// The client's address, as the gateway saw it.
    pub client: IpAddr,
    /// The frontend address the client asked.
    pub frontend: IpAddr,
    /// The address of the gateway's subnet its connection leaves from.
    pub instance: IpAddr,
    /// How many firewalls (`devices`) the client's leg crossed.
    pub devices: usize,
    /// How many stateful NVAs (`nvas`) the client's leg crossed.
    pub nvas: usize,
}
