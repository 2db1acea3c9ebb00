//! What the property tests of this crate share: the seeded generator that
//! keeps their existing seeds reproducible.

// Each test binary compiles this module and uses part of it.
#![allow(dead_code)]

/// A xorshift64 generator: the seeds the property tests were written
/// against must keep drawing the same clusters.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}
