//! Virtual WAN hub steps in words ([`tusk_network::vwan::HubStep`]): the
//! hub's route and where it came from, its firewall's forwarding, and why
//! the hub's routing is unknown, with the page of Microsoft's docs the rule
//! comes from.

use tusk_model::azure::{AttachmentKind, AzureNetwork, HubConnection, Idx, VirtualHub};
use tusk_network::vwan::{HubDoubt, HubDoubtKind, HubRoute, HubRouteKind, HubStep, HubTarget, Unreadable};

fn hub_name(net: &AzureNetwork, h: Idx<VirtualHub>) -> &str {
    net.virtual_hubs[h].id.name()
}

fn conn_name(net: &AzureNetwork, h: Idx<VirtualHub>, c: Idx<HubConnection>) -> &str {
    net.virtual_hubs[h].connections[c].id.name()
}

/// A hub route's next hop, in words.
pub fn target(net: &AzureNetwork, hub: Idx<VirtualHub>, t: &HubTarget) -> String {
    match t {
        HubTarget::Connection(c) => {
            let conn = &net.virtual_hubs[hub].connections[*c];
            let vnet = conn.vnet.map(|v| net.vnets[v].id.name()).unwrap_or(conn.remote.name());
            format!("connection {} (VNet {vnet})", conn.id.name())
        }
        HubTarget::Firewall(f) => format!("Azure Firewall {}", net.firewalls[*f].id.name()),
        HubTarget::RemoteHub { hub, connection } => {
            format!("connection {} of hub {}", conn_name(net, *hub, *connection), hub_name(net, *hub))
        }
    }
}

fn route(net: &AzureNetwork, hub: Idx<VirtualHub>, r: &HubRoute) -> String {
    let h = &net.virtual_hubs[hub];
    let origin = match &r.kind {
        HubRouteKind::Propagated => "propagated VNet range".to_string(),
        HubRouteKind::ConnectionStatic => "propagated static route of a VNet connection".to_string(),
        HubRouteKind::Static { table, route } => {
            let t = &h.route_tables[*table];
            let s = &t.routes[*route];
            format!("static route {} of {} ({})", s.name, t.id.name(), s.loc)
        }
        HubRouteKind::Intent(i) => {
            let p = &h.routing_policies[*i];
            let name = if p.destinations.iter().any(|d| d.eq_ignore_ascii_case("Internet")) {
                "_policy_PublicTraffic"
            } else {
                "_policy_PrivateTraffic"
            };
            format!("routing intent policy {} ({name}, {})", p.name, p.loc)
        }
    };
    format!("{} → {} [{origin}]", r.prefix, target(net, hub, &r.target))
}

fn doubt(net: &AzureNetwork, hub: Idx<VirtualHub>, d: &HubDoubt) -> String {
    let what = match &d.kind {
        HubDoubtKind::BasicWan => {
            "the Virtual WAN is Basic; routing between VNets through a hub is a Standard feature (virtual-wan/about-virtual-hub-routing)".to_string()
        }
        HubDoubtKind::VnetToVnetOff => "the Virtual WAN sets allowVnetToVnetTraffic to false".to_string(),
        HubDoubtKind::RoutingUnreadable => "a connection's routingConfiguration could not be read".to_string(),
        HubDoubtKind::TableMissing(id) => format!("the connection is associated to route table {}, which is not in the inputs", id.name()),
        HubDoubtKind::PropagationLabels => "a connection propagates by route table id with no label; the docs say a connection with no label also propagates to the `default` label (virtual-wan/about-virtual-hub-routing, \"Labels\"), so whether it reaches the default route tables is open".to_string(),
        HubDoubtKind::VnetMissing => "a connected VNet is not in the inputs, so its ranges are unknown".to_string(),
        HubDoubtKind::StaticRouteUnreadable(w) => format!("a static route tusk cannot read ({})", unreadable(w)),
        HubDoubtKind::NextHopNotModelled(id) => format!(
            "next hop {} is neither the hub's Azure Firewall nor one of its VNet connections (an NVA or SaaS in the hub is not modelled)",
            id.name()
        ),
        HubDoubtKind::FirewallMissing(id) => format!(
            "next hop {} is the hub's Azure Firewall, which is not in the inputs",
            id.name()
        ),
        HubDoubtKind::IntentUnreadable => "the hub's routing intent could not be read".to_string(),
        HubDoubtKind::IntentWithCustomRouting => "routing intent with custom route tables or static routes to a VNet connection, which the docs say cannot coexist (virtual-wan/how-to-routing-policies, \"Prerequisites\")".to_string(),
        HubDoubtKind::StaticPropagationUnknown => "a connection's static routes without staticRoutesConfig.propagateStaticRoutes: whether the hub learns them is unknown".to_string(),
        HubDoubtKind::Tie(c) => format!("two routes of one kind for {c} with different next hops"),
        HubDoubtKind::InternetSecurityUnset => "the hub's 0.0.0.0/0 reaches a VNet only over a connection with enableInternetSecurity (virtual-wan/how-to-routing-policies), which this connection does not set".to_string(),
        HubDoubtKind::InsideHub(prefix) => format!(
            "the destination may be inside the hub's own range {prefix} (its router, firewall or gateways), which tusk does not model"
        ),
        HubDoubtKind::HubPrefixUnreadable(text) => format!(
            "the hub's addressPrefix `{text}` is no CIDR, so whether the destination is inside the hub's own range (its router, firewall or gateways) is unknown"
        ),
        HubDoubtKind::Branches(g) => {
            let g = &net.virtual_hubs[hub].branch_gateways[*g];
            let kind = match g.kind {
                AttachmentKind::VpnGateway => "VPN gateway",
                AttachmentKind::ExpressRouteGateway => "ExpressRoute gateway",
                AttachmentKind::PointToSiteGateway => "point-to-site VPN gateway",
                AttachmentKind::VirtualAppliance => "network virtual appliance in the hub",
            };
            format!("the hub learns branch routes (BGP) through {kind} {}, which tusk does not model", g.id.name())
        }
    };
    format!("{what} ({})", d.loc)
}

/// The unreadable part of a static route, with its text.
fn unreadable(u: &Unreadable) -> String {
    match u {
        Unreadable::DestinationType(t) => format!("destinationType {t}"),
        Unreadable::Prefix(t) => format!("prefix `{t}`"),
        Unreadable::Destination(t) => format!("destination `{t}`"),
        Unreadable::NextHop(route) => format!("next hop of {route}"),
    }
}

/// A hub step in words.
pub fn step(net: &AzureNetwork, s: &HubStep) -> String {
    match s {
        HubStep::Doubt { hub, connection, doubt: d } => format!(
            "the VNet is connected to Virtual WAN hub {} by {}; the hub's routing is unknown: {}",
            hub_name(net, *hub),
            conn_name(net, *hub, *connection),
            doubt(net, *hub, d)
        ),
        HubStep::Route { hub, connection, route: r } => format!(
            "hub {} routes traffic from connection {} by its associated route table: {} (virtual-wan/about-virtual-hub-routing)",
            hub_name(net, *hub),
            conn_name(net, *hub, *connection),
            route(net, *hub, r)
        ),
        HubStep::NoRoute { hub, connection, dst } => format!(
            "no route of the route table connection {} of hub {} is associated to holds {dst}",
            conn_name(net, *hub, *connection),
            hub_name(net, *hub)
        ),
        HubStep::ConnectionNextHop { hub, connection, route, ip } => {
            let c = &net.virtual_hubs[*hub].connections[*connection];
            let r = c.routing.as_ref().map(|x| &x.static_routes[*route]);
            format!(
                "static route {} of connection {} sends it to {ip} inside the VNet ({})",
                r.map(|x| x.name.as_str()).unwrap_or("?"),
                c.id.name(),
                r.map(|x| x.loc.to_string()).unwrap_or_default()
            )
        }
        HubStep::FirewallForwards { hub, connection } => format!(
            "the hub's firewall forwards it to connection {}, whose VNet holds the destination",
            conn_name(net, *hub, *connection)
        ),
        HubStep::FirewallToInternet { hub } => format!(
            "hub {} sends Internet traffic to its firewall, which forwards it to the Internet (direct access, virtual-wan/how-to-routing-policies)",
            hub_name(net, *hub)
        ),
        HubStep::BeyondFirewall { hub, dst } => format!(
            "after the firewall of hub {}, {dst} is in no VNet connected to the hub and the hub sends no Internet traffic there: a branch, another hub or an address no input holds, which tusk does not model",
            hub_name(net, *hub)
        ),
        HubStep::RemoteHub { hub, remote, connection } => format!(
            "hub {} routes it to connection {} of hub {}: routing between hubs is not modelled",
            hub_name(net, *hub),
            conn_name(net, *remote, *connection),
            hub_name(net, *remote)
        ),
    }
}
