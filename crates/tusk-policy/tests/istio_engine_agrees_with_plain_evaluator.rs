//! Property: on random meshes (pods with a sidecar, in ambient mode, without
//! a proxy or of unknown membership; AuthorizationPolicies ALLOW / DENY /
//! CUSTOM / AUDIT with principals, namespaces, IP blocks, ports, methods,
//! `when` conditions and their `not*` forms, root-namespace and targetRef
//! policies; PeerAuthentications with port-level modes) beside a
//! NetworkPolicy, the class engine's pod-grain matrix and the plain
//! per-flow evaluator give the same verdict for every pod pair and for
//! outside addresses toward each pod. Proptest draws the clusters
//! (`common`), so a failure is shrunk to a small cluster, printed with it.

use std::collections::HashMap;
use std::net::IpAddr;
use tusk_core::ip::Cidr;
use tusk_core::{Idx, Loc, Protocol};
use tusk_model::istio::*;
use tusk_model::k8s::*;
use tusk_policy::explain::{explain, FlowEnd};
use tusk_policy::matrix::{Endpoint, Grain};
use tusk_policy::{Analysis, PolicyEngine, Semantics};

mod common;
use common::{agree, run, Rng};
use proptest::prelude::*;
use std::cell::Cell;

const NS: [&str; 3] = ["a", "b", "istio-system"];
const APPS: [&str; 2] = ["web", "db"];
const SAS: [&str; 2] = ["default", "robot"];
const CIDRS: [&str; 3] = ["10.0.0.0/30", "10.0.0.0/8", "192.168.0.0/24"];
const PORTS: [u16; 2] = [80, 8080];

fn loc() -> Loc {
    Loc::builtin("test")
}

fn strs(r: &mut Rng, from: &[&str]) -> Vec<StrMatch> {
    (0..1 + r.below(2)).map(|_| StrMatch(r.pick(from).to_string())).collect()
}

fn field<T>(r: &mut Rng, mut make: impl FnMut(&mut Rng) -> Vec<T>) -> Field<T> {
    match r.below(4) {
        0 => Field { values: Some(make(r)), not_values: None },
        1 => Field { values: None, not_values: Some(make(r)) },
        2 => Field { values: Some(make(r)), not_values: Some(make(r)) },
        _ => Field::default(),
    }
}

fn source(r: &mut Rng) -> Source {
    let principals = ["cluster.local/ns/a/sa/default", "cluster.local/ns/b/sa/robot", "cluster.local/ns/a/*", "*"];
    let mut s = Source::default();
    // At least one field, as istiod requires.
    while !(s.principals.is_set() || s.namespaces.is_set() || s.ip_blocks.is_set() || s.request_principals.is_set()) {
        match r.below(4) {
            0 => s.principals = field(r, |r| strs(r, &principals)),
            1 => s.namespaces = field(r, |r| strs(r, &["a", "b", "c*"])),
            2 => {
                s.ip_blocks = field(r, |r| {
                    let s: &&str = r.pick(&CIDRS[..]);
                    vec![Cidr::parse(s).unwrap().set()]
                });
            }
            _ => {
                if r.chance(30) {
                    s.request_principals = field(r, |r| strs(r, &["*"]));
                }
            }
        }
    }
    s
}

fn operation(r: &mut Rng) -> Operation {
    let mut o = Operation::default();
    while !(o.ports.is_set() || o.methods.is_set()) {
        if r.chance(70) {
            o.ports = field(r, |r| vec![*r.pick(&PORTS)]);
        } else {
            o.methods = field(r, |r| strs(r, &["GET"]));
        }
    }
    o
}

fn condition(r: &mut Rng) -> Condition {
    let (key, values) = match r.below(4) {
        0 => (ConditionKey::SourceNamespace, vec!["a".to_string()]),
        1 => (ConditionKey::DestinationPort, vec!["80".to_string()]),
        2 => (ConditionKey::SourceIp, vec!["10.0.0.0/30".to_string()]),
        _ => (ConditionKey::Opaque("request.headers[x]".into()), vec!["y".to_string()]),
    };
    if r.chance(50) {
        Condition { key, values: Some(values), not_values: None, loc: loc() }
    } else {
        Condition { key, values: None, not_values: Some(values), loc: loc() }
    }
}

fn rule(r: &mut Rng) -> AuthzRule {
    AuthzRule {
        from: (0..r.below(3)).map(|_| source(r)).collect(),
        to: (0..r.below(3)).map(|_| operation(r)).collect(),
        when: (0..r.below(2)).map(|_| condition(r)).collect(),
        loc: loc(),
    }
}

fn selector(r: &mut Rng) -> LabelSelector {
    LabelSelector { match_labels: vec![("app".into(), r.pick(&APPS).to_string())], match_expressions: vec![] }
}

fn mode(r: &mut Rng) -> MtlsMode {
    *r.pick(&[MtlsMode::Unset, MtlsMode::Permissive, MtlsMode::Strict, MtlsMode::Disable])
}

fn cluster(t: &[Vec<u64>]) -> Cluster {
    let mut r = Rng::new(&t[0]);
    let mut c = Cluster::default();
    c.mesh.root_namespaces = vec!["istio-system".into()];
    for ns in NS {
        c.namespaces.push(Namespace {
            name: ns.into(),
            labels: Labels::from([("kubernetes.io/metadata.name".to_string(), ns.to_string())]),
            loc: Some(loc()),
        });
    }
    for i in 0..(3 + r.below(5)) {
        let ns = r.pick(&NS[..2]).to_string();
        c.workloads.push(Workload {
            kind: WorkloadKind::Pod,
            namespace: ns.clone(),
            name: format!("p{i}"),
            loc: loc(),
            replicas: 1,
            scheduling: Default::default(),
            escape: Vec::new(),
        });
        let dataplane =
            *r.pick(&[Dataplane::Sidecar, Dataplane::Sidecar, Dataplane::None, Dataplane::Ambient, Dataplane::Unknown]);
        let ips = if r.chance(85) { vec![format!("10.0.0.{}", 1 + i).parse().unwrap()] } else { vec![] };
        c.pods.push(Pod {
            namespace: ns,
            name: format!("p{i}"),
            labels: Labels::from([("app".to_string(), r.pick(&APPS).to_string())]),
            ips,
            host_ip: None,
            ip_range: None,
            host_network: false,
            node_name: None,
            ports: vec![],
            workload: Idx::new(i as usize),
            mesh: PodMesh {
                dataplane,
                service_account: r.pick(&SAS).to_string(),
                why: Default::default(),
                router: false,
            },
            loc: loc(),
            template: None,
        });
    }
    if r.chance(50) {
        c.network_policies.push(NetworkPolicy {
            namespace: r.pick(&NS[..2]).to_string(),
            name: "np".into(),
            pod_selector: selector(&mut r),
            isolates_ingress: true,
            isolates_egress: false,
            ingress: vec![NpRule {
                peers: vec![NpPeer::Pods {
                    namespace_selector: None,
                    pod_selector: Some(selector(&mut r)),
                    loc: loc(),
                }],
                ports: vec![],
                loc: loc(),
            }],
            egress: vec![],
            loc: loc(),
        });
    }
    for i in 0..(1 + r.below(4)) {
        let target = match r.below(10) {
            0 => AuthzTarget::Refs(vec!["Gateway gw".into()]),
            1..=4 => AuthzTarget::All,
            _ => AuthzTarget::Selector(selector(&mut r)),
        };
        let action = *r.pick(&[
            AuthzAction::Allow,
            AuthzAction::Allow,
            AuthzAction::Deny,
            AuthzAction::Custom,
            AuthzAction::Audit,
        ]);
        let rules = (0..r.below(3)).map(|_| rule(&mut r)).collect();
        c.mesh.authorization.push(AuthorizationPolicy {
            namespace: r.pick(&NS).to_string(),
            name: format!("ap{i}"),
            target,
            action,
            rules,
            dry_run: r.chance(5),
            loc: loc(),
        });
    }
    for i in 0..r.below(3) {
        let with_selector = r.chance(50);
        let port_level = if with_selector && r.chance(50) { vec![(*r.pick(&PORTS), mode(&mut r))] } else { vec![] };
        c.mesh.peer_authentication.push(PeerAuthentication {
            namespace: r.pick(&NS).to_string(),
            name: format!("pa{i}"),
            selector: with_selector.then(|| selector(&mut r)),
            mode: mode(&mut r),
            port_level,
            loc: loc(),
        });
    }
    c
}

const FLOWS: [(Protocol, u16); 3] = [(Protocol::Tcp, 80), (Protocol::Tcp, 8080), (Protocol::Udp, 80)];
const OUTSIDE: [&str; 2] = ["10.9.9.9", "192.168.0.7"];

fn check(t: &[Vec<u64>]) -> Result<(usize, usize), TestCaseError> {
    let c = cluster(t);
    let sem = Semantics::of(PolicyEngine::Upstream);
    let a = Analysis::new(&c, sem);
    let rows = a.matrix(Grain::Pod);
    let mut pods: HashMap<(Endpoint, Endpoint), &tusk_policy::matrix::Entry> = HashMap::new();
    let mut ext = Vec::new();
    for e in &rows {
        match (&e.src, &e.dst) {
            (Endpoint::External(_), _) => ext.push(e),
            (_, Endpoint::External(_)) => {}
            _ => {
                pods.insert((e.src, e.dst), e);
            }
        }
    }
    let ep = |i: usize| Endpoint::Pod(Idx::new(i), 0);
    let (mut unknowns, mut denied) = (0, 0);
    for d in 0..c.pods.len() {
        for s in (0..c.pods.len()).filter(|&s| s != d) {
            for (proto, port) in FLOWS {
                let full = explain(&c, &sem, FlowEnd::Pod(Idx::new(s)), FlowEnd::Pod(Idx::new(d)), proto, port);
                let plain = full.verdict.clone();
                let row = pods.get(&(ep(s), ep(d)));
                let allowed = row.is_some_and(|e| e.allowed.allows(proto, port));
                let unknown = row.is_some_and(|e| e.unknown.allows(proto, port));
                unknowns += unknown as usize;
                denied += (!allowed && !unknown) as usize;
                prop_assert!(
                    agree(&plain, allowed, unknown),
                    "{s}->{d} {proto} {port}: plain {plain:?}, engine allowed {allowed} unknown {unknown}\n{:#?}\n{}",
                    full.ingress.steps,
                    dump(&c)
                );
            }
        }
        for ip in OUTSIDE {
            let ip: IpAddr = ip.parse().unwrap();
            let v = tusk_core::ip::ip_to_u128(ip);
            for (proto, port) in FLOWS {
                let row = ext
                    .iter()
                    .find(|e| matches!(e.src, Endpoint::External(r) if r.lo <= v && v <= r.hi) && e.dst == ep(d));
                let (al, un) =
                    row.map_or((false, false), |e| (e.allowed.allows(proto, port), e.unknown.allows(proto, port)));
                let plain = explain(&c, &sem, FlowEnd::Address(ip), FlowEnd::Pod(Idx::new(d)), proto, port).verdict;
                prop_assert!(
                    agree(&plain, al, un),
                    "{ip} -> pod {d} {proto} {port}: plain {plain:?}, engine {al} {un}"
                );
            }
        }
    }
    Ok((unknowns, denied))
}

#[test]
fn istio_engine_agrees_with_plain_evaluator() {
    let totals = Cell::new((0, 0));
    let check_one = |t: &[Vec<u64>]| {
        let (u, d) = check(t)?;
        let (tu, td) = totals.get();
        totals.set((tu + u, td + d));
        Ok(())
    };
    run(1000, 1, check_one, |t| dump(&cluster(t)));
    let (unknowns, denied) = totals.get();
    // The generator reaches every verdict.
    assert!(unknowns > 0 && denied > 0, "unknown {unknowns}, denied {denied}");
}

/// The cluster in a failure message.
fn dump(c: &Cluster) -> String {
    let pods: Vec<String> = c
        .pods
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "pod {i}: {}/{} {:?} sa {} {:?} ips {:?}",
                p.namespace, p.name, p.labels, p.mesh.service_account, p.mesh.dataplane, p.ips
            )
        })
        .collect();
    format!(
        "{}\nnetpol {:#?}\nmesh {:#?}",
        pods.join("\n"),
        c.network_policies.iter().map(|p| (&p.namespace, &p.pod_selector, &p.ingress)).collect::<Vec<_>>(),
        c.mesh
    )
}
