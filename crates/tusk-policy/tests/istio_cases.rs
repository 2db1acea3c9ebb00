//! tusk's own Istio cases: every folder of `tests/k8s-istio/` holds
//! `input/` and `expected_flows.txt`, one flow a line:
//! `FROM TO PROTO PORT [METHOD PATH] => allowed|denied|unknown` (FROM/TO
//! as `tusk explain` takes them: `ns/pod`, `ns/workload`, an IP, and TO
//! also `svc:NS/NAME`, a flow to the Service's address; METHOD
//! and PATH, or `-` for either, the flow's HTTP request). The verdict is
//! `explain`'s; for a flow without HTTP request the class engine's must
//! agree. Adding a case needs no Rust.

use std::net::IpAddr;
use std::path::Path;
use tusk_core::{Idx, Protocol};
use tusk_model::k8s::Cluster;
use tusk_policy::explain::{explain_l7, FlowEnd, Verdict};
use tusk_policy::lang::istio::HttpRequest;
use tusk_policy::services::explain_service_l7;
use tusk_policy::{Analysis, PolicyEngine, Semantics};

fn resolve(c: &Cluster, s: &str) -> FlowEnd {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return match c.pods.iter().position(|p| p.ips.contains(&ip)).map(Idx::new) {
            Some(i) => FlowEnd::Pod(i),
            None => FlowEnd::Address(ip),
        };
    }
    let (ns, name) = s.split_once('/').expect(s);
    let i = c
        .pods
        .iter()
        .position(|p| p.namespace == ns && (p.name == name || c.workloads[p.workload].name == name))
        .unwrap_or_else(|| panic!("no pod or workload {s}"));
    FlowEnd::Pod(Idx::new(i))
}

fn word(v: &Verdict) -> &'static str {
    match v {
        Verdict::Allowed => "allowed",
        Verdict::Denied => "denied",
        Verdict::Unknown(_) => "unknown",
    }
}

#[test]
fn istio_cases_agree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/k8s-istio");
    let (mut ran, mut failed) = (0, Vec::new());
    for case in std::fs::read_dir(&root).expect("tests/k8s-istio present") {
        let case = case.unwrap().path();
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let sem = match std::fs::read_to_string(case.join("semantics")).ok().as_deref().map(str::trim) {
            None | Some("upstream") => Semantics::of(PolicyEngine::Upstream),
            Some("cilium") => Semantics::of(PolicyEngine::Cilium),
            Some("calico") => Semantics::of(PolicyEngine::Calico),
            Some(other) => panic!("{name}: unknown semantics `{other}`"),
        };
        let c = tusk_load::load_paths(&[case.join("input")]).unwrap_or_else(|e| panic!("{name}: {e}")).estate.k8s;
        let analysis = Analysis::new(&c, sem);
        let flows = std::fs::read_to_string(case.join("expected_flows.txt")).unwrap();
        for line in flows.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
            let (flow, want) = line.split_once(" => ").unwrap();
            let f: Vec<&str> = flow.split_whitespace().collect();
            let proto = match f[2] {
                "tcp" => Protocol::Tcp,
                "udp" => Protocol::Udp,
                p => panic!("{name}: protocol {p}"),
            };
            let port: u16 = f[3].parse().unwrap();
            let given = |i: usize| f.get(i).filter(|s| **s != "-").map(|s| s.to_string());
            let http = (f.len() > 4).then(|| HttpRequest { method: given(4), path: given(5) });
            let src = resolve(&c, f[0]);
            // `svc:NS/NAME`: a flow to the Service's address, explained
            // per endpoint and asked of the matrix's Service rows.
            if let Some(svc) = f[1].strip_prefix("svc:") {
                let (ns, n) = svc.split_once('/').expect(svc);
                let si = Idx::new(c.services.iter().position(|s| s.namespace == ns && s.name == n).expect(svc));
                let v = explain_service_l7(&c, &sem, src, si, proto, port, http.as_ref()).verdict;
                if http.is_none() {
                    let r = tusk_policy::services::pair(&analysis, src, si).0;
                    let engine = r.at(proto, port).name();
                    if engine != word(&v) {
                        failed.push(format!("{name}: {flow}: explain {}, Service rows {engine}", word(&v)));
                    }
                }
                if word(&v) != want.trim() {
                    failed.push(format!("{name}: {flow}: expected {want}, got {v:?}"));
                }
                ran += 1;
                continue;
            }
            let dst = resolve(&c, f[1]);
            let v = explain_l7(&c, &sem, src, dst, proto, port, http.as_ref()).verdict;
            if http.is_none() {
                let engine = analysis.pair(src, dst).at(proto, port).name();
                if engine != word(&v) {
                    failed.push(format!("{name}: {flow}: explain {}, engine {engine}", word(&v)));
                }
            }
            if word(&v) != want.trim() {
                failed.push(format!("{name}: {flow}: expected {want}, got {v:?}"));
            }
            ran += 1;
        }
    }
    assert!(ran > 0, "no Istio case ran");
    assert!(failed.is_empty(), "{ran} flows; failures:\n{}", failed.join("\n"));
}
