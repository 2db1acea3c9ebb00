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

use super::{
    applies, dataplane, enforced, from_match, mtls_among, mtls_source, op_never_matches, op_ports, principal,
    when_ports, when_source, Peer,
};
use crate::compile::{Builder, Direction, Rule, RuleOrigin};
use roaring::RoaringBitmap;
use std::collections::HashMap;
use tusk_core::{PortSet, Protocol, Tri};
use tusk_model::istio::{AuthzAction, AuthzRule};
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
pub fn compile(b: &mut Builder, tier: u32) {
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
        let g = &ep.groups[class.group as usize];
        let pod = &c.pods[g.pods[0] as usize];
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
            let pod = &c.pods[ep.groups[cl.group as usize].pods[0] as usize];
            (mtls_source(dataplane(pod)), principal(pod), pod.namespace.clone())
        })
        .collect();
    let index = IdentityIndex::new(&ids);
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
                        .or_insert_with(|| rule_peers(b, r, &ids, &index, readable))
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
}

/// The classes of each principal and of each namespace (from `ids`).
struct IdentityIndex<'a> {
    principal: HashMap<&'a str, Vec<u32>>,
    namespace: HashMap<&'a str, Vec<u32>>,
}

impl<'a> IdentityIndex<'a> {
    fn new(ids: &'a [(Tri, String, String)]) -> Self {
        let mut principal: HashMap<&str, Vec<u32>> = HashMap::new();
        let mut namespace: HashMap<&str, Vec<u32>> = HashMap::new();
        for (ci, (_, p, ns)) in ids.iter().enumerate() {
            principal.entry(p.as_str()).or_default().push(ci as u32);
            namespace.entry(ns.as_str()).or_default().push(ci as u32);
        }
        IdentityIndex { principal, namespace }
    }

    /// The only classes a rule's `from` may match, when every source names
    /// exact principals or namespaces (no `*`): a source with such a list
    /// matches no other peer, outside addresses included (they carry no
    /// identity). `None`: some source may match anyone.
    fn candidates(&self, r: &AuthzRule) -> Option<RoaringBitmap> {
        fn exact(v: &Option<Vec<tusk_model::istio::StrMatch>>) -> Option<&[tusk_model::istio::StrMatch]> {
            v.as_deref().filter(|v| v.iter().all(|m| !m.0.contains('*')))
        }
        if r.from.is_empty() {
            return None;
        }
        let mut out = RoaringBitmap::new();
        for s in &r.from {
            let (names, map) = if let Some(v) = exact(&s.principals.values) {
                (v, &self.principal)
            } else if let Some(v) = exact(&s.namespaces.values) {
                (v, &self.namespace)
            } else {
                return None;
            };
            for name in names {
                out.extend(map.get(name.0.as_str()).into_iter().flatten().copied());
            }
        }
        Some(out)
    }
}

/// The peers a rule's `from` and source `when` conditions match.
fn rule_peers(
    b: &Builder,
    r: &AuthzRule,
    ids: &[(Tri, String, String)],
    index: &IdentityIndex,
    readable: Tri,
) -> TriSet {
    let c = b.sel.cluster;
    let ep = b.sel.ep;
    let n = ep.class_count();
    let candidates = index.candidates(r);
    let mut out = TriSet::default();
    let mut put = |peer: u32, t: Tri| match t {
        Tri::Yes => {
            out.sure.insert(peer);
        }
        Tri::Maybe => {
            out.maybe.insert(peer);
        }
        Tri::No => {}
    };
    // With exact names only their classes are visited: a rule costs its
    // candidates, not the cluster (item 8: linear growth in pods).
    let visit: Box<dyn Iterator<Item = usize>> = match &candidates {
        Some(cs) => Box::new(cs.iter().map(|c| c as usize)),
        None => Box::new(0..ids.len()),
    };
    for ci in visit {
        let (m, principal, ns) = &ids[ci];
        let class = &ep.classes[ci];
        let pods = &ep.groups[class.group as usize].pods;
        let ip_in = |set: &tusk_core::IpSet| -> Tri {
            if !class.ip_atoms.is_empty() {
                let inside = class.ip_atoms.iter().map(|&a| {
                    let r = ep.atoms[a as usize];
                    Tri::from_bool(set.contains_ip(tusk_core::ip::u128_to_ip(r.lo)))
                });
                return Tri::any(inside);
            }
            let per_pod = pods.iter().map(|&i| {
                let ips = &c.pods[i as usize].ips;
                if ips.is_empty() {
                    Tri::Maybe
                } else {
                    Tri::from_bool(ips.iter().any(|ip| set.contains_ip(*ip)))
                }
            });
            let all: Vec<Tri> = per_pod.collect();
            if all.iter().all(|t| *t == Tri::Yes) {
                Tri::Yes
            } else if all.iter().all(|t| *t == Tri::No) {
                Tri::No
            } else {
                Tri::Maybe
            }
        };
        let peer = Peer { mtls: m.and(readable), principal: Some(principal), namespace: Some(ns), ip_in: &ip_in };
        put(ci as u32, from_match(r, &peer).0.and(when_source(r, &peer).0));
    }
    // Outside addresses have no identity: candidates exclude them.
    let atoms = if candidates.is_some() { &[][..] } else { &ep.atoms[..] };
    for (ai, a) in atoms.iter().enumerate() {
        let addr = tusk_core::ip::u128_to_ip(a.lo);
        let ip_in = |set: &tusk_core::IpSet| Tri::from_bool(set.contains_ip(addr));
        let peer = Peer { mtls: Tri::No, principal: None, namespace: None, ip_in: &ip_in };
        put(n + ai as u32, from_match(r, &peer).0.and(when_source(r, &peer).0));
    }
    out
}
