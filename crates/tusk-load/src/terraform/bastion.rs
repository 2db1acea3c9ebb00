//! `azurerm_bastion_host` as the ARM body the Azure loader reads
//! (azurerm provider docs, bastion_host: `sku` — Developer, Basic,
//! Standard or Premium, the provider's default Basic, which the plan
//! records; `ip_connect_enabled`; `tunneling_enabled`;
//! `ip_configuration { name, subnet_id, public_ip_address_id }`), into ARM
//! `sku.name`, `enableIpConnect`, `enableTunneling` and
//! `ipConfigurations` (bastionHost.json).

use super::build::{s, Obj, Tr};
use super::Body;

/// One `azurerm_bastion_host` instance.
pub fn host(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = super::dns_lb::opaque(tr, i, "Microsoft.Network/bastionHosts");
    if let Some(v) = tr.val(&r, "sku") {
        let mut o = Obj::new(v.pos);
        o.put("name", v);
        b.extra.push((s(r.pos, "sku"), o.node()));
    }
    b.props.put_opt("enableIpConnect", tr.val(&r, "ip_connect_enabled"));
    b.props.put_opt("enableTunneling", tr.val(&r, "tunneling_enabled"));
    b
}
