//! The firewall's rule prefilter and first match, as data: the one
//! implementation of Azure Firewall rule processing behind both the trace
//! ([`super::evaluate_named`], which words nothing here but builds its
//! [`super::FirewallOutcome`] from the result) and the all-pairs evaluator
//! ([`crate::reach`], which asks millions of times and keeps one
//! [`Prefilter`] per source).
//!
//! The prefilter keeps the rules whose protocol, ports and sources may
//! hold flows from one source address, for one protocol and port, in
//! processing order ("Azure Firewall rule processing logic",
//! firewall/rule-processing: DNAT rules, then network rules, then
//! application rules, whatever the collection priorities). An application
//! rule's match depends on nothing else but the name the client asks for
//! (firewall/fqdn-filtering), so a prefilter answers every destination of
//! its source. [`Prefilter::first_match`] then applies the destination
//! (and the name, when given) to the kept rules and returns which rule
//! decided, or which one leaves the outcome unknown.

use super::super::fqdn::{self, NameDoubt};
use super::super::nsg::addresses;
use super::super::{Decision, Flow, Prepared};
use super::{application_source_and_port, network_match_but_destination, ordered};
use crate::decision::CollectionRef;
use std::net::IpAddr;
use tusk_core::tri::Tri;
use tusk_core::Protocol;
use tusk_model::azure::{AzureFirewall, CollectionKind, FirewallAction, FirewallRule, Idx, VirtualNetwork};

/// A rule that may match flows from the prefilter's source: its match on
/// everything but the destination (DNAT, network rules) or the name
/// (application rules) is `Yes` or `Maybe`, never `No`.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The rule type, which fixes the processing order.
    pub kind: CollectionKind,
    /// The action of the rule's collection.
    pub action: FirewallAction,
    /// The rule.
    pub rule: &'a FirewallRule,
    /// Its collection (for the citation).
    pub at: CollectionRef,
    /// Its position in the collection's rules (for the citation).
    pub index: usize,
    /// How its protocol, ports and sources match (`Yes` or `Maybe`).
    pub base: Tri,
}

/// The rules of one firewall that may match flows from one source, for one
/// protocol and port, in processing order: DNAT, then network, then
/// application rules, each type by collection group and collection
/// priority (parent policy first).
#[derive(Debug, Clone)]
pub struct Prefilter<'a> {
    /// The firewall.
    pub fw: Idx<AzureFirewall>,
    /// The VNet whose private DNS zones the firewall's DNS proxy resolves
    /// network rules' FQDNs through ([`super::dns_vnet`]).
    pub dns: Option<Idx<VirtualNetwork>>,
    /// The rules kept, in processing order.
    pub rules: Vec<Candidate<'a>>,
}

/// Why a rule's match on a flow is unknown, so that it may decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doubt {
    /// Its addresses or ports may or may not hold the flow (an IP group
    /// outside the inputs, an FQDN destination, a port not given).
    MayMatch,
    /// An application rule whose sources and port hold the flow, which
    /// has no name (`tusk trace` without `--fqdn`, `tusk reach`): whether
    /// it matches depends on the FQDN the client asks for.
    NeedsName,
    /// An application rule whose match on the given name is unknown.
    Name(NameDoubt),
}

/// The firewall's first match on one flow, as data: `usize` values index
/// [`Prefilter::rules`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstMatch {
    /// A DNAT rule matched, translating to its `translated_address`: allowed.
    Dnat(usize),
    /// A DNAT rule matched whose translation is an FQDN: unknown.
    DnatFqdn(usize),
    /// A network rule matched: its collection's action decides.
    Network(usize),
    /// An application rule matched the flow's name: its collection's action decides.
    Application(usize),
    /// A rule may match and would decide otherwise than the outcome
    /// without it: the firewall's verdict is unknown.
    Doubt(usize, Doubt),
    /// No rule matched: the firewall denies by default.
    DefaultDeny,
}

impl FirstMatch {
    /// The rule that decided, or whose doubt did (`None`: the default deny).
    pub fn rule(&self) -> Option<usize> {
        match self {
            FirstMatch::Dnat(i)
            | FirstMatch::DnatFqdn(i)
            | FirstMatch::Network(i)
            | FirstMatch::Application(i)
            | FirstMatch::Doubt(i, _) => Some(*i),
            FirstMatch::DefaultDeny => None,
        }
    }
}

/// The rules of firewall `fw` that may match flows from `src` with
/// `proto` / `port`, or the unknown decision when its rule set itself is
/// (a missing firewall policy, a policy loop, a missing collection group).
pub fn prefilter<'a>(
    p: &'a Prepared,
    fw: Idx<AzureFirewall>,
    src: IpAddr,
    proto: Protocol,
    port: Option<u16>,
) -> Result<Prefilter<'a>, Box<Decision>> {
    let colls = ordered(p, fw)?;
    // The destination is left open: only the source, protocol and port are read.
    let probe = Flow { src, dst: src, proto, port };
    let mut rules = Vec::new();
    for kind in [CollectionKind::Dnat, CollectionKind::Network, CollectionKind::Application] {
        for o in colls.iter().filter(|o| o.c.kind == kind) {
            for (index, rule) in o.c.rules.iter().enumerate() {
                let base = match kind {
                    CollectionKind::Application => application_source_and_port(p, rule, &probe),
                    _ => network_match_but_destination(p, rule, &probe),
                };
                if base != Tri::No {
                    rules.push(Candidate { kind, action: o.c.action, rule, at: o.at, index, base });
                }
            }
        }
    }
    Ok(Prefilter { fw, dns: super::dns_vnet(p, fw), rules })
}

impl Prefilter<'_> {
    /// The first match on `f` (whose source, protocol and port are the
    /// prefilter's), for a client that asks for `name` when given:
    /// * DNAT rules are terminating; one that may match is unknown.
    /// * Network rules are terminating in order; one that may match before
    ///   the first that does leaves the verdict unknown.
    /// * Application rules: without a name, each one kept may match, so the
    ///   first whose action is not `Deny` leaves the verdict unknown (else
    ///   the default deny holds). With a name, the first that matches
    ///   decides unless an earlier doubtful one has another action.
    pub fn first_match(&self, p: &Prepared, f: &Flow, name: Option<&str>) -> FirstMatch {
        let mut network_doubt: Option<usize> = None;
        // The first application rule in doubt per action (Allow, Deny, Dnat).
        let mut app_doubts: [Option<(usize, Doubt)>; 3] = [None, None, None];
        for (i, c) in self.rules.iter().enumerate() {
            let r = c.rule;
            match c.kind {
                CollectionKind::Dnat => match c.base.and(addresses(p, None, &r.destinations, f.dst)) {
                    Tri::No => {}
                    Tri::Maybe => return FirstMatch::Doubt(i, Doubt::MayMatch),
                    Tri::Yes if r.translated_address.is_none() => return FirstMatch::DnatFqdn(i),
                    Tri::Yes => return FirstMatch::Dnat(i),
                },
                CollectionKind::Network => {
                    match c.base.and(fqdn::network_destinations(p, &r.destinations, f.dst, name, self.dns)) {
                        Tri::No => {}
                        Tri::Maybe => {
                            network_doubt.get_or_insert(i);
                        }
                        Tri::Yes => {
                            return match network_doubt {
                                Some(d) => FirstMatch::Doubt(d, Doubt::MayMatch),
                                None => FirstMatch::Network(i),
                            };
                        }
                    }
                }
                CollectionKind::Application => {
                    if let Some(d) = network_doubt {
                        return FirstMatch::Doubt(d, Doubt::MayMatch);
                    }
                    let Some(n) = name else {
                        // Without a name no application rule matches for
                        // sure: only the first that would not deny matters.
                        if c.action != FirewallAction::Deny {
                            return FirstMatch::Doubt(i, Doubt::NeedsName);
                        }
                        continue;
                    };
                    let (m, why) = fqdn::application_target(r, n);
                    match c.base.and(m) {
                        Tri::No => {}
                        Tri::Yes => {
                            let other = app_doubts
                                .iter()
                                .enumerate()
                                .filter(|(a, _)| *a != slot(c.action))
                                .filter_map(|(_, d)| d.as_ref())
                                .min_by_key(|(at, _)| *at);
                            return match other {
                                Some((at, d)) => FirstMatch::Doubt(*at, d.clone()),
                                None => FirstMatch::Application(i),
                            };
                        }
                        Tri::Maybe => {
                            // A known name with an unknown match: the name's
                            // doubt, or only the source is in doubt.
                            let d = why.map_or(Doubt::MayMatch, Doubt::Name);
                            app_doubts[slot(c.action)].get_or_insert((i, d));
                        }
                    }
                }
            }
        }
        if let Some(d) = network_doubt {
            return FirstMatch::Doubt(d, Doubt::MayMatch);
        }
        // The first doubtful application rule whose action is not Deny.
        let not_deny = [&app_doubts[0], &app_doubts[2]].into_iter().flatten().min_by_key(|(at, _)| *at);
        match not_deny {
            Some((at, d)) => FirstMatch::Doubt(*at, d.clone()),
            None => FirstMatch::DefaultDeny,
        }
    }
}

/// The slot of an action in the per-action doubts.
fn slot(a: FirewallAction) -> usize {
    match a {
        FirewallAction::Allow => 0,
        FirewallAction::Deny => 1,
        FirewallAction::Dnat => 2,
    }
}
