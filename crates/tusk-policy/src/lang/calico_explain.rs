//! The plain per-flow counterpart of [`super::calico`], and the helpers both
//! share to read the inputs (tier order, policy order, the labels Calico
//! gives endpoints and namespaces, an endpoint's profiles). It matches
//! labels directly and walks one flow through each tier: the reference of
//! the class engine and the answer `tusk explain` prints, every matched
//! rule named with its tier and location.

use crate::doubt::{DoubtAt, NotModelled};
use crate::explain::{port_match, Action, Ctx, Dir, FlowEnd, Layer, PolicyRef, Probe, Reason, Step, StepRule, Verdict};
use crate::{PolicyEngine, Semantics};
use tusk_core::{Idx, Loc, Tri};
use tusk_model::calico::*;
use tusk_model::k8s::{Cluster, Labels, Pod};

/// A Calico tier as evaluated: its name, order and end-of-tier action.
#[derive(Debug, Clone)]
pub struct TierInfo {
    /// The tier's name (`default` for policies without one).
    pub name: String,
    /// The tier's `order`; `None` (omitted) sorts after every number, as
    /// Calico orders it ("Tier" resource, docs.tigera.io).
    pub order: Option<f64>,
    /// `defaultAction: Pass`: a flow the tier does not decide goes on.
    pub default_pass: bool,
    /// Where the tier is defined, `None` for the implied `default` tier.
    pub loc: Option<Loc>,
}

/// The order of the `default` tier when no input defines it (Calico docs,
/// "Tier": the default tier's order is 1,000,000).
const DEFAULT_TIER_ORDER: f64 = 1_000_000.0;

/// The tiers in evaluation order: by `order` (absent last), ties by name
/// (Felix's tier sorter).
pub fn tiers(c: &Cluster) -> Vec<TierInfo> {
    let mut out: Vec<TierInfo> = c
        .calico
        .tiers
        .iter()
        .map(|t| TierInfo { name: t.name.clone(), order: t.order, default_pass: t.default_pass, loc: t.loc.clone() })
        .collect();
    if !out.iter().any(|t| t.name == DEFAULT_TIER) {
        out.push(TierInfo {
            name: DEFAULT_TIER.into(),
            order: Some(DEFAULT_TIER_ORDER),
            default_pass: false,
            loc: None,
        });
    }
    out.sort_by(|a, b| {
        let key = |t: &TierInfo| t.order.unwrap_or(f64::INFINITY);
        key(a).total_cmp(&key(b)).then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// Is this policy evaluated by the Calico tiers? Staged policies enforce
/// nothing; a service-account selector (tusk does not read service
/// accounts) or host endpoint settings keep the policy on the unknown path
/// of [`crate::foreign`].
pub fn modelled(p: &CalicoPolicy) -> bool {
    !p.kind.staged() && p.service_account_selector.is_none() && p.host_flags.is_empty()
}

/// Does the cluster's engine evaluate Calico's tiers? Only under Calico,
/// and only when the input holds Calico objects (otherwise the plain
/// NetworkPolicy tier says the same).
pub fn active(c: &Cluster, sem: &Semantics) -> bool {
    sem.engine == PolicyEngine::Calico && !c.calico.is_empty()
}

/// The modelled policies of tier `name`, in evaluation order: by `order`
/// (absent last), ties by name, namespace and kind (Felix, `PolKVLess`).
pub fn ordered_policies<'c>(c: &'c Cluster, _sem: &Semantics, name: &str) -> Vec<(usize, &'c CalicoPolicy)> {
    let mut out: Vec<(usize, &CalicoPolicy)> =
        c.calico.policies.iter().enumerate().filter(|(_, p)| p.tier == name && modelled(p)).collect();
    let key = |p: &CalicoPolicy| format!("{}/{}/{}", p.name, p.namespace.as_deref().unwrap_or_default(), p.kind.name());
    out.sort_by(|(_, a), (_, b)| {
        let o = |p: &CalicoPolicy| p.order.unwrap_or(f64::INFINITY);
        o(a).total_cmp(&o(b)).then_with(|| key(a).cmp(&key(b)))
    });
    out
}

/// The labels Calico sees on an endpoint or network set of namespace `ns`
/// (empty: a global object): its own, plus `projectcalico.org/namespace`.
pub fn endpoint_labels<'a>(labels: &'a Labels, ns: &'a str) -> impl Fn(&str) -> Option<&'a str> {
    move |k: &str| {
        if k == NAMESPACE_LABEL && !ns.is_empty() {
            Some(ns)
        } else {
            labels.get(k).map(String::as_str)
        }
    }
}

/// A namespaceSelector against a namespaced object (`Some((name, labels))`)
/// or a global one (`None`). libcalico-go rewrites `all()` to "any
/// namespaced object" and `global()` to "no namespace"; other terms read the
/// namespace's labels, `projectcalico.org/name` being its name.
pub fn ns_match(sel: &Sel, ns: Option<(&str, Option<&Labels>)>) -> bool {
    let empty = Labels::new();
    let get = |k: &str| -> Option<&str> {
        let (name, labels) = ns?;
        if k == NAME_LABEL {
            return Some(name);
        }
        labels.unwrap_or(&empty).get(k).map(String::as_str)
    };
    fn go<'a>(s: &Sel, global: bool, get: &impl Fn(&str) -> Option<&'a str>) -> bool {
        match s {
            Sel::All => !global,
            Sel::Global => global,
            Sel::Not(e) => !go(e, global, get),
            Sel::And(a, b) => go(a, global, get) && go(b, global, get),
            Sel::Or(a, b) => go(a, global, get) || go(b, global, get),
            leaf => leaf.eval(get),
        }
    }
    go(sel, ns.is_none(), &get)
}

/// A pod's labels as Calico sees them: those its profiles apply
/// (`labelsToApply`, Calico docs "Profile"), overridden by its own.
pub fn pod_labels<'a>(c: &Cluster, ns: &str, pod: &str, own: &'a Labels) -> std::borrow::Cow<'a, Labels> {
    if c.calico.profiles.iter().all(|p| p.labels_to_apply.is_empty()) {
        return std::borrow::Cow::Borrowed(own);
    }
    let mut out = Labels::new();
    for name in profile_list(c, ns, pod) {
        if let Some(p) = c.calico.profiles.iter().find(|p| p.name == name) {
            out.extend(p.labels_to_apply.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    out.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    std::borrow::Cow::Owned(out)
}

/// The profiles of a pod: those its WorkloadEndpoint names, else its
/// namespace's (`kns.<ns>`, set by Calico's Kubernetes controllers).
pub fn profile_list(c: &Cluster, ns: &str, pod: &str) -> Vec<String> {
    match c.calico.endpoint_profiles.get(&(ns.to_string(), pod.to_string())) {
        Some(list) => list.clone(),
        None => vec![format!("kns.{ns}")],
    }
}

fn not(t: Tri) -> Tri {
    match t {
        Tri::Yes => Tri::No,
        Tri::No => Tri::Yes,
        Tri::Maybe => Tri::Maybe,
    }
}

/// Does an entity match hold for the flow's other end?
fn peer_match(cx: &Ctx, pol_ns: Option<&str>, m: &EntityMatch, end: FlowEnd) -> Tri {
    let c = cx.c;
    let ns_ok = |ns: Option<&str>| match (&m.namespace_selector, ns) {
        (Some(sel), Some(n)) => ns_match(sel, Some((n, cx.ns_labels(n)))),
        (Some(sel), None) => ns_match(sel, None),
        (None, Some(n)) => pol_ns.is_none_or(|p| p == n),
        (None, None) => pol_ns.is_none(),
    };
    let pod = match end {
        FlowEnd::Pod(i) if cx.selectable(&c.pods[i]) => Some(&c.pods[i]),
        _ => None,
    };
    let sets = |sel: &Sel, scoped: bool| {
        Tri::any(c.calico.network_sets.iter().filter(|s| !scoped || ns_ok(s.namespace.as_deref())).map(|s| {
            let ns = s.namespace.as_deref().unwrap_or_default();
            if sel.eval(&endpoint_labels(&s.labels, ns)) {
                cx.addr_match(&s.nets, end)
            } else {
                Tri::No
            }
        }))
    };
    let mut t = if m.selector.is_none() && m.namespace_selector.is_none() {
        match (pol_ns, &m.not_selector) {
            (Some(p), Some(_)) => {
                let in_ns = pod.is_some_and(|x| x.namespace == p);
                Tri::from_bool(in_ns).or(sets(&Sel::All, true))
            }
            _ => Tri::Yes,
        }
    } else {
        let all = Sel::All;
        let sel = m.selector.as_ref().unwrap_or(&all);
        let own = pod.is_some_and(|p| {
            let labels = pod_labels(c, &p.namespace, &p.name, &p.labels);
            let get = endpoint_labels(&labels, &p.namespace);
            ns_ok(Some(&p.namespace)) && sel.eval(&get)
        });
        Tri::from_bool(own).or(sets(sel, true))
    };
    if let Some(nsel) = &m.not_selector {
        let own = pod.is_some_and(|p| {
            let labels = pod_labels(c, &p.namespace, &p.name, &p.labels);
            let get = endpoint_labels(&labels, &p.namespace);
            nsel.eval(&get)
        });
        t = t.and(not(Tri::from_bool(own).or(sets(nsel, false))));
    }
    if let Some(nets) = &m.nets {
        t = t.and(cx.addr_match(nets, end));
    }
    if let Some(nets) = &m.not_nets {
        t = t.and(not(cx.addr_match(nets, end)));
    }
    t
}

/// The first doubtful rule on a side: the policy and rule, and what tusk
/// cannot decide of it.
type Doubt = (DoubtAt, NotModelled);

/// What a first-match run over matched rules may end in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Allow,
    Deny,
    /// Pass, or the end of a tier that passes: the next tier decides.
    Next,
}

/// One rule that may match the flow, in evaluation order.
struct Hit {
    m: Tri,
    end: End,
    step: Step,
    reason: Option<Doubt>,
}

/// One rule's hit; `policy` is the step's (and a doubt's) reference to
/// its policy.
fn rule_hit(
    cx: &Ctx,
    policy: &PolicyRef,
    pol_ns: Option<&str>,
    r: &CalicoRule,
    probe: Probe,
    own: FlowEnd,
) -> Option<Hit> {
    let end = match r.action {
        CalicoAction::Allow => End::Allow,
        CalicoAction::Deny => End::Deny,
        CalicoAction::Pass => End::Next,
        CalicoAction::Log => return None,
    };
    if r.matches_nothing || !port_match(&r.ports, cx.c, probe.dst, probe.proto, probe.port) {
        return None;
    }
    let local = if r.local.is_any() { Tri::Yes } else { peer_match(cx, pol_ns, &r.local, own) };
    let mut m = local.and(peer_match(cx, pol_ns, &r.peer, probe.peer));
    if m == Tri::Yes && r.unmodelled.is_some() {
        m = Tri::Maybe;
    }
    if m == Tri::No {
        return None;
    }
    let at = || DoubtAt::Rule { policy: policy.clone(), rule: StepRule::Named(r.name.clone()) };
    let reason = match (&r.unmodelled, m) {
        (Some(what), Tri::Maybe) => Some((at(), NotModelled::Calico(what.clone()))),
        (None, Tri::Maybe) => Some((at(), NotModelled::PeerAddress)),
        _ => None,
    };
    let step = Step {
        layer: Layer::Calico,
        policy: policy.clone(),
        rule: StepRule::Named(r.name.clone()),
        action: r.action.into(),
        loc: Some(r.loc.clone()),
        decisive: false,
    };
    Some(Hit { m, end, step, reason })
}

/// First match over `hits`, then `at_end`: every end some resolution of
/// the `Maybe`s reaches. Steps are recorded up to the first sure match.
fn run(hits: Vec<Hit>, at_end: End, steps: &mut Vec<Step>) -> (Vec<End>, Option<Doubt>) {
    let mut ends = Vec::new();
    let mut doubt = None;
    for mut h in hits {
        // A doubtful Pass is read as the engine reads it: allowed if it
        // matches in the widest reading, denied in the narrowest.
        let reached = if h.m == Tri::Maybe && h.end == End::Next { vec![End::Allow, End::Deny] } else { vec![h.end] };
        for e in reached {
            if !ends.contains(&e) {
                ends.push(e);
            }
        }
        if h.m == Tri::Yes {
            h.step.decisive = true;
            steps.push(h.step);
            return (ends, doubt);
        }
        doubt = doubt.or(h.reason);
        steps.push(h.step);
    }
    if !ends.contains(&at_end) {
        ends.push(at_end);
    }
    (ends, doubt)
}

fn verdict_of(ends: &[End], doubt: Option<Doubt>, loc: Option<Loc>) -> Option<Verdict> {
    match ends {
        [End::Allow] => Some(Verdict::Allowed),
        [End::Deny] => Some(Verdict::Denied),
        [End::Next] => None,
        _ => {
            let (rule, what) = doubt.unwrap_or((DoubtAt::AnyCalicoRule, NotModelled::UnresolvedMatch));
            Some(Verdict::unknown(Reason::CiliumUnmodelled { rule: Box::new(rule), what }, loc))
        }
    }
}

/// What one Calico tier may do with the flow on one side: every end some
/// resolution of doubtful rules reaches, with the first doubt; `None` when
/// no policy of the tier selects the pod.
fn tier_ends(
    cx: &Ctx,
    info: &TierInfo,
    pod_i: Idx<Pod>,
    probe: Probe,
    steps: &mut Vec<Step>,
) -> Option<(Vec<End>, Option<Doubt>)> {
    let pod = &cx.c.pods[pod_i];
    let own = FlowEnd::Pod(pod_i);
    let d = if probe.dir == Dir::Ingress { 0 } else { 1 };
    let mut hits = Vec::new();
    let mut selected = false;
    let mut knp_pending = info.name == DEFAULT_TIER && !cx.c.network_policies.is_empty();
    let knp = |hits: &mut Vec<Hit>, selected: &mut bool, steps: &mut Vec<Step>| {
        let v = super::netpol::explain(cx, pod, probe, steps);
        *selected |= v.is_some();
        if v == Some(Verdict::Denied) {
            // Name the selecting NetworkPolicies (file:line) before the
            // tier's end, which is what denies.
            let mut denies = Vec::new();
            super::netpol::deny_steps(cx, pod, probe.dir, &mut denies);
            steps.extend(denies.into_iter().map(|s| Step { decisive: false, ..s }));
        }
        let m = match v {
            Some(Verdict::Allowed) => Tri::Yes,
            Some(Verdict::Unknown(_)) => Tri::Maybe,
            _ => Tri::No,
        };
        if m != Tri::No {
            let step = Step {
                layer: Layer::Calico,
                policy: PolicyRef::CalicoKubernetesPolicies {
                    tier: DEFAULT_TIER.to_string(),
                    order: crate::step::Order(K8S_POLICY_ORDER),
                },
                rule: StepRule::NetworkPoliciesAllow,
                action: Action::Allow,
                loc: None,
                decisive: false,
            };
            hits.push(Hit { m, end: End::Allow, step, reason: None });
        }
    };
    for (_, p) in ordered_policies(cx.c, cx.sem, &info.name) {
        if knp_pending && p.order.is_none_or(|o| o > K8S_POLICY_ORDER) {
            knp(&mut hits, &mut selected, steps);
            knp_pending = false;
        }
        if !p.types[d] || !policy_selects(cx, p, pod) {
            continue;
        }
        selected = true;
        let policy = PolicyRef::Calico {
            kind: p.kind,
            namespace: p.namespace.clone(),
            name: p.name.clone(),
            tier: info.name.clone(),
            order: p.order.map(crate::step::Order),
        };
        let rules = if d == 0 { &p.ingress } else { &p.egress };
        hits.extend(rules.iter().filter_map(|r| rule_hit(cx, &policy, p.namespace.as_deref(), r, probe, own)));
    }
    if knp_pending {
        knp(&mut hits, &mut selected, steps);
    }
    if !selected {
        return None;
    }
    let at_end = if info.default_pass { End::Next } else { End::Deny };
    // Only a sure match of this tier's own run ends it early; a decisive
    // step of an earlier tier (the Pass that led here) does not.
    let before = steps.len();
    let (ends, doubt) = run(hits, at_end, steps);
    if ends.last() == Some(&at_end) && !steps[before..].iter().any(|s| s.decisive) {
        steps.push(Step {
            layer: Layer::Calico,
            policy: PolicyRef::CalicoTier { name: info.name.clone() },
            rule: StepRule::EndOfTier,
            action: if info.default_pass { Action::Pass } else { Action::Deny },
            loc: info.loc.clone(),
            decisive: ends.len() == 1,
        });
    }
    Some((ends, doubt))
}

/// The Calico tiers from `first` on, then BaselineAdminNetworkPolicy, then
/// the profiles: the side's verdict. A tier that may pass the flow on or
/// decide it (a doubtful Pass rule) is followed down each branch; the
/// verdict is unknown only when the branches differ.
pub fn explain_from(cx: &Ctx, first: Idx<TierInfo>, pod_i: Idx<Pod>, probe: Probe, steps: &mut Vec<Step>) -> Verdict {
    let all = tiers(cx.c);
    for (i, info) in all.iter().enumerate().skip(first.index()) {
        let Some((ends, doubt)) = tier_ends(cx, info, pod_i, probe, steps) else { continue };
        let mut verdicts: Vec<Verdict> = Vec::new();
        for end in ends {
            let v = match end {
                End::Allow => Verdict::Allowed,
                End::Deny => Verdict::Denied,
                End::Next => explain_from(cx, Idx::new(i + 1), pod_i, probe, steps),
            };
            if !verdicts.contains(&v) {
                verdicts.push(v);
            }
        }
        return match verdicts.as_slice() {
            [v] => v.clone(),
            _ => {
                let inner = verdicts.iter().find(|v| matches!(v, Verdict::Unknown(_))).cloned();
                match (doubt, inner) {
                    (Some((rule, what)), _) => Verdict::unknown(
                        Reason::CiliumUnmodelled { rule: Box::new(rule), what },
                        Some(cx.c.pods[pod_i].loc.clone()),
                    ),
                    (None, Some(v)) => v,
                    (None, None) => Verdict::unknown(
                        Reason::CiliumUnmodelled {
                            rule: Box::new(DoubtAt::AnyCalicoRule),
                            what: NotModelled::UnresolvedMatch,
                        },
                        Some(cx.c.pods[pod_i].loc.clone()),
                    ),
                }
            }
        };
    }
    let banp: Vec<_> = cx.c.baseline_policy.iter().collect();
    if let Some(v) = super::anp::explain(cx, &banp, &cx.c.pods[pod_i], probe, Layer::Baseline, steps) {
        return v;
    }
    explain_profiles(cx, pod_i, probe, steps)
}

/// Does a Calico policy select the pod?
pub fn policy_selects(cx: &Ctx, p: &CalicoPolicy, pod: &Pod) -> bool {
    if !cx.selectable(pod) {
        return false;
    }
    let scope = match (&p.namespace, &p.namespace_selector) {
        (Some(ns), _) => *ns == pod.namespace,
        (None, Some(sel)) => ns_match(sel, Some((&pod.namespace, cx.ns_labels(&pod.namespace)))),
        (None, None) => true,
    };
    let labels = pod_labels(cx.c, &pod.namespace, &pod.name, &pod.labels);
    let get = endpoint_labels(&labels, &pod.namespace);
    scope && p.selector.eval(&get)
}

/// The profiles, after every tier: a pod whose only profiles are `kns.*`
/// ones the input leaves at their default is allowed everything.
pub fn explain_profiles(cx: &Ctx, pod_i: Idx<Pod>, probe: Probe, steps: &mut Vec<Step>) -> Verdict {
    let pod = &cx.c.pods[pod_i];
    if !cx.selectable(pod) {
        return Verdict::Allowed;
    }
    let list = profile_list(cx.c, &pod.namespace, &pod.name);
    let profiles = &cx.c.calico.profiles;
    let defined = list.iter().any(|n| profiles.iter().any(|p| p.name == *n));
    if !defined && list.iter().any(|n| n.starts_with("kns.")) {
        steps.push(Step {
            layer: Layer::Calico,
            policy: PolicyRef::CalicoProfiles { names: list.clone() },
            rule: StepRule::NamespaceProfileDecides,
            action: Action::Allow,
            loc: None,
            decisive: true,
        });
        return Verdict::Allowed;
    }
    let mut hits = Vec::new();
    for name in &list {
        let policy = PolicyRef::CalicoProfile { name: name.clone() };
        match profiles.iter().find(|p| p.name == *name) {
            Some(p) => {
                let rules = if probe.dir == Dir::Ingress { &p.ingress } else { &p.egress };
                hits.extend(rules.iter().filter_map(|r| rule_hit(cx, &policy, None, r, probe, FlowEnd::Pod(pod_i))));
            }
            None if name.starts_with("kns.") => {
                let step = Step {
                    layer: Layer::Calico,
                    policy,
                    rule: StepRule::NamespaceProfileAllows,
                    action: Action::Allow,
                    loc: None,
                    decisive: false,
                };
                hits.push(Hit { m: Tri::Yes, end: End::Allow, step, reason: None });
            }
            None => {}
        }
    }
    let (ends, doubt) = run(hits, End::Deny, steps);
    if ends.last() == Some(&End::Deny) && !steps.last().is_some_and(|s| s.decisive) {
        steps.push(Step {
            layer: Layer::Calico,
            policy: PolicyRef::CalicoProfiles { names: list.clone() },
            rule: StepRule::NoProfileRuleMatched,
            action: Action::Deny,
            loc: None,
            decisive: ends.len() == 1,
        });
    }
    verdict_of(&ends, doubt, Some(pod.loc.clone())).unwrap_or(Verdict::Allowed)
}
