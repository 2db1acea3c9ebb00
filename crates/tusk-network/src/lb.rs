//! Azure Load Balancer: which backends a flow to a frontend reaches.
//!
//! From "Azure Load Balancer components" (load-balancer/components): a
//! load-balancing rule maps a frontend IP configuration, protocol and port
//! to the members of a backend pool on the backend port; an inbound NAT rule
//! maps a frontend port to one backend IP configuration; protocol `All` with
//! port 0 ("high availability ports", load-balancer/load-balancer-ha-ports-overview)
//! balances every TCP and UDP flow. The load balancer passes the client's
//! source address to the backend (no SNAT), so the backends' NSGs see it.
//!
//! What tusk does not settle stays unknown with the reason: no `--port`,
//! a pool whose members are scale set instances, rules tusk could not read,
//! floating IP (the backend sees the frontend's address), an empty pool.

use super::decision::Reason;
use super::{Flow, Owner, Prepared};
use std::net::IpAddr;
use tusk_core::Protocol;
use tusk_model::azure::*;

/// One backend a rule sends to: its address and, when known, its NIC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backend {
    /// The backend's address.
    pub ip: IpAddr,
    /// What holds it, when the inputs say.
    pub owner: Option<Owner>,
}

/// The rule of load balancer `l` that takes `f` at frontend `fi`, with its
/// backends and the backend port; or why that is unknown.
pub fn select(
    p: &Prepared,
    l: Idx<LoadBalancer>,
    fi: usize,
    f: &Flow,
) -> Result<(usize, Vec<Backend>, Option<u16>), Reason> {
    let net = p.net;
    let lb = &net.load_balancers[l];
    let Some(front) = lb.frontends.get(fi) else { return Err(Reason::LbUnknown { lb: l, why: LbDoubt::NoRule }) };
    let unknown = |why| Err(Reason::LbUnknown { lb: l, why });
    if lb.unread_rules > 0 {
        return unknown(LbDoubt::RulesNotRead);
    }
    let proto_ok = |r: &LbRule| {
        matches!(
            (r.protocol, f.proto),
            (LbProtocol::All, Protocol::Tcp | Protocol::Udp)
                | (LbProtocol::Tcp, Protocol::Tcp)
                | (LbProtocol::Udp, Protocol::Udp)
        )
    };
    let on_front = |r: &LbRule| r.frontend.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&front.name));
    let candidates: Vec<usize> =
        (0..lb.rules.len()).filter(|&i| on_front(&lb.rules[i]) && proto_ok(&lb.rules[i])).collect();
    let ha = |r: &LbRule| r.protocol == LbProtocol::All && r.frontend_port == 0;
    let matching: Vec<usize> = match f.port {
        Some(port) => {
            candidates.into_iter().filter(|&i| ha(&lb.rules[i]) || lb.rules[i].frontend_port == port).collect()
        }
        None if candidates.is_empty() => Vec::new(),
        None => return unknown(LbDoubt::PortNotGiven),
    };
    let [ri] = matching[..] else {
        return unknown(if matching.is_empty() { LbDoubt::NoRule } else { LbDoubt::SeveralRules });
    };
    let r = &lb.rules[ri];
    if r.floating_ip {
        return unknown(LbDoubt::FloatingIp);
    }
    let lb_name = lb.id.name();
    let names = |id: &ResourceId, child: &str| {
        id.name().eq_ignore_ascii_case(child) && id.parent().is_some_and(|x| x.name().eq_ignore_ascii_case(lb_name))
    };
    let mut out = Vec::new();
    for (n, nic) in Idx::enumerate(&net.nics) {
        for (c, ipc) in nic.ip_configs.iter().enumerate() {
            let member = match r.kind {
                LbRuleKind::LoadBalancing => {
                    r.pool.as_deref().is_some_and(|pool| ipc.lb_pools.iter().any(|id| names(id, pool)))
                }
                LbRuleKind::InboundNat => ipc.lb_nat_rules.iter().any(|id| names(id, &r.name)),
            };
            if member {
                let Some(ip) = ipc.private_ip else { return unknown(LbDoubt::MemberAddressUnknown) };
                out.push(Backend { ip, owner: Some(Owner::Nic(n, c)) });
            }
        }
    }
    if r.kind == LbRuleKind::LoadBalancing {
        let Some(pool) = r.pool.as_deref().and_then(|n| lb.pools.iter().find(|x| x.name.eq_ignore_ascii_case(n)))
        else {
            return unknown(LbDoubt::PoolMissing);
        };
        if pool.unresolved > 0 {
            return unknown(LbDoubt::ScaleSetMembers);
        }
        for ip in &pool.addresses {
            if !out.iter().any(|b| b.ip == *ip) {
                out.push(Backend { ip: *ip, owner: p.private.get(ip).copied() });
            }
        }
    }
    if out.is_empty() {
        return unknown(LbDoubt::NoMembers);
    }
    let port = if ha(r) { f.port } else { Some(r.backend_port) };
    Ok((ri, out, port))
}

/// Why a load balancer's handling of a flow is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LbDoubt {
    /// Which rule applies depends on the port, and none is given.
    PortNotGiven,
    /// No rule of the frontend matches the protocol and port.
    NoRule,
    /// Several rules match.
    SeveralRules,
    /// The rule uses floating IP, which tusk does not follow.
    FloatingIp,
    /// Some rules could not be read.
    RulesNotRead,
    /// The rule's backend pool is not in the load balancer.
    PoolMissing,
    /// The pool holds scale set instances the inputs do not give.
    ScaleSetMembers,
    /// A member's private address is not in the inputs.
    MemberAddressUnknown,
    /// The inputs name no member of the pool.
    NoMembers,
    /// Backends in several subnets: their replies may route differently.
    BackendsSpread,
}

/// The public source address a load balancer gives a backend's flow to
/// the Internet ("Outbound rules Azure Load Balancer",
/// load-balancer/outbound-rules; "Source Network Address Translation
/// (SNAT) for outbound connections", load-balancer/load-balancer-outbound-connections):
/// an outbound rule of the member's pool uses its frontends' public
/// addresses; else a load-balancing rule on a public frontend without
/// `disableOutboundSnat` uses that frontend's. A member of a Standard load
/// balancer's pool with neither is not given default outbound access
/// ("Default outbound access in Azure",
/// virtual-network/ip-services/default-outbound-access), so its egress is
/// unknown rather than allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LbOutbound {
    /// The flow leaves with this address.
    Address {
        /// The load balancer.
        lb: Idx<LoadBalancer>,
        /// What gives the address.
        by: LbSnatBy,
        /// The public address.
        ip: IpAddr,
    },
    /// The flow is translated, to an address the inputs do not settle.
    Undetermined {
        /// The load balancer.
        lb: Idx<LoadBalancer>,
        /// What gives the address.
        by: LbSnatBy,
    },
    /// A Standard load balancer member with no outbound rule or SNAT
    /// load-balancing rule: whether it reaches the Internet is not known.
    NoMethod {
        /// The load balancer.
        lb: Idx<LoadBalancer>,
    },
}

/// Which rule of a load balancer translates a member's outbound flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LbSnatBy {
    /// An outbound rule (index into `outbound_rules`).
    OutboundRule(usize),
    /// A load-balancing rule's frontend (index into `rules`).
    Rule(usize),
}

/// How the load balancers whose pools hold NIC configuration `c` of NIC
/// `n` translate its flow to the Internet; `None` when it is in no pool
/// (or only in Basic pools without a rule on a public frontend).
pub fn outbound(p: &Prepared, n: Idx<NetworkInterface>, c: usize, proto: Protocol) -> Option<LbOutbound> {
    let net = p.net;
    let ipc = net.nics[n].ip_configs.get(c)?;
    let proto_ok = |x: LbProtocol| match x {
        LbProtocol::All => true,
        LbProtocol::Tcp => proto == Protocol::Tcp,
        LbProtocol::Udp => proto == Protocol::Udp,
    };
    let addr = |lb: &LoadBalancer, fe: &str| -> Option<IpAddr> {
        let f = lb.frontends.iter().find(|f| f.name.eq_ignore_ascii_case(fe))?;
        let pip = f.public_ip.as_ref()?.found()?;
        net.public_ips[pip].address
    };
    let mut member_of_standard = None;
    for (l, lb) in Idx::enumerate(&net.load_balancers) {
        let pools: Vec<&str> = ipc
            .lb_pools
            .iter()
            .filter(|id| id.parent().is_some_and(|x| x.key() == lb.id.key()))
            .map(|id| id.name())
            .collect();
        if pools.is_empty() {
            continue;
        }
        let in_pool =
            |x: &Option<String>| x.as_deref().is_some_and(|x| pools.iter().any(|p| p.eq_ignore_ascii_case(x)));
        if let Some(i) = lb.outbound_rules.iter().position(|r| in_pool(&r.pool) && proto_ok(r.protocol)) {
            let r = &lb.outbound_rules[i];
            let by = LbSnatBy::OutboundRule(i);
            return Some(match &r.frontends[..] {
                [one] => match addr(lb, one) {
                    Some(ip) => LbOutbound::Address { lb: l, by, ip },
                    None => LbOutbound::Undetermined { lb: l, by },
                },
                _ => LbOutbound::Undetermined { lb: l, by },
            });
        }
        let public = |fe: &Option<String>| {
            fe.as_deref()
                .is_some_and(|fe| lb.frontends.iter().any(|f| f.name.eq_ignore_ascii_case(fe) && f.public_ip.is_some()))
        };
        let snat_rules: Vec<usize> = (0..lb.rules.len())
            .filter(|&i| {
                let r = &lb.rules[i];
                r.kind == LbRuleKind::LoadBalancing
                    && in_pool(&r.pool)
                    && !r.disable_outbound_snat
                    && public(&r.frontend)
                    && proto_ok(r.protocol)
            })
            .collect();
        if let Some(&i) = snat_rules.first() {
            let by = LbSnatBy::Rule(i);
            let fes: Vec<&str> = snat_rules.iter().filter_map(|&j| lb.rules[j].frontend.as_deref()).collect();
            let one = fes.iter().all(|f| f.eq_ignore_ascii_case(fes[0]));
            return Some(match lb.rules[i].frontend.as_deref().and_then(|f| addr(lb, f)) {
                Some(ip) if one => LbOutbound::Address { lb: l, by, ip },
                _ => LbOutbound::Undetermined { lb: l, by },
            });
        }
        if !lb.basic_sku {
            member_of_standard.get_or_insert(l);
        }
    }
    member_of_standard.map(|lb| LbOutbound::NoMethod { lb })
}
