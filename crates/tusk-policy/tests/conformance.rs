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
//!
//! tusk's own cases live in `tests/k8s/<case>/` at the repository root, in
//! the same shape (`input/`, `expected_connlist.txt`), plus an optional
//! `semantics` file naming the policy engine (`upstream` when absent) and
//! expected lines ending in ` [unknown]` for connections whose verdict
//! depends on inputs the case lacks, and an optional `pod_cidrs` file (where
//! pod IPs lie, as `--pod-cidr`). Adding a case needs no Rust.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tusk_core::ip::{ip_to_u128, u128_to_ip};
use tusk_core::{ConnSet, PortSet, Protocol};
use tusk_policy::matrix::{Endpoint, Grain};
use tusk_policy::{Analysis, HostNetwork, PolicyEngine, Semantics};

/// Cases whose expected output tusk deliberately does not reproduce.
const DIVERGENT: &[(&str, &str)] = &[(
    "anp_banp_test_multiple_warnings",
    "its BANP allows egress to `nodes` (worker-group=infra) before denying the Internet; the case has no Node \
     objects, so whether an outside address is such a node's is unknown (network-policy-api: the `nodes` peer \
     selects nodes by label, their addresses come from the Node objects). netpol-analyzer ignores `nodes` peers \
     and reports those addresses denied; tusk reports them unknown. Every other row agrees.",
)];

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
    /// (src, dst) → ports allowed under some readings of unknown inputs.
    unknown: BTreeMap<(String, String), Ports>,
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
        if let Some(conns) = conns.strip_suffix(" [unknown]") {
            let (src, dst) = peers.split_once(" => ").unwrap();
            c.unknown.insert((src.to_string(), dst.to_string()), parse_conns(conns));
            continue;
        }
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

fn actual(case: &Path, sem: Semantics) -> Result<Connectivity, String> {
    let mut loaded = tusk_load::load_paths(&[case.join("input")]).map_err(|e| e.to_string())?;
    // A `pod_cidrs` file (one CIDR a line) says where pod IPs lie, as
    // `--pod-cidr` does.
    if let Ok(text) = std::fs::read_to_string(case.join("pod_cidrs")) {
        let set = text.split_whitespace().fold(tusk_core::IpSet::empty(), |acc, c| {
            acc.union(&tusk_core::ip::Cidr::parse(c).unwrap_or_else(|e| panic!("{}: {e}", case.display())).set())
        });
        loaded.estate.k8s.pod_cidrs = Some(set);
    }
    let c = &loaded.estate.k8s;
    let analysis = Analysis::new(c, sem);
    let mut out = Connectivity::default();
    for e in analysis.matrix(Grain::Workload) {
        if !e.unknown.is_empty() {
            out.unknown.insert((e.src.label(c), e.dst.label(c)), ports_of(&e.unknown));
        }
        let ports = ports_of(&e.allowed);
        if ports.iter().all(|p| p.is_empty()) {
            continue;
        }
        match (&e.src, &e.dst) {
            (Endpoint::External(r), d) => {
                if r.lo >> 32 == 0xffff {
                    out.external.entry((d.label(c), "from")).or_default().push((r.lo, r.hi, ports));
                }
            }
            (s, Endpoint::External(r)) => {
                if r.lo >> 32 == 0xffff {
                    out.external.entry((s.label(c), "to")).or_default().push((r.lo, r.hi, ports));
                }
            }
            (s, d) => {
                out.pairs.insert((s.label(c), d.label(c)), ports);
            }
        }
    }
    Ok(out)
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
    let keys: BTreeSet<_> = exp.unknown.keys().chain(act.unknown.keys()).collect();
    for k in keys {
        let (e, a) = (exp.unknown.get(k).cloned().unwrap_or_default(), act.unknown.get(k).cloned().unwrap_or_default());
        if e != a {
            diffs.push(format!("{} => {} unknown: expected {}, tusk {}", k.0, k.1, show(&e), show(&a)));
        }
    }
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

fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("cases folder present").map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

/// Runs every case folder under `dir`; returns the failures.
fn run_cases(dir: &Path, default: Semantics, divergent: &[(&str, &str)]) -> (usize, Vec<String>) {
    let mut failed = Vec::new();
    let mut passed = 0;
    for case in cases(dir) {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let sem = match std::fs::read_to_string(case.join("semantics")).ok().as_deref().map(str::trim) {
            None => default,
            Some("upstream") => Semantics::of(PolicyEngine::Upstream),
            Some("cilium") => Semantics::of(PolicyEngine::Cilium),
            Some("calico") => Semantics::of(PolicyEngine::Calico),
            Some("netpol-analyzer") => Semantics::of(PolicyEngine::NetpolAnalyzer),
            Some(other) => panic!("{name}: unknown semantics `{other}`"),
        };
        let diffs = match actual(&case, sem) {
            Ok(act) => compare(&expected(&case), &act),
            Err(e) => vec![format!("load error: {e}")],
        };
        let is_divergent = divergent.iter().any(|(c, _)| *c == name);
        match (diffs.is_empty(), is_divergent) {
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
    (passed, failed)
}

#[test]
fn netpol_analyzer_cases_agree() {
    let dir = tusk_testkit::require_shared!("conformance/netpol-analyzer/cases");
    // netpol-analyzer's reading: ipBlocks never select pods, hostNetwork
    // pods are pods like the others, undeclared namespaces carry only
    // their name label.
    let sem = Semantics::of(PolicyEngine::NetpolAnalyzer);
    assert!(!sem.ipblock_selects_pods && sem.host_network == HostNetwork::AsPods && !sem.undeclared_namespaces_open);
    let (passed, failed) = run_cases(&dir, sem, DIVERGENT);
    assert!(passed >= 60, "only {passed} cases ran");
    assert!(failed.is_empty(), "{passed} cases agree; {} do not:\n{}", failed.len(), failed.join("\n"));
}

#[test]
fn tusk_fixture_cases_agree() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/k8s");
    let (passed, failed) = run_cases(&dir, Semantics::of(PolicyEngine::Upstream), &[]);
    assert!(passed > 0, "no fixture case ran");
    assert!(failed.is_empty(), "{passed} cases agree; {} do not:\n{}", failed.len(), failed.join("\n"));
}
