//! What each lint found, as data: one [`Problem`] variant per rule, holding
//! the objects at fault as typed indices into the estate (or their stable
//! keys: a namespace's name, a label), and the numbers and sets the rule
//! computed. Nothing here is English: tusk-report's `audit_words` says the
//! sentence and the fix line, so the text, JSON and SARIF outputs share one
//! wording and a test asserts on the values, not on words.

use std::net::IpAddr;
use tusk_core::ip::Cidr;
use tusk_core::Idx;
use tusk_model::aks::{AksCluster, NodePool};
use tusk_model::azure::{
    AzureFirewall, AzureNetwork, FirewallPolicy, FirewallRule, Nsg, Peering, Route, RouteTable, RuleCollection,
    RuleCollectionGroup, SecurityRule, Subnet, VirtualNetwork,
};
use tusk_model::k8s::{EscapeRisk, Pod, Workload};
use tusk_path::route_budget::RouteBudget;

/// What a finding found, per rule (the rule's code in each variant's
/// first line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// TA001: the cluster uses kubenet.
    KubenetRetired {
        /// The cluster.
        cluster: Idx<AksCluster>,
    },
    /// TA002: the kubenet cluster's routes against its route table's limit
    /// (over it, or within 10% of it).
    KubenetRouteBudget {
        /// The cluster.
        cluster: Idx<AksCluster>,
        /// Its count (tusk-path's).
        budget: RouteBudget,
    },
    /// TA003: a node subnet holds fewer addresses than Azure CNI takes.
    CniSubnetTooSmall {
        /// The node subnet.
        subnet: Idx<Subnet>,
        /// Its usable IPv4 addresses (Azure keeps five of each prefix).
        usable: u128,
        /// The addresses its pools take: the sum of [`PoolDemand::addresses`].
        needed: u128,
        /// The pools that take them, in cluster and pool order.
        pools: Vec<PoolDemand>,
    },
    /// TA004: a 0.0.0.0/0 route puts every address in the subnet's
    /// VirtualNetwork tag, and its NSG's AllowVnetInBound admits them.
    UdrWidensVirtualNetwork {
        /// The subnet.
        subnet: Idx<Subnet>,
        /// Its route table.
        table: Idx<RouteTable>,
        /// The 0.0.0.0/0 route, in `table`'s routes.
        route: Idx<Route>,
        /// The subnet's NSG.
        nsg: Idx<Nsg>,
    },
    /// TA005: a namespace with workloads has no default-deny ingress policy.
    NamespaceWithoutDefaultDeny {
        /// The namespace's name.
        namespace: String,
    },
    /// TA006: a spoke's route sends traffic to an appliance in a peered VNet
    /// whose peering refuses forwarded traffic.
    SpokeRefusesForwardedTraffic {
        /// The spoke VNet.
        vnet: Idx<VirtualNetwork>,
        /// Its peering with allowForwardedTraffic off, in `vnet`'s peerings.
        peering: Idx<Peering>,
        /// The route table holding the route.
        table: Idx<RouteTable>,
        /// The route to the appliance, in `table`'s routes.
        route: Idx<Route>,
        /// The peered VNet the appliance is in.
        remote: Idx<VirtualNetwork>,
    },
    /// TA007: an NSG rule every flow of which an earlier rule of the same
    /// direction already matches.
    NsgRuleShadowed {
        /// The NSG.
        nsg: Idx<Nsg>,
        /// The rule that never decides, in `nsg`'s rules.
        rule: Idx<SecurityRule>,
        /// The highest-priority rule that covers it, in `nsg`'s rules.
        by: Idx<SecurityRule>,
        /// Whether `by` has the other access or the same.
        shadowing: Shadowing,
    },
    /// TA008: a pod-template setting that weakens the container boundary.
    PodEscapeRisk {
        /// The workload.
        workload: Idx<Workload>,
        /// The setting, in the workload's `escape` list.
        risk: Idx<EscapeRisk>,
    },
    /// TA009: an NSG rule names a pod's address.
    NsgRuleOnPodIp {
        /// The NSG.
        nsg: Idx<Nsg>,
        /// The rule, in `nsg`'s rules.
        rule: Idx<SecurityRule>,
        /// The prefix of the rule that names it (first of its sources,
        /// then destinations).
        prefix: Cidr,
        /// What pod address the prefix holds.
        inside: PodAddress,
    },
    /// TA010: an Azure Firewall network rule every flow of which an
    /// earlier network rule of the same rule set already matches.
    FirewallRuleShadowed {
        /// The rule that never decides.
        rule: FirewallRuleAt,
        /// The first earlier rule that covers it (same policy or firewall).
        by: FirewallRuleAt,
        /// Whether `by`'s collection has the other action or the same.
        shadowing: Shadowing,
    },
    /// TA011: a node pool labelled for a tenant has no taint that keeps
    /// other pods out.
    TenantPoolWithoutTaint {
        /// The cluster.
        cluster: Idx<AksCluster>,
        /// The pool, in the cluster's pools.
        pool: Idx<NodePool>,
        /// The pool's node label naming the tenant.
        key: String,
        /// Its value (the tenant).
        value: String,
        /// The declared namespace carrying the same label and value.
        namespace: String,
    },
}

/// One pool's share of a node subnet under Azure CNI (TA003).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolDemand {
    /// The cluster.
    pub cluster: Idx<AksCluster>,
    /// The pool, in the cluster's pools.
    pub pool: Idx<NodePool>,
    /// Its nodes, surge nodes included.
    pub nodes: u128,
    /// Addresses it takes: `nodes × (maxPods + 1)`.
    pub addresses: u128,
}

/// Why a rule covered by an earlier one never decides (TA007, TA010).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shadowing {
    /// The earlier rule has the other access / action: the later rule's
    /// intent is never applied (a warning).
    Shadowed,
    /// The earlier rule has the same access / action: the later rule is
    /// dead weight (a note).
    Redundant,
}

/// The pod address an NSG rule's prefix holds (TA009).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodAddress {
    /// A narrow prefix holding this exported pod's address.
    Pod {
        /// The pod.
        pod: Idx<Pod>,
        /// Its address the prefix holds.
        ip: IpAddr,
    },
    /// A prefix inside the pod CIDR (kubenet, Overlay, `podCidrs`).
    PodCidr,
}

/// Where an Azure Firewall network rule is (TA010).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirewallRuleAt {
    /// In a firewall policy's rule collection group.
    Policy {
        /// The policy.
        policy: Idx<FirewallPolicy>,
        /// The group, in the policy's groups.
        group: Idx<RuleCollectionGroup>,
        /// The collection, in the group's collections.
        collection: Idx<RuleCollection>,
        /// The rule, in the collection's rules.
        rule: Idx<FirewallRule>,
    },
    /// In a firewall's classic rule collections.
    Classic {
        /// The firewall.
        firewall: Idx<AzureFirewall>,
        /// The collection, in the firewall's classic collections.
        collection: Idx<RuleCollection>,
        /// The rule, in the collection's rules.
        rule: Idx<FirewallRule>,
    },
}

impl FirewallRuleAt {
    /// The rule's collection in `net`.
    pub fn collection<'a>(&self, net: &'a AzureNetwork) -> &'a RuleCollection {
        match *self {
            FirewallRuleAt::Policy { policy, group, collection, .. } => {
                &net.firewall_policies[policy].groups[group].collections[collection]
            }
            FirewallRuleAt::Classic { firewall, collection, .. } => &net.firewalls[firewall].classic[collection],
        }
    }

    /// The rule in `net`.
    pub fn rule<'a>(&self, net: &'a AzureNetwork) -> &'a FirewallRule {
        let (FirewallRuleAt::Policy { rule, .. } | FirewallRuleAt::Classic { rule, .. }) = *self;
        &self.collection(net).rules[rule]
    }
}
