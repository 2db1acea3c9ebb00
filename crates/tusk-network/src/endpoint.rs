//! What `--from` and `--to` name, resolved against the Azure estate. The
//! notation is parsed once by [`tusk_core::FlowEnd::parse`] (documented in
//! `docs/endpoints.md`); [`resolve_group`] turns a parsed end into every
//! endpoint it stands for — each address of a NIC, VM, private endpoint,
//! firewall or load balancer, every NIC of a subnet, every known address of
//! a block — and says when the members are only samples of a larger set
//! (the Internet, an on-premises prefix, the free addresses of a subnet or
//! block), so that an output never passes a sample off as the whole.
//! Resolution fails (the CLI exits 2) when a name matches nothing, or
//! several things, listing the candidates.

use super::{Owner, Prepared};
use std::net::IpAddr;
use tusk_core::ip::{ip_to_u128, u128_to_ip, Cidr};
use tusk_core::FlowEnd;
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

/// Why a resolved group holds samples rather than every address it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    /// `internet`: one documentation address stands for the Internet.
    Internet,
    /// `onprem`: the first address of each on-premises prefix.
    OnPrem,
    /// A subnet without NICs: the first usable address of each prefix.
    FreeSubnet,
    /// A block holding addresses no resource owns: its first address
    /// stands for them.
    FreeAddresses,
}

/// Every endpoint a `--from` / `--to` value stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// What the user wrote, in the canonical notation.
    pub name: String,
    pub members: Vec<Endpoint>,
    /// Set when some members are samples standing for more addresses.
    pub sample: Option<Sample>,
}

/// An address on the Internet used when the user writes only `internet`
/// (TEST-NET-3, RFC 5737); outputs label it as a sample.
pub const DEFAULT_INTERNET: [u8; 4] = [203, 0, 113, 10];

/// Resolves a `--from` / `--to` value to one endpoint: the only member of
/// its group, or the first one when it names several (callers that must
/// answer for the whole group use [`resolve_group`]).
pub fn resolve(p: &Prepared, spec: &str) -> Result<Endpoint, String> {
    let end = FlowEnd::parse(spec).map_err(|e| e.to_string())?;
    let g = resolve_group(p, &end)?;
    g.members.into_iter().next().ok_or_else(|| format!("`{spec}` names no address"))
}

/// Every endpoint `end` stands for (see the module documentation).
pub fn resolve_group(p: &Prepared, end: &FlowEnd) -> Result<Group, String> {
    let name = end.to_string();
    let whole = |members: Vec<Endpoint>| Ok(Group { name: name.clone(), members, sample: None });
    match end {
        FlowEnd::Address(ip) => whole(vec![from_ip(p, *ip)?]),
        FlowEnd::Block(c) => block(p, *c, name.clone()),
        FlowEnd::Internet(Some(ip)) => whole(vec![Endpoint::Internet { ip: *ip }]),
        FlowEnd::Internet(None) => Ok(Group {
            name,
            members: vec![Endpoint::Internet { ip: IpAddr::from(DEFAULT_INTERNET) }],
            sample: Some(Sample::Internet),
        }),
        FlowEnd::OnPrem(Some(ip)) => whole(vec![onprem(p, *ip)]),
        FlowEnd::OnPrem(None) => {
            let mut members: Vec<Endpoint> = Vec::new();
            for c in p.onprem.values().flatten() {
                let e = onprem(p, u128_to_ip(c.range().lo + 1));
                if !members.contains(&e) {
                    members.push(e);
                }
            }
            if members.is_empty() {
                return Err(
                    "`onprem`: the inputs have no on-premises prefixes (local network gateway + connection)".into()
                );
            }
            Ok(Group { name, members, sample: Some(Sample::OnPrem) })
        }
        FlowEnd::Subnet { vnet, subnet } => subnet_group(p, subnets_named(p, vnet, subnet)?, name.clone()),
        FlowEnd::Qualified { first, second } => match subnets_named(p, first, second) {
            Ok(s) => subnet_group(p, s, name.clone()),
            Err(_) => {
                Err(format!("`{name}` names no VNET/SUBNET of the inputs (for pods and workloads, use `tusk explain`)"))
            }
        },
        FlowEnd::Name(n) => whole(from_name(p, n)?),
        FlowEnd::Pod { .. }
        | FlowEnd::Workload { .. }
        | FlowEnd::Service { .. }
        | FlowEnd::Node(_)
        | FlowEnd::Tenant(_) => Err(format!(
            "`{name}` names a Kubernetes object; the Azure commands take addresses and Azure resource names"
        )),
    }
}

fn onprem(p: &Prepared, ip: IpAddr) -> Endpoint {
    let gateway =
        p.onprem.iter().find(|(_, prefixes)| prefixes.iter().any(|c| super::prepared::cidr_has(c, ip))).map(|(g, _)| g);
    Endpoint::OnPrem { ip, gateway }
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
        [] if p.onprem.values().flatten().any(|c| super::prepared::cidr_has(c, ip)) => Ok(onprem(p, ip)),
        [] if p.is_internet(None, ip) => Ok(Endpoint::Internet { ip }),
        [] => Err(format!("{ip} is in no subnet, on-premises prefix or public range of the inputs")),
        many => Err(format!(
            "{ip} is in several subnets ({}); name the NIC instead",
            many.iter().map(|s| p.net.subnet_path(*s)).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Every address an owner holds, in the order the inputs give them.
fn owner_ips(p: &Prepared, o: Owner) -> Vec<IpAddr> {
    let net = p.net;
    match o {
        Owner::Nic(n, c) => net.nics[n].ip_configs[c].private_ip.into_iter().collect(),
        Owner::PrivateEndpoint(e) => net.private_endpoints[e].ips.clone(),
        Owner::Firewall(f) => net.firewalls[f].private_ips.clone(),
        Owner::Gateway(g) => net.vnet_gateways[g].private_ips.clone(),
        Owner::LbFrontend(l, f) => net.load_balancers[l].frontends[f].private_ip.into_iter().collect(),
    }
}

fn owner_endpoints(p: &Prepared, o: Owner) -> Vec<Endpoint> {
    owner_ips(p, o)
        .into_iter()
        .filter_map(|ip| {
            let subnet = p.owner_subnet(o)?;
            Some(Endpoint::Azure { ip, subnet, owner: Some(o), label: format!("{} {ip}", p.owner_name(o)) })
        })
        .collect()
}

/// A NIC, VM, private endpoint, firewall, load balancer or public IP name:
/// every private address of the one resource it names.
fn from_name(p: &Prepared, name: &str) -> Result<Vec<Endpoint>, String> {
    let net = p.net;
    let eq = |s: &str| s.eq_ignore_ascii_case(name);
    // (kind, resource name, its addresses as owners or a public address)
    let mut found: Vec<(&str, String, Vec<Owner>, Option<IpAddr>)> = Vec::new();
    let mut vms: Vec<Owner> = Vec::new();
    for (i, n) in Idx::enumerate(&net.nics) {
        let owners: Vec<Owner> = (0..n.ip_configs.len()).map(|c| Owner::Nic(i, c)).collect();
        if eq(n.id.name()) {
            found.push(("NIC", n.id.name().to_string(), owners.clone(), None));
        }
        if n.vm.as_deref().is_some_and(eq) && !eq(n.id.name()) {
            vms.extend(owners);
        }
    }
    if !vms.is_empty() {
        found.push(("VM", name.to_string(), vms, None));
    }
    for (i, e) in Idx::enumerate(&net.private_endpoints) {
        if eq(e.id.name()) {
            found.push(("private endpoint", e.id.name().to_string(), vec![Owner::PrivateEndpoint(i)], None));
        }
    }
    for (i, f) in Idx::enumerate(&net.firewalls) {
        if eq(f.id.name()) {
            found.push(("Azure Firewall", f.id.name().to_string(), vec![Owner::Firewall(i)], None));
        }
    }
    for (i, l) in Idx::enumerate(&net.load_balancers) {
        if eq(l.id.name()) {
            let owners = (0..l.frontends.len()).map(|f| Owner::LbFrontend(i, f)).collect();
            found.push(("load balancer", l.id.name().to_string(), owners, None));
        }
    }
    for ip in &net.public_ips {
        if eq(ip.id.name()) {
            found.push(("public IP", ip.id.name().to_string(), Vec::new(), ip.address));
        }
    }
    match found.as_slice() {
        [(kind, n, owners, public)] => {
            let mut members: Vec<Endpoint> = owners.iter().flat_map(|&o| owner_endpoints(p, o)).collect();
            if let Some(ip) = public {
                members.push(from_ip(p, *ip)?);
            }
            if members.is_empty() {
                return Err(format!("{kind} `{n}` has no address in the inputs (or its subnet is not in them)"));
            }
            Ok(members)
        }
        [] => Err(format!(
            "`{name}` is not an IP address or CIDR, a NIC, VM, private endpoint, firewall, load balancer or \
             public IP name, `subnet:VNET/SUBNET`, `internet[:IP]` or `onprem[:IP]` (see docs/endpoints.md)"
        )),
        many => Err(format!(
            "`{name}` names several resources: {}; give an IP address instead",
            many.iter().map(|(k, n, ..)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The subnets named `vnet/subnet` (case-insensitive, as Azure names are):
/// exactly one, or an error listing the candidates.
fn subnets_named(p: &Prepared, vnet: &str, subnet: &str) -> Result<Idx<Subnet>, String> {
    let net = p.net;
    let hits: Vec<Idx<Subnet>> = Idx::all(&net.subnets)
        .filter(|&s| {
            net.subnets[s].id.name().eq_ignore_ascii_case(subnet)
                && net.vnets[net.subnets[s].vnet].id.name().eq_ignore_ascii_case(vnet)
        })
        .collect();
    match hits.as_slice() {
        [s] => Ok(*s),
        [] => {
            let mut known: Vec<String> = Idx::all(&net.subnets).map(|s| net.subnet_path(s)).collect();
            known.truncate(10);
            Err(format!(
                "no subnet `{vnet}/{subnet}` in the inputs; subnets: {}",
                if known.is_empty() { "none".into() } else { known.join(", ") }
            ))
        }
        many => Err(format!(
            "`{vnet}/{subnet}` names several subnets: {}",
            many.iter().map(|&s| net.subnets[s].id.as_str().to_string()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Every owned address of subnet `s`, or the first usable address of each
/// prefix (Azure reserves the first four) as samples when nothing sits in it.
fn subnet_group(p: &Prepared, s: Idx<Subnet>, name: String) -> Result<Group, String> {
    let mut owned: Vec<(IpAddr, Owner)> =
        p.private.iter().filter(|(_, &o)| p.owner_subnet(o) == Some(s)).map(|(&ip, &o)| (ip, o)).collect();
    owned.sort_by_key(|(ip, _)| ip_to_u128(*ip));
    if !owned.is_empty() {
        let members = owned
            .into_iter()
            .map(|(ip, o)| Endpoint::Azure {
                ip,
                subnet: s,
                owner: Some(o),
                label: format!("{} {ip}", p.owner_name(o)),
            })
            .collect();
        return Ok(Group { name, members, sample: None });
    }
    let members: Vec<Endpoint> = p.net.subnets[s]
        .prefixes
        .iter()
        .map(|c| {
            let ip = u128_to_ip(c.range().lo + 4);
            Endpoint::Azure { ip, subnet: s, owner: None, label: format!("{ip} in subnet {}", p.net.subnet_path(s)) }
        })
        .collect();
    if members.is_empty() {
        return Err(format!("subnet `{}` has no address prefix in the inputs", p.net.subnet_path(s)));
    }
    Ok(Group { name, members, sample: Some(Sample::FreeSubnet) })
}

/// Every owned private address inside the block; when the block also holds
/// addresses nobody owns, its first such address stands for them.
fn block(p: &Prepared, c: Cidr, name: String) -> Result<Group, String> {
    let r = c.range();
    let mut owned: Vec<IpAddr> =
        p.private.keys().copied().filter(|ip| (r.lo..=r.hi).contains(&ip_to_u128(*ip))).collect();
    owned.sort_by_key(|ip| ip_to_u128(*ip));
    let mut members = owned.iter().map(|&ip| from_ip(p, ip)).collect::<Result<Vec<_>, _>>()?;
    let whole = (r.hi - r.lo).saturating_add(1);
    let mut sample = None;
    if (owned.len() as u128) < whole {
        // The first address of the block that no resource owns.
        let free = (r.lo..=r.hi).map(u128_to_ip).find(|ip| !p.private.contains_key(ip));
        // An address the inputs place nowhere (no subnet, on-premises
        // prefix or public range) has no path to trace; it is left out,
        // and the group is still marked as sampled.
        if let Some(e) = free.and_then(|ip| from_ip(p, ip).ok()) {
            members.push(e);
        }
        sample = Some(Sample::FreeAddresses);
    }
    if members.is_empty() {
        return Err(format!("`{name}`: no address of the block is in a subnet, on-premises prefix or public range"));
    }
    Ok(Group { name, members, sample })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{net, vnet, SUB};
    use super::*;

    fn nic(name: &str, vm: &str, subnet: &str, ips: &[&str]) -> String {
        let configs: Vec<String> = ips
            .iter()
            .enumerate()
            .map(|(i, ip)| {
                format!(
                    r#"{{"name": "c{i}", "privateIPAddress": "{ip}", "subnet": {{"id": "{SUB}/virtualNetworks/v/subnets/{subnet}"}}}}"#
                )
            })
            .collect();
        format!(
            r#"{{"name": "{name}", "id": "{SUB}/networkInterfaces/{name}", "type": "Microsoft.Network/networkInterfaces", "virtualMachine": {{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/{vm}"}}, "ipConfigurations": [{}]}}"#,
            configs.join(",")
        )
    }

    fn estate() -> tusk_model::azure::AzureNetwork {
        net(&[
            vnet("v", "10.0.0.0/16", &[("a", "10.0.1.0/24", None, None), ("empty", "10.0.9.0/24", None, None)], &[]),
            nic("web", "app", "a", &["10.0.1.4", "10.0.1.5"]),
            nic("app-nic2", "app", "a", &["10.0.1.6"]),
            nic("db-nic", "web", "a", &["10.0.1.7"]),
        ])
    }

    fn group(p: &Prepared, s: &str) -> Result<Group, String> {
        resolve_group(p, &FlowEnd::parse(s).unwrap())
    }

    #[test]
    fn a_name_stands_for_every_address_of_the_resource() {
        let n = estate();
        let cfg = tusk_model::config::Config::default();
        let p = Prepared::new(&n, &cfg);
        let ips = |s: &str| group(&p, s).unwrap().members.iter().map(|e| e.ip().to_string()).collect::<Vec<_>>();
        // A VM is every address of every NIC of it; a NIC every ip configuration.
        assert_eq!(ips("app"), ["10.0.1.4", "10.0.1.5", "10.0.1.6"]);
        assert_eq!(ips("subnet:v/a"), ["10.0.1.4", "10.0.1.5", "10.0.1.6", "10.0.1.7"]);
        assert_eq!(ips("10.0.1.4/31"), ["10.0.1.4", "10.0.1.5"]);
        let empty = group(&p, "v/empty").unwrap();
        assert_eq!(empty.sample, Some(Sample::FreeSubnet));
        assert_eq!(empty.members[0].ip().to_string(), "10.0.9.4");
        assert_eq!(group(&p, "internet").unwrap().sample, Some(Sample::Internet));
    }

    #[test]
    fn an_ambiguous_name_lists_the_candidates() {
        let n = estate();
        let cfg = tusk_model::config::Config::default();
        let p = Prepared::new(&n, &cfg);
        // `web` is a NIC (of VM app) and a VM (of NIC db-nic).
        let e = group(&p, "web").unwrap_err();
        assert!(e.contains("NIC web") && e.contains("VM web"), "{e}");
        let e = group(&p, "subnet:v/nope").unwrap_err();
        assert!(e.contains("v/a") && e.contains("v/empty"), "{e}");
    }
}
