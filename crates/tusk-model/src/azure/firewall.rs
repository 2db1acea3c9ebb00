//! Azure Firewall (classic rules or a firewall policy) and firewall policies
//! with their rule collection groups. Classic rule collections are held in
//! the same [`RuleCollection`] shape as a policy's, inside one group.

use super::{AddressMatch, Link, PublicIp, ResourceId, Subnet};
use std::net::IpAddr;
use tusk_core::ip::Cidr;
use tusk_core::{Loc, PortSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CollectionKind {
    Dnat,
    Network,
    Application,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FirewallAction {
    Allow,
    Deny,
    Dnat,
}

/// `ipProtocols` of a network or NAT rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FwIpProtocol {
    Any,
    Tcp,
    Udp,
    Icmp,
}

/// An application rule's `protocols` entry (`Https:443`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppProtocol {
    pub kind: String,
    pub port: u16,
}

#[derive(Debug, Clone)]
pub struct FirewallRule {
    pub name: String,
    pub loc: Loc,
    pub sources: Vec<AddressMatch>,
    /// IP destinations; a network rule's `destinationFqdns` are
    /// [`AddressMatch::Fqdn`].
    pub destinations: Vec<AddressMatch>,
    pub ip_protocols: Vec<FwIpProtocol>,
    pub destination_ports: PortSet,
    /// Application rules: `targetFqdns` (a leading `*` is a wildcard).
    pub target_fqdns: Vec<String>,
    /// Application rules: `fqdnTags`, `webCategories` and `targetUrls`,
    /// which tusk cannot match from a name alone.
    pub fqdn_tags: Vec<String>,
    pub web_categories: Vec<String>,
    pub target_urls: Vec<String>,
    pub app_protocols: Vec<AppProtocol>,
    /// NAT rules.
    pub translated_address: Option<IpAddr>,
    pub translated_fqdn: Option<String>,
    pub translated_port: Option<u16>,
}

#[derive(Debug, Clone)]
pub struct RuleCollection {
    pub name: String,
    pub loc: Loc,
    pub priority: u32,
    pub kind: CollectionKind,
    pub action: FirewallAction,
    pub rules: Vec<FirewallRule>,
}

#[derive(Debug, Clone)]
pub struct RuleCollectionGroup {
    pub id: ResourceId,
    pub loc: Loc,
    pub priority: u32,
    pub collections: Vec<RuleCollection>,
}

/// SNAT's `privateRanges`: where network rules do not translate the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrivateRanges {
    /// Not configured: IANA RFC 1918 and RFC 6598 ranges.
    Default,
    /// Configured list; `IANAPrivateRanges` expands to the default ranges.
    List(Vec<Cidr>),
}

#[derive(Debug, Clone)]
pub struct FirewallPolicy {
    pub id: ResourceId,
    pub loc: Loc,
    pub base_policy: Option<Link<FirewallPolicy>>,
    /// Groups, from inline bodies or from separate rule collection group
    /// resources; references that could not be followed are in `missing_groups`.
    pub groups: Vec<RuleCollectionGroup>,
    pub missing_groups: Vec<ResourceId>,
    pub private_ranges: Option<PrivateRanges>,
}

#[derive(Debug, Clone)]
pub struct AzureFirewall {
    pub id: ResourceId,
    pub loc: Loc,
    pub private_ips: Vec<IpAddr>,
    pub subnet: Option<Link<Subnet>>,
    pub public_ips: Vec<Link<PublicIp>>,
    /// Classic rule collections (empty when a policy is used).
    pub classic: Vec<RuleCollection>,
    pub policy: Option<Link<FirewallPolicy>>,
    pub private_ranges: Option<PrivateRanges>,
}
