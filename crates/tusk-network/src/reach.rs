//! Every subnet to every subnet, for one protocol and port: the verdict
//! matrix behind `tusk reach` and the benchmark.
//!
//! A subnet's NICs are grouped into classes that every control treats
//! alike ([`super::members`]); one address per class (its lowest) is
//! evaluated, and the verdict of a subnet pair is the group verdict of its
//! class pairs: allowed or denied only when every class pair is, `mixed`
//! when some are allowed and some denied, `unknown` otherwise. A subnet
//! without NICs is represented by its first usable host (Azure reserves
//! the first four addresses), a sample. A lean evaluator (`lean.rs`)
//! computes the verdict of the common hub & spoke paths (NSGs, routes,
//! peerings, one Azure Firewall, the reply and its symmetry) without
//! building the texts of a trace, with the firewall's rules pre-filtered
//! once per source by the trace's own [`super::firewall::prefilter`].
//! Whatever it does not cover (admin rules, NVAs, gateways, DNAT, a route
//! in doubt) falls back to the full [`super::trace::trace`], so both always
//! agree; a test checks that on every pair of the fixture estates and of
//! generated ones.

mod lean;

use super::endpoint::{Endpoint, Label};
use super::members::Class;
use super::{trace, Flow, Kind, Owner, Prepared};
use lean::Lean;
use std::net::IpAddr;
use std::ops::Range;
use tusk_core::{GroupKind, Protocol};
use tusk_model::azure::{Idx, Subnet};

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
