//! Connections from an ingress controller, as netpol-analyzer's connlist
//! lists them (`{ingress-controller} => ns/workload[Kind] : TCP 8090`):
//! each Ingress backend (a Service and one of its ports) reaches the
//! Service's endpoint pods on their target ports ("Ingress" and "Virtual
//! IPs and Service Proxies", Kubernetes docs), when their ingress policy
//! lets the controller in.
//!
//! The controller's own pods, namespace and labels are not in the inputs
//! (netpol-analyzer, docs/ingress_analysis.md, also takes the controller's
//! pod as unknown). So a connection is listed only when no policy can
//! stand in its way whoever the controller is: no NetworkPolicy selects the
//! endpoint pod for ingress, no (Baseline)AdminNetworkPolicy has ingress
//! rules, no Cilium policy is in force under the Cilium engine, and no
//! unmodelled policy may select it. Anything else is reported as unknown
//! with the policy that may decide, never listed as allowed or left out as
//! denied without saying so.

use super::services::{endpoints, title};
use super::{PolicyEngine, Semantics};
use std::collections::BTreeMap;
use tusk_core::{PortSet, Protocol};
use tusk_model::k8s::{Cluster, TargetPort};

/// What the ingress controller reaches through the inputs' Ingress objects.
#[derive(Debug, Default)]
pub struct ControllerReach {
    /// Workload index → the TCP target ports reached on its pods.
    pub allowed: BTreeMap<u32, PortSet>,
    /// Why some backends' pods could not be decided (one line each).
    pub unknown: Vec<String>,
}

/// The policy that may stand between the controller and pod `i`, if any.
fn in_the_way(c: &Cluster, sem: &Semantics, i: usize) -> Option<String> {
    let pod = &c.pods[i];
    if let Some(p) = c
        .network_policies
        .iter()
        .find(|p| p.isolates_ingress && p.namespace == pod.namespace && p.pod_selector.matches(&pod.labels))
    {
        return Some(format!("NetworkPolicy {}/{} ({}) selects it for ingress", p.namespace, p.name, p.loc));
    }
    if let Some(p) = c.admin_policies.iter().chain(&c.baseline_policy).find(|p| !p.ingress.is_empty()) {
        return Some(format!("{} ({}) has ingress rules", p.name, p.loc));
    }
    if sem.engine == PolicyEngine::Cilium && !c.cilium_policies.is_empty() {
        return Some("Cilium policies are in force".into());
    }
    let foreign = super::foreign::in_force(c, sem);
    if let Some(p) = foreign.iter().find(|p| p.may_select(&pod.namespace, &pod.labels, true)) {
        return Some(format!("{} ({}) may select it", p.title(), p.loc));
    }
    None
}

/// Every Ingress backend of `c`, resolved to endpoint pods and target
/// ports, under `sem`.
pub fn reach(c: &Cluster, sem: &Semantics) -> ControllerReach {
    let mut out = ControllerReach::default();
    for ing in &c.ingresses {
        for b in &ing.backends {
            let what = format!("Ingress {}/{} backend {} ({})", ing.namespace, ing.name, b.service, b.loc);
            let Some(svc) = c.services.iter().find(|s| s.namespace == ing.namespace && s.name == b.service) else {
                out.unknown.push(format!("{what}: no such Service in the inputs"));
                continue;
            };
            // An Ingress carries HTTP(S): the Service's TCP port it names.
            let sp = svc.ports.iter().find(|p| {
                p.protocol == Protocol::Tcp
                    && match &b.port {
                        TargetPort::Number(n) => p.port == *n,
                        TargetPort::Name(n) => p.name.as_deref() == Some(n.as_str()),
                    }
            });
            let Some(sp) = sp else {
                out.unknown.push(format!("{what}: {} has no such TCP port", title(svc)));
                continue;
            };
            match endpoints(c, svc, sp) {
                Err(r) => out.unknown.push(format!("{what}: {r:?}")),
                Ok(eps) => {
                    for (pod, target) in eps {
                        match in_the_way(c, sem, pod) {
                            Some(why) => out.unknown.push(format!(
                                "{what}: pod {}/{}: {why}; the controller's namespace and labels are not in the inputs",
                                c.pods[pod].namespace, c.pods[pod].name
                            )),
                            None => {
                                let w = c.pods[pod].workload as u32;
                                let set = out.allowed.entry(w).or_insert_with(PortSet::empty);
                                *set = set.union(&PortSet::single(target));
                            }
                        }
                    }
                }
            }
        }
    }
    out.unknown.sort();
    out.unknown.dedup();
    out
}
