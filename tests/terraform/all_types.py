"""The all-types plan: every azurerm type tusk reads that the hub & spoke
plans do not use, an azapi_resource with an object body and one with a JSON
string body (AzAPI before 2.0), and one type tusk skips. Imported by
make_plans.py."""
import json


def doc(Res, plan, configuration, P, RG, ref, const):
    rs = []

    def add(t, n, values, config, unknown=("id",), new=False):
        r = Res("", t, n, values, config, unknown_when_new=unknown)
        r.new = new
        rs.append(r)

    add("azurerm_virtual_network", "legacy", {
        "id": f"{P}/virtualNetworks/legacy", "name": "legacy", "resource_group_name": RG, "address_space": ["10.9.0.0/16"],
        "subnet": [{"id": f"{P}/virtualNetworks/legacy/subnets/app", "name": "app", "address_prefix": "10.9.1.0/24",
                    "security_group": f"{P}/networkSecurityGroups/nsg-app"},
                   {"id": f"{P}/virtualNetworks/legacy/subnets/AzureFirewallSubnet", "name": "AzureFirewallSubnet",
                    "address_prefix": "10.9.0.0/26", "security_group": ""},
                   {"id": f"{P}/virtualNetworks/legacy/subnets/GatewaySubnet", "name": "GatewaySubnet",
                    "address_prefix": "10.9.3.0/27", "security_group": ""}]}, {})
    # The NSG's and the route table's inline lists are computed too: they
    # show the rule and route that standalone resources manage.
    add("azurerm_network_security_group", "app", {"id": f"{P}/networkSecurityGroups/nsg-app", "name": "nsg-app",
                                                  "resource_group_name": RG, "security_rule": [{
        "name": "deny-ssh", "priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp",
        "source_port_range": "*", "destination_port_range": "22", "source_address_prefix": "*", "destination_address_prefix": "*",
        "destination_address_prefixes": [], "source_address_prefixes": [], "source_port_ranges": [], "destination_port_ranges": [],
        "source_application_security_group_ids": [], "destination_application_security_group_ids": [], "description": ""}]}, {})
    add("azurerm_network_security_rule", "deny_ssh", {
        "id": f"{P}/networkSecurityGroups/nsg-app/securityRules/deny-ssh", "name": "deny-ssh", "resource_group_name": RG,
        "network_security_group_name": "nsg-app", "priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp",
        "source_port_range": "*", "destination_port_range": "22", "source_address_prefix": "*", "destination_address_prefix": "",
        "destination_address_prefixes": [], "source_address_prefixes": [], "source_port_ranges": [], "destination_port_ranges": [],
        "source_application_security_group_ids": [], "destination_application_security_group_ids": []},
        {"network_security_group_name": ref("azurerm_network_security_group.app.name", "azurerm_network_security_group.app"),
         "destination_application_security_group_ids": ref("azurerm_application_security_group.web.id", "azurerm_application_security_group.web")},
        unknown=("id", "destination_application_security_group_ids"), new=True)
    add("azurerm_application_security_group", "web", {"id": f"{P}/applicationSecurityGroups/asg-web", "name": "asg-web",
                                                      "resource_group_name": RG}, {}, new=True)
    add("azurerm_route_table", "app", {"id": f"{P}/routeTables/rt-app", "name": "rt-app", "resource_group_name": RG,
                                       "disable_bgp_route_propagation": True,
                                       "route": [{"name": "onprem", "address_prefix": "192.168.0.0/16",
                                                  "next_hop_type": "VirtualNetworkGateway", "next_hop_in_ip_address": ""}]}, {})
    # A new route table whose routes are all standalone: its computed
    # `route` is unknown in the plan.
    add("azurerm_route_table", "new", {"id": f"{P}/routeTables/rt-new", "name": "rt-new", "resource_group_name": RG,
                                       "bgp_route_propagation_enabled": True, "route": []}, {}, unknown=("id", "route"), new=True)
    add("azurerm_route", "new_default", {"id": f"{P}/routeTables/rt-new/routes/default", "name": "default",
                                         "resource_group_name": RG, "route_table_name": "rt-new", "address_prefix": "0.0.0.0/0",
                                         "next_hop_type": "Internet", "next_hop_in_ip_address": None}, {},
                                         unknown=("id",), new=True)
    add("azurerm_route", "onprem", {"id": f"{P}/routeTables/rt-app/routes/onprem", "name": "onprem", "resource_group_name": RG,
                                    "route_table_name": "rt-app", "address_prefix": "192.168.0.0/16",
                                    "next_hop_type": "VirtualNetworkGateway", "next_hop_in_ip_address": None}, {})
    add("azurerm_subnet_route_table_association", "app", {"id": f"{P}/virtualNetworks/legacy/subnets/app",
                                                          "subnet_id": f"{P}/virtualNetworks/legacy/subnets/app",
                                                          "route_table_id": f"{P}/routeTables/rt-app"}, {})
    add("azurerm_network_interface", "web", {
        "id": f"{P}/networkInterfaces/web-nic", "name": "web-nic", "resource_group_name": RG, "enable_ip_forwarding": False,
        "ip_configuration": [{"name": "ipconfig1", "private_ip_address": "10.9.1.10", "private_ip_address_allocation": "Dynamic",
                              "subnet_id": f"{P}/virtualNetworks/legacy/subnets/app", "public_ip_address_id": None, "primary": True}]},
        {}, unknown=("id", "ip_configuration.0.private_ip_address"), new=True)
    add("azurerm_network_interface_security_group_association", "web", {
        "id": "tf-assoc-1", "network_interface_id": f"{P}/networkInterfaces/web-nic",
        "network_security_group_id": f"{P}/networkSecurityGroups/nsg-app"},
        {"network_interface_id": ref("azurerm_network_interface.web.id", "azurerm_network_interface.web")},
        unknown=("id", "network_interface_id"), new=True)
    add("azurerm_network_interface_application_security_group_association", "web", {
        "id": "tf-assoc-2", "network_interface_id": f"{P}/networkInterfaces/web-nic",
        "application_security_group_id": f"{P}/applicationSecurityGroups/asg-web"},
        {"network_interface_id": ref("azurerm_network_interface.web.id", "azurerm_network_interface.web"),
         "application_security_group_id": ref("azurerm_application_security_group.web.id", "azurerm_application_security_group.web")},
        unknown=("id", "network_interface_id", "application_security_group_id"), new=True)
    add("azurerm_firewall", "classic", {
        "id": f"{P}/azureFirewalls/fw-classic", "name": "fw-classic", "resource_group_name": RG, "sku_name": "AZFW_VNet",
        "sku_tier": "Standard", "firewall_policy_id": None, "private_ip_ranges": ["IANAPrivateRanges", "100.70.0.0/16"],
        "ip_configuration": [{"name": "ipconfig", "subnet_id": f"{P}/virtualNetworks/legacy/subnets/AzureFirewallSubnet",
                              "public_ip_address_id": None, "private_ip_address": "10.9.0.4"}]}, {})
    add("azurerm_firewall_network_rule_collection", "classic", {
        "id": f"{P}/azureFirewalls/fw-classic/networkRuleCollections/dns", "name": "dns", "azure_firewall_name": "fw-classic",
        "resource_group_name": RG, "priority": 100, "action": "Allow",
        "rule": [{"name": "dns", "description": "", "source_addresses": ["10.9.0.0/16"], "source_ip_groups": [],
                  "destination_addresses": [], "destination_ip_groups": [f"{P}/ipGroups/ipg-dns"], "destination_fqdns": [],
                  "destination_ports": ["53"], "protocols": ["UDP"]}]}, {})
    add("azurerm_firewall_application_rule_collection", "classic", {
        "id": f"{P}/azureFirewalls/fw-classic/applicationRuleCollections/web", "name": "web", "azure_firewall_name": "fw-classic",
        "resource_group_name": RG, "priority": 200, "action": "Allow",
        "rule": [{"name": "github", "description": "", "source_addresses": ["10.9.1.0/24"], "source_ip_groups": [],
                  "target_fqdns": ["github.com"], "fqdn_tags": [], "protocol": [{"port": 443, "type": "Https"}]}]}, {})
    add("azurerm_firewall_nat_rule_collection", "classic", {
        "id": f"{P}/azureFirewalls/fw-classic/natRuleCollections/in", "name": "in", "azure_firewall_name": "fw-classic",
        "resource_group_name": RG, "priority": 300, "action": "Dnat",
        "rule": [{"name": "web-in", "description": "", "source_addresses": ["*"], "source_ip_groups": [],
                  "destination_addresses": ["20.1.2.3"], "destination_ports": ["443"], "protocols": ["TCP"],
                  "translated_address": "10.9.1.100", "translated_port": "443"}]}, {})
    add("azurerm_ip_group", "dns", {"id": f"{P}/ipGroups/ipg-dns", "name": "ipg-dns", "resource_group_name": RG,
                                    "cidrs": ["10.9.2.4", "10.9.2.5"]}, {})
    add("azurerm_private_endpoint", "kv", {
        "id": f"{P}/privateEndpoints/pe-kv", "name": "pe-kv", "resource_group_name": RG,
        "subnet_id": f"{P}/virtualNetworks/legacy/subnets/app", "ip_configuration": [],
        "private_service_connection": [{"name": "kv", "is_manual_connection": False, "private_ip_address": "10.9.1.20"}],
        "custom_dns_configs": []}, {}, unknown=("id", "private_service_connection.0.private_ip_address", "custom_dns_configs"), new=True)
    add("azurerm_nat_gateway", "out", {"id": f"{P}/natGateways/nat-out", "name": "nat-out", "resource_group_name": RG}, {})
    add("azurerm_public_ip", "nat", {"id": f"{P}/publicIPAddresses/pip-nat", "name": "pip-nat", "resource_group_name": RG,
                                     "allocation_method": "Static", "ip_address": "20.1.2.3"}, {}, unknown=("id", "ip_address"), new=True)
    add("azurerm_nat_gateway_public_ip_association", "out", {
        "id": "tf-assoc-3", "nat_gateway_id": f"{P}/natGateways/nat-out", "public_ip_address_id": f"{P}/publicIPAddresses/pip-nat"},
        {"public_ip_address_id": ref("azurerm_public_ip.nat.id", "azurerm_public_ip.nat")},
        unknown=("id", "public_ip_address_id"), new=True)
    add("azurerm_subnet_nat_gateway_association", "app", {
        "id": f"{P}/virtualNetworks/legacy/subnets/app", "subnet_id": f"{P}/virtualNetworks/legacy/subnets/app",
        "nat_gateway_id": f"{P}/natGateways/nat-out"}, {})
    add("azurerm_lb", "int", {
        "id": f"{P}/loadBalancers/lb-int", "name": "lb-int", "resource_group_name": RG, "sku": "Standard",
        "frontend_ip_configuration": [{"name": "fe", "private_ip_address": "10.9.1.100", "private_ip_address_allocation": "Static",
                                       "subnet_id": f"{P}/virtualNetworks/legacy/subnets/app", "public_ip_address_id": ""}]}, {})
    add("azurerm_lb_backend_address_pool", "web", {"id": f"{P}/loadBalancers/lb-int/backendAddressPools/web", "name": "web",
                                                   "loadbalancer_id": f"{P}/loadBalancers/lb-int"}, {})
    add("azurerm_lb_rule", "https", {
        "id": f"{P}/loadBalancers/lb-int/loadBalancingRules/https", "name": "https", "loadbalancer_id": f"{P}/loadBalancers/lb-int",
        "frontend_ip_configuration_name": "fe", "protocol": "Tcp", "frontend_port": 443, "backend_port": 8443,
        "backend_address_pool_ids": [f"{P}/loadBalancers/lb-int/backendAddressPools/web"]}, {})
    add("azurerm_virtual_network_gateway", "vpn", {
        "id": f"{P}/virtualNetworkGateways/vgw", "name": "vgw", "resource_group_name": RG, "type": "Vpn", "vpn_type": "RouteBased",
        "sku": "VpnGw1", "ip_configuration": [{"name": "vnetGatewayConfig", "private_ip_address_allocation": "Dynamic",
                                               "subnet_id": f"{P}/virtualNetworks/legacy/subnets/GatewaySubnet",
                                               "public_ip_address_id": f"{P}/publicIPAddresses/pip-nat"}]}, {})
    add("azurerm_local_network_gateway", "onprem", {"id": f"{P}/localNetworkGateways/lgw-onprem", "name": "lgw-onprem",
                                                    "resource_group_name": RG, "gateway_address": "203.0.113.1",
                                                    "address_space": ["192.168.0.0/16"]}, {})
    add("azurerm_virtual_network_gateway_connection", "onprem", {
        "id": f"{P}/connections/cn-onprem", "name": "cn-onprem", "resource_group_name": RG, "type": "IPsec",
        "virtual_network_gateway_id": f"{P}/virtualNetworkGateways/vgw",
        "local_network_gateway_id": f"{P}/localNetworkGateways/lgw-onprem"}, {})
    rg_id = P.split("/providers/")[0]
    r = Res("", "azapi_resource", "edge", {
        "id": None, "name": "edge", "type": "Microsoft.Network/virtualNetworks@2024-05-01", "parent_id": rg_id,
        "body": {"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.20.0.0/16"]}}}},
        {"name": const("edge"), "parent_id": const(rg_id)}, unknown_when_new=("id",))
    r.new = True
    rs.append(r)
    r = Res("", "azapi_resource", "edge_subnet", {
        "id": None, "name": "web", "type": "Microsoft.Network/virtualNetworks/subnets@2021-02-01",
        "parent_id": f"{P}/virtualNetworks/edge",
        "body": json.dumps({"properties": {"addressPrefix": "10.20.1.0/24"}})},
        {"name": const("web"), "parent_id": ref("azapi_resource.edge.id", "azapi_resource.edge")},
        unknown_when_new=("id", "parent_id"))
    r.new = True
    rs.append(r)
    add("azurerm_key_vault", "kv", {"id": "kv-id", "name": "kv"}, {})
    return plan(rs, {})
