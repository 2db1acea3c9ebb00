//! The cluster wired into the Azure network for [`crate::join`]: the
//! materialised nodes and the scheduler's feasibility, one representative
//! address per node and per (pod, node), the kubenet pod blocks, and the
//! estate's network with the nodes' NICs and routes
//! ([`crate::datapath::wired_network`]); and the set of addresses each
//! representative stands for, which a verdict must hold for.
//!
//! [`wire`] also records on each pod without an address the range the
//! plugin allows it on the nodes it can run on
//! ([`tusk_model::k8s::Pod::ip_range`]), so that the policy engine's
//! "pod IP unknown" worlds and the per-flow evaluator's readings collapse
//! to that range (issue 7 item 2) — both read the same field.

use crate::datapath::{self, Wire};
use crate::nodes::{Fleet, NodeAddr, SimNode};
use crate::schedule::Schedule;
use std::net::IpAddr;
use tusk_core::ip::{addr_set, Cidr, IpSet};
use tusk_core::{Idx, IdxVec};
use tusk_model::azure::AzureNetwork;
use tusk_model::k8s::{Pod, Workload};
use tusk_model::Estate;

/// The cluster wired into the Azure network: nodes, their representative
/// addresses, kubenet pod blocks, and pod addresses per (pod, node).
pub struct Wiring {
    /// Every node of the estate (exported or simulated).
    pub fleet: Fleet,
    /// Where each workload's pods are placed on `fleet`.
    pub schedule: Schedule,
    /// One address standing for each node of `fleet`, `None` when its
    /// subnet is unknown.
    pub node_ips: IdxVec<SimNode, Option<IpAddr>>,
    /// Each kubenet node's pod-CIDR block, `None` for other plugins or when
    /// unknown.
    pub blocks: IdxVec<SimNode, Option<Cidr>>,
    /// (cluster pod, fleet node) → the pod's address there.
    pub pod_ips: std::collections::HashMap<(Idx<Pod>, Idx<SimNode>), IpAddr>,
    /// The estate's network plus the nodes' NICs and kubenet routes.
    pub net: AzureNetwork,
    /// [`datapath::splits`] per address set asked: the check scans every
    /// rule and route of the estate, and a matrix asks it for the same few
    /// sets (a pool's addresses, the pod CIDR) once per traced pair.
    splits_seen: std::sync::Mutex<SplitsSeen>,
}

/// Wires `estate` ([`Wiring::new`]) and records each pod's address range
/// ([`Wiring::pod_ranges`]) on the pod, for the policy engine and the
/// per-flow evaluator alike. The wiring itself never reads the ranges, so
/// it is the same as [`Wiring::new`] of the estate before. Never fails.
pub fn wire(estate: &mut Estate) -> Wiring {
    let w = Wiring::new(estate);
    let mut ranges = w.pod_ranges(estate);
    for (pod, r) in estate.k8s.pods.iter_mut().zip(ranges.values_mut()) {
        pod.ip_range = r.take();
    }
    w
}

/// Address set (as its ranges) → what [`datapath::splits`] said of it.
type SplitsSeen = std::collections::HashMap<Vec<(u128, u128)>, Option<crate::segment::Doubt>>;

impl Wiring {
    /// Wires `estate`: derives the fleet, schedules the workloads, gives each
    /// node an address and pod block, and adds the nodes' NICs and the routes
    /// AKS writes for kubenet to a copy of the network. Never fails.
    pub fn new(estate: &Estate) -> Wiring {
        let fleet = crate::materialise(estate, false);
        let schedule = crate::schedule(estate, &fleet);
        let node_ips = datapath::node_ips(&fleet);
        let blocks = datapath::node_pod_blocks(estate, &fleet);
        let mut w = Wiring {
            fleet,
            schedule,
            node_ips,
            blocks,
            pod_ips: Default::default(),
            net: AzureNetwork::default(),
            splits_seen: Default::default(),
        };
        let mut vnet_pods = Vec::new();
        let feasible = w.feasible_nodes(estate);
        for (i, pod) in Idx::enumerate(&estate.k8s.pods) {
            let nodes = feasible[i].clone();
            // An exported address belongs to one NIC: add it only when the
            // pod's node is known.
            let own = pod.ips.is_empty() || nodes.len() == 1;
            for n in nodes {
                if let Some(ip) = w.pod_ip(estate, i, n) {
                    w.pod_ips.insert((i, n), ip);
                    let node = &w.fleet.nodes[n];
                    let vnet = node.cluster.is_some_and(|c| datapath::wire(&estate.clusters[c]) == Wire::Vnet);
                    if vnet && !pod.host_network && own {
                        vnet_pods.push((n, ip));
                    }
                }
            }
        }
        w.net = datapath::wired_network(estate, &w.fleet, &w.node_ips, &w.blocks, &vnet_pods);
        w
    }

    /// The nodes pod `i` runs on: its `nodeName`, else every node its
    /// workload may be scheduled on (the scheduler's choice is not ours).
    pub fn nodes_of(&self, estate: &Estate, i: Idx<Pod>) -> Vec<Idx<SimNode>> {
        let pod = &estate.k8s.pods[i];
        if let Some(n) = &pod.node_name {
            return self.fleet.find(n).into_iter().collect();
        }
        self.schedule
            .placements
            .iter()
            .find(|p| p.workload == pod.workload)
            .map(|p| p.feasible.iter().copied().filter(|&n| !self.fleet.nodes[n].surge).collect())
            .unwrap_or_default()
    }

    /// Per pod, where its address lies when the input gives none:
    /// the union of what the plugin allows on each node it can run on
    /// ([`crate::addressing::pod_addresses`]: the pool's pod CIDR, node
    /// subnet or pod subnet; the nodes' addresses for a hostNetwork pod).
    /// `None` for a pod with exported IPs, one no node can take, or one
    /// that may land where the range is not known (its worlds stay as
    /// they were). Cost: one pass over pods and their feasible nodes.
    pub fn pod_ranges(&self, estate: &Estate) -> IdxVec<Pod, Option<IpSet>> {
        let feasible = self.feasible_nodes(estate);
        let mut seen: std::collections::HashMap<(&[Idx<SimNode>], bool), Option<IpSet>> = Default::default();
        IdxVec::build(&estate.k8s.pods, |i| {
            let (pod, nodes) = (&estate.k8s.pods[i], &feasible[i]);
            if !pod.ips.is_empty() || nodes.is_empty() {
                return None;
            }
            let host = pod.host_network;
            let of = || {
                let mut set = IpSet::empty();
                for &n in nodes {
                    let node = &self.fleet.nodes[n];
                    let r = if host { node.address.set() } else { node.pod_addresses.clone() };
                    set = set.union(&r?);
                }
                (!set.is_empty()).then_some(set)
            };
            seen.entry((&nodes[..], host)).or_insert_with(of).clone()
        })
    }

    /// [`datapath::splits`] of `set` against `net` (the estate's own
    /// network, which never changes under one `Wiring`), remembered per set.
    pub fn splits(&self, net: &AzureNetwork, set: &IpSet) -> Option<crate::segment::Doubt> {
        let key = set.ranges().to_vec();
        if let Some(hit) = self.splits_seen.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return hit;
        }
        let v = datapath::splits(net, set);
        if let Ok(mut m) = self.splits_seen.lock() {
            m.insert(key, v.clone());
        }
        v
    }

    /// [`Wiring::nodes_of`] for every pod at once, with
    /// the placements looked up by workload once rather than per pod: the
    /// per-pod search is quadratic at 100,000 pods.
    pub fn feasible_nodes(&self, estate: &Estate) -> IdxVec<Pod, Vec<Idx<SimNode>>> {
        let mut by_workload: std::collections::HashMap<Idx<Workload>, Vec<Idx<SimNode>>> = Default::default();
        for p in &self.schedule.placements {
            by_workload
                .entry(p.workload)
                .or_insert_with(|| p.feasible.iter().copied().filter(|&n| !self.fleet.nodes[n].surge).collect());
        }
        // The first node of a name, as `nodes_of` finds it.
        let mut by_name: std::collections::HashMap<&str, Idx<SimNode>> = Default::default();
        for (i, n) in Idx::enumerate(&self.fleet.nodes) {
            by_name.entry(n.name.as_str()).or_insert(i);
        }
        IdxVec::build(&estate.k8s.pods, |i| match &estate.k8s.pods[i].node_name {
            Some(n) => by_name.get(n.as_str()).copied().into_iter().collect(),
            None => by_workload.get(&estate.k8s.pods[i].workload).cloned().unwrap_or_default(),
        })
    }

    fn pod_ip(&self, estate: &Estate, i: Idx<Pod>, n: Idx<SimNode>) -> Option<IpAddr> {
        let pod = &estate.k8s.pods[i];
        if let Some(ip) = pod.ips.first() {
            return Some(*ip);
        }
        if pod.host_network {
            return self.node_ips[n];
        }
        let node = &self.fleet.nodes[n];
        let c = &estate.clusters[node.cluster?];
        match datapath::wire(c) {
            Wire::PodCidrRouted => {
                // A representative inside the node's block, away from its
                // first addresses; wrapped so that a cluster of more pods
                // than the block holds still gets one (any address of the
                // block stands for the block: `possible` is the pod CIDR).
                let b = self.blocks[n]?;
                let set = b.set();
                let len: u128 = set.ip_ranges().map(|r| r.hi - r.lo + 1).sum();
                datapath::nth(&set, 10 + (i.index() as u128) % len.saturating_sub(20).max(1))
            }
            Wire::Vnet | Wire::Overlay => {
                let set = node.pod_addresses.clone()?;
                let len: u128 = set.ip_ranges().map(|r| r.hi - r.lo + 1).sum();
                let k = (i.index() * self.fleet.nodes.len() + n.index()) as u128 + 1;
                (k < len).then(|| datapath::nth(&set, len - k)).flatten()
            }
            Wire::Unknown => None,
        }
    }

    /// Every address node `n` (or a pod on it, `pod`) could have: what a
    /// verdict computed with the representative must hold for.
    pub(crate) fn possible(&self, estate: &Estate, n: Idx<SimNode>, pod: Option<Idx<Pod>>) -> Option<IpSet> {
        let node = &self.fleet.nodes[n];
        match pod {
            Some(i) if !estate.k8s.pods[i].ips.is_empty() => Some(addr_set(estate.k8s.pods[i].ips[0])),
            Some(i) if !estate.k8s.pods[i].host_network => match (&node.pod_addresses, self.blocks[n]) {
                (_, Some(_)) if node.exported.is_none() => {
                    let c = &estate.clusters[node.cluster?];
                    Some(c.network.pod_cidrs.iter().fold(IpSet::empty(), |s, p| s.union(&p.set())))
                }
                (Some(s), _) => Some(s.clone()),
                _ => None,
            },
            _ => match &node.address {
                NodeAddr::Exact(ip) => Some(addr_set(*ip)),
                NodeAddr::OneOf(s) => Some(s.clone()),
                NodeAddr::Unknown(_) => None,
            },
        }
    }
}
