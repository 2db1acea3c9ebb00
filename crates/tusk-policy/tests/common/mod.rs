//! What the property tests of this crate share: proptest drives their
//! cluster generators, so a failure is shrunk to a small cluster.
//!
//! The generators are written as sequences of choices (`r.below(5)`,
//! `r.pick(&APPS)`, `r.chance(40)`); [`Rng`] reads those choices from a
//! tape of numbers that proptest generates ([`tapes`]), several tapes when
//! a generator keeps independent streams. Proptest shrinks a failing tape
//! by dropping numbers and moving each toward 0, and a choice read as 0 (or
//! past the tape's end) is the simplest one: the fewest pods, rules and
//! peers, the first alternative, no optional part. So a shrunk tape is a
//! small cluster, which [`run`] prints with the failure. Each tape is one
//! case; [`run`] uses a fixed proptest seed, so a run is reproducible.

// Each test binary compiles this module and uses part of it.
#![allow(dead_code)]

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};
use std::fmt::Debug;

/// Numbers per tape: more than a generator reads for its largest cluster,
/// so that every choice is drawn, none defaulted, until shrinking drops them.
pub const TAPE: usize = 1024;

/// Reads a generator's choices from a tape (0 past its end).
pub struct Rng<'t> {
    tape: &'t [u64],
    at: usize,
}

impl<'t> Rng<'t> {
    pub fn new(tape: &'t [u64]) -> Rng<'t> {
        Rng { tape, at: 0 }
    }
    pub fn next(&mut self) -> u64 {
        let v = self.tape.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        v
    }
    /// A choice in `0..n`, uniform over the tape's numbers.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
    /// True with probability `pct` %; a 0 reads as false, the simpler cluster.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) >= 100 - pct
    }
}

/// `n` tapes of [`TAPE`] numbers each. The numbers are below 2^20 (far
/// above any `below(n)` bound, so choices stay near uniform) to keep each
/// number's shrink to 0 short.
pub fn tapes(n: usize) -> impl Strategy<Value = Vec<Vec<u64>>> {
    vec(vec(0u64..(1 << 20), 0..=TAPE), n)
}

/// Runs `check` on `cases` clusters drawn from `streams` tapes each, with
/// proptest's fixed seed. On a failure proptest shrinks the tapes, and the
/// test panics with the failure's message and `describe` of the shrunk
/// tapes (the small cluster that still fails).
pub fn run(
    cases: u32,
    streams: usize,
    check: impl Fn(&[Vec<u64>]) -> Result<(), TestCaseError>,
    describe: impl Fn(&[Vec<u64>]) -> String,
) {
    // Shrinking stops after this many further runs of `check`: each is a
    // whole cluster's comparison, and a few thousand already reach a small
    // cluster.
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 4000, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    match runner.run(&tapes(streams), |t| check(&t)) {
        Ok(()) => {}
        Err(TestError::Fail(why, t)) => panic!("{why}\nshrunk case:\n{}", describe(&t)),
        Err(e) => panic!("{e}"),
    }
}

/// Each item on one line, its `Debug` form without the generators' built-in
/// locations: how [`run`]'s callers print a shrunk cluster.
pub fn lines<T: Debug>(what: &str, items: &[T]) -> String {
    const LOC: &str = "Loc { file: \"<builtin:test>\", pos: Pos { line: 0, col: 0 } }";
    let mut out = String::new();
    for (i, x) in items.iter().enumerate() {
        let text = format!("{x:?}").replace(&format!(", loc: Some({LOC})"), "").replace(&format!(", loc: {LOC}"), "");
        out += &format!("{what}[{i}]: {text}\n");
    }
    out
}

/// Does the class engine's cell (`allowed`, `unknown` for one connection)
/// say what the plain evaluator's verdict says? Not every test binary
/// compares this way, hence the allowance.
#[allow(dead_code)]
pub fn agree(plain: &tusk_policy::explain::Verdict, allowed: bool, unknown: bool) -> bool {
    use tusk_policy::explain::Verdict;
    match plain {
        Verdict::Allowed => allowed && !unknown,
        Verdict::Denied => !allowed && !unknown,
        Verdict::Unknown(_) => !allowed && unknown,
    }
}

/// The pod-grain matrix split for the comparisons: pod → pod rows by
/// (source, destination), and the rows with an outside range on either side.
#[allow(dead_code)]
pub fn split_rows(
    rows: &[tusk_policy::matrix::Entry],
) -> (
    std::collections::HashMap<
        (tusk_policy::matrix::Endpoint, tusk_policy::matrix::Endpoint),
        &tusk_policy::matrix::Entry,
    >,
    Vec<&tusk_policy::matrix::Entry>,
) {
    use tusk_policy::matrix::Endpoint;
    let (mut pairs, mut ext) = (std::collections::HashMap::new(), Vec::new());
    for e in rows {
        match (&e.src, &e.dst) {
            (Endpoint::External(_), _) | (_, Endpoint::External(_)) => ext.push(e),
            _ => {
                pairs.insert((e.src, e.dst), e);
            }
        }
    }
    (pairs, ext)
}

/// The engine's (allowed, unknown) for `proto`/`port` between `pod` and the
/// outside address `v` (from it when `src_out`, else to it), read from the
/// outside rows of [`split_rows`]; no row is (false, false).
#[allow(dead_code)]
pub fn outside(
    ext: &[&tusk_policy::matrix::Entry],
    pod: tusk_policy::matrix::Endpoint,
    v: u128,
    src_out: bool,
    proto: tusk_core::Protocol,
    port: u16,
) -> (bool, bool) {
    use tusk_policy::matrix::Endpoint;
    let row = ext.iter().find(|e| match (&e.src, &e.dst) {
        (Endpoint::External(r), d) if src_out => *d == pod && r.lo <= v && v <= r.hi,
        (x, Endpoint::External(r)) if !src_out => *x == pod && r.lo <= v && v <= r.hi,
        _ => false,
    });
    row.map_or((false, false), |e| (e.allowed.allows(proto, port), e.unknown.allows(proto, port)))
}
