//! `azurerm_application_gateway` and `azurerm_web_application_firewall_policy`
//! as the ARM bodies the Azure loader reads (`azure/appgw.rs`), so a plan's
//! gateway is modelled as an export's is: listeners, routing rules, URL
//! path maps, backend pools and settings, frontends and WAF.
//!
//! azurerm provider docs, application_gateway: blocks
//! `gateway_ip_configuration { name, subnet_id }`, `frontend_port { name,
//! port }`, `frontend_ip_configuration { name, subnet_id,
//! private_ip_address, public_ip_address_id }`, `backend_address_pool {
//! name, ip_addresses, fqdns }`, `backend_http_settings { name, port }`,
//! `http_listener { name, frontend_ip_configuration_name,
//! frontend_port_name, host_name, host_names, firewall_policy_id }`,
//! `request_routing_rule { name, http_listener_name,
//! backend_address_pool_name, backend_http_settings_name,
//! redirect_configuration_name, url_path_map_name }`, `url_path_map { name,
//! default_backend_address_pool_name, default_backend_http_settings_name,
//! default_redirect_configuration_name, path_rule { paths,
//! backend_address_pool_name, backend_http_settings_name,
//! redirect_configuration_name } }`, `waf_configuration { enabled,
//! firewall_mode }` and `firewall_policy_id`. The provider refers to
//! sub-resources by name; ARM by id (applicationGateway.json), so each name
//! becomes `GATEWAY_ID/KIND/NAME`, whose last segment the Azure loader
//! reads. web_application_firewall_policy: `policy_settings { enabled,
//! mode }` into ARM `policySettings { state, mode }`
//! (webapplicationfirewall.json). A value known only after apply is the
//! unknown marker, as everywhere in the Terraform loader.

use super::build::{id_ref, s, seq, Cur, Obj, Tr};
use super::Body;
use crate::doc::Node;

/// `{"id": "GATEWAY/KIND/NAME"}` for the sub-resource named by attribute
/// `field` of `c`, when the attribute is set.
fn sub_ref(gw: &str, kind: &str, c: &Cur, field: &str) -> Option<Node> {
    let f = c.field(field);
    let name = f.str()?;
    Some(id_ref(s(f.pos, format!("{gw}/{kind}/{name}"))))
}

/// A named item: `{"name": ..., "properties": {...}}`.
fn item(tr: &Tr, c: &Cur, props: Obj) -> Node {
    let mut o = Obj::new(c.pos);
    o.put_opt("name", tr.val(c, "name"));
    o.put("properties", props.node());
    o.node()
}

/// The items of block list `tf`, each built by `f`, as ARM list `arm`.
fn list(b: &mut Body, r: &Cur, tf: &str, arm: &str, mut f: impl FnMut(&Cur) -> Node) {
    let items = r.field(tf).items();
    if !items.is_empty() {
        let nodes = items.iter().map(&mut f).collect();
        b.props.put(arm, seq(r.pos, nodes));
    }
}

/// A target (pool and settings, or redirect) of a rule, path rule or map
/// default, with the attribute names `pool`, `settings`, `redirect`.
fn target(gw: &str, c: &Cur, p: &mut Obj, names: [(&str, &str, &str); 3]) {
    for (tf, arm, kind) in names {
        p.put_opt(arm, sub_ref(gw, kind, c, tf));
    }
}

/// One `azurerm_application_gateway` instance.
pub fn gateway(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/applicationGateways");
    let gw = b.id.clone();
    list(&mut b, &r, "gateway_ip_configuration", "gatewayIPConfigurations", |c| {
        let mut p = Obj::new(c.pos);
        p.put_opt("subnet", tr.id(c, "subnet_id").map(id_ref));
        item(tr, c, p)
    });
    list(&mut b, &r, "frontend_ip_configuration", "frontendIPConfigurations", |c| {
        let mut p = Obj::new(c.pos);
        p.put_opt("subnet", tr.id(c, "subnet_id").map(id_ref));
        p.put_opt("privateIPAddress", tr.val(c, "private_ip_address"));
        p.put_opt("publicIPAddress", tr.id(c, "public_ip_address_id").map(id_ref));
        item(tr, c, p)
    });
    list(&mut b, &r, "frontend_port", "frontendPorts", |c| {
        let mut p = Obj::new(c.pos);
        p.put_opt("port", tr.val(c, "port"));
        item(tr, c, p)
    });
    list(&mut b, &r, "http_listener", "httpListeners", |c| {
        let mut p = Obj::new(c.pos);
        p.put_opt(
            "frontendIPConfiguration",
            sub_ref(&gw, "frontendIPConfigurations", c, "frontend_ip_configuration_name"),
        );
        p.put_opt("frontendPort", sub_ref(&gw, "frontendPorts", c, "frontend_port_name"));
        p.put_opt("hostName", tr.val(c, "host_name"));
        p.put_opt("hostNames", tr.val(c, "host_names"));
        p.put_opt("firewallPolicy", tr.id(c, "firewall_policy_id").map(id_ref));
        item(tr, c, p)
    });
    let names = |pool: &'static str, settings: &'static str, redirect: &'static str| {
        [
            (pool, "backendAddressPool", "backendAddressPools"),
            (settings, "backendHttpSettings", "backendHttpSettingsCollection"),
            (redirect, "redirectConfiguration", "redirectConfigurations"),
        ]
    };
    list(&mut b, &r, "request_routing_rule", "requestRoutingRules", |c| {
        let mut p = Obj::new(c.pos);
        p.put_opt("httpListener", sub_ref(&gw, "httpListeners", c, "http_listener_name"));
        p.put_opt("urlPathMap", sub_ref(&gw, "urlPathMaps", c, "url_path_map_name"));
        target(
            &gw,
            c,
            &mut p,
            names("backend_address_pool_name", "backend_http_settings_name", "redirect_configuration_name"),
        );
        item(tr, c, p)
    });
    list(&mut b, &r, "url_path_map", "urlPathMaps", |c| {
        let mut p = Obj::new(c.pos);
        let defaults = [
            ("default_backend_address_pool_name", "defaultBackendAddressPool", "backendAddressPools"),
            ("default_backend_http_settings_name", "defaultBackendHttpSettings", "backendHttpSettingsCollection"),
            ("default_redirect_configuration_name", "defaultRedirectConfiguration", "redirectConfigurations"),
        ];
        target(&gw, c, &mut p, defaults);
        let rules: Vec<Node> = c
            .field("path_rule")
            .items()
            .iter()
            .map(|pr| {
                let mut q = Obj::new(pr.pos);
                q.put_opt("paths", tr.val(pr, "paths"));
                target(
                    &gw,
                    pr,
                    &mut q,
                    names("backend_address_pool_name", "backend_http_settings_name", "redirect_configuration_name"),
                );
                item(tr, pr, q)
            })
            .collect();
        p.put("pathRules", seq(c.pos, rules));
        item(tr, c, p)
    });
    list(&mut b, &r, "backend_address_pool", "backendAddressPools", |c| {
        let mut p = Obj::new(c.pos);
        let mut addresses = Vec::new();
        for (tf, arm) in [("ip_addresses", "ipAddress"), ("fqdns", "fqdn")] {
            let f = c.field(tf);
            if f.is_unknown() {
                let mut o = Obj::new(f.pos);
                o.put("ipAddress", tr.marker(&f));
                addresses.push(o.node());
            }
            for v in f.known().and_then(Node::as_seq).unwrap_or_default() {
                let mut o = Obj::new(v.pos);
                o.put(arm, v.clone());
                addresses.push(o.node());
            }
        }
        p.put("backendAddresses", seq(c.pos, addresses));
        item(tr, c, p)
    });
    list(&mut b, &r, "backend_http_settings", "backendHttpSettingsCollection", |c| {
        let mut p = Obj::new(c.pos);
        p.put_opt("port", tr.val(c, "port"));
        item(tr, c, p)
    });
    // The WAF: a policy wins over the inline configuration, as in ARM.
    b.props.put_opt("firewallPolicy", tr.id(&r, "firewall_policy_id").map(id_ref));
    if let Some(w) = r.field("waf_configuration").items().first() {
        let mut o = Obj::new(w.pos);
        o.put_opt("enabled", tr.val(w, "enabled"));
        o.put_opt("firewallMode", tr.val(w, "firewall_mode"));
        b.props.put("webApplicationFirewallConfiguration", o.node());
    }
    b
}

/// One `azurerm_web_application_firewall_policy` instance.
pub fn waf_policy(tr: &mut Tr, i: usize) -> Body {
    let r = tr.root(i);
    let mut b = Body::new(tr, i, "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies");
    if let Some(ps) = r.field("policy_settings").items().first() {
        let mut o = Obj::new(ps.pos);
        o.put_opt("mode", tr.val(ps, "mode"));
        let state = match ps.field("enabled").bool() {
            Some(true) => Some(s(ps.pos, "Enabled")),
            Some(false) => Some(s(ps.pos, "Disabled")),
            None => None,
        };
        o.put_opt("state", state);
        b.props.put("policySettings", o.node());
    }
    b
}
