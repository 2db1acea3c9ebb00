//! The policy semantics tusk followed, in words: one line naming the
//! engine and how it reads ipBlocks and hostNetwork pods
//! (`tusk_policy::Semantics`), shown at the head of matrices and
//! explanations.

use tusk_policy::{HostNetwork, PolicyEngine, Semantics};

/// One line for reports: which behaviour tusk followed and why.
pub fn semantics_text(s: &Semantics) -> String {
    let who = match s.engine {
        PolicyEngine::Upstream => "upstream Kubernetes semantics (no policy engine named)",
        PolicyEngine::Calico => "Calico",
        PolicyEngine::AzureNpm => "Azure Network Policy Manager",
        PolicyEngine::Cilium => "Cilium",
        PolicyEngine::NetpolAnalyzer => "netpol-analyzer's reading",
    };
    let ip = if s.ipblock_selects_pods {
        "ipBlock peers also match pods whose IP falls inside them"
    } else {
        "ipBlock peers match only addresses outside the cluster"
    };
    let host = match s.host_network {
        HostNetwork::AsPods => "hostNetwork pods are treated as pods",
        HostNetwork::NotSelectable => "hostNetwork pods are never selected by policies",
        HostNetwork::Either => {
            "policies may or may not apply to hostNetwork pods (verdicts that depend on it are unknown)"
        }
    };
    format!("{who}: {ip}; {host}")
}
