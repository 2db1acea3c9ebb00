//! The Azure half of a generated estate: the hub with its firewall, the
//! spokes, the AKS VNet with one subnet and NSG per tenant, and the
//! `managedClusters` body (kubenet, Calico, egress through the hub by UDR).
//!
//! Address plan: hub `10.0.0.0/16` (firewall `10.0.1.4`), spoke S
//! `10.S.0.0/16` with subnet K `10.S.K.0/24`, AKS VNet `10.250.0.0/16`
//! (system pool `10.250.0.0/24`, tenant T `10.250.T.0/24`), pod CIDR
//! `10.244.0.0/16`.

use super::{Shape, Written};
use crate::rng::Rng;
use std::fmt::Write as _;

const SUB: &str = "/subscriptions/00000000-0000-0000-0000-0000000000b1/resourceGroups/rg-bench/providers";
const FW_IP: &str = "10.0.1.4";
pub(super) const POD_CIDR: &str = "10.244.0.0/16";

fn id(kind: &str, name: &str) -> String {
    format!("{SUB}/Microsoft.Network/{kind}/{name}")
}

fn peering(from: &str, to: &str) -> String {
    format!(
        r#"{{"name": "{from}-to-{to}", "properties": {{"remoteVirtualNetwork": {{"id": "{}"}}, "allowVirtualNetworkAccess": true, "allowForwardedTraffic": true, "peeringState": "Connected"}}}}"#,
        id("virtualNetworks", to)
    )
}

fn subnet(vnet: &str, name: &str, prefix: &str, nsg: Option<&str>, rt: Option<&str>) -> String {
    let mut props = format!(r#""addressPrefix": "{prefix}""#);
    if let Some(n) = nsg {
        let _ = write!(props, r#", "networkSecurityGroup": {{"id": "{}"}}"#, id("networkSecurityGroups", n));
    }
    if let Some(r) = rt {
        let _ = write!(props, r#", "routeTable": {{"id": "{}"}}"#, id("routeTables", r));
    }
    format!(
        r#"{{"name": "{name}", "id": "{}/subnets/{name}", "properties": {{{props}}}}}"#,
        id("virtualNetworks", vnet)
    )
}

fn vnet(name: &str, space: &str, subnets: &[String], peerings: &[String]) -> String {
    format!(
        r#"{{"name": "{name}", "id": "{}", "type": "Microsoft.Network/virtualNetworks", "properties": {{"addressSpace": {{"addressPrefixes": ["{space}"]}}, "subnets": [{}], "virtualNetworkPeerings": [{}]}}}}"#,
        id("virtualNetworks", name),
        subnets.join(",\n  "),
        peerings.join(",\n  ")
    )
}

/// One inbound NSG rule (`*` source port).
fn rule(name: &str, priority: u32, access: &str, proto: &str, src: &str, port: &str) -> String {
    format!(
        r#"{{"name": "{name}", "properties": {{"priority": {priority}, "direction": "Inbound", "access": "{access}", "protocol": "{proto}", "sourceAddressPrefix": "{src}", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "{port}"}}}}"#
    )
}

fn nsg(name: &str, rules: &[String]) -> String {
    format!(
        r#"{{"name": "{name}", "id": "{}", "type": "Microsoft.Network/networkSecurityGroups", "properties": {{"securityRules": [{}]}}}}"#,
        id("networkSecurityGroups", name),
        rules.join(", ")
    )
}

fn route_table(name: &str, prefixes: &[&str]) -> String {
    let routes: Vec<String> = prefixes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                r#"{{"name": "r{i}", "properties": {{"addressPrefix": "{p}", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "{FW_IP}"}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"name": "{name}", "id": "{}", "type": "Microsoft.Network/routeTables", "properties": {{"routes": [{}]}}}}"#,
        id("routeTables", name),
        routes.join(", ")
    )
}

/// `network.json`: every VNet, NSG, route table and the firewall.
pub(super) fn network(s: &Shape, w: &mut Written) -> String {
    let mut rng = Rng::new(s.seed ^ 0xA2_0E57_A7E5);
    let mut items: Vec<String> = Vec::new();
    let mut hub_peers: Vec<String> = (1..=s.spokes).map(|i| peering("hub", &format!("spoke{i}"))).collect();
    hub_peers.push(peering("hub", "vnet-aks"));
    let fw_subnet = subnet("hub", "AzureFirewallSubnet", "10.0.1.0/26", None, None);
    items.push(vnet("hub", "10.0.0.0/16", &[fw_subnet], &hub_peers));
    w.subnets += 1;
    for i in 1..=s.spokes {
        let name = format!("spoke{i}");
        let routed = s.no_route_table_every == 0 || !i.is_multiple_of(s.no_route_table_every);
        let rt = format!("rt-spoke{i}");
        let subnets: Vec<String> = (0..s.subnets_per_spoke)
            .map(|k| {
                let nsg_name = format!("nsg-s{i}-{k}");
                let rules = [
                    rule("allow-https-private", 100, "Allow", "Tcp", "10.0.0.0/8", "443"),
                    rule("allow-ssh-own-spoke", 110, "Allow", "Tcp", &format!("10.{i}.0.0/16"), "22"),
                    rule("allow-sql-from-aks", 120, "Allow", "Tcp", "10.250.0.0/16", "1433"),
                    rule("allow-app", 130, "Allow", "Tcp", "VirtualNetwork", &format!("{}", 8000 + rng.below(100))),
                    rule("deny-vnet", 4000, "Deny", "*", "VirtualNetwork", "*"),
                ];
                w.nsg_rules += rules.len();
                items.push(nsg(&nsg_name, &rules));
                subnet(&name, &format!("snet{k}"), &format!("10.{i}.{k}.0/24"), Some(&nsg_name), routed.then_some(&rt))
            })
            .collect();
        w.subnets += subnets.len();
        if routed {
            items.push(route_table(&rt, &["0.0.0.0/0", "10.0.0.0/8"]));
        }
        let mut peers = vec![peering(&name, "hub")];
        // A direct mesh beside the hub: spoke i with i+1, and back.
        let meshed = |j: u32| s.mesh_every > 0 && j.is_multiple_of(s.mesh_every) && j < s.spokes;
        if meshed(i) {
            peers.push(peering(&name, &format!("spoke{}", i + 1)));
        }
        if i > 1 && meshed(i - 1) {
            peers.push(peering(&name, &format!("spoke{}", i - 1)));
        }
        items.push(vnet(&name, &format!("10.{i}.0.0/16"), &subnets, &peers));
    }
    // The AKS VNet: the system pool's subnet and one per tenant.
    let mut subnets = vec![subnet("vnet-aks", "system", "10.250.0.0/24", None, Some("rt-aks"))];
    for t in 1..=s.tenants {
        let nsg_name = format!("nsg-tenant{t}");
        let rules = [
            rule("allow-own-subnet", 100, "Allow", "*", &format!("10.250.{t}.0/24"), "*"),
            // kubenet: pods reach other nodes with pod-CIDR addresses.
            rule("allow-pod-cidr", 110, "Allow", "*", POD_CIDR, "*"),
            rule("allow-hub-https", 120, "Allow", "Tcp", "10.0.0.0/16", "443"),
            rule("deny-vnet", 4000, "Deny", "*", "VirtualNetwork", "*"),
        ];
        w.nsg_rules += rules.len();
        items.push(nsg(&nsg_name, &rules));
        subnets.push(subnet(
            "vnet-aks",
            &format!("tenant{t}"),
            &format!("10.250.{t}.0/24"),
            Some(&nsg_name),
            Some("rt-aks"),
        ));
    }
    w.subnets += subnets.len();
    items.push(route_table("rt-aks", &["0.0.0.0/0"]));
    items.push(vnet("vnet-aks", "10.250.0.0/16", &subnets, &[peering("vnet-aks", "hub")]));
    items.push(firewall(s, &mut rng, w));
    format!("{{\"value\": [\n{}\n]}}\n", items.join(",\n"))
}

/// The hub firewall: network rule collections (the first denies) then
/// application rule collections (HTTPS to FQDNs), 100 rules each.
fn firewall(s: &Shape, rng: &mut Rng, w: &mut Written) -> String {
    let spoke = |rng: &mut Rng| 1 + rng.below(u64::from(s.spokes)) as u32;
    let mut net = Vec::new();
    for c in 0..s.network_rules.div_ceil(100) {
        let rules: Vec<String> = (0..100.min(s.network_rules - c * 100))
            .map(|r| {
                let (a, b) = (spoke(rng), spoke(rng));
                let k = rng.below(u64::from(s.subnets_per_spoke));
                // Few network rules on 443: most HTTPS flows fall through to
                // the application rules, which need a name.
                let port = *rng.pick(&["1433", "5432", "8080", "22", "3389", "6379", "443"]);
                format!(
                    r#"{{"name": "n{c}-{r}", "protocols": ["TCP"], "sourceAddresses": ["10.{a}.0.0/16"], "destinationAddresses": ["10.{b}.{k}.0/24"], "destinationPorts": ["{port}"]}}"#
                )
            })
            .collect();
        w.firewall_rules += rules.len();
        let action = if c == 0 { "Deny" } else { "Allow" };
        net.push(format!(
            r#"{{"name": "net{c}", "properties": {{"priority": {}, "action": {{"type": "{action}"}}, "rules": [{}]}}}}"#,
            100 + c,
            rules.join(", ")
        ));
    }
    let mut app = Vec::new();
    for c in 0..s.application_rules.div_ceil(100) {
        let rules: Vec<String> = (0..100.min(s.application_rules - c * 100))
            .map(|r| {
                let src = if rng.chance(20) { "10.0.0.0/8".to_string() } else { format!("10.{}.0.0/16", spoke(rng)) };
                format!(
                    r#"{{"name": "a{c}-{r}", "protocols": [{{"protocolType": "Https", "port": 443}}], "sourceAddresses": ["{src}"], "targetFqdns": ["svc{c}-{r}.example.com"]}}"#
                )
            })
            .collect();
        w.firewall_rules += rules.len();
        app.push(format!(
            r#"{{"name": "app{c}", "properties": {{"priority": {}, "action": {{"type": "Allow"}}, "rules": [{}]}}}}"#,
            1000 + c,
            rules.join(", ")
        ));
    }
    format!(
        r#"{{"name": "fw-hub", "id": "{}", "type": "Microsoft.Network/azureFirewalls", "properties": {{"ipConfigurations": [{{"name": "c", "properties": {{"privateIPAddress": "{FW_IP}", "subnet": {{"id": "{}/subnets/AzureFirewallSubnet"}}}}}}], "networkRuleCollections": [{}], "applicationRuleCollections": [{}]}}}}"#,
        id("azureFirewalls", "fw-hub"),
        id("virtualNetworks", "hub"),
        net.join(",\n "),
        app.join(",\n ")
    )
}

/// `cluster.json`: one kubenet cluster with Calico policies, egress by UDR
/// through the hub, a system pool and one tainted, labelled pool per tenant.
pub(super) fn cluster(s: &Shape) -> String {
    let subnet_id = |n: &str| format!("{}/subnets/{n}", id("virtualNetworks", "vnet-aks"));
    let mut pools = vec![format!(
        r#"{{"name": "system", "mode": "System", "count": 3, "availabilityZones": ["1", "2", "3"], "vmSize": "Standard_D4s_v5", "osType": "Linux", "vnetSubnetID": "{}", "nodeTaints": ["CriticalAddonsOnly=true:NoSchedule"]}}"#,
        subnet_id("system")
    )];
    for t in 1..=s.tenants {
        pools.push(format!(
            r#"{{"name": "tenant{t}", "mode": "User", "count": {}, "availabilityZones": ["1", "2", "3"], "vmSize": "Standard_D4s_v5", "osType": "Linux", "vnetSubnetID": "{}", "nodeLabels": {{"tenant": "t{t}"}}, "nodeTaints": ["tenant=t{t}:NoSchedule"]}}"#,
            s.nodes_per_pool,
            subnet_id(&format!("tenant{t}"))
        ));
    }
    format!(
        r#"{{"id": "{SUB}/Microsoft.ContainerService/managedClusters/aks-bench", "name": "aks-bench", "type": "Microsoft.ContainerService/managedClusters", "location": "westeurope", "properties": {{"networkProfile": {{"networkPlugin": "kubenet", "networkPolicy": "calico", "serviceCidr": "172.16.0.0/16", "dnsServiceIP": "172.16.0.10", "outboundType": "userDefinedRouting", "podCidr": "{POD_CIDR}"}}, "agentPoolProfiles": [{}]}}}}
"#,
        pools.join(",\n ")
    )
}
