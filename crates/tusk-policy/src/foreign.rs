//! Policies of languages tusk does not model yet (Calico, Cilium, Istio):
//! every verdict they may change becomes unknown, where the cluster's
//! engine enforces them.
//!
//! A Calico or Cilium policy may allow what a NetworkPolicy denies (its
//! rules join the NetworkPolicy's, or precede them by `order`) and deny what
//! it allows, so on the pods it may select, in the directions it acts on,
//! every connection becomes unknown. Istio's policies only refuse what the
//! network lets through, so there an allowed connection becomes unknown and
//! a denied one stays denied. This module must never make a verdict more
//! definite than the layers below it computed.

use super::classes::ClassIndex;
use super::matrix::{ClassResults, Verdicts};
use super::step::PolicyRef;
use super::{PolicyEngine, Semantics};
use std::collections::HashMap;
use std::sync::Arc;
use tusk_core::{ConnSet, Loc};
use tusk_model::calico::CalicoKind;
use tusk_model::k8s::{Cluster, ForeignEngine, ForeignPolicy, Labels};

/// Does a cluster running `engine` enforce policies of `foreign`? Istio is
/// a mesh beside any network plugin; under `upstream` the plugin is not
/// named (nor under netpol-analyzer's reading), so Calico and Cilium
/// policies may be enforced.
pub fn enforced(engine: PolicyEngine, foreign: ForeignEngine) -> bool {
    match foreign {
        ForeignEngine::Istio => true,
        ForeignEngine::Calico => {
            matches!(engine, PolicyEngine::Upstream | PolicyEngine::NetpolAnalyzer | PolicyEngine::Calico)
        }
        ForeignEngine::Cilium => {
            matches!(engine, PolicyEngine::Upstream | PolicyEngine::NetpolAnalyzer | PolicyEngine::Cilium)
        }
    }
}

/// Is this foreign record a Cilium policy the Cilium tier models (the
/// cluster runs Cilium and the loader read the object)? Then its verdicts
/// are the tier's, not unknown.
pub fn modelled(cluster: &Cluster, sem: &Semantics, p: &ForeignPolicy) -> bool {
    match (sem.engine, p.engine) {
        (PolicyEngine::Cilium, ForeignEngine::Cilium) => cluster.cilium_policies.iter().any(|c| c.loc == p.loc),
        (PolicyEngine::Calico, ForeignEngine::Calico) => calico_modelled(cluster, p),
        _ => false,
    }
}

/// Calico's kinds the Calico tiers model: NetworkPolicy and
/// GlobalNetworkPolicy (unless they use a service-account selector or host
/// endpoint settings), Profile, and HostEndpoint: the policies that
/// select a host endpoint govern the node's own traffic, not the pods'
/// (a note says so; policies with applyOnForward or preDNAT, which reach
/// forwarded pod traffic, stay unknown).
fn calico_modelled(cluster: &Cluster, p: &ForeignPolicy) -> bool {
    let c = &cluster.calico;
    c.policies.iter().any(|x| x.loc == p.loc && super::lang::calico_explain::modelled(x))
        || c.profiles.iter().any(|x| x.loc == p.loc)
        || c.host_endpoints.iter().any(|x| x.loc == p.loc)
}

/// The enforced foreign policies that may select a pod (its namespace and
/// labels) in one direction.
pub fn touching<'c>(
    cluster: &'c Cluster,
    sem: &Semantics,
    namespace: &str,
    labels: &Labels,
    ingress: bool,
) -> Vec<&'c ForeignPolicy> {
    cluster
        .foreign_policies
        .iter()
        .filter(|p| enforced(sem.engine, p.engine) && !modelled(cluster, sem, p))
        .filter(|p| p.may_select(namespace, labels, ingress))
        .collect()
}

/// The foreign policies the cluster's engine may enforce: the ones whose
/// pods' verdicts are unknown.
pub fn in_force<'c>(cluster: &'c Cluster, sem: &Semantics) -> Vec<&'c ForeignPolicy> {
    cluster.foreign_policies.iter().filter(|p| enforced(sem.engine, p.engine) && !modelled(cluster, sem, p)).collect()
}

/// The step's (and a reason's) reference to a foreign policy.
pub fn policy_ref(p: &ForeignPolicy) -> PolicyRef {
    PolicyRef::Foreign { engine: p.engine, kind: p.kind.clone(), namespace: p.namespace.clone(), name: p.name.clone() }
}

/// What the reports say beside the verdicts: a policy or endpoint the
/// cluster's engine leaves out, located. tusk-report words it
/// (`tusk_report::k8s::note`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A staged Calico policy (Calico docs, "Staged policies"): it previews
    /// rules and is not enforced, so it changes no verdict.
    Staged {
        /// Its kind (`StagedNetworkPolicy`, ...).
        kind: CalicoKind,
        /// `None` for a cluster-wide kind.
        namespace: Option<String>,
        /// `metadata.name`.
        name: String,
        /// Where it is written.
        loc: Loc,
    },
    /// A Calico HostEndpoint under the Calico engine: the host's own
    /// traffic is not modelled, so pod verdicts do not include host
    /// endpoint policies.
    HostEndpoint {
        /// `metadata.name`.
        name: String,
        /// Where it is written.
        loc: Loc,
    },
    /// A policy of another engine than the cluster's: not enforced, it
    /// changes no verdict.
    NotEnforced {
        /// The policy.
        policy: PolicyRef,
        /// Where it is written.
        loc: Loc,
        /// The cluster's policy engine.
        engine: PolicyEngine,
    },
}

/// One note per foreign policy the engine named does not enforce, per
/// staged Calico policy, and per host endpoint whose own traffic the
/// Calico tiers leave out.
pub fn not_enforced(cluster: &Cluster, sem: &Semantics) -> Vec<Note> {
    let mut out: Vec<Note> = cluster
        .calico
        .policies
        .iter()
        .filter(|p| p.kind.staged())
        .map(|p| Note::Staged {
            kind: p.kind,
            namespace: p.namespace.clone(),
            name: p.name.clone(),
            loc: p.loc.clone(),
        })
        .collect();
    if sem.engine == PolicyEngine::Calico {
        out.extend(
            cluster
                .calico
                .host_endpoints
                .iter()
                .map(|h| Note::HostEndpoint { name: h.name.clone(), loc: h.loc.clone() }),
        );
    }
    out.extend(
        cluster.foreign_policies.iter().filter(|p| !enforced(sem.engine, p.engine)).map(|p| Note::NotEnforced {
            policy: policy_ref(p),
            loc: p.loc.clone(),
            engine: sem.engine,
        }),
    );
    out
}

/// Makes the class verdicts that enforced foreign policies may change unknown.
pub fn taint(cluster: &Cluster, sem: &Semantics, ep: &ClassIndex, res: &mut ClassResults) {
    // Once, not per class: `modelled` scans the Cilium policies.
    let active = in_force(cluster, sem);
    if active.is_empty() {
        return;
    }
    let open = Arc::new(Verdicts { allowed: Vec::new(), unknown: vec![(ep.universe(), ConnSet::all())] });
    let mut restricted: HashMap<*const Verdicts, Arc<Verdicts>> = HashMap::new();
    for (ci, c) in ep.classes.iter().enumerate() {
        let g = &ep.groups[c.group];
        let ns = &cluster.namespaces[g.namespace].name;
        for (ingress, list) in [(true, &mut res.ingress), (false, &mut res.egress)] {
            let hits: Vec<_> = active.iter().filter(|p| p.may_select(ns, &g.labels, ingress)).collect();
            if hits.is_empty() {
                continue;
            }
            list[ci] = if hits.iter().any(|p| p.can_allow) {
                open.clone()
            } else {
                let old = list[ci].clone();
                restricted
                    .entry(Arc::as_ptr(&old))
                    .or_insert_with(|| {
                        let unknown = super::eval::combine(&old.allowed, &old.unknown, |a, b| a.union(b));
                        Arc::new(Verdicts { allowed: Vec::new(), unknown })
                    })
                    .clone()
            };
        }
    }
}
