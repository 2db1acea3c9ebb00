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

pub type Labels = std::collections::BTreeMap<String, String>;

#[derive(Debug, Clone)]
pub struct AksCluster {
    pub id: ResourceId,
    pub loc: Loc,
    /// The Azure region (`location`), used in zone labels (`eastus-1`).
    pub location: Option<String>,
    pub network: NetworkProfile,
    pub pools: Vec<NodePool>,
}

impl AksCluster {
    pub fn name(&self) -> &str {
        self.id.name()
    }
}

/// `properties.networkProfile`; defaults are ARM's when a field is absent.
#[derive(Debug, Clone)]
pub struct NetworkProfile {
    pub plugin: NetworkPlugin,
    /// `networkPluginMode: overlay` (Azure CNI Overlay).
    pub overlay: bool,
    pub dataplane: Dataplane,
    pub policy: NetworkPolicyEngine,
    pub pod_cidrs: Vec<Cidr>,
    pub service_cidrs: Vec<Cidr>,
    pub dns_service_ip: Option<IpAddr>,
    pub outbound: OutboundType,
    /// Where the profile was read (the cluster's own location when absent).
    pub loc: Loc,
}

/// `networkPlugin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkPlugin {
    Kubenet,
    Azure,
    /// Bring your own CNI: addressing is whatever that CNI does.
    None,
    /// Absent from the input: AKS's default depends on the API version and
    /// the tool that created the cluster (kubenet, later Azure CNI
    /// Overlay), so what depends on it is unknown.
    Unspecified,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataplane {
    Azure,
    Cilium,
}

/// `networkPolicy`: who enforces Kubernetes NetworkPolicy in the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkPolicyEngine {
    /// No engine: NetworkPolicy objects are accepted by the API server and
    /// enforced by nobody.
    None,
    Azure,
    Calico,
    Cilium,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundType {
    LoadBalancer,
    ManagedNatGateway,
    UserAssignedNatGateway,
    UserDefinedRouting,
    None,
}

impl NetworkPlugin {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolMode {
    System,
    User,
    Gateway,
}

impl PoolMode {
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
    pub name: String,
    pub loc: Loc,
    pub mode: PoolMode,
    /// `vnetSubnetID`: `None` when absent (AKS then creates its own VNet,
    /// which the inputs do not hold).
    pub vnet_subnet: Option<Link<Subnet>>,
    /// `podSubnetID` (Azure CNI with dynamic pod IP allocation).
    pub pod_subnet: Option<Link<Subnet>>,
    pub count: u32,
    /// `enableAutoScaling` with `minCount`/`maxCount`.
    pub autoscale: Option<(u32, u32)>,
    /// 0 when absent and the plugin's default is unknown.
    pub max_pods: u32,
    /// `None`: absent, AKS's default applies (see the loader).
    pub max_surge: Option<MaxSurge>,
    /// `availabilityZones`, as written (`"1"`, `"2"`, `"3"`).
    pub zones: Vec<String>,
    pub taints: Vec<Taint>,
    pub labels: Labels,
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
