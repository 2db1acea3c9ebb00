//! The English of application gateway steps (the typed
//! `tusk_network::appgw` values): which listener and rule took the flow,
//! the WAF in its way, the gateway's own connection to the backends, or
//! why its decision is unknown. Split from `words.rs`.

use std::net::IpAddr;
use tusk_model::azure::{AppGateway, AppGwPathMap, AppGwTarget, AzureNetwork, Idx, WafMode};
use tusk_network::appgw::{AppGwDoubt, AppGwWhy, PathPick};

fn ips(list: &[IpAddr]) -> String {
    list.iter().map(IpAddr::to_string).collect::<Vec<_>>().join(", ")
}

fn listener(g: &AppGateway, l: usize) -> String {
    let x = &g.listeners[l];
    format!("listener `{}` ({})", x.name, x.loc)
}

fn rule(g: &AppGateway, r: usize) -> String {
    let x = &g.rules[r];
    format!("rule `{}` ({})", x.name, x.loc)
}

/// The URL path map of rule `r`, when the gateway's body holds it.
fn path_map(g: &AppGateway, r: usize) -> Option<&AppGwPathMap> {
    let AppGwTarget::PathMap(Some(m)) = &g.rules[r].target else { return None };
    g.path_maps.iter().find(|x| x.name.eq_ignore_ascii_case(m))
}

/// Which path rule of rule `r`'s URL path map took the request.
fn path_pick(g: &AppGateway, r: usize, pick: PathPick) -> String {
    let Some(m) = path_map(g, r) else { return String::new() };
    match pick {
        PathPick::Rule(i) => {
            let pr = &m.rules[i];
            format!("URL path map `{}` ({}): path rule `{}` ({}, paths {}), the first listed whose pattern matches the path", m.name, m.loc, pr.name, pr.loc, pr.paths.join(", "))
        }
        PathPick::Default => format!(
            "URL path map `{}` ({}): no path rule's pattern matches the path, so its default backend",
            m.name, m.loc
        ),
    }
}

/// The sentence of an application gateway step.
pub fn why(net: &AzureNetwork, gw: Idx<AppGateway>, what: &AppGwWhy) -> String {
    let g = &net.app_gateways[gw];
    let name = g.id.name();
    match what {
        AppGwWhy::PublicFrontend { dst } => {
            format!("{dst} is a public frontend of application gateway {name} ({})", g.loc)
        }
        AppGwWhy::NoListener { frontend, port } => {
            let port = port.map_or("no port".to_string(), |p| format!("port {p}"));
            format!("application gateway {name} has no listener on frontend `{frontend}` and {port} (TCP): it does not accept the connection ({})", g.loc)
        }
        AppGwWhy::Listener { listener: l, rule: r, path } => {
            let by_path = path.map_or(String::new(), |pick| format!("; {}", path_pick(g, *r, pick)));
            format!("{} takes it; {}{by_path}", listener(g, *l), rule(g, *r))
        }
        AppGwWhy::Waf { mode, policy } => {
            let by = match policy {
                Some(i) => format!("WAF policy {} ({})", net.waf_policies[*i].id.name(), net.waf_policies[*i].loc),
                None => format!("the gateway's WAF configuration ({})", g.loc),
            };
            match mode {
                WafMode::Detection => format!("{by} is in Detection mode: it logs matching requests and blocks none"),
                WafMode::Prevention => format!("{by} is in Prevention mode: it blocks requests that match its rules, which depend on the request's content (not in the inputs), so whether this request passes is unknown; the rest of the path is traced as if it passed"),
                WafMode::Off => format!("{by} is disabled"),
                WafMode::Unknown => format!("{by} has a mode the inputs do not give: it may block the request"),
            }
        }
        AppGwWhy::Proxied { pool, backends, port, instance, instances } => {
            let from = if instances.len() > 1 {
                format!("from {instance}, an address of its subnet (its instances take addresses the inputs do not list; one address per part of the subnet the rules and routes tell apart stands for them, {}, and the flow is traced from each; this path goes from the first)", ips(instances))
            } else {
                format!("from {instance}, an address of its subnet (its instances take addresses the inputs do not list; no rule tells the subnet's free addresses apart, so this one stands for them)")
            };
            format!(
                "application gateway {name} opens its own connection to backend pool `{}` ({}: {}) on port {port}, {from}",
                g.pools[*pool].name,
                g.pools[*pool].loc,
                ips(backends)
            )
        }
        AppGwWhy::Mixed { allowed, other } => {
            let no: Vec<String> = other.iter().map(|(b, k)| format!("{b} {}", k.name())).collect();
            format!(
                "mixed: application gateway {name} sends it to backends that answer differently (allowed: {}; {})",
                ips(allowed),
                no.join(", ")
            )
        }
        AppGwWhy::MixedInstances { allowed, other } => {
            let no: Vec<String> = other.iter().map(|(i, k)| format!("from {i} {}", k.name())).collect();
            format!(
                "mixed: application gateway {name}'s instances take addresses of its subnet the inputs do not list, and a rule or route on the way tells them apart: allowed from {}; {}",
                if allowed.is_empty() { "none of them".to_string() } else { ips(allowed) },
                no.join(", ")
            )
        }
        AppGwWhy::Reply => {
            format!("the reply reaches application gateway {name}, which answers the client from its frontend")
        }
        AppGwWhy::Doubt(d) => format!("application gateway {name} ({}): {}", g.loc, doubt(net, g, d)),
    }
}

fn doubt(net: &AzureNetwork, g: &AppGateway, d: &AppGwDoubt) -> String {
    let pool = |p: usize| format!("backend pool `{}` ({})", g.pools[p].name, g.pools[p].loc);
    match d {
        AppGwDoubt::SubnetMissing => "its subnet (`gatewayIPConfigurations`) or a free address in it is not in the inputs: where its connections start is unknown".into(),
        AppGwDoubt::ListenerPortUnknown(l) => format!("the port of {} is not known", listener(g, *l)),
        AppGwDoubt::NeedsHost(ls) => {
            let names: Vec<String> = ls.iter().map(|l| listener(g, *l)).collect();
            format!("several listeners take the port ({}) and lead to different backends: the host name decides; give --fqdn", names.join(", "))
        }
        AppGwDoubt::NoRule(l) => format!("no routing rule of the inputs uses {}", listener(g, *l)),
        AppGwDoubt::NeedsPath(r) => format!("{} routes by URL path to different backends: the request's path decides; give --http-path", rule(g, *r)),
        AppGwDoubt::PathInDoubt { rule: r, path_rule } => match path_map(g, *r) {
            Some(m) => {
                let pr = &m.rules[*path_rule];
                format!("whether the request's path matches path rule `{}` ({}, paths {}) of URL path map `{}` of {} is not known: the docs do not say whether matching ignores letter case, whether `/x/*` takes `/x`, or how a `*` before the end reads; that rule leads elsewhere", pr.name, pr.loc, pr.paths.join(", "), m.name, rule(g, *r))
            }
            None => format!("the URL path map of {} is not in the gateway's body", rule(g, *r)),
        },
        AppGwDoubt::PathMapMissing(r) => format!("the URL path map of {} is not in the gateway's body", rule(g, *r)),
        AppGwDoubt::Redirect(r) => format!("{} redirects: the gateway answers the client itself, no backend is reached", rule(g, *r)),
        AppGwDoubt::TargetMissing(r) => format!("the backend pool or settings of {} are not in the gateway's body", rule(g, *r)),
        AppGwDoubt::SettingsPortUnknown(r) => format!("the backend settings' port of {} is not known", rule(g, *r)),
        AppGwDoubt::EmptyPool(p) => format!("{} lists no member the inputs know, in the gateway's body or on a NIC (members not exported)", pool(*p)),
        AppGwDoubt::MemberUnknown(p) => format!("some member of {} has an address the inputs do not give (an expression, a NIC not in the inputs, a NIC whose pool reference is not known, an FQDN private DNS does not resolve)", pool(*p)),
        AppGwDoubt::BackendsSpread => "its backends are in several subnets, whose replies may route differently".into(),
        AppGwDoubt::WafPolicyMissing(id) => {
            let _ = net;
            format!("its WAF policy {} is not in the inputs: it may block the request", id.name())
        }
    }
}
