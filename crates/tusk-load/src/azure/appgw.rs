//! Application gateways' listeners, routing rules, URL path maps, backend
//! pools and settings, and WAF (REST API applicationGateway.json;
//! `az network application-gateway show` prints the same body), and
//! Application Gateway WAF policies (webapplicationfirewall.json,
//! `policySettings`). A gateway whose body holds no listener list (an
//! export or a Terraform mapping that leaves them out) is not modelled
//! here: it stays an opaque device, whose flows are unknown.

use super::cx::Cx;
use super::shape::prop;
use crate::doc::Node;
use tusk_model::azure::{
    AppGateway, AppGwFrontend, AppGwListener, AppGwPathMap, AppGwPathRule, AppGwPool, AppGwRule, AppGwTarget,
    ResourceId, Waf, WafMode, WafPolicy,
};

/// The items of list `key` (`properties.key` or `key`).
fn items<'a>(n: &'a Node, key: &str) -> &'a [Node] {
    prop(n, key).and_then(Node::as_seq).unwrap_or_default()
}

/// An item's `name`.
fn name(n: &Node) -> String {
    n.get_ci("name").and_then(Node::as_str).unwrap_or("?").to_string()
}

/// The id in `field.id` of an item, as a literal.
fn id_in(cx: &mut Cx, n: &Node, field: &str) -> Option<ResourceId> {
    let v = prop(n, field)?.get_ci("id")?;
    cx.literal(v).map(ResourceId::new)
}

/// The name (last segment) of the sub-resource `field.id` refers to.
fn sub_name(cx: &mut Cx, n: &Node, field: &str) -> Option<String> {
    id_in(cx, n, field).map(|id| id.name().to_string())
}

fn mode(s: Option<&str>) -> WafMode {
    match s.map(str::to_ascii_lowercase).as_deref() {
        Some("prevention") => WafMode::Prevention,
        Some("detection") => WafMode::Detection,
        _ => WafMode::Unknown,
    }
}

/// The listeners of a gateway body, or `None` when it lists none at all
/// (neither `httpListeners` nor `listeners`).
pub fn gateway(cx: &mut Cx, id: ResourceId, n: &Node) -> Option<AppGateway> {
    if prop(n, "httpListeners").is_none() && prop(n, "listeners").is_none() {
        return None;
    }
    let subnet = items(n, "gatewayIPConfigurations").iter().find_map(|c| id_in(cx, c, "subnet"));
    let mut frontends = Vec::new();
    for f in items(n, "frontendIPConfigurations") {
        let private_ip = prop(f, "privateIPAddress").and_then(Node::as_str).and_then(|s| s.parse().ok());
        frontends.push(AppGwFrontend { name: name(f), private_ip, public_ip: id_in(cx, f, "publicIPAddress") });
    }
    let ports: Vec<(String, Option<u16>)> = items(n, "frontendPorts")
        .iter()
        .map(|p| (name(p), prop(p, "port").and_then(Node::as_i64).and_then(|x| u16::try_from(x).ok())))
        .collect();
    let mut listeners = Vec::new();
    for l in items(n, "httpListeners").iter().chain(items(n, "listeners")) {
        let port_name = sub_name(cx, l, "frontendPort");
        let port = port_name.and_then(|p| ports.iter().find(|(n, _)| n.eq_ignore_ascii_case(&p)).and_then(|x| x.1));
        let mut host_names: Vec<String> = prop(l, "hostNames")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .map(str::to_ascii_lowercase)
            .collect();
        host_names.extend(prop(l, "hostName").and_then(Node::as_str).map(str::to_ascii_lowercase));
        listeners.push(AppGwListener {
            name: name(l),
            loc: cx.loc(l),
            frontend: sub_name(cx, l, "frontendIPConfiguration"),
            port,
            host_names,
            waf_policy: id_in(cx, l, "firewallPolicy"),
        });
    }
    let mut rules = Vec::new();
    for r in items(n, "requestRoutingRules").iter().chain(items(n, "routingRules")) {
        let listener = sub_name(cx, r, "httpListener").or_else(|| sub_name(cx, r, "listener"));
        let target = target(cx, r, "backendAddressPool", &["backendHttpSettings", "backendSettings"]);
        let target = match (prop(r, "urlPathMap"), prop(r, "redirectConfiguration")) {
            (Some(_), _) => AppGwTarget::PathMap(sub_name(cx, r, "urlPathMap")),
            (None, Some(_)) => AppGwTarget::Redirect,
            _ => target,
        };
        rules.push(AppGwRule { name: name(r), loc: cx.loc(r), listener, target });
    }
    let mut path_maps = Vec::new();
    for m in items(n, "urlPathMaps") {
        let default = if prop(m, "defaultRedirectConfiguration").is_some() {
            AppGwTarget::Redirect
        } else {
            target(cx, m, "defaultBackendAddressPool", &["defaultBackendHttpSettings"])
        };
        let mut paths = Vec::new();
        for r in items(m, "pathRules") {
            let list: Vec<String> = prop(r, "paths")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .map(String::from)
                .collect();
            let t = if prop(r, "redirectConfiguration").is_some() {
                AppGwTarget::Redirect
            } else {
                target(cx, r, "backendAddressPool", &["backendHttpSettings"])
            };
            paths.push(AppGwPathRule { name: name(r), loc: cx.loc(r), paths: list, target: t });
        }
        path_maps.push(AppGwPathMap { name: name(m), loc: cx.loc(m), default, rules: paths });
    }
    let mut pools = Vec::new();
    for p in items(n, "backendAddressPools") {
        let mut pool = AppGwPool {
            name: name(p),
            loc: cx.loc(p),
            addresses: Vec::new(),
            fqdns: Vec::new(),
            nic_configs: Vec::new(),
            unknown_entries: 0,
        };
        for a in items(p, "backendAddresses") {
            if let Some(ip) = a.get_ci("ipAddress").and_then(Node::as_str) {
                match ip.parse() {
                    Ok(ip) => pool.addresses.push(ip),
                    Err(_) => pool.unknown_entries += 1,
                }
            } else if let Some(f) = a.get_ci("fqdn").and_then(Node::as_str) {
                pool.fqdns.push(f.trim_end_matches('.').to_ascii_lowercase());
            } else {
                pool.unknown_entries += 1;
            }
        }
        for c in items(p, "backendIPConfigurations") {
            match c.get_ci("id").and_then(|v| cx.literal(v)) {
                Some(id) => pool.nic_configs.push(ResourceId::new(id)),
                None => pool.unknown_entries += 1,
            }
        }
        pools.push(pool);
    }
    let settings = items(n, "backendHttpSettingsCollection")
        .iter()
        .chain(items(n, "backendSettingsCollection"))
        .map(|s| (name(s), prop(s, "port").and_then(Node::as_i64).and_then(|x| u16::try_from(x).ok())))
        .collect();
    let waf = match (id_in(cx, n, "firewallPolicy"), prop(n, "webApplicationFirewallConfiguration")) {
        (Some(p), _) => Waf::Policy(p),
        (None, Some(c)) => match c.get_ci("enabled").and_then(Node::as_bool) {
            Some(false) => Waf::Inline(WafMode::Off),
            Some(true) => Waf::Inline(mode(c.get_ci("firewallMode").and_then(Node::as_str))),
            None => Waf::Inline(WafMode::Unknown),
        },
        (None, None) => Waf::None,
    };
    Some(AppGateway { id, loc: cx.loc(n), subnet, frontends, listeners, rules, path_maps, pools, settings, waf })
}

/// A pool and settings pair named by `pool` and the first of `settings` present.
fn target(cx: &mut Cx, n: &Node, pool: &str, settings: &[&str]) -> AppGwTarget {
    AppGwTarget::Backend { pool: sub_name(cx, n, pool), settings: settings.iter().find_map(|s| sub_name(cx, n, s)) }
}

/// An `ApplicationGatewayWebApplicationFirewallPolicies` resource:
/// `policySettings.state` (`Disabled` turns it off) and `mode`.
pub fn waf_policy(cx: &mut Cx, id: ResourceId, n: &Node) -> WafPolicy {
    let s = prop(n, "policySettings");
    let state = s.and_then(|s| s.get_ci("state")).and_then(Node::as_str);
    let m = if state.is_some_and(|x| x.eq_ignore_ascii_case("disabled")) {
        WafMode::Off
    } else {
        mode(s.and_then(|s| s.get_ci("mode")).and_then(Node::as_str))
    };
    WafPolicy { id, loc: cx.loc(n), mode: m }
}
