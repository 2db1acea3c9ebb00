//! AKS managed clusters (`Microsoft.ContainerService/managedClusters`) and
//! their node pools (`agentPools`), as the network analysis needs them: the
//! network profile (plugin, mode, data plane, policy engine, pod and service
//! CIDRs, outbound type) and each pool's placement-relevant settings (mode,
//! subnets, sizes, zones, taints, labels).
//!
//! Plain, validated data: enums are parsed, CIDRs typed, subnet references
//! resolved to [`Link`]s into the estate's Azure network. Which address a
//! node or pod gets, and where the scheduler puts a pod, is decided by
//! `tusk-path`, never here.

use crate::azure::{Link, ResourceId, Subnet};
use crate::scheduling::Taint;
use std::net::IpAddr;
use tusk_core::ip::Cidr;
use tusk_core::Loc;

/// A node pool's node labels, key to value.
pub type Labels = std::collections::BTreeMap<String, String>;

/// An AKS managed cluster with its node pools.
#[derive(Debug, Clone)]
pub struct AksCluster {
    /// Its resource id (the stable key; the name is its last segment).
    pub id: ResourceId,
    /// Where the cluster was read.
    pub loc: Loc,
    /// The Azure region (`location`), used in zone labels (`eastus-1`).
    pub location: Option<String>,
    /// `properties.networkProfile`.
    pub network: NetworkProfile,
    /// Its node pools, in input order.
    pub pools: Vec<NodePool>,
}

impl AksCluster {
    /// The cluster's name.
    pub fn name(&self) -> &str {
        self.id.name()
    }
}

/// `properties.networkProfile`; defaults are ARM's when a field is absent.
#[derive(Debug, Clone)]
pub struct NetworkProfile {
    /// `networkPlugin`.
    pub plugin: NetworkPlugin,
    /// `networkPluginMode: overlay` (Azure CNI Overlay).
    pub overlay: bool,
    /// `networkDataplane` (Cilium implies Cilium's policy engine).
    pub dataplane: Dataplane,
    /// `networkPolicy`: which engine enforces NetworkPolicies.
    pub policy: NetworkPolicyEngine,
    /// `podCidrs` (or `podCidr`): kubenet's and overlay's pod ranges.
    pub pod_cidrs: Vec<Cidr>,
    /// `serviceCidrs` (or `serviceCidr`): the ClusterIP ranges.
    pub service_cidrs: Vec<Cidr>,
    /// `dnsServiceIP`: CoreDNS's ClusterIP.
    pub dns_service_ip: Option<IpAddr>,
    /// `outboundType`: how nodes reach the Internet.
    pub outbound: OutboundType,
    /// Where the profile was read (the cluster's own location when absent).
    pub loc: Loc,
}

/// `networkPlugin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkPlugin {
    /// `kubenet`: pods on a node-local bridge, addresses from the pod CIDR.
    Kubenet,
    /// `azure`: Azure CNI (VNet addresses, or overlay with `overlay`).
    Azure,
    /// Bring your own CNI: addressing is whatever that CNI does.
    None,
    /// Absent from the input: AKS's default depends on the API version and
    /// the tool that created the cluster (kubenet, later Azure CNI
    /// Overlay), so what depends on it is unknown.
    Unspecified,
}

/// `networkDataplane`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataplane {
    /// `azure` (the default): iptables and Azure's own policy manager.
    Azure,
    /// `cilium`: Azure CNI Powered by Cilium (eBPF).
    Cilium,
}

/// `networkPolicy`: who enforces Kubernetes NetworkPolicy in the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkPolicyEngine {
    /// No engine: NetworkPolicy objects are accepted by the API server and
    /// enforced by nobody.
    None,
    /// `azure`: Azure Network Policy Manager.
    Azure,
    /// `calico`.
    Calico,
    /// `cilium` (with the Cilium data plane).
    Cilium,
}

/// `outboundType`: how nodes reach the Internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundType {
    /// `loadBalancer` (the default): the cluster's Standard Load Balancer SNATs.
    LoadBalancer,
    /// `managedNATGateway`: a NAT gateway AKS creates.
    ManagedNatGateway,
    /// `userAssignedNATGateway`: the subnet's own NAT gateway.
    UserAssignedNatGateway,
    /// `userDefinedRouting`: the subnet's route table decides (a firewall or NVA).
    UserDefinedRouting,
    /// `none`: no outbound path set up by AKS.
    None,
}

impl NetworkPlugin {
    /// The value as the API spells it (`kubenet`, `azure`, `none`, or `unspecified`).
    pub fn name(self) -> &'static str {
        match self {
            NetworkPlugin::Kubenet => "kubenet",
            NetworkPlugin::Azure => "azure",
            NetworkPlugin::None => "none",
            NetworkPlugin::Unspecified => "unspecified",
        }
    }
}

impl NetworkPolicyEngine {
    /// The value as the API spells it.
    pub fn name(self) -> &'static str {
        match self {
            NetworkPolicyEngine::None => "none",
            NetworkPolicyEngine::Azure => "azure",
            NetworkPolicyEngine::Calico => "calico",
            NetworkPolicyEngine::Cilium => "cilium",
        }
    }
}

impl OutboundType {
    /// The value as the API spells it.
    pub fn name(self) -> &'static str {
        match self {
            OutboundType::LoadBalancer => "loadBalancer",
            OutboundType::ManagedNatGateway => "managedNATGateway",
            OutboundType::UserAssignedNatGateway => "userAssignedNATGateway",
            OutboundType::UserDefinedRouting => "userDefinedRouting",
            OutboundType::None => "none",
        }
    }
}

/// A node pool's `mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolMode {
    /// Runs the system pods (CoreDNS, ...); at least one per cluster.
    System,
    /// Runs application pods.
    User,
    /// A gateway pool (static egress gateway).
    Gateway,
}

impl PoolMode {
    /// The value as the API spells it.
    pub fn name(self) -> &'static str {
        match self {
            PoolMode::System => "System",
            PoolMode::User => "User",
            PoolMode::Gateway => "Gateway",
        }
    }
}

/// `upgradeSettings.maxSurge`: extra nodes during an upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxSurge {
    /// A node count (`"3"`).
    Nodes(u32),
    /// Of the pool's size, fractions rounded up.
    Percent(u32),
}

impl MaxSurge {
    /// Surge nodes for a pool of `size` nodes (percentages round up, as the
    /// AgentPoolUpgradeSettings reference says).
    pub fn nodes(self, size: u32) -> u32 {
        match self {
            MaxSurge::Nodes(n) => n,
            MaxSurge::Percent(p) => ((size as u64 * p as u64).div_ceil(100)) as u32,
        }
    }
}

/// One agent pool, from the cluster's `agentPoolProfiles` or an
/// `agentPools` child resource (which wins when both are present).
#[derive(Debug, Clone)]
pub struct NodePool {
    /// The pool's name.
    pub name: String,
    /// Where the pool was read.
    pub loc: Loc,
    /// `mode`.
    pub mode: PoolMode,
    /// `vnetSubnetID`: `None` when absent (AKS then creates its own VNet,
    /// which the inputs do not hold).
    pub vnet_subnet: Option<Link<Subnet>>,
    /// `podSubnetID` (Azure CNI with dynamic pod IP allocation).
    pub pod_subnet: Option<Link<Subnet>>,
    /// `count`: nodes now.
    pub count: u32,
    /// `enableAutoScaling` with `minCount`/`maxCount`.
    pub autoscale: Option<(u32, u32)>,
    /// 0 when absent and the plugin's default is unknown.
    pub max_pods: u32,
    /// `None`: absent, AKS's default applies (see the loader).
    pub max_surge: Option<MaxSurge>,
    /// `availabilityZones`, as written (`"1"`, `"2"`, `"3"`).
    pub zones: Vec<String>,
    /// `nodeTaints`.
    pub taints: Vec<Taint>,
    /// `nodeLabels` (AKS adds its own; see `tusk-path`).
    pub labels: Labels,
    /// `vmSize`.
    pub vm_size: Option<String>,
    /// `osType`: `Linux` or `Windows`.
    pub os_type: Option<String>,
}

impl NodePool {
    /// The most nodes the pool can have outside an upgrade.
    pub fn max_nodes(&self) -> u32 {
        self.autoscale.map_or(self.count, |(_, max)| max.max(self.count))
    }
}
