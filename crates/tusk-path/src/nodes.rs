//! The nodes of an estate: for each AKS node pool, the nodes it stands for,
//! or the exported Node objects of that pool where the inputs have them.
//!
//! A pool without exported nodes becomes `count` nodes (an autoscaled pool
//! `maxCount`: the most it can hold, which is what isolation and capacity
//! questions need), plus, when asked for capacity, `maxSurge` upgrade
//! nodes, marked as such. They are named as AKS names VMSS instances,
//! `aks-<pool>-<hash>-vmss<instance>` with the instance in base 36 over six
//! digits; the hash is AKS's own and unpredictable, so it is written
//! `xxxxxxxx` unless an exported node of the same pool shows it. Zones are
//! dealt round-robin over the pool's `availabilityZones` (VMSS balances
//! instances across zones; which instance lands where is not predictable,
//! the count per zone is).
//!
//! Which address a node gets from its subnet is not predictable either, so
//! a simulated node's address is the *set* of the subnet's usable
//! addresses ([`NodeAddr::OneOf`]); an exported node's is exact.

use crate::addressing;
use std::collections::BTreeMap;
use std::net::IpAddr;
use tusk_core::ip::ip_to_u128;
use tusk_core::Idx;
use tusk_core::{IpSet, Loc, Warning};
use tusk_model::aks::{AksCluster, Dataplane, NetworkPlugin, NetworkPolicyEngine, NodePool, OutboundType, PoolMode};
use tusk_model::azure::{Link, Subnet};
use tusk_model::k8s::{Labels, Node};
use tusk_model::scheduling::Taint;
use tusk_model::Estate;

/// Well-known node labels AKS sets on every node ("Use labels in an AKS
/// cluster": kubernetes.azure.com/agentpool, kubernetes.azure.com/mode,
/// and the upstream kubernetes.io/hostname, kubernetes.io/os,
/// node.kubernetes.io/instance-type, topology.kubernetes.io/zone).
pub const POOL_LABEL: &str = "kubernetes.azure.com/agentpool";
/// The pool label of older AKS node images, read when [`POOL_LABEL`] is
/// absent.
pub const LEGACY_POOL_LABEL: &str = "agentpool";
/// The label holding a pool's mode (`System` or `User`).
pub const MODE_LABEL: &str = "kubernetes.azure.com/mode";
/// The upstream well-known label holding a node's name ("Well-Known Labels,
/// Annotations and Taints", kubernetes.io/docs/reference/labels-annotations-taints/).
pub const HOSTNAME_LABEL: &str = "kubernetes.io/hostname";
/// The upstream well-known label holding a node's zone (AKS writes
/// `<region>-<n>`; same page as [`HOSTNAME_LABEL`]).
pub const ZONE_LABEL: &str = "topology.kubernetes.io/zone";

/// A node's primary address, as far as the inputs say. AKS takes a node's
/// address from its subnet and tusk cannot know which one.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeAddr {
    /// From an exported Node's `InternalIP`.
    Exact(IpAddr),
    /// Any of these (the subnet's usable addresses): verdicts must hold
    /// for all of them.
    OneOf(IpSet),
    /// Not known from the inputs, and why.
    Unknown(AddrUnknown),
}

/// Why a node's address is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrUnknown {
    /// An exported Node (its name) whose export has no address.
    NoAddressExported(String),
    /// The pool (its name) has no `vnetSubnetID`: AKS created its own
    /// VNet, which the inputs do not hold.
    AksManagedVnet(String),
    /// The pool's subnet (its name) is not in the inputs.
    SubnetNotInInputs(String),
}

/// A statement about how the nodes of the estate were derived, as data
/// (tusk-report words it). Names are embedded so that it reads without the
/// estate.
#[derive(Debug, Clone, PartialEq)]
pub enum FleetNote {
    /// A cluster's network profile.
    Cluster {
        /// The cluster's name.
        cluster: String,
        /// `networkProfile.networkPlugin`.
        plugin: NetworkPlugin,
        /// `networkPluginMode: overlay`.
        overlay: bool,
        /// `networkDataplane`.
        dataplane: Dataplane,
        /// `networkPolicy`.
        policy: NetworkPolicyEngine,
        /// `outboundType`.
        outbound: OutboundType,
    },
    /// A node pool: where its nodes come from and where they and their pods
    /// take addresses.
    Pool {
        /// The cluster's name.
        cluster: String,
        /// The pool's name.
        pool: String,
        /// Exported Node objects, or simulated nodes.
        nodes: PoolNodes,
        /// Where its nodes and pods take their addresses.
        addresses: addressing::PoolAddresses,
    },
}

/// Where a pool's nodes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolNodes {
    /// The exported Node objects bound to the pool (how many).
    Exported(usize),
    /// Simulated from the pool's size.
    Simulated {
        /// Nodes materialised (`count`, or `maxCount` when autoscaled).
        count: u32,
        /// `(minCount, maxCount)` when autoscaled.
        autoscale: Option<(u32, u32)>,
        /// Surge nodes added for capacity, when asked: how many, and
        /// whether the pool sets `maxSurge` (else AKS's default applies).
        surge: Option<(u32, bool)>,
    },
}

/// One node of the estate: exported as a Node object, or simulated from an
/// AKS node pool (its count, or `maxCount` when autoscaled).
#[derive(Debug, Clone)]
pub struct SimNode {
    /// The node name (exported, or `aks-<pool>-<n>-vmss<k>` as AKS names it,
    /// with a placeholder for the hash tusk cannot know).
    pub name: String,
    /// Index into `Estate::clusters`.
    pub cluster: Option<Idx<AksCluster>>,
    /// Index into that cluster's `pools`.
    pub pool: Option<Idx<NodePool>>,
    /// The zone as AKS numbers it (`"1"`), `None` when not zonal.
    pub zone: Option<String>,
    /// The node's labels (AKS's well-known labels plus the pool's `nodeLabels`).
    pub labels: Labels,
    /// The node's taints (the pool's `nodeTaints`, or the exported ones).
    pub taints: Vec<Taint>,
    /// `spec.unschedulable` (a cordoned node): the scheduler places no pod on it.
    pub unschedulable: bool,
    /// Index into `AzureNetwork::subnets`.
    pub subnet: Option<Idx<Subnet>>,
    /// The node's primary address, or the set it is drawn from.
    pub address: NodeAddr,
    /// Every address a pod (not host-network) on this node can have;
    /// `None` when the plugin's IPAM is not known (bring your own CNI).
    pub pod_addresses: Option<IpSet>,
    /// Index into `k8s.nodes` when this is an exported Node.
    pub exported: Option<Idx<Node>>,
    /// An upgrade surge node: counted for capacity, never scheduled on.
    pub surge: bool,
    /// Where the node comes from in the inputs (the Node object or the pool).
    pub loc: Loc,
}

/// Every node of the estate, with what was assumed to get there.
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    /// Every node, exported first, then simulated per pool.
    pub nodes: Vec<SimNode>,
    /// How nodes were derived (a cluster's network, each pool's nodes and
    /// addresses), for reports to word.
    pub notes: Vec<FleetNote>,
    /// Inputs the derivation could not use (located).
    pub warnings: Vec<Warning>,
}

impl Fleet {
    /// The first node named `name`.
    pub fn find(&self, name: &str) -> Option<Idx<SimNode>> {
        Idx::all(&self.nodes).find(|&n| self.nodes[n].name == name)
    }

    /// The name of `n`'s node pool; `None` when it has none (an exported
    /// node of no pool of the inputs).
    pub fn pool_name(&self, estate: &Estate, n: &SimNode) -> Option<String> {
        match (n.cluster, n.pool) {
            (Some(c), Some(p)) => Some(estate.clusters[c].pools[p].name.clone()),
            _ => None,
        }
    }
}

/// AKS's default surge when `maxSurge` is absent: one node
/// (AgentPoolUpgradeSettings: "If not specified, the default is 1").
const DEFAULT_SURGE: u32 = 1;

/// Materialises every pool's nodes. `with_surge` adds each pool's upgrade
/// surge nodes (for capacity and route audits; scheduling ignores them).
pub fn materialise(estate: &Estate, with_surge: bool) -> Fleet {
    let mut fleet = Fleet::default();
    let bound = bind_exported(estate, &mut fleet);
    for (ci, c) in Idx::enumerate(&estate.clusters) {
        let n = &c.network;
        fleet.notes.push(FleetNote::Cluster {
            cluster: c.name().to_string(),
            plugin: n.plugin,
            overlay: n.overlay,
            dataplane: n.dataplane,
            policy: n.policy,
            outbound: n.outbound,
        });
        for (pi, pool) in Idx::enumerate(&c.pools) {
            let exported: Vec<Idx<Node>> =
                bound.iter().filter(|(_, b)| *b == Some((ci, pi))).map(|(n, _)| *n).collect();
            if exported.is_empty() {
                simulate_pool(estate, ci, pi, with_surge, &mut fleet);
            } else {
                for n in exported {
                    let node = exported_node(estate, n, Some((ci, pi)));
                    check_in_subnet(estate, &node, &mut fleet.warnings);
                    fleet.nodes.push(node);
                }
                let n = fleet.nodes.iter().filter(|n| n.cluster == Some(ci) && n.pool == Some(pi)).count();
                fleet.notes.push(FleetNote::Pool {
                    cluster: c.name().to_string(),
                    pool: pool.name.clone(),
                    nodes: PoolNodes::Exported(n),
                    addresses: addressing::pool_addresses(estate, c, pool),
                });
            }
        }
    }
    for (n, b) in &bound {
        if b.is_none() {
            fleet.nodes.push(exported_node(estate, *n, None));
        }
    }
    fleet
}

/// An exported node's address must be one its pool's subnet can give.
fn check_in_subnet(estate: &Estate, node: &SimNode, warnings: &mut Vec<Warning>) {
    let (NodeAddr::Exact(ip), Some(s)) = (&node.address, node.subnet) else { return };
    if !usable(&estate.azure.subnets[s].prefixes).contains_ip(*ip) {
        warnings.push(Warning {
            loc: node.loc.clone(),
            message: format!(
                "Node {}: InternalIP {ip} is not an address of its pool's subnet {}",
                node.name,
                estate.azure.subnet_path(s)
            ),
        });
    }
}

/// A node pool: its cluster's index and its index in that cluster's pools.
type PoolAt = (Idx<AksCluster>, Idx<NodePool>);

/// Each exported Node's (cluster, pool), by its agent-pool label, the
/// cluster being the one whose node resource group its `providerID` names
/// when several clusters have a pool of that name.
fn bind_exported(estate: &Estate, fleet: &mut Fleet) -> Vec<(Idx<Node>, Option<PoolAt>)> {
    let mut out = Vec::new();
    for (i, n) in Idx::enumerate(&estate.k8s.nodes) {
        let pool = n.labels.get(POOL_LABEL).or_else(|| n.labels.get(LEGACY_POOL_LABEL));
        let candidates: Vec<PoolAt> = Idx::enumerate(&estate.clusters)
            .flat_map(|(ci, c)| Idx::enumerate(&c.pools).map(move |(pi, p)| (ci, pi, p)))
            .filter(|(_, _, p)| pool.is_some_and(|name| p.name == *name))
            .map(|(ci, pi, _)| (ci, pi))
            .collect();
        let pid = n.provider_id.as_deref().unwrap_or("").to_ascii_lowercase();
        let pick = match candidates.len() {
            0 => None,
            1 => Some(candidates[0]),
            _ => candidates.iter().copied().find(|(ci, _)| {
                let c = &estate.clusters[*ci];
                pid.contains(&format!("_{}_", c.name().to_ascii_lowercase()))
            }),
        };
        if pick.is_none() && !estate.clusters.is_empty() {
            fleet.warnings.push(Warning {
                loc: n.loc.clone(),
                message: format!(
                    "Node {} matches no node pool of the loaded clusters (label {POOL_LABEL}={}); it is kept without a pool",
                    n.name,
                    pool.map_or("(absent)", String::as_str)
                ),
            });
        }
        out.push((i, pick));
    }
    out
}

fn exported_node(estate: &Estate, i: Idx<Node>, at: Option<PoolAt>) -> SimNode {
    let n: &Node = &estate.k8s.nodes[i];
    let pool = at.map(|(c, p)| &estate.clusters[c].pools[p]);
    let ip = n.ips.iter().find(|ip| ip.is_ipv4()).or(n.ips.first()).copied();
    // The pool's subnet; failing that (no pool, or its subnet not in the
    // inputs), the loaded subnet that holds the node's address.
    let subnet = pool.and_then(|p| p.vnet_subnet.as_ref()).and_then(Link::found).or_else(|| {
        let ip = ip?;
        Idx::all(&estate.azure.subnets)
            .find(|&s| estate.azure.subnets[s].prefixes.iter().any(|c| c.set().contains_ip(ip)))
    });
    let address = match ip {
        Some(ip) => NodeAddr::Exact(ip),
        None => NodeAddr::Unknown(AddrUnknown::NoAddressExported(n.name.clone())),
    };
    let zone = n.labels.get(ZONE_LABEL).and_then(|z| z.rsplit_once('-').map(|(_, n)| n.to_string()));
    let mut node = SimNode {
        name: n.name.clone(),
        cluster: at.map(|a| a.0),
        pool: at.map(|a| a.1),
        zone,
        labels: n.labels.clone(),
        taints: n.taints.clone(),
        unschedulable: n.unschedulable,
        subnet,
        address,
        pod_addresses: None,
        exported: Some(i),
        surge: false,
        loc: n.loc.clone(),
    };
    node.pod_addresses =
        at.and_then(|(c, _)| addressing::node_pod_range(estate, &estate.clusters[c], pool.unwrap(), &node));
    node
}

fn simulate_pool(estate: &Estate, ci: Idx<AksCluster>, pi: Idx<NodePool>, with_surge: bool, fleet: &mut Fleet) {
    let c: &AksCluster = &estate.clusters[ci];
    let pool: &NodePool = &c.pools[pi];
    let size = pool.max_nodes();
    let surge = if with_surge { pool.max_surge.map_or(DEFAULT_SURGE, |s| s.nodes(size)) } else { 0 };
    fleet.notes.push(FleetNote::Pool {
        cluster: c.name().to_string(),
        pool: pool.name.clone(),
        nodes: PoolNodes::Simulated {
            count: size,
            autoscale: pool.autoscale,
            surge: with_surge.then_some((surge, pool.max_surge.is_some())),
        },
        addresses: addressing::pool_addresses(estate, c, pool),
    });
    let prefix = hash_prefix(estate, pool).unwrap_or_else(|| format!("aks-{}-xxxxxxxx-vmss", pool.name));
    let address = node_address(estate, pool);
    for i in 0..size + surge {
        let zone = (!pool.zones.is_empty()).then(|| pool.zones[i as usize % pool.zones.len()].clone());
        let name = format!("{prefix}{}", base36(i));
        let labels = aks_labels(c, pool, &name, zone.as_deref());
        let mut node = SimNode {
            name,
            cluster: Some(ci),
            pool: Some(pi),
            zone,
            labels,
            taints: pool.taints.clone(),
            unschedulable: false,
            subnet: pool.vnet_subnet.as_ref().and_then(Link::found),
            address: address.clone(),
            pod_addresses: None,
            exported: None,
            surge: i >= size,
            loc: pool.loc.clone(),
        };
        node.pod_addresses = addressing::node_pod_range(estate, c, pool, &node);
        fleet.nodes.push(node);
    }
}

/// `aks-<pool>-<hash>-vmss` from an exported node of the pool, when one
/// shows the hash.
fn hash_prefix(estate: &Estate, pool: &NodePool) -> Option<String> {
    let want = format!("aks-{}-", pool.name);
    estate.k8s.nodes.iter().find_map(|n| {
        let cut = n.name.rfind("-vmss")?;
        n.name.starts_with(&want).then(|| n.name[..cut + 5].to_string())
    })
}

/// A VMSS instance suffix: the instance id in base 36, six digits.
fn base36(mut i: u32) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = digits[(i % 36) as usize];
        i /= 36;
    }
    String::from_utf8(out.to_vec()).expect("ascii")
}

/// The labels AKS puts on a node of `pool`, plus the pool's `nodeLabels`.
/// Zonal nodes carry `<region>-<zone>`; non-zonal ones the zone `0`.
fn aks_labels(c: &AksCluster, pool: &NodePool, name: &str, zone: Option<&str>) -> Labels {
    let mut l: Labels = BTreeMap::new();
    l.insert(POOL_LABEL.into(), pool.name.clone());
    l.insert(LEGACY_POOL_LABEL.into(), pool.name.clone());
    let mode = if pool.mode == PoolMode::System { "system" } else { "user" };
    l.insert(MODE_LABEL.into(), mode.into());
    l.insert(HOSTNAME_LABEL.into(), name.into());
    let os = pool.os_type.as_deref().unwrap_or("Linux").to_ascii_lowercase();
    l.insert("kubernetes.io/os".into(), os);
    if let Some(vm) = &pool.vm_size {
        l.insert("node.kubernetes.io/instance-type".into(), vm.clone());
    }
    let zone_value = match (zone, &c.location) {
        (Some(z), Some(region)) => format!("{region}-{z}"),
        (Some(z), None) => z.to_string(),
        (None, _) => "0".into(),
    };
    l.insert(ZONE_LABEL.into(), zone_value);
    for (k, v) in &pool.labels {
        l.insert(k.clone(), v.clone());
    }
    l
}

/// The addresses a node of `pool` can have: its subnet's, less the five
/// Azure reserves in every subnet (network, .1 gateway, .2 and .3 DNS,
/// broadcast; "Virtual network FAQ").
fn node_address(estate: &Estate, pool: &NodePool) -> NodeAddr {
    match &pool.vnet_subnet {
        None => NodeAddr::Unknown(AddrUnknown::AksManagedVnet(pool.name.clone())),
        Some(Link::Absent(id)) => NodeAddr::Unknown(AddrUnknown::SubnetNotInInputs(id.name().to_string())),
        Some(Link::Found(s)) => NodeAddr::OneOf(usable(&estate.azure.subnets[*s].prefixes)),
    }
}

/// A subnet's assignable addresses (IPv4 prefixes lose their first four
/// and last address to Azure).
pub fn usable(prefixes: &[tusk_core::ip::Cidr]) -> IpSet {
    let mut set = IpSet::empty();
    for p in prefixes {
        let r = p.range();
        let s = if p.addr.is_ipv4() && r.hi - r.lo >= 5 {
            IpSet::range(r.lo + 4, r.hi - 1)
        } else {
            IpSet::range(r.lo, r.hi)
        };
        set = set.union(&s);
    }
    set
}

impl NodeAddr {
    /// Every address the node may have, or `None` if unknown.
    pub fn set(&self) -> Option<IpSet> {
        match self {
            NodeAddr::Exact(ip) => Some(IpSet::single(ip_to_u128(*ip))),
            NodeAddr::OneOf(s) => Some(s.clone()),
            NodeAddr::Unknown(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn vmss_instance_suffixes_are_base36() {
        assert_eq!(super::base36(0), "000000");
        assert_eq!(super::base36(10), "00000a");
        assert_eq!(super::base36(36), "000010");
    }
}
