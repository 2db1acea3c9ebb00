//! Network security groups, their rules, and AVNM security admin rules.
//! Rules keep what the resource said, typed: a prefix list is a list of
//! [`AddressMatch`]es, so an "augmented" rule with many prefixes and a plain
//! one with a single prefix are the same shape.

use super::{Asg, Link, ResourceId};
use tusk_core::ip::Cidr;
use tusk_core::{Loc, PortSet};

/// The direction a security rule filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Traffic into the subnet or NIC.
    Inbound,
    /// Traffic out of the subnet or NIC.
    Outbound,
}

/// A security rule's `access`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Let a matching flow through.
    Allow,
    /// Drop a matching flow.
    Deny,
}

/// The `protocol` of an NSG or admin rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleProtocol {
    /// `*`: every protocol.
    Any,
    /// `Tcp`.
    Tcp,
    /// `Udp`.
    Udp,
    /// `Icmp`.
    Icmp,
    /// `Esp` (IPsec, IP protocol 50).
    Esp,
    /// `Ah` (IPsec, IP protocol 51).
    Ah,
}

impl RuleProtocol {
    /// The protocol from an NSG's spelling (`*`, `Any`, `Tcp`, ..., any case);
    /// `None` for any other text.
    pub fn parse(s: &str) -> Option<RuleProtocol> {
        Some(match s.to_ascii_lowercase().as_str() {
            "*" | "any" | "all" => RuleProtocol::Any,
            "tcp" => RuleProtocol::Tcp,
            "udp" => RuleProtocol::Udp,
            "icmp" => RuleProtocol::Icmp,
            "esp" => RuleProtocol::Esp,
            "ah" => RuleProtocol::Ah,
            _ => return None,
        })
    }

    /// The protocol as the portal writes it (`*`, `Tcp`, ...).
    pub fn name(self) -> &'static str {
        match self {
            RuleProtocol::Any => "*",
            RuleProtocol::Tcp => "Tcp",
            RuleProtocol::Udp => "Udp",
            RuleProtocol::Icmp => "Icmp",
            RuleProtocol::Esp => "Esp",
            RuleProtocol::Ah => "Ah",
        }
    }
}

/// The service tags whose meaning tusk derives from the estate; any other
/// tag (`Storage`, `AzureCloud.westeurope`, ...) is kept by name and matched
/// as unknown, since its address ranges are not in the inputs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ServiceTag {
    /// `VirtualNetwork`: the VNet's address space, peered spaces and
    /// on-premises prefixes (tusk computes it per VNet).
    VirtualNetwork,
    /// `Internet`: every public address outside the VNets.
    Internet,
    /// `AzureLoadBalancer`: the platform's health probe source (168.63.129.16).
    AzureLoadBalancer,
    /// Any other tag, by name.
    Other(String),
}

impl ServiceTag {
    /// The tag named `s` (case-insensitive; `VNet` is `VirtualNetwork`).
    pub fn parse(s: &str) -> ServiceTag {
        match s.to_ascii_lowercase().as_str() {
            "virtualnetwork" | "vnet" => ServiceTag::VirtualNetwork,
            "internet" => ServiceTag::Internet,
            "azureloadbalancer" => ServiceTag::AzureLoadBalancer,
            _ => ServiceTag::Other(s.to_string()),
        }
    }
}

/// One entry of a rule's source or destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressMatch {
    /// `*`: every address.
    Any,
    /// An address or CIDR.
    Prefix(Cidr),
    /// An inclusive address range `a-b` (Azure Firewall rules allow these).
    Range(u128, u128),
    /// A service tag.
    Tag(ServiceTag),
    /// An application security group.
    Asg(Link<Asg>),
    /// A network rule's destination FQDN, resolved by the firewall's DNS.
    Fqdn(String),
    /// An IP group (Azure Firewall rules' `sourceIpGroups` /
    /// `destinationIpGroups`).
    IpGroup(Link<super::IpGroup>),
    /// A value tusk could not read (an ARM expression, an IP group, an FQDN):
    /// it may or may not match.
    Unknown(String),
}

/// One security rule of an NSG.
#[derive(Debug, Clone)]
pub struct SecurityRule {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// `priority`: 100–4096 for custom rules (65000+ for the defaults), lower first.
    pub priority: u32,
    /// `direction`.
    pub direction: Direction,
    /// `access`.
    pub access: Access,
    /// `protocol`.
    pub protocol: RuleProtocol,
    /// `sourceAddressPrefix(es)` and `sourceApplicationSecurityGroups`.
    pub sources: Vec<AddressMatch>,
    /// `destinationAddressPrefix(es)` and `destinationApplicationSecurityGroups`.
    pub destinations: Vec<AddressMatch>,
    /// `sourcePortRange(s)`.
    pub source_ports: PortSet,
    /// `destinationPortRange(s)`.
    pub destination_ports: PortSet,
    /// A port field tusk could not read (an ARM expression): whether the
    /// rule matches a flow's ports is unknown, whatever the sets say.
    pub ports_unknown: bool,
    /// One of the six rules Azure puts in every NSG.
    pub is_default: bool,
}

/// A network security group (`Microsoft.Network/networkSecurityGroups`).
#[derive(Debug, Clone)]
pub struct Nsg {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// Custom rules followed by default rules, sorted by priority within
    /// each direction (the loader sorts and synthesizes missing defaults).
    pub rules: Vec<SecurityRule>,
}

impl Nsg {
    /// The rules of direction `d`, in evaluation order.
    pub fn rules_in(&self, d: Direction) -> impl Iterator<Item = &SecurityRule> {
        self.rules.iter().filter(move |r| r.direction == d)
    }
}

/// The action of an AVNM security admin rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdminAction {
    /// Allow, and let the NSGs decide further.
    Allow,
    /// Deny: no NSG can allow it.
    Deny,
    /// Allow, and skip the NSGs.
    AlwaysAllow,
}

/// An AVNM security admin rule (evaluated before every NSG).
#[derive(Debug, Clone)]
pub struct AdminRule {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// `priority`, 1–4096, lower first.
    pub priority: u32,
    /// `direction`.
    pub direction: Direction,
    /// `access`.
    pub action: AdminAction,
    /// `protocol`.
    pub protocol: RuleProtocol,
    /// `sources`.
    pub sources: Vec<AddressMatch>,
    /// `destinations`.
    pub destinations: Vec<AddressMatch>,
    /// `sourcePortRanges`.
    pub source_ports: PortSet,
    /// `destinationPortRanges`.
    pub destination_ports: PortSet,
    /// As [`SecurityRule::ports_unknown`].
    pub ports_unknown: bool,
}
