//! Azure service tags beyond VirtualNetwork / Internet / AzureLoadBalancer,
//! and subnet service endpoints, both resolved from Microsoft's published
//! service tags file when the inputs hold it.
//!
//! * "Azure service tags" (virtual-network/service-tags-overview): a tag
//!   names "a group of IP address prefixes from a given Azure service";
//!   Microsoft publishes the prefixes of every tag in a downloadable JSON
//!   file, the only offline source of them. Without it, whether an address
//!   belongs to such a tag is unknown.
//! * "Virtual Network service endpoints" (virtual-network/virtual-network-service-endpoints):
//!   enabling an endpoint adds system routes with next hop type
//!   `VirtualNetworkServiceEndpoint` for the service's public prefixes;
//!   traffic to them leaves with the subnet's private address and "remains
//!   on the Microsoft Azure backbone", so it does not follow a 0.0.0.0/0
//!   user route to a firewall ("Virtual network traffic routing",
//!   virtual-networks-udr-overview: "Virtual network (service endpoint)"
//!   routes are longer than 0.0.0.0/0 and win by longest prefix). The
//!   prefixes are the service's tag, regional (`Storage.WestEurope`) when
//!   the endpoint lists `locations` (without them Azure picks the VNet's
//!   region, which tusk does not read: the routes are then some of the
//!   global tag's prefixes, and only destinations outside it are certain).

use super::index::EstateIndex;
use std::net::IpAddr;
use tusk_core::ip::Cidr;
use tusk_core::tri::Tri;
use tusk_model::azure::{ServiceEndpoint, ServiceTags};

/// Does tag `name` hold `ip`? `None` when the inputs cannot say: no service
/// tags file, or a file without that tag (an older or newer version).
pub fn tag_holds(p: &EstateIndex, name: &str, ip: IpAddr) -> Option<bool> {
    let t = p.net.service_tags.as_ref()?.get(name)?;
    Some(t.prefixes.iter().any(|c| super::index::cidr_has(c, ip)))
}

/// RFC 1918 or RFC 6598 space: private addresses no Microsoft service tag
/// holds (the tags name Microsoft's public ranges and the platform's
/// 168.63.129.16 / 169.254.169.254).
pub fn is_rfc1918_or_6598(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            a == 10
                || (a == 172 && (16..32).contains(&b))
                || (a == 192 && b == 168)
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(_) => false,
    }
}

/// As [`tag_holds`], unknown as [`Tri::Maybe`].
pub fn tag_tri(p: &EstateIndex, name: &str, ip: IpAddr) -> Tri {
    match tag_holds(p, name, ip) {
        Some(b) => Tri::from_bool(b),
        None => Tri::Maybe,
    }
}

/// The service tag whose prefixes a service endpoint routes: the tag of
/// the same Azure service in the service tags overview's table. Services
/// not listed here leave the endpoint's routes unknown.
fn endpoint_tag(service: &str) -> Option<&'static str> {
    Some(match service.to_ascii_lowercase().as_str() {
        "microsoft.storage" | "microsoft.storage.global" => "Storage",
        "microsoft.sql" => "Sql",
        "microsoft.azurecosmosdb" => "AzureCosmosDB",
        "microsoft.keyvault" => "AzureKeyVault",
        "microsoft.servicebus" => "ServiceBus",
        "microsoft.eventhub" => "EventHub",
        "microsoft.containerregistry" => "AzureContainerRegistry",
        "microsoft.web" => "AppService",
        "microsoft.azureactivedirectory" => "AzureActiveDirectory",
        _ => return None,
    })
}

/// What the inputs say about the prefixes a service endpoint routes.
pub enum EndpointPrefixes {
    /// Exactly these.
    Known(Vec<Cidr>),
    /// Some of these, which the inputs do not settle: the regions are
    /// not given (Azure then picks the VNet's region, and for Storage its
    /// paired region) or the file lacks a regional tag.
    Within(Vec<Cidr>),
    /// No service tags file, or a service tusk cannot map to its tag.
    Unknown,
}

/// The prefixes a service endpoint routes.
pub fn endpoint_prefixes(tags: Option<&ServiceTags>, e: &ServiceEndpoint) -> EndpointPrefixes {
    let Some(tags) = tags else { return EndpointPrefixes::Unknown };
    let Some(base) = e.service.as_deref().and_then(endpoint_tag) else { return EndpointPrefixes::Unknown };
    let Some(global) = tags.get(base) else { return EndpointPrefixes::Unknown };
    if e.locations.iter().any(|l| l == "*") {
        return EndpointPrefixes::Known(global.prefixes.clone());
    }
    if e.locations.is_empty() {
        return EndpointPrefixes::Within(global.prefixes.clone());
    }
    let mut out = Vec::new();
    let stem = format!("{}.", base.to_ascii_lowercase());
    for l in &e.locations {
        let want: String = l.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        match tags.tags.iter().find(|(k, t)| k.starts_with(&stem) && t.region.eq_ignore_ascii_case(&want)) {
            Some((_, t)) => out.extend(t.prefixes.iter().copied()),
            None => return EndpointPrefixes::Within(global.prefixes.clone()),
        }
    }
    EndpointPrefixes::Known(out)
}
