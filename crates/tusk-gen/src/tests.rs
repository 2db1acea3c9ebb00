//! Properties of the generator that the benchmark relies on.

use crate::cluster::{DEPLOYMENTS_PER_NAMESPACE, INFRA_MIN_PODS};
use crate::policies::policy_count;
use crate::{generate, render};
use saphyr_parser::{Event, Parser};
use std::collections::HashSet;

#[test]
fn same_seed_gives_identical_files_and_another_seed_does_not() {
    let a = render(&generate(500, 42));
    let b = render(&generate(500, 42));
    let c = render(&generate(500, 43));
    assert_eq!(a, b);
    assert_ne!(a[1], c[1], "workloads should depend on the seed");
    assert_ne!(a[2], c[2], "policies should depend on the seed");
}

#[test]
fn pod_count_is_exact() {
    for pods in [1, 2, 3, 7, 19, 20, 21, 24, 200, 1000, 12_345] {
        for seed in [1, 2, 3] {
            let s = generate(pods, seed);
            assert_eq!(s.cluster.pod_count(), u64::from(pods), "pods={pods} seed={seed}");
        }
    }
}

#[test]
fn policy_count_follows_the_nca_ratio() {
    // NCA's published runs: 220 policies at 200 pods, 1,050 at 1,000.
    assert_eq!(policy_count(200), 220);
    assert_eq!(policy_count(1000), 1060);
    for pods in [1, 20, 200, 1000, 9_999] {
        assert_eq!(generate(pods, 7).policies.len(), policy_count(pods), "pods={pods}");
    }
}

#[test]
fn namespaces_stay_small_as_the_cluster_grows() {
    let s = generate(20_000, 1);
    let mut per_ns = vec![0usize; s.cluster.namespaces.len()];
    for d in &s.cluster.deployments {
        per_ns[d.namespace] += 1;
        assert!((1..=9).contains(&d.replicas), "{} has {} replicas", d.name, d.replicas);
    }
    assert!(per_ns.iter().all(|&n| n <= DEPLOYMENTS_PER_NAMESPACE), "{per_ns:?}");
    let mean = 20_000.0 / s.cluster.deployments.len() as f64;
    assert!((4.0..=6.0).contains(&mean), "mean replicas {mean}");
}

#[test]
fn small_clusters_have_no_infrastructure_namespaces() {
    let s = generate(INFRA_MIN_PODS - 1, 1);
    assert!(s.cluster.namespaces.iter().all(|ns| ns.app.is_some()));
    let s = generate(INFRA_MIN_PODS, 1);
    assert_eq!(s.cluster.namespaces[0].name, "kube-system");
}

#[test]
fn policy_names_are_unique_in_their_namespace() {
    let s = generate(3000, 5);
    let mut seen = HashSet::new();
    for p in &s.policies {
        assert!(seen.insert((p.namespace.clone(), p.name.clone())), "duplicate {}/{}", p.namespace, p.name);
    }
}

/// A minimal YAML tree, enough to look at the generated documents.
#[derive(Debug, Clone)]
enum Tree {
    Scalar(String),
    Seq(Vec<Tree>),
    Map(Vec<(String, Tree)>),
}

impl Tree {
    fn get(&self, key: &str) -> Option<&Tree> {
        match self {
            Tree::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn seq(&self) -> &[Tree] {
        match self {
            Tree::Seq(items) => items,
            other => panic!("expected a sequence, got {other:?}"),
        }
    }

    fn keys(&self) -> Vec<&str> {
        match self {
            Tree::Map(entries) => entries.iter().map(|(k, _)| k.as_str()).collect(),
            other => panic!("expected a mapping, got {other:?}"),
        }
    }
}

fn parse_all(text: &str) -> Vec<Tree> {
    let mut docs = Vec::new();
    let mut stack: Vec<(Tree, Option<String>)> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    while let Some(ev) = parser.next_event() {
        let (event, _) = ev.expect("generated YAML parses");
        let node = match event {
            Event::Scalar(s, ..) => Tree::Scalar(s.into_owned()),
            Event::SequenceStart(..) => {
                stack.push((Tree::Seq(vec![]), None));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push((Tree::Map(vec![]), None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => stack.pop().expect("balanced").0,
            _ => continue,
        };
        match stack.last_mut() {
            None => docs.push(node),
            Some((Tree::Seq(items), _)) => items.push(node),
            Some((Tree::Map(entries), key)) => match key.take() {
                None => match node {
                    Tree::Scalar(k) => *key = Some(k),
                    other => panic!("non-scalar key {other:?}"),
                },
                Some(k) => entries.push((k, node)),
            },
            Some((Tree::Scalar(_), _)) => unreachable!(),
        }
    }
    docs
}

#[test]
fn generated_yaml_reads_back_with_the_intended_structure() {
    let s = generate(400, 9);
    let [namespaces, workloads, policies] = render(&s);
    assert_eq!(parse_all(&namespaces).len(), s.cluster.namespaces.len());

    let deployments = parse_all(&workloads);
    assert_eq!(deployments.len(), s.cluster.deployments.len());
    for d in &deployments {
        let spec = d.get("spec").expect("spec");
        assert_eq!(spec.keys(), ["replicas", "selector", "template"]);
        let pod_spec = spec.get("template").and_then(|t| t.get("spec")).expect("template.spec");
        for c in pod_spec.get("containers").expect("containers").seq() {
            for port in c.get("ports").map(Tree::seq).unwrap_or_default() {
                assert_eq!(port.keys(), ["name", "containerPort", "protocol"]);
            }
        }
    }

    let docs = parse_all(&policies);
    assert_eq!(docs.len(), policy_count(400));
    let (mut end_ports, mut ip_blocks, mut expressions) = (0, 0, 0);
    for doc in &docs {
        let spec = doc.get("spec").expect("spec");
        assert!(spec.get("podSelector").is_some());
        for section in ["ingress", "egress"] {
            for rule in spec.get(section).map(Tree::seq).unwrap_or_default() {
                for port in rule.get("ports").map(Tree::seq).unwrap_or_default() {
                    assert!(port.keys().iter().all(|k| ["protocol", "port", "endPort"].contains(k)), "{port:?}");
                    end_ports += usize::from(port.get("endPort").is_some());
                }
                for peer in
                    rule.get(if section == "ingress" { "from" } else { "to" }).map(Tree::seq).unwrap_or_default()
                {
                    for k in peer.keys() {
                        assert!(["namespaceSelector", "podSelector", "ipBlock"].contains(&k), "{peer:?}");
                    }
                    ip_blocks += usize::from(peer.get("ipBlock").and_then(|b| b.get("except")).is_some());
                    expressions += usize::from(
                        peer.get("podSelector").and_then(|p| p.get("matchExpressions")).is_some()
                            || peer.get("namespaceSelector").and_then(|p| p.get("matchExpressions")).is_some(),
                    );
                }
            }
        }
    }
    assert!(end_ports > 0 && ip_blocks > 0 && expressions > 0, "{end_ports} {ip_blocks} {expressions}");
}

fn small_estate() -> crate::estate::Shape {
    crate::estate::Shape {
        spokes: 6,
        subnets_per_spoke: 3,
        network_rules: 150,
        application_rules: 120,
        no_route_table_every: 3,
        mesh_every: 2,
        tenants: 3,
        nodes_per_pool: 2,
        pods: 300,
        namespaces: 9,
        policies: 90,
        seed: 4,
    }
}

#[test]
fn an_estate_is_deterministic_and_its_yaml_reads_back() {
    let shape = small_estate();
    let (a, wa) = crate::estate::render(&shape).unwrap();
    let (b, _) = crate::estate::render(&shape).unwrap();
    assert_eq!(a, b, "same shape and seed, same bytes");
    let file = |name: &str| &a.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(parse_all(file("k8s/namespaces.yaml")).len(), 9);
    let workloads = parse_all(file("k8s/workloads.yaml"));
    assert_eq!(workloads.len(), wa.deployments);
    assert_eq!(wa.pods, 300, "exactly the pods asked for");
    assert_eq!(parse_all(file("k8s/policies.yaml")).len(), wa.policies);
    assert_eq!(wa.policies, 90, "ten per namespace");
    // 6 spokes × 3 subnets, the firewall subnet, the system pool's and 3 tenants'.
    assert_eq!(wa.subnets, 18 + 1 + 1 + 3);
    assert_eq!(wa.firewall_rules, 270);
    let net = file("network.json");
    // Spoke 3 and 6 have no route table; 2 and 4 are meshed with their next.
    assert!(!net.contains("rt-spoke3\"") && net.contains("rt-spoke2\""));
    assert!(net.contains("spoke2-to-spoke3") && net.contains("spoke3-to-spoke2"));
    assert!(net.contains("applicationRuleCollections") && net.contains("targetFqdns"));
    assert!(file("k8s/policies.yaml").contains("ipBlock"));
}

#[test]
fn an_estate_shape_outside_the_address_plan_is_refused() {
    let mut shape = small_estate();
    shape.spokes = 240;
    assert!(crate::estate::render(&shape).unwrap_err().contains("spokes"));
    let mut shape = small_estate();
    shape.pods = 10;
    assert!(crate::estate::render(&shape).unwrap_err().contains("pods"));
}
