//! ARM templates evaluated as Azure Resource Manager would deploy them:
//! parameters, expressions, loops, conditions, nested deployments,
//! languageVersion 2.0, comments; and the real templates of
//! `../shared/realworld/` (run when present, required when CI=true).

use std::sync::Arc;
use tusk_load::arm::ArmParams;
use tusk_load::{load_paths_with, load_sources_with, Loaded};
use tusk_model::azure::*;

fn params(kv: &[(&str, &str)]) -> ArmParams {
    ArmParams { values: kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), files: Vec::new() }
}

fn load(text: &str, p: &ArmParams) -> Result<Loaded, tusk_core::LoadError> {
    load_sources_with(&[(Arc::from("t.json"), text.to_string())], p)
}

const NSG_TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  // ARM accepts comments and trailing commas.
  "parameters": {"prefix": {"type": "string"}, "count": {"type": "int", "defaultValue": 2},},
  "variables": {"vnetName": "[concat('vnet-', toLower('APP'))]"},
  "resources": [
    {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "nsg-app",
     "properties": {"securityRules": [
       {"name": "allow-https", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "sourceAddressPrefix": "[parameters('prefix')]", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "443"}}]}},
    {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "[variables('vnetName')]",
     "properties": {"addressSpace": {"addressPrefixes": ["10.5.0.0/16"]},
       "copy": [{"name": "subnets", "count": "[parameters('count')]", "input": {
         "name": "[format('s{0}', copyIndex('subnets'))]",
         "properties": {"addressPrefix": "[cidrSubnet('10.5.0.0/16', 24, copyIndex('subnets'))]",
           "networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-app')]"}}}}]}},
    {"condition": "[equals(parameters('count'), 3)]", "type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01",
     "name": "rt-never", "properties": {"routes": []}},
    {"copy": {"name": "rts", "count": 2}, "type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01",
     "name": "[concat('rt-', copyIndex(1))]", "properties": {"routes": []}}
  ]
}"#;

#[test]
fn a_parameter_without_value_in_an_address_is_an_error_naming_it() {
    let e = load(NSG_TEMPLATE, &ArmParams::default()).unwrap_err();
    assert!(e.message.contains("parameter `prefix`") && e.message.contains("--param"), "{e}");
    assert_eq!(e.loc.pos.line, 8, "{e}");
}

#[test]
fn parameters_variables_property_and_resource_loops_and_conditions() {
    let l = load(NSG_TEMPLATE, &params(&[("prefix", "10.9.0.0/16")])).unwrap_or_else(|e| panic!("{e}"));
    let net = &l.estate.azure;
    assert_eq!(net.vnets[0].id.name(), "vnet-app");
    assert_eq!(net.subnets.len(), 2);
    let prefixes: Vec<String> = net.subnets.iter().map(|s| s.prefixes[0].to_string()).collect();
    assert_eq!(prefixes, ["10.5.0.0/24", "10.5.1.0/24"]);
    assert_eq!(net.subnets[1].nsg, Some(Link::Found(tusk_core::Idx::new(0))));
    match &net.nsgs[0].rules[0].sources[0] {
        AddressMatch::Unknown(u) => panic!("source should be known: {u:?}"),
        other => assert!(format!("{other:?}").contains("10.9.0.0"), "{other:?}"),
    }
    let rts: Vec<&str> = net.route_tables.iter().map(|r| r.id.name()).collect();
    assert_eq!(rts, ["rt-1", "rt-2"], "the condition false skips rt-never");
    // Each resource cites the template line it came from.
    assert_eq!(net.vnets[0].loc.pos.line, 12);
}

const NESTED: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"hubRg": {"type": "string", "defaultValue": "rg-hub"}},
  "resources": [
    {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "hub", "resourceGroup": "[parameters('hubRg')]",
     "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
       "parameters": {"name": {"value": "vnet-hub"}, "secret": {"reference": {"keyVault": {"id": "x"}, "secretName": "s"}}},
       "template": {
         "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
         "languageVersion": "2.0", "contentVersion": "1.0.0.0",
         "parameters": {"name": {"type": "string"}, "secret": {"type": "securestring"}, "opt": {"type": "string", "nullable": true}},
         "functions": [{"namespace": "tusk", "members": {"fwSubnet": {"parameters": [{"name": "p", "type": "string"}],
            "output": {"type": "string", "value": "[cidrSubnet(parameters('p'), 26, 0)]"}}}}],
         "resources": {
           "vnet": {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "[parameters('name')]",
             "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
               "subnets": [{"name": "AzureFirewallSubnet", "properties": {"addressPrefix": "[tusk.fwSubnet('10.0.1.0/24')]"}}]}},
           "fw": {"type": "Microsoft.Network/azureFirewalls", "apiVersion": "2023-09-01", "name": "fw",
             "properties": {"ipConfigurations": [{"name": "c", "properties": {
               "subnet": {"id": "[format('{0}/subnets/AzureFirewallSubnet', resourceId('Microsoft.Network/virtualNetworks', parameters('name')))]"}}}]}}
         },
         "outputs": {"fwIp": {"type": "string", "value": "[reference('fw').ipConfigurations[0].properties.privateIPAddress]"},
                     "tag": {"type": "string", "value": "[coalesce(parameters('opt'), 'none')]"}}
       }}},
    {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "spoke", "resourceGroup": "rg-spoke",
     "dependsOn": ["hub"],
     "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
       "parameters": {"fwIp": {"value": "[reference(extensionResourceId(format('/subscriptions/{0}/resourceGroups/{1}', subscription().subscriptionId, parameters('hubRg')), 'Microsoft.Resources/deployments', 'hub'), '2022-09-01').outputs.fwIp.value]"}},
       "template": {
         "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
         "parameters": {"fwIp": {"type": "string"}},
         "resources": [{"type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01", "name": "rt-spoke",
           "properties": {"routes": [{"name": "default", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "[parameters('fwIp')]"}}]}}]
       }}}
  ]
}"#;

#[test]
fn nested_deployments_symbolic_names_udfs_and_outputs_flow_between_groups() {
    let l = load(NESTED, &ArmParams::default()).unwrap_or_else(|e| panic!("{e}"));
    let net = &l.estate.azure;
    assert_eq!(net.vnets[0].id.as_str(), "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub");
    assert_eq!(net.subnets[0].prefixes[0].to_string(), "10.0.1.0/26");
    // The firewall's dynamic IP (the only allocation in AzureFirewallSubnet)
    // reaches the spoke's route through the hub deployment's output.
    assert_eq!(net.firewalls[0].private_ips[0].to_string(), "10.0.1.4");
    assert_eq!(net.route_tables[0].routes[0].next_hop_ip.map(|i| i.to_string()).as_deref(), Some("10.0.1.4"));
    assert!(l.warnings.iter().any(|w| w.message.contains("dynamic allocation")));
}

#[test]
fn unknown_values_propagate_with_their_reason() {
    let t = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
      "resources": [
        {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "[concat('v-', uniqueString(subscription().id))]",
         "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}},
        {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "n",
         "properties": {"securityRules": [{"name": "r", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
           "sourceAddressPrefix": "[reference('/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/publicIPAddresses/p').ipAddress]",
           "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "[string(add(400, 43))]"}}]}}
      ]}"#;
    let l = load(t, &ArmParams::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(l.estate.azure.vnets.is_empty());
    assert!(l.warnings.iter().any(|w| w.message.contains("subscription id") && w.message.contains("not loaded")));
    let rule = &l.estate.azure.nsgs[0].rules[0];
    assert!(matches!(rule.sources[0], AddressMatch::Unknown(_)));
    assert!(l.warnings.iter().any(|w| w.message.contains("not deployed by the input")), "{:?}", l.warnings);
}

#[test]
fn parameters_files_are_read_and_command_line_values_win() {
    let pf = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
      "contentVersion": "1.0.0.0", "parameters": {"prefix": {"value": "10.1.0.0/16"}, "count": {"value": 1}}}"#;
    let mut p = ArmParams { files: vec![(Arc::from("p.json"), pf.to_string())], ..ArmParams::default() };
    let l = load(NSG_TEMPLATE, &p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.estate.azure.subnets.len(), 1);
    p.values.push(("count".into(), "3".into()));
    let l = load(NSG_TEMPLATE, &p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.estate.azure.subnets.len(), 3);
    assert!(l.estate.azure.route_tables.iter().any(|r| r.id.name() == "rt-never"));
}

#[test]
fn bicep_sources_get_one_hint_and_a_syntax_error_is_located() {
    let l = load_sources_with(
        &[
            (Arc::from("a.bicep"), "param x string".into()),
            (Arc::from("b.bicep"), "param y string".into()),
            (Arc::from("t.json"), NESTED.into()),
        ],
        &ArmParams::default(),
    )
    .unwrap();
    assert_eq!(l.warnings.iter().filter(|w| w.message.contains("az bicep build")).count(), 1);
    let bad = NSG_TEMPLATE.replace("[concat('vnet-', toLower('APP'))]", "[concat('vnet-', ]");
    let e = load(&bad, &params(&[("prefix", "10.9.0.0/16")])).unwrap_err();
    assert!(e.message.contains("ARM expression") && e.message.contains("vnet-"), "{e}");
}

#[test]
fn linked_templates_by_relative_path_are_deployed_once_through_their_parent() {
    let main = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
      "resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "child",
        "properties": {"mode": "Incremental", "templateLink": {"relativePath": "nested/child.json"},
          "parameters": {"vnetName": {"value": "vnet-linked"}}}}]}"#;
    let child = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
      "parameters": {"vnetName": {"type": "string"}},
      "resources": [{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "[parameters('vnetName')]",
        "properties": {"addressSpace": {"addressPrefixes": ["10.7.0.0/16"]}}}]}"#;
    let l = load_sources_with(
        &[(Arc::from("t/main.json"), main.into()), (Arc::from("t/nested/child.json"), child.into())],
        &ArmParams::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let net = &l.estate.azure;
    assert_eq!(net.vnets.len(), 1, "the child is not evaluated a second time on its own");
    assert_eq!(net.vnets[0].id.name(), "vnet-linked");
    assert_eq!(&*net.vnets[0].loc.file, "t/nested/child.json");
}

#[test]
fn comments_inside_arrays_never_become_data() {
    let Some(f) = shared("realworld/synthetic-probes/jsonc-array.json") else { return };
    let l = load_paths_with(&[f], &ArmParams::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.estate.azure.route_tables[0].routes.len(), 1);
    let Some(f) = shared("realworld/synthetic-probes/symbolic-v2.json") else { return };
    let l = load_paths_with(&[f], &ArmParams::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.estate.azure.vnets.len(), 1);
    let Some(f) = shared("realworld/synthetic-probes/nested-literal.json") else { return };
    let l = load_paths_with(&[f], &ArmParams::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.estate.azure.vnets.len(), 1);
}

// ---- real templates -------------------------------------------------------

use tusk_testkit::shared;

/// vnets, subnets, peerings, NSGs, route tables, firewalls, public IPs,
/// gateways, NICs, private endpoints.
fn counts(n: &AzureNetwork) -> [usize; 10] {
    [
        n.vnets.len(),
        n.subnets.len(),
        n.vnets.iter().map(|v| v.peerings.len()).sum(),
        n.nsgs.len(),
        n.route_tables.len(),
        n.firewalls.len(),
        n.public_ips.len(),
        n.vnet_gateways.len(),
        n.nics.len(),
        n.private_endpoints.len(),
    ]
}

/// The AKS Landing Zone Accelerator's compiled All-in-One template, with its
/// one required parameter.
pub const LZA: &str = "realworld/aks-lza/Bicep/All-in-One-Bicep/main.json";

#[test]
fn aks_landing_zone_accelerator_loads_hub_spoke_and_firewall() {
    let Some(f) = shared(LZA) else { return };
    let p = params(&[("aksadminaccessprincipalId", "00000000-0000-0000-0000-000000000001")]);
    let l = load_paths_with(&[f], &p).unwrap_or_else(|e| panic!("{e}"));
    let n = &l.estate.azure;
    // Hub: 5 subnets, Bastion NSG, VM route table, firewall with its 2 public
    // IPs, Bastion's IP; spoke: 5 subnets, AKS and App Gateway NSGs and route
    // tables, App Gateway's IP, the jumpbox NIC and its IP; a peering each way.
    assert_eq!(counts(n), [2, 10, 2, 3, 3, 1, 5, 0, 1, 0], "{:?}", counts(n));
    let mut subnets: Vec<String> = tusk_core::Idx::all(&n.subnets).map(|s| n.subnet_path(s)).collect();
    subnets.sort();
    assert!(subnets.contains(&"VNet-SPOKE/AKS".to_string()), "{subnets:?}");
    assert_eq!(n.firewalls[0].private_ips[0].to_string(), "10.0.1.4");
    // Private endpoints are named after Key Vault / registry names that hash
    // the subscription id, which the template alone does not give.
    assert!(l
        .warnings
        .iter()
        .any(|w| w.message.contains("privateEndpoints is unknown") && w.message.contains("subscription id")));
}

fn es_params(hub: &str) -> ArmParams {
    params(&[
        ("topLevelManagementGroupPrefix", "alz"),
        ("addressPrefix", "10.100.0.0/16"),
        ("location", "westeurope"),
        ("enableHub", hub),
        ("enableAzFw", "Yes"),
        ("enableVpnGw", "Yes"),
        ("enableErGw", "Yes"),
        ("connectivitySubscriptionId", "11111111-1111-1111-1111-111111111111"),
        ("subnetMaskForAzFw", "10.100.0.0/24"),
        ("subnetMaskForAzFwMgmt", "10.100.1.0/24"),
        ("subnetMaskForGw", "10.100.2.0/24"),
        ("enableVpnActiveActive", "No"),
        ("gwRegionalOrAz", "Regional"),
        ("gwRegionalSku", "VpnGw1"),
        ("erRegionalOrAz", "Regional"),
        ("erRegionalSku", "Standard"),
        ("ddosPlanResourceId", ""),
    ])
}

#[test]
fn enterprise_scale_hub_and_spoke_templates_load_every_network_resource() {
    let Some(dir) = shared("realworld/enterprise-scale/eslzArm/subscriptionTemplates") else { return };
    let l = load_paths_with(&[dir.join("hubspoke-connectivity.json")], &es_params("vhub"))
        .unwrap_or_else(|e| panic!("{e}"));
    let n = &l.estate.azure;
    assert_eq!(counts(n), [1, 3, 0, 0, 0, 1, 4, 2, 0, 0], "{:?}", counts(n));
    assert_eq!(n.vnets[0].id.as_str(), "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-vnet-hub-prod-westeurope/providers/Microsoft.Network/virtualNetworks/vnet-hub-alz-prod-westeurope");
    assert_eq!(n.firewall_policies.len(), 1);
    let l = load_paths_with(&[dir.join("nvahubspoke-connectivity.json")], &es_params("nva"))
        .unwrap_or_else(|e| panic!("{e}"));
    let n = &l.estate.azure;
    assert_eq!(counts(n), [1, 2, 0, 0, 0, 0, 2, 2, 0, 0], "{:?}", counts(n));
}

#[test]
fn a_deployment_plan_deploys_steps_in_order_into_their_groups() {
    let dir = std::env::temp_dir().join(format!("tusk-plan-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("hub")).unwrap();
    let hub = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
      "parameters": {"prefix": {"type": "string"}},
      "resources": [{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "[concat('vnet-hub-', uniqueString(resourceGroup().id))]",
        "properties": {"addressSpace": {"addressPrefixes": ["[parameters('prefix')]"]},
          "subnets": [{"name": "AzureFirewallSubnet", "properties": {"addressPrefix": "10.0.1.0/26"}}]}},
        {"type": "Microsoft.Network/azureFirewalls", "apiVersion": "2023-09-01", "name": "fw",
         "properties": {"ipConfigurations": [{"name": "c", "properties": {"subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', concat('vnet-hub-', uniqueString(resourceGroup().id)), 'AzureFirewallSubnet')]"}}}]}}],
      "outputs": {"fwIp": {"type": "string", "value": "[reference('fw').ipConfigurations[0].properties.privateIPAddress]"}}}"#;
    let spoke = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
      "parameters": {"hubGroup": {"type": "string"}},
      "resources": [{"type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01", "name": "rt",
        "properties": {"routes": [{"name": "default", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
          "nextHopIpAddress": "[reference(resourceId(parameters('hubGroup'), 'Microsoft.Network/azureFirewalls', 'fw'), '2023-09-01').ipConfigurations[0].properties.privateIPAddress]"}}]}}]}"#;
    let params = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0",
      "parameters": {"prefix": {"value": "10.9.0.0/16"}}}"#;
    std::fs::write(dir.join("hub/main.json"), hub).unwrap();
    std::fs::write(dir.join("hub/params.json"), params).unwrap();
    std::fs::write(dir.join("spoke.json"), spoke).unwrap();
    let plan = "apiVersion: tusk.dev/v1alpha1\nkind: TuskConfig\ndeployments:\n  - template: hub/main.json\n    parameters: [hub/params.json]\n    values: {prefix: 10.0.0.0/16}\n    subscription: 11111111-1111-1111-1111-111111111111\n    resourceGroup: rg-hub\n    name: hub\n  - template: spoke.json\n    values: {hubGroup: rg-hub}\n    subscription: 11111111-1111-1111-1111-111111111111\n    resourceGroup: rg-spoke\n";
    std::fs::write(dir.join("tusk.yaml"), plan).unwrap();
    let l = load_paths_with(std::slice::from_ref(&dir), &ArmParams::default()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_dir_all(&dir).ok();
    let net = &l.estate.azure;
    // Loaded once each, through the plan (not again by the folder walk).
    assert_eq!((net.vnets.len(), net.firewalls.len(), net.route_tables.len()), (1, 1, 1));
    // `values` win over the parameters file; the group is the step's.
    assert_eq!(net.vnets[0].address_space[0].to_string(), "10.0.0.0/16");
    let id = net.vnets[0].id.as_str();
    assert!(id.starts_with("/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub/"), "{id}");
    // With the subscription known, uniqueString(resourceGroup().id) is evaluated.
    assert!(net.vnets[0].id.name().starts_with("vnet-hub-"));
    assert_eq!(net.vnets[0].id.name().len(), "vnet-hub-".len() + 13);
    // The spoke step reads the hub step's firewall.
    assert_eq!(net.route_tables[0].routes[0].next_hop_ip.map(|i| i.to_string()).as_deref(), Some("10.0.1.4"));
    assert!(!l.warnings.iter().any(|w| w.message.contains("not bound to a template")), "{:?}", l.warnings);
}

/// Bodies of resources deployed once are evaluated in place (arm/inplace.rs);
/// a template deployed several times gives every deployment its own
/// evaluation: a nested deployment in a copy loop, a template linked by a
/// computed path (which also runs on its own), a plan naming one template
/// twice.
#[test]
fn a_template_deployed_several_times_is_evaluated_for_each_deployment() {
    let schema = r#""$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0""#;
    let main = format!(
        r#"{{{schema}, "resources": [
      {{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "[concat('copied', copyIndex())]", "copy": {{"name": "d", "count": 2}},
        "properties": {{"mode": "Incremental", "expressionEvaluationOptions": {{"scope": "inner"}},
          "parameters": {{"n": {{"value": "[copyIndex()]"}}}},
          "template": {{{schema}, "parameters": {{"n": {{"type": "int"}}}}, "resources": [
            {{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "[concat('vnet-copy-', string(parameters('n')))]",
              "properties": {{"addressSpace": {{"addressPrefixes": ["[concat('10.', string(add(parameters('n'), 20)), '.0.0/16')]"]}}}}}}]}}}}}},
      {{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "linked",
        "properties": {{"mode": "Incremental", "templateLink": {{"relativePath": "[concat('nested/', 'child.json')]"}},
          "parameters": {{"vnetName": {{"value": "vnet-linked"}}, "prefix": {{"value": "10.8.0.0/16"}}}}}}}}]}}"#
    );
    let child = format!(
        r#"{{{schema}, "parameters": {{"vnetName": {{"type": "string", "defaultValue": "vnet-standalone"}}, "prefix": {{"type": "string", "defaultValue": "10.7.0.0/16"}}}},
      "resources": [{{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "[parameters('vnetName')]",
        "properties": {{"addressSpace": {{"addressPrefixes": ["[parameters('prefix')]"]}}}}}}]}}"#
    );
    let l = load_sources_with(
        &[(Arc::from("t/main.json"), main), (Arc::from("t/nested/child.json"), child)],
        &ArmParams::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut vnets: Vec<(String, String)> =
        l.estate.azure.vnets.iter().map(|v| (v.id.name().to_string(), v.address_space[0].to_string())).collect();
    vnets.sort();
    let want = [
        ("vnet-copy-0", "10.20.0.0/16"),
        ("vnet-copy-1", "10.21.0.0/16"),
        ("vnet-linked", "10.8.0.0/16"),
        ("vnet-standalone", "10.7.0.0/16"),
    ];
    assert_eq!(vnets, want.map(|(n, p)| (n.to_string(), p.to_string())));

    let dir = std::env::temp_dir().join(format!("tusk-plan-twice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spoke = format!(
        r#"{{{schema}, "parameters": {{"prefix": {{"type": "string"}}}},
      "resources": [{{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "[concat('vnet-', resourceGroup().name)]",
        "properties": {{"addressSpace": {{"addressPrefixes": ["[parameters('prefix')]"]}}}}}}]}}"#
    );
    std::fs::write(dir.join("spoke.json"), spoke).unwrap();
    let plan = "apiVersion: tusk.dev/v1alpha1\nkind: TuskConfig\ndeployments:\n  - template: spoke.json\n    values: {prefix: 10.1.0.0/16}\n    resourceGroup: rg-a\n  - template: spoke.json\n    values: {prefix: 10.2.0.0/16}\n    resourceGroup: rg-b\n";
    std::fs::write(dir.join("tusk.yaml"), plan).unwrap();
    let l = load_paths_with(std::slice::from_ref(&dir), &ArmParams::default()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_dir_all(&dir).ok();
    let vnets: Vec<(String, String)> =
        l.estate.azure.vnets.iter().map(|v| (v.id.name().to_string(), v.address_space[0].to_string())).collect();
    assert_eq!(
        vnets,
        [("vnet-rg-a".to_string(), "10.1.0.0/16".to_string()), ("vnet-rg-b".to_string(), "10.2.0.0/16".to_string())]
    );
}

#[test]
fn runtime_values_pin_what_only_azure_decides() {
    let config = "apiVersion: tusk.dev/v1alpha1\nkind: TuskConfig\nruntimeValues:\n  - resource: /providers/Microsoft.Network/azureFirewalls/fw\n    path: properties.ipConfigurations[0].properties.privateIPAddress\n    value: 10.0.1.5\n  - resource: /providers/Microsoft.Network/azureFirewalls/other\n    path: properties.x\n    value: 1\n";
    let l = load_sources_with(
        &[(Arc::from("t.json"), NESTED.into()), (Arc::from("tusk.yaml"), config.into())],
        &ArmParams::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let net = &l.estate.azure;
    assert_eq!(net.firewalls[0].private_ips[0].to_string(), "10.0.1.5");
    assert_eq!(net.route_tables[0].routes[0].next_hop_ip.map(|i| i.to_string()).as_deref(), Some("10.0.1.5"));
    assert!(!l.warnings.iter().any(|w| w.message.contains("dynamic allocation")));
    assert!(
        l.warnings.iter().any(|w| w.message.contains("matches no resource") && w.loc.pos.line == 7),
        "{:?}",
        l.warnings
    );
}

/// Random expressions built from the language's tokens never panic the
/// evaluator: each gives a value, an unknown value, or a located error.
#[test]
fn random_expressions_never_panic() {
    const TOKENS: &[&str] = &[
        "concat(",
        "format(",
        "'{0}'",
        "'a'",
        "1",
        "-3",
        "0",
        ",",
        ")",
        "[",
        "]",
        ".x",
        "parameters('p')",
        "variables('v')",
        "createArray(",
        "createObject(",
        "'k'",
        "if(",
        "true",
        "null",
        "copyIndex()",
        "range(",
        "cidrSubnet(",
        "'10.0.0.0/8'",
        "cidrHost(",
        "substring(",
        "padLeft(",
        "take(",
        "skip(",
        "div(",
        "mod(",
        "lambda('x',",
        "lambdaVariables('x')",
        "map(",
        "filter(",
        "reduce(",
        "sort(",
        "toObject(",
        "json(",
        "'[1,2'",
        "union(",
        "items(",
        "split(",
        "reference('r')",
        "resourceId(",
        "'Microsoft.Network/x'",
        "ns.f(",
        "uniqueString(",
        "guid(",
        "length(",
        "first(",
        "last(",
        "and(",
        "or(",
        "not(",
        "equals(",
        "tryGet(",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..4000 {
        let len = 1 + next(12);
        let mut e = String::new();
        for _ in 0..len {
            e.push_str(TOKENS[next(TOKENS.len())]);
        }
        for _ in 0..e.matches('(').count().saturating_sub(e.matches(')').count()) {
            e.push(')');
        }
        let e = e.replace('"', "'");
        let t = format!(
            r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
              "parameters": {{"p": {{"type": "array", "defaultValue": [1, "a", {{"x": 2}}]}}}},
              "variables": {{"v": {{"x": [3]}}, "e": "[{e}]"}},
              "resources": [{{"type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01", "name": "rt",
                "tags": {{"t": "[variables('e')]"}}, "properties": {{"routes": []}}}}]}}"#
        );
        let _ = load(&t, &ArmParams::default());
    }
}
