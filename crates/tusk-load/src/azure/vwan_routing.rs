//! The routing parts of Virtual WAN: hub route tables
//! (`virtualHubs/hubRouteTables`, REST API virtualWan.json `HubRouteTable`:
//! `labels`, `routes[]` with `destinationType` / `destinations` /
//! `nextHopType` / `nextHop`), a hub connection's `routingConfiguration`
//! (`associatedRouteTable`, `propagatedRouteTables` `ids` / `labels`,
//! `vnetRoutes.staticRoutes`), `virtualWans` (`type`,
//! `allowBranchToBranchTraffic`) and the gateways that live in a hub
//! (`properties.virtualHub.id`). Microsoft Learn, "About virtual hub
//! routing" (virtual-wan/about-virtual-hub-routing) says what each field
//! means; `az network vhub route-table show` and `vhub connection show`
//! print the same bodies.

use super::cx::Cx;
use super::shape::prop;
use crate::doc::Node;
use tusk_model::azure::{
    AttachmentKind, ConnectionRouting, HubAttachment, HubRouteTable, HubStaticRoute, ResourceId, VirtualWan,
    VnetStaticRoute,
};

fn id_of(n: Option<&Node>) -> Option<ResourceId> {
    n?.get_ci("id").and_then(Node::as_str).map(ResourceId::new)
}

fn texts(n: Option<&Node>) -> Vec<String> {
    n.and_then(Node::as_seq).unwrap_or_default().iter().filter_map(|d| d.as_str().map(str::to_string)).collect()
}

fn text(n: &Node, key: &str) -> String {
    n.get_ci(key).and_then(Node::as_str).unwrap_or("?").to_string()
}

/// A `hubRouteTables` resource.
pub fn route_table(cx: &mut Cx, id: ResourceId, n: &Node) -> HubRouteTable {
    let routes = prop(n, "routes")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|r| HubStaticRoute {
            loc: cx.loc(r),
            name: text(r, "name"),
            destination_type: text(r, "destinationType"),
            destinations: texts(r.get_ci("destinations")),
            next_hop_type: text(r, "nextHopType"),
            next_hop: text(r, "nextHop"),
        })
        .collect();
    HubRouteTable { id, loc: cx.loc(n), labels: texts(prop(n, "labels")), routes }
}

/// A connection's `routingConfiguration`: defaults when absent (associated
/// to and propagating to the default route table, "About virtual hub
/// routing": "By default, all connections associate and propagate to the
/// Default route table"); `None`, with a warning, when written as
/// something tusk cannot read.
pub fn connection_routing(cx: &mut Cx, n: &Node) -> Option<ConnectionRouting> {
    let Some(rc) = prop(n, "routingConfiguration") else { return Some(ConnectionRouting::default()) };
    if rc.as_str().is_some() {
        cx.warn(
            rc,
            "`routingConfiguration` is not an object tusk can read; the hub's routing for this VNet is unknown",
        );
        return None;
    }
    let mut out = ConnectionRouting { associated: id_of(rc.get_ci("associatedRouteTable")), ..Default::default() };
    if let Some(p) = rc.get_ci("propagatedRouteTables") {
        out.propagation_written = true;
        out.propagated_ids =
            p.get_ci("ids").and_then(Node::as_seq).unwrap_or_default().iter().filter_map(|i| id_of(Some(i))).collect();
        out.propagated_labels = texts(p.get_ci("labels"));
    }
    if let Some(v) = rc.get_ci("vnetRoutes") {
        out.static_routes = v
            .get_ci("staticRoutes")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|r| VnetStaticRoute {
                loc: cx.loc(r),
                name: text(r, "name"),
                prefixes: texts(r.get_ci("addressPrefixes")),
                next_hop_ip: r.get_ci("nextHopIpAddress").and_then(Node::as_str).and_then(|s| s.trim().parse().ok()),
            })
            .collect();
        out.propagate_static_routes =
            v.get_ci("staticRoutesConfig").and_then(|c| c.get_ci("propagateStaticRoutes")).and_then(Node::as_bool);
    }
    Some(out)
}

/// A `virtualWans` resource.
pub fn wan(cx: &mut Cx, id: ResourceId, n: &Node) -> VirtualWan {
    VirtualWan {
        id,
        loc: Some(cx.loc(n)),
        kind: prop(n, "type").and_then(Node::as_str).map(str::to_string),
        allow_branch_to_branch: prop(n, "allowBranchToBranchTraffic").and_then(Node::as_bool),
        allow_vnet_to_vnet: prop(n, "allowVnetToVnetTraffic").and_then(Node::as_bool),
    }
}

/// The hub a resource lives in (`properties.virtualHub.id`): an Azure
/// Firewall of a secured hub, a hub's VPN / ExpressRoute / point-to-site
/// gateway or NVA.
pub fn hub_of(n: &Node) -> Option<ResourceId> {
    id_of(prop(n, "virtualHub"))
}

/// A gateway or NVA in a hub, for [`super::vwan::Pending`]: `None` when it
/// names no hub.
pub fn attachment(cx: &mut Cx, id: ResourceId, n: &Node, kind: AttachmentKind) -> (Option<ResourceId>, HubAttachment) {
    (hub_of(n), HubAttachment { id, loc: cx.loc(n), kind })
}
