//! Sorted sets of disjoint, non-adjacent closed intervals over an integer
//! domain. Address sets, port sets and the connectivity engine's results are
//! all built from this one type, so that no analysis enumerates members.
//!
//! Invariant: `ranges` is sorted, every range has `lo <= hi`, and no two
//! ranges overlap or touch (`a.hi + 1 < b.lo`). Every constructor and
//! operation keeps it, so equality of sets is equality of vectors.

use std::fmt;

type Ranges<T> = Vec<(T, T)>;

/// An integer domain for [`IntervalSet`].
pub trait Point: Copy + Ord + fmt::Debug {
    /// The smallest value of the domain.
    const MIN: Self;
    /// The largest value of the domain.
    const MAX: Self;
    /// The next value; never called on [`Point::MAX`].
    fn succ(self) -> Self;
    /// The previous value; never called on [`Point::MIN`].
    fn pred(self) -> Self;
}

macro_rules! point {
    ($($t:ty),*) => {$(
        impl Point for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn succ(self) -> Self { self + 1 }
            fn pred(self) -> Self { self - 1 }
        }
    )*};
}
point!(u16, u32, u64, u128);

/// A set of integers held as sorted, disjoint, non-adjacent closed ranges
/// (the module's invariant), so two equal sets have equal representations.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct IntervalSet<T: Point> {
    ranges: Ranges<T>,
}

/// A set of TCP/UDP/SCTP ports (1–65535 is "all ports"; 0 is never used).
pub type PortSet = IntervalSet<u16>;

impl<T: Point> IntervalSet<T> {
    /// The empty set.
    pub fn empty() -> Self {
        IntervalSet { ranges: Ranges::new() }
    }

    /// Every value from `lo` to `hi`, both included (empty when `lo > hi`).
    pub fn range(lo: T, hi: T) -> Self {
        if lo > hi {
            return Self::empty();
        }
        IntervalSet { ranges: vec![(lo, hi)] }
    }

    /// The set of one value.
    pub fn single(v: T) -> Self {
        Self::range(v, v)
    }

    /// Builds a set from ranges in any order, overlapping or not.
    pub fn from_ranges(mut ranges: Vec<(T, T)>) -> Self {
        ranges.retain(|(lo, hi)| lo <= hi);
        ranges.sort_unstable();
        let mut out: Ranges<T> = Ranges::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match out.last_mut() {
                Some(last) if last.1 == T::MAX || lo <= last.1.succ() => {
                    if hi > last.1 {
                        last.1 = hi;
                    }
                }
                _ => out.push((lo, hi)),
            }
        }
        IntervalSet { ranges: out }
    }

    /// The closed ranges `(lo, hi)`, sorted, disjoint and non-adjacent.
    pub fn ranges(&self) -> &[(T, T)] {
        &self.ranges
    }

    /// Does the set hold no value?
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Does the set hold `v`? (Binary search, O(log ranges).)
    pub fn contains(&self, v: T) -> bool {
        match self.ranges.binary_search_by(|&(lo, _)| lo.cmp(&v)) {
            Ok(_) => true,
            Err(0) => false,
            Err(i) => self.ranges[i - 1].1 >= v,
        }
    }

    /// The values in either set.
    pub fn union(&self, other: &Self) -> Self {
        if other.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return other.clone();
        }
        // Merge the two sorted lists, joining overlapping or touching ranges.
        let mut out: Ranges<T> = Ranges::with_capacity(self.ranges.len() + other.ranges.len());
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() || j < other.ranges.len() {
            let next = if j == other.ranges.len() || (i < self.ranges.len() && self.ranges[i].0 <= other.ranges[j].0) {
                i += 1;
                self.ranges[i - 1]
            } else {
                j += 1;
                other.ranges[j - 1]
            };
            match out.last_mut() {
                Some(last) if last.1 == T::MAX || next.0 <= last.1.succ() => {
                    if next.1 > last.1 {
                        last.1 = next.1;
                    }
                }
                _ => out.push(next),
            }
        }
        IntervalSet { ranges: out }
    }

    /// The values in both sets.
    pub fn intersect(&self, other: &Self) -> Self {
        let (mut i, mut j) = (0, 0);
        let mut out = Ranges::new();
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a_lo, a_hi) = self.ranges[i];
            let (b_lo, b_hi) = other.ranges[j];
            let lo = a_lo.max(b_lo);
            let hi = a_hi.min(b_hi);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a_hi < b_hi {
                i += 1;
            } else {
                j += 1;
            }
        }
        IntervalSet { ranges: out }
    }

    /// The complement within the whole domain `T::MIN..=T::MAX`.
    pub fn complement(&self) -> Self {
        let mut out = Ranges::with_capacity(self.ranges.len() + 1);
        let mut next = Some(T::MIN);
        for &(lo, hi) in &self.ranges {
            if let Some(n) = next {
                if lo > n {
                    out.push((n, lo.pred()));
                }
            }
            next = if hi == T::MAX { None } else { Some(hi.succ()) };
        }
        if let Some(n) = next {
            out.push((n, T::MAX));
        }
        IntervalSet { ranges: out }
    }

    /// The values of `self` not in `other`.
    pub fn subtract(&self, other: &Self) -> Self {
        if other.is_empty() || self.is_empty() {
            return self.clone();
        }
        self.intersect(&other.complement())
    }

    /// Is every value of `self` in `other`?
    pub fn is_subset(&self, other: &Self) -> bool {
        self.subtract(other).is_empty()
    }

    /// Do the two sets share a value?
    pub fn intersects(&self, other: &Self) -> bool {
        !self.intersect(other).is_empty()
    }
}

impl<T: Point> fmt::Debug for IntervalSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.ranges.iter().map(|(a, b)| a..=b)).finish()
    }
}

impl PortSet {
    /// Every port a policy can name: 1–65535.
    pub fn all_ports() -> PortSet {
        PortSet::range(1, u16::MAX)
    }

    /// `80,443,8000-8080`, the notation of `kubectl` and netpol-analyzer.
    pub fn to_list_string(&self) -> String {
        let parts: Vec<String> =
            self.ranges.iter().map(|&(lo, hi)| if lo == hi { lo.to_string() } else { format!("{lo}-{hi}") }).collect();
        parts.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(r: &[(u16, u16)]) -> PortSet {
        PortSet::from_ranges(r.to_vec())
    }

    #[test]
    fn from_ranges_merges_overlapping_and_adjacent() {
        assert_eq!(set(&[(5, 9), (1, 3), (4, 4), (20, 30), (25, 26)]).ranges(), &[(1, 9), (20, 30)]);
    }

    #[test]
    fn complement_touches_both_ends() {
        assert_eq!(set(&[(0, 3), (65535, 65535)]).complement().ranges(), &[(4, 65534)]);
        assert_eq!(PortSet::empty().complement().ranges(), &[(0, 65535)]);
        assert!(set(&[(0, 65535)]).complement().is_empty());
    }

    #[test]
    fn subtract_and_intersect() {
        let a = set(&[(1, 100)]);
        let b = set(&[(10, 20), (50, 60)]);
        assert_eq!(a.subtract(&b).ranges(), &[(1, 9), (21, 49), (61, 100)]);
        assert_eq!(a.intersect(&b), b);
        assert!(b.is_subset(&a));
        assert!(!a.is_subset(&b));
        assert!(a.contains(100) && !a.contains(101) && !b.contains(30) && b.contains(55));
    }

    #[test]
    fn list_string() {
        assert_eq!(set(&[(80, 80), (8000, 8080)]).to_list_string(), "80,8000-8080");
    }

    /// The algebra against a plain bitmap over a small domain, exhaustively
    /// for a family of sets built from a seeded generator.
    #[test]
    fn algebra_agrees_with_bitmap() {
        let mut seed = 0x9e37_79b9u32;
        let mut rnd = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for _ in 0..300 {
            let mut mk = || {
                let n = rnd() % 5;
                let v: Vec<(u16, u16)> = (0..n)
                    .map(|_| {
                        let a = (rnd() % 64) as u16;
                        (a, a + (rnd() % 8) as u16)
                    })
                    .collect();
                set(&v)
            };
            let (a, b) = (mk(), mk());
            let bits = |s: &PortSet| (0..80u16).map(|p| s.contains(p)).collect::<Vec<_>>();
            let (ba, bb) = (bits(&a), bits(&b));
            let zip = |f: fn(bool, bool) -> bool| ba.iter().zip(&bb).map(|(x, y)| f(*x, *y)).collect::<Vec<_>>();
            assert_eq!(bits(&a.union(&b)), zip(|x, y| x || y));
            assert_eq!(bits(&a.intersect(&b)), zip(|x, y| x && y));
            assert_eq!(bits(&a.subtract(&b)), zip(|x, y| x && !y));
        }
    }
}
