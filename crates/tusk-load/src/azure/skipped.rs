//! The resource types the loader does not model, and what each could
//! change: the decision table of docs/azure.md ("Resource types tusk
//! skips"). A type that can never change a verdict is skipped with a
//! warning; one that could is read just far enough that the flows it
//! touches are unknown, naming it:
//!
//! * it holds addresses in subnets of the inputs (a private link service's
//!   NAT addresses, a DNS resolver's endpoints, a scale set's instances, a
//!   delegated PaaS service): it becomes an opaque device of those subnets,
//!   so a flow to an address no NIC holds there is unknown, not "nothing
//!   holds the address";
//! * it injects routes (Azure Route Server's BGP peers, AVNM connectivity):
//!   a flow leaving the VNet's own address space is unknown;
//! * it changes how names resolve (DNS private resolver forwarding rules):
//!   resolution through private DNS zones is unknown.

use super::cx::Cx;
use crate::doc::{Node, Value};
use tusk_model::azure::{
    AzureNetwork, OpaqueDevice, OpaqueKind, ResourceId, Unmodelled, UnmodelledEffect, UnmodelledKind,
};

/// What a skipped type could change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Nothing a verdict depends on (the reason, in words).
    Harmless(&'static str),
    /// It holds addresses in the subnets it names.
    Addresses(OpaqueKind),
    /// It puts routes into the VNet it sits in (every VNet when that is not known).
    Routes(UnmodelledKind),
    /// It changes how names resolve.
    Names(UnmodelledKind),
}

/// The decision for a lower-case ARM type, with the Microsoft Learn page
/// it rests on. `None`: a type the table does not list (see [`generic`]).
pub fn decide(t: &str) -> Option<(Class, &'static str)> {
    use Class::*;
    Some(match t {
        "microsoft.network/networkwatchers"
        | "microsoft.network/networkwatchers/flowlogs"
        | "microsoft.network/networkwatchers/connectionmonitors" => {
            (Harmless("monitoring only"), "network-watcher/network-watcher-overview")
        }
        "microsoft.network/networksecuritygroups/defaultsecurityrules" => {
            (Harmless("Azure's default rules, which tusk applies to every NSG"), "virtual-network/network-security-groups-overview")
        }
        "microsoft.network/ddosprotectionplans" => {
            (Harmless("mitigates attacks; legitimate flows pass"), "ddos-protection/ddos-protection-overview")
        }
        "microsoft.network/availableprivateendpointtypes" => {
            (Harmless("a catalogue of types, not a resource"), "rest/api/virtualnetwork/available-endpoint-services")
        }
        "microsoft.network/dnszones" | "microsoft.network/dnszones/a" | "microsoft.network/dnszones/cname" => {
            (Harmless("public DNS: names outside the private zones already stay unknown"), "dns/dns-overview")
        }
        "microsoft.network/privatednszones/aaaa"
        | "microsoft.network/privatednszones/mx"
        | "microsoft.network/privatednszones/ptr"
        | "microsoft.network/privatednszones/soa"
        | "microsoft.network/privatednszones/srv"
        | "microsoft.network/privatednszones/txt" => (
            Harmless("only A and CNAME records resolve a name here; a name without one stays unknown"),
            "dns/private-dns-privatednszone",
        ),
        "microsoft.network/privateendpoints/privatednszonegroups" => (
            Harmless("it writes the endpoint's A records; a name without a loaded A record stays unknown"),
            "private-link/private-endpoint-dns",
        ),
        "microsoft.network/publicipprefixes" => (
            Harmless("addresses only; a NAT gateway or outbound rule using a prefix leaves the SNAT address unknown"),
            "virtual-network/ip-services/public-ip-address-prefix",
        ),
        // Hub route tables, and the gateways and NVAs in a hub, are read by
        // the Virtual WAN loader (vwan_routing.rs); a VPN site matters only
        // through a VPN gateway's connection, whose branch routes are unknown.
        "microsoft.network/serviceendpointpolicies" | "microsoft.network/serviceendpointpolicies/serviceendpointpolicydefinitions" => (
            Harmless("a subnet naming the policy makes its service endpoint flows unknown (which storage account an address serves is not in the inputs)"),
            "virtual-network/virtual-network-service-endpoint-policies-overview",
        ),
        "microsoft.network/vpnsites" => (
            Harmless("a branch: it matters through a hub's VPN gateway, whose branch routes are unknown"),
            "virtual-wan/about-virtual-hub-routing",
        ),
        "microsoft.network/expressroutecircuits" | "microsoft.network/expressroutecircuits/peerings" => (
            Harmless("the on-premises side: flows through a gateway to prefixes no local network gateway lists are unknown already"),
            "expressroute/expressroute-routing",
        ),
        "microsoft.network/networkmanagers"
        | "microsoft.network/networkmanagers/networkgroups"
        | "microsoft.network/networkmanagers/networkgroups/staticmembers"
        | "microsoft.network/networkmanagers/securityadminconfigurations"
        | "microsoft.network/networkmanagers/securityadminconfigurations/rulecollections" => (
            Harmless("containers: the admin rules they hold are read"),
            "virtual-network-manager/concept-security-admins",
        ),
        "microsoft.network/networkmanagers/connectivityconfigurations" => {
            (Routes(UnmodelledKind::AvnmConnectivity), "virtual-network-manager/concept-connectivity-configuration")
        }
        "microsoft.network/virtualhubs/ipconfigurations" | "microsoft.network/virtualhubs/bgpconnections" => {
            (Routes(UnmodelledKind::RouteServerBgp), "route-server/overview")
        }
        "microsoft.network/privatelinkservices" => (Addresses(OpaqueKind::PrivateLinkService), "private-link/private-link-service-overview"),
        "microsoft.network/dnsresolvers/inboundendpoints" | "microsoft.network/dnsresolvers/outboundendpoints" => {
            (Addresses(OpaqueKind::DnsResolverEndpoint), "dns/dns-private-resolver-overview")
        }
        "microsoft.network/dnsresolvers"
        | "microsoft.network/dnsforwardingrulesets"
        | "microsoft.network/dnsforwardingrulesets/forwardingrules"
        | "microsoft.network/dnsforwardingrulesets/virtualnetworklinks" => {
            (Names(UnmodelledKind::DnsForwarding), "dns/private-resolver-endpoints-rulesets")
        }
        "microsoft.compute/virtualmachinescalesets" => {
            (Addresses(OpaqueKind::ScaleSet), "virtual-machine-scale-sets/overview")
        }
        "microsoft.compute/virtualmachines" => {
            (Harmless("its network interfaces carry its addresses and rules"), "virtual-network/network-overview")
        }
        _ => return None,
    })
}

/// A type the table does not list: outside `Microsoft.Network`, a
/// resource that names a subnet (other than in a firewall's allowed
/// subnets, `networkAcls.virtualNetworkRules`) may hold addresses there
/// (VNet injection, "Deploy dedicated Azure services into virtual
/// networks", virtual-network/virtual-network-for-azure-services); one
/// that names none cannot be on the path of a flow tusk traces.
pub fn generic(t: &str, n: &Node) -> Class {
    if is_record(t) {
        return Class::Harmless("a record about resources (access, monitoring, identity, deployment)");
    }
    if t.starts_with("microsoft.network/") {
        return Class::Addresses(OpaqueKind::OtherNetworkResource);
    }
    if subnets(n).is_empty() {
        Class::Harmless("names no subnet, so it holds no address in the inputs' networks")
    } else {
        Class::Addresses(OpaqueKind::InjectedService)
    }
}

/// Records about resources, not resources on a path: access control,
/// monitoring, identities, deployment records (a deployment with a
/// template is evaluated by the ARM reader before it gets here).
fn is_record(t: &str) -> bool {
    const RECORDS: [&str; 6] = [
        "microsoft.authorization/",
        "microsoft.insights/",
        "microsoft.operationalinsights/",
        "microsoft.managedidentity/",
        "microsoft.resources/",
        "microsoft.security/",
    ];
    RECORDS.iter().any(|p| t.starts_with(p))
}

/// Should the ARM reader hand a resource of type `t` (lower case) outside
/// `Microsoft.Network` to the loader, for [`apply`] to decide on it? Yes
/// when the table says it could change a verdict, or when the table does
/// not list it and its template text mentions a subnet (the evaluated body
/// then says which); no for a type the table calls harmless.
pub fn worth_reading(t: &str, raw: &Node) -> bool {
    match decide(t) {
        Some((Class::Harmless(_), _)) => false,
        Some(_) => true,
        None => !is_record(t) && mentions_subnet(raw),
    }
}

/// Does a template node mention a subnet (a key or string containing
/// `subnet`), outside allow-lists of subnets?
fn mentions_subnet(n: &Node) -> bool {
    match &n.value {
        Value::Map(m) => m.iter().any(|(k, v)| {
            let key = k.as_str().unwrap_or("").to_ascii_lowercase();
            if matches!(key.as_str(), "virtualnetworkrules" | "networkacls" | "networkruleset") {
                return false;
            }
            key.contains("subnet") || mentions_subnet(v)
        }),
        Value::Seq(s) => s.iter().any(mentions_subnet),
        _ => n.as_str().is_some_and(|s| s.to_ascii_lowercase().contains("subnet")),
    }
}

/// Every subnet id a resource names, outside allow-lists of subnets.
fn subnets(n: &Node) -> Vec<ResourceId> {
    fn walk(n: &Node, out: &mut Vec<ResourceId>) {
        match &n.value {
            Value::Map(m) => {
                for (k, v) in m.iter() {
                    let key = k.as_str().unwrap_or("").to_ascii_lowercase();
                    if matches!(key.as_str(), "virtualnetworkrules" | "networkacls" | "networkruleset") {
                        continue;
                    }
                    walk(v, out);
                }
            }
            Value::Seq(s) => s.iter().for_each(|v| walk(v, out)),
            _ => {
                if let Some(s) = n.as_str() {
                    let l = s.to_ascii_lowercase();
                    if l.starts_with("/subscriptions/") && l.contains("/virtualnetworks/") && l.contains("/subnets/") {
                        out.push(ResourceId::new(s));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(n, &mut out);
    out.sort_by(|a, b| a.key().cmp(b.key()));
    out.dedup_by(|a, b| a.key() == b.key());
    out
}

/// Applies the decision for a skipped resource: a warning for a harmless
/// one, an opaque device or an [`Unmodelled`] entry (with a warning saying
/// what becomes unknown) for the others.
pub fn apply(cx: &mut Cx, net: &mut AzureNetwork, id: ResourceId, t: &str, shown: &str, n: &Node) {
    let (class, doc) =
        decide(t).unwrap_or_else(|| (generic(t, n), "virtual-network/virtual-network-for-azure-services"));
    let loc = cx.loc(n);
    match class {
        Class::Harmless(why) => {
            cx.warn(n, format!("resource type `{shown}` is not part of the network model; skipped ({why})"));
        }
        Class::Addresses(kind) => {
            let noun = kind.name();
            let subnets = subnets(n);
            let mut private_ips = Vec::new();
            collect_ips(n, &mut private_ips);
            if subnets.is_empty() && private_ips.is_empty() {
                cx.warn(
                    n,
                    format!("resource type `{shown}` ({noun}) is not part of the network model; skipped (names no subnet and no private address, so it holds none in the inputs' networks)"),
                );
                return;
            }
            cx.warn(
                n,
                format!("resource type `{shown}` ({noun}) is not modelled: flows to addresses it may hold in {} subnet(s) are unknown ({doc})", subnets.len()),
            );
            net.opaque_devices.push(OpaqueDevice { id, loc, kind, subnets, private_ips });
        }
        Class::Routes(kind) => {
            let vnets: Vec<ResourceId> = subnets(n).iter().filter_map(|s| s.parent()).collect();
            let scope = if vnets.is_empty() { "every VNet".to_string() } else { format!("{} VNet(s)", vnets.len()) };
            cx.warn(n, format!("resource type `{shown}` ({}) is not modelled: flows leaving the address space of {scope} are unknown ({doc})", kind.name()));
            net.unmodelled.push(Unmodelled { id, loc, kind, effect: UnmodelledEffect::Routes(vnets) });
        }
        Class::Names(kind) => {
            cx.warn(n, format!("resource type `{shown}` ({}) is not modelled: names resolved through private DNS zones are unknown ({doc})", kind.name()));
            net.unmodelled.push(Unmodelled { id, loc, kind, effect: UnmodelledEffect::Names });
        }
    }
}

/// Literal private addresses under `privateIPAddress` / `privateIpAddress` keys.
fn collect_ips(n: &Node, out: &mut Vec<std::net::IpAddr>) {
    match &n.value {
        Value::Map(m) => {
            for (k, v) in m.iter() {
                if k.as_str().is_some_and(|k| k.eq_ignore_ascii_case("privateIPAddress")) {
                    if let Some(ip) = v.as_str().and_then(|s| s.parse().ok()) {
                        out.push(ip);
                    }
                }
                collect_ips(v, out);
            }
        }
        Value::Seq(s) => s.iter().for_each(|v| collect_ips(v, out)),
        _ => {}
    }
}
