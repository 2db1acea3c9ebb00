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
use tusk_core::{Kind, Protocol, Reach};
use tusk_policy::matrix::Verdicts;
use tusk_policy::World;

/// Which egress result a pod group has: the shared result's address, or
/// the group itself when its variants' results differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EKey {
    /// Every variant shares this result (`Arc` address).
    Shared(usize),
    /// The variants differ: the group id.
    Own(u32),
}

/// Which ingress result a pod group has (as [`EKey`]).
pub type IKey = EKey;

/// The engine's results for one world, read for the factored matrix.
pub struct PolicyPart<'a> {
    world: &'a World,
    proto: Protocol,
    port: u16,
    egress: HashMap<(EKey, u32), Kind>,
    ingress: HashMap<(IKey, u32), Kind>,
    address: HashMap<(IKey, IpAddr), Kind>,
}

/// `r` toward every peer of `peers`: allowed toward all of them, or
/// possible toward none; `None` otherwise. A subset of `peers` has a
/// smaller intersection of covering pieces and a smaller possible set, so
/// either answer holds for each peer alone.
fn uniform(r: &Verdicts, peers: &RoaringBitmap, proto: Protocol, port: u16) -> Option<Kind> {
    match r.over(peers).at(proto, port) {
        Kind::Unknown => None,
        k => Some(k),
    }
}

fn key_of(results: &[Arc<Verdicts>], variants: &[u32], group: u32) -> EKey {
    let first = &results[variants[0] as usize];
    if variants.iter().all(|&v| Arc::ptr_eq(&results[v as usize], first)) {
        EKey::Shared(Arc::as_ptr(first) as usize)
    } else {
        EKey::Own(group)
    }
}

impl<'a> PolicyPart<'a> {
    /// Reads `world`'s results for the flow `proto`/`port` (`0` for a
    /// protocol without ports, as [`tusk_policy::explain`] takes it).
    pub fn new(world: &'a World, proto: Protocol, port: u16) -> Self {
        PolicyPart { world, proto, port, egress: HashMap::new(), ingress: HashMap::new(), address: HashMap::new() }
    }

    /// The engine group of pod `i` (an index into the cluster's pods).
    pub fn group(&self, i: usize) -> u32 {
        self.world.endpoints.pod_group[i]
    }

    fn variants(&self, g: u32) -> &[u32] {
        &self.world.endpoints.groups[g as usize].variants
    }

    /// The egress result key of group `g`.
    pub fn ekey(&self, g: u32) -> EKey {
        key_of(&self.world.results.egress, self.variants(g), g)
    }

    /// The ingress result key of group `g`.
    pub fn ikey(&self, g: u32) -> IKey {
        key_of(&self.world.results.ingress, self.variants(g), g)
    }

    /// The source's egress verdict toward a pod of group `dst`, for a
    /// source of egress key `k` (group `src`, read only for [`EKey::Own`]).
    pub fn egress(&mut self, k: EKey, src: u32, dst: u32) -> Kind {
        if let Some(v) = self.egress.get(&(k, dst)) {
            return *v;
        }
        let res = &self.world.results.egress;
        let ds: RoaringBitmap = self.variants(dst).iter().copied().collect();
        let r = match k {
            EKey::Shared(_) => res[self.variants(src)[0] as usize].over(&ds),
            EKey::Own(_) => self.each(self.variants(src), self.variants(dst), res),
        };
        let v = r.at(self.proto, self.port);
        self.egress.insert((k, dst), v);
        v
    }

    /// The destination's ingress verdict from a pod of group `src`, for a
    /// destination of ingress key `k` (group `dst`, read only for [`EKey::Own`]).
    pub fn ingress(&mut self, k: IKey, dst: u32, src: u32) -> Kind {
        if let Some(v) = self.ingress.get(&(k, src)) {
            return *v;
        }
        let res = &self.world.results.ingress;
        let ss: RoaringBitmap = self.variants(src).iter().copied().collect();
        let r = match k {
            EKey::Shared(_) => res[self.variants(dst)[0] as usize].over(&ss),
            EKey::Own(_) => self.each(self.variants(dst), self.variants(src), res),
        };
        let v = r.at(self.proto, self.port);
        self.ingress.insert((k, src), v);
        v
    }

    /// The variants of the groups `groups`, as one peer set.
    pub fn peers(&self, groups: impl IntoIterator<Item = u32>) -> RoaringBitmap {
        groups.into_iter().flat_map(|g| self.variants(g).iter().copied()).collect()
    }

    /// The egress verdict of a source of key `k` (group `src`) toward every
    /// peer of `peers` at once, when it is the same for each of them
    /// (allowed toward all, or possible toward none); `None` when it may
    /// differ (then ask [`PolicyPart::egress`] per destination).
    pub fn egress_uniform(&self, k: EKey, src: u32, peers: &RoaringBitmap) -> Option<Kind> {
        let EKey::Shared(_) = k else { return None };
        uniform(&self.world.results.egress[self.variants(src)[0] as usize], peers, self.proto, self.port)
    }

    /// The ingress verdict of a destination of key `k` (group `dst`) from
    /// every peer of `peers`, when the same for each (as [`PolicyPart::egress_uniform`]).
    pub fn ingress_uniform(&self, k: IKey, dst: u32, peers: &RoaringBitmap) -> Option<Kind> {
        let EKey::Shared(_) = k else { return None };
        uniform(&self.world.results.ingress[self.variants(dst)[0] as usize], peers, self.proto, self.port)
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
