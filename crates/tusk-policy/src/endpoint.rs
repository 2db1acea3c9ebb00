//! What `tusk explain --from` / `--to` name, resolved against the cluster.
//! The notation is parsed once by [`tusk_core::FlowEnd::parse`]
//! (`docs/endpoints.md`); this resolver turns a parsed end into every pod
//! or address it stands for: `pod:NS/NAME` one pod, `workload:NS/NAME`
//! every replica, a bare `NS/NAME` whichever of the two it names (an error
//! listing both when it names two different things), an IP the pod that
//! holds it or the outside address, a CIDR every pod inside it plus one
//! outside address standing for the rest (a sample). Kinds that belong to
//! the Azure engine, or to the AKS work still to come (`node:`, `tenant:`),
//! are errors that say so: [`EndError`], data that tusk-report words.

use super::explain::FlowEnd;
use std::net::IpAddr;
use tusk_core::ip::{ip_to_u128, u128_to_ip, Cidr};
use tusk_core::FlowEnd as Notation;
use tusk_core::Idx;
use tusk_model::k8s::{Cluster, Workload, WorkloadKind};

/// One member of a resolved end, with the name outputs print for it.
#[derive(Debug, Clone)]
pub struct Member {
    /// The member as the policy engine evaluates it (a pod or an address).
    pub end: FlowEnd,
    /// The member's name in outputs (`ns/pod`, an address).
    pub label: String,
    /// Which replica of the pod entry `end` names (0 for a pod the input
    /// gives): two members of one entry are one pod only if this agrees.
    pub replica: u32,
}

impl Member {
    fn new(end: FlowEnd, label: String) -> Member {
        Member { end, label, replica: 0 }
    }

    /// Is `other` this very pod (not another replica of its template)? A
    /// flow from a pod to itself is always allowed (built-in admission).
    pub fn same_pod(&self, other: &Member) -> bool {
        matches!((self.end, other.end), (FlowEnd::Pod(a), FlowEnd::Pod(b)) if a == b) && self.replica == other.replica
    }
}

/// Every member an end stands for.
#[derive(Debug, Clone)]
pub struct Group {
    /// What the user wrote, in the canonical notation.
    pub name: String,
    /// Every member; a flow to the group is asked once per member.
    pub members: Vec<Member>,
    /// Set when a member is a sample standing for more addresses: the
    /// notation it stands for.
    pub sample: Option<String>,
}

/// Why an end cannot be resolved against the cluster (bad input or usage).
/// Data only: tusk-report words it (`tusk_report::k8s::end_error`). `end`
/// fields hold the end in the canonical notation (`docs/endpoints.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndError {
    /// A bare `NS/NAME` names a pod and workloads that are not that pod's
    /// own: which one is meant is unclear.
    Several {
        /// The end as asked.
        end: String,
        /// The namespace.
        namespace: String,
        /// The name.
        name: String,
        /// The kind of each workload of that name.
        kinds: Vec<WorkloadKind>,
    },
    /// A bare `NS/NAME` names no pod and no workload.
    NoPodOrWorkload {
        /// The end as asked.
        end: String,
        /// The namespace.
        namespace: String,
        /// Up to ten workloads of the namespace, by name (empty: none).
        known: Vec<String>,
    },
    /// `pod:NS/NAME` names no pod (nor a replica of a template).
    NoPod {
        /// The namespace.
        namespace: String,
        /// The name.
        name: String,
    },
    /// Several workloads of different kinds share the name.
    SeveralWorkloads {
        /// The namespace.
        namespace: String,
        /// The name.
        name: String,
        /// The kind of each.
        kinds: Vec<WorkloadKind>,
    },
    /// The workload stands for more than [`MAX_MEMBERS`] pods.
    TooManyPods {
        /// The namespace.
        namespace: String,
        /// The name.
        name: String,
        /// How many pods it stands for.
        total: u64,
    },
    /// No workload of that name has a pod.
    NoWorkload {
        /// The namespace.
        namespace: String,
        /// The name.
        name: String,
    },
    /// `onprem` without an address: the cluster inputs hold no on-premises
    /// prefixes.
    OnPremWithoutAddress,
    /// A Service is not a pod, workload or address (the end as asked).
    Service(String),
    /// An Ingress is a way in across both layers (the end as asked).
    Ingress(String),
    /// `node:` or `tenant:`, not in `tusk explain` (the end as asked).
    NodeOrTenant(String),
    /// An Azure resource name or subnet (the end as asked).
    Azure(String),
}

/// Resolves `end` (see the module documentation).
pub fn resolve(c: &Cluster, end: &Notation) -> Result<Group, EndError> {
    let name = end.to_string();
    let whole = |members: Vec<Member>| Ok(Group { name: name.clone(), members, sample: None });
    match end {
        Notation::Address(ip) => whole(vec![address(c, *ip)]),
        Notation::Internet(Some(ip)) | Notation::OnPrem(Some(ip)) => whole(vec![address(c, *ip)]),
        Notation::Internet(None) => Ok(Group {
            name: name.clone(),
            members: vec![address(c, IpAddr::from([203, 0, 113, 10]))],
            sample: Some(name.clone()),
        }),
        Notation::Block(b) => block(c, *b, name.clone()),
        Notation::Pod { namespace, name: pod } => whole(vec![pod_named(c, namespace, pod)?]),
        Notation::Workload { namespace, name: w } => whole(workload_pods(c, namespace, w)?),
        Notation::Qualified { first, second } => {
            let pod = pod_named(c, first, second).ok();
            let named = workloads_named(c, first, second);
            match (pod, named.as_slice()) {
                (Some(p), []) => whole(vec![p]),
                // A bare Pod is its own workload of the same name.
                (Some(p), [w])
                    if c.pods.iter().filter(|q| q.workload == *w).map(|q| q.count()).sum::<u32>() == 1
                        && is_pod_of(c, &p, *w) =>
                {
                    whole(vec![p])
                }
                (Some(_), ws) => Err(EndError::Several {
                    end: name.clone(),
                    namespace: first.clone(),
                    name: second.clone(),
                    kinds: ws.iter().map(|&w| c.workloads[w].kind).collect(),
                }),
                (None, [_]) => whole(workload_pods(c, first, second)?),
                (None, []) => Err(EndError::NoPodOrWorkload {
                    end: name.clone(),
                    namespace: first.clone(),
                    known: c
                        .workloads
                        .iter()
                        .filter(|w| w.namespace == *first)
                        .map(|w| w.name.clone())
                        .take(10)
                        .collect(),
                }),
                // Several workloads of that name: workload_pods says which.
                (None, _) => whole(workload_pods(c, first, second)?),
            }
        }
        Notation::OnPrem(None) => Err(EndError::OnPremWithoutAddress),
        // A Service is evaluated as flows to each of its endpoint pods by
        // the Service path of `tusk explain` (issue 8, A2), not resolved here.
        Notation::Service { .. } => Err(EndError::Service(name)),
        Notation::Ingress { .. } => Err(EndError::Ingress(name)),
        Notation::Node(_) | Notation::Tenant(_) => Err(EndError::NodeOrTenant(name)),
        Notation::Subnet { .. } | Notation::Name(_) => Err(EndError::Azure(name)),
    }
}

/// The pod that holds `ip`, or the address outside the cluster.
fn address(c: &Cluster, ip: IpAddr) -> Member {
    match c.pods.iter().position(|p| p.ips.contains(&ip)).map(Idx::new) {
        Some(i) => Member::new(FlowEnd::Pod(i), format!("{}/{} ({ip})", c.pods[i].namespace, c.pods[i].name)),
        None => Member::new(FlowEnd::Address(ip), ip.to_string()),
    }
}

fn pod_named(c: &Cluster, ns: &str, name: &str) -> Result<Member, EndError> {
    Idx::enumerate(&c.pods)
        .filter(|(_, p)| p.namespace == ns)
        .find_map(|(i, p)| p.replica_named(name).map(|r| (i, r)))
        .map(|(i, replica)| Member { end: FlowEnd::Pod(i), label: format!("{ns}/{name}"), replica })
        .ok_or_else(|| EndError::NoPod { namespace: ns.to_string(), name: name.to_string() })
}

/// The workloads named `ns/name` (several only when kinds differ).
fn workloads_named(c: &Cluster, ns: &str, name: &str) -> Vec<Idx<Workload>> {
    Idx::enumerate(&c.workloads).filter(|(_, w)| w.namespace == ns && w.name == name).map(|(i, _)| i).collect()
}

fn is_pod_of(c: &Cluster, m: &Member, w: Idx<Workload>) -> bool {
    matches!(m.end, FlowEnd::Pod(i) if c.pods[i].workload == w)
}

/// At most this many pods stand for one end (each is explained).
pub const MAX_MEMBERS: u64 = 100_000;

/// Every replica of the one workload `ns/name`, in input order; an error
/// listing the kinds when several workloads of different kinds share it.
fn workload_pods(c: &Cluster, ns: &str, name: &str) -> Result<Vec<Member>, EndError> {
    let named = workloads_named(c, ns, name);
    if named.len() > 1 {
        return Err(EndError::SeveralWorkloads {
            namespace: ns.to_string(),
            name: name.to_string(),
            kinds: named.iter().map(|&w| c.workloads[w].kind).collect(),
        });
    }
    // Replicas of a template are listed one by one (each is a member of
    // the group verdict): refuse, before listing them, more than fit.
    let total: u64 = c.pods.iter().filter(|p| named.contains(&p.workload)).map(|p| u64::from(p.count())).sum();
    if total > MAX_MEMBERS {
        return Err(EndError::TooManyPods { namespace: ns.to_string(), name: name.to_string(), total });
    }
    let pods: Vec<Member> = Idx::enumerate(&c.pods)
        .filter(|(_, p)| named.contains(&p.workload))
        .flat_map(|(i, p)| {
            let kind = c.workloads[p.workload].kind.name();
            (0..p.count()).map(move |replica| Member {
                end: FlowEnd::Pod(i),
                label: format!("{ns}/{name}[{kind}] (pod {})", p.replica_name(replica)),
                replica,
            })
        })
        .collect();
    if pods.is_empty() {
        return Err(EndError::NoWorkload { namespace: ns.to_string(), name: name.to_string() });
    }
    Ok(pods)
}

/// Every pod whose address is in the block, and its first address that is
/// no pod's, standing for the addresses outside the cluster.
fn block(c: &Cluster, b: Cidr, name: String) -> Result<Group, EndError> {
    let r = b.range();
    let inside = |ip: &IpAddr| (r.lo..=r.hi).contains(&ip_to_u128(*ip));
    let mut members: Vec<Member> = Vec::new();
    for (i, p) in Idx::enumerate(&c.pods) {
        if let Some(ip) = p.ips.iter().find(|ip| inside(ip)) {
            members.push(Member::new(FlowEnd::Pod(i), format!("{}/{} ({ip})", p.namespace, p.name)));
        }
    }
    let free = (r.lo..=r.hi).map(u128_to_ip).take(1 << 16).find(|ip| !c.pods.iter().any(|p| p.ips.contains(ip)));
    let mut sample = None;
    if let Some(ip) = free {
        members.push(Member::new(FlowEnd::Address(ip), ip.to_string()));
        sample = Some(name.clone());
    }
    Ok(Group { name, members, sample })
}
