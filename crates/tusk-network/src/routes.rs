//! Effective routes of a subnet, as Network Watcher shows them, and the
//! route a destination takes.
//!
//! From "Virtual network traffic routing" (virtual-network/virtual-networks-udr-overview):
//! * Default routes: each VNet address range → Virtual network;
//!   0.0.0.0/0 → Internet; 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16
//!   (RFC 1918) and 100.64.0.0/10 (RFC 6598) → None. "If you assign any of
//!   the previous address ranges within the address space of a virtual
//!   network, Azure automatically changes the next hop type for the route
//!   from None to Virtual network. If you assign an address range to the
//!   address space of a virtual network that includes, but isn't the same
//!   as, one of the four reserved address prefixes, Azure removes the route
//!   for the prefix". A VNet range *inside* a reserved prefix (10.1.0.0/16)
//!   leaves the None route in place: only the longer VNet route beats it.
//! * Peering adds each range of the peered VNet → VNet peering.
//! * A virtual network gateway adds its learned (on-premises) prefixes →
//!   Virtual network gateway, unless the subnet's route table disables
//!   gateway route propagation.
//! * User-defined routes. Longest prefix wins; for the same prefix,
//!   "User-defined route, BGP route, System route" in that order.
//! * A user or BGP route for 0.0.0.0/0 overrides the default Internet route
//!   and, as Network Watcher shows, turns the four None routes Invalid
//!   too, so private destinations follow the 0.0.0.0/0 route (the usual
//!   "force everything through the hub firewall" design depends on this).

use super::index::EstateIndex;
use std::net::IpAddr;
use tusk_core::ip::{ip_to_u128, Cidr};
use tusk_core::Loc;
use tusk_model::azure::*;

/// Who made a route (Network Watcher's "Source" column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteSource {
    /// A system route.
    Default,
    /// Learned by a VNet gateway.
    VirtualNetworkGateway,
    /// A user-defined route.
    User,
}

impl RouteSource {
    /// Network Watcher's spelling.
    pub fn name(self) -> &'static str {
        match self {
            RouteSource::Default => "Default",
            RouteSource::VirtualNetworkGateway => "VirtualNetworkGateway",
            RouteSource::User => "User",
        }
    }
}

/// Whether a route is used (Network Watcher's "State" column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteState {
    /// Used for lookups.
    Active,
    /// Overridden (see its note).
    Invalid,
}

/// One effective route of a subnet.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveRoute {
    /// Who made it.
    pub source: RouteSource,
    /// Active or invalid.
    pub state: RouteState,
    /// The address prefix.
    pub prefix: Cidr,
    /// The next hop type.
    pub next_hop: NextHopType,
    /// The next hop address (virtual appliance routes).
    pub next_hop_ip: Option<IpAddr>,
    /// The user route, or what made a system route.
    pub origin: RouteOrigin,
    /// Where the route, or what made it, was read.
    pub loc: Loc,
    /// Why an invalid route is invalid.
    pub note: Option<RouteNote>,
    /// For VNetPeering and VnetLocal: the VNet the prefix belongs to.
    pub vnet: Option<Idx<VirtualNetwork>>,
    /// For VirtualNetworkGateway: the gateway.
    pub gateway: Option<Idx<VnetGateway>>,
    /// Set when the inputs do not settle whether this route is active
    /// (a private endpoint's /32 against a 0.0.0.0/0 user route); a
    /// lookup that picks it is uncertain.
    pub doubt: Option<RouteDoubt>,
}

/// What made a route.
#[derive(Debug, Clone, PartialEq)]
pub enum RouteOrigin {
    /// A range of the VNet's address space.
    AddressSpace(Idx<VirtualNetwork>),
    /// The default route 0.0.0.0/0 to the Internet.
    DefaultInternet,
    /// One of the reserved private ranges routed to None.
    ReservedRange,
    /// `vnets[vnet].peerings[peering]`, to its remote VNet's range.
    Peering {
        /// The VNet whose peering it is.
        vnet: Idx<VirtualNetwork>,
        /// The peering's position in its peerings.
        peering: usize,
    },
    /// Learned by a VNet gateway (on-premises prefixes).
    Gateway(Idx<VnetGateway>),
    /// A private endpoint's /32 (or /128).
    PrivateEndpoint(Idx<PrivateEndpoint>),
    /// A user-defined route, by its name.
    User(String),
    /// A user-defined route to a service tag, expanded from the service
    /// tags file: the route's name and the tag.
    UserTag {
        /// The route's name.
        name: String,
        /// The service tag.
        tag: String,
    },
    /// A subnet's service endpoint (`Microsoft.Storage`).
    ServiceEndpoint(String),
    /// Learned from the Virtual WAN hub `virtual_hubs[hub]` over its
    /// connection `connection` (the associated hub route table's routes).
    VirtualHub {
        /// The hub.
        hub: Idx<VirtualHub>,
        /// The connection, one of the hub's `connections`.
        connection: Idx<HubConnection>,
    },
}

/// Why a route is invalid.
#[derive(Debug, Clone, PartialEq)]
pub enum RouteNote {
    /// A route of a stronger source has the same prefix.
    SamePrefix(RouteSource),
    /// A non-default 0.0.0.0/0 retires the default route and the None routes.
    DefaultOverridden,
    /// A user route overrides a private endpoint's route (the endpoint's
    /// subnet applies route tables to private endpoints).
    PrivateEndpointOverridden {
        /// The user route's name.
        user_route: String,
    },
}

/// Why the route a lookup picks may not be the one Azure uses.
#[derive(Debug, Clone, PartialEq)]
pub enum RouteDoubt {
    /// A user route to a service tag, whose ranges are not in the inputs,
    /// may be more specific.
    TagRoute {
        /// The route's name.
        name: String,
        /// The service tag.
        tag: String,
        /// Where the route was read.
        loc: Loc,
    },
    /// A 0.0.0.0/0 user route may override a private endpoint's /32 route.
    PrivateEndpointDefaultRoute {
        /// The user route's name.
        user_route: String,
    },
    /// The subnet has a service endpoint whose prefixes are not in the
    /// inputs (no service tags file): a public destination may be one of
    /// them and bypass the other routes.
    ServiceEndpoint {
        /// The service (`Microsoft.Storage`, ...).
        service: String,
        /// Where the service endpoint was read.
        loc: Loc,
    },
    /// A subnet peering's route in a subnet the peering does not name.
    SubnetPeering {
        /// The peering's name.
        peering: String,
    },
}

/// A subnet's effective routes.
#[derive(Debug, Clone, Default)]
pub struct EffectiveRoutes {
    /// Every route, active and invalid.
    pub routes: Vec<EffectiveRoute>,
    /// User routes whose destination is a service tag, which tusk cannot
    /// expand; any lookup they might affect is uncertain.
    pub tag_routes: Vec<(String, String, Loc)>,
    /// A service endpoint whose prefixes the inputs do not give, with the
    /// public address space its prefixes lie in: lookups of public
    /// destinations are uncertain.
    pub endpoint_doubt: Option<(RouteDoubt, tusk_core::ip::IpSet)>,
    /// Active routes by host-bit count (ascending: longest prefix first),
    /// each a map from network address to route index: longest-prefix match
    /// in a few hash lookups instead of a scan of up to 400 routes.
    by_len: Vec<(u32, super::fx::FxMap<u128, usize>)>,
}

/// The route a destination takes, and why: the longest of `candidates`
/// active routes holding it.
#[derive(Debug, Clone)]
pub struct RouteChoice {
    /// The chosen route's index in [`EffectiveRoutes::routes`].
    pub route: usize,
    /// How many active routes hold the destination.
    pub candidates: usize,
    /// Set when another route might have been chosen instead.
    pub doubt: Option<RouteDoubt>,
}

const RESERVED: [&str; 4] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

fn covers(a: &Cidr, b: &Cidr) -> bool {
    let (ra, rb) = (a.range(), b.range());
    ra.lo <= rb.lo && rb.hi <= ra.hi
}

/// The effective routes of subnet `s`: system, peering, gateway and
/// private endpoint routes, and the subnet's user routes.
pub fn effective_routes(p: &EstateIndex, s: Idx<Subnet>) -> EffectiveRoutes {
    routes_of(p, s, true)
}

/// The routes a private endpoint in subnet `s` uses when the subnet does
/// not apply route tables to private endpoints (privateEndpointNetworkPolicies
/// Disabled or NetworkSecurityGroupEnabled): the same without user routes.
pub fn system_routes(p: &EstateIndex, s: Idx<Subnet>) -> EffectiveRoutes {
    routes_of(p, s, false)
}

fn routes_of(p: &EstateIndex, s: Idx<Subnet>, user_routes: bool) -> EffectiveRoutes {
    let net = p.net;
    let sub = &net.subnets[s];
    let v = sub.vnet;
    let vnet = &net.vnets[v];
    let mut out = EffectiveRoutes::default();
    let builtin = || Loc::builtin("azure-system-routes");
    let sys = |prefix: Cidr, hop: NextHopType, origin: RouteOrigin, loc: Loc, vn: Option<Idx<VirtualNetwork>>| {
        EffectiveRoute {
            source: RouteSource::Default,
            state: RouteState::Active,
            prefix,
            next_hop: hop,
            next_hop_ip: None,
            origin,
            loc,
            note: None,
            vnet: vn,
            gateway: None,
            doubt: None,
        }
    };
    for c in &vnet.address_space {
        out.routes.push(sys(*c, NextHopType::VnetLocal, RouteOrigin::AddressSpace(v), vnet.loc.clone(), Some(v)));
    }
    out.routes.push(sys(
        Cidr::parse("0.0.0.0/0").expect("static"),
        NextHopType::Internet,
        RouteOrigin::DefaultInternet,
        builtin(),
        None,
    ));
    for r in RESERVED {
        let c = Cidr::parse(r).expect("static");
        if !vnet.address_space.iter().any(|a| covers(a, &c)) {
            out.routes.push(sys(c, NextHopType::None, RouteOrigin::ReservedRange, builtin(), None));
        }
    }
    for (i, pe) in vnet.peerings.iter().enumerate() {
        if !peering_connected(p, v, pe) {
            continue;
        }
        // A subnet peering's routes are certain in the local subnets it
        // names; whether Azure also programs them in the VNet's other
        // subnets, Microsoft's documentation does not say.
        let doubt = pe
            .subnets_only
            .as_ref()
            .filter(|sp| !sp.local.iter().any(|n| n.eq_ignore_ascii_case(sub.id.name())))
            .map(|_| RouteDoubt::SubnetPeering { peering: pe.id.name().to_string() });
        for c in p.remote_prefixes(pe) {
            let origin = RouteOrigin::Peering { vnet: v, peering: i };
            let mut r = sys(c, NextHopType::VnetPeering, origin, pe.loc.clone(), pe.remote.found());
            r.doubt = doubt.clone();
            out.routes.push(r);
        }
    }
    let first_pe_route = out.routes.len();
    private_endpoint_routes(p, v, &mut out.routes, &sys);
    let table = sub.route_table.as_ref().and_then(Link::found).map(|t| &net.route_tables[t]).filter(|_| user_routes);
    if !table.is_some_and(|t| t.disable_bgp_route_propagation) {
        for g in p.gateway_routes_from(v) {
            let gw = &net.vnet_gateways[g];
            for c in &p.onprem[g] {
                out.routes.push(EffectiveRoute {
                    source: RouteSource::VirtualNetworkGateway,
                    next_hop: NextHopType::VirtualNetworkGateway,
                    next_hop_ip: gw.private_ips.first().copied(),
                    origin: RouteOrigin::Gateway(g),
                    loc: gw.loc.clone(),
                    gateway: Some(g),
                    ..sys(*c, NextHopType::VirtualNetworkGateway, RouteOrigin::ReservedRange, builtin(), None)
                });
            }
        }
        // A Virtual WAN hub's routes are learned like a gateway's (BGP):
        // "Propagate gateway routes" must be on (virtual-wan/how-to-routing-policies).
        if let Some((h, c)) = crate::walk::hub_connection(net, v) {
            let loc = net.virtual_hubs[h].connections[c].loc.clone();
            for r in crate::vwan::learned(p, h, c) {
                let origin = RouteOrigin::VirtualHub { hub: h, connection: c };
                out.routes.push(sys(r.prefix, NextHopType::VirtualNetworkGateway, origin, loc.clone(), None));
                if let Some(last) = out.routes.last_mut() {
                    last.source = RouteSource::VirtualNetworkGateway;
                }
            }
        }
    }
    if let Some(t) = table {
        for r in &t.routes {
            match &r.destination {
                RouteDestination::Prefix(c) => out.routes.push(EffectiveRoute {
                    source: RouteSource::User,
                    next_hop_ip: r.next_hop_ip,
                    origin: RouteOrigin::User(r.name.clone()),
                    loc: r.loc.clone(),
                    vnet: (r.next_hop == NextHopType::VnetLocal).then_some(v),
                    ..sys(*c, r.next_hop, RouteOrigin::ReservedRange, builtin(), None)
                }),
                RouteDestination::Tag(tag) => {
                    match net.service_tags.as_ref().and_then(|t| t.get(tag)) {
                        // "Service tags in user-defined routes"
                        // (virtual-networks-udr-overview): the route covers
                        // each prefix of the tag.
                        Some(t) => {
                            for c in &t.prefixes {
                                out.routes.push(EffectiveRoute {
                                    source: RouteSource::User,
                                    next_hop_ip: r.next_hop_ip,
                                    origin: RouteOrigin::UserTag { name: r.name.clone(), tag: t.name.clone() },
                                    loc: r.loc.clone(),
                                    vnet: (r.next_hop == NextHopType::VnetLocal).then_some(v),
                                    ..sys(*c, r.next_hop, RouteOrigin::ReservedRange, builtin(), None)
                                });
                            }
                        }
                        None => out.tag_routes.push((r.name.clone(), tag.clone(), r.loc.clone())),
                    }
                }
            }
        }
    }
    for e in &sub.service_endpoints {
        let service = e.service.clone().unwrap_or_else(|| "(unread)".into());
        use super::service_tags::EndpointPrefixes;
        let doubt = |within: tusk_core::ip::IpSet| {
            (RouteDoubt::ServiceEndpoint { service: service.clone(), loc: e.loc.clone() }, within)
        };
        match super::service_tags::endpoint_prefixes(net.service_tags.as_ref(), e) {
            EndpointPrefixes::Known(prefixes) => {
                for c in prefixes {
                    let origin = RouteOrigin::ServiceEndpoint(service.clone());
                    out.routes.push(sys(c, NextHopType::VirtualNetworkServiceEndpoint, origin, e.loc.clone(), None));
                }
            }
            EndpointPrefixes::Within(prefixes) => {
                let within = super::index::set_of(&prefixes);
                out.endpoint_doubt = Some(match out.endpoint_doubt.take() {
                    Some((d, set)) => (d, set.union(&within)),
                    None => doubt(within),
                });
            }
            EndpointPrefixes::Unknown => {
                let within = p.internet_tag(None);
                out.endpoint_doubt = Some(match out.endpoint_doubt.take() {
                    Some((d, set)) => (d, set.union(&within)),
                    None => doubt(within),
                });
            }
        }
    }
    invalidate(&mut out.routes);
    overridden_private_endpoint_routes(p, &mut out.routes, first_pe_route);
    out.index();
    out
}

/// "Private endpoints ... create /32 routes in the virtual network where
/// they are located and in the peered virtual networks" (Microsoft, "Manage
/// network policies for private endpoints"): each address of a private
/// endpoint in VNet `v` or in a VNet peered with it gets a /32 route to
/// that VNet, which beats any shorter user route by longest prefix.
fn private_endpoint_routes(
    p: &EstateIndex,
    v: Idx<VirtualNetwork>,
    out: &mut Vec<EffectiveRoute>,
    sys: &dyn Fn(Cidr, NextHopType, RouteOrigin, Loc, Option<Idx<VirtualNetwork>>) -> EffectiveRoute,
) {
    let net = p.net;
    for (pi, pe) in Idx::enumerate(&net.private_endpoints) {
        let Some(ps) = pe.subnet.as_ref().and_then(Link::found) else { continue };
        let pv = net.subnets[ps].vnet;
        let hop = if pv == v {
            NextHopType::VnetLocal
        } else if net.vnets[v].peerings.iter().any(|x| x.remote.found() == Some(pv) && peering_connected(p, v, x)) {
            NextHopType::VnetPeering
        } else {
            continue;
        };
        for ip in &pe.ips {
            let Ok(c) = Cidr::parse(&format!("{ip}/{}", if ip.is_ipv4() { 32 } else { 128 })) else { continue };
            out.push(sys(c, hop, RouteOrigin::PrivateEndpoint(pi), pe.loc.clone(), Some(pv)));
        }
    }
}

/// With route tables enabled for private endpoints on the endpoint's
/// subnet (`Enabled`, `RouteTableEnabled`), "user-defined routes must have a
/// prefix size that is equal to or smaller than the virtual network address
/// space where the private endpoint is provisioned" to override its /32
/// route (same doc). Such a user route invalidates the /32. Whether a
/// 0.0.0.0/0 route does is read differently by different sources, so that
/// case stays active with a doubt rather than a guess.
fn overridden_private_endpoint_routes(p: &EstateIndex, routes: &mut [EffectiveRoute], first: usize) {
    let net = p.net;
    let users: Vec<(Cidr, String)> = routes
        .iter()
        .filter_map(|r| match &r.origin {
            RouteOrigin::User(name) => Some((r.prefix, name.clone())),
            _ => None,
        })
        .collect();
    for r in routes.iter_mut().skip(first) {
        if !matches!(r.origin, RouteOrigin::PrivateEndpoint(_)) {
            continue;
        }
        let Some(pv) = r.vnet else { continue };
        let pe_subnet = p.subnets_holding(r.prefix.addr).into_iter().find(|s| net.subnets[*s].vnet == pv);
        if !pe_subnet.is_some_and(|s| net.subnets[s].private_endpoint_policies.route_table_applies()) {
            continue;
        }
        let Some(space_len) = net.vnets[pv].address_space.iter().find(|c| covers(c, &r.prefix)).map(|c| c.prefix)
        else {
            continue;
        };
        let over = |u: &&(Cidr, String)| covers(&u.0, &r.prefix) && u.0.prefix <= space_len;
        if let Some((_, name)) = users.iter().filter(over).find(|u| u.0.prefix > 0) {
            r.state = RouteState::Invalid;
            r.note = Some(RouteNote::PrivateEndpointOverridden { user_route: name.clone() });
        } else if let Some((_, name)) = users.iter().find(over) {
            r.doubt = Some(RouteDoubt::PrivateEndpointDefaultRoute { user_route: name.clone() });
        }
    }
}

/// Same prefix: user beats BGP beats default; a non-default 0.0.0.0/0
/// also retires the None routes (see the module essay).
fn invalidate(routes: &mut [EffectiveRoute]) {
    let n = routes.len();
    let mut best: std::collections::HashMap<(u128, u8), RouteSource> = std::collections::HashMap::new();
    for r in routes.iter() {
        let k = (r.prefix.range().lo, r.prefix.prefix);
        let e = best.entry(k).or_insert(r.source);
        if r.source > *e {
            *e = r.source;
        }
    }
    let zero = Cidr::parse("0.0.0.0/0").expect("static").range().lo;
    let default_overridden = best.get(&(zero, 0)).is_some_and(|s| *s != RouteSource::Default);
    for r in routes.iter_mut().take(n) {
        let k = (r.prefix.range().lo, r.prefix.prefix);
        if best[&k] > r.source {
            r.state = RouteState::Invalid;
            r.note = Some(RouteNote::SamePrefix(best[&k]));
        } else if default_overridden && r.source == RouteSource::Default && r.next_hop == NextHopType::None {
            r.state = RouteState::Invalid;
            r.note = Some(RouteNote::DefaultOverridden);
        }
    }
}

/// Is the peering usable? Both sides must exist ("Connected"). An exported
/// `peeringState` answers directly; otherwise the remote side's peering back
/// must be in the inputs.
pub fn peering_connected(p: &EstateIndex, local: Idx<VirtualNetwork>, pe: &Peering) -> bool {
    if let Some(state) = &pe.state {
        return state.eq_ignore_ascii_case("Connected");
    }
    match pe.remote.found() {
        Some(r) => p.peering(r, local).is_some(),
        None => false,
    }
}

fn host_bits(c: &Cidr) -> u32 {
    let r = c.range();
    128 - (r.hi - r.lo).leading_zeros()
}

impl EffectiveRoutes {
    fn index(&mut self) {
        let mut m: std::collections::BTreeMap<u32, super::fx::FxMap<u128, usize>> = Default::default();
        for (i, r) in self.routes.iter().enumerate() {
            if r.state == RouteState::Active {
                m.entry(host_bits(&r.prefix)).or_default().insert(r.prefix.range().lo, i);
            }
        }
        self.by_len = m.into_iter().collect();
    }

    /// The index of the active route with the longest prefix holding `ip`.
    pub fn best(&self, ip: IpAddr) -> Option<usize> {
        let x = ip_to_u128(ip);
        for (hb, m) in &self.by_len {
            let key = if *hb >= 128 { 0 } else { x & !((1u128 << hb) - 1) };
            if let Some(&i) = m.get(&key) {
                if self.routes[i].prefix.addr.is_ipv4() == ip.is_ipv4() {
                    return Some(i);
                }
            }
        }
        None
    }

    /// The doubt an unresolved service endpoint casts on a lookup of `ip`:
    /// its prefixes are public addresses of the service, so only a public
    /// destination may be among them.
    pub fn endpoint_doubt(&self, ip: IpAddr) -> Option<&RouteDoubt> {
        self.endpoint_doubt.as_ref().filter(|(_, public)| public.contains_ip(ip)).map(|(d, _)| d)
    }

    /// Longest-prefix match among active routes.
    pub fn lookup(&self, ip: IpAddr) -> Option<RouteChoice> {
        let x = ip_to_u128(ip);
        let mut best: Option<(usize, u8)> = None;
        let mut candidates = 0;
        for (i, r) in self.routes.iter().enumerate() {
            if r.state != RouteState::Active {
                continue;
            }
            let rr = r.prefix.range();
            if rr.lo <= x && x <= rr.hi && ip.is_ipv4() == r.prefix.addr.is_ipv4() {
                candidates += 1;
                if best.is_none_or(|(_, len)| r.prefix.prefix > len) {
                    best = Some((i, r.prefix.prefix));
                }
            }
        }
        let (i, _) = best?;
        let r = &self.routes[i];
        let doubt = r.doubt.clone().or_else(|| self.endpoint_doubt(ip).cloned()).or_else(|| {
            self.tag_routes.first().map(|(name, tag, loc)| RouteDoubt::TagRoute {
                name: name.clone(),
                tag: tag.clone(),
                loc: loc.clone(),
            })
        });
        Some(RouteChoice { route: i, candidates, doubt })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{net, route_table, vnet};
    use super::*;

    fn table(p: &crate::Prepared, s: usize) -> Vec<String> {
        p.routes[Idx::new(s)]
            .routes
            .iter()
            .map(|r| format!("{} {:?} {} {}", r.source.name(), r.state, r.prefix, r.next_hop))
            .collect()
    }

    #[test]
    fn a_vnet_inside_a_reserved_range_keeps_its_none_route() {
        // The spoke-without-UDR case: 10.1.0.0/16 is inside 10.0.0.0/8, so
        // the None route stays and only the longer VnetLocal route beats it.
        let n = net(&[vnet("v", "10.1.0.0/16", &[("s", "10.1.0.0/24", None, None)], &[])]);
        let p = crate::testutil::prep(&n);
        assert!(table(&p, 0).contains(&"Default Active 10.0.0.0/8 None".to_string()), "{:?}", table(&p, 0));
        let r = &p.routes[Idx::new(0)].routes[p.routes[Idx::new(0)].best("10.2.0.4".parse().unwrap()).unwrap()];
        assert_eq!(r.next_hop, NextHopType::None);
        let r = &p.routes[Idx::new(0)].routes[p.routes[Idx::new(0)].best("10.1.200.4".parse().unwrap()).unwrap()];
        assert_eq!(r.next_hop, NextHopType::VnetLocal);
    }

    #[test]
    fn a_vnet_range_equal_to_or_containing_a_reserved_prefix_replaces_it() {
        let n = net(&[vnet("v", "10.0.0.0/8", &[("s", "10.0.0.0/24", None, None)], &[])]);
        let t = table(&crate::testutil::prep(&n), 0);
        assert!(t.contains(&"Default Active 10.0.0.0/8 VnetLocal".to_string()), "{t:?}");
        assert!(!t.iter().any(|r| r.contains("10.0.0.0/8 None")), "{t:?}");
        assert!(t.contains(&"Default Active 172.16.0.0/12 None".to_string()), "{t:?}");
        let n = net(&[vnet("v", "172.0.0.0/11", &[("s", "172.16.0.0/24", None, None)], &[])]);
        let t = table(&crate::testutil::prep(&n), 0);
        assert!(!t.iter().any(|r| r.contains("172.16.0.0/12")), "{t:?}");
    }

    #[test]
    fn a_default_udr_overrides_internet_and_the_none_routes() {
        let n = net(&[
            vnet("v", "10.1.0.0/16", &[("s", "10.1.0.0/24", None, Some("rt"))], &[]),
            route_table("rt", &[("fw", "0.0.0.0/0", "VirtualAppliance", Some("10.0.0.4"))], false),
        ]);
        let p = crate::testutil::prep(&n);
        let t = table(&p, 0);
        assert!(t.contains(&"Default Invalid 0.0.0.0/0 Internet".to_string()), "{t:?}");
        assert!(t.contains(&"Default Invalid 10.0.0.0/8 None".to_string()), "{t:?}");
        let r = &p.routes[Idx::new(0)].routes[p.routes[Idx::new(0)].best("10.2.0.4".parse().unwrap()).unwrap()];
        assert_eq!((r.source, r.next_hop), (RouteSource::User, NextHopType::VirtualAppliance));
    }

    #[test]
    fn same_prefix_user_beats_default_and_longest_prefix_wins() {
        let n = net(&[
            vnet("v", "10.0.0.0/16", &[("s", "10.0.0.0/24", None, Some("rt"))], &[]),
            route_table(
                "rt",
                &[
                    ("nva", "10.0.0.0/16", "VirtualAppliance", Some("10.0.100.4")),
                    ("local", "10.0.0.0/24", "VnetLocal", None),
                ],
                false,
            ),
        ]);
        let p = crate::testutil::prep(&n);
        let t = table(&p, 0);
        assert!(t.contains(&"Default Invalid 10.0.0.0/16 VnetLocal".to_string()), "{t:?}");
        let at = |ip: &str| {
            let r = &p.routes[Idx::new(0)].routes[p.routes[Idx::new(0)].best(ip.parse().unwrap()).unwrap()];
            match &r.origin {
                RouteOrigin::User(n) => n.clone(),
                other => format!("{other:?}"),
            }
        };
        assert_eq!(at("10.0.0.9"), "local");
        assert_eq!(at("10.0.5.9"), "nva");
        // The hash-per-length lookup agrees with the plain scan everywhere.
        for ip in ["10.0.0.9", "10.0.5.9", "10.9.0.1", "8.8.8.8", "192.168.1.1", "100.64.0.1"] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(p.routes[Idx::new(0)].best(ip), p.routes[Idx::new(0)].lookup(ip).map(|c| c.route), "{ip}");
        }
    }

    #[test]
    fn peering_routes_need_both_sides_and_are_not_transitive() {
        let n = net(&[
            vnet("hub", "10.0.0.0/16", &[("s", "10.0.0.0/24", None, None)], &["a", "b"]),
            vnet("a", "10.1.0.0/16", &[("s", "10.1.0.0/24", None, None)], &["hub"]),
            vnet("b", "10.2.0.0/16", &[("s", "10.2.0.0/24", None, None)], &[]),
        ]);
        let p = crate::testutil::prep(&n);
        let a = Idx::all(&n.subnets).find(|&s| n.subnet_path(s) == "a/s").unwrap();
        let hub = Idx::all(&n.subnets).find(|&s| n.subnet_path(s) == "hub/s").unwrap();
        assert!(table(&p, a.index()).contains(&"Default Active 10.0.0.0/16 VNetPeering".to_string()));
        // a does not learn b through the hub, and b has no peering back.
        assert!(!table(&p, a.index()).iter().any(|r| r.contains("10.2.0.0/16")));
        assert!(!table(&p, hub.index()).iter().any(|r| r.contains("10.2.0.0/16")));
    }
}
