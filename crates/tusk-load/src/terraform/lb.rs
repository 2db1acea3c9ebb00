//! azurerm load balancer parts that live inside a pool or stand for scale
//! set instances, as the ARM bodies the Azure loader reads (azurerm
//! provider docs: `lb_backend_address_pool_address` — an IP-based pool
//! member, ARM `backendAddressPools[].loadBalancerBackendAddresses[]` with
//! `ipAddress` and `virtualNetwork`; `lb_nat_pool` — ARM `inboundNatPools[]`
//! with `frontendPortRangeStart` / `frontendPortRangeEnd` / `backendPort`,
//! whose members are scale set instances; loadBalancer.json).

use super::build::{s, Obj, Tr};
use crate::doc::{Node, Value};

/// `azurerm_lb_backend_address_pool_address`: `ip_address` and
/// `virtual_network_id`, as one `loadBalancerBackendAddresses` item.
pub fn pool_address(tr: &Tr, i: usize) -> Node {
    let r = tr.root(i);
    let mut o = Obj::new(r.pos);
    o.put("name", s(r.pos, tr.name(i)));
    let mut p = Obj::new(r.pos);
    p.put_opt("ipAddress", tr.val(&r, "ip_address"));
    p.put_opt("virtualNetwork", tr.id(&r, "virtual_network_id").map(super::build::id_ref));
    o.put("properties", p.node());
    o.node()
}

/// `azurerm_lb_nat_pool`: one `inboundNatPools` item.
pub fn nat_pool(tr: &Tr, i: usize) -> Node {
    let r = tr.root(i);
    let mut o = Obj::new(r.pos);
    o.put("name", s(r.pos, tr.name(i)));
    let mut p = Obj::new(r.pos);
    p.put_opt("protocol", tr.val(&r, "protocol"));
    p.put_opt("frontendPortRangeStart", tr.val(&r, "frontend_port_start"));
    p.put_opt("frontendPortRangeEnd", tr.val(&r, "frontend_port_end"));
    p.put_opt("backendPort", tr.val(&r, "backend_port"));
    o.put("properties", p.node());
    o.node()
}

/// Appends `item` to the list `key` of the backend pool named `pool` in a
/// load balancer's properties, making the pool when the plan holds only
/// its addresses.
pub fn push_in_pool(entries: &mut Vec<(Node, Node)>, pool: &str, key: &str, item: Node) {
    let pos = item.pos;
    let name_is = |n: &Node| n.get("name").and_then(Node::as_str).is_some_and(|x| x.eq_ignore_ascii_case(pool));
    if !entries.iter().any(|(k, _)| k.as_str() == Some("backendAddressPools")) {
        entries.push((s(pos, "backendAddressPools"), super::build::seq(pos, Vec::new())));
    }
    let Some((_, pools)) = entries.iter_mut().find(|(k, _)| k.as_str() == Some("backendAddressPools")) else {
        return;
    };
    let Value::Seq(items) = &mut pools.value else { return };
    if !items.iter().any(name_is) {
        let mut o = Obj::new(pos);
        o.put("name", s(pos, pool));
        items.push(o.node());
    }
    let Some(target) = items.iter_mut().find(|n| name_is(n)) else { return };
    let Value::Map(fields) = &mut target.value else { return };
    match fields.iter_mut().find(|(k, _)| k.as_str() == Some(key)) {
        Some((_, v)) => {
            if let Value::Seq(list) = &mut v.value {
                list.push(item);
            }
        }
        None => fields.push((s(pos, key), super::build::seq(pos, vec![item]))),
    }
}
