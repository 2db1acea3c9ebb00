//! The NSG rules Azure requires on an `AzureBastionSubnet`, and whether an
//! NSG has them.
//!
//! Microsoft Learn, "Configure NSG rules for Azure Bastion"
//! (bastion/bastion-nsg): an NSG on AzureBastionSubnet must allow, inbound,
//! TCP 443 from the Internet (or the public addresses clients come from),
//! TCP 443 from `GatewayManager` (the control plane), 8080 and 5701 from
//! `VirtualNetwork` to `VirtualNetwork` (the data plane) and TCP 443 from
//! `AzureLoadBalancer`; outbound, 22 and 3389 to `VirtualNetwork`, TCP 443
//! to `AzureCloud`, 8080 and 5701 from `VirtualNetwork` to
//! `VirtualNetwork`, and 80 to the Internet. Azure refuses to associate an
//! NSG that lacks them with the subnet: the request fails with error code
//! `NetworkSecurityGroupNotCompliantForAzureBastionSubnet` ("Network
//! security group … does not have necessary rules for Azure Bastion Subnet
//! AzureBastionSubnet"), so an estate whose Bastion subnet carries such an
//! NSG is one Azure does not deploy.
//!
//! Azure does not document how it tests an NSG, so this check is lenient
//! where the docs are silent: a required rule is present when, in
//! priority order and before any Deny rule that overlaps it, an Allow rule
//! covers its protocol and every one of its ports, with a source and
//! destination that are `*`, the required tag, or (for the Internet
//! source, which the docs let be "a set of public IP addresses") any
//! address; the default rules count (`AllowVnetInBound` covers the data
//! plane). A finding makes the Bastion's public leg unknown, with the
//! reason, never denied by guess.

use tusk_model::azure::{Access, AddressMatch, Direction, Nsg, RuleProtocol, SecurityRule, ServiceTag};

/// One rule of the docs' table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Required {
    /// The docs' name for it (`AllowHttpsInbound`).
    pub name: &'static str,
    /// Its direction.
    pub direction: Direction,
    /// `true`: TCP only; `false`: any protocol (`*`).
    pub tcp: bool,
    /// Its destination ports.
    pub ports: &'static [u16],
    /// Its source: `None` for `*`, else a tag.
    pub source: Option<&'static str>,
    /// Its destination: `None` for `*`, else a tag.
    pub destination: Option<&'static str>,
}

const fn rule(
    name: &'static str,
    direction: Direction,
    tcp: bool,
    ports: &'static [u16],
    source: Option<&'static str>,
    destination: Option<&'static str>,
) -> Required {
    Required { name, direction, tcp, ports, source, destination }
}

/// The docs' table, in its order.
pub const REQUIRED: [Required; 8] = [
    rule("AllowHttpsInbound", Direction::Inbound, true, &[443], Some("Internet"), None),
    rule("AllowGatewayManagerInbound", Direction::Inbound, true, &[443], Some("GatewayManager"), None),
    rule(
        "AllowBastionHostCommunication",
        Direction::Inbound,
        false,
        &[8080, 5701],
        Some("VirtualNetwork"),
        Some("VirtualNetwork"),
    ),
    rule("AllowAzureLoadBalancerInbound", Direction::Inbound, true, &[443], Some("AzureLoadBalancer"), None),
    rule("AllowSshRdpOutbound", Direction::Outbound, false, &[22, 3389], None, Some("VirtualNetwork")),
    rule("AllowAzureCloudOutbound", Direction::Outbound, true, &[443], None, Some("AzureCloud")),
    rule(
        "AllowBastionCommunication",
        Direction::Outbound,
        false,
        &[8080, 5701],
        Some("VirtualNetwork"),
        Some("VirtualNetwork"),
    ),
    rule("AllowHttpOutbound", Direction::Outbound, false, &[80], None, Some("Internet")),
];

/// Does one side of a rule cover a required side (`None` = `*`)?
/// `any_address`: any prefix counts (the Internet source).
fn covers(side: &[AddressMatch], want: Option<&str>, any_address: bool) -> bool {
    side.iter().any(|m| match (m, want) {
        (AddressMatch::Any, _) => true,
        // A required `*` side: the rule may name the subnet, a prefix or a
        // tag; Azure's test is not documented, so any entry counts.
        (_, None) => true,
        (AddressMatch::Tag(t), Some(w)) => {
            *t == ServiceTag::parse(w)
                // AzureCloud's addresses are public: the Internet tag holds them.
                || (w == "AzureCloud" && *t == ServiceTag::Internet)
                || matches!(t, ServiceTag::Other(n) if n.to_ascii_lowercase().starts_with(&w.to_ascii_lowercase()))
        }
        (AddressMatch::Prefix(_) | AddressMatch::Range(..), Some(_)) => any_address,
        _ => false,
    })
}

/// Does `r` take part of the required rule's traffic: same direction,
/// protocols and ports that overlap, sides that may meet?
fn overlaps(r: &SecurityRule, q: &Required) -> bool {
    let proto = matches!(r.protocol, RuleProtocol::Any) || (r.protocol == RuleProtocol::Tcp) || !q.tcp;
    let ports = r.ports_unknown || q.ports.iter().any(|p| r.destination_ports.contains(*p));
    let side = |s: &[AddressMatch], w: Option<&str>| w.is_none() || covers(s, w, true);
    r.direction == q.direction && proto && ports && side(&r.sources, q.source) && side(&r.destinations, q.destination)
}

/// Does `r` allow all of the required rule's traffic?
fn allows(r: &SecurityRule, q: &Required) -> bool {
    let proto = match r.protocol {
        RuleProtocol::Any => true,
        RuleProtocol::Tcp => q.tcp,
        _ => false,
    };
    let all_ports = q.ports.iter().all(|p| r.destination_ports.contains(*p));
    r.access == Access::Allow
        && r.direction == q.direction
        && proto
        && !r.ports_unknown
        && all_ports
        && covers(&r.sources, q.source, q.name == "AllowHttpsInbound")
        && covers(&r.destinations, q.destination, false)
}

/// The required rules `nsg` lacks (indices into [`REQUIRED`]), in the
/// docs' order; empty when it has them all.
pub fn missing(nsg: &Nsg) -> Vec<usize> {
    (0..REQUIRED.len())
        .filter(|&i| {
            let q = &REQUIRED[i];
            let first =
                nsg.rules_in(q.direction).find(|r| allows(r, q) || (r.access == Access::Deny && overlaps(r, q)));
            !first.is_some_and(|r| r.access == Access::Allow)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::resolve;
    use crate::testutil::{net, nsg, prep, vnet, SUB};
    use crate::trace::trace;
    use crate::Flow;
    use tusk_core::{Kind, Protocol};

    /// A rule; `how` is `DIRECTION ACCESS PROTOCOL` (`Inbound Allow Tcp`).
    fn rule(name: &str, prio: u32, how: &str, src: &str, dst: &str, ports: &str) -> String {
        let mut w = how.split(' ');
        let (dir, access, proto) = (w.next().unwrap(), w.next().unwrap(), w.next().unwrap());
        format!(
            r#"{{"name": "{name}", "priority": {prio}, "direction": "{dir}", "access": "{access}", "protocol": "{proto}", "sourceAddressPrefix": "{src}", "sourcePortRange": "*", "destinationAddressPrefix": "{dst}", "destinationPortRanges": [{ports}]}}"#
        )
    }

    /// The docs' table; `https_to` is the HTTPS rule's destination.
    fn table(https_to: &str, gateway_manager: bool) -> Vec<String> {
        let mut v = vec![rule("https", 120, "Inbound Allow Tcp", "Internet", https_to, r#""443""#)];
        if gateway_manager {
            v.push(rule("gm", 130, "Inbound Allow Tcp", "GatewayManager", "*", r#""443""#));
        }
        v.push(rule("lb", 140, "Inbound Allow Tcp", "AzureLoadBalancer", "*", r#""443""#));
        v.push(rule("ssh", 100, "Outbound Allow *", "*", "VirtualNetwork", r#""22", "3389""#));
        v.push(rule("cloud", 110, "Outbound Allow Tcp", "*", "AzureCloud", r#""443""#));
        v
    }

    fn estate(rules: &[String]) -> tusk_model::azure::AzureNetwork {
        let r: Vec<&str> = rules.iter().map(String::as_str).collect();
        let pip = format!(
            r#"{{"name": "pip", "id": "{SUB}/publicIPAddresses/pip", "type": "Microsoft.Network/publicIPAddresses", "ipAddress": "20.60.0.10"}}"#
        );
        let host = format!(
            r#"{{"name": "bas", "id": "{SUB}/bastionHosts/bas", "type": "Microsoft.Network/bastionHosts", "sku": {{"name": "Basic"}}, "ipConfigurations": [{{"name": "c", "subnet": {{"id": "{SUB}/virtualNetworks/hub/subnets/AzureBastionSubnet"}}, "publicIPAddress": {{"id": "{SUB}/publicIPAddresses/pip"}}}}]}}"#
        );
        net(&[
            nsg("nsg-bas", &r),
            vnet("hub", "10.0.0.0/16", &[("AzureBastionSubnet", "10.0.0.0/26", Some("nsg-bas"), None)], &[]),
            pip,
            host,
        ])
    }

    fn names(n: &tusk_model::azure::AzureNetwork) -> Vec<&'static str> {
        missing(&n.nsgs[tusk_model::azure::Idx::new(0)]).iter().map(|&i| REQUIRED[i].name).collect()
    }

    #[test]
    fn the_defaults_cover_the_data_plane_and_a_missing_rule_is_named() {
        assert!(names(&estate(&table("*", true))).is_empty());
        assert_eq!(names(&estate(&table("*", false))), ["AllowGatewayManagerInbound"]);
        // A Deny before the allow takes the control plane's traffic.
        let mut t = table("*", true);
        t.push(rule("no-443", 110, "Inbound Deny Tcp", "*", "*", r#""443""#));
        assert_eq!(
            names(&estate(&t)),
            ["AllowHttpsInbound", "AllowGatewayManagerInbound", "AllowAzureLoadBalancerInbound"]
        );
    }

    fn from_internet(n: &tusk_model::azure::AzureNetwork) -> Kind {
        let p = prep(n);
        let (a, b) = (resolve(&p, "internet:198.51.100.7").unwrap(), resolve(&p, "20.60.0.10").unwrap());
        trace(&p, &a, &b, Flow { src: a.ip(), dst: b.ip(), proto: Protocol::Tcp, port: Some(443) }).verdict
    }

    #[test]
    fn the_internet_leg_is_unknown_when_the_nsg_splits_the_instances_or_azure_would_refuse_it() {
        assert_eq!(from_internet(&estate(&table("*", true))), Kind::Allowed);
        // HTTPS admitted to the lower half of the subnet only: which half
        // an instance is in decides.
        assert_eq!(from_internet(&estate(&table("10.0.0.0/27", true))), Kind::Unknown);
        assert_eq!(from_internet(&estate(&table("*", false))), Kind::Unknown);
    }
}
