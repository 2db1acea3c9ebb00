//! `--proto any` across the cluster: the joined path once per protocol
//! (TCP, UDP, ICMP, as `tusk trace` asks the Azure layer), and the verdict
//! of "some protocol gets through": a pair is allowed when one protocol's
//! path is, denied when every protocol's is, unknown otherwise; the group
//! verdict is taken over those pairs. The Azure layer's counterpart is
//! `tusk_network::any_protocol`.

use crate::join::{GroupPath, Path, ServiceError};
use tusk_core::{GroupKind, Kind, Protocol};

/// Each protocol's group path, and the verdict over "some protocol".
pub struct AnyPath {
    /// (protocol, its group path), in the order asked; a protocol the
    /// destination cannot take (a Service without a port of it) is absent
    /// and listed in `skipped` with the reason.
    pub per: Vec<(Protocol, GroupPath)>,
    /// (protocol, why the destination does not take it).
    pub skipped: Vec<(Protocol, ServiceError)>,
    /// The group verdict over pairs, each allowed when some protocol is.
    pub verdict: GroupKind,
}

/// A pair's identity across protocols: (from, to, source node, destination
/// node); the ends in their debug form, stable within one run's traces.
type PairKey = (String, String, Option<String>, Option<String>);

fn key(x: &Path) -> PairKey {
    (format!("{:?}", x.from), format!("{:?}", x.to), x.src_node.clone(), x.dst_node.clone())
}

/// Some protocol of `kinds` gets through: allowed if one is, denied if all
/// are denied, unknown otherwise (an unknown may hide an allowed one).
pub fn some(kinds: impl IntoIterator<Item = Kind>) -> Kind {
    let kinds: Vec<Kind> = kinds.into_iter().collect();
    if kinds.contains(&Kind::Allowed) {
        Kind::Allowed
    } else if kinds.iter().all(|k| *k == Kind::Denied) {
        Kind::Denied
    } else {
        Kind::Unknown
    }
}

/// Combines the per-protocol group paths (a skipped protocol adds no
/// pair: the destination does not take it, so it allows nothing).
pub fn combine(per: Vec<(Protocol, GroupPath)>, skipped: Vec<(Protocol, ServiceError)>) -> AnyPath {
    let mut pairs: Vec<(PairKey, Vec<Kind>)> = Vec::new();
    for (_, g) in &per {
        for x in &g.pairs {
            let k = key(x);
            match pairs.iter_mut().find(|(p, _)| *p == k) {
                Some((_, v)) => v.push(x.verdict),
                None => pairs.push((k, vec![x.verdict])),
            }
        }
    }
    let verdict = GroupKind::of_kinds(pairs.into_iter().map(|(_, v)| some(v)));
    AnyPath { per, skipped, verdict }
}
