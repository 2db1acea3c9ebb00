//! Crossing a virtual network peering: the one implementation of the
//! peering rule, used by the trace's walk and by the all-pairs evaluator.
//!
//! From "Create, change, or delete a virtual network peering"
//! (virtual-network/virtual-network-manage-peering): "Allow virtual network
//! access" on either side gates all traffic between the two VNets; traffic
//! whose source is outside the sending VNet was forwarded (by an NVA, a
//! firewall or a gateway), and the receiving side's peering must allow
//! forwarded traffic; traffic of gateway transit is governed by
//! `useRemoteGateways` instead.

use super::decision::{Cite, Decision, PeeringFlag, Reason};
use super::index::EstateIndex;
use std::net::IpAddr;
use tusk_core::Kind;
use tusk_model::azure::{Idx, VirtualNetwork};

/// The decision on a packet from `src` crossing from VNet `a` into VNet
/// `b`; `from_gateway` when a VNet gateway sends it.
pub fn cross(
    p: &EstateIndex,
    a: Idx<VirtualNetwork>,
    b: Idx<VirtualNetwork>,
    src: IpAddr,
    from_gateway: bool,
) -> Decision {
    let (Some(ab), Some(ba)) = (p.peering_index(a, b), p.peering_index(b, a)) else {
        return Decision::new(Kind::Unknown, Reason::PeeringOneSided, None);
    };
    let net = p.net;
    let cite = |vnet: Idx<VirtualNetwork>, peering: usize, flag| Some(Cite::Peering { vnet, peering, flag });
    for (vnet, i) in [(a, ab), (b, ba)] {
        let pe = &net.vnets[vnet].peerings[i];
        if !pe.allow_virtual_network_access {
            let reason = Reason::PeeringNoAccess { vnet, peering: i };
            return Decision::new(Kind::Denied, reason, cite(vnet, i, PeeringFlag::AllowVirtualNetworkAccess));
        }
    }
    let back = &net.vnets[b].peerings[ba];
    let forwarded = !p.vnet_space[a].contains_ip(src);
    let transit = from_gateway && back.use_remote_gateways;
    if forwarded && !transit && !back.allow_forwarded_traffic {
        let reason = Reason::NotForwardable { src, from: a, vnet: b, peering: ba };
        return Decision::new(Kind::Denied, reason, cite(b, ba, PeeringFlag::AllowForwardedTraffic));
    }
    let flag = if forwarded { PeeringFlag::AllowForwardedTraffic } else { PeeringFlag::AllowVirtualNetworkAccess };
    Decision::new(Kind::Allowed, Reason::PeeringAllowed { forwarded }, cite(b, ba, flag))
}
