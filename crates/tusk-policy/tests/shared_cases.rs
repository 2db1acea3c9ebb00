//! The wrong answers found on public bug reports and real exports (issue 8),
//! each read in place from `../shared/` beside the checkout, with the right
//! value. Skipped with a message when `../shared` is absent; required when
//! `CI=true`. tusk's own cases of the same kinds are folders under
//! `tests/k8s/` (run by `conformance.rs`).

use std::path::PathBuf;
use tusk_core::Protocol;
use tusk_model::k8s::Cluster;
use tusk_policy::explain::{explain, FlowEnd, Reason, Verdict};
use tusk_policy::{PolicyEngine, Semantics};

use tusk_testkit::shared;

fn load(p: &PathBuf) -> Cluster {
    tusk_load::load_paths(std::slice::from_ref(p)).unwrap_or_else(|e| panic!("{e}")).estate.k8s
}

fn pod(c: &Cluster, ns: &str, name_prefix: &str) -> FlowEnd {
    FlowEnd::Pod(tusk_core::Idx::new(
        c.pods
            .iter()
            .position(|p| p.namespace == ns && p.name.starts_with(name_prefix))
            .unwrap_or_else(|| panic!("no pod {ns}/{name_prefix}*")),
    ))
}

#[test]
fn cilium_policy_makes_starwars_deathstar_unknown_where_cilium_may_enforce_it() {
    let Some(dir) = shared("realworld/cilium-starwars") else { return };
    let c = load(&dir);
    let (xwing, deathstar) = (pod(&c, "default", "xwing"), pod(&c, "default", "deathstar"));
    for engine in [PolicyEngine::Upstream, PolicyEngine::NetpolAnalyzer] {
        let e = explain(&c, &Semantics::of(engine), xwing, deathstar, Protocol::Tcp, 80);
        match &e.verdict {
            Verdict::Unknown(why) => {
                let Reason::Unmodelled { policies, ingress: true, .. } = &why.reason else { panic!("{why:?}") };
                let tusk_policy::step::PolicyRef::Foreign { kind, namespace, name, .. } = &policies[0].0 else {
                    panic!("{why:?}")
                };
                assert_eq!(
                    (kind.as_str(), namespace.as_deref(), name.as_str()),
                    ("CiliumNetworkPolicy", Some("default"), "rule1")
                );
                let loc = why.loc.as_ref().expect("the policy's location");
                assert!(loc.file.ends_with("sw_l3_l4_policy.yaml") && loc.pos.line == 1, "{loc}");
            }
            v => panic!("{engine:?}: xwing -> deathstar:80 must be unknown, got {v:?}"),
        }
        // The matrix agrees: nothing toward the deathstar is surely allowed.
        let a = tusk_policy::Analysis::new(&c, Semantics::of(engine));
        let r = a.pair(xwing, deathstar);
        assert!(r.allowed().is_empty() && !r.unknown().is_empty(), "{engine:?}: {r:?}");
    }
    // A cluster running Cilium: the policy is modelled, and gives Cilium's
    // answer (Cilium docs, "Getting Started with the Star Wars Demo"): the
    // xwing is denied, the tiefighter (org=empire) reaches port 80 only.
    let sem = Semantics::of(PolicyEngine::Cilium);
    let e = explain(&c, &sem, xwing, deathstar, Protocol::Tcp, 80);
    assert_eq!(e.verdict, Verdict::Denied);
    let deciding: Vec<_> = e.ingress.steps.iter().filter(|s| s.decisive).collect();
    let rule1 = tusk_policy::step::PolicyRef::Cilium {
        kind: "CiliumNetworkPolicy".into(),
        namespace: Some("default".into()),
        name: "rule1".into(),
    };
    assert!(deciding.iter().any(|s| s.policy == rule1), "{deciding:?}");
    let tie = pod(&c, "default", "tiefighter");
    assert_eq!(explain(&c, &sem, tie, deathstar, Protocol::Tcp, 80).verdict, Verdict::Allowed);
    assert_eq!(explain(&c, &sem, tie, deathstar, Protocol::Tcp, 443).verdict, Verdict::Denied);
    let a = tusk_policy::Analysis::new(&c, sem);
    assert!(a.pair(xwing, deathstar).allowed().is_empty() && a.pair(xwing, deathstar).unknown().is_empty());
    let r = a.pair(tie, deathstar);
    assert!(
        r.unknown().is_empty() && r.allowed().allows(Protocol::Tcp, 80) && !r.allowed().allows(Protocol::Tcp, 443),
        "{r:?}"
    );
    assert!(tusk_policy::foreign::not_enforced(&c, &sem).is_empty());
    // A cluster running Calico does not enforce Cilium policies.
    let sem = Semantics::of(PolicyEngine::Calico);
    assert_eq!(explain(&c, &sem, xwing, deathstar, Protocol::Tcp, 80).verdict, Verdict::Allowed);
    assert_eq!(tusk_policy::foreign::not_enforced(&c, &sem).len(), 1);
}

#[test]
fn named_port_with_ipblock_egress_loads_and_resolves_on_destination_pods() {
    let Some(dir) = shared("cases/named-port-ipblock-egress") else { return };
    let c = load(&dir);
    let sem = Semantics::of(PolicyEngine::Upstream);
    let (cli, srv) = (pod(&c, "shop", "cli"), pod(&c, "shop", "srv"));
    assert_eq!(explain(&c, &sem, cli, srv, Protocol::Tcp, 8080).verdict, Verdict::Allowed);
    assert_eq!(explain(&c, &sem, cli, srv, Protocol::Tcp, 80).verdict, Verdict::Denied);
    // Outside the cluster no address has named ports: nothing is allowed.
    let a = tusk_policy::Analysis::new(&c, sem);
    for e in a.matrix(tusk_policy::matrix::Grain::Pod) {
        if e.src.label(&c) == "shop/cli[Pod]" && matches!(e.dst, tusk_policy::matrix::Endpoint::External(_)) {
            panic!("shop/cli may reach {} ({} / {})", e.dst.label(&c), e.allowed, e.unknown);
        }
    }
}

#[test]
fn kubectl_get_all_counts_each_pod_once_under_its_deployment() {
    let Some(dir) = shared("cases/kubectl-get-all") else { return };
    let c = load(&dir);
    let pods: Vec<&str> = c.pods.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(pods, ["web-5d4f8c7b9-abcde", "web-5d4f8c7b9-fghij"]);
    let workloads: Vec<String> = c.workloads.iter().map(|w| format!("{}/{}", w.kind.name(), w.name)).collect();
    assert_eq!(workloads, ["Deployment/web"]);
    assert!(c.pods.iter().all(|p| p.workload.index() == 0));
}

#[test]
fn flow_to_kube_dns_cluster_ip_is_judged_at_the_coredns_pods() {
    let Some(dir) = shared("cases/service-clusterip-dns") else { return };
    let c = load(&dir);
    let ip = "10.96.0.10".parse().unwrap();
    let svc = tusk_policy::services::by_cluster_ip(&c, ip).expect("the ClusterIP names kube-dns");
    let sem = Semantics::of(PolicyEngine::Upstream);
    let e = tusk_policy::services::explain_service(&c, &sem, pod(&c, "app", "client"), svc, Protocol::Udp, 53);
    assert_eq!(e.verdict, Verdict::Allowed, "{e:?}");
    assert_eq!(e.endpoints.len(), 1);
    assert_eq!(c.pods[e.endpoints[0].0].name, "coredns-1");
}
