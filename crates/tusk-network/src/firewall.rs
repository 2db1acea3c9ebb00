//! Azure Firewall rule processing.
//!
//! From "Azure Firewall rule processing logic" (firewall/rule-processing)
//! and "Azure Firewall Policy rule sets" (firewall/policy-rule-sets):
//! * DNAT rules first, then network rules, then application rules,
//!   "regardless of rule collection group or rule collection priority and
//!   policy inheritance". Rules are terminating: the first match decides.
//! * Within a type, rule collection groups by priority, then collections by
//!   priority; "rule collection groups from the parent policy always take
//!   precedence" over the child's.
//! * A DNAT match translates and allows the traffic ("the traffic is
//!   translated according to the DNAT rule and allowed"); the firewall
//!   also translates the source to one of its private addresses so the
//!   reply comes back through it.
//! * No match: denied by default.
//!
//! SNAT ("Azure Firewall SNAT private IP address ranges",
//! firewall/snat-private-range): "By default, Azure Firewall doesn't SNAT with
//! Network rules when the destination IP address is in a private IP address
//! range per IANA RFC 1918 or shared address space per IANA RFC 6598.
//! Application rules are always SNATed using a transparent proxy." A
//! configured `privateRanges` list replaces the default ranges.
//!
//! A flow in a trace has addresses, not a host name, so an application rule
//! that could match it (its sources and port match) makes the verdict
//! unknown: whether it matches depends on the FQDN the client asks for.

use super::nsg::{addresses, flow_ports};
use super::tri::{ports, Tri};
use super::{Cite, Decision, Flow, Prepared, Verdict};
use std::net::IpAddr;
use tusk_core::{PortSet, Protocol};
use tusk_model::azure::*;

pub struct FirewallOutcome {
    pub decision: Decision,
    /// DNAT: the translated destination (address, port).
    pub dnat: Option<(IpAddr, Option<u16>)>,
    /// Whether the firewall translates the source to its own address.
    pub snat: bool,
    pub snat_reason: String,
}

/// One collection with where it comes from, in processing order.
pub(crate) struct Ordered<'a> {
    pub holder: String,
    pub c: &'a RuleCollection,
}

/// The firewall's collections in processing order, or why they are unknown.
pub(crate) fn ordered<'a>(p: &'a Prepared, fw: &'a AzureFirewall) -> Result<Vec<Ordered<'a>>, Decision> {
    let net = p.net;
    let mut out = Vec::new();
    let Some(link) = &fw.policy else {
        let mut cs: Vec<&RuleCollection> = fw.classic.iter().collect();
        cs.sort_by_key(|c| c.priority);
        let holder = format!("firewall {} classic rules", fw.id.name());
        return Ok(cs.into_iter().map(|c| Ordered { holder: holder.clone(), c }).collect());
    };
    // Parent policies first: walk up the chain, then emit from the root.
    let mut chain = Vec::new();
    let mut cur = link.clone();
    loop {
        match cur {
            Link::Absent(id) => {
                return Err(Decision::new(
                    Verdict::Unknown,
                    format!("firewall policy `{}` is not in the inputs", id.name()),
                    None,
                ))
            }
            Link::Found(i) => {
                if chain.contains(&i) || chain.len() > 16 {
                    return Err(Decision::new(Verdict::Unknown, "firewall policy inheritance loops", None));
                }
                chain.push(i);
                let pol = &net.firewall_policies[i];
                if let Some(m) = pol.missing_groups.first() {
                    return Err(Decision::new(
                        Verdict::Unknown,
                        format!(
                            "rule collection group `{}` of policy `{}` is not in the inputs",
                            m.name(),
                            pol.id.name()
                        ),
                        Some(Cite {
                            holder: format!("firewall policy {}", pol.id.name()),
                            rule: m.name().into(),
                            priority: None,
                            loc: pol.loc.clone(),
                        }),
                    ));
                }
                match &pol.base_policy {
                    Some(b) => cur = b.clone(),
                    None => break,
                }
            }
        }
    }
    for &i in chain.iter().rev() {
        let pol = &net.firewall_policies[i];
        for g in &pol.groups {
            let mut cs: Vec<&RuleCollection> = g.collections.iter().collect();
            cs.sort_by_key(|c| c.priority);
            for c in cs {
                out.push(Ordered {
                    holder: format!("firewall policy {} / group {} ({})", pol.id.name(), g.id.name(), g.priority),
                    c,
                });
            }
        }
    }
    Ok(out)
}

fn proto_match(list: &[FwIpProtocol], f: &Flow) -> Tri {
    Tri::any(list.iter().map(|p| {
        Tri::from_bool(match p {
            FwIpProtocol::Any => true,
            FwIpProtocol::Tcp => f.proto == Protocol::Tcp,
            FwIpProtocol::Udp => f.proto == Protocol::Udp,
            FwIpProtocol::Icmp => f.proto == Protocol::Icmp,
        })
    }))
}

pub(crate) fn network_match(p: &Prepared, r: &FirewallRule, f: &Flow) -> Tri {
    network_match_but_destination(p, r, f).and(addresses(p, None, &r.destinations, f.dst))
}

/// Protocol, port and source of a network or DNAT rule.
pub(crate) fn network_match_but_destination(p: &Prepared, r: &FirewallRule, f: &Flow) -> Tri {
    let dports = if f.proto.has_ports() { flow_ports(&r.destination_ports, f) } else { Tri::Yes };
    proto_match(&r.ip_protocols, f).and(dports).and(addresses(p, None, &r.sources, f.src))
}

/// An application rule can only match TCP on one of its protocol ports, and
/// then only depending on the requested FQDN.
pub(crate) fn application_match(p: &Prepared, r: &FirewallRule, f: &Flow) -> Tri {
    if f.proto != Protocol::Tcp {
        return Tri::No;
    }
    let ports_set = PortSet::from_ranges(r.app_protocols.iter().map(|a| (a.port, a.port)).collect());
    let src = addresses(p, None, &r.sources, f.src);
    match src.and(ports(&ports_set, f.port)) {
        Tri::No => Tri::No,
        _ => Tri::Maybe,
    }
}

fn cite(o: &Ordered, r: &FirewallRule) -> Cite {
    Cite {
        holder: format!("{} / collection {}", o.holder, o.c.name),
        rule: r.name.clone(),
        priority: Some(o.c.priority),
        loc: r.loc.clone(),
    }
}

pub fn evaluate(p: &Prepared, fwi: usize, f: &Flow) -> FirewallOutcome {
    let fw = &p.net.firewalls[fwi];
    let unknown = |d: Decision| FirewallOutcome { decision: d, dnat: None, snat: false, snat_reason: String::new() };
    let colls = match ordered(p, fw) {
        Ok(c) => c,
        Err(d) => return unknown(d),
    };
    // DNAT, then network, then application.
    for o in colls.iter().filter(|o| o.c.kind == CollectionKind::Dnat) {
        for r in &o.c.rules {
            match network_match(p, r, f) {
                Tri::No => {}
                Tri::Maybe => {
                    return unknown(Decision::new(
                        Verdict::Unknown,
                        format!("DNAT rule `{}` may match: its match depends on the port (not given) or on addresses not in the inputs", r.name),
                        Some(cite(o, r)),
                    ))
                }
                Tri::Yes => {
                    let Some(to) = r.translated_address else {
                        return unknown(Decision::new(
                            Verdict::Unknown,
                            format!(
                                "DNAT rule `{}` translates to FQDN {:?}, which tusk cannot resolve",
                                r.name,
                                r.translated_fqdn.as_deref().unwrap_or("?")
                            ),
                            Some(cite(o, r)),
                        ));
                    };
                    return FirewallOutcome {
                        decision: Decision::new(
                            Verdict::Allowed,
                            "DNAT rule matched; translated traffic is allowed",
                            Some(cite(o, r)),
                        ),
                        dnat: Some((to, r.translated_port.or(f.port))),
                        snat: true,
                        snat_reason: "DNAT traffic is also source-translated to the firewall".into(),
                    };
                }
            }
        }
    }
    let mut doubt: Option<Decision> = None;
    for o in colls.iter().filter(|o| o.c.kind == CollectionKind::Network) {
        for r in &o.c.rules {
            match network_match(p, r, f) {
                Tri::No => {}
                Tri::Maybe => {
                    doubt.get_or_insert_with(|| {
                        Decision::new(
                            Verdict::Unknown,
                            format!(
                                "network rule `{}` may match: its match depends on the port (not given) or on FQDNs, IP groups or tags not in the inputs",
                                r.name
                            ),
                            Some(cite(o, r)),
                        )
                    });
                }
                Tri::Yes => {
                    let v = if o.c.action == FirewallAction::Allow { Verdict::Allowed } else { Verdict::Denied };
                    if let Some(d) = doubt {
                        return unknown(d);
                    }
                    let (snat, why) = network_snat(p, fw, f.dst);
                    return FirewallOutcome {
                        decision: Decision::new(
                            v,
                            format!("network rule matched ({:?} collection)", o.c.action),
                            Some(cite(o, r)),
                        ),
                        dnat: None,
                        snat: snat && v == Verdict::Allowed,
                        snat_reason: why,
                    };
                }
            }
        }
    }
    if let Some(d) = doubt {
        return unknown(d);
    }
    for o in colls.iter().filter(|o| o.c.kind == CollectionKind::Application) {
        for r in &o.c.rules {
            if application_match(p, r, f) != Tri::No {
                return unknown(Decision::new(
                    Verdict::Unknown,
                    format!(
                        "application rule `{}` ({:?}) matches this source and port only for FQDNs {:?}; the flow has no FQDN",
                        r.name, o.c.action, r.target_fqdns
                    ),
                    Some(cite(o, r)),
                ));
            }
        }
    }
    unknown(Decision::new(
        Verdict::Denied,
        "no DNAT, network or application rule matched: Azure Firewall denies by default",
        Some(Cite {
            holder: format!("firewall {}", fw.id.name()),
            rule: "default deny".into(),
            priority: None,
            loc: fw.loc.clone(),
        }),
    ))
}

/// RFC 1918 and RFC 6598: where network rules do not SNAT by default.
const IANA_PRIVATE: [(u32, u32); 4] =
    [(0x0a00_0000, 0x0aff_ffff), (0xac10_0000, 0xac1f_ffff), (0xc0a8_0000, 0xc0a8_ffff), (0x6440_0000, 0x647f_ffff)];

fn configured_ranges<'a>(p: &'a Prepared, fw: &'a AzureFirewall) -> Option<&'a PrivateRanges> {
    fw.private_ranges.as_ref().or_else(|| {
        fw.policy.as_ref().and_then(Link::found).and_then(|i| p.net.firewall_policies[i].private_ranges.as_ref())
    })
}

/// Does a network-rule flow to `dst` get SNAT? (No texts: the all-pairs
/// engine asks this millions of times.)
pub fn snat_applies(p: &Prepared, fw: &AzureFirewall, dst: IpAddr) -> bool {
    !is_private(configured_ranges(p, fw), dst)
}

fn is_private(configured: Option<&PrivateRanges>, dst: IpAddr) -> bool {
    match configured {
        Some(PrivateRanges::List(l)) => l.iter().any(|c| super::prepared::cidr_has(c, dst)),
        Some(PrivateRanges::Default) | None => match dst {
            IpAddr::V4(v4) => {
                let x = u32::from(v4);
                IANA_PRIVATE.iter().any(|(lo, hi)| (*lo..=*hi).contains(&x))
            }
            IpAddr::V6(_) => false,
        },
    }
}

/// Does a network-rule flow to `dst` get SNAT, and why?
pub fn network_snat(p: &Prepared, fw: &AzureFirewall, dst: IpAddr) -> (bool, String) {
    let configured = configured_ranges(p, fw);
    let private = is_private(configured, dst);
    let what = match configured {
        Some(PrivateRanges::List(_)) => "the configured privateRanges",
        _ => "IANA private ranges (RFC 1918, RFC 6598)",
    };
    if private {
        (false, format!("no SNAT: {dst} is in {what}"))
    } else {
        (true, format!("SNAT: {dst} is outside {what}"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{net, vnet, SUB};
    use super::*;

    fn estate(extra_policy: &str, rules: &str) -> AzureNetwork {
        net(&[
            vnet("hub", "10.0.0.0/16", &[("AzureFirewallSubnet", "10.0.1.0/26", None, None)], &[]),
            format!(
                r#"{{"name": "fw", "id": "{SUB}/azureFirewalls/fw", "type": "Microsoft.Network/azureFirewalls", "ipConfigurations": [{{"name": "c", "privateIPAddress": "10.0.1.4", "subnet": {{"id": "{SUB}/virtualNetworks/hub/subnets/AzureFirewallSubnet"}}}}], "firewallPolicy": {{"id": "{SUB}/firewallPolicies/pol"}}}}"#
            ),
            format!(
                r#"{{"name": "pol", "id": "{SUB}/firewallPolicies/pol", "type": "Microsoft.Network/firewallPolicies"{extra_policy}}}"#
            ),
            format!(
                r#"{{"name": "g", "id": "{SUB}/firewallPolicies/pol/ruleCollectionGroups/g", "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups", "priority": 100, "ruleCollections": [{rules}]}}"#
            ),
        ])
    }

    fn coll(name: &str, prio: u32, action: &str, rule: &str) -> String {
        format!(
            r#"{{"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "{name}", "priority": {prio}, "action": {{"type": "{action}"}}, "rules": [{rule}]}}"#
        )
    }

    const NET_443: &str = r#"{"ruleType": "NetworkRule", "name": "https", "sourceAddresses": ["10.1.0.0/16"], "destinationAddresses": ["*"], "ipProtocols": ["TCP"], "destinationPorts": ["443"]}"#;
    const APP: &str = r#"{"ruleType": "ApplicationRule", "name": "web", "sourceAddresses": ["*"], "protocols": [{"protocolType": "Https", "port": 443}], "targetFqdns": ["*.contoso.com"]}"#;

    fn flow(dst: &str) -> Flow {
        Flow { src: "10.1.0.4".parse().unwrap(), dst: dst.parse().unwrap(), proto: Protocol::Tcp, port: Some(443) }
    }

    #[test]
    fn network_rules_snat_only_outside_the_private_ranges() {
        let n = estate("", &coll("c", 100, "Allow", NET_443));
        let p = Prepared::new(&n);
        let o = evaluate(&p, 0, &flow("10.2.0.4"));
        assert_eq!((o.decision.verdict, o.snat), (Verdict::Allowed, false));
        let o = evaluate(&p, 0, &flow("93.184.216.34"));
        assert_eq!((o.decision.verdict, o.snat), (Verdict::Allowed, true));
        // A configured list replaces the default ranges.
        let n = estate(r#", "snat": {"privateRanges": ["192.168.0.0/16"]}"#, &coll("c", 100, "Allow", NET_443));
        let p = Prepared::new(&n);
        assert!(evaluate(&p, 0, &flow("10.2.0.4")).snat);
    }

    #[test]
    fn application_rules_need_an_fqdn_and_default_is_deny() {
        let n = estate("", &coll("apps", 100, "Allow", APP));
        let p = Prepared::new(&n);
        assert_eq!(evaluate(&p, 0, &flow("93.184.216.34")).decision.verdict, Verdict::Unknown);
        let f = Flow { port: Some(22), ..flow("93.184.216.34") };
        assert_eq!(evaluate(&p, 0, &f).decision.verdict, Verdict::Denied);
    }

    #[test]
    fn network_rules_go_before_application_rules_whatever_the_priorities() {
        let rules = format!("{},{}", coll("apps", 100, "Allow", APP), coll("net", 200, "Deny", NET_443));
        let n = estate("", &rules);
        let p = Prepared::new(&n);
        let o = evaluate(&p, 0, &flow("93.184.216.34"));
        assert_eq!((o.decision.verdict, o.decision.cite.unwrap().rule), (Verdict::Denied, "https".to_string()));
    }

    #[test]
    fn a_missing_rule_collection_group_makes_the_firewall_unknown() {
        let n = estate(
            &format!(
                r#", "ruleCollectionGroups": [{{"id": "{SUB}/firewallPolicies/pol/ruleCollectionGroups/other"}}]"#
            ),
            &coll("c", 100, "Allow", NET_443),
        );
        let p = Prepared::new(&n);
        assert_eq!(evaluate(&p, 0, &flow("10.2.0.4")).decision.verdict, Verdict::Unknown);
    }
}
