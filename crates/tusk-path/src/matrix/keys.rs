//! Context classes: the members of a grain unit (a pod on a node it can
//! run on, or a node hosting the unit's pods) that no segment of the joined
//! path can tell apart, keyed by what each engine reads.
//!
//! The pod part ([`PodKey`]) is what the Kubernetes engine reads of a pod
//! (namespace, labels, named container ports, hostNetwork) plus what pins
//! it to one address or node (exported pod IPs, `hostIP`, `nodeName`).
//! Labels are kept whole: a finer key than the engine's own classes only
//! costs more classes, never a wrong verdict.
//!
//! The node part ([`NodeCtx`]) is the node's network context. Simulated
//! nodes of one pool share the subnet (hence NSG and route table), the
//! cluster's plugin and masquerade ranges, and the set of addresses AKS may
//! give them; the join evaluates each through a representative address and
//! makes a pair unknown when a rule splits that set
//! ([`crate::datapath::splits`]), so the representatives differ only in the
//! policy address atom they fall in (an ipBlock naming part of the subnet),
//! which is part of the key. An exported node has an exact address and is
//! a context of its own.

use crate::join::Wiring;
use std::collections::HashMap;
use std::net::IpAddr;
use tusk_core::{IpRange, Protocol};
use tusk_model::Estate;

/// The network context of a node (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeCtx {
    /// Simulated nodes of one pool (cluster and pool indices), whose
    /// representative address lies in policy atom `atom` (`None`: no address).
    Pool {
        /// Index into `Estate::clusters`.
        cluster: Option<usize>,
        /// Index into that cluster's pools.
        pool: Option<usize>,
        /// Index of the policy address atom ([`tusk_policy::classes::policy_atoms`]).
        atom: Option<u32>,
    },
    /// An exported Node (fleet index): its own exact address.
    Node(usize),
}

/// What the policy engines can tell apart about a pod, and what pins it to
/// an address or a node.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PodKey {
    /// The pod's namespace.
    pub namespace: String,
    /// Every label, sorted (whole: finer than the engine's classes, never coarser).
    pub labels: Vec<(String, String)>,
    /// Container ports (name, number, protocol), sorted: they resolve named policy ports.
    pub ports: Vec<(Option<String>, u16, Protocol)>,
    /// `spec.hostNetwork`.
    pub host_network: bool,
    /// Exported `status.podIPs`.
    pub ips: Vec<IpAddr>,
    /// Exported `status.hostIP`.
    pub host_ip: Option<IpAddr>,
    /// `spec.nodeName`.
    pub node_name: Option<String>,
}

/// Interned pod keys and node contexts of one estate.
pub struct Keys {
    /// Pod index → interned [`PodKey`] id.
    pub pod: Vec<u32>,
    /// Fleet node index → its context.
    pub node: Vec<NodeCtx>,
    /// How many distinct pod keys there are.
    pub pod_keys: usize,
}

impl Keys {
    /// Interns the pod keys and computes every node's context. Cost: one
    /// pass over pods and nodes, a binary search per node address.
    pub fn new(estate: &Estate, w: &Wiring) -> Keys {
        let mut ids: HashMap<PodKey, u32> = HashMap::new();
        let pod = estate
            .k8s
            .pods
            .iter()
            .map(|p| {
                let mut labels: Vec<(String, String)> = p.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                labels.sort();
                let mut ports: Vec<_> = p.ports.iter().map(|c| (c.name.clone(), c.port, c.protocol)).collect();
                ports.sort();
                let key = PodKey {
                    namespace: p.namespace.clone(),
                    labels,
                    ports,
                    host_network: p.host_network,
                    ips: p.ips.clone(),
                    host_ip: p.host_ip,
                    node_name: p.node_name.clone(),
                };
                let next = ids.len() as u32;
                *ids.entry(key).or_insert(next)
            })
            .collect();
        let atoms = tusk_policy::classes::policy_atoms(&estate.k8s);
        let atom = |ip: IpAddr| -> Option<u32> {
            let v = tusk_core::ip::ip_to_u128(ip);
            let i = atoms.partition_point(|a: &IpRange| a.hi < v);
            (i < atoms.len() && atoms[i].lo <= v).then_some(i as u32)
        };
        let node = w
            .fleet
            .nodes
            .iter()
            .enumerate()
            .map(|(n, node)| match node.exported {
                Some(_) => NodeCtx::Node(n),
                None => NodeCtx::Pool { cluster: node.cluster, pool: node.pool, atom: w.node_ips[n].and_then(atom) },
            })
            .collect();
        Keys { pod, node, pod_keys: ids.len() }
    }
}

/// A context class of pods: one pod key, on nodes of one context, with or
/// without a representative address there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PodClass {
    /// Interned [`PodKey`] id.
    pub pod: u32,
    /// The nodes' network context.
    pub ctx: NodeCtx,
    /// The wiring gave the pod an address on these nodes.
    pub wired: bool,
}

/// The members of one class within one unit: for each node (sorted), one
/// pod of the unit standing on it (any is as good as another).
#[derive(Debug, Clone, Default)]
pub struct Members {
    /// (fleet node index, pod index), sorted by node.
    pub on: Vec<(usize, usize)>,
}

impl Members {
    /// The nodes, in order.
    pub fn nodes(&self) -> impl Iterator<Item = usize> + '_ {
        self.on.iter().map(|x| x.0)
    }

    /// A node both hold, with each side's pod there.
    pub fn shared(&self, other: &Members) -> Option<(usize, usize, usize)> {
        let (mut i, mut j) = (0, 0);
        while i < self.on.len() && j < other.on.len() {
            match self.on[i].0.cmp(&other.on[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => return Some((self.on[i].0, self.on[i].1, other.on[j].1)),
            }
        }
        None
    }

    /// Two different nodes, one from each side, with their pods.
    pub fn apart(&self, other: &Members) -> Option<((usize, usize), (usize, usize))> {
        for a in self.on.iter().take(2) {
            if let Some(b) = other.on.iter().find(|b| b.0 != a.0) {
                return Some((*a, *b));
            }
        }
        None
    }
}

/// The classes of one unit's pods: class → its members.
pub fn pod_classes(keys: &Keys, w: &Wiring, feasible: &[Vec<usize>], pods: &[usize]) -> Vec<(PodClass, Members)> {
    let mut by: HashMap<PodClass, std::collections::BTreeMap<usize, usize>> = HashMap::new();
    for &i in pods {
        for &n in &feasible[i] {
            let c = PodClass { pod: keys.pod[i], ctx: keys.node[n], wired: w.pod_ips.contains_key(&(i, n)) };
            by.entry(c).or_default().entry(n).or_insert(i);
        }
    }
    let mut out: Vec<(PodClass, Members)> =
        by.into_iter().map(|(c, m)| (c, Members { on: m.into_iter().collect() })).collect();
    out.sort_by_key(|a| a.0);
    out
}

/// The node contexts hosting one unit's pods: context → its nodes (each
/// with a pod of the unit on it, for symmetry with [`pod_classes`]).
pub fn node_classes(keys: &Keys, feasible: &[Vec<usize>], pods: &[usize]) -> Vec<(NodeCtx, Members)> {
    let mut by: HashMap<NodeCtx, std::collections::BTreeMap<usize, usize>> = HashMap::new();
    for &i in pods {
        for &n in &feasible[i] {
            by.entry(keys.node[n]).or_default().entry(n).or_insert(i);
        }
    }
    let mut out: Vec<(NodeCtx, Members)> =
        by.into_iter().map(|(c, m)| (c, Members { on: m.into_iter().collect() })).collect();
    out.sort_by_key(|a| a.0);
    out
}
