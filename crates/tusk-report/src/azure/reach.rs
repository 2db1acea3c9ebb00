//! `tusk reach`: the verdict of every subnet toward every other subnet.

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

/// The JSON form (`tusk reach --format json`):
///
/// ```json
/// { "allowed": 503100, "denied": 3498900, "unknown": 0,
///   "pairs": [ {"from": "spoke1/snet0", "to": "spoke2/snet3", "verdict": "allowed"} ] }
/// ```
///
/// `pairs` lists every ordered pair of distinct subnets (`VNET/SUBNET`),
/// each subnet represented by its first NIC or first usable host; `verdict`
/// is `allowed`, `denied` or `unknown` (run `tusk trace` on a pair for why).
pub fn render_json(p: &Prepared, m: &Matrix) -> String {
    use serde_json::json;
    let n = m.reps.len();
    let pairs: Vec<serde_json::Value> = (0..n * n)
        .filter(|k| k / n != k % n)
        .map(|k| {
            json!({
                "from": p.net.subnet_path(m.reps[k / n].subnet),
                "to": p.net.subnet_path(m.reps[k % n].subnet),
                "verdict": m.verdicts[k].name(),
            })
        })
        .collect();
    let doc = json!({
        "allowed": m.count(Kind::Allowed),
        "denied": m.count(Kind::Denied),
        "unknown": m.count(Kind::Unknown),
        "pairs": pairs,
    });
    serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"
}
