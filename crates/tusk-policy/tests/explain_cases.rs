//! tusk's own single-flow cases: every folder of `tests/k8s-explain/` holds
//! `input/` and `expected_flows.txt`, one flow a line
//! (`FROM TO PROTO PORT => allowed|denied|unknown`; FROM/TO as `tusk
//! explain` takes them: `ns/pod`, `ns/workload`, an IP, `svc:ns/name`), plus
//! an optional `semantics` file naming the policy engine. The verdict is
//! `explain`'s, and for a pod-to-pod flow the engine's must agree. Adding a
//! case needs no Rust.

use std::net::IpAddr;
use std::path::Path;
use tusk_core::{Idx, Protocol};
use tusk_model::k8s::{Cluster, Service};
use tusk_policy::explain::{explain, FlowEnd, Verdict};
use tusk_policy::{Analysis, PolicyEngine, Semantics};

enum To {
    End(FlowEnd),
    Service(Idx<Service>),
}

fn resolve(c: &Cluster, s: &str) -> To {
    if let Some(rest) = s.strip_prefix("svc:") {
        let (ns, name) = rest.split_once('/').unwrap();
        return To::Service(Idx::new(c.services.iter().position(|x| x.namespace == ns && x.name == name).expect(s)));
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        if let Some(i) = c.pods.iter().position(|p| p.ips.contains(&ip)).map(Idx::new) {
            return To::End(FlowEnd::Pod(i));
        }
        if let Some(i) = tusk_policy::services::by_cluster_ip(c, ip) {
            return To::Service(i);
        }
        return To::End(FlowEnd::Address(ip));
    }
    let (ns, name) = s.split_once('/').expect(s);
    let i = c
        .pods
        .iter()
        .position(|p| p.namespace == ns && (p.name == name || c.workloads[p.workload].name == name))
        .unwrap_or_else(|| panic!("no pod or workload {s}"));
    To::End(FlowEnd::Pod(Idx::new(i)))
}

fn word(v: &Verdict) -> &'static str {
    match v {
        Verdict::Allowed => "allowed",
        Verdict::Denied => "denied",
        Verdict::Unknown(_) => "unknown",
    }
}

#[test]
fn explain_cases_agree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/k8s-explain");
    let mut ran = 0;
    let mut failed = Vec::new();
    for case in std::fs::read_dir(&root).expect("tests/k8s-explain present") {
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
                "sctp" => Protocol::Sctp,
                p => panic!("{name}: protocol {p}"),
            };
            let port: u16 = f[3].parse().unwrap();
            let To::End(src) = resolve(&c, f[0]) else { panic!("{name}: a Service is not a source") };
            let got = match resolve(&c, f[1]) {
                To::Service(s) => tusk_policy::services::explain_service(&c, &sem, src, s, proto, port).verdict,
                To::End(dst) => {
                    let v = explain(&c, &sem, src, dst, proto, port).verdict;
                    let engine = analysis.pair(src, dst).at(proto, port).name();
                    if engine != word(&v) {
                        failed.push(format!("{name}: {flow}: explain {}, engine {engine}", word(&v)));
                    }
                    v
                }
            };
            if word(&got) != want.trim() {
                failed.push(format!("{name}: {flow}: expected {want}, got {got:?}"));
            }
            ran += 1;
        }
    }
    assert!(ran > 0, "no explain case ran");
    assert!(failed.is_empty(), "{ran} flows; failures:\n{}", failed.join("\n"));
}
