//! TA011: a tenant's node pool without a taint. A pool is a tenant's when
//! its node labels carry a label that a declared namespace carries too,
//! with the same value (`tenant: t1` on the pool and on namespace `t1`):
//! the label says whose nodes they are. A node label only *attracts* pods
//! that ask for it (nodeSelector, node affinity); it keeps nobody out. What
//! keeps other pods off a node is a taint with effect `NoSchedule` or
//! `NoExecute` that they do not tolerate ("Taints and Tolerations",
//! kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration;
//! AKS: "Use node taints in an Azure Kubernetes Service (AKS) cluster").
//! Without one, any pod of another tenant that does not select nodes can
//! land there, beside this tenant's pods, and an escape from it is an
//! escape onto this tenant's node. `PreferNoSchedule` is a preference, not
//! a filter, so it does not count. A System pool cannot carry a custom
//! NoSchedule taint (AKS allows only `CriticalAddonsOnly` there), so its
//! fix is a User pool for the tenant.

use super::{Finding, Problem, Rule, Severity};
use tusk_core::Idx;
use tusk_model::scheduling::TaintEffect;
use tusk_model::Estate;

/// The rule's identity (docs/audit.md#ta011-tenant-pool-without-taint).
pub const RULE: Rule = Rule {
    code: "TA011",
    name: "tenant-pool-without-taint",
    summary:
        "A node pool labelled for one tenant has no NoSchedule/NoExecute taint: other tenants' pods can land there.",
    help: "docs/audit.md#ta011-tenant-pool-without-taint",
    run,
};

fn run(e: &Estate) -> Vec<Finding> {
    let mut out = Vec::new();
    for (cluster, c) in Idx::enumerate(&e.clusters) {
        for (pool_at, pool) in Idx::enumerate(&c.pools) {
            let keeps_out = pool.taints.iter().any(|t| t.effect != TaintEffect::PreferNoSchedule);
            if keeps_out {
                continue;
            }
            // The first (label, value) of the pool that names a tenant:
            // a declared namespace carries the same label and value.
            let tenant = pool.labels.iter().find_map(|(k, v)| {
                let mut owners = e.k8s.namespaces.iter().filter(|n| n.loc.is_some() && n.labels.get(k) == Some(v));
                owners.next().map(|n| (k, v, n.name.as_str()))
            });
            let Some((key, value, namespace)) = tenant else { continue };
            out.push(Finding {
                code: RULE.code,
                severity: Severity::Warning,
                loc: pool.loc.clone(),
                problem: Problem::TenantPoolWithoutTaint {
                    cluster,
                    pool: pool_at,
                    key: key.clone(),
                    value: value.clone(),
                    namespace: namespace.to_string(),
                },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    const CLUSTER: &str = r#"{"name": "aks1", "type": "Microsoft.ContainerService/managedClusters",
 "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/aks1", "location": "westeurope",
 "properties": {"networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16"},
  "agentPoolProfiles": [
   {"name": "sys", "mode": "System", "count": 1, "maxPods": 110, "nodeTaints": ["CriticalAddonsOnly=true:NoSchedule"]},
   {"name": "blue", "mode": "User", "count": 1, "maxPods": 110, "nodeLabels": {"tenant": "blue"}TAINTS}]}}"#;

    const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: blue, labels: {tenant: blue}}\n";

    fn findings(taints: &str, namespace: &str) -> Vec<super::Finding> {
        let cluster = CLUSTER.replace("TAINTS", taints);
        super::run(&super::super::load(&[("aks.json", &cluster), ("ns.yaml", namespace)]))
    }

    #[test]
    fn a_pool_labelled_for_a_tenant_without_a_taint_is_flagged_at_the_pool() {
        let f = findings("", NAMESPACE);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].code, &*f[0].loc.file, f[0].loc.pos.line), ("TA011", "aks.json", 6));
        let want = super::Problem::TenantPoolWithoutTaint {
            cluster: super::Idx::new(0),
            pool: super::Idx::new(1),
            key: "tenant".into(),
            value: "blue".into(),
            namespace: "blue".into(),
        };
        assert_eq!(f[0].problem, want);
    }

    #[test]
    fn a_no_schedule_or_no_execute_taint_keeps_others_out_and_prefer_no_schedule_does_not() {
        assert!(findings(r#", "nodeTaints": ["tenant=blue:NoSchedule"]"#, NAMESPACE).is_empty());
        assert!(findings(r#", "nodeTaints": ["tenant=blue:NoExecute"]"#, NAMESPACE).is_empty());
        assert_eq!(findings(r#", "nodeTaints": ["tenant=blue:PreferNoSchedule"]"#, NAMESPACE).len(), 1);
    }

    #[test]
    fn a_system_pool_is_told_to_give_the_tenant_a_user_pool() {
        let system = CLUSTER.replace(r#""name": "blue", "mode": "User""#, r#""name": "blue", "mode": "System""#);
        let cluster = system.replace("TAINTS", "");
        let e = super::super::load(&[("aks.json", &cluster), ("ns.yaml", NAMESPACE)]);
        let f = super::run(&e);
        assert_eq!(f.len(), 1, "{f:?}");
        let super::Problem::TenantPoolWithoutTaint { cluster, pool, .. } = f[0].problem else { panic!("{f:?}") };
        assert_eq!(e.clusters[cluster].pools[pool].mode, tusk_model::aks::PoolMode::System);
    }

    #[test]
    fn a_label_no_namespace_carries_names_no_tenant() {
        let other = NAMESPACE.replace("tenant: blue", "tenant: green");
        assert!(findings("", &other).is_empty(), "the pool's value names no namespace's tenant");
        assert!(findings("", "apiVersion: v1\nkind: Namespace\nmetadata: {name: blue}\n").is_empty());
    }
}
