//! azurerm network resources as ARM bodies: virtual networks (and their
//! inline subnets), subnets, peerings, NSGs (inline `security_rule`),
//! route tables (inline `route`), NICs, ASGs, private endpoints, NAT
//! gateways, public IPs, load balancers, gateways and connections; and the
//! azurerm resources that ARM keeps inside a parent (a standalone security
//! rule or route, the association resources, backend pools and rules),
//! folded into that parent's body as ARM's GET would show it.
//!
//! Argument names follow the azurerm provider's documentation
//! (registry.terraform.io/providers/hashicorp/azurerm, `website/docs/r/*`),
//! v4 names first and the v3 names they replaced where they differ
//! (`bgp_route_propagation_enabled` / `disable_bgp_route_propagation`,
//! `ip_forwarding_enabled` / `enable_ip_forwarding`); property names follow
//! the Microsoft.Network REST API.

use super::build::{id_ref, plain, s, seq, Cur, Obj, Tr};
use super::Body;
use crate::doc::Node;
use tusk_core::LoadError;

pub fn vnet(tr: &mut Tr, i: usize, out: &mut Vec<Body>) {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/virtualNetworks");
    let mut space = Obj::new(r.pos);
    space.put_opt("addressPrefixes", tr.cidrs(&r, "address_space"));
    b.props.put("addressSpace", space.node());
    let vnet_id = b.id.clone();
    // Inline `subnet` blocks become subnet resources of their own, so that
    // association resources can find them by id like any other subnet.
    for sn in r.field("subnet").items() {
        let name = sn.field("name").str().unwrap_or("?").to_string();
        let id = sn.field("id").str().map(str::to_string).unwrap_or_else(|| format!("{vnet_id}/subnets/{name}"));
        let mut sb = Body::at(id, "Microsoft.Network/virtualNetworks/subnets", sn.pos);
        let prefixes = tr.cidrs(&sn, "address_prefixes").or_else(|| tr.list(&sn, "address_prefix"));
        sb.props.put_opt("addressPrefixes", prefixes);
        sb.props.put_opt("networkSecurityGroup", tr.id(&sn, "security_group").map(id_ref));
        sb.props.put_opt("routeTable", tr.id(&sn, "route_table_id").map(id_ref));
        sb.inline = true;
        out.push(sb);
    }
    out.push(b);
}

pub fn subnet(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/virtualNetworks/subnets");
    let prefixes = tr.cidrs(&r, "address_prefixes").or_else(|| tr.list(&r, "address_prefix"));
    b.props.put_opt("addressPrefixes", prefixes);
    let endpoints: Vec<Node> = match r.field("service_endpoints").known().and_then(Node::as_seq) {
        Some(list) => list
            .iter()
            .map(|e| {
                let mut o = Obj::new(e.pos);
                o.put("service", e.clone());
                o.node()
            })
            .collect(),
        None => Vec::new(),
    };
    if !endpoints.is_empty() {
        b.props.put("serviceEndpoints", seq(r.pos, endpoints));
    }
    b.props.put_opt("defaultOutboundAccess", tr.val(&r, "default_outbound_access_enabled"));
    // `service_endpoint_policy_ids` (azurerm_subnet): ARM's
    // `serviceEndpointPolicies`, each policy by id.
    let policies: Vec<Node> = tr.ids(&r, "service_endpoint_policy_ids").into_iter().map(id_ref).collect();
    if !policies.is_empty() {
        b.props.put("serviceEndpointPolicies", seq(r.pos, policies));
    }
    b
}

pub fn peering(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/virtualNetworks/virtualNetworkPeerings");
    let p = &mut b.props;
    p.put_opt("remoteVirtualNetwork", tr.id(&r, "remote_virtual_network_id").map(id_ref));
    for (tf, arm) in [
        ("allow_virtual_network_access", "allowVirtualNetworkAccess"),
        ("allow_forwarded_traffic", "allowForwardedTraffic"),
        ("allow_gateway_transit", "allowGatewayTransit"),
        ("use_remote_gateways", "useRemoteGateways"),
        ("peer_complete_virtual_networks_enabled", "peerCompleteVnets"),
    ] {
        p.put_opt(arm, tr.val(&r, tf));
    }
    p.put_opt("localSubnetNames", tr.list(&r, "local_subnet_names"));
    p.put_opt("remoteSubnetNames", tr.list(&r, "remote_subnet_names"));
    b
}

pub fn nsg(tr: &mut Tr, i: usize) -> Result<Body, LoadError> {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/networkSecurityGroups");
    unknown_list(tr, &r, "security_rule", "azurerm_network_security_rule")?;
    let rules: Vec<Node> = r.field("security_rule").items().iter().map(|c| security_rule(tr, c)).collect();
    b.props.put("securityRules", seq(r.pos, rules));
    Ok(b)
}

/// A parent's inline list (`security_rule`, `route`) that the plan does not
/// know. The list is also computed: without inline blocks in the
/// configuration it shows the standalone resources, which tusk folds in, so
/// that case only gets a warning (dynamic blocks are not in the
/// configuration representation). With inline blocks, the rules themselves
/// are unknown, which the model cannot hold: an error, not a guess.
fn unknown_list(tr: &mut Tr, r: &Cur, block: &str, standalone: &str) -> Result<(), LoadError> {
    let f = r.field(block);
    if !f.is_unknown() {
        return Ok(());
    }
    let addr = tr.inst(r.inst).address.clone();
    if f.c.is_some() {
        return Err(LoadError::new(
            tr.loc(f.pos),
            format!("{addr}: its `{block}` blocks are known only after apply; tusk cannot judge them: load the state after apply"),
        ));
    }
    tr.warn(
        f.pos,
        format!("{addr}: `{block}` is known only after apply; read as the `{standalone}` resources of the plan (a `dynamic` block would not be seen)"),
    );
    Ok(())
}

/// One rule, inline (`security_rule` block) or standalone
/// (`azurerm_network_security_rule`): the arguments are the same.
pub fn security_rule(tr: &Tr, c: &Cur) -> Node {
    let mut o = Obj::new(c.pos);
    o.put_opt("name", tr.val(c, "name"));
    let mut p = Obj::new(c.pos);
    for (tf, arm) in [
        ("protocol", "protocol"),
        ("access", "access"),
        ("priority", "priority"),
        ("direction", "direction"),
        ("source_port_range", "sourcePortRange"),
        ("destination_port_range", "destinationPortRange"),
        ("source_address_prefix", "sourceAddressPrefix"),
        ("destination_address_prefix", "destinationAddressPrefix"),
    ] {
        p.put_opt(arm, tr.val(c, tf));
    }
    for (tf, arm) in [
        ("source_port_ranges", "sourcePortRanges"),
        ("destination_port_ranges", "destinationPortRanges"),
        ("source_address_prefixes", "sourceAddressPrefixes"),
        ("destination_address_prefixes", "destinationAddressPrefixes"),
    ] {
        p.put_opt(arm, tr.list(c, tf));
    }
    for (tf, arm) in [
        ("source_application_security_group_ids", "sourceApplicationSecurityGroups"),
        ("destination_application_security_group_ids", "destinationApplicationSecurityGroups"),
    ] {
        let ids = tr.ids(c, tf);
        if !ids.is_empty() {
            p.put(arm, seq(c.pos, ids.into_iter().map(id_ref).collect()));
        }
    }
    o.put("properties", p.node());
    o.node()
}

pub fn route_table(tr: &mut Tr, i: usize) -> Result<Body, LoadError> {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/routeTables");
    unknown_list(tr, &r, "route", "azurerm_route")?;
    let routes = r.field("route").items().iter().map(|c| route(tr, c)).collect::<Result<Vec<Node>, _>>()?;
    b.props.put("routes", seq(r.pos, routes));
    // v4 `bgp_route_propagation_enabled` (default true); v3 `disable_bgp_route_propagation`.
    let disabled = match r.field("bgp_route_propagation_enabled").bool() {
        Some(enabled) => Some(plain(r.field("bgp_route_propagation_enabled").pos, (!enabled).to_string())),
        None => tr.val(&r, "disable_bgp_route_propagation"),
    };
    b.props.put_opt("disableBgpRoutePropagation", disabled);
    Ok(b)
}

/// One route, inline or standalone. A route to a virtual appliance whose
/// address is known only after apply keeps the marker as its address:
/// the Azure loader keeps the route with an unknown next hop, so every
/// flow it carries is unknown (never dropped, never guessed).
pub fn route(tr: &Tr, c: &Cur) -> Result<Node, LoadError> {
    let mut o = Obj::new(c.pos);
    o.put_opt("name", tr.val(c, "name"));
    let mut p = Obj::new(c.pos);
    p.put_opt("addressPrefix", tr.val(c, "address_prefix"));
    p.put_opt("nextHopType", tr.val(c, "next_hop_type"));
    p.put_opt("nextHopIpAddress", super::allocation::ip(tr, c, "next_hop_in_ip_address"));
    o.put("properties", p.node());
    Ok(o.node())
}

pub fn nic(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/networkInterfaces");
    let mut configs = Vec::new();
    for c in r.field("ip_configuration").items() {
        let mut o = Obj::new(c.pos);
        o.put_opt("name", tr.val(&c, "name"));
        let mut p = Obj::new(c.pos);
        p.put_opt("privateIPAddress", tr.val(&c, "private_ip_address"));
        p.put_opt("privateIPAllocationMethod", tr.val(&c, "private_ip_address_allocation"));
        p.put_opt("subnet", tr.id(&c, "subnet_id").map(id_ref));
        p.put_opt("publicIPAddress", tr.id(&c, "public_ip_address_id").map(id_ref));
        p.put_opt("primary", tr.val(&c, "primary"));
        o.put("properties", p.node());
        configs.push(o.node());
    }
    b.props.put("ipConfigurations", seq(r.pos, configs));
    let fwd = tr.val(&r, "ip_forwarding_enabled").or_else(|| tr.val(&r, "enable_ip_forwarding"));
    b.props.put_opt("enableIPForwarding", fwd);
    if let Some(vm) = r.field("virtual_machine_id").str() {
        b.props.put("virtualMachine", id_ref(s(r.pos, vm)));
    }
    b
}

pub fn private_endpoint(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/privateEndpoints");
    b.props.put_opt("subnet", tr.id(&r, "subnet_id").map(id_ref));
    let mut configs = Vec::new();
    let static_ips = r.field("ip_configuration").items();
    let connection_ips: Vec<Cur> = r.field("private_service_connection").items();
    for c in static_ips.iter().chain(connection_ips.iter()) {
        let mut o = Obj::new(c.pos);
        o.put_opt("name", tr.val(c, "name"));
        let mut p = Obj::new(c.pos);
        p.put_opt("privateIPAddress", tr.val(c, "private_ip_address"));
        o.put("properties", p.node());
        configs.push(o.node());
    }
    b.props.put("ipConfigurations", seq(r.pos, configs));
    let mut dns = Vec::new();
    for c in r.field("custom_dns_configs").items() {
        let mut o = Obj::new(c.pos);
        o.put_opt("fqdn", tr.val(&c, "fqdn"));
        o.put_opt("ipAddresses", tr.list(&c, "ip_addresses"));
        dns.push(o.node());
    }
    b.props.put("customDnsConfigs", seq(r.pos, dns));
    b
}

pub fn public_ip(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/publicIPAddresses");
    b.props.put_opt("ipAddress", tr.val(&r, "ip_address"));
    b.props.put_opt("publicIPAllocationMethod", tr.val(&r, "allocation_method"));
    b
}

pub fn lb(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/loadBalancers");
    let mut fronts = Vec::new();
    for c in r.field("frontend_ip_configuration").items() {
        let mut o = Obj::new(c.pos);
        o.put_opt("name", tr.val(&c, "name"));
        let mut p = Obj::new(c.pos);
        p.put_opt("privateIPAddress", tr.val(&c, "private_ip_address"));
        p.put_opt("privateIPAllocationMethod", tr.val(&c, "private_ip_address_allocation"));
        p.put_opt("subnet", tr.id(&c, "subnet_id").map(id_ref));
        p.put_opt("publicIPAddress", tr.id(&c, "public_ip_address_id").map(id_ref));
        o.put("properties", p.node());
        fronts.push(o.node());
    }
    b.props.put("frontendIPConfigurations", seq(r.pos, fronts));
    b
}

/// `azurerm_lb_rule`: a load-balancing rule of its load balancer.
pub fn lb_rule(tr: &Tr, i: usize, lb_id: &str) -> Node {
    let (mut o, mut p) = lb_rule_common(tr, i, lb_id);
    let r = tr.root(i);
    let pools = tr.ids(&r, "backend_address_pool_ids");
    if !pools.is_empty() {
        p.put("backendAddressPools", seq(r.pos, pools.into_iter().map(id_ref).collect()));
    }
    p.put_opt("disableOutboundSnat", tr.val(&r, "disable_outbound_snat"));
    o.put("properties", p.node());
    o.node()
}

/// What `azurerm_lb_rule` and `azurerm_lb_nat_rule` share, as the ARM
/// rule body: the rule (its name) and its properties so far (frontend,
/// protocol, frontend and backend ports, floating IP).
pub(super) fn lb_rule_common(tr: &Tr, i: usize, lb_id: &str) -> (Obj, Obj) {
    let r = tr.root(i);
    let mut o = Obj::new(r.pos);
    o.put("name", s(r.pos, tr.name(i)));
    let mut p = Obj::new(r.pos);
    if let Some(f) = r.field("frontend_ip_configuration_name").str() {
        p.put("frontendIPConfiguration", id_ref(s(r.pos, format!("{lb_id}/frontendIPConfigurations/{f}"))));
    }
    p.put_opt("protocol", tr.val(&r, "protocol"));
    p.put_opt("frontendPort", tr.val(&r, "frontend_port"));
    p.put_opt("backendPort", tr.val(&r, "backend_port"));
    p.put_opt("enableFloatingIP", tr.val(&r, "floating_ip_enabled").or_else(|| tr.val(&r, "enable_floating_ip")));
    (o, p)
}

pub fn vnet_gateway(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/virtualNetworkGateways");
    let mut configs = Vec::new();
    for c in r.field("ip_configuration").items() {
        let mut o = Obj::new(c.pos);
        o.put_opt("name", tr.val(&c, "name"));
        let mut p = Obj::new(c.pos);
        p.put_opt("privateIPAllocationMethod", tr.val(&c, "private_ip_address_allocation"));
        p.put_opt("subnet", tr.id(&c, "subnet_id").map(id_ref));
        p.put_opt("publicIPAddress", tr.id(&c, "public_ip_address_id").map(id_ref));
        o.put("properties", p.node());
        configs.push(o.node());
    }
    b.props.put("ipConfigurations", seq(r.pos, configs));
    b.props.put_opt("gatewayType", tr.val(&r, "type"));
    b.props.put_opt("vpnType", tr.val(&r, "vpn_type"));
    b
}

pub fn local_gateway(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/localNetworkGateways");
    let mut space = Obj::new(r.pos);
    space.put_opt("addressPrefixes", tr.cidrs(&r, "address_space"));
    b.props.put("localNetworkAddressSpace", space.node());
    b.props.put_opt("gatewayIpAddress", tr.val(&r, "gateway_address"));
    b
}

pub fn connection(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/connections");
    b.props.put_opt("virtualNetworkGateway1", tr.id(&r, "virtual_network_gateway_id").map(id_ref));
    b.props.put_opt("localNetworkGateway2", tr.id(&r, "local_network_gateway_id").map(id_ref));
    b.props.put_opt("connectionType", tr.val(&r, "type"));
    b
}

/// A body with nothing but its identity (ASGs, NAT gateways: what tusk
/// reads of them arrives through references and associations).
pub fn bare(tr: &mut Tr, i: usize, arm_type: &str) -> Body {
    Body::new(tr, i, arm_type)
}
