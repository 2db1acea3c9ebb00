//! Istio's Sidecar egress scoping at the source's proxy (Istio docs,
//! "Sidecar" reference): which destinations a sidecar-injected pod reaches.
//!
//! * The Sidecar of a pod: the one in its namespace whose
//!   `workloadSelector` selects it, else its namespace's Sidecar without a
//!   selector, else the root namespace's (the mesh default). Several
//!   matching is undefined in Istio; tusk takes the first in input order.
//!   Only sidecar proxies read it: ambient pods and pods without a proxy are
//!   not affected.
//! * `outboundTrafficPolicy`: the Sidecar's, else the mesh default, which
//!   tusk assumes is Istio's `ALLOW_ANY` (MeshConfig is not read). Under
//!   ALLOW_ANY a destination the proxy does not import passes through
//!   (PassthroughCluster) "in case there are no services or ServiceEntries
//!   for the destination port" (Sidecar reference, `OutboundTrafficPolicy.
//!   Mode`). On a port where the proxy has a listener for an imported host
//!   (the ports of the Services and ServiceEntries its egress listeners
//!   import; hosts it does not import give it no listener), whether the
//!   traffic still reaches the PassthroughCluster has depended on the Istio
//!   version (istio/istio#39794, fixed in istiod's route cache): tusk
//!   answers unknown there, and allowed on the other ports and for
//!   imported destinations. A Sidecar without egress listeners imports
//!   every host: nothing changes. With an `egressProxy` such traffic goes
//!   to that proxy instead: unknown.
//! * Under `REGISTRY_ONLY` only imported hosts are reachable (the rest goes
//!   to the BlackHoleCluster). An egress listener imports its `NS/DNS`
//!   hosts (on its `port` only, when set; `.` is the workload's namespace,
//!   `*` any, `~` none); a Sidecar without egress listeners imports all.
//!   A Service `NAME` of `NS` is the host `NAME.NS.svc.cluster.local`. A pod
//!   is reached by its Service's host when that is imported; addressed by
//!   its own IP it is not in the registry (a headless Service's endpoints
//!   are, which tusk does not tell apart): a pod cell behind an imported
//!   Service is unknown, one behind no imported Service is refused. An
//!   outside address is reached through an imported ServiceEntry whose
//!   `addresses` hold it (on its ports); one without `addresses` resolves by
//!   DNS, which tusk cannot see (unknown).
//! * Only TCP is intercepted: other protocols pass.
//! * `bind` or `captureMode: NONE` on an egress listener changes the
//!   interception itself: the Sidecar's verdicts are unknown.
//!
//! Not read: the `networking.istio.io/exportTo` annotation of Services
//! (every Service is taken as exported everywhere).

use crate::compile::{Builder, Direction, Rule, RuleOrigin};
use crate::doubt::{DoubtAt, IstioDoubt};
use crate::explain::{Action, Ctx, FlowEnd, Layer, PolicyRef, Probe, Reason, Step, StepRule, Verdict};
use crate::step::SidecarCase;
use crate::tier::Tier;
use roaring::RoaringBitmap;
use std::collections::HashMap;
use tusk_core::{Idx, IdxVec, IpSet, PortSet, Protocol, Tri};
use tusk_model::istio::Dataplane;
use tusk_model::istio_net::{OutboundMode, Sidecar};
use tusk_model::k8s::{AdminAction, Cluster, Pod, PolicyPort, Service};

/// How a Sidecar restricts a source (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// REGISTRY_ONLY: imported hosts only.
    RegistryOnly,
    /// ALLOW_ANY with an `egressProxy`: what is not imported goes there.
    EgressProxy,
    /// `bind` / `captureMode: NONE`: interception tusk does not model.
    CustomCapture,
    /// ALLOW_ANY with egress listeners: what is not imported passes, except
    /// on the ports of imported hosts (unknown; module doc).
    AllowAnyScoped,
}

/// A source's Sidecar restriction: the Sidecar (index into
/// `mesh.sidecars`), whether the source surely has a sidecar proxy, and
/// the kind of restriction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Restriction {
    /// Index of the Sidecar in `Cluster::mesh.sidecars`.
    pub sidecar: usize,
    /// `Yes`: the pod runs a sidecar; `Maybe`: its data plane is unknown.
    pub applies: Tri,
    /// What the Sidecar does to destinations it does not import.
    pub kind: Kind,
}

/// The Sidecar resource that configures `pod`'s proxy (index), if any.
pub fn effective(c: &Cluster, pod: &Pod) -> Option<usize> {
    let list = &c.mesh.sidecars;
    let own = |s: &Sidecar| s.namespace == pod.namespace;
    list.iter()
        .position(|s| own(s) && s.selector.as_ref().is_some_and(|sel| sel.matches(&pod.labels)))
        .or_else(|| list.iter().position(|s| own(s) && s.selector.is_none()))
        .or_else(|| list.iter().position(|s| c.mesh.is_root(&s.namespace) && s.selector.is_none()))
}

/// What the Sidecar of `pod` restricts, `None` when nothing.
pub fn restriction(c: &Cluster, pod: &Pod) -> Option<Restriction> {
    let applies = match super::dataplane(pod) {
        Dataplane::Sidecar => Tri::Yes,
        Dataplane::Unknown => Tri::Maybe,
        Dataplane::Ambient | Dataplane::None => return None,
    };
    let i = effective(c, pod)?;
    let s = &c.mesh.sidecars[i];
    let kind = if s.egress.iter().any(|l| l.custom_capture) {
        Kind::CustomCapture
    } else {
        match (s.outbound.unwrap_or(OutboundMode::AllowAny), s.egress_proxy) {
            (OutboundMode::RegistryOnly, _) => Kind::RegistryOnly,
            (OutboundMode::AllowAny, true) => Kind::EgressProxy,
            (OutboundMode::AllowAny, false) if s.egress.is_empty() => return None,
            (OutboundMode::AllowAny, false) => Kind::AllowAnyScoped,
        }
    };
    Some(Restriction { sidecar: i, applies, kind })
}

/// Does the Sidecar, for a workload of namespace `own`, import host `dns`
/// of namespace `ns` on service port `port`?
fn imports(s: &Sidecar, own: &str, ns: &str, dns: &str, port: u16) -> bool {
    s.egress.is_empty()
        || s.egress.iter().any(|l| l.port.is_none_or(|p| p == port) && l.hosts.iter().any(|h| h.imports(own, ns, dns)))
}

/// Every TCP endpoint a pod is of: (Service, service port, target port),
/// per pod.
pub fn endpoint_index(c: &Cluster) -> IdxVec<Pod, Vec<(Idx<Service>, u16, u16)>> {
    let mut out = IdxVec::filled(&c.pods, Vec::new());
    for (si, s) in Idx::enumerate(&c.services) {
        for sp in s.ports.iter().filter(|p| p.protocol == Protocol::Tcp) {
            if let Ok(eps) = crate::services::endpoints(c, s, sp) {
                for (pod, t) in eps {
                    out[pod].push((si, sp.port, t));
                }
            }
        }
    }
    out
}

/// The TCP ports of destination pod `j` the Sidecar surely lets through
/// and those it may (the rest it refuses), for a source in `own`.
fn to_pod(c: &Cluster, s: &Sidecar, own: &str, eps: &[(Idx<Service>, u16, u16)]) -> (PortSet, PortSet) {
    let mut maybe = PortSet::empty();
    for &(si, port, target) in eps {
        let svc = &c.services[si];
        let host = format!("{}.{}.svc.cluster.local", svc.name, svc.namespace);
        if imports(s, own, &svc.namespace, &host, port) {
            maybe = maybe.union(&PortSet::single(target));
        }
    }
    (PortSet::empty(), maybe)
}

/// The TCP ports to the addresses `range` the Sidecar surely lets through
/// and those it may, through the ServiceEntries it imports.
fn to_address(c: &Cluster, s: &Sidecar, own: &str, range: &IpSet) -> (PortSet, PortSet) {
    let (mut yes, mut maybe) = (PortSet::empty(), PortSet::empty());
    for e in c.mesh.service_entries.iter().filter(|e| e.visible_from(own)) {
        let ports = if e.ports.is_empty() {
            PortSet::all_ports()
        } else {
            e.ports.iter().fold(PortSet::empty(), |a, p| a.union(&PortSet::single(*p)))
        };
        let imported: PortSet = e.hosts.iter().fold(PortSet::empty(), |a, h| {
            ports.ranges().iter().flat_map(|&(lo, hi)| lo..=hi).fold(a, |a, p| {
                if imports(s, own, &e.namespace, h, p) {
                    a.union(&PortSet::single(p))
                } else {
                    a
                }
            })
        });
        match &e.addresses {
            Some(a) if range.is_subset(a) => yes = yes.union(&imported),
            Some(a) if range.intersects(a) => maybe = maybe.union(&imported),
            Some(_) => {}
            None => maybe = maybe.union(&imported),
        }
    }
    (yes.clone(), maybe.subtract(&yes))
}

/// The TCP ports of every host the Sidecar imports for a workload of
/// namespace `own` (Services' ports and ServiceEntries' ports; an entry
/// without ports, every port): the ports where the proxy has a listener.
pub fn imported_ports(c: &Cluster, s: &Sidecar, own: &str) -> PortSet {
    let mut out = PortSet::empty();
    for svc in &c.services {
        let host = format!("{}.{}.svc.cluster.local", svc.name, svc.namespace);
        for sp in svc.ports.iter().filter(|p| p.protocol == Protocol::Tcp) {
            if imports(s, own, &svc.namespace, &host, sp.port) {
                out = out.union(&PortSet::single(sp.port));
            }
        }
    }
    for e in c.mesh.service_entries.iter().filter(|e| e.visible_from(own)) {
        for h in &e.hosts {
            if e.ports.is_empty() {
                // An entry of every port: the listeners that import it.
                for l in s.egress.iter().filter(|l| l.hosts.iter().any(|x| x.imports(own, &e.namespace, h))) {
                    match l.port {
                        None => return PortSet::all_ports(),
                        Some(p) => out = out.union(&PortSet::single(p)),
                    }
                }
            }
            for &p in &e.ports {
                if imports(s, own, &e.namespace, h, p) {
                    out = out.union(&PortSet::single(p));
                }
            }
        }
    }
    out
}

/// (refused, maybe) TCP ports from what the registry lets through, by the
/// restriction's kind; `listeners`: the imported hosts' ports (used under
/// ALLOW_ANY).
fn judged(r: Restriction, (yes, maybe): (PortSet, PortSet), listeners: &PortSet) -> (PortSet, PortSet) {
    let all = PortSet::all_ports();
    let refused = all.subtract(&yes).subtract(&maybe);
    if r.kind == Kind::AllowAnyScoped {
        // `yes`: the ports surely imported. Those pass (by the host's name,
        // or by the request's Host header on the listener); the rest passes
        // except on a port with a listener of an imported host. `maybe`
        // (imported for some pods of a class, or an entry that may hold the
        // address) is not surely imported: unknown on a listener port.
        let _ = maybe;
        return (PortSet::empty(), listeners.subtract(&yes));
    }
    match (r.kind, r.applies) {
        (Kind::CustomCapture, _) => (PortSet::empty(), refused.union(&maybe).union(&yes)),
        (Kind::EgressProxy, _) | (_, Tri::Maybe) => (PortSet::empty(), refused.union(&maybe)),
        _ => (refused, maybe),
    }
}

/// Why a port is refused or unknown, for explanations.
fn case(r: Restriction, refused: bool, to_pod: bool) -> SidecarCase {
    match (r.kind, refused, to_pod) {
        (Kind::AllowAnyScoped, _, _) => SidecarCase::AllowAnyOnImportedPort,
        (Kind::CustomCapture, _, _) => SidecarCase::CustomCapture,
        (Kind::EgressProxy, _, _) => SidecarCase::EgressProxy,
        (_, _, _) if r.applies == Tri::Maybe => SidecarCase::SourceSidecarUnknown,
        (_, true, _) => SidecarCase::NotImported,
        (_, false, true) => SidecarCase::ServiceHostOnly,
        (_, false, false) => SidecarCase::UnresolvedEntry,
    }
}

/// The Sidecar's verdict on one flow from pod `src` (the egress side),
/// with its step; `None` when no Sidecar restricts the source.
pub fn explain(cx: &Ctx, src: Idx<Pod>, probe: Probe, steps: &mut Vec<Step>) -> Option<Verdict> {
    let c = cx.c;
    if probe.proto != Protocol::Tcp || c.mesh.sidecars.is_empty() {
        return None;
    }
    let pod = &c.pods[src];
    let r = restriction(c, pod)?;
    let s = &c.mesh.sidecars[r.sidecar];
    let listeners = imported_ports(c, s, &pod.namespace);
    let (status, is_pod) = match probe.peer {
        FlowEnd::Pod(j) => {
            let eps = endpoint_index(c);
            let (yes, maybe) = to_pod(c, s, &pod.namespace, &eps[j]);
            // Under ALLOW_ANY one pod's imported ports are surely imported.
            let status = if r.kind == Kind::AllowAnyScoped { (yes.union(&maybe), maybe) } else { (yes, maybe) };
            (judged(r, status, &listeners), true)
        }
        FlowEnd::Address(ip) => {
            let one = IpSet::single(tusk_core::ip::ip_to_u128(ip));
            (judged(r, to_address(c, s, &pod.namespace, &one), &listeners), false)
        }
    };
    let (refused, maybe) = status;
    if r.kind == Kind::AllowAnyScoped && !maybe.contains(probe.port) {
        // Passed through (or imported): the Sidecar decides nothing here.
        return None;
    }
    let (verdict, action, rule) = if refused.contains(probe.port) {
        (Verdict::Denied, Action::Deny, case(r, true, is_pod))
    } else if maybe.contains(probe.port) {
        let c = case(r, false, is_pod);
        let at = DoubtAt::Policy(PolicyRef::Sidecar { namespace: s.namespace.clone(), name: s.name.clone() });
        let why = Reason::Istio { rule: Box::new(at), what: IstioDoubt::Sidecar(c) };
        (Verdict::unknown(why, Some(s.loc.clone())), Action::Unknown, c)
    } else {
        (Verdict::Allowed, Action::Allow, SidecarCase::Imported)
    };
    let policy = PolicyRef::Sidecar { namespace: s.namespace.clone(), name: s.name.clone() };
    let rule = StepRule::Sidecar(rule);
    steps.push(Step { layer: Layer::Istio, policy, rule, action, loc: Some(s.loc.clone()), decisive: true });
    Some(verdict)
}

/// A synthetic class label keeping pods with different Sidecars apart.
///
/// Under a Sidecar that scopes imports with ALLOW_ANY, a destination's
/// Services decide whether it is imported (allowed) or not (unknown on a
/// listener port): then pods are also kept apart by the Services they back.
pub fn class_labels(c: &Cluster, pod: &Pod) -> Vec<(String, String)> {
    let mut out = match effective(c, pod) {
        Some(i) if !c.mesh.sidecars.is_empty() => vec![("@istio/sidecar".into(), i.to_string())],
        _ => Vec::new(),
    };
    let scoped = c.mesh.sidecars.iter().any(|s| {
        s.outbound.unwrap_or(OutboundMode::AllowAny) == OutboundMode::AllowAny
            && !s.egress_proxy
            && !s.egress.is_empty()
    });
    if scoped {
        for svc in c.services.iter().filter(|s| s.namespace == pod.namespace) {
            if svc.selector.as_ref().is_some_and(|sel| sel.iter().all(|(k, v)| pod.labels.get(k) == Some(v))) {
                out.push((format!("@istio/service:{}", svc.name), "1".into()));
            }
        }
    }
    out
}

fn tcp(ports: &PortSet) -> Vec<PolicyPort> {
    ports.ranges().iter().map(|&(lo, hi)| PolicyPort::Range(Protocol::Tcp, lo, hi)).collect()
}

/// Pushes the Istio tier's deny rules for one source: per (refused, maybe)
/// pair of TCP port sets, a sure deny of `refused` toward its peers and a
/// maybe-deny of `maybe` toward them; peers are class indices and address
/// atoms as the tier numbers them. Groups go in order of their first peer,
/// so rule order does not depend on the map's. Returns the rules' ids.
/// Used by the Sidecar egress and the gateway pods' egress alike.
pub(super) fn push_denies(
    b: &mut Builder,
    tier: Idx<Tier>,
    by_status: HashMap<(PortSet, PortSet), RoaringBitmap>,
) -> Vec<Idx<Rule>> {
    let origin = RuleOrigin { tier, policy: u32::MAX, rule: u32::MAX };
    let mut ids = Vec::new();
    let mut keyed: Vec<_> = by_status.into_iter().collect();
    keyed.sort_by_key(|(_, b)| b.min());
    for ((refused, maybe), peers) in keyed {
        if !refused.is_empty() {
            let rule = Rule {
                origin,
                action: AdminAction::Deny,
                peers: peers.clone(),
                maybe: RoaringBitmap::new(),
                ports: tcp(&refused),
                priority: None,
            };
            ids.push(b.push(rule));
        }
        if !maybe.is_empty() {
            let rule = Rule {
                origin,
                action: AdminAction::Deny,
                peers: RoaringBitmap::new(),
                maybe: peers,
                ports: tcp(&maybe),
                priority: None,
            };
            ids.push(b.push(rule));
        }
    }
    ids
}

/// Writes the Sidecar egress rules into the Istio tier (index `tier`):
/// per source context (Sidecar and restriction), deny rules toward the
/// destination classes and addresses on the ports it refuses (sure) or may
/// refuse (maybe).
pub fn compile(b: &mut Builder, tier: Idx<Tier>) {
    let c = b.sel.cluster;
    if c.mesh.sidecars.is_empty() {
        return;
    }
    let ep = b.sel.ep;
    let n = ep.class_count();
    let mut contexts: HashMap<Restriction, RoaringBitmap> = HashMap::new();
    for (ci, class) in ep.classes.iter().enumerate() {
        let pod = &c.pods[ep.groups[class.group].pods[0]];
        if let Some(r) = restriction(c, pod) {
            contexts.entry(r).or_default().insert(ci as u32);
        }
    }
    if contexts.is_empty() {
        return;
    }
    let eps = endpoint_index(c);
    let mut sorted: Vec<_> = contexts.into_iter().collect();
    sorted.sort_by_key(|(_, b)| b.min());
    for (r, subject) in sorted {
        let s = &c.mesh.sidecars[r.sidecar];
        let own = &c.pods[ep.groups[ep.classes[subject.min().unwrap_or(0) as usize].group].pods[0]].namespace;
        let listeners = imported_ports(c, s, own);
        let mut by_status: HashMap<(PortSet, PortSet), RoaringBitmap> = HashMap::new();
        for (ci, class) in ep.classes.iter().enumerate() {
            // Every pod of the class (Service membership is not a class key).
            let mut statuses = ep.groups[class.group].pods.iter().map(|&p| to_pod(c, s, own, &eps[p]));
            let Some((mut yes, mut maybe)) = statuses.next() else { continue };
            // Under ALLOW_ANY: the ports imported for every pod of the class.
            let mut surely = yes.union(&maybe);
            for (y, m) in statuses {
                let differ = yes.subtract(&y).union(&y.subtract(&yes));
                maybe = maybe.union(&m).union(&differ);
                yes = yes.intersect(&y);
                surely = surely.intersect(&y.union(&m));
            }
            if r.kind == Kind::AllowAnyScoped {
                yes = surely;
            }
            by_status.entry(judged(r, (yes, maybe), &listeners)).or_default().insert(ci as u32);
        }
        for (ai, a) in ep.atoms.iter().enumerate() {
            let range = IpSet::range(a.lo, a.hi);
            by_status.entry(judged(r, to_address(c, s, own, &range), &listeners)).or_default().insert(n + ai as u32);
        }
        let ids = push_denies(b, tier, by_status);
        b.apply(tier, &subject, Direction::Egress, &ids, false);
    }
}
