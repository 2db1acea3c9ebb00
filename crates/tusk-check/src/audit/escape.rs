//! TA008: a workload whose pods can escape to their node easily. Host
//! namespaces (hostNetwork, hostPID, hostIPC), privileged containers,
//! allowPrivilegeEscalation, added capabilities and running as root are
//! what the Kubernetes "Pod Security Standards" baseline and restricted
//! profiles forbid; a container that escapes reaches everything its node
//! can, whatever the NetworkPolicies say about pods. The loader reads the
//! settings where they are written (`tusk_model::k8s::EscapeRisk`).

use super::{Finding, Problem, Rule, Severity};
use tusk_core::Idx;
use tusk_model::Estate;

pub const RULE: Rule = Rule {
    code: "TA008",
    name: "pod-escape-risk",
    summary:
        "A workload's pods run privileged, with host namespaces, privilege escalation, added capabilities or as root.",
    help: "docs/audit.md#ta008-pod-escape-risk",
    run,
};

fn run(e: &Estate) -> Vec<Finding> {
    Idx::enumerate(&e.k8s.workloads)
        .flat_map(|(workload, w)| {
            Idx::enumerate(&w.escape).map(move |(risk, r)| Finding {
                code: RULE.code,
                severity: Severity::Warning,
                loc: r.loc.clone(),
                problem: Problem::PodEscapeRisk { workload, risk },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_risky_setting_is_reported_at_its_line_and_a_plain_pod_is_not() {
        use tusk_model::k8s::{EscapeSetting as S, HostNamespace};
        let m = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: x}\nspec:\n  template:\n    spec:\n      hostPID: true\n      containers:\n      - name: app\n        image: a\n        securityContext:\n          privileged: true\n          allowPrivilegeEscalation: true\n          runAsUser: 0\n          capabilities: {add: [NET_ADMIN]}\n      - name: ok\n        image: b\n        securityContext: {runAsUser: 1000, allowPrivilegeEscalation: false}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: plain, namespace: x}\nspec: {containers: [{name: c, image: c}]}\n";
        let e = super::super::load(&[("m.yaml", m)]);
        let f = super::run(&e);
        let lines: Vec<u32> = f.iter().map(|x| x.loc.pos.line).collect();
        assert_eq!(lines, [7, 12, 13, 14, 15], "{f:?}");
        let risk = |x: &super::Finding| {
            let super::Problem::PodEscapeRisk { workload, risk } = x.problem else { panic!("{x:?}") };
            let w = &e.k8s.workloads[workload];
            (w.kind.name(), w.namespace.as_str(), w.name.as_str(), w.escape[risk].setting.clone())
        };
        let app = || Some("app".to_string());
        assert_eq!(risk(&f[0]), ("Deployment", "x", "d", S::HostNamespace(HostNamespace::Pid)));
        assert_eq!(risk(&f[1]).3, S::Privileged { container: app() });
        assert_eq!(risk(&f[2]).3, S::AllowPrivilegeEscalation { container: app() });
        assert_eq!(risk(&f[3]).3, S::RootContainer { container: app() });
        assert_eq!(risk(&f[4]).3, S::AddedCapabilities { container: app(), capabilities: vec!["NET_ADMIN".into()] });
    }
}
