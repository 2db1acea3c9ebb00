//! Compiles policies into rules over peer bitmaps: every selector is
//! evaluated once against the label index (and cached), every subject is
//! inverted into per-class rule lists, so evaluation never looks at a label.

use super::classes::Endpoints;
use super::Semantics;
use roaring::RoaringBitmap;
use std::collections::HashMap;
use tusk_core::{ConnSet, PortSet};
use tusk_model::k8s::{AdminAction, AdminPeer, Cluster, ContainerPort, LabelSelector, NpPeer, PolicyPort};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Ingress,
    Egress,
}

/// Where a compiled rule came from, for explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleOrigin {
    /// `cluster.admin_policies[policy]`, rule index in that direction.
    Admin {
        policy: u32,
        rule: u32,
    },
    Baseline {
        rule: u32,
    },
    Np {
        policy: u32,
        rule: u32,
    },
}

#[derive(Debug)]
pub struct Rule {
    pub origin: RuleOrigin,
    pub action: AdminAction,
    pub peers: RoaringBitmap,
    /// Peers the rule may or may not match, for want of input (an ANP
    /// `nodes` peer when node addresses are unknown). Usually empty.
    pub maybe: RoaringBitmap,
    pub ports: Vec<PolicyPort>,
    /// The AdminNetworkPolicy's priority (`None` for other layers): rules
    /// of policies sharing one are in an undefined order.
    pub priority: Option<u32>,
}

/// The rules that apply to one class in one direction, in evaluation order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Applied {
    /// AdminNetworkPolicy rules, by priority then rule order.
    pub admin: Vec<u32>,
    /// `Some` when some NetworkPolicy isolates the class in this direction.
    pub np: Option<Vec<u32>>,
    pub baseline: Vec<u32>,
}

#[derive(Debug)]
pub struct Compiled {
    pub rules: Vec<Rule>,
    /// `[ingress, egress]` rule lists per class.
    pub applied: Vec<[Applied; 2]>,
}

pub fn dir_index(d: Direction) -> usize {
    match d {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

struct Selector<'a> {
    cluster: &'a Cluster,
    ep: &'a Endpoints,
    sem: &'a Semantics,
    ns_cache: HashMap<LabelSelector, RoaringBitmap>,
    /// [`Selector::namespaces_np`]'s (sure, maybe) per selector.
    ns_np_cache: HashMap<LabelSelector, (RoaringBitmap, RoaringBitmap)>,
    any_undeclared: bool,
    ns_index: HashMap<&'a str, usize>,
}

impl Selector<'_> {
    /// Classes in the namespaces whose labels match.
    fn namespaces(&mut self, sel: &LabelSelector) -> RoaringBitmap {
        if let Some(b) = self.ns_cache.get(sel) {
            return b.clone();
        }
        let mut b = RoaringBitmap::new();
        for (i, ns) in self.cluster.namespaces.iter().enumerate() {
            if sel.matches(&ns.labels) {
                b |= &self.ep.by_namespace[i];
            }
        }
        self.ns_cache.insert(sel.clone(), b.clone());
        b
    }

    /// Classes in the namespaces a NetworkPolicy namespaceSelector surely
    /// selects, and in those it may select: a namespace no input declares
    /// may carry labels besides its name (when the semantics say so).
    fn namespaces_np(&mut self, sel: &LabelSelector) -> (RoaringBitmap, RoaringBitmap) {
        if !self.sem.undeclared_namespaces_open || !self.any_undeclared {
            return (self.namespaces(sel), RoaringBitmap::new());
        }
        if let Some(b) = self.ns_np_cache.get(sel) {
            return b.clone();
        }
        let (mut sure, mut maybe) = (RoaringBitmap::new(), RoaringBitmap::new());
        for (i, ns) in self.cluster.namespaces.iter().enumerate() {
            let m = if ns.loc.is_some() { Some(sel.matches(&ns.labels)) } else { sel.matches_known(&ns.labels) };
            match m {
                Some(true) => sure |= &self.ep.by_namespace[i],
                Some(false) => {}
                None => maybe |= &self.ep.by_namespace[i],
            }
        }
        self.ns_np_cache.insert(sel.clone(), (sure.clone(), maybe.clone()));
        (sure, maybe)
    }

    /// The classes among `within` (a namespace's, usually) that `sel`
    /// selects: the cost follows `within`, not the whole cluster.
    fn pods(&self, within: RoaringBitmap, sel: &LabelSelector) -> RoaringBitmap {
        self.ep.select_labels_within(sel, within)
    }

    fn in_namespace(&self, ns: &str) -> RoaringBitmap {
        match self.ns_index.get(ns) {
            Some(&i) => self.ep.by_namespace[i].clone(),
            None => RoaringBitmap::new(),
        }
    }

    /// The peers an admin peer selects: (surely, maybe).
    fn admin_peer(&mut self, p: &AdminPeer) -> (RoaringBitmap, RoaringBitmap) {
        let sure = match p {
            AdminPeer::Namespaces(ns) => self.namespaces(ns),
            AdminPeer::Pods { namespace_selector, pod_selector } => {
                let ns = self.namespaces(namespace_selector);
                self.pods(ns, pod_selector)
            }
            AdminPeer::Networks(set, _) => self.ep.select_addresses(set, self.sem),
            AdminPeer::Nodes(sel) => {
                let selected: Vec<_> = self.cluster.nodes.iter().filter(|n| sel.matches(&n.labels)).collect();
                // Without Node objects, or with selected nodes whose
                // addresses the input lacks, any outside address may be a
                // node's: the rule may match any of them.
                if self.cluster.nodes.is_empty() || selected.iter().any(|n| n.ips.is_empty()) {
                    let mut maybe = RoaringBitmap::new();
                    maybe.insert_range(self.ep.class_count()..self.ep.class_count() + self.ep.atoms.len() as u32);
                    return (RoaringBitmap::new(), maybe);
                }
                let mut set = tusk_core::IpSet::empty();
                for ip in selected.iter().flat_map(|n| &n.ips) {
                    set = set.union(&tusk_core::ip::addr_set(*ip));
                }
                self.ep.select_addresses(&set, self.sem)
            }
        };
        (sure, RoaringBitmap::new())
    }
}

pub fn compile(cluster: &Cluster, ep: &Endpoints, sem: &Semantics) -> Compiled {
    let ns_index = cluster.namespaces.iter().enumerate().map(|(i, n)| (n.name.as_str(), i)).collect();
    let any_undeclared = cluster.namespaces.iter().any(|n| n.loc.is_none());
    let mut s =
        Selector { cluster, ep, sem, ns_cache: HashMap::new(), ns_np_cache: HashMap::new(), any_undeclared, ns_index };
    let mut rules = Vec::new();
    let mut applied = vec![[Applied::default(), Applied::default()]; ep.classes.len()];

    // AdminNetworkPolicies: lower priority number first (network-policy-api:
    // "the lower the number, the higher the precedence").
    let mut order: Vec<usize> = (0..cluster.admin_policies.len()).collect();
    order.sort_by_key(|&i| cluster.admin_policies[i].priority);
    let admin = order.iter().map(|&i| (i, &cluster.admin_policies[i], false));
    let baseline = cluster.baseline_policy.iter().map(|p| (0, p, true));
    for (pi, p, is_baseline) in admin.chain(baseline) {
        let subject = s.admin_peer(&p.subject).0;
        for (dir, list) in [(Direction::Ingress, &p.ingress), (Direction::Egress, &p.egress)] {
            for (ri, r) in list.iter().enumerate() {
                let (mut peers, mut maybe) = (RoaringBitmap::new(), RoaringBitmap::new());
                for peer in &r.peers {
                    let (sure, may) = s.admin_peer(peer);
                    peers |= sure;
                    maybe |= may;
                }
                maybe -= &peers;
                let origin = if is_baseline {
                    RuleOrigin::Baseline { rule: ri as u32 }
                } else {
                    RuleOrigin::Admin { policy: pi as u32, rule: ri as u32 }
                };
                let id = rules.len() as u32;
                let priority = if is_baseline { None } else { p.priority };
                rules.push(Rule { origin, action: r.action, peers, maybe, ports: r.ports.clone(), priority });
                for c in &subject {
                    let a = &mut applied[c as usize][dir_index(dir)];
                    if is_baseline {
                        a.baseline.push(id);
                    } else {
                        a.admin.push(id);
                    }
                }
            }
        }
    }

    for (pi, p) in cluster.network_policies.iter().enumerate() {
        let subject = s.pods(s.in_namespace(&p.namespace), &p.pod_selector);
        for (dir, isolates, list) in
            [(Direction::Ingress, p.isolates_ingress, &p.ingress), (Direction::Egress, p.isolates_egress, &p.egress)]
        {
            if !isolates {
                // Rules of a direction the policy does not list in policyTypes
                // have no effect (NetworkPolicySpec.policyTypes).
                continue;
            }
            let mut ids = Vec::new();
            for (ri, r) in list.iter().enumerate() {
                let (mut peers, mut maybe) = (RoaringBitmap::new(), RoaringBitmap::new());
                if r.peers.is_empty() {
                    peers = ep.universe();
                }
                for peer in &r.peers {
                    match peer {
                        NpPeer::Pods { namespace_selector, pod_selector, .. } => {
                            let (ns, ns_maybe) = match namespace_selector {
                                Some(sel) => s.namespaces_np(sel),
                                None => (s.in_namespace(&p.namespace), RoaringBitmap::new()),
                            };
                            match pod_selector {
                                Some(sel) => {
                                    peers |= s.pods(ns, sel);
                                    if !ns_maybe.is_empty() {
                                        maybe |= s.pods(ns_maybe, sel);
                                    }
                                }
                                None => {
                                    peers |= ns;
                                    maybe |= ns_maybe;
                                }
                            }
                        }
                        NpPeer::IpBlock { addresses, .. } => peers |= ep.select_addresses(addresses, sem),
                    }
                }
                maybe -= &peers;
                let origin = RuleOrigin::Np { policy: pi as u32, rule: ri as u32 };
                ids.push(rules.len() as u32);
                rules.push(Rule {
                    origin,
                    action: AdminAction::Allow,
                    peers,
                    maybe,
                    ports: r.ports.clone(),
                    priority: None,
                });
            }
            for c in &subject {
                let a = &mut applied[c as usize][dir_index(dir)];
                a.np.get_or_insert_with(Vec::new).extend(&ids);
            }
        }
    }
    Compiled { rules, applied }
}

/// The connections a port list allows toward a pod with `ports` (named ports
/// resolve on it); `None` for a destination that is not a pod.
pub fn resolve_ports(list: &[PolicyPort], ports: Option<&[ContainerPort]>) -> ConnSet {
    if list.is_empty() {
        return ConnSet::all();
    }
    let mut c = ConnSet::none();
    for p in list {
        let add = match p {
            PolicyPort::All(proto) => ConnSet::of(*proto, PortSet::all_ports()),
            PolicyPort::Range(proto, lo, hi) => ConnSet::of(*proto, PortSet::range(*lo, *hi)),
            PolicyPort::Named(proto, name) => {
                let mut n = ConnSet::none();
                for cp in ports.unwrap_or_default() {
                    if cp.name.as_deref() == Some(name) && proto.is_none_or(|p| p == cp.protocol) {
                        n = n.union(&ConnSet::of(cp.protocol, PortSet::single(cp.port)));
                    }
                }
                n
            }
        };
        c = c.union(&add);
    }
    c
}

pub fn has_named(list: &[PolicyPort]) -> bool {
    list.iter().any(|p| matches!(p, PolicyPort::Named(..)))
}

/// The orders in which admin rules may run. network-policy-api leaves the
/// order of AdminNetworkPolicies of one priority undefined; for one flow the
/// outcome of such a group is the action of whichever matching policy runs
/// first, so the rotations of each group (all groups rotated together, as
/// only one group decides a given flow) realise every possible outcome.
/// `policy_of(rule)` and `priority_of(rule)` read a rule's policy and priority.
pub fn admin_orders(
    admin: &[u32],
    policy_of: impl Fn(u32) -> u32,
    priority_of: impl Fn(u32) -> Option<u32>,
) -> Vec<Vec<u32>> {
    // Runs of one policy's rules, then runs of one priority's policies.
    let mut groups: Vec<Vec<Vec<u32>>> = Vec::new();
    let mut last: Option<(Option<u32>, u32)> = None;
    for &id in admin {
        let key = (priority_of(id), policy_of(id));
        match (last, groups.last_mut()) {
            (Some(l), Some(g)) if l == key => g.last_mut().expect("a group holds a policy").push(id),
            (Some((pr, _)), Some(g)) if pr == key.0 && pr.is_some() => g.push(vec![id]),
            _ => groups.push(vec![vec![id]]),
        }
        last = Some(key);
    }
    let ways = groups.iter().map(Vec::len).max().unwrap_or(1);
    (0..ways)
        .map(|t| {
            groups
                .iter()
                .flat_map(|g| {
                    let k = g.len();
                    (0..k).flat_map(move |i| g[(i + t) % k].iter().copied())
                })
                .collect()
        })
        .collect()
}
