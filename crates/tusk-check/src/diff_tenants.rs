//! `tusk diff --grain tenant`: the semantic diff across both layers. In
//! each version, every ordered pair of tenants (namespaces by the tenant
//! label, as `tusk matrix --grain tenant` and `tenant:NAME` intents group
//! them) is traced for each actor, member pair by member pair, with
//! tusk-path's join (`crate::joined::tenant_end`, `tusk_path::join::trace`);
//! the member pairs are keyed by stable names (source and destination pod
//! or node, and the nodes they run on), never indices, and compared. A row
//! is one tenant pair, actor and kind of change, with how many member pairs
//! moved and one of them, kept whole in both versions so the report can
//! cite the rule that decided each side.
//!
//! A member pair is *newly allowed* when the head allows it and the base
//! did not (denied, unknown, or the pair did not exist), *newly denied*
//! when the head denies it and the base allowed it or could not decide,
//! *newly unknown* when the head cannot decide it and the base could.

use crate::diff::Change;
use crate::intent::{Aks, JoinedWitness};
use std::collections::BTreeMap;
use tusk_core::{Kind, Protocol};
use tusk_path::join::{self, Actor, Ask, PairEnd, Path};
use tusk_policy::Semantics;

/// One version of the estate, wired for the join, and how to read its policies.
#[derive(Clone, Copy)]
pub struct Version<'a> {
    /// The estate, its wiring, its Azure engine and the tenant label.
    pub aks: Aks<'a>,
    /// The policy semantics of this version.
    pub semantics: Semantics,
}

/// One tenant pair, actor and kind of change.
#[derive(Debug, Clone)]
pub struct TenantChange {
    /// The source tenant, as `tenant:NAME`.
    pub from: String,
    /// The destination tenant, as `tenant:NAME`.
    pub to: String,
    /// Who sends.
    pub actor: Actor,
    /// What moved.
    pub change: Change,
    /// Member pairs that moved this way, and member pairs of the tenant
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

/// Every (from tenant, to tenant, actor) → its member pairs, keyed.
type Cells = BTreeMap<(String, String, u8), (BTreeMap<Key, Path>, usize)>;

fn cells(v: &Version, actors: &[Actor], proto: Protocol, port: u16) -> Result<Cells, String> {
    let names = crate::joined::tenant_names(&v.aks);
    if names.len() < 2 {
        return Err(format!(
            "fewer than two tenants: no two namespaces carry different values of the label `{}`",
            v.aks.tenant_label
        ));
    }
    let ends = names.iter().map(|n| crate::joined::tenant_end(&v.aks, n)).collect::<Result<Vec<_>, _>>()?;
    let mut out = Cells::new();
    for (i, a) in ends.iter().enumerate() {
        for (j, b) in ends.iter().enumerate() {
            if i == j {
                continue;
            }
            if a.members.len() * b.members.len() > join::MAX_PAIRS {
                return Err(format!("{} → {} stands for more than {} pairs", a.name, b.name, join::MAX_PAIRS));
            }
            for &actor in actors {
                let ask = Ask { sem: &v.semantics, actor, proto, port: Some(port), http: None };
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

/// The tenant pairs whose member pairs changed verdict from `base` to
/// `head`, for each actor, on one protocol and port. `Err` when a version
/// has fewer than two tenants or a tenant pair stands for more member
/// pairs than the join traces.
pub fn diff_tenants(
    base: &Version,
    head: &Version,
    actors: &[Actor],
    proto: Protocol,
    port: u16,
) -> Result<Vec<TenantChange>, String> {
    let (b, h) = (cells(base, actors, proto, port)?, cells(head, actors, proto, port)?);
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
