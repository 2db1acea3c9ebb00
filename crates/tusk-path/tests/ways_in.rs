//! The ways in that depend on the Azure load balancer's own behaviour
//! (`tusk_path::ways_in`, `tusk_path::probe`), on the article's estate
//! (`examples/article/`) with `tests/aks/ways-in/services.yaml`: the health
//! probe from `AzureLoadBalancer`, floating IP off, the AKS-managed NSG
//! that is not exported, and a public frontend asked from inside Azure.
//! Each test asserts the verdict and the addresses the hops see.

use serde_json::{json, Value};
use std::net::IpAddr;
use std::sync::Arc;
use tusk_core::{FlowEnd, GroupKind, Idx, Kind, Protocol};
use tusk_model::Estate;
use tusk_network::endpoint::Endpoint;
use tusk_network::trace::Control;
use tusk_network::{Hop, Prepared};
use tusk_path::join::{self, Actor, Ask, GroupPath, Segment, Unevaluated, Wiring};
use tusk_policy::{PolicyEngine, Semantics};

fn file(rel: &str) -> String {
    let p = format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// The article's `variant` estate, its network edited, with `services`.
fn estate(variant: &str, edit: impl Fn(&mut Value), services: &str) -> Estate {
    let mut net: Value = serde_json::from_str(&file(&format!("examples/article/{variant}/network.json"))).unwrap();
    edit(&mut net);
    let sources: Vec<(Arc<str>, String)> = vec![
        (Arc::from("network.json"), net.to_string()),
        (Arc::from("cluster.json"), file(&format!("examples/article/{variant}/cluster.json"))),
        (Arc::from("workloads.yaml"), file(&format!("examples/article/{variant}/k8s/workloads.yaml"))),
        (Arc::from("policies.yaml"), file(&format!("examples/article/{variant}/k8s/policies.yaml"))),
        (Arc::from("services.yaml"), services.to_string()),
    ];
    tusk_load::load_sources(&sources).unwrap().estate
}

/// A rule in both tenant NSGs.
fn add_rule(net: &mut Value, rule: Value) {
    for name in ["nsg-tenant1", "nsg-tenant2"] {
        let nsg = net["value"].as_array_mut().unwrap().iter_mut().find(|r| r["name"] == name).unwrap();
        nsg["properties"]["securityRules"].as_array_mut().unwrap().push(rule.clone());
    }
}

fn allow(name: &str, priority: u32, src: &str, dst: &str, port: &str) -> Value {
    json!({"name": name, "properties": {"priority": priority, "direction": "Inbound", "access": "Allow",
        "protocol": "*", "sourceAddressPrefix": src, "sourcePortRange": "*",
        "destinationAddressPrefix": dst, "destinationPortRange": port}})
}

fn run(e: &Estate, from: &str, to: &str, port: u16) -> GroupPath {
    let w = Wiring::new(e);
    let p = Prepared::new(&w.net, &e.config);
    let a = join::resolve(e, &w, &p, &FlowEnd::parse(from).unwrap()).unwrap();
    let b = join::resolve_service(e, &w, &FlowEnd::parse(to).unwrap(), Protocol::Tcp, Some(port)).unwrap().unwrap();
    let sem = Semantics::of(PolicyEngine::Calico);
    let ask = Ask { sem: &sem, actor: Actor::Pod, proto: Protocol::Tcp, port: Some(port), http: None, fqdn: None };
    join::trace(e, &w, &p, &a, &b, ask)
}

fn probe(x: &tusk_path::join::Path) -> (Kind, Option<u16>, Vec<tusk_network::path::Step>) {
    x.segments
        .iter()
        .find_map(|s| match s {
            Segment::HealthProbe { port, steps, .. } => Some((s.verdict(), *port, steps.clone())),
            _ => None,
        })
        .expect("a way in through a node states the node's health probe")
}

fn network(x: &tusk_path::join::Path) -> &tusk_network::trace::Trace {
    x.segments.iter().find_map(|s| if let Segment::Network(t) = s { Some(&**t) } else { None }).unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn a_node_nsg_denying_azure_load_balancer_makes_the_frontend_unreachable_through_it() {
    // The article's tenant NSGs end in `deny-vnet` (priority 4000): the
    // host address 168.63.129.16 is part of the VirtualNetwork tag, so the
    // rule beats the default AllowAzureLoadBalancerInBound (65001). The
    // Service's own traffic is admitted (allow-80), yet every tenant node
    // fails the probe; the system pool's subnet has no NSG and passes.
    let e = estate(
        "cni",
        |net| add_rule(net, allow("allow-80", 150, "10.1.0.0/24", "10.1.10.200", "80")),
        &file("tests/aks/ways-in/services.yaml"),
    );
    let g = run(&e, "10.1.0.50", "svc:t2/api-internal", 80);
    assert!(!g.pairs.is_empty());
    let (mut tenant, mut system) = (0, 0);
    for x in &g.pairs {
        let entry = x.src_node.as_deref().unwrap();
        let (k, port, steps) = probe(x);
        // externalTrafficPolicy Cluster: the probe asks the node port.
        assert_eq!(port, Some(30081));
        if entry.starts_with("aks-system") {
            system += 1;
            assert_eq!(k, Kind::Allowed, "{entry}: no NSG on the system subnet");
            assert!(steps.is_empty());
        } else {
            tenant += 1;
            assert_eq!(k, Kind::Denied, "{entry}");
            let st = steps.last().unwrap();
            assert_eq!((st.src, st.decision.verdict), (ip("168.63.129.16"), Kind::Denied));
            assert!(matches!(st.at, Hop::Subnet(_)));
            assert!(st.dst.to_string().starts_with("10.1."), "the probe asks the node's own address: {}", st.dst);
            assert_eq!(x.verdict, Kind::Denied, "a node out of the backend pool gets no flow");
            let first = tusk_path::findings::deciding(x);
            assert!(matches!(first, Some(Segment::HealthProbe { .. })), "the probe decides: {first:?}");
        }
    }
    assert!(tenant > 0 && system > 0);
    // Through a system node the flow goes on to the tenant-2 pod, which
    // the tenant NSG and policies judge; the whole group is not allowed.
    assert_ne!(g.verdict, GroupKind::Allowed);
}

#[test]
fn admitting_azure_load_balancer_keeps_the_tenant_nodes_in_the_backend_pool() {
    let e = estate(
        "cni",
        |net| {
            add_rule(net, allow("allow-80", 150, "10.1.0.0/24", "10.1.10.200", "80"));
            add_rule(net, allow("allow-probes", 140, "AzureLoadBalancer", "*", "*"));
        },
        &file("tests/aks/ways-in/services.yaml"),
    );
    let g = run(&e, "10.1.0.50", "svc:t2/api-internal", 80);
    for x in &g.pairs {
        let (k, _, steps) = probe(x);
        assert_eq!(k, Kind::Allowed, "{:?}", x.src_node);
        if let Some(st) = steps.last() {
            assert!(st.decision.cite.is_some(), "the admitting rule is cited");
        }
    }
    // The pod's own node admits its node's SNAT (built-in admission).
    assert!(g.pairs.iter().any(|x| x.verdict == Kind::Allowed));
}

#[test]
fn local_policy_probes_the_health_check_node_port() {
    let e = estate("kubenet", |_| {}, &file("tests/aks/ways-in/services.yaml"));
    let g = run(&e, "internet:198.51.100.7", "svc:t2/api-public", 80);
    for x in &g.pairs {
        let (k, port, _) = probe(x);
        assert_eq!(port, Some(32000), "spec.healthCheckNodePort");
        assert_eq!(k, Kind::Denied, "deny-vnet of the tenant-2 NSG");
    }
    assert_eq!(g.verdict, GroupKind::Denied);
}

#[test]
fn floating_ip_off_the_node_nsgs_see_the_node_address_and_node_port() {
    let yaml = file("tests/aks/ways-in/services.yaml").replace(
        "    service.beta.kubernetes.io/azure-load-balancer-internal-subnet: data\n",
        "    service.beta.kubernetes.io/azure-load-balancer-internal-subnet: data\n    service.beta.kubernetes.io/azure-disable-load-balancer-floating-ip: \"true\"\n",
    );
    let e = estate(
        "cni",
        |net| {
            add_rule(net, allow("allow-nodeport", 150, "10.1.0.0/24", "*", "30081"));
            add_rule(net, allow("allow-probes", 140, "AzureLoadBalancer", "*", "*"));
        },
        &yaml,
    );
    assert!(!e.k8s.services.iter().find(|s| s.name == "api-internal").unwrap().floating_ip);
    let g = run(&e, "10.1.0.50", "svc:t2/api-internal", 80);
    let w = Wiring::new(&e);
    for x in &g.pairs {
        assert!(x
            .segments
            .iter()
            .any(|s| matches!(s, Segment::LoadBalancer { floating_ip: false, node_port: Some(30081), .. })));
        let t = network(x);
        assert_eq!(t.flow.port, Some(30081), "the node port");
        let entry = x.src_node.as_deref().unwrap();
        let n = Idx::all(&w.fleet.nodes).find(|&n| w.fleet.nodes[n].name == entry).unwrap();
        let node_ip = w.node_ips[n].unwrap();
        assert_eq!(t.flow.dst, node_ip);
        // Every control on the way in sees the node's address, not the frontend.
        for st in t.forward.steps.iter().filter(|s| s.control == Control::Nsg) {
            assert_eq!(st.dst, node_ip, "{entry}");
        }
        assert_eq!(t.forward.verdict, Kind::Allowed, "allow-nodeport admits it");
    }
}

#[test]
fn floating_ip_off_without_a_node_port_is_unknown() {
    let yaml = file("tests/aks/ways-in/services.yaml")
        .replace(
            "    service.beta.kubernetes.io/azure-load-balancer-internal-subnet: data\n",
            "    service.beta.kubernetes.io/azure-load-balancer-internal-subnet: data\n    service.beta.kubernetes.io/azure-disable-load-balancer-floating-ip: \"true\"\n",
        )
        .replace(", nodePort: 30081}", "}");
    let e = estate("cni", |net| add_rule(net, allow("allow-probes", 140, "AzureLoadBalancer", "*", "*")), &yaml);
    let g = run(&e, "10.1.0.50", "svc:t2/api-internal", 80);
    assert_eq!(g.verdict, GroupKind::Unknown);
    for x in &g.pairs {
        assert!(x
            .segments
            .iter()
            .any(|s| matches!(s, Segment::NotEvaluated(Unevaluated::NodePortUnknown { service }) if service == "t2/api-internal")));
    }
}

#[test]
fn a_node_nic_without_an_exported_nsg_states_the_aks_managed_nsg_it_assumes() {
    // The article's nodes are materialised (no exported NIC): the NSG AKS
    // keeps on them is not in the inputs, and the path says what is assumed.
    let e = estate("kubenet", |_| {}, &file("tests/aks/ways-in/services.yaml"));
    let g = run(&e, "internet:198.51.100.7", "svc:t2/api-public", 80);
    for x in &g.pairs {
        let entry = x.src_node.clone().unwrap();
        assert!(x.segments.iter().any(|s| matches!(s, Segment::ManagedNsgAssumed { node } if *node == entry)));
    }
}

#[test]
fn a_public_frontend_from_inside_azure_leaves_for_the_internet_first() {
    // From the system subnet, the 0.0.0.0/0 route sends the packet to the
    // hub firewall, which admits only HTTPS out: port 80 is denied there
    // (definite), port 443 (the ingress controller) leaves, and the way
    // back in through the load balancer is unknown, with its reason.
    let e = estate("kubenet", |_| {}, &file("tests/aks/ways-in/services.yaml"));
    let g = run(&e, "10.1.0.50", "svc:t2/api-public", 80);
    assert_eq!(g.verdict, GroupKind::Denied);
    for x in &g.pairs {
        let t = network(x);
        assert!(matches!(t.to, Endpoint::Internet { .. }));
        assert_eq!(t.flow.dst, ip("20.50.60.70"), "the packet is addressed to the public frontend");
        let fw = t.forward.steps.iter().find(|s| s.control == Control::Firewall).unwrap();
        assert_eq!(fw.decision.verdict, Kind::Denied);
    }
    let g = run(&e, "10.1.0.50", "svc:ingress-nginx/ingress-nginx-controller", 443);
    assert!(!g.pairs.is_empty());
    for x in &g.pairs {
        let t = network(x);
        assert_ne!(t.forward.verdict, Kind::Denied, "the firewall admits HTTPS out");
        assert!(x.segments.iter().any(|s| matches!(s, Segment::NotEvaluated(Unevaluated::PublicFrontendFromAzure))));
        assert_ne!(x.verdict, Kind::Allowed);
    }
}

#[test]
fn an_ingress_is_one_trace_from_the_internet_through_the_controller_to_the_backend() {
    // Without the 0.0.0.0/0 route the controller's reply leaves to the
    // Internet; the backend leg starts at the controller pod.
    let e = estate(
        "kubenet",
        |net| {
            let rt = net["value"].as_array_mut().unwrap().iter_mut().find(|r| r["name"] == "rt-aks").unwrap();
            rt["properties"]["routes"].as_array_mut().unwrap().clear();
        },
        &file("tests/aks/ways-in/services.yaml"),
    );
    let w = Wiring::new(&e);
    let p = Prepared::new(&w.net, &e.config);
    let to = FlowEnd::parse("ingress:t2/api/items").unwrap();
    let b = tusk_path::ingress::resolve_ingress(&e, &w, &to, Some(443)).unwrap().unwrap();
    let a = join::resolve(&e, &w, &p, &FlowEnd::parse("internet:198.51.100.7").unwrap()).unwrap();
    let sem = Semantics::of(PolicyEngine::Calico);
    let ask = Ask { sem: &sem, actor: Actor::Pod, proto: Protocol::Tcp, port: Some(443), http: None, fqdn: None };
    let g = join::trace(&e, &w, &p, &a, &b, ask);
    assert!(!g.pairs.is_empty());
    for x in &g.pairs {
        let i = x.segments.iter().position(|s| matches!(s, Segment::IngressProxy { .. })).unwrap();
        let (first, second) = x.segments.split_at(i);
        // Leg 1: the client's address reaches the controller's frontend.
        let t1 = first.iter().find_map(|s| if let Segment::Network(t) = s { Some(t) } else { None }).unwrap();
        assert_eq!((t1.flow.src, t1.flow.dst, t1.flow.port), (ip("198.51.100.7"), ip("20.50.60.80"), Some(443)));
        // Leg 2: the controller pod's own connection to the backend Service.
        assert!(matches!(&second[0], Segment::IngressProxy { service, port: 80, .. } if service == "t2/api"));
        assert!(matches!(second[1], Segment::ServiceDnat { target: 8080, .. }));
        let ctl_ip = second.iter().find_map(|s| match s {
            Segment::NodeExit { pod_ip, .. } => *pod_ip,
            _ => None,
        });
        assert!(
            ctl_ip.is_some_and(|ip| ip.to_string().starts_with("10.244.")),
            "the controller pod's address: {ctl_ip:?}"
        );
        assert!(matches!(x.to, tusk_path::join::PairEnd::Pod { ref namespace, .. } if namespace == "t2"));
    }
    // t2/same-tenant-only admits tenant 2's own namespace only: the
    // controller (namespace ingress-nginx) is refused at the backend.
    assert_eq!(g.verdict, GroupKind::Denied);
    assert!(g.pairs.iter().all(|x| matches!(
        tusk_path::findings::deciding(x),
        Some(Segment::DestinationPolicy { .. }) | Some(Segment::Network(_))
    )));
    // A path no rule serves falls back to the default backend; there is none.
    let none = FlowEnd::parse("ingress:t2/nope").unwrap();
    match tusk_path::ingress::resolve_ingress(&e, &w, &none, Some(443)) {
        Err(why) => assert!(
            matches!(&why, tusk_path::ingress::IngressError::NoSuchIngress { name, .. } if name == "nope"),
            "{why:?}"
        ),
        Ok(_) => panic!("an Ingress not in the inputs is an error"),
    }
}
