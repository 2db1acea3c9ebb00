//! Tenant isolation: tenants are groups of namespaces named by a namespace
//! label (DESIGN "Tenants"); a tenant pair is isolated when no workload of
//! one may open any connection to a workload of the other, *and* no such
//! verdict is unknown. Unknown is never reported as isolated.

use super::matrix::Entry;
use std::collections::BTreeMap;
use tusk_core::ConnSet;
use tusk_model::k8s::Cluster;

/// What one tenant's workloads may open toward another's.
#[derive(Debug, Clone)]
pub struct TenantPair {
    /// The source tenant (a value of the tenant label).
    pub from: String,
    /// The destination tenant.
    pub to: String,
    /// Connections some pair surely allows.
    pub allowed: ConnSet,
    /// Connections some pair may allow (unknown).
    pub unknown: ConnSet,
    /// The rows that make the pair reachable (or unknown).
    pub witnesses: Vec<Entry>,
}

impl TenantPair {
    /// No connection allowed and none unknown: unknown never counts as isolated.
    pub fn isolated(&self) -> bool {
        self.allowed.is_empty() && self.unknown.is_empty()
    }
}

/// Tenant of each namespace, by the value of `label`.
pub fn tenants_by_label(cluster: &Cluster, label: &str) -> BTreeMap<String, String> {
    cluster.namespaces.iter().filter_map(|n| n.labels.get(label).map(|t| (n.name.clone(), t.clone()))).collect()
}

/// Every ordered pair of distinct tenants with what crosses between them.
pub fn tenant_isolation(c: &Cluster, rows: &[Entry], tenant_of: &BTreeMap<String, String>) -> Vec<TenantPair> {
    let names: std::collections::BTreeSet<&String> = tenant_of.values().collect();
    let mut pairs: BTreeMap<(String, String), TenantPair> = BTreeMap::new();
    for a in &names {
        for b in &names {
            if a != b {
                let p = TenantPair {
                    from: a.to_string(),
                    to: b.to_string(),
                    allowed: ConnSet::none(),
                    unknown: ConnSet::none(),
                    witnesses: vec![],
                };
                pairs.insert((a.to_string(), b.to_string()), p);
            }
        }
    }
    for e in rows {
        let (Some(s), Some(d)) = (e.src.namespace(c), e.dst.namespace(c)) else { continue };
        let (Some(ts), Some(td)) = (tenant_of.get(s), tenant_of.get(d)) else { continue };
        if let Some(p) = pairs.get_mut(&(ts.clone(), td.clone())) {
            p.allowed = p.allowed.union(&e.allowed);
            p.unknown = p.unknown.union(&e.unknown);
            p.witnesses.push(e.clone());
        }
    }
    pairs.into_values().collect()
}
