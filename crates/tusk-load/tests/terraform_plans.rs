//! Terraform plans and states (tests/terraform/, written by its
//! make_plans.py to HashiCorp's documented JSON output format) load into
//! the same model as the equivalent ARM export (tests/azure/fig3-hub-spoke),
//! every azurerm type tusk reads lands where ARM would put it, values known
//! only after apply are unknown (never guessed) except ids and a
//! firewall's address in its dedicated subnet, and a folder of `.tf`
//! files says how to produce the plan JSON instead of loading empty.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tusk_load::doc::{parse_documents, Node};
use tusk_load::{load_paths, load_sources, terraform};
use tusk_model::azure::*;

fn case(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests").join(p)
}

fn load(p: &str) -> tusk_load::Loaded {
    load_paths(&[case(p)]).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// What a trace depends on, by name: VNets with their spaces, subnets with
/// prefixes, NSG and route table, peerings with flags, rules, routes,
/// firewall addresses and policy rules, NIC addresses.
fn link<T>(l: &Option<Link<T>>, names: &dyn Fn(tusk_core::Idx<T>) -> String) -> String {
    match l {
        Some(Link::Found(i)) => names(*i),
        Some(Link::Absent(id)) => format!("absent {}", id.name()),
        None => "-".into(),
    }
}

fn summary(n: &AzureNetwork) -> Vec<String> {
    let mut out = Vec::new();
    for v in &n.vnets {
        out.push(format!(
            "vnet {} {:?}",
            v.id.name(),
            v.address_space.iter().map(|c| c.to_string()).collect::<Vec<_>>()
        ));
        for p in &v.peerings {
            let remote = p.remote.found().map(|i| n.vnets[i].id.name().to_string()).unwrap_or_default();
            out.push(format!(
                "peering {} -> {remote} {} {} {} {}",
                p.id.name(),
                p.allow_virtual_network_access,
                p.allow_forwarded_traffic,
                p.allow_gateway_transit,
                p.use_remote_gateways
            ));
        }
    }
    for s in &n.subnets {
        out.push(format!(
            "subnet {}/{} {:?} nsg {} rt {}",
            n.vnets[s.vnet].id.name(),
            s.id.name(),
            s.prefixes.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            link(&s.nsg, &|i| n.nsgs[i].id.name().to_string()),
            link(&s.route_table, &|i| n.route_tables[i].id.name().to_string())
        ));
    }
    for g in &n.nsgs {
        for r in &g.rules {
            out.push(format!("nsg {} {} {} {:?} {:?}", g.id.name(), r.name, r.priority, r.direction, r.access));
        }
    }
    for t in &n.route_tables {
        for r in &t.routes {
            out.push(format!("route {} {} {:?} {:?}", t.id.name(), r.name, r.next_hop, r.next_hop_ip));
        }
        out.push(format!("route table {} bgp disabled {}", t.id.name(), t.disable_bgp_route_propagation));
    }
    for f in &n.firewalls {
        out.push(format!(
            "firewall {} {:?} policy {}",
            f.id.name(),
            f.private_ips,
            link(&f.policy, &|i| n.firewall_policies[i].id.name().to_string())
        ));
    }
    for p in &n.firewall_policies {
        for g in &p.groups {
            for c in &g.collections {
                for r in &c.rules {
                    out.push(format!("fw rule {}/{} {}/{} {}", g.id.name(), g.priority, c.name, c.priority, r.name));
                }
            }
        }
    }
    for c in &n.nics {
        for ip in &c.ip_configs {
            let subnet = link(&ip.subnet, &|i| n.subnets[i].id.name().to_string());
            out.push(format!("nic {} {:?} {subnet}", c.id.name(), ip.private_ip));
        }
    }
    out.sort();
    out
}

#[test]
fn plan_state_and_greenfield_plan_load_into_the_model_of_the_equivalent_arm_export() {
    let arm = summary(&load("azure/fig3-hub-spoke/input").estate.azure);
    for p in ["terraform/hub-spoke/plan.json", "terraform/greenfield/plan.json", "terraform/state/state.json"] {
        let tf = summary(&load(p).estate.azure);
        assert!(arm.len() > 20, "{arm:#?}");
        assert_eq!(tf, arm, "{p}");
    }
}

#[test]
fn model_objects_cite_the_address_line_of_their_resource_in_the_plan() {
    let l = load("terraform/hub-spoke/plan.json");
    let text = std::fs::read_to_string(case("terraform/hub-spoke/plan.json")).unwrap();
    let line = |loc: &tusk_core::Loc| text.lines().nth(loc.pos.line as usize - 1).unwrap().trim().to_string();
    let fw = &l.estate.azure.firewalls[0];
    assert_eq!(line(&fw.loc), r#""address": "module.hub.azurerm_firewall.hub","#);
    let nic = l.estate.azure.nics.iter().find(|n| n.id.name() == "spoke1-node-nic").unwrap();
    assert_eq!(line(&nic.loc), r#""address": "module.spoke[\"spoke1\"].azurerm_network_interface.node","#);
}

#[test]
fn ids_known_only_after_apply_are_synthesised_and_said_so() {
    let l = load("terraform/greenfield/plan.json");
    let w: Vec<String> = l.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter()
            .any(|w| w.contains("resource id(s) are known only after apply") && w.contains("subscription `unknown`")),
        "{w:#?}"
    );
    assert!(
        w.iter().any(|w| w.contains("module.hub.azurerm_firewall.hub: its private IP") && w.contains("10.0.1.4")),
        "{w:#?}"
    );
    let n = &l.estate.azure;
    let nic = n.nics.iter().find(|x| x.id.name() == "spoke1-node-nic").unwrap();
    let sub = nic.ip_configs[0].subnet.as_ref().and_then(Link::found).expect("linked through references");
    assert_eq!(n.subnets[sub].id.as_str(), "/subscriptions/unknown/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/spoke1/subnets/aks-nodes");
    // The public IP's address is allocated by Azure at apply: unknown.
    assert_eq!(n.public_ips[0].address, None);
    assert!(
        w.iter()
            .any(|w| w.contains("module.hub.azurerm_public_ip.fw: known only after apply") && w.contains("ip_address")),
        "{w:#?}"
    );
}

fn child<'a>(n: &'a Node, key: &str) -> &'a Node {
    n.get(key).unwrap_or_else(|| panic!("no `{key}`"))
}

fn arm_bodies(p: &str) -> Vec<Node> {
    let file: Arc<str> = Arc::from(p);
    let text = std::fs::read_to_string(case(p)).unwrap();
    let doc = parse_documents(&file, &text).unwrap().remove(0);
    let mut w = Vec::new();
    let root = terraform::arm_bodies(&doc, &mut w).unwrap().unwrap();
    root.as_seq().unwrap().to_vec()
}

fn body<'a>(bodies: &'a [Node], arm_type: &str) -> &'a Node {
    bodies.iter().find(|b| child(b, "type").as_str() == Some(arm_type)).unwrap_or_else(|| panic!("no {arm_type}"))
}

#[test]
fn aks_cluster_and_node_pool_become_managed_cluster_and_agent_pool_bodies() {
    for p in ["terraform/hub-spoke/plan.json", "terraform/greenfield/plan.json", "terraform/state/state.json"] {
        let bodies = arm_bodies(p);
        let mc = body(&bodies, "Microsoft.ContainerService/managedClusters");
        let props = child(mc, "properties");
        let net = child(props, "networkProfile");
        for (k, v) in [
            ("networkPlugin", "azure"),
            ("networkPluginMode", "overlay"),
            ("networkPolicy", "cilium"),
            ("networkDataplane", "cilium"),
            ("podCidr", "192.168.0.0/16"),
            ("serviceCidr", "172.16.0.0/16"),
            ("outboundType", "userDefinedRouting"),
        ] {
            assert_eq!(child(net, k).as_str(), Some(v), "{p}: {k}");
        }
        let pool = &child(props, "agentPoolProfiles").as_seq().unwrap()[0];
        assert_eq!(child(pool, "name").as_str(), Some("system"));
        assert_eq!(child(pool, "mode").as_str(), Some("System"));
        assert_eq!(child(pool, "count").as_i64(), Some(3));
        assert_eq!(child(pool, "maxPods").as_i64(), Some(30));
        let subnet = child(pool, "vnetSubnetID").as_str().unwrap();
        assert!(subnet.ends_with("/virtualNetworks/spoke1/subnets/aks-nodes"), "{p}: {subnet}");
        assert!(!subnet.starts_with('['), "{p}: the subnet id is followed through module outputs");
        assert_eq!(child(pool, "nodeTaints").as_seq().unwrap()[0].as_str(), Some("CriticalAddonsOnly=true:NoSchedule"));
        assert_eq!(child(child(pool, "upgradeSettings"), "maxSurge").as_str(), Some("10%"));
        let ap = body(&bodies, "Microsoft.ContainerService/managedClusters/agentPools");
        let cluster_id = child(mc, "id").as_str().unwrap();
        assert_eq!(child(ap, "id").as_str().unwrap(), format!("{cluster_id}/agentPools/user"), "{p}");
        let ap = child(ap, "properties");
        assert_eq!(child(ap, "mode").as_str(), Some("User"));
        assert_eq!(child(ap, "enableAutoScaling").as_bool(), Some(true));
        assert_eq!((child(ap, "minCount").as_i64(), child(ap, "maxCount").as_i64()), (Some(2), Some(5)));
        assert_eq!(child(ap, "nodeTaints").as_seq().unwrap()[0].as_str(), Some("tenant=a:NoSchedule"));
        assert_eq!(child(child(ap, "nodeLabels"), "tenant").as_str(), Some("a"));
        assert_eq!(child(ap, "availabilityZones").as_seq().unwrap().len(), 2);
    }
}

#[test]
fn every_other_azurerm_type_and_azapi_land_where_arm_puts_them() {
    let l = load("terraform/all-types/plan.json");
    let n = &l.estate.azure;
    let w: Vec<String> = l.warnings.iter().map(|w| w.to_string()).collect();
    let name = |id: &ResourceId| id.name().to_string();
    // azurerm_network_security_rule, folded into its NSG, with a destination
    // ASG known only after apply, linked through the reference.
    let nsg = n.nsgs.iter().find(|x| x.id.name() == "nsg-app").unwrap();
    // The NSG's computed inline list shows the same rule: one rule, the
    // standalone resource's.
    assert_eq!(nsg.rules.iter().filter(|r| r.name == "deny-ssh").count(), 1);
    let rule = nsg.rules.iter().find(|r| r.name == "deny-ssh").unwrap();
    assert_eq!((rule.priority, rule.access), (100, Access::Deny));
    assert!(matches!(rule.destinations.as_slice(), [AddressMatch::Asg(Link::Found(_))]), "{:?}", rule.destinations);
    // Inline v3 subnets, with the association resources for route table
    // and NAT gateway, and the inline `security_group`.
    let app = n.subnets.iter().find(|s| s.id.name() == "app").unwrap();
    assert_eq!(app.prefixes[0].to_string(), "10.9.1.0/24");
    assert_eq!(
        app.route_table.as_ref().and_then(Link::found).map(|i| name(&n.route_tables[i].id)).as_deref(),
        Some("rt-app")
    );
    assert_eq!(
        app.nat_gateway.as_ref().and_then(Link::found).map(|i| name(&n.nat_gateways[i].id)).as_deref(),
        Some("nat-out")
    );
    assert_eq!(app.nsg.as_ref().and_then(Link::found).map(|i| name(&n.nsgs[i].id)).as_deref(), Some("nsg-app"));
    // azurerm_route folded into its table; v3 disable_bgp_route_propagation.
    let rt = n.route_tables.iter().find(|t| t.id.name() == "rt-app").unwrap();
    assert_eq!(rt.routes.len(), 1);
    // A new table whose computed `route` is unknown: its standalone route
    // is read, and the warning says how.
    let new = n.route_tables.iter().find(|t| t.id.name() == "rt-new").unwrap();
    assert_eq!((new.routes.len(), new.routes[0].name.as_str()), (1, "default"));
    assert!(w.iter().any(|w| w.contains("azurerm_route_table.new: `route` is known only after apply")), "{w:#?}");
    assert_eq!((rt.routes[0].name.as_str(), rt.routes[0].next_hop), ("onprem", NextHopType::VirtualNetworkGateway));
    assert!(rt.disable_bgp_route_propagation);
    // NIC with NSG and ASG associations; its dynamic address is unknown.
    let nic = &n.nics[0];
    assert_eq!(nic.nsg.as_ref().and_then(Link::found).map(|i| name(&n.nsgs[i].id)).as_deref(), Some("nsg-app"));
    assert!(matches!(nic.ip_configs[0].asgs.as_slice(), [Link::Found(_)]));
    assert_eq!(nic.ip_configs[0].private_ip, None);
    assert!(
        w.iter().any(|w| w.contains("azurerm_network_interface.web: known only after apply")
            && w.contains("ip_configuration[0].private_ip_address")),
        "{w:#?}"
    );
    // Classic firewall with its network rule collection and SNAT ranges.
    let fw = &n.firewalls[0];
    let names: Vec<(&str, &str)> = fw.classic.iter().map(|c| (c.name.as_str(), c.rules[0].name.as_str())).collect();
    assert_eq!(names, [("in", "web-in"), ("dns", "dns"), ("web", "github")]);
    let dnat = &fw.classic[0].rules[0];
    assert_eq!((dnat.translated_address, dnat.translated_port), (Some("10.9.1.100".parse().unwrap()), Some(443)));
    assert_eq!(fw.classic[2].rules[0].target_fqdns, ["github.com"]);
    assert!(fw.private_ranges.is_some());
    assert_eq!(fw.private_ips, vec!["10.9.0.4".parse::<std::net::IpAddr>().unwrap()]);
    // Private endpoint: subnet linked, address unknown until apply.
    assert!(n.private_endpoints[0].subnet.as_ref().and_then(Link::found).is_some());
    assert!(n.private_endpoints[0].ips.is_empty());
    // NAT gateway's public IP from the association resource.
    assert!(matches!(n.nat_gateways[0].public_ips.as_slice(), [Link::Found(_)]));
    // Load balancer, gateways and the connection between them.
    assert_eq!(n.load_balancers[0].frontends[0].private_ip, Some("10.9.1.100".parse().unwrap()));
    assert_eq!(n.vnet_gateways.len(), 1);
    assert_eq!(n.local_gateways[0].prefixes[0].to_string(), "192.168.0.0/16");
    assert!(
        n.connections[0].gateway.found().is_some()
            && n.connections[0].local_gateway.as_ref().and_then(Link::found).is_some()
    );
    // azapi_resource: a VNet with an object body and a subnet whose body is
    // a JSON string, under the VNet's synthesised id.
    let edge = n.vnets.iter().find(|v| v.id.name() == "edge").unwrap();
    assert_eq!(edge.address_space[0].to_string(), "10.20.0.0/16");
    assert_eq!(edge.subnets.len(), 1);
    assert_eq!(n.subnets[edge.subnets[0]].prefixes[0].to_string(), "10.20.1.0/24");
    // A type outside the network model is named once, with its count.
    assert!(w.iter().any(|w| w.contains("1 Terraform resource(s) of type `azurerm_key_vault`")), "{w:#?}");
}

#[test]
fn lb_pools_rules_and_ip_groups_reach_the_arm_bodies() {
    let bodies = arm_bodies("terraform/all-types/plan.json");
    let lb = child(body(&bodies, "Microsoft.Network/loadBalancers"), "properties");
    assert_eq!(child(&child(lb, "backendAddressPools").as_seq().unwrap()[0], "name").as_str(), Some("web"));
    let rule = child(&child(lb, "loadBalancingRules").as_seq().unwrap()[0], "properties");
    assert_eq!(child(rule, "frontendPort").as_i64(), Some(443));
    assert!(child(child(rule, "frontendIPConfiguration"), "id")
        .as_str()
        .unwrap()
        .ends_with("/loadBalancers/lb-int/frontendIPConfigurations/fe"));
    let ipg = child(body(&bodies, "Microsoft.Network/ipGroups"), "properties");
    assert_eq!(child(ipg, "ipAddresses").as_seq().unwrap().len(), 2);
}

#[test]
fn a_reference_the_plan_cannot_resolve_stays_unknown() {
    // A NIC in a new subnet reached through a local value: `local.*` is not
    // in Terraform's configuration representation, so the id is unknown.
    let plan = r#"{"format_version": "1.2", "terraform_version": "1.9.8",
      "planned_values": {"root_module": {"resources": [
        {"address": "azurerm_network_interface.n", "mode": "managed", "type": "azurerm_network_interface", "name": "n",
         "values": {"name": "n", "resource_group_name": "rg", "ip_configuration": [{"name": "c", "private_ip_address": "10.0.0.4",
                    "private_ip_address_allocation": "Static"}]}}]}},
      "resource_changes": [{"address": "azurerm_network_interface.n", "mode": "managed", "type": "azurerm_network_interface",
         "name": "n", "change": {"actions": ["create"], "after_unknown": {"id": true, "ip_configuration": [{"subnet_id": true}]}}}],
      "configuration": {"root_module": {"resources": [{"address": "azurerm_network_interface.n", "mode": "managed",
         "type": "azurerm_network_interface", "name": "n",
         "expressions": {"ip_configuration": [{"subnet_id": {"references": ["local.subnet_id"]}}]}}]}}}"#;
    let l = load_sources(&[(Arc::from("plan.json"), plan.to_string())]).unwrap_or_else(|e| panic!("{e}"));
    let c = &l.estate.azure.nics[0].ip_configs[0];
    assert!(matches!(&c.subnet, Some(Link::Absent(id)) if id.as_str().contains("after apply")), "{:?}", c.subnet);
    let w: Vec<String> = l.warnings.iter().map(|w| w.to_string()).collect();
    assert!(w.iter().any(|w| w.contains("ip_configuration[0].subnet_id")), "{w:#?}");
}

#[test]
fn a_folder_of_tf_files_says_how_to_make_the_plan_json() {
    let dir = std::env::temp_dir().join(format!("tusk-tf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.tf"), "resource \"azurerm_virtual_network\" \"v\" {}\n").unwrap();
    let e = load_paths(std::slice::from_ref(&dir)).unwrap_err();
    assert!(e.message.contains("terraform show -json tfplan > plan.json"), "{e}");
    assert!(e.loc.file.ends_with("main.tf"), "{e}");
    // Given as a file, too.
    let e = load_paths(&[dir.join("main.tf")]).unwrap_err();
    assert!(e.message.contains("HCL) is not read"), "{e}");
    // With a plan beside it, the plan loads and the note is a warning.
    std::fs::copy(case("terraform/state/state.json"), dir.join("state.json")).unwrap();
    let l = load_paths(std::slice::from_ref(&dir)).unwrap();
    assert!(!l.estate.azure.vnets.is_empty());
    assert!(l.warnings.iter().any(|w| w.message.contains("HCL) is not read")));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unsupported_major_format_version_is_a_located_error() {
    let e = load_sources(&[(
        Arc::from("p.json"),
        r#"{"format_version": "2.0", "terraform_version": "2.0.0", "values": {}}"#.into(),
    )])
    .unwrap_err();
    assert!(e.message.contains("format_version"), "{e}");
    assert_eq!(e.loc.pos.line, 1);
}

#[test]
fn inline_rules_known_only_after_apply_are_a_located_error() {
    // The configuration writes `security_rule` blocks, but the plan does not
    // know them: the NSG's rules are unknown, which the model cannot hold.
    let plan = r#"{"format_version": "1.2", "terraform_version": "1.9.8",
      "planned_values": {"root_module": {"resources": [
        {"address": "azurerm_network_security_group.n", "mode": "managed", "type": "azurerm_network_security_group",
         "name": "n", "values": {"name": "n", "resource_group_name": "rg"}}]}},
      "resource_changes": [{"address": "azurerm_network_security_group.n", "mode": "managed",
         "type": "azurerm_network_security_group", "name": "n",
         "change": {"actions": ["create"], "after_unknown": {"id": true, "security_rule": true}}}],
      "configuration": {"root_module": {"resources": [{"address": "azurerm_network_security_group.n", "mode": "managed",
         "type": "azurerm_network_security_group", "name": "n",
         "expressions": {"security_rule": [{"name": {"references": ["var.rule_name"]}}]}}]}}}"#;
    let e = load_sources(&[(Arc::from("plan.json"), plan.to_string())]).unwrap_err();
    assert!(
        e.message.contains("azurerm_network_security_group.n: its `security_rule` blocks are known only after apply"),
        "{e}"
    );
    // The line that names the resource (`"address": ...`).
    assert_eq!(e.loc.pos.line, 3);
}
