//! tusk's own configuration (`tusk.yaml`, `kind: TuskConfig`): what the
//! exported resources cannot say. Today that is the rule list of each
//! generic network virtual appliance (NVA); tenants and intents will join
//! it as further sections of [`Config`].
//!
//! Like the rest of the model this is plain, validated data: CIDRs are
//! address sets, protocols and ports are typed, and each NVA is already
//! bound to the NIC it configures. It decides nothing.

use crate::aks::AksCluster;
use crate::azure::NetworkInterface;
use tusk_core::{Idx, IpSet, Loc, PortSet, Protocol};

/// Everything read from `TuskConfig` documents.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// `nvas:`: each generic NVA's rules.
    pub nvas: Vec<NvaConfig>,
    /// `clusters:`: which manifests belong to which AKS cluster.
    pub clusters: Vec<ClusterBinding>,
    /// `podCidrs:` where pod IPs lie when no cluster is loaded, with the
    /// key's location.
    pub pod_cidrs: Option<(IpSet, Loc)>,
    /// `intents:` what must (not) reach what, checked by `tusk check`.
    pub intents: Vec<Intent>,
}

impl Config {
    /// Does the configuration set nothing?
    pub fn is_empty(&self) -> bool {
        self.nvas.is_empty() && self.clusters.is_empty() && self.pod_cidrs.is_none() && self.intents.is_empty()
    }
}

/// What an intent asserts (docs/tusk-yaml.md, `intents`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentKind {
    /// Every member pair is allowed.
    MustReach,
    /// Every member pair is denied.
    MustNotReach,
    /// Every allowed flow from → to crosses one of `through`.
    MustPassThrough,
    /// Every allowed flow from `from` to the Internet crosses one of `through`.
    EgressOnlyVia,
    /// Every ordered pair of the listed tenants is denied, for each actor
    /// asked (both when `actor` is absent), across both layers.
    IsolatedTenants,
}

impl IntentKind {
    /// The word `tusk.yaml` uses.
    pub fn name(self) -> &'static str {
        match self {
            IntentKind::MustReach => "mustReach",
            IntentKind::MustNotReach => "mustNotReach",
            IntentKind::MustPassThrough => "mustPassThrough",
            IntentKind::EgressOnlyVia => "egressOnlyVia",
            IntentKind::IsolatedTenants => "isolatedTenants",
        }
    }
}

/// Which engine answers an intent: the Azure network, the Kubernetes
/// policy layer, or both joined through the AKS data path (tusk-path's
/// `join`: source egress policy, node exit, Azure network, destination
/// ingress policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentLayer {
    /// The Azure network alone (`layer: azure`): tusk-network's trace.
    Azure,
    /// The Kubernetes policy layer alone (`layer: kubernetes`): tusk-policy's explain.
    Kubernetes,
    /// Both layers, through the AKS cluster (`layer: aks`).
    Aks,
}

impl IntentLayer {
    /// The word `tusk.yaml`'s `layer:` uses.
    pub fn name(self) -> &'static str {
        match self {
            IntentLayer::Azure => "azure",
            IntentLayer::Kubernetes => "kubernetes",
            IntentLayer::Aks => "aks",
        }
    }
}

/// Who sends an intent's flows across the AKS join (DESIGN.md, Actors):
/// a pod's container under every control, or a process on the node (an
/// escaped container): the node's address, no pod policy at the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentActor {
    /// `actor: pod`.
    Pod,
    /// `actor: node`.
    Node,
}

impl IntentActor {
    /// The word `tusk.yaml` uses.
    pub fn name(self) -> &'static str {
        match self {
            IntentActor::Pod => "pod",
            IntentActor::Node => "node",
        }
    }
}

/// One `intents:` entry, validated: the ends are in the notation of
/// `docs/endpoints.md`, the ports typed.
#[derive(Debug, Clone)]
pub struct Intent {
    /// Its `name`, unique in the file.
    pub name: String,
    /// Its kind.
    pub kind: IntentKind,
    /// `from`, in the endpoint notation.
    pub from: tusk_core::FlowEnd,
    /// `egressOnlyVia` without `to`: the Internet.
    pub to: tusk_core::FlowEnd,
    /// `protocol` (default TCP).
    pub protocol: Protocol,
    /// Destination ports; `None`: every port at once.
    pub ports: Option<PortSet>,
    /// Device names (Azure Firewall or NVA NIC) for the pass-through kinds.
    pub through: Vec<String>,
    /// `layer:` when given; else chosen by the notation of the ends.
    pub layer: Option<IntentLayer>,
    /// `actor:` when given. Absent: `pod`, except for `isolatedTenants`,
    /// which is then checked for both actors.
    pub actor: Option<IntentActor>,
    /// `isolatedTenants`: the tenants (values of the tenant label), in
    /// order; empty when absent: every tenant of the inputs. For that
    /// kind `from` and `to` are both `tenant:*` (unused).
    pub tenants: Vec<String>,
    /// Where the intent was read.
    pub loc: Loc,
}

/// One `clusters:` entry: the Kubernetes inputs under `manifests` describe
/// the workloads of the managed cluster `cluster`.
#[derive(Debug, Clone)]
pub struct ClusterBinding {
    /// The cluster as written: its name or its resource id.
    pub cluster: String,
    /// The cluster it names (index into `Estate::clusters`); `None` when the
    /// inputs hold no managed cluster at all.
    pub cluster_index: Option<Idx<AksCluster>>,
    /// Files or folders, joined to the folder of the `tusk.yaml` that names
    /// them, with `.` and `..` resolved lexically (never touching the disk).
    pub manifests: Vec<String>,
    /// Where the entry was read.
    pub loc: Loc,
}

/// The rules of one NVA: a NIC with IP forwarding whose filtering is
/// vendor-specific, so the user states it.
#[derive(Debug, Clone)]
pub struct NvaConfig {
    /// The NIC as written: its name or one of its private IPs.
    pub nic: String,
    /// The NIC it names (index into `AzureNetwork::nics`); `None` when the
    /// inputs hold no NICs at all, so the reference could not be followed.
    pub nic_index: Option<Idx<NetworkInterface>>,
    /// The reply of a flow it allowed passes; a reply it never saw the
    /// request of is dropped.
    pub stateful: bool,
    /// It translates the source to its own private address when forwarding.
    pub snat: bool,
    /// In order; the first match decides; no match denies.
    pub rules: Vec<NvaRule>,
    /// Where the entry was read.
    pub loc: Loc,
}

/// What an NVA rule does with a matching flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NvaAction {
    /// Forward it.
    Allow,
    /// Drop it.
    Deny,
}

/// One NVA forwarding rule.
#[derive(Debug, Clone)]
pub struct NvaRule {
    /// Its `name`.
    pub name: String,
    /// `allow` or `deny`.
    pub action: NvaAction,
    /// Source addresses (every address when the rule says any).
    pub sources: IpSet,
    /// Destination addresses (every address when the rule says any).
    pub destinations: IpSet,
    /// `None`: any protocol.
    pub protocol: Option<Protocol>,
    /// Destination ports; `None`: every port and protocols without ports.
    /// A rule with ports matches only protocols that have ports.
    pub ports: Option<PortSet>,
    /// Where the rule was read.
    pub loc: Loc,
}
