//! The Kubernetes policy layer: which pods may open connections to which
//! pods and outside addresses, on which ports, under AdminNetworkPolicy,
//! NetworkPolicy and BaselineAdminNetworkPolicy.
//!
//! Pipeline: [`classes`] groups pods into equivalence classes and cuts the
//! address space into atoms; [`compile`] turns every policy into rules over
//! peer bitmaps; [`eval`] runs the precedence layers per class and
//! direction; [`matrix`] joins egress and ingress into class pairs and
//! expands them to pods, workloads or namespaces; [`explain`] is the plain
//! per-flow evaluator that names every rule on one flow's way (and serves as
//! the reference the fast engine is tested against).

pub mod classes;
pub mod compile;
pub mod endpoint;
pub mod eval;
pub mod explain;
pub mod matrix;
pub mod tenants;

use tusk_core::ConnSet;
use tusk_model::k8s::Cluster;

/// Which implementation enforces the policies, where they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyEngine {
    /// The upstream specification and its e2e tests.
    Upstream,
    Calico,
    AzureNpm,
    Cilium,
}

/// How policies treat pods with `hostNetwork: true`.
///
/// Kubernetes docs, "Network Policies" (behaviour for hostNetwork pods): it
/// is undefined, limited to two possibilities — the plugin tells their
/// traffic apart and applies policies to them like to other pods, or it
/// cannot and ignores them when matching `podSelector`/`namespaceSelector`,
/// their traffic being the node's. Calico (no workload endpoint), Azure NPM
/// (keeps them out of its IP sets) and Cilium (the `host` entity) ignore them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostNetwork {
    /// Evaluated like pod-network pods (netpol-analyzer's reading).
    AsPods,
    /// Never selected by a policy, as subject or as pod/namespace peer;
    /// matched by address only.
    NotSelectable,
    /// Either of the two: a verdict that differs between them is unknown.
    Either,
}

/// The points where implementations differ, resolved for one engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Semantics {
    pub engine: PolicyEngine,
    pub host_network: HostNetwork,
    /// Does an `ipBlock` (or ANP `networks`) peer match a pod whose IP is in
    /// it? The upstream e2e tests assert so, and Calico and Azure NPM behave
    /// so; Cilium's CIDR rules never select pods (Cilium docs, "CIDR based":
    /// "not applied to traffic where both sides are managed by Cilium").
    pub ipblock_selects_pods: bool,
}

impl Semantics {
    pub fn of(engine: PolicyEngine) -> Semantics {
        let host_network =
            if engine == PolicyEngine::Upstream { HostNetwork::Either } else { HostNetwork::NotSelectable };
        Semantics { engine, host_network, ipblock_selects_pods: engine != PolicyEngine::Cilium }
    }

    /// One line for reports: which behaviour tusk followed and why.
    pub fn describe(&self) -> String {
        let who = match self.engine {
            PolicyEngine::Upstream => "upstream Kubernetes semantics (no policy engine named)",
            PolicyEngine::Calico => "Calico",
            PolicyEngine::AzureNpm => "Azure Network Policy Manager",
            PolicyEngine::Cilium => "Cilium",
        };
        let ip = if self.ipblock_selects_pods {
            "ipBlock peers also match pods whose IP falls inside them"
        } else {
            "ipBlock peers match only addresses outside the cluster"
        };
        let host = match self.host_network {
            HostNetwork::AsPods => "hostNetwork pods are treated as pods",
            HostNetwork::NotSelectable => "hostNetwork pods are never selected by policies",
            HostNetwork::Either => {
                "policies may or may not apply to hostNetwork pods (verdicts that depend on it are unknown)"
            }
        };
        format!("{who}: {ip}; {host}")
    }
}

/// The policy layer compiled under one reading of the inputs.
pub struct World {
    pub endpoints: classes::Endpoints,
    pub compiled: compile::Compiled,
    pub results: matrix::ClassResults,
}

impl World {
    fn new(cluster: &Cluster, semantics: &Semantics, host_selectable: bool) -> World {
        let endpoints = classes::Endpoints::build(cluster, semantics, host_selectable);
        let compiled = compile::compile(cluster, &endpoints, semantics);
        let results = matrix::evaluate_all(&endpoints, &compiled);
        World { endpoints, compiled, results }
    }

    /// (allowed, unknown) of one flow end pair in this world.
    fn pair(&self, src: explain::FlowEnd, dst: explain::FlowEnd) -> (ConnSet, ConnSet) {
        let ep = &self.endpoints;
        let peers = |end: explain::FlowEnd| -> Vec<u32> {
            match end {
                explain::FlowEnd::Pod(i) => ep.groups[ep.pod_group[i] as usize].variants.clone(),
                explain::FlowEnd::Address(ip) => {
                    let v = tusk_core::ip::ip_to_u128(ip);
                    ep.atoms
                        .iter()
                        .position(|a| a.lo <= v && v <= a.hi)
                        .map(|a| vec![ep.atom_peer(a as u32)])
                        .unwrap_or_default()
                }
            }
        };
        let (ss, ds) = (peers(src), peers(dst));
        let mut all: Option<ConnSet> = None;
        let mut any = ConnSet::none();
        for &s in &ss {
            for &d in &ds {
                let open = (ConnSet::all(), ConnSet::none());
                let e = if ep.is_atom(s) { open.clone() } else { self.results.egress[s as usize].at(d) };
                let i = if ep.is_atom(d) { open } else { self.results.ingress[d as usize].at(s) };
                let allowed = e.0.intersect(&i.0);
                let possible = e.0.union(&e.1).intersect(&i.0.union(&i.1));
                any = any.union(&possible);
                all = Some(all.map_or(allowed.clone(), |a| a.intersect(&allowed)));
            }
        }
        let all = all.unwrap_or_default();
        let unknown = any.subtract(&all);
        (all, unknown)
    }
}

/// Joins the verdicts of two readings: allowed where both surely allow,
/// unknown where either may.
fn both(a: (ConnSet, ConnSet), b: (ConnSet, ConnSet)) -> (ConnSet, ConnSet) {
    let allowed = a.0.intersect(&b.0);
    let possible = a.0.union(&a.1).union(&b.0).union(&b.1);
    let unknown = possible.subtract(&allowed);
    (allowed, unknown)
}

/// The compiled policy layer of one cluster, ready for queries: one world,
/// or two when hostNetwork pods may or may not be subject to policies.
pub struct Analysis<'a> {
    pub cluster: &'a Cluster,
    pub semantics: Semantics,
    pub worlds: Vec<World>,
}

impl<'a> Analysis<'a> {
    pub fn new(cluster: &'a Cluster, semantics: Semantics) -> Analysis<'a> {
        let has_host = cluster.pods.iter().any(|p| p.host_network);
        let readings: &[bool] = match (semantics.host_network, has_host) {
            (HostNetwork::NotSelectable, true) => &[false],
            (HostNetwork::Either, true) => &[true, false],
            _ => &[true],
        };
        let worlds = readings.iter().map(|&h| World::new(cluster, &semantics, h)).collect();
        Analysis { cluster, semantics, worlds }
    }

    /// Pod equivalence classes (of the first reading).
    pub fn class_count(&self) -> usize {
        self.worlds[0].endpoints.classes.len()
    }

    /// The (allowed, unknown) connections of one flow end pair, straight
    /// from the class results: no matrix is built.
    pub fn pair(&self, src: explain::FlowEnd, dst: explain::FlowEnd) -> (ConnSet, ConnSet) {
        let mut out = self.worlds[0].pair(src, dst);
        for w in &self.worlds[1..] {
            out = both(out, w.pair(src, dst));
        }
        out
    }

    pub fn matrix(&self, grain: matrix::Grain) -> Vec<matrix::Entry> {
        let rows = |w: &World| {
            let pairs = matrix::class_pairs(&w.endpoints, &w.results);
            matrix::expand(self.cluster, &w.endpoints, &pairs, grain)
        };
        let mut out = rows(&self.worlds[0]);
        for w in &self.worlds[1..] {
            out = matrix::join_readings(out, rows(w));
        }
        out
    }

    /// At most how many class pairs the matrix enumerates (cheap to compute):
    /// callers can refuse a matrix that would not fit in memory.
    pub fn class_pair_bound(&self) -> u64 {
        self.worlds.iter().map(|w| matrix::class_pair_bound(&w.endpoints, &w.results)).sum()
    }
}
