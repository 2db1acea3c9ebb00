//! Every subnet to every subnet, for one protocol and port: the verdict
//! matrix behind `tusk reach` and the benchmark.
//!
//! A subnet's NICs are grouped into classes that every control treats
//! alike ([`super::members`]); one address per class (its lowest) is
//! evaluated, and the verdict of a subnet pair is the group verdict of its
//! class pairs: allowed or denied only when every class pair is, `mixed`
//! when some are allowed and some denied, `unknown` otherwise. A subnet
//! without NICs is represented by its first usable host (Azure reserves
//! the first four addresses), a sample. A lean evaluator computes the
//! verdict of the common hub & spoke paths (NSGs, routes, peerings, one
//! Azure Firewall, the reply and its symmetry) without building the texts
//! of a trace, with the firewall's rules pre-filtered once per source.
//! Whatever it does not cover (admin rules, NVAs, gateways, DNAT, anything
//! unknown) falls back to the full [`super::trace::trace`], so both always
//! agree; a test checks that on every pair of the fixture estates.

use super::endpoint::{Endpoint, Label};
use super::firewall::{application_match, network_match_but_destination, ordered, snat_applies};
use super::members::Class;
use super::nsg;
use super::prepared::FxMap;
use super::{trace, Flow, Kind, Owner, Prepared};
use std::net::IpAddr;
use std::ops::Range;
use tusk_core::tri::Tri;
use tusk_core::{GroupKind, Protocol};
use tusk_model::azure::{
    AzureFirewall, CollectionKind, Direction, FirewallAction, FirewallRule, Idx, Link, NextHopType, Nsg, Subnet,
    VirtualNetwork,
};

/// The address standing for a subnet, and what sits there.
#[derive(Debug, Clone, Copy)]
pub struct Rep {
    /// The subnet.
    pub subnet: Idx<Subnet>,
    /// The address evaluated.
    pub ip: IpAddr,
    /// What holds it (`None`: a NIC-less subnet's stand-in).
    pub owner: Option<Owner>,
}

/// One representative per class of [`super::members::classes`].
pub fn representatives(p: &Prepared) -> Vec<Rep> {
    reps_of(&super::members::classes(p))
}

/// The representatives of classes already computed.
pub fn reps_of(classes: &[Class]) -> Vec<Rep> {
    classes.iter().map(|c| Rep { subnet: c.subnet, ip: c.members[0].0, owner: c.members[0].1 }).collect()
}

/// The verdicts of every class pair, for one protocol and port.
pub struct Matrix {
    /// One per class, in subnet order: `reps[i]` stands for `classes[i]`.
    pub reps: Vec<Rep>,
    /// The classes, in subnet order.
    pub classes: Vec<Class>,
    /// Row-major over classes: `verdicts[i * n + j]` is from `reps[i]` to
    /// `reps[j]` (the diagonal is not evaluated).
    pub verdicts: Vec<Kind>,
    /// Pairs the lean evaluator handed to the full trace.
    pub fallbacks: usize,
}

/// The verdict of one subnet pair over its class pairs.
#[derive(Debug, Clone)]
pub struct SubnetPair {
    /// The source subnet.
    pub from: Idx<Subnet>,
    /// The destination subnet.
    pub to: Idx<Subnet>,
    /// The group verdict over the class pairs.
    pub verdict: GroupKind,
    /// The classes of each subnet (ranges of indices into [`Matrix::reps`]).
    pub from_classes: Range<usize>,
    /// (See `from_classes`.)
    pub to_classes: Range<usize>,
}

impl SubnetPair {
    /// The class pairs `(i, j)` behind the verdict.
    pub fn pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.from_classes.clone().flat_map(move |i| self.to_classes.clone().map(move |j| (i, j)))
    }

    /// Does either subnet hold more than one class (so the verdict is a
    /// group verdict over several class pairs)?
    pub fn is_group(&self) -> bool {
        self.from_classes.len() > 1 || self.to_classes.len() > 1
    }
}

impl Matrix {
    /// The subnets that have a representative, each with the range of its
    /// classes in [`Matrix::reps`] (classes are sorted by subnet).
    pub fn subnets(&self) -> Vec<(Idx<Subnet>, Range<usize>)> {
        let mut out: Vec<(Idx<Subnet>, Range<usize>)> = Vec::new();
        for (i, r) in self.reps.iter().enumerate() {
            match out.last_mut() {
                Some((s, range)) if *s == r.subnet => range.end = i + 1,
                _ => out.push((r.subnet, i..i + 1)),
            }
        }
        out
    }

    /// The group verdict of every ordered pair of distinct subnets, row by
    /// row (an iterator: the benchmark estate has four million pairs).
    pub fn subnet_pairs(&self) -> impl Iterator<Item = SubnetPair> + '_ {
        let subnets = std::rc::Rc::new(self.subnets());
        (0..subnets.len()).flat_map(move |x| {
            let subnets = subnets.clone();
            let (a, ra) = subnets[x].clone();
            (0..subnets.len()).filter(move |&y| y != x).map(move |y| {
                let (b, rb) = subnets[y].clone();
                let verdict = self.group(ra.clone(), rb.clone());
                SubnetPair { from: a, to: b, verdict, from_classes: ra.clone(), to_classes: rb }
            })
        })
    }

    /// The group verdict over the class pairs `ra` × `rb`. A pair of
    /// one-class subnets (every subnet of a one-NIC-per-subnet estate) is
    /// its one class pair's verdict, read without counting.
    fn group(&self, ra: Range<usize>, rb: Range<usize>) -> GroupKind {
        let n = self.reps.len();
        if ra.len() == 1 && rb.len() == 1 {
            return one(self.verdicts[ra.start * n + rb.start]);
        }
        GroupKind::of_kinds(ra.flat_map(|i| rb.clone().map(move |j| self.verdicts[i * n + j])))
    }

    /// How many ordered pairs of distinct subnets have each group verdict,
    /// indexed by `GroupKind as usize`. When every subnet has one class
    /// the counts are those of the class matrix itself, one pass over it;
    /// otherwise each subnet pair's group verdict is counted.
    pub fn tally(&self) -> [usize; 4] {
        let n = self.reps.len();
        let mut counts = [0usize; 4];
        if self.subnets().len() == n {
            let mut kinds = [0usize; 3];
            for (i, row) in self.verdicts.chunks(n).enumerate() {
                for (j, k) in row.iter().enumerate() {
                    kinds[*k as usize] += usize::from(i != j);
                }
            }
            for k in [Kind::Allowed, Kind::Denied, Kind::Unknown] {
                counts[one(k) as usize] += kinds[k as usize];
            }
            return counts;
        }
        for s in self.subnet_pairs() {
            counts[s.verdict as usize] += 1;
        }
        counts
    }

    /// The subnet pairs whose group verdict is `mixed`: only pairs where a
    /// subnet has several classes can be, so only those are visited.
    pub fn mixed_pairs(&self) -> Vec<SubnetPair> {
        let subnets = self.subnets();
        let mut out = Vec::new();
        for (a, ra) in &subnets {
            for (b, rb) in &subnets {
                if a == b || (ra.len() == 1 && rb.len() == 1) {
                    continue;
                }
                let verdict = self.group(ra.clone(), rb.clone());
                if verdict == GroupKind::Mixed {
                    out.push(SubnetPair {
                        from: *a,
                        to: *b,
                        verdict,
                        from_classes: ra.clone(),
                        to_classes: rb.clone(),
                    });
                }
            }
        }
        out
    }

    /// How many ordered pairs of distinct subnets have group verdict `v`.
    pub fn count(&self, v: GroupKind) -> usize {
        self.tally()[v as usize]
    }

    /// How many addresses class `i` stands for.
    pub fn members(&self, i: usize) -> usize {
        self.classes[i].members.len()
    }
}

/// The group verdict of one member pair: the same word.
fn one(k: Kind) -> GroupKind {
    match k {
        Kind::Allowed => GroupKind::Allowed,
        Kind::Denied => GroupKind::Denied,
        Kind::Unknown => GroupKind::Unknown,
    }
}

/// The verdict of every class pair of `p` for `proto` / `port`.
pub fn all_pairs(p: &Prepared, proto: Protocol, port: Option<u16>) -> Matrix {
    all_pairs_of(p, super::members::classes(p), proto, port)
}

/// [`all_pairs`] over classes already computed (`tusk reach` computes them
/// once for its representatives and its matrix).
pub fn all_pairs_of(p: &Prepared, classes: Vec<Class>, proto: Protocol, port: Option<u16>) -> Matrix {
    let reps = reps_of(&classes);
    let n = reps.len();
    if n == 0 {
        // No subnet with an address: no pair (and no chunk to split).
        return Matrix { reps, classes, verdicts: Vec::new(), fallbacks: 0 };
    }
    let threads = std::thread::available_parallelism().map(|t| t.get()).unwrap_or(1).min(8);
    let chunk = n.div_ceil(threads.max(1)).max(1);
    let mut verdicts = vec![Kind::Unknown; n * n];
    let mut fallbacks = 0;
    std::thread::scope(|sc| {
        let handles: Vec<_> = verdicts
            .chunks_mut(chunk * n)
            .enumerate()
            .map(|(k, rows)| {
                let reps = &reps;
                sc.spawn(move || {
                    let mut fb = 0;
                    for (r, row) in rows.chunks_mut(n).enumerate() {
                        let i = k * chunk + r;
                        let mut lean = Lean::new(p, reps[i], proto, port);
                        for (j, cell) in row.iter_mut().enumerate() {
                            if i == j {
                                continue;
                            }
                            *cell = match lean.pair(reps[j]) {
                                Some(v) => v,
                                None => {
                                    fb += 1;
                                    full(p, reps[i], reps[j], proto, port)
                                }
                            };
                        }
                    }
                    fb
                })
            })
            .collect();
        fallbacks = handles.into_iter().map(|h| h.join().expect("reach worker")).sum();
    });
    Matrix { reps, classes, verdicts, fallbacks }
}

fn endpoint(r: Rep) -> Endpoint {
    Endpoint::Azure { ip: r.ip, subnet: r.subnet, owner: r.owner, label: Label::Subnet }
}

/// The full trace's verdict for one pair.
pub fn full(p: &Prepared, a: Rep, b: Rep, proto: Protocol, port: Option<u16>) -> Kind {
    trace::trace(p, &endpoint(a), &endpoint(b), Flow { src: a.ip, dst: b.ip, proto, port }).verdict
}

/// Allowed, and source-translated; `None` when the full trace must decide.
type FwOutcome = Option<(bool, bool)>;

/// A firewall rule that may match flows from the current source.
struct Candidate<'a> {
    kind: CollectionKind,
    action: FirewallAction,
    rule: &'a FirewallRule,
}

struct Lean<'p, 'a> {
    p: &'p Prepared<'a>,
    src: Rep,
    proto: Protocol,
    port: Option<u16>,
    /// Per firewall: the rules that may match this source, in order (or
    /// `None` when the rule set itself is unknown).
    fw: FxMap<Idx<AzureFirewall>, Option<Vec<Candidate<'p>>>>,
    /// Firewall outcomes per (firewall, destination VNet), for VNets over
    /// whose whole address space every candidate rule decides alike.
    fw_by_vnet: FxMap<(Idx<AzureFirewall>, Idx<VirtualNetwork>), Option<FwOutcome>>,
}

impl<'p, 'a> Lean<'p, 'a> {
    fn new(p: &'p Prepared<'a>, src: Rep, proto: Protocol, port: Option<u16>) -> Self {
        Lean { p, src, proto, port, fw: FxMap::default(), fw_by_vnet: FxMap::default() }
    }

    fn vnet(&self, s: Idx<Subnet>) -> Idx<VirtualNetwork> {
        self.p.net.subnets[s].vnet
    }

    /// NSG verdict, `None` when unknown.
    fn nsg(&self, link: &Option<Link<Nsg>>, vnet: Idx<VirtualNetwork>, dir: Direction, f: &Flow) -> Option<bool> {
        match link {
            None => Some(true),
            Some(Link::Absent(_)) => None,
            Some(Link::Found(i)) => match nsg::verdict(self.p, *i, Some(vnet), dir, f) {
                Kind::Allowed => Some(true),
                Kind::Denied => Some(false),
                Kind::Unknown => None,
            },
        }
    }

    /// The peering rule ([`super::peering::cross`]); `None` when unknown.
    fn peering(&self, a: Idx<VirtualNetwork>, b: Idx<VirtualNetwork>, src: IpAddr) -> Option<bool> {
        match super::peering::cross(self.p, a, b, src, false).verdict {
            Kind::Allowed => Some(true),
            Kind::Denied => Some(false),
            Kind::Unknown => None,
        }
    }

    fn candidates(&mut self, fw: Idx<AzureFirewall>) -> Option<&Vec<Candidate<'p>>> {
        let (p, src, proto, port) = (self.p, self.src.ip, self.proto, self.port);
        self.fw
            .entry(fw)
            .or_insert_with(|| {
                let colls = ordered(p, fw).ok()?;
                // The destination is left open; everything else is checked.
                let probe = Flow { src, dst: src, proto, port };
                let mut out = Vec::new();
                for kind in [CollectionKind::Dnat, CollectionKind::Network, CollectionKind::Application] {
                    for o in colls.iter().filter(|o| o.c.kind == kind) {
                        for rule in &o.c.rules {
                            let m = match kind {
                                CollectionKind::Application => application_match(p, rule, &probe),
                                _ => network_match_but_destination(p, rule, &probe),
                            };
                            if m != Tri::No {
                                out.push(Candidate { kind, action: o.c.action, rule });
                            }
                        }
                    }
                }
                Some(out)
            })
            .as_ref()
    }

    /// [`Self::firewall_each`], shared across a destination VNet when that
    /// is sound: every candidate's destinations hold all of the VNet's
    /// address space or none of it, and so do the SNAT private ranges.
    fn firewall(&mut self, fw: Idx<AzureFirewall>, f: &Flow, dst_vnet: Idx<VirtualNetwork>) -> Option<(bool, bool)> {
        if !self.p.vnet_space[dst_vnet].contains_ip(f.dst) {
            return self.firewall_each(fw, f);
        }
        if let Some(Some(memo)) = self.fw_by_vnet.get(&(fw, dst_vnet)) {
            return *memo;
        }
        if matches!(self.fw_by_vnet.get(&(fw, dst_vnet)), Some(None)) {
            return self.firewall_each(fw, f);
        }
        let uniform = self.uniform(fw, dst_vnet);
        let r = self.firewall_each(fw, f);
        self.fw_by_vnet.insert((fw, dst_vnet), uniform.then_some(r));
        r
    }

    fn uniform(&mut self, fw: Idx<AzureFirewall>, v: Idx<VirtualNetwork>) -> bool {
        let p = self.p;
        let space = p.vnet_space[v].ranges();
        // Holds all of the space, or none of it (no sets are built).
        let whole = |lo: u128, hi: u128| {
            space.iter().all(|&(a, b)| lo <= a && b <= hi) || space.iter().all(|&(a, b)| b < lo || a > hi)
        };
        let fw_ok = match p.net.firewalls[fw].private_ranges.as_ref().or_else(|| {
            p.net.firewalls[fw]
                .policy
                .as_ref()
                .and_then(Link::found)
                .and_then(|i| p.net.firewall_policies[i].private_ranges.as_ref())
        }) {
            Some(tusk_model::azure::PrivateRanges::List(l)) => l.iter().all(|c| whole(c.range().lo, c.range().hi)),
            _ => [
                (0x0a00_0000u128, 0x0aff_ffffu128),
                (0xac10_0000, 0xac1f_ffff),
                (0xc0a8_0000, 0xc0a8_ffff),
                (0x6440_0000, 0x647f_ffff),
            ]
            .iter()
            .all(|(lo, hi)| whole(0xffff_0000_0000 | lo, 0xffff_0000_0000 | hi)),
        };
        if !fw_ok {
            return false;
        }
        let Some(cands) = self.candidates(fw) else { return false };
        cands.iter().all(|c| {
            c.rule.destinations.iter().all(|d| match d {
                tusk_model::azure::AddressMatch::Any => true,
                tusk_model::azure::AddressMatch::Prefix(x) => whole(x.range().lo, x.range().hi),
                tusk_model::azure::AddressMatch::Range(lo, hi) => whole(*lo, *hi),
                _ => false,
            })
        })
    }

    /// The firewall's verdict and SNAT, `None` when the full trace must decide.
    fn firewall_each(&mut self, fw: Idx<AzureFirewall>, f: &Flow) -> Option<(bool, bool)> {
        let p = self.p;
        let cands = self.candidates(fw)?;
        for c in cands {
            match c.kind {
                CollectionKind::Dnat | CollectionKind::Application => return None,
                CollectionKind::Network => match super::nsg::addresses(p, None, &c.rule.destinations, f.dst) {
                    Tri::No => {}
                    Tri::Maybe => return None,
                    Tri::Yes => {
                        let allow = c.action == FirewallAction::Allow;
                        let snat = allow && snat_applies(p, &p.net.firewalls[fw], f.dst);
                        return Some((allow, snat));
                    }
                },
            }
        }
        Some((false, false))
    }

    fn pair(&mut self, dst: Rep) -> Option<Kind> {
        let p = self.p;
        let net = p.net;
        // Virtual WAN hubs' routes are not modelled: the full trace says so.
        if !net.admin_rules.is_empty()
            || !net.virtual_hubs.is_empty()
            || !net.unmodelled.is_empty()
            || dst.owner.is_none()
            || self.src.owner.is_none()
        {
            return None;
        }
        let (Some(Owner::Nic(sn, _)), Some(Owner::Nic(dn, _))) = (self.src.owner, dst.owner) else { return None };
        let mut f = Flow { src: self.src.ip, dst: dst.ip, proto: self.proto, port: self.port };
        let sv = self.vnet(self.src.subnet);
        // Outbound: NIC, then subnet.
        if !self.nsg(&net.nics[sn].nsg, sv, Direction::Outbound, &f)?
            || !self.nsg(&net.subnets[self.src.subnet].nsg, sv, Direction::Outbound, &f)?
        {
            return Some(Kind::Denied);
        }
        let mut cur = self.src.subnet;
        let mut via: Option<(Idx<AzureFirewall>, bool)> = None;
        loop {
            let routes = &p.routes[cur];
            if !routes.tag_routes.is_empty() || routes.endpoint_doubt(f.dst).is_some() {
                return None;
            }
            let r = &routes.routes[routes.best(f.dst)?];
            if r.doubt.is_some() {
                return None;
            }
            let v = self.vnet(cur);
            match r.next_hop {
                NextHopType::None => return Some(Kind::Denied),
                NextHopType::VnetLocal | NextHopType::VnetPeering => {
                    let b = r.vnet?;
                    if b != v && !self.peering(v, b, f.src)? {
                        return Some(Kind::Denied);
                    }
                    if p.subnet_in(b, f.dst) != Some(dst.subnet) {
                        return None;
                    }
                    break;
                }
                NextHopType::VirtualAppliance => {
                    let Some(Owner::Firewall(fw)) = p.private.get(&r.next_hop_ip?).copied() else { return None };
                    let s2 = p.owner_subnet(Owner::Firewall(fw))?;
                    let b = self.vnet(s2);
                    if via.is_some() || (b != v && !self.peering(v, b, f.src)?) {
                        return if via.is_some() { None } else { Some(Kind::Denied) };
                    }
                    let (allow, snat) = self.firewall(fw, &f, self.vnet(dst.subnet))?;
                    if !allow {
                        return Some(Kind::Denied);
                    }
                    if snat {
                        f.src = *net.firewalls[fw].private_ips.first()?;
                    }
                    via = Some((fw, snat));
                    cur = s2;
                }
                _ => return None,
            }
        }
        // Inbound: subnet, then NIC.
        let dv = self.vnet(dst.subnet);
        if !self.nsg(&net.subnets[dst.subnet].nsg, dv, Direction::Inbound, &f)?
            || !self.nsg(&net.nics[dn].nsg, dv, Direction::Inbound, &f)?
        {
            return Some(Kind::Denied);
        }
        self.reply(dst, f, via)
    }

    /// The reply from `dst` to the address it saw, through the same firewall.
    fn reply(&mut self, dst: Rep, f: Flow, via: Option<(Idx<AzureFirewall>, bool)>) -> Option<Kind> {
        let p = self.p;
        let mut g = Flow { src: f.dst, dst: f.src, proto: f.proto, port: None };
        let mut cur = dst.subnet;
        let mut seen = false;
        for _ in 0..4 {
            let routes = &p.routes[cur];
            let r = &routes.routes[routes.best(g.dst)?];
            if r.doubt.is_some() {
                return None;
            }
            let v = self.vnet(cur);
            let at_fw = |ip: IpAddr| match p.private.get(&ip) {
                Some(Owner::Firewall(fw)) => Some(*fw),
                _ => None,
            };
            let next_fw = match r.next_hop {
                NextHopType::None => return Some(Kind::Denied),
                NextHopType::VnetLocal | NextHopType::VnetPeering => {
                    let b = r.vnet?;
                    if b != v && !self.peering(v, b, g.src)? {
                        return Some(Kind::Denied);
                    }
                    match at_fw(g.dst) {
                        Some(fw) => fw,
                        None if p.subnet_in(b, g.dst) == Some(self.src.subnet) && g.dst == self.src.ip => {
                            return Some(if via.is_some() && !seen { Kind::Denied } else { Kind::Allowed });
                        }
                        None => return None,
                    }
                }
                NextHopType::VirtualAppliance => {
                    let fw = at_fw(r.next_hop_ip?)?;
                    let b = self.vnet(p.owner_subnet(Owner::Firewall(fw))?);
                    if b != v && !self.peering(v, b, g.src)? {
                        return Some(Kind::Denied);
                    }
                    fw
                }
                _ => return None,
            };
            // A firewall that did not see the request drops the reply.
            match via {
                Some((fw, _)) if fw == next_fw && seen => return None,
                Some((fw, snat)) if fw == next_fw => {
                    seen = true;
                    if snat {
                        g.dst = self.src.ip;
                    }
                    cur = p.owner_subnet(Owner::Firewall(fw))?;
                }
                _ => return Some(Kind::Denied),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::prepared::cidr_has;

    #[test]
    fn cidr_has_agrees_with_sets() {
        let c = tusk_core::ip::Cidr::parse("10.1.0.0/16").unwrap();
        assert!(cidr_has(&c, "10.1.255.255".parse().unwrap()));
        assert!(!cidr_has(&c, "10.2.0.0".parse().unwrap()));
    }
}
