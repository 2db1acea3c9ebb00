//! The trace of one flow, hop by hop, and of its reply.
//!
//! The forward walk starts at the source, applies the controls in the
//! order Azure does (admin rules and NSGs out, the route, peering flags,
//! the next hop's device, admin rules and NSGs in) and stops at the first
//! denial. The reply walk starts where the flow was delivered, addressed to
//! the source as the destination saw it; NSGs and admin rules let it pass
//! (they are stateful), routes and peerings do not care about state, and a
//! stateful device (Azure Firewall, an NVA configured `stateful` in
//! `tusk.yaml`) only passes a reply it saw the request of; a stateless NVA
//! applies its rules to the reply. A firewall on one path and not on the
//! other is asymmetric routing,
//! which Azure Firewall drops ("Azure Firewall ... is stateful ... asymmetric
//! routing" — firewall/forced-tunneling, firewall/integrate-lb): the trace
//! reports it as denied and shows both paths.
//!
//! The verdict is the first non-allowed decision along the forward path,
//! then along the reply path: after an unknown step, anything downstream is
//! conditional, so an unknown is never upgraded to allowed or denied.

use super::endpoint::Endpoint;
pub use super::path::{Arrival, Control, Path, Step};
use super::walk::{Start, Walker};
use super::{Flow, Kind, Prepared, Reason};

/// One flow traced: the request's path, the reply's, the verdict.
#[derive(Debug, Clone)]
pub struct Trace {
    /// The flow.
    pub flow: Flow,
    /// Its source.
    pub from: Endpoint,
    /// Its destination.
    pub to: Endpoint,
    /// The request's path.
    pub forward: Path,
    /// The reply, when the forward path was not denied.
    pub reply: Option<Path>,
    /// Denied or unknown by the first step that is, else allowed.
    pub verdict: Kind,
    /// What decided the verdict.
    pub decided: Decided,
    /// The name the client asks for (`--fqdn`), when given.
    pub name: Option<String>,
    /// The HTTP request's path (`--http-path`), when given.
    pub http_path: Option<String>,
}

/// Which path decided a trace's verdict, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// The first step of the path (`reply`: the reply path) that is not
    /// allowed, by its index.
    Step {
        /// On the reply path (else the request's)?
        reply: bool,
        /// The step's index in its path.
        step: usize,
    },
    /// Every step of the path allowed it and it was delivered.
    Delivered {
        /// Is it the reply path that was delivered?
        reply: bool,
    },
    /// Every step allowed it, but the path ends nowhere.
    NotDelivered {
        /// Is it the reply path that ended nowhere?
        reply: bool,
    },
}

/// Traces `flow` from `from` to `to` (the flow's addresses are theirs).
pub fn trace(p: &Prepared, from: &Endpoint, to: &Endpoint, flow: Flow) -> Trace {
    trace_named(p, from, to, flow, None)
}

/// As [`trace`], for a client that asks for `name` (`tusk trace --fqdn`):
/// firewall application rules and network rules on FQDNs match on it.
pub fn trace_named(p: &Prepared, from: &Endpoint, to: &Endpoint, flow: Flow, name: Option<&str>) -> Trace {
    trace_request(p, from, to, flow, Request { name, http_path: None })
}

/// What the client's request says beyond addresses and port: the name it
/// asks for (TLS SNI or HTTP Host, `--fqdn`) and the HTTP path
/// (`--http-path`, which an application gateway's URL path map reads).
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    /// The name, when given.
    pub name: Option<&'a str>,
    /// The path, when given (`/images/a.png`).
    pub http_path: Option<&'a str>,
}

/// As [`trace_named`], for a request with a name and an HTTP path.
pub fn trace_request(p: &Prepared, from: &Endpoint, to: &Endpoint, flow: Flow, req: Request) -> Trace {
    let t = trace_from(p, from, to, flow, req, None);
    settle_instances(t, |i| trace_from(p, from, to, flow, req, Some(i)).verdict)
}

/// An application gateway's instances take addresses of its subnet the
/// inputs do not list; the walk went from one of the addresses that stand
/// for them ([`super::appgw::instance_addresses`], one per part of the
/// subnet the controls tell apart). When there are several, the flow is
/// traced from each (request and reply), and when the verdicts differ the
/// gateway's step is preceded by an unknown
/// [`super::appgw::AppGwWhy::MixedInstances`] step that names them, which
/// makes the trace unknown: which address an instance has decides
/// (issue 10: one sample address passed its verdict off as every
/// instance's). `verdict_from(ip)` is the verdict with the gateway's
/// connections leaving from `ip`.
fn settle_instances(mut t: Trace, verdict_from: impl Fn(std::net::IpAddr) -> Kind) -> Trace {
    use super::appgw::AppGwWhy;
    let found = t.forward.steps.iter().enumerate().find_map(|(i, s)| match &s.decision.reason {
        Reason::AppGateway { gw, what: AppGwWhy::Proxied { instance, instances, .. } } if instances.len() > 1 => {
            Some((i, *gw, *instance, instances.clone()))
        }
        _ => None,
    });
    let Some((at, gw, shown, instances)) = found else { return t };
    let verdicts: Vec<(std::net::IpAddr, Kind)> =
        instances.iter().map(|&i| (i, if i == shown { t.verdict } else { verdict_from(i) })).collect();
    if verdicts.iter().all(|v| v.1 == t.verdict) {
        return t;
    }
    let allowed = verdicts.iter().filter(|v| v.1 == Kind::Allowed).map(|v| v.0).collect();
    let other = verdicts.iter().filter(|v| v.1 != Kind::Allowed).copied().collect();
    let s = &t.forward.steps[at];
    let what = AppGwWhy::MixedInstances { allowed, other };
    let decision = super::decision::Decision::new(Kind::Unknown, Reason::AppGateway { gw, what }, None);
    let mixed = Step { at: s.at, control: s.control, decision, src: s.src, dst: s.dst, nat: Vec::new() };
    t.forward.steps.insert(at, mixed);
    t.forward.verdict = Kind::Unknown;
    if let Some(first) = t.forward.steps.iter().find(|s| s.decision.verdict != Kind::Allowed) {
        t.forward.verdict = first.decision.verdict;
    }
    (t.verdict, t.decided) = summary(&t.forward, false);
    t
}

/// [`trace_named`] with the application gateway's connections leaving
/// from `instance` (one of its instance addresses), when given.
fn trace_from(
    p: &Prepared,
    from: &Endpoint,
    to: &Endpoint,
    flow: Flow,
    req: Request,
    instance: Option<std::net::IpAddr>,
) -> Trace {
    let name = req.name;
    let forward = Walker::new(p, flow, None)
        .named(name.map(str::to_string))
        .http_path(req.http_path.map(str::to_string))
        .appgw_instance(instance)
        .run(Start::from_endpoint(from), to);
    let mut reply = None;
    let (mut verdict, mut decided) = summary(&forward, false);
    if forward.verdict != Kind::Denied && forward.arrival != Arrival::Nowhere {
        let back_flow = Flow { src: forward.final_dst, dst: forward.final_src, proto: flow.proto, port: None };
        let r = Walker::new(p, back_flow, Some(&forward)).run(Start::reply_from(p, &forward), from);
        if verdict == Kind::Allowed {
            (verdict, decided) = summary(&r, true);
        }
        reply = Some(r);
    }
    let http_path = req.http_path.map(str::to_string);
    Trace {
        flow,
        from: from.clone(),
        to: to.clone(),
        forward,
        reply,
        verdict,
        decided,
        name: name.map(str::to_string),
        http_path,
    }
}

impl Trace {
    /// The step that decided the verdict, if a step did.
    pub fn deciding_step(&self) -> Option<&Step> {
        match self.decided {
            Decided::Step { reply: false, step } => self.forward.steps.get(step),
            Decided::Step { reply: true, step } => self.reply.as_ref()?.steps.get(step),
            _ => None,
        }
    }

    /// The reason of the deciding step, if a step decided.
    pub fn deciding_reason(&self) -> Option<&Reason> {
        self.deciding_step().map(|s| &s.decision.reason)
    }
}

fn summary(path: &Path, reply: bool) -> (Kind, Decided) {
    match path.steps.iter().position(|s| s.decision.verdict != Kind::Allowed) {
        Some(i) => (path.steps[i].decision.verdict, Decided::Step { reply, step: i }),
        None if path.verdict == Kind::Allowed => (Kind::Allowed, Decided::Delivered { reply }),
        None => (path.verdict, Decided::NotDelivered { reply }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::decision::Nat;
    use super::super::endpoint::resolve;
    use super::super::testutil::{net, nsg, route_table, vnet, SUB};
    use super::*;
    use tusk_core::Protocol;

    fn nic(name: &str, vnet: &str, subnet: &str, ip: &str) -> String {
        format!(
            r#"{{"name": "{name}", "id": "{SUB}/networkInterfaces/{name}", "type": "Microsoft.Network/networkInterfaces", "ipConfigurations": [{{"name": "c", "privateIPAddress": "{ip}", "subnet": {{"id": "{SUB}/virtualNetworks/{vnet}/subnets/{subnet}"}}}}]}}"#
        )
    }

    fn run(docs: &[String], from: &str, to: &str, port: u16) -> Trace {
        let n = net(docs);
        let p = crate::testutil::prep(&n);
        let (a, b) = (resolve(&p, from).unwrap(), resolve(&p, to).unwrap());
        trace(&p, &a, &b, Flow { src: a.ip(), dst: b.ip(), proto: Protocol::Tcp, port: Some(port) })
    }

    fn admin(name: &str, prio: u32, access: &str, port: &str) -> String {
        format!(
            r#"{{"name": "{name}", "id": "{SUB}/networkManagers/m/securityAdminConfigurations/c/ruleCollections/rc/rules/{name}", "type": "Microsoft.Network/networkManagers/securityAdminConfigurations/ruleCollections/rules", "kind": "Custom", "priority": {prio}, "direction": "Inbound", "access": "{access}", "protocol": "Tcp", "sources": [{{"addressPrefixType": "IPPrefix", "addressPrefix": "*"}}], "destinations": [{{"addressPrefixType": "IPPrefix", "addressPrefix": "*"}}], "sourcePortRanges": ["0-65535"], "destinationPortRanges": ["{port}"]}}"#
        )
    }

    fn base() -> Vec<String> {
        let deny_22 = r#"{"name": "deny-22", "priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}"#;
        vec![
            vnet(
                "v",
                "10.0.0.0/16",
                &[("a", "10.0.1.0/24", None, None), ("b", "10.0.2.0/24", Some("nsg-b"), None)],
                &[],
            ),
            nsg("nsg-b", &[deny_22]),
            nic("vm-a", "v", "a", "10.0.1.4"),
            nic("vm-b", "v", "b", "10.0.2.4"),
        ]
    }

    #[test]
    fn admin_rules_come_before_nsgs() {
        // Deny wins over an NSG allow (AllowVnetInBound).
        let mut docs = base();
        docs.push(admin("deny-443", 10, "Deny", "443"));
        let t = run(&docs, "vm-a", "vm-b", 443);
        assert_eq!(t.verdict, Kind::Denied);
        assert_eq!(t.forward.steps.last().unwrap().control, Control::AdminRules);
        // AlwaysAllow skips the NSG that denies port 22; Allow does not.
        let mut docs = base();
        docs.push(admin("always-22", 10, "AlwaysAllow", "22"));
        assert_eq!(run(&docs, "vm-a", "vm-b", 22).verdict, Kind::Allowed);
        let mut docs = base();
        docs.push(admin("allow-22", 10, "Allow", "22"));
        assert_eq!(run(&docs, "vm-a", "vm-b", 22).verdict, Kind::Denied);
    }

    #[test]
    fn nsgs_apply_between_vms_of_one_subnet() {
        let mut docs = base();
        docs.push(nic("vm-b2", "v", "b", "10.0.2.5"));
        let t = run(&docs, "vm-b2", "vm-b", 22);
        assert_eq!(t.verdict, Kind::Denied);
        let n = net(&docs);
        assert_eq!(crate::testutil::cited(&n, &t.forward.steps.last().unwrap().decision.cite), "deny-22");
    }

    #[test]
    fn a_route_back_into_the_same_firewall_is_a_loop() {
        let mut docs = vec![
            vnet(
                "v",
                "10.0.0.0/16",
                &[
                    ("a", "10.0.1.0/24", None, Some("rt-a")),
                    ("AzureFirewallSubnet", "10.0.9.0/26", None, Some("rt-fw")),
                ],
                &[],
            ),
            nic("vm-a", "v", "a", "10.0.1.4"),
            route_table("rt-a", &[("x", "10.5.0.0/16", "VirtualAppliance", Some("10.0.9.4"))], false),
            route_table("rt-fw", &[("x", "10.5.0.0/16", "VirtualAppliance", Some("10.0.9.4"))], false),
            format!(
                r#"{{"name": "fw", "id": "{SUB}/azureFirewalls/fw", "type": "Microsoft.Network/azureFirewalls", "ipConfigurations": [{{"name": "c", "privateIPAddress": "10.0.9.4", "subnet": {{"id": "{SUB}/virtualNetworks/v/subnets/AzureFirewallSubnet"}}}}], "networkRuleCollections": [{{"name": "all", "properties": {{"priority": 100, "action": {{"type": "Allow"}}, "rules": [{{"name": "any", "sourceAddresses": ["*"], "destinationAddresses": ["*"], "destinationPorts": ["*"], "protocols": ["Any"]}}]}}}}]}}"#
            ),
        ];
        docs.push(vnet("w", "10.5.0.0/16", &[("s", "10.5.0.0/24", None, None)], &[]));
        let t = run(&docs, "vm-a", "internet:8.8.8.8", 443);
        // Sanity: the Internet is not affected by the loop.
        assert_eq!(t.verdict, Kind::Allowed, "{:?}", t.deciding_reason());
        let n = net(&docs);
        let p = crate::testutil::prep(&n);
        let a = resolve(&p, "vm-a").unwrap();
        let b = Endpoint::Internet { ip: "10.5.0.9".parse().unwrap() };
        let t = trace(&p, &a, &b, Flow { src: a.ip(), dst: b.ip(), proto: Protocol::Tcp, port: Some(443) });
        assert_eq!(t.verdict, Kind::Denied);
        assert_eq!(t.deciding_reason(), Some(&Reason::RoutingLoop));
    }

    /// A VNet with clients in `a`, servers in `b` and an NVA in `n`; `a`
    /// routes `b` through the NVA, and `b` routes `a` back through it only
    /// when `symmetric`.
    fn nva_estate(symmetric: bool, nva: &str) -> Trace {
        let mut docs = vec![
            vnet(
                "v",
                "10.0.0.0/16",
                &[
                    ("a", "10.0.1.0/24", None, Some("rt-a")),
                    ("b", "10.0.2.0/24", None, symmetric.then_some("rt-b")),
                    ("n", "10.0.9.0/24", None, None),
                ],
                &[],
            ),
            nic("vm-a", "v", "a", "10.0.1.4"),
            nic("vm-b", "v", "b", "10.0.2.4"),
            nic("nva", "v", "n", "10.0.9.4")
                .replace(r#""ipConfigurations""#, r#""enableIPForwarding": true, "ipConfigurations""#),
            route_table("rt-a", &[("b-via-nva", "10.0.2.0/24", "VirtualAppliance", Some("10.0.9.4"))], false),
            route_table("rt-b", &[("a-via-nva", "10.0.1.0/24", "VirtualAppliance", Some("10.0.9.4"))], false),
        ];
        docs.push(format!("apiVersion: tusk.dev/v1alpha1\nkind: TuskConfig\nnvas:\n- nic: nva\n{nva}"));
        let sources: Vec<(std::sync::Arc<str>, String)> =
            docs.iter().enumerate().map(|(i, d)| (std::sync::Arc::from(format!("t{i}.yaml")), d.clone())).collect();
        let e = tusk_load::load_sources(&sources).unwrap_or_else(|e| panic!("{e}")).estate;
        let p = Prepared::new(&e.azure, &e.config);
        let (a, b) = (resolve(&p, "vm-a").unwrap(), resolve(&p, "vm-b").unwrap());
        trace(&p, &a, &b, Flow { src: a.ip(), dst: b.ip(), proto: Protocol::Tcp, port: Some(443) })
    }

    const ALLOW_FROM_A: &str = "  rules:\n  - {name: from-a, action: allow, source: [10.0.1.0/24]}\n";

    #[test]
    fn a_stateful_nva_passes_the_reply_only_on_a_symmetric_path() {
        let t = nva_estate(true, ALLOW_FROM_A);
        assert_eq!(t.verdict, Kind::Allowed, "{:?}", t.deciding_reason());
        let t = nva_estate(false, ALLOW_FROM_A);
        assert_eq!(t.verdict, Kind::Denied);
        assert!(matches!(t.deciding_reason(), Some(Reason::BypassesNva(_))), "{:?}", t.deciding_reason());
        // The drop is where the reply leaves the request's path, right
        // after the route that bypasses the NVA, never after a delivery.
        let reply = t.reply.unwrap();
        let controls: Vec<Control> = reply.steps.iter().map(|s| s.control).collect();
        assert_eq!(controls, [Control::Route, Control::Nva], "{controls:?}");
    }

    #[test]
    fn a_stateless_nva_judges_the_reply_by_its_rules() {
        let stateless = format!("  stateful: false\n{ALLOW_FROM_A}");
        // The reply comes from b, which no rule allows.
        let t = nva_estate(true, &stateless);
        assert_eq!(t.verdict, Kind::Denied);
        assert!(matches!(t.decided, Decided::Step { reply: true, .. }), "{:?}", t.decided);
        assert_eq!(t.deciding_reason(), Some(&Reason::NvaDefaultDeny));
        // Bypassing a stateless NVA on the way back is fine.
        assert_eq!(nva_estate(false, &stateless).verdict, Kind::Allowed);
        let both = format!("{stateless}  - {{name: from-b, action: allow, source: [10.0.2.0/24]}}\n");
        assert_eq!(nva_estate(true, &both).verdict, Kind::Allowed);
    }

    #[test]
    fn the_reply_to_a_connection_an_nva_opened_itself_is_delivered_to_it() {
        // b routes the NVA's subnet through the NVA: the reply reaches the
        // NVA as next hop, and the NVA, which opened the connection, holds
        // its state (it was dropped as asymmetric routing).
        let docs = [
            vnet(
                "v",
                "10.0.0.0/16",
                &[("b", "10.0.2.0/24", None, Some("rt-b")), ("n", "10.0.9.0/24", None, None)],
                &[],
            ),
            nic("vm-b", "v", "b", "10.0.2.4"),
            nic("nva", "v", "n", "10.0.9.4")
                .replace(r#""ipConfigurations""#, r#""enableIPForwarding": true, "ipConfigurations""#),
            route_table("rt-b", &[("n-via-nva", "10.0.9.0/24", "VirtualAppliance", Some("10.0.9.4"))], false),
            format!("apiVersion: tusk.dev/v1alpha1\nkind: TuskConfig\nnvas:\n- nic: nva\n{ALLOW_FROM_A}"),
        ];
        let sources: Vec<(std::sync::Arc<str>, String)> =
            docs.iter().enumerate().map(|(i, d)| (std::sync::Arc::from(format!("t{i}.yaml")), d.clone())).collect();
        let e = tusk_load::load_sources(&sources).unwrap_or_else(|e| panic!("{e}")).estate;
        let p = Prepared::new(&e.azure, &e.config);
        let (a, b) = (resolve(&p, "nva").unwrap(), resolve(&p, "vm-b").unwrap());
        let t = trace(&p, &a, &b, Flow { src: a.ip(), dst: b.ip(), proto: Protocol::Tcp, port: Some(443) });
        assert_eq!(t.verdict, Kind::Allowed, "{:?}", t.deciding_reason());
        let reply = t.reply.unwrap();
        assert_eq!(reply.steps.last().unwrap().control, Control::Delivery);
        assert!(!reply.steps.iter().any(|s| matches!(
            s.decision.reason,
            Reason::BypassesNva(_) | Reason::NvaNeverSawRequest | Reason::BypassesFirewall(_)
        )));
    }

    #[test]
    fn an_snat_nva_gets_the_reply_even_when_routes_would_bypass_it() {
        let t = nva_estate(false, &format!("  snat: true\n{ALLOW_FROM_A}"));
        assert_eq!(t.verdict, Kind::Allowed, "{:?}", t.deciding_reason());
        let last = t.forward.steps.last().unwrap();
        assert_eq!(last.src.to_string(), "10.0.9.4");
        let reply = t.reply.unwrap();
        let restore =
            Nat::Restore { destination: true, from: "10.0.9.4".parse().unwrap(), to: "10.0.1.4".parse().unwrap() };
        assert!(reply.steps.iter().any(|s| s.nat == [restore.clone()]));
        assert_eq!(reply.final_dst.to_string(), "10.0.1.4");
    }
}
