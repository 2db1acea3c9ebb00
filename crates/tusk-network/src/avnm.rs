//! Azure Virtual Network Manager security admin rules.
//!
//! From "Security admin rules" (virtual-network-manager/concept-security-admins):
//! admin rules are evaluated before NSG rules, lowest priority number
//! first. Deny drops the traffic; Allow lets it continue to the NSGs;
//! Always Allow delivers it without evaluating the NSGs.
//!
//! Assumption, stated in every decision it affects: the inputs carry no
//! network-group membership, so every admin rule loaded is taken to apply
//! to every VNet of the estate. Export only the rules deployed to them.

use super::decision::Uncertainty;
use super::nsg::{addresses, flow_ports, protocol, uncertainties, unread_ports};
use super::{Cite, Decision, Flow, Kind, Prepared, Reason};
use tusk_core::tri::{first_match, ports, FirstMatch};
use tusk_model::azure::{AdminAction, AdminRule, Direction, Idx, VirtualNetwork};

/// The outcome of admin rules for a flow at one VNet in one direction.
pub enum AdminOutcome {
    /// No admin rule matched (or there are none): go on to the NSGs.
    NoMatch,
    /// Allow: go on to the NSGs.
    Continue(Decision),
    /// AlwaysAllow: skip the NSGs.
    AlwaysAllow(Decision),
    /// Deny, or unknown.
    Final(Decision),
}

/// The admin rules of `vnet`'s network manager on flow `f` in direction `dir`,
/// by priority (Azure Virtual Network Manager, "Security admin rules"):
/// whether they allow (and skip the NSGs), deny, or leave it to the NSGs.
pub fn evaluate(p: &Prepared, vnet: Idx<VirtualNetwork>, dir: Direction, f: &Flow) -> AdminOutcome {
    if p.net.admin_rules.is_empty() {
        return AdminOutcome::NoMatch;
    }
    let mut rules: Vec<&AdminRule> = p.net.admin_rules.iter().filter(|r| r.direction == dir).collect();
    rules.sort_by_key(|r| r.priority);
    let m = first_match(
        rules.iter().copied(),
        |r| {
            let port_match = flow_ports(&r.destination_ports, f).and(ports(&r.source_ports, None));
            protocol(r.protocol, f.proto)
                .and(unread_ports(r.ports_unknown, port_match))
                .and(addresses(p, Some(vnet), &r.sources, f.src))
                .and(addresses(p, Some(vnet), &r.destinations, f.dst))
        },
        |a, b| a.action == b.action,
    );
    let cite = |r: &AdminRule| {
        Idx::all(&p.net.admin_rules).find(|&i| std::ptr::eq(&p.net.admin_rules[i], r)).map(Cite::AdminRule)
    };
    match m {
        FirstMatch::Hit { rule, doubt: None } => {
            let why = |always_allow| Reason::AdminRule { priority: rule.priority, always_allow };
            match rule.action {
                AdminAction::Deny => AdminOutcome::Final(Decision::new(Kind::Denied, why(false), cite(rule))),
                AdminAction::Allow => AdminOutcome::Continue(Decision::new(Kind::Allowed, why(false), cite(rule))),
                AdminAction::AlwaysAllow => {
                    AdminOutcome::AlwaysAllow(Decision::new(Kind::Allowed, why(true), cite(rule)))
                }
            }
        }
        FirstMatch::Hit { doubt: Some(d), .. } | FirstMatch::Miss { doubt: Some(d) } => {
            let mut why =
                uncertainties(p, Some(vnet), &d.sources, &d.destinations, flow_ports(&d.destination_ports, f), f);
            if d.ports_unknown {
                why.push(Uncertainty::PortsNotRead);
            }
            let reason =
                Reason::MayMatch { doubtful: d.id.name().to_string(), priority: Some(d.priority), decided: None, why };
            AdminOutcome::Final(Decision::new(Kind::Unknown, reason, cite(d)))
        }
        FirstMatch::Miss { doubt: None } => AdminOutcome::NoMatch,
    }
}
