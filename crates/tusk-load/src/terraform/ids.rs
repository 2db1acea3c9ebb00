//! ARM ids for resources that a plan creates: Terraform learns a
//! resource's id only when Azure returns it after apply, so before apply
//! tusk builds the id ARM will give it from the arguments that determine it
//! (subscription, resource group, parent and name: "Resource ID format",
//! learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
//! and the resource-id functions' docs). The subscription is the one the
//! plan's known ids name, when they name exactly one, else `unknown`; a name
//! the plan does not know yet is replaced by the resource's address, so
//! the id stays stable and unique. Loading says that ids were synthesised.

use super::build::Tr;

/// The ARM type of an azurerm resource that stands alone in ARM (child
/// resources folded into their parents are not listed).
pub fn arm_type(tf_type: &str) -> Option<&'static str> {
    Some(match tf_type {
        "azurerm_virtual_network" => "Microsoft.Network/virtualNetworks",
        "azurerm_network_security_group" => "Microsoft.Network/networkSecurityGroups",
        "azurerm_application_security_group" => "Microsoft.Network/applicationSecurityGroups",
        "azurerm_route_table" => "Microsoft.Network/routeTables",
        "azurerm_network_interface" => "Microsoft.Network/networkInterfaces",
        "azurerm_firewall" => "Microsoft.Network/azureFirewalls",
        "azurerm_firewall_policy" => "Microsoft.Network/firewallPolicies",
        "azurerm_ip_group" => "Microsoft.Network/ipGroups",
        "azurerm_private_dns_zone" => "Microsoft.Network/privateDnsZones",
        "azurerm_application_gateway" => "Microsoft.Network/applicationGateways",
        "azurerm_bastion_host" => "Microsoft.Network/bastionHosts",
        "azurerm_web_application_firewall_policy" => {
            "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"
        }
        "azurerm_virtual_hub" => "Microsoft.Network/virtualHubs",
        "azurerm_virtual_wan" => "Microsoft.Network/virtualWans",
        "azurerm_subnet_service_endpoint_storage_policy" => "Microsoft.Network/serviceEndpointPolicies",
        "azurerm_private_endpoint" => "Microsoft.Network/privateEndpoints",
        "azurerm_nat_gateway" => "Microsoft.Network/natGateways",
        "azurerm_public_ip" => "Microsoft.Network/publicIPAddresses",
        "azurerm_lb" => "Microsoft.Network/loadBalancers",
        "azurerm_virtual_network_gateway" => "Microsoft.Network/virtualNetworkGateways",
        "azurerm_local_network_gateway" => "Microsoft.Network/localNetworkGateways",
        "azurerm_virtual_network_gateway_connection" => "Microsoft.Network/connections",
        "azurerm_kubernetes_cluster" => "Microsoft.ContainerService/managedClusters",
        "azurerm_linux_virtual_machine" | "azurerm_windows_virtual_machine" | "azurerm_virtual_machine" => {
            "Microsoft.Compute/virtualMachines"
        }
        _ => return None,
    })
}

pub fn synthesise(tr: &Tr, i: usize) -> Option<String> {
    let x = tr.inst(i);
    let r = tr.root(i);
    let name = tr.name(i);
    let under = |parent_arg: &str, parent_type: &str, child: &str| {
        let parent = r.field(parent_arg).str().map(str::to_string).unwrap_or_else(|| format!("unknown-{parent_arg}"));
        format!("{}Microsoft.Network/{parent_type}/{parent}/{child}/{name}", tr.group_prefix(i))
    };
    let in_parent = |parent_arg: &str, child: &str| {
        let p = tr.id(&r, parent_arg)?;
        let p = p.as_str()?.to_string();
        Some(format!("{p}/{child}/{name}"))
    };
    Some(match x.tf_type.as_str() {
        "azurerm_resource_group" => format!("/subscriptions/{}/resourceGroups/{name}", tr.subscription),
        "azurerm_subnet" => under("virtual_network_name", "virtualNetworks", "subnets"),
        "azurerm_virtual_network_peering" => under("virtual_network_name", "virtualNetworks", "virtualNetworkPeerings"),
        "azurerm_network_security_rule" => {
            under("network_security_group_name", "networkSecurityGroups", "securityRules")
        }
        "azurerm_route" => under("route_table_name", "routeTables", "routes"),
        "azurerm_firewall_policy_rule_collection_group" => in_parent("firewall_policy_id", "ruleCollectionGroups")?,
        "azurerm_kubernetes_cluster_node_pool" => in_parent("kubernetes_cluster_id", "agentPools")?,
        "azurerm_lb_backend_address_pool" => in_parent("loadbalancer_id", "backendAddressPools")?,
        "azurerm_lb_rule" => in_parent("loadbalancer_id", "loadBalancingRules")?,
        "azurerm_lb_outbound_rule" => in_parent("loadbalancer_id", "outboundRules")?,
        "azurerm_virtual_hub_connection" => in_parent("virtual_hub_id", "hubVirtualNetworkConnections")?,
        "azurerm_virtual_hub_route_table" => in_parent("virtual_hub_id", "hubRouteTables")?,
        "azurerm_virtual_hub_routing_intent" => in_parent("virtual_hub_id", "routingIntent")?,
        "azurerm_virtual_hub_route_table_route" => in_parent("route_table_id", "routes")?,
        "azurerm_lb_nat_rule" => in_parent("loadbalancer_id", "inboundNatRules")?,
        "azurerm_lb_nat_pool" => in_parent("loadbalancer_id", "inboundNatPools")?,
        "azurerm_private_dns_a_record" => under("zone_name", "privateDnsZones", "A"),
        "azurerm_private_dns_cname_record" => under("zone_name", "privateDnsZones", "CNAME"),
        "azurerm_private_dns_zone_virtual_network_link" => {
            under("private_dns_zone_name", "privateDnsZones", "virtualNetworkLinks")
        }
        "azapi_resource" => super::azapi::id(tr, i)?,
        t => format!("{}{}/{name}", tr.group_prefix(i), arm_type(t)?),
    })
}
