//! Names resolved through Azure Private DNS zones.
//!
//! A VM that uses Azure-provided DNS (168.63.129.16) resolves a name
//! inside a private zone linked to its VNet from that zone's record sets
//! ("What is a virtual network link?", dns/private-dns-virtual-network-links);
//! the zone whose domain is the longest suffix of the name answers. This
//! is how a private endpoint's name reaches its private address ("Azure
//! Private Endpoint DNS configuration", private-link/private-endpoint-dns).
//! Azure Firewall's DNS proxy resolves network rules' FQDNs the same way,
//! from the firewall's VNet, unless its policy names other DNS servers
//! ("Azure Firewall DNS settings", firewall/dns-settings).
//!
//! Only a name the loaded A records give is resolved. A name in a linked
//! zone without a loaded record stays unknown (the inputs may not hold
//! every record set: `az network private-dns zone list` prints no
//! records), as does every name when a DNS private resolver's forwarding
//! rules are in the inputs.

use super::Prepared;
use std::net::IpAddr;
use tusk_model::azure::{Idx, UnmodelledEffect, VirtualNetwork};

/// How a name resolves from a VNet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The A record set (index into `private_dns.a_records`) gives these addresses.
    Addresses {
        /// The record set.
        record: usize,
        /// Its addresses.
        ips: Vec<IpAddr>,
    },
    /// No zone linked to the VNet covers the name: public DNS answers.
    NotInZones,
    /// The answer is not known from the inputs.
    Unknown(DnsDoubt),
}

/// Why a name's resolution is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsDoubt {
    /// A DNS private resolver (index into `unmodelled`) may forward it elsewhere.
    Forwarding(usize),
    /// The zone covers the name but the inputs hold no A record for it.
    NoRecord {
        /// The zone's domain.
        zone: String,
    },
    /// The record set has entries whose address is not known.
    RecordIncomplete(usize),
    /// The resolver is not Azure DNS, or the VNet asking is not known.
    Resolver,
}

/// `name` as resolved from VNet `vnet` (`None`: not known), through the
/// private DNS zones linked to it.
pub fn resolve(p: &Prepared, vnet: Option<Idx<VirtualNetwork>>, name: &str) -> Resolution {
    let net = p.net;
    let dns = &net.private_dns;
    if let Some(i) = net.unmodelled.iter().position(|u| u.effect == UnmodelledEffect::Names) {
        return Resolution::Unknown(DnsDoubt::Forwarding(i));
    }
    let Some(v) = vnet else { return Resolution::Unknown(DnsDoubt::Resolver) };
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    let key = net.vnets[v].id.key();
    // A link whose VNet is not a literal may link this VNet too.
    if dns.links.iter().any(|l| l.vnet.is_none()) {
        return Resolution::Unknown(DnsDoubt::Resolver);
    }
    let zone = dns
        .links
        .iter()
        .filter(|l| l.vnet.as_ref().is_some_and(|x| x.key() == key))
        .map(|l| l.zone.as_str())
        .filter(|z| name == *z || name.ends_with(&format!(".{z}")))
        .max_by_key(|z| z.len());
    let Some(zone) = zone else { return Resolution::NotInZones };
    let rel = if name == zone { "@".to_string() } else { name[..name.len() - zone.len() - 1].to_string() };
    match dns.a_records.iter().position(|r| r.zone == zone && r.name == rel) {
        Some(i) if dns.a_records[i].unknown_entries > 0 => Resolution::Unknown(DnsDoubt::RecordIncomplete(i)),
        Some(i) => Resolution::Addresses { record: i, ips: dns.a_records[i].addresses.clone() },
        None => Resolution::Unknown(DnsDoubt::NoRecord { zone: zone.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::net;

    const VNET: &str = r#"{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/hub", "type": "Microsoft.Network/virtualNetworks", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}"#;
    const ZONE: &str = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net";

    fn estate(linked: bool) -> tusk_model::azure::AzureNetwork {
        let record = format!(
            r#"{{"id": "{ZONE}/A/acct", "type": "Microsoft.Network/privateDnsZones/A", "properties": {{"aRecords": [{{"ipv4Address": "10.0.5.4"}}]}}}}"#
        );
        let target = if linked { "hub" } else { "other" };
        let link = format!(
            r#"{{"id": "{ZONE}/virtualNetworkLinks/l", "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "properties": {{"virtualNetwork": {{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/{target}"}}}}}}"#
        );
        net(&[VNET.to_string(), record, link])
    }

    #[test]
    fn a_linked_zone_answers_from_its_a_records() {
        let n = estate(true);
        let cfg = Default::default();
        let p = Prepared::new(&n, &cfg);
        let v = Some(Idx::new(0));
        assert_eq!(
            resolve(&p, v, "ACCT.privatelink.blob.core.windows.net."),
            Resolution::Addresses { record: 0, ips: vec!["10.0.5.4".parse().unwrap()] }
        );
        // In the zone, but no record loaded: unknown, not NXDOMAIN.
        assert!(matches!(
            resolve(&p, v, "other.privatelink.blob.core.windows.net"),
            Resolution::Unknown(DnsDoubt::NoRecord { .. })
        ));
        assert_eq!(resolve(&p, v, "acct.blob.core.windows.net"), Resolution::NotInZones);
    }

    #[test]
    fn an_unlinked_vnet_does_not_see_the_zone() {
        let n = estate(false);
        let cfg = Default::default();
        let p = Prepared::new(&n, &cfg);
        assert_eq!(resolve(&p, Some(Idx::new(0)), "acct.privatelink.blob.core.windows.net"), Resolution::NotInZones);
    }
}
