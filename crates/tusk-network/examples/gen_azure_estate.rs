//! Writes a large synthetic hub & spoke estate for the benchmark, in the
//! flattened `az ... -o json` shape: one hub with an Azure Firewall (5,000
//! network rules in a firewall policy), 200 spokes of 10 subnets (2,000
//! subnets, one NIC each), one NSG of 10 rules per subnet (20,000 rules),
//! and one 400-route table per spoke.
//!
//! Usage: `cargo run --release -p tusk-network --example gen_azure_estate -- OUT_DIR`
//! (std only; not part of the product).

// Examples are programs, exempt from the libraries' no-printing lint.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

const SPOKES: u32 = 200;
const SUBNETS: u32 = 10;
const SUB: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-bench/providers/Microsoft.Network";
const FW_IP: &str = "10.0.1.4";

fn spoke_prefix(i: u32) -> String {
    format!("10.{i}.0.0/16")
}

fn vnets() -> String {
    let mut s = String::from("[\n");
    // The hub.
    let peer = |from: &str, to: &str| {
        format!(
            r#"{{"name": "{from}-to-{to}", "id": "{SUB}/virtualNetworks/{from}/virtualNetworkPeerings/{from}-to-{to}", "remoteVirtualNetwork": {{"id": "{SUB}/virtualNetworks/{to}"}}, "allowVirtualNetworkAccess": true, "allowForwardedTraffic": true, "allowGatewayTransit": false, "useRemoteGateways": false, "peeringState": "Connected"}}"#
        )
    };
    let hub_peers: Vec<String> = (1..=SPOKES).map(|i| peer("hub", &format!("spoke{i}"))).collect();
    let _ = write!(
        s,
        r#"{{"name": "hub", "id": "{SUB}/virtualNetworks/hub", "type": "Microsoft.Network/virtualNetworks", "resourceGroup": "rg-bench",
 "addressSpace": {{"addressPrefixes": ["10.0.0.0/16"]}},
 "subnets": [{{"name": "AzureFirewallSubnet", "id": "{SUB}/virtualNetworks/hub/subnets/AzureFirewallSubnet", "addressPrefix": "10.0.1.0/26"}}],
 "virtualNetworkPeerings": [{}]}}"#,
        hub_peers.join(",\n  ")
    );
    for i in 1..=SPOKES {
        let subnets: Vec<String> = (0..SUBNETS)
            .map(|k| {
                format!(
                    r#"{{"name": "snet{k}", "id": "{SUB}/virtualNetworks/spoke{i}/subnets/snet{k}", "addressPrefix": "10.{i}.{k}.0/24", "networkSecurityGroup": {{"id": "{SUB}/networkSecurityGroups/nsg-spoke{i}-snet{k}"}}, "routeTable": {{"id": "{SUB}/routeTables/rt-spoke{i}"}}}}"#
                )
            })
            .collect();
        let _ = write!(
            s,
            ",\n{{\"name\": \"spoke{i}\", \"id\": \"{SUB}/virtualNetworks/spoke{i}\", \"type\": \"Microsoft.Network/virtualNetworks\", \"resourceGroup\": \"rg-bench\",\n \"addressSpace\": {{\"addressPrefixes\": [\"{}\"]}},\n \"subnets\": [{}],\n \"virtualNetworkPeerings\": [{}]}}",
            spoke_prefix(i),
            subnets.join(",\n  "),
            peer(&format!("spoke{i}"), "hub")
        );
    }
    s.push_str("\n]\n");
    s
}

// One NSG rule's eight fields, positional like the rule tables they mirror.
#[allow(clippy::too_many_arguments)]
fn rule(name: &str, prio: u32, dir: &str, access: &str, proto: &str, src: &str, dst: &str, port: &str) -> String {
    format!(
        r#"{{"name": "{name}", "priority": {prio}, "direction": "{dir}", "access": "{access}", "protocol": "{proto}", "sourceAddressPrefix": "{src}", "sourcePortRange": "*", "destinationAddressPrefix": "{dst}", "destinationPortRange": "{port}"}}"#
    )
}

fn nsgs() -> String {
    let mut out = Vec::new();
    for i in 1..=SPOKES {
        for k in 0..SUBNETS {
            let name = format!("nsg-spoke{i}-snet{k}");
            let peer = |j: u32| spoke_prefix((i + j - 1) % SPOKES + 1);
            let rules = [
                rule("allow-peer1-https", 100, "Inbound", "Allow", "Tcp", &peer(1), "*", "443"),
                rule("allow-peer2-https", 101, "Inbound", "Allow", "Tcp", &peer(2), "*", "443"),
                rule("allow-peer3-https", 102, "Inbound", "Allow", "Tcp", &peer(3), "*", "443"),
                rule("allow-peer4-https", 103, "Inbound", "Allow", "Tcp", &peer(4), "*", "443"),
                rule("deny-peer5", 200, "Inbound", "Deny", "*", &peer(5), "*", "*"),
                rule("allow-own-app", 300, "Inbound", "Allow", "Tcp", &spoke_prefix(i), "*", "8000-8100"),
                rule("allow-dns", 310, "Inbound", "Allow", "Udp", "VirtualNetwork", "*", "53"),
                rule("deny-ssh", 400, "Inbound", "Deny", "Tcp", "*", "*", "22"),
                rule("allow-https-out", 100, "Outbound", "Allow", "Tcp", "*", "10.0.0.0/8", "443"),
                rule("deny-telnet-out", 200, "Outbound", "Deny", "Tcp", "*", "*", "23"),
            ];
            out.push(format!(
                "{{\"name\": \"{name}\", \"id\": \"{SUB}/networkSecurityGroups/{name}\", \"type\": \"Microsoft.Network/networkSecurityGroups\", \"resourceGroup\": \"rg-bench\",\n \"securityRules\": [{}]}}",
                rules.join(",\n  ")
            ));
        }
    }
    format!("[\n{}\n]\n", out.join(",\n"))
}

fn route_tables() -> String {
    let mut out = Vec::new();
    for i in 1..=SPOKES {
        let mut routes = vec![format!(
            r#"{{"name": "default", "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "{FW_IP}"}}"#
        )];
        // Every other spoke's /16, then /24s of spokes, up to 400 routes.
        for j in (1..=SPOKES).filter(|&j| j != i) {
            routes.push(format!(
                r#"{{"name": "to-spoke{j}", "addressPrefix": "{}", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "{FW_IP}"}}"#,
                spoke_prefix(j)
            ));
        }
        let mut n = 0;
        while routes.len() < 400 {
            let j = n % SPOKES + 1;
            let k = 100 + n / SPOKES;
            routes.push(format!(
                r#"{{"name": "to-spoke{j}-block{k}", "addressPrefix": "10.{j}.{k}.0/24", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "{FW_IP}"}}"#
            ));
            n += 1;
        }
        out.push(format!(
            "{{\"name\": \"rt-spoke{i}\", \"id\": \"{SUB}/routeTables/rt-spoke{i}\", \"type\": \"Microsoft.Network/routeTables\", \"resourceGroup\": \"rg-bench\", \"disableBgpRoutePropagation\": true,\n \"routes\": [{}]}}",
            routes.join(",\n  ")
        ));
    }
    format!("[\n{}\n]\n", out.join(",\n"))
}

fn nics() -> String {
    let mut out = Vec::new();
    for i in 1..=SPOKES {
        for k in 0..SUBNETS {
            out.push(format!(
                r#"{{"name": "vm-s{i}-n{k}-nic", "id": "{SUB}/networkInterfaces/vm-s{i}-n{k}-nic", "type": "Microsoft.Network/networkInterfaces", "enableIPForwarding": false, "ipConfigurations": [{{"name": "ipconfig1", "privateIPAddress": "10.{i}.{k}.4", "subnet": {{"id": "{SUB}/virtualNetworks/spoke{i}/subnets/snet{k}"}}}}]}}"#
            ));
        }
    }
    format!("[\n{}\n]\n", out.join(",\n"))
}

fn firewall() -> String {
    let fw = format!(
        r#"{{"name": "fw-hub", "id": "{SUB}/azureFirewalls/fw-hub", "type": "Microsoft.Network/azureFirewalls", "ipConfigurations": [{{"name": "ipconfig", "privateIPAddress": "{FW_IP}", "subnet": {{"id": "{SUB}/virtualNetworks/hub/subnets/AzureFirewallSubnet"}}}}], "firewallPolicy": {{"id": "{SUB}/firewallPolicies/fwpol"}}}}"#
    );
    let pol = format!(
        r#"{{"name": "fwpol", "id": "{SUB}/firewallPolicies/fwpol", "type": "Microsoft.Network/firewallPolicies", "ruleCollectionGroups": [{{"id": "{SUB}/firewallPolicies/fwpol/ruleCollectionGroups/east-west"}}]}}"#
    );
    let mut colls = Vec::new();
    for c in 0..50u32 {
        let action = if c == 0 { "Deny" } else { "Allow" };
        let rules: Vec<String> = (0..100u32)
            .map(|r| {
                let n = c * 100 + r;
                let a = n % SPOKES + 1;
                let b = (n * 7 + c) % SPOKES + 1;
                let ports = if c == 0 { r#"["22", "23"]"# } else { r#"["443", "8443"]"# };
                format!(
                    r#"{{"ruleType": "NetworkRule", "name": "r{n}", "sourceAddresses": ["{}"], "destinationAddresses": ["{}"], "ipProtocols": ["TCP"], "destinationPorts": {ports}}}"#,
                    spoke_prefix(a),
                    spoke_prefix(b)
                )
            })
            .collect();
        colls.push(format!(
            "{{\"ruleCollectionType\": \"FirewallPolicyFilterRuleCollection\", \"name\": \"c{c}\", \"priority\": {}, \"action\": {{\"type\": \"{action}\"}}, \"rules\": [{}]}}",
            100 + c,
            rules.join(",\n  ")
        ));
    }
    let rcg = format!(
        "{{\"name\": \"east-west\", \"id\": \"{SUB}/firewallPolicies/fwpol/ruleCollectionGroups/east-west\", \"type\": \"Microsoft.Network/firewallPolicies/ruleCollectionGroups\", \"priority\": 200, \"ruleCollections\": [{}]}}",
        colls.join(",\n")
    );
    format!("[\n{fw},\n{pol},\n{rcg}\n]\n")
}

fn main() {
    let out = std::env::args().nth(1).expect("usage: gen_azure_estate OUT_DIR");
    let out = Path::new(&out);
    fs::create_dir_all(out).expect("create OUT_DIR");
    for (name, text) in [
        ("vnets.json", vnets()),
        ("nsgs.json", nsgs()),
        ("route-tables.json", route_tables()),
        ("nics.json", nics()),
        ("firewall.json", firewall()),
    ] {
        fs::write(out.join(name), text).expect("write");
    }
}
