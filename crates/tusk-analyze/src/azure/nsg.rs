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
                "rule `{}` (priority {}, {}) may match first: it names addresses not in the inputs; otherwise `{}` decides",
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
    if s.contains(0) && s.contains(u16::MAX) && s.ranges().len() == 1 {
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
