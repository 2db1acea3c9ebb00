//! Virtual WAN resources: `virtualHubs`, their `hubVirtualNetworkConnections`
//! and `routingIntent` children (REST API 2023-09-01, Microsoft.Network
//! virtualWan.json; `az network vhub show` / `vhub connection list` /
//! `vhub routing-intent show` print the same bodies), and `virtualWans`,
//! which only groups hubs. Children arrive as resources of their own and
//! join their hub once everything is loaded ([`attach`]).

use super::cx::Cx;
use super::shape::prop;
use crate::doc::Node;
use tusk_core::Warning;
use tusk_model::azure::{
    AzureNetwork, HubAttachment, HubConnection, HubRouteTable, OpaqueDevice, OpaqueKind, ResourceId, RoutingPolicy,
    VirtualHub, VirtualWan,
};

fn id_of(n: Option<&Node>) -> Option<ResourceId> {
    n?.get_ci("id").and_then(Node::as_str).map(ResourceId::new)
}

/// A `virtualHubs` resource (its children come separately).
pub fn hub(cx: &mut Cx, id: ResourceId, n: &Node) -> VirtualHub {
    VirtualHub {
        id,
        loc: cx.loc(n),
        address_prefix: prop(n, "addressPrefix").and_then(Node::as_str).map(str::to_string),
        firewall: id_of(prop(n, "azureFirewall")),
        connections: Vec::new(),
        routing_policies: Vec::new(),
        route_tables: Vec::new(),
        wan: id_of(prop(n, "virtualWan")).map(|id| VirtualWan {
            id,
            loc: None,
            kind: None,
            allow_branch_to_branch: None,
            allow_vnet_to_vnet: None,
        }),
        branch_gateways: Vec::new(),
    }
}

/// A `hubVirtualNetworkConnections` resource; `None` (with a warning)
/// without a remote VNet id.
pub fn connection(cx: &mut Cx, id: ResourceId, n: &Node) -> Option<HubConnection> {
    let Some(remote) = id_of(prop(n, "remoteVirtualNetwork")) else {
        cx.warn(
            n,
            "hub connection without a literal `remoteVirtualNetwork.id`: the VNet it connects is unknown; skipped",
        );
        return None;
    };
    let routing = super::vwan_routing::connection_routing(cx, n);
    let internet_security = prop(n, "enableInternetSecurity").and_then(Node::as_bool);
    Some(HubConnection { id, loc: cx.loc(n), remote, vnet: None, routing, internet_security })
}

/// The routing policies of a `routingIntent` resource.
pub fn routing_intent(cx: &mut Cx, n: &Node) -> Vec<RoutingPolicy> {
    let Some(list) = prop(n, "routingPolicies") else { return Vec::new() };
    let Some(items) = list.as_seq() else {
        // An unevaluated expression: which traffic goes to the firewall is
        // unknown, and the engine treats the hub's routing as unknown anyway.
        cx.warn(list, "`routingPolicies` is not a list tusk can read; the hub's routing intent is unknown");
        return vec![RoutingPolicy {
            loc: cx.loc(list),
            name: "?".into(),
            destinations: Vec::new(),
            next_hop: "?".into(),
        }];
    };
    items
        .iter()
        .map(|p| RoutingPolicy {
            loc: cx.loc(p),
            name: p.get_ci("name").and_then(Node::as_str).unwrap_or("?").to_string(),
            destinations: p
                .get_ci("destinations")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect(),
            next_hop: p.get_ci("nextHop").and_then(Node::as_str).unwrap_or("?").to_string(),
        })
        .collect()
}

/// Children read before their hub, waiting for [`attach`].
#[derive(Default)]
pub struct Pending {
    pub connections: Vec<(ResourceId, HubConnection)>,
    pub intents: Vec<(ResourceId, Vec<RoutingPolicy>)>,
    /// `hubRouteTables`, by parent hub.
    pub route_tables: Vec<(ResourceId, HubRouteTable)>,
    /// `virtualWans` read.
    pub wans: Vec<VirtualWan>,
    /// Secured-hub firewalls: (hub, firewall id).
    pub firewalls: Vec<(ResourceId, ResourceId)>,
    /// Gateways and NVAs in a hub; `None`: the hub is not known, so every
    /// hub is taken to hold it.
    pub attachments: Vec<(Option<ResourceId>, HubAttachment)>,
}

/// Joins connections and routing intents to their hubs and resolves the
/// connected VNets. A child whose hub is not in the inputs still matters
/// (its VNet's routes come from that hub): a hub is made for it from the
/// child's place, with a warning.
pub fn attach(net: &mut AzureNetwork, pending: Pending, warnings: &mut Vec<Warning>) {
    let mut hub_ix = |net: &mut AzureNetwork, parent: &ResourceId, loc: &tusk_core::Loc| -> usize {
        if let Some(i) = net.virtual_hubs.iter().position(|h| h.id.key() == parent.key()) {
            return i;
        }
        warnings.push(Warning {
            loc: loc.clone(),
            message: format!(
                "virtual hub {} is not in the inputs; its connections and routing intent are read, its routes are unknown",
                parent.name()
            ),
        });
        net.virtual_hubs.push(VirtualHub {
            id: parent.clone(),
            loc: loc.clone(),
            address_prefix: None,
            firewall: None,
            connections: Vec::new(),
            routing_policies: Vec::new(),
            route_tables: Vec::new(),
            wan: None,
            branch_gateways: Vec::new(),
        });
        net.virtual_hubs.len() - 1
    };
    for (parent, mut c) in pending.connections {
        let h = hub_ix(net, &parent, &c.loc);
        c.vnet = net.vnets.iter().position(|v| v.id.key() == c.remote.key()).map(tusk_core::Idx::new);
        net.virtual_hubs[h].connections.push(c);
    }
    for (parent, policies) in pending.intents {
        let Some(first) = policies.first() else { continue };
        let loc = first.loc.clone();
        let h = hub_ix(net, &parent, &loc);
        net.virtual_hubs[h].routing_policies.extend(policies);
    }
    for (parent, t) in pending.route_tables {
        let loc = t.loc.clone();
        let h = hub_ix(net, &parent, &loc);
        net.virtual_hubs[h].route_tables.push(t);
    }
    for (hub, fw) in pending.firewalls {
        if let Some(h) = net.virtual_hubs.iter_mut().find(|h| h.id.key() == hub.key()) {
            h.firewall.get_or_insert(fw);
        }
    }
    for (hub, a) in pending.attachments {
        for h in net.virtual_hubs.iter_mut().filter(|h| hub.as_ref().is_none_or(|x| x.key() == h.id.key())) {
            h.branch_gateways.push(a.clone());
        }
    }
    for h in &mut net.virtual_hubs {
        if let Some(w) = &mut h.wan {
            if let Some(read) = pending.wans.iter().find(|x| x.id.key() == w.id.key()) {
                *w = read.clone();
            }
        }
    }
}

/// An application gateway (`gatewayIPConfigurations[].subnet`,
/// `frontendIPConfigurations[].privateIPAddress`; REST API
/// applicationGateway.json) or a Bastion host (`ipConfigurations[].subnet`;
/// bastionHost.json), read as a device that is not modelled.
pub fn opaque(cx: &mut Cx, id: ResourceId, n: &Node, kind: OpaqueKind) -> OpaqueDevice {
    let configs = |key: &str| prop(n, key).and_then(Node::as_seq).unwrap_or_default();
    let mut subnets = Vec::new();
    let mut private_ips = Vec::new();
    for c in configs("gatewayIPConfigurations")
        .iter()
        .chain(configs("ipConfigurations"))
        .chain(configs("frontendIPConfigurations"))
    {
        subnets.extend(id_of(prop(c, "subnet")));
        if let Some(ip) = prop(c, "privateIPAddress").and_then(Node::as_str).and_then(|s| s.parse().ok()) {
            private_ips.push(ip);
        }
    }
    OpaqueDevice { id, loc: cx.loc(n), kind, subnets, private_ips }
}
