//! The Kubernetes half of a generated estate: namespaces spread over the
//! tenants (label `tenant: tN`), Deployments pinned to their tenant's pool
//! by `nodeSelector` and a toleration (one in fifty tolerates every taint
//! and has no selector: it can land on any pool, another tenant's
//! included), no pod IPs, and NetworkPolicies: per namespace a default
//! deny, same-tenant ingress, DNS egress, HTTPS egress to the Internet as
//! an ipBlock with the private ranges excepted, then per-Deployment ingress
//! and egress rules, every fourth with an ipBlock peer.

use super::{Shape, Written};
use crate::policies::{NetworkPolicy, Peer, PortRef, PortSpec, Rule, Selector};
use crate::rng::Rng;
use std::fmt::Write as _;

const TIERS: [&str; 3] = ["frontend", "backend", "db"];

fn port(proto: &'static str, n: u16) -> PortSpec {
    PortSpec { protocol: Some(proto), port: Some(PortRef::Number(n)), end_port: None }
}

fn in_ns(pods: Selector) -> Peer {
    Peer::Pods { namespaces: None, pods: Some(pods) }
}

/// (namespaces.yaml, workloads.yaml, policies.yaml).
pub(super) fn render(s: &Shape, w: &mut Written) -> (String, String, String) {
    let mut rng = Rng::new(s.seed ^ 0x0C8_5E57A7E);
    let tenant = |q: u32| q % s.tenants + 1;
    let mut ns = String::new();
    for q in 0..s.namespaces {
        let _ = write!(
            ns,
            "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns{q}\n  labels:\n    kubernetes.io/metadata.name: ns{q}\n    tenant: t{}\n",
            tenant(q)
        );
    }
    w.namespaces = s.namespaces as usize;
    // Pods per namespace, the first namespaces taking the remainder.
    let per = s.pods / s.namespaces;
    let extra = s.pods % s.namespaces;
    let mut wl = String::new();
    let mut deployments: Vec<Vec<(String, &'static str)>> = Vec::new();
    for q in 0..s.namespaces {
        let mut left = per + u32::from(q < extra);
        let mut mine = Vec::new();
        let mut d = 0;
        while left > 0 {
            let replicas = if left < 10 { left } else { 5 };
            left -= replicas;
            let name = format!("app{d}");
            let tier = TIERS[d % 3];
            let anywhere = rng.chance(2);
            write_deployment(&mut wl, q, &name, tier, replicas, tenant(q), anywhere);
            w.pods += u64::from(replicas);
            mine.push((name, tier));
            d += 1;
        }
        w.deployments += mine.len();
        deployments.push(mine);
    }
    let policies = policies(s, &deployments, tenant);
    w.policies = policies.len();
    let mut out = Vec::new();
    crate::yaml::write_policies(&mut out, &policies).expect("write to Vec");
    (ns, wl, String::from_utf8(out).expect("generator writes ASCII"))
}

fn write_deployment(out: &mut String, q: u32, name: &str, tier: &str, replicas: u32, t: u32, anywhere: bool) {
    let _ = write!(
        out,
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: ns{q}\nspec:\n  replicas: {replicas}\n  \
         selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n        tier: {tier}\n    spec:\n"
    );
    if anywhere {
        out.push_str("      tolerations:\n      - operator: Exists\n");
    } else {
        let _ = write!(
            out,
            "      nodeSelector:\n        tenant: t{t}\n      tolerations:\n      - key: tenant\n        operator: Equal\n        value: t{t}\n        effect: NoSchedule\n"
        );
    }
    let _ = write!(
        out,
        "      containers:\n      - name: main\n        image: registry.example/{name}:1.0\n        ports:\n        - name: http\n          containerPort: 8080\n          protocol: TCP\n        - name: metrics\n          containerPort: 9100\n          protocol: TCP\n"
    );
}

fn policies(s: &Shape, deployments: &[Vec<(String, &'static str)>], tenant: impl Fn(u32) -> u32) -> Vec<NetworkPolicy> {
    let per_ns = (s.policies / s.namespaces).max(4) as usize;
    let mut out = Vec::new();
    for (q, mine) in deployments.iter().enumerate() {
        let namespace = format!("ns{q}");
        let np = |name: String, sel: Selector, ingress: Option<Vec<Rule>>, egress: Option<Vec<Rule>>| NetworkPolicy {
            namespace: namespace.clone(),
            name,
            pod_selector: sel,
            ingress,
            egress,
        };
        let t = format!("t{}", tenant(q as u32));
        out.push(np("default-deny".into(), Selector::all(), Some(vec![]), Some(vec![])));
        let same_tenant = Peer::Pods { namespaces: Some(Selector::label("tenant", &t)), pods: None };
        out.push(np(
            "same-tenant".into(),
            Selector::all(),
            Some(vec![Rule { peers: vec![same_tenant.clone()], ports: vec![] }]),
            None,
        ));
        let dns =
            Peer::Pods { namespaces: Some(Selector::label("kubernetes.io/metadata.name", "kube-system")), pods: None };
        out.push(np(
            "dns".into(),
            Selector::all(),
            None,
            Some(vec![Rule { peers: vec![dns], ports: vec![port("UDP", 53), port("TCP", 53)] }]),
        ));
        let internet =
            Peer::IpBlock { cidr: "0.0.0.0/0", except: vec!["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] };
        out.push(np(
            "internet-https".into(),
            Selector::all(),
            None,
            Some(vec![Rule { peers: vec![internet], ports: vec![port("TCP", 443)] }]),
        ));
        for k in 0..per_ns.saturating_sub(4) {
            let (app, tier) = &mine[k % mine.len()];
            let sel = Selector::label("app", app);
            let name = format!("{app}-p{k}");
            if k % 4 == 3 {
                // An ipBlock peer: the hub and spokes may scrape metrics.
                let peer = Peer::IpBlock { cidr: "10.0.0.0/8", except: vec!["10.244.0.0/16"] };
                out.push(np(name, sel, Some(vec![Rule { peers: vec![peer], ports: vec![port("TCP", 9100)] }]), None));
            } else if k % 2 == 0 {
                let from = in_ns(Selector::label("tier", if *tier == "frontend" { "frontend" } else { "backend" }));
                let peers = vec![from, same_tenant.clone()];
                out.push(np(name, sel, Some(vec![Rule { peers, ports: vec![port("TCP", 8080)] }]), None));
            } else {
                let to = Peer::Pods {
                    namespaces: Some(Selector::label("tenant", &t)),
                    pods: Some(Selector::label("tier", "db")),
                };
                out.push(np(name, sel, None, Some(vec![Rule { peers: vec![to], ports: vec![port("TCP", 5432)] }])));
            }
        }
    }
    out
}
