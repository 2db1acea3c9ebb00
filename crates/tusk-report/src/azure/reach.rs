//! `tusk reach`: the verdict of every subnet toward every other subnet.

use serde::Serialize;
use std::io;
use tusk_network::reach::Matrix;
use tusk_network::{Kind, Prepared};

/// A one-line summary: subnets, ordered pairs, and how many of each verdict.
pub fn render_txt(m: &Matrix) -> String {
    let n = m.reps.len();
    format!(
        "{n} subnets, {} ordered pairs: {} allowed, {} denied, {} unknown\n",
        n * n.saturating_sub(1),
        m.count(Kind::Allowed),
        m.count(Kind::Denied),
        m.count(Kind::Unknown)
    )
}

/// The `schema` of the reach document.
pub const SCHEMA: &str = "tusk.reach/v1";

/// The JSON form (`tusk reach -o json`):
///
/// ```json
/// { "schema": "tusk.reach/v1", "allowed": 503100, "denied": 3498900, "unknown": 0,
///   "pairs": [ {"from": "spoke1/snet0", "to": "spoke2/snet3", "verdict": "allowed"} ] }
/// ```
///
/// `pairs` lists every ordered pair of distinct subnets (`VNET/SUBNET`),
/// each subnet represented by its first NIC or first usable host; `verdict`
/// is `allowed`, `denied` or `unknown` (run `tusk trace` on a pair for why).
/// Streamed: the pairs (millions in a large estate) are never held as JSON.
pub fn write_json(w: &mut dyn io::Write, p: &Prepared, m: &Matrix) -> io::Result<()> {
    let n = m.reps.len();
    let paths: Vec<String> = m.reps.iter().map(|r| p.net.subnet_path(r.subnet)).collect();
    let pairs = PairsJson { m, paths: &paths, n };
    let doc = ReachJson {
        schema: SCHEMA,
        allowed: m.count(Kind::Allowed),
        denied: m.count(Kind::Denied),
        unknown: m.count(Kind::Unknown),
        pairs,
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}

#[derive(Serialize)]
struct ReachJson<'a> {
    schema: &'static str,
    allowed: usize,
    denied: usize,
    unknown: usize,
    pairs: PairsJson<'a>,
}

#[derive(Serialize)]
struct PairJson<'a> {
    from: &'a str,
    to: &'a str,
    verdict: &'static str,
}

/// Every ordered pair of distinct subnets, serialized as it is iterated.
struct PairsJson<'a> {
    m: &'a Matrix,
    paths: &'a [String],
    n: usize,
}

impl Serialize for PairsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.n;
        s.collect_seq((0..n * n).filter(|k| k / n != k % n).map(|k| PairJson {
            from: &self.paths[k / n],
            to: &self.paths[k % n],
            verdict: self.m.verdicts[k].name(),
        }))
    }
}
