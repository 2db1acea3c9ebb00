//! What a joined path shows, as data for the article's findings (`tusk
//! demo`): the source address the destination's NSG saw and the rule that
//! matched, which segment decided, and which workloads can share a node
//! with another tenant's.

use crate::join::{Path, Segment};
use crate::nodes::{Fleet, SimNode};
use crate::schedule::Schedule;
use std::collections::BTreeSet;
use std::net::IpAddr;
use tusk_core::{Idx, Kind, Loc};
use tusk_model::azure::AzureNetwork;
use tusk_model::Estate;
use tusk_network::trace::Control;
use tusk_network::Cite;

/// An NSG's view of a flow: the source address it matched and its rule.
#[derive(Debug, Clone)]
pub struct NsgSight {
    /// The NSG's name.
    pub nsg: String,
    /// The deciding rule's name (a default rule's name when no user rule matched).
    pub rule: String,
    /// Where the rule is defined in the inputs.
    pub loc: Loc,
    /// The source address the NSG saw (after any masquerade on the node).
    pub src: IpAddr,
    /// What the NSG decided for the flow.
    pub verdict: Kind,
}

/// The last NSG step of the path's Azure segment (the destination's
/// inbound NSG, when the flow got that far).
pub fn destination_nsg(net: &AzureNetwork, path: &Path) -> Option<NsgSight> {
    let t = path.segments.iter().find_map(|s| match s {
        Segment::Network(t) => Some(t),
        _ => None,
    })?;
    let step = t.forward.steps.iter().rev().find(|s| s.control == Control::Nsg)?;
    let Some(Cite::NsgRule { nsg, rule, .. }) = &step.decision.cite else { return None };
    let n = &net.nsgs[*nsg];
    let r = n.rules.get(*rule)?;
    Some(NsgSight {
        nsg: n.id.name().to_string(),
        rule: r.name.clone(),
        loc: r.loc.clone(),
        src: step.src,
        verdict: step.decision.verdict,
    })
}

/// The first segment that did not allow the flow, if any.
pub fn deciding(path: &Path) -> Option<&Segment> {
    path.segments.iter().find(|s| s.verdict() != Kind::Allowed)
}

/// A workload that can land on a node another tenant's workload can land
/// on (tenants: the namespaces' `label`), with the shared pools.
#[derive(Debug, Clone)]
pub struct CoScheduled {
    /// The workload, as `namespace/name`.
    pub workload: String,
    /// Its tenant (the value of the tenant label on its namespace).
    pub tenant: String,
    /// The other tenant whose workloads can share a node with it.
    pub other: String,
    /// Node pools (by name) where both can land; `None` for nodes of no pool.
    pub pools: Vec<Option<String>>,
}

/// Every workload of the schedule `s` that can land on a node where another
/// tenant's workload can land, tenants being the values of the namespace label
/// `label`; workloads without a tenant are left out. One entry per (workload,
/// other tenant), pools sorted by name. Never fails.
pub fn co_scheduled(estate: &Estate, fleet: &Fleet, s: &Schedule, label: &str) -> Vec<CoScheduled> {
    let tenant = |p: &crate::schedule::Placement| crate::impact::tenant(estate, p, Some(label));
    let mut out = Vec::new();
    for p in &s.placements {
        let Some(t) = tenant(p) else { continue };
        let mine: BTreeSet<Idx<SimNode>> = p.feasible.iter().copied().collect();
        let mut others: std::collections::BTreeMap<String, BTreeSet<Option<String>>> = Default::default();
        for q in &s.placements {
            let Some(u) = tenant(q) else { continue };
            if u == t {
                continue;
            }
            for n in q.feasible.iter().filter(|n| mine.contains(n)) {
                others.entry(u.clone()).or_default().insert(fleet.pool_name(estate, &fleet.nodes[*n]));
            }
        }
        let w = &estate.k8s.workloads[p.workload];
        for (u, pools) in others {
            out.push(CoScheduled {
                workload: format!("{}/{}", w.namespace, w.name),
                tenant: t.clone(),
                other: u,
                pools: pools.into_iter().collect(),
            });
        }
    }
    out
}
