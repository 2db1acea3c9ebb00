//! Virtual WAN hub routing, where Microsoft's documentation makes it
//! deterministic. A hub VNet connection is associated to one hub route
//! table: its VNet learns that table's routes and the hub forwards the
//! connection's traffic by them ("About virtual hub routing",
//! virtual-wan/about-virtual-hub-routing, "Association"). A table holds its
//! static routes and the ranges of the connections that propagate to it, by
//! id or by label (`default` is the built-in label of every hub's
//! `defaultRouteTable`; "Propagation", "Labels"); "Routes added statically
//! take precedence over dynamically learned routes for the same prefixes".
//! Without a `routingConfiguration` a connection associates and propagates
//! to the default route table. Routing intent ("How to configure Virtual
//! WAN Hub routing intent and routing policies",
//! virtual-wan/how-to-routing-policies) manages all of it: every
//! connection is associated to `defaultRouteTable`; a Private Traffic
//! policy adds `_policy_PrivateTraffic` (10.0.0.0/8, 172.16.0.0/12,
//! 192.168.0.0/16) to the next hop and makes connections propagate to
//! `noneRouteTable`; an Internet policy adds `_policy_PublicTraffic`
//! (0.0.0.0/0), learned only by connections with `enableInternetSecurity`;
//! other static routes of `defaultRouteTable` (the "additional prefixes")
//! stay.
//!
//! Unknown, with the reason: a Basic WAN, a configuration tusk cannot read
//! or that the docs leave open (a connection propagating by id with no
//! label, which the docs say also propagates to the `default` label), a
//! next hop that is not the hub's firewall or one of its connections (an
//! NVA or SaaS in the hub), and every route to another hub.

use crate::index::EstateIndex;
use std::net::IpAddr;
use tusk_core::ip::Cidr;
use tusk_core::Loc;
use tusk_model::azure::{
    AzureFirewall, ConnectionRouting, HubAttachment, HubConnection, HubRouteTable, HubStaticRoute, Idx, ResourceId,
    RoutingPolicy, VirtualHub, VnetStaticRoute,
};

/// Where a hub route sends a packet.
#[derive(Debug, Clone, PartialEq)]
pub enum HubTarget {
    /// The VNet of this hub's connection.
    Connection(Idx<HubConnection>),
    /// An Azure Firewall (the secured hub's).
    Firewall(Idx<AzureFirewall>),
    /// A VNet connected to another hub: inter-hub routing, not modelled.
    RemoteHub {
        /// The other hub.
        hub: Idx<VirtualHub>,
        /// Its connection.
        connection: Idx<HubConnection>,
    },
}

/// What made a hub route.
#[derive(Debug, Clone, PartialEq)]
pub enum HubRouteKind {
    /// The range of a connected VNet propagated to the table.
    Propagated,
    /// A static route of the hub route table (`route_tables[table].routes[route]`).
    Static {
        /// The table, one of the hub's `route_tables`.
        table: Idx<HubRouteTable>,
        /// The route, one of the table's `routes`.
        route: Idx<HubStaticRoute>,
    },
    /// A VNet connection's static route (`vnetRoutes.staticRoutes`) that it
    /// propagates (`propagateStaticRoutes`).
    ConnectionStatic,
    /// A routing intent policy's route (`_policy_PrivateTraffic` or
    /// `_policy_PublicTraffic`), one of the hub's `routing_policies`.
    Intent(Idx<RoutingPolicy>),
}

/// One route of a hub route table, as the hub uses it.
#[derive(Debug, Clone, PartialEq)]
pub struct HubRoute {
    /// The destination prefix.
    pub prefix: Cidr,
    /// The next hop.
    pub target: HubTarget,
    /// Where the route comes from.
    pub kind: HubRouteKind,
}

/// Why a hub's routing is unknown.
#[derive(Debug, Clone, PartialEq)]
pub enum HubDoubtKind {
    /// The WAN is Basic: hub routing between VNets is a Standard feature.
    BasicWan,
    /// `allowVnetToVnetTraffic: false` on the WAN.
    VnetToVnetOff,
    /// A connection's `routingConfiguration` could not be read.
    RoutingUnreadable,
    /// A connection is associated to a route table the inputs do not hold.
    TableMissing(ResourceId),
    /// A connection propagates by id with no label: the docs say a
    /// connection without labels also propagates to the `default` label.
    PropagationLabels,
    /// A connected VNet is not in the inputs: its ranges are unknown.
    VnetMissing,
    /// A static route tusk cannot read (not CIDR, or an unreadable prefix).
    StaticRouteUnreadable(Unreadable),
    /// A static route's next hop (its resource id) is neither the hub's
    /// firewall nor one of its connections (an NVA or SaaS in the hub).
    NextHopNotModelled(ResourceId),
    /// The next hop (its resource id) is the hub's Azure Firewall, which is
    /// not in the inputs.
    FirewallMissing(ResourceId),
    /// The routing intent could not be read.
    IntentUnreadable,
    /// Routing intent with custom route tables or static routes to a VNet
    /// connection, which the docs say cannot coexist.
    IntentWithCustomRouting,
    /// A connection's static routes whose propagation is not written.
    StaticPropagationUnknown,
    /// Two routes of the same kind for the same prefix, to different next hops.
    Tie(Cidr),
    /// The default route comes from routing intent or a static route and
    /// `enableInternetSecurity` is not written: whether the VNet learns it is unknown.
    InternetSecurityUnset,
    /// The hub learns branch routes (BGP) from gateways or NVAs in it: the
    /// first of them, an index into the hub's `branch_gateways`.
    Branches(Idx<HubAttachment>),
    /// The destination is inside the hub's own `addressPrefix` (its router,
    /// firewall or gateways), which connected VNets reach by a route tusk
    /// does not model.
    InsideHub(Cidr),
    /// The hub's `addressPrefix` (the text as written) is no CIDR: whether
    /// the destination is inside the hub's own range is unknown.
    HubPrefixUnreadable(String),
}

/// The part of a static route tusk cannot read, with the text as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Unreadable {
    /// `destinationType` other than `CIDR` (`ResourceId`, `Service`).
    DestinationType(String),
    /// A connection static route's `addressPrefixes` entry that is no CIDR.
    Prefix(String),
    /// A hub route's `destinations` entry that is no CIDR.
    Destination(String),
    /// A connection static route (its name) whose `nextHopIpAddress` is
    /// no address.
    NextHop(String),
}

/// A [`HubDoubtKind`] with the place it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct HubDoubt {
    /// What is unknown.
    pub kind: HubDoubtKind,
    /// Where the configuration in question was read.
    pub loc: Loc,
}

fn doubt<T>(kind: HubDoubtKind, loc: &Loc) -> Result<T, HubDoubt> {
    Err(HubDoubt { kind, loc: loc.clone() })
}

/// Does `c` hold `ip`?
pub fn holds(c: &Cidr, ip: IpAddr) -> bool {
    let r = c.range();
    let x = tusk_core::ip::ip_to_u128(ip);
    c.addr.is_ipv4() == ip.is_ipv4() && r.lo <= x && x <= r.hi
}

const RFC1918: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

fn is_table(id: &ResourceId, hub: &VirtualHub, name: &str) -> bool {
    id.name().eq_ignore_ascii_case(name) && id.parent().is_some_and(|p| p.key() == hub.id.key())
}

fn table_named<'h>(hub: &'h VirtualHub, name: &str) -> Option<(Idx<HubRouteTable>, &'h HubRouteTable)> {
    Idx::enumerate(&hub.route_tables).find(|(_, t)| t.id.name().eq_ignore_ascii_case(name))
}

fn firewall_ix(p: &EstateIndex, id: &str) -> Option<Idx<AzureFirewall>> {
    let key = ResourceId::new(id);
    Idx::enumerate(&p.net.firewalls).find(|(_, f)| f.id.key() == key.key()).map(|(i, _)| i)
}

/// The hub whose firewall is `f`.
pub fn hub_of_firewall(p: &EstateIndex, f: Idx<AzureFirewall>) -> Option<Idx<VirtualHub>> {
    let key = p.net.firewalls[f].id.key();
    let hubs = &p.net.virtual_hubs;
    Idx::all(hubs).find(|&h| hubs[h].firewall.as_ref().is_some_and(|x| x.key() == key))
}

fn cidrs(texts: &[String], loc: &Loc, what: fn(String) -> Unreadable) -> Result<Vec<Cidr>, HubDoubt> {
    texts
        .iter()
        .map(|t| match Cidr::parse(t.trim()) {
            Ok(c) => Ok(c),
            Err(_) => doubt(HubDoubtKind::StaticRouteUnreadable(what(t.clone())), loc),
        })
        .collect()
}

/// The WAN-level reasons a hub does not route between VNets.
fn wan_doubt(hub: &VirtualHub) -> Result<(), HubDoubt> {
    let Some(w) = &hub.wan else { return Ok(()) };
    let loc = w.loc.clone().unwrap_or_else(|| hub.loc.clone());
    if w.kind.as_deref().is_some_and(|k| k.eq_ignore_ascii_case("Basic")) {
        return doubt(HubDoubtKind::BasicWan, &loc);
    }
    if w.allow_vnet_to_vnet == Some(false) {
        return doubt(HubDoubtKind::VnetToVnetOff, &loc);
    }
    Ok(())
}

/// Why a flow from a VNet connected to hub `h` over `c` to `dst` (outside
/// the VNet) has an unknown route, before any table: `dst` inside the hub's
/// own range, or a table the docs leave open ([`table`]).
pub fn precheck(p: &EstateIndex, h: Idx<VirtualHub>, c: Idx<HubConnection>, dst: IpAddr) -> Result<(), HubDoubt> {
    let hub = &p.net.virtual_hubs[h];
    if let Some(text) = &hub.address_prefix {
        match Cidr::parse(text.trim()) {
            Ok(c) if !holds(&c, dst) => {}
            Ok(c) => return doubt(HubDoubtKind::InsideHub(c), &hub.loc),
            Err(_) => return doubt(HubDoubtKind::HubPrefixUnreadable(text.clone()), &hub.loc),
        }
    }
    table(p, h, c).map(|_| ())
}

/// The routes of the table connection `c` of hub `h` is associated to.
pub fn table(p: &EstateIndex, h: Idx<VirtualHub>, c: Idx<HubConnection>) -> Result<Vec<HubRoute>, HubDoubt> {
    let net = p.net;
    let hub = &net.virtual_hubs[h];
    wan_doubt(hub)?;
    if let Some(g) = hub.branch_gateways.first() {
        return doubt(HubDoubtKind::Branches(Idx::new(0)), &g.loc);
    }
    if !hub.routing_policies.is_empty() {
        return intent_table(p, h, c);
    }
    let conn = &hub.connections[c];
    let Some(rc) = &conn.routing else { return doubt(HubDoubtKind::RoutingUnreadable, &conn.loc) };
    let (t, labels, statics) = match &rc.associated {
        Some(id) if !is_table(id, hub, "defaultRouteTable") => {
            match Idx::enumerate(&hub.route_tables).find(|(_, t)| t.id.key() == id.key()) {
                Some((i, t)) => (Some(i), t.labels.clone(), Some(t)),
                None => return doubt(HubDoubtKind::TableMissing(id.clone()), &conn.loc),
            }
        }
        _ => {
            let d = table_named(hub, "defaultRouteTable");
            let mut labels = d.map(|(_, t)| t.labels.clone()).unwrap_or_default();
            labels.push("default".into());
            (d.map(|(i, _)| i), labels, d.map(|(_, t)| t))
        }
    };
    let mut out = Vec::new();
    if let (Some(ti), Some(table)) = (t, statics) {
        static_routes(p, h, ti, table, false, &mut out)?;
    }
    let target_id = t.map(|i| hub.route_tables[i].id.clone());
    for (hh, other) in Idx::enumerate(&net.virtual_hubs) {
        for (cc, oc) in Idx::enumerate(&other.connections) {
            let Some(orc) = &oc.routing else { return doubt(HubDoubtKind::RoutingUnreadable, &oc.loc) };
            let to_default_here = hh == h && target_id.as_ref().is_none_or(|x| is_table(x, hub, "defaultRouteTable"));
            if !propagates(orc, other, hh == h, target_id.as_ref(), to_default_here, &labels, &oc.loc)? {
                continue;
            }
            let target =
                if hh == h { HubTarget::Connection(cc) } else { HubTarget::RemoteHub { hub: hh, connection: cc } };
            let Some(v) = oc.vnet else { return doubt(HubDoubtKind::VnetMissing, &oc.loc) };
            for prefix in &net.vnets[v].address_space {
                out.push(HubRoute { prefix: *prefix, target: target.clone(), kind: HubRouteKind::Propagated });
            }
            if !orc.static_routes.is_empty() {
                match orc.propagate_static_routes {
                    Some(false) => {}
                    Some(true) => {
                        for r in &orc.static_routes {
                            for prefix in cidrs(&r.prefixes, &r.loc, Unreadable::Prefix)? {
                                let kind = HubRouteKind::ConnectionStatic;
                                out.push(HubRoute { prefix, target: target.clone(), kind });
                            }
                        }
                    }
                    None => return doubt(HubDoubtKind::StaticPropagationUnknown, &oc.loc),
                }
            }
        }
    }
    Ok(out)
}

/// Does a connection with routing `rc` (of hub `owner`) propagate to the
/// table with id `target` (`None`: the implicit default table) and `labels`?
fn propagates(
    rc: &ConnectionRouting,
    owner: &VirtualHub,
    same_hub: bool,
    target: Option<&ResourceId>,
    target_is_default: bool,
    labels: &[String],
    loc: &Loc,
) -> Result<bool, HubDoubt> {
    if !rc.propagation_written {
        // Default: the hub's own default route table and the `default` label.
        return Ok(target_is_default || labels.iter().any(|l| l.eq_ignore_ascii_case("default")));
    }
    let by_id = same_hub
        && rc.propagated_ids.iter().any(|id| match target {
            Some(t) => id.key() == t.key(),
            None => is_table(id, owner, "defaultRouteTable"),
        });
    let by_label = rc.propagated_labels.iter().any(|l| labels.iter().any(|x| x.eq_ignore_ascii_case(l)));
    if by_id || by_label {
        return Ok(true);
    }
    let to_none = rc.propagated_ids.iter().any(|id| id.name().eq_ignore_ascii_case("noneRouteTable"));
    let default_target = labels.iter().any(|l| l.eq_ignore_ascii_case("default"));
    if rc.propagated_labels.is_empty() && !rc.propagated_ids.is_empty() && !to_none && default_target {
        return doubt(HubDoubtKind::PropagationLabels, loc);
    }
    Ok(false)
}

/// The static routes of `table` (the `ti`th of hub `h`). Under routing
/// intent, prefixes equal to 0.0.0.0/0 or an RFC 1918 supernet are the
/// policies' own and are skipped ("Static routes in defaultRouteTable").
fn static_routes(
    p: &EstateIndex,
    h: Idx<VirtualHub>,
    ti: Idx<HubRouteTable>,
    table: &HubRouteTable,
    intent: bool,
    out: &mut Vec<HubRoute>,
) -> Result<(), HubDoubt> {
    let hub = &p.net.virtual_hubs[h];
    for (ri, r) in Idx::enumerate(&table.routes) {
        if !r.destination_type.eq_ignore_ascii_case("CIDR") {
            return doubt(
                HubDoubtKind::StaticRouteUnreadable(Unreadable::DestinationType(r.destination_type.clone())),
                &r.loc,
            );
        }
        let next = ResourceId::new(r.next_hop.as_str());
        let target = if hub.firewall.as_ref().is_some_and(|f| f.key() == next.key()) {
            match firewall_ix(p, &r.next_hop) {
                Some(f) => HubTarget::Firewall(f),
                None => return doubt(HubDoubtKind::FirewallMissing(next), &r.loc),
            }
        } else if let Some(c) = Idx::all(&hub.connections).find(|&c| hub.connections[c].id.key() == next.key()) {
            if intent {
                return doubt(HubDoubtKind::IntentWithCustomRouting, &r.loc);
            }
            HubTarget::Connection(c)
        } else {
            return doubt(HubDoubtKind::NextHopNotModelled(next), &r.loc);
        };
        for prefix in cidrs(&r.destinations, &r.loc, Unreadable::Destination)? {
            let policy_owned = prefix.prefix == 0 || RFC1918.iter().any(|s| Cidr::parse(s).is_ok_and(|x| x == prefix));
            if intent && policy_owned {
                continue;
            }
            out.push(HubRoute { prefix, target: target.clone(), kind: HubRouteKind::Static { table: ti, route: ri } });
        }
    }
    Ok(())
}

/// The table of every connection of a hub with routing intent (the table
/// of "Rollback strategy" and "Static routes in defaultRouteTable").
fn intent_table(p: &EstateIndex, h: Idx<VirtualHub>, _c: Idx<HubConnection>) -> Result<Vec<HubRoute>, HubDoubt> {
    let net = p.net;
    let hub = &net.virtual_hubs[h];
    if let Some(t) = hub.route_tables.iter().find(|t| {
        !t.id.name().eq_ignore_ascii_case("defaultRouteTable") && !t.id.name().eq_ignore_ascii_case("noneRouteTable")
    }) {
        return doubt(HubDoubtKind::IntentWithCustomRouting, &t.loc);
    }
    let mut out = Vec::new();
    let mut private = false;
    for (i, pol) in Idx::enumerate(&hub.routing_policies) {
        let Some(f) = firewall_ix(p, &pol.next_hop) else {
            if pol.next_hop == "?" || pol.name == "?" {
                return doubt(HubDoubtKind::IntentUnreadable, &pol.loc);
            }
            if hub.firewall.as_ref().is_some_and(|f| f.key() == ResourceId::new(pol.next_hop.as_str()).key()) {
                return doubt(HubDoubtKind::FirewallMissing(ResourceId::new(pol.next_hop.as_str())), &pol.loc);
            }
            return doubt(HubDoubtKind::NextHopNotModelled(ResourceId::new(pol.next_hop.as_str())), &pol.loc);
        };
        for d in &pol.destinations {
            let prefixes: &[&str] = if d.eq_ignore_ascii_case("PrivateTraffic") {
                private = true;
                &RFC1918
            } else if d.eq_ignore_ascii_case("Internet") {
                &["0.0.0.0/0"]
            } else {
                return doubt(HubDoubtKind::IntentUnreadable, &pol.loc);
            };
            for s in prefixes {
                let prefix = Cidr::parse(s).expect("static CIDR");
                out.push(HubRoute { prefix, target: HubTarget::Firewall(f), kind: HubRouteKind::Intent(i) });
            }
        }
    }
    if let Some((ti, t)) = table_named(hub, "defaultRouteTable") {
        static_routes(p, h, ti, t, true, &mut out)?;
    }
    // Internet only: connections keep propagating to the `default` label.
    if !private {
        for (cc, oc) in Idx::enumerate(&hub.connections) {
            let Some(v) = oc.vnet else { return doubt(HubDoubtKind::VnetMissing, &oc.loc) };
            for prefix in &net.vnets[v].address_space {
                let target = HubTarget::Connection(cc);
                out.push(HubRoute { prefix: *prefix, target, kind: HubRouteKind::Propagated });
            }
        }
    }
    Ok(out)
}

/// The route the hub uses for `dst`: the longest prefix; for one prefix a
/// static (or policy) route beats a propagated one. `Ok(None)`: no route.
pub fn lookup(routes: &[HubRoute], dst: IpAddr) -> Result<Option<&HubRoute>, HubDoubt> {
    let holding = || routes.iter().filter(|r| holds(&r.prefix, dst));
    let Some(len) = holding().map(|r| r.prefix.prefix).max() else { return Ok(None) };
    let longest: Vec<&HubRoute> = holding().filter(|r| r.prefix.prefix == len).collect();
    let is_static = |r: &&HubRoute| r.kind != HubRouteKind::Propagated;
    let best: Vec<&HubRoute> =
        if longest.iter().any(is_static) { longest.into_iter().filter(is_static).collect() } else { longest };
    let first = best[0];
    if best.iter().any(|r| r.target != first.target) {
        return doubt(HubDoubtKind::Tie(first.prefix), &Loc::builtin("virtual-wan/about-virtual-hub-routing"));
    }
    Ok(Some(first))
}

/// The routes a VNet learns from its hub connection: its associated
/// table's routes, except those inside the VNet's own ranges ("Virtual WAN
/// can't attract traffic between two subnets that are in the same virtual
/// network") and the default route when the connection does not take it.
pub fn learned(p: &EstateIndex, h: Idx<VirtualHub>, c: Idx<HubConnection>) -> Vec<HubRoute> {
    let Ok(routes) = table(p, h, c) else { return Vec::new() };
    let conn = &p.net.virtual_hubs[h].connections[c];
    // System routes of the VNet and of its peerings win over BGP routes,
    // even more specific ones ("How Azure selects a route",
    // virtual-network/virtual-networks-udr-overview).
    let own = conn.vnet.map(|v| {
        let mut set = p.vnet_space[v].clone();
        for pe in &p.net.vnets[v].peerings {
            if crate::routes::peering_connected(p, v, pe) {
                set = set.union(&crate::index::set_of(&p.remote_prefixes(pe)));
            }
        }
        set
    });
    routes
        .into_iter()
        .filter(|r| !own.as_ref().is_some_and(|s| r.prefix.set().subtract(s).is_empty()))
        .filter(|r| r.prefix.prefix != 0 || conn.internet_security != Some(false))
        .collect()
}

/// The firewall the hub sends Internet traffic to (an Internet routing
/// policy, or a 0.0.0.0/0 static route of `defaultRouteTable`).
pub fn internet_via(p: &EstateIndex, h: Idx<VirtualHub>) -> Option<Idx<AzureFirewall>> {
    let hub = &p.net.virtual_hubs[h];
    for pol in &hub.routing_policies {
        if pol.destinations.iter().any(|d| d.eq_ignore_ascii_case("Internet")) {
            return firewall_ix(p, &pol.next_hop);
        }
    }
    let (_, t) = table_named(hub, "defaultRouteTable")?;
    t.routes.iter().find(|r| r.destinations.iter().any(|d| d.trim() == "0.0.0.0/0")).and_then(|r| {
        hub.firewall.as_ref().filter(|f| f.key() == ResourceId::new(r.next_hop.as_str()).key())?;
        firewall_ix(p, &r.next_hop)
    })
}

/// The appliance a connection's static route (`vnetRoutes.staticRoutes`)
/// names for `dst`, by longest prefix: (route index, next hop address).
pub fn connection_next_hop(
    p: &EstateIndex,
    h: Idx<VirtualHub>,
    c: Idx<HubConnection>,
    dst: IpAddr,
) -> Result<Option<(Idx<VnetStaticRoute>, IpAddr)>, HubDoubt> {
    let conn = &p.net.virtual_hubs[h].connections[c];
    let Some(rc) = &conn.routing else { return Ok(None) };
    let mut best: Option<(u8, Idx<VnetStaticRoute>, IpAddr)> = None;
    for (i, r) in Idx::enumerate(&rc.static_routes) {
        for prefix in cidrs(&r.prefixes, &r.loc, Unreadable::Prefix)? {
            if !holds(&prefix, dst) || best.is_some_and(|(l, _, _)| l >= prefix.prefix) {
                continue;
            }
            let Some(ip) = r.next_hop_ip else {
                return doubt(HubDoubtKind::StaticRouteUnreadable(Unreadable::NextHop(r.name.clone())), &r.loc);
            };
            best = Some((prefix.prefix, i, ip));
        }
    }
    Ok(best.map(|(_, i, ip)| (i, ip)))
}

/// One decision about a hub, as a trace step records it.
#[derive(Debug, Clone, PartialEq)]
pub enum HubStep {
    /// The hub's routing for this flow is unknown.
    Doubt {
        /// The hub.
        hub: Idx<VirtualHub>,
        /// Its connection to the source's VNet.
        connection: Idx<HubConnection>,
        /// Why.
        doubt: HubDoubt,
    },
    /// The hub's route for the destination.
    Route {
        /// The hub.
        hub: Idx<VirtualHub>,
        /// The connection the packet came in on.
        connection: Idx<HubConnection>,
        /// The route.
        route: HubRoute,
    },
    /// No route of the hub holds the destination.
    NoRoute {
        /// The hub.
        hub: Idx<VirtualHub>,
        /// The connection the packet came in on.
        connection: Idx<HubConnection>,
        /// The destination.
        dst: IpAddr,
    },
    /// A VNet connection's static route sends the packet to an appliance
    /// inside the connected VNet.
    ConnectionNextHop {
        /// The hub.
        hub: Idx<VirtualHub>,
        /// The connection whose static route it is.
        connection: Idx<HubConnection>,
        /// The route, one of its `vnetRoutes.staticRoutes`.
        route: Idx<VnetStaticRoute>,
        /// The next hop address.
        ip: IpAddr,
    },
    /// The hub's firewall forwards to the VNet of a connection holding the
    /// destination.
    FirewallForwards {
        /// The hub.
        hub: Idx<VirtualHub>,
        /// The connection.
        connection: Idx<HubConnection>,
    },
    /// The hub's firewall sends the packet to the Internet.
    FirewallToInternet {
        /// The hub.
        hub: Idx<VirtualHub>,
    },
    /// After the hub's firewall, the destination is in no VNet connected
    /// to the hub and the hub sends no Internet traffic there: a branch,
    /// another hub or an address no input holds.
    BeyondFirewall {
        /// The hub.
        hub: Idx<VirtualHub>,
        /// The destination.
        dst: IpAddr,
    },
    /// The route leads to a VNet connected to another hub (inter-hub
    /// routing is not modelled).
    RemoteHub {
        /// The hub the packet is in.
        hub: Idx<VirtualHub>,
        /// The other hub.
        remote: Idx<VirtualHub>,
        /// Its connection.
        connection: Idx<HubConnection>,
    },
}
