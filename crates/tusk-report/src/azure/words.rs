//! The English of the Azure engine's results: where a control sits, why it
//! decided, which rule it cites (holder, name, priority, source line) and
//! the translations it made. The engine returns typed values
//! (`tusk_network::decision`); every sentence a user reads about them is
//! written here, and only here, so text, JSON and any later format say the
//! same thing.

use tusk_core::Loc;
use tusk_model::azure::*;
use tusk_network::decision::{Cite, CollectionRef, Hop, PeeringFlag, Reason, Uncertainty};
use tusk_network::endpoint::{Endpoint, Label};
use tusk_network::fqdn::NameDoubt;
use tusk_network::lb::LbDoubt;
use tusk_network::routes::{RouteDoubt, RouteNote, RouteOrigin, RouteSource};
use tusk_network::trace::{Decided, Step, Trace};
use tusk_network::{Owner, Prepared};

pub use super::nat_words::nat;

/// A cited rule, worded: what holds it, its name, priority and location.
pub struct CiteText {
    /// What holds the rule: `NSG x on subnet v/s`, a firewall collection, ...
    pub holder: String,
    /// The rule's name.
    pub rule: String,
    /// Its priority, when its holder orders rules by one.
    pub priority: Option<u32>,
    /// Where the rule is.
    pub loc: Loc,
}

/// `NIC vm-nic (VM vm)`, `Azure Firewall fw-hub`, ...
pub fn owner(net: &AzureNetwork, o: Owner) -> String {
    match o {
        Owner::Nic(n, _) => match &net.nics[n].vm {
            Some(vm) => format!("NIC {} (VM {vm})", net.nics[n].id.name()),
            None => format!("NIC {}", net.nics[n].id.name()),
        },
        Owner::Firewall(f) => format!("Azure Firewall {}", net.firewalls[f].id.name()),
        Owner::PrivateEndpoint(p) => format!("private endpoint {}", net.private_endpoints[p].id.name()),
        Owner::Gateway(g) => format!("VNet gateway {}", net.vnet_gateways[g].id.name()),
        Owner::LbFrontend(l, f) => {
            let lb = &net.load_balancers[l];
            let fe = lb.frontends.get(f).map(|x| x.name.as_str()).unwrap_or("?");
            format!("load balancer {} frontend {fe}", lb.id.name())
        }
    }
}

/// What outputs call an endpoint: `NIC vm-nic (VM vm) 10.0.1.4`,
/// `10.0.1.9 in subnet v/s` (an address nobody holds), `v/s` (a subnet's
/// representative), `node NAME`, `internet 203.0.113.10`,
/// `on-premises 192.168.1.1`.
pub fn endpoint(net: &AzureNetwork, e: &Endpoint) -> String {
    match e {
        Endpoint::Azure { ip, subnet, label, .. } => match label {
            Label::Owner(o) => format!("{} {ip}", owner(net, *o)),
            Label::Free => format!("{ip} in subnet {}", net.subnet_path(*subnet)),
            Label::Bastion(b) => format!(
                "Azure Bastion {} ({ip}, an address its instances may take in subnet {})",
                net.bastions[*b].id.name(),
                net.subnet_path(*subnet)
            ),
            Label::Subnet => net.subnet_path(*subnet),
            Label::Node(name) => format!("node {name}"),
            Label::NodeBehind { node, service } => format!("node {node} behind Service {service}"),
        },
        Endpoint::Internet { ip } => format!("internet {ip}"),
        Endpoint::OnPrem { ip, .. } => format!("on-premises {ip}"),
    }
}

/// Where a control sits: `subnet v/s`, `NIC n`, `peering a → b`, ...
pub fn hop(net: &AzureNetwork, h: &Hop) -> String {
    match *h {
        Hop::Subnet(s) => format!("subnet {}", net.subnet_path(s)),
        Hop::Nic(n) => format!("NIC {}", net.nics[n].id.name()),
        Hop::Vnet(v) => format!("virtual network {}", net.vnets[v].id.name()),
        Hop::Peering(a, b) => format!("peering {} → {}", net.vnets[a].id.name(), net.vnets[b].id.name()),
        Hop::Device(o) => owner(net, o),
        Hop::NextHop(ip) => format!("next hop {ip}"),
        Hop::Internet => "internet".into(),
        Hop::OnPremises => "on-premises".into(),
        Hop::Gateway(g) => format!("VNet gateway {}", net.vnet_gateways[g].id.name()),
        Hop::AppGateway(g) => format!("application gateway {}", net.app_gateways[g].id.name()),
        Hop::Hub(h) => format!("virtual hub {}", net.virtual_hubs[h].id.name()),
        Hop::Bastion(b) => format!("Azure Bastion {}", net.bastions[b].id.name()),
    }
}

fn flag(f: PeeringFlag) -> &'static str {
    match f {
        PeeringFlag::AllowVirtualNetworkAccess => "allowVirtualNetworkAccess",
        PeeringFlag::AllowForwardedTraffic => "allowForwardedTraffic",
    }
}

fn collection(net: &AzureNetwork, at: CollectionRef) -> (String, &RuleCollection) {
    match at {
        CollectionRef::Classic { fw, collection } => {
            let f = &net.firewalls[fw];
            (format!("firewall {} classic rules", f.id.name()), &f.classic[collection])
        }
        CollectionRef::Policy { policy, group, collection } => {
            let pol = &net.firewall_policies[policy];
            let g = &pol.groups[group];
            (
                format!("firewall policy {} / group {} ({})", pol.id.name(), g.id.name(), g.priority),
                &g.collections[collection],
            )
        }
    }
}

/// The cited rule, worded.
pub fn cite(p: &Prepared, c: &Cite) -> CiteText {
    let net = p.net;
    let text = |holder: String, rule: &str, priority, loc: &Loc| CiteText {
        holder,
        rule: rule.to_string(),
        priority,
        loc: loc.clone(),
    };
    match c {
        Cite::NsgRule { nsg, at, rule } => {
            let n = &net.nsgs[*nsg];
            let r = &n.rules[*rule];
            text(format!("NSG {} on {}", n.id.name(), hop(net, at)), &r.name, Some(r.priority), &r.loc)
        }
        Cite::AdminRule(i) => {
            let r = &net.admin_rules[*i];
            text("AVNM security admin rules".into(), r.id.name(), Some(r.priority), &r.loc)
        }
        Cite::Route { table, route } => {
            let holder = match (route.source, table) {
                (RouteSource::User, Some(t)) => format!("route table {}", net.route_tables[*t].id.name()),
                _ => format!("{} route", route.source.name()),
            };
            text(holder, &route_origin(net, &route.origin), None, &route.loc)
        }
        Cite::Peering { vnet, peering, flag: f } => {
            let pe = &net.vnets[*vnet].peerings[*peering];
            text(format!("peering {}", pe.id.name()), flag(*f), None, &pe.loc)
        }
        Cite::FirewallRule { at, rule } => {
            let (holder, c) = collection(net, *at);
            let r = &c.rules[*rule];
            text(format!("{holder} / collection {}", c.name), &r.name, Some(c.priority), &r.loc)
        }
        Cite::FirewallDefault(f) => {
            let fw = &net.firewalls[*f];
            text(format!("firewall {}", fw.id.name()), "default deny", None, &fw.loc)
        }
        Cite::PolicyGroupMissing { policy, group } => {
            let pol = &net.firewall_policies[*policy];
            text(format!("firewall policy {}", pol.id.name()), group.name(), None, &pol.loc)
        }
        Cite::NvaRule { nic, rule } => match p.nva(*nic) {
            Some(cfg) => {
                let holder = format!("tusk.yaml NVA {}", cfg.nic);
                match rule.and_then(|i| cfg.rules.get(i)) {
                    Some(r) => text(holder, &r.name, None, &r.loc),
                    None => text(holder, "default deny", None, &cfg.loc),
                }
            }
            None => text(format!("NIC {}", net.nics[*nic].id.name()), "?", None, &net.nics[*nic].loc),
        },
        Cite::PrivateEndpointPolicies(s) => text(
            format!("subnet {}", net.subnet_path(*s)),
            "privateEndpointNetworkPolicies",
            None,
            &net.subnets[*s].loc,
        ),
    }
}

/// What made a route, as Network Watcher's name column would say it.
pub fn route_origin(net: &AzureNetwork, o: &RouteOrigin) -> String {
    match o {
        RouteOrigin::AddressSpace(v) => format!("address space of {}", net.vnets[*v].id.name()),
        RouteOrigin::DefaultInternet => "default".into(),
        RouteOrigin::ReservedRange => "reserved private range".into(),
        RouteOrigin::Peering { vnet, peering } => {
            let pe = &net.vnets[*vnet].peerings[*peering];
            let remote = match &pe.remote {
                Link::Found(r) => net.vnets[*r].id.name(),
                Link::Absent(id) => id.name(),
            };
            format!("peering {} to {remote}", pe.id.name())
        }
        RouteOrigin::Gateway(g) => format!("learned by {}", net.vnet_gateways[*g].id.name()),
        RouteOrigin::PrivateEndpoint(e) => format!("private endpoint {}", net.private_endpoints[*e].id.name()),
        RouteOrigin::User(name) => name.clone(),
        RouteOrigin::UserTag { name, tag } => format!("{name} (service tag {tag})"),
        RouteOrigin::ServiceEndpoint(service) => format!("service endpoint {service}"),
        RouteOrigin::VirtualHub { hub, connection } => {
            let h = &net.virtual_hubs[*hub];
            format!("virtual hub {} (connection {})", h.id.name(), h.connections[*connection].id.name())
        }
    }
}

/// Why a route is invalid.
pub fn route_note(n: &RouteNote) -> String {
    match n {
        RouteNote::SamePrefix(s) => format!("overridden by a {} route for the same prefix", s.name()),
        RouteNote::DefaultOverridden => "a 0.0.0.0/0 route overrides the default route and its None routes".into(),
        RouteNote::PrivateEndpointOverridden { user_route } => format!(
            "overridden by user route `{user_route}`: the endpoint's subnet applies route tables to private endpoints"
        ),
    }
}

fn entry(a: &AddressMatch) -> String {
    match a {
        AddressMatch::Tag(ServiceTag::Other(t)) => format!("service tag `{t}`"),
        AddressMatch::Tag(t) => format!("tag {t:?}"),
        AddressMatch::Asg(Link::Absent(id)) => format!("application security group `{}`", id.name()),
        AddressMatch::IpGroup(Link::Absent(id)) => format!("IP group `{}` (not in the inputs)", id.name()),
        AddressMatch::Unknown(s) => format!("`{s}`"),
        AddressMatch::Fqdn(n) => {
            format!("FQDN `{n}` (resolved by the firewall; `--fqdn {n}` says the client asked for it)")
        }
        other => format!("{other:?}"),
    }
}

fn uncertain(why: &[Uncertainty]) -> String {
    if why.is_empty() {
        return "its match is undecidable from the inputs".into();
    }
    let part = |u: &Uncertainty| match u {
        Uncertainty::PortNotGiven => "the flow's port is not given and the rule's ports are not all ports".to_string(),
        Uncertainty::PortsNotRead => "its port field is an ARM expression tusk does not evaluate".to_string(),
        Uncertainty::Address { source, ip, entry: e } => {
            format!("whether {} {ip} is in {} is unknown", if *source { "source" } else { "destination" }, entry(e))
        }
    };
    why.iter().map(part).collect::<Vec<_>>().join("; ")
}

pub(super) fn private_ranges(configured: bool) -> &'static str {
    if configured {
        "the configured privateRanges"
    } else {
        "IANA private ranges (RFC 1918, RFC 6598)"
    }
}

/// Why a step decided what it did.
pub fn reason(p: &Prepared, step: &Step) -> String {
    let net = p.net;
    let d = &step.decision;
    let name = |o: Owner| owner(net, o);
    match &d.reason {
        Reason::Route { dst, candidates, doubt } => {
            let Some(Cite::Route { route: r, .. }) = &d.cite else { return format!("route for {dst}") };
            let hop_text = match r.next_hop_ip {
                Some(ip) => format!("{} {ip}", r.next_hop),
                None => r.next_hop.to_string(),
            };
            let why = format!(
                "{} → {hop_text} ({} route; longest matching prefix {} among {candidates} active route(s) containing {dst})",
                r.prefix,
                r.source.name(),
                r.prefix
            );
            match (doubt, r.next_hop) {
                (_, NextHopType::None) => format!("{why}; next hop None drops the packet"),
                (Some(RouteDoubt::TagRoute { name, tag, loc }), _) => format!(
                    "{why}; user route `{name}` to service tag {tag} ({loc}) may be more specific; its ranges are not in the inputs"
                ),
                (Some(RouteDoubt::PrivateEndpointDefaultRoute { user_route }), _) => format!(
                    "{why}; user route `{user_route}` (0.0.0.0/0) may override this private endpoint route (its subnet applies route tables to private endpoints); Microsoft's documentation does not settle it"
                ),
                (Some(RouteDoubt::ServiceEndpoint { service, loc }), _) => format!(
                    "{why}; the subnet's service endpoint {service} ({loc}) routes some of the service's prefixes directly, and the inputs do not settle whether they hold {dst}: give Microsoft's service tags file (ServiceTags_Public_*.json) and the endpoint's `locations`"
                ),
                (Some(RouteDoubt::SubnetPeering { peering }), _) => format!(
                    "{why}; subnet peering `{peering}` does not name this subnet, and Microsoft's documentation does not say whether its routes reach the VNet's other subnets"
                ),
                (None, _) => why,
            }
        }
        Reason::NoRoute { dst } => format!("no route for {dst}"),
        Reason::RoutingLoop => "routing loop: the packet comes back to a place it already left".into(),
        Reason::TooManyHops => "more than 64 hops".into(),
        Reason::PeeredVnetMissing => "the peered virtual network is not in the inputs".into(),
        Reason::FirstMatch { priority } => format!("first matching rule, priority {priority}"),
        Reason::MayMatch { doubtful, priority, decided, why } => may_match(p, d.cite.as_ref(), doubtful, *priority, decided.as_deref(), why),
        Reason::NoRuleMatched => "no rule matches (the NSG lacks its default rules)".into(),
        Reason::NsgMissing { nic, id } => {
            format!("the {}'s NSG `{}` is not in the inputs", if *nic { "NIC" } else { "subnet" }, id.name())
        }
        Reason::NsgNotForPrivateEndpoints(pol) => {
            format!("the subnet's NSG does not apply to private endpoints: privateEndpointNetworkPolicies is {pol:?}")
        }
        Reason::AdminRule { priority, always_allow } => {
            let why = format!("admin rule priority {priority} (admin rules are taken to apply to every VNet in the inputs)");
            if *always_allow {
                format!("{why}; NSGs are skipped")
            } else {
                why
            }
        }
        Reason::PeeringOneSided => "only one side of the peering is in the inputs".into(),
        Reason::PeeringNoAccess { vnet, peering } => {
            format!("`{}` has allowVirtualNetworkAccess false", net.vnets[*vnet].peerings[*peering].id.name())
        }
        Reason::NotForwardable { src, from, vnet, peering } => format!(
            "source {src} is not in {}'s address space (forwarded traffic) and `{}` does not allow forwarded traffic",
            net.vnets[*from].id.name(),
            net.vnets[*vnet].peerings[*peering].id.name()
        ),
        Reason::PeeringAllowed { forwarded: true } => "access and forwarded traffic allowed".into(),
        Reason::PeeringAllowed { forwarded: false } => "access allowed".into(),
        Reason::NoSubnetHolds { vnet, dst } => format!("no subnet of {} holds {dst}", net.vnets[*vnet].id.name()),
        Reason::NotModelled { dst, owner: o } => {
            format!("{dst} is {}; what it does with the packet is not modelled", name(*o))
        }
        Reason::ReplyStateful => "reply of an allowed flow: NSGs and admin rules are stateful".into(),
        Reason::Delivered(o) => format!("delivered to {}", name(*o)),
        Reason::NoNicInInputs { dst } => format!("no NIC in the inputs holds {dst}; its NIC-level NSG is unknown"),
        Reason::NothingHolds { dst } => format!("no NIC, firewall or private endpoint in the inputs holds {dst}"),
        Reason::HandedTo { dst, owner } => {
            format!("{dst} is taken by {} for what runs behind it (pod or load-balanced Service)", name(*owner))
        }
        Reason::EntersThroughFrontend { dst, owner } => {
            format!("{dst} is a public load balancer frontend: the load balancer hands the flow to {} unchanged (floating IP)", name(*owner))
        }
        Reason::ReplyToSender { dst } => format!("the reply reaches {dst}, which sent the request"),
        Reason::PrivateSubnet { subnet, dst } => {
            let sn = &net.subnets[*subnet];
            let at = sn.default_outbound_access.as_ref().map(|(_, l)| l.to_string()).unwrap_or_default();
            format!(
                "subnet {} is private (defaultOutboundAccess false at {at}) and the source has no explicit outbound method (NAT gateway, public IP, load balancer outbound or SNAT rule): it cannot reach {dst}",
                sn.id.name()
            )
        }
        Reason::LbNoOutbound { lb, dst } => {
            let l = &net.load_balancers[*lb];
            format!(
                "the source is in a backend pool of Standard load balancer {} ({}) with no outbound rule and no load-balancing rule giving SNAT: it has no default outbound access, and whether it reaches {dst} otherwise is not in the inputs",
                l.id.name(),
                l.loc
            )
        }
        Reason::UnmodelledRouting { item } => {
            let u = &net.unmodelled[*item];
            format!(
                "{} {} ({}) may put routes into this VNet that tusk does not model; only traffic inside the VNet's own address space is sure to stay local",
                u.kind.name(),
                u.id.name(),
                u.loc
            )
        }
        Reason::VirtualHub(s) => super::vwan_words::step(net, s),
        Reason::OpaqueDevice { dst, device } => {
            let d = &net.opaque_devices[*device];
            format!(
                "{dst} may be held by {} {} ({}), which tusk reads but does not model: what it does with the packet is unknown",
                d.kind.name(),
                d.id.name(),
                d.loc
            )
        }
        Reason::NextHopAddressNotRead => {
            "the route's next hop address is not known offline (an ARM expression tusk does not evaluate, or a Terraform value known only after apply; the load's warning on the route says which): where the packet goes is unknown".into()
        }
        Reason::NextHopUnknown { ip } => format!("next hop {ip} is no NIC or firewall of the inputs"),
        Reason::OwnerSubnetMissing(o) => format!("the subnet of {} is not in the inputs", name(*o)),
        Reason::NextHopNotPeered { ip, at, from } => format!(
            "next hop {ip} is in {}, which is not peered with {}",
            net.vnets[*at].id.name(),
            net.vnets[*from].id.name()
        ),
        Reason::DoesNotForward(o) => format!(
            "{} does not forward: only a NIC with IP forwarding enabled or an Azure Firewall accepts packets addressed elsewhere",
            name(*o)
        ),
        Reason::NvaRulesMissing => "network virtual appliance (IP forwarding on): its rules are not in the inputs (no `nvas` entry in tusk.yaml), so whether it forwards, drops or translates is unknown".into(),
        Reason::NvaRule { name: r, allows } => format!("NVA rule `{r}` {}", if *allows { "allows" } else { "denies" }),
        Reason::NvaDefaultDeny => "no rule matches (NVA default deny)".into(),
        Reason::NvaNeverSawRequest => "asymmetric routing: the reply reaches this stateful NVA, which never saw the request, and it drops it".into(),
        Reason::NvaReplyStateful => "reply of a flow the NVA allowed: it is stateful".into(),
        Reason::BypassesNva(o) => format!(
            "asymmetric routing: the reply bypasses {}, a stateful NVA that saw the request; it never sees the reply and drops the connection",
            name(*o)
        ),
        Reason::FirewallNeverSawRequest => "asymmetric routing: the reply reaches this firewall, which never saw the request; Azure Firewall is stateful and drops it".into(),
        Reason::FirewallReplyMatches => "reply matches the connection the firewall saw".into(),
        Reason::BypassesFirewall(f) => format!(
            "asymmetric routing: the reply bypasses firewall {}, which saw the request; the stateful firewall never sees the reply and drops the connection",
            net.firewalls[*f].id.name()
        ),
        Reason::PolicyMissing { id } => format!("firewall policy `{}` is not in the inputs", id.name()),
        Reason::PolicyLoop => "firewall policy inheritance loops".into(),
        Reason::PolicyGroupMissing => match &d.cite {
            Some(Cite::PolicyGroupMissing { policy, group }) => format!(
                "rule collection group `{}` of policy `{}` is not in the inputs",
                group.name(),
                net.firewall_policies[*policy].id.name()
            ),
            _ => "a rule collection group of the policy is not in the inputs".into(),
        },
        Reason::DnatFqdn { rule, fqdn } => format!(
            "DNAT rule `{rule}` translates to FQDN {:?}, which tusk cannot resolve",
            fqdn.as_deref().unwrap_or("?")
        ),
        Reason::DnatMatched => "DNAT rule matched; translated traffic is allowed".into(),
        Reason::NetworkRuleMatched { action } => format!("network rule matched ({action:?} collection)"),
        Reason::ApplicationRule { rule, action, fqdns } => format!(
            "application rule `{rule}` ({action:?}) matches this source and port only for FQDNs {fqdns:?}; the flow has no FQDN: give the name the client uses with --fqdn"
        ),
        Reason::ApplicationRuleMatched { action, name } => {
            format!("application rule matched `{name}` (TLS SNI / HTTP Host) ({action:?} collection)")
        }
        Reason::ApplicationRuleName { rule, action, name, doubt } => {
            let why = match doubt {
                NameDoubt::FqdnTag(t) => format!("FQDN tag {t}, whose FQDN list Microsoft does not publish as data"),
                NameDoubt::WebCategory(c) => format!("web category {c}, decided by Microsoft's classification service"),
                NameDoubt::TargetUrl(u) => format!("target URL {u}, which needs TLS inspection"),
                NameDoubt::Pattern(t) => format!("target FQDN {t}, whose wildcard is not at its left end"),
            };
            format!("application rule `{rule}` ({action:?}) may match `{name}`: it names {why}")
        }
        Reason::FirewallDefaultDeny => {
            "no DNAT, network or application rule matched: Azure Firewall denies by default".into()
        }
        Reason::FirewallSubnetMissing => "the firewall's subnet is not in the inputs".into(),
        Reason::HandedToGateway { gateway, dst } => format!(
            "handed to {} for on-premises {dst}; controls beyond the gateway are outside the inputs",
            net.vnet_gateways[*gateway].id.name()
        ),
        Reason::GatewayRoutesUnknown { dst } => format!("the gateway's routes for {dst} are not in the inputs"),
        Reason::InternetNotPublic { dst } => {
            format!("next hop Internet for {dst}, which is not a public address: Azure drops it")
        }
        Reason::LeavesToInternet { dst } => format!("leaves to the Internet towards {dst}"),
        Reason::ReplyLeavesToInternet => "reply leaves to the Internet".into(),
        Reason::PublicIpOfNic { dst, nic } => format!("{dst} is the public IP of NIC {}", net.nics[*nic].id.name()),
        Reason::PublicIpBackends { dst, owner: o } => format!("{dst} is {}; its backends are not modelled", name(*o)),
        Reason::NotPublic { dst } => format!("{dst} is not a public address: not reachable from the Internet"),
        Reason::PublicAddressUnknown { dst } => format!("public address {dst} is not in the inputs"),
        Reason::ReplyThroughPlatformSnat => "the reply returns through Azure's outbound SNAT to the source".into(),
        Reason::ServiceEndpointPolicy { dst, service, policy } => {
            let at = match step.at {
                Hop::Subnet(s) => net.subnets[s].service_endpoint_policies.get(*policy),
                _ => None,
            };
            let named = at.map(|(id, loc)| format!(" {} ({loc})", id.name())).unwrap_or_default();
            format!(
                "{dst} is reached over the subnet's service endpoint {service}, limited by service endpoint policy{named} to the storage accounts it lists; which account {dst} serves is not in the inputs, so the flow is unknown"
            )
        }
        Reason::ServiceEndpoint { dst, service } => {
            format!("reaches {dst} over the subnet's service endpoint {service}, with its private source address")
        }
        Reason::LoadBalanced { lb, rule, backends } => {
            let l = &net.load_balancers[*lb];
            let list: Vec<String> = backends.iter().map(|b| b.to_string()).collect();
            format!(
                "load balancer {} rule `{}` sends it to {} backend(s) ({}); each is traced and all answer alike",
                l.id.name(),
                l.rules[*rule].name,
                backends.len(),
                list.join(", ")
            )
        }
        Reason::LbUnknown { lb, why } => {
            let why = match why {
                LbDoubt::PortNotGiven => "which rule applies depends on the port; give --port",
                LbDoubt::NoRule => "no load-balancing or inbound NAT rule of this frontend matches the protocol and port",
                LbDoubt::SeveralRules => "several rules match",
                LbDoubt::FloatingIp => "the rule uses floating IP (the backend sees the frontend's address), which tusk does not follow",
                LbDoubt::RulesNotRead => "some of its rules could not be read",
                LbDoubt::PoolMissing => "the rule's backend pool is not in the load balancer",
                LbDoubt::ScaleSetMembers => "its backend pool holds scale set instances, which the inputs do not give",
                LbDoubt::MemberAddressUnknown => "a member's private address is not in the inputs",
                LbDoubt::NoMembers => "the inputs name no member of the backend pool",
                LbDoubt::BackendsSpread => "its backends are not all in one subnet of the inputs",
            };
            format!("load balancer {}: {why}", net.load_balancers[*lb].id.name())
        }
        Reason::LbMixed { lb, rule, allowed, other } => {
            let l = &net.load_balancers[*lb];
            let ok: Vec<String> = allowed.iter().map(|b| b.to_string()).collect();
            let no: Vec<String> = other.iter().map(|(b, k)| format!("{b} {}", k.name())).collect();
            format!(
                "mixed: load balancer {} rule `{}` sends it to backends that answer differently (allowed: {}; {})",
                l.id.name(),
                l.rules[*rule].name,
                ok.join(", "),
                no.join(", ")
            )
        }
        Reason::AppGateway { gw, what } => super::appgw_words::why(net, *gw, what),
        Reason::Bastion { host, what } => super::bastion_words::why(net, *host, what),
        Reason::ReplyOverServiceEndpoint => "the service replies to the private address over the service endpoint".into(),
        Reason::EntersThroughGateway => "enters Azure through the gateway; routed by the GatewaySubnet's routes".into(),
        Reason::NoGateway => "no virtual network gateway (with its subnet) in the inputs".into(),
    }
}

/// A rule that may match, worded after the kind of rule it is.
fn may_match(
    p: &Prepared,
    c: Option<&Cite>,
    doubtful: &str,
    priority: Option<u32>,
    decided: Option<&str>,
    why: &[Uncertainty],
) -> String {
    let why = uncertain(why);
    match c {
        Some(Cite::NsgRule { nsg, rule, .. }) => {
            let loc = &p.net.nsgs[*nsg].rules[*rule].loc;
            match decided {
                Some(other) => format!(
                    "rule `{doubtful}` (priority {}, {loc}) may match first ({why}); otherwise `{other}` decides",
                    priority.unwrap_or_default()
                ),
                None => format!("no rule matches for sure; `{doubtful}` may ({why})"),
            }
        }
        Some(Cite::AdminRule(_)) => format!("admin rule `{doubtful}` may match: {why}"),
        Some(Cite::FirewallRule { at, .. }) => {
            let (_, coll) = collection(p.net, *at);
            let kind = if coll.kind == CollectionKind::Dnat { "DNAT" } else { "network" };
            format!("{kind} rule `{doubtful}` may match: {why}")
        }
        Some(Cite::NvaRule { .. }) => {
            format!("NVA rule `{doubtful}` may match: its ports decide and the flow's port is not given")
        }
        _ => format!("rule `{doubtful}` may match: {why}"),
    }
}

pub(super) fn port(p: Option<u16>) -> String {
    p.map(|p| p.to_string()).unwrap_or_else(|| "*".into())
}

/// The one-line reason of a trace's verdict: the deciding step, or that
/// the path was (not) delivered.
pub fn trace_reason(p: &Prepared, t: &Trace) -> String {
    let what = |reply: bool| if reply { "reply path" } else { "forward path" };
    match t.decided {
        Decided::Step { reply, step } => {
            let path = if reply { t.reply.as_ref().unwrap_or(&t.forward) } else { &t.forward };
            match path.steps.get(step) {
                Some(s) => {
                    format!("{}: {} at {}: {}", what(reply), s.control.name(), hop(p.net, &s.at), reason(p, s))
                }
                None => format!("{} not delivered", what(reply)),
            }
        }
        Decided::Delivered { reply } => format!("{} delivered", what(reply)),
        Decided::NotDelivered { reply } => format!("{} not delivered", what(reply)),
    }
}
