//! The kubenet route-table budget. With kubenet every node's pod range is
//! reached through one user-defined route to that node, in the route table
//! of the cluster's subnet, and a route table holds at most 400 routes
//! ("Azure subscription and service limits": routes per route table 400;
//! AKS "Use kubenet networking": hence at most 400 nodes). The user's own
//! routes on the same table, and the surge nodes an upgrade adds for a
//! while, come out of the same 400 (the seed article makes both points).
//!
//! Routes AKS itself wrote (an exported table may already hold them) are
//! recognised by AKS's naming, `aks-<pool>-...`, and not counted as the
//! user's.

use crate::nodes::Fleet;
use std::collections::BTreeSet;
use tusk_core::Idx;
use tusk_model::aks::{AksCluster, NetworkPlugin};
use tusk_model::azure::{Link, RouteTable, Subnet};
use tusk_model::Estate;

/// The most routes one Azure route table holds ("Azure subscription and service
/// limits", networking limits: routes per route table, 400).
pub const ROUTES_PER_TABLE: u32 = 400;

/// One kubenet cluster's route count against the route-table limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteBudget {
    /// Nodes at their most (autoscaled pools at maxCount).
    pub nodes: u32,
    /// Extra nodes during an upgrade (maxSurge per pool).
    pub surge: u32,
    /// The user's routes on the cluster's route table(s): the largest
    /// table's count when the pools' subnets use several.
    pub user_routes: u32,
    /// A pool's subnet or its route table is referenced but not in the
    /// inputs: its user routes could not be counted (`user_routes` is then
    /// a lower bound).
    pub user_routes_unknown: bool,
    /// Routes a table may hold ([`ROUTES_PER_TABLE`]).
    pub limit: u32,
}

impl RouteBudget {
    /// Routes needed at the worst moment: one per node, one per surge node, plus
    /// the user's routes.
    pub fn needed(&self) -> u32 {
        self.nodes + self.surge + self.user_routes
    }

    /// Whether the routes needed fit in the table.
    pub fn fits(&self) -> bool {
        self.needed() <= self.limit
    }

    /// How many more nodes fit (0 when already over).
    pub fn headroom(&self) -> u32 {
        self.limit.saturating_sub(self.needed())
    }
}

/// The budget of cluster `c` (index into `Estate::clusters`); `None` when
/// the cluster does not use kubenet. `fleet` must include surge nodes
/// (`materialise(estate, true)`).
pub fn kubenet_route_budget(estate: &Estate, fleet: &Fleet, c: Idx<AksCluster>) -> Option<RouteBudget> {
    let cluster = &estate.clusters[c];
    if cluster.network.plugin != NetworkPlugin::Kubenet {
        return None;
    }
    let mine = fleet.nodes.iter().filter(|n| n.cluster == Some(c));
    let (surge, nodes): (Vec<_>, Vec<_>) = mine.partition(|n| n.surge);
    let subnets: Vec<&Link<Subnet>> = cluster.pools.iter().filter_map(|p| p.vnet_subnet.as_ref()).collect();
    let mut user_routes_unknown = subnets.iter().any(|l| l.found().is_none());
    let mut tables: BTreeSet<Idx<RouteTable>> = BTreeSet::new();
    for s in subnets.iter().filter_map(|l| l.found()) {
        match &estate.azure.subnets[s].route_table {
            Some(Link::Found(t)) => {
                tables.insert(*t);
            }
            Some(Link::Absent(_)) => user_routes_unknown = true,
            None => {}
        }
    }
    let user_routes = tables
        .iter()
        .map(|t| estate.azure.route_tables[*t].routes.iter().filter(|r| !r.name.starts_with("aks-")).count() as u32)
        .max()
        .unwrap_or(0);
    Some(RouteBudget {
        nodes: nodes.len() as u32,
        surge: surge.len() as u32,
        user_routes,
        user_routes_unknown,
        limit: ROUTES_PER_TABLE,
    })
}
