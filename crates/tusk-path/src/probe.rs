//! The load balancer's health probe of an entry node, as far as it changes
//! a way-in verdict: Azure Load Balancer probes every backend from the
//! platform address 168.63.129.16 (the `AzureLoadBalancer` service tag),
//! and a backend whose probe fails gets no new flows (Azure Load Balancer
//! docs, "Health probes"; "Network security groups", default rule
//! `AllowAzureLoadBalancerInBound`). An NSG on the node's subnet or NIC
//! that denies that source — a `Deny` of `VirtualNetwork` or `*` ahead of
//! an allow of `AzureLoadBalancer`, since the host address is part of the
//! `VirtualNetwork` tag — makes the frontend unreachable through that node.
//!
//! The probed port (cloud-provider-azure, "Azure LoadBalancer" health
//! probes): externalTrafficPolicy Local asks kube-proxy's health check
//! node port (`spec.healthCheckNodePort`, HTTP `/healthz`), so that only
//! nodes with a ready endpoint pass; Cluster probes the Service port's
//! node port. The NSG checks are the trace's own ([`tusk_network::nsg`]).

use crate::join::{Segment, Wiring};
use crate::nodes::SimNode;
use std::net::IpAddr;
use tusk_core::{Flow, Kind, Protocol};
use tusk_model::azure::{Direction, Idx, Link, NetworkInterface, Subnet};
use tusk_network::path::{Control, Step};
use tusk_network::{Decision, Hop, Prepared, Reason};

/// The platform address health probes come from (Azure docs, "What is IP
/// address 168.63.129.16?").
pub const PROBE_SOURCE: [u8; 4] = [168, 63, 129, 16];

/// The probe of node `n` (address `ip`, NIC `nic`, subnet `home`) on
/// `port`: one step per NSG on the way in (subnet, then NIC). A missing
/// NSG of the inputs is an unknown step; no NSG at all admits it.
pub fn health_probe(
    p: &Prepared,
    w: &Wiring,
    n: Idx<SimNode>,
    (ip, nic, home): (IpAddr, Idx<NetworkInterface>, Idx<Subnet>),
    port: Option<u16>,
    local: bool,
) -> Segment {
    let flow = Flow { src: IpAddr::from(PROBE_SOURCE), dst: ip, proto: Protocol::Tcp, port };
    let vnet = p.net.subnets[home].vnet;
    let mut steps = Vec::new();
    let checks = [
        (Hop::Subnet(home), p.net.subnets[home].nsg.as_ref(), false),
        (Hop::Nic(nic), p.net.nics[nic].nsg.as_ref(), true),
    ];
    for (at, link, is_nic) in checks {
        let decision = match link {
            None => continue,
            Some(Link::Absent(id)) => {
                Decision::new(Kind::Unknown, Reason::NsgMissing { nic: is_nic, id: id.clone() }, None)
            }
            Some(Link::Found(i)) => tusk_network::nsg::evaluate(p, *i, at, Some(vnet), Direction::Inbound, &flow),
        };
        let denied = decision.verdict == Kind::Denied;
        steps.push(Step { at, control: Control::Nsg, decision, src: flow.src, dst: ip, nat: Vec::new() });
        if denied {
            break;
        }
    }
    Segment::HealthProbe { node: w.fleet.nodes[n].name.clone(), port, local, steps }
}
