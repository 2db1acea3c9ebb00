//! Network security group evaluation and effective security rules.
//!
//! From "How network security groups filter network traffic"
//! (virtual-network/network-security-group-how-it-works): inbound traffic
//! meets the subnet's NSG, then the NIC's; outbound traffic the NIC's, then
//! the subnet's; both must allow, also between VMs of one subnet. Rules are
//! processed in priority order, lowest number first, and processing stops
//! at the first match. NSGs are stateful: the return of an allowed flow is
//! allowed without evaluating rules.
//!
//! Service tags are resolved in the context of the VNet the NSG is applied
//! in (`VirtualNetwork` differs per VNet); an ASG matches the addresses of
//! the NICs in it.

use super::{Cite, Decision, Flow, Kind, Prepared};
use std::net::IpAddr;
use tusk_core::ip::ip_to_u128;
use tusk_core::tri::{first_match, ports, FirstMatch, Tri};
use tusk_core::{PortSet, Protocol};
use tusk_model::azure::*;

/// Does one address entry hold `ip`, seen from VNet `vnet`?
pub fn address(p: &Prepared, vnet: Option<Idx<VirtualNetwork>>, a: &AddressMatch, ip: IpAddr) -> Tri {
    match a {
        AddressMatch::Any => Tri::Yes,
        AddressMatch::Prefix(c) => Tri::from_bool(super::prepared::cidr_has(c, ip)),
        AddressMatch::Range(lo, hi) => Tri::from_bool((*lo..=*hi).contains(&ip_to_u128(ip))),
        AddressMatch::Tag(t) => tag(p, vnet, t, ip),
        AddressMatch::Asg(Link::Found(i)) => Tri::from_bool(p.asg_members[*i].contains_ip(ip)),
        AddressMatch::Asg(Link::Absent(_)) | AddressMatch::Unknown(_) => Tri::Maybe,
    }
}

fn tag(p: &Prepared, vnet: Option<Idx<VirtualNetwork>>, t: &ServiceTag, ip: IpAddr) -> Tri {
    match t {
        ServiceTag::VirtualNetwork => match vnet {
            Some(v) => Tri::from_bool(p.vnet_tag[v].contains_ip(ip)),
            None => Tri::Maybe,
        },
        ServiceTag::Internet => Tri::from_bool(p.is_internet(vnet, ip)),
        ServiceTag::AzureLoadBalancer => Tri::from_bool(ip == IpAddr::from(super::prepared::HOST_VIP)),
        // Azure service tags (Storage, AzureCloud, ...) cover public Azure
        // ranges that are not in the inputs; a private address is not in them.
        ServiceTag::Other(_) => {
            if p.is_internet(None, ip) {
                Tri::Maybe
            } else {
                Tri::No
            }
        }
    }
}

pub fn addresses(p: &Prepared, vnet: Option<Idx<VirtualNetwork>>, list: &[AddressMatch], ip: IpAddr) -> Tri {
    Tri::any(list.iter().map(|a| address(p, vnet, a, ip)))
}

pub fn protocol(rp: RuleProtocol, f: Protocol) -> Tri {
    Tri::from_bool(match rp {
        RuleProtocol::Any => true,
        RuleProtocol::Tcp => f == Protocol::Tcp,
        RuleProtocol::Udp => f == Protocol::Udp,
        RuleProtocol::Icmp => f == Protocol::Icmp,
        RuleProtocol::Esp | RuleProtocol::Ah => false,
    })
}

/// Ports of a flow against a rule: ICMP has none, so only an every-port
/// rule matches it for sure.
pub fn flow_ports(rule: &PortSet, f: &Flow) -> Tri {
    match f.proto {
        Protocol::Icmp => ports(rule, None),
        _ => ports(rule, f.port),
    }
}

pub fn rule_matches(p: &Prepared, vnet: Option<Idx<VirtualNetwork>>, r: &SecurityRule, f: &Flow) -> Tri {
    protocol(r.protocol, f.proto)
        .and(flow_ports(&r.destination_ports, f))
        // The source port of a client is ephemeral and not part of a trace.
        .and(ports(&r.source_ports, None))
        .and(addresses(p, vnet, &r.sources, f.src))
        .and(addresses(p, vnet, &r.destinations, f.dst))
}

pub fn cite_rule(holder: &str, r: &SecurityRule) -> Cite {
    Cite { holder: holder.to_string(), rule: r.name.clone(), priority: Some(r.priority), loc: r.loc.clone() }
}

/// The verdict alone (no texts), for the all-pairs engine: the same first
/// match as [`evaluate`].
pub fn verdict(p: &Prepared, nsg: &Nsg, vnet: Option<Idx<VirtualNetwork>>, dir: Direction, f: &Flow) -> Kind {
    match first_match(nsg.rules_in(dir), |r| rule_matches(p, vnet, r, f), |a, b| a.access == b.access) {
        FirstMatch::Hit { rule, doubt: None } if rule.access == Access::Allow => Kind::Allowed,
        FirstMatch::Hit { doubt: None, .. } => Kind::Denied,
        _ => Kind::Unknown,
    }
}

/// What makes a rule's match on `f` uncertain, in words: the flow's port
/// when it is not given and the rule's ports are partial, and each address
/// entry whose members are not in the inputs. Only the parts that are in
/// doubt for this flow are named (a given `--port` is never "not given").
pub fn why_maybe(
    p: &Prepared,
    vnet: Option<Idx<VirtualNetwork>>,
    sources: &[AddressMatch],
    destinations: &[AddressMatch],
    dports: Tri,
    f: &Flow,
) -> String {
    let mut parts = Vec::new();
    if dports == Tri::Maybe {
        parts.push("the flow's port is not given and the rule's ports are not all ports".to_string());
    }
    for (side, list, ip) in [("source", sources, f.src), ("destination", destinations, f.dst)] {
        for a in list.iter().filter(|a| address(p, vnet, a, ip) == Tri::Maybe) {
            parts.push(format!("whether {side} {ip} is in {} is unknown", entry_name(a)));
        }
    }
    if parts.is_empty() {
        parts.push("its match is undecidable from the inputs".into());
    }
    parts.join("; ")
}

fn entry_name(a: &AddressMatch) -> String {
    match a {
        AddressMatch::Tag(ServiceTag::Other(t)) => format!("service tag `{t}`"),
        AddressMatch::Tag(t) => format!("tag {t:?}"),
        AddressMatch::Asg(Link::Absent(id)) => format!("application security group `{}`", id.name()),
        AddressMatch::Unknown(s) => format!("`{s}`"),
        other => format!("{other:?}"),
    }
}

/// Evaluates one NSG in one direction. `holder` names it for the report
/// (`NSG nsg-app on subnet spoke1/app`).
pub fn evaluate(
    p: &Prepared,
    nsg: &Nsg,
    holder: &str,
    vnet: Option<Idx<VirtualNetwork>>,
    dir: Direction,
    f: &Flow,
) -> Decision {
    let m = first_match(nsg.rules_in(dir), |r| rule_matches(p, vnet, r, f), |a, b| a.access == b.access);
    match m {
        FirstMatch::Hit { rule, doubt: None } => {
            let v = if rule.access == Access::Allow { Kind::Allowed } else { Kind::Denied };
            Decision::new(v, format!("first matching rule, priority {}", rule.priority), Some(cite_rule(holder, rule)))
        }
        FirstMatch::Hit { rule, doubt: Some(d) } => Decision::new(
            Kind::Unknown,
            format!(
                "rule `{}` (priority {}, {}) may match first ({}); otherwise `{}` decides",
                d.name,
                d.priority,
                d.loc,
                why_maybe(p, vnet, &d.sources, &d.destinations, flow_ports(&d.destination_ports, f), f),
                rule.name
            ),
            Some(cite_rule(holder, d)),
        ),
        FirstMatch::Miss { doubt } => Decision::new(
            Kind::Unknown,
            match doubt {
                Some(d) => format!(
                    "no rule matches for sure; `{}` may ({})",
                    d.name,
                    why_maybe(p, vnet, &d.sources, &d.destinations, flow_ports(&d.destination_ports, f), f)
                ),
                None => "no rule matches (the NSG lacks its default rules)".into(),
            },
            doubt.map(|d| cite_rule(holder, d)),
        ),
    }
}

/// `vnet/subnet`, case-insensitively.
pub fn find_subnet(p: &Prepared, path: &str) -> Option<Idx<Subnet>> {
    Idx::all(&p.net.subnets).find(|&s| p.net.subnet_path(s).eq_ignore_ascii_case(path))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{net, nsg, vnet, SUB};
    use super::*;

    fn flow(src: &str, dst: &str, port: Option<u16>) -> Flow {
        Flow { src: src.parse().unwrap(), dst: dst.parse().unwrap(), proto: Protocol::Tcp, port }
    }

    fn rule(name: &str, prio: u32, access: &str, src: &str, port: &str) -> String {
        format!(
            r#"{{"name": "{name}", "priority": {prio}, "direction": "Inbound", "access": "{access}", "protocol": "Tcp", "sourceAddressPrefix": "{src}", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "{port}"}}"#
        )
    }

    fn decide(rules: &[&str], f: &Flow) -> Decision {
        let n = net(&[vnet("v", "10.0.0.0/16", &[("s", "10.0.0.0/24", Some("n"), None)], &[]), nsg("n", rules)]);
        let p = crate::testutil::prep(&n);
        evaluate(&p, &n.nsgs[0], "NSG n", Some(Idx::new(0)), Direction::Inbound, f)
    }

    #[test]
    fn lowest_priority_number_first_and_defaults_last() {
        let (a, b) = (rule("deny", 100, "Deny", "*", "22"), rule("allow", 200, "Allow", "*", "*"));
        let d = decide(&[&b, &a], &flow("8.8.8.8", "10.0.0.4", Some(22)));
        assert_eq!((d.verdict, d.cite.unwrap().rule), (Kind::Denied, "deny".to_string()));
        let d = decide(&[], &flow("8.8.8.8", "10.0.0.4", Some(22)));
        assert_eq!((d.verdict, d.cite.unwrap().rule), (Kind::Denied, "DenyAllInBound".to_string()));
        let d = decide(&[], &flow("10.0.5.5", "10.0.0.4", Some(22)));
        assert_eq!((d.verdict, d.cite.unwrap().rule), (Kind::Allowed, "AllowVnetInBound".to_string()));
    }

    #[test]
    fn an_unknown_service_tag_makes_the_verdict_unknown_only_if_it_would_decide_otherwise() {
        let storage = rule("deny-storage", 100, "Deny", "Storage", "*");
        let allow = rule("allow-all", 200, "Allow", "*", "*");
        let d = decide(&[&storage, &allow], &flow("52.1.1.1", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Kind::Unknown, "{}", d.reason);
        // A private source cannot be in an Azure service tag.
        let d = decide(&[&storage, &allow], &flow("10.0.9.9", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Kind::Allowed);
        // Same action ahead: certain.
        let deny_all = rule("deny-all", 200, "Deny", "*", "*");
        let d = decide(&[&storage, &deny_all], &flow("52.1.1.1", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Kind::Denied);
    }

    #[test]
    fn a_port_specific_rule_is_unknown_for_an_any_port_question() {
        let d = decide(&[&rule("allow-443", 100, "Allow", "*", "443")], &flow("8.8.8.8", "10.0.0.4", None));
        assert_eq!(d.verdict, Kind::Unknown);
    }

    #[test]
    fn augmented_rules_and_asgs_match_their_members() {
        let augmented = r#"{"name": "multi", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "*", "sourceAddressPrefixes": ["1.1.1.1", "2.2.2.0/24"], "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRanges": ["80", "443"]}"#;
        let d = decide(&[augmented], &flow("2.2.2.9", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Kind::Allowed);
        let d = decide(&[augmented], &flow("2.2.3.9", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Kind::Denied);

        let asg_rule = format!(
            r#"{{"name": "web-only", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceApplicationSecurityGroups": [{{"id": "{SUB}/applicationSecurityGroups/web"}}], "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "443"}}"#
        );
        let deny = rule("deny-rest", 200, "Deny", "*", "*");
        let n = net(&[
            vnet("v", "10.0.0.0/16", &[("s", "10.0.0.0/24", Some("n"), None)], &[]),
            nsg("n", &[&asg_rule, &deny]),
            format!(
                r#"{{"name": "web", "id": "{SUB}/applicationSecurityGroups/web", "type": "Microsoft.Network/applicationSecurityGroups"}}"#
            ),
            format!(
                r#"{{"name": "web-nic", "id": "{SUB}/networkInterfaces/web-nic", "type": "Microsoft.Network/networkInterfaces", "ipConfigurations": [{{"name": "c", "privateIPAddress": "10.0.0.10", "subnet": {{"id": "{SUB}/virtualNetworks/v/subnets/s"}}, "applicationSecurityGroups": [{{"id": "{SUB}/applicationSecurityGroups/web"}}]}}]}}"#
            ),
        ]);
        let p = crate::testutil::prep(&n);
        let at = |src: &str| {
            evaluate(&p, &n.nsgs[0], "n", Some(Idx::new(0)), Direction::Inbound, &flow(src, "10.0.0.4", Some(443)))
                .verdict
        };
        assert_eq!(at("10.0.0.10"), Kind::Allowed);
        assert_eq!(at("10.0.0.11"), Kind::Denied);
    }
}
