//! The verdicts of Istio gateway pods' routes ([`super::gateway`]): what a
//! gateway pod's egress ([`Egress`]) refuses or leaves open toward a
//! destination class, an address range or one flow, for the class engine
//! ([`compile`]) and for `explain` ([`explain`]). Only TCP is judged; a
//! port no route reaches is refused, a port a route may reach is unknown,
//! and every port is unknown when the egress holds `anything`.

use super::gateway::{egress, gateway_owner, gateways_of, Egress, Reach};
use super::route::{RouteDoubt, RouteRef};
use crate::compile::{Builder, Direction};
use crate::explain::{Action, Ctx, FlowEnd, Layer, PolicyRef, Probe, Reason, Step, StepRule, Verdict};
use crate::step::GatewayCase;
use crate::tier::Tier;
use roaring::RoaringBitmap;
use std::collections::HashMap;
use tusk_core::{Idx, IpSet, PortSet, Protocol};
use tusk_model::k8s::{Cluster, Pod};

/// (refused, maybe) TCP ports toward destination pods of one class.
fn judged_pods(e: &Egress, pods: &[Idx<Pod>]) -> (PortSet, PortSet) {
    let empty = Reach::default();
    let mut it = pods.iter().map(|p| e.pods.get(p).unwrap_or(&empty));
    let Some(first) = it.next() else { return (PortSet::empty(), PortSet::empty()) };
    let (mut yes, mut maybe) = (first.yes.clone(), first.maybe.clone());
    for r in it {
        let differ = yes.subtract(&r.yes).union(&r.yes.subtract(&yes));
        maybe = maybe.union(&r.maybe).union(&differ);
        yes = yes.intersect(&r.yes);
    }
    judged(e, yes, maybe)
}

/// (refused, maybe) TCP ports toward the addresses `range`.
fn judged_range(e: &Egress, range: &IpSet) -> (PortSet, PortSet) {
    let (mut yes, mut maybe) = (PortSet::empty(), e.outside.maybe.clone());
    for (set, r) in &e.addrs {
        if range.is_subset(set) {
            yes = yes.union(&r.yes);
            maybe = maybe.union(&r.maybe);
        } else if range.intersects(set) {
            maybe = maybe.union(&r.yes).union(&r.maybe);
        }
    }
    let maybe = maybe.subtract(&yes);
    judged(e, yes, maybe)
}

fn judged(e: &Egress, yes: PortSet, maybe: PortSet) -> (PortSet, PortSet) {
    let rest = PortSet::all_ports().subtract(&yes);
    if e.anything.is_some() {
        (PortSet::empty(), rest)
    } else {
        (rest.subtract(&maybe), maybe.subtract(&yes))
    }
}

/// The gateway routes' verdict on one flow from gateway pod `src`, with
/// its step; `None` when `src` is no gateway pod or the flow is not TCP.
pub fn explain(cx: &Ctx, src: Idx<Pod>, probe: Probe, steps: &mut Vec<Step>) -> Option<Verdict> {
    let c = cx.c;
    if probe.proto != Protocol::Tcp || c.mesh.gateways.is_empty() {
        return None;
    }
    let e = egress(c, src, cx.http)?;
    let g = &c.mesh.gateways[e.gateway];
    let empty = Reach::default();
    let (reach, (refused, maybe)) = match probe.peer {
        FlowEnd::Pod(j) => (e.pods.get(&j).unwrap_or(&empty).clone(), judged_pods(&e, &[j])),
        FlowEnd::Address(ip) => {
            let one = IpSet::single(tusk_core::ip::ip_to_u128(ip));
            let mut r = e.outside.clone();
            for (_, x) in e.addrs.iter().filter(|(s, _)| s.contains_ip(ip)) {
                r.by = r.by.or(x.by.clone());
                r.doubt = r.doubt.or(x.doubt.clone());
            }
            (r, judged_range(&e, &one))
        }
    };
    let policy = PolicyRef::Gateway { namespace: g.namespace.clone(), name: g.name.clone() };
    let (verdict, action, case) = if refused.contains(probe.port) {
        (Verdict::Denied, Action::Deny, GatewayCase::NotRouted)
    } else if maybe.contains(probe.port) {
        let (by, why) = e.anything.clone().or(reach.doubt.clone()).unwrap_or_else(|| {
            (RouteRef { vs: gateway_owner(g, None), route: None, loc: g.loc.clone() }, RouteDoubt::NoRouteMatches)
        });
        let reason = Reason::GatewayRoute { by: Box::new(by.clone()), why };
        (Verdict::unknown(reason, Some(by.loc)), Action::Unknown, GatewayCase::Unknown)
    } else {
        let by = reach.by.unwrap_or_else(|| RouteRef { vs: gateway_owner(g, None), route: None, loc: g.loc.clone() });
        (Verdict::Allowed, Action::Allow, GatewayCase::Routed(Box::new(by)))
    };
    steps.push(Step {
        layer: Layer::Istio,
        policy,
        rule: StepRule::Gateway(case),
        action,
        loc: Some(g.loc.clone()),
        decisive: true,
    });
    Some(verdict)
}

/// A synthetic class label making each gateway pod a class of its own
/// (its egress is its own).
pub fn class_labels(c: &Cluster, pod: &Pod) -> Vec<(String, String)> {
    if c.mesh.gateways.is_empty() {
        return Vec::new();
    }
    let gws = gateways_of(c, pod);
    if gws.is_empty() {
        return Vec::new();
    }
    let key = gws.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
    vec![("@istio/gateway-pod".into(), format!("{key}:{}/{}", pod.namespace, pod.name))]
}

/// Pod label keys that gateway routing reads, for the class partition
/// (`classes.rs`): the Gateways' selectors, the Services' selectors and the
/// DestinationRule subsets' labels (routes reach a Service's endpoints,
/// narrowed by a subset), and `app` / `k8s-app` (istiod, kube-dns). Empty
/// without Gateways. Cost: Services + subsets + Gateways.
pub fn label_keys(c: &Cluster) -> Vec<String> {
    if c.mesh.gateways.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<String> = vec!["app".into(), "k8s-app".into()];
    for g in &c.mesh.gateways {
        out.extend(g.selector.keys().cloned());
    }
    for s in &c.services {
        out.extend(s.selector.iter().flat_map(|sel| sel.keys().cloned()));
    }
    for s in &c.mesh.subsets {
        out.extend(s.labels.keys().cloned());
    }
    out
}

/// Writes the gateway pods' egress into the Istio tier (index `tier`):
/// per gateway class, deny rules toward the destination classes and
/// address atoms on the TCP ports no route reaches (sure) or may reach
/// (maybe). Cost: gateway classes × (classes + atoms).
pub fn compile(b: &mut Builder, tier: Idx<Tier>) {
    let c = b.sel.cluster;
    if c.mesh.gateways.is_empty() {
        return;
    }
    let ep = b.sel.ep;
    let n = ep.class_count();
    for (ci, class) in ep.classes.iter().enumerate() {
        let pods = &ep.groups[class.group].pods;
        let Some(&p0) = pods.first() else { continue };
        let Some(e) = egress(c, p0, None) else { continue };
        let mut by_status: HashMap<(PortSet, PortSet), RoaringBitmap> = HashMap::new();
        for (cj, other) in ep.classes.iter().enumerate() {
            let st = judged_pods(&e, &ep.groups[other.group].pods);
            by_status.entry(st).or_default().insert(cj as u32);
        }
        for (ai, a) in ep.atoms.iter().enumerate() {
            let st = judged_range(&e, &IpSet::range(a.lo, a.hi));
            by_status.entry(st).or_default().insert(n + ai as u32);
        }
        let ids = super::sidecar::push_denies(b, tier, by_status);
        let mut subject = RoaringBitmap::new();
        subject.insert(ci as u32);
        b.apply(tier, &subject, Direction::Egress, &ids, false);
    }
}
