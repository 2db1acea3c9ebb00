//! Azure Firewall (classic rule collections), firewall policies and rule
//! collection groups. Policy collections and rules have no `properties`
//! wrapper; classic collections do and their rules do not (see the
//! fixtures' README). Priorities are 100-65000 ("Azure Firewall rule
//! processing logic", firewall/rule-processing).

use super::cx::{child_name, Cx};
use super::security::address;
use super::shape::prop;
use crate::doc::Node;
use tusk_core::ip::Cidr;
use tusk_core::{LoadError, PortSet};
use tusk_model::azure::*;

pub fn firewall(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<AzureFirewall, LoadError> {
    let (mut private_ips, subnet, public_ips) = super::network::ip_configurations(cx, n)?;
    // A secured-hub (vWAN) firewall has its address under hubIPAddresses.
    if let Some(h) = prop(n, "hubIPAddresses") {
        if let Some(v) = h.get_ci("privateIPAddress") {
            private_ips.extend(cx.ip(v)?);
        }
    }
    let mut classic = Vec::new();
    for (key, kind) in [
        ("natRuleCollections", CollectionKind::Dnat),
        ("networkRuleCollections", CollectionKind::Network),
        ("applicationRuleCollections", CollectionKind::Application),
    ] {
        for c in prop(n, key).and_then(Node::as_seq).unwrap_or_default() {
            classic.push(collection(cx, c, kind)?);
        }
    }
    // Classic firewalls keep SNAT private ranges in additionalProperties.
    let private_ranges = match prop(n, "additionalProperties").and_then(|a| a.get_ci("Network.SNAT.PrivateRanges")) {
        Some(v) => {
            let items: Vec<(&str, &Node)> =
                v.as_str().map(|s| s.split(',').map(|p| (p.trim(), v)).collect()).unwrap_or_default();
            Some(private_ranges(cx, &items)?)
        }
        None => None,
    };
    Ok(AzureFirewall {
        loc: cx.loc(n),
        private_ips,
        subnet,
        public_ips,
        classic,
        policy: cx.link(n, "firewallPolicy"),
        private_ranges,
        id,
    })
}

fn private_ranges(cx: &mut Cx, items: &[(&str, &Node)]) -> Result<PrivateRanges, LoadError> {
    let mut out = Vec::new();
    for (s, v) in items {
        if s.eq_ignore_ascii_case("IANAPrivateRanges") {
            for p in ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] {
                out.push(Cidr::parse(p).expect("static CIDR"));
            }
        } else if !s.is_empty() {
            out.push(cx.cidr(v, s)?);
        }
    }
    Ok(PrivateRanges::List(out))
}

pub fn policy(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<(FirewallPolicy, Vec<ResourceId>), LoadError> {
    let group_refs: Vec<ResourceId> = prop(n, "ruleCollectionGroups")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|g| g.get_ci("id").and_then(Node::as_str).map(ResourceId::new))
        .collect();
    let private_ranges = match prop(n, "snat") {
        Some(s) => {
            let items = cx.strings(s, "privateRanges");
            if items.is_empty() {
                None
            } else {
                Some(private_ranges(cx, &items)?)
            }
        }
        None => None,
    };
    let p = FirewallPolicy {
        loc: cx.loc(n),
        base_policy: cx.link(n, "basePolicy"),
        groups: Vec::new(),
        missing_groups: Vec::new(),
        private_ranges,
        custom_dns: prop(n, "dnsSettings")
            .and_then(|d| d.get_ci("servers"))
            .and_then(Node::as_seq)
            .is_some_and(|s| !s.is_empty()),
        id,
    };
    Ok((p, group_refs))
}

pub fn rule_collection_group(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<RuleCollectionGroup, LoadError> {
    let priority = cx.priority(n, "priority", 100, 65000)?;
    let mut collections = Vec::new();
    for c in prop(n, "ruleCollections").and_then(Node::as_seq).unwrap_or_default() {
        let kind = match c.get_ci("ruleCollectionType").and_then(Node::as_str) {
            Some(t) if t.eq_ignore_ascii_case("FirewallPolicyNatRuleCollection") => CollectionKind::Dnat,
            Some(t) if t.eq_ignore_ascii_case("FirewallPolicyFilterRuleCollection") => {
                // A filter collection holds network or application rules;
                // its kind is its rules' kind.
                let app = c
                    .get_ci("rules")
                    .and_then(Node::as_seq)
                    .and_then(|r| r.first())
                    .and_then(|r| r.get_ci("ruleType"))
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("ApplicationRule"));
                if app {
                    CollectionKind::Application
                } else {
                    CollectionKind::Network
                }
            }
            _ => return Err(cx.err(c, "unknown `ruleCollectionType`")),
        };
        collections.push(collection(cx, c, kind)?);
    }
    Ok(RuleCollectionGroup { loc: cx.loc(n), priority, collections, id })
}

fn collection(cx: &mut Cx, c: &Node, kind: CollectionKind) -> Result<RuleCollection, LoadError> {
    let name = child_name(c);
    let priority = cx.priority(c, "priority", 100, 65000)?;
    let action = match prop(c, "action").and_then(|a| a.get_ci("type")).and_then(Node::as_str) {
        Some(a) if a.eq_ignore_ascii_case("allow") => FirewallAction::Allow,
        Some(a) if a.eq_ignore_ascii_case("deny") => FirewallAction::Deny,
        Some(a) if a.eq_ignore_ascii_case("dnat") => FirewallAction::Dnat,
        _ => return Err(cx.err(c, format!("rule collection `{name}` has no action Allow, Deny or Dnat"))),
    };
    let mut rules = Vec::new();
    for r in prop(c, "rules").and_then(Node::as_seq).unwrap_or_default() {
        rules.push(rule(cx, r, kind)?);
    }
    Ok(RuleCollection { name, loc: cx.loc(c), priority, kind, action, rules })
}

/// A rule's reference to an IP group, by id (resolved with the others).
fn ip_group_ref(cx: &mut Cx, v: &Node, s: &str, field: &str) -> AddressMatch {
    match cx.link_node::<IpGroup>(v, field) {
        Some(l) => AddressMatch::IpGroup(l),
        None => AddressMatch::Unknown(format!("IP group {s}")),
    }
}

/// An IP group: `ipAddresses` holds addresses, CIDR prefixes and ranges
/// ("IP Groups in Azure Firewall", firewall/ip-groups).
pub fn ip_group(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<IpGroup, LoadError> {
    let mut addresses = Vec::new();
    for (s, v) in cx.strings(n, "ipAddresses") {
        match address(cx, v, s)? {
            a @ (AddressMatch::Prefix(_) | AddressMatch::Range(..) | AddressMatch::Unknown(_)) => addresses.push(a),
            _ => {
                return Err(
                    cx.err(v, format!("`{s}` is not an IP address, CIDR prefix or range, which an IP group holds"))
                )
            }
        }
    }
    Ok(IpGroup { loc: cx.loc(n), addresses, id })
}

fn rule(cx: &mut Cx, r: &Node, kind: CollectionKind) -> Result<FirewallRule, LoadError> {
    let mut sources = Vec::new();
    for (s, v) in cx.strings(r, "sourceAddresses") {
        sources.push(address(cx, v, s)?);
    }
    for (s, v) in cx.strings(r, "sourceIpGroups") {
        sources.push(ip_group_ref(cx, v, s, "sourceIpGroups"));
    }
    let mut destinations = Vec::new();
    for (s, v) in cx.strings(r, "destinationAddresses") {
        destinations.push(address(cx, v, s)?);
    }
    for (s, v) in cx.strings(r, "destinationIpGroups") {
        destinations.push(ip_group_ref(cx, v, s, "destinationIpGroups"));
    }
    for (s, _) in cx.strings(r, "destinationFqdns") {
        destinations.push(AddressMatch::Fqdn(s.to_string()));
    }
    let mut ip_protocols = Vec::new();
    for key in ["ipProtocols", "protocols"] {
        for (s, v) in cx.strings(r, key) {
            ip_protocols.push(match s.to_ascii_lowercase().as_str() {
                "any" | "*" => FwIpProtocol::Any,
                "tcp" => FwIpProtocol::Tcp,
                "udp" => FwIpProtocol::Udp,
                "icmp" => FwIpProtocol::Icmp,
                _ => return Err(cx.err(v, format!("unknown protocol `{s}`"))),
            });
        }
    }
    let mut destination_ports = PortSet::empty();
    for (s, v) in cx.strings(r, "destinationPorts") {
        destination_ports = destination_ports.union(&cx.ports(v, s)?);
    }
    let mut list = |key: &str| -> Vec<String> { cx.strings(r, key).into_iter().map(|(s, _)| s.to_string()).collect() };
    let (target_fqdns, fqdn_tags) = (list("targetFqdns"), list("fqdnTags"));
    let (web_categories, target_urls) = (list("webCategories"), list("targetUrls"));
    let mut app_protocols = Vec::new();
    if kind == CollectionKind::Application {
        for p in prop(r, "protocols").and_then(Node::as_seq).unwrap_or_default() {
            let k = p.get_ci("protocolType").and_then(Node::as_str).unwrap_or("?").to_string();
            let port = p.get_ci("port").and_then(Node::as_i64).unwrap_or(0);
            app_protocols.push(AppProtocol { kind: k, port: port.clamp(0, 65535) as u16 });
        }
        ip_protocols.clear();
    }
    let translated_address = match prop(r, "translatedAddress") {
        Some(v) => cx.ip(v)?,
        None => None,
    };
    let translated_port = match prop(r, "translatedPort") {
        Some(v) => Some(
            v.as_i64()
                .filter(|p| (1..=65535).contains(p))
                .ok_or_else(|| cx.err(v, "`translatedPort` must be a port 1-65535"))? as u16,
        ),
        None => None,
    };
    Ok(FirewallRule {
        name: child_name(r),
        loc: cx.loc(r),
        sources,
        destinations,
        ip_protocols,
        destination_ports,
        target_fqdns,
        fqdn_tags,
        web_categories,
        target_urls,
        app_protocols,
        translated_address,
        translated_fqdn: cx.str(r, "translatedFqdn").map(str::to_string),
        translated_port,
    })
}
