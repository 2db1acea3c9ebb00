//! AdminNetworkPolicy and BaselineAdminNetworkPolicy
//! (policy.networking.k8s.io/v1alpha1): first-match tiers. Policies run by
//! priority, lower numbers first (network-policy-api, "the lower the number,
//! the higher the precedence"), rules in order; Allow and Deny are final,
//! Pass hands the flow to the next tier.

use crate::compile::{Builder, Direction, Rule, RuleOrigin};
use crate::explain::{ip_reason, port_match, Ctx, Dir, Layer, PolicyRef, Probe, Step, StepRule, Verdict};
use crate::tier::Tier;
use roaring::RoaringBitmap;
use tusk_core::Idx;
use tusk_core::Tri;
use tusk_model::k8s::{AdminAction, AdminNetworkPolicy, AdminPeer, Pod};

/// The AdminNetworkPolicies, by priority, into tier `tier`.
pub fn compile_admin(b: &mut Builder, tier: Idx<Tier>) {
    let cluster = b.sel.cluster;
    let mut order: Vec<usize> = (0..cluster.admin_policies.len()).collect();
    order.sort_by_key(|&i| cluster.admin_policies[i].priority);
    for i in order {
        compile_one(b, tier, i as u32, &cluster.admin_policies[i], cluster.admin_policies[i].priority);
    }
}

/// The cluster's BaselineAdminNetworkPolicy, if any, into tier `tier`.
pub fn compile_baseline(b: &mut Builder, tier: Idx<Tier>) {
    if let Some(p) = &b.sel.cluster.baseline_policy {
        compile_one(b, tier, 0, p, None);
    }
}

fn compile_one(b: &mut Builder, tier: Idx<Tier>, policy: u32, p: &AdminNetworkPolicy, priority: Option<u32>) {
    let subject = b.sel.admin_peer(&p.subject).0;
    for (dir, list) in [(Direction::Ingress, &p.ingress), (Direction::Egress, &p.egress)] {
        let mut ids = Vec::with_capacity(list.len());
        for (ri, r) in list.iter().enumerate() {
            let (mut peers, mut maybe) = (RoaringBitmap::new(), RoaringBitmap::new());
            for peer in &r.peers {
                let (sure, may) = b.sel.admin_peer(peer);
                peers |= sure;
                maybe |= may;
            }
            maybe -= &peers;
            let origin = RuleOrigin { tier, policy, rule: ri as u32 };
            ids.push(b.push(Rule { origin, action: r.action, peers, maybe, ports: r.ports.clone(), priority }));
        }
        if !ids.is_empty() {
            b.apply(tier, &subject, dir, &ids, true);
        }
    }
}

fn admin_ref(p: &AdminNetworkPolicy) -> PolicyRef {
    match p.priority {
        Some(priority) => PolicyRef::Admin { name: p.name.clone(), priority },
        None => PolicyRef::Baseline { name: p.name.clone() },
    }
}

/// The plain counterpart: ordered admin rules, the first match decides
/// (`None`: no rule matched, or Pass).
pub fn explain(
    cx: &Ctx,
    policies: &[&AdminNetworkPolicy],
    pod: &Pod,
    probe: Probe,
    layer: Layer,
    steps: &mut Vec<Step>,
) -> Option<Verdict> {
    let Probe { dir, peer, dst, proto, port } = probe;
    for p in policies {
        let subject = match &p.subject {
            AdminPeer::Namespaces(sel) => cx.ns_labels(&pod.namespace).is_some_and(|l| sel.matches(l)),
            AdminPeer::Pods { namespace_selector, pod_selector } => cx.pod_in(pod, namespace_selector, pod_selector),
            _ => false,
        };
        if !subject {
            continue;
        }
        let rules = if dir == Dir::Ingress { &p.ingress } else { &p.egress };
        for (ri, r) in rules.iter().enumerate() {
            if !port_match(&r.ports, cx.c, dst, proto, port) {
                continue;
            }
            let m = Tri::any(r.peers.iter().map(|peer_sel| cx.admin_peer(peer_sel, peer)));
            let step_rule =
                if r.name.is_empty() { StepRule::Position { dir, index: ri } } else { StepRule::Named(r.name.clone()) };
            let step = |decisive| Step {
                layer,
                policy: admin_ref(p),
                rule: step_rule.clone(),
                action: r.action.into(),
                loc: Some(r.loc.clone()),
                decisive,
            };
            match m {
                Tri::No => {}
                Tri::Maybe => {
                    steps.push(step(true));
                    let why = ip_reason(cx.c, peer, admin_ref(p), step_rule.clone());
                    return Some(Verdict::unknown(why, Some(r.loc.clone())));
                }
                Tri::Yes => {
                    steps.push(step(true));
                    return match r.action {
                        AdminAction::Allow => Some(Verdict::Allowed),
                        AdminAction::Deny => Some(Verdict::Denied),
                        AdminAction::Pass => None,
                    };
                }
            }
        }
    }
    None
}
