//! What `--from` and `--to` name, resolved against the Azure estate. The
//! notation is parsed once by [`tusk_core::FlowEnd::parse`] (documented in
//! `docs/endpoints.md`); [`resolve_group`] turns a parsed end into every
//! endpoint it stands for — each address of a NIC, VM, private endpoint,
//! firewall or load balancer, every NIC of a subnet, every known address of
//! a block — and says when the members are only samples of a larger set
//! (the Internet, an on-premises prefix, the free addresses of a subnet or
//! block), so that an output never passes a sample off as the whole.
//! Resolution fails (the CLI exits 2) with a [`ResolveError`] when a name
//! matches nothing, or several things, listing the candidates.
//!
//! An endpoint names what sits at its address with a typed [`Label`]; the
//! words a user reads about it are written by `tusk-report`
//! (`words::endpoint`, which words owners with `words::owner`), not here.

use super::{Owner, Prepared};
use std::net::IpAddr;
use tusk_core::ip::{ip_to_u128, u128_to_ip, Cidr};
use tusk_core::{FlowEnd, NotationError};
use tusk_model::azure::{BastionHost, Idx, Subnet, VnetGateway};

/// One end of a traced flow: an address, where it sits, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// An address in a subnet, with what sits there when known.
    Azure {
        /// The private address.
        ip: IpAddr,
        /// The subnet the address is in (a NIC's, private endpoint's, ...
        /// subnet, or the subnet whose prefix holds a free address).
        subnet: Idx<Subnet>,
        /// The resource holding the address, when the inputs have one; it
        /// decides which NIC NSG, IP forwarding and routes apply.
        owner: Option<Owner>,
        /// What outputs call the endpoint.
        label: Label,
    },
    /// An address on the Internet (outside every private range of the inputs).
    Internet {
        /// The public address.
        ip: IpAddr,
    },
    /// An address of an on-premises prefix, behind a VNet gateway.
    OnPrem {
        /// The on-premises address.
        ip: IpAddr,
        /// The gateway whose connection announces the prefix, when known.
        gateway: Option<Idx<VnetGateway>>,
    },
}

/// What an Azure endpoint stands for in outputs, naming the object (the
/// engine writes no English; `tusk-report`'s `words::endpoint` words it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    /// The resource that holds the address (a NIC ip configuration, a
    /// private endpoint, a firewall, a gateway, a load balancer frontend).
    Owner(Owner),
    /// An address no resource of the inputs holds, in its subnet.
    Free,
    /// The subnet itself: `reach` traces one representative address of
    /// each subnet and speaks of the subnet.
    Subnet,
    /// An address an Azure Bastion host's instances may take in its
    /// subnet: a flow from it is a session the Bastion opens
    /// ([`crate::bastion`]).
    Bastion(Idx<BastionHost>),
    /// An AKS node, by its node name (the join's simulated or exported nodes).
    Node(String),
    /// An AKS node taking a load balancer frontend's traffic for a
    /// Kubernetes Service (floating IP: the frontend address is kept).
    NodeBehind {
        /// The node's name.
        node: String,
        /// The Service, as `namespace/name` (worded `Service NS/NAME`).
        service: String,
    },
}

impl Endpoint {
    /// The endpoint's address.
    pub fn ip(&self) -> IpAddr {
        match self {
            Endpoint::Azure { ip, .. } | Endpoint::Internet { ip } | Endpoint::OnPrem { ip, .. } => *ip,
        }
    }
}

/// An Azure endpoint at `ip` held by `o` in subnet `subnet`, named by its owner.
fn owned(ip: IpAddr, subnet: Idx<Subnet>, o: Owner) -> Endpoint {
    Endpoint::Azure { ip, subnet, owner: Some(o), label: Label::Owner(o) }
}

/// The kind of resource a bare name matched, for [`ResolveError`]'s messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// A network interface.
    Nic,
    /// A virtual machine (every NIC of it).
    Vm,
    /// A private endpoint.
    PrivateEndpoint,
    /// An Azure Firewall.
    Firewall,
    /// A load balancer (every frontend of it).
    LoadBalancer,
    /// A public IP address resource.
    PublicIp,
    /// An Azure Bastion host (its instances' addresses).
    Bastion,
}

impl std::fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ResourceKind::Nic => "NIC",
            ResourceKind::Vm => "VM",
            ResourceKind::PrivateEndpoint => "private endpoint",
            ResourceKind::Firewall => "Azure Firewall",
            ResourceKind::LoadBalancer => "load balancer",
            ResourceKind::PublicIp => "public IP",
            ResourceKind::Bastion => "Azure Bastion",
        })
    }
}

/// Why a `--from` / `--to` value names no Azure endpoint, or several
/// things. Its message is the one the CLI prints before exiting with 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The value is not in the notation of `docs/endpoints.md`.
    #[error(transparent)]
    Notation(#[from] NotationError),
    /// The value resolved to no address at all.
    #[error("`{0}` names no address")]
    NoAddress(String),
    /// `onprem` without an IP, in inputs without on-premises prefixes.
    #[error("`onprem`: the inputs have no on-premises prefixes (local network gateway + connection)")]
    NoOnPrem,
    /// A bare `A/B` that is no `VNET/SUBNET` of the inputs.
    #[error("`{0}` names no VNET/SUBNET of the inputs (for pods and workloads, use `tusk explain`)")]
    NotASubnet(String),
    /// `pod:`, `workload:`, `svc:`, `node:` or `tenant:` given to an Azure-only command.
    #[error("`{0}` names a Kubernetes object; the Azure commands take addresses and Azure resource names")]
    Kubernetes(String),
    /// An address in no subnet, on-premises prefix or public range.
    #[error("{0} is in no subnet, on-premises prefix or public range of the inputs")]
    Unplaced(IpAddr),
    /// An address in several subnets (overlapping prefixes): which one is meant is unclear.
    #[error("{ip} is in several subnets ({}); name the NIC instead", .subnets.join(", "))]
    SeveralSubnets {
        /// The address.
        ip: IpAddr,
        /// Each subnet holding it, `VNET/SUBNET`.
        subnets: Vec<String>,
    },
    /// The named resource has no address the inputs place in a subnet.
    #[error("{kind} `{name}` has no address in the inputs (or its subnet is not in them)")]
    NoAddressOf {
        /// What the name matched.
        kind: ResourceKind,
        /// The resource's name.
        name: String,
    },
    /// A bare name that matches no resource.
    #[error(
        "`{0}` is not an IP address or CIDR, a NIC, VM, private endpoint, firewall, load balancer, \
         public IP or Bastion name, `subnet:VNET/SUBNET`, `internet[:IP]` or `onprem[:IP]` (see docs/endpoints.md)"
    )]
    UnknownName(String),
    /// A bare name that matches several resources.
    #[error("`{name}` names several resources: {}; give an IP address instead", listed(.candidates))]
    Ambiguous {
        /// The name as given.
        name: String,
        /// Each resource it matches: its kind and name.
        candidates: Vec<(ResourceKind, String)>,
    },
    /// `VNET/SUBNET` that names no subnet; up to ten known subnets are listed.
    #[error("no subnet `{vnet}/{subnet}` in the inputs; subnets: {}", if .known.is_empty() { "none".into() } else { .known.join(", ") })]
    NoSubnet {
        /// The VNet name as given.
        vnet: String,
        /// The subnet name as given.
        subnet: String,
        /// Up to ten subnets of the inputs, `VNET/SUBNET`.
        known: Vec<String>,
    },
    /// `VNET/SUBNET` that names several subnets (the same names in two
    /// resource groups or subscriptions); their resource ids are listed.
    #[error("`{vnet}/{subnet}` names several subnets: {}", .ids.join(", "))]
    SeveralSubnetsNamed {
        /// The VNet name as given.
        vnet: String,
        /// The subnet name as given.
        subnet: String,
        /// Each subnet's resource id.
        ids: Vec<String>,
    },
    /// A subnet without an address prefix in the inputs.
    #[error("subnet `{0}` has no address prefix in the inputs")]
    NoPrefix(String),
    /// A block none of whose addresses the inputs place.
    #[error("`{0}`: no address of the block is in a subnet, on-premises prefix or public range")]
    EmptyBlock(String),
}

fn listed(c: &[(ResourceKind, String)]) -> String {
    c.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
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
    /// A block holding addresses no resource owns: one of them per part of
    /// the block the controls tell apart stands for them.
    FreeAddresses,
    /// An Azure Bastion host: its instances take addresses of its subnet
    /// the inputs do not list; one per part of the subnet the controls
    /// tell apart stands for them.
    BastionInstances,
}

/// Every endpoint a `--from` / `--to` value stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// What the user wrote, in the canonical notation.
    pub name: String,
    /// Every endpoint, in address order within each resource or subnet.
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
///
/// # Errors
///
/// [`ResolveError`] when `spec` is not in the notation, names nothing of
/// the inputs, or names several things.
pub fn resolve(p: &Prepared, spec: &str) -> Result<Endpoint, ResolveError> {
    let end = FlowEnd::parse(spec)?;
    let g = resolve_group(p, &end)?;
    g.members.into_iter().next().ok_or_else(|| ResolveError::NoAddress(spec.to_string()))
}

/// Every endpoint `end` stands for (see the module documentation).
///
/// # Errors
///
/// [`ResolveError`] when `end` names nothing of the inputs, or names
/// several things (the candidates are listed).
pub fn resolve_group(p: &Prepared, end: &FlowEnd) -> Result<Group, ResolveError> {
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
            // One address per part of each prefix the rules tell apart
            // (the first host of a prefix when none splits it).
            let mut members: Vec<Endpoint> = Vec::new();
            for c in p.onprem.values().flatten() {
                let r = c.range();
                let lo = if r.hi > r.lo { r.lo + 1 } else { r.lo };
                for a in super::members::representatives(p.address_cuts(), lo, r.hi, |_| false) {
                    let e = onprem(p, u128_to_ip(a));
                    if !members.contains(&e) {
                        members.push(e);
                    }
                }
            }
            if members.is_empty() {
                return Err(ResolveError::NoOnPrem);
            }
            Ok(Group { name, members, sample: Some(Sample::OnPrem) })
        }
        FlowEnd::Subnet { vnet, subnet } => subnet_group(p, subnets_named(p, vnet, subnet)?, name.clone()),
        FlowEnd::Qualified { first, second } => match subnets_named(p, first, second) {
            Ok(s) => subnet_group(p, s, name.clone()),
            Err(_) => Err(ResolveError::NotASubnet(name)),
        },
        FlowEnd::Name(n) => {
            let members = from_name(p, n)?;
            let bastion = members.iter().any(|m| matches!(m, Endpoint::Azure { label: Label::Bastion(_), .. }));
            Ok(Group { name, members, sample: bastion.then_some(Sample::BastionInstances) })
        }
        FlowEnd::Pod { .. }
        | FlowEnd::Workload { .. }
        | FlowEnd::Service { .. }
        | FlowEnd::Ingress { .. }
        | FlowEnd::Node(_)
        | FlowEnd::Tenant(_) => Err(ResolveError::Kubernetes(name)),
    }
}

fn onprem(p: &Prepared, ip: IpAddr) -> Endpoint {
    let gateway =
        p.onprem.iter().find(|(_, prefixes)| prefixes.iter().any(|c| super::prepared::cidr_has(c, ip))).map(|(g, _)| g);
    Endpoint::OnPrem { ip, gateway }
}

fn from_ip(p: &Prepared, ip: IpAddr) -> Result<Endpoint, ResolveError> {
    if let Some(&o) = p.private.get(&ip) {
        if let Some(subnet) = p.owner_subnet(o) {
            return Ok(owned(ip, subnet, o));
        }
    }
    let subnets = p.subnets_holding(ip);
    match subnets.as_slice() {
        [s] => Ok(Endpoint::Azure { ip, subnet: *s, owner: None, label: Label::Free }),
        [] if p.onprem.values().flatten().any(|c| super::prepared::cidr_has(c, ip)) => Ok(onprem(p, ip)),
        [] if p.is_internet(None, ip) => Ok(Endpoint::Internet { ip }),
        [] => Err(ResolveError::Unplaced(ip)),
        many => Err(ResolveError::SeveralSubnets { ip, subnets: many.iter().map(|s| p.net.subnet_path(*s)).collect() }),
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
            Some(owned(ip, subnet, o))
        })
        .collect()
}

/// A NIC, VM, private endpoint, firewall, load balancer or public IP name:
/// every private address of the one resource it names.
fn from_name(p: &Prepared, name: &str) -> Result<Vec<Endpoint>, ResolveError> {
    let net = p.net;
    let eq = |s: &str| s.eq_ignore_ascii_case(name);
    // (kind, resource name, its addresses as owners or a public address)
    let mut found: Vec<(ResourceKind, String, Vec<Owner>, Option<IpAddr>)> = Vec::new();
    let mut vms: Vec<Owner> = Vec::new();
    for (i, n) in Idx::enumerate(&net.nics) {
        let owners: Vec<Owner> = (0..n.ip_configs.len()).map(|c| Owner::Nic(i, c)).collect();
        if eq(n.id.name()) {
            found.push((ResourceKind::Nic, n.id.name().to_string(), owners.clone(), None));
        }
        if n.vm.as_deref().is_some_and(eq) && !eq(n.id.name()) {
            vms.extend(owners);
        }
    }
    if !vms.is_empty() {
        found.push((ResourceKind::Vm, name.to_string(), vms, None));
    }
    for (i, e) in Idx::enumerate(&net.private_endpoints) {
        if eq(e.id.name()) {
            found.push((ResourceKind::PrivateEndpoint, e.id.name().to_string(), vec![Owner::PrivateEndpoint(i)], None));
        }
    }
    for (i, f) in Idx::enumerate(&net.firewalls) {
        if eq(f.id.name()) {
            found.push((ResourceKind::Firewall, f.id.name().to_string(), vec![Owner::Firewall(i)], None));
        }
    }
    for (i, l) in Idx::enumerate(&net.load_balancers) {
        if eq(l.id.name()) {
            let owners = (0..l.frontends.len()).map(|f| Owner::LbFrontend(i, f)).collect();
            found.push((ResourceKind::LoadBalancer, l.id.name().to_string(), owners, None));
        }
    }
    for ip in &net.public_ips {
        if eq(ip.id.name()) {
            found.push((ResourceKind::PublicIp, ip.id.name().to_string(), Vec::new(), ip.address));
        }
    }
    let bastions: Vec<Idx<BastionHost>> = Idx::all(&net.bastions).filter(|&b| eq(net.bastions[b].id.name())).collect();
    for &b in &bastions {
        found.push((ResourceKind::Bastion, net.bastions[b].id.name().to_string(), Vec::new(), None));
    }
    if let ([b], 1) = (bastions.as_slice(), found.len()) {
        return super::bastion::instance_endpoints(p, *b);
    }
    match found.as_slice() {
        [(kind, n, owners, public)] => {
            let mut members: Vec<Endpoint> = owners.iter().flat_map(|&o| owner_endpoints(p, o)).collect();
            if let Some(ip) = public {
                members.push(from_ip(p, *ip)?);
            }
            if members.is_empty() {
                return Err(ResolveError::NoAddressOf { kind: *kind, name: n.clone() });
            }
            Ok(members)
        }
        [] => Err(ResolveError::UnknownName(name.to_string())),
        many => Err(ResolveError::Ambiguous {
            name: name.to_string(),
            candidates: many.iter().map(|(k, n, ..)| (*k, n.clone())).collect(),
        }),
    }
}

/// The subnets named `vnet/subnet` (case-insensitive, as Azure names are):
/// exactly one, or an error listing the candidates.
fn subnets_named(p: &Prepared, vnet: &str, subnet: &str) -> Result<Idx<Subnet>, ResolveError> {
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
            Err(ResolveError::NoSubnet { vnet: vnet.to_string(), subnet: subnet.to_string(), known })
        }
        many => Err(ResolveError::SeveralSubnetsNamed {
            vnet: vnet.to_string(),
            subnet: subnet.to_string(),
            ids: many.iter().map(|&s| net.subnets[s].id.as_str().to_string()).collect(),
        }),
    }
}

/// Every owned address of subnet `s`, or, when nothing sits in it, one
/// usable address (Azure reserves the first four and the last) per part of
/// each prefix the controls tell apart ([`super::members::representatives`]),
/// as samples.
fn subnet_group(p: &Prepared, s: Idx<Subnet>, name: String) -> Result<Group, ResolveError> {
    let mut owned: Vec<(IpAddr, Owner)> =
        p.private.iter().filter(|(_, &o)| p.owner_subnet(o) == Some(s)).map(|(&ip, &o)| (ip, o)).collect();
    owned.sort_by_key(|(ip, _)| ip_to_u128(*ip));
    if !owned.is_empty() {
        let members = owned.into_iter().map(|(ip, o)| self::owned(ip, s, o)).collect();
        return Ok(Group { name, members, sample: None });
    }
    let mut members: Vec<Endpoint> = Vec::new();
    for c in &p.net.subnets[s].prefixes {
        let r = c.range();
        let free =
            super::members::representatives(p.address_cuts(), r.lo.saturating_add(4), r.hi.saturating_sub(1), |_| {
                false
            });
        // A prefix too small to have a usable address keeps its fifth
        // address, as before, so that the subnet still has a stand-in.
        let free = if free.is_empty() { vec![r.lo.saturating_add(4)] } else { free };
        members.extend(free.into_iter().map(|a| Endpoint::Azure {
            ip: u128_to_ip(a),
            subnet: s,
            owner: None,
            label: Label::Free,
        }));
    }
    if members.is_empty() {
        return Err(ResolveError::NoPrefix(p.net.subnet_path(s)));
    }
    Ok(Group { name, members, sample: Some(Sample::FreeSubnet) })
}

/// Every owned private address inside the block; when the block also holds
/// addresses nobody owns, one of them per part of the block the controls
/// tell apart ([`super::members::representatives`]) stands for them.
fn block(p: &Prepared, c: Cidr, name: String) -> Result<Group, ResolveError> {
    let r = c.range();
    let mut owned: Vec<IpAddr> =
        p.private.keys().copied().filter(|ip| (r.lo..=r.hi).contains(&ip_to_u128(*ip))).collect();
    owned.sort_by_key(|ip| ip_to_u128(*ip));
    let mut members = owned.iter().map(|&ip| from_ip(p, ip)).collect::<Result<Vec<_>, _>>()?;
    let whole = (r.hi - r.lo).saturating_add(1);
    let mut sample = None;
    if (owned.len() as u128) < whole {
        // An address no resource owns in each part of the block. One the
        // inputs place nowhere (no subnet, on-premises prefix or public
        // range) has no path to trace; it is left out, and the group is
        // still marked as sampled.
        let owned = |a: u128| p.private.contains_key(&u128_to_ip(a));
        for a in super::members::representatives(p.address_cuts(), r.lo, r.hi, owned) {
            if let Ok(e) = from_ip(p, u128_to_ip(a)) {
                members.push(e);
            }
        }
        sample = Some(Sample::FreeAddresses);
    }
    if members.is_empty() {
        return Err(ResolveError::EmptyBlock(name));
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

    fn group(p: &Prepared, s: &str) -> Result<Group, ResolveError> {
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
        let e = group(&p, "web").unwrap_err().to_string();
        assert!(e.contains("NIC web") && e.contains("VM web"), "{e}");
        let e = group(&p, "subnet:v/nope").unwrap_err();
        assert!(matches!(&e, ResolveError::NoSubnet { known, .. } if known == &["v/a", "v/empty"]), "{e}");
    }

    #[test]
    fn errors_and_labels_are_typed_values() {
        let n = estate();
        let cfg = tusk_model::config::Config::default();
        let p = Prepared::new(&n, &cfg);
        let e = resolve_group(&p, &FlowEnd::parse("web").unwrap()).unwrap_err();
        assert_eq!(
            e,
            ResolveError::Ambiguous {
                name: "web".into(),
                candidates: vec![(ResourceKind::Nic, "web".into()), (ResourceKind::Vm, "web".into())]
            }
        );
        assert!(matches!(resolve(&p, "pod:a/b"), Err(ResolveError::Kubernetes(_))));
        assert!(matches!(resolve(&p, "internet:x"), Err(ResolveError::Notation(_))));
        // A held address is labelled by its owner, a free one as free.
        let held = resolve(&p, "10.0.1.7").unwrap();
        assert!(matches!(held, Endpoint::Azure { label: Label::Owner(Owner::Nic(..)), .. }));
        let free = resolve(&p, "10.0.1.200").unwrap();
        assert!(matches!(free, Endpoint::Azure { label: Label::Free, owner: None, .. }));
    }
}
