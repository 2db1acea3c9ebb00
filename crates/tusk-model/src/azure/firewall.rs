//! Azure Firewall (classic rules or a firewall policy) and firewall policies
//! with their rule collection groups. Classic rule collections are held in
//! the same [`RuleCollection`] shape as a policy's, inside one group.

use super::{AddressMatch, Link, PublicIp, ResourceId, Subnet};
use std::net::IpAddr;
use tusk_core::ip::Cidr;
use tusk_core::{Loc, PortSet};

/// The kind of a rule collection, which is also the order Azure Firewall
/// evaluates them in (DNAT, then network, then application).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CollectionKind {
    /// DNAT rules (inbound destination translation).
    Dnat,
    /// Network rules (layer 3–4).
    Network,
    /// Application rules (FQDNs, HTTP/S and MSSQL).
    Application,
}

/// A rule collection's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FirewallAction {
    /// Let a matching flow through.
    Allow,
    /// Drop a matching flow.
    Deny,
    /// Translate the destination (DNAT collections).
    Dnat,
}

/// `ipProtocols` of a network or NAT rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FwIpProtocol {
    /// Every protocol.
    Any,
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// ICMP.
    Icmp,
}

/// An application rule's `protocols` entry (`Https:443`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppProtocol {
    /// `protocolType`: `Http`, `Https` or `Mssql`.
    pub kind: String,
    /// `port`.
    pub port: u16,
}

/// One rule of a rule collection (network, application or NAT).
#[derive(Debug, Clone)]
pub struct FirewallRule {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// `sourceAddresses` and `sourceIpGroups`.
    pub sources: Vec<AddressMatch>,
    /// IP destinations; a network rule's `destinationFqdns` are
    /// [`AddressMatch::Fqdn`].
    pub destinations: Vec<AddressMatch>,
    /// `ipProtocols` (network and NAT rules).
    pub ip_protocols: Vec<FwIpProtocol>,
    /// `destinationPorts`.
    pub destination_ports: PortSet,
    /// Application rules: `targetFqdns` (a leading `*` is a wildcard).
    pub target_fqdns: Vec<String>,
    /// Application rules: `fqdnTags`, `webCategories` and `targetUrls`,
    /// which tusk cannot match from a name alone.
    pub fqdn_tags: Vec<String>,
    /// Application rules: `webCategories`.
    pub web_categories: Vec<String>,
    /// Application rules: `targetUrls` (TLS inspection).
    pub target_urls: Vec<String>,
    /// Application rules: `protocols`.
    pub app_protocols: Vec<AppProtocol>,
    /// NAT rules.
    pub translated_address: Option<IpAddr>,
    /// NAT rules: `translatedFqdn`.
    pub translated_fqdn: Option<String>,
    /// NAT rules: `translatedPort`.
    pub translated_port: Option<u16>,
}

/// A rule collection: rules of one kind with one action and priority.
#[derive(Debug, Clone)]
pub struct RuleCollection {
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// `priority`, 100–65000, lower first.
    pub priority: u32,
    /// DNAT, network or application.
    pub kind: CollectionKind,
    /// `action`.
    pub action: FirewallAction,
    /// Its rules, in order.
    pub rules: Vec<FirewallRule>,
}

/// A rule collection group of a firewall policy.
#[derive(Debug, Clone)]
pub struct RuleCollectionGroup {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// `priority`, 100–65000, lower first.
    pub priority: u32,
    /// `ruleCollections`.
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

/// A firewall policy (`Microsoft.Network/firewallPolicies`).
#[derive(Debug, Clone)]
pub struct FirewallPolicy {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// `basePolicy`: a parent policy whose groups come first.
    pub base_policy: Option<Link<FirewallPolicy>>,
    /// Groups, from inline bodies or from separate rule collection group
    /// resources; references that could not be followed are in `missing_groups`.
    pub groups: Vec<RuleCollectionGroup>,
    /// Groups named by reference that the inputs do not hold.
    pub missing_groups: Vec<ResourceId>,
    /// `snat.privateRanges`, when set.
    pub private_ranges: Option<PrivateRanges>,
    /// `dnsSettings.servers` is set: the firewall (and its DNS proxy)
    /// resolves names through those servers, not Azure DNS, so private DNS
    /// zones linked to its VNet answer only if those servers forward there
    /// ("Azure Firewall DNS settings", firewall/dns-settings).
    pub custom_dns: bool,
}

/// An Azure Firewall (`Microsoft.Network/azureFirewalls`).
#[derive(Debug, Clone)]
pub struct AzureFirewall {
    /// The resource id: its stable key across estates (its name is the last segment).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// Its private addresses (`ipConfigurations[].privateIPAddress`).
    pub private_ips: Vec<IpAddr>,
    /// Its `AzureFirewallSubnet`.
    pub subnet: Option<Link<Subnet>>,
    /// Its public IP addresses.
    pub public_ips: Vec<Link<PublicIp>>,
    /// Classic rule collections (empty when a policy is used).
    pub classic: Vec<RuleCollection>,
    /// `firewallPolicy`, when it uses one.
    pub policy: Option<Link<FirewallPolicy>>,
    /// `additionalProperties` `Network.SNAT.PrivateRanges` (classic rules), when set.
    pub private_ranges: Option<PrivateRanges>,
}
