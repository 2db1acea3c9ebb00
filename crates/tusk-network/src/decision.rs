//! What a control decided, as data: the verdict, the typed reason, the rule
//! that decided (a reference into the model, not its text), where the
//! control sits ([`Hop`]) and the address translations it made ([`Nat`]).
//! `tusk-report` words all of it; nothing here holds an English sentence,
//! so two results can be compared and a report can link each hop to the
//! object that decided it.

use super::index::Owner;
use super::routes::{EffectiveRoute, RouteDoubt};
use std::net::IpAddr;
use tusk_core::Kind;
use tusk_model::azure::*;

/// Where a control sits along a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hop {
    Subnet(Idx<Subnet>),
    Nic(Idx<NetworkInterface>),
    Vnet(Idx<VirtualNetwork>),
    /// Crossing from the first VNet into the second.
    Peering(Idx<VirtualNetwork>, Idx<VirtualNetwork>),
    /// A firewall, an NVA or another resource at an address.
    Device(Owner),
    /// A route's next hop address that no resource of the inputs holds.
    NextHop(IpAddr),
    Internet,
    OnPremises,
    Gateway(Idx<VnetGateway>),
}

/// The peering flags a decision can rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeeringFlag {
    AllowVirtualNetworkAccess,
    AllowForwardedTraffic,
}

/// A rule collection of an Azure Firewall, classic or from a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionRef {
    Classic { fw: Idx<AzureFirewall>, collection: usize },
    Policy { policy: Idx<FirewallPolicy>, group: usize, collection: usize },
}

/// The rule, route or setting that decided something: a reference into
/// the model (or the effective route itself, which the model does not
/// hold), from which a report takes the name, priority and source line.
#[derive(Debug, Clone, PartialEq)]
pub enum Cite {
    /// `nsgs[nsg].rules[rule]`, applied at `at` (a subnet or a NIC).
    NsgRule { nsg: Idx<Nsg>, at: Hop, rule: usize },
    /// `admin_rules[i]`.
    AdminRule(usize),
    /// The route chosen, and the subnet's route table when it is a user route.
    Route { table: Option<Idx<RouteTable>>, route: Box<EffectiveRoute> },
    /// `vnets[vnet].peerings[peering]` and the flag that decided.
    Peering { vnet: Idx<VirtualNetwork>, peering: usize, flag: PeeringFlag },
    /// A rule of a firewall's collection.
    FirewallRule { at: CollectionRef, rule: usize },
    /// Azure Firewall's default deny.
    FirewallDefault(Idx<AzureFirewall>),
    /// A rule collection group a policy names and the inputs lack.
    PolicyGroupMissing { policy: Idx<FirewallPolicy>, group: ResourceId },
    /// A rule of a NIC's `tusk.yaml` NVA entry (`None`: its default deny).
    NvaRule { nic: Idx<NetworkInterface>, rule: Option<usize> },
    /// A subnet's `privateEndpointNetworkPolicies`.
    PrivateEndpointPolicies(Idx<Subnet>),
}

/// Why a rule's match on a flow is undecidable.
#[derive(Debug, Clone, PartialEq)]
pub enum Uncertainty {
    /// The flow's port is not given and the rule's ports are not all ports.
    PortNotGiven,
    /// The rule's port field could not be read (an ARM expression).
    PortsNotRead,
    /// Whether the address is in the entry is not in the inputs.
    Address { source: bool, ip: IpAddr, entry: AddressMatch },
}

/// Why a firewall translated, or did not translate, the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnatWhy {
    /// DNAT traffic is source-translated too, so the reply comes back.
    Dnat,
    /// The destination is outside the private ranges (`configured`: the
    /// policy's `privateRanges`, else IANA's).
    PublicDestination {
        dst: IpAddr,
        configured: bool,
    },
    NvaSnat,
    /// An application rule: the firewall's transparent proxy always
    /// translates the source.
    ApplicationRule,
    FirewallPublicIp,
    NicPublicIp,
    NatGateway(Idx<NatGateway>),
}

/// An address translation at a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Nat {
    Snat {
        from: IpAddr,
        to: IpAddr,
        why: SnatWhy,
    },
    /// A firewall network rule keeps the source: the destination is in the
    /// private ranges.
    NoSnat {
        dst: IpAddr,
        configured: bool,
    },
    Dnat {
        from: IpAddr,
        from_port: Option<u16>,
        to: IpAddr,
        to_port: Option<u16>,
    },
    /// An instance-level public IP translated to the NIC's private address.
    InstancePublicIp {
        from: IpAddr,
        to: IpAddr,
    },
    /// Azure's default outbound SNAT, whose address is not in the inputs.
    PlatformSnat,
    /// A stateful device undoing its translation on the reply.
    Restore {
        destination: bool,
        from: IpAddr,
        to: IpAddr,
    },
}

/// Why a control decided what it did.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    // Routing.
    /// The route chosen among `candidates` active routes holding `dst`.
    Route {
        dst: IpAddr,
        candidates: usize,
        doubt: Option<RouteDoubt>,
    },
    NoRoute {
        dst: IpAddr,
    },
    RoutingLoop,
    TooManyHops,
    PeeredVnetMissing,
    // Security rules.
    FirstMatch {
        priority: u32,
    },
    /// `doubtful` may match before `decided` (or before nothing).
    MayMatch {
        doubtful: String,
        priority: Option<u32>,
        decided: Option<String>,
        why: Vec<Uncertainty>,
    },
    NoRuleMatched,
    NsgMissing {
        nic: bool,
        id: ResourceId,
    },
    NsgNotForPrivateEndpoints(PrivateEndpointPolicies),
    AdminRule {
        priority: u32,
        always_allow: bool,
    },
    // Peering.
    PeeringOneSided,
    /// `vnets[vnet].peerings[peering]` has allowVirtualNetworkAccess false.
    PeeringNoAccess {
        vnet: Idx<VirtualNetwork>,
        peering: usize,
    },
    /// `src` is outside VNet `from`, and the receiving side's peering
    /// (`vnets[vnet].peerings[peering]`) does not allow forwarded traffic.
    NotForwardable {
        src: IpAddr,
        from: Idx<VirtualNetwork>,
        vnet: Idx<VirtualNetwork>,
        peering: usize,
    },
    PeeringAllowed {
        forwarded: bool,
    },
    // Arrival and delivery.
    NoSubnetHolds {
        vnet: Idx<VirtualNetwork>,
        dst: IpAddr,
    },
    NotModelled {
        dst: IpAddr,
        owner: Owner,
    },
    ReplyStateful,
    Delivered(Owner),
    NoNicInInputs {
        dst: IpAddr,
    },
    NothingHolds {
        dst: IpAddr,
    },
    /// The address may be held by a device read but not modelled (index
    /// into `opaque_devices`): an application gateway or a Bastion host.
    OpaqueDevice {
        dst: IpAddr,
        device: usize,
    },
    /// The reply reaches the address that sent the request.
    ReplyToSender {
        dst: IpAddr,
    },
    // Appliances.
    /// A VirtualAppliance route whose next hop address tusk could not read.
    NextHopAddressNotRead,
    /// The source's VNet is connected to a Virtual WAN hub (index into
    /// `virtual_hubs`, and the connection), whose routes are not modelled.
    VirtualHubRouting {
        hub: usize,
        connection: usize,
    },
    NextHopUnknown {
        ip: IpAddr,
    },
    OwnerSubnetMissing(Owner),
    NextHopNotPeered {
        ip: IpAddr,
        at: Idx<VirtualNetwork>,
        from: Idx<VirtualNetwork>,
    },
    DoesNotForward(Owner),
    NvaRulesMissing,
    NvaRule {
        name: String,
        allows: bool,
    },
    NvaDefaultDeny,
    NvaNeverSawRequest,
    NvaReplyStateful,
    BypassesNva(Owner),
    // Azure Firewall.
    FirewallNeverSawRequest,
    FirewallReplyMatches,
    BypassesFirewall(Idx<AzureFirewall>),
    PolicyMissing {
        id: ResourceId,
    },
    PolicyLoop,
    PolicyGroupMissing,
    DnatFqdn {
        rule: String,
        fqdn: Option<String>,
    },
    DnatMatched,
    NetworkRuleMatched {
        action: FirewallAction,
    },
    ApplicationRule {
        rule: String,
        action: FirewallAction,
        fqdns: Vec<String>,
    },
    /// An application rule matched the name the client asks for.
    ApplicationRuleMatched {
        action: FirewallAction,
        name: String,
    },
    /// An application rule may admit the name: its FQDN tag, web category
    /// or target URL cannot be matched from a name alone.
    ApplicationRuleName {
        rule: String,
        action: FirewallAction,
        name: String,
        doubt: super::fqdn::NameDoubt,
    },
    FirewallDefaultDeny,
    FirewallSubnetMissing,
    // Edges of the network.
    HandedToGateway {
        gateway: Idx<VnetGateway>,
        dst: IpAddr,
    },
    GatewayRoutesUnknown {
        dst: IpAddr,
    },
    InternetNotPublic {
        dst: IpAddr,
    },
    LeavesToInternet {
        dst: IpAddr,
    },
    ReplyLeavesToInternet,
    PublicIpOfNic {
        dst: IpAddr,
        nic: Idx<NetworkInterface>,
    },
    PublicIpBackends {
        dst: IpAddr,
        owner: Owner,
    },
    NotPublic {
        dst: IpAddr,
    },
    PublicAddressUnknown {
        dst: IpAddr,
    },
    ReplyThroughPlatformSnat,
    /// Leaves over a subnet's service endpoint to the service, keeping the
    /// private source address.
    ServiceEndpoint {
        dst: IpAddr,
        service: String,
    },
    ReplyOverServiceEndpoint,
    /// The subnet's service endpoint to Azure Storage is limited by a
    /// service endpoint policy (index into the subnet's policies), which
    /// names storage accounts, not addresses.
    ServiceEndpointPolicy {
        dst: IpAddr,
        service: String,
        policy: usize,
    },
    /// A load balancer rule sends the flow to its backends, which all
    /// answer alike.
    LoadBalanced {
        lb: Idx<LoadBalancer>,
        rule: usize,
        backends: Vec<IpAddr>,
    },
    LbUnknown {
        lb: Idx<LoadBalancer>,
        why: super::lb::LbDoubt,
    },
    /// The backends answer differently.
    LbMixed {
        lb: Idx<LoadBalancer>,
        rule: usize,
        allowed: Vec<IpAddr>,
        other: Vec<(IpAddr, Kind)>,
    },
    EntersThroughGateway,
    NoGateway,
}

/// A decision of one control: verdict, why, and the deciding rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub verdict: Kind,
    pub reason: Reason,
    pub cite: Option<Cite>,
}

impl Decision {
    pub fn new(verdict: Kind, reason: Reason, cite: Option<Cite>) -> Decision {
        Decision { verdict, reason, cite }
    }
}
