//! Network security groups (custom and default rules), application security
//! groups and AVNM security admin rules.
//!
//! Validation follows "Network security groups" (learn.microsoft.com,
//! virtual-network/network-security-groups-overview): a custom rule's
//! priority is 100-4096 and unique within one direction of one NSG. An NSG
//! exported without `defaultSecurityRules` (ARM templates, hand-written
//! bodies) still has the six default rules, so tusk adds them.

use super::cx::{child_name, Cx};
use super::shape::{is_expression, prop};
use crate::doc::Node;
use std::collections::HashMap;
use tusk_core::{LoadError, Loc, PortSet};
use tusk_model::azure::{
    Access, AddressMatch, AdminAction, AdminRule, Direction, Nsg, ResourceId, RuleProtocol, SecurityRule, ServiceTag,
};

pub fn nsg(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<Nsg, LoadError> {
    let mut rules = Vec::new();
    let mut seen: HashMap<(bool, u32), (String, Loc)> = HashMap::new();
    for r in prop(n, "securityRules").and_then(Node::as_seq).unwrap_or_default() {
        let rule = security_rule(cx, r, false)?;
        let key = (rule.direction == Direction::Inbound, rule.priority);
        if let Some((other, at)) = seen.get(&key) {
            return Err(cx.err(
                prop(r, "priority").unwrap_or(r),
                format!(
                    "rule `{}` has priority {} like rule `{other}` ({at}) in the same direction; Azure requires unique priorities",
                    rule.name, rule.priority
                ),
            ));
        }
        seen.insert(key, (rule.name.clone(), rule.loc.clone()));
        rules.push(rule);
    }
    let defaults = prop(n, "defaultSecurityRules").and_then(Node::as_seq).unwrap_or_default();
    if defaults.is_empty() {
        rules.extend(default_rules());
    } else {
        for r in defaults {
            rules.push(security_rule(cx, r, true)?);
        }
    }
    rules.sort_by_key(|r| (r.direction == Direction::Outbound, r.priority));
    Ok(Nsg { id, loc: cx.loc(n), rules })
}

pub(super) fn security_rule(cx: &mut Cx, r: &Node, is_default: bool) -> Result<SecurityRule, LoadError> {
    let name = child_name(r);
    let (lo, hi) = if is_default { (100, 65500) } else { (100, 4096) };
    let priority = cx.priority(r, "priority", lo, hi)?;
    let direction = direction(cx, r)?;
    let access = match cx.str(r, "access").map(str::to_ascii_lowercase).as_deref() {
        Some("allow") => Access::Allow,
        Some("deny") => Access::Deny,
        _ => return Err(cx.err(prop(r, "access").unwrap_or(r), "`access` must be Allow or Deny")),
    };
    let protocol = protocol(cx, r)?;
    let sources = addresses(cx, r, "sourceAddressPrefix", "sourceAddressPrefixes", "sourceApplicationSecurityGroups")?;
    let destinations = addresses(
        cx,
        r,
        "destinationAddressPrefix",
        "destinationAddressPrefixes",
        "destinationApplicationSecurityGroups",
    )?;
    let (source_ports, src_unknown) = cx.port_fields(r, "sourcePortRange", "sourcePortRanges")?;
    let (destination_ports, dst_unknown) = cx.port_fields(r, "destinationPortRange", "destinationPortRanges")?;
    Ok(SecurityRule {
        ports_unknown: src_unknown || dst_unknown,
        name,
        loc: cx.loc(r),
        priority,
        direction,
        access,
        protocol,
        sources,
        destinations,
        source_ports,
        destination_ports,
        is_default,
    })
}

fn direction(cx: &mut Cx, r: &Node) -> Result<Direction, LoadError> {
    match cx.str(r, "direction").map(str::to_ascii_lowercase).as_deref() {
        Some("inbound") => Ok(Direction::Inbound),
        Some("outbound") => Ok(Direction::Outbound),
        _ => Err(cx.err(prop(r, "direction").unwrap_or(r), "`direction` must be Inbound or Outbound")),
    }
}

fn protocol(cx: &mut Cx, r: &Node) -> Result<RuleProtocol, LoadError> {
    match cx.str(r, "protocol") {
        None => Ok(RuleProtocol::Any),
        Some(p) => RuleProtocol::parse(p).ok_or_else(|| {
            cx.err(prop(r, "protocol").unwrap_or(r), format!("unknown protocol `{p}` (Tcp, Udp, Icmp, Esp, Ah, *)"))
        }),
    }
}

/// One address entry: `*`, a CIDR or address, or a service tag.
pub fn address(cx: &mut Cx, v: &Node, s: &str) -> Result<AddressMatch, LoadError> {
    let s = s.trim();
    if s == "*" || s.eq_ignore_ascii_case("any") {
        return Ok(AddressMatch::Any);
    }
    if is_expression(s) {
        cx.warn(v, format!("ARM expression `{s}` is not evaluated; the address is unknown"));
        return Ok(AddressMatch::Unknown(s.to_string()));
    }
    if s.contains('/') || s.parse::<std::net::IpAddr>().is_ok() {
        return cx.cidr(v, s).map(AddressMatch::Prefix);
    }
    if let Some((a, b)) = s.split_once('-') {
        if let (Ok(a), Ok(b)) = (a.trim().parse(), b.trim().parse()) {
            return Ok(AddressMatch::Range(tusk_core::ip::ip_to_u128(a), tusk_core::ip::ip_to_u128(b)));
        }
    }
    if !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()) {
        // Azure accepts a bare number as an address prefix (a real azure-cli
        // recording holds `789`) but documents no meaning for it: the rule
        // loads, and whether it matches an address is unknown.
        cx.warn(
            v,
            format!("address prefix `{s}` is a bare number, which Azure accepts without documenting its meaning; whether the rule matches is unknown"),
        );
        return Ok(AddressMatch::Unknown(s.to_string()));
    }
    if s.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return Err(cx.err(v, format!("`{s}` is not an IP address, CIDR or range")));
    }
    Ok(AddressMatch::Tag(ServiceTag::parse(s)))
}

fn addresses(cx: &mut Cx, r: &Node, one: &str, many: &str, asgs: &str) -> Result<Vec<AddressMatch>, LoadError> {
    let mut out = Vec::new();
    let mut prefix_key = None;
    for key in [one, many] {
        for (s, v) in cx.strings(r, key) {
            prefix_key.get_or_insert(key);
            out.push(address(cx, v, s)?);
        }
    }
    let groups = cx.links(r, asgs);
    if let (Some(key), Some(a)) = (prefix_key, prop(r, asgs).filter(|_| !groups.is_empty())) {
        // Azure rejects a rule that names both address prefixes and
        // application security groups on one side ("Network security
        // groups", security rules: a side holds prefixes, service tags or
        // ASGs); reading them as a union would invent a meaning.
        return Err(cx.err(
            a,
            format!(
                "rule `{}` sets both `{key}` and `{asgs}`; Azure accepts address prefixes or application security groups on one side, not both",
                child_name(r)
            ),
        ));
    }
    for l in groups {
        out.push(AddressMatch::Asg(l));
    }
    if out.is_empty() {
        return Err(cx.err(r, format!("rule `{}` has no `{one}`", child_name(r))));
    }
    Ok(out)
}

/// The six rules Azure adds to every NSG (same doc, "Default security rules").
pub fn default_rules() -> Vec<SecurityRule> {
    use AddressMatch::{Any, Tag};
    let vnet = || Tag(ServiceTag::VirtualNetwork);
    let mk = |name: &str, priority, direction, access, src, dst| SecurityRule {
        name: name.to_string(),
        loc: Loc::builtin("nsg-default-rules"),
        priority,
        direction,
        access,
        protocol: RuleProtocol::Any,
        sources: vec![src],
        destinations: vec![dst],
        source_ports: PortSet::all_ports(),
        destination_ports: PortSet::all_ports(),
        ports_unknown: false,
        is_default: true,
    };
    vec![
        mk("AllowVnetInBound", 65000, Direction::Inbound, Access::Allow, vnet(), vnet()),
        mk(
            "AllowAzureLoadBalancerInBound",
            65001,
            Direction::Inbound,
            Access::Allow,
            Tag(ServiceTag::AzureLoadBalancer),
            Any,
        ),
        mk("DenyAllInBound", 65500, Direction::Inbound, Access::Deny, Any, Any),
        mk("AllowVnetOutBound", 65000, Direction::Outbound, Access::Allow, vnet(), vnet()),
        mk("AllowInternetOutBound", 65001, Direction::Outbound, Access::Allow, Any, Tag(ServiceTag::Internet)),
        mk("DenyAllOutBound", 65500, Direction::Outbound, Access::Deny, Any, Any),
    ]
}

/// An AVNM security admin rule (`kind: Custom`). Priorities are 1-4096
/// ("Security admin rules", virtual-network-manager/concept-security-admins).
pub fn admin_rule(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<AdminRule, LoadError> {
    let priority = cx.priority(n, "priority", 1, 4096)?;
    let direction = direction(cx, n)?;
    let action = match cx.str(n, "access").map(str::to_ascii_lowercase).as_deref() {
        Some("allow") => AdminAction::Allow,
        Some("deny") => AdminAction::Deny,
        Some("alwaysallow") => AdminAction::AlwaysAllow,
        _ => return Err(cx.err(prop(n, "access").unwrap_or(n), "`access` must be Allow, Deny or AlwaysAllow")),
    };
    let protocol = protocol(cx, n)?;
    let sources = admin_addresses(cx, n, "sources")?;
    let destinations = admin_addresses(cx, n, "destinations")?;
    let (source_ports, src_unknown) = cx.port_fields(n, "sourcePortRange", "sourcePortRanges")?;
    let (destination_ports, dst_unknown) = cx.port_fields(n, "destinationPortRange", "destinationPortRanges")?;
    Ok(AdminRule {
        ports_unknown: src_unknown || dst_unknown,
        id,
        loc: cx.loc(n),
        priority,
        direction,
        action,
        protocol,
        sources,
        destinations,
        source_ports,
        destination_ports,
    })
}

fn admin_addresses(cx: &mut Cx, n: &Node, key: &str) -> Result<Vec<AddressMatch>, LoadError> {
    let mut out = Vec::new();
    for item in prop(n, key).and_then(Node::as_seq).unwrap_or_default() {
        if let Some(p) = item.get_ci("addressPrefix") {
            if let Some(s) = p.as_str() {
                out.push(address(cx, p, s)?);
            }
        }
    }
    if out.is_empty() {
        out.push(AddressMatch::Any);
    }
    Ok(out)
}
