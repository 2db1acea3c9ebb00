//! The isolation matrix across both layers at a grain (tenant, namespace,
//! workload, pod), per actor, for one flow (protocol and port), computed
//! from equivalence classes rather than by tracing every member pair.
//!
//! A member of a grain unit is a pod on one of the nodes it can run on
//! (actor `pod`) or a node hosting the unit's pods (actor `node`). Members
//! are grouped into *context classes* ([`keys`]): what the Kubernetes
//! engine can tell apart about the pod (namespace, labels, named ports,
//! hostNetwork, exported addresses and node) crossed with the network
//! context of its node (the pool, hence its subnet, NSGs, route table and
//! the set of addresses AKS may give its nodes, and the policy address
//! atom of the node's representative address; an exported node is a
//! context of its own). Two members of one class are indistinguishable to
//! every segment [`crate::join`] evaluates — the policy engines see the
//! same selectors and ports, the Azure engine sees the same subnet and the
//! same possible address set (a rule splitting that set already makes the
//! pair unknown) — so one representative pair per (source class,
//! destination class, same node or not) is traced ([`eval`]), and its
//! verdict stands for every member pair of that kind. A cell's verdict is
//! the group verdict of its classes' verdicts: `mixed` when they differ,
//! never a guess.
//!
//! The per-pair form ([`crate::tenants`]) stays as the oracle: the tests
//! compare both cell by cell on every fixture estate. [`pairs`] answers
//! one member pair at a time from the same classes (for `tusk diff`).

mod eval;
pub mod factored;
pub mod keys;
pub mod pairs;
mod policy_part;
pub mod ports;

pub use eval::{class_matrix, matrix, stream, Cell, Layer, Matrix, Sink, Stats};
pub use pairs::PairVerdicts;
pub use ports::{port_matrix, PortCell, PortMatrix};
use tusk_core::Idx;
use tusk_model::k8s::Pod;

/// What a row or column of the matrix stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    /// Namespaces grouped by the value of a namespace label (`--tenant-label`).
    Tenant,
    /// One unit per namespace.
    Namespace,
    /// One unit per workload (Deployment, StatefulSet, bare pod, …).
    Workload,
    /// One unit per pod.
    Pod,
}

/// One row / column: its name and the pods (of the cluster's pods) it
/// holds. Pods no node can take are left out (see `tusk schedule`).
#[derive(Debug, Clone)]
pub struct Unit {
    /// The tenant (`t1`), the namespace (`team-a`), `team-a/api` (workload)
    /// or `team-a/api-0` (pod).
    pub name: String,
    /// Its pods, in `estate.k8s.pods`.
    pub pods: Vec<Idx<Pod>>,
}

/// The units of `grain`, in a stable order (by name). `label` is the
/// namespace label naming tenants (only read for [`Grain::Tenant`]).
/// Errors: fewer than two units (the matrix would have no cell).
pub fn units(
    estate: &tusk_model::Estate,
    w: &crate::join::Wiring,
    grain: Grain,
    label: &str,
) -> Result<Vec<Unit>, crate::errors::TooFewUnits> {
    use std::collections::BTreeMap;
    let c = &estate.k8s;
    let mut by: BTreeMap<String, Vec<Idx<Pod>>> = BTreeMap::new();
    match grain {
        Grain::Tenant => {
            for (t, pods) in crate::tenants::tenants(estate, label) {
                by.insert(t, pods);
            }
        }
        Grain::Namespace => {
            for (i, p) in Idx::enumerate(&c.pods) {
                by.entry(p.namespace.clone()).or_default().push(i);
            }
        }
        Grain::Workload => {
            for (i, p) in Idx::enumerate(&c.pods) {
                let wl = &c.workloads[p.workload];
                by.entry(format!("{}/{}", wl.namespace, wl.name)).or_default().push(i);
            }
        }
        Grain::Pod => {
            for (i, p) in Idx::enumerate(&c.pods) {
                by.entry(format!("{}/{}", p.namespace, p.name)).or_default().push(i);
            }
        }
    }
    let feasible = w.feasible_nodes(estate);
    let out: Vec<Unit> = by
        .into_iter()
        .map(|(name, pods)| Unit { name, pods: pods.into_iter().filter(|&i| !feasible[i].is_empty()).collect() })
        .filter(|u| !u.pods.is_empty())
        .collect();
    if out.len() < 2 {
        return Err(crate::errors::TooFewUnits { grain, label: label.to_string() });
    }
    Ok(out)
}
