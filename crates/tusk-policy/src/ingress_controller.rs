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

use super::reason::{Reason, ServiceRef};
use super::services::{endpoints, service_ref};
use super::step::PolicyRef;
use super::{PolicyEngine, Semantics};
use std::collections::BTreeMap;
use tusk_core::{Idx, Loc, PortSet, Protocol};
use tusk_model::k8s::{Cluster, Pod, TargetPort, Workload};

/// What the ingress controller reaches through the inputs' Ingress objects.
#[derive(Debug, Default)]
pub struct ControllerReach {
    /// Workload → the TCP target ports reached on its pods.
    pub allowed: BTreeMap<Idx<Workload>, PortSet>,
    /// The backends (or backend pods) that could not be decided, and why.
    pub unknown: Vec<BackendDoubt>,
}

/// One Ingress backend whose pods the controller may or may not reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendDoubt {
    /// The Ingress's namespace.
    pub namespace: String,
    /// The Ingress's name.
    pub ingress: String,
    /// The backend's Service name (in the Ingress's namespace).
    pub service: String,
    /// Where the backend is written.
    pub loc: Loc,
    /// Why it is undecided.
    pub why: BackendWhy,
}

/// Why an Ingress backend is undecided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendWhy {
    /// No Service of that name is in the inputs.
    NoService,
    /// The Service has no TCP port of that number or name.
    NoTcpPort(ServiceRef),
    /// The Service's endpoints are not in the inputs ([`Reason::NoSelector`],
    /// [`Reason::NoEndpoints`]).
    Endpoints(Reason),
    /// A policy may stand between the controller and an endpoint pod
    /// (`namespace/name`), whose namespace and labels are not in the inputs.
    InTheWay {
        /// The endpoint pod, as `namespace/name`.
        pod: String,
        /// What may stand in the way.
        by: InTheWay,
    },
}

/// What may stand between the ingress controller and an endpoint pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InTheWay {
    /// A NetworkPolicy selects the pod for ingress.
    NetworkPolicy {
        /// The policy's namespace.
        namespace: String,
        /// The policy's name.
        name: String,
        /// Where it is written.
        loc: Loc,
    },
    /// An AdminNetworkPolicy or the BaselineAdminNetworkPolicy has ingress
    /// rules.
    AdminIngress {
        /// The policy's name.
        name: String,
        /// Where it is written.
        loc: Loc,
    },
    /// Cilium policies are in force (under `--policy-engine cilium`).
    CiliumInForce,
    /// A policy tusk does not model may select the pod.
    Foreign {
        /// The policy.
        policy: PolicyRef,
        /// Where it is written.
        loc: Loc,
    },
}

/// The policy that may stand between the controller and pod `i`, if any.
fn in_the_way(c: &Cluster, sem: &Semantics, i: Idx<Pod>) -> Option<InTheWay> {
    let pod = &c.pods[i];
    if let Some(p) = c
        .network_policies
        .iter()
        .find(|p| p.isolates_ingress && p.namespace == pod.namespace && p.pod_selector.matches(&pod.labels))
    {
        return Some(InTheWay::NetworkPolicy {
            namespace: p.namespace.clone(),
            name: p.name.clone(),
            loc: p.loc.clone(),
        });
    }
    if let Some(p) = c.admin_policies.iter().chain(&c.baseline_policy).find(|p| !p.ingress.is_empty()) {
        return Some(InTheWay::AdminIngress { name: p.name.clone(), loc: p.loc.clone() });
    }
    if sem.engine == PolicyEngine::Cilium && !c.cilium_policies.is_empty() {
        return Some(InTheWay::CiliumInForce);
    }
    let foreign = super::foreign::in_force(c, sem);
    if let Some(p) = foreign.iter().find(|p| p.may_select(&pod.namespace, &pod.labels, true)) {
        return Some(InTheWay::Foreign { policy: super::foreign::policy_ref(p), loc: p.loc.clone() });
    }
    None
}

/// Every Ingress backend of `c`, resolved to endpoint pods and target
/// ports, under `sem`.
pub fn reach(c: &Cluster, sem: &Semantics) -> ControllerReach {
    let mut out = ControllerReach::default();
    for ing in &c.ingresses {
        for b in &ing.backends {
            let doubt = |why| BackendDoubt {
                namespace: ing.namespace.clone(),
                ingress: ing.name.clone(),
                service: b.service.clone(),
                loc: b.loc.clone(),
                why,
            };
            let Some(svc) = c.services.iter().find(|s| s.namespace == ing.namespace && s.name == b.service) else {
                out.unknown.push(doubt(BackendWhy::NoService));
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
                out.unknown.push(doubt(BackendWhy::NoTcpPort(service_ref(svc))));
                continue;
            };
            match endpoints(c, svc, sp) {
                Err(r) => out.unknown.push(doubt(BackendWhy::Endpoints(r))),
                Ok(eps) => {
                    for (pod, target) in eps {
                        match in_the_way(c, sem, pod) {
                            Some(by) => {
                                let pod = format!("{}/{}", c.pods[pod].namespace, c.pods[pod].name);
                                out.unknown.push(doubt(BackendWhy::InTheWay { pod, by }));
                            }
                            None => {
                                let w = c.pods[pod].workload;
                                let set = out.allowed.entry(w).or_insert_with(PortSet::empty);
                                *set = set.union(&PortSet::single(target));
                            }
                        }
                    }
                }
            }
        }
    }
    out.unknown.dedup();
    out
}
