//! Names in Azure Firewall rules: what `tusk trace --fqdn NAME` decides.
//!
//! The name is the one the client uses: the TLS SNI of an HTTPS request or
//! the HTTP `Host` header, which is what application rules match on
//! ("Azure Firewall FQDN filtering", firewall/fqdn-filtering: application
//! rules filter HTTP/S by the Host header or the SNI). The destination
//! address is the one the client resolved for it.
//!
//! * Target FQDNs (Azure Firewall FAQ, "How do wildcards work in target
//!   URLs and target FQDNs in application rules?"): compared without case;
//!   `*` alone matches every name; a `*` at the left end matches any
//!   characters there, so `*.contoso.com` matches `a.b.contoso.com` but not
//!   `contoso.com`, and `*contoso.com` matches both. A `*` anywhere else is
//!   not a wildcard Azure documents; such a pattern leaves the match unknown.
//! * FQDN tags name Microsoft-maintained FQDN lists ("FQDN tags overview",
//!   firewall/fqdn-tags) whose content is not published as data; web
//!   categories are decided by a Microsoft classification service; target
//!   URLs need TLS inspection (Premium). All three leave the match unknown.
//! * A network rule's `destinationFqdns` are resolved by the firewall's
//!   DNS ("Azure Firewall DNS settings", firewall/dns-settings: FQDN
//!   filtering in network rules requires the DNS proxy, so the firewall and
//!   the client resolve the name alike). The client's own name matches; any
//!   other name might resolve to the same address, so it may match.

use super::nsg::address;
use super::Prepared;
use std::net::IpAddr;
use tusk_core::tri::Tri;
use tusk_model::azure::{AddressMatch, FirewallRule, Idx, VirtualNetwork};

/// Does target FQDN `pattern` match `name`?
pub fn target_matches(pattern: &str, name: &str) -> Tri {
    let (pattern, name) = (pattern.trim().to_ascii_lowercase(), name.trim().trim_end_matches('.').to_ascii_lowercase());
    if pattern == "*" {
        return Tri::Yes;
    }
    match pattern.strip_prefix('*') {
        Some(rest) if !rest.contains('*') => Tri::from_bool(name.ends_with(rest)),
        _ if pattern.contains('*') => Tri::Maybe,
        _ => Tri::from_bool(name == pattern),
    }
}

/// Why an application rule's match on a name is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameDoubt {
    /// The rule names an FQDN tag, whose FQDN list Microsoft does not publish as data.
    FqdnTag(String),
    /// The rule names a web category, decided by Microsoft's classification service.
    WebCategory(String),
    /// The rule names a target URL, which needs TLS inspection.
    TargetUrl(String),
    /// A target FQDN with a wildcard elsewhere than at its left end.
    Pattern(String),
}

/// Does application rule `r` admit the name, and if unknown, why?
pub fn application_target(r: &FirewallRule, name: &str) -> (Tri, Option<NameDoubt>) {
    let mut doubt = None;
    for t in &r.target_fqdns {
        match target_matches(t, name) {
            Tri::Yes => return (Tri::Yes, None),
            Tri::Maybe => {
                doubt.get_or_insert(NameDoubt::Pattern(t.clone()));
            }
            Tri::No => {}
        }
    }
    let doubt = doubt
        .or_else(|| r.fqdn_tags.first().map(|t| NameDoubt::FqdnTag(t.clone())))
        .or_else(|| r.web_categories.first().map(|t| NameDoubt::WebCategory(t.clone())))
        .or_else(|| r.target_urls.first().map(|t| NameDoubt::TargetUrl(t.clone())));
    match doubt {
        Some(d) => (Tri::Maybe, Some(d)),
        None => (Tri::No, None),
    }
}

/// A network rule's destinations for a flow to `ip` that the client
/// addressed by `name` (when given). `dns_vnet` is the VNet whose private
/// DNS zones the firewall's DNS proxy sees (`None` when its policy names
/// other DNS servers): an FQDN those zones resolve matches exactly the
/// addresses of its A record set ([`crate::dns`]).
pub fn network_destinations(
    p: &Prepared,
    list: &[AddressMatch],
    ip: IpAddr,
    name: Option<&str>,
    dns_vnet: Option<Idx<VirtualNetwork>>,
) -> Tri {
    Tri::any(list.iter().map(|a| match (a, name) {
        (AddressMatch::Fqdn(d), Some(n)) if d.trim_end_matches('.').eq_ignore_ascii_case(n.trim_end_matches('.')) => {
            Tri::Yes
        }
        (AddressMatch::Fqdn(d), _) => match crate::dns::resolve(p, dns_vnet, d) {
            crate::dns::Resolution::Addresses { ips, .. } => Tri::from_bool(ips.contains(&ip)),
            _ => address(p, None, a, ip),
        },
        _ => address(p, None, a, ip),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_the_firewall_faq_says() {
        assert_eq!(target_matches("*.contoso.com", "a.b.contoso.com"), Tri::Yes);
        assert_eq!(target_matches("*.contoso.com", "contoso.com"), Tri::No);
        assert_eq!(target_matches("*contoso.com", "contoso.com"), Tri::Yes);
        assert_eq!(target_matches("*contoso.com", "notcontoso.com"), Tri::Yes);
        assert_eq!(target_matches("www.Contoso.com", "WWW.contoso.com."), Tri::Yes);
        assert_eq!(target_matches("www.contoso.com", "api.contoso.com"), Tri::No);
        assert_eq!(target_matches("*", "anything.example"), Tri::Yes);
        assert_eq!(target_matches("www.*.com", "www.contoso.com"), Tri::Maybe);
    }
}
