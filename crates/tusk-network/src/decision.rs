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

pub use super::nat::{Nat, SnatDoubt, SnatWhy};

/// Where a control sits along a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hop {
    /// A subnet (its NSG, its routes).
    Subnet(Idx<Subnet>),
    /// A NIC (its NSG).
    Nic(Idx<NetworkInterface>),
    /// A virtual network (admin rules, its address space).
    Vnet(Idx<VirtualNetwork>),
    /// Crossing from the first VNet into the second.
    Peering(Idx<VirtualNetwork>, Idx<VirtualNetwork>),
    /// A firewall, an NVA or another resource at an address.
    Device(Owner),
    /// A route's next hop address that no resource of the inputs holds.
    NextHop(IpAddr),
    /// The Internet, beyond Azure.
    Internet,
    /// On-premises, beyond a VNet gateway.
    OnPremises,
    /// A VNet gateway.
    Gateway(Idx<VnetGateway>),
    /// An application gateway (index into `app_gateways`).
    AppGateway(Idx<AppGateway>),
    /// A Virtual WAN hub (an index into `virtual_hubs`).
    Hub(Idx<VirtualHub>),
    /// An Azure Bastion host (an index into `bastions`).
    Bastion(Idx<BastionHost>),
}

/// The peering flags a decision can rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeeringFlag {
    /// `allowVirtualNetworkAccess`.
    AllowVirtualNetworkAccess,
    /// `allowForwardedTraffic`.
    AllowForwardedTraffic,
}

/// A rule collection of an Azure Firewall, classic or from a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionRef {
    /// `firewalls[fw].classic[collection]`.
    Classic {
        /// The firewall.
        fw: Idx<AzureFirewall>,
        /// The collection's position in its classic rules.
        collection: usize,
    },
    /// `firewall_policies[policy].groups[group].collections[collection]`.
    Policy {
        /// The firewall policy.
        policy: Idx<FirewallPolicy>,
        /// The rule collection group's position in the policy.
        group: usize,
        /// The collection's position in the group.
        collection: usize,
    },
}

/// The rule, route or setting that decided something: a reference into
/// the model (or the effective route itself, which the model does not
/// hold), from which a report takes the name, priority and source line.
#[derive(Debug, Clone, PartialEq)]
pub enum Cite {
    /// `nsgs[nsg].rules[rule]`, applied at `at` (a subnet or a NIC).
    NsgRule {
        /// The NSG.
        nsg: Idx<Nsg>,
        /// Where it applied.
        at: Hop,
        /// The rule's position in the NSG's rules.
        rule: usize,
    },
    /// `admin_rules[i]`.
    AdminRule(Idx<AdminRule>),
    /// The route chosen, and the subnet's route table when it is a user route.
    Route {
        /// The subnet's route table, for a user route.
        table: Option<Idx<RouteTable>>,
        /// The effective route.
        route: Box<EffectiveRoute>,
    },
    /// `vnets[vnet].peerings[peering]` and the flag that decided.
    Peering {
        /// The VNet whose side of the peering decided.
        vnet: Idx<VirtualNetwork>,
        /// The peering's position in that VNet's peerings.
        peering: usize,
        /// The flag that decided.
        flag: PeeringFlag,
    },
    /// A rule of a firewall's collection.
    FirewallRule {
        /// The collection.
        at: CollectionRef,
        /// The rule's position in it.
        rule: usize,
    },
    /// Azure Firewall's default deny.
    FirewallDefault(Idx<AzureFirewall>),
    /// A rule collection group a policy names and the inputs lack.
    PolicyGroupMissing {
        /// The policy naming the group.
        policy: Idx<FirewallPolicy>,
        /// The group's resource id.
        group: ResourceId,
    },
    /// A rule of a NIC's `tusk.yaml` NVA entry (`None`: its default deny).
    NvaRule {
        /// The NVA's NIC.
        nic: Idx<NetworkInterface>,
        /// The rule's position in its `tusk.yaml` entry; `None`: the default deny.
        rule: Option<usize>,
    },
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
    Address {
        /// Is it the rule's source (else its destination)?
        source: bool,
        /// The flow's address.
        ip: IpAddr,
        /// The rule entry whose addresses are not in the inputs.
        entry: AddressMatch,
    },
}

/// Why a control decided what it did.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    // Routing.
    /// The route chosen among `candidates` active routes holding `dst`.
    Route {
        /// The destination looked up.
        dst: IpAddr,
        /// How many active routes hold `dst`.
        candidates: usize,
        /// Why the choice may be another route, when it may.
        doubt: Option<RouteDoubt>,
    },
    /// No route holds the destination: dropped.
    NoRoute {
        /// The destination.
        dst: IpAddr,
    },
    /// The packet comes back to a place it already left.
    RoutingLoop,
    /// More than 64 hops.
    TooManyHops,
    /// The peered VNet is not in the inputs.
    PeeredVnetMissing,
    // Security rules.
    /// The first matching rule (the cited one) decided.
    FirstMatch {
        /// Its priority.
        priority: u32,
    },
    /// `doubtful` may match before `decided` (or before nothing).
    MayMatch {
        /// The name of the rule that may match.
        doubtful: String,
        /// Its priority.
        priority: Option<u32>,
        /// The rule that matches for sure after it, when one does.
        decided: Option<String>,
        /// Why its match is undecidable.
        why: Vec<Uncertainty>,
    },
    /// No rule matched (an NSG without its default rules).
    NoRuleMatched,
    /// The NSG attached is not in the inputs.
    NsgMissing {
        /// Is it the NIC's (else the subnet's)?
        nic: bool,
        /// The NSG's resource id.
        id: ResourceId,
    },
    /// The subnet's NSG does not apply to private endpoints, by this setting.
    NsgNotForPrivateEndpoints(PrivateEndpointPolicies),
    /// An AVNM security admin rule decided.
    AdminRule {
        /// Its priority.
        priority: u32,
        /// Is it `AlwaysAllow` (the NSGs are skipped)?
        always_allow: bool,
    },
    // Peering.
    /// Only one side of the peering is in the inputs.
    PeeringOneSided,
    /// `vnets[vnet].peerings[peering]` has allowVirtualNetworkAccess false.
    PeeringNoAccess {
        /// The VNet whose side it is.
        vnet: Idx<VirtualNetwork>,
        /// The peering's position in its peerings.
        peering: usize,
    },
    /// `src` is outside VNet `from`, and the receiving side's peering
    /// (`vnets[vnet].peerings[peering]`) does not allow forwarded traffic.
    NotForwardable {
        /// The source address.
        src: IpAddr,
        /// The VNet the packet comes from.
        from: Idx<VirtualNetwork>,
        /// The receiving VNet.
        vnet: Idx<VirtualNetwork>,
        /// Its peering's position in its peerings.
        peering: usize,
    },
    /// The peering lets the packet through.
    PeeringAllowed {
        /// Was it forwarded traffic (so `allowForwardedTraffic` was needed)?
        forwarded: bool,
    },
    // Arrival and delivery.
    /// The destination is in the VNet's space but in none of its subnets.
    NoSubnetHolds {
        /// The VNet.
        vnet: Idx<VirtualNetwork>,
        /// The destination.
        dst: IpAddr,
    },
    /// The destination is a resource whose handling of the packet tusk does not model.
    NotModelled {
        /// The destination.
        dst: IpAddr,
        /// What holds it.
        owner: Owner,
    },
    /// A reply of an allowed flow: NSGs and admin rules are stateful.
    ReplyStateful,
    /// Delivered to this resource.
    Delivered(Owner),
    /// No NIC of the inputs holds the destination: its NIC-level NSG is unknown.
    NoNicInInputs {
        /// The destination.
        dst: IpAddr,
    },
    /// No NIC, firewall or private endpoint holds the destination.
    NothingHolds {
        /// The destination.
        dst: IpAddr,
    },
    /// The destination endpoint names `owner` as the one that takes `dst`
    /// although no ip configuration of it holds the address: an AKS node
    /// taking the packet for a pod behind it (kubenet's pod CIDR, an
    /// overlay pod) or a load balancer frontend with floating IP that
    /// hands the packet to its backend node unchanged.
    HandedTo {
        /// The destination address (the pod's or the frontend's).
        dst: IpAddr,
        /// The object that takes it (the node's NIC, the backend).
        owner: Owner,
    },
    /// A flow from the Internet to `dst`, a public frontend the caller
    /// resolved (a Kubernetes Service's public load balancer), handed to
    /// backend `owner` with its destination unchanged (floating IP).
    EntersThroughFrontend {
        /// The public frontend address.
        dst: IpAddr,
        /// The backend node that takes the packet.
        owner: Owner,
    },
    /// The address may be held by a device read but not modelled: an
    /// application gateway or a Bastion host.
    OpaqueDevice {
        /// The destination address.
        dst: IpAddr,
        /// The device.
        device: Idx<OpaqueDevice>,
    },
    /// An application gateway's decision ([`crate::appgw`]).
    AppGateway {
        /// The gateway.
        gw: Idx<AppGateway>,
        /// What it decided.
        what: crate::appgw::AppGwWhy,
    },
    /// A Bastion host's decision about the session it would open
    /// ([`crate::bastion`]).
    Bastion {
        /// The Bastion host.
        host: Idx<BastionHost>,
        /// What it decided.
        what: crate::bastion::BastionWhy,
    },
    /// The reply reaches the address that sent the request.
    ReplyToSender {
        /// The request's source.
        dst: IpAddr,
    },
    // Appliances.
    /// A VirtualAppliance route whose next hop address tusk could not read.
    NextHopAddressNotRead,
    /// The source's subnet sets `defaultOutboundAccess: false` (a private
    /// subnet) and the source has no explicit outbound method (NAT
    /// gateway, public IP, load balancer outbound or SNAT rule): it has no
    /// path to the Internet ("Default outbound access in Azure",
    /// virtual-network/ip-services/default-outbound-access).
    PrivateSubnet {
        /// The source's subnet.
        subnet: Idx<Subnet>,
        /// The Internet destination.
        dst: IpAddr,
    },
    /// The source is in a backend pool of a Standard load balancer with no
    /// outbound rule and no load-balancing rule giving SNAT: it has no
    /// default outbound access, and whether it reaches `dst` otherwise is
    /// not in the inputs.
    LbNoOutbound {
        /// The load balancer.
        lb: Idx<LoadBalancer>,
        /// The Internet destination.
        dst: IpAddr,
    },
    /// Routes a resource tusk does not model (one of `unmodelled`: a
    /// route server's BGP peers, an AVNM connectivity configuration) may
    /// carry the flow out of its VNet's address space.
    UnmodelledRouting {
        /// The resource.
        item: Idx<Unmodelled>,
    },
    /// A Virtual WAN hub's routing ([`crate::vwan`]): its route, its
    /// firewall's forwarding, or why it is unknown.
    VirtualHub(crate::vwan::HubStep),
    /// A route's next hop address that no NIC or firewall of the inputs holds.
    NextHopUnknown {
        /// The next hop address.
        ip: IpAddr,
    },
    /// The subnet of this resource is not in the inputs.
    OwnerSubnetMissing(Owner),
    /// The next hop is in a VNet not peered with the packet's.
    NextHopNotPeered {
        /// The next hop address.
        ip: IpAddr,
        /// The next hop's VNet.
        at: Idx<VirtualNetwork>,
        /// The packet's VNet.
        from: Idx<VirtualNetwork>,
    },
    /// The next hop does not forward (no IP forwarding, not a firewall).
    DoesNotForward(Owner),
    /// An NVA (IP forwarding on) without rules in `tusk.yaml`: what it forwards is unknown.
    NvaRulesMissing,
    /// A `tusk.yaml` NVA rule decided.
    NvaRule {
        /// Its name.
        name: String,
        /// Does it allow?
        allows: bool,
    },
    /// No NVA rule matched: the NVA denies.
    NvaDefaultDeny,
    /// Asymmetric routing: the reply reaches a stateful NVA that never saw the request.
    NvaNeverSawRequest,
    /// A reply of a flow the NVA allowed (it is stateful).
    NvaReplyStateful,
    /// Asymmetric routing: the reply bypasses this stateful NVA, which saw the request.
    BypassesNva(Owner),
    // Azure Firewall.
    /// Asymmetric routing: the reply reaches a firewall that never saw the request.
    FirewallNeverSawRequest,
    /// The reply matches a connection the firewall saw.
    FirewallReplyMatches,
    /// Asymmetric routing: the reply bypasses this firewall, which saw the request.
    BypassesFirewall(Idx<AzureFirewall>),
    /// The firewall's policy is not in the inputs.
    PolicyMissing {
        /// The policy's resource id.
        id: ResourceId,
    },
    /// The firewall policies' `basePolicy` chain loops.
    PolicyLoop,
    /// A rule collection group of the policy is not in the inputs (see the cite).
    PolicyGroupMissing,
    /// A DNAT rule translates to an FQDN, which tusk cannot resolve.
    DnatFqdn {
        /// The rule's name.
        rule: String,
        /// The FQDN, when read.
        fqdn: Option<String>,
    },
    /// A DNAT rule matched; translated traffic is allowed.
    DnatMatched,
    /// A network rule matched.
    NetworkRuleMatched {
        /// Its collection's action.
        action: FirewallAction,
    },
    /// An application rule matches only for FQDNs, and the flow names none (`--fqdn`).
    ApplicationRule {
        /// The rule's name.
        rule: String,
        /// Its collection's action.
        action: FirewallAction,
        /// Its target FQDNs.
        fqdns: Vec<String>,
    },
    /// An application rule matched the name the client asks for.
    ApplicationRuleMatched {
        /// Its collection's action.
        action: FirewallAction,
        /// The name matched (TLS SNI or HTTP Host).
        name: String,
    },
    /// An application rule may admit the name: its FQDN tag, web category
    /// or target URL cannot be matched from a name alone.
    ApplicationRuleName {
        /// The rule's name.
        rule: String,
        /// Its collection's action.
        action: FirewallAction,
        /// The name the client asks for.
        name: String,
        /// Why the name cannot be matched.
        doubt: super::fqdn::NameDoubt,
    },
    /// No rule matched: Azure Firewall denies by default.
    FirewallDefaultDeny,
    /// The firewall's subnet is not in the inputs.
    FirewallSubnetMissing,
    // Edges of the network.
    /// Handed to a VNet gateway for on-premises: controls beyond are outside the inputs.
    HandedToGateway {
        /// The gateway.
        gateway: Idx<VnetGateway>,
        /// The on-premises destination.
        dst: IpAddr,
    },
    /// The gateway's routes for the destination are not in the inputs.
    GatewayRoutesUnknown {
        /// The destination.
        dst: IpAddr,
    },
    /// Next hop Internet for a destination that is not public: Azure drops it.
    InternetNotPublic {
        /// The destination.
        dst: IpAddr,
    },
    /// Leaves to the Internet.
    LeavesToInternet {
        /// The destination.
        dst: IpAddr,
    },
    /// The reply leaves to the Internet.
    ReplyLeavesToInternet,
    /// The destination is a NIC's public IP.
    PublicIpOfNic {
        /// The public address.
        dst: IpAddr,
        /// The NIC.
        nic: Idx<NetworkInterface>,
    },
    /// The destination is a public address whose backends tusk does not model.
    PublicIpBackends {
        /// The public address.
        dst: IpAddr,
        /// What holds it.
        owner: Owner,
    },
    /// The destination is not a public address: not reachable from the Internet.
    NotPublic {
        /// The destination.
        dst: IpAddr,
    },
    /// A public destination the inputs do not hold.
    PublicAddressUnknown {
        /// The destination.
        dst: IpAddr,
    },
    /// The reply returns through Azure's default outbound SNAT.
    ReplyThroughPlatformSnat,
    /// Leaves over a subnet's service endpoint to the service, keeping the
    /// private source address.
    ServiceEndpoint {
        /// The service's address.
        dst: IpAddr,
        /// The service (`Microsoft.Storage`, ...).
        service: String,
    },
    /// The reply returns over the service endpoint.
    ReplyOverServiceEndpoint,
    /// The subnet's service endpoint to Azure Storage is limited by a
    /// service endpoint policy (index into the subnet's policies), which
    /// names storage accounts, not addresses.
    ServiceEndpointPolicy {
        /// The destination address.
        dst: IpAddr,
        /// The service endpoint's service (`Microsoft.Storage`).
        service: String,
        /// The policy, an index into the subnet's service endpoint policies.
        policy: usize,
    },
    /// A load balancer rule sends the flow to its backends, which all
    /// answer alike.
    LoadBalanced {
        /// The load balancer.
        lb: Idx<LoadBalancer>,
        /// The rule's position in its rules.
        rule: usize,
        /// The backends' addresses.
        backends: Vec<IpAddr>,
    },
    /// What a load balancer does with the flow is unknown.
    LbUnknown {
        /// The load balancer.
        lb: Idx<LoadBalancer>,
        /// Why.
        why: super::lb::LbDoubt,
    },
    /// The backends answer differently.
    LbMixed {
        /// The load balancer.
        lb: Idx<LoadBalancer>,
        /// The rule's position in its rules.
        rule: usize,
        /// The backends that answer.
        allowed: Vec<IpAddr>,
        /// The others, each with its verdict.
        other: Vec<(IpAddr, Kind)>,
    },
    /// Enters from on-premises through the VNet gateway.
    EntersThroughGateway,
    /// No VNet gateway leads on-premises.
    NoGateway,
}

/// A decision of one control: verdict, why, and the deciding rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Allowed, denied or unknown.
    pub verdict: Kind,
    /// Why.
    pub reason: Reason,
    /// The rule, route or setting that decided, when one did.
    pub cite: Option<Cite>,
}

impl Decision {
    /// A decision from its parts.
    pub fn new(verdict: Kind, reason: Reason, cite: Option<Cite>) -> Decision {
        Decision { verdict, reason, cite }
    }
}
