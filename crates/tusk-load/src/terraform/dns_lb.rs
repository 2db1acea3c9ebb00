//! azurerm resources for private DNS and the rest of a load balancer, as
//! the ARM bodies the Azure loader reads (azurerm provider docs,
//! `private_dns_zone`, `private_dns_a_record`, `private_dns_cname_record`,
//! `private_dns_zone_virtual_network_link`, `lb_outbound_rule`,
//! `lb_nat_rule`, `network_interface_backend_address_pool_association`;
//! ARM: privatedns.json, loadBalancer.json).

use super::build::{id_ref, s, seq, Obj, Tr};
use super::Body;
use crate::doc::Node;

/// `azurerm_private_dns_a_record`: `records` (IPv4 addresses) as `aRecords`.
pub fn a_record(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/privateDnsZones/A");
    let mut records = Vec::new();
    if let Some(list) = tr.list(&r, "records") {
        for a in list.as_seq().unwrap_or_default() {
            let mut o = Obj::new(a.pos);
            o.put("ipv4Address", a.clone());
            records.push(o.node());
        }
    }
    b.props.put("aRecords", seq(r.pos, records));
    b
}

/// `azurerm_private_dns_cname_record`: `record` (the canonical name) as
/// `cnameRecord.cname`.
pub fn cname_record(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/privateDnsZones/CNAME");
    if let Some(t) = tr.val(&r, "record") {
        let mut o = Obj::new(r.pos);
        o.put("cname", t);
        b.props.put("cnameRecord", o.node());
    }
    b
}

/// `azurerm_private_dns_zone_virtual_network_link`: `virtual_network_id`
/// and `resolution_policy` (`NxDomainRedirect` or `Default`).
pub fn zone_link(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/privateDnsZones/virtualNetworkLinks");
    b.props.put_opt("virtualNetwork", tr.id(&r, "virtual_network_id").map(id_ref));
    b.props.put_opt("resolutionPolicy", tr.val(&r, "resolution_policy"));
    b
}

/// `azurerm_lb_outbound_rule`: its frontends (by name, in the load
/// balancer `lb_id`), backend pool and protocol.
pub fn outbound_rule(tr: &Tr, i: usize, lb_id: &str) -> Node {
    let r = tr.root(i);
    let mut o = Obj::new(r.pos);
    o.put("name", s(r.pos, tr.name(i)));
    let mut p = Obj::new(r.pos);
    let fronts: Vec<Node> = r
        .field("frontend_ip_configuration")
        .items()
        .iter()
        .filter_map(|c| {
            c.field("name").str().map(|n| id_ref(s(c.pos, format!("{lb_id}/frontendIPConfigurations/{n}"))))
        })
        .collect();
    p.put("frontendIPConfigurations", seq(r.pos, fronts));
    p.put_opt("backendAddressPool", tr.id(&r, "backend_address_pool_id").map(id_ref));
    p.put_opt("protocol", tr.val(&r, "protocol"));
    o.put("properties", p.node());
    o.node()
}

/// `azurerm_lb_nat_rule` with a single `frontend_port` (a port range
/// rule is left without ports, which the loader reports as unread).
pub fn nat_rule(tr: &Tr, i: usize, lb_id: &str) -> Node {
    let (mut o, p) = super::network::lb_rule_common(tr, i, lb_id);
    o.put("properties", p.node());
    o.node()
}

/// `azurerm_application_gateway` (`gateway_ip_configuration[].subnet_id`,
/// `frontend_ip_configuration[].private_ip_address`) or
/// `azurerm_bastion_host` (`ip_configuration[].subnet_id`): the parts the
/// loader reads of a device it does not model (see `azure::vwan::opaque`).
pub fn opaque(tr: &mut Tr, i: usize, arm_type: &str) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, arm_type);
    for (tf, arm) in [
        ("gateway_ip_configuration", "gatewayIPConfigurations"),
        ("ip_configuration", "ipConfigurations"),
        ("frontend_ip_configuration", "frontendIPConfigurations"),
    ] {
        let items = r.field(tf).items();
        if items.is_empty() {
            continue;
        }
        let mut list = Vec::new();
        for c in items {
            let mut o = Obj::new(c.pos);
            o.put_opt("name", tr.val(&c, "name"));
            let mut p = Obj::new(c.pos);
            p.put_opt("subnet", tr.id(&c, "subnet_id").map(id_ref));
            p.put_opt("privateIPAddress", tr.val(&c, "private_ip_address"));
            // A Bastion host's public IP (`ip_configuration[].public_ip_address_id`).
            p.put_opt("publicIPAddress", tr.id(&c, "public_ip_address_id").map(id_ref));
            o.put("properties", p.node());
            list.push(o.node());
        }
        b.props.put(arm, seq(r.pos, list));
    }
    b
}
