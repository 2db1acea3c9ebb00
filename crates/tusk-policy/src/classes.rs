//! Endpoint equivalence classes: the pods that no policy can tell apart are
//! one class, and addresses outside the cluster are cut into atoms that no
//! policy CIDR splits. Every later step works on class ids, never on pods.
//!
//! A pod's class key is its namespace, the labels that some selector reads
//! (other labels cannot change a verdict), its node when Cilium's `host` /
//! `remote-node` entities or host policies make it matter (see
//! `lang::cilium::needs_nodes`), its named container ports (they
//! resolve named policy ports), and which address atoms its IPs fall in when
//! ipBlocks can select pods. Under that semantics a pod whose IP is not known
//! is split into one *variant* per atom its IP could be in; a verdict holds
//! for the pod only if it holds for every variant (see [`super::matrix`]).
//! Where it could be: the pod's own range when the AKS wiring knows it
//! ([`tusk_model::k8s::Pod::ip_range`]: what the plugin allows on the nodes
//! it can run on; part of the group key), else the pod CIDRs given, else
//! anywhere in IPv4 ([`pod_space`]).

use super::Semantics;
use roaring::RoaringBitmap;
use std::collections::{BTreeSet, HashMap};
use tusk_core::ip::{all_v4, ip_to_u128};
use tusk_core::{Idx, IdxVec, IpRange, IpSet};
use tusk_model::k8s::{AdminPeer, Cluster, ContainerPort, LabelSelector, Labels, Namespace, Node, NpPeer, Pod};

/// Pods that no policy can distinguish.
#[derive(Debug, Clone)]
pub struct Group {
    /// The group's namespace in `Cluster::namespaces`.
    pub namespace: Idx<Namespace>,
    /// The pods run in the node's network namespace.
    pub host_network: bool,
    /// `Some(i)`: every pod of the group runs on declared node `i` (pods are
    /// grouped by node only when a Cilium rule names the `host` or
    /// `remote-node` entity, whose members depend on it); `None` otherwise.
    pub node: Option<Idx<Node>>,
    /// The labels every pod of the group carries (identical across the group).
    pub labels: Labels,
    /// The container ports of its pods, which named ports resolve against.
    pub ports: Vec<ContainerPort>,
    /// Its pods in `Cluster::pods`.
    pub pods: Vec<Idx<Pod>>,
    /// Engine class ids of this group's variants (one unless the IP is unknown).
    pub variants: Vec<u32>,
}

/// What the engine evaluates: a group, with its IP atom fixed when relevant.
#[derive(Debug, Clone)]
pub struct Class {
    /// Its group in [`ClassIndex::groups`].
    pub group: Idx<Group>,
    /// Atom ids of the class's addresses, when ipBlocks can select pods.
    pub ip_atoms: Vec<u32>,
}

/// Pods grouped into equivalence classes, the external address atoms, and
/// the label index the selectors are evaluated against (named apart from
/// the Kubernetes kind `Endpoints`).
#[derive(Debug)]
pub struct ClassIndex {
    /// Every group of pods no policy can tell apart.
    pub groups: Vec<Group>,
    /// Every class the engine evaluates; class `i` has peer id `i`.
    pub classes: Vec<Class>,
    /// External address atoms; atom `i` has peer id `classes.len() + i`.
    pub atoms: Vec<IpRange>,
    /// Each pod's group.
    pub pod_group: IdxVec<Pod, Idx<Group>>,
    /// Each namespace's class ids.
    pub by_namespace: IdxVec<Namespace, RoaringBitmap>,
    label_index: HashMap<String, (RoaringBitmap, HashMap<String, RoaringBitmap>)>,
    /// Atom id → classes whose IP is in that atom.
    by_atom: Vec<RoaringBitmap>,
}

impl ClassIndex {
    /// `host_selectable`: may selectors select hostNetwork pods (the world
    /// in which the plugin treats them as pods)?
    pub fn build(cluster: &Cluster, sem: &Semantics, host_selectable: bool) -> ClassIndex {
        let keys = referenced_label_keys(cluster);
        let atoms = address_atoms(cluster);
        let atom_of = |ip: std::net::IpAddr| -> u32 {
            let v = ip_to_u128(ip);
            atoms.partition_point(|a| a.hi < v) as u32
        };
        let ns_index: HashMap<&str, Idx<Namespace>> =
            Idx::enumerate(&cluster.namespaces).map(|(i, n)| (n.name.as_str(), i)).collect();

        // The last two parts: the Calico profiles a WorkloadEndpoint names,
        // and the pod's node when a Cilium rule names `host` / `remote-node`.
        // Then the address range of a pod without IPs (interned), when the
        // wiring knows it and ipBlocks can select pods.
        type Key = (
            Idx<Namespace>,
            bool,
            Vec<(String, String)>,
            Vec<(Option<String>, u16, tusk_core::Protocol)>,
            Vec<u32>,
            Option<Vec<String>>,
            Option<Idx<Node>>,
            Option<u32>,
        );
        let mut spaces: Vec<&IpSet> = Vec::new();
        let mut space_ids: HashMap<&IpSet, u32> = HashMap::new();
        let mut group_space: Vec<Option<u32>> = Vec::new();
        let by_node = crate::lang::cilium::needs_nodes(cluster);
        let mut group_ids: HashMap<Key, Idx<Group>> = HashMap::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut pod_group = IdxVec::filled(&cluster.pods, Idx::new(0));
        for (pi, pod) in Idx::enumerate(&cluster.pods) {
            let ns = ns_index[pod.namespace.as_str()];
            let mut labels: Vec<(String, String)> = pod
                .labels
                .iter()
                .filter(|(k, _)| keys.contains(k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            // Istio identity (service account, data plane): policies tell
            // such pods apart though no selector reads a label of theirs.
            labels.extend(crate::lang::istio::identity_labels(cluster, pod));
            let mut ports: Vec<_> = pod.ports.iter().map(|p| (p.name.clone(), p.port, p.protocol)).collect();
            ports.sort();
            ports.dedup();
            let mut ip_atoms: Vec<u32> =
                if sem.ipblock_selects_pods { pod.ips.iter().map(|ip| atom_of(*ip)).collect() } else { Vec::new() };
            ip_atoms.sort_unstable();
            ip_atoms.dedup();
            let profiles = cluster.calico.endpoint_profiles.get(&(pod.namespace.clone(), pod.name.clone())).cloned();
            let node = if by_node { crate::lang::cilium::node_of(cluster, pod) } else { None };
            let range = match &pod.ip_range {
                Some(r) if sem.ipblock_selects_pods && pod.ips.is_empty() && !r.is_empty() => {
                    let next = spaces.len() as u32;
                    let id = *space_ids.entry(r).or_insert(next);
                    if id == next {
                        spaces.push(r);
                    }
                    Some(id)
                }
                _ => None,
            };
            let key: Key = (ns, pod.host_network, labels.clone(), ports, ip_atoms, profiles, node, range);
            let next = Idx::new(groups.len());
            let g = *group_ids.entry(key).or_insert(next);
            if g == next {
                group_space.push(range);
                groups.push(Group {
                    host_network: pod.host_network,
                    node,
                    namespace: ns,
                    labels: labels.iter().cloned().collect(),
                    ports: pod.ports.clone(),
                    pods: Vec::new(),
                    variants: Vec::new(),
                });
            }
            groups[g].pods.push(pi);
            pod_group[pi] = g;
        }

        // Variants: a pod with no known IP may hold any address of its space
        // (its range, the pod CIDRs, or IPv4), so each atom of that space
        // is a possible world for it (one per set of policy CIDRs holding it).
        let signatures = atom_signatures(cluster, &atoms);
        let default_space = pod_space(cluster);
        let mut by_space: HashMap<Option<u32>, Vec<u32>> = HashMap::new();
        let mut classes = Vec::new();
        for (gi, g) in groups.iter_mut().enumerate() {
            let gi = Idx::new(gi);
            let known: Vec<u32> = if sem.ipblock_selects_pods {
                let first = &cluster.pods[g.pods[0]];
                let mut a: Vec<u32> = first.ips.iter().map(|ip| atom_of(*ip)).collect();
                a.sort_unstable();
                a.dedup();
                a
            } else {
                Vec::new()
            };
            let worlds: Vec<Vec<u32>> = if sem.ipblock_selects_pods && known.is_empty() {
                let space = group_space[gi.index()];
                let atoms_in = by_space.entry(space).or_insert_with(|| {
                    let set = space.map_or(&default_space, |i| spaces[i as usize]);
                    let some = distinguishable_atoms(&atoms, &signatures, set);
                    // A range no atom meets (never: atoms cover the ranges'
                    // family) would leave the pod no world: keep today's.
                    if some.is_empty() {
                        distinguishable_atoms(&atoms, &signatures, &default_space)
                    } else {
                        some
                    }
                });
                atoms_in.iter().map(|a| vec![*a]).collect()
            } else {
                vec![known]
            };
            for ip_atoms in worlds {
                g.variants.push(classes.len() as u32);
                classes.push(Class { group: gi, ip_atoms });
            }
        }

        let mut by_atom = vec![RoaringBitmap::new(); atoms.len()];
        for (ci, c) in classes.iter().enumerate() {
            for a in &c.ip_atoms {
                by_atom[*a as usize].insert(ci as u32);
            }
        }
        let mut by_namespace = IdxVec::filled(&cluster.namespaces, RoaringBitmap::new());
        let mut label_index: HashMap<String, (RoaringBitmap, HashMap<String, RoaringBitmap>)> = HashMap::new();
        for (ci, c) in classes.iter().enumerate() {
            let g = &groups[c.group];
            if g.host_network && !host_selectable {
                // No selector reaches it: no policy has it as subject, no
                // pod or namespace peer matches it (addresses still do).
                continue;
            }
            by_namespace[g.namespace].insert(ci as u32);
            for (k, v) in &g.labels {
                let e = label_index.entry(k.clone()).or_default();
                e.0.insert(ci as u32);
                e.1.entry(v.clone()).or_default().insert(ci as u32);
            }
        }
        ClassIndex { groups, classes, atoms, pod_group, by_namespace, label_index, by_atom }
    }

    /// The number of classes: the first external atom's peer id.
    pub fn class_count(&self) -> u32 {
        self.classes.len() as u32
    }

    /// Peer id of external atom `i`.
    pub fn atom_peer(&self, i: u32) -> u32 {
        self.class_count() + i
    }

    /// Whether peer id `peer` is an external address atom (not a class).
    pub fn is_atom(&self, peer: u32) -> bool {
        peer >= self.class_count()
    }

    /// Every peer: all classes and all external atoms.
    pub fn universe(&self) -> RoaringBitmap {
        let mut u = RoaringBitmap::new();
        u.insert_range(0..self.class_count() + self.atoms.len() as u32);
        u
    }

    /// The classes of `within` whose labels satisfy `sel`. Each term only
    /// narrows `out`, so the work follows the size of `within`.
    pub fn select_labels_within(&self, sel: &LabelSelector, within: RoaringBitmap) -> RoaringBitmap {
        let mut out = within;
        let empty = (RoaringBitmap::new(), HashMap::new());
        for (k, v) in &sel.match_labels {
            match self.label_index.get(k).and_then(|e| e.1.get(v)) {
                Some(b) => out &= b,
                None => return RoaringBitmap::new(),
            }
        }
        for r in &sel.match_expressions {
            let e = self.label_index.get(&r.key).unwrap_or(&empty);
            // (out ∩ v1) ∪ (out ∩ v2) ...: never builds a cluster-wide union.
            let any_of = |out: &RoaringBitmap| {
                r.values.iter().filter_map(|v| e.1.get(v)).fold(RoaringBitmap::new(), |a, b| a | (out & b))
            };
            use tusk_model::k8s::SelectorOp::*;
            match r.op {
                In => out = any_of(&out),
                NotIn => out -= any_of(&out),
                Exists => out &= &e.0,
                DoesNotExist => out -= &e.0,
            }
        }
        out
    }

    /// The peers (classes and atoms) inside an address set: atoms contained
    /// in it and, when ipBlocks select pods, classes whose IP atom is in it.
    pub fn select_addresses(&self, set: &IpSet, sem: &Semantics) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        // Atoms are sorted and never straddle a boundary of `set`: walk the
        // set's ranges and take the atoms inside each.
        for &(lo, hi) in set.ranges() {
            let first = self.atoms.partition_point(|a| a.hi < lo);
            for i in first..self.atoms.len() {
                if self.atoms[i].lo > hi {
                    break;
                }
                out.insert(self.atom_peer(i as u32));
                if sem.ipblock_selects_pods {
                    out |= &self.by_atom[i];
                }
            }
        }
        out
    }
}

/// Per atom, the policy address sets (indices) containing it.
fn atom_signatures(cluster: &Cluster, atoms: &[IpRange]) -> Vec<Vec<u32>> {
    let sets = policy_address_sets(cluster);
    let mut signature: Vec<Vec<u32>> = vec![Vec::new(); atoms.len()];
    for (si, set) in sets.iter().enumerate() {
        for &(lo, hi) in set.ranges() {
            let first = atoms.partition_point(|a| a.hi < lo);
            for (i, a) in atoms.iter().enumerate().skip(first) {
                if a.lo > hi {
                    break;
                }
                signature[i].push(si as u32);
            }
        }
    }
    signature
}

/// One representative atom of `space` (where a pod without an address may
/// be) per set of policy CIDRs containing it: two atoms inside exactly the
/// same CIDRs are the same world for such a pod, so only one needs
/// evaluating. Cost: a walk of the atoms meeting `space`.
fn distinguishable_atoms(atoms: &[IpRange], signature: &[Vec<u32>], space: &IpSet) -> Vec<u32> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for &(lo, hi) in space.ranges() {
        let first = atoms.partition_point(|a| a.hi < lo);
        for (i, a) in atoms.iter().enumerate().skip(first) {
            if a.lo > hi {
                break;
            }
            if seen.insert(&signature[i]) {
                out.push(i as u32);
            }
        }
    }
    out.sort_unstable();
    out
}

/// Where pods without a known IP and without a range of their own
/// ([`tusk_model::k8s::Pod::ip_range`]) may be: the pod CIDRs when given
/// (and not empty), else anywhere in IPv4.
pub fn pod_space(cluster: &Cluster) -> IpSet {
    cluster.pod_cidrs.clone().filter(|s| !s.is_empty()).unwrap_or_else(all_v4)
}

/// Pod label keys that any selector of any policy reads.
fn referenced_label_keys(cluster: &Cluster) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let mut add = |s: &LabelSelector| {
        keys.extend(s.match_labels.iter().map(|(k, _)| k.clone()));
        keys.extend(s.match_expressions.iter().map(|r| r.key.clone()));
    };
    for p in &cluster.network_policies {
        add(&p.pod_selector);
        for r in p.ingress.iter().chain(&p.egress) {
            for peer in &r.peers {
                if let NpPeer::Pods { pod_selector: Some(s), .. } = peer {
                    add(s);
                }
            }
        }
    }
    for s in cluster.foreign_policies.iter().filter_map(|p| p.subject.as_ref()) {
        add(s);
    }
    for s in crate::lang::istio::selectors(cluster) {
        add(s);
    }
    for p in &cluster.cilium_policies {
        add(&p.subject.pod);
        for r in p.ingress.iter().chain(&p.egress) {
            for peer in r.peers.iter().flatten() {
                if let tusk_model::cilium::CiliumPeer::Endpoints(s) = peer {
                    add(&s.pod);
                }
            }
        }
    }
    for p in cluster.admin_policies.iter().chain(&cluster.baseline_policy) {
        let peers = p.ingress.iter().chain(&p.egress).flat_map(|r| &r.peers);
        for peer in std::iter::once(&p.subject).chain(peers) {
            if let AdminPeer::Pods { pod_selector, .. } = peer {
                add(pod_selector);
            }
        }
    }
    keys.extend(calico_label_keys(cluster));
    keys.extend(crate::lang::istio::gateway_eval::label_keys(cluster));
    keys
}

/// The address atoms of `cluster`: ranges no policy CIDR (and no node
/// address of a node running pods) splits, sorted and disjoint, covering
/// IPv4 (and IPv6 when used). Two addresses in one atom are told apart by
/// no policy peer; the join's class-based matrix keys simulated node
/// addresses by their atom for that reason.
pub fn policy_atoms(cluster: &Cluster) -> Vec<IpRange> {
    address_atoms(cluster)
}

/// Cuts the address space at every boundary of every policy CIDR. IPv4 is
/// always present; IPv6 atoms only when some policy or pod uses IPv6.
fn address_atoms(cluster: &Cluster) -> Vec<IpRange> {
    let sets = policy_address_sets(cluster);
    let v4 = all_v4();
    let uses_v6 = sets.iter().any(|s| !s.is_subset(&v4))
        || cluster.pods.iter().flat_map(|p| &p.ips).any(|ip| ip.is_ipv6())
        || !pod_space(cluster).is_subset(&v4)
        || cluster.pods.iter().filter_map(|p| p.ip_range.as_ref()).any(|r| !r.is_subset(&v4));
    let space = if uses_v6 { IpSet::range(0, u128::MAX) } else { v4 };
    // Every start of a range and every point after its end opens a new atom.
    // The addresses of nodes that run pods are atoms of their own too: the
    // traffic between a pod and its node is always allowed (built-in
    // admission, see `matrix::node_admissions`). They are not policy sets,
    // so they add no address variants for pods without IPs.
    let node_ips = cluster
        .nodes
        .iter()
        .filter(|n| cluster.pods.iter().any(|p| p.node_name.as_deref() == Some(n.name.as_str())))
        .flat_map(|n| &n.ips)
        .map(|ip| tusk_core::ip::addr_set(*ip));
    let node_sets: Vec<IpSet> = node_ips.filter(|s| s.is_subset(&space)).collect();
    let mut cuts: BTreeSet<u128> = BTreeSet::new();
    for s in sets.iter().map(|s| s.as_ref()).chain(&node_sets) {
        for &(lo, hi) in s.ranges() {
            cuts.insert(lo);
            if hi < u128::MAX {
                cuts.insert(hi + 1);
            }
        }
    }
    let mut atoms = Vec::new();
    for &(lo, hi) in space.ranges() {
        let mut start = lo;
        for &c in cuts.range(lo + 1..=hi) {
            atoms.push(IpRange { lo: start, hi: c - 1 });
            start = c;
        }
        atoms.push(IpRange { lo: start, hi });
    }
    atoms
}

/// Every address set a policy peer names (ipBlocks, ANP networks; node
/// addresses when a `nodes` peer exists, so that each is an atom of its own).
fn policy_address_sets(cluster: &Cluster) -> Vec<std::borrow::Cow<'_, IpSet>> {
    use std::borrow::Cow;
    let mut sets: Vec<Cow<IpSet>> = Vec::new();
    let nodes_peer = cluster
        .admin_policies
        .iter()
        .chain(&cluster.baseline_policy)
        .flat_map(|p| &p.egress)
        .any(|r| r.peers.iter().any(|x| matches!(x, AdminPeer::Nodes(_))));
    if nodes_peer {
        for ip in cluster.nodes.iter().flat_map(|n| &n.ips) {
            sets.push(Cow::Owned(tusk_core::ip::addr_set(*ip)));
        }
    }
    // Cilium's CIDRs, and every node address: entities and CIDR rules
    // tell node addresses apart from the world.
    if !cluster.cilium_policies.is_empty() {
        for ip in cluster.nodes.iter().flat_map(|n| &n.ips) {
            sets.push(Cow::Owned(tusk_core::ip::addr_set(*ip)));
        }
        for r in cluster.cilium_policies.iter().flat_map(|p| p.ingress.iter().chain(&p.egress)) {
            for peer in r.peers.iter().flatten() {
                if let tusk_model::cilium::CiliumPeer::Cidr(s) = peer {
                    sets.push(Cow::Borrowed(s));
                }
            }
        }
    }
    for s in &cluster.calico.network_sets {
        sets.push(Cow::Borrowed(&s.nets));
    }
    let calico_rules = cluster.calico.policies.iter().flat_map(|p| p.ingress.iter().chain(&p.egress));
    let profile_rules = cluster.calico.profiles.iter().flat_map(|p| p.ingress.iter().chain(&p.egress));
    for r in calico_rules.chain(profile_rules) {
        for m in [&r.peer, &r.local] {
            sets.extend(m.nets.iter().chain(&m.not_nets).map(Cow::Borrowed));
        }
    }
    // Istio's address matches (ipBlocks, remoteIpBlocks, source.ip):
    // atoms must not straddle them either.
    sets.extend(crate::lang::istio::address_sets(cluster).into_iter().map(Cow::Owned));
    for p in &cluster.network_policies {
        for r in p.ingress.iter().chain(&p.egress) {
            for peer in &r.peers {
                if let NpPeer::IpBlock { addresses, .. } = peer {
                    sets.push(std::borrow::Cow::Borrowed(addresses));
                }
            }
        }
    }
    for p in cluster.admin_policies.iter().chain(&cluster.baseline_policy) {
        for r in &p.egress {
            for peer in &r.peers {
                if let AdminPeer::Networks(s, _) = peer {
                    sets.push(std::borrow::Cow::Borrowed(s));
                }
            }
        }
    }
    sets
}

/// Pod label keys Calico's selectors read (policy selectors, rule selectors
/// and notSelectors, profile rules).
fn calico_label_keys(cluster: &Cluster) -> Vec<String> {
    let mut keys = Vec::new();
    let c = &cluster.calico;
    for p in &c.policies {
        p.selector.keys(&mut keys);
    }
    let rules = c.policies.iter().flat_map(|p| p.ingress.iter().chain(&p.egress));
    for r in rules.chain(c.profiles.iter().flat_map(|p| p.ingress.iter().chain(&p.egress))) {
        for m in [&r.peer, &r.local] {
            for s in m.selector.iter().chain(&m.not_selector) {
                s.keys(&mut keys);
            }
        }
    }
    keys
}
