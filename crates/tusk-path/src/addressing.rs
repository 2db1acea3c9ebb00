//! Pod addresses per network plugin (the AKS data-path table in DESIGN.md,
//! from the AKS docs "Networking concepts" and "IP address planning"):
//!
//! | plugin | a pod's address comes from |
//! |---|---|
//! | kubenet, Azure CNI Overlay | the node's /24 of the cluster's pod CIDR |
//! | Azure CNI (node subnet) | the node's subnet |
//! | Azure CNI with `podSubnetID` | the pool's pod subnet |
//! | none (bring your own CNI) | unknown |
//!
//! The Cilium data plane follows its IPAM mode (overlay or pod subnet),
//! which the same fields express. Which /24 a kubenet or overlay node takes
//! is not predictable, so without an exported `spec.podCIDR` a node's pod
//! range is the whole pod CIDR. Exported `status.podIP` and `status.hostIP`
//! win over any of this; one outside what the plugin allows is a warning.

use crate::nodes::{usable, Fleet, SimNode};
use tusk_core::ip::addr_set;
use tusk_core::{Idx, IpSet, Warning};
use tusk_model::aks::{AksCluster, NetworkPlugin, NodePool};
use tusk_model::azure::{Link, Subnet};
use tusk_model::k8s::Pod;
use tusk_model::Estate;

/// Where a pool's pods take their addresses, by the cluster's network plugin
/// ("Azure CNI networking" / "kubenet" / "Azure CNI Overlay" pages of the AKS
/// docs: learn.microsoft.com/azure/aks/concepts-network-cni-overview).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodAddressing {
    /// kubenet and overlay: one range per node from the pod CIDR.
    PodCidrPerNode,
    /// Azure CNI: pods share the node's subnet.
    NodeSubnet,
    /// Azure CNI with a pod subnet per pool.
    PodSubnet,
    /// Bring your own CNI: tusk does not know its IPAM.
    Unknown,
}

impl PodAddressing {
    /// The addressing in words, for reports (no trailing period).
    pub fn describe(self) -> &'static str {
        match self {
            PodAddressing::PodCidrPerNode => "a per-node range of the cluster's pod CIDR",
            PodAddressing::NodeSubnet => "the node's subnet (Azure CNI)",
            PodAddressing::PodSubnet => "the pool's pod subnet (Azure CNI, dynamic allocation)",
            PodAddressing::Unknown => "an IPAM tusk does not know (bring-your-own CNI, or the plugin unspecified)",
        }
    }
}

/// How `pool`'s pods are addressed in cluster `c`: kubenet and Azure CNI
/// Overlay take a per-node range of the pod CIDR, Azure CNI with a pod subnet
/// uses that subnet, plain Azure CNI the node's subnet; `none` (bring your own
/// CNI) or an unspecified plugin is [`PodAddressing::Unknown`]. Never fails.
pub fn pod_addressing(c: &AksCluster, pool: &NodePool) -> PodAddressing {
    match c.network.plugin {
        NetworkPlugin::Kubenet => PodAddressing::PodCidrPerNode,
        NetworkPlugin::Azure if c.network.overlay => PodAddressing::PodCidrPerNode,
        NetworkPlugin::Azure if pool.pod_subnet.is_some() => PodAddressing::PodSubnet,
        NetworkPlugin::Azure => PodAddressing::NodeSubnet,
        NetworkPlugin::None | NetworkPlugin::Unspecified => PodAddressing::Unknown,
    }
}

/// A set as short text: each range as one CIDR block when it is one, a
/// single address, or `first-last`.
pub fn range_text(set: &IpSet) -> Vec<String> {
    set.ip_ranges()
        .map(|r| {
            let one = IpSet::range(r.lo, r.hi).to_cidr_strings();
            if r.lo == r.hi {
                tusk_core::ip::u128_to_ip(r.lo).to_string()
            } else if one.len() == 1 {
                one[0].clone()
            } else {
                r.to_string()
            }
        })
        .collect()
}

/// Where a pool's nodes and pods take their addresses, as data (tusk-report
/// words it: `nodes in v/s (10.1.0.4-10.1.0.254); pods: ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolAddresses {
    /// The pool's node subnet.
    pub nodes: SubnetSource,
    /// Where its pods take addresses.
    pub pods: PodSource,
}

/// A subnet a pool draws addresses from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubnetSource {
    /// A subnet of the inputs: its `VNET/SUBNET` path and usable addresses.
    Subnet {
        /// `VNET/SUBNET`.
        path: String,
        /// Its addresses less the five Azure reserves ([`usable`]).
        usable: IpSet,
    },
    /// A subnet the inputs do not hold (its name).
    NotInInputs(String),
    /// No subnet given: AKS's own VNet, which the inputs do not hold.
    AksManagedVnet,
}

/// Where a pool's pods take their addresses ([`PodAddressing`], with the
/// ranges).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodSource {
    /// A per-node range of the cluster's pod CIDRs (empty: the inputs do
    /// not give them); which range a node takes is not predictable.
    PodCidr(Vec<tusk_core::ip::Cidr>),
    /// The node's subnet (Azure CNI).
    NodeSubnet,
    /// The pool's pod subnet (Azure CNI, dynamic allocation).
    PodSubnet(SubnetSource),
    /// An IPAM tusk does not know, under this plugin.
    Unknown(NetworkPlugin),
}

/// Where `pool`'s nodes and pods (in cluster `c`) take their addresses.
/// Never fails.
pub fn pool_addresses(estate: &Estate, c: &AksCluster, pool: &NodePool) -> PoolAddresses {
    let subnet = |l: &Option<Link<Subnet>>| match l {
        Some(Link::Found(s)) => SubnetSource::Subnet {
            path: estate.azure.subnet_path(*s),
            usable: usable(&estate.azure.subnets[*s].prefixes),
        },
        Some(Link::Absent(id)) => SubnetSource::NotInInputs(id.name().to_string()),
        None => SubnetSource::AksManagedVnet,
    };
    let pods = match pod_addressing(c, pool) {
        PodAddressing::PodCidrPerNode => PodSource::PodCidr(c.network.pod_cidrs.clone()),
        PodAddressing::NodeSubnet => PodSource::NodeSubnet,
        PodAddressing::PodSubnet => PodSource::PodSubnet(subnet(&pool.pod_subnet)),
        PodAddressing::Unknown => PodSource::Unknown(c.network.plugin),
    };
    PoolAddresses { nodes: subnet(&pool.vnet_subnet), pods }
}

/// Every address a (non host-network) pod on `node` can have; `None` when
/// it cannot be known from the inputs.
pub fn node_pod_range(estate: &Estate, c: &AksCluster, pool: &NodePool, node: &SimNode) -> Option<IpSet> {
    match pod_addressing(c, pool) {
        PodAddressing::PodCidrPerNode => {
            let exported = node.exported.map(|i| &estate.k8s.nodes[i].pod_cidrs).filter(|c| !c.is_empty());
            let cidrs = exported.unwrap_or(&c.network.pod_cidrs);
            (!cidrs.is_empty()).then(|| cidrs.iter().fold(IpSet::empty(), |s, c| s.union(&c.set())))
        }
        PodAddressing::NodeSubnet => node.subnet.map(|s| usable(&estate.azure.subnets[s].prefixes)),
        PodAddressing::PodSubnet => match &pool.pod_subnet {
            Some(Link::Found(s)) => Some(usable(&estate.azure.subnets[*s].prefixes)),
            _ => None,
        },
        PodAddressing::Unknown => None,
    }
}

/// The addresses a pod may have if it runs on one of `nodes` (indices into
/// the fleet): its exported IPs when present, else the union of what the
/// plugin allows there (host-network pods: the nodes' own addresses).
/// `None` when any of it is unknown.
pub fn pod_addresses(fleet: &Fleet, pod: &Pod, nodes: &[Idx<SimNode>]) -> Option<IpSet> {
    if !pod.ips.is_empty() {
        return Some(pod.ips.iter().fold(IpSet::empty(), |s, ip| s.union(&addr_set(*ip))));
    }
    let mut set = IpSet::empty();
    for &n in nodes {
        let node = &fleet.nodes[n];
        let r = if pod.host_network { node.address.set() } else { node.pod_addresses.clone() };
        set = set.union(&r?);
    }
    Some(set)
}

/// Warnings for exported pod and host IPs outside what the plugin allows
/// on the node the pod names (`spec.nodeName`).
pub fn check_exported_ips(estate: &Estate, fleet: &Fleet) -> Vec<Warning> {
    let mut out = Vec::new();
    for pod in &estate.k8s.pods {
        let node = pod.node_name.as_ref().and_then(|name| fleet.nodes.iter().find(|n| &n.name == name));
        let Some(node) = node else {
            out.extend(check_unplaced(estate, fleet, pod));
            continue;
        };
        let name = &node.name;
        let node_set = node.address.set();
        if let (Some(h), Some(set)) = (pod.host_ip, &node_set) {
            if !set.contains_ip(h) {
                out.push(Warning {
                    loc: pod.loc.clone(),
                    message: format!(
                        "pod {}/{}: status.hostIP {h} is not an address node {name} can have",
                        pod.namespace, pod.name
                    ),
                });
            }
        }
        let allowed = if pod.host_network { node_set } else { node.pod_addresses.clone() };
        let Some(allowed) = allowed else { continue };
        for ip in &pod.ips {
            if !allowed.contains_ip(*ip) {
                let how = match (node.cluster, node.pool) {
                    _ if pod.host_network => "a hostNetwork pod takes its node's address".to_string(),
                    (Some(c), Some(p)) => {
                        let c = &estate.clusters[c];
                        format!(
                            "under {} pods take {}",
                            c.network.plugin.name(),
                            pod_addressing(c, &c.pools[p]).describe()
                        )
                    }
                    _ => "outside the node's pod range".to_string(),
                };
                out.push(Warning {
                    loc: pod.loc.clone(),
                    message: format!(
                        "pod {}/{}: status.podIP {ip} is outside what node {name} allows ({}; {how})",
                        pod.namespace,
                        pod.name,
                        range_text(&allowed).join(", ")
                    ),
                });
            }
        }
    }
    out
}

/// A pod whose node the inputs do not name: its IPs must be within what
/// some node of its cluster allows (the union of their ranges).
fn check_unplaced(estate: &Estate, fleet: &Fleet, pod: &Pod) -> Option<Warning> {
    if pod.ips.is_empty() {
        return None;
    }
    let file = &estate.k8s.workloads[pod.workload].loc.file;
    let cluster = crate::binding::cluster_of(estate, file).index()?;
    let nodes: Vec<Idx<SimNode>> =
        Idx::all(&fleet.nodes).filter(|n| fleet.nodes[*n].cluster == Some(cluster)).collect();
    let probe = Pod { ips: Vec::new(), ..pod.clone() };
    let allowed = pod_addresses(fleet, &probe, &nodes)?;
    let outside: Vec<String> =
        pod.ips.iter().filter(|ip| !allowed.contains_ip(**ip)).map(|ip| ip.to_string()).collect();
    (!outside.is_empty()).then(|| Warning {
        loc: pod.loc.clone(),
        message: format!(
            "pod {}/{}: status.podIP {} is outside every range the nodes of cluster {} allow",
            pod.namespace,
            pod.name,
            outside.join(", "),
            estate.clusters[cluster].name()
        ),
    })
}
