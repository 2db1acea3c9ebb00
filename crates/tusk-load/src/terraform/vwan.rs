//! azurerm Virtual WAN resources as the ARM bodies the Azure loader reads
//! (azurerm provider docs: `virtual_wan`, `virtual_hub`,
//! `virtual_hub_connection` with its `routing` block,
//! `virtual_hub_route_table` and `virtual_hub_route_table_route`,
//! `virtual_hub_routing_intent`; ARM: virtualWan.json, the bodies of
//! `virtualWans`, `virtualHubs`, `hubVirtualNetworkConnections`
//! (`routingConfiguration`), `hubRouteTables` and `routingIntent`).

use super::build::{id_ref, plain, s, seq, Cur, Obj, Tr};
use super::Body;
use crate::doc::Node;

/// `azurerm_virtual_wan`: `type`, `allow_branch_to_branch_traffic`.
pub fn wan(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/virtualWans");
    b.props.put_opt("type", tr.val(&r, "type"));
    b.props.put_opt("allowBranchToBranchTraffic", tr.val(&r, "allow_branch_to_branch_traffic"));
    b
}

/// `azurerm_virtual_hub`: `address_prefix`, `virtual_wan_id`.
pub fn hub(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/virtualHubs");
    b.props.put_opt("addressPrefix", tr.val(&r, "address_prefix"));
    b.props.put_opt("virtualWan", tr.id(&r, "virtual_wan_id").map(id_ref));
    b
}

/// `azurerm_virtual_hub_connection`: `remote_virtual_network_id`,
/// `internet_security_enabled` and the `routing` block
/// (`associated_route_table_id`, `propagated_route_table` `labels` /
/// `route_table_ids`, `static_vnet_route`,
/// `static_vnet_propagate_static_routes_enabled`), as a
/// `hubVirtualNetworkConnections` child of `virtual_hub_id`.
pub fn connection(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/virtualHubs/hubVirtualNetworkConnections");
    b.props.put_opt("remoteVirtualNetwork", tr.id(&r, "remote_virtual_network_id").map(id_ref));
    b.props.put_opt("enableInternetSecurity", tr.val(&r, "internet_security_enabled"));
    if let Some(rt) = r.field("routing").first() {
        b.props.put("routingConfiguration", routing(tr, &rt));
    }
    b
}

fn routing(tr: &Tr, rt: &Cur) -> Node {
    let mut o = Obj::new(rt.pos);
    o.put_opt("associatedRouteTable", tr.id(rt, "associated_route_table_id").map(id_ref));
    if let Some(p) = rt.field("propagated_route_table").first() {
        let mut po = Obj::new(p.pos);
        po.put("ids", seq(p.pos, tr.ids(&p, "route_table_ids").into_iter().map(id_ref).collect()));
        po.put_opt("labels", tr.list(&p, "labels"));
        o.put("propagatedRouteTables", po.node());
    }
    let statics: Vec<Node> = rt
        .field("static_vnet_route")
        .items()
        .iter()
        .map(|sr| {
            let mut so = Obj::new(sr.pos);
            so.put_opt("name", tr.val(sr, "name"));
            so.put_opt("addressPrefixes", tr.list(sr, "address_prefixes"));
            so.put_opt("nextHopIpAddress", tr.val(sr, "next_hop_ip_address"));
            so.node()
        })
        .collect();
    let propagate = tr.val(rt, "static_vnet_propagate_static_routes_enabled");
    if !statics.is_empty() || propagate.is_some() {
        let mut v = Obj::new(rt.pos);
        v.put("staticRoutes", seq(rt.pos, statics));
        if let Some(p) = propagate {
            let mut c = Obj::new(rt.pos);
            c.put("propagateStaticRoutes", p);
            v.put("staticRoutesConfig", c.node());
        }
        o.put("vnetRoutes", v.node());
    }
    o.node()
}

/// One hub route (`route` block of a route table, or
/// `azurerm_virtual_hub_route_table_route`): `name`, `destinations`,
/// `destinations_type`, `next_hop`, `next_hop_type`.
pub fn route(tr: &Tr, c: &Cur, name: Option<Node>) -> Node {
    let mut o = Obj::new(c.pos);
    o.put_opt("name", name.or_else(|| tr.val(c, "name")));
    o.put_opt("destinations", tr.list(c, "destinations"));
    o.put_opt("destinationType", tr.val(c, "destinations_type"));
    o.put_opt("nextHop", tr.id(c, "next_hop"));
    o.put("nextHopType", tr.val(c, "next_hop_type").unwrap_or_else(|| plain(c.pos, "ResourceId")));
    o.node()
}

/// `azurerm_virtual_hub_route_table`: `labels` and `route` blocks.
pub fn route_table(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/virtualHubs/hubRouteTables");
    b.props.put_opt("labels", tr.list(&r, "labels"));
    let routes: Vec<Node> = r.field("route").items().iter().map(|c| route(tr, c, None)).collect();
    b.props.put("routes", seq(r.pos, routes));
    b
}

/// `azurerm_virtual_hub_routing_intent`: its `routing_policy` blocks.
pub fn routing_intent(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/virtualHubs/routingIntent");
    let policies: Vec<Node> = r
        .field("routing_policy")
        .items()
        .iter()
        .map(|p| {
            let mut o = Obj::new(p.pos);
            o.put_opt("name", tr.val(p, "name"));
            o.put_opt("destinations", tr.list(p, "destinations"));
            o.put_opt("nextHop", tr.id(p, "next_hop"));
            o.node()
        })
        .collect();
    b.props.put("routingPolicies", seq(r.pos, policies));
    b
}

/// The name a route table route resource gives its route.
pub fn route_name(tr: &Tr, i: usize) -> Node {
    let r = tr.root(i);
    s(r.pos, tr.name(i))
}
