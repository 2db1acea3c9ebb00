//! Property: on random clusters with CiliumNetworkPolicies (allow and deny
//! rules, endpoint / CIDR / entity peers, L7 and unmodelled rules,
//! enableDefaultDeny, namespace labels of undeclared namespaces) beside
//! NetworkPolicies and an AdminNetworkPolicy, under `--policy-engine
//! cilium`, the class engine's pod-grain matrix and the plain per-flow
//! evaluator give the same verdict for every pod pair and for sample outside
//! addresses (node addresses among them). Pods run on one of two declared
//! nodes, an undeclared one or none said, so the `host` and `remote-node`
//! entities are exact where the node is known and unknown elsewhere; the
//! `none` entity matches nothing. Host policies (`nodeSelector`) make the
//! flows between pods and the nodes they select unknown where they would
//! not let the pod through. Proptest draws the clusters
//! (`common`), so a failure is shrunk to a small cluster, printed with it.

use std::net::IpAddr;
use tusk_core::ip::Cidr;
use tusk_core::{Idx, Loc, Protocol};
use tusk_model::cilium::*;
use tusk_model::k8s::*;
use tusk_policy::explain::{explain, FlowEnd};
use tusk_policy::matrix::{Endpoint, Grain};
use tusk_policy::{Analysis, PolicyEngine, Semantics};

mod common;
use common::{agree, lines, outside, run, split_rows, Rng};
use proptest::prelude::*;
use std::cell::Cell;

const NS: [&str; 3] = ["a", "b", "c"];
const APPS: [&str; 3] = ["web", "db", "api"];
const CIDRS: [&str; 4] = ["0.0.0.0/0", "10.0.0.0/8", "192.168.0.0/24", "10.224.0.0/16"];
const ENTITIES: [Entity; 13] = [
    Entity::All,
    Entity::World,
    Entity::WorldIpv4,
    Entity::WorldIpv6,
    Entity::Cluster,
    Entity::Host,
    Entity::RemoteNode,
    Entity::KubeApiserver,
    Entity::Health,
    Entity::Init,
    Entity::Ingress,
    Entity::Unmanaged,
    Entity::None,
];
const NODE_IP: &str = "10.224.0.4";
/// A second node's address: `host` for its pods, `remote-node` for n1's.
const NODE2_IP: &str = "10.224.0.5";
/// Where a pod runs: a declared node, an undeclared one, or not said.
const NODE_NAMES: [Option<&str>; 4] = [Some("n1"), Some("nb"), Some("ghost"), None];

fn loc() -> Loc {
    Loc::builtin("test")
}

fn pod_sel(r: &mut Rng) -> LabelSelector {
    let mut s = LabelSelector::default();
    match r.below(3) {
        0 => {}
        1 => s.match_labels.push(("app".into(), r.pick(&APPS).to_string())),
        _ => s.match_expressions.push(Requirement {
            key: "app".into(),
            op: SelectorOp::NotIn,
            values: vec![r.pick(&APPS).to_string()],
        }),
    }
    s
}

fn cilium_sel(r: &mut Rng, scope: &str) -> CiliumSelector {
    if r.chance(15) {
        // `io.cilium.k8s.namespace.labels.team`: unknown for a namespace no
        // input declares.
        let namespace = LabelSelector { match_labels: vec![("team".into(), "blue".into())], match_expressions: vec![] };
        return CiliumSelector { namespace, pod: pod_sel(r), namespace_labels: true };
    }
    let ns = if r.chance(30) { *r.pick(&NS) } else { scope };
    let namespace = LabelSelector {
        match_labels: vec![("kubernetes.io/metadata.name".into(), ns.to_string())],
        match_expressions: vec![],
    };
    CiliumSelector { namespace, pod: pod_sel(r), namespace_labels: false }
}

fn ports(r: &mut Rng) -> Vec<PolicyPort> {
    (0..r.below(3))
        .map(|_| match r.below(3) {
            0 => PolicyPort::Range(Protocol::Tcp, 80, 80),
            1 => PolicyPort::Range(*r.pick(&[Protocol::Tcp, Protocol::Udp]), 50, 60),
            _ => PolicyPort::Named(None, "http".into()),
        })
        .collect()
}

fn rule(r: &mut Rng, scope: &str, deny: bool, i: usize) -> CiliumRule {
    let peers = if r.chance(15) {
        None
    } else {
        Some(
            (0..r.below(3))
                .map(|_| match r.below(8) {
                    0..=3 => CiliumPeer::Endpoints(cilium_sel(r, scope)),
                    4 | 5 => CiliumPeer::Cidr(Cidr::parse(CIDRS[r.below(4) as usize]).unwrap().set()),
                    6 => CiliumPeer::Entity(*r.pick(&ENTITIES)),
                    _ => CiliumPeer::Unmodelled(tusk_model::cilium::CiliumUnmodelled::Field("toServices".into())),
                })
                .collect(),
        )
    };
    let unmodelled = (!deny && r.chance(15)).then(|| tusk_model::cilium::CiliumUnmodelled::L7("rules".into()));
    if r.chance(10) {
        // `icmps`: ICMP only, on types no flow names.
        let ports = vec![PolicyPort::All(Protocol::Icmp)];
        return CiliumRule {
            deny,
            name: format!("r[{i}]"),
            peers,
            ports,
            unmodelled: Some(tusk_model::cilium::CiliumUnmodelled::Icmps),
            loc: loc(),
        };
    }
    CiliumRule { deny, name: format!("r[{i}]"), peers, ports: ports(r), unmodelled, loc: loc() }
}

/// A cluster drawn from five tapes: `t[0]` for the objects, `t[1]` for the
/// namespace declarations, `t[2]` for the AdminNetworkPolicy, `t[3]` for the
/// pods' nodes, `t[4]` for the host policies.
fn cluster(t: &[Vec<u64>]) -> Cluster {
    let mut r = Rng::new(&t[0]);
    let mut c = Cluster::default();
    for ns in NS {
        c.namespaces.push(Namespace {
            name: ns.into(),
            labels: Labels::from([("kubernetes.io/metadata.name".to_string(), ns.to_string())]),
            loc: Some(loc()),
        });
    }
    // Apart from `r`: some namespaces undeclared, some declared with `team`.
    let mut ns_rng = Rng::new(&t[1]);
    for ns in &mut c.namespaces {
        match ns_rng.below(3) {
            0 => ns.loc = None,
            1 => {
                ns.labels.insert("team".into(), "blue".into());
            }
            _ => {}
        }
    }
    c.nodes.push(Node {
        name: "n1".into(),
        labels: Labels::from([("role".to_string(), "infra".to_string())]),
        ips: vec![NODE_IP.parse().unwrap()],
        provider_id: None,
        pod_cidrs: vec![],
        taints: vec![],
        unschedulable: false,
        loc: loc(),
    });
    let mut nb = c.nodes[0].clone();
    nb.name = "nb".into();
    nb.ips = vec![NODE2_IP.parse().unwrap()];
    c.nodes.push(nb);
    // Apart from `r`, so the other draws keep their seeds' clusters.
    let mut node_rng = Rng::new(&t[3]);
    for i in 0..(3 + r.below(6)) {
        let ns = r.pick(&NS).to_string();
        let labels = Labels::from([("app".to_string(), r.pick(&APPS).to_string())]);
        let ports = if r.chance(50) {
            vec![ContainerPort {
                name: Some("http".into()),
                port: if r.chance(50) { 80 } else { 55 },
                protocol: Protocol::Tcp,
            }]
        } else {
            vec![]
        };
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
            ips: vec![format!("10.0.0.{}", 1 + i).parse().unwrap()],
            host_ip: None,
            ip_range: None,
            host_network: r.chance(10),
            node_name: node_rng.pick(&NODE_NAMES).map(str::to_string),
            ports,
            workload: Idx::new(i as usize),
            mesh: Default::default(),
            loc: loc(),
            template: None,
        });
    }
    for i in 0..r.below(2) {
        let ns = r.pick(&NS).to_string();
        let mk = |r: &mut Rng| {
            (0..r.below(2))
                .map(|_| NpRule {
                    peers: vec![NpPeer::Pods { namespace_selector: None, pod_selector: Some(pod_sel(r)), loc: loc() }],
                    ports: ports(r),
                    loc: loc(),
                })
                .collect::<Vec<_>>()
        };
        let (ingress, egress) = (mk(&mut r), mk(&mut r));
        c.network_policies.push(NetworkPolicy {
            namespace: ns,
            name: format!("np{i}"),
            pod_selector: pod_sel(&mut r),
            isolates_ingress: r.chance(70),
            isolates_egress: r.chance(40),
            ingress,
            egress,
            loc: loc(),
        });
    }
    // Drawn apart from `r`: an AdminNetworkPolicy before the Cilium tier,
    // whose `nodes` peer may match any outside address (a node without
    // addresses), so first-match doubt and deny-wins doubt meet.
    let mut anp = Rng::new(&t[2]);
    if anp.chance(40) {
        let mut n2 = c.nodes[0].clone();
        n2.name = "n2".into();
        n2.ips.clear();
        c.nodes.push(n2);
        let any_ns = LabelSelector::default();
        let rules = |r: &mut Rng, egress: bool| {
            (0..1 + r.below(2))
                .map(|k| AdminRule {
                    name: format!("a{k}"),
                    action: *r.pick(&[AdminAction::Allow, AdminAction::Deny, AdminAction::Pass]),
                    peers: vec![if egress && r.chance(60) {
                        AdminPeer::Nodes(LabelSelector::default())
                    } else {
                        AdminPeer::Pods { namespace_selector: LabelSelector::default(), pod_selector: pod_sel(r) }
                    }],
                    ports: ports(r),
                    loc: loc(),
                })
                .collect::<Vec<_>>()
        };
        let subject = AdminPeer::Pods { namespace_selector: any_ns, pod_selector: pod_sel(&mut anp) };
        let (ingress, egress) = (rules(&mut anp, false), rules(&mut anp, true));
        c.admin_policies.push(AdminNetworkPolicy {
            name: "anp".into(),
            priority: Some(1),
            subject,
            ingress,
            egress,
            loc: loc(),
        });
    }
    for i in 0..(1 + r.below(4)) {
        let clusterwide = r.chance(25);
        let scope = *r.pick(&NS);
        let mut dirs: [Vec<CiliumRule>; 2] = [vec![], vec![]];
        for d in &mut dirs {
            for k in 0..r.below(3) {
                let deny = r.chance(35);
                d.push(rule(&mut r, scope, deny, k as usize));
            }
        }
        let selects = [!dirs[0].is_empty(), !dirs[1].is_empty()];
        let default_deny = [selects[0] && !r.chance(20), selects[1] && !r.chance(20)];
        let subject = if clusterwide {
            CiliumSelector { namespace: LabelSelector::default(), pod: pod_sel(&mut r), namespace_labels: false }
        } else {
            let mut s = cilium_sel(&mut r, scope);
            s.namespace.match_labels = vec![("kubernetes.io/metadata.name".into(), scope.to_string())];
            // The loader keeps subjects on namespace labels foreign.
            s.namespace_labels = false;
            s
        };
        let [ingress, egress] = dirs;
        c.cilium_policies.push(CiliumPolicy {
            kind: if clusterwide { "CiliumClusterwideNetworkPolicy" } else { "CiliumNetworkPolicy" }.into(),
            namespace: (!clusterwide).then(|| scope.to_string()),
            name: format!("cnp{i}"),
            subject,
            ingress,
            egress,
            nodes: None,
            default_deny,
            selects,
            loc: loc(),
        });
    }
    // Host policies (`nodeSelector`), drawn apart from `r`: they select no
    // pod but may refuse what passes between pods and the nodes they select.
    let mut host = Rng::new(&t[4]);
    for i in 0..host.below(3) {
        let nodes = match host.below(3) {
            0 => LabelSelector::default(),
            1 => LabelSelector { match_labels: vec![("role".into(), "infra".into())], match_expressions: vec![] },
            _ => LabelSelector {
                match_labels: vec![],
                match_expressions: vec![Requirement {
                    key: "role".into(),
                    op: SelectorOp::NotIn,
                    values: vec!["infra".into()],
                }],
            },
        };
        let mut dirs: [Vec<CiliumRule>; 2] = [vec![], vec![]];
        for d in &mut dirs {
            for k in 0..host.below(3) {
                let deny = host.chance(25);
                let mut rl = rule(&mut host, "a", deny, k as usize);
                if host.chance(40) {
                    rl.ports.clear();
                }
                d.push(rl);
            }
        }
        let selects = [!dirs[0].is_empty(), !dirs[1].is_empty()];
        let default_deny = [selects[0] && !host.chance(20), selects[1] && !host.chance(20)];
        let never = Requirement { key: "io.cilium.host-policy".into(), op: SelectorOp::In, values: vec![] };
        let subject = CiliumSelector {
            namespace: LabelSelector::default(),
            pod: LabelSelector { match_labels: vec![], match_expressions: vec![never] },
            namespace_labels: false,
        };
        let [ingress, egress] = dirs;
        c.cilium_policies.push(CiliumPolicy {
            kind: "CiliumClusterwideNetworkPolicy".into(),
            namespace: None,
            name: format!("host{i}"),
            subject,
            nodes: Some(nodes),
            ingress,
            egress,
            default_deny,
            selects,
            loc: loc(),
        });
    }
    c
}

const FLOWS: [(Protocol, u16); 5] =
    [(Protocol::Tcp, 80), (Protocol::Tcp, 55), (Protocol::Udp, 55), (Protocol::Sctp, 9), (Protocol::Icmp, 0)];
const OUTSIDE: [&str; 5] = ["10.9.9.9", "192.168.0.7", "8.8.8.8", NODE_IP, NODE2_IP];

/// The cluster's objects, one per line.
fn describe(c: &Cluster) -> String {
    let mut out = lines("namespace", &c.namespaces) + &lines("node", &c.nodes) + &lines("pod", &c.pods);
    out += &lines("networkPolicy", &c.network_policies);
    out += &lines("ciliumPolicy", &c.cilium_policies);
    out += &lines("adminNetworkPolicy", &c.admin_policies);
    out
}

/// Checks one random cluster; returns how many pod pairs were unknown.
fn check(c: &Cluster) -> Result<usize, TestCaseError> {
    let sem = Semantics::of(PolicyEngine::Cilium);
    let a = Analysis::new(c, sem);
    let rows = a.matrix(Grain::Pod);
    let (pods, ext) = split_rows(&rows);
    let ep = |i: usize| Endpoint::Pod(Idx::new(i), 0);
    let mut unknowns = 0;
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
                unknowns += unknown as usize;
                prop_assert!(
                    agree(&plain, allowed, unknown),
                    "{s}->{d} {proto} {port}: plain {plain:?}, engine allowed {allowed} unknown {unknown}"
                );
            }
        }
        for ip in OUTSIDE {
            let ip: IpAddr = ip.parse().unwrap();
            let v = tusk_core::ip::ip_to_u128(ip);
            for (proto, port) in FLOWS {
                let find = |src_out: bool| outside(&ext, ep(s), v, src_out, proto, port);
                let out = explain(c, &sem, FlowEnd::Pod(Idx::new(s)), FlowEnd::Address(ip), proto, port).verdict;
                let (al, un) = find(false);
                prop_assert!(agree(&out, al, un), "pod {s} -> {ip} {proto} {port}: plain {out:?}, engine {al} {un}");
                let inn = explain(c, &sem, FlowEnd::Address(ip), FlowEnd::Pod(Idx::new(s)), proto, port).verdict;
                let (al, un) = find(true);
                prop_assert!(agree(&inn, al, un), "{ip} -> pod {s} {proto} {port}: plain {inn:?}, engine {al} {un}");
            }
        }
    }
    Ok(unknowns)
}

#[test]
fn cilium_engine_agrees_with_plain_evaluator() {
    let unknown = Cell::new(0);
    let check_one = |t: &[Vec<u64>]| {
        unknown.set(unknown.get() + check(&cluster(t))?);
        Ok(())
    };
    run(1000, 5, check_one, |t| describe(&cluster(t)));
    let unknown = unknown.get();
    // L7 and unmodelled peers must have made some pairs unknown.
    assert!(unknown > 0, "no pod pair was ever unknown: the unmodelled cases did not run");
}
