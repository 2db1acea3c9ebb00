//! What `--from` and `--to` name: an IP address, a NIC, VM or private
//! endpoint name, `internet[:IP]` or `onprem[:IP]`. Resolution fails (the
//! CLI exits 2) when a name matches nothing or an address is ambiguous.

use super::{Owner, Prepared};
use std::net::IpAddr;
use tusk_model::azure::{Idx, Subnet, VnetGateway};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// An address in a subnet, with what sits there when known.
    Azure {
        ip: IpAddr,
        subnet: Idx<Subnet>,
        owner: Option<Owner>,
        label: String,
    },
    Internet {
        ip: IpAddr,
    },
    OnPrem {
        ip: IpAddr,
        gateway: Option<Idx<VnetGateway>>,
    },
}

impl Endpoint {
    pub fn ip(&self) -> IpAddr {
        match self {
            Endpoint::Azure { ip, .. } | Endpoint::Internet { ip } | Endpoint::OnPrem { ip, .. } => *ip,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Endpoint::Azure { label, .. } => label.clone(),
            Endpoint::Internet { ip } => format!("internet {ip}"),
            Endpoint::OnPrem { ip, .. } => format!("on-premises {ip}"),
        }
    }
}

/// An address on the Internet used when the user writes only `internet`
/// (TEST-NET-3, RFC 5737).
pub const DEFAULT_INTERNET: [u8; 4] = [203, 0, 113, 10];

pub fn resolve(p: &Prepared, spec: &str) -> Result<Endpoint, String> {
    let lower = spec.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("internet") {
        let ip = match rest.strip_prefix(':') {
            Some(a) => a.parse().map_err(|_| format!("`{a}` is not an IP address"))?,
            None if rest.is_empty() => IpAddr::from(DEFAULT_INTERNET),
            None => return Err(format!("`{spec}`: expected internet or internet:IP")),
        };
        return Ok(Endpoint::Internet { ip });
    }
    if let Some(rest) = lower.strip_prefix("onprem") {
        let ip =
            match rest.strip_prefix(':') {
                Some(a) => a.parse().map_err(|_| format!("`{a}` is not an IP address"))?,
                None if rest.is_empty() => {
                    p.onprem.values().flatten().next().map(|c| tusk_core::ip::u128_to_ip(c.range().lo + 1)).ok_or(
                        "`onprem`: the inputs have no on-premises prefixes (local network gateway + connection)",
                    )?
                }
                None => return Err(format!("`{spec}`: expected onprem or onprem:IP")),
            };
        let gateway = p
            .onprem
            .iter()
            .find(|(_, prefixes)| prefixes.iter().any(|c| super::prepared::cidr_has(c, ip)))
            .map(|(g, _)| g);
        return Ok(Endpoint::OnPrem { ip, gateway });
    }
    if let Ok(ip) = spec.parse::<IpAddr>() {
        return from_ip(p, ip);
    }
    from_name(p, spec)
}

fn from_ip(p: &Prepared, ip: IpAddr) -> Result<Endpoint, String> {
    if let Some(&o) = p.private.get(&ip) {
        if let Some(subnet) = p.owner_subnet(o) {
            return Ok(Endpoint::Azure { ip, subnet, owner: Some(o), label: format!("{} {ip}", p.owner_name(o)) });
        }
    }
    let subnets = p.subnets_holding(ip);
    match subnets.as_slice() {
        [s] => Ok(Endpoint::Azure {
            ip,
            subnet: *s,
            owner: None,
            label: format!("{ip} in subnet {}", p.net.subnet_path(*s)),
        }),
        [] if p.onprem.values().flatten().any(|c| super::prepared::cidr_has(c, ip)) => {
            resolve(p, &format!("onprem:{ip}"))
        }
        [] if p.is_internet(None, ip) => Ok(Endpoint::Internet { ip }),
        [] => Err(format!("{ip} is in no subnet, on-premises prefix or public range of the inputs")),
        many => Err(format!(
            "{ip} is in several subnets ({}); name the NIC instead",
            many.iter().map(|s| p.net.subnet_path(*s)).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn from_name(p: &Prepared, name: &str) -> Result<Endpoint, String> {
    let net = p.net;
    let eq = |s: &str| s.eq_ignore_ascii_case(name);
    let mut found: Vec<Owner> = Vec::new();
    for (i, n) in Idx::enumerate(&net.nics) {
        if eq(n.id.name()) || n.vm.as_deref().is_some_and(eq) {
            if let Some(c) = n.ip_configs.iter().position(|c| c.private_ip.is_some()) {
                found.push(Owner::Nic(i, c));
            }
        }
    }
    for (i, e) in Idx::enumerate(&net.private_endpoints) {
        if eq(e.id.name()) && !e.ips.is_empty() {
            found.push(Owner::PrivateEndpoint(i));
        }
    }
    for (i, f) in Idx::enumerate(&net.firewalls) {
        if eq(f.id.name()) && !f.private_ips.is_empty() {
            found.push(Owner::Firewall(i));
        }
    }
    match found.as_slice() {
        [o] => {
            let ip = match *o {
                Owner::Nic(n, c) => net.nics[n].ip_configs[c].private_ip,
                Owner::PrivateEndpoint(e) => net.private_endpoints[e].ips.first().copied(),
                Owner::Firewall(f) => net.firewalls[f].private_ips.first().copied(),
                _ => None,
            }
            .ok_or_else(|| format!("`{name}` has no private address"))?;
            let subnet = p.owner_subnet(*o).ok_or_else(|| format!("`{name}`: its subnet is not in the inputs"))?;
            Ok(Endpoint::Azure { ip, subnet, owner: Some(*o), label: format!("{} {ip}", p.owner_name(*o)) })
        }
        [] => Err(format!("`{name}` is not an IP address, a NIC, VM, private endpoint or firewall name, `internet[:IP]` or `onprem[:IP]`")),
        _ => Err(format!("`{name}` names several resources; use an IP address")),
    }
}
