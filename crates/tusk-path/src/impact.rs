//! What a placement means for resilience and isolation: what one node's,
//! and each zone's, failure takes from a workload, and which tenants can
//! share a node (a shared node is a shared blast radius for an escaped
//! container).
//!
//! Losses are read from the simulated placement; whether the lost pods can
//! come back elsewhere is read from the exact feasible set, so "no other
//! feasible node" is a fact while "loses 2 of 3" depends on the simulation.

use crate::binding::{Bound, Unbound};
use crate::nodes::{Fleet, FleetNote, SimNode};
use crate::route_budget::RouteBudget;
use crate::schedule::{Placement, Schedule};
use std::collections::{BTreeMap, BTreeSet};
use tusk_core::Idx;
use tusk_model::k8s::Workload;
use tusk_model::Estate;

/// What a failure (one node, or every node of a zone) takes from one workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loss {
    /// The failed node's name, or the zone (`"1"`).
    pub what: String,
    /// Replicas running on the failed node(s) before the failure.
    pub lost: usize,
    /// The workload's replica count.
    pub of: usize,
    /// Feasible nodes outside the failed one(s) exist: the scheduler can
    /// bring the pods back.
    pub recoverable: bool,
    /// Replicas running once the scheduler has placed the lost ones again
    /// (the simulation re-run without the failed nodes).
    pub after: usize,
}

/// The worst single-node failure (most replicas lost; first node on
/// ties), or `None` when no replica is placed.
pub fn worst_node(fleet: &Fleet, p: &Placement) -> Option<Loss> {
    let mut per: BTreeMap<Idx<SimNode>, usize> = BTreeMap::new();
    for n in p.replicas.iter().flatten() {
        *per.entry(*n).or_default() += 1;
    }
    let (&node, &lost) = per.iter().max_by_key(|(n, c)| (**c, std::cmp::Reverse(**n)))?;
    let recoverable = p.feasible.iter().any(|f| *f != node);
    Some(Loss { what: fleet.nodes[node].name.clone(), lost, of: p.replicas.len(), recoverable, after: 0 })
}

/// Fills each loss's `after` by re-running the schedule without the
/// failed node or zone.
/// Fills a loss's `after` from [`crate::schedule::running_after`].
fn replay(
    estate: &Estate,
    fleet: &Fleet,
    s: &Schedule,
    wi: Idx<Workload>,
    loss: &mut Loss,
    down: BTreeSet<Idx<SimNode>>,
) {
    loss.after = crate::schedule::running_after(estate, fleet, s, wi, &down);
    if estate.k8s.workloads[wi].kind == tusk_model::k8s::WorkloadKind::Pod {
        loss.recoverable = false;
    }
}

/// The loss for each zone that holds one of the workload's replicas.
/// Replicas on non-zonal nodes are left out: which zone's failure takes
/// them is not known (see [`WorkloadRow::unzoned`]).
pub fn zone_losses(fleet: &Fleet, p: &Placement) -> Vec<Loss> {
    let zone = |n: Idx<SimNode>| fleet.nodes[n].zone.clone().unwrap_or_default();
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for n in p.replicas.iter().flatten().filter(|n| fleet.nodes[**n].zone.is_some()) {
        *per.entry(zone(*n)).or_default() += 1;
    }
    per.into_iter()
        .map(|(z, lost)| {
            let recoverable = p.feasible.iter().any(|f| zone(*f) != z);
            Loss { what: z, lost, of: p.replicas.len(), recoverable, after: 0 }
        })
        .collect()
}

/// The tenant of each placement: the value of `label` on its namespace;
/// `None` when unlabelled (or no label asked for).
pub fn tenant(estate: &Estate, p: &Placement, label: Option<&str>) -> Option<String> {
    let label = label?;
    let w = &estate.k8s.workloads[p.workload];
    estate.k8s.namespaces.iter().find(|n| n.name == w.namespace).and_then(|n| n.labels.get(label).cloned())
}

/// Two tenants and the pools where their workloads can share a node: a
/// tenant `None` stands for workloads of no tenant, a pool `None` for
/// nodes of no pool.
pub type SharedPools = (Option<String>, Option<String>, Vec<Option<String>>);

/// Pairs of distinct tenants whose workloads can land on a common node,
/// with the pools where they can (from feasibility: exact). A tenant or
/// pool `None` stands for workloads of no tenant, nodes of no pool.
pub fn shared_pools(estate: &Estate, fleet: &Fleet, s: &Schedule, label: &str) -> Vec<SharedPools> {
    let mut per_tenant: BTreeMap<Option<String>, BTreeSet<Idx<SimNode>>> = BTreeMap::new();
    for p in &s.placements {
        let t = tenant(estate, p, Some(label));
        per_tenant.entry(t).or_default().extend(p.feasible.iter().copied());
    }
    let tenants: Vec<(&Option<String>, &BTreeSet<Idx<SimNode>>)> = per_tenant.iter().collect();
    let mut out = Vec::new();
    for (i, (a, na)) in tenants.iter().enumerate() {
        for (b, nb) in &tenants[i + 1..] {
            let pools: BTreeSet<Option<String>> =
                na.intersection(nb).map(|n| fleet.pool_name(estate, &fleet.nodes[*n])).collect();
            if !pools.is_empty() {
                out.push(((*a).clone(), (*b).clone(), pools.into_iter().collect()));
            }
        }
    }
    out
}

/// One workload's line of the `schedule` report, as plain data.
#[derive(Debug, Clone)]
pub struct WorkloadRow {
    /// `namespace/name`.
    pub name: String,
    /// The workload kind (`Deployment`, `StatefulSet`, `DaemonSet`, ...).
    pub kind: &'static str,
    /// The tenant (value of the tenant label on its namespace), when asked and set.
    pub tenant: Option<String>,
    /// The cluster it runs in, or why none applies.
    pub cluster: ClusterOf,
    /// Desired replicas.
    pub replicas: usize,
    /// Replicas no node accepts.
    pub unplaced: usize,
    /// `true` when the placement was simulated, `false` when every pod named its
    /// node in the export.
    pub simulated: bool,
    /// Pools with at least one feasible node (`None`: nodes of no pool).
    pub pools: Vec<Option<String>>,
    /// Zones of feasible zonal nodes.
    pub zones: Vec<String>,
    /// Some feasible nodes are not zonal.
    pub non_zonal: bool,
    /// Replicas placed on non-zonal nodes: any zone's failure may take them.
    pub unzoned: usize,
    /// Pools with no feasible node, as (pool, why).
    pub rejected: Vec<(Option<String>, crate::schedule::NodeRefusal)>,
    /// Replicas per node, in node order.
    pub nodes: Vec<(String, usize)>,
    /// Every address its pods can have on the feasible nodes (exported pod
    /// IPs when every pod has one); `None` when unknown.
    pub pod_addresses: Option<tusk_core::IpSet>,
    /// The single-node failure that loses the most replicas, if any is placed.
    pub worst_node: Option<Loss>,
    /// What each zone's failure takes, one entry per zone of feasible nodes.
    pub zone_losses: Vec<Loss>,
    /// Fields of its pod spec the placement does not simulate.
    pub not_modelled: Vec<&'static str>,
    /// A DaemonSet: one pod per node, so a failure takes only the failed
    /// nodes' pods and nothing is rescheduled (no losses are listed).
    pub per_node: bool,
}

/// A workload's cluster, as the `schedule` report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterOf {
    /// The cluster's name.
    Cluster(String),
    /// No cluster applies, but exported nodes without a pool do: the
    /// workload is placed on those.
    ExportedNodes(Unbound),
    /// No cluster applies and no node is known for it.
    None(Unbound),
}

/// A note of the `schedule` report: how the nodes were derived, or a
/// kubenet cluster's route-table budget.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// How nodes were derived ([`crate::nodes::Fleet::notes`]).
    Fleet(FleetNote),
    /// A kubenet cluster's route count against the route-table limit.
    RouteBudget {
        /// The cluster's name.
        cluster: String,
        /// The budget.
        budget: RouteBudget,
    },
}

/// The whole `schedule` report.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// One line per workload, in the order of `k8s.workloads`.
    pub workloads: Vec<WorkloadRow>,
    /// How nodes were derived (autoscale, exported objects), then each
    /// kubenet cluster's route budget.
    pub notes: Vec<Note>,
    /// The namespace label tenants are read from, when asked (`--tenant-label`).
    pub tenant_label: Option<String>,
    /// Tenant pairs that can share a node, with the pools.
    pub shared: Vec<SharedPools>,
}

/// The `schedule` report of schedule `s` over `fleet`, tenants read from the
/// namespace label `tenant_label` when given: per workload its placement, the
/// worst node and zone failures, and the tenant pairs that can share a node.
/// Never fails; nothing is rendered here (tusk-report words it).
pub fn report(estate: &Estate, fleet: &Fleet, s: &Schedule, tenant_label: Option<&str>) -> Report {
    let zone = |n: Idx<SimNode>| fleet.nodes[n].zone.clone();
    let workloads = s
        .placements
        .iter()
        .map(|p| {
            let w = &estate.k8s.workloads[p.workload];
            let pools: BTreeSet<Option<String>> =
                p.feasible.iter().map(|n| fleet.pool_name(estate, &fleet.nodes[*n])).collect();
            let zones: BTreeSet<String> = p.feasible.iter().filter_map(|n| zone(*n)).collect();
            let non_zonal = p.feasible.iter().any(|n| zone(*n).is_none());
            let unzoned = p.replicas.iter().flatten().filter(|n| zone(**n).is_none()).count();
            let mut per: BTreeMap<Idx<SimNode>, usize> = BTreeMap::new();
            for n in p.replicas.iter().flatten() {
                *per.entry(*n).or_default() += 1;
            }
            let per_node = w.kind == tusk_model::k8s::WorkloadKind::DaemonSet;
            let mut worst = if per_node { None } else { worst_node(fleet, p) };
            let mut zones_lost = if per_node { Vec::new() } else { zone_losses(fleet, p) };
            if let Some(l) = worst.as_mut() {
                let down = fleet.find(&l.what).into_iter().collect();
                replay(estate, fleet, s, p.workload, l, down);
            }
            for l in &mut zones_lost {
                let down = Idx::all(&fleet.nodes)
                    .filter(|n| {
                        p.cluster.index() == fleet.nodes[*n].cluster && zone(*n).as_deref() == Some(l.what.as_str())
                    })
                    .collect();
                replay(estate, fleet, s, p.workload, l, down);
            }
            let pods: Vec<&tusk_model::k8s::Pod> =
                estate.k8s.pods.iter().filter(|q| q.workload == p.workload).collect();
            let pod_addresses = if !pods.is_empty() && pods.iter().all(|q| !q.ips.is_empty()) {
                let set = pods.iter().fold(tusk_core::IpSet::empty(), |s, q| {
                    s.union(&crate::addressing::pod_addresses(fleet, q, &[]).unwrap_or_default())
                });
                Some(set)
            } else {
                pods.first().and_then(|q| crate::addressing::pod_addresses(fleet, q, &p.feasible))
            };
            let pod_addresses = pod_addresses.filter(|s| !s.is_empty());
            WorkloadRow {
                name: format!("{}/{}", w.namespace, w.name),
                kind: w.kind.name(),
                tenant: tenant(estate, p, tenant_label),
                cluster: match &p.cluster {
                    Bound::Cluster(c, _) => ClusterOf::Cluster(estate.clusters[*c].name().to_string()),
                    Bound::None(why) if fleet.nodes.iter().any(|n| n.cluster.is_none()) => {
                        ClusterOf::ExportedNodes(*why)
                    }
                    Bound::None(why) => ClusterOf::None(*why),
                },
                replicas: p.replicas.len(),
                unplaced: p.unplaced(),
                simulated: p.placed_by == crate::schedule::PlacedBy::Simulated,
                pools: pools.into_iter().collect(),
                zones: zones.into_iter().collect(),
                non_zonal,
                unzoned,
                rejected: p.rejected.iter().map(|r| (r.pool.clone(), r.reason.clone())).collect(),
                nodes: per.into_iter().map(|(n, c)| (fleet.nodes[n].name.clone(), c)).collect(),
                pod_addresses,
                worst_node: worst,
                zone_losses: zones_lost,
                per_node,
                not_modelled: w.scheduling.not_modelled.clone(),
            }
        })
        .collect();
    let shared = tenant_label.map(|l| shared_pools(estate, fleet, s, l)).unwrap_or_default();
    let mut notes: Vec<Note> = fleet.notes.iter().cloned().map(Note::Fleet).collect();
    let with_surge = crate::nodes::materialise(estate, true);
    for c in Idx::all(&estate.clusters) {
        if let Some(budget) = crate::route_budget::kubenet_route_budget(estate, &with_surge, c) {
            notes.push(Note::RouteBudget { cluster: estate.clusters[c].name().to_string(), budget });
        }
    }
    Report { workloads, notes, tenant_label: tenant_label.map(str::to_string), shared }
}
