//! The readings of one flow that the inputs leave open, for the plain
//! evaluator: which order AdminNetworkPolicies of one priority run in,
//! whether outside addresses may be node addresses (a `nodes` peer without
//! Node addresses), and which address a pod the input gives no IP has.
//!
//! `explain` evaluates each side of the flow in every reading open to it
//! (the egress side's peer is the destination, so only the destination's
//! address matters there, and the reverse at ingress): a verdict that holds
//! in all is definite, one that differs is unknown with the readings named.
//! It must not stop at the first rule it cannot decide, since a later rule
//! (or another reading) may decide the flow either way. Shares no code with
//! the class engine, which it is the reference for.

use super::Semantics;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::IpAddr;
use tusk_core::ip::u128_to_ip;
use tusk_core::{Idx, IpSet};
use tusk_model::k8s::{AdminPeer, Cluster, NpPeer, Pod};

/// One reading of what the inputs leave open.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// Rotation of each group of AdminNetworkPolicies sharing a priority.
    pub order: usize,
    /// What the inputs lack is matched: outside addresses by `nodes` peers
    /// whose nodes have no known address, pods of undeclared namespaces by
    /// NetworkPolicy namespaceSelectors on labels other than the name (the
    /// engine's `maybe` peers, all matched together).
    pub wide: bool,
    /// An address assumed for a pod the input gives none.
    pub assumed: Vec<(Idx<Pod>, IpAddr)>,
    /// What this reading assumes, for the reason of an unknown verdict.
    pub label: crate::reason::ReadingLabel,
}

impl Reading {
    /// The address this reading assumes for pod `pod`, if any.
    pub fn ip_of(&self, pod: Idx<Pod>) -> Option<IpAddr> {
        self.assumed.iter().find(|(p, _)| *p == pod).map(|(_, ip)| *ip)
    }
}

/// How many orders the groups of equal-priority AdminNetworkPolicies make:
/// the size of the largest group (their rotations realise every outcome).
pub fn order_count(c: &Cluster) -> usize {
    let mut by: BTreeMap<Option<u32>, usize> = BTreeMap::new();
    for p in &c.admin_policies {
        *by.entry(p.priority).or_default() += 1;
    }
    by.values().copied().max().unwrap_or(1).max(1)
}

/// Does the input leave a peer's match open: `nodes` peers without Node
/// addresses, or NetworkPolicy namespaceSelectors with namespaces no input
/// declares (which may carry labels besides their name)?
fn open_world(c: &Cluster, sem: &Semantics) -> bool {
    let undeclared = sem.undeclared_namespaces_open
        && c.namespaces.iter().any(|n| n.loc.is_none())
        && c.network_policies
            .iter()
            .flat_map(|p| p.ingress.iter().chain(&p.egress))
            .flat_map(|r| &r.peers)
            .any(|peer| matches!(peer, NpPeer::Pods { namespace_selector: Some(_), .. }));
    undeclared || nodes_open(c)
}

/// Do `nodes` peers leave outside addresses open (no Node addresses)?
fn nodes_open(c: &Cluster) -> bool {
    let has_nodes_peer = c
        .admin_policies
        .iter()
        .chain(&c.baseline_policy)
        .flat_map(|p| &p.egress)
        .any(|r| r.peers.iter().any(|x| matches!(x, AdminPeer::Nodes(_))));
    has_nodes_peer && (c.nodes.is_empty() || c.nodes.iter().any(|n| n.ips.is_empty()))
}

/// Every address set a policy names, as the evaluator matches them.
fn address_sets(c: &Cluster) -> Vec<IpSet> {
    let mut sets = Vec::new();
    for p in &c.network_policies {
        for peer in p.ingress.iter().chain(&p.egress).flat_map(|r| &r.peers) {
            if let NpPeer::IpBlock { addresses, .. } = peer {
                sets.push(addresses.clone());
            }
        }
    }
    let mut nodes_peer = false;
    for p in c.admin_policies.iter().chain(&c.baseline_policy) {
        for peer in p.egress.iter().flat_map(|r| &r.peers) {
            match peer {
                AdminPeer::Networks(s, _) => sets.push(s.clone()),
                AdminPeer::Nodes(_) => nodes_peer = true,
                _ => {}
            }
        }
    }
    if nodes_peer {
        sets.extend(c.nodes.iter().flat_map(|n| &n.ips).map(|ip| tusk_core::ip::addr_set(*ip)));
    }
    // Istio's ipBlocks read pods' addresses too.
    sets.extend(super::lang::istio::address_sets(c));
    sets
}

/// One address per region of the pod address space (IPv4, or the pod
/// CIDRs when given) that no policy address set tells apart from another.
pub fn candidate_ips(c: &Cluster) -> Vec<IpAddr> {
    candidate_ips_in(c, &super::classes::pod_space(c))
}

/// One address per region of `space` (where a pod without an address may
/// be: its own range, [`tusk_model::k8s::Pod::ip_range`], or the pod space)
/// that no policy address set tells apart from another.
pub fn candidate_ips_in(c: &Cluster, space: &IpSet) -> Vec<IpAddr> {
    let sets = address_sets(c);
    let mut cuts: BTreeSet<u128> = space.ranges().iter().map(|r| r.0).collect();
    for s in &sets {
        for &(lo, hi) in s.ranges() {
            cuts.insert(lo);
            cuts.insert(hi.saturating_add(1));
        }
    }
    let mut seen: HashSet<Vec<usize>> = HashSet::new();
    let mut out = Vec::new();
    for v in cuts {
        if !space.contains(v) {
            continue;
        }
        let signature: Vec<usize> = (0..sets.len()).filter(|&i| sets[i].contains(v)).collect();
        if seen.insert(signature) {
            out.push(u128_to_ip(v));
        }
    }
    out
}

/// Every reading of a flow between `ends` (the pods, when pods).
pub fn readings(c: &Cluster, sem: &Semantics, ends: [Option<Idx<Pod>>; 2]) -> Vec<Reading> {
    let mut out = vec![Reading::default()];
    let unknown_ip: Vec<Idx<Pod>> = if sem.ipblock_selects_pods {
        let mut v: Vec<Idx<Pod>> = ends.iter().flatten().copied().filter(|&i| c.pods[i].ips.is_empty()).collect();
        v.dedup();
        v
    } else {
        Vec::new()
    };
    if !unknown_ip.is_empty() {
        for pod in unknown_ip {
            let p = &c.pods[pod];
            // The pod's own range (set by the AKS wiring), as the class
            // engine's variants read it; else the pod space.
            let own = p.ip_range.as_ref().filter(|r| !r.is_empty()).map(|r| candidate_ips_in(c, r));
            let ips = match own {
                Some(v) if !v.is_empty() => v,
                _ => candidate_ips(c),
            };
            out = out
                .into_iter()
                .flat_map(|r| {
                    ips.clone().into_iter().map(move |ip| {
                        let mut r = r.clone();
                        r.assumed.push((pod, ip));
                        r.label.pods.push((format!("{}/{}", p.namespace, p.name), ip));
                        r
                    })
                })
                .collect();
        }
    }
    if open_world(c, sem) {
        out = out
            .into_iter()
            .flat_map(|r| {
                [false, true].map(|w| {
                    let mut r = r.clone();
                    r.wide = w;
                    r.label.wide = Some(w);
                    r
                })
            })
            .collect();
    }
    let orders = order_count(c);
    if orders > 1 {
        out = out
            .into_iter()
            .flat_map(|r| {
                (0..orders).map(move |o| {
                    let mut r = r.clone();
                    r.order = o;
                    r.label.order = Some(o);
                    r
                })
            })
            .collect();
    }
    out
}

/// Rotates each run of equal priority in a priority-sorted list by `order`.
pub fn rotate<T>(sorted: Vec<T>, order: usize, priority: impl Fn(&T) -> Option<u32>) -> Vec<T> {
    let mut groups: Vec<Vec<T>> = Vec::new();
    for x in sorted {
        match groups.last_mut() {
            Some(g) if priority(&g[0]) == priority(&x) => g.push(x),
            _ => groups.push(vec![x]),
        }
    }
    groups
        .into_iter()
        .flat_map(|mut g| {
            let k = g.len();
            g.rotate_left(order % k);
            g
        })
        .collect()
}
