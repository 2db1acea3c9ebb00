//! The joined path (`tusk_path::join`) per network plugin — kubenet, Azure
//! CNI node subnet, Azure CNI pod subnet, CNI Overlay — and for both actors,
//! on the article's estate (`examples/article/`) with its cluster profile
//! edited per plugin.

use serde_json::{json, Value};
use std::net::IpAddr;
use std::sync::Arc;
use tusk_core::{FlowEnd, GroupKind, Kind, Protocol};
use tusk_model::Estate;
use tusk_network::Prepared;
use tusk_path::join::{self, Actor, Ask, ExitSource, GroupPath, Segment, Unevaluated, Wiring};
use tusk_path::segment::{MasqDefault, RuleKind};
use tusk_policy::{PolicyEngine, Semantics};

const SUB: &str = "/subscriptions/00000000-0000-0000-0000-0000000000a1/resourceGroups/rg-article/providers/Microsoft.Network/virtualNetworks/vnet-aks/subnets";

fn file(variant: &str, name: &str) -> String {
    let p = format!("{}/../../examples/article/{variant}/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// The article's estate with `edit` applied to its network and cluster.
fn estate(variant: &str, edit: impl Fn(&mut Value, &mut Value)) -> Estate {
    estate_with(variant, edit, None).unwrap()
}

fn estate_with(
    variant: &str,
    edit: impl Fn(&mut Value, &mut Value),
    extra: Option<&str>,
) -> Result<Estate, tusk_core::LoadError> {
    let mut net: Value = serde_json::from_str(&file(variant, "network.json")).unwrap();
    let mut cluster: Value = serde_json::from_str(&file(variant, "cluster.json")).unwrap();
    edit(&mut net, &mut cluster);
    let sources: Vec<(Arc<str>, String)> = vec![
        (Arc::from("network.json"), net.to_string()),
        (Arc::from("cluster.json"), cluster.to_string()),
        (Arc::from("workloads.yaml"), file(variant, "k8s/workloads.yaml")),
        (Arc::from("policies.yaml"), file(variant, "k8s/policies.yaml")),
    ];
    let mut sources = sources;
    if let Some(x) = extra {
        sources.push((Arc::from("ip-masq.yaml"), x.to_string()));
    }
    tusk_load::load_sources(&sources).map(|l| l.estate)
}

fn run(e: &Estate, from: &str, to: &str, port: u16, actor: Actor) -> GroupPath {
    let w = Wiring::new(e);
    let p = Prepared::new(&w.net, &e.config);
    let a = join::resolve(e, &w, &p, &FlowEnd::parse(from).unwrap()).unwrap();
    let b = join::resolve(e, &w, &p, &FlowEnd::parse(to).unwrap()).unwrap();
    let sem = Semantics::of(PolicyEngine::Calico);
    join::trace(
        e,
        &w,
        &p,
        &a,
        &b,
        Ask { sem: &sem, actor, proto: Protocol::Tcp, port: Some(port), http: None, fqdn: None },
    )
}

/// (source address at the node's exit, masqueraded) of each pair.
fn exits(g: &GroupPath) -> Vec<(IpAddr, bool)> {
    g.pairs
        .iter()
        .flat_map(|x| {
            x.segments.iter().filter_map(|s| match s {
                Segment::NodeExit { src, masqueraded, .. } => Some((*src, *masqueraded)),
                _ => None,
            })
        })
        .collect()
}

fn net_verdicts(g: &GroupPath) -> Vec<Kind> {
    g.pairs
        .iter()
        .flat_map(|x| {
            x.segments.iter().filter_map(|s| match s {
                Segment::Network(t) => Some(t.verdict),
                _ => None,
            })
        })
        .collect()
}

fn within(ip: IpAddr, block: &str) -> bool {
    tusk_core::ip::Cidr::parse(block).unwrap().set().contains_ip(ip)
}

#[test]
fn kubenet_pod_to_pod_keeps_the_pod_cidr_source_and_routes_by_the_generated_table() {
    let e = estate("kubenet", |_, _| {});
    let g = run(&e, "pod:t1/web-0", "pod:t2/api-0", 8080, Actor::Pod);
    for (src, nat) in exits(&g) {
        assert!(!nat && within(src, "10.244.0.0/16"), "{src}");
    }
    // The route step names the generated per-node route.
    let x = &g.pairs[0];
    let t = x.segments.iter().find_map(|s| if let Segment::Network(t) = s { Some(t) } else { None }).unwrap();
    let route = t.forward.steps.iter().find(|s| s.control == tusk_network::trace::Control::Route).unwrap();
    let Some(tusk_network::Cite::Route { route, .. }) = &route.decision.cite else { panic!("no route cited") };
    let tusk_network::routes::RouteOrigin::User(name) = &route.origin else { panic!("{:?}", route.origin) };
    assert!(name.ends_with("-podcidr"), "{name}");
    assert_eq!(g.verdict, GroupKind::Denied, "the NSG admits the pod CIDR; the policy denies");
}

#[test]
fn cni_node_subnet_keeps_the_pod_ip_inside_the_vnet() {
    let e = estate("cni", |_, _| {});
    let g = run(&e, "workload:t1/web", "workload:t2/api", 8080, Actor::Pod);
    for (src, nat) in exits(&g) {
        assert!(!nat && within(src, "10.1.1.0/24"), "{src}");
    }
    assert!(net_verdicts(&g).iter().all(|k| *k == Kind::Denied));
}

#[test]
fn cni_pod_subnet_pods_leave_from_their_pod_subnet() {
    let e = estate("cni", |net, cluster| {
        let vnet = net["value"].as_array_mut().unwrap().iter_mut().find(|r| r["name"] == "vnet-aks").unwrap();
        vnet["properties"]["subnets"].as_array_mut().unwrap().push(json!({
            "name": "pods", "id": format!("{SUB}/pods"), "properties": {"addressPrefix": "10.1.64.0/20"}
        }));
        for pool in cluster["properties"]["agentPoolProfiles"].as_array_mut().unwrap() {
            pool["podSubnetID"] = json!(format!("{SUB}/pods"));
        }
    });
    let g = run(&e, "pod:t1/web-0", "pod:t2/api-0", 8080, Actor::Pod);
    for (src, nat) in exits(&g) {
        assert!(!nat && within(src, "10.1.64.0/20"), "{src}");
    }
    // The pods subnet has no NSG: nothing in Azure stops it; the policy does.
    assert!(net_verdicts(&g).iter().all(|k| *k == Kind::Allowed), "{:?}", net_verdicts(&g));
    assert_eq!(g.verdict, GroupKind::Denied);
}

fn overlay(net_edit: impl Fn(&mut Value)) -> Estate {
    estate("cni", |net, cluster| {
        let np = &mut cluster["properties"]["networkProfile"];
        np["networkPluginMode"] = json!("overlay");
        np["podCidr"] = json!("10.244.0.0/16");
        net_edit(net);
    })
}

/// The route step's user route name of each pair's Azure leg.
fn route_names(g: &GroupPath) -> Vec<String> {
    g.pairs
        .iter()
        .flat_map(|x| x.segments.iter())
        .filter_map(|s| if let Segment::Network(t) = s { Some(t) } else { None })
        .flat_map(|t| t.forward.steps.iter())
        .filter_map(|st| match &st.decision.cite {
            Some(tusk_network::Cite::Route { route, .. }) => match &route.origin {
                tusk_network::routes::RouteOrigin::User(n) => Some(n.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn overlay_pod_to_pod_keeps_pod_addresses_that_the_subnet_nsgs_judge() {
    // AKS docs, "Azure CNI Overlay networking": pod-to-pod traffic is not
    // encapsulated and the subnets' NSG rules apply to it.
    let e = overlay(|_| {});
    let g = run(&e, "pod:t1/web-0", "pod:t2/api-0", 8080, Actor::Pod);
    for (src, nat) in exits(&g) {
        assert!(!nat && within(src, "10.244.0.0/16"), "{src}");
    }
    assert!(route_names(&g).iter().all(|n| n == "aks-overlay-podcidr-1"), "{:?}", route_names(&g));
    // nsg-tenant2's deny-vnet judges the pod address and denies it.
    assert!(net_verdicts(&g).iter().all(|k| *k == Kind::Denied), "{:?}", net_verdicts(&g));
    assert_eq!(g.verdict, GroupKind::Denied);
    // Traffic to the VNet outside the cluster takes the node address.
    let g = run(&e, "pod:t1/web-0", "pe-sql", 1433, Actor::Pod);
    for (src, nat) in exits(&g) {
        assert!(nat && within(src, "10.1.1.0/24"), "{src}");
    }
    assert_eq!(g.verdict, GroupKind::Allowed);
}

#[test]
fn overlay_pod_to_pod_reaches_the_node_and_traces_the_reply() {
    // Without deny-vnet on tenant 2's NSG the Azure leg delivers to the
    // node that takes the pod's address, and the reply comes back.
    let e = overlay(|net| {
        let nsg = net["value"].as_array_mut().unwrap().iter_mut().find(|r| r["name"] == "nsg-tenant2").unwrap();
        nsg["properties"]["securityRules"].as_array_mut().unwrap().retain(|r| r["name"] != "deny-vnet");
    });
    let g = run(&e, "pod:t1/web-0", "pod:t2/api-0", 8080, Actor::Pod);
    for x in &g.pairs {
        let t = x.segments.iter().find_map(|s| if let Segment::Network(t) = s { Some(t) } else { None }).unwrap();
        assert_eq!(t.verdict, Kind::Allowed);
        assert!(t.reply.as_ref().is_some_and(|r| r.verdict == Kind::Allowed), "the reply is traced");
        assert!(x.segments.iter().any(|s| matches!(s, Segment::PodBridge { overlay: true, .. })));
    }
}

#[test]
fn overlay_with_a_user_route_inside_the_pod_cidr_is_unknown() {
    let e = overlay(|net| {
        let rt = net["value"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|r| r["type"] == "Microsoft.Network/routeTables")
            .unwrap();
        rt["properties"]["routes"].as_array_mut().unwrap().push(json!({
            "name": "pods-to-fw",
            "properties": {"addressPrefix": "10.244.8.0/24", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.1.4"}
        }));
    });
    let g = run(&e, "pod:t1/web-0", "pod:t2/api-0", 8080, Actor::Pod);
    assert_eq!(g.verdict, GroupKind::Unknown);
    for x in &g.pairs {
        assert!(x.segments.iter().any(
            |s| matches!(s, Segment::NotEvaluated(Unevaluated::OverlayRoute(r)) if r.name == "pods-to-fw" && r.kind == RuleKind::Route)
        ));
    }
}

#[test]
fn kubenet_pod_destination_is_delivered_to_its_node_and_the_reply_traced() {
    // Tenant 2's NSG admits the pod CIDR: the Azure leg goes through.
    let e = estate("kubenet", |_, _| {});
    let g = run(&e, "pod:t1/web-0", "pod:t2/api-0", 8080, Actor::Pod);
    for x in &g.pairs {
        let t = x.segments.iter().find_map(|s| if let Segment::Network(t) = s { Some(t) } else { None }).unwrap();
        assert_eq!(t.verdict, Kind::Allowed, "the NSG admits the pod CIDR");
        let last = t.forward.steps.last().unwrap();
        assert!(matches!(last.decision.reason, tusk_network::Reason::Delivered(_)), "{:?}", last.decision.reason);
        assert!(t.forward.steps.iter().any(|s| matches!(s.decision.reason, tusk_network::Reason::HandedTo { .. })));
        let reply = t.reply.as_ref().expect("the reply is traced");
        assert_eq!(reply.verdict, Kind::Allowed);
        let src = x.segments.iter().find_map(|s| if let Segment::NodeExit { src, .. } = s { Some(*src) } else { None });
        assert_eq!(Some(reply.final_dst), src, "back to the source pod's address");
        assert!(x.segments.iter().any(|s| matches!(s, Segment::PodBridge { overlay: false, .. })));
    }
}

#[test]
fn the_node_actor_has_no_source_policy_and_takes_the_node_address() {
    for variant in ["kubenet", "cni"] {
        let e = estate(variant, |_, _| {});
        let g = run(&e, "pod:t1/web-0", "pe-sql", 1433, Actor::Node);
        assert_eq!(g.actor, Actor::Node);
        for x in &g.pairs {
            assert!(!x.segments.iter().any(|s| matches!(s, Segment::SourcePolicy(_))));
        }
        for (src, nat) in exits(&g) {
            assert!(!nat && within(src, "10.1.1.0/24"), "{variant}: {src}");
        }
        // The pod actor of the same flow does have a source policy segment.
        let g = run(&e, "pod:t1/web-0", "pe-sql", 1433, Actor::Pod);
        assert!(g.pairs.iter().all(|x| x.segments.iter().any(|s| matches!(s, Segment::SourcePolicy(_)))));
    }
}

#[test]
fn a_node_reaching_a_pod_on_itself_is_admitted_whatever_the_policies() {
    let e = estate("kubenet", |_, _| {});
    let g = run(&e, "node:tenant2", "pod:t2/api-0", 8080, Actor::Node);
    let same: Vec<_> = g.pairs.iter().filter(|x| x.src_node == x.dst_node).collect();
    assert!(!same.is_empty());
    for x in same {
        assert_eq!(x.verdict, Kind::Allowed);
        assert!(x.segments.iter().any(|s| matches!(s, Segment::SameNode { .. })));
    }
}

#[test]
fn an_unknown_plugin_is_never_a_definite_verdict() {
    let e = estate("cni", |_, cluster| {
        cluster["properties"]["networkProfile"]["networkPlugin"] = json!("none");
    });
    let g = run(&e, "pod:t1/web-0", "pe-sql", 1433, Actor::Pod);
    assert_eq!(g.verdict, GroupKind::Unknown);
}

const IP_MASQ: &str = "apiVersion: v1
kind: ConfigMap
metadata: {name: azure-ip-masq-agent-config, namespace: kube-system}
data:
  ip-masq-agent: |-
    nonMasqueradeCIDRs:
      - @CIDR@
    masqLinkLocal: false
";

#[test]
fn an_exported_ip_masq_agent_config_adds_non_masquerade_ranges() {
    let e = estate_with("kubenet", |_, _| {}, Some(&IP_MASQ.replace("@CIDR@", "10.1.10.0/24"))).unwrap();
    let g = run(&e, "pod:t1/web-0", "pe-sql", 1433, Actor::Pod);
    for x in &g.pairs {
        let why = x
            .segments
            .iter()
            .find_map(|s| if let Segment::NodeExit { why, .. } = s { Some(why.clone()) } else { None })
            .unwrap();
        let ExitSource::Masquerade(m) = &why else { panic!("a pod's exit names its ranges: {why:?}") };
        assert_eq!(m.default, MasqDefault::PodCidr);
        assert_eq!(m.configs.len(), 1, "{why:?}");
        assert_eq!(m.configs[0].name, "kube-system/azure-ip-masq-agent-config");
        assert_eq!(m.configs[0].cidrs.iter().map(|c| c.to_string()).collect::<Vec<_>>(), ["10.1.10.0/24"]);
        assert_eq!(m.configs[0].loc.to_string(), "ip-masq.yaml:1:1");
    }
    for (src, nat) in exits(&g) {
        assert!(!nat && within(src, "10.244.0.0/16"), "the data service now sees the pod address: {src}");
    }
    // Without the ConfigMap the same flow is masqueraded (the default).
    let g = run(&estate("kubenet", |_, _| {}), "pod:t1/web-0", "pe-sql", 1433, Actor::Pod);
    assert!(exits(&g).iter().all(|(_, nat)| *nat));
}

#[test]
fn a_bad_cidr_in_the_ip_masq_agent_config_is_a_located_error() {
    let err = estate_with("kubenet", |_, _| {}, Some(&IP_MASQ.replace("@CIDR@", "10.1.10.0/33"))).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("ip-masq.yaml:7:9:"), "the CIDR's own line and column: {text}");
    assert!(text.contains("10.1.10.0/33"), "{text}");
}

#[test]
fn the_kubenet_routes_are_merged_with_the_users_on_the_same_table() {
    let e = estate("kubenet", |_, _| {});
    let w = Wiring::new(&e);
    assert_eq!(w.net.route_tables.len(), 1, "the pools' table is reused, not duplicated");
    let names: Vec<&str> = w.net.route_tables[0].routes.iter().map(|r| r.name.as_str()).collect();
    assert!(names.contains(&"default-via-hub-firewall"), "{names:?}");
    // One route per node (2 per pool, 3 pools), each to its node's address.
    let generated: Vec<_> = w.net.route_tables[0].routes.iter().filter(|r| r.name.ends_with("-podcidr")).collect();
    assert_eq!(generated.len(), 6, "{names:?}");
    let mut blocks: Vec<String> = generated.iter().map(|r| format!("{:?}", r.destination)).collect();
    blocks.sort();
    blocks.dedup();
    assert_eq!(blocks.len(), 6, "each node its own /24");
    for r in generated {
        let hop = r.next_hop_ip.unwrap();
        assert!(w.node_ips.values().any(|ip| *ip == Some(hop)), "{hop} is a node's address");
    }
    // Azure CNI: no route is generated.
    let w = Wiring::new(&estate("cni", |_, _| {}));
    assert_eq!(w.net.route_tables[0].routes.len(), 1);
}

#[test]
fn a_rule_naming_part_of_a_pools_subnet_makes_node_verdicts_unknown() {
    // nsg-data admits one address of tenant 1's subnet, not the whole: which
    // address AKS gives a node is not predictable.
    let e = estate("kubenet", |net, _| {
        let nsg = net["value"].as_array_mut().unwrap().iter_mut().find(|r| r["name"] == "nsg-data").unwrap();
        nsg["properties"]["securityRules"][0]["properties"]["sourceAddressPrefix"] = json!("10.1.1.4");
    });
    let g = run(&e, "node:tenant1", "pe-sql", 1433, Actor::Node);
    assert_eq!(g.verdict, GroupKind::Unknown);
    assert!(g.pairs.iter().all(|x| x.verdict == Kind::Unknown));
}

#[test]
fn a_service_destination_is_translated_at_the_source_node_to_its_endpoints() {
    let e = estate("cni", |_, _| {});
    let w = Wiring::new(&e);
    let p = Prepared::new(&w.net, &e.config);
    let svc = FlowEnd::parse("svc:t2/api").unwrap();
    let to = join::resolve_service(&e, &w, &svc, Protocol::Tcp, Some(80)).unwrap().unwrap();
    // By ClusterIP too.
    let by_ip = FlowEnd::parse("172.16.20.10").unwrap();
    assert!(join::resolve_service(&e, &w, &by_ip, Protocol::Tcp, Some(80)).unwrap().is_some());
    // A port the Service does not have is an error.
    assert!(matches!(
        join::resolve_service(&e, &w, &svc, Protocol::Tcp, Some(81)),
        Err(join::ServiceError::NoSuchPort { port: 81, .. })
    ));
    assert!(matches!(
        join::resolve_service(&e, &w, &svc, Protocol::Tcp, None),
        Err(join::ServiceError::NoPort(ref s)) if s.name == "api"
    ));
    let missing = FlowEnd::parse("svc:t2/nope").unwrap();
    assert!(matches!(
        join::resolve_service(&e, &w, &missing, Protocol::Tcp, Some(80)),
        Err(join::ServiceError::NoSuchService(ref s)) if s.name == "nope"
    ));
    let from = join::resolve(&e, &w, &p, &FlowEnd::parse("pod:t1/web-0").unwrap()).unwrap();
    let sem = Semantics::of(PolicyEngine::Calico);
    let g = join::trace(
        &e,
        &w,
        &p,
        &from,
        &to,
        Ask { sem: &sem, actor: Actor::Pod, proto: Protocol::Tcp, port: Some(80), http: None, fqdn: None },
    );
    assert!(!g.pairs.is_empty());
    for x in &g.pairs {
        assert!(matches!(x.segments[0], Segment::ServiceDnat { target: 8080, .. }));
        for s in &x.segments {
            if let Segment::Network(t) = s {
                assert_eq!(t.flow.port, Some(8080), "the NSGs see the target port");
            }
        }
    }
    assert_eq!(g.verdict, GroupKind::Denied, "the tenant-2 NSG denies tenant 1's pods under CNI");
}

fn ways_in_yaml() -> String {
    let p = format!("{}/../../tests/aks/ways-in/services.yaml", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// An NSG rule admitting `src` to `dst` on TCP 80, and one admitting the
/// load balancer's health probes (the `AzureLoadBalancer` tag: the
/// article's `deny-vnet` would deny them, see tests/ways_in.rs), added to
/// both tenant NSGs.
fn admit_80(net: &mut Value, src: &str, dst: &str) {
    for name in ["nsg-tenant1", "nsg-tenant2"] {
        let nsg = net["value"].as_array_mut().unwrap().iter_mut().find(|r| r["name"] == name).unwrap();
        let rules = nsg["properties"]["securityRules"].as_array_mut().unwrap();
        rules.push(json!({
            "name": "allow-lb-80",
            "properties": {"priority": 150, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                "sourceAddressPrefix": src, "sourcePortRange": "*", "destinationAddressPrefix": dst, "destinationPortRange": "80"}
        }));
        rules.push(json!({
            "name": "allow-lb-probes",
            "properties": {"priority": 140, "direction": "Inbound", "access": "Allow", "protocol": "*",
                "sourceAddressPrefix": "AzureLoadBalancer", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}
        }));
    }
}

fn run_svc(e: &Estate, from: &str, to: &str, port: u16) -> GroupPath {
    let w = Wiring::new(e);
    let p = Prepared::new(&w.net, &e.config);
    let a = join::resolve(e, &w, &p, &FlowEnd::parse(from).unwrap()).unwrap();
    let b = join::resolve_service(e, &w, &FlowEnd::parse(to).unwrap(), Protocol::Tcp, Some(port)).unwrap().unwrap();
    let sem = Semantics::of(PolicyEngine::Calico);
    join::trace(
        e,
        &w,
        &p,
        &a,
        &b,
        Ask { sem: &sem, actor: Actor::Pod, proto: Protocol::Tcp, port: Some(port), http: None, fqdn: None },
    )
}

#[test]
fn a_public_load_balancer_behind_a_default_route_to_the_firewall_drops_the_reply() {
    // The article's pool subnets send 0.0.0.0/0 to the hub firewall: the
    // reply to an Internet client leaves through a firewall that never saw
    // the request (asymmetric routing).
    let e = estate_with("kubenet", |net, _| admit_80(net, "Internet", "20.50.60.70"), Some(&ways_in_yaml())).unwrap();
    let g = run_svc(&e, "internet:198.51.100.7", "svc:t2/api-public", 80);
    assert!(!g.pairs.is_empty());
    for x in &g.pairs {
        // externalTrafficPolicy Local: the entry node is the pod's node.
        assert_eq!(x.src_node, x.dst_node);
        let t = x.segments.iter().find_map(|s| if let Segment::Network(t) = s { Some(t) } else { None }).unwrap();
        assert_eq!(t.forward.verdict, Kind::Allowed, "the request reaches the node");
        let nsg = t.forward.steps.iter().rev().find(|s| s.control == tusk_network::trace::Control::Nsg).unwrap();
        assert_eq!(nsg.dst.to_string(), "20.50.60.70", "floating IP: the NSG sees the frontend");
        assert!(x.segments.iter().any(|s| matches!(s, Segment::AsymmetricReturn { .. })));
        assert_eq!(x.verdict, Kind::Denied);
    }
    assert_eq!(g.verdict, GroupKind::Denied);
}

#[test]
fn a_public_load_balancer_with_local_policy_shows_the_client_address_to_the_pod() {
    // Without the default route to the firewall the reply leaves to the
    // Internet; the pod sees the client's address and its policy decides.
    let e = estate_with(
        "kubenet",
        |net, _| {
            admit_80(net, "Internet", "20.50.60.70");
            let rt = net["value"].as_array_mut().unwrap().iter_mut().find(|r| r["name"] == "rt-aks").unwrap();
            rt["properties"]["routes"].as_array_mut().unwrap().clear();
        },
        Some(&ways_in_yaml()),
    )
    .unwrap();
    let g = run_svc(&e, "internet:198.51.100.7", "svc:t2/api-public", 80);
    for x in &g.pairs {
        let t = x.segments.iter().find_map(|s| if let Segment::Network(t) = s { Some(t) } else { None }).unwrap();
        assert_eq!(t.verdict, Kind::Allowed, "request and reply");
        assert!(x.segments.iter().any(|s| matches!(s, Segment::KubeProxy { snat: None, target: 8080, .. })));
        let seen = x.segments.iter().find_map(|s| {
            if let Segment::DestinationPolicy { seen_src, .. } = s {
                Some(*seen_src)
            } else {
                None
            }
        });
        assert_eq!(seen.map(|ip| ip.to_string()).as_deref(), Some("198.51.100.7"));
    }
    // t2/same-tenant-only admits tenant 2's namespace only.
    assert_eq!(g.verdict, GroupKind::Denied);
}

#[test]
fn an_internal_load_balancer_with_cluster_policy_snats_to_the_entry_node() {
    let e = estate_with("cni", |net, _| admit_80(net, "10.1.0.0/24", "10.1.10.200"), Some(&ways_in_yaml())).unwrap();
    // By frontend address, from a free address of the system subnet.
    let g = run_svc(&e, "10.1.0.50", "10.1.10.200", 80);
    assert!(g.pairs.len() > 4, "every node is an entry: {}", g.pairs.len());
    for x in &g.pairs {
        let snat =
            x.segments.iter().find_map(|s| if let Segment::KubeProxy { snat, .. } = s { Some(*snat) } else { None });
        if let Some(snat) = snat {
            assert!(snat.is_some_and(|ip| within(ip, "10.1.0.0/16")), "Cluster: the node's address");
        }
        if x.src_node == x.dst_node && snat.is_some() {
            // The pod's own node: built-in admission.
            assert_eq!(x.verdict, Kind::Allowed, "{:?}", x.segments);
        }
    }
    assert!(g.pairs.iter().any(|x| x.verdict == Kind::Allowed));
}

#[test]
fn a_load_balancer_service_without_a_frontend_address_is_unknown() {
    let yaml = ways_in_yaml().replace("    ingress: [{ip: 20.50.60.70}]", "    ingress: []");
    let e = estate_with("kubenet", |_, _| {}, Some(&yaml)).unwrap();
    let g = run_svc(&e, "internet:198.51.100.7", "svc:t2/api-public", 80);
    assert_eq!(g.verdict, GroupKind::Unknown);
}

fn egress(g: &GroupPath) -> Vec<tusk_model::aks::OutboundType> {
    g.pairs
        .iter()
        .flat_map(|x| x.segments.iter())
        .filter_map(|s| if let Segment::Egress { outbound } = s { Some(*outbound) } else { None })
        .collect()
}

#[test]
fn each_outbound_type_is_named_where_a_pods_flow_leaves_for_the_internet() {
    use tusk_model::aks::OutboundType as O;
    // Without the article's 0.0.0.0/0 route the VNet's system route sends
    // Internet traffic out directly; the outbound type says who translates.
    for (name, want) in [
        ("loadBalancer", O::LoadBalancer),
        ("managedNATGateway", O::ManagedNatGateway),
        ("userAssignedNATGateway", O::UserAssignedNatGateway),
        ("none", O::None),
    ] {
        let e = estate("cni", |net, cluster| {
            cluster["properties"]["networkProfile"]["outboundType"] = json!(name);
            let rt = net["value"].as_array_mut().unwrap().iter_mut().find(|r| r["name"] == "rt-aks").unwrap();
            rt["properties"]["routes"].as_array_mut().unwrap().clear();
        });
        let g = run(&e, "pod:t1/web-0", "internet:8.8.8.8", 443, Actor::Pod);
        assert_eq!(g.verdict, GroupKind::Allowed, "{name}");
        assert!(!g.pairs.is_empty());
        assert!(egress(&g).iter().all(|o| *o == want) && egress(&g).len() == g.pairs.len(), "{name}: {:?}", egress(&g));
        for (src, nat) in exits(&g) {
            assert!(nat && within(src, "10.1.1.0/24"), "{name}: outside the VNet the node address: {src}");
        }
    }
    // userDefinedRouting: the article's 0.0.0.0/0 route to the hub firewall,
    // whose network rule admits 443 and translates the source.
    let e = estate("cni", |_, _| {});
    let g = run(&e, "pod:t1/web-0", "internet:8.8.8.8", 443, Actor::Pod);
    assert!(egress(&g).iter().all(|o| *o == O::UserDefinedRouting) && !egress(&g).is_empty());
    for x in &g.pairs {
        let t = x.segments.iter().find_map(|s| if let Segment::Network(t) = s { Some(t) } else { None }).unwrap();
        assert!(
            t.forward.steps.iter().any(|s| s.control == tusk_network::trace::Control::Firewall),
            "through the hub firewall"
        );
    }
}

#[test]
fn the_cilium_data_plane_follows_its_ipam_mode() {
    // Azure CNI powered by Cilium in overlay mode: the data path is the
    // overlay's (pod addresses kept inside the pod CIDR, node address
    // outside it); the policy semantics are Cilium's (the CLI picks them
    // from networkPolicy).
    let e = estate("cni", |_, cluster| {
        let np = &mut cluster["properties"]["networkProfile"];
        np["networkPluginMode"] = json!("overlay");
        np["podCidr"] = json!("10.244.0.0/16");
        np["networkDataplane"] = json!("cilium");
        np["networkPolicy"] = json!("cilium");
    });
    assert_eq!(e.clusters[0].network.dataplane, tusk_model::aks::Dataplane::Cilium);
    let g = run(&e, "pod:t1/web-0", "pod:t2/api-0", 8080, Actor::Pod);
    for (src, nat) in exits(&g) {
        assert!(!nat && within(src, "10.244.0.0/16"), "{src}");
    }
    assert!(route_names(&g).iter().all(|n| n == "aks-overlay-podcidr-1") && !route_names(&g).is_empty());
    let g = run(&e, "pod:t1/web-0", "pe-sql", 1433, Actor::Pod);
    for (src, nat) in exits(&g) {
        assert!(nat && within(src, "10.1.1.0/24"), "{src}");
    }
}

#[test]
fn proto_any_across_the_cluster_is_allowed_when_some_protocol_gets_through() {
    use tusk_path::any_protocol::{combine, some};
    assert_eq!(some([Kind::Denied, Kind::Allowed]), Kind::Allowed);
    assert_eq!(some([Kind::Denied, Kind::Unknown]), Kind::Unknown);
    assert_eq!(some([Kind::Denied, Kind::Denied]), Kind::Denied);
    // The data subnet's NSG admits tenant 1 on TCP 1433 only.
    let e = estate("kubenet", |_, _| {});
    let w = Wiring::new(&e);
    let p = Prepared::new(&w.net, &e.config);
    let a = join::resolve(&e, &w, &p, &FlowEnd::parse("pod:t1/web-0").unwrap()).unwrap();
    let b = join::resolve(&e, &w, &p, &FlowEnd::parse("pe-sql").unwrap()).unwrap();
    let sem = Semantics::of(PolicyEngine::Calico);
    let per: Vec<(Protocol, GroupPath)> = [Protocol::Tcp, Protocol::Udp, Protocol::Icmp]
        .into_iter()
        .map(|proto| {
            (
                proto,
                join::trace(
                    &e,
                    &w,
                    &p,
                    &a,
                    &b,
                    Ask { sem: &sem, actor: Actor::Pod, proto, port: Some(1433), http: None, fqdn: None },
                ),
            )
        })
        .collect();
    assert_eq!(per[0].1.verdict, GroupKind::Allowed);
    assert_eq!(per[1].1.verdict, GroupKind::Denied);
    assert_eq!(combine(per, Vec::new()).verdict, GroupKind::Allowed);
}

#[test]
fn an_ingress_controller_is_reached_through_its_load_balancer_and_reaches_backends_by_cluster_ip() {
    // Without the 0.0.0.0/0 route to the firewall: the Internet reaches the
    // controller's pods on the system pool (Local: the client's address).
    let e = estate_with(
        "kubenet",
        |net, _| {
            let rt = net["value"].as_array_mut().unwrap().iter_mut().find(|r| r["name"] == "rt-aks").unwrap();
            rt["properties"]["routes"].as_array_mut().unwrap().clear();
        },
        Some(&ways_in_yaml()),
    )
    .unwrap();
    let g = run_svc(&e, "internet:198.51.100.7", "svc:ingress-nginx/ingress-nginx-controller", 443);
    assert_eq!(g.verdict, GroupKind::Allowed, "the system subnet has no NSG, no policy isolates the controller");
    for x in &g.pairs {
        assert!(x.dst_node.as_deref().is_some_and(|n| n.starts_with("aks-system-")), "{:?}", x.dst_node);
        assert!(x.segments.iter().any(|s| matches!(s, Segment::KubeProxy { snat: None, target: 443, .. })));
    }
    // The controller's own flow to a backend goes to the ClusterIP, then the
    // backend's policy (tenant 2 admits its own namespace only) decides.
    let w = Wiring::new(&e);
    let p = Prepared::new(&w.net, &e.config);
    let a =
        join::resolve(&e, &w, &p, &FlowEnd::parse("workload:ingress-nginx/ingress-nginx-controller").unwrap()).unwrap();
    let b = join::resolve_service(&e, &w, &FlowEnd::parse("svc:t2/api").unwrap(), Protocol::Tcp, Some(80))
        .unwrap()
        .unwrap();
    let sem = Semantics::of(PolicyEngine::Calico);
    let g = join::trace(
        &e,
        &w,
        &p,
        &a,
        &b,
        Ask { sem: &sem, actor: Actor::Pod, proto: Protocol::Tcp, port: Some(80), http: None, fqdn: None },
    );
    assert!(g.pairs.iter().all(|x| matches!(x.segments[0], Segment::ServiceDnat { target: 8080, .. })));
    assert_eq!(g.verdict, GroupKind::Denied);
}

#[test]
fn load_balancer_source_ranges_keep_other_clients_out() {
    let yaml = ways_in_yaml().replace(
        "  clusterIP: 172.16.20.11\n",
        "  clusterIP: 172.16.20.11\n  loadBalancerSourceRanges: [198.51.100.0/24]\n",
    );
    let e = estate_with(
        "kubenet",
        |net, _| {
            admit_80(net, "Internet", "20.50.60.70");
            let rt = net["value"].as_array_mut().unwrap().iter_mut().find(|r| r["name"] == "rt-aks").unwrap();
            rt["properties"]["routes"].as_array_mut().unwrap().clear();
        },
        Some(&yaml),
    )
    .unwrap();
    assert_eq!(e.k8s.services.iter().find(|s| s.name == "api-public").unwrap().source_ranges.len(), 1);
    // Outside the range: denied by the Service's ranges, before any trace.
    let g = run_svc(&e, "internet:203.0.113.9", "svc:t2/api-public", 80);
    assert_eq!(g.verdict, GroupKind::Denied);
    for x in &g.pairs {
        assert!(x.segments.iter().any(|s| matches!(s, Segment::SourceRanges { admitted: Some(false), .. })));
        assert!(!x.segments.iter().any(|s| matches!(s, Segment::Network(_))));
    }
    // Inside it: admitted, and the path goes on to the pod.
    let g = run_svc(&e, "internet:198.51.100.7", "svc:t2/api-public", 80);
    for x in &g.pairs {
        assert!(x.segments.iter().any(|s| matches!(s, Segment::SourceRanges { admitted: Some(true), .. })));
        assert!(x.segments.iter().any(|s| matches!(s, Segment::DestinationPolicy { .. })));
    }
}

#[test]
fn a_cluster_ip_service_from_outside_the_cluster_is_unknown_not_translated() {
    // Only the cluster's nodes translate a ClusterIP: a VNet client gets no
    // "translated at the source node" segment.
    let e = estate("cni", |_, _| {});
    let g = run_svc(&e, "10.1.0.50", "svc:t2/api", 80);
    assert_eq!(g.verdict, GroupKind::Unknown);
    for x in &g.pairs {
        assert!(!x.segments.iter().any(|s| matches!(s, Segment::ServiceDnat { .. })));
        assert!(x.segments.iter().any(
            |s| matches!(s, Segment::NotEvaluated(Unevaluated::NoLoadBalancer { service }) if service == "t2/api")
        ));
    }
}
