//! The workload half of a synthetic cluster: namespaces and Deployments.
//!
//! Shape rules, chosen so that a benchmark at N pods looks like a real
//! multi-tenant AKS cluster and so that allowed connectivity grows linearly
//! with N:
//! * namespaces hold a fixed number of Deployments ([`DEPLOYMENTS_PER_NAMESPACE`]),
//!   so a bigger cluster has more namespaces, not bigger ones;
//! * tenants own a fixed number of namespaces ([`NAMESPACES_PER_TENANT`]), so
//!   tenant-wide rules stay bounded too;
//! * a Deployment runs 3 to 7 replicas (about 5), the last one takes what is
//!   left so the pod total is exactly the number asked for;
//! * no pod IPs are written: the analysers expand Deployments into pods
//!   themselves, and an ipBlock never matches a pod without an address.
//!
//! This module only plans; [`crate::yaml`] writes the plan out.

use crate::rng::Rng;

pub const DEPLOYMENTS_PER_NAMESPACE: usize = 10;
pub const NAMESPACES_PER_TENANT: usize = 4;
/// Below this many pods the cluster has no kube-system / ingress-nginx
/// Deployments: every pod is an application pod.
pub const INFRA_MIN_PODS: u32 = 20;
pub const DNS_REPLICAS: u32 = 2;
pub const INGRESS_REPLICAS: u32 = 2;

pub const KUBE_SYSTEM: &str = "kube-system";
pub const INGRESS_NAMESPACE: &str = "ingress-nginx";

/// The application layer a Deployment belongs to; policies allow traffic
/// between neighbouring tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Frontend,
    Backend,
    Cache,
    Db,
    Worker,
}

impl Tier {
    pub fn label(self) -> &'static str {
        match self {
            Tier::Frontend => "frontend",
            Tier::Backend => "backend",
            Tier::Cache => "cache",
            Tier::Db => "db",
            Tier::Worker => "worker",
        }
    }

    fn name_prefix(self) -> &'static str {
        match self {
            Tier::Frontend => "web",
            Tier::Backend => "api",
            Tier::Cache => "cache",
            Tier::Db => "db",
            Tier::Worker => "worker",
        }
    }

    /// The tier that usually calls this one (ingress rules allow it in).
    pub fn caller(self) -> Tier {
        match self {
            Tier::Frontend => Tier::Frontend,
            Tier::Backend => Tier::Frontend,
            Tier::Cache | Tier::Db => Tier::Backend,
            Tier::Worker => Tier::Backend,
        }
    }

    /// The tier this one usually calls (egress rules let it out).
    pub fn callee(self) -> Tier {
        match self {
            Tier::Frontend => Tier::Backend,
            Tier::Backend => Tier::Db,
            Tier::Cache => Tier::Db,
            Tier::Db => Tier::Db,
            Tier::Worker => Tier::Cache,
        }
    }
}

/// Tier of the k-th Deployment of a namespace: two frontends, a few
/// backends, one cache, one database, workers.
const TIER_LAYOUT: [Tier; DEPLOYMENTS_PER_NAMESPACE] = [
    Tier::Frontend,
    Tier::Backend,
    Tier::Backend,
    Tier::Db,
    Tier::Cache,
    Tier::Worker,
    Tier::Frontend,
    Tier::Backend,
    Tier::Worker,
    Tier::Backend,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Env {
    Prod,
    Staging,
    Dev,
}

impl Env {
    pub fn label(self) -> &'static str {
        match self {
            Env::Prod => "prod",
            Env::Staging => "staging",
            Env::Dev => "dev",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    pub name: String,
    /// Extra labels besides `kubernetes.io/metadata.name`, which is always
    /// written explicitly so that analysers that do not add it agree with
    /// those that do.
    pub labels: Vec<(&'static str, String)>,
    /// `None` for the infrastructure namespaces.
    pub app: Option<AppNamespace>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppNamespace {
    pub tenant: String,
    pub env: Env,
}

/// A named container port; policies refer to some of them by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerPort {
    pub name: &'static str,
    pub number: u16,
    pub protocol: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// Index into [`Cluster::namespaces`].
    pub namespace: usize,
    pub name: String,
    pub replicas: u32,
    /// Pod template labels; the selector is `app: <name>` (or the infra
    /// equivalent, the first label).
    pub labels: Vec<(&'static str, String)>,
    pub ports: Vec<ContainerPort>,
    /// `None` for infrastructure Deployments.
    pub tier: Option<Tier>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub namespaces: Vec<Namespace>,
    pub deployments: Vec<Deployment>,
}

impl Cluster {
    pub fn pod_count(&self) -> u64 {
        self.deployments.iter().map(|d| u64::from(d.replicas)).sum()
    }

    pub fn app_namespaces(&self) -> impl Iterator<Item = (usize, &Namespace, &AppNamespace)> {
        self.namespaces.iter().enumerate().filter_map(|(i, ns)| ns.app.as_ref().map(|a| (i, ns, a)))
    }
}

/// Plans the namespaces and Deployments of a cluster of exactly `pods` pods.
pub fn plan(pods: u32, rng: &mut Rng) -> Cluster {
    let mut cluster = Cluster { namespaces: Vec::new(), deployments: Vec::new() };
    let mut remaining = pods;
    if pods >= INFRA_MIN_PODS {
        add_infra(&mut cluster);
        remaining -= DNS_REPLICAS + INGRESS_REPLICAS;
    }
    let mut slot = 0usize;
    while remaining > 0 {
        let mut replicas = rng.range(3, 7).min(remaining);
        // Never leave a tail too small for a Deployment of its own.
        if remaining - replicas < 3 {
            replicas = remaining;
        }
        remaining -= replicas;
        let place = slot % DEPLOYMENTS_PER_NAMESPACE;
        if place == 0 {
            add_app_namespace(&mut cluster, slot / DEPLOYMENTS_PER_NAMESPACE, rng);
        }
        let tier = TIER_LAYOUT[place];
        cluster.deployments.push(app_deployment(cluster.namespaces.len() - 1, slot, tier, replicas, rng));
        slot += 1;
    }
    cluster
}

fn add_infra(cluster: &mut Cluster) {
    let infra_ns = |name: &str, extra: Vec<(&'static str, String)>| {
        let mut labels = vec![("kubernetes.io/metadata.name", name.to_string())];
        labels.extend(extra);
        Namespace { name: name.to_string(), labels, app: None }
    };
    cluster.namespaces.push(infra_ns(KUBE_SYSTEM, vec![]));
    cluster.namespaces.push(infra_ns(INGRESS_NAMESPACE, vec![("role", "ingress".to_string())]));
    cluster.deployments.push(Deployment {
        namespace: 0,
        name: "coredns".to_string(),
        replicas: DNS_REPLICAS,
        labels: vec![("k8s-app", "kube-dns".to_string())],
        ports: vec![
            ContainerPort { name: "dns", number: 53, protocol: "UDP" },
            ContainerPort { name: "dns-tcp", number: 53, protocol: "TCP" },
        ],
        tier: None,
    });
    cluster.deployments.push(Deployment {
        namespace: 1,
        name: "ingress-nginx-controller".to_string(),
        replicas: INGRESS_REPLICAS,
        labels: vec![("app.kubernetes.io/name", "ingress-nginx".to_string())],
        ports: vec![
            ContainerPort { name: "http", number: 80, protocol: "TCP" },
            ContainerPort { name: "https", number: 443, protocol: "TCP" },
        ],
        tier: None,
    });
}

fn add_app_namespace(cluster: &mut Cluster, index: usize, rng: &mut Rng) {
    let name = format!("ns{index}");
    let tenant = format!("t{}", index / NAMESPACES_PER_TENANT);
    let env = *rng.pick(&[Env::Prod, Env::Prod, Env::Staging, Env::Dev]);
    let labels = vec![
        ("kubernetes.io/metadata.name", name.clone()),
        ("tenant", tenant.clone()),
        ("env", env.label().to_string()),
    ];
    cluster.namespaces.push(Namespace { name, labels, app: Some(AppNamespace { tenant, env }) });
}

pub const TEAMS: [&str; 6] = ["payments", "search", "catalog", "identity", "data", "platform"];

fn app_deployment(namespace: usize, slot: usize, tier: Tier, replicas: u32, rng: &mut Rng) -> Deployment {
    let name = format!("{}-{}", tier.name_prefix(), slot % DEPLOYMENTS_PER_NAMESPACE);
    let team = rng.pick(&TEAMS).to_string();
    let labels = vec![("app", name.clone()), ("tier", tier.label().to_string()), ("team", team)];
    // About one Deployment in seven exposes no declared port: a policy naming
    // `http` then resolves to nothing for it, as in real clusters.
    let ports = if rng.chance(15) { Vec::new() } else { tier_ports(tier, rng) };
    Deployment { namespace, name, replicas, labels, ports, tier: Some(tier) }
}

fn tier_ports(tier: Tier, rng: &mut Rng) -> Vec<ContainerPort> {
    let tcp = |name, number| ContainerPort { name, number, protocol: "TCP" };
    match tier {
        Tier::Frontend => vec![tcp("http", *rng.pick(&[8080, 3000])), tcp("https", 8443)],
        Tier::Backend => {
            let mut ports = vec![tcp("http", *rng.pick(&[8000, 9090, 8080])), tcp("grpc", 50051)];
            if rng.chance(50) {
                ports.push(tcp("metrics", 9100));
            }
            ports
        }
        Tier::Cache => vec![tcp("redis", 6379)],
        Tier::Db => vec![tcp("postgres", 5432), tcp("metrics", 9187)],
        Tier::Worker => {
            vec![tcp("metrics", 9100), ContainerPort { name: "statsd", number: 8125, protocol: "UDP" }]
        }
    }
}
