//! Intents across both layers, answered by tusk-path's join
//! (`tusk_path::join::trace`: source-pod egress policy, the node's exit
//! and masquerade, the Azure network on the translated flow, the
//! destination pod's ingress policy), for the `pod` or `node` actor
//! (DESIGN.md, Actors). Ends are anything `tusk trace` takes across the
//! cluster (`pod:`, `workload:`, `NS/NAME`, `node:NODE|POOL`, `svc:`,
//! every Azure end) and `tenant:NAME`: every pod of the namespaces whose
//! tenant label has that value, as `tusk matrix --grain tenant` groups
//! them (`tusk_path::tenants::tenants`).
//!
//! `isolatedTenants` asks `tenant:A → tenant:B` for every ordered pair of
//! the listed tenants (or of every tenant), for each actor asked (both
//! when `actor` is absent). Each member pair of each question is judged
//! like any intent's flow: a pair allowed is a violation with its whole
//! path as the counterexample; a pair the join cannot decide makes the
//! intent unknown. A question standing for more pairs than the join
//! traces (`tusk_path::join::MAX_PAIRS`) is not asked, and the intent is
//! unknown, never a pass; so is an intent without `ports` on a protocol
//! with ports (the join answers one port at a time). A pod's flow to
//! itself is no pair (always
//! allowed, and no isolation claim is about it).
//!
//! This module only picks the questions and judges the answers; it never
//! re-implements a rule of either engine, nor of the data path.

use crate::errors::{EndFailure, EndSide, TenantError};
use crate::intent::{
    crosses, devices, outcome, reach_seen, Aks, CheckError, Engines, JoinedWitness, Outcome, Seen, Skip, Status,
    Summary, Tally, Witness,
};
use tusk_core::FlowEnd;
use tusk_core::Kind;
use tusk_model::config::{Intent, IntentActor, IntentKind, IntentLayer};
use tusk_path::join::{self, Actor, Ask, End, Segment};

/// The tenants of the inputs (values of the tenant label), sorted.
pub fn tenant_names(a: &Aks) -> Vec<String> {
    tusk_path::tenants::tenants(a.estate, a.tenant_label).into_keys().collect()
}

/// `tenant:NAME`: every pod of the tenant that can run on some node, each
/// on every node it can run on (replicas collapsed as the tenant matrix
/// does, `tusk_path::join::pod_members`). `Err` when no namespace carries
/// the label with that value, or none of its pods can be scheduled.
pub fn tenant_end(a: &Aks, name: &str) -> Result<End, TenantError> {
    let all = tusk_path::tenants::tenants(a.estate, a.tenant_label);
    let Some(pods) = all.get(name) else {
        return Err(TenantError::Unknown {
            name: name.to_string(),
            label: a.tenant_label.to_string(),
            known: all.keys().cloned().collect(),
        });
    };
    let runnable: Vec<_> = pods.iter().copied().filter(|&i| !a.wiring.nodes_of(a.estate, i).is_empty()).collect();
    if runnable.is_empty() {
        return Err(TenantError::Unschedulable { name: name.to_string() });
    }
    let (members, collapsed) = join::pod_members(a.estate, a.wiring, runnable);
    Ok(End { name: format!("tenant:{name}"), members, collapsed, ..Default::default() })
}

fn end(a: &Aks, e: &FlowEnd, side: EndSide) -> Result<End, CheckError> {
    match e {
        FlowEnd::Tenant(name) => tenant_end(a, name).map_err(EndFailure::Tenant),
        _ => join::resolve(a.estate, a.wiring, a.prepared, e).map_err(EndFailure::Joined),
    }
    .map_err(CheckError::at(side))
}

/// The actors an intent is asked for.
fn actors(i: &Intent) -> Vec<Actor> {
    match (i.actor, i.kind) {
        (Some(IntentActor::Pod), _) => vec![Actor::Pod],
        (Some(IntentActor::Node), _) => vec![Actor::Node],
        (None, IntentKind::IsolatedTenants) => vec![Actor::Pod, Actor::Node],
        (None, _) => vec![Actor::Pod],
    }
}

/// The (from, to) questions of the intent for one port: the ordered
/// tenant pairs of `isolatedTenants`, else the intent's two ends (a
/// Service destination is resolved per port: its target ports differ).
fn questions(a: &Aks, i: &Intent, port: Option<u16>) -> Result<Vec<(End, End)>, CheckError> {
    if i.kind == IntentKind::IsolatedTenants {
        let names = if i.tenants.is_empty() { tenant_names(a) } else { i.tenants.clone() };
        if names.len() < 2 {
            return Err(CheckError::TooFewTenants { count: names.len(), label: a.tenant_label.to_string() });
        }
        let mut out = Vec::new();
        for x in &names {
            for y in &names {
                if x != y {
                    out.push((tenant_end(a, x)?, tenant_end(a, y)?));
                }
            }
        }
        return Ok(out);
    }
    let from = end(a, &i.from, EndSide::From)?;
    let to = match join::resolve_service(a.estate, a.wiring, &i.to, i.protocol, port).map_err(CheckError::ToService)? {
        Some(service) => service,
        None => end(a, &i.to, EndSide::To)?,
    };
    Ok(vec![(from, to)])
}

/// Checks `intent` across both layers; `Err` is bad input (an end that
/// names nothing, an unknown tenant, a `through` that is no device).
pub fn check(e: &Engines, a: &Aks, intent: &Intent, ports: &[Option<u16>]) -> Result<Outcome, CheckError> {
    // The join explains pod policies one port at a time: asked about every
    // port at once it would read port-specific rules on a port no flow
    // uses. Not a guess, then: unknown, with what to give.
    if intent.protocol.has_ports() && ports.contains(&None) {
        return Ok(outcome(intent, IntentLayer::Aks, Status::Unknown, Summary::OnePortAtATime));
    }
    let through = match intent.kind {
        IntentKind::MustPassThrough | IntentKind::EgressOnlyVia => Some(devices(a.prepared, &intent.through)?),
        _ => None,
    };
    let actors = actors(intent);
    let mut tally = Tally::new();
    let mut samples: Vec<String> = Vec::new();
    for &port in ports {
        for (from, to) in questions(a, intent, port)? {
            let pairs = from.members.len() * to.members.len();
            if pairs > join::MAX_PAIRS {
                tally.skip(Skip::TooManyPairs { from: from.name.clone(), to: to.name.clone(), pairs });
                continue;
            }
            for &actor in &actors {
                let ask = Ask { sem: &e.semantics, actor, proto: intent.protocol, port, http: None, fqdn: None };
                let g = join::trace(a.estate, a.wiring, a.prepared, &from, &to, ask);
                for (name, _) in &g.samples {
                    if !samples.contains(name) {
                        samples.push(name.clone());
                    }
                }
                for path in &g.pairs {
                    if path.from == path.to {
                        continue;
                    }
                    let seen = match &through {
                        None => reach_seen(intent.kind, path.verdict),
                        Some(_) if path.verdict == Kind::Denied => Seen::Fine,
                        Some(d) if path.segments.iter().any(|s| matches!(s, Segment::Network(t) if crosses(t, d))) => {
                            Seen::Fine
                        }
                        Some(_) if path.verdict == Kind::Allowed => Seen::Bad,
                        Some(_) => Seen::Undecided,
                    };
                    tally.add(seen, || {
                        Witness::Joined(Box::new(JoinedWitness {
                            from: g.from.clone(),
                            to: g.to.clone(),
                            actor,
                            samples: g.samples.clone(),
                            collapsed: g.collapsed,
                            path: path.clone(),
                        }))
                    });
                }
            }
        }
    }
    Ok(tally.finish(intent, IntentLayer::Aks, samples))
}
