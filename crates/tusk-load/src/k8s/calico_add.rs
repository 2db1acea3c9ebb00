//! Routes a Calico object into the cluster being built: policies, tiers,
//! profiles, network sets and host endpoints into [`CalicoObjects`], a
//! WorkloadEndpoint into a pod (its labels, IPs, node and named ports) with
//! its profile list. Checks that need every object (a policy's tier exists)
//! run in [`super::Builder::finish`] through [`super::calico::check_tiers`].

use super::calico;
use super::fields::Cx;
use crate::doc::Node;
use tusk_core::{LoadError, Warning};
use tusk_model::calico::CalicoKind;
use tusk_model::k8s::WorkloadKind;

impl super::Builder {
    /// Reads a Calico kind tusk models; returns false for other kinds (the
    /// caller then treats them as before: skipped or recorded as foreign).
    pub(super) fn add_calico(
        &mut self,
        cx: Cx,
        n: &Node,
        kind: &str,
        namespace: &str,
        name: &str,
        warnings: &mut Vec<Warning>,
    ) -> Result<bool, LoadError> {
        let meta = n.get("metadata");
        let labels = || match meta {
            Some(m) => super::selector::labels(cx, m, "labels"),
            None => Ok(Default::default()),
        };
        let policy_kind = match kind {
            "NetworkPolicy" => Some(CalicoKind::NetworkPolicy),
            "GlobalNetworkPolicy" => Some(CalicoKind::GlobalNetworkPolicy),
            "StagedNetworkPolicy" => Some(CalicoKind::StagedNetworkPolicy),
            "StagedGlobalNetworkPolicy" => Some(CalicoKind::StagedGlobalNetworkPolicy),
            _ => None,
        };
        if let Some(k) = policy_kind {
            let p = calico::policy(cx, n, k, namespace, name, warnings)?;
            if p.namespace.is_some() {
                self.ensure_namespace(namespace);
            }
            self.cluster.calico.policies.push(p);
            return Ok(false);
        }
        match kind {
            "Tier" => {
                let t = calico::tier(cx, n, name)?;
                self.cluster.calico.tiers.push(t);
            }
            "Profile" => {
                let p = calico::profile(cx, n, name, warnings)?;
                self.cluster.calico.profiles.push(p);
                return Ok(false);
            }
            "NetworkSet" => {
                self.ensure_namespace(namespace);
                let s = calico::network_set(cx, n, Some(namespace), name, labels()?, warnings)?;
                self.cluster.calico.network_sets.push(s);
            }
            "GlobalNetworkSet" => {
                let s = calico::network_set(cx, n, None, name, labels()?, warnings)?;
                self.cluster.calico.network_sets.push(s);
            }
            "HostEndpoint" => {
                let h = calico::host_endpoint(cx, n, name, labels()?)?;
                self.cluster.calico.host_endpoints.push(h);
                return Ok(false);
            }
            "WorkloadEndpoint" => {
                let wep = calico::workload_endpoint(cx, n, name)?;
                let loc = cx.loc(n);
                if let Some(prev) =
                    self.seen.insert(("Pod".into(), namespace.to_string(), wep.pod.clone()), loc.clone())
                {
                    return Err(cx.err(n, format!("pod `{}` is given twice (first at {prev})", wep.pod)));
                }
                self.ensure_namespace(namespace);
                let shape = super::workload::PodShape {
                    labels: labels()?,
                    host_network: false,
                    node_name: wep.node,
                    ports: wep.ports,
                    ips: wep.ips,
                    host_ip: None,
                    scheduling: Default::default(),
                    escape: Vec::new(),
                    // calicoctl's endpoint view says nothing of Istio: the
                    // namespace labels decide, as for a pod without hints.
                    mesh: Default::default(),
                };
                let w = self.workload(WorkloadKind::Pod, namespace, &wep.pod, &loc, None, &shape);
                self.cluster.calico.endpoint_profiles.insert((namespace.to_string(), wep.pod.clone()), wep.profiles);
                self.push_pod(w, wep.pod, shape, loc);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
