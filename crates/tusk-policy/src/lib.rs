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

#![warn(missing_docs)]

pub mod classes;
pub mod compile;
pub mod doubt;
pub mod endpoint;
pub mod eval;
pub mod explain;
pub mod foreign;
pub mod ingress_controller;
pub mod lang;
pub mod matrix;
pub mod port_cuts;
pub mod readings;
pub mod reason;
pub mod services;
pub mod step;
pub mod stream;
pub mod tenants;
pub mod tier;

use tusk_core::{Idx, Reach};
use tusk_model::k8s::{Cluster, Pod};

/// Which implementation enforces the policies, where they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyEngine {
    /// The upstream specification and its e2e tests.
    Upstream,
    /// Project Calico (AKS `networkPolicy: calico`).
    Calico,
    /// Azure Network Policy Manager (AKS `networkPolicy: azure`).
    AzureNpm,
    /// Cilium (AKS Azure CNI powered by Cilium).
    Cilium,
    /// netpol-analyzer's reading, to diff against that tool: ipBlocks never
    /// match pods, hostNetwork pods are selected like other pods.
    NetpolAnalyzer,
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
    /// The implementation these semantics are for.
    pub engine: PolicyEngine,
    /// How hostNetwork pods are treated.
    pub host_network: HostNetwork,
    /// Does an `ipBlock` (or ANP `networks`) peer match a pod whose IP is in
    /// it? The upstream e2e tests assert so, and Calico and Azure NPM behave
    /// so; Cilium's CIDR rules never select pods (Cilium docs, "CIDR based":
    /// "not applied to traffic where both sides are managed by Cilium").
    pub ipblock_selects_pods: bool,
    /// May a namespace that no input declares carry labels besides its
    /// name? Then a NetworkPolicy namespaceSelector on other labels may or
    /// may not match it (unknown). netpol-analyzer assumes it carries only
    /// its name label.
    pub undeclared_namespaces_open: bool,
}

impl PolicyEngine {
    /// The `--policy-engine` value naming it.
    pub fn flag(self) -> &'static str {
        match self {
            PolicyEngine::Upstream => "upstream",
            PolicyEngine::Calico => "calico",
            PolicyEngine::AzureNpm => "azure-npm",
            PolicyEngine::Cilium => "cilium",
            PolicyEngine::NetpolAnalyzer => "netpol-analyzer",
        }
    }
}

impl Semantics {
    /// The semantics of `engine`.
    pub fn of(engine: PolicyEngine) -> Semantics {
        let host_network = match engine {
            PolicyEngine::Upstream => HostNetwork::Either,
            PolicyEngine::NetpolAnalyzer => HostNetwork::AsPods,
            _ => HostNetwork::NotSelectable,
        };
        let ipblock_selects_pods = !matches!(engine, PolicyEngine::Cilium | PolicyEngine::NetpolAnalyzer);
        let undeclared_namespaces_open = engine != PolicyEngine::NetpolAnalyzer;
        Semantics { engine, host_network, ipblock_selects_pods, undeclared_namespaces_open }
    }
}

/// The policy layer compiled under one reading of the inputs.
pub struct World {
    /// The pod classes and address atoms of this reading.
    pub endpoints: classes::ClassIndex,
    /// The policies compiled over them.
    pub compiled: compile::Compiled,
    /// What each class allows, per direction.
    pub results: matrix::ClassResults,
}

impl World {
    fn new(cluster: &Cluster, semantics: &Semantics, host_selectable: bool) -> World {
        let endpoints = classes::ClassIndex::build(cluster, semantics, host_selectable);
        let compiled = compile::compile(cluster, &endpoints, semantics);
        let mut results = matrix::evaluate_all(&endpoints, &compiled);
        foreign::taint(cluster, semantics, &endpoints, &mut results);
        lang::cilium::host_taint(cluster, semantics, &endpoints, &mut results);
        World { endpoints, compiled, results }
    }

    /// The peer ids a flow end stands for: a pod's class variants, or the
    /// atom holding an address.
    fn peers_of(&self, end: explain::FlowEnd) -> Vec<u32> {
        let ep = &self.endpoints;
        match end {
            explain::FlowEnd::Pod(i) => ep.groups[ep.pod_group[i]].variants.clone(),
            explain::FlowEnd::Address(ip) => {
                let v = tusk_core::ip::ip_to_u128(ip);
                ep.atoms
                    .iter()
                    .position(|a| a.lo <= v && v <= a.hi)
                    .map(|a| vec![ep.atom_peer(a as u32)])
                    .unwrap_or_default()
            }
        }
    }

    /// What one flow end pair may open in this world: egress then ingress,
    /// for every address variant of each end, joined by [`Reach::both`].
    fn pair(&self, src: explain::FlowEnd, dst: explain::FlowEnd) -> Reach {
        let ep = &self.endpoints;
        let (ss, ds) = (self.peers_of(src), self.peers_of(dst));
        // Variants of one pod share its results (its own address decides
        // none of its own policies): then `both` over the variant pairs
        // factors, as in `matrix::variant_group_pairs`, and costs
        // variants, not their square.
        let shared = |v: &[u32], side: &[std::sync::Arc<matrix::Verdicts>]| {
            v.iter().all(|&c| ep.is_atom(c) || std::sync::Arc::ptr_eq(&side[c as usize], &side[v[0] as usize]))
        };
        let res = &self.results;
        if !ss.is_empty() && !ds.is_empty() && shared(&ss, &res.egress) && shared(&ds, &res.ingress) {
            let bits = |v: &[u32]| v.iter().copied().collect::<roaring::RoaringBitmap>();
            let e = if ep.is_atom(ss[0]) { Reach::all() } else { res.egress[ss[0] as usize].over(&bits(&ds)) };
            let i = if ep.is_atom(ds[0]) { Reach::all() } else { res.ingress[ds[0] as usize].over(&bits(&ss)) };
            return e.then(&i);
        }
        let mut out: Option<Reach> = None;
        for &s in &ss {
            for &d in &ds {
                // Outside addresses have no policy of their own.
                let e = if ep.is_atom(s) { Reach::all() } else { self.results.egress[s as usize].at(d) };
                let i = if ep.is_atom(d) { Reach::all() } else { self.results.ingress[d as usize].at(s) };
                let r = e.then(&i);
                out = Some(match out {
                    None => r,
                    Some(o) => o.both(&r),
                });
            }
        }
        out.unwrap_or_default()
    }
}

impl World {
    /// What only the at-destination tier (Istio) lets through from `src`
    /// to `dst`, for flows no other tier restricts.
    fn destination_only(&self, src: explain::FlowEnd, dst: explain::FlowEnd) -> Reach {
        let explain::FlowEnd::Pod(d) = dst else { return Reach::all() };
        if !self.compiled.tiers.iter().any(|t| t.kind == tier::TierKind::AtDestination) {
            return Reach::all();
        }
        let ep = &self.endpoints;
        let ev = eval::Evaluator::new(ep, &self.compiled);
        let mut out: Option<Reach> = None;
        for &dc in &ep.groups[ep.pod_group[d]].variants {
            let applied = &self.compiled.applied[dc as usize][compile::dir_index(compile::Direction::Ingress)];
            let (allowed, unknown) = ev.destination_only(dc, compile::Direction::Ingress, applied);
            for s in self.peers_of(src) {
                let r = Reach::new(
                    eval::lookup(&allowed, s).cloned().unwrap_or_default(),
                    eval::lookup(&unknown, s).cloned().unwrap_or_default(),
                );
                out = Some(match out {
                    None => r,
                    Some(o) => o.both(&r),
                });
            }
        }
        out.unwrap_or_default()
    }
}

/// The compiled policy layer of one cluster, ready for queries: one world,
/// or two when hostNetwork pods may or may not be subject to policies.
pub struct Analysis<'a> {
    /// The cluster analysed.
    pub cluster: &'a Cluster,
    /// How its policies are enforced.
    pub semantics: Semantics,
    /// One world per reading of hostNetwork pods (one or two).
    pub worlds: Vec<World>,
}

impl<'a> Analysis<'a> {
    /// Compiles `cluster`'s policies under `semantics`: one world, or two when
    /// the semantics leave hostNetwork pods open and the cluster has some. Never
    /// fails.
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

    /// What the reports must say beside the verdicts: the policies of other
    /// engines that the cluster's engine does not enforce.
    pub fn notes(&self) -> Vec<foreign::Note> {
        foreign::not_enforced(self.cluster, &self.semantics)
    }

    /// Pod equivalence classes (of the first reading).
    pub fn class_count(&self) -> usize {
        self.worlds[0].endpoints.classes.len()
    }

    /// The connections of one flow end pair (allowed, unknown), straight
    /// from the class results: no matrix is built.
    pub fn pair(&self, src: explain::FlowEnd, dst: explain::FlowEnd) -> Reach {
        if explain::builtin_admission(self.cluster, src, dst).is_some() {
            // NetworkPolicy's admission; a proxy at the destination still
            // judges the flow.
            let mut out = self.worlds[0].destination_only(src, dst);
            for w in &self.worlds[1..] {
                out = out.both(&w.destination_only(src, dst));
            }
            return out;
        }
        // Readings of the inputs that cannot be told apart join by `both`.
        let mut out = self.worlds[0].pair(src, dst);
        for w in &self.worlds[1..] {
            out = out.both(&w.pair(src, dst));
        }
        out
    }

    /// The matrix at `grain`: one row per (source, destination) with what is
    /// allowed and what is unknown, across every world (a connection allowed in
    /// some world but not all is unknown).
    pub fn matrix(&self, grain: matrix::Grain) -> Vec<matrix::Entry> {
        self.matrix_at_most(grain, u64::MAX).unwrap_or_default()
    }

    /// [`Analysis::matrix`], unless a reading's matrix would have more than
    /// `limit` rows (at `--grain pod` every replica of a template is a row
    /// of its own): then `Err` with that row count, and nothing is built.
    pub fn matrix_at_most(&self, grain: matrix::Grain, limit: u64) -> Result<Vec<matrix::Entry>, u64> {
        let rows = |w: &World| matrix::matrix_of(self.cluster, &w.endpoints, &w.results, grain, limit);
        let mut out = rows(&self.worlds[0])?;
        for w in &self.worlds[1..] {
            out = matrix::join_readings(out, rows(w)?);
        }
        let inbound = |pod: Idx<Pod>, ip: std::net::IpAddr| {
            let r = self.pair(explain::FlowEnd::Address(ip), explain::FlowEnd::Pod(pod));
            (r.allowed().clone(), r.unknown().clone())
        };
        Ok(matrix::node_admissions(self.cluster, &self.worlds[0].endpoints, out, grain, &inbound))
    }

    /// The matrix's L7 column, one list per row (empty lists when no
    /// Istio rule tests the request): the rules on methods, paths and
    /// hosts that decide the row's unknown part
    /// ([`lang::istio::l7_notes`]; worded by tusk-report).
    pub fn l7_column(&self, rows: &[matrix::Entry]) -> Vec<Vec<lang::istio::L7Note>> {
        if !lang::istio::has_l7(self.cluster) {
            return vec![Vec::new(); rows.len()];
        }
        let c = self.cluster;
        let pods_of = |e: &matrix::Endpoint| -> Vec<Idx<Pod>> {
            match *e {
                matrix::Endpoint::Pod(i, _) => vec![i],
                matrix::Endpoint::Service(s) => {
                    let svc = &c.services[s];
                    let mut pods: Vec<Idx<Pod>> = svc
                        .ports
                        .iter()
                        .filter_map(|sp| services::endpoints(c, svc, sp).ok())
                        .flatten()
                        .map(|(i, _)| i)
                        .collect();
                    pods.sort_unstable();
                    pods.dedup();
                    pods
                }
                matrix::Endpoint::Workload(w) => Idx::all(&c.pods).filter(|&i| c.pods[i].workload == w).collect(),
                matrix::Endpoint::Namespace(n) => {
                    let ns = &c.namespaces[n].name;
                    Idx::all(&c.pods).filter(|&i| &c.pods[i].namespace == ns).collect()
                }
                matrix::Endpoint::External(_) => Vec::new(),
            }
        };
        rows.iter()
            .map(|e| {
                let src: Vec<explain::FlowEnd> = match e.src {
                    matrix::Endpoint::External(r) => vec![explain::FlowEnd::Address(tusk_core::ip::u128_to_ip(r.lo))],
                    ref s => pods_of(s).into_iter().map(explain::FlowEnd::Pod).collect(),
                };
                lang::istio::l7_notes(c, &src, &pods_of(&e.dst))
            })
            .collect()
    }

    /// At most how many class pairs the matrix enumerates (cheap to compute):
    /// callers can refuse a matrix that would not fit in memory.
    pub fn class_pair_bound(&self) -> u64 {
        self.worlds.iter().map(|w| matrix::class_pair_bound(&w.endpoints, &w.results)).sum()
    }
}
