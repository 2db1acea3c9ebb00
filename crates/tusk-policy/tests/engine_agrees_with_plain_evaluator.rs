//! Property: on random clusters, the class engine's pod-grain matrix and the
//! plain per-flow evaluator give the same verdict for every pod pair, for
//! sample ports of each protocol, and for sample outside addresses — under
//! both ipBlock readings. Proptest draws the clusters (`common`), so a
//! failure is shrunk to a small cluster, printed with it.

use std::collections::HashMap;
use std::net::IpAddr;
use tusk_core::ip::Cidr;
use tusk_core::{Idx, Loc, Protocol};
use tusk_model::k8s::*;
use tusk_policy::explain::{explain, FlowEnd, Verdict};
use tusk_policy::matrix::{Endpoint, Grain};
use tusk_policy::{Analysis, HostNetwork, PolicyEngine, Semantics};

mod common;
use common::{lines, outside, run, split_rows, Rng};
use proptest::prelude::*;
use std::cell::Cell;

const NS: [&str; 3] = ["a", "b", "c"];
const APPS: [&str; 4] = ["web", "db", "api", "cache"];
const CIDRS: [&str; 5] = ["0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "192.168.0.0/24", "10.1.2.0/24"];

fn loc() -> Loc {
    Loc::builtin("test")
}

fn selector(r: &mut Rng) -> LabelSelector {
    let mut s = LabelSelector::default();
    match r.below(5) {
        0 => {}
        1 | 2 => s.match_labels.push(("app".into(), r.pick(&APPS).to_string())),
        3 => s.match_expressions.push(Requirement {
            key: "app".into(),
            op: if r.chance(50) { SelectorOp::In } else { SelectorOp::NotIn },
            values: vec![r.pick(&APPS).to_string(), r.pick(&APPS).to_string()],
        }),
        _ => s.match_expressions.push(Requirement {
            key: "tier".into(),
            op: if r.chance(50) { SelectorOp::Exists } else { SelectorOp::DoesNotExist },
            values: vec![],
        }),
    }
    s
}

fn ns_selector(r: &mut Rng) -> LabelSelector {
    let mut s = LabelSelector::default();
    if r.chance(60) {
        s.match_labels.push(("kubernetes.io/metadata.name".into(), r.pick(&NS).to_string()));
    }
    s
}

fn ports(r: &mut Rng) -> Vec<PolicyPort> {
    let n = r.below(3);
    (0..n)
        .map(|_| match r.below(4) {
            0 => PolicyPort::Range(Protocol::Tcp, 80, 80),
            1 => PolicyPort::Range(*r.pick(&[Protocol::Tcp, Protocol::Udp]), 50, 60),
            2 => PolicyPort::Named(
                if r.chance(50) { Some(Protocol::Tcp) } else { None },
                r.pick(&["http", "dns"]).to_string(),
            ),
            _ => PolicyPort::All(*r.pick(&[Protocol::Udp, Protocol::Sctp])),
        })
        .collect()
}

fn cidr_set(r: &mut Rng) -> (String, tusk_core::IpSet) {
    let c = *r.pick(&CIDRS);
    let mut set = Cidr::parse(c).unwrap().set();
    if c == "10.0.0.0/8" && r.chance(50) {
        set = set.subtract(&Cidr::parse("10.1.0.0/16").unwrap().set());
    }
    (c.to_string(), set)
}

/// A cluster drawn from two tapes: `t[0]` for the objects, `t[1]` for the
/// priority ties and namespace declarations.
fn cluster(t: &[Vec<u64>]) -> Cluster {
    let mut r = Rng::new(&t[0]);
    let mut c = Cluster::default();
    for ns in NS {
        c.namespaces.push(Namespace {
            name: ns.into(),
            labels: Labels::from([("kubernetes.io/metadata.name".to_string(), ns.to_string())]),
            loc: None,
        });
    }
    for i in 0..(4 + r.below(8)) {
        let ns = r.pick(&NS).to_string();
        let mut labels = Labels::from([("app".to_string(), r.pick(&APPS).to_string())]);
        if r.chance(40) {
            labels.insert("tier".into(), "x".into());
        }
        let mut ports = Vec::new();
        if r.chance(50) {
            ports.push(ContainerPort {
                name: Some("http".into()),
                port: if r.chance(50) { 80 } else { 55 },
                protocol: Protocol::Tcp,
            });
        }
        if r.chance(30) {
            ports.push(ContainerPort { name: Some("dns".into()), port: 53, protocol: Protocol::Udp });
        }
        let ip: IpAddr = format!("10.{}.{}.{}", r.below(3), r.below(3), 1 + i).parse().unwrap();
        c.workloads.push(Workload {
            kind: WorkloadKind::Pod,
            namespace: ns.clone(),
            name: format!("p{i}"),
            loc: loc(),
            replicas: 1,
            scheduling: Default::default(),
            escape: Vec::new(),
        });
        c.pods.push(Pod {
            namespace: ns,
            name: format!("p{i}"),
            labels,
            ips: vec![ip],
            host_ip: None,
            ip_range: None,
            host_network: r.chance(15),
            node_name: None,
            ports,
            workload: Idx::new(i as usize),
            mesh: Default::default(),
            loc: loc(),
            template: None,
        });
    }
    for i in 0..r.below(5) {
        let mk_rules = |r: &mut Rng| {
            (0..r.below(3))
                .map(|_| NpRule {
                    peers: (0..r.below(3))
                        .map(|_| {
                            if r.chance(25) {
                                let (cidr, addresses) = cidr_set(r);
                                NpPeer::IpBlock { cidr, addresses, loc: loc() }
                            } else {
                                NpPeer::Pods {
                                    namespace_selector: r.chance(50).then(|| ns_selector(r)),
                                    pod_selector: r.chance(70).then(|| selector(r)),
                                    loc: loc(),
                                }
                            }
                        })
                        .collect(),
                    ports: ports(r),
                    loc: loc(),
                })
                .collect::<Vec<_>>()
        };
        let ingress = mk_rules(&mut r);
        let egress = mk_rules(&mut r);
        c.network_policies.push(NetworkPolicy {
            namespace: r.pick(&NS).to_string(),
            name: format!("np{i}"),
            pod_selector: selector(&mut r),
            isolates_ingress: r.chance(70),
            isolates_egress: r.chance(50),
            ingress,
            egress,
            loc: loc(),
        });
    }
    let admin_peer = |r: &mut Rng, egress: bool| match r.below(if egress { 5 } else { 2 }) {
        0 => AdminPeer::Namespaces(ns_selector(r)),
        1 => AdminPeer::Pods { namespace_selector: ns_selector(r), pod_selector: selector(r) },
        // No Node objects are generated: the peer's addresses are unknown.
        4 => AdminPeer::Nodes(LabelSelector::default()),
        _ => {
            let (name, set) = cidr_set(r);
            AdminPeer::Networks(set, vec![name])
        }
    };
    let admin_rules = |r: &mut Rng, egress: bool, baseline: bool| {
        (0..r.below(4))
            .map(|k| AdminRule {
                name: format!("r{k}"),
                action: *r.pick(if baseline {
                    &[AdminAction::Allow, AdminAction::Deny][..]
                } else {
                    &[AdminAction::Allow, AdminAction::Deny, AdminAction::Pass][..]
                }),
                peers: (0..1 + r.below(2)).map(|_| admin_peer(r, egress)).collect(),
                ports: ports(r),
                loc: loc(),
            })
            .collect::<Vec<_>>()
    };
    // Drawn apart from `r`, so that adding ties left every other draw as
    // it was: some AdminNetworkPolicies share a priority, whose order is
    // undefined (both engines must consider every order).
    let mut ties = Rng::new(&t[1]);
    for i in 0..r.below(3) {
        let subject = admin_peer(&mut r, false);
        let ingress = admin_rules(&mut r, false, false);
        let egress = admin_rules(&mut r, true, false);
        c.admin_policies.push(AdminNetworkPolicy {
            name: format!("anp{i}"),
            priority: Some(if ties.chance(40) { 0 } else { i as u32 * 10 }),
            subject,
            ingress,
            egress,
            loc: loc(),
        });
    }
    // Also apart from `r`: some namespaces are declared with a `team` label,
    // the others are not (they may carry any label), and some NetworkPolicy
    // namespaceSelectors read `team` (unknown for undeclared namespaces).
    for ns in &mut c.namespaces {
        if ties.chance(50) {
            ns.loc = Some(loc());
            if ties.chance(50) {
                ns.labels.insert("team".into(), "blue".into());
            }
        }
    }
    for peer in c
        .network_policies
        .iter_mut()
        .flat_map(|p| p.ingress.iter_mut().chain(p.egress.iter_mut()))
        .flat_map(|r| r.peers.iter_mut())
    {
        if let NpPeer::Pods { namespace_selector: Some(sel), .. } = peer {
            if ties.chance(40) {
                sel.match_labels.push(("team".into(), "blue".into()));
            }
        }
    }
    if r.chance(50) {
        let subject = admin_peer(&mut r, false);
        let ingress = admin_rules(&mut r, false, true);
        let egress = admin_rules(&mut r, true, true);
        c.baseline_policy =
            Some(AdminNetworkPolicy { name: "default".into(), priority: None, subject, ingress, egress, loc: loc() });
    }
    c
}

/// The cluster's objects, one per line.
fn describe(c: &Cluster) -> String {
    let mut out = lines("namespace", &c.namespaces) + &lines("pod", &c.pods);
    out += &lines("networkPolicy", &c.network_policies);
    out += &lines("adminNetworkPolicy", &c.admin_policies);
    out += &lines("baselineAdminNetworkPolicy", c.baseline_policy.as_slice());
    out + &format!("podCidrs: {:?}\n", c.pod_cidrs)
}

const FLOWS: [(Protocol, u16); 6] = [
    (Protocol::Tcp, 80),
    (Protocol::Tcp, 55),
    (Protocol::Udp, 53),
    (Protocol::Udp, 55),
    (Protocol::Sctp, 9),
    (Protocol::Tcp, 8080),
];
const OUTSIDE: [&str; 4] = ["10.1.2.3", "10.9.9.9", "192.168.0.7", "8.8.8.8"];

/// Checks one random cluster; returns how many outside-address rows the
/// engine reported (partly) unknown, so the caller can see that case ran.
fn check(c: &Cluster, sem: Semantics) -> Result<usize, TestCaseError> {
    let a = Analysis::new(c, sem);
    let rows = a.matrix(Grain::Pod);
    let (pods, ext) = split_rows(&rows);
    let ep = |i: usize| Endpoint::Pod(Idx::new(i), 0);
    for s in 0..c.pods.len() {
        for d in 0..c.pods.len() {
            if s == d {
                continue;
            }
            for (proto, port) in FLOWS {
                let plain = explain(c, &sem, FlowEnd::Pod(Idx::new(s)), FlowEnd::Pod(Idx::new(d)), proto, port).verdict;
                let row = pods.get(&(ep(s), ep(d)));
                let allowed = row.is_some_and(|e| e.allowed.allows(proto, port));
                let unknown = row.is_some_and(|e| e.unknown.allows(proto, port));
                // Pod IPs are known: both evaluators decide exactly, the only
                // unknowns being hostNetwork pods under the upstream reading.
                let same = match &plain {
                    Verdict::Allowed => allowed && !unknown,
                    Verdict::Denied => !allowed && !unknown,
                    Verdict::Unknown(_) => !allowed && unknown,
                };
                prop_assert!(
                    same,
                    "{sem:?}: {s}->{d} {proto} {port}: plain {plain:?}, engine allowed {allowed} unknown {unknown}"
                );
            }
        }
        for ip in OUTSIDE {
            let ip: IpAddr = ip.parse().unwrap();
            let v = tusk_core::ip::ip_to_u128(ip);
            for (proto, port) in FLOWS {
                let find = |src_out: bool| outside(&ext, ep(s), v, src_out, proto, port);
                // Both evaluate every reading the inputs leave open (nodes
                // peers without addresses, orders of equal-priority ANPs).
                let agree = |plain: &Verdict, (allowed, unknown): (bool, bool)| match plain {
                    Verdict::Allowed => allowed && !unknown,
                    Verdict::Denied => !allowed && !unknown,
                    Verdict::Unknown(_) => !allowed && unknown,
                };
                let out = explain(c, &sem, FlowEnd::Pod(Idx::new(s)), FlowEnd::Address(ip), proto, port).verdict;
                let e = find(false);
                prop_assert!(agree(&out, e), "{sem:?}: pod {s} -> {ip} {proto} {port}: plain {out:?}, engine {e:?}");
                let inn = explain(c, &sem, FlowEnd::Address(ip), FlowEnd::Pod(Idx::new(s)), proto, port).verdict;
                let e = find(true);
                prop_assert!(agree(&inn, e), "{sem:?}: {ip} -> pod {s} {proto} {port}: plain {inn:?}, engine {e:?}");
            }
        }
    }
    Ok(ext.iter().filter(|e| !e.unknown.is_empty()).count())
}

#[test]
fn engine_agrees_with_plain_evaluator() {
    let unknown_outside = Cell::new(0);
    let as_pods = Semantics { host_network: HostNetwork::AsPods, ..Semantics::of(PolicyEngine::Upstream) };
    let sems = [
        Semantics::of(PolicyEngine::Upstream),
        Semantics::of(PolicyEngine::Cilium),
        Semantics::of(PolicyEngine::Calico),
        as_pods,
    ];
    let check_all = |t: &[Vec<u64>]| {
        let c = cluster(t);
        for sem in sems {
            unknown_outside.set(unknown_outside.get() + check(&c, sem)?);
        }
        Ok(())
    };
    run(300, 2, check_all, |t| describe(&cluster(t)));
    let unknown_outside = unknown_outside.get();
    // `nodes` peers without Node objects must have made some rows unknown.
    assert!(unknown_outside > 0, "no outside address was ever unknown: the nodes-peer case did not run");
}

/// With no pod IPs known and ipBlocks selecting pods (ANPs and BANPs among
/// the policies), the engine and the plain evaluator agree exactly: both
/// evaluate the flow for every address region a pod may be in, anywhere in
/// IPv4 or, with `pod_cidrs`, inside them, or inside the pod's own range
/// (`Pod::ip_range`, as the AKS wiring sets it per node pool).
#[test]
fn unknown_pod_ips_never_yield_a_guess() {
    let unknown_seen = Cell::new(0);
    // `t[2]` says whether the pod CIDRs are known, and each pod's range.
    let without_ips = |t: &[Vec<u64>]| {
        let mut c = cluster(t);
        let mut r = Rng::new(&t[2]);
        let known = r.chance(50);
        let set = |s: &[&str]| s.iter().fold(tusk_core::IpSet::empty(), |a, c| a.union(&Cidr::parse(c).unwrap().set()));
        for (i, p) in c.pods.iter_mut().enumerate() {
            p.ips.clear();
            p.ip_range = match r.below(5) {
                0 => Some(set(&["10.1.0.0/16"])),
                1 => Some(set(&["10.1.2.0/25"])),
                2 => Some(set(&["192.168.0.0/24", "8.8.0.0/16"])),
                3 => Some(set(&["10.1.0.0/24"])),
                _ => None,
            };
            // Some pods stand for two replicas of a template: a flow
            // between the two is evaluated with independent addresses.
            if i % 3 == 1 {
                let base = std::mem::take(&mut p.name);
                p.name = format!("{base}-0");
                p.template = Some(tusk_model::k8s::Replicas { base, count: 2 });
            }
        }
        if known {
            c.pod_cidrs = Some(Cidr::parse("10.0.0.0/8").unwrap().set());
        }
        c
    };
    let check = |t: &[Vec<u64>]| {
        let c = without_ips(t);
        let sem = Semantics::of(PolicyEngine::Upstream);
        let a = Analysis::new(&c, sem);
        let rows: HashMap<(Endpoint, Endpoint), tusk_policy::matrix::Entry> =
            a.matrix(Grain::Pod).into_iter().map(|e| ((e.src, e.dst), e)).collect();
        let ends: Vec<(usize, u32)> =
            (0..c.pods.len()).flat_map(|i| (0..c.pods[i].count()).map(move |r| (i, r))).collect();
        for &(s, rs) in &ends {
            for &(d, rd) in ends.iter().filter(|e| **e != (s, rs)) {
                for (proto, port) in FLOWS {
                    let row = rows.get(&(Endpoint::Pod(Idx::new(s), rs), Endpoint::Pod(Idx::new(d), rd)));
                    let allowed = row.is_some_and(|e| e.allowed.allows(proto, port));
                    let unknown = row.is_some_and(|e| e.unknown.allows(proto, port));
                    let plain =
                        explain(&c, &sem, FlowEnd::Pod(Idx::new(s)), FlowEnd::Pod(Idx::new(d)), proto, port).verdict;
                    let same = match &plain {
                        Verdict::Allowed => allowed && !unknown,
                        Verdict::Denied => !allowed && !unknown,
                        Verdict::Unknown(_) => !allowed && unknown,
                    };
                    prop_assert!(
                        same,
                        "{s}.{rs}->{d}.{rd} {proto} {port}: plain {plain:?}, engine allowed {allowed} unknown {unknown}"
                    );
                    unknown_seen.set(unknown_seen.get() + unknown as usize);
                    // The one-pair query (explain without --port) agrees.
                    let k = a.pair(FlowEnd::Pod(Idx::new(s)), FlowEnd::Pod(Idx::new(d))).at(proto, port);
                    prop_assert!(
                        (k == tusk_core::Kind::Allowed) == allowed && (k == tusk_core::Kind::Unknown) == unknown,
                        "pair {s}->{d} {proto} {port}: pair says {k:?}, matrix allowed {allowed} unknown {unknown}"
                    );
                }
            }
        }
        Ok(())
    };
    run(300, 3, check, |t| describe(&without_ips(t)));
    assert!(unknown_seen.get() > 0, "the generator never produced an IP-dependent verdict");
}
