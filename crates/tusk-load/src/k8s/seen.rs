//! The set of (kind, namespace, name) of every named object a load has
//! read, with where each was first seen, for the duplicate-object error.
//!
//! At 100,000 pods this map was 15 % of loading (a `HashMap` keyed by three
//! owned `String`s and hashed with SipHash: every resize re-hashed every key,
//! reading three heap strings each). Here each key is one allocation that
//! carries its hash, computed once with foldhash, so a resize only moves
//! slots and a lookup compares text only when the hashes agree.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use tusk_core::Loc;

/// (kind, namespace, name) → where the object was read first.
#[derive(Debug, Default)]
pub(super) struct Seen {
    map: HashMap<Key, Loc, BuildHasherDefault<Prehashed>>,
    state: foldhash::fast::RandomState,
}

impl Seen {
    /// Records `loc` for `(kind, namespace, name)` and returns the location
    /// recorded before for the same triple, as `HashMap::insert` does (the
    /// new location replaces it).
    pub(super) fn insert(&mut self, (kind, namespace, name): (String, String, String), loc: Loc) -> Option<Loc> {
        let (kind, namespace, name) = (kind.as_str(), namespace.as_str(), name.as_str());
        let hash = self.state.hash_one((kind, namespace, name));
        let mut text = String::with_capacity(kind.len() + namespace.len() + name.len());
        text.push_str(kind);
        text.push_str(namespace);
        text.push_str(name);
        // The lengths keep ("ab", "c") and ("a", "bc") apart, whatever bytes
        // the names hold.
        let key = Key { hash, kind: kind.len(), namespace: namespace.len(), text: text.into_boxed_str() };
        self.map.insert(key, loc)
    }

    /// Whether no named object was read.
    pub(super) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// One triple, its three parts back to back in `text`.
#[derive(Debug, PartialEq, Eq)]
struct Key {
    hash: u64,
    kind: usize,
    namespace: usize,
    text: Box<str>,
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.hash);
    }
}

/// A hasher that passes on the hash a [`Key`] carries.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `Key` is hashed here, through `write_u64`; any other input
        // still hashes, just slowly.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tusk_core::Pos;

    fn at(line: u32) -> Loc {
        Loc::new("f.yaml".into(), Pos { line, col: 1 })
    }

    #[test]
    fn a_second_insert_returns_the_first_location() {
        let mut s = Seen::default();
        let key = |k: &str, ns: &str, n: &str| (k.to_string(), ns.to_string(), n.to_string());
        assert!(s.is_empty());
        assert_eq!(s.insert(key("Pod", "default", "a"), at(1)), None);
        assert_eq!(s.insert(key("Pod", "default", "b"), at(2)), None);
        assert_eq!(s.insert(key("Pod", "default", "a"), at(3)), Some(at(1)));
        assert!(!s.is_empty());
    }

    #[test]
    fn parts_are_not_confused_across_their_boundaries() {
        let mut s = Seen::default();
        let key = |k: &str, ns: &str, n: &str| (k.to_string(), ns.to_string(), n.to_string());
        assert_eq!(s.insert(key("Pod", "ab", "c"), at(1)), None);
        assert_eq!(s.insert(key("Pod", "a", "bc"), at(2)), None);
        assert_eq!(s.insert(key("Poda", "", "bc"), at(3)), None);
        assert_eq!(s.insert(key("Pod", "a", "bc"), at(4)), Some(at(2)));
    }
}
