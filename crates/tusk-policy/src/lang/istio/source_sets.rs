//! The peers an AuthorizationPolicy rule's sources match, computed a set at
//! a time: every test of a `from.source` or a source `when` condition
//! (principal, namespace, ipBlocks, `source.ip`, ...) becomes a three-valued
//! set over the peers (classes, then outside-address atoms), and the rule's
//! `and` / `or` / `not` combine those sets instead of running the per-peer
//! matcher ([`super::from_match`], [`super::when_source`]) once per class.
//!
//! Why (issue #9 item 8): a rule with `notNamespaces`, `ipBlocks` or a
//! wildcard names no exact identity, so the per-peer matcher ran for every
//! class of the cluster, and the policies grow with the pods: quadratic. Here
//! each rule costs a few bitmap operations, and each distinct pattern or
//! address set is resolved against the classes once for the whole mesh.
//!
//! Same answers as the per-peer matcher, which stays the reference (for
//! `explain`; the property test `istio_engine_agrees_with_plain_evaluator`
//! holds the engine to it): the three-valued logic is [`tusk_core::Tri`]'s, taken member-wise (Istio docs, "Authorization
//! Policy" reference, `Source` and `Condition`: every field of a source must
//! match, any source of `from`; a `not*` field must not).

use crate::classes::ClassIndex;
use roaring::RoaringBitmap;
use std::collections::HashMap;
use tusk_core::{IpSet, Tri};
use tusk_model::istio::{AuthzRule, ConditionKey, Field, StrMatch};
use tusk_model::k8s::Cluster;

/// A three-valued answer per peer: `yes` where it surely holds, `no` where
/// it surely does not; peers in neither may or may not hold it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TriBits {
    /// Peers for which the test holds.
    pub yes: RoaringBitmap,
    /// Peers for which it does not.
    pub no: RoaringBitmap,
}

impl TriBits {
    fn and(self, o: &TriBits) -> TriBits {
        TriBits { yes: self.yes & &o.yes, no: self.no | &o.no }
    }

    fn or(self, o: &TriBits) -> TriBits {
        TriBits { yes: self.yes | &o.yes, no: self.no & &o.no }
    }

    fn not(self) -> TriBits {
        TriBits { yes: self.no, no: self.yes }
    }
}

/// Which identity string a pattern is tested against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Identity {
    Principal,
    Namespace,
}

/// The classes' identities and addresses, indexed once for every rule of
/// the mesh, with the resolved patterns and address sets cached.
pub struct SourceSets<'a> {
    cluster: &'a Cluster,
    ep: &'a ClassIndex,
    /// (mTLS, principal, namespace) per class.
    ids: &'a [(Tri, String, String)],
    universe: RoaringBitmap,
    principal: HashMap<&'a str, RoaringBitmap>,
    namespace: HashMap<&'a str, RoaringBitmap>,
    /// Classes matched per (identity, pattern).
    patterns: HashMap<(Identity, String), RoaringBitmap>,
    /// Peers inside each address set.
    addresses: HashMap<IpSet, TriBits>,
    /// The mTLS answer per peer, per `readable` (see [`SourceSets::rule`]).
    mtls: HashMap<Tri, TriBits>,
}

impl<'a> SourceSets<'a> {
    /// An index over the classes of `ep`; `ids` holds each class's (mTLS,
    /// principal, namespace), as [`super::compile`] computes them.
    pub fn new(cluster: &'a Cluster, ep: &'a ClassIndex, ids: &'a [(Tri, String, String)]) -> Self {
        let mut principal: HashMap<&str, RoaringBitmap> = HashMap::new();
        let mut namespace: HashMap<&str, RoaringBitmap> = HashMap::new();
        for (ci, (_, p, ns)) in ids.iter().enumerate() {
            principal.entry(p.as_str()).or_default().insert(ci as u32);
            namespace.entry(ns.as_str()).or_default().insert(ci as u32);
        }
        SourceSets {
            cluster,
            ep,
            ids,
            universe: ep.universe(),
            principal,
            namespace,
            patterns: HashMap::new(),
            addresses: HashMap::new(),
            mtls: HashMap::new(),
        }
    }

    fn yes(&self) -> TriBits {
        TriBits { yes: self.universe.clone(), no: RoaringBitmap::new() }
    }

    fn no(&self) -> TriBits {
        TriBits { yes: RoaringBitmap::new(), no: self.universe.clone() }
    }

    /// The peers a rule's `from` and source `when` conditions match, as
    /// (surely, maybe): [`super::from_match`] and [`super::when_source`]
    /// for every peer, with the source's mTLS taken `and` `readable` (`No`
    /// on ports in DISABLE mode, where no principal is read).
    pub fn rule(&mut self, r: &AuthzRule, readable: Tri) -> (RoaringBitmap, RoaringBitmap) {
        let t = self.from(r, readable).and(&self.when(r, readable));
        let maybe = &self.universe - &t.yes - &t.no;
        (t.yes, maybe)
    }

    /// [`super::from_match`]: any source; an empty `from` matches every peer.
    fn from(&mut self, r: &AuthzRule, readable: Tri) -> TriBits {
        if r.from.is_empty() {
            return self.yes();
        }
        let mut out = self.no();
        for s in &r.from {
            let mut t = self.field(&s.principals, |me, m| me.identity(Identity::Principal, m, readable));
            t = t.and(&self.field(&s.namespaces, |me, m| me.identity(Identity::Namespace, m, readable)));
            t = t.and(&self.field(&s.ip_blocks, |me, set| me.ip_in(set)));
            t = t.and(&self.field(&s.remote_ip_blocks, |me, set| me.ip_in(set)));
            if s.request_principals.is_set() {
                // `and Maybe`: what held may hold; what failed still fails.
                t.yes = RoaringBitmap::new();
            }
            out = out.or(&t);
        }
        out
    }

    /// [`super::when_source`]: every condition must hold.
    fn when(&mut self, r: &AuthzRule, readable: Tri) -> TriBits {
        let mut out = self.yes();
        for c in &r.when {
            let f = Field { values: c.values.clone(), not_values: c.not_values.clone() };
            let t = self.field(&f, |me, v: &String| match &c.key {
                ConditionKey::SourceIp | ConditionKey::RemoteIp => match tusk_core::ip::Cidr::parse_prefix_or_addr(v) {
                    Ok(cidr) => me.ip_in(&cidr.set()),
                    Err(_) => me.no(),
                },
                ConditionKey::SourceNamespace => me.identity(Identity::Namespace, &StrMatch(v.clone()), readable),
                ConditionKey::SourcePrincipal => me.identity(Identity::Principal, &StrMatch(v.clone()), readable),
                ConditionKey::DestinationPort => me.yes(),
                ConditionKey::Opaque(_) => TriBits::default(),
            });
            out = out.and(&t);
        }
        out
    }

    /// A field and its `not` form: any value of the positive form (all
    /// peers when absent), and none of the negative one.
    fn field<T>(&mut self, f: &Field<T>, mut test: impl FnMut(&mut Self, &T) -> TriBits) -> TriBits {
        let mut any = |me: &mut Self, l: &[T]| l.iter().fold(me.no(), |acc, x| acc.or(&test(me, x)));
        let pos = match &f.values {
            Some(l) => any(self, l),
            None => self.yes(),
        };
        match &f.not_values {
            Some(l) => pos.and(&any(self, l).not()),
            None => pos,
        }
    }

    /// A string known only over mTLS against a pattern: the peer's mTLS
    /// answer where its identity matches, no elsewhere (outside addresses
    /// have none).
    fn identity(&mut self, which: Identity, pat: &StrMatch, readable: Tri) -> TriBits {
        let matched = self.pattern(which, pat).clone();
        self.ensure_mtls(readable);
        let mtls = &self.mtls[&readable];
        let yes = &matched & &mtls.yes;
        let no = (&self.universe - &matched) | (&matched & &mtls.no);
        TriBits { yes, no }
    }

    /// The classes whose principal or namespace `pat` matches: an exact
    /// name by lookup, a wildcard over the distinct names.
    fn pattern(&mut self, which: Identity, pat: &StrMatch) -> &RoaringBitmap {
        let key = (which, pat.0.clone());
        if !self.patterns.contains_key(&key) {
            let map = match which {
                Identity::Principal => &self.principal,
                Identity::Namespace => &self.namespace,
            };
            let wild = pat.0.starts_with('*') || pat.0.ends_with('*');
            let bits = if wild {
                map.iter().filter(|(v, _)| pat.matches(v)).fold(RoaringBitmap::new(), |acc, (_, b)| acc | b)
            } else {
                map.get(pat.0.as_str()).cloned().unwrap_or_default()
            };
            self.patterns.insert(key.clone(), bits);
        }
        &self.patterns[&key]
    }

    /// Each peer's source mTLS `and` `readable`; outside addresses are
    /// plaintext.
    fn ensure_mtls(&mut self, readable: Tri) {
        let (ids, universe) = (self.ids, &self.universe);
        self.mtls.entry(readable).or_insert_with(|| {
            let mut t = TriBits { yes: RoaringBitmap::new(), no: universe.clone() };
            for (ci, (m, _, _)) in ids.iter().enumerate() {
                match m.and(readable) {
                    Tri::Yes => {
                        t.yes.insert(ci as u32);
                        t.no.remove(ci as u32);
                    }
                    Tri::Maybe => {
                        t.no.remove(ci as u32);
                    }
                    Tri::No => {}
                }
            }
            t
        });
    }

    /// The peers whose address is inside `set`: a class by its address atoms
    /// when it has them, else by its pods' addresses (unknown addresses:
    /// maybe); an atom by its first address (no policy set splits an atom).
    fn ip_in(&mut self, set: &IpSet) -> TriBits {
        if let Some(t) = self.addresses.get(set) {
            return t.clone();
        }
        let (c, ep) = (self.cluster, self.ep);
        let mut t = TriBits::default();
        for ci in 0..ep.classes.len() as u32 {
            match class_ip_in(c, ep, ci, set) {
                Tri::Yes => t.yes.insert(ci),
                Tri::No => t.no.insert(ci),
                Tri::Maybe => false,
            };
        }
        let n = ep.class_count();
        for (ai, a) in ep.atoms.iter().enumerate() {
            let inside = set.contains_ip(tusk_core::ip::u128_to_ip(a.lo));
            if inside { &mut t.yes } else { &mut t.no }.insert(n + ai as u32);
        }
        self.addresses.insert(set.clone(), t.clone());
        t
    }
}

/// Is the address of class `ci` inside `set`? By its address atoms when
/// ipBlocks select pods (any of them), else by its pods' addresses: yes when
/// every pod's is, no when none's is, maybe otherwise or when a pod's
/// address is unknown.
pub fn class_ip_in(c: &Cluster, ep: &ClassIndex, ci: u32, set: &IpSet) -> Tri {
    let class = &ep.classes[ci as usize];
    if !class.ip_atoms.is_empty() {
        let inside = class.ip_atoms.iter().map(|&a| {
            let r = ep.atoms[a as usize];
            Tri::from_bool(set.contains_ip(tusk_core::ip::u128_to_ip(r.lo)))
        });
        return Tri::any(inside);
    }
    let per_pod = ep.groups[class.group].pods.iter().map(|&i| {
        let ips = &c.pods[i].ips;
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
}
