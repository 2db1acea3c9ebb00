//! Virtual networks, subnets, peerings, route tables, NICs, gateways and the
//! smaller resources around them (private endpoints, NAT gateways, public
//! IPs, load balancer frontends). Each parser reads one resource body in
//! either shape and leaves references as [`Link::Absent`] for the resolver.

use super::cx::{child_name, Cx};
use super::shape::prop;
use crate::doc::Node;
use tusk_core::LoadError;
use tusk_model::azure::*;

/// A subnet waiting for its VNet to be known (it may be in a later file).
pub struct PendingSubnet {
    pub parent: ResourceId,
    pub subnet: Subnet,
}

pub struct PendingPeering {
    pub parent: ResourceId,
    pub peering: Peering,
}

pub fn vnet(
    cx: &mut Cx,
    id: ResourceId,
    n: &Node,
    subnets: &mut Vec<PendingSubnet>,
    peerings: &mut Vec<PendingPeering>,
) -> Result<VirtualNetwork, LoadError> {
    let mut address_space = Vec::new();
    if let Some(space) = prop(n, "addressSpace") {
        for (s, v) in cx.strings(space, "addressPrefixes") {
            address_space.push(cx.cidr(v, s)?);
        }
    }
    for s in prop(n, "subnets").and_then(Node::as_seq).unwrap_or_default() {
        let sid = child_id(&id, "subnets", s);
        subnets.push(PendingSubnet { parent: id.clone(), subnet: subnet(cx, sid, s)? });
    }
    for p in prop(n, "virtualNetworkPeerings").and_then(Node::as_seq).unwrap_or_default() {
        let pid = child_id(&id, "virtualNetworkPeerings", p);
        peerings.push(PendingPeering { parent: id.clone(), peering: peering(cx, pid, p)? });
    }
    Ok(VirtualNetwork { id, loc: cx.loc(n), address_space, subnets: Vec::new(), peerings: Vec::new() })
}

/// A child's id: its own `id` if it has one, else the parent's plus its name.
fn child_id(parent: &ResourceId, kind: &str, n: &Node) -> ResourceId {
    match n.get_ci("id").and_then(Node::as_str) {
        Some(s) => ResourceId::new(s),
        None => ResourceId::new(format!("{}/{kind}/{}", parent.as_str(), child_name(n))),
    }
}

pub fn subnet(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<Subnet, LoadError> {
    let mut prefixes = Vec::new();
    for key in ["addressPrefix", "addressPrefixes"] {
        for (s, v) in cx.strings(n, key) {
            prefixes.push(cx.cidr(v, s)?);
        }
    }
    let private_endpoint_policies = match prop(n, "privateEndpointNetworkPolicies") {
        None => PrivateEndpointPolicies::default(),
        Some(v) => match cx.literal(v).map(str::to_ascii_lowercase).as_deref() {
            // An ARM expression: the REST default, with the warning `literal` gave.
            None => PrivateEndpointPolicies::default(),
            Some("disabled") => PrivateEndpointPolicies::Disabled,
            Some("enabled") => PrivateEndpointPolicies::Enabled,
            Some("networksecuritygroupenabled") => PrivateEndpointPolicies::NetworkSecurityGroupEnabled,
            Some("routetableenabled") => PrivateEndpointPolicies::RouteTableEnabled,
            Some(_) => {
                return Err(cx.err(
                    v,
                    "`privateEndpointNetworkPolicies` must be Disabled, Enabled, NetworkSecurityGroupEnabled or RouteTableEnabled",
                ))
            }
        },
    };
    let mut service_endpoints = Vec::new();
    for e in prop(n, "serviceEndpoints").and_then(Node::as_seq).unwrap_or_default() {
        let service = prop(e, "service").and_then(|v| cx.literal(v)).map(str::to_string);
        let locations = cx.strings(e, "locations").into_iter().map(|(s, _)| s.to_string()).collect();
        service_endpoints.push(ServiceEndpoint { service, locations, loc: cx.loc(e) });
    }
    let service_endpoint_policies = prop(n, "serviceEndpointPolicies")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|p| {
            let id = p.get_ci("id").and_then(Node::as_str).unwrap_or("?");
            (ResourceId::new(id), cx.loc(p))
        })
        .collect();
    let default_outbound_access = match prop(n, "defaultOutboundAccess") {
        None => None,
        Some(v) => match v.as_bool() {
            Some(b) => Some((b, cx.loc(v))),
            // An ARM expression or a string: not settled by the input.
            None => match cx.literal(v).map(str::to_ascii_lowercase).as_deref() {
                Some("true") => Some((true, cx.loc(v))),
                Some("false") => Some((false, cx.loc(v))),
                Some(_) => return Err(cx.err(v, "`defaultOutboundAccess` must be true or false")),
                None => None,
            },
        },
    };
    Ok(Subnet {
        default_outbound_access,
        loc: cx.loc(n),
        service_endpoints,
        service_endpoint_policies,
        // Set when the subnet meets its VNet (resolve::attach_subnets).
        vnet: Idx::new(u32::MAX as usize),
        private_endpoint_policies,
        prefixes,
        nsg: cx.link(n, "networkSecurityGroup"),
        route_table: cx.link(n, "routeTable"),
        nat_gateway: cx.link(n, "natGateway"),
        id,
    })
}

pub fn peering(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<Peering, LoadError> {
    let remote =
        cx.link(n, "remoteVirtualNetwork").ok_or_else(|| cx.err(n, "peering has no `remoteVirtualNetwork`"))?;
    let mut remote_address_space = Vec::new();
    if let Some(space) = prop(n, "remoteAddressSpace") {
        for (s, v) in cx.strings(space, "addressPrefixes") {
            remote_address_space.push(cx.cidr(v, s)?);
        }
    }
    Ok(Peering {
        loc: cx.loc(n),
        remote,
        remote_address_space,
        // REST defaults ("Virtual network peering" API): access true, the rest false.
        allow_virtual_network_access: cx.bool(n, "allowVirtualNetworkAccess").unwrap_or(true),
        allow_forwarded_traffic: cx.bool(n, "allowForwardedTraffic").unwrap_or(false),
        allow_gateway_transit: cx.bool(n, "allowGatewayTransit").unwrap_or(false),
        use_remote_gateways: cx.bool(n, "useRemoteGateways").unwrap_or(false),
        state: cx.str(n, "peeringState").map(str::to_string),
        // "How to configure subnet peering" (virtual-network/how-to-configure-subnet-peering):
        // `peerCompleteVnets` defaults to true; false peers only the named subnets.
        subnets_only: (cx.bool(n, "peerCompleteVnets") == Some(false)).then(|| {
            let mut names = |key: &str| cx.strings(n, key).into_iter().map(|(s, _)| s.to_string()).collect();
            SubnetPeering { local: names("localSubnetNames"), remote: names("remoteSubnetNames") }
        }),
        id,
    })
}

pub fn route_table(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<RouteTable, LoadError> {
    let mut routes = Vec::new();
    for r in prop(n, "routes").and_then(Node::as_seq).unwrap_or_default() {
        routes.push(route(cx, r)?);
    }
    if routes.len() > 400 {
        cx.warn(n, format!("{} routes exceed Azure's limit of 400 per route table", routes.len()));
    }
    Ok(RouteTable {
        loc: cx.loc(n),
        routes,
        disable_bgp_route_propagation: cx.bool(n, "disableBgpRoutePropagation").unwrap_or(false),
        id,
    })
}

pub(super) fn route(cx: &mut Cx, r: &Node) -> Result<Route, LoadError> {
    let name = child_name(r);
    let pv = prop(r, "addressPrefix").ok_or_else(|| cx.err(r, format!("route `{name}` has no `addressPrefix`")))?;
    let destination = match cx.literal(pv) {
        Some(s) if s.chars().next().is_some_and(|c| c.is_ascii_digit() || c == ':') => {
            RouteDestination::Prefix(cx.cidr(pv, s)?)
        }
        Some(s) => RouteDestination::Tag(s.to_string()),
        None => RouteDestination::Tag("<expression>".into()),
    };
    let hv = prop(r, "nextHopType").ok_or_else(|| cx.err(r, format!("route `{name}` has no `nextHopType`")))?;
    let next_hop =
        cx.literal(hv).and_then(NextHopType::parse).filter(|h| *h != NextHopType::VnetPeering).ok_or_else(|| {
            cx.err(hv, "`nextHopType` must be VirtualNetworkGateway, VnetLocal, Internet, VirtualAppliance or None")
        })?;
    let hop_node = prop(r, "nextHopIpAddress");
    let next_hop_ip = match hop_node {
        Some(v) => cx.ip(v)?,
        None => None,
    };
    let expression = hop_node.and_then(Node::as_str).is_some_and(super::shape::is_expression);
    if let Some(after) = hop_node.and_then(Node::as_str).and_then(crate::terraform::after_apply) {
        // A plan's appliance address Azure assigns at apply: the route is
        // valid, and where it leads is unknown (the engine says so).
        cx.warn(hop_node.unwrap_or(r), format!("route `{name}`: the next hop address ({after}) is known only after apply; traffic on this route is unknown"));
    } else if expression {
        // An ARM template may compute the appliance's address; the route is
        // valid, and where it leads is unknown (the engine says so).
        cx.warn(hop_node.unwrap_or(r), format!("route `{name}`: the next hop address is an ARM expression tusk does not evaluate; traffic on this route is unknown"));
    }
    if next_hop == NextHopType::VirtualAppliance && next_hop_ip.is_none() && !expression {
        return Err(cx.err(r, format!("route `{name}` to VirtualAppliance has no `nextHopIpAddress`")));
    }
    Ok(Route { name, loc: cx.loc(r), destination, next_hop, next_hop_ip })
}

pub fn nic(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<NetworkInterface, LoadError> {
    let mut ip_configs = Vec::new();
    for c in prop(n, "ipConfigurations").and_then(Node::as_seq).unwrap_or_default() {
        let (private_ip, private_prefix) = match prop(c, "privateIPAddress") {
            Some(v) if v.as_str().is_some_and(|s| s.contains('/')) => {
                let p = cx.cidr(v, v.as_str().unwrap_or_default())?;
                (Some(p.addr), Some(p))
            }
            Some(v) => (cx.ip(v)?, None),
            None => (None, None),
        };
        ip_configs.push(IpConfig {
            name: child_name(c),
            loc: cx.loc(c),
            private_ip,
            private_prefix,
            subnet: cx.link(c, "subnet"),
            asgs: cx.links(c, "applicationSecurityGroups"),
            public_ip: cx.link(c, "publicIPAddress"),
            lb_pools: ids(c, "loadBalancerBackendAddressPools"),
            lb_nat_rules: ids(c, "loadBalancerInboundNatRules"),
            appgw_pools: maybe_ids(cx, c, "applicationGatewayBackendAddressPools"),
        });
    }
    let vm = prop(n, "virtualMachine")
        .and_then(|v| v.get_ci("id"))
        .and_then(Node::as_str)
        .map(|s| ResourceId::new(s).name().to_string());
    Ok(NetworkInterface {
        loc: cx.loc(n),
        ip_configs,
        nsg: cx.link(n, "networkSecurityGroup"),
        ip_forwarding: cx.bool(n, "enableIPForwarding").unwrap_or(false),
        vm,
        id,
    })
}

/// Private addresses and subnets of a resource's `ipConfigurations`
/// (gateways, firewalls).
/// Private addresses, first subnet and public IPs of `ipConfigurations`.
pub type IpConfigurations = (Vec<std::net::IpAddr>, Option<Link<Subnet>>, Vec<Link<PublicIp>>);

pub fn ip_configurations(cx: &mut Cx, n: &Node) -> Result<IpConfigurations, LoadError> {
    let mut ips = Vec::new();
    let mut subnet = None;
    let mut pips = Vec::new();
    for c in prop(n, "ipConfigurations").and_then(Node::as_seq).unwrap_or_default() {
        if let Some(v) = prop(c, "privateIPAddress") {
            ips.extend(cx.ip(v)?);
        }
        if let Some(l) = cx.link(c, "subnet") {
            subnet.get_or_insert(l);
        }
        pips.extend(cx.link(c, "publicIPAddress"));
    }
    Ok((ips, subnet, pips))
}

pub fn vnet_gateway(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<VnetGateway, LoadError> {
    let (private_ips, subnet, _) = ip_configurations(cx, n)?;
    Ok(VnetGateway { loc: cx.loc(n), subnet, private_ips, id })
}

pub fn local_gateway(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<LocalNetworkGateway, LoadError> {
    let mut prefixes = Vec::new();
    if let Some(space) = prop(n, "localNetworkAddressSpace") {
        for (s, v) in cx.strings(space, "addressPrefixes") {
            prefixes.push(cx.cidr(v, s)?);
        }
    }
    Ok(LocalNetworkGateway { loc: cx.loc(n), prefixes, id })
}

pub fn connection(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<GatewayConnection, LoadError> {
    let gateway =
        cx.link(n, "virtualNetworkGateway1").ok_or_else(|| cx.err(n, "connection has no `virtualNetworkGateway1`"))?;
    Ok(GatewayConnection { loc: cx.loc(n), gateway, local_gateway: cx.link(n, "localNetworkGateway2"), id })
}

pub fn private_endpoint(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<PrivateEndpoint, LoadError> {
    let mut ips = Vec::new();
    for c in prop(n, "ipConfigurations").and_then(Node::as_seq).unwrap_or_default() {
        if let Some(v) = prop(c, "privateIPAddress") {
            ips.extend(cx.ip(v)?);
        }
    }
    for c in prop(n, "customDnsConfigs").and_then(Node::as_seq).unwrap_or_default() {
        for (_, v) in cx.strings(c, "ipAddresses") {
            ips.extend(cx.ip(v)?);
        }
    }
    ips.sort();
    ips.dedup();
    Ok(PrivateEndpoint { loc: cx.loc(n), subnet: cx.link(n, "subnet"), ips, id })
}

pub fn nat_gateway(cx: &mut Cx, id: ResourceId, n: &Node) -> NatGateway {
    NatGateway { loc: cx.loc(n), public_ips: cx.links(n, "publicIpAddresses"), id }
}

pub fn public_ip(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<PublicIp, LoadError> {
    let address = match prop(n, "ipAddress") {
        Some(v) => cx.ip(v)?,
        None => None,
    };
    let bound_to = prop(n, "ipConfiguration").and_then(|c| c.get_ci("id")).and_then(Node::as_str).map(ResourceId::new);
    Ok(PublicIp { loc: cx.loc(n), address, bound_to, id })
}

pub fn load_balancer(cx: &mut Cx, id: ResourceId, n: &Node) -> Result<LoadBalancer, LoadError> {
    let mut frontends = Vec::new();
    for f in prop(n, "frontendIPConfigurations").and_then(Node::as_seq).unwrap_or_default() {
        frontends.push(Frontend {
            name: child_name(f),
            loc: cx.loc(f),
            private_ip: match prop(f, "privateIPAddress") {
                Some(v) => cx.ip(v)?,
                None => None,
            },
            subnet: cx.link(f, "subnet"),
            public_ip: cx.link(f, "publicIPAddress"),
        });
    }
    let mut pools = Vec::new();
    for b in prop(n, "backendAddressPools").and_then(Node::as_seq).unwrap_or_default() {
        let mut addresses = Vec::new();
        for a in prop(b, "loadBalancerBackendAddresses").and_then(Node::as_seq).unwrap_or_default() {
            if let Some(v) = prop(a, "ipAddress") {
                addresses.extend(cx.ip(v)?);
            }
        }
        // Members listed by the pool itself (`backendIPConfigurations`) that
        // are not NIC configurations: scale set instances, which tusk does
        // not read.
        let unresolved = prop(b, "backendIPConfigurations")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter(|c| {
                c.get_ci("id")
                    .and_then(Node::as_str)
                    .is_some_and(|i| !i.to_ascii_lowercase().contains("/networkinterfaces/"))
            })
            .count();
        pools.push(BackendPool { name: child_name(b), loc: cx.loc(b), addresses, unresolved });
    }
    // "Azure Load Balancer components" (load-balancer/components): a
    // load-balancing rule maps a frontend port and protocol to a backend
    // pool's port; an inbound NAT rule maps one frontend port to one
    // backend configuration; protocol All with port 0 is HA ports.
    let mut rules = Vec::new();
    let mut unread_rules = 0;
    for (key, kind) in [("loadBalancingRules", LbRuleKind::LoadBalancing), ("inboundNatRules", LbRuleKind::InboundNat)]
    {
        for r in prop(n, key).and_then(Node::as_seq).unwrap_or_default() {
            let port =
                |k: &str| prop(r, k).and_then(Node::as_i64).filter(|p| (0..=65535).contains(p)).map(|p| p as u16);
            let protocol = match prop(r, "protocol").and_then(Node::as_str).map(str::to_ascii_lowercase).as_deref() {
                Some("tcp") => LbProtocol::Tcp,
                Some("udp") => LbProtocol::Udp,
                Some("all") => LbProtocol::All,
                _ => return Err(cx.err(r, "load balancer rule `protocol` must be Tcp, Udp or All")),
            };
            let name_of = |k: &str| {
                prop(r, k)
                    .and_then(|v| v.get_ci("id"))
                    .and_then(Node::as_str)
                    .map(|i| ResourceId::new(i).name().to_string())
            };
            let (Some(frontend_port), Some(backend_port)) =
                (port("frontendPort"), port("backendPort").or(port("frontendPort")))
            else {
                cx.warn(r, "load balancer rule without literal frontendPort/backendPort (a port range NAT rule?); flows to this load balancer stay unknown");
                unread_rules += 1;
                continue;
            };
            rules.push(LbRule {
                name: child_name(r),
                loc: cx.loc(r),
                kind,
                frontend: name_of("frontendIPConfiguration"),
                protocol,
                frontend_port,
                backend_port,
                // `backendAddressPool`, or the plural `backendAddressPools`
                // newer API versions (and Terraform's `backend_address_pool_ids`) give.
                pool: name_of("backendAddressPool").or_else(|| {
                    prop(r, "backendAddressPools")
                        .and_then(Node::as_seq)
                        .and_then(|s| s.first())
                        .and_then(|v| v.get_ci("id"))
                        .and_then(Node::as_str)
                        .map(|i| ResourceId::new(i).name().to_string())
                }),
                floating_ip: cx.bool(r, "enableFloatingIP").unwrap_or(false),
                disable_outbound_snat: kind == LbRuleKind::LoadBalancing
                    && cx.bool(r, "disableOutboundSnat").unwrap_or(false),
            });
        }
    }
    // Inbound NAT pools ("Inbound NAT rules", load-balancer/inbound-nat-rules;
    // loadBalancer.json `inboundNatPools`) map a frontend port range to
    // the instances of a virtual machine scale set, which tusk does not
    // read: flows to the load balancer stay unknown.
    for pool in prop(n, "inboundNatPools").and_then(Node::as_seq).unwrap_or_default() {
        cx.warn(pool, format!("inbound NAT pool {} maps frontend ports to scale set instances tusk does not read; flows to this load balancer stay unknown", child_name(pool)));
        unread_rules += 1;
    }
    // "Outbound rules Azure Load Balancer" (load-balancer/outbound-rules):
    // an outbound rule gives a backend pool's members the public addresses
    // of its frontends for their flows to the Internet.
    let mut outbound_rules = Vec::new();
    for r in prop(n, "outboundRules").and_then(Node::as_seq).unwrap_or_default() {
        let protocol = match prop(r, "protocol").and_then(Node::as_str).map(str::to_ascii_lowercase).as_deref() {
            Some("tcp") => LbProtocol::Tcp,
            Some("udp") => LbProtocol::Udp,
            Some("all") => LbProtocol::All,
            _ => return Err(cx.err(r, "outbound rule `protocol` must be Tcp, Udp or All")),
        };
        let frontends = prop(r, "frontendIPConfigurations")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|f| f.get_ci("id").and_then(Node::as_str).map(|i| ResourceId::new(i).name().to_string()))
            .collect();
        let pool = prop(r, "backendAddressPool")
            .and_then(|v| v.get_ci("id"))
            .and_then(Node::as_str)
            .map(|i| ResourceId::new(i).name().to_string());
        outbound_rules.push(OutboundRule { name: child_name(r), loc: cx.loc(r), frontends, pool, protocol });
    }
    let basic_sku = n
        .get_ci("sku")
        .and_then(|s| s.get_ci("name"))
        .and_then(Node::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("basic"));
    Ok(LoadBalancer { loc: cx.loc(n), frontends, pools, rules, unread_rules, outbound_rules, basic_sku, id })
}

/// The ids of a list of `{"id": ...}` references, unresolved.
/// The ids of list `key`, each `None` when not a literal (an ARM
/// expression or a value known only after apply, warned about by `Cx`).
fn maybe_ids(cx: &mut Cx, n: &Node, key: &str) -> Vec<Option<ResourceId>> {
    let items = prop(n, key).and_then(Node::as_seq).unwrap_or_default();
    items.iter().map(|v| v.get_ci("id").and_then(|x| cx.literal(x)).map(ResourceId::new)).collect()
}

fn ids(n: &Node, key: &str) -> Vec<ResourceId> {
    prop(n, key)
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.get_ci("id").and_then(Node::as_str).map(ResourceId::new))
        .collect()
}
