//! The plain per-flow evaluator: one flow (source, destination, protocol,
//! port), every layer walked in order with direct label matching, every rule
//! that matched recorded with its source line. It shares no code with the
//! class engine on purpose: it is the reference the engine is tested against
//! and the answer `tusk explain` prints.

use super::lang;
use super::readings::{readings, rotate, Reading};
pub use super::reason::Reason;
pub use super::step::{Action, Admission, PolicyRef, StepRule};
use super::tier::{plan, Language};
use super::{HostNetwork, Semantics};
use std::net::IpAddr;
use tusk_core::Tri;
use tusk_core::{Idx, Loc, Protocol};
use tusk_model::k8s::{AdminNetworkPolicy, AdminPeer, Cluster, LabelSelector, NpPeer, Pod, PolicyPort};

/// One end of a flow.
#[derive(Debug, Clone, Copy)]
pub enum FlowEnd {
    /// A pod entry of `Cluster::pods`.
    Pod(Idx<Pod>),
    /// An address outside the cluster.
    Address(IpAddr),
}

/// The verdict of one flow, the shared vocabulary's, with this engine's
/// typed [`Reason`].
pub type Verdict = tusk_core::Verdict<Reason>;

/// The precedence layer a step belongs to: AdminNetworkPolicy, then
/// NetworkPolicy, then BaselineAdminNetworkPolicy, then the default
/// (network-policy-api.sigs.k8s.io, "API overview"), plus the plugins' own
/// tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// AdminNetworkPolicy (by priority; Allow and Deny decide, Pass goes on to
    /// NetworkPolicy).
    Admin,
    /// Kubernetes NetworkPolicy (allow lists; a selected pod is isolated in
    /// that direction).
    NetworkPolicy,
    /// BaselineAdminNetworkPolicy (applies only where no NetworkPolicy
    /// selects the pod).
    Baseline,
    /// Cilium's deny-wins tier (its own policies; the NetworkPolicies
    /// evaluated with them keep their own layer).
    Cilium,
    /// A Calico tier or Calico's profiles (the policy's title names the
    /// tier and order).
    Calico,
    /// Istio's tier at the destination's proxy (AuthorizationPolicy,
    /// PeerAuthentication).
    Istio,
    /// No policy decides, and the flow is allowed: the pod is not isolated in
    /// that direction, a built-in admission applies, or it is a hostNetwork
    /// pod no policy selects under the reading.
    Default,
    /// A Calico, Cilium or Istio policy tusk does not model.
    Unmodelled,
}

/// A rule that matched the flow (or the default that applied).
#[derive(Debug, Clone)]
pub struct Step {
    /// The layer of the policy.
    pub layer: Layer,
    /// The policy (or default) the step belongs to.
    pub policy: PolicyRef,
    /// The rule's name or position, or the default that applied.
    pub rule: StepRule,
    /// What the step did.
    pub action: Action,
    /// Where the rule is defined, `None` for a default.
    pub loc: Option<Loc>,
    /// Did this step decide the verdict of its side?
    pub decisive: bool,
}

/// The evaluation at one end (egress at the source, ingress at the destination).
#[derive(Debug, Clone)]
pub struct Side {
    /// False when that end is not a pod: no pod policy applies there.
    pub applies: bool,
    /// Every matching rule in evaluation order, the deciding one marked.
    pub steps: Vec<Step>,
    /// This side's verdict.
    pub verdict: Verdict,
}

/// One flow through the policy layer: egress at the source, then ingress at
/// the destination.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The source pod's egress evaluation.
    pub egress: Side,
    /// The destination pod's ingress evaluation.
    pub ingress: Side,
    /// Both sides combined: allowed only when both allow.
    pub verdict: Verdict,
}

/// The side of the flow being evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dir {
    /// At the destination, for its ingress policies.
    Ingress,
    /// At the source, for its egress policies.
    Egress,
}

/// What a per-flow evaluation reads: the cluster, the semantics, the reading
/// of open inputs.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The cluster.
    pub c: &'a Cluster,
    /// How the enforcing plugin reads what upstream leaves open.
    pub sem: &'a Semantics,
    /// The reading in which hostNetwork pods are selectable like others.
    host_selectable: bool,
    /// What this evaluation assumes of what the inputs leave open.
    reading: &'a Reading,
    /// The flow's HTTP request, when given (Istio's L7 rules test it).
    pub http: Option<&'a lang::istio::HttpRequest>,
}

impl Ctx<'_> {
    /// The labels of namespace `ns`, `None` when no input declares it.
    pub fn ns_labels(&self, ns: &str) -> Option<&tusk_model::k8s::Labels> {
        self.c.namespaces.iter().find(|n| n.name == ns).map(|n| &n.labels)
    }

    /// A NetworkPolicy namespaceSelector against a pod's namespace. A
    /// namespace no input declares may carry labels besides its name: where
    /// those would decide, the reading decides (matched in the wide one).
    pub fn namespace_match(&self, ns: &str, sel: &LabelSelector) -> bool {
        let Some(n) = self.c.namespaces.iter().find(|n| n.name == ns) else { return false };
        if n.loc.is_some() || !self.sem.undeclared_namespaces_open {
            return sel.matches(&n.labels);
        }
        sel.matches_known(&n.labels).unwrap_or(self.reading.wide)
    }

    /// Can selectors see this pod at all?
    pub fn selectable(&self, pod: &Pod) -> bool {
        self.host_selectable || !pod.host_network
    }

    /// Whether `pod` is selected by a namespace and a pod selector together
    /// (an AdminNetworkPolicy `pods` peer or subject); never for a pod selectors
    /// cannot see (hostNetwork under some semantics).
    pub fn pod_in(&self, pod: &Pod, ns_sel: &LabelSelector, pod_sel: &LabelSelector) -> bool {
        self.selectable(pod)
            && self.ns_labels(&pod.namespace).is_some_and(|l| ns_sel.matches(l))
            && pod_sel.matches(&pod.labels)
    }

    /// Does an address set contain the peer? Pods only under the semantics
    /// that lets ipBlocks select pods, and only when their IP is known.
    /// A pod without IP outside any reading's assumption is a `Maybe`
    /// (the readings of [`explain`] assign one whenever ipBlocks match pods).
    pub fn addr_match(&self, set: &tusk_core::IpSet, peer: FlowEnd) -> Tri {
        match peer {
            FlowEnd::Address(ip) => Tri::from_bool(set.contains_ip(ip)),
            FlowEnd::Pod(i) if self.sem.ipblock_selects_pods => {
                let p = &self.c.pods[i];
                if let Some(ip) = self.reading.ip_of(i) {
                    Tri::from_bool(set.contains_ip(ip))
                } else if p.ips.is_empty() {
                    Tri::Maybe
                } else {
                    Tri::from_bool(p.ips.iter().any(|ip| set.contains_ip(*ip)))
                }
            }
            FlowEnd::Pod(_) => Tri::No,
        }
    }

    /// Is the peer's address in the set, whatever the semantics of
    /// ipBlocks toward pods (Istio's `ipBlocks` read the peer's address)?
    /// A pod without a known address is a `Maybe`.
    pub fn addr_match_any(&self, set: &tusk_core::IpSet, peer: FlowEnd) -> Tri {
        match peer {
            FlowEnd::Address(ip) => Tri::from_bool(set.contains_ip(ip)),
            FlowEnd::Pod(i) => match (self.reading.ip_of(i), &self.c.pods[i].ips) {
                (Some(ip), _) => Tri::from_bool(set.contains_ip(ip)),
                (None, ips) if ips.is_empty() => Tri::Maybe,
                (None, ips) => Tri::from_bool(ips.iter().any(|ip| set.contains_ip(*ip))),
            },
        }
    }

    /// Whether an AdminNetworkPolicy peer (`namespaces`, `pods`, `networks`,
    /// `nodes`) matches the other end; `Maybe` when the inputs leave it open
    /// (AdminNetworkPolicy API reference, network-policy-api.sigs.k8s.io).
    pub fn admin_peer(&self, peer: &AdminPeer, other: FlowEnd) -> Tri {
        match (peer, other) {
            (AdminPeer::Namespaces(sel), FlowEnd::Pod(i)) => bool_match(
                self.selectable(&self.c.pods[i])
                    && self.ns_labels(&self.c.pods[i].namespace).is_some_and(|l| sel.matches(l)),
            ),
            (AdminPeer::Pods { namespace_selector, pod_selector }, FlowEnd::Pod(i)) => {
                bool_match(self.pod_in(&self.c.pods[i], namespace_selector, pod_selector))
            }
            (AdminPeer::Networks(set, _), _) => self.addr_match(set, other),
            (AdminPeer::Nodes(sel), FlowEnd::Address(ip)) => {
                let mut selected = self.c.nodes.iter().filter(|n| sel.matches(&n.labels));
                if self.c.nodes.is_empty() || self.c.nodes.iter().any(|n| sel.matches(&n.labels) && n.ips.is_empty()) {
                    // Both readings are evaluated (see `readings`); the rule
                    // matches every outside address in the wide one, as the
                    // engine's `maybe` peers do.
                    bool_match(self.reading.wide)
                } else {
                    bool_match(selected.any(|n| n.ips.contains(&ip)))
                }
            }
            _ => Tri::No,
        }
    }

    /// Whether a NetworkPolicy peer (`podSelector`, `namespaceSelector`,
    /// `ipBlock`) matches the other end; a peer with only a `podSelector` is
    /// read in `policy_ns` ("Network Policies", "Behavior of to and from
    /// selectors").
    pub fn np_peer(&self, peer: &NpPeer, policy_ns: &str, other: FlowEnd) -> Tri {
        match (peer, other) {
            (NpPeer::Pods { namespace_selector, pod_selector, .. }, FlowEnd::Pod(i)) => {
                let p = &self.c.pods[i];
                if !self.selectable(p) {
                    return Tri::No;
                }
                let ns_ok = match namespace_selector {
                    Some(sel) => self.namespace_match(&p.namespace, sel),
                    None => p.namespace == policy_ns,
                };
                bool_match(ns_ok && pod_selector.as_ref().is_none_or(|s| s.matches(&p.labels)))
            }
            (NpPeer::IpBlock { addresses, .. }, _) => self.addr_match(addresses, other),
            _ => Tri::No,
        }
    }
}

/// A definite match or no match (never `Maybe`).
pub fn bool_match(b: bool) -> Tri {
    Tri::from_bool(b)
}

/// Why a rule's match was undecidable: a pod address the input lacks.
pub fn ip_reason(c: &Cluster, peer: FlowEnd, policy: PolicyRef, rule: StepRule) -> Reason {
    let pod = match peer {
        FlowEnd::Pod(i) => format!("{}/{}", c.pods[i].namespace, c.pods[i].name),
        FlowEnd::Address(ip) => ip.to_string(),
    };
    Reason::PodIpUnknown { pod, policy: Box::new(policy), rule }
}

/// Does a port list admit (proto, port) toward `dst` (named ports resolve on it)?
pub fn port_match(list: &[PolicyPort], c: &Cluster, dst: FlowEnd, proto: Protocol, port: u16) -> bool {
    if list.is_empty() {
        return true;
    }
    list.iter().any(|p| match p {
        PolicyPort::All(pr) => *pr == proto,
        PolicyPort::Range(pr, lo, hi) => *pr == proto && (*lo..=*hi).contains(&port),
        PolicyPort::Named(pr, name) => match dst {
            FlowEnd::Pod(i) => c.pods[i].ports.iter().any(|cp| {
                cp.name.as_deref() == Some(name)
                    && cp.protocol == proto
                    && cp.port == port
                    && pr.is_none_or(|x| x == proto)
            }),
            FlowEnd::Address(_) => false,
        },
    })
}

/// Explains one flow. When policies may or may not apply to a hostNetwork
/// end of it, both readings are evaluated and a difference is unknown.
pub fn explain(c: &Cluster, sem: &Semantics, src: FlowEnd, dst: FlowEnd, proto: Protocol, port: u16) -> Explanation {
    explain_l7(c, sem, src, dst, proto, port, None)
}

/// [`explain`] with the flow's HTTP request, when known: Istio's rules on
/// methods and paths are decided by it instead of being unknown.
pub fn explain_l7(
    c: &Cluster,
    sem: &Semantics,
    src: FlowEnd,
    dst: FlowEnd,
    proto: Protocol,
    port: u16,
    http: Option<&lang::istio::HttpRequest>,
) -> Explanation {
    if let Some(why) = builtin_admission(c, src, dst) {
        return admitted(c, sem, src, dst, proto, port, http, why);
    }
    if let (FlowEnd::Pod(a), FlowEnd::Pod(b)) = (src, dst) {
        let p = &c.pods[a];
        if a == b && p.ips.is_empty() && sem.ipblock_selects_pods {
            // Two replicas of one template entry: their unknown addresses
            // are independent, but the readings assume one address per
            // pod index. Evaluate toward a copy standing for the second.
            let mut twin = c.clone();
            let name = p.replica_name(1).into_owned();
            twin.pods.push(tusk_model::k8s::Pod { name, template: None, ..p.clone() });
            return explain_l7(&twin, sem, src, FlowEnd::Pod(Idx::new(twin.pods.len() - 1)), proto, port, http);
        }
    }
    let host = |e: FlowEnd| match e {
        FlowEnd::Pod(i) => c.pods[i].host_network.then(|| format!("{}/{}", c.pods[i].namespace, c.pods[i].name)),
        FlowEnd::Address(_) => None,
    };
    let host_end = host(src).or_else(|| host(dst));
    match (sem.host_network, host_end) {
        (HostNetwork::AsPods, _) | (_, None) => explain_in(c, sem, true, src, dst, proto, port, http),
        (HostNetwork::NotSelectable, Some(_)) => explain_in(c, sem, false, src, dst, proto, port, http),
        (HostNetwork::Either, Some(name)) => {
            let as_pods = explain_in(c, sem, true, src, dst, proto, port, http);
            let ignored = explain_in(c, sem, false, src, dst, proto, port, http);
            if as_pods.verdict == ignored.verdict {
                return as_pods;
            }
            let reason =
                Reason::HostNetwork { pod: name, as_pods: as_pods.verdict.kind(), ignored: ignored.verdict.kind() };
            Explanation { verdict: Verdict::unknown(reason, None), ..as_pods }
        }
    }
}

/// The explanation of a flow a built-in admission allows (`why` names it),
/// whatever the NetworkPolicy-like tiers say, with the destination pod's
/// Istio proxy still deciding on top (a node's traffic is plaintext); also
/// for the very same replica on both ends of a flow, which
/// [`builtin_admission`] cannot tell from two replicas of one template
/// entry (the caller can: `endpoint::Member::same_pod`).
#[allow(clippy::too_many_arguments)]
pub fn admitted(
    c: &Cluster,
    sem: &Semantics,
    src: FlowEnd,
    dst: FlowEnd,
    proto: Protocol,
    port: u16,
    http: Option<&lang::istio::HttpRequest>,
    why: Admission,
) -> Explanation {
    let step = Step {
        layer: Layer::Default,
        policy: PolicyRef::BuiltinAdmission,
        rule: StepRule::Admission(why),
        action: Action::Allow,
        loc: None,
        decisive: true,
    };
    let side = |applies| Side { applies, steps: vec![step.clone()], verdict: Verdict::Allowed };
    let mut ingress = side(matches!(dst, FlowEnd::Pod(_)));
    // The built-in admission is NetworkPolicy's: a proxy at the
    // destination still sees the flow (a node's traffic is plaintext).
    if let FlowEnd::Pod(i) = dst {
        if let Some(v) = proxy_ingress(c, sem, src, i, proto, port, http, &mut ingress.steps) {
            ingress.verdict = v;
        }
    }
    let verdict = ingress.verdict.clone();
    Explanation { egress: side(matches!(src, FlowEnd::Pod(_))), ingress, verdict }
}

/// What the destination pod's Istio proxy alone decides of a flow (`None`:
/// it does not act on it), its steps appended to `steps`: for flows the
/// network tiers admit by themselves (a pod's own node), here and in the
/// joined trace.
#[allow(clippy::too_many_arguments)]
pub fn proxy_ingress(
    c: &Cluster,
    sem: &Semantics,
    src: FlowEnd,
    dst_pod: Idx<Pod>,
    proto: Protocol,
    port: u16,
    http: Option<&lang::istio::HttpRequest>,
    steps: &mut Vec<Step>,
) -> Option<Verdict> {
    let reading = Reading::default();
    let cx = Ctx { c, sem, host_selectable: true, reading: &reading, http };
    let probe = Probe { dir: Dir::Ingress, peer: src, dst: FlowEnd::Pod(dst_pod), proto, port };
    lang::istio::explain::explain(&cx, dst_pod, probe, steps)
}

/// The flows NetworkPolicy never restricts (Kubernetes docs, "Network
/// Policies", "The two sorts of pod isolation" and the peer identifiers):
/// a pod cannot block access to itself, and traffic to and from the node
/// where a pod runs is always allowed, whatever the pod's and node's IPs.
pub fn builtin_admission(c: &Cluster, src: FlowEnd, dst: FlowEnd) -> Option<Admission> {
    let node_of = |i: Idx<Pod>| {
        let name = c.pods[i].node_name.as_deref()?;
        c.nodes.iter().find(|n| n.name == name)
    };
    match (src, dst) {
        // An entry standing for several replicas to itself is one replica
        // to another: the policies decide.
        (FlowEnd::Pod(a), FlowEnd::Pod(b)) if a == b && c.pods[a].count() < 2 => Some(Admission::SelfTraffic),
        (FlowEnd::Address(ip), FlowEnd::Pod(i)) if node_of(i).is_some_and(|n| n.ips.contains(&ip)) => {
            Some(Admission::FromOwnNode)
        }
        (FlowEnd::Pod(i), FlowEnd::Address(ip)) if node_of(i).is_some_and(|n| n.ips.contains(&ip)) => {
            Some(Admission::ToOwnNode)
        }
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn explain_in(
    c: &Cluster,
    sem: &Semantics,
    host_selectable: bool,
    src: FlowEnd,
    dst: FlowEnd,
    proto: Protocol,
    port: u16,
    http: Option<&lang::istio::HttpRequest>,
) -> Explanation {
    let pod = |e: FlowEnd| match e {
        FlowEnd::Pod(i) => Some(i),
        FlowEnd::Address(_) => None,
    };
    // Each side in every reading open to it. The egress side matches the
    // destination (only its address matters there), the ingress side the
    // source: enumerating the two apart costs k + k readings, not k × k,
    // and treats the sides' readings as independent, as the engine does.
    let egress = match src {
        FlowEnd::Pod(i) => {
            let probe = Probe { dir: Dir::Egress, peer: dst, dst, proto, port };
            side_in_readings(c, sem, host_selectable, i, probe, [None, pod(dst)], http)
        }
        FlowEnd::Address(_) => not_a_pod(),
    };
    let ingress = match dst {
        FlowEnd::Pod(i) => {
            let probe = Probe { dir: Dir::Ingress, peer: src, dst, proto, port };
            side_in_readings(c, sem, host_selectable, i, probe, [pod(src), None], http)
        }
        FlowEnd::Address(_) => not_a_pod(),
    };
    let verdict = egress.verdict.clone().then(ingress.verdict.clone());
    Explanation { egress, ingress, verdict }
}

/// One side evaluated in every reading of `ends`: the same verdict in all
/// is that verdict; otherwise unknown, naming a reading per verdict.
#[allow(clippy::too_many_arguments)]
fn side_in_readings(
    c: &Cluster,
    sem: &Semantics,
    host_selectable: bool,
    pod: Idx<Pod>,
    probe: Probe,
    ends: [Option<Idx<Pod>>; 2],
    http: Option<&lang::istio::HttpRequest>,
) -> Side {
    let all = readings(c, sem, ends);
    let mut results: Vec<(Side, &Reading)> =
        all.iter().map(|r| (side(&Ctx { c, sem, host_selectable, reading: r, http }, pod, probe), r)).collect();
    if results.iter().all(|(s, _)| s.verdict == results[0].0.verdict) {
        return results.swap_remove(0).0;
    }
    let mut parts: Vec<(tusk_core::Kind, crate::reason::ReadingLabel)> = Vec::new();
    for (s, r) in &results {
        let k = s.verdict.kind();
        if !parts.iter().any(|(x, _)| *x == k) {
            parts.push((k, r.label.clone()));
        }
    }
    let mut s = results.swap_remove(0).0;
    s.verdict = Verdict::unknown(Reason::Readings(parts), None);
    s
}

fn not_a_pod() -> Side {
    Side { applies: false, steps: Vec::new(), verdict: Verdict::Allowed }
}

/// What one side evaluates: the peer at the other end, and the destination
/// (named ports resolve on it), protocol and port.
#[derive(Clone, Copy)]
pub struct Probe {
    /// The side evaluated.
    pub dir: Dir,
    /// The other end of the flow.
    pub peer: FlowEnd,
    /// The destination (named ports resolve on it).
    pub dst: FlowEnd,
    /// The flow's protocol.
    pub proto: Protocol,
    /// The destination port (ignored for a protocol without ports).
    pub port: u16,
}

/// `ingress` or `egress`.
pub fn dir_name(d: Dir) -> &'static str {
    match d {
        Dir::Ingress => "ingress",
        Dir::Egress => "egress",
    }
}

/// One end's verdict, then the policies of other languages that may change
/// it: a Calico or Cilium policy makes it unknown whatever it was, an Istio
/// one makes an allowed flow unknown (it can only refuse).
fn side(cx: &Ctx, pod_i: Idx<Pod>, probe: Probe) -> Side {
    let mut side = layers(cx, pod_i, probe);
    // Istio's proxy at the destination refuses on top of the network's
    // verdict (its tier comes last in `plan`).
    if let Some(v) = lang::istio::explain::explain(cx, pod_i, probe, &mut side.steps) {
        side.verdict = side.verdict.clone().then(v);
    }
    let pod = &cx.c.pods[pod_i];
    if side.verdict == Verdict::Allowed {
        if let Some(h) = lang::cilium::host_doubt(cx, pod, probe) {
            side.steps.push(Step {
                layer: Layer::Cilium,
                policy: lang::cilium::cilium_ref(h),
                rule: StepRule::PeerNodeHostPolicy,
                action: Action::Unknown,
                loc: Some(h.loc.clone()),
                decisive: true,
            });
            let reason = lang::cilium::host_reason(h, probe.dir == Dir::Ingress);
            side.verdict = Verdict::unknown(reason, Some(h.loc.clone()));
        }
    }
    let hits = super::foreign::touching(cx.c, cx.sem, &pod.namespace, &pod.labels, probe.dir == Dir::Ingress);
    let deciding: Vec<_> = hits.iter().filter(|p| p.can_allow || side.verdict == Verdict::Allowed).collect();
    if deciding.is_empty() {
        return side;
    }
    let foreign = super::foreign::policy_ref;
    let names: Vec<(PolicyRef, Loc)> = deciding.iter().map(|p| (foreign(p), p.loc.clone())).collect();
    let first = deciding[0].loc.clone();
    for p in &deciding {
        side.steps.push(Step {
            layer: Layer::Unmodelled,
            policy: foreign(p),
            rule: StepRule::MaySelect {
                pod: format!("{}/{}", pod.namespace, pod.name),
                dir: probe.dir,
                engine: p.engine,
            },
            action: Action::Unknown,
            loc: Some(p.loc.clone()),
            decisive: true,
        });
    }
    let reason = Reason::Unmodelled {
        policies: names,
        pod: format!("{}/{}", pod.namespace, pod.name),
        ingress: probe.dir == Dir::Ingress,
    };
    side.verdict = Verdict::unknown(reason, Some(first));
    side
}

fn layers(cx: &Ctx, pod_i: Idx<Pod>, probe: Probe) -> Side {
    let dir = probe.dir;
    let pod = &cx.c.pods[pod_i];
    if !cx.selectable(pod) {
        let step = Step {
            layer: Layer::Default,
            policy: PolicyRef::HostNetworkPod,
            rule: StepRule::HostNetworkUnselected,
            action: Action::Allow,
            loc: Some(pod.loc.clone()),
            decisive: true,
        };
        return Side { applies: true, steps: vec![step], verdict: Verdict::Allowed };
    }
    let mut steps = Vec::new();
    for tier in plan(cx.c, cx.sem) {
        let verdict = match tier.language {
            Language::AdminNetworkPolicy => {
                let mut admins: Vec<&AdminNetworkPolicy> = cx.c.admin_policies.iter().collect();
                admins.sort_by_key(|p| p.priority);
                // Policies of one priority run in an undefined order: this reading's.
                let admins = rotate(admins, cx.reading.order, |p| p.priority);
                lang::anp::explain(cx, &admins, pod, probe, Layer::Admin, &mut steps)
            }
            Language::BaselineAdminNetworkPolicy => {
                let banp: Vec<&AdminNetworkPolicy> = cx.c.baseline_policy.iter().collect();
                lang::anp::explain(cx, &banp, pod, probe, Layer::Baseline, &mut steps)
            }
            Language::Cilium => lang::cilium::explain(cx, pod, probe, &mut steps),
            // The rest of the plan (Calico's tiers, BANP, profiles) in one
            // walk: a doubtful Pass is followed down both branches.
            Language::Calico(i) => Some(lang::calico_explain::explain_from(cx, i, pod_i, probe, &mut steps)),
            Language::CalicoProfiles => Some(lang::calico_explain::explain_profiles(cx, pod_i, probe, &mut steps)),
            // Evaluated by `side` on top of the other tiers' verdict.
            Language::Istio => None,
            Language::NetworkPolicy => {
                let v = lang::netpol::explain(cx, pod, probe, &mut steps);
                if v == Some(Verdict::Denied) {
                    lang::netpol::deny_steps(cx, pod, dir, &mut steps);
                }
                v
            }
        };
        if let Some(verdict) = verdict {
            return Side { applies: true, steps, verdict };
        }
    }
    steps.push(Step {
        layer: Layer::Default,
        policy: PolicyRef::NoPolicy,
        rule: StepRule::NotIsolated(dir),
        action: Action::Allow,
        loc: None,
        decisive: true,
    });
    Side { applies: true, steps, verdict: Verdict::Allowed }
}
