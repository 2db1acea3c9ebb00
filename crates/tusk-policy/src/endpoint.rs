//! What `tusk explain --from` / `--to` name, resolved against the cluster.
//! The notation is parsed once by [`tusk_core::FlowEnd::parse`]
//! (`docs/endpoints.md`); this resolver turns a parsed end into every pod
//! or address it stands for: `pod:NS/NAME` one pod, `workload:NS/NAME`
//! every replica, a bare `NS/NAME` whichever of the two it names (an error
//! listing both when it names two different things), an IP the pod that
//! holds it or the outside address, a CIDR every pod inside it plus one
//! outside address standing for the rest (a sample). Kinds that belong to
//! the Azure engine, or to the AKS work still to come (`node:`, `tenant:`),
//! are errors that say so.

use super::explain::FlowEnd;
use std::net::IpAddr;
use tusk_core::ip::{ip_to_u128, u128_to_ip, Cidr};
use tusk_core::FlowEnd as Notation;
use tusk_model::k8s::Cluster;

/// One member of a resolved end, with the name outputs print for it.
#[derive(Debug, Clone)]
pub struct Member {
    pub end: FlowEnd,
    pub label: String,
}

/// Every member an end stands for.
#[derive(Debug, Clone)]
pub struct Group {
    /// What the user wrote, in the canonical notation.
    pub name: String,
    pub members: Vec<Member>,
    /// Set when a member is a sample standing for more addresses: the
    /// notation it stands for.
    pub sample: Option<String>,
}

/// Resolves `end` (see the module documentation).
pub fn resolve(c: &Cluster, end: &Notation) -> Result<Group, String> {
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
            let workload = workload_pods(c, first, second).ok();
            match (pod, workload) {
                (Some(p), Some(w)) if w.len() == 1 && same_pod(w[0].end, p.end) => whole(vec![p]),
                (Some(_), Some(_)) => Err(format!(
                    "`{name}` names two things: pod:{first}/{second} and workload:{first}/{second}; write one of them"
                )),
                (Some(p), None) => whole(vec![p]),
                (None, Some(w)) => whole(w),
                (None, None) => {
                    let known: Vec<String> =
                        c.workloads.iter().filter(|w| w.namespace == *first).map(|w| w.name.clone()).take(10).collect();
                    Err(format!(
                        "no pod or workload `{name}`; workloads in namespace `{first}`: {}",
                        if known.is_empty() { "none".into() } else { known.join(", ") }
                    ))
                }
            }
        }
        Notation::OnPrem(None) => {
            Err("`onprem` needs an address here (onprem:IP): the cluster inputs hold no on-premises prefixes".into())
        }
        Notation::Node(_) | Notation::Tenant(_) => {
            Err(format!("`{name}`: nodes and tenants are not in `tusk explain` yet; name a pod, workload or address"))
        }
        Notation::Subnet { .. } | Notation::Name(_) => Err(format!(
            "`{name}` names an Azure resource; `tusk explain` takes pod:NS/NAME, workload:NS/NAME, NS/NAME, an IP or a CIDR (see docs/endpoints.md)"
        )),
    }
}

/// The pod that holds `ip`, or the address outside the cluster.
fn address(c: &Cluster, ip: IpAddr) -> Member {
    match c.pods.iter().position(|p| p.ips.contains(&ip)) {
        Some(i) => Member { end: FlowEnd::Pod(i), label: format!("{}/{} ({ip})", c.pods[i].namespace, c.pods[i].name) },
        None => Member { end: FlowEnd::Address(ip), label: ip.to_string() },
    }
}

fn pod_named(c: &Cluster, ns: &str, name: &str) -> Result<Member, String> {
    c.pods
        .iter()
        .position(|p| p.namespace == ns && p.name == name)
        .map(|i| Member { end: FlowEnd::Pod(i), label: format!("{ns}/{name}") })
        .ok_or_else(|| format!("no pod `{ns}/{name}`"))
}

/// Every replica of the workload `ns/name`, in input order.
fn workload_pods(c: &Cluster, ns: &str, name: &str) -> Result<Vec<Member>, String> {
    let pods: Vec<Member> = c
        .pods
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let w = &c.workloads[p.workload];
            w.namespace == ns && w.name == name
        })
        .map(|(i, p)| {
            let w = &c.workloads[p.workload];
            Member { end: FlowEnd::Pod(i), label: format!("{ns}/{name}[{}] (pod {})", w.kind.name(), p.name) }
        })
        .collect();
    if pods.is_empty() {
        return Err(format!("no workload `{ns}/{name}` with pods"));
    }
    Ok(pods)
}

/// Every pod whose address is in the block, and its first address that is
/// no pod's, standing for the addresses outside the cluster.
fn block(c: &Cluster, b: Cidr, name: String) -> Result<Group, String> {
    let r = b.range();
    let inside = |ip: &IpAddr| (r.lo..=r.hi).contains(&ip_to_u128(*ip));
    let mut members: Vec<Member> = Vec::new();
    for (i, p) in c.pods.iter().enumerate() {
        if let Some(ip) = p.ips.iter().find(|ip| inside(ip)) {
            members.push(Member { end: FlowEnd::Pod(i), label: format!("{}/{} ({ip})", p.namespace, p.name) });
        }
    }
    let free = (r.lo..=r.hi).map(u128_to_ip).take(1 << 16).find(|ip| !c.pods.iter().any(|p| p.ips.contains(ip)));
    let mut sample = None;
    if let Some(ip) = free {
        members.push(Member { end: FlowEnd::Address(ip), label: ip.to_string() });
        sample = Some(name.clone());
    }
    Ok(Group { name, members, sample })
}

fn same_pod(a: FlowEnd, b: FlowEnd) -> bool {
    matches!((a, b), (FlowEnd::Pod(x), FlowEnd::Pod(y)) if x == y)
}
