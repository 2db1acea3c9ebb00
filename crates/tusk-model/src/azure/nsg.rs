//! Network security groups, their rules, and AVNM security admin rules.
//! Rules keep what the resource said, typed: a prefix list is a list of
//! [`AddressMatch`]es, so an "augmented" rule with many prefixes and a plain
//! one with a single prefix are the same shape.

use super::{Asg, Link, ResourceId};
use tusk_core::ip::Cidr;
use tusk_core::{Loc, PortSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Inbound,
    Outbound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    Allow,
    Deny,
}

/// The `protocol` of an NSG or admin rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleProtocol {
    Any,
    Tcp,
    Udp,
    Icmp,
    Esp,
    Ah,
}

impl RuleProtocol {
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
    VirtualNetwork,
    Internet,
    AzureLoadBalancer,
    Other(String),
}

impl ServiceTag {
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
    Any,
    Prefix(Cidr),
    /// An inclusive address range `a-b` (Azure Firewall rules allow these).
    Range(u128, u128),
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

#[derive(Debug, Clone)]
pub struct SecurityRule {
    pub name: String,
    pub loc: Loc,
    pub priority: u32,
    pub direction: Direction,
    pub access: Access,
    pub protocol: RuleProtocol,
    pub sources: Vec<AddressMatch>,
    pub destinations: Vec<AddressMatch>,
    pub source_ports: PortSet,
    pub destination_ports: PortSet,
    /// A port field tusk could not read (an ARM expression): whether the
    /// rule matches a flow's ports is unknown, whatever the sets say.
    pub ports_unknown: bool,
    /// One of the six rules Azure puts in every NSG.
    pub is_default: bool,
}

#[derive(Debug, Clone)]
pub struct Nsg {
    pub id: ResourceId,
    pub loc: Loc,
    /// Custom rules followed by default rules, sorted by priority within
    /// each direction (the loader sorts and synthesizes missing defaults).
    pub rules: Vec<SecurityRule>,
}

impl Nsg {
    pub fn rules_in(&self, d: Direction) -> impl Iterator<Item = &SecurityRule> {
        self.rules.iter().filter(move |r| r.direction == d)
    }
}

/// The action of an AVNM security admin rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdminAction {
    Allow,
    Deny,
    AlwaysAllow,
}

#[derive(Debug, Clone)]
pub struct AdminRule {
    pub id: ResourceId,
    pub loc: Loc,
    pub priority: u32,
    pub direction: Direction,
    pub action: AdminAction,
    pub protocol: RuleProtocol,
    pub sources: Vec<AddressMatch>,
    pub destinations: Vec<AddressMatch>,
    pub source_ports: PortSet,
    pub destination_ports: PortSet,
    /// As [`SecurityRule::ports_unknown`].
    pub ports_unknown: bool,
}
