//! Private DNS resources: `privateDnsZones`, their `A` record sets and
//! their `virtualNetworkLinks` (REST API 2020-06-01, Microsoft.Network
//! privatedns.json; `az network private-dns zone list`, `record-set a
//! list` and `link vnet list` print the same bodies). Records and links
//! name their zone by their id, so each is read on its own.

use super::cx::Cx;
use super::shape::prop;
use crate::doc::Node;
use tusk_core::LoadError;
use tusk_model::azure::{DnsARecordSet, DnsCnameRecordSet, DnsZone, DnsZoneLink, ResourceId};

/// The zone's domain of a child id (`.../privateDnsZones/ZONE/...`), lower case.
fn zone_of(id: &ResourceId) -> String {
    id.parent().map(|p| p.name().to_ascii_lowercase()).unwrap_or_default()
}

/// A `privateDnsZones` resource.
pub fn zone(cx: &mut Cx, id: ResourceId, n: &Node) -> DnsZone {
    DnsZone { id, loc: cx.loc(n) }
}

/// A `privateDnsZones/A` record set: `aRecords[].ipv4Address`. An address
/// that is not a literal (an unevaluated expression) is counted as unknown
/// with a warning; a literal that is not an address is a located error.
pub fn a_record(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<DnsARecordSet, LoadError> {
    let mut addresses = Vec::new();
    let mut unknown_entries = 0;
    for r in prop(n, "aRecords").and_then(Node::as_seq).unwrap_or_default() {
        match r.get_ci("ipv4Address") {
            Some(v) => match cx.ip(v)? {
                Some(ip) => addresses.push(ip),
                None => {
                    cx.warn(
                        v,
                        "A record address is not a literal; names of this record set resolve to an unknown address",
                    );
                    unknown_entries += 1;
                }
            },
            None => unknown_entries += 1,
        }
    }
    Ok(DnsARecordSet {
        zone: zone_of(&id),
        name: id.name().to_ascii_lowercase(),
        loc: cx.loc(n),
        addresses,
        unknown_entries,
        id,
    })
}

/// A `privateDnsZones/CNAME` record set: `cnameRecord.cname` (privatedns.json,
/// `CnameRecord`). A target that is not a literal is unknown, with a
/// warning: names of this record set then resolve to an unknown address.
pub fn cname_record(cx: &mut Cx, id: ResourceId, n: &Node) -> DnsCnameRecordSet {
    let target = prop(n, "cnameRecord")
        .and_then(|c| c.get_ci("cname"))
        .and_then(|v| cx.literal(v))
        .map(|t| t.trim().trim_end_matches('.').to_ascii_lowercase())
        .filter(|t| !t.is_empty());
    if target.is_none() {
        cx.warn(n, "CNAME record set without a literal `cnameRecord.cname`: names of this record set resolve to an unknown address");
    }
    DnsCnameRecordSet { zone: zone_of(&id), name: id.name().to_ascii_lowercase(), loc: cx.loc(n), target, id }
}

/// A `privateDnsZones/virtualNetworkLinks` resource: `virtualNetwork.id`
/// and `resolutionPolicy` (`NxDomainRedirect` asks public DNS for names
/// the zone lacks; "Fallback to internet for Azure Private DNS zones").
pub fn link(cx: &mut Cx, id: ResourceId, n: &Node) -> DnsZoneLink {
    let vnet = prop(n, "virtualNetwork").and_then(|v| v.get_ci("id")).and_then(|v| cx.literal(v)).map(ResourceId::new);
    if vnet.is_none() {
        cx.warn(n, "virtual network link without a literal `virtualNetwork.id`: the zone's linked VNet is unknown");
    }
    let fallback_to_internet =
        prop(n, "resolutionPolicy").and_then(Node::as_str).is_some_and(|s| s.eq_ignore_ascii_case("NxDomainRedirect"));
    DnsZoneLink { zone: zone_of(&id), loc: cx.loc(n), vnet, fallback_to_internet, id }
}
