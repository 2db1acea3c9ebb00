//! Typed indices: `Idx<T>` is a position in a `Vec<T>` that cannot be used
//! to index a vector of another type. The Azure model holds its resources in
//! one vector per type and links them by index; with a bare `usize`, a
//! reference resolved against the wrong list (a route table's index used as
//! an NSG's) compiles and silently picks an unrelated resource, or indexes
//! past the end. With `Idx<T>` that mistake is a type error.
//!
//! This module knows nothing of what `T` is; it stores no data of it.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// The index of a `T` in the vector of `T`s that owns it.
pub struct Idx<T> {
    raw: u32,
    // `fn() -> T` keeps `Idx<T>` `Send`, `Sync` and `Copy` whatever `T` is.
    _of: PhantomData<fn() -> T>,
}

impl<T> Idx<T> {
    /// The index `i`. Panics past `u32::MAX`, which no estate reaches (a
    /// vector of that many resources would not fit in memory first).
    pub fn new(i: usize) -> Idx<T> {
        Idx { raw: u32::try_from(i).expect("fewer than 2^32 items"), _of: PhantomData }
    }

    /// The position, for arithmetic and for side tables indexed alike.
    pub fn index(self) -> usize {
        self.raw as usize
    }

    /// Every index of `items`, in order.
    pub fn all(items: &[T]) -> impl DoubleEndedIterator<Item = Idx<T>> + ExactSizeIterator {
        (0..items.len()).map(Idx::new)
    }

    /// `(index, item)` pairs, like `iter().enumerate()` with typed indices.
    pub fn enumerate(items: &[T]) -> impl Iterator<Item = (Idx<T>, &T)> {
        items.iter().enumerate().map(|(i, t)| (Idx::new(i), t))
    }
}

impl<T> Clone for Idx<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Idx<T> {}
impl<T> PartialEq for Idx<T> {
    fn eq(&self, o: &Self) -> bool {
        self.raw == o.raw
    }
}
impl<T> Eq for Idx<T> {}
impl<T> PartialOrd for Idx<T> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<T> Ord for Idx<T> {
    fn cmp(&self, o: &Self) -> Ordering {
        self.raw.cmp(&o.raw)
    }
}
impl<T> Hash for Idx<T> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.raw.hash(h)
    }
}
impl<T> fmt::Debug for Idx<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.raw)
    }
}

impl<T> std::ops::Index<Idx<T>> for Vec<T> {
    type Output = T;
    fn index(&self, i: Idx<T>) -> &T {
        &self[i.index()]
    }
}
impl<T> std::ops::IndexMut<Idx<T>> for Vec<T> {
    fn index_mut(&mut self, i: Idx<T>) -> &mut T {
        &mut self[i.index()]
    }
}
impl<T> std::ops::Index<Idx<T>> for [T] {
    type Output = T;
    fn index(&self, i: Idx<T>) -> &T {
        &self[i.index()]
    }
}

/// A side table: one `V` per `K` of some `Vec<K>`, indexed by `Idx<K>`
/// (the effective routes of each subnet, the address space of each VNet),
/// so that it too cannot be read with another type's index.
#[derive(Clone)]
pub struct IdxVec<K, V> {
    items: Vec<V>,
    _of: PhantomData<fn() -> K>,
}

impl<K, V> IdxVec<K, V> {
    /// An empty table.
    pub fn new() -> Self {
        IdxVec { items: Vec::new(), _of: PhantomData }
    }

    /// `f(k)` for every index of `keys`.
    pub fn build(keys: &[K], f: impl FnMut(Idx<K>) -> V) -> Self {
        IdxVec { items: Idx::all(keys).map(f).collect(), _of: PhantomData }
    }

    /// `v` for every index of `keys`.
    pub fn filled(keys: &[K], v: V) -> Self
    where
        V: Clone,
    {
        IdxVec { items: vec![v; keys.len()], _of: PhantomData }
    }

    /// The value of key `k`; `None` when `k` is past the table's end.
    pub fn get(&self, k: Idx<K>) -> Option<&V> {
        self.items.get(k.index())
    }

    /// The value of key `k`, mutably; `None` when `k` is past the table's end.
    pub fn get_mut(&mut self, k: Idx<K>) -> Option<&mut V> {
        self.items.get_mut(k.index())
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Does the table hold no value?
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Each key with its value, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (Idx<K>, &V)> {
        self.items.iter().enumerate().map(|(i, v)| (Idx::new(i), v))
    }

    /// The values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.items.iter()
    }

    /// The values in key order, mutably.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.items.iter_mut()
    }
}

impl<K, V> Default for IdxVec<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V: fmt::Debug> fmt::Debug for IdxVec<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

impl<K, V> std::ops::Index<Idx<K>> for IdxVec<K, V> {
    type Output = V;
    fn index(&self, i: Idx<K>) -> &V {
        &self.items[i.index()]
    }
}
impl<K, V> std::ops::IndexMut<Idx<K>> for IdxVec<K, V> {
    fn index_mut(&mut self, i: Idx<K>) -> &mut V {
        &mut self.items[i.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_reads_the_vector_of_its_own_type() {
        let names = vec!["a".to_string(), "b".to_string()];
        let i: Idx<String> = Idx::new(1);
        assert_eq!(names[i], "b");
        assert_eq!(Idx::all(&names).map(Idx::index).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(format!("{i:?}"), "#1");
    }
}
