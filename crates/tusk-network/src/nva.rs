//! A generic network virtual appliance: a NIC with IP forwarding whose rule
//! list comes from `tusk.yaml` (NVA configurations are vendor-specific, so
//! no export carries them).
//!
//! The rules are read the way most appliances read theirs: in order, the
//! first rule whose source, destination, protocol and destination port all
//! match decides; no match denies. A rule with ports matches only the
//! protocols that have ports. When the flow's port is not given and a
//! rule's ports would decide, the verdict is unknown unless every such
//! rule would have decided the same way (`tusk_core::tri::first_match`, as
//! for NSGs and Azure Firewall).
//!
//! This file decides one packet at one NVA; the walk (`walk`)
//! applies state (replies) and address translation.

use super::decision::Uncertainty;
use super::{Cite, Decision, Flow, Kind, Reason};
use tusk_core::ip::all_ips;
use tusk_core::tri::{first_match, ports, FirstMatch, Tri};
use tusk_model::azure::{Idx, NetworkInterface};
use tusk_model::config::{NvaAction, NvaConfig, NvaRule};

/// Does `r` match the packet `f`?
fn rule_matches(r: &NvaRule, f: &Flow) -> Tri {
    let proto = Tri::from_bool(match r.protocol {
        None => true,
        Some(p) => p == f.proto,
    });
    let port = match &r.ports {
        None => Tri::Yes,
        Some(_) if !f.proto.has_ports() => Tri::No,
        Some(set) => ports(set, f.port),
    };
    proto
        .and(port)
        .and(Tri::from_bool(r.sources.contains_ip(f.src)))
        .and(Tri::from_bool(r.destinations.contains_ip(f.dst)))
}

/// The decision of NIC `nic`'s NVA, configured by `c`, on `f`.
pub fn evaluate(c: &NvaConfig, nic: Idx<NetworkInterface>, f: &Flow) -> Decision {
    // The default deny is a last rule that matches everything, so that an
    // undecidable allow rule ahead of it makes the outcome unknown while an
    // undecidable deny rule does not.
    let default = NvaRule {
        name: "default deny".into(),
        action: NvaAction::Deny,
        sources: all_ips(),
        destinations: all_ips(),
        protocol: None,
        ports: None,
        loc: c.loc.clone(),
    };
    let cite = |r: &NvaRule| Some(Cite::NvaRule { nic, rule: c.rules.iter().position(|x| std::ptr::eq(x, r)) });
    let default_deny = || Decision::new(Kind::Denied, Reason::NvaDefaultDeny, Some(Cite::NvaRule { nic, rule: None }));
    match first_match(c.rules.iter().chain([&default]), |r| rule_matches(r, f), |a, b| a.action == b.action) {
        FirstMatch::Hit { rule, doubt: None } if std::ptr::eq(rule, &default) => default_deny(),
        FirstMatch::Hit { rule, doubt: None } => {
            let allows = rule.action == NvaAction::Allow;
            let v = if allows { Kind::Allowed } else { Kind::Denied };
            Decision::new(v, Reason::NvaRule { name: rule.name.clone(), allows }, cite(rule))
        }
        FirstMatch::Hit { doubt: Some(d), .. } | FirstMatch::Miss { doubt: Some(d) } => {
            let why = vec![Uncertainty::PortNotGiven];
            let reason = Reason::MayMatch { doubtful: d.name.clone(), priority: None, decided: None, why };
            Decision::new(Kind::Unknown, reason, cite(d))
        }
        // Cannot happen (the default rule matches every packet); deny as it would.
        FirstMatch::Miss { doubt: None } => default_deny(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tusk_core::ip::Cidr;
    use tusk_core::{Loc, PortSet, Pos, Protocol};

    fn loc(line: u32) -> Loc {
        Loc::new(Arc::from("tusk.yaml"), Pos { line, col: 3 })
    }

    fn rule(name: &str, action: NvaAction, src: &str, ports: Option<(u16, u16)>) -> NvaRule {
        NvaRule {
            name: name.into(),
            action,
            sources: Cidr::parse(src).unwrap().set(),
            destinations: all_ips(),
            protocol: Some(Protocol::Tcp),
            ports: ports.map(|(a, b)| PortSet::range(a, b)),
            loc: loc(10),
        }
    }

    fn nva(rules: Vec<NvaRule>) -> NvaConfig {
        NvaConfig { nic: "nva".into(), nic_index: Some(Idx::new(0)), stateful: true, snat: false, rules, loc: loc(4) }
    }

    fn flow(src: &str, port: Option<u16>) -> Flow {
        Flow { src: src.parse().unwrap(), dst: "10.2.0.4".parse().unwrap(), proto: Protocol::Tcp, port }
    }

    #[test]
    fn first_match_wins_and_no_match_denies() {
        let c = nva(vec![
            rule("no-ssh", NvaAction::Deny, "0.0.0.0/0", Some((22, 22))),
            rule("spokes", NvaAction::Allow, "10.1.0.0/16", None),
        ]);
        let d = evaluate(&c, Idx::new(0), &flow("10.1.0.4", Some(22)));
        assert_eq!((d.verdict, d.cite), (Kind::Denied, Some(Cite::NvaRule { nic: Idx::new(0), rule: Some(0) })));
        assert_eq!(evaluate(&c, Idx::new(0), &flow("10.1.0.4", Some(443))).verdict, Kind::Allowed);
        let d = evaluate(&c, Idx::new(0), &flow("10.3.0.4", Some(443)));
        assert_eq!((d.verdict, d.cite), (Kind::Denied, Some(Cite::NvaRule { nic: Idx::new(0), rule: None })));
    }

    #[test]
    fn an_unknown_port_is_unknown_only_where_ports_decide() {
        let c = nva(vec![
            rule("no-ssh", NvaAction::Deny, "0.0.0.0/0", Some((22, 22))),
            rule("spokes", NvaAction::Allow, "10.1.0.0/16", None),
        ]);
        assert_eq!(evaluate(&c, Idx::new(0), &flow("10.1.0.4", None)).verdict, Kind::Unknown);
        // From elsewhere both outcomes are deny: certain.
        assert_eq!(evaluate(&c, Idx::new(0), &flow("10.3.0.4", None)).verdict, Kind::Denied);
    }

    #[test]
    fn a_rule_with_ports_never_matches_icmp() {
        let mut r = rule("web", NvaAction::Allow, "0.0.0.0/0", Some((443, 443)));
        r.protocol = None;
        let f = Flow { proto: Protocol::Icmp, ..flow("10.1.0.4", None) };
        assert_eq!(evaluate(&nva(vec![r]), Idx::new(0), &f).verdict, Kind::Denied);
    }
}
