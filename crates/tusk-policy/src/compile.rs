//! Compiles policies into rules over peer bitmaps: every selector is
//! evaluated once against the label index (and cached), every subject is
//! inverted into per-class rule lists, so evaluation never looks at a label.

use super::classes::ClassIndex;
use super::lang;
use super::tier::{plan, Language, Tier};
use super::Semantics;
use roaring::RoaringBitmap;
use std::collections::HashMap;
use tusk_core::{ConnSet, Idx, PortSet};
use tusk_model::k8s::{AdminAction, AdminPeer, Cluster, ContainerPort, LabelSelector, Namespace, PolicyPort};

/// A policy rule's direction, as NetworkPolicy's `policyTypes` name it
/// ("Network Policies", kubernetes.io/docs/concepts/services-networking/network-policies/).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Traffic into the selected pods (`ingress` rules; peers are sources).
    Ingress,
    /// Traffic out of the selected pods (`egress` rules; peers are destinations).
    Egress,
}

/// Where a compiled rule came from, for explanations: the tier (index into
/// [`Compiled::tiers`]), the policy (index into the language's list in the
/// cluster) and the rule's position in that direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleOrigin {
    /// Its tier in [`Compiled::tiers`].
    pub tier: Idx<Tier>,
    /// Index of the policy in its language's list in the cluster.
    pub policy: u32,
    /// The rule's position among the policy's rules of its direction.
    pub rule: u32,
}

/// One policy rule over peer bitmaps: what it does to which peers on which
/// ports.
#[derive(Debug)]
pub struct Rule {
    /// Where it came from, for explanations.
    pub origin: RuleOrigin,
    /// Allow, Deny or Pass (NetworkPolicy rules are all Allow; Pass is the
    /// AdminNetworkPolicy action that hands the flow to the next tier).
    pub action: AdminAction,
    /// The peers (classes and external atoms, by peer id) the rule surely
    /// matches.
    pub peers: RoaringBitmap,
    /// Peers the rule may or may not match, for want of input (an ANP
    /// `nodes` peer when node addresses are unknown, a Cilium L7 rule that
    /// the flow's L4 view cannot decide). Usually empty.
    pub maybe: RoaringBitmap,
    /// The ports it matches; empty means every port and protocol.
    pub ports: Vec<PolicyPort>,
    /// The AdminNetworkPolicy's priority (`None` for other languages):
    /// rules of policies sharing one are in an undefined order.
    pub priority: Option<u32>,
}

/// The rules that apply to one class in one direction: per tier that
/// selects the class, in tier order. A tier absent here does not select the
/// class; a present one with no rules selects it (a NetworkPolicy that
/// isolates and allows nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Applied {
    /// Each tier that selects the class, in tier order.
    pub tiers: Vec<Selected>,
}

/// One tier's hold on a class in one direction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selected {
    /// The tier in [`Compiled::tiers`].
    pub tier: Idx<Tier>,
    /// Does some policy of the tier put the class into default deny? Only
    /// a deny-wins tier reads it: a CiliumNetworkPolicy with
    /// `enableDefaultDeny: false` adds rules without closing the endpoint.
    pub closed: bool,
    /// Rule ids in evaluation order.
    pub rules: Vec<Idx<Rule>>,
}

impl Applied {
    /// Every rule id, in tier order.
    pub fn ids(&self) -> impl Iterator<Item = Idx<Rule>> + '_ {
        self.tiers.iter().flat_map(|t| t.rules.iter().copied())
    }
}

/// Every policy of a cluster compiled for one class index.
#[derive(Debug)]
pub struct Compiled {
    /// The tiers in evaluation order (admin, NetworkPolicy or a plugin's own,
    /// baseline, ...; see [`crate::tier`]).
    pub tiers: Vec<Tier>,
    /// Every rule; rule ids index this list.
    pub rules: Vec<Rule>,
    /// `[ingress, egress]` rule lists per class.
    pub applied: Vec<[Applied; 2]>,
}

/// What the per-language compilers of [`super::lang`] write into.
pub struct Builder<'a> {
    /// What the selectors are evaluated against.
    pub sel: Selector<'a>,
    /// The rules written so far; ids index this list.
    pub rules: Vec<Rule>,
    /// `[ingress, egress]` rule lists per class, as [`Compiled::applied`].
    pub applied: Vec<[Applied; 2]>,
}

impl Builder<'_> {
    /// Adds `rule` and returns its id.
    pub fn push(&mut self, rule: Rule) -> Idx<Rule> {
        self.rules.push(rule);
        Idx::new(self.rules.len() - 1)
    }

    /// Records that `tier` selects the classes of `subject` in `dir`, with
    /// the rules `ids` (appended after the tier's earlier ones), closing
    /// them (default deny) when `closed`.
    pub fn apply(&mut self, tier: Idx<Tier>, subject: &RoaringBitmap, dir: Direction, ids: &[Idx<Rule>], closed: bool) {
        for c in subject {
            let a = &mut self.applied[c as usize][dir_index(dir)];
            match a.tiers.last_mut() {
                Some(t) if t.tier == tier => {
                    t.rules.extend_from_slice(ids);
                    t.closed |= closed;
                }
                _ => a.tiers.push(Selected { tier, closed, rules: ids.to_vec() }),
            }
        }
    }
}

/// The slot of `d` in a `[ingress, egress]` pair: 0 for ingress, 1 for egress.
pub fn dir_index(d: Direction) -> usize {
    match d {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

/// Evaluates label selectors to class bitmaps, with caches.
pub struct Selector<'a> {
    /// The cluster whose namespaces and pods are selected.
    pub cluster: &'a Cluster,
    /// The classes the selectors resolve to.
    pub ep: &'a ClassIndex,
    /// How the enforcing plugin reads what upstream leaves open.
    pub sem: &'a Semantics,
    ns_cache: HashMap<LabelSelector, RoaringBitmap>,
    /// [`Selector::namespaces_np`]'s (sure, maybe) per selector.
    ns_np_cache: HashMap<LabelSelector, (RoaringBitmap, RoaringBitmap)>,
    any_undeclared: bool,
    ns_index: HashMap<&'a str, Idx<Namespace>>,
}

impl Selector<'_> {
    /// Classes in the namespaces whose labels match.
    pub fn namespaces(&mut self, sel: &LabelSelector) -> RoaringBitmap {
        if let Some(b) = self.ns_cache.get(sel) {
            return b.clone();
        }
        let mut b = RoaringBitmap::new();
        for (i, ns) in Idx::enumerate(&self.cluster.namespaces) {
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
    pub fn namespaces_np(&mut self, sel: &LabelSelector) -> (RoaringBitmap, RoaringBitmap) {
        if !self.sem.undeclared_namespaces_open || !self.any_undeclared {
            return (self.namespaces(sel), RoaringBitmap::new());
        }
        if let Some(b) = self.ns_np_cache.get(sel) {
            return b.clone();
        }
        let (mut sure, mut maybe) = (RoaringBitmap::new(), RoaringBitmap::new());
        for (i, ns) in Idx::enumerate(&self.cluster.namespaces) {
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
    pub fn pods(&self, within: RoaringBitmap, sel: &LabelSelector) -> RoaringBitmap {
        self.ep.select_labels_within(sel, within)
    }

    /// Namespace `ns` in the cluster's namespaces (and in
    /// [`ClassIndex::by_namespace`]), when some input declares it.
    pub fn namespace_index(&self, ns: &str) -> Option<Idx<Namespace>> {
        self.ns_index.get(ns).copied()
    }

    /// The classes of namespace `ns` (empty when no input declares it).
    pub fn in_namespace(&self, ns: &str) -> RoaringBitmap {
        match self.ns_index.get(ns) {
            Some(&i) => self.ep.by_namespace[i].clone(),
            None => RoaringBitmap::new(),
        }
    }

    /// The peers an admin peer selects: (surely, maybe).
    pub fn admin_peer(&mut self, p: &AdminPeer) -> (RoaringBitmap, RoaringBitmap) {
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

/// Compiles every policy of `cluster` (AdminNetworkPolicy, NetworkPolicy,
/// BaselineAdminNetworkPolicy and the plugin languages `sem` enforces) into
/// rules over the peers of `ep`, with the rule lists applied to each class.
/// Never fails: what tusk does not model becomes `maybe` peers or an
/// unmodelled tier, read as unknown downstream.
pub fn compile(cluster: &Cluster, ep: &ClassIndex, sem: &Semantics) -> Compiled {
    let ns_index = Idx::enumerate(&cluster.namespaces).map(|(i, n)| (n.name.as_str(), i)).collect();
    let any_undeclared = cluster.namespaces.iter().any(|n| n.loc.is_none());
    let sel =
        Selector { cluster, ep, sem, ns_cache: HashMap::new(), ns_np_cache: HashMap::new(), any_undeclared, ns_index };
    let mut b =
        Builder { sel, rules: Vec::new(), applied: vec![[Applied::default(), Applied::default()]; ep.classes.len()] };
    let tiers = plan(cluster, sem);
    for (ti, t) in Idx::enumerate(&tiers) {
        match t.language {
            Language::AdminNetworkPolicy => lang::anp::compile_admin(&mut b, ti),
            Language::BaselineAdminNetworkPolicy => lang::anp::compile_baseline(&mut b, ti),
            Language::NetworkPolicy => lang::netpol::compile(&mut b, ti),
            Language::Cilium => {
                lang::netpol::compile(&mut b, ti);
                lang::cilium::compile(&mut b, ti);
            }
            Language::Calico(i) => {
                let info = &lang::calico_explain::tiers(cluster)[i];
                lang::calico::compile(&mut b, ti, info);
            }
            Language::CalicoProfiles => lang::calico::compile_profiles(&mut b, ti),
            Language::Istio => lang::istio::compile::compile(&mut b, ti),
        }
    }
    Compiled { tiers, rules: b.rules, applied: b.applied }
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

/// Whether `list` names a port by name (`port: http`), which resolves on each
/// pod against its container ports.
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
    admin: &[Idx<Rule>],
    policy_of: impl Fn(Idx<Rule>) -> u32,
    priority_of: impl Fn(Idx<Rule>) -> Option<u32>,
) -> Vec<Vec<Idx<Rule>>> {
    // Runs of one policy's rules, then runs of one priority's policies.
    let mut groups: Vec<Vec<Vec<Idx<Rule>>>> = Vec::new();
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
