//! The Istio tier for one flow: at the destination pod's proxy, STRICT
//! mTLS first (a plaintext peer never reaches authorization), then CUSTOM,
//! DENY and ALLOW policies, every rule that may match recorded with its
//! file:line (Istio docs, "Authorization Policy", evaluation order;
//! "PeerAuthentication", mTLS modes). The class engine's counterpart is
//! [`super::compile`]; both read the same per-peer field matching of
//! [`super`], never each other's combination of rules.

use super::{
    applies, dataplane, enforced, from_match, mtls_at, mtls_source, op_l7, op_never_matches, op_ports, principal,
    when_ports, when_source, Peer,
};
use crate::doubt::{DoubtAt, IstioDoubt};
use crate::explain::{Action, Ctx, Dir, FlowEnd, Layer, PolicyRef, Probe, Reason, Step, StepRule, Verdict};
use tusk_core::{Idx, Loc, Protocol, Tri};
use tusk_model::istio::{AuthorizationPolicy, AuthzAction, AuthzRule};
use tusk_model::k8s::Pod;

fn step(policy: PolicyRef, rule: StepRule, action: Action, loc: Loc, decisive: bool) -> Step {
    Step { layer: Layer::Istio, policy, rule, action, loc: Some(loc), decisive }
}

/// The first doubt met: (the rule or proxy, what is missing, where).
type Doubt = Option<(DoubtAt, IstioDoubt, Loc)>;

fn doubt(d: &mut Doubt, rule: DoubtAt, what: IstioDoubt, loc: &Loc) {
    if d.is_none() {
        *d = Some((rule, what, loc.clone()));
    }
}

/// Does one rule match the flow? `Maybe` with what is missing.
fn rule_match(cx: &Ctx, r: &AuthzRule, peer: &Peer, port: u16, ambient: bool) -> (Tri, Option<IstioDoubt>) {
    let (from, why_from) = from_match(r, peer);
    let (when, why_when) = when_source(r, peer);
    if !when_ports(r).contains(port) {
        return (Tri::No, None);
    }
    let mut to = if r.to.is_empty() { Tri::Yes } else { Tri::No };
    let mut why_to = None;
    for o in &r.to {
        if !op_ports(o).contains(port) {
            continue;
        }
        // ztunnel (ambient, no waypoint) sees no request: tusk does not
        // decide L7 rules there.
        let (t, w) = if ambient && o.is_l7() && !op_never_matches(o) {
            (Tri::Maybe, Some(IstioDoubt::AmbientL7))
        } else {
            op_l7(o, cx.http)
        };
        if t == Tri::Maybe && why_to.is_none() {
            why_to = w;
        }
        to = to.or(t);
    }
    let t = from.and(when).and(to);
    let why = match t {
        Tri::Maybe => why_from.or(why_when).or(why_to).or(Some(IstioDoubt::SourceSidecar)),
        _ => None,
    };
    (t, why)
}

/// The step's reference to an AuthorizationPolicy.
fn authz_ref(p: &AuthorizationPolicy) -> PolicyRef {
    PolicyRef::Authorization { namespace: p.namespace.clone(), name: p.name.clone(), action: p.action }
}

/// A rule of a policy, as a doubt's place.
fn rule_at(p: &AuthorizationPolicy, ri: usize) -> DoubtAt {
    DoubtAt::Rule { policy: authz_ref(p), rule: StepRule::IstioRule(ri) }
}

/// The source as the destination's proxy sees it.
fn with_peer<R>(cx: &Ctx, src: FlowEnd, readable: Tri, f: impl FnOnce(&Peer) -> R) -> R {
    match src {
        FlowEnd::Pod(j) => {
            let p = &cx.c.pods[j];
            let ip_in = |set: &tusk_core::IpSet| cx.addr_match_any(set, src);
            let name = principal(p);
            let peer = Peer {
                mtls: mtls_source(dataplane(p)).and(readable),
                principal: Some(&name),
                namespace: Some(&p.namespace),
                ip_in: &ip_in,
            };
            f(&peer)
        }
        FlowEnd::Address(ip) => {
            let ip_in = |set: &tusk_core::IpSet| Tri::from_bool(set.contains_ip(ip));
            f(&Peer { mtls: Tri::No, principal: None, namespace: None, ip_in: &ip_in })
        }
    }
}

/// The tier at the destination pod `pod_i`; `None` when it does not act on
/// the flow (egress, no Istio policy, no proxy, not TCP).
pub fn explain(cx: &Ctx, pod_i: Idx<Pod>, probe: Probe, steps: &mut Vec<Step>) -> Option<Verdict> {
    let c = cx.c;
    if probe.dir == Dir::Egress && super::active(c) {
        if let Some(v) = super::gateway_eval::explain(cx, pod_i, probe, steps) {
            return Some(v);
        }
        return super::sidecar::explain(cx, pod_i, probe, steps);
    }
    if probe.dir != Dir::Ingress || !super::active(c) {
        return None;
    }
    let pod = &c.pods[pod_i];
    let policies: Vec<(usize, &AuthorizationPolicy, Tri)> = c
        .mesh
        .authorization
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p, applies(c, p, pod)))
        .filter(|(_, _, t)| *t != Tri::No)
        .collect();
    let m = mtls_at(c, pod);
    if policies.is_empty() && m.strict.is_empty() {
        return None;
    }
    let dp = dataplane(pod);
    let enf = enforced(dp);
    let pod_name = format!("{}/{}", pod.namespace, pod.name);
    if enf == Tri::No {
        let why = if pod.host_network { None } else { Some(pod.mesh.why.clone()) };
        steps.push(Step {
            layer: Layer::Istio,
            policy: PolicyRef::NoIstioProxy,
            rule: StepRule::NoProxy { pod: pod_name, why },
            action: Action::Allow,
            loc: Some(pod.loc.clone()),
            decisive: false,
        });
        return None;
    }
    if probe.proto != Protocol::Tcp {
        steps.push(Step {
            layer: Layer::Istio,
            policy: PolicyRef::IstioProxy,
            rule: StepRule::OnlyTcp { pod: pod_name, proto: probe.proto },
            action: Action::Allow,
            loc: None,
            decisive: false,
        });
        return None;
    }
    let port = probe.port;
    let ambient = dp == tusk_model::istio::Dataplane::Ambient;
    let readable = if m.disable.contains(port) { Tri::No } else { Tri::Yes };
    let mut d: Doubt = None;
    if enf == Tri::Maybe {
        let at = DoubtAt::Proxy { pod: pod_name.clone() };
        doubt(&mut d, at, IstioDoubt::HasProxy(pod.mesh.why.clone()), &pod.loc);
    }
    let mut deny = Tri::No;
    // STRICT: a plaintext peer is refused before any policy.
    if m.strict.contains(port) {
        let plain = match probe.peer {
            FlowEnd::Pod(j) => match mtls_source(dataplane(&c.pods[j])) {
                Tri::Yes => Tri::No,
                Tri::No => Tri::Yes,
                Tri::Maybe => Tri::Maybe,
            },
            FlowEnd::Address(_) => Tri::Yes,
        };
        let t = plain.and(enf);
        if let (Some(pa), true) = (m.deciding.last(), t != Tri::No) {
            if t == Tri::Maybe {
                let at = DoubtAt::Policy(PolicyRef::PeerAuthentication(Some((pa.namespace.clone(), pa.name.clone()))));
                doubt(&mut d, at, IstioDoubt::SourceSidecar, &pa.loc);
            }
            let policy = PolicyRef::PeerAuthentication(Some((pa.namespace.clone(), pa.name.clone())));
            steps.push(step(policy, StepRule::MtlsStrict { port }, Action::Deny, pa.loc.clone(), t == Tri::Yes));
            deny = t;
        }
    }
    let (mut allow, mut closed) = (Tri::No, Tri::No);
    // CUSTOM, then DENY, then ALLOW, then AUDIT.
    let order = [AuthzAction::Custom, AuthzAction::Deny, AuthzAction::Allow, AuthzAction::Audit];
    for action in order {
        for &(_, p, app) in policies.iter().filter(|(_, p, _)| p.action == action) {
            let app = app.and(enf);
            if app == Tri::Maybe {
                let why = match &p.target {
                    tusk_model::istio::AuthzTarget::Refs(r) => super::target_ref::why_maybe(r),
                    _ => IstioDoubt::Applies,
                };
                doubt(&mut d, DoubtAt::Policy(authz_ref(p)), why, &p.loc);
            }
            if action == AuthzAction::Allow {
                closed = closed.or(app);
            }
            for (ri, r) in p.rules.iter().enumerate() {
                let (t, why) = with_peer(cx, probe.peer, readable, |peer| rule_match(cx, r, peer, port, ambient));
                let mut eff = t.and(app);
                if eff == Tri::No {
                    continue;
                }
                if action == AuthzAction::Custom {
                    eff = eff.and(Tri::Maybe);
                    doubt(&mut d, rule_at(p, ri), IstioDoubt::ExternalAuthorizer, &r.loc);
                }
                if let Some(w) = why {
                    doubt(&mut d, rule_at(p, ri), w, &r.loc);
                }
                let decisive = eff == Tri::Yes
                    && match action {
                        AuthzAction::Deny => deny != Tri::Yes,
                        AuthzAction::Allow => deny == Tri::No && allow != Tri::Yes,
                        _ => false,
                    };
                steps.push(step(authz_ref(p), StepRule::IstioRule(ri), action.into(), r.loc.clone(), decisive));
                match action {
                    AuthzAction::Custom | AuthzAction::Deny => deny = deny.or(eff),
                    AuthzAction::Allow => allow = allow.or(eff),
                    AuthzAction::Audit => {}
                }
            }
        }
    }
    let granted = match closed {
        Tri::No => Tri::Yes,
        Tri::Yes => allow,
        Tri::Maybe => allow.or(Tri::Maybe),
    };
    let verdict = match (deny, granted) {
        (Tri::Yes, _) | (_, Tri::No) => Verdict::Denied,
        (Tri::No, Tri::Yes) => Verdict::Allowed,
        _ => match d {
            Some((rule, what, loc)) => Verdict::unknown(Reason::Istio { rule: Box::new(rule), what }, Some(loc)),
            None => {
                Verdict::unknown(Reason::Istio { rule: Box::new(DoubtAt::AnyIstio), what: IstioDoubt::Undecided }, None)
            }
        },
    };
    if verdict == Verdict::Denied && deny != Tri::Yes {
        for &(_, p, _) in policies.iter().filter(|(_, p, a)| p.action == AuthzAction::Allow && a.and(enf) == Tri::Yes) {
            let rule =
                if p.rules.is_empty() { StepRule::AllowPolicyWithoutRules } else { StepRule::AllowPolicyNoRuleMatches };
            steps.push(step(authz_ref(p), rule, Action::Deny, p.loc.clone(), true));
        }
    }
    if verdict == Verdict::Allowed && closed == Tri::No {
        let (title, loc) = match policies.first() {
            Some((_, p, _)) => (authz_ref(p), p.loc.clone()),
            None => (PolicyRef::PeerAuthentication(None), m.deciding.last().map_or(pod.loc.clone(), |p| p.loc.clone())),
        };
        steps.push(step(title, StepRule::NoAllowNoDeny, Action::Allow, loc, true));
    }
    Some(verdict)
}
