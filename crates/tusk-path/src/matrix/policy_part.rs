//! The policy part of the factored matrix ([`super::factored`]): the
//! verdicts of the source pod's egress and the destination pod's ingress,
//! read from the Kubernetes engine's shared per-class results
//! ([`tusk_policy::matrix::ClassResults`]) instead of explaining each pair.
//!
//! The engine evaluates each distinct set of applied rules once and shares
//! the result (an `Arc<Verdicts>`) between the classes that have it. The
//! egress verdict of pod `s` toward pod `d` therefore depends only on
//! (`s`'s egress result, `d`'s class), and the ingress verdict only on
//! (`d`'s ingress result, `s`'s class or the address `d` sees): [`EKey`]
//! and [`IKey`] name those results, and the lookups are memoised by them.
//! A pod whose address variants do not share one result is a key of its
//! own (its group), evaluated variant by variant as
//! [`tusk_policy::Analysis::pair`] does, joined by [`Reach::both`].

use roaring::RoaringBitmap;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use tusk_core::{Idx, Kind, Protocol, Reach};
use tusk_model::k8s::Pod;
use tusk_policy::matrix::Verdicts;
use tusk_policy::World;

/// Which egress result a pod group has: the shared result, or the group
/// itself when its variants' results differ. Keys order by these indices,
/// never by heap addresses, so whatever is ordered by key (the factored
/// matrix's result groups, hence its example pairs) is the same in every
/// build and run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EKey {
    /// Every variant shares this result: the first variant (index into
    /// the world's results) that has it.
    Shared(u32),
    /// The variants differ: the group id.
    Own(u32),
}

/// Which ingress result a pod group has (as [`EKey`]).
pub type IKey = EKey;

/// Which of a class's results.
#[derive(Clone, Copy)]
enum Dir {
    Egress,
    Ingress,
}

/// The engine's results for one world, read for the factored matrix.
pub struct PolicyPart<'a> {
    world: &'a World,
    proto: Protocol,
    port: u16,
    egress: HashMap<(EKey, u32), Kind>,
    ingress: HashMap<(IKey, u32), Kind>,
    address: HashMap<(IKey, IpAddr), Kind>,
    /// Per egress / ingress variant, the first variant sharing its result.
    first_egress: Vec<u32>,
    first_ingress: Vec<u32>,
    /// Per shared result (`Arc` address), its projection at the flow.
    at: HashMap<usize, Arc<AtFlow>>,
}

/// One result projected at the flow's protocol and port: the peers
/// allowed surely, and those allowed surely or possibly. The pieces are
/// disjoint, so a peer's verdict is its membership, and a set's verdict
/// is allowed iff the set lies in `allowed`, denied iff it misses
/// `possible` (what [`Verdicts::over`] then `Reach::at` give, without
/// scanning the pieces again). Kept as plain bit vectors (one bit per
/// variant index): the factored matrix asks for one member at a time.
struct AtFlow {
    allowed: Bits,
    possible: Bits,
}

/// A set of variant indices as a bit vector (bit `v` of word `v / 64`).
struct Bits(Vec<u64>);

impl Bits {
    fn of(b: &RoaringBitmap) -> Bits {
        let mut w = vec![0u64; b.max().map_or(0, |m| m as usize / 64 + 1)];
        for v in b {
            w[v as usize / 64] |= 1 << (v % 64);
        }
        Bits(w)
    }

    fn contains(&self, v: u32) -> bool {
        self.0.get(v as usize / 64).is_some_and(|w| w & (1 << (v % 64)) != 0)
    }
}

impl AtFlow {
    fn of(r: &Verdicts, proto: Protocol, port: u16) -> AtFlow {
        let mut allowed = RoaringBitmap::new();
        for (b, c) in &r.allowed {
            if c.allows(proto, port) {
                allowed |= b;
            }
        }
        let mut possible = allowed.clone();
        for (b, c) in &r.unknown {
            if c.allows(proto, port) {
                possible |= b;
            }
        }
        AtFlow { allowed: Bits::of(&allowed), possible: Bits::of(&possible) }
    }

    /// The verdict toward a pod whose address variants are `peers`:
    /// allowed toward each, possible toward none (denied), or unknown;
    /// what [`Verdicts::over`] then `Reach::at` give for their set. No
    /// variant: denied (no piece covers it).
    fn of_variants(&self, peers: &[u32]) -> Kind {
        let (mut all, mut none) = (!peers.is_empty(), true);
        for &v in peers {
            all &= self.allowed.contains(v);
            none &= !self.possible.contains(v);
            if !all && !none {
                break;
            }
        }
        if all {
            Kind::Allowed
        } else if none {
            Kind::Denied
        } else {
            Kind::Unknown
        }
    }
}

/// Per variant, the first variant sharing its result (`Arc::ptr_eq`):
/// a name of the result that does not depend on where it lives.
fn first_sharing(results: &[Arc<Verdicts>]) -> Vec<u32> {
    let mut first: HashMap<*const Verdicts, u32> = HashMap::new();
    results.iter().enumerate().map(|(v, r)| *first.entry(Arc::as_ptr(r)).or_insert(v as u32)).collect()
}

fn key_of(first: &[u32], variants: &[u32], group: u32) -> EKey {
    let f = first[variants[0] as usize];
    if variants.iter().all(|&v| first[v as usize] == f) {
        EKey::Shared(f)
    } else {
        EKey::Own(group)
    }
}

impl<'a> PolicyPart<'a> {
    /// Reads `world`'s results for the flow `proto`/`port` (`0` for a
    /// protocol without ports, as [`tusk_policy::explain`] takes it).
    pub fn new(world: &'a World, proto: Protocol, port: u16) -> Self {
        PolicyPart {
            world,
            proto,
            port,
            egress: HashMap::new(),
            ingress: HashMap::new(),
            address: HashMap::new(),
            first_egress: first_sharing(&world.results.egress),
            first_ingress: first_sharing(&world.results.ingress),
            at: HashMap::new(),
        }
    }

    /// The projection at the flow of the result shared by group `g`'s variants.
    fn projected(&mut self, results: Dir, g: u32) -> Arc<AtFlow> {
        let res = match results {
            Dir::Egress => &self.world.results.egress,
            Dir::Ingress => &self.world.results.ingress,
        };
        let r = &res[self.world.endpoints.groups[g as usize].variants[0] as usize];
        let (proto, port) = (self.proto, self.port);
        self.at.entry(Arc::as_ptr(r) as usize).or_insert_with(|| Arc::new(AtFlow::of(r, proto, port))).clone()
    }

    /// The engine group of pod `i`.
    pub fn group(&self, i: Idx<Pod>) -> u32 {
        self.world.endpoints.pod_group[i].index() as u32
    }

    fn variants(&self, g: u32) -> &[u32] {
        &self.world.endpoints.groups[g as usize].variants
    }

    /// The egress result key of group `g`.
    pub fn ekey(&self, g: u32) -> EKey {
        key_of(&self.first_egress, self.variants(g), g)
    }

    /// The ingress result key of group `g`.
    pub fn ikey(&self, g: u32) -> IKey {
        key_of(&self.first_ingress, self.variants(g), g)
    }

    /// The source's egress verdict toward a pod of group `dst`, for a
    /// source of egress key `k` (group `src`, read only for [`EKey::Own`]).
    pub fn egress(&mut self, k: EKey, src: u32, dst: u32) -> Kind {
        if let Some(v) = self.egress.get(&(k, dst)) {
            return *v;
        }
        let v = match k {
            EKey::Shared(_) => self.projected(Dir::Egress, src).of_variants(self.variants(dst)),
            EKey::Own(_) => {
                let res = &self.world.results.egress;
                self.each(self.variants(src), self.variants(dst), res).at(self.proto, self.port)
            }
        };
        self.egress.insert((k, dst), v);
        v
    }

    /// The destination's ingress verdict from a pod of group `src`, for a
    /// destination of ingress key `k` (group `dst`, read only for [`EKey::Own`]).
    pub fn ingress(&mut self, k: IKey, dst: u32, src: u32) -> Kind {
        if let Some(v) = self.ingress.get(&(k, src)) {
            return *v;
        }
        let v = match k {
            EKey::Shared(_) => self.projected(Dir::Ingress, dst).of_variants(self.variants(src)),
            EKey::Own(_) => {
                let res = &self.world.results.ingress;
                self.each(self.variants(dst), self.variants(src), res).at(self.proto, self.port)
            }
        };
        self.ingress.insert((k, src), v);
        v
    }

    /// [`PolicyPart::egress`] of a source of key `k` (group `src`) toward
    /// a pod of each group of `dsts`, in order; a shared result is
    /// projected once for all of them.
    pub fn egress_each(&mut self, k: EKey, src: u32, dsts: impl Iterator<Item = u32>) -> Vec<Kind> {
        match k {
            EKey::Shared(_) => {
                let at = self.projected(Dir::Egress, src);
                dsts.map(|d| at.of_variants(self.variants(d))).collect()
            }
            EKey::Own(_) => dsts.map(|d| self.egress(k, src, d)).collect(),
        }
    }

    /// [`PolicyPart::ingress`] of a destination of key `k` (group `dst`)
    /// from a pod of each group of `srcs`, in order (as [`PolicyPart::egress_each`]).
    pub fn ingress_each(&mut self, k: IKey, dst: u32, srcs: impl Iterator<Item = u32>) -> Vec<Kind> {
        match k {
            EKey::Shared(_) => {
                let at = self.projected(Dir::Ingress, dst);
                srcs.map(|x| at.of_variants(self.variants(x))).collect()
            }
            EKey::Own(_) => srcs.map(|x| self.ingress(k, dst, x)).collect(),
        }
    }

    /// The destination's ingress verdict from address `ip` (a node's, or a
    /// translated source): the address atom holding it is the peer. `None`
    /// when no atom holds it (the caller falls back).
    pub fn ingress_from(&mut self, k: IKey, dst: u32, ip: IpAddr) -> Option<Kind> {
        if let Some(v) = self.address.get(&(k, ip)) {
            return Some(*v);
        }
        let ep = &self.world.endpoints;
        let v = tusk_core::ip::ip_to_u128(ip);
        let atom = ep.atoms.iter().position(|a| a.lo <= v && v <= a.hi)?;
        let peer = ep.atom_peer(atom as u32);
        let res = &self.world.results.ingress;
        let r = match k {
            EKey::Shared(_) => res[self.variants(dst)[0] as usize].at(peer),
            EKey::Own(_) => self.each(self.variants(dst), &[peer], res),
        };
        let kind = r.at(self.proto, self.port);
        self.address.insert((k, ip), kind);
        Some(kind)
    }

    /// `res[a].at(b)` over every (a, b), joined by [`Reach::both`]: the
    /// verdict that holds whichever variant is the real one.
    fn each(&self, own: &[u32], peers: &[u32], res: &[Arc<Verdicts>]) -> Reach {
        let mut out: Option<Reach> = None;
        for &a in own {
            for &b in peers {
                let r = res[a as usize].at(b);
                out = Some(match out {
                    None => r,
                    Some(o) => o.both(&r),
                });
            }
        }
        out.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tusk_policy::{Analysis, PolicyEngine, Semantics};

    /// Result keys name results by variant index, not by where the engine's
    /// shared results live in memory: two analyses of one cluster, alive at
    /// once (so no result can share an address), give every group the same
    /// keys, and the order of keys (which orders the factored matrix's result
    /// groups, hence its example pairs) is the same.
    #[test]
    fn result_keys_are_the_same_for_two_analyses_of_one_cluster() {
        let shape = tusk_gen::estate::Shape {
            spokes: 2,
            subnets_per_spoke: 2,
            network_rules: 10,
            application_rules: 5,
            no_route_table_every: 4,
            mesh_every: 5,
            tenants: 3,
            nodes_per_pool: 2,
            pods: 300,
            namespaces: 9,
            policies: 40,
            seed: 1,
        };
        let dir = tempfile::tempdir().unwrap();
        tusk_gen::estate::write_dir(&shape, dir.path()).unwrap();
        let e = tusk_load::load_paths(&[dir.path().to_path_buf()]).unwrap().estate;
        let sem = Semantics::of(PolicyEngine::Calico);
        let (a, b) = (Analysis::new(&e.k8s, sem), Analysis::new(&e.k8s, sem));
        let (pa, pb) =
            (PolicyPart::new(&a.worlds[0], Protocol::Tcp, 8080), PolicyPart::new(&b.worlds[0], Protocol::Tcp, 8080));
        let groups = a.worlds[0].endpoints.groups.len() as u32;
        assert!(groups >= 5, "only {groups} engine groups");
        let keys = |p: &PolicyPart| (0..groups).map(|g| (p.ekey(g), p.ikey(g))).collect::<Vec<_>>();
        let (ka, kb) = (keys(&pa), keys(&pb));
        assert_eq!(ka, kb);
        // Shared keys to order (else the test would check nothing).
        let shared = ka.iter().filter(|k| matches!(k.1, EKey::Shared(_))).count();
        assert!(shared >= 2, "{shared} shared ingress keys");
        // A shared key names the first variant with that result.
        for g in 0..groups {
            if let EKey::Shared(v) = pa.ekey(g) {
                let first = &a.worlds[0].results.egress[v as usize];
                let var = a.worlds[0].endpoints.groups[g as usize].variants[0] as usize;
                assert!(Arc::ptr_eq(first, &a.worlds[0].results.egress[var]));
                assert!(a.worlds[0].results.egress[..v as usize].iter().all(|r| !Arc::ptr_eq(r, first)));
            }
        }
    }
}
