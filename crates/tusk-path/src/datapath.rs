//! The data path per network plugin: which address a pod's packet leaves
//! its node with (its own, or the node's after masquerade), and the Azure
//! network as the cluster's packets see it — the estate plus one NIC per
//! materialised node and, with kubenet, the route table AKS maintains.
//!
//! Masquerade: AKS runs the ip-masq-agent; a destination inside its
//! non-masquerade ranges keeps the pod's address, any other is translated
//! to the node's primary address ("Identify plugin options", AKS training:
//! with kubenet "the source IP address of the traffic is translated to the
//! node's primary IP address" for resources on the VNet; Kubernetes docs,
//! "IP Masquerade Agent User Guide"). The ranges are AKS's default per
//! plugin joined with the exported `azure-ip-masq-agent-config` ConfigMaps
//! (read by tusk-load); every output says which were used
//! ([`Masquerade::source`]). Defaults (the search corpora did not hold
//! AKS's exact default list; these follow the AKS training page above and
//! the article): kubenet and CNI Overlay — the pod CIDR(s); Azure CNI
//! (node subnet, pod subnet) — the address space of the VNet holding the
//! node's subnet (pod addresses are VNet addresses, so traffic inside the
//! VNet keeps them; the article: "With CNI, it makes no difference whether
//! traffic targets an internal or external service").
//!
//! Kubenet route table ("Use kubenet networking with your own IP address
//! ranges in AKS": one route per node, its pod CIDR to its address, on the
//! node subnet's route table, IP forwarding on the node's NIC): generated
//! for every node and merged into the user's table of the pool subnet (a
//! new table when the subnet has none). A route the user exported with the
//! same name is kept, not duplicated.

use crate::nodes::{Fleet, NodeAddr, SimNode};
use crate::segment::{Doubt, MasqConfigRef, MasqDefault, MasqSource, RuleKind, RuleRef};
use std::net::IpAddr;
use tusk_core::ip::{ip_to_u128, u128_to_ip, Cidr, IpSet};
use tusk_core::{IdxVec, Loc};
use tusk_model::aks::{AksCluster, NetworkPlugin};
use tusk_model::azure::{
    AddressMatch, AzureNetwork, Idx, IpConfig, Link, NetworkInterface, NextHopType, ResourceId, Route,
    RouteDestination, RouteTable, Subnet,
};
use tusk_model::Estate;

/// How a cluster's pods are addressed on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// Pods hold addresses of a CIDR the VNet does not know (kubenet):
    /// between nodes, UDRs carry them to the node holding the /24.
    PodCidrRouted,
    /// CNI Overlay: pod addresses of an overlay CIDR; tusk does not model
    /// how Azure carries them between nodes.
    Overlay,
    /// Pods hold VNet addresses (Azure CNI node subnet or pod subnet).
    Vnet,
    /// No or an unspecified plugin.
    Unknown,
}

/// The wire of cluster `c`: kubenet routes pod CIDRs, Azure CNI Overlay uses
/// an overlay, Azure CNI puts pods on VNet addresses; anything else is
/// [`Wire::Unknown`] ("Azure CNI Overlay networking", "kubenet" pages of the
/// AKS docs).
pub fn wire(c: &AksCluster) -> Wire {
    match (c.network.plugin, c.network.overlay) {
        (NetworkPlugin::Kubenet, _) => Wire::PodCidrRouted,
        (NetworkPlugin::Azure, true) => Wire::Overlay,
        (NetworkPlugin::Azure, false) => Wire::Vnet,
        _ => Wire::Unknown,
    }
}

/// The wire of the cluster of fleet node `n`.
pub fn wire_of(estate: &Estate, fleet: &Fleet, n: Idx<SimNode>) -> Wire {
    fleet.nodes[n].cluster.map(|c| wire(&estate.clusters[c])).unwrap_or(Wire::Unknown)
}

/// The ranges a pod's source address is kept for, and where they come from.
#[derive(Debug, Clone)]
pub struct Masquerade {
    /// Destinations a pod's source address is kept for (not masqueraded to the
    /// node's address): ip-masq-agent's `nonMasqueradeCIDRs` ("Configure
    /// ip-masq-agent" in the AKS docs; kubernetes-sigs/ip-masq-agent).
    pub keep: IpSet,
    /// Where `keep` comes from (AKS's default and each exported ConfigMap with
    /// its source location), for reports.
    pub source: MasqSource,
}

impl Masquerade {
    /// AKS's default for `c`'s plugin, for a node in `subnet`, joined with
    /// the exported ip-masq-agent ConfigMaps (the agent merges every
    /// configuration it is given, and AKS's own stays in place).
    pub fn for_node(estate: &Estate, c: &AksCluster, subnet: Option<Idx<Subnet>>) -> Option<Masquerade> {
        let net = &estate.azure;
        let pods = c.network.pod_cidrs.iter().fold(IpSet::empty(), |s, p| s.union(&p.set()));
        let (mut keep, default) = match wire(c) {
            Wire::PodCidrRouted | Wire::Overlay => (pods, MasqDefault::PodCidr),
            Wire::Vnet => {
                let v = net.subnets[subnet?].vnet;
                let space = net.vnets[v].address_space.iter().fold(IpSet::empty(), |s, p| s.union(&p.set()));
                (space.union(&pods), MasqDefault::VnetSpace)
            }
            Wire::Unknown => return None,
        };
        let mut source = MasqSource { default, configs: Vec::new() };
        for m in &estate.k8s.ip_masq {
            keep = m.non_masquerade.iter().fold(keep, |s, p| s.union(&p.set()));
            source.configs.push(MasqConfigRef {
                name: m.name.clone(),
                cidrs: m.non_masquerade.clone(),
                loc: m.loc.clone(),
            });
        }
        Some(Masquerade { keep, source })
    }

    /// Whether a packet to `dst` keeps the pod's source address (`dst` is in
    /// `keep`); otherwise the node masquerades it to its own address.
    pub fn keeps(&self, dst: IpAddr) -> bool {
        self.keep.contains_ip(dst)
    }
}

/// The `k`-th address of `set` (in order), if it has that many.
pub fn nth(set: &IpSet, mut k: u128) -> Option<IpAddr> {
    for r in set.ip_ranges() {
        let n = r.hi - r.lo + 1;
        if k < n {
            return Some(u128_to_ip(r.lo + k));
        }
        k -= n;
    }
    None
}

/// One address standing for each node of the fleet: its exported address,
/// or, for a simulated node, a distinct address of its subnet (AKS picks
/// one we cannot know; [`splits`] says when the choice could matter).
pub fn node_ips(fleet: &Fleet) -> IdxVec<SimNode, Option<IpAddr>> {
    let mut used: std::collections::HashMap<Option<Idx<Subnet>>, u128> = Default::default();
    IdxVec::build(&fleet.nodes, |i| {
        let n = &fleet.nodes[i];
        match &n.address {
            NodeAddr::Exact(ip) => Some(*ip),
            NodeAddr::OneOf(set) => {
                let k = used.entry(n.subnet).or_default();
                *k += 1;
                nth(set, *k - 1)
            }
            NodeAddr::Unknown(_) => None,
        }
    })
}

/// One pod-CIDR block per node of a kubenet cluster: the exported
/// `spec.podCIDR`, else the `k`-th /24 of the cluster's pod CIDR.
pub fn node_pod_blocks(estate: &Estate, fleet: &Fleet) -> IdxVec<SimNode, Option<Cidr>> {
    let mut k: std::collections::HashMap<Idx<AksCluster>, u128> = Default::default();
    IdxVec::build(&fleet.nodes, |i| {
        let n = &fleet.nodes[i];
        let c = &estate.clusters[n.cluster?];
        if wire(c) != Wire::PodCidrRouted {
            return None;
        }
        if let Some(b) = n.exported.and_then(|i| estate.k8s.nodes[i].pod_cidrs.first()) {
            return Some(*b);
        }
        let base = c.network.pod_cidrs.first()?;
        let i = k.entry(n.cluster?).or_default();
        *i += 1;
        let lo = base.range().lo + (*i - 1) * 256;
        (lo + 255 <= base.range().hi).then(|| Cidr { addr: u128_to_ip(lo), prefix: 24, canonical: true })
    })
}

/// Does an NSG rule, firewall rule or user route of the estate name part, but not all, of `set`?
/// Then a verdict computed with one address of `set` may not hold for the
/// others: the caller reports it as unknown.
pub fn splits(net: &AzureNetwork, set: &IpSet) -> Option<Doubt> {
    let part = |m: &IpSet| {
        let i = m.intersect(set);
        !i.is_empty() && i != *set
    };
    let splits_any = |matches: &mut dyn Iterator<Item = &AddressMatch>| {
        let mut hit = false;
        for a in matches {
            hit |= match a {
                AddressMatch::Prefix(c) => part(&c.set()),
                AddressMatch::Range(lo, hi) => part(&IpSet::range(*lo, *hi)),
                _ => false,
            };
        }
        hit
    };
    for nsg in &net.nsgs {
        for r in &nsg.rules {
            if splits_any(&mut r.sources.iter().chain(&r.destinations)) {
                return Some(Doubt::AddressSplit(RuleRef {
                    kind: RuleKind::NsgRule,
                    name: r.name.clone(),
                    loc: r.loc.clone(),
                }));
            }
        }
    }
    let classic = net.firewalls.iter().flat_map(|f| &f.classic);
    let policies = net.firewall_policies.iter().flat_map(|p| p.groups.iter().flat_map(|g| &g.collections));
    for c in classic.chain(policies) {
        for r in &c.rules {
            if splits_any(&mut r.sources.iter().chain(&r.destinations)) {
                return Some(Doubt::AddressSplit(RuleRef {
                    kind: RuleKind::FirewallRule,
                    name: r.name.clone(),
                    loc: r.loc.clone(),
                }));
            }
        }
    }
    for t in &net.route_tables {
        for r in &t.routes {
            if let RouteDestination::Prefix(c) = &r.destination {
                if part(&c.set()) && !r.name.starts_with("aks-") {
                    return Some(Doubt::AddressSplit(RuleRef {
                        kind: RuleKind::Route,
                        name: r.name.clone(),
                        loc: r.loc.clone(),
                    }));
                }
            }
        }
    }
    None
}

/// The estate's network plus what the cluster adds: one NIC per node that
/// no exported NIC holds (IP forwarding on with kubenet, the node's CNI pod
/// addresses as further ip configurations) and the kubenet routes.
pub fn wired_network(
    estate: &Estate,
    fleet: &Fleet,
    ips: &IdxVec<SimNode, Option<IpAddr>>,
    blocks: &IdxVec<SimNode, Option<Cidr>>,
    pod_ips: &[(Idx<SimNode>, IpAddr)],
) -> AzureNetwork {
    let mut net = estate.azure.clone();
    let owned: std::collections::HashSet<u128> =
        net.nics.iter().flat_map(|n| n.ip_configs.iter().filter_map(|c| c.private_ip)).map(ip_to_u128).collect();
    for (i, n) in Idx::enumerate(&fleet.nodes) {
        let (Some(ip), Some(s)) = (ips[i], n.subnet) else { continue };
        if owned.contains(&ip_to_u128(ip)) || n.surge {
            continue;
        }
        let loc = Loc::builtin("a node materialised by tusk-path");
        // A pod address lies in the node's subnet (CNI node subnet) or in
        // the pool's pod subnet: its ip configuration names that subnet.
        let holder = |ip: IpAddr| {
            let v = net.subnets[s].vnet;
            net.vnets[v]
                .subnets
                .iter()
                .copied()
                .find(|t| net.subnets[*t].prefixes.iter().any(|c| c.set().contains_ip(ip)))
                .unwrap_or(s)
        };
        let cfg = |name: String, ip| IpConfig {
            name,
            loc: loc.clone(),
            private_ip: Some(ip),
            private_prefix: None,
            subnet: Some(Link::Found(holder(ip))),
            asgs: Vec::new(),
            public_ip: None,
            lb_pools: Vec::new(),
            lb_nat_rules: Vec::new(),
            appgw_pools: Vec::new(),
        };
        let mut ip_configs = vec![cfg("ipconfig1".into(), ip)];
        for (k, (_, pip)) in pod_ips.iter().filter(|(node, _)| *node == i).enumerate() {
            ip_configs.push(cfg(format!("pod{}", k + 1), *pip));
        }
        let kubenet = n.cluster.is_some_and(|c| wire(&estate.clusters[c]) == Wire::PodCidrRouted);
        net.nics.push(NetworkInterface {
            id: ResourceId::new(format!("aks-node/{}", n.name)),
            loc: loc.clone(),
            ip_configs,
            nsg: None,
            ip_forwarding: kubenet,
            vm: Some(n.name.clone()),
        });
    }
    add_kubenet_routes(&mut net, fleet, ips, blocks);
    add_overlay_routes(estate, &mut net, fleet);
    net
}

/// The route tables of the subnets of cluster `c`'s nodes in `members`
/// (AKS requires the kubenet pools to share one table; a subnet without
/// a table gets a generated one, named after the subnet).
fn pool_tables(
    net: &mut AzureNetwork,
    fleet: &Fleet,
    members: &[Idx<SimNode>],
    why: &'static str,
) -> std::collections::BTreeSet<Idx<RouteTable>> {
    let subnets: std::collections::BTreeSet<Idx<Subnet>> =
        members.iter().filter_map(|&i| fleet.nodes[i].subnet).collect();
    let mut tables = std::collections::BTreeSet::new();
    for s in subnets {
        match &net.subnets[s].route_table {
            Some(Link::Found(t)) => {
                tables.insert(*t);
            }
            Some(Link::Absent(_)) => {}
            None => {
                net.route_tables.push(RouteTable {
                    id: ResourceId::new(format!("aks-generated-routetable/{}", net.subnet_path(s))),
                    loc: Loc::builtin(why),
                    routes: Vec::new(),
                    disable_bgp_route_propagation: false,
                });
                let t = Idx::new(net.route_tables.len() - 1);
                net.subnets[s].route_table = Some(Link::Found(t));
                tables.insert(t);
            }
        }
    }
    tables
}

/// Every node's pod-CIDR route, on the route table of every pool subnet of
/// its cluster (AKS requires kubenet pools to share one table; a subnet
/// without a table gets the generated one).
fn add_kubenet_routes(
    net: &mut AzureNetwork,
    fleet: &Fleet,
    ips: &IdxVec<SimNode, Option<IpAddr>>,
    blocks: &IdxVec<SimNode, Option<Cidr>>,
) {
    let clusters: std::collections::BTreeSet<Idx<AksCluster>> = fleet.nodes.iter().filter_map(|n| n.cluster).collect();
    for c in clusters {
        let members: Vec<Idx<SimNode>> = Idx::all(&fleet.nodes)
            .filter(|&i| fleet.nodes[i].cluster == Some(c) && blocks[i].is_some() && !fleet.nodes[i].surge)
            .collect();
        if members.is_empty() {
            continue;
        }
        for t in pool_tables(net, fleet, &members, KUBENET_TABLE) {
            for &i in &members {
                let (Some(ip), Some(block)) = (ips[i], blocks[i]) else { continue };
                let name = format!("aks-{}-podcidr", fleet.nodes[i].name);
                if net.route_tables[t].routes.iter().any(|r| r.name == name) {
                    continue;
                }
                net.route_tables[t].routes.push(Route {
                    name,
                    loc: Loc::builtin(KUBENET_TABLE),
                    destination: RouteDestination::Prefix(block),
                    next_hop: NextHopType::VirtualAppliance,
                    next_hop_ip: Some(ip),
                });
            }
        }
    }
}

const KUBENET_TABLE: &str = "the kubenet route table AKS maintains";

/// Where tusk states the CNI Overlay routing domain (see [`add_overlay_routes`]).
pub const OVERLAY_DOMAIN: &str = "the Azure CNI Overlay routing domain";

/// CNI Overlay: pods of the pod CIDR "use Azure Routing Domains rather
/// than Kubenet's method of route tables" (AKS API reference,
/// `networkPluginMode: overlay`), and "pod to pod traffic with Azure CNI
/// Overlay isn't encapsulated, and subnet network security group rules
/// are applied" (AKS docs, "Azure CNI Overlay networking", Network
/// security groups). tusk states the routing domain as a route of the pod
/// CIDR to the VNet (`VnetLocal`, named `aks-overlay-podcidr-N`) on every
/// pool subnet's table: the packet keeps its pod addresses, the subnets'
/// NSGs judge them, and the destination node takes it
/// (`Reason::HandedTo`). Whether a user route naming part of the pod CIDR
/// overrides the domain is not documented: [`overlay_route_doubt`]. The
/// route also puts the pod CIDR in the `VirtualNetwork` tag (tusk-network
/// adds UDR prefixes to it, as Azure does): the same page asks for rules
/// admitting pod CIDR traffic only "if the subnet NSG contains deny rules",
/// so the default `AllowVnetInBound` admits it — the reading this follows.
fn add_overlay_routes(estate: &Estate, net: &mut AzureNetwork, fleet: &Fleet) {
    for (c, cl) in Idx::enumerate(&estate.clusters) {
        if wire(cl) != Wire::Overlay {
            continue;
        }
        let members: Vec<Idx<SimNode>> =
            Idx::all(&fleet.nodes).filter(|&i| fleet.nodes[i].cluster == Some(c) && !fleet.nodes[i].surge).collect();
        if members.is_empty() {
            continue;
        }
        for t in pool_tables(net, fleet, &members, OVERLAY_DOMAIN) {
            for (k, cidr) in cl.network.pod_cidrs.iter().enumerate() {
                net.route_tables[t].routes.push(Route {
                    name: format!("aks-overlay-podcidr-{}", k + 1),
                    loc: Loc::builtin(OVERLAY_DOMAIN),
                    destination: RouteDestination::Prefix(*cidr),
                    next_hop: NextHopType::VnetLocal,
                    next_hop_ip: None,
                });
            }
        }
    }
}

/// A user route of the estate whose prefix lies inside (or equals) a pod
/// CIDR of an overlay cluster: whether it overrides the overlay routing
/// domain is not documented, so pod-to-pod verdicts are unknown.
pub fn overlay_route_doubt(net: &AzureNetwork, c: &AksCluster) -> Option<RuleRef> {
    let pods = c.network.pod_cidrs.iter().fold(IpSet::empty(), |s, p| s.union(&p.set()));
    for t in &net.route_tables {
        for r in &t.routes {
            if let RouteDestination::Prefix(p) = &r.destination {
                if !r.name.starts_with("aks-") && !p.set().intersect(&pods).is_empty() && p.prefix > 0 {
                    let inside = p.set().intersect(&pods) == p.set();
                    if inside {
                        return Some(RuleRef { kind: RuleKind::Route, name: r.name.clone(), loc: r.loc.clone() });
                    }
                }
            }
        }
    }
    None
}
