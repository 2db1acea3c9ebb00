//! Azure Private DNS: zones, their A record sets and their links to
//! virtual networks ("What is an Azure Private DNS zone?",
//! dns/private-dns-privatednszone; "What is a virtual network link?",
//! dns/private-dns-virtual-network-links). A VNet linked to a zone asks
//! Azure DNS (168.63.129.16), which answers names inside the zone from its
//! record sets; this is how a private endpoint's name resolves to its
//! private address ("Azure Private Endpoint DNS configuration",
//! private-link/private-endpoint-dns). Records and links arrive as
//! resources of their own; each names its zone by its id, so no zone
//! resource is needed to use them. This module decides nothing.

use super::ResourceId;
use std::net::IpAddr;
use tusk_core::Loc;

/// The Private DNS part of an estate.
#[derive(Debug, Clone, Default)]
pub struct PrivateDns {
    /// `Microsoft.Network/privateDnsZones`.
    pub zones: Vec<DnsZone>,
    /// `Microsoft.Network/privateDnsZones/A`.
    pub a_records: Vec<DnsARecordSet>,
    /// `Microsoft.Network/privateDnsZones/virtualNetworkLinks`.
    pub links: Vec<DnsZoneLink>,
    /// `Microsoft.Network/privateDnsZones/CNAME`.
    pub cname_records: Vec<DnsCnameRecordSet>,
}

impl PrivateDns {
    /// Does the estate hold any zone, record or link?
    pub fn is_empty(&self) -> bool {
        self.zones.is_empty() && self.a_records.is_empty() && self.links.is_empty() && self.cname_records.is_empty()
    }
}

/// A private DNS zone (`Microsoft.Network/privateDnsZones`); its name is
/// the zone's domain, e.g. `privatelink.blob.core.windows.net`.
#[derive(Debug, Clone)]
pub struct DnsZone {
    /// The resource id (its last segment is the zone's domain).
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
}

/// An A record set (`privateDnsZones/A`): every IPv4 address a name
/// inside the zone resolves to.
#[derive(Debug, Clone)]
pub struct DnsARecordSet {
    /// The resource id: `.../privateDnsZones/ZONE/A/NAME`.
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// The zone's domain, lower case (from the id).
    pub zone: String,
    /// The relative name, lower case: `@` for the zone apex, `*` for a wildcard.
    pub name: String,
    /// `aRecords[].ipv4Address`, the addresses the inputs give.
    pub addresses: Vec<IpAddr>,
    /// Some entry's address is not a literal (an unevaluated template
    /// expression, a value known after apply): the set is not fully known.
    pub unknown_entries: usize,
}

/// A CNAME record set (`privateDnsZones/CNAME`, `cnameRecord.cname`): the
/// name is an alias of another name, which is resolved in its turn
/// ("DNS zones and records", dns/dns-zones-records, "CNAME records").
#[derive(Debug, Clone)]
pub struct DnsCnameRecordSet {
    /// The resource id: `.../privateDnsZones/ZONE/CNAME/NAME`.
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// The zone's domain, lower case (from the id).
    pub zone: String,
    /// The relative name, lower case: `@` for the zone apex, `*` for a wildcard.
    pub name: String,
    /// The canonical name it points to, lower case without the final dot;
    /// `None` when not a literal (an unevaluated expression, a value known
    /// after apply).
    pub target: Option<String>,
}

/// A virtual network link (`privateDnsZones/virtualNetworkLinks`): VMs in
/// the linked VNet that use Azure-provided DNS resolve the zone's records.
#[derive(Debug, Clone)]
pub struct DnsZoneLink {
    /// The resource id: `.../privateDnsZones/ZONE/virtualNetworkLinks/NAME`.
    pub id: ResourceId,
    /// Where it was read.
    pub loc: Loc,
    /// The zone's domain, lower case (from the id).
    pub zone: String,
    /// `virtualNetwork.id`; `None` when not a literal.
    pub vnet: Option<ResourceId>,
    /// `resolutionPolicy: NxDomainRedirect`: a name the zone lacks is
    /// asked of public DNS instead of answering NXDOMAIN.
    pub fallback_to_internet: bool,
}
