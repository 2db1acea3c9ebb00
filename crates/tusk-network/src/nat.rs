//! Address translations along a path, as data: why a flow's source was
//! translated (or kept) and to what ([`Nat`], [`SnatWhy`], [`SnatDoubt`]).
//! Split from `decision.rs`, which re-exports them; `tusk-report` words
//! them.

use std::net::IpAddr;
use tusk_model::azure::*;

/// Why a firewall translated, or did not translate, the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnatWhy {
    /// DNAT traffic is source-translated too, so the reply comes back.
    Dnat,
    /// The destination is outside the private ranges (`configured`: the
    /// policy's `privateRanges`, else IANA's).
    PublicDestination {
        /// The destination.
        dst: IpAddr,
        /// Were the private ranges configured (else IANA's)?
        configured: bool,
    },
    /// A `tusk.yaml` NVA entry with `snat: true`.
    NvaSnat,
    /// An application rule: the firewall's transparent proxy always
    /// translates the source.
    ApplicationRule,
    /// A firewall leaving for the Internet with its public IP.
    FirewallPublicIp,
    /// A NIC leaving for the Internet with its instance-level public IP.
    NicPublicIp,
    /// The subnet's NAT gateway.
    NatGateway(Idx<NatGateway>),
    /// An application gateway (index into `app_gateways`) opening its own
    /// connection to a backend from an address of its subnet.
    AppGateway(Idx<AppGateway>),
    /// A load balancer's outbound rule or SNAT load-balancing rule.
    LoadBalancer {
        /// The load balancer.
        lb: Idx<LoadBalancer>,
        /// Which rule.
        by: crate::lb::LbSnatBy,
    },
}

/// Why the source address a flow leaves with is not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnatDoubt {
    /// The subnet's NAT gateway, whose public addresses the inputs do not
    /// give (not exported, a public IP prefix, known after apply).
    NatGateway(Idx<NatGateway>),
    /// A load balancer rule with several frontends, or whose frontend's
    /// address the inputs do not give.
    LoadBalancer {
        /// The load balancer.
        lb: Idx<LoadBalancer>,
        /// Which rule.
        by: crate::lb::LbSnatBy,
    },
}

/// An address translation at a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Nat {
    /// The source was translated.
    Snat {
        /// The source before.
        from: IpAddr,
        /// The source after.
        to: IpAddr,
        /// Why.
        why: SnatWhy,
    },
    /// A firewall network rule keeps the source: the destination is in the
    /// private ranges.
    NoSnat {
        /// The destination.
        dst: IpAddr,
        /// Were the private ranges configured (else IANA's)?
        configured: bool,
    },
    /// The destination was translated (a firewall DNAT rule, a load balancer).
    Dnat {
        /// The destination before.
        from: IpAddr,
        /// The port before, when given.
        from_port: Option<u16>,
        /// The destination after.
        to: IpAddr,
        /// The port after, when translated.
        to_port: Option<u16>,
    },
    /// An instance-level public IP translated to the NIC's private address.
    InstancePublicIp {
        /// The public address.
        from: IpAddr,
        /// The NIC's private address.
        to: IpAddr,
    },
    /// Azure's default outbound SNAT, whose address is not in the inputs.
    PlatformSnat,
    /// The source was translated to a public address the inputs do not settle.
    SnatUnknown {
        /// The source before.
        from: IpAddr,
        /// Why the address is not known.
        why: SnatDoubt,
    },
    /// A stateful device undoing its translation on the reply.
    Restore {
        /// Is it the destination (else the source) that is restored?
        destination: bool,
        /// The address before.
        from: IpAddr,
        /// The address after.
        to: IpAddr,
    },
}
