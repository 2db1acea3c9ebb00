//! TA005: a namespace with workloads but no default-deny ingress policy.
//! Pods are non-isolated for ingress until a NetworkPolicy selects them
//! ("Network Policies", default policies: a policy with an empty
//! podSelector and policyTypes Ingress isolates every pod of the
//! namespace); without one, a new workload is open to every pod.

use super::{Finding, Problem, Rule, Severity};
use tusk_model::Estate;

pub const RULE: Rule = Rule {
    code: "TA005",
    name: "namespace-without-default-deny",
    summary: "A namespace runs workloads but has no default-deny ingress NetworkPolicy.",
    help: "docs/audit.md#ta005-namespace-without-default-deny",
    run,
};

fn run(e: &Estate) -> Vec<Finding> {
    let c = &e.k8s;
    let mut namespaces: Vec<&str> = c.workloads.iter().map(|w| w.namespace.as_str()).collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    namespaces
        .into_iter()
        .filter(|ns| {
            !c.network_policies.iter().any(|p| p.namespace == *ns && p.pod_selector.is_empty() && p.isolates_ingress)
        })
        .filter(|ns| !matches!(*ns, "kube-system" | "kube-public" | "kube-node-lease"))
        .map(|ns| {
            let declared = c.namespaces.iter().find(|n| n.name == ns).and_then(|n| n.loc.clone());
            let first = c.workloads.iter().find(|w| w.namespace == ns).map(|w| w.loc.clone());
            Finding {
                code: RULE.code,
                severity: Severity::Warning,
                loc: declared.or(first).unwrap_or_else(|| tusk_core::Loc::builtin("namespace")),
                problem: Problem::NamespaceWithoutDefaultDeny { namespace: ns.to_string() },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_namespace_without_default_deny_is_flagged_at_its_declaration() {
        let m = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: c}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: b}\nspec: {containers: [{name: c, image: c}]}\n";
        let deny = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: d, namespace: b}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n";
        let f = super::run(&super::super::load(&[("m.yaml", &format!("{m}{deny}"))]));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].loc.pos.line, 1);
        assert_eq!(f[0].problem, super::Problem::NamespaceWithoutDefaultDeny { namespace: "a".into() });
        // Selecting some pods only is no default deny.
        let some = deny.replace("podSelector: {}", "podSelector: {matchLabels: {x: y}}");
        assert_eq!(super::run(&super::super::load(&[("m.yaml", &format!("{m}{some}"))])).len(), 2);
    }
}
