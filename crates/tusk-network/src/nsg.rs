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

use super::tri::{first_match, ports, FirstMatch, Tri};
use super::{Cite, Decision, Flow, Prepared, Verdict};
use std::net::IpAddr;
use tusk_core::ip::{ip_to_u128, u128_to_ip};
use tusk_core::{IpSet, Loc, PortSet, Protocol};
use tusk_model::azure::*;

/// Does one address entry hold `ip`, seen from VNet `vnet`?
pub fn address(p: &Prepared, vnet: Option<usize>, a: &AddressMatch, ip: IpAddr) -> Tri {
    match a {
        AddressMatch::Any => Tri::Yes,
        AddressMatch::Prefix(c) => Tri::from_bool(super::prepared::cidr_has(c, ip)),
        AddressMatch::Range(lo, hi) => Tri::from_bool((*lo..=*hi).contains(&ip_to_u128(ip))),
        AddressMatch::Tag(t) => tag(p, vnet, t, ip),
        AddressMatch::Asg(Link::Found(i)) => Tri::from_bool(p.asg_members[*i].contains_ip(ip)),
        AddressMatch::Asg(Link::Absent(_)) | AddressMatch::Unknown(_) => Tri::Maybe,
    }
}

fn tag(p: &Prepared, vnet: Option<usize>, t: &ServiceTag, ip: IpAddr) -> Tri {
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

pub fn addresses(p: &Prepared, vnet: Option<usize>, list: &[AddressMatch], ip: IpAddr) -> Tri {
    Tri::any(list.iter().map(|a| address(p, vnet, a, ip)))
}

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

pub fn rule_matches(p: &Prepared, vnet: Option<usize>, r: &SecurityRule, f: &Flow) -> Tri {
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
pub fn verdict(p: &Prepared, nsg: &Nsg, vnet: Option<usize>, dir: Direction, f: &Flow) -> Verdict {
    match first_match(nsg.rules_in(dir), |r| rule_matches(p, vnet, r, f), |a, b| a.access == b.access) {
        FirstMatch::Hit { rule, doubt: None } if rule.access == Access::Allow => Verdict::Allowed,
        FirstMatch::Hit { doubt: None, .. } => Verdict::Denied,
        _ => Verdict::Unknown,
    }
}

/// Evaluates one NSG in one direction. `holder` names it for the report
/// (`NSG nsg-app on subnet spoke1/app`).
pub fn evaluate(p: &Prepared, nsg: &Nsg, holder: &str, vnet: Option<usize>, dir: Direction, f: &Flow) -> Decision {
    let m = first_match(nsg.rules_in(dir), |r| rule_matches(p, vnet, r, f), |a, b| a.access == b.access);
    match m {
        FirstMatch::Hit { rule, doubt: None } => {
            let v = if rule.access == Access::Allow { Verdict::Allowed } else { Verdict::Denied };
            Decision::new(v, format!("first matching rule, priority {}", rule.priority), Some(cite_rule(holder, rule)))
        }
        FirstMatch::Hit { rule, doubt: Some(d) } => Decision::new(
            Verdict::Unknown,
            format!(
                "rule `{}` (priority {}, {}) may match first (its match depends on the port, not given, or on addresses not in the inputs); otherwise `{}` decides",
                d.name, d.priority, d.loc, rule.name
            ),
            Some(cite_rule(holder, d)),
        ),
        FirstMatch::Miss { doubt } => Decision::new(
            Verdict::Unknown,
            match doubt {
                Some(d) => format!("no rule matches for sure; `{}` may", d.name),
                None => "no rule matches (the NSG lacks its default rules)".into(),
            },
            doubt.map(|d| cite_rule(holder, d)),
        ),
    }
}

/// One line of `tusk rules`: a rule with its address entries expanded.
#[derive(Debug, Clone)]
pub struct EffectiveRule {
    pub holder: String,
    pub name: String,
    pub priority: u32,
    pub direction: Direction,
    pub access: Access,
    pub protocol: RuleProtocol,
    pub sources: Vec<String>,
    pub destinations: Vec<String>,
    pub source_ports: String,
    pub destination_ports: String,
    pub loc: Loc,
}

/// Expands an address entry as Azure's effective security rules do
/// ("expanded address prefixes"): tags and ASGs into ranges where known.
pub fn expand(p: &Prepared, vnet: Option<usize>, a: &AddressMatch) -> String {
    let ranges = |s: &IpSet| s.ip_ranges().map(|r| range_text(r.lo, r.hi)).collect::<Vec<_>>().join(",");
    match a {
        AddressMatch::Any => "*".into(),
        AddressMatch::Prefix(c) => c.to_string(),
        AddressMatch::Range(lo, hi) => range_text(*lo, *hi),
        AddressMatch::Tag(ServiceTag::VirtualNetwork) => match vnet {
            Some(v) => format!("VirtualNetwork={}", ranges(&p.vnet_tag[v])),
            None => "VirtualNetwork".into(),
        },
        AddressMatch::Tag(ServiceTag::Internet) => "Internet".into(),
        AddressMatch::Tag(ServiceTag::AzureLoadBalancer) => "AzureLoadBalancer=168.63.129.16/32".into(),
        AddressMatch::Tag(ServiceTag::Other(t)) => format!("{t} (ranges not in inputs)"),
        AddressMatch::Asg(Link::Found(i)) => format!("ASG {}={}", p.net.asgs[*i].id.name(), ranges(&p.asg_members[*i])),
        AddressMatch::Asg(Link::Absent(id)) => format!("ASG {} (not in inputs)", id.name()),
        AddressMatch::Unknown(s) => format!("{s} (unknown)"),
    }
}

fn range_text(lo: u128, hi: u128) -> String {
    // Print a CIDR when the range is one.
    let size = hi.wrapping_sub(lo).wrapping_add(1);
    if size.is_power_of_two() && lo.is_multiple_of(size) {
        let bits = size.trailing_zeros();
        let ip = u128_to_ip(lo);
        let plen = if ip.is_ipv4() { 32 - bits } else { 128 - bits };
        return format!("{ip}/{plen}");
    }
    if lo == hi {
        return u128_to_ip(lo).to_string();
    }
    format!("{}-{}", u128_to_ip(lo), u128_to_ip(hi))
}

fn port_text(s: &PortSet) -> String {
    if PortSet::all_ports().is_subset(s) {
        "*".into()
    } else {
        s.to_list_string()
    }
}

pub fn effective_rules(p: &Prepared, nsg: &Nsg, holder: &str, vnet: Option<usize>) -> Vec<EffectiveRule> {
    nsg.rules
        .iter()
        .map(|r| EffectiveRule {
            holder: holder.to_string(),
            name: r.name.clone(),
            priority: r.priority,
            direction: r.direction,
            access: r.access,
            protocol: r.protocol,
            sources: r.sources.iter().map(|a| expand(p, vnet, a)).collect(),
            destinations: r.destinations.iter().map(|a| expand(p, vnet, a)).collect(),
            source_ports: port_text(&r.source_ports),
            destination_ports: port_text(&r.destination_ports),
            loc: r.loc.clone(),
        })
        .collect()
}

/// The effective rules of a subnet, or of a NIC (its subnet's NSG and its
/// own), in the order Azure applies them: inbound subnet then NIC,
/// outbound NIC then subnet.
pub fn effective_rules_for(p: &Prepared, subnet: usize, nic: Option<usize>) -> Vec<EffectiveRule> {
    let net = p.net;
    let vnet = Some(net.subnets[subnet].vnet);
    let of = |l: &Option<Link>, what: String| -> Vec<EffectiveRule> {
        match l.as_ref().and_then(Link::found) {
            Some(i) => effective_rules(p, &net.nsgs[i], &format!("{} ({what})", net.nsgs[i].id.name()), vnet),
            None => Vec::new(),
        }
    };
    let sub = of(&net.subnets[subnet].nsg, format!("subnet {}", net.subnet_path(subnet)));
    let nic_rules = match nic {
        Some(n) => of(&net.nics[n].nsg, format!("NIC {}", net.nics[n].id.name())),
        None => Vec::new(),
    };
    let pick = |v: &[EffectiveRule], d: Direction| v.iter().filter(|r| r.direction == d).cloned().collect::<Vec<_>>();
    let mut out = pick(&sub, Direction::Inbound);
    out.extend(pick(&nic_rules, Direction::Inbound));
    out.extend(pick(&nic_rules, Direction::Outbound));
    out.extend(pick(&sub, Direction::Outbound));
    out
}

/// `vnet/subnet`, case-insensitively.
pub fn find_subnet(p: &Prepared, path: &str) -> Option<usize> {
    (0..p.net.subnets.len()).find(|&s| p.net.subnet_path(s).eq_ignore_ascii_case(path))
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
        let p = Prepared::new(&n);
        evaluate(&p, &n.nsgs[0], "NSG n", Some(0), Direction::Inbound, f)
    }

    #[test]
    fn lowest_priority_number_first_and_defaults_last() {
        let (a, b) = (rule("deny", 100, "Deny", "*", "22"), rule("allow", 200, "Allow", "*", "*"));
        let d = decide(&[&b, &a], &flow("8.8.8.8", "10.0.0.4", Some(22)));
        assert_eq!((d.verdict, d.cite.unwrap().rule), (Verdict::Denied, "deny".to_string()));
        let d = decide(&[], &flow("8.8.8.8", "10.0.0.4", Some(22)));
        assert_eq!((d.verdict, d.cite.unwrap().rule), (Verdict::Denied, "DenyAllInBound".to_string()));
        let d = decide(&[], &flow("10.0.5.5", "10.0.0.4", Some(22)));
        assert_eq!((d.verdict, d.cite.unwrap().rule), (Verdict::Allowed, "AllowVnetInBound".to_string()));
    }

    #[test]
    fn an_unknown_service_tag_makes_the_verdict_unknown_only_if_it_would_decide_otherwise() {
        let storage = rule("deny-storage", 100, "Deny", "Storage", "*");
        let allow = rule("allow-all", 200, "Allow", "*", "*");
        let d = decide(&[&storage, &allow], &flow("52.1.1.1", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Verdict::Unknown, "{}", d.reason);
        // A private source cannot be in an Azure service tag.
        let d = decide(&[&storage, &allow], &flow("10.0.9.9", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Verdict::Allowed);
        // Same action ahead: certain.
        let deny_all = rule("deny-all", 200, "Deny", "*", "*");
        let d = decide(&[&storage, &deny_all], &flow("52.1.1.1", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Verdict::Denied);
    }

    #[test]
    fn a_port_specific_rule_is_unknown_for_an_any_port_question() {
        let d = decide(&[&rule("allow-443", 100, "Allow", "*", "443")], &flow("8.8.8.8", "10.0.0.4", None));
        assert_eq!(d.verdict, Verdict::Unknown);
    }

    #[test]
    fn augmented_rules_and_asgs_match_their_members() {
        let augmented = r#"{"name": "multi", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "*", "sourceAddressPrefixes": ["1.1.1.1", "2.2.2.0/24"], "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRanges": ["80", "443"]}"#;
        let d = decide(&[augmented], &flow("2.2.2.9", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Verdict::Allowed);
        let d = decide(&[augmented], &flow("2.2.3.9", "10.0.0.4", Some(443)));
        assert_eq!(d.verdict, Verdict::Denied);

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
        let p = Prepared::new(&n);
        let at = |src: &str| {
            evaluate(&p, &n.nsgs[0], "n", Some(0), Direction::Inbound, &flow(src, "10.0.0.4", Some(443))).verdict
        };
        assert_eq!(at("10.0.0.10"), Verdict::Allowed);
        assert_eq!(at("10.0.0.11"), Verdict::Denied);
    }
}
