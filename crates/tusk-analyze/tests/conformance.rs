//! Runs every netpol-analyzer conformance case and compares tusk's
//! workload connectivity with `expected_connlist.txt` as sets: each pair's
//! TCP/UDP/SCTP port sets must be equal, and each workload's connectivity to
//! and from outside addresses must be equal address by address (the two
//! tools may cut address ranges differently).
//!
//! netpol-analyzer never matches an ipBlock against a pod, so the cases run
//! under that reading (`ipblock_selects_pods = false`, Cilium's); cases
//! where tusk's answer differs on purpose are listed in DIVERGENT with the
//! specification clause.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tusk_analyze::k8s::matrix::{Endpoint, Grain};
use tusk_analyze::k8s::{Analysis, PolicyEngine, Semantics};
use tusk_core::ip::{ip_to_u128, u128_to_ip};
use tusk_core::{ConnSet, PortSet, Protocol};

/// Cases whose expected output tusk deliberately does not reproduce.
const DIVERGENT: &[(&str, &str)] = &[];

type Ports = [PortSet; 3];
/// Outside-address connectivity as (first, last, ports) pieces.
type Piecewise = Vec<(u128, u128, Ports)>;

fn ports_of(c: &ConnSet) -> Ports {
    [Protocol::Tcp, Protocol::Udp, Protocol::Sctp].map(|p| c.ports(p).cloned().unwrap_or_default())
}

fn parse_conns(s: &str) -> Ports {
    if s.trim() == "All Connections" {
        return [PortSet::all_ports(), PortSet::all_ports(), PortSet::all_ports()];
    }
    let mut out: Ports = Default::default();
    let mut cur = 0;
    for tok in s.split(',') {
        let tok = tok.trim();
        let num = match tok.split_once(' ') {
            Some((proto, rest)) => {
                cur = match proto {
                    "TCP" => 0,
                    "UDP" => 1,
                    "SCTP" => 2,
                    other => panic!("unknown protocol {other} in `{s}`"),
                };
                rest
            }
            None => tok,
        };
        let (lo, hi) = match num.split_once('-') {
            Some((a, b)) => (a.parse().unwrap(), b.parse().unwrap()),
            None => (num.parse().unwrap(), num.parse().unwrap()),
        };
        out[cur] = out[cur].union(&PortSet::range(lo, hi));
    }
    out
}

#[derive(Default, Debug)]
struct Connectivity {
    /// (src workload, dst workload) → ports.
    pairs: BTreeMap<(String, String), Ports>,
    /// (workload, "from"/"to") → list of (lo, hi, ports) of outside addresses.
    external: BTreeMap<(String, &'static str), Piecewise>,
}

fn parse_range(s: &str) -> Option<(u128, u128)> {
    let (a, b) = s.split_once('-')?;
    Some((ip_to_u128(a.parse().ok()?), ip_to_u128(b.parse().ok()?)))
}

fn expected(case: &Path) -> Connectivity {
    let mut c = Connectivity::default();
    let text = std::fs::read_to_string(case.join("expected_connlist.txt")).unwrap();
    for line in text.lines().filter(|l| l.contains("=>")) {
        let (peers, conns) = line.split_once(" : ").unwrap();
        let (src, dst) = peers.split_once(" => ").unwrap();
        let ports = parse_conns(conns);
        if src.contains("{ingress-controller}") || dst.contains("{ingress-controller}") {
            continue;
        }
        match (src.strip_suffix("[External]"), dst.strip_suffix("[External]")) {
            (Some(r), None) => {
                let (lo, hi) = parse_range(r).unwrap_or_else(|| panic!("range {r}"));
                c.external.entry((dst.to_string(), "from")).or_default().push((lo, hi, ports));
            }
            (None, Some(r)) => {
                let (lo, hi) = parse_range(r).unwrap_or_else(|| panic!("range {r}"));
                c.external.entry((src.to_string(), "to")).or_default().push((lo, hi, ports));
            }
            _ => {
                c.pairs.insert((src.to_string(), dst.to_string()), ports);
            }
        }
    }
    c
}

fn name(e: &Endpoint) -> String {
    match e {
        Endpoint::Workload { namespace, name, kind } => format!("{namespace}/{name}[{kind}]"),
        other => format!("{other:?}"),
    }
}

fn actual(case: &Path) -> Result<Connectivity, String> {
    let loaded = tusk_load::load_paths(&[case.join("input")]).map_err(|e| e.to_string())?;
    let sem = Semantics { ipblock_selects_pods: false, ..Semantics::of(PolicyEngine::Upstream) };
    let analysis = Analysis::new(&loaded.estate.k8s, sem);
    let mut c = Connectivity::default();
    for e in analysis.matrix(Grain::Workload) {
        assert!(e.unknown.is_empty(), "unknown verdict under definite semantics: {e:?}");
        let ports = ports_of(&e.allowed);
        if ports.iter().all(|p| p.is_empty()) {
            continue;
        }
        match (&e.src, &e.dst) {
            (Endpoint::External(r), d) => {
                if r.lo >> 32 == 0xffff {
                    c.external.entry((name(d), "from")).or_default().push((r.lo, r.hi, ports));
                }
            }
            (s, Endpoint::External(r)) => {
                if r.lo >> 32 == 0xffff {
                    c.external.entry((name(s), "to")).or_default().push((r.lo, r.hi, ports));
                }
            }
            (s, d) => {
                c.pairs.insert((name(s), name(d)), ports);
            }
        }
    }
    Ok(c)
}

/// The ports at address `v` in a piecewise list.
fn at(list: &[(u128, u128, Ports)], v: u128) -> Ports {
    list.iter()
        .filter(|(lo, hi, _)| *lo <= v && v <= *hi)
        .fold(Ports::default(), |a, (_, _, p)| [a[0].union(&p[0]), a[1].union(&p[1]), a[2].union(&p[2])])
}

fn show(p: &Ports) -> String {
    format!("TCP {:?} UDP {:?} SCTP {:?}", p[0], p[1], p[2])
}

fn compare(exp: &Connectivity, act: &Connectivity) -> Vec<String> {
    let mut diffs = Vec::new();
    let keys: BTreeSet<_> = exp.pairs.keys().chain(act.pairs.keys()).collect();
    for k in keys {
        let (e, a) = (exp.pairs.get(k).cloned().unwrap_or_default(), act.pairs.get(k).cloned().unwrap_or_default());
        if e != a {
            diffs.push(format!("{} => {}: expected {}, tusk {}", k.0, k.1, show(&e), show(&a)));
        }
    }
    let keys: BTreeSet<_> = exp.external.keys().chain(act.external.keys()).collect();
    let empty = Vec::new();
    for k in keys {
        let (e, a) = (exp.external.get(k).unwrap_or(&empty), act.external.get(k).unwrap_or(&empty));
        let mut cuts: BTreeSet<u128> = BTreeSet::new();
        for (lo, hi, _) in e.iter().chain(a) {
            cuts.insert(*lo);
            cuts.insert(hi + 1);
        }
        for v in cuts {
            if v >> 32 != 0xffff {
                continue;
            }
            let (pe, pa) = (at(e, v), at(a, v));
            if pe != pa {
                diffs.push(format!("{} {} {}: expected {}, tusk {}", k.0, k.1, u128_to_ip(v), show(&pe), show(&pa)));
            }
        }
    }
    diffs
}

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/netpol-analyzer/cases");
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("shared/conformance present").map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

#[test]
fn netpol_analyzer_cases_agree() {
    let mut failed = Vec::new();
    let mut passed = 0;
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let diffs = match actual(&case) {
            Ok(act) => compare(&expected(&case), &act),
            Err(e) => vec![format!("load error: {e}")],
        };
        let divergent = DIVERGENT.iter().any(|(c, _)| *c == name);
        match (diffs.is_empty(), divergent) {
            (true, false) => passed += 1,
            (true, true) => {
                failed.push(format!("{name}: listed as divergent but now agrees; remove it from DIVERGENT"))
            }
            (false, true) => {}
            (false, false) => failed.push(format!(
                "{name}: {} differences, first:\n    {}",
                diffs.len(),
                diffs.iter().take(4).cloned().collect::<Vec<_>>().join("\n    ")
            )),
        }
    }
    assert!(failed.is_empty(), "{passed} cases agree; {} do not:\n{}", failed.len(), failed.join("\n"));
}
