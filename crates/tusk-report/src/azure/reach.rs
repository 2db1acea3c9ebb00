//! `tusk reach`: the verdict of every subnet toward every other subnet.
//!
//! A subnet pair's verdict is a group verdict over the classes of NICs the
//! controls can tell apart in each subnet (`tusk_network::members`):
//! `allowed` / `denied` only when every class pair is, `mixed` when some
//! are allowed and some denied, else `unknown`. A subnet without NICs is
//! represented by its first usable address, which the output names as a
//! sample.

use serde::Serialize;
use std::io;
use tusk_core::GroupKind;
use tusk_network::reach::{Matrix, SubnetPair};
use tusk_network::Prepared;

/// A summary: subnets, ordered pairs, and how many of each verdict; then
/// the subnets that were sampled, and each mixed pair with its breakdown.
pub fn render_txt(p: &Prepared, m: &Matrix) -> String {
    let n = m.subnets().len();
    // The counts (four million pairs in the benchmark estate: one pass over
    // the class matrix), and the mixed pairs for their breakdown.
    let counts = m.tally();
    let mixed_pairs = m.mixed_pairs();
    let count = |k: GroupKind| counts[k as usize];
    let mut out = format!(
        "{n} subnets, {} ordered pairs: {} allowed, {} denied, {} unknown",
        n * n.saturating_sub(1),
        count(GroupKind::Allowed),
        count(GroupKind::Denied),
        count(GroupKind::Unknown)
    );
    let mixed = count(GroupKind::Mixed);
    if mixed > 0 {
        out += &format!(", {mixed} mixed (allowed for some NICs, denied for others)");
    }
    out.push('\n');
    let sampled = sampled(p, m);
    if !sampled.is_empty() {
        out += &format!(
            "sample: {} subnet(s) without NICs stand as their first usable address: {}\n",
            sampled.len(),
            sampled.join(", ")
        );
    }
    for s in mixed_pairs {
        out += &format!("mixed: {} -> {}\n", p.net.subnet_path(s.from), p.net.subnet_path(s.to));
        for (i, j) in s.pairs() {
            let v = m.verdicts[i * m.reps.len() + j];
            out += &format!("  {} -> {}: {v}\n", class_label(p, m, i), class_label(p, m, j));
        }
    }
    out
}

/// The subnets represented by a stand-in address rather than their NICs.
fn sampled(p: &Prepared, m: &Matrix) -> Vec<String> {
    m.reps.iter().filter(|r| r.owner.is_none()).map(|r| p.net.subnet_path(r.subnet)).collect()
}

/// `NIC a (VM x) 10.0.1.4` plus how many more addresses the class holds.
fn class_label(p: &Prepared, m: &Matrix, i: usize) -> String {
    let r = &m.reps[i];
    let first = match r.owner {
        Some(o) => format!("{} {}", super::words::owner(p.net, o), r.ip),
        None => format!("{} (sample of subnet {})", r.ip, p.net.subnet_path(r.subnet)),
    };
    match m.members(i) {
        1 => first,
        k => format!("{first} and {} more treated alike", k - 1),
    }
}

/// The `schema` of the reach document.
pub const SCHEMA: &str = "tusk.reach/v1";

/// The JSON form (`tusk reach -o json`):
///
/// ```json
/// { "schema": "tusk.reach/v1", "allowed": 503100, "denied": 3498900, "unknown": 0, "mixed": 0,
///   "samples": ["hub/AzureFirewallSubnet"],
///   "pairs": [ {"from": "spoke1/snet0", "to": "spoke2/snet3", "verdict": "allowed"},
///              {"from": "spoke1/snet0", "to": "spoke2/app", "verdict": "mixed",
///               "members": [ {"from": "NIC a 10.1.0.4", "to": "NIC b 10.2.0.4", "verdict": "allowed"},
///                            {"from": "NIC a 10.1.0.4", "to": "NIC c 10.2.0.5", "verdict": "denied"} ] } ] }
/// ```
///
/// `pairs` lists every ordered pair of distinct subnets (`VNET/SUBNET`);
/// `verdict` is `allowed` / `denied` (for every NIC pair), `mixed` or
/// `unknown` (run `tusk trace` on a pair for why). `members` appears when a
/// subnet holds NICs that the controls treat differently: one entry per
/// class pair, each class named by its lowest address (and how many more
/// it stands for). `samples` names the subnets without NICs, each
/// represented by its first usable address. Streamed: the pairs (millions
/// in a large estate) are never held as JSON.
pub fn write_json(w: &mut dyn io::Write, p: &Prepared, m: &Matrix) -> io::Result<()> {
    let counts = m.tally();
    let count = |k: GroupKind| counts[k as usize];
    let doc = ReachJson {
        schema: SCHEMA,
        allowed: count(GroupKind::Allowed),
        denied: count(GroupKind::Denied),
        unknown: count(GroupKind::Unknown),
        mixed: count(GroupKind::Mixed),
        samples: sampled(p, m),
        pairs: PairsJson { p, m },
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReachJson<'a> {
    schema: &'static str,
    allowed: usize,
    denied: usize,
    unknown: usize,
    mixed: usize,
    samples: Vec<String>,
    pairs: PairsJson<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PairJson {
    from: String,
    to: String,
    verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    members: Option<Vec<MemberJson>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MemberJson {
    from: String,
    to: String,
    verdict: &'static str,
}

/// Every ordered pair of distinct subnets, serialized as it is iterated.
struct PairsJson<'a> {
    p: &'a Prepared<'a>,
    m: &'a Matrix,
}

impl Serialize for PairsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (p, m) = (self.p, self.m);
        let n = m.reps.len();
        s.collect_seq(m.subnet_pairs().map(|sp: SubnetPair| PairJson {
            from: p.net.subnet_path(sp.from),
            to: p.net.subnet_path(sp.to),
            verdict: sp.verdict.name(),
            members: sp.is_group().then(|| {
                sp.pairs()
                    .map(|(i, j)| MemberJson {
                        from: class_label(p, m, i),
                        to: class_label(p, m, j),
                        verdict: m.verdicts[i * n + j].name(),
                    })
                    .collect()
            }),
        }))
    }
}
