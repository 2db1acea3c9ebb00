//! Application gateways: which listener, rule and backend pool a flow to
//! a frontend takes, and the WAF in its way; the walk (`walk/appgw.rs`)
//! then traces the gateway's own connection to the backends.
//!
//! Microsoft Learn, "Application Gateway components"
//! (application-gateway/application-gateway-components) and "How an
//! application gateway works" (application-gateway/how-application-gateway-works):
//! a listener is a frontend IP, a frontend port and (multi-site) host
//! names; a request to a frontend on a port no listener has is not
//! accepted. Its routing rule sends the request to a backend pool, through
//! a URL path map when path-based, on the port of the rule's backend
//! settings. The gateway ends the client's connection and opens a new one
//! from an address of its own subnet ("Application Gateway infrastructure
//! configuration", application-gateway/configuration-infrastructure), so
//! the backends' NSGs see that address, and the subnet's NSG and routes
//! apply to both connections.
//!
//! WAF ("Web Application Firewall on Application Gateway",
//! web-application-firewall/ag/ag-overview, "WAF modes"): Detection logs
//! and blocks nothing; Prevention blocks requests that match its rules,
//! which depend on the request's content, not in the inputs. A WAF in
//! Prevention mode (or whose mode the inputs do not give) is therefore an
//! unknown step: the rest of the path is still traced and shown, but the
//! verdict is never "allowed" by guess.
//!
//! What tusk does not decide here, and says so (unknown): several
//! listeners on one frontend and port that lead to different pools when no
//! `--fqdn` tells the host apart; a URL path map whose rules lead to
//! different pools when no `--http-path` gives the request's path (or
//! the path's match is in doubt, `appgw_path.rs`); redirects; pools with FQDN members private DNS does
//! not resolve; members of a pool in several subnets.

use super::{Flow, Owner, Prepared};
use crate::appgw_path::PathDoubt;
pub use crate::appgw_path::PathPick;
use std::net::IpAddr;
use tusk_core::{Protocol, Tri};
use tusk_model::azure::{AppGateway, AppGwTarget, Idx, ResourceId, Subnet, Waf, WafMode, WafPolicy};

/// What an application gateway step says (index `gw` into `app_gateways`
/// is carried by [`super::Reason::AppGateway`]).
#[derive(Debug, Clone, PartialEq)]
pub enum AppGwWhy {
    /// A flow from the Internet to the gateway's public frontend address.
    PublicFrontend {
        /// The public address.
        dst: IpAddr,
    },
    /// No listener on the frontend and port: the gateway does not accept it.
    NoListener {
        /// The frontend's name.
        frontend: String,
        /// The port asked.
        port: Option<u16>,
    },
    /// The listener and routing rule that take the flow (indices).
    Listener {
        /// Index into the gateway's `listeners`.
        listener: usize,
        /// Index into its `rules`.
        rule: usize,
        /// With a URL path map: the path rule (or the map's default) the
        /// request's path chose (`--http-path`), or that every rule shares.
        path: Option<PathPick>,
    },
    /// The WAF that applies.
    Waf {
        /// Its mode.
        mode: WafMode,
        /// The WAF policy, when it is one.
        policy: Option<Idx<WafPolicy>>,
    },
    /// The gateway opens its own connection from `instance` to the pool's
    /// members on `port`.
    Proxied {
        /// Index into the gateway's `pools`.
        pool: usize,
        /// The members' addresses.
        backends: Vec<IpAddr>,
        /// The backend settings' port.
        port: u16,
        /// The address of the gateway's subnet whose path is shown.
        instance: IpAddr,
        /// Every address standing for the instances: one per part of the
        /// subnet the controls tell apart ([`instance_addresses`]); the
        /// trace is settled over all of them (`trace.rs`).
        instances: Vec<IpAddr>,
    },
    /// The members' paths do not all end alike.
    Mixed {
        /// Members whose path was allowed.
        allowed: Vec<IpAddr>,
        /// The others, with their verdict.
        other: Vec<(IpAddr, tusk_core::Kind)>,
    },
    /// The trace (request and reply) ends differently from the addresses
    /// that stand for the gateway's instances ([`instance_addresses`]):
    /// a rule or route on the way tells the gateway subnet's addresses
    /// apart, and which one an instance has is not in the inputs.
    MixedInstances {
        /// Instance addresses whose trace was allowed.
        allowed: Vec<IpAddr>,
        /// The others, with their verdict.
        other: Vec<(IpAddr, tusk_core::Kind)>,
    },
    /// The reply of the gateway's own connection reaches it; it answers
    /// the client from the frontend.
    Reply,
    /// The gateway's decision is not known.
    Doubt(AppGwDoubt),
}

/// Why an application gateway's decision is unknown.
#[derive(Debug, Clone, PartialEq)]
pub enum AppGwDoubt {
    /// Its subnet (`gatewayIPConfigurations`) is not in the inputs.
    SubnetMissing,
    /// A listener on the frontend whose port the inputs do not give.
    ListenerPortUnknown(usize),
    /// Several listeners take the port, leading to different pools; the
    /// host name (`--fqdn`) decides (indices into `listeners`).
    NeedsHost(Vec<usize>),
    /// The listener has no routing rule in the inputs.
    NoRule(usize),
    /// The rule's URL path map sends paths to different pools: the
    /// request's path decides (index into `rules`).
    NeedsPath(usize),
    /// Whether the request's path matches a pattern of `path_rule` (index
    /// into the map's `rules`) is not known (letter case, a trailing `/`,
    /// a `*` the docs do not allow), and that rule leads elsewhere
    /// ([`crate::appgw_path`]).
    PathInDoubt {
        /// Index into the gateway's `rules`.
        rule: usize,
        /// Index into the rule's URL path map's `rules`.
        path_rule: usize,
    },
    /// The rule's URL path map is not in the gateway's body.
    PathMapMissing(usize),
    /// The rule (or path rule) redirects: the gateway answers itself.
    Redirect(usize),
    /// The rule's pool or settings are not in the gateway's body.
    TargetMissing(usize),
    /// The backend settings' port is not known.
    SettingsPortUnknown(usize),
    /// The pool lists no member the inputs know (index into `pools`),
    /// neither in the gateway's body nor on a NIC: members not exported.
    EmptyPool(usize),
    /// Some member's address is not known (not a literal, a NIC ip
    /// configuration not in the inputs, an FQDN private DNS does not
    /// resolve), index into `pools`.
    MemberUnknown(usize),
    /// Members in several subnets: their replies may route differently.
    BackendsSpread,
    /// The WAF policy it names is not in the inputs.
    WafPolicyMissing(ResourceId),
}

/// What a gateway does with a flow to one of its frontends.
#[derive(Debug, Clone)]
pub struct Selected {
    /// Index into the gateway's `listeners`.
    pub listener: usize,
    /// Index into its `rules`.
    pub rule: usize,
    /// Index into its `pools`.
    pub pool: usize,
    /// The path rule chosen, with a URL path map.
    pub path: Option<PathPick>,
    /// The backend port.
    pub port: u16,
    /// Each member: address and holder.
    pub members: Vec<(IpAddr, Option<Owner>)>,
    /// The WAF that applies: mode and policy.
    pub waf: Result<(WafMode, Option<Idx<WafPolicy>>), AppGwDoubt>,
}

/// Why [`select`] found no backend.
#[derive(Debug, Clone, PartialEq)]
pub enum NotSelected {
    /// No listener on the frontend and port (or not TCP): not accepted.
    NoListener,
    /// Not known.
    Doubt(AppGwDoubt),
}

/// The gateway (index into `app_gateways`) and frontend whose private
/// address is `ip`.
pub fn private_frontend(p: &Prepared, ip: IpAddr) -> Option<(Idx<AppGateway>, usize)> {
    Idx::enumerate(&p.net.app_gateways)
        .find_map(|(g, gw)| gw.frontends.iter().position(|f| f.private_ip == Some(ip)).map(|f| (g, f)))
}

/// The gateway and frontend whose public IP resource has address `ip`.
pub fn public_frontend(p: &Prepared, ip: IpAddr) -> Option<(Idx<AppGateway>, usize)> {
    let net = p.net;
    Idx::enumerate(&p.net.app_gateways).find_map(|(g, gw)| {
        gw.frontends
            .iter()
            .position(|f| {
                f.public_ip
                    .as_ref()
                    .is_some_and(|id| net.public_ips.iter().any(|x| x.id.key() == id.key() && x.address == Some(ip)))
            })
            .map(|f| (g, f))
    })
}

/// The gateway's subnet.
pub fn subnet(p: &Prepared, g: Idx<AppGateway>) -> Option<Idx<Subnet>> {
    let key = p.net.app_gateways[g].subnet.as_ref()?.key();
    Idx::all(&p.net.subnets).find(|&s| p.net.subnets[s].id.key() == key)
}

/// The addresses the backends may see: one per part of the subnet's
/// usable addresses that the controls tell apart ([`crate::members::representatives`]
/// over every prefix; Azure reserves the first four and the last address
/// of each, "Virtual network FAQ", virtual-network/virtual-networks-faq),
/// skipping the frontends' and every other owned address. Instances take
/// addresses of the subnet the inputs do not list, any of these; a verdict
/// holds for the gateway only when it holds from each (issue 10: one
/// sample address passed its verdict off as every instance's). Empty when
/// the subnet has no free usable address.
pub fn instance_addresses(p: &Prepared, g: Idx<AppGateway>, s: Idx<Subnet>) -> Vec<IpAddr> {
    let gw = &p.net.app_gateways[g];
    let cuts = p.address_cuts();
    let taken = |a: u128| {
        let ip = tusk_core::ip::u128_to_ip(a);
        gw.frontends.iter().any(|f| f.private_ip == Some(ip)) || p.private.contains_key(&ip)
    };
    let mut out = Vec::new();
    for c in &p.net.subnets[s].prefixes {
        let r = c.range();
        let (lo, hi) = (r.lo.saturating_add(4), r.hi.saturating_sub(1));
        out.extend(crate::members::representatives(cuts, lo, hi, taken).into_iter().map(tusk_core::ip::u128_to_ip));
    }
    out
}

/// The listener, rule, pool and members a flow to frontend `fe` of
/// gateway `g` takes; `name` is the host the client asks for (`--fqdn`).
pub fn select(
    p: &Prepared,
    g: Idx<AppGateway>,
    fe: usize,
    flow: &Flow,
    name: Option<&str>,
    http_path: Option<&str>,
) -> Result<Selected, NotSelected> {
    let gw = &p.net.app_gateways[g];
    let fe_name = &gw.frontends[fe].name;
    if flow.proto != Protocol::Tcp {
        return Err(NotSelected::NoListener);
    }
    let on_frontend: Vec<usize> = (0..gw.listeners.len())
        .filter(|&l| gw.listeners[l].frontend.as_deref().is_some_and(|f| f.eq_ignore_ascii_case(fe_name)))
        .collect();
    if let Some(&l) = on_frontend.iter().find(|&&l| gw.listeners[l].port.is_none()) {
        return Err(NotSelected::Doubt(AppGwDoubt::ListenerPortUnknown(l)));
    }
    let mut cands: Vec<usize> = on_frontend.into_iter().filter(|&l| gw.listeners[l].port == flow.port).collect();
    if cands.is_empty() {
        return Err(NotSelected::NoListener);
    }
    // A host name picks among multi-site listeners; a basic listener
    // (no host names) takes what none of them does.
    if let (Some(n), true) = (name, cands.len() > 1) {
        let hit = |l: usize| Tri::any(gw.listeners[l].host_names.iter().map(|h| crate::fqdn::target_matches(h, n)));
        let sure: Vec<usize> = cands.iter().copied().filter(|&l| hit(l) == Tri::Yes).collect();
        let maybe = cands.iter().any(|&l| hit(l) == Tri::Maybe);
        if !maybe {
            cands = match sure.as_slice() {
                [] => cands.iter().copied().filter(|&l| gw.listeners[l].host_names.is_empty()).collect(),
                _ => sure,
            };
        }
        if cands.is_empty() {
            return Err(NotSelected::NoListener);
        }
    }
    let mut chosen: Option<(usize, Backend)> = None;
    for &l in &cands {
        let b = backend_of(p, g, l, http_path).map_err(NotSelected::Doubt)?;
        match &chosen {
            None => chosen = Some((l, b)),
            Some((_, c)) if c.pool == b.pool && c.port == b.port => {}
            Some(_) => return Err(NotSelected::Doubt(AppGwDoubt::NeedsHost(cands.clone()))),
        }
    }
    let Some((listener, b)) = chosen else { return Err(NotSelected::NoListener) };
    let members = members(p, g, b.pool).map_err(NotSelected::Doubt)?;
    let waf = waf(p, g, listener);
    Ok(Selected { listener, rule: b.rule, pool: b.pool, path: b.path, port: b.port, members, waf })
}

/// Where a listener's rule sends a request.
struct Backend {
    rule: usize,
    pool: usize,
    port: u16,
    path: Option<PathPick>,
}

/// The rule, pool, port and path rule of listener `l` for a request whose
/// path is `http_path`.
fn backend_of(p: &Prepared, g: Idx<AppGateway>, l: usize, http_path: Option<&str>) -> Result<Backend, AppGwDoubt> {
    let gw = &p.net.app_gateways[g];
    let lname = &gw.listeners[l].name;
    let Some(rule) = gw.rules.iter().position(|r| r.listener.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(lname)))
    else {
        return Err(AppGwDoubt::NoRule(l));
    };
    let (target, path) = match &gw.rules[rule].target {
        AppGwTarget::PathMap(m) => {
            let Some(map) = m.as_deref().and_then(|m| gw.path_maps.iter().find(|x| x.name.eq_ignore_ascii_case(m)))
            else {
                return Err(AppGwDoubt::PathMapMissing(rule));
            };
            match crate::appgw_path::choose(map, http_path) {
                Ok((pick, t)) => (t.clone(), Some(pick)),
                Err(PathDoubt::NeedsPath) => return Err(AppGwDoubt::NeedsPath(rule)),
                Err(PathDoubt::InDoubt(path_rule)) => return Err(AppGwDoubt::PathInDoubt { rule, path_rule }),
            }
        }
        t => (t.clone(), None),
    };
    let AppGwTarget::Backend { pool, settings } = &target else { return Err(AppGwDoubt::Redirect(rule)) };
    let find = |list: &[String], n: &Option<String>| {
        n.as_deref().and_then(|n| list.iter().position(|x| x.eq_ignore_ascii_case(n)))
    };
    let pools: Vec<String> = gw.pools.iter().map(|x| x.name.clone()).collect();
    let names: Vec<String> = gw.settings.iter().map(|x| x.0.clone()).collect();
    let (Some(pi), Some(si)) = (find(&pools, pool), find(&names, settings)) else {
        return Err(AppGwDoubt::TargetMissing(rule));
    };
    let Some(port) = gw.settings[si].1 else { return Err(AppGwDoubt::SettingsPortUnknown(rule)) };
    Ok(Backend { rule, pool: pi, port, path })
}

/// Every member of pool `pool`: addresses, NIC ip configurations, FQDNs
/// resolved through the private DNS zones linked to the gateway's VNet.
fn members(p: &Prepared, g: Idx<AppGateway>, pool: usize) -> Result<Vec<(IpAddr, Option<Owner>)>, AppGwDoubt> {
    let net = p.net;
    let pl = &net.app_gateways[g].pools[pool];
    if pl.unknown_entries > 0 {
        return Err(AppGwDoubt::MemberUnknown(pool));
    }
    let mut out: Vec<(IpAddr, Option<Owner>)> =
        pl.addresses.iter().map(|ip| (*ip, p.private.get(ip).copied())).collect();
    for c in &pl.nic_configs {
        let (Some(nic_id), cname) = (c.parent(), c.name()) else {
            return Err(AppGwDoubt::MemberUnknown(pool));
        };
        let hit = Idx::enumerate(&net.nics).find_map(|(n, nic)| {
            (nic.id.key() == nic_id.key())
                .then(|| nic.ip_configs.iter().position(|x| x.name.eq_ignore_ascii_case(cname)).map(|i| (n, i)))
                .flatten()
        });
        match hit.and_then(|(n, i)| net.nics[n].ip_configs[i].private_ip.map(|ip| (ip, Some(Owner::Nic(n, i))))) {
            Some(m) => out.push(m),
            None => return Err(AppGwDoubt::MemberUnknown(pool)),
        }
    }
    // The NIC side: ip configurations that name the pool in their
    // `applicationGatewayBackendAddressPools` (networkInterface.json; what
    // ARM templates and Terraform's pool association write). A reference
    // whose id is not known may name this pool: its member is unknown.
    let key = format!("{}/backendaddresspools/{}", net.app_gateways[g].id.key(), pl.name.to_ascii_lowercase());
    for (n, nic) in Idx::enumerate(&net.nics) {
        for (i, c) in nic.ip_configs.iter().enumerate() {
            let names_it = c.appgw_pools.iter().any(|x| x.as_ref().is_some_and(|id| id.key() == key));
            let may_name_it = c.appgw_pools.iter().any(Option::is_none);
            match (names_it, c.private_ip) {
                (true, Some(ip)) => out.push((ip, Some(Owner::Nic(n, i)))),
                (true, None) => return Err(AppGwDoubt::MemberUnknown(pool)),
                (false, _) if may_name_it => return Err(AppGwDoubt::MemberUnknown(pool)),
                (false, _) => {}
            }
        }
    }
    let vnet = subnet(p, g).map(|s| net.subnets[s].vnet);
    for f in &pl.fqdns {
        match crate::dns::resolve(p, vnet, f) {
            crate::dns::Resolution::Addresses { ips, .. } => {
                out.extend(ips.into_iter().map(|ip| (ip, p.private.get(&ip).copied())))
            }
            _ => return Err(AppGwDoubt::MemberUnknown(pool)),
        }
    }
    out.sort_by_key(|m| tusk_core::ip::ip_to_u128(m.0));
    out.dedup_by_key(|m| m.0);
    if out.is_empty() {
        return Err(AppGwDoubt::EmptyPool(pool));
    }
    Ok(out)
}

/// The WAF for listener `l`: its own policy, else the gateway's.
fn waf(p: &Prepared, g: Idx<AppGateway>, l: usize) -> Result<(WafMode, Option<Idx<WafPolicy>>), AppGwDoubt> {
    let gw = &p.net.app_gateways[g];
    let policy =
        |id: &ResourceId| match Idx::all(&p.net.waf_policies).find(|&w| p.net.waf_policies[w].id.key() == id.key()) {
            Some(i) => Ok((p.net.waf_policies[i].mode, Some(i))),
            None => Err(AppGwDoubt::WafPolicyMissing(id.clone())),
        };
    match (&gw.listeners[l].waf_policy, &gw.waf) {
        (Some(id), _) | (None, Waf::Policy(id)) => policy(id),
        (None, Waf::Inline(m)) => Ok((*m, None)),
        (None, Waf::None) => Ok((WafMode::Off, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{net, vnet, SUB};

    /// Three listeners on one frontend and port 443: two multi-site ones
    /// (`a.example.com` → pool a, `*.b.example.com` → pool b) and a basic
    /// one (→ pool c); the gateway names a WAF policy the inputs lack.
    fn estate() -> tusk_model::azure::AzureNetwork {
        let g = format!("{SUB}/applicationGateways/agw");
        let r = |kind: &str, n: &str| format!(r#"{{"id": "{g}/{kind}/{n}"}}"#);
        let listener = |n: &str, hosts: &str| {
            format!(
                r#"{{"name": "{n}", "frontendIPConfiguration": {}, "frontendPort": {}, "hostNames": [{hosts}]}}"#,
                r("frontendIPConfigurations", "fe"),
                r("frontendPorts", "p443")
            )
        };
        let rule = |n: &str, l: &str, pool: &str| {
            format!(
                r#"{{"name": "{n}", "httpListener": {}, "backendAddressPool": {}, "backendHttpSettings": {}}}"#,
                r("httpListeners", l),
                r("backendAddressPools", pool),
                r("backendHttpSettingsCollection", "s")
            )
        };
        let pool = |n: &str, ip: &str| format!(r#"{{"name": "{n}", "backendAddresses": [{{"ipAddress": "{ip}"}}]}}"#);
        let agw = format!(
            r#"{{"id": "{g}", "type": "Microsoft.Network/applicationGateways",
                "gatewayIPConfigurations": [{{"name": "gw", "subnet": {{"id": "{SUB}/virtualNetworks/v/subnets/agw"}}}}],
                "frontendIPConfigurations": [{{"name": "fe", "privateIPAddress": "10.0.1.4"}}],
                "frontendPorts": [{{"name": "p443", "port": 443}}],
                "httpListeners": [{}, {}, {}],
                "requestRoutingRules": [{}, {}, {}],
                "backendAddressPools": [{}, {}, {}],
                "backendHttpSettingsCollection": [{{"name": "s", "port": 8080}}],
                "firewallPolicy": {{"id": "{SUB}/ApplicationGatewayWebApplicationFirewallPolicies/absent"}}}}"#,
            listener("la", r#""a.example.com""#),
            listener("lb", r#""*.b.example.com""#),
            listener("lc", ""),
            rule("ra", "la", "a"),
            rule("rb", "lb", "b"),
            rule("rc", "lc", "c"),
            pool("a", "10.0.2.4"),
            pool("b", "10.0.2.5"),
            pool("c", "10.0.2.6"),
        );
        let v = vnet("v", "10.0.0.0/16", &[("agw", "10.0.1.0/24", None, None), ("be", "10.0.2.0/24", None, None)], &[]);
        net(&[v, agw])
    }

    fn flow(port: u16) -> Flow {
        Flow {
            src: "10.0.2.9".parse().unwrap(),
            dst: "10.0.1.4".parse().unwrap(),
            proto: Protocol::Tcp,
            port: Some(port),
        }
    }

    #[test]
    fn the_host_name_picks_the_listener_and_a_basic_listener_takes_the_rest() {
        let n = estate();
        let cfg = Default::default();
        let p = Prepared::new(&n, &cfg);
        assert_eq!(private_frontend(&p, "10.0.1.4".parse().unwrap()), Some((Idx::new(0), 0)));
        let pool =
            |name: Option<&str>| select(&p, Idx::new(0), 0, &flow(443), name, None).map(|s| s.members[0].0.to_string());
        assert_eq!(pool(Some("A.example.com")), Ok("10.0.2.4".to_string()));
        assert_eq!(pool(Some("x.b.example.com")), Ok("10.0.2.5".to_string()));
        assert_eq!(pool(Some("other.example.org")), Ok("10.0.2.6".to_string()));
        // Without the host, the three listeners lead to three pools.
        assert!(matches!(
            select(&p, Idx::new(0), 0, &flow(443), None, None),
            Err(NotSelected::Doubt(AppGwDoubt::NeedsHost(_)))
        ));
        // No listener on 80: the gateway does not accept it.
        assert!(matches!(select(&p, Idx::new(0), 0, &flow(80), None, None), Err(NotSelected::NoListener)));
        // A WAF policy outside the inputs may block: unknown, never passed.
        let s = select(&p, Idx::new(0), 0, &flow(443), Some("a.example.com"), None).unwrap();
        assert!(matches!(s.waf, Err(AppGwDoubt::WafPolicyMissing(_))));
        assert_eq!(s.port, 8080);
        // The backends see an address of the gateway's subnet that is not
        // its frontend's; no rule splits the subnet, so one stands for all.
        let sub = subnet(&p, Idx::new(0)).unwrap();
        assert_eq!(instance_addresses(&p, Idx::new(0), sub), vec!["10.0.1.5".parse::<IpAddr>().unwrap()]);
    }
}
