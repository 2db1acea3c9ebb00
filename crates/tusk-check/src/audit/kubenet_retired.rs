//! TA001: a cluster uses kubenet. Microsoft retires kubenet on AKS on
//! 2028-03-31 ("Use kubenet networking with your own IP address ranges in
//! AKS", retirement note); the migration path is Azure CNI Overlay
//! ("Upgrade Azure CNI": `az aks update --network-plugin azure
//! --network-plugin-mode overlay`).

use super::{Finding, Problem, Rule, Severity};
use tusk_core::Idx;
use tusk_model::aks::NetworkPlugin;
use tusk_model::Estate;

pub const RULE: Rule = Rule {
    code: "TA001",
    name: "kubenet-retired",
    summary: "The cluster uses kubenet, which AKS retires on 2028-03-31.",
    help: "docs/audit.md#ta001-kubenet-retired",
    run,
};

fn run(e: &Estate) -> Vec<Finding> {
    Idx::enumerate(&e.clusters)
        .filter(|(_, c)| c.network.plugin == NetworkPlugin::Kubenet)
        .map(|(cluster, c)| Finding {
            code: RULE.code,
            severity: Severity::Warning,
            loc: c.network.loc.clone(),
            problem: Problem::KubenetRetired { cluster },
        })
        .collect()
}

#[cfg(test)]
pub(crate) const KUBENET: &str = r#"{"name": "aks1", "type": "Microsoft.ContainerService/managedClusters",
 "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/aks1", "location": "westeurope",
 "properties": {"networkProfile": {"networkPlugin": "kubenet", "podCidr": "10.244.0.0/16"},
  "agentPoolProfiles": [{"name": "sys", "mode": "System", "count": 3, "maxPods": 110}]}}"#;

#[cfg(test)]
mod tests {
    #[test]
    fn kubenet_is_flagged_at_its_network_profile_and_cni_is_not() {
        let f = super::run(&super::super::load(&[("aks.json", super::KUBENET)]));
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].code, &*f[0].loc.file), ("TA001", "aks.json"));
        assert_eq!(f[0].problem, super::Problem::KubenetRetired { cluster: super::Idx::new(0) });
        let cni = super::KUBENET.replace("\"kubenet\"", "\"azure\"");
        assert!(super::run(&super::super::load(&[("aks.json", &cni)])).is_empty());
    }
}
