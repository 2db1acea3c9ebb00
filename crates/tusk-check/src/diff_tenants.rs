//! `tusk diff --grain tenant` (and `--grain namespace|workload` with a
//! cluster and `--port`): the semantic diff across both layers. In each
//! version, every ordered pair of units — tenants (namespaces by the tenant
//! label, as `tusk matrix --grain tenant` and `tenant:NAME` intents group
//! them), namespaces or workloads ([`ends`]) — stands for its member pairs (`crate::joined::tenant_end`: each pod
//! on each node it can run on, or, for the node actor, each node hosting
//! them), keyed by stable names (source and destination pod or node, and
//! the nodes they run on), never indices. [`diff_tenants`] reads each
//! member pair's verdict from the class-based matrix of its version
//! (`tusk_path::matrix::PairVerdicts`: one trace per combination of context
//! classes, a hash probe per member pair), so the cost is one trace per
//! class combination plus a lookup per member pair, not a trace per pair.
//! A row is one unit pair, actor and kind of change, with how many
//! member pairs moved and one of them (the first by key), traced whole in
//! both versions so the report can cite the rule that decided each side.
//! [`diff_tenants_per_pair`] traces every member pair instead; it is kept
//! as the tests' oracle.
//!
//! A member pair is *newly allowed* when the head allows it and the base
//! did not (denied, unknown, or the pair did not exist), *newly denied*
//! when the head denies it and the base allowed it or could not decide,
//! *newly unknown* when the head cannot decide it and the base could.

use crate::diff::Change;
use crate::errors::DiffError;
use crate::intent::{Aks, JoinedWitness};
use std::collections::BTreeMap;
use tusk_core::{Kind, Protocol};
use tusk_path::join::{self, Actor, Ask, End, Member, PairEnd, Path};
use tusk_path::matrix::{Grain, PairVerdicts};
use tusk_policy::Semantics;

/// One version of the estate, wired for the join, and how to read its policies.
#[derive(Clone, Copy)]
pub struct Version<'a> {
    /// The estate, its wiring, its Azure engine and the tenant label.
    pub aks: Aks<'a>,
    /// The policy semantics of this version.
    pub semantics: Semantics,
}

/// One unit pair (tenants, namespaces or workloads), actor and kind of change.
#[derive(Debug, Clone)]
pub struct TenantChange {
    /// The source unit: `tenant:NAME`, `NS` or `NS/NAME` by grain.
    pub from: String,
    /// The destination unit, as `from`.
    pub to: String,
    /// Who sends.
    pub actor: Actor,
    /// What moved.
    pub change: Change,
    /// Member pairs that moved this way, and member pairs of the unit
    /// pair in the head.
    pub moved: usize,
    /// See `moved`.
    pub of: usize,
    /// One member pair that moved: its path in the head.
    pub head: JoinedWitness,
    /// The same member pair in the base, when it exists there.
    pub base: Option<JoinedWitness>,
}

/// A member pair's stable key: source, destination and their nodes.
type Key = (String, String, Option<String>, Option<String>);

fn key(p: &Path) -> Key {
    (end_key(&p.from), end_key(&p.to), p.src_node.clone(), p.dst_node.clone())
}

/// A pair end by name, the same in both versions. A tenant's members are
/// pods and nodes; an Azure end (never a tenant member) falls back to its
/// debug form, which holds indices and so is only stable within a version.
fn end_key(e: &PairEnd) -> String {
    match e {
        PairEnd::Pod { namespace, name } => format!("pod {namespace}/{name}"),
        PairEnd::Node(name) => format!("node {name}"),
        PairEnd::Azure(a) => format!("{a:?}"),
        PairEnd::Given(name) => name.clone(),
    }
}

/// Every (from unit, to unit, actor) → its member pairs, keyed.
type Cells = BTreeMap<(String, String, u8), (BTreeMap<Key, Path>, usize)>;

/// The units of `grain` in one version, by name, each with its members.
/// Tenants are `tenant:NAME` ends (`crate::joined::tenant_end`: `Err` when
/// one has no schedulable pod); namespaces and workloads are
/// `tusk_path::matrix::units` (named `NS` and `NS/NAME`), each pod on every
/// node it can run on, replicas collapsed (`join::pod_members`). `Err` when
/// there are fewer than two units.
fn ends(v: &Version, grain: Grain) -> Result<BTreeMap<String, End>, DiffError> {
    let mut out = BTreeMap::new();
    if grain == Grain::Tenant {
        let names = crate::joined::tenant_names(&v.aks);
        if names.len() < 2 {
            return Err(DiffError::FewerThanTwoTenants { label: v.aks.tenant_label.to_string() });
        }
        for n in names {
            let e = crate::joined::tenant_end(&v.aks, &n)?;
            out.insert(e.name.clone(), e);
        }
        return Ok(out);
    }
    for u in tusk_path::matrix::units(v.aks.estate, v.aks.wiring, grain, v.aks.tenant_label)? {
        let (members, collapsed) = join::pod_members(v.aks.estate, v.aks.wiring, u.pods);
        out.insert(u.name.clone(), End { name: u.name, members, collapsed, ..Default::default() });
    }
    Ok(out)
}

fn cells(v: &Version, grain: Grain, actors: &[Actor], proto: Protocol, port: u16) -> Result<Cells, DiffError> {
    let ends: Vec<End> = ends(v, grain)?.into_values().collect();
    let mut out = Cells::new();
    for (i, a) in ends.iter().enumerate() {
        for (j, b) in ends.iter().enumerate() {
            if i == j {
                continue;
            }
            if a.members.len() * b.members.len() > join::MAX_PAIRS {
                return Err(DiffError::TooManyPairs { from: a.name.clone(), to: b.name.clone() });
            }
            for &actor in actors {
                let ask = Ask { sem: &v.semantics, actor, proto, port: Some(port), http: None, fqdn: None };
                let g = join::trace(v.aks.estate, v.aks.wiring, v.aks.prepared, a, b, ask);
                let pairs: BTreeMap<Key, Path> =
                    g.pairs.into_iter().filter(|p| p.from != p.to).map(|p| (key(&p), p)).collect();
                out.insert((a.name.clone(), b.name.clone(), actor as u8), (pairs, g.collapsed));
            }
        }
    }
    Ok(out)
}

fn moved(base: Option<Kind>, head: Kind) -> Option<Change> {
    match (base, head) {
        (Some(b), h) if b == h => None,
        (_, Kind::Allowed) => Some(Change::NewlyAllowed),
        (Some(_), Kind::Denied) => Some(Change::NewlyDenied),
        (_, Kind::Unknown) => Some(Change::NewlyUnknown),
        (None, Kind::Denied) => None,
    }
}

fn witness(from: &str, to: &str, actor: Actor, collapsed: usize, p: &Path) -> JoinedWitness {
    JoinedWitness { from: from.to_string(), to: to.to_string(), actor, samples: Vec::new(), collapsed, path: p.clone() }
}

/// The same answer as [`diff_tenants`], by tracing every member pair of
/// every unit pair in both versions (`tusk_path::join::trace`): the
/// tests' oracle. `Err` as [`diff_tenants`], and when a unit pair stands
/// for more than `join::MAX_PAIRS` member pairs.
pub fn diff_tenants_per_pair(
    base: &Version,
    head: &Version,
    grain: Grain,
    actors: &[Actor],
    proto: Protocol,
    port: u16,
) -> Result<Vec<TenantChange>, DiffError> {
    let (b, h) = (cells(base, grain, actors, proto, port)?, cells(head, grain, actors, proto, port)?);
    let mut out = Vec::new();
    for ((from, to, actor_id), (pairs, collapsed)) in &h {
        let actor = if *actor_id == Actor::Pod as u8 { Actor::Pod } else { Actor::Node };
        let before = b.get(&(from.clone(), to.clone(), *actor_id));
        let mut rows: BTreeMap<Change, (usize, &Path)> = BTreeMap::new();
        for (k, p) in pairs {
            let was = before.and_then(|(bp, _)| bp.get(k)).map(|x| x.verdict);
            if let Some(change) = moved(was, p.verdict) {
                rows.entry(change).or_insert((0, p)).0 += 1;
            }
        }
        for (change, (n, p)) in rows {
            let base_path = before.and_then(|(bp, bc)| bp.get(&key(p)).map(|x| witness(from, to, actor, *bc, x)));
            out.push(TenantChange {
                from: from.clone(),
                to: to.clone(),
                actor,
                change,
                moved: n,
                of: pairs.len(),
                head: witness(from, to, actor, *collapsed, p),
                base: base_path,
            });
        }
    }
    Ok(out)
}

/// A member's stable name in a pair key: `pod NS/NAME` or `node NAME`,
/// and the node it stands on.
type MemberKey = (String, Option<String>);

fn member_key(v: &Version, m: &Member) -> MemberKey {
    let w = v.aks.wiring;
    match m {
        Member::Pod { pod, node, replica } => {
            let p = &v.aks.estate.k8s.pods[*pod];
            (format!("pod {}/{}", p.namespace, p.replica_name(*replica)), Some(w.fleet.nodes[*node].name.clone()))
        }
        Member::Node(n) => (format!("node {}", w.fleet.nodes[*n].name), Some(w.fleet.nodes[*n].name.clone())),
        Member::Azure(a) => (format!("{a:?}"), None),
    }
}

/// One version's unit ends, their members' keys, and its class-based
/// verdicts.
struct Side<'a> {
    v: &'a Version<'a>,
    ends: BTreeMap<String, End>,
    pv: PairVerdicts<'a>,
}

impl<'a> Side<'a> {
    fn new(v: &'a Version<'a>, grain: Grain, proto: Protocol, port: u16) -> Result<Self, DiffError> {
        let ends = ends(v, grain)?;
        let ask = Ask { sem: &v.semantics, actor: Actor::Pod, proto, port: Some(port), http: None, fqdn: None };
        Ok(Side { v, ends, pv: PairVerdicts::new(v.aks.estate, v.aks.wiring, v.aks.prepared, ask) })
    }

    /// A unit's sending members for `actor` (a node once however many of
    /// the unit's pods it hosts, as the join dedups them), with keys.
    fn sources(&self, end: &End, actor: Actor) -> Vec<(Member, MemberKey)> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for m in &end.members {
            let m = match (actor, m) {
                (Actor::Node, Member::Pod { node, .. }) => Member::Node(*node),
                _ => m.clone(),
            };
            let k = member_key(self.v, &m);
            if seen.insert(k.clone()) {
                out.push((m, k));
            }
        }
        out
    }

    fn witness(&self, from: &End, to: &End, actor: Actor, a: &Member, b: &Member) -> Option<JoinedWitness> {
        let p = self.pv.trace(actor, a, b)?;
        Some(witness(&from.name, &to.name, actor, from.collapsed + to.collapsed, &p))
    }
}

/// The unit pairs of `grain` (tenant, namespace, workload or pod) whose
/// member pairs changed verdict from `base` to `head`, for each actor, on
/// one protocol and port, from each version's class-based verdicts (see
/// the module doc). `Err` when a version has fewer than two units or a
/// tenant has no schedulable pod.
pub fn diff_tenants(
    base: &Version,
    head: &Version,
    grain: Grain,
    actors: &[Actor],
    proto: Protocol,
    port: u16,
) -> Result<Vec<TenantChange>, DiffError> {
    let mut b = Side::new(base, grain, proto, port)?;
    let mut h = Side::new(head, grain, proto, port)?;
    // Rows in the per-pair diff's order: unit pair, then actor (pod first).
    let mut actors = actors.to_vec();
    actors.sort_by_key(|a| *a as u8);
    actors.dedup();
    let mut out = Vec::new();
    let names: Vec<String> = h.ends.keys().cloned().collect();
    for from in &names {
        for to in &names {
            if from == to {
                continue;
            }
            for &actor in &actors {
                out.extend(cell(&mut b, &mut h, from, to, actor));
            }
        }
    }
    Ok(out)
}

/// One head cell (`from` → `to`, `actor`) compared member pair by member
/// pair with the base's cell of the same unit names.
fn cell(b: &mut Side, h: &mut Side, from: &str, to: &str, actor: Actor) -> Vec<TenantChange> {
    let (hf, ht) = (&h.ends[from], &h.ends[to]);
    let srcs = h.sources(hf, actor);
    let dsts: Vec<(Member, MemberKey)> = ht.members.iter().map(|m| (m.clone(), member_key(h.v, m))).collect();
    // Each head member's counterpart in the base's unit of the same name.
    let (bf, bt) = (b.ends.get(from), b.ends.get(to));
    let index = |side: Vec<(Member, MemberKey)>| -> std::collections::HashMap<MemberKey, Member> {
        side.into_iter().map(|(m, k)| (k, m)).collect()
    };
    let bsrc = bf.map(|e| index(b.sources(e, actor))).unwrap_or_default();
    let bdst =
        bt.map(|e| index(e.members.iter().map(|m| (m.clone(), member_key(b.v, m))).collect())).unwrap_or_default();
    let was_s: Vec<Option<&Member>> = srcs.iter().map(|(_, k)| bsrc.get(k)).collect();
    let was_d: Vec<Option<&Member>> = dsts.iter().map(|(_, k)| bdst.get(k)).collect();
    // Per change: how many moved, and the smallest pair key (the per-pair
    // diff's order) with its indices.
    let mut rows: BTreeMap<Change, (usize, (usize, usize))> = BTreeMap::new();
    let mut of = 0;
    for (i, (a, ka)) in srcs.iter().enumerate() {
        for (j, (d, kd)) in dsts.iter().enumerate() {
            if ka.0 == kd.0 {
                continue;
            }
            let Some(now) = h.pv.verdict(actor, a, d) else { continue };
            of += 1;
            let before = match (was_s[i], was_d[j]) {
                (Some(x), Some(y)) => b.pv.verdict(actor, x, y),
                _ => None,
            };
            let Some(change) = moved(before, now) else { continue };
            let r = rows.entry(change).or_insert((0, (i, j)));
            r.0 += 1;
            let (bi, bj) = r.1;
            let order = |i: usize, j: usize| (&srcs[i].1 .0, &dsts[j].1 .0, &srcs[i].1 .1, &dsts[j].1 .1);
            if order(i, j) < order(bi, bj) {
                r.1 = (i, j);
            }
        }
    }
    let mut out = Vec::new();
    for (change, (n, (i, j))) in rows {
        let Some(head) = h.witness(hf, ht, actor, &srcs[i].0, &dsts[j].0) else { continue };
        let base = match (bf, bt, was_s[i], was_d[j]) {
            (Some(bf), Some(bt), Some(x), Some(y)) => b.witness(bf, bt, actor, x, y),
            _ => None,
        };
        out.push(TenantChange { from: from.to_string(), to: to.to_string(), actor, change, moved: n, of, head, base });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{moved, Change};
    use tusk_core::Kind::*;

    #[test]
    fn a_member_pair_moves_by_its_head_verdict_and_a_new_denied_pair_is_no_change() {
        assert_eq!(moved(Some(Denied), Allowed), Some(Change::NewlyAllowed));
        assert_eq!(moved(Some(Unknown), Allowed), Some(Change::NewlyAllowed));
        assert_eq!(moved(None, Allowed), Some(Change::NewlyAllowed), "a new pod reachable is news");
        assert_eq!(moved(Some(Allowed), Denied), Some(Change::NewlyDenied));
        assert_eq!(moved(Some(Unknown), Denied), Some(Change::NewlyDenied));
        assert_eq!(moved(Some(Allowed), Unknown), Some(Change::NewlyUnknown));
        assert_eq!(moved(None, Denied), None, "a new pod refused changes nothing that was allowed");
        assert_eq!(moved(Some(Allowed), Allowed), None);
    }
}
