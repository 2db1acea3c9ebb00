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

use super::decision::Uncertainty;
use super::{Cite, Decision, Flow, Hop, Kind, Prepared, Reason};
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
        // An IP group matches its addresses ("IP Groups in Azure Firewall",
        // firewall/ip-groups).
        AddressMatch::IpGroup(Link::Found(g)) => addresses(p, vnet, &p.net.ip_groups[*g].addresses, ip),
        // An FQDN is decided by the firewall with the flow's name
        // (crate::firewall); from an address alone it may or may not match.
        AddressMatch::Fqdn(_)
        | AddressMatch::IpGroup(Link::Absent(_))
        | AddressMatch::Asg(Link::Absent(_))
        | AddressMatch::Unknown(_) => Tri::Maybe,
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
        // Azure service tags (Storage, AzureCloud, ...): their prefixes come
        // from Microsoft's service tags file when the inputs hold it.
        // Without it they are unknown, except for RFC 1918 / RFC 6598
        // space, which Microsoft's tags do not hold. (168.63.129.16 and
        // 169.254.169.254 are not public, yet the AzurePlatformDNS / -LKM /
        // -IMDS tags hold them: they stay unknown.)
        ServiceTag::Other(name) if p.net.service_tags.is_some() => super::service_tags::tag_tri(p, name, ip),
        ServiceTag::Other(_) => {
            if super::service_tags::is_rfc1918_or_6598(ip) {
                Tri::No
            } else {
                Tri::Maybe
            }
        }
    }
}

/// Does any entry of `list` hold `ip`, seen from `vnet` (its `VirtualNetwork` tag)?
pub fn addresses(p: &Prepared, vnet: Option<Idx<VirtualNetwork>>, list: &[AddressMatch], ip: IpAddr) -> Tri {
    Tri::any(list.iter().map(|a| address(p, vnet, a, ip)))
}

/// Does an NSG rule's protocol match the flow's? (Certain: protocols are in the inputs.)
pub fn protocol(rp: RuleProtocol, f: Protocol) -> Tri {
    Tri::from_bool(match rp {
        RuleProtocol::Any => true,
        RuleProtocol::Tcp => f == Protocol::Tcp,
        RuleProtocol::Udp => f == Protocol::Udp,
        RuleProtocol::Icmp => f == Protocol::Icmp,
        RuleProtocol::Esp => f == Protocol::Esp,
        RuleProtocol::Ah => f == Protocol::Ah,
    })
}

/// Ports of a flow against a rule: ICMP, ESP, AH and the other protocols
/// without ports have none, so only an every-port rule matches them for sure.
pub fn flow_ports(rule: &PortSet, f: &Flow) -> Tri {
    if f.proto.has_ports() {
        ports(rule, f.port)
    } else {
        ports(rule, None)
    }
}

/// Does NSG rule `r` match flow `f` (addresses, protocol, destination port;
/// the client's source port is ephemeral, so only an every-port source
/// range matches for sure)?
pub fn rule_matches(p: &Prepared, vnet: Option<Idx<VirtualNetwork>>, r: &SecurityRule, f: &Flow) -> Tri {
    // The source port of a client is ephemeral and not part of a trace.
    let port_match = flow_ports(&r.destination_ports, f).and(ports(&r.source_ports, None));
    protocol(r.protocol, f.proto)
        .and(unread_ports(r.ports_unknown, port_match))
        .and(addresses(p, vnet, &r.sources, f.src))
        .and(addresses(p, vnet, &r.destinations, f.dst))
}

/// First match of NSG `nsg`'s rules in direction `dir` on `f`: the one
/// rule implementation behind both the trace ([`evaluate`]) and the
/// all-pairs evaluator ([`verdict`]).
fn first<'n>(
    p: &Prepared,
    nsg: &'n Nsg,
    vnet: Option<Idx<VirtualNetwork>>,
    dir: Direction,
    f: &Flow,
) -> (Kind, FirstMatch<'n, SecurityRule>) {
    let m = first_match(nsg.rules_in(dir), |r| rule_matches(p, vnet, r, f), |a, b| a.access == b.access);
    let k = match &m {
        FirstMatch::Hit { rule, doubt: None } if rule.access == Access::Allow => Kind::Allowed,
        FirstMatch::Hit { doubt: None, .. } => Kind::Denied,
        _ => Kind::Unknown,
    };
    (k, m)
}

/// The verdict alone, for the all-pairs engine.
pub fn verdict(p: &Prepared, nsg: Idx<Nsg>, vnet: Option<Idx<VirtualNetwork>>, dir: Direction, f: &Flow) -> Kind {
    first(p, &p.net.nsgs[nsg], vnet, dir, f).0
}

/// A port match where some port field could not be read: only a certain
/// match on the ports that were read stays certain; anything else may match.
pub fn unread_ports(unread: bool, m: Tri) -> Tri {
    if unread && m != Tri::Yes {
        Tri::Maybe
    } else {
        m
    }
}

/// What makes a rule's match on `f` uncertain: the flow's port when it is
/// not given and the rule's ports are partial, and each address entry
/// whose members are not in the inputs. Only what is in doubt for this
/// flow is named (a given `--port` is never "not given").
pub fn uncertainties(
    p: &Prepared,
    vnet: Option<Idx<VirtualNetwork>>,
    sources: &[AddressMatch],
    destinations: &[AddressMatch],
    dports: Tri,
    f: &Flow,
) -> Vec<Uncertainty> {
    let mut out = Vec::new();
    if dports == Tri::Maybe {
        out.push(Uncertainty::PortNotGiven);
    }
    for (source, list, ip) in [(true, sources, f.src), (false, destinations, f.dst)] {
        for a in list.iter().filter(|a| address(p, vnet, a, ip) == Tri::Maybe) {
            out.push(Uncertainty::Address { source, ip, entry: a.clone() });
        }
    }
    out
}

/// Evaluates NSG `nsg`, applied at `at`, in one direction.
pub fn evaluate(
    p: &Prepared,
    nsg: Idx<Nsg>,
    at: Hop,
    vnet: Option<Idx<VirtualNetwork>>,
    dir: Direction,
    f: &Flow,
) -> Decision {
    let n = &p.net.nsgs[nsg];
    let cite = |r: &SecurityRule| {
        let rule = n.rules.iter().position(|x| std::ptr::eq(x, r)).unwrap_or_default();
        Some(Cite::NsgRule { nsg, at, rule })
    };
    let may = |d: &SecurityRule, decided: Option<&SecurityRule>| {
        let mut why = uncertainties(p, vnet, &d.sources, &d.destinations, flow_ports(&d.destination_ports, f), f);
        if d.ports_unknown {
            why.push(Uncertainty::PortsNotRead);
        }
        Reason::MayMatch {
            doubtful: d.name.clone(),
            priority: Some(d.priority),
            decided: decided.map(|r| r.name.clone()),
            why,
        }
    };
    match first(p, n, vnet, dir, f) {
        (k, FirstMatch::Hit { rule, doubt: None }) => {
            Decision::new(k, Reason::FirstMatch { priority: rule.priority }, cite(rule))
        }
        (_, FirstMatch::Hit { rule, doubt: Some(d) }) => Decision::new(Kind::Unknown, may(d, Some(rule)), cite(d)),
        (_, FirstMatch::Miss { doubt: Some(d) }) => Decision::new(Kind::Unknown, may(d, None), cite(d)),
        (_, FirstMatch::Miss { doubt: None }) => Decision::new(Kind::Unknown, Reason::NoRuleMatched, None),
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

    fn decide(rules: &[&str], f: &Flow) -> (Decision, String) {
        let n = net(&[vnet("v", "10.0.0.0/16", &[("s", "10.0.0.0/24", Some("n"), None)], &[]), nsg("n", rules)]);
        let p = crate::testutil::prep(&n);
        let d = evaluate(&p, Idx::new(0), Hop::Subnet(Idx::new(0)), Some(Idx::new(0)), Direction::Inbound, f);
        let name = crate::testutil::cited(&n, &d.cite);
        (d, name)
    }

    #[test]
    fn lowest_priority_number_first_and_defaults_last() {
        let (a, b) = (rule("deny", 100, "Deny", "*", "22"), rule("allow", 200, "Allow", "*", "*"));
        let (d, name) = decide(&[&b, &a], &flow("8.8.8.8", "10.0.0.4", Some(22)));
        assert_eq!((d.verdict, name.as_str()), (Kind::Denied, "deny"));
        let (d, name) = decide(&[], &flow("8.8.8.8", "10.0.0.4", Some(22)));
        assert_eq!((d.verdict, name.as_str()), (Kind::Denied, "DenyAllInBound"));
        let (d, name) = decide(&[], &flow("10.0.5.5", "10.0.0.4", Some(22)));
        assert_eq!((d.verdict, name.as_str()), (Kind::Allowed, "AllowVnetInBound"));
    }

    #[test]
    fn an_unknown_service_tag_makes_the_verdict_unknown_only_if_it_would_decide_otherwise() {
        let storage = rule("deny-storage", 100, "Deny", "Storage", "*");
        let allow = rule("allow-all", 200, "Allow", "*", "*");
        let (d, _) = decide(&[&storage, &allow], &flow("52.1.1.1", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Kind::Unknown, "{:?}", d.reason);
        // A private source cannot be in an Azure service tag.
        let (d, _) = decide(&[&storage, &allow], &flow("10.0.9.9", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Kind::Allowed);
        // The platform's 168.63.129.16 is not public, yet AzurePlatformDNS
        // holds it: without the tags file a tag's match on it is unknown.
        let dns = rule("deny-platform-dns", 100, "Deny", "AzurePlatformDNS", "*");
        let (d, _) = decide(&[&dns, &allow], &flow("168.63.129.16", "10.0.0.4", Some(53)));
        assert_eq!(d.verdict, Kind::Unknown, "{:?}", d.reason);
        // Same action ahead: certain.
        let deny_all = rule("deny-all", 200, "Deny", "*", "*");
        let (d, _) = decide(&[&storage, &deny_all], &flow("52.1.1.1", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Kind::Denied);
    }

    #[test]
    fn a_service_tag_is_decided_by_the_service_tags_file_when_given() {
        let storage = rule("deny-storage", 100, "Deny", "Storage", "*");
        let sql = rule("deny-sql", 100, "Deny", "Sql", "*");
        let allow = rule("allow-all", 200, "Allow", "*", "*");
        let mut n = net(&[
            vnet("v", "10.0.0.0/16", &[("s", "10.0.0.0/24", Some("n"), None)], &[]),
            nsg("n", &[&storage, &allow]),
        ]);
        let tags = [(
            "storage".to_string(),
            TagPrefixes {
                name: "Storage".into(),
                region: String::new(),
                prefixes: vec![tusk_core::ip::Cidr::parse("20.60.0.0/16").unwrap()],
            },
        )];
        n.service_tags = Some(ServiceTags {
            loc: tusk_core::Loc::builtin("test"),
            change_number: Some(1),
            tags: tags.into_iter().collect(),
        });
        let p = crate::testutil::prep(&n);
        let at =
            |f: &Flow| evaluate(&p, Idx::new(0), Hop::Subnet(Idx::new(0)), Some(Idx::new(0)), Direction::Inbound, f);
        let d = at(&flow("20.60.1.1", "10.0.0.4", Some(443)));
        assert_eq!((d.verdict, crate::testutil::cited(&n, &d.cite).as_str()), (Kind::Denied, "deny-storage"));
        let d = at(&flow("52.1.1.1", "10.0.0.4", Some(443)));
        assert_eq!((d.verdict, crate::testutil::cited(&n, &d.cite).as_str()), (Kind::Allowed, "allow-all"));
        // A tag the file does not hold (another version of it) stays unknown.
        let mut n2 =
            net(&[vnet("v", "10.0.0.0/16", &[("s", "10.0.0.0/24", Some("n"), None)], &[]), nsg("n", &[&sql, &allow])]);
        n2.service_tags = n.service_tags.clone();
        let p = crate::testutil::prep(&n2);
        let d = evaluate(
            &p,
            Idx::new(0),
            Hop::Subnet(Idx::new(0)),
            Some(Idx::new(0)),
            Direction::Inbound,
            &flow("52.1.1.1", "10.0.0.4", Some(443)),
        );
        assert_eq!(d.verdict, Kind::Unknown, "{:?}", d.reason);
    }

    #[test]
    fn a_port_specific_rule_is_unknown_for_an_any_port_question() {
        let (d, _) = decide(&[&rule("allow-443", 100, "Allow", "*", "443")], &flow("8.8.8.8", "10.0.0.4", None));
        assert_eq!(d.verdict, Kind::Unknown);
    }

    #[test]
    fn augmented_rules_and_asgs_match_their_members() {
        let augmented = r#"{"name": "multi", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "*", "sourceAddressPrefixes": ["1.1.1.1", "2.2.2.0/24"], "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRanges": ["80", "443"]}"#;
        let (d, _) = decide(&[augmented], &flow("2.2.2.9", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Kind::Allowed);
        let (d, _) = decide(&[augmented], &flow("2.2.3.9", "10.0.0.4", Some(443)));
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
            let f = flow(src, "10.0.0.4", Some(443));
            evaluate(&p, Idx::new(0), Hop::Subnet(Idx::new(0)), Some(Idx::new(0)), Direction::Inbound, &f).verdict
        };
        assert_eq!(at("10.0.0.10"), Kind::Allowed);
        assert_eq!(at("10.0.0.11"), Kind::Denied);
    }
}
