//! The policy half of a synthetic cluster: NetworkPolicies of the shapes seen
//! in real multi-tenant clusters.
//!
//! Count: `pods * 1.05 + 10` (integer arithmetic, see [`policy_count`]), the
//! ratio of the published NCA measurements (220 policies at 200 pods, 1,050 at
//! 1,000). Each application namespace gets its baseline (see
//! [`namespace_baseline`]); the rest are per-Deployment policies spread
//! round-robin over Deployments, their shape drawn with fixed weights.
//!
//! Every cross-namespace peer is bounded by a tenant label or aimed at one of
//! the two infrastructure namespaces, so allowed connectivity grows linearly
//! with the cluster.

use crate::cluster::{Cluster, Env, Tier, INGRESS_NAMESPACE, KUBE_SYSTEM, TEAMS};
use crate::rng::Rng;

/// A NetworkPolicy, reduced to the fields the generator uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkPolicy {
    pub namespace: String,
    pub name: String,
    pub pod_selector: Selector,
    /// `None`: the policy does not list `Ingress` in `policyTypes`.
    pub ingress: Option<Vec<Rule>>,
    pub egress: Option<Vec<Rule>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    pub match_labels: Vec<(&'static str, String)>,
    pub match_expressions: Vec<Requirement>,
}

impl Selector {
    pub fn all() -> Self {
        Selector::default()
    }

    pub fn label(key: &'static str, value: &str) -> Self {
        Selector { match_labels: vec![(key, value.to_string())], match_expressions: Vec::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: &'static str,
    pub operator: Operator,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
}

impl Operator {
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
        }
    }
}

/// One ingress or egress rule. Empty `peers` means "from/to anywhere",
/// empty `ports` means "all ports".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    pub peers: Vec<Peer>,
    pub ports: Vec<PortSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// `namespaceSelector` and/or `podSelector` in one peer (ANDed); a missing
    /// namespace selector means the policy's own namespace.
    Pods {
        namespaces: Option<Selector>,
        pods: Option<Selector>,
    },
    IpBlock {
        cidr: &'static str,
        except: Vec<&'static str>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    /// `None`: the field is left out (Kubernetes defaults to TCP).
    pub protocol: Option<&'static str>,
    pub port: Option<PortRef>,
    pub end_port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    Number(u16),
    Named(&'static str),
}

fn tcp(port: u16) -> PortSpec {
    PortSpec { protocol: Some("TCP"), port: Some(PortRef::Number(port)), end_port: None }
}

fn named(name: &'static str) -> PortSpec {
    PortSpec { protocol: None, port: Some(PortRef::Named(name)), end_port: None }
}

fn range(protocol: &'static str, from: u16, to: u16) -> PortSpec {
    PortSpec { protocol: Some(protocol), port: Some(PortRef::Number(from)), end_port: Some(to) }
}

fn pods(sel: Selector) -> Peer {
    Peer::Pods { namespaces: None, pods: Some(sel) }
}

/// The number of policies generated for `pods` pods.
pub fn policy_count(pods: u32) -> usize {
    (u64::from(pods) * 105 / 100 + 10) as usize
}

/// Plans exactly [`policy_count`] policies for `cluster`.
pub fn plan(cluster: &Cluster, pods: u32, rng: &mut Rng) -> Vec<NetworkPolicy> {
    let target = policy_count(pods);
    let mut out = Vec::with_capacity(target);
    for (_, ns, app) in cluster.app_namespaces() {
        for policy in namespace_baseline(&ns.name, app.env) {
            if out.len() < target {
                out.push(policy);
            }
        }
    }
    let apps: Vec<_> = cluster.deployments.iter().filter(|d| d.tier.is_some()).collect();
    let mut round = 0;
    while out.len() < target && !apps.is_empty() {
        for d in &apps {
            if out.len() == target {
                break;
            }
            let ns = &cluster.namespaces[d.namespace];
            let tenant = ns.app.as_ref().map(|a| a.tenant.as_str()).unwrap_or_default();
            let tier = d.tier.unwrap_or(Tier::Backend);
            out.push(deployment_policy(&ns.name, &d.name, tier, tenant, round, rng));
        }
        round += 1;
    }
    out
}

fn policy(namespace: &str, name: &str, pod_selector: Selector) -> NetworkPolicy {
    NetworkPolicy {
        namespace: namespace.to_string(),
        name: name.to_string(),
        pod_selector,
        ingress: None,
        egress: None,
    }
}

/// The DNS egress rule: UDP and TCP 53 to CoreDNS in kube-system.
fn dns_rule() -> Rule {
    Rule {
        peers: vec![Peer::Pods {
            namespaces: Some(Selector::label("kubernetes.io/metadata.name", KUBE_SYSTEM)),
            pods: Some(Selector::label("k8s-app", "kube-dns")),
        }],
        ports: vec![PortSpec { protocol: Some("UDP"), port: Some(PortRef::Number(53)), end_port: None }, tcp(53)],
    }
}

/// Namespace-wide policies. Every namespace denies ingress by default and
/// lets the ingress controller reach its frontends. By environment:
/// * prod also denies egress, then allows DNS and same-namespace egress;
/// * dev allows all traffic inside the namespace, both ways;
/// * staging leaves egress open.
fn namespace_baseline(ns: &str, env: Env) -> Vec<NetworkPolicy> {
    let mut list = vec![
        NetworkPolicy { ingress: Some(vec![]), ..policy(ns, "default-deny-ingress", Selector::all()) },
        NetworkPolicy {
            ingress: Some(vec![Rule {
                peers: vec![Peer::Pods {
                    namespaces: Some(Selector::label("role", "ingress")),
                    pods: Some(Selector::label("app.kubernetes.io/name", INGRESS_NAMESPACE)),
                }],
                ports: vec![named("http"), tcp(8443)],
            }]),
            ..policy(ns, "allow-from-ingress-nginx", Selector::label("tier", Tier::Frontend.label()))
        },
    ];
    let same_namespace = || vec![Rule { peers: vec![pods(Selector::all())], ports: vec![] }];
    match env {
        Env::Prod => {
            list.push(NetworkPolicy { egress: Some(vec![]), ..policy(ns, "default-deny-egress", Selector::all()) });
            list.push(NetworkPolicy { egress: Some(vec![dns_rule()]), ..policy(ns, "allow-dns", Selector::all()) });
            list.push(NetworkPolicy {
                egress: Some(same_namespace()),
                ..policy(ns, "allow-egress-same-namespace", Selector::all())
            });
        }
        Env::Dev => list.push(NetworkPolicy {
            ingress: Some(same_namespace()),
            egress: Some(same_namespace()),
            ..policy(ns, "allow-same-namespace", Selector::all())
        }),
        Env::Staging => {}
    }
    list
}

/// Shapes of per-Deployment policies with their weights (out of 100).
const SHAPES: [(Shape, u64); 7] = [
    (Shape::IngressFromTier, 30),
    (Shape::IngressExpressions, 15),
    (Shape::IngressFromTenant, 15),
    (Shape::IngressFromEnvs, 8),
    (Shape::EgressToTier, 20),
    (Shape::EgressIpBlock, 5),
    (Shape::IngressUdpSctp, 7),
];

#[derive(Debug, Clone, Copy)]
enum Shape {
    IngressFromTier,
    IngressExpressions,
    IngressFromTenant,
    IngressFromEnvs,
    EgressToTier,
    EgressIpBlock,
    IngressUdpSctp,
}

fn draw_shape(rng: &mut Rng) -> Shape {
    let mut x = rng.below(100);
    for (shape, weight) in SHAPES {
        if x < weight {
            return shape;
        }
        x -= weight;
    }
    Shape::IngressFromTier
}

fn deployment_policy(ns: &str, app: &str, tier: Tier, tenant: &str, round: usize, rng: &mut Rng) -> NetworkPolicy {
    let target = Selector::label("app", app);
    let shape = draw_shape(rng);
    let name = format!("{app}-{}-{round}", shape_slug(shape));
    let base = policy(ns, &name, target);
    let ingress = |rule: Rule| NetworkPolicy { ingress: Some(vec![rule]), ..base.clone() };
    match shape {
        Shape::IngressFromTier => ingress(Rule {
            peers: vec![pods(Selector::label("tier", tier.caller().label()))],
            ports: vec![named("http"), tcp(*rng.pick(&[8443, 50051, 5432]))],
        }),
        Shape::IngressExpressions => {
            let teams = vec![rng.pick(&TEAMS).to_string(), rng.pick(&TEAMS).to_string()];
            let sel = Selector {
                match_labels: Vec::new(),
                match_expressions: vec![
                    Requirement { key: "team", operator: Operator::In, values: teams },
                    Requirement { key: "tier", operator: Operator::NotIn, values: vec!["db".to_string()] },
                ],
            };
            let first = *rng.pick(&[9000, 8000, 7000]);
            ingress(Rule { peers: vec![pods(sel)], ports: vec![range("TCP", first, first + 10), named("grpc")] })
        }
        Shape::IngressFromTenant => ingress(Rule {
            peers: vec![Peer::Pods {
                namespaces: Some(Selector::label("tenant", tenant)),
                // Labels only here: NCA 2.1.0 mis-evaluates matchExpressions
                // in a pod selector under a namespaceSelector (it drops
                // `Exists` peers, and at 1,000 pods ignores `In`/`NotIn`; see
                // bench/nca-divergences/), and the benchmark compares the
                // engines where the peer tool is right.
                pods: Some(Selector::label("tier", tier.caller().label())),
            }],
            ports: vec![named("metrics"), tcp(5432), named("http")],
        }),
        Shape::IngressFromEnvs => ingress(Rule {
            peers: vec![Peer::Pods {
                namespaces: Some(Selector {
                    match_labels: vec![("tenant", tenant.to_string())],
                    match_expressions: vec![Requirement {
                        key: "env",
                        operator: Operator::In,
                        values: vec!["prod".to_string(), "staging".to_string()],
                    }],
                }),
                pods: None,
            }],
            ports: vec![tcp(9100)],
        }),
        // Teams that restrict a workload's egress keep DNS in the same policy.
        Shape::EgressToTier => NetworkPolicy {
            egress: Some(vec![
                Rule {
                    peers: vec![pods(Selector::label("tier", tier.callee().label()))],
                    ports: vec![
                        named("http"),
                        tcp(6379),
                        PortSpec { protocol: Some("UDP"), port: Some(PortRef::Number(8125)), end_port: None },
                    ],
                },
                dns_rule(),
            ]),
            ..base
        },
        Shape::EgressIpBlock => NetworkPolicy {
            egress: Some(vec![
                Rule {
                    peers: vec![Peer::IpBlock { cidr: "10.0.0.0/8", except: vec!["10.96.0.0/12", "10.244.0.0/16"] }],
                    ports: vec![tcp(443)],
                },
                Rule {
                    peers: vec![Peer::IpBlock { cidr: "0.0.0.0/0", except: vec!["169.254.169.254/32"] }],
                    ports: vec![tcp(443), tcp(80)],
                },
            ]),
            ..base
        },
        Shape::IngressUdpSctp => ingress(Rule {
            peers: vec![pods(Selector {
                match_labels: vec![("tier", Tier::Worker.label().to_string())],
                match_expressions: vec![Requirement { key: "team", operator: Operator::Exists, values: vec![] }],
            })],
            ports: vec![range("UDP", 5000, 5100), PortSpec { protocol: Some("SCTP"), port: None, end_port: None }],
        }),
    }
}

fn shape_slug(shape: Shape) -> &'static str {
    match shape {
        Shape::IngressFromTier => "from-tier",
        Shape::IngressExpressions => "from-teams",
        Shape::IngressFromTenant => "from-tenant",
        Shape::IngressFromEnvs => "from-envs",
        Shape::EgressToTier => "to-tier",
        Shape::EgressIpBlock => "to-ipblock",
        Shape::IngressUdpSctp => "udp-sctp",
    }
}
