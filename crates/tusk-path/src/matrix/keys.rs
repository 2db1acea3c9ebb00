//! Context classes: the members of a grain unit (a pod on a node it can
//! run on, or a node hosting the unit's pods) that no segment of the joined
//! path can tell apart, keyed by what each engine reads.
//!
//! The pod part ([`PodKey`]) is what the Kubernetes engine reads of a pod
//! (namespace, labels, named container ports, hostNetwork) plus what pins
//! it to one address or node (exported pod IPs, `hostIP`, `nodeName`).
//! Labels are kept whole: a finer key than the engine's own classes only
//! costs more classes, never a wrong verdict. The pod's address range (set
//! by [`crate::join::wire`]) is part of it, as of the engine's groups.
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
use crate::nodes::SimNode;
use std::collections::HashMap;
use std::net::IpAddr;
use tusk_core::{Idx, IdxVec, IpRange, Protocol};
use tusk_model::aks::{AksCluster, NodePool};
use tusk_model::k8s::Pod;
use tusk_model::Estate;

/// The network context of a node (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeCtx {
    /// Simulated nodes of one pool (cluster and pool indices), whose
    /// representative address lies in policy atom `atom` (`None`: no address).
    Pool {
        /// Index into `Estate::clusters`.
        cluster: Option<Idx<AksCluster>>,
        /// Index into that cluster's pools.
        pool: Option<Idx<NodePool>>,
        /// Index of the policy address atom ([`tusk_policy::classes::policy_atoms`]).
        atom: Option<u32>,
    },
    /// An exported Node (fleet index): its own exact address.
    Node(Idx<SimNode>),
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
    /// The address range of a pod without IPs, which the policy engine
    /// reads for its address variants ([`tusk_model::k8s::Pod::ip_range`]).
    pub ip_range: Option<tusk_core::IpSet>,
}

/// Interned pod keys and node contexts of one estate.
pub struct Keys {
    /// Each pod's interned [`PodKey`] id.
    pub pod: IdxVec<Pod, u32>,
    /// Each fleet node's context.
    pub node: IdxVec<SimNode, NodeCtx>,
    /// How many distinct pod keys there are.
    pub pod_keys: usize,
}

impl Keys {
    /// Interns the pod keys and computes every node's context. Cost: one
    /// pass over pods and nodes, a binary search per node address.
    pub fn new(estate: &Estate, w: &Wiring) -> Keys {
        let mut ids: HashMap<PodKey, u32> = HashMap::new();
        let pod = IdxVec::build(&estate.k8s.pods, |i| {
            let p = &estate.k8s.pods[i];
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
                ip_range: p.ip_range.clone(),
            };
            let next = ids.len() as u32;
            *ids.entry(key).or_insert(next)
        });
        let atoms = tusk_policy::classes::policy_atoms(&estate.k8s);
        let atom = |ip: IpAddr| -> Option<u32> {
            let v = tusk_core::ip::ip_to_u128(ip);
            let i = atoms.partition_point(|a: &IpRange| a.hi < v);
            (i < atoms.len() && atoms[i].lo <= v).then_some(i as u32)
        };
        let node = IdxVec::build(&w.fleet.nodes, |n| {
            let node = &w.fleet.nodes[n];
            match node.exported {
                Some(_) => NodeCtx::Node(n),
                None => NodeCtx::Pool { cluster: node.cluster, pool: node.pool, atom: w.node_ips[n].and_then(atom) },
            }
        });
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

/// The members of one class within one unit: for each node (sorted), up
/// to two distinct pods of the unit standing on it (any is as good as
/// another; two, so that a unit's flow to itself finds a pair of distinct
/// pods where one exists).
#[derive(Debug, Clone, Default)]
pub struct Members {
    /// Per node, sorted by node: its pods ([`OnNode`]).
    pub on: Vec<OnNode>,
}

/// A fleet node, a pod of the unit on it, and another distinct one.
pub type OnNode = (Idx<SimNode>, Idx<Pod>, Option<Idx<Pod>>);

/// One end of a representative pair: (fleet node, pod, replica).
pub type Rep = (Idx<SimNode>, Idx<Pod>, u32);

impl Members {
    /// The nodes, in order.
    pub fn nodes(&self) -> impl Iterator<Item = Idx<SimNode>> + '_ {
        self.on.iter().map(|x| x.0)
    }

    /// A representative pair from `self` to `other` on one node (`same`)
    /// or on two different nodes. With `distinct`, the two ends must be
    /// two pods, not one pod with itself: another pod, or another replica
    /// of a pod entry standing for several (`count(pod)` ≥ 2), as
    /// [`crate::join::pod_members`] lists them. `None` when no such pair
    /// exists. Cost: a merge of the two node lists (`same`), else at most
    /// their product when every candidate is the pod itself.
    pub fn pick(
        &self,
        other: &Members,
        same: bool,
        distinct: bool,
        count: impl Fn(Idx<Pod>) -> u32,
    ) -> Option<(Rep, Rep)> {
        let ends = |a: &OnNode, b: &OnNode| -> Option<(Rep, Rep)> {
            for s in std::iter::once(a.1).chain(a.2) {
                for d in std::iter::once(b.1).chain(b.2) {
                    if !distinct || s != d {
                        return Some(((a.0, s, 0), (b.0, d, 0)));
                    }
                    if count(s) >= 2 {
                        return Some(((a.0, s, 0), (b.0, d, 1)));
                    }
                }
            }
            None
        };
        if same {
            let (mut i, mut j) = (0, 0);
            while i < self.on.len() && j < other.on.len() {
                match self.on[i].0.cmp(&other.on[j].0) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        if let Some(r) = ends(&self.on[i], &other.on[j]) {
                            return Some(r);
                        }
                        i += 1;
                        j += 1;
                    }
                }
            }
            return None;
        }
        for a in &self.on {
            for b in other.on.iter().filter(|b| b.0 != a.0) {
                if let Some(r) = ends(a, b) {
                    return Some(r);
                }
            }
        }
        None
    }
}

/// Node → the first pod met on it and a second distinct one.
pub(super) type OnNodes = std::collections::BTreeMap<Idx<SimNode>, (Idx<Pod>, Option<Idx<Pod>>)>;

/// Members by node: the first pod met on each node, and a second distinct one.
pub(super) fn members(by: OnNodes) -> Members {
    Members { on: by.into_iter().map(|(n, (a, b))| (n, a, b)).collect() }
}

/// Records pod `i` on node `n`: kept as the first or second pod there.
pub(super) fn add(m: &mut OnNodes, n: Idx<SimNode>, i: Idx<Pod>) {
    let e = m.entry(n).or_insert((i, None));
    if e.0 != i && e.1.is_none() {
        e.1 = Some(i);
    }
}

/// The classes of one unit's pods: class → its members.
pub fn pod_classes(
    keys: &Keys,
    w: &Wiring,
    feasible: &IdxVec<Pod, Vec<Idx<SimNode>>>,
    pods: &[Idx<Pod>],
) -> Vec<(PodClass, Members)> {
    let mut by: HashMap<PodClass, OnNodes> = HashMap::new();
    for &i in pods {
        for &n in &feasible[i] {
            let c = PodClass { pod: keys.pod[i], ctx: keys.node[n], wired: w.pod_ips.contains_key(&(i, n)) };
            add(by.entry(c).or_default(), n, i);
        }
    }
    let mut out: Vec<(PodClass, Members)> = by.into_iter().map(|(c, m)| (c, members(m))).collect();
    out.sort_by_key(|a| a.0);
    out
}

/// The node contexts hosting one unit's pods: context → its nodes (each
/// with a pod of the unit on it, for symmetry with [`pod_classes`]).
pub fn node_classes(
    keys: &Keys,
    feasible: &IdxVec<Pod, Vec<Idx<SimNode>>>,
    pods: &[Idx<Pod>],
) -> Vec<(NodeCtx, Members)> {
    let mut by: HashMap<NodeCtx, OnNodes> = HashMap::new();
    for &i in pods {
        for &n in &feasible[i] {
            add(by.entry(keys.node[n]).or_default(), n, i);
        }
    }
    let mut out: Vec<(NodeCtx, Members)> = by.into_iter().map(|(c, m)| (c, members(m))).collect();
    out.sort_by_key(|a| a.0);
    out
}
