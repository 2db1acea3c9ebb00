//! The matrix streamed one source endpoint at a time (issue 8 C6: a
//! Deployment of 3,000 replicas at `--grain pod` is 9 million rows, which
//! [`crate::Analysis::matrix`] would hold in memory at once).
//!
//! What is held is proportional to the endpoints, not to the rows: the group
//! (or atom) pairs of each reading (as for the buffered matrix), the members
//! of each group at the grain, the rows a source has (at most one per
//! destination), and the built-in node admissions and Service rows (one
//! per endpoint and node address, or per endpoint and Service).
//!
//! The batches, concatenated, are exactly the rows of
//! [`crate::Analysis::matrix`] followed (when asked) by the Service rows of
//! [`crate::services::matrix_rows`], sorted by (source, destination): each
//! row depends on its own source only, so every merge the buffered matrix
//! does (members of one endpoint, readings, node admissions) happens within
//! one batch. A property test holds the two equal.

use crate::matrix::{self, Endpoint, Entry, Grain, GroupPair, Side};
use crate::{explain, Analysis, World};
use std::collections::{BTreeMap, HashMap};
use tusk_core::Idx;
use tusk_model::k8s::{Pod, Service};

/// One reading's group pairs, indexed for the sources of the batches.
struct Indexed<'w> {
    world: &'w World,
    pairs: Vec<GroupPair>,
    /// Per source side, the indices of its pairs in `pairs`.
    by_src: HashMap<Side, Vec<usize>>,
    /// Per source endpoint, the sides it is a member of.
    src_sides: BTreeMap<Endpoint, Vec<Side>>,
    /// The members of a destination side at the grain, once computed.
    members: HashMap<Side, Vec<Endpoint>>,
}

impl<'w> Indexed<'w> {
    fn new(a: &Analysis, world: &'w World, grain: Grain) -> Indexed<'w> {
        let pairs = matrix::group_pairs(&world.endpoints, &world.results);
        let mut by_src: HashMap<Side, Vec<usize>> = HashMap::new();
        for (i, p) in pairs.iter().enumerate() {
            by_src.entry(p.0).or_default().push(i);
        }
        let mut src_sides: BTreeMap<Endpoint, Vec<Side>> = BTreeMap::new();
        for &side in by_src.keys() {
            for m in matrix::members(a.cluster, &world.endpoints, side, grain) {
                src_sides.entry(m).or_default().push(side);
            }
        }
        Indexed { world, pairs, by_src, src_sides, members: HashMap::new() }
    }

    /// The rows of `src` in this reading, sorted by destination and merged
    /// as [`matrix::union_rows`] merges them.
    fn rows_of(&mut self, a: &Analysis, src: Endpoint, grain: Grain) -> Vec<Entry> {
        let Some(sides) = self.src_sides.get(&src) else { return Vec::new() };
        let mut rows = Vec::new();
        for side in sides {
            for &i in &self.by_src[side] {
                let (_, gd, all, unknown) = &self.pairs[i];
                let ep = &self.world.endpoints;
                let dsts = self.members.entry(*gd).or_insert_with(|| matrix::members(a.cluster, ep, *gd, grain));
                // A pod, workload or namespace talking to itself is not a row.
                for &dst in dsts.iter().filter(|d| **d != src) {
                    rows.push(Entry { src, dst, allowed: all.clone(), unknown: unknown.clone() });
                }
            }
        }
        matrix::union_rows(rows)
    }
}

/// Rows sorted by (source, destination) handed out one source at a time.
struct Cursor {
    rows: Vec<Entry>,
    next: usize,
}

impl Cursor {
    /// The rows whose source is `src` (sources are asked in order).
    fn take(&mut self, src: Endpoint) -> &[Entry] {
        let start = self.next;
        while self.rows.get(self.next).is_some_and(|e| e.src == src) {
            self.next += 1;
        }
        &self.rows[start..self.next]
    }
}

impl Analysis<'_> {
    /// The matrix at `grain`, handed to `batch` one source endpoint at a
    /// time in (source, destination) order, with the Service rows of
    /// [`crate::services::matrix_rows`] when `services` is set (their notes
    /// are returned, as that function returns them). The concatenated
    /// batches equal [`Analysis::matrix`] (plus those rows, sorted), but
    /// never more than one source's rows are held. The first error of
    /// `batch` stops the stream and is returned.
    pub fn stream_matrix<E>(
        &self,
        grain: Grain,
        services: bool,
        batch: &mut dyn FnMut(Vec<Entry>) -> Result<(), E>,
    ) -> Result<Vec<(Idx<Service>, crate::reason::Reason)>, E> {
        let mut worlds: Vec<Indexed> = self.worlds.iter().map(|w| Indexed::new(self, w, grain)).collect();
        // Built-in node admissions (`matrix::node_admissions` on no rows:
        // just its own rows, merged and sorted).
        let inbound = |pod: Idx<Pod>, ip: std::net::IpAddr| {
            let r = self.pair(explain::FlowEnd::Address(ip), explain::FlowEnd::Pod(pod));
            (r.allowed().clone(), r.unknown().clone())
        };
        let admissions = matrix::node_admissions(self.cluster, &self.worlds[0].endpoints, Vec::new(), grain, &inbound);
        let (service_rows, notes) =
            if services { crate::services::matrix_rows(self, grain) } else { (Vec::new(), Vec::new()) };
        let mut sources: Vec<Endpoint> = worlds.iter().flat_map(|w| w.src_sides.keys().copied()).collect();
        sources.extend(admissions.iter().chain(&service_rows).map(|e| e.src));
        sources.sort_unstable();
        sources.dedup();
        let (mut admissions, mut service_rows) =
            (Cursor { rows: admissions, next: 0 }, Cursor { rows: service_rows, next: 0 });
        for src in sources {
            let mut rows = worlds[0].rows_of(self, src, grain);
            for w in &mut worlds[1..] {
                rows = matrix::join_readings(rows, w.rows_of(self, src, grain));
            }
            let extra = admissions.take(src);
            if !extra.is_empty() {
                rows.extend_from_slice(extra);
                rows = matrix::merge_rows(rows);
            }
            let extra = service_rows.take(src);
            if !extra.is_empty() {
                // A Service is a destination of its own: no row to merge.
                rows.extend_from_slice(extra);
                rows.sort_by_key(|e| e.dst);
            }
            if !rows.is_empty() {
                batch(rows)?;
            }
        }
        Ok(notes)
    }
}
