//! Effective security rules, as Network Watcher shows them: the rules of
//! the NSGs that apply to a subnet or a NIC, in the order Azure applies
//! them (inbound: subnet then NIC; outbound: NIC then subnet), each address
//! entry expanded into the prefixes it stands for ("expanded address
//! prefixes"): service tags as seen from the VNet, ASGs as their members'
//! addresses. Values, not text: `tusk-report` renders them.

use super::Prepared;
use tusk_core::ip::{addr_set, all_v4};
use tusk_core::IpSet;
use tusk_model::azure::*;

/// Where an NSG is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attachment {
    /// On a subnet.
    Subnet(Idx<Subnet>),
    /// On a NIC.
    Nic(Idx<NetworkInterface>),
}

/// One address entry of a rule and the prefixes it stands for; `None`
/// when they are not in the inputs (an Azure service tag such as
/// `Storage`, an ASG or value outside the inputs) or when the entry is `*`.
#[derive(Debug, Clone)]
pub struct Expanded<'a> {
    /// The rule's entry.
    pub entry: &'a AddressMatch,
    /// Its prefixes, when known (tags and ASGs expanded).
    pub prefixes: Option<IpSet>,
}

/// One rule of an NSG as it applies at one place.
#[derive(Debug, Clone)]
pub struct EffectiveRule<'a> {
    /// The NSG.
    pub nsg: Idx<Nsg>,
    /// Where it is attached.
    pub on: Attachment,
    /// The rule.
    pub rule: &'a SecurityRule,
    /// Its sources, expanded.
    pub sources: Vec<Expanded<'a>>,
    /// Its destinations, expanded.
    pub destinations: Vec<Expanded<'a>>,
}

/// The prefixes an address entry stands for, seen from VNet `vnet`.
pub fn expand<'a>(p: &Prepared, vnet: Option<Idx<VirtualNetwork>>, a: &'a AddressMatch) -> Expanded<'a> {
    let prefixes = match a {
        AddressMatch::Any | AddressMatch::Unknown(_) | AddressMatch::Asg(Link::Absent(_)) => None,
        AddressMatch::Prefix(c) => Some(IpSet::from_ranges(vec![(c.range().lo, c.range().hi)])),
        AddressMatch::Range(lo, hi) => Some(IpSet::from_ranges(vec![(*lo, *hi)])),
        AddressMatch::Tag(ServiceTag::VirtualNetwork) => vnet.map(|v| p.vnet_tag[v].clone()),
        AddressMatch::Tag(ServiceTag::Internet) => Some(in_families(p, vnet, p.internet_tag(vnet))),
        AddressMatch::Tag(ServiceTag::AzureLoadBalancer) => {
            Some(addr_set(std::net::IpAddr::from(super::prepared::HOST_VIP)))
        }
        AddressMatch::Tag(ServiceTag::Other(name)) => {
            p.net.service_tags.as_ref().and_then(|t| t.get(name)).map(|t| super::index::set_of(&t.prefixes))
        }
        AddressMatch::Asg(Link::Found(i)) => Some(p.asg_members[*i].clone()),
        AddressMatch::IpGroup(Link::Found(g)) => {
            let mut set = IpSet::empty();
            let mut known = true;
            for e in &p.net.ip_groups[*g].addresses {
                match expand(p, vnet, e).prefixes {
                    Some(x) => set = set.union(&x),
                    None => known = false,
                }
            }
            known.then_some(set)
        }
        AddressMatch::IpGroup(Link::Absent(_)) | AddressMatch::Fqdn(_) => None,
    };
    Expanded { entry: a, prefixes }
}

/// `set` within the address families the VNet uses: an IPv4-only VNet's
/// `Internet` tag is listed as IPv4 prefixes, as Network Watcher does.
fn in_families(p: &Prepared, vnet: Option<Idx<VirtualNetwork>>, set: IpSet) -> IpSet {
    let v4 = all_v4();
    let ipv6_used = vnet.is_some_and(|v| !p.vnet_space[v].subtract(&v4).is_empty());
    if ipv6_used {
        set
    } else {
        set.intersect(&v4)
    }
}

fn rules_of<'a>(
    p: &Prepared<'a>,
    nsg: Idx<Nsg>,
    on: Attachment,
    vnet: Option<Idx<VirtualNetwork>>,
) -> Vec<EffectiveRule<'a>> {
    let net: &'a AzureNetwork = p.net;
    net.nsgs[nsg]
        .rules
        .iter()
        .map(|r| EffectiveRule {
            nsg,
            on,
            rule: r,
            sources: r.sources.iter().map(|a| expand(p, vnet, a)).collect(),
            destinations: r.destinations.iter().map(|a| expand(p, vnet, a)).collect(),
        })
        .collect()
}

/// The effective rules of a subnet, or of a NIC (its subnet's NSG and its
/// own), in the order Azure applies them: inbound subnet then NIC,
/// outbound NIC then subnet.
pub fn effective_rules_for<'a>(
    p: &Prepared<'a>,
    subnet: Idx<Subnet>,
    nic: Option<Idx<NetworkInterface>>,
) -> Vec<EffectiveRule<'a>> {
    let net = p.net;
    let vnet = Some(net.subnets[subnet].vnet);
    let of = |l: Option<&Link<Nsg>>, on: Attachment| match l.and_then(Link::found) {
        Some(i) => rules_of(p, i, on, vnet),
        None => Vec::new(),
    };
    let sub = of(net.subnets[subnet].nsg.as_ref(), Attachment::Subnet(subnet));
    let nic_rules = match nic {
        Some(n) => of(net.nics[n].nsg.as_ref(), Attachment::Nic(n)),
        None => Vec::new(),
    };
    let pick =
        |v: &[EffectiveRule<'a>], d: Direction| v.iter().filter(|r| r.rule.direction == d).cloned().collect::<Vec<_>>();
    let mut out = pick(&sub, Direction::Inbound);
    out.extend(pick(&nic_rules, Direction::Inbound));
    out.extend(pick(&nic_rules, Direction::Outbound));
    out.extend(pick(&sub, Direction::Outbound));
    out
}
