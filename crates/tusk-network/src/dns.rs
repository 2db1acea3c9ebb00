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
//! Aliases are followed, at most [`MAX_CHAIN`] of them:
//! * a CNAME record set of a linked zone points to another name, resolved
//!   in its turn ("DNS zones and records", dns/dns-zones-records);
//! * a service's public name that no linked zone covers
//!   (`acct.blob.core.windows.net`) is, by Azure's public DNS, a CNAME to
//!   the same label under the service's `privatelink.` zone
//!   (`acct.privatelink.blob.core.windows.net`) when the resource has a
//!   private endpoint: "Azure creates a canonical name DNS record (CNAME)
//!   on the public DNS [that] redirects the resolution to the private
//!   domain name" (private-link/private-endpoint-dns, "Azure services DNS
//!   zone configuration", whose table pairs each public zone with its
//!   private one: `privatelink.` + the public zone, except Key Vault's
//!   `vault.azure.net` → `privatelink.vaultcore.azure.net`). tusk follows
//!   that alias only into a `privatelink.` zone linked to the asking VNet,
//!   and answers only from a loaded A record there, which is what the
//!   endpoint's DNS zone group writes; without one the answer is unknown
//!   (the resource may have no private endpoint, and public DNS is not in
//!   the inputs).
//!
//! Only a name the loaded A records give is resolved. A name in a linked
//! zone without a loaded record stays unknown (the inputs may not hold
//! every record set: `az network private-dns zone list` prints no
//! records), as does every name when a DNS private resolver's forwarding
//! rules are in the inputs, and a chain that leaves the linked zones
//! (public DNS answers it) or is longer than [`MAX_CHAIN`].

use super::Prepared;
use std::net::IpAddr;
use tusk_model::azure::{Idx, UnmodelledEffect, VirtualNetwork};

/// The most aliases one resolution follows. Azure documents no bound of
/// its own; a longer chain (or a loop) is unknown.
pub const MAX_CHAIN: usize = 8;

/// How a name resolves from a VNet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The A record set (index into `private_dns.a_records`) gives these addresses.
    Addresses {
        /// The record set.
        record: usize,
        /// Its addresses.
        ips: Vec<IpAddr>,
        /// The aliases followed to reach the record set, in order (empty
        /// when the name itself has the A record).
        via: Vec<Alias>,
    },
    /// No zone linked to the VNet covers the name: public DNS answers.
    NotInZones,
    /// The answer is not known from the inputs.
    Unknown(DnsDoubt),
}

/// One alias followed on the way to an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alias {
    /// Azure's public CNAME from a service's public name into its
    /// `privatelink.` zone (private-link/private-endpoint-dns).
    PrivateLink {
        /// The public name, lower case.
        from: String,
        /// The name under the private link zone.
        to: String,
    },
    /// A CNAME record set of a linked zone (index into
    /// `private_dns.cname_records`); its target is the next name.
    Record(usize),
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
    /// A CNAME record set (index into `cname_records`) whose target is not known.
    CnameUnknown(usize),
    /// The chain reached this name, which no zone linked to the VNet
    /// covers: public DNS answers it, and it is not in the inputs.
    LeavesZones {
        /// The name the chain reached.
        name: String,
    },
    /// More than [`MAX_CHAIN`] aliases (or a loop); the last name reached.
    ChainTooLong {
        /// The name reached after [`MAX_CHAIN`] aliases.
        name: String,
    },
}

/// Public zones whose private link zone is not `privatelink.` + the public
/// zone (private-link/private-endpoint-dns, the table's Key Vault row).
const PRIVATE_LINK_EXCEPTIONS: [(&str, &str); 2] = [
    ("vault.azure.net", "privatelink.vaultcore.azure.net"),
    ("vaultcore.azure.net", "privatelink.vaultcore.azure.net"),
];

/// The name Azure's public CNAME gives `name` under a `privatelink.` zone
/// among `zones` (the zones linked to the asking VNet), if any: the
/// longest public zone that is a suffix of `name` wins.
fn private_link_alias(zones: &[&str], name: &str) -> Option<String> {
    if name.split('.').any(|l| l == "privatelink") {
        return None;
    }
    let mut pairs: Vec<(&str, &str)> =
        zones.iter().filter_map(|z| z.strip_prefix("privatelink.").map(|public| (public, *z))).collect();
    pairs.extend(PRIVATE_LINK_EXCEPTIONS.iter().filter(|(_, z)| zones.contains(z)).copied());
    pairs
        .into_iter()
        .filter(|(public, _)| name.len() > public.len() + 1 && name.ends_with(&format!(".{public}")))
        .max_by_key(|(public, _)| public.len())
        .map(|(public, zone)| format!("{}.{zone}", &name[..name.len() - public.len() - 1]))
}

/// `name` as resolved from VNet `vnet` (`None`: not known), through the
/// private DNS zones linked to it, following aliases (module documentation).
pub fn resolve(p: &Prepared, vnet: Option<Idx<VirtualNetwork>>, name: &str) -> Resolution {
    let net = p.net;
    let dns = &net.private_dns;
    if let Some(i) = net.unmodelled.iter().position(|u| u.effect == UnmodelledEffect::Names) {
        return Resolution::Unknown(DnsDoubt::Forwarding(i));
    }
    let Some(v) = vnet else { return Resolution::Unknown(DnsDoubt::Resolver) };
    let key = net.vnets[v].id.key();
    // A link whose VNet is not a literal may link this VNet too.
    if dns.links.iter().any(|l| l.vnet.is_none()) {
        return Resolution::Unknown(DnsDoubt::Resolver);
    }
    let zones: Vec<&str> =
        dns.links.iter().filter(|l| l.vnet.as_ref().is_some_and(|x| x.key() == key)).map(|l| l.zone.as_str()).collect();
    let mut name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    let mut via = Vec::new();
    loop {
        if via.len() > MAX_CHAIN {
            return Resolution::Unknown(DnsDoubt::ChainTooLong { name });
        }
        let zone = zones.iter().filter(|z| name == **z || name.ends_with(&format!(".{z}"))).max_by_key(|z| z.len());
        let Some(&zone) = zone else {
            if let Some(to) = private_link_alias(&zones, &name) {
                via.push(Alias::PrivateLink { from: std::mem::take(&mut name), to: to.clone() });
                name = to;
                continue;
            }
            if via.is_empty() {
                return Resolution::NotInZones;
            }
            return Resolution::Unknown(DnsDoubt::LeavesZones { name });
        };
        let rel = if name == zone { "@".to_string() } else { name[..name.len() - zone.len() - 1].to_string() };
        if let Some(i) = dns.a_records.iter().position(|r| r.zone == zone && r.name == rel) {
            if dns.a_records[i].unknown_entries > 0 {
                return Resolution::Unknown(DnsDoubt::RecordIncomplete(i));
            }
            return Resolution::Addresses { record: i, ips: dns.a_records[i].addresses.clone(), via };
        }
        match dns.cname_records.iter().position(|r| r.zone == zone && r.name == rel) {
            Some(i) => match &dns.cname_records[i].target {
                Some(t) => {
                    via.push(Alias::Record(i));
                    name = t.clone();
                }
                None => return Resolution::Unknown(DnsDoubt::CnameUnknown(i)),
            },
            None => return Resolution::Unknown(DnsDoubt::NoRecord { zone: zone.to_string() }),
        }
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
            Resolution::Addresses { record: 0, ips: vec!["10.0.5.4".parse().unwrap()], via: vec![] }
        );
        // In the zone, but no record loaded: unknown, not NXDOMAIN.
        assert!(matches!(
            resolve(&p, v, "other.privatelink.blob.core.windows.net"),
            Resolution::Unknown(DnsDoubt::NoRecord { .. })
        ));
        // The public name follows Azure's CNAME into the linked privatelink zone.
        assert_eq!(
            resolve(&p, v, "acct.blob.core.windows.net"),
            Resolution::Addresses {
                record: 0,
                ips: vec!["10.0.5.4".parse().unwrap()],
                via: vec![Alias::PrivateLink {
                    from: "acct.blob.core.windows.net".into(),
                    to: "acct.privatelink.blob.core.windows.net".into()
                }]
            }
        );
        // Without a record under the privatelink zone: unknown, not public.
        assert!(matches!(
            resolve(&p, v, "other.blob.core.windows.net"),
            Resolution::Unknown(DnsDoubt::NoRecord { .. })
        ));
        assert_eq!(resolve(&p, v, "acct.queue.core.windows.net"), Resolution::NotInZones);
    }

    #[test]
    fn an_unlinked_vnet_does_not_see_the_zone() {
        let n = estate(false);
        let cfg = Default::default();
        let p = Prepared::new(&n, &cfg);
        assert_eq!(resolve(&p, Some(Idx::new(0)), "acct.privatelink.blob.core.windows.net"), Resolution::NotInZones);
        assert_eq!(resolve(&p, Some(Idx::new(0)), "acct.blob.core.windows.net"), Resolution::NotInZones);
    }

    fn cname(zone: &str, name: &str, target: &str) -> String {
        let z = ZONE.rsplit_once('/').unwrap().0;
        format!(
            r#"{{"id": "{z}/{zone}/CNAME/{name}", "type": "Microsoft.Network/privateDnsZones/CNAME", "properties": {{"cnameRecord": {{"cname": "{target}"}}}}}}"#
        )
    }

    #[test]
    fn cname_records_are_followed_within_a_bound() {
        let z = ZONE.rsplit_once('/').unwrap().0;
        let link = format!(
            r#"{{"id": "{z}/corp.internal/virtualNetworkLinks/l", "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "properties": {{"virtualNetwork": {{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/hub"}}}}}}"#
        );
        let mut docs = vec![VNET.to_string(), link];
        let record = format!(
            r#"{{"id": "{ZONE}/A/acct", "type": "Microsoft.Network/privateDnsZones/A", "properties": {{"aRecords": [{{"ipv4Address": "10.0.5.4"}}]}}}}"#
        );
        let plink = format!(
            r#"{{"id": "{ZONE}/virtualNetworkLinks/l", "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "properties": {{"virtualNetwork": {{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/hub"}}}}}}"#
        );
        docs.extend([record, plink]);
        // files -> a public name -> the privatelink zone's A record
        docs.push(cname("corp.internal", "files", "acct.blob.core.windows.net."));
        // a loop of two records
        docs.push(cname("corp.internal", "ping", "pong.corp.internal"));
        docs.push(cname("corp.internal", "pong", "ping.corp.internal"));
        // a chain out of the linked zones
        docs.push(cname("corp.internal", "out", "www.example.org"));
        let n = net(&docs);
        let cfg = Default::default();
        let p = Prepared::new(&n, &cfg);
        let v = Some(Idx::new(0));
        match resolve(&p, v, "files.corp.internal") {
            Resolution::Addresses { ips, via, .. } => {
                assert_eq!(ips, vec!["10.0.5.4".parse::<IpAddr>().unwrap()]);
                assert_eq!(via.len(), 2, "{via:?}");
                assert!(matches!(via[0], Alias::Record(_)));
                assert!(matches!(via[1], Alias::PrivateLink { .. }));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(resolve(&p, v, "ping.corp.internal"), Resolution::Unknown(DnsDoubt::ChainTooLong { .. })));
        assert_eq!(
            resolve(&p, v, "out.corp.internal"),
            Resolution::Unknown(DnsDoubt::LeavesZones { name: "www.example.org".into() })
        );
    }

    #[test]
    fn key_vault_names_alias_into_vaultcore() {
        assert_eq!(
            private_link_alias(&["privatelink.vaultcore.azure.net"], "kv1.vault.azure.net"),
            Some("kv1.privatelink.vaultcore.azure.net".into())
        );
        assert_eq!(private_link_alias(&["privatelink.vaultcore.azure.net"], "kv1.blob.core.windows.net"), None);
        assert_eq!(private_link_alias(&["privatelink.azurecr.io"], "azurecr.io"), None);
    }
}
