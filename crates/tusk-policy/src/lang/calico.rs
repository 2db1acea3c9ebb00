//! Calico's tiers (Calico docs, "Tier", "How policy is evaluated"): tiers
//! by `order` (absent last, ties by name), each tier that has a policy
//! selecting the endpoint evaluates its policies by `order` (absent last,
//! ties by name, as Felix's policy sorter), rules in order; Allow and Deny
//! are final, Pass goes on to the next tier, Log decides nothing; a flow
//! the tier does not decide is dropped at its end (`defaultAction: Deny`,
//! the default) or passed on (`defaultAction: Pass`). Kubernetes
//! NetworkPolicies sit in the `default` tier at order 1000 (Calico docs,
//! "Get started with policy tiers"). After every tier the endpoint's
//! profiles decide (Calico docs, "Profile"): a pod's namespace profile
//! `kns.<ns>` allows everything unless the input redefines it.
//!
//! Peers follow libcalico-go's rule conversion (`GetEntityRuleSelector`):
//! a selector of a namespaced policy is confined to its namespace (or to
//! the namespaces `namespaceSelector` picks, where `all()` means every
//! namespace and `global()` the non-namespaced network sets), `notSelector`
//! removes what it matches anywhere, `nets` / `notNets` narrow by address.
//! Selectors match pods and network sets (whose nets become addresses).
//! A rule using what tusk does not model matches its peers as *maybe*.

use super::calico_explain::{endpoint_labels, ns_match, ordered_policies, pod_labels, profile_list, tiers, TierInfo};
use crate::compile::{Builder, Direction, Rule, RuleOrigin};
use crate::tier::Tier;
use roaring::RoaringBitmap;
use tusk_core::Idx;
use tusk_model::calico::{CalicoAction, CalicoRule, EntityMatch, Sel, K8S_POLICY_ORDER};
use tusk_model::k8s::{AdminAction, Namespace};

/// The classes of selectable pods, with their namespace.
fn classes(b: &Builder) -> Vec<(u32, Idx<Namespace>)> {
    let mut out = Vec::new();
    for (ni, bits) in b.sel.ep.by_namespace.iter() {
        out.extend(bits.iter().map(|c| (c, ni)));
    }
    out
}

/// Does `sel` select class `c` (its labels as Calico sees them)?
fn class_matches(b: &Builder, sel: &Sel, c: u32, ns: Idx<Namespace>) -> bool {
    let g = &b.sel.ep.groups[b.sel.ep.classes[c as usize].group];
    let name = &b.sel.cluster.namespaces[ns].name;
    let pod = &b.sel.cluster.pods[g.pods[0]].name;
    let labels = pod_labels(b.sel.cluster, name, pod, &g.labels);
    let get = endpoint_labels(&labels, name);
    sel.eval(&get)
}

/// The namespaces whose endpoints `sel` can select, when it pins them
/// (`projectcalico.org/namespace == 'x'` or `in {...}`, alone, under `&&`,
/// or on both sides of `||`); `None` when any namespace may match. A pod's
/// `projectcalico.org/namespace` label is its namespace's name
/// ([`endpoint_labels`]), so no class of another namespace matches: the
/// selector need not be evaluated there (item 8: a GlobalNetworkPolicy
/// pinned to one namespace costs that namespace, not the cluster).
fn pinned_namespaces(sel: &Sel) -> Option<Vec<&str>> {
    use tusk_model::calico::NAMESPACE_LABEL;
    match sel {
        Sel::Eq(k, v) if k == NAMESPACE_LABEL => Some(vec![v.as_str()]),
        Sel::In(k, vs) if k == NAMESPACE_LABEL => Some(vs.iter().map(String::as_str).collect()),
        Sel::And(a, b) => match (pinned_namespaces(a), pinned_namespaces(b)) {
            (Some(x), Some(y)) => Some(x.into_iter().filter(|n| y.contains(n)).collect()),
            (x, y) => x.or(y),
        },
        Sel::Or(a, b) => {
            let (mut x, y) = (pinned_namespaces(a)?, pinned_namespaces(b)?);
            x.extend(y);
            Some(x)
        }
        _ => None,
    }
}

/// Does `pinned` (from [`pinned_namespaces`]) admit namespace `name`?
fn admits(pinned: &Option<Vec<&str>>, name: &str) -> bool {
    pinned.as_ref().is_none_or(|v| v.contains(&name))
}

/// The namespaces a selection can reach, ascending: `only` (a
/// namespaced policy's own namespace, when nothing widens it), else the
/// `pinned` ones, else all. Found by name, so a policy costs the
/// namespaces it can reach, not every namespace (item 8).
fn namespaces_to_visit(b: &Builder, only: Option<&str>, pinned: &Option<Vec<&str>>) -> Vec<Idx<Namespace>> {
    let mut v: Vec<Idx<Namespace>> = match (only, pinned) {
        (Some(ns), _) => b.sel.namespace_index(ns).into_iter().collect(),
        (None, Some(names)) => names.iter().filter_map(|n| b.sel.namespace_index(n)).collect(),
        (None, None) => Idx::all(&b.sel.cluster.namespaces).collect(),
    };
    v.sort_unstable();
    v.dedup();
    v
}

/// The peers an entity match selects, for a policy of namespace `pol_ns`
/// (`None`: global policy or profile): (surely, maybe).
pub fn peers(b: &Builder, pol_ns: Option<&str>, m: &EntityMatch) -> RoaringBitmap {
    let cluster = b.sel.cluster;
    let ep = b.sel.ep;
    let ns_ok = |ns: Option<&str>| -> bool {
        match (&m.namespace_selector, ns) {
            (Some(sel), Some(n)) => {
                let labels = cluster.namespaces.iter().find(|x| x.name == n).map(|x| &x.labels);
                ns_match(sel, Some((n, labels)))
            }
            (Some(sel), None) => ns_match(sel, None),
            (None, Some(n)) => pol_ns.is_none_or(|p| p == n),
            (None, None) => pol_ns.is_none(),
        }
    };
    let mut out = RoaringBitmap::new();
    if m.selector.is_none() && m.namespace_selector.is_none() {
        match (pol_ns, &m.not_selector) {
            (Some(p), Some(_)) => {
                out = b.sel.in_namespace(p);
                for s in cluster.calico.network_sets.iter().filter(|s| s.namespace.as_deref() == Some(p)) {
                    out |= ep.select_addresses(&s.nets, b.sel.sem);
                }
            }
            _ => out = ep.universe(),
        }
    } else {
        let all = Sel::All;
        let sel = m.selector.as_ref().unwrap_or(&all);
        // The scope is decided once per namespace, not per class, and from
        // the namespace itself (names are unique): a rule's cost stays
        // linear in the cluster.
        let ns_ok_at = |ni: Idx<Namespace>| -> bool {
            let n = &cluster.namespaces[ni];
            match &m.namespace_selector {
                Some(sel) => ns_match(sel, Some((&n.name, Some(&n.labels)))),
                None => pol_ns.is_none_or(|p| p == n.name),
            }
        };
        let pinned = pinned_namespaces(sel);
        let visit = namespaces_to_visit(b, if m.namespace_selector.is_none() { pol_ns } else { None }, &pinned);
        for ni in visit {
            let bits = &ep.by_namespace[ni];
            if bits.is_empty() || !admits(&pinned, &cluster.namespaces[ni].name) || !ns_ok_at(ni) {
                continue;
            }
            for c in bits {
                if class_matches(b, sel, c, ni) {
                    out.insert(c);
                }
            }
        }
        for s in &cluster.calico.network_sets {
            let ns = s.namespace.as_deref();
            if ns_ok(ns) && sel.eval(&endpoint_labels(&s.labels, ns.unwrap_or_default())) {
                out |= ep.select_addresses(&s.nets, b.sel.sem);
            }
        }
    }
    if let Some(not) = &m.not_selector {
        for (c, ni) in classes(b) {
            if class_matches(b, not, c, ni) {
                out.remove(c);
            }
        }
        for s in &cluster.calico.network_sets {
            if not.eval(&endpoint_labels(&s.labels, s.namespace.as_deref().unwrap_or_default())) {
                out -= ep.select_addresses(&s.nets, b.sel.sem);
            }
        }
    }
    if let Some(nets) = &m.nets {
        out &= ep.select_addresses(nets, b.sel.sem);
    }
    if let Some(nets) = &m.not_nets {
        out -= ep.select_addresses(nets, b.sel.sem);
    }
    out
}

fn admin_action(a: CalicoAction) -> Option<AdminAction> {
    match a {
        CalicoAction::Allow => Some(AdminAction::Allow),
        CalicoAction::Deny => Some(AdminAction::Deny),
        CalicoAction::Pass => Some(AdminAction::Pass),
        CalicoAction::Log => None,
    }
}

/// A compiled rule and the classes (among its subject) it applies to.
type RuleOn = (Idx<Rule>, RoaringBitmap);

/// One rule's ids and the classes (among `subject`) they apply to; none
/// for a rule that decides nothing (Log, or no connection).
///
/// A doubtful Pass (one whose match tusk cannot decide) is neither the
/// most nor the least a flow can get, so it is written as an Allow and a
/// Deny over its doubtful peers: the engine's wide world allows them, its
/// narrow world denies them, and they come out unknown unless an earlier
/// rule decided. Allow and Deny are monotone, so the two worlds bound every
/// resolution (see `eval::Evaluator::ordered`).
fn push_rule(
    b: &mut Builder,
    origin: RuleOrigin,
    pol_ns: Option<&str>,
    r: &CalicoRule,
    subject: &RoaringBitmap,
) -> Vec<RuleOn> {
    let Some(action) = admin_action(r.action) else { return Vec::new() };
    if r.matches_nothing {
        return Vec::new();
    }
    let mut sure = peers(b, pol_ns, &r.peer);
    let local = if r.local.is_any() { subject.clone() } else { subject & peers(b, pol_ns, &r.local) };
    let mut maybe = RoaringBitmap::new();
    if r.unmodelled.is_some() {
        maybe = std::mem::take(&mut sure);
    }
    let mut rule = |action, peers, maybe| {
        let id = b.push(Rule { origin, action, peers, maybe, ports: r.ports.clone(), priority: None });
        (id, local.clone())
    };
    if action == AdminAction::Pass && !maybe.is_empty() {
        let none = RoaringBitmap::new;
        return vec![
            rule(AdminAction::Allow, none(), maybe.clone()),
            rule(AdminAction::Deny, none(), maybe),
            rule(AdminAction::Pass, sure, none()),
        ];
    }
    vec![rule(action, sure, maybe)]
}

/// The policies of Calico tier `info` (and, in the `default` tier, the
/// Kubernetes NetworkPolicies at order 1000) into tier `tier`.
pub fn compile(b: &mut Builder, tier: Idx<Tier>, info: &TierInfo) {
    let cluster = b.sel.cluster;
    let sem = b.sel.sem;
    let mut knp_pending = info.name == tusk_model::calico::DEFAULT_TIER && !cluster.network_policies.is_empty();
    for (pi, p) in ordered_policies(cluster, sem, &info.name) {
        // Equal orders sort by name; tusk places Kubernetes policies after
        // Calico ones of order 1000 (see docs/calico.md).
        if knp_pending && p.order.is_none_or(|o| o > K8S_POLICY_ORDER) {
            super::netpol::compile(b, tier);
            knp_pending = false;
        }
        let subject = subject(b, p);
        for (d, dir, rules) in [(0, Direction::Ingress, &p.ingress), (1, Direction::Egress, &p.egress)] {
            if !p.types[d] {
                continue;
            }
            // The policy selects these endpoints: the tier's end applies.
            b.apply(tier, &subject, dir, &[], true);
            for (ri, r) in rules.iter().enumerate() {
                let origin = RuleOrigin { tier, policy: pi as u32, rule: ri as u32 };
                for (id, on) in push_rule(b, origin, p.namespace.as_deref(), r, &subject) {
                    b.apply(tier, &on, dir, &[id], true);
                }
            }
        }
    }
    if knp_pending {
        super::netpol::compile(b, tier);
    }
}

/// The classes a Calico policy selects.
pub fn subject(b: &Builder, p: &tusk_model::calico::CalicoPolicy) -> RoaringBitmap {
    let mut out = RoaringBitmap::new();
    // Scope once per namespace, then the selector per class of it.
    let pinned = pinned_namespaces(&p.selector);
    for ni in namespaces_to_visit(b, p.namespace.as_deref(), &pinned) {
        let bits = &b.sel.ep.by_namespace[ni];
        let ns = &b.sel.cluster.namespaces[ni];
        if bits.is_empty() || !admits(&pinned, &ns.name) {
            continue;
        }
        let scope = match (&p.namespace, &p.namespace_selector) {
            (Some(pns), _) => *pns == ns.name,
            (None, Some(sel)) => ns_match(sel, Some((&ns.name, Some(&ns.labels)))),
            (None, None) => true,
        };
        if !scope {
            continue;
        }
        for c in bits {
            if class_matches(b, &p.selector, c, ni) {
                out.insert(c);
            }
        }
    }
    out
}

/// The profiles, after every tier: for each class, the rules of the
/// profiles it names, in order, then a drop. A class whose profiles are
/// only `kns.*` ones the input does not define is left alone: those allow
/// everything, which is what falling through the last tier means.
pub fn compile_profiles(b: &mut Builder, tier: Idx<Tier>) {
    let cluster = b.sel.cluster;
    let ep = b.sel.ep;
    // Rules of each defined profile, per direction, compiled once, each
    // with the endpoints its own-end constraints admit.
    let mut compiled: Vec<[Vec<RuleOn>; 2]> = Vec::new();
    let universe = ep.universe();
    for (pi, p) in cluster.calico.profiles.iter().enumerate() {
        let mut ids = [Vec::new(), Vec::new()];
        for (d, rules) in [(0, &p.ingress), (1, &p.egress)] {
            for (ri, r) in rules.iter().enumerate() {
                let origin = RuleOrigin { tier, policy: pi as u32, rule: ri as u32 };
                ids[d].extend(push_rule(b, origin, None, r, &universe));
            }
        }
        compiled.push(ids);
    }
    let allow_all: [Idx<Rule>; 2] = [0, 1].map(|_| {
        let origin = RuleOrigin { tier, policy: u32::MAX, rule: 0 };
        b.push(Rule {
            origin,
            action: AdminAction::Allow,
            peers: universe.clone(),
            maybe: RoaringBitmap::new(),
            ports: Vec::new(),
            priority: None,
        })
    });
    for (ni, bits) in ep.by_namespace.iter() {
        for c in bits {
            let g = &ep.groups[ep.classes[c as usize].group];
            let pod = &cluster.pods[g.pods[0]];
            let list = profile_list(cluster, &cluster.namespaces[ni].name, &pod.name);
            let defined = list.iter().any(|n| cluster.calico.profiles.iter().any(|p| p.name == *n));
            let has_kns = list.iter().any(|n| n.starts_with("kns."));
            if !defined && has_kns {
                continue;
            }
            let one = RoaringBitmap::from_iter([c]);
            for (d, dir) in [(0, Direction::Ingress), (1, Direction::Egress)] {
                let mut ids = Vec::new();
                for name in &list {
                    match cluster.calico.profiles.iter().position(|p| p.name == *name) {
                        Some(pi) => {
                            ids.extend(compiled[pi][d].iter().filter(|(_, on)| on.contains(c)).map(|(id, _)| *id))
                        }
                        None if name.starts_with("kns.") => ids.push(allow_all[d]),
                        None => {}
                    }
                }
                b.apply(tier, &one, dir, &ids, true);
            }
        }
    }
}

/// Every Calico tier, in evaluation order, for [`crate::tier::plan`].
pub fn tier_list(cluster: &tusk_model::k8s::Cluster) -> Vec<TierInfo> {
    tiers(cluster)
}
