//! Kubernetes NetworkPolicy (networking.k8s.io/v1): the union of the allow
//! rules of every policy that selects a pod in a direction, everything else
//! denied for that pod ("Isolated and Non-isolated Pods"). Under Cilium the
//! same rules join Cilium's own in its deny-wins tier.

use crate::compile::{Builder, Direction, Rule, RuleOrigin};
use crate::explain::{ip_reason, port_match, Action, Ctx, Dir, Layer, PolicyRef, Probe, Step, StepRule, Verdict};
use crate::tier::Tier;
use roaring::RoaringBitmap;
use tusk_core::Idx;
use tusk_core::Tri;
use tusk_model::k8s::{AdminAction, NpPeer, Pod};

/// Every NetworkPolicy into tier `tier`: one allow rule per rule, and the
/// selected classes recorded even when the policy allows nothing.
pub fn compile(b: &mut Builder, tier: Idx<Tier>) {
    let cluster = b.sel.cluster;
    let ep = b.sel.ep;
    let sem = b.sel.sem;
    for (pi, p) in cluster.network_policies.iter().enumerate() {
        let subject = b.sel.pods(b.sel.in_namespace(&p.namespace), &p.pod_selector);
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
                                Some(sel) => b.sel.namespaces_np(sel),
                                None => (b.sel.in_namespace(&p.namespace), RoaringBitmap::new()),
                            };
                            match pod_selector {
                                Some(sel) => {
                                    peers |= b.sel.pods(ns, sel);
                                    if !ns_maybe.is_empty() {
                                        maybe |= b.sel.pods(ns_maybe, sel);
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
                let origin = RuleOrigin { tier, policy: pi as u32, rule: ri as u32 };
                let rule =
                    Rule { origin, action: AdminAction::Allow, peers, maybe, ports: r.ports.clone(), priority: None };
                ids.push(b.push(rule));
            }
            b.apply(tier, &subject, dir, &ids, true);
        }
    }
}

/// What the NetworkPolicies that select `pod` in the probe's direction say
/// of the flow, each matching rule recorded (`None`: none selects it).
/// `Some(Denied)` means selected and no rule allows; the caller's tier
/// decides what selection without an allow means.
pub fn explain(cx: &Ctx, pod: &Pod, probe: Probe, steps: &mut Vec<Step>) -> Option<Verdict> {
    let Probe { dir, peer, dst, proto, port } = probe;
    let selecting: Vec<_> =
        cx.c.network_policies
            .iter()
            .filter(|p| p.namespace == pod.namespace && p.pod_selector.matches(&pod.labels))
            .filter(|p| if dir == Dir::Ingress { p.isolates_ingress } else { p.isolates_egress })
            .collect();
    if selecting.is_empty() {
        return None;
    }
    let mut verdict = Verdict::Denied;
    for p in &selecting {
        let rules = if dir == Dir::Ingress { &p.ingress } else { &p.egress };
        for (ri, r) in rules.iter().enumerate() {
            if !port_match(&r.ports, cx.c, dst, proto, port) {
                continue;
            }
            let m = if r.peers.is_empty() {
                Tri::Yes
            } else {
                Tri::any(r.peers.iter().map(|pr| cx.np_peer(pr, &p.namespace, peer)))
            };
            let step = Step {
                layer: Layer::NetworkPolicy,
                policy: PolicyRef::NetworkPolicy { namespace: p.namespace.clone(), name: p.name.clone() },
                rule: StepRule::Position { dir, index: ri },
                action: Action::Allow,
                loc: Some(r.loc.clone()),
                decisive: false,
            };
            match m {
                Tri::Yes => {
                    verdict = Verdict::Allowed;
                    steps.push(Step { decisive: true, ..step });
                }
                Tri::Maybe => {
                    if verdict == Verdict::Denied {
                        let why = ip_reason(cx.c, peer, step.policy.clone(), step.rule.clone());
                        verdict = Verdict::unknown(why, Some(r.loc.clone()));
                    }
                    steps.push(step);
                }
                Tri::No => {}
            }
        }
    }
    Some(verdict)
}

/// The deny steps of a pod selected and not allowed: each selecting policy.
pub fn deny_steps(cx: &Ctx, pod: &Pod, dir: Dir, steps: &mut Vec<Step>) {
    for p in cx.c.network_policies.iter().filter(|p| {
        p.namespace == pod.namespace
            && p.pod_selector.matches(&pod.labels)
            && if dir == Dir::Ingress { p.isolates_ingress } else { p.isolates_egress }
    }) {
        steps.push(Step {
            layer: Layer::NetworkPolicy,
            policy: PolicyRef::NetworkPolicy { namespace: p.namespace.clone(), name: p.name.clone() },
            rule: StepRule::SelectsNoRuleAllows(dir),
            action: Action::Deny,
            loc: Some(p.loc.clone()),
            decisive: true,
        });
    }
}
