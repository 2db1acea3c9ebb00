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
//! A flow without a name (`tusk trace` without `--fqdn`) has addresses
//! only, so an application rule that could match it (its sources and port
//! match) leaves the verdict unknown, naming the rule: whether it matches
//! depends on the FQDN the client asks for. With a name, application rules
//! and network rules on FQDNs decide as [`super::fqdn`] describes. Rules of
//! one type are terminating in order, so a rule whose match is unknown
//! matters only when a later decision differs from its action.

mod prefilter;

pub use prefilter::{prefilter, Candidate, Doubt, FirstMatch, Prefilter};

use super::decision::{CollectionRef, Nat, SnatWhy};
use super::nsg::{addresses, flow_ports};
use super::{Cite, Decision, Flow, Kind, Prepared, Reason};
use std::net::IpAddr;
use tusk_core::tri::{ports, Tri};
use tusk_core::{PortSet, Protocol};
use tusk_model::azure::*;

/// What an Azure Firewall did with a flow.
pub struct FirewallOutcome {
    /// Its decision: the deciding rule, or its default deny.
    pub decision: Decision,
    /// DNAT: the translated destination (address, port).
    pub dnat: Option<(IpAddr, Option<u16>)>,
    /// Set when the firewall translates the source to its own address.
    pub snat: Option<SnatWhy>,
    /// Set when a network rule keeps the source (private destination).
    pub keeps_source: Option<Nat>,
}

/// One collection with where it comes from, in processing order.
pub(crate) struct Ordered<'a> {
    pub at: CollectionRef,
    pub c: &'a RuleCollection,
}

/// The firewall's collections in processing order, or why they are unknown.
pub(crate) fn ordered<'a>(p: &'a Prepared, fwi: Idx<AzureFirewall>) -> Result<Vec<Ordered<'a>>, Box<Decision>> {
    let net = p.net;
    let fw = &net.firewalls[fwi];
    let mut out = Vec::new();
    let Some(link) = &fw.policy else {
        let mut cs: Vec<(usize, &RuleCollection)> = fw.classic.iter().enumerate().collect();
        cs.sort_by_key(|(_, c)| c.priority);
        return Ok(cs
            .into_iter()
            .map(|(collection, c)| Ordered { at: CollectionRef::Classic { fw: fwi, collection }, c })
            .collect());
    };
    // Parent policies first: walk up the chain, then emit from the root.
    let mut chain = Vec::new();
    let mut cur = link.clone();
    loop {
        match cur {
            Link::Absent(id) => return Err(Box::new(Decision::new(Kind::Unknown, Reason::PolicyMissing { id }, None))),
            Link::Found(i) => {
                if chain.contains(&i) || chain.len() > 16 {
                    return Err(Box::new(Decision::new(Kind::Unknown, Reason::PolicyLoop, None)));
                }
                chain.push(i);
                let pol = &net.firewall_policies[i];
                if let Some(m) = pol.missing_groups.first() {
                    return Err(Box::new(Decision::new(
                        Kind::Unknown,
                        Reason::PolicyGroupMissing,
                        Some(Cite::PolicyGroupMissing { policy: i, group: m.clone() }),
                    )));
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
        for (gi, g) in pol.groups.iter().enumerate() {
            let mut cs: Vec<(usize, &RuleCollection)> = g.collections.iter().enumerate().collect();
            cs.sort_by_key(|(_, c)| c.priority);
            for (collection, c) in cs {
                out.push(Ordered { at: CollectionRef::Policy { policy: i, group: gi, collection }, c });
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

/// The VNet whose private DNS zones firewall `fwi`'s DNS proxy resolves
/// through: its own, when its policy (or a base policy) names no custom DNS
/// servers ("Azure Firewall DNS settings", firewall/dns-settings). A
/// classic firewall's DNS settings are not read: `None`.
pub fn dns_vnet(p: &Prepared, fwi: Idx<AzureFirewall>) -> Option<Idx<VirtualNetwork>> {
    let net = p.net;
    let fw = &net.firewalls[fwi];
    let mut cur = fw.policy.as_ref()?.found()?;
    for _ in 0..16 {
        let pol = &net.firewall_policies[cur];
        if pol.custom_dns {
            return None;
        }
        match pol.base_policy.as_ref() {
            Some(b) => cur = b.found()?,
            None => {
                let s = fw.subnet.as_ref()?.found()?;
                return Some(net.subnets[s].vnet);
            }
        }
    }
    None
}

/// Protocol, port and source of a network or DNAT rule.
fn network_match_but_destination(p: &Prepared, r: &FirewallRule, f: &Flow) -> Tri {
    let dports = if f.proto.has_ports() { flow_ports(&r.destination_ports, f) } else { Tri::Yes };
    proto_match(&r.ip_protocols, f).and(dports).and(addresses(p, None, &r.sources, f.src))
}

/// Whether an application rule's sources and protocol ports hold the flow,
/// the name aside.
fn application_source_and_port(p: &Prepared, r: &FirewallRule, f: &Flow) -> Tri {
    if f.proto != Protocol::Tcp {
        return Tri::No;
    }
    let ports_set = PortSet::from_ranges(r.app_protocols.iter().map(|a| (a.port, a.port)).collect());
    addresses(p, None, &r.sources, f.src).and(ports(&ports_set, f.port))
}

/// Why a network or DNAT rule may match (see [`super::nsg::uncertainties`]).
fn may_match(p: &Prepared, r: &FirewallRule, f: &Flow) -> Reason {
    let dports = if f.proto.has_ports() { flow_ports(&r.destination_ports, f) } else { Tri::Yes };
    let why = super::nsg::uncertainties(p, None, &r.sources, &r.destinations, dports, f);
    Reason::MayMatch { doubtful: r.name.clone(), priority: None, decided: None, why }
}

/// Azure Firewall on flow `f`: DNAT rules, then network rules, then
/// application rules, each by collection group and collection priority
/// (Azure Firewall docs, "rule processing logic").
pub fn evaluate(p: &Prepared, fwi: Idx<AzureFirewall>, f: &Flow) -> FirewallOutcome {
    evaluate_named(p, fwi, f, None)
}

/// The firewall's decision on `f`, whose client asks for `name` (TLS SNI
/// or HTTP Host) when given: [`prefilter()`] and [`Prefilter::first_match`]
/// decide, this builds the decision with its reason and citation.
pub fn evaluate_named(p: &Prepared, fwi: Idx<AzureFirewall>, f: &Flow, name: Option<&str>) -> FirewallOutcome {
    let fw = &p.net.firewalls[fwi];
    let unknown = |d: Decision| FirewallOutcome { decision: d, dnat: None, snat: None, keeps_source: None };
    let pre = match prefilter(p, fwi, f.src, f.proto, f.port) {
        Ok(x) => x,
        Err(d) => return unknown(*d),
    };
    let m = pre.first_match(p, f, name);
    let Some(i) = m.rule() else {
        return unknown(Decision::new(Kind::Denied, Reason::FirewallDefaultDeny, Some(Cite::FirewallDefault(fwi))));
    };
    let c = &pre.rules[i];
    let (r, action) = (c.rule, c.action);
    let cite = Some(Cite::FirewallRule { at: c.at, rule: c.index });
    match m {
        FirstMatch::Dnat(_) => {
            let to = r.translated_address.expect("a DNAT match translates to an address");
            FirewallOutcome {
                decision: Decision::new(Kind::Allowed, Reason::DnatMatched, cite),
                dnat: Some((to, r.translated_port.or(f.port))),
                snat: Some(SnatWhy::Dnat),
                keeps_source: None,
            }
        }
        FirstMatch::DnatFqdn(_) => {
            let reason = Reason::DnatFqdn { rule: r.name.clone(), fqdn: r.translated_fqdn.clone() };
            unknown(Decision::new(Kind::Unknown, reason, cite))
        }
        FirstMatch::Network(_) => {
            let v = if action == FirewallAction::Allow { Kind::Allowed } else { Kind::Denied };
            let (snat, configured) = network_snat(p, fw, f.dst);
            FirewallOutcome {
                decision: Decision::new(v, Reason::NetworkRuleMatched { action }, cite),
                dnat: None,
                snat: (snat && v == Kind::Allowed).then_some(SnatWhy::PublicDestination { dst: f.dst, configured }),
                keeps_source: (!snat).then_some(Nat::NoSnat { dst: f.dst, configured }),
            }
        }
        FirstMatch::Application(_) => {
            let allowed = action == FirewallAction::Allow;
            let reason = Reason::ApplicationRuleMatched { action, name: name.unwrap_or_default().to_string() };
            FirewallOutcome {
                decision: Decision::new(if allowed { Kind::Allowed } else { Kind::Denied }, reason, cite),
                dnat: None,
                // "Application rules are always SNATed using a
                // transparent proxy" (firewall/snat-private-range).
                snat: allowed.then_some(SnatWhy::ApplicationRule),
                keeps_source: None,
            }
        }
        FirstMatch::Doubt(_, doubt) => {
            let reason = match doubt {
                Doubt::MayMatch => may_match(p, r, f),
                Doubt::NeedsName => {
                    Reason::ApplicationRule { rule: r.name.clone(), action, fqdns: r.target_fqdns.clone() }
                }
                Doubt::Name(doubt) => Reason::ApplicationRuleName {
                    rule: r.name.clone(),
                    action,
                    name: name.unwrap_or_default().to_string(),
                    doubt,
                },
            };
            unknown(Decision::new(Kind::Unknown, reason, cite))
        }
        FirstMatch::DefaultDeny => unreachable!("handled above"),
    }
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

/// Does a network-rule flow to `dst` get SNAT, and are the private ranges
/// the configured `privateRanges` (else IANA's)?
pub fn network_snat(p: &Prepared, fw: &AzureFirewall, dst: IpAddr) -> (bool, bool) {
    let configured = configured_ranges(p, fw);
    (!is_private(configured, dst), matches!(configured, Some(PrivateRanges::List(_))))
}

#[cfg(test)]
mod tests {
    use super::super::decision::Uncertainty;
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
        let p = crate::testutil::prep(&n);
        let o = evaluate(&p, Idx::new(0), &flow("10.2.0.4"));
        assert_eq!((o.decision.verdict, o.snat.is_some()), (Kind::Allowed, false));
        let o = evaluate(&p, Idx::new(0), &flow("93.184.216.34"));
        assert_eq!((o.decision.verdict, o.snat.is_some()), (Kind::Allowed, true));
        // A configured list replaces the default ranges.
        let n = estate(r#", "snat": {"privateRanges": ["192.168.0.0/16"]}"#, &coll("c", 100, "Allow", NET_443));
        let p = crate::testutil::prep(&n);
        assert!(evaluate(&p, Idx::new(0), &flow("10.2.0.4")).snat.is_some());
    }

    #[test]
    fn application_rules_need_an_fqdn_and_default_is_deny() {
        let n = estate("", &coll("apps", 100, "Allow", APP));
        let p = crate::testutil::prep(&n);
        assert_eq!(evaluate(&p, Idx::new(0), &flow("93.184.216.34")).decision.verdict, Kind::Unknown);
        let f = Flow { port: Some(22), ..flow("93.184.216.34") };
        assert_eq!(evaluate(&p, Idx::new(0), &f).decision.verdict, Kind::Denied);
    }

    #[test]
    fn network_rules_go_before_application_rules_whatever_the_priorities() {
        let rules = format!("{},{}", coll("apps", 100, "Allow", APP), coll("net", 200, "Deny", NET_443));
        let n = estate("", &rules);
        let p = crate::testutil::prep(&n);
        let o = evaluate(&p, Idx::new(0), &flow("93.184.216.34"));
        let rule = crate::testutil::cited(&n, &o.decision.cite);
        assert_eq!((o.decision.verdict, rule.as_str()), (Kind::Denied, "https"));
    }

    #[test]
    fn the_prefilter_keeps_what_may_match_and_the_first_match_is_typed() {
        const DENY_APP: &str = r#"{"ruleType": "ApplicationRule", "name": "blocked", "sourceAddresses": ["*"], "protocols": [{"protocolType": "Https", "port": 443}], "targetFqdns": ["*.blocked.example"]}"#;
        let rules = format!("{},{}", coll("deny-apps", 100, "Deny", DENY_APP), coll("apps", 200, "Allow", APP));
        let n = estate("", &rules);
        let p = crate::testutil::prep(&n);
        let f = flow("93.184.216.34");
        let pre = prefilter(&p, Idx::new(0), f.src, f.proto, f.port).unwrap();
        assert_eq!(pre.rules.len(), 2);
        // Without a name the Deny rule cannot change the outcome; the Allow
        // rule after it leaves it unknown.
        assert_eq!(pre.first_match(&p, &f, None), FirstMatch::Doubt(1, Doubt::NeedsName));
        assert_eq!(pre.first_match(&p, &f, Some("www.contoso.com")), FirstMatch::Application(1));
        assert_eq!(pre.first_match(&p, &f, Some("a.blocked.example")), FirstMatch::Application(0));
        assert_eq!(pre.first_match(&p, &f, Some("example.org")), FirstMatch::DefaultDeny);
        // Deny rules alone: the default deny holds without a name.
        let n = estate("", &coll("deny-apps", 100, "Deny", DENY_APP));
        let p = crate::testutil::prep(&n);
        let pre = prefilter(&p, Idx::new(0), f.src, f.proto, f.port).unwrap();
        assert_eq!(pre.first_match(&p, &f, None), FirstMatch::DefaultDeny);
        // A network rule whose source does not hold the flow is left out.
        let n = estate("", &coll("c", 100, "Allow", NET_443));
        let p = crate::testutil::prep(&n);
        let other = Flow { src: "10.2.0.4".parse().unwrap(), ..f };
        assert!(prefilter(&p, Idx::new(0), other.src, other.proto, other.port).unwrap().rules.is_empty());
        let pre = prefilter(&p, Idx::new(0), f.src, f.proto, f.port).unwrap();
        assert_eq!(pre.first_match(&p, &f, None), FirstMatch::Network(0));
    }

    #[test]
    fn a_doubtful_rule_names_what_is_in_doubt_and_not_a_given_port() {
        let ipg = r#"{"ruleType": "NetworkRule", "name": "from-group", "sourceIpGroups": ["/x/ipGroups/g"], "destinationAddresses": ["*"], "ipProtocols": ["TCP"], "destinationPorts": ["443"]}"#;
        let n = estate("", &coll("c", 100, "Allow", ipg));
        let p = crate::testutil::prep(&n);
        let d = evaluate(&p, Idx::new(0), &flow("10.2.0.4")).decision;
        assert_eq!(d.verdict, Kind::Unknown);
        // The IP group is in doubt, and the port, which is given, is not.
        let Reason::MayMatch { why, .. } = &d.reason else { panic!("{:?}", d.reason) };
        assert!(matches!(why.as_slice(), [Uncertainty::Address { source: true, .. }]), "{why:?}");
        let d = evaluate(&p, Idx::new(0), &Flow { port: None, ..flow("10.2.0.4") }).decision;
        let Reason::MayMatch { why, .. } = &d.reason else { panic!("{:?}", d.reason) };
        assert!(why.contains(&Uncertainty::PortNotGiven), "{why:?}");
    }

    #[test]
    fn a_missing_rule_collection_group_makes_the_firewall_unknown() {
        let n = estate(
            &format!(
                r#", "ruleCollectionGroups": [{{"id": "{SUB}/firewallPolicies/pol/ruleCollectionGroups/other"}}]"#
            ),
            &coll("c", 100, "Allow", NET_443),
        );
        let p = crate::testutil::prep(&n);
        assert_eq!(evaluate(&p, Idx::new(0), &flow("10.2.0.4")).decision.verdict, Kind::Unknown);
    }
}
