//! The Istio tier for the class engine: per destination context (data
//! plane, the policies that apply, the mTLS modes), the AuthorizationPolicy
//! rules as deny and allow rules over peer bitmaps, PeerAuthentication
//! STRICT as a deny rule over plaintext peers. The tier is deny-wins at the
//! destination: [`crate::eval`] intersects it with what the network tiers
//! let through.
//!
//! A match tusk cannot decide (an L7 field, a JWT, an opaque `when` key, a
//! CUSTOM authorizer, a policy or proxy that may or may not apply) puts the
//! peers into the rule's `maybe` bitmap: unknown, never a guess. A policy
//! that may or may not apply loses its sure peers to `maybe` as well, so an
//! ALLOW it would grant is unknown (sound, if coarser than exact).

use super::{applies, dataplane, enforced, mtls_among, mtls_source, op_never_matches, op_ports, principal, when_ports};
use crate::compile::{Builder, Direction, Rule, RuleOrigin};
use crate::tier::Tier;
use roaring::RoaringBitmap;
use std::collections::HashMap;
use tusk_core::Idx;
use tusk_core::{PortSet, Protocol, Tri};
use tusk_model::istio::AuthzAction;
use tusk_model::k8s::{AdminAction, PolicyPort};

/// A rule id for the tier's own rules (non-TCP pass, doubt), not a policy's.
const SYNTHETIC: u32 = u32::MAX;

/// Sure and maybe peers.
#[derive(Default, Clone)]
struct TriSet {
    sure: RoaringBitmap,
    maybe: RoaringBitmap,
}

impl TriSet {
    fn doubtful(self) -> TriSet {
        TriSet { sure: RoaringBitmap::new(), maybe: self.sure | self.maybe }
    }
}

/// What decides the tier at one destination class.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Context {
    enforced: Tri,
    /// The ports in DISABLE mode: there no source's principal is read.
    disable: PortSet,
    /// (policy index, does it apply)
    policies: Vec<(u32, Tri)>,
    strict: PortSet,
    strict_by: Vec<u32>,
}

fn tcp(ports: &PortSet) -> Vec<PolicyPort> {
    ports.ranges().iter().map(|&(lo, hi)| PolicyPort::Range(Protocol::Tcp, lo, hi)).collect()
}

/// Writes the Istio tier (index `tier`) into `b`: per destination context,
/// its rules, applied to the context's classes for ingress. Nothing when
/// the cluster has no Istio policy.
pub fn compile(b: &mut Builder, tier: Idx<Tier>) {
    let c = b.sel.cluster;
    if !super::active(c) {
        return;
    }
    let ep = b.sel.ep;
    let n = ep.class_count();
    let universe = ep.universe();
    // A policy applies only in its namespace or from the root namespace
    // (`applies`): each class looks at those only, in input order, so the
    // cost stays linear in pods when policies grow with them.
    let mut by_ns: HashMap<&str, Vec<u32>> = HashMap::new();
    let mut root: Vec<u32> = Vec::new();
    for (i, p) in c.mesh.authorization.iter().enumerate() {
        if c.mesh.is_root(&p.namespace) {
            root.push(i as u32);
        } else {
            by_ns.entry(p.namespace.as_str()).or_default().push(i as u32);
        }
    }
    // The PeerAuthentications that can apply in a namespace (its own and
    // the root namespace's, in input order) and each one's index: found
    // once, not per class (item 8).
    let all_pas = &c.mesh.peer_authentication;
    let pa_index: HashMap<*const tusk_model::istio::PeerAuthentication, u32> =
        all_pas.iter().enumerate().map(|(i, p)| (p as *const _, i as u32)).collect();
    let mut pas_in: HashMap<&str, Vec<&tusk_model::istio::PeerAuthentication>> = HashMap::new();
    // The contexts of the destination classes.
    let mut contexts: HashMap<Context, RoaringBitmap> = HashMap::new();
    for (ci, class) in ep.classes.iter().enumerate() {
        let g = &ep.groups[class.group];
        let pod = &c.pods[g.pods[0]];
        let enf = enforced(dataplane(pod));
        if enf == Tri::No {
            continue;
        }
        let mut candidates: Vec<u32> = by_ns.get(pod.namespace.as_str()).into_iter().flatten().copied().collect();
        candidates.extend(&root);
        candidates.sort_unstable();
        let policies: Vec<(u32, Tri)> = candidates
            .into_iter()
            .map(|i| (i, applies(c, &c.mesh.authorization[i as usize], pod)))
            .filter(|(_, t)| *t != Tri::No)
            .collect();
        let pas = pas_in.entry(pod.namespace.as_str()).or_insert_with(|| {
            all_pas.iter().filter(|p| p.namespace == pod.namespace || c.mesh.is_root(&p.namespace)).collect()
        });
        let m = mtls_among(c, pod, pas);
        if policies.is_empty() && m.strict.is_empty() {
            continue;
        }
        let strict_by = m.deciding.iter().filter_map(|p| pa_index.get(&(*p as *const _)).copied()).collect();
        let key = Context { enforced: enf, disable: m.disable, policies, strict: m.strict, strict_by };
        contexts.entry(key).or_default().insert(ci as u32);
    }
    // Peers' identities, once: (mTLS, principal, namespace) per class.
    let ids: Vec<(Tri, String, String)> = ep
        .classes
        .iter()
        .map(|cl| {
            let pod = &c.pods[ep.groups[cl.group].pods[0]];
            (mtls_source(dataplane(pod)), principal(pod), pod.namespace.clone())
        })
        .collect();
    // Each rule's peers a set at a time (`source_sets`): a rule costs a
    // few bitmap operations, not one match per class (item 8).
    let mut sets = super::source_sets::SourceSets::new(c, ep, &ids);
    let mut plaintext = TriSet::default();
    plaintext.sure.insert_range(n..n + ep.atoms.len() as u32);
    for (ci, (m, _, _)) in ids.iter().enumerate() {
        match m {
            Tri::No => plaintext.sure.insert(ci as u32),
            Tri::Maybe => plaintext.maybe.insert(ci as u32),
            Tri::Yes => false,
        };
    }
    // A rule's peers depend on the destination only through whether it
    // reads principals: computed once per (policy, rule, readable).
    let mut peer_cache: HashMap<(u32, usize, Tri), TriSet> = HashMap::new();
    let mut sorted: Vec<_> = contexts.into_iter().collect();
    sorted.sort_by_key(|(_, b)| b.min());
    for (cx, subject) in sorted {
        let mut rule_ids = Vec::new();
        let mut closed = false;
        // Does an ALLOW policy surely apply (at a proxy surely there)? If
        // only doubtful ones close the workload, it may be open.
        let mut closed_surely = false;
        for &(pi, app) in &cx.policies {
            let p = &c.mesh.authorization[pi as usize];
            let action = match p.action {
                AuthzAction::Audit => continue,
                AuthzAction::Allow => {
                    closed = true;
                    AdminAction::Allow
                }
                AuthzAction::Deny | AuthzAction::Custom => AdminAction::Deny,
            };
            let certain = app == Tri::Yes && cx.enforced == Tri::Yes;
            closed_surely |= certain && p.action == AuthzAction::Allow;
            for (ri, r) in p.rules.iter().enumerate() {
                let when_p = when_ports(r);
                let ops: Vec<(PortSet, bool)> = if r.to.is_empty() {
                    vec![(PortSet::all_ports(), false)]
                } else {
                    // An operation no request can match adds nothing.
                    r.to.iter().filter(|o| !op_never_matches(o)).map(|o| (op_ports(o), o.is_l7())).collect()
                };
                // Ports in DISABLE mode read no principal: their peers apart.
                let split = ops.into_iter().flat_map(|(ports, l7)| {
                    let ports = ports.intersect(&when_p);
                    [(ports.subtract(&cx.disable), l7, Tri::Yes), (ports.intersect(&cx.disable), l7, Tri::No)]
                });
                for (ports, l7, readable) in split {
                    if ports.is_empty() {
                        continue;
                    }
                    let peers = peer_cache
                        .entry((pi, ri, readable))
                        .or_insert_with(|| {
                            let (sure, maybe) = sets.rule(r, readable);
                            TriSet { sure, maybe }
                        })
                        .clone();
                    if peers.sure.is_empty() && peers.maybe.is_empty() {
                        continue;
                    }
                    let mut set = peers;
                    if l7 || !certain || p.action == AuthzAction::Custom {
                        set = set.doubtful();
                    }
                    let origin = RuleOrigin { tier, policy: pi, rule: ri as u32 };
                    let maybe = &set.maybe - &set.sure;
                    rule_ids.push(b.push(Rule {
                        origin,
                        action,
                        peers: set.sure,
                        maybe,
                        ports: tcp(&ports),
                        priority: None,
                    }));
                }
            }
        }
        if !cx.strict.is_empty() {
            let mut set = plaintext.clone();
            if cx.enforced != Tri::Yes {
                set = set.doubtful();
            }
            let policy = c.mesh.authorization.len() as u32 + cx.strict_by.last().copied().unwrap_or(0);
            let origin = RuleOrigin { tier, policy, rule: SYNTHETIC };
            let maybe = &set.maybe - &set.sure;
            rule_ids.push(b.push(Rule {
                origin,
                action: AdminAction::Deny,
                peers: set.sure,
                maybe,
                ports: tcp(&cx.strict),
                priority: None,
            }));
        }
        if closed {
            // Only TCP reaches the proxy: other protocols pass.
            let origin = RuleOrigin { tier, policy: SYNTHETIC, rule: SYNTHETIC };
            let ports = [Protocol::Udp, Protocol::Sctp, Protocol::Icmp, Protocol::Esp, Protocol::Ah, Protocol::Other]
                .into_iter()
                .map(PolicyPort::All)
                .collect();
            rule_ids.push(b.push(Rule {
                origin,
                action: AdminAction::Allow,
                peers: universe.clone(),
                maybe: RoaringBitmap::new(),
                ports,
                priority: None,
            }));
            if !closed_surely {
                // A policy or proxy that may not apply: what it would close
                // may be open.
                let maybe = universe.clone();
                let all = tcp(&PortSet::all_ports());
                rule_ids.push(b.push(Rule {
                    origin,
                    action: AdminAction::Allow,
                    peers: RoaringBitmap::new(),
                    maybe,
                    ports: all,
                    priority: None,
                }));
            }
        }
        b.apply(tier, &subject, Direction::Ingress, &rule_ids, closed);
    }
    super::sidecar::compile(b, tier);
    super::gateway_eval::compile(b, tier);
}
