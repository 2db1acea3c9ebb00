#!/usr/bin/env python3
"""Writes the Terraform states of two Virtual WAN estates, as `terraform show
-json` prints them after apply ("JSON Output Format",
developer.hashicorp.com/terraform/internals/json-format), with the azurerm
types of each object (azurerm provider docs: virtual_wan, virtual_hub,
virtual_hub_connection and its routing block, virtual_hub_route_table,
virtual_hub_route_table_route, virtual_hub_routing_intent, firewall with a
virtual_hub block, firewall_policy, firewall_policy_rule_collection_group):

* tests/terraform/vwan/intent.json: the estate of tests/azure/vwan-secured-hub
  (routing intent, Private and Internet policies to the hub's firewall);
* tests/terraform/vwan/tables.json: the estate of
  tests/azure/vwan-static-firewall (a custom hub route table whose static
  routes send private and Internet traffic to the hub's firewall; one route
  inline, one as its own resource).

Run from the repository root: python3 tests/terraform/vwan.py
"""
import json, os

SUB = "00000000-0000-0000-0000-000000000000"
RG = "rg-net"
P = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network"
HUB = f"{P}/virtualHubs/hub1"
FW = f"{P}/azureFirewalls/fw-hub1"


def res(out, type_, name, values):
    out.append({"address": f"{type_}.{name}", "mode": "managed", "type": type_, "name": name,
                "provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0,
                "values": values, "sensitive_values": {}})


def common(out, firewall=True):
    res(out, "azurerm_virtual_wan", "vwan", {"id": f"{P}/virtualWans/vwan", "name": "vwan", "resource_group_name": RG,
                                             "type": "Standard", "allow_branch_to_branch_traffic": True})
    res(out, "azurerm_virtual_hub", "hub1", {"id": HUB, "name": "hub1", "resource_group_name": RG, "sku": "Standard",
                                             "address_prefix": "10.100.0.0/23", "virtual_wan_id": f"{P}/virtualWans/vwan"})
    for n, space, ip in [("spoke1", "10.1.0.0/16", "10.1.1.4"), ("spoke2", "10.2.0.0/16", "10.2.1.4")]:
        res(out, "azurerm_virtual_network", n, {"id": f"{P}/virtualNetworks/{n}", "name": n, "resource_group_name": RG,
                                                "address_space": [space], "subnet": []})
        res(out, "azurerm_subnet", f"{n}_workload", {"id": f"{P}/virtualNetworks/{n}/subnets/workload", "name": "workload",
                                                     "resource_group_name": RG, "virtual_network_name": n,
                                                     "address_prefixes": [space.replace("0.0/16", "1.0/24")]})
        nic = f"{P}/networkInterfaces/{n}-vm-nic"
        res(out, "azurerm_network_interface", f"{n}_vm", {
            "id": nic, "name": f"{n}-vm-nic", "resource_group_name": RG, "ip_forwarding_enabled": False,
            "ip_configuration": [{"name": "ipconfig1", "subnet_id": f"{P}/virtualNetworks/{n}/subnets/workload",
                                  "private_ip_address": ip, "private_ip_address_allocation": "Static",
                                  "public_ip_address_id": None, "primary": True}]})
        vid = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute/virtualMachines/{n}-vm"
        res(out, "azurerm_linux_virtual_machine", f"{n}_vm", {"id": vid, "name": f"{n}-vm", "resource_group_name": RG,
                                                             "size": "Standard_B2s", "network_interface_ids": [nic]})
    if firewall:
        res(out, "azurerm_firewall_policy", "hub", {"id": f"{P}/firewallPolicies/fw-policy", "name": "fw-policy",
                                                    "resource_group_name": RG, "base_policy_id": None,
                                                    "private_ip_ranges": None, "sku": "Standard"})
        res(out, "azurerm_firewall", "hub", {
            "id": FW, "name": "fw-hub1", "resource_group_name": RG, "sku_name": "AZFW_Hub", "sku_tier": "Standard",
            "firewall_policy_id": f"{P}/firewallPolicies/fw-policy", "ip_configuration": [], "private_ip_ranges": None,
            "virtual_hub": [{"virtual_hub_id": HUB, "public_ip_count": 1, "private_ip_address": "10.100.0.132",
                             "public_ip_addresses": ["20.50.0.1"]}]})

        def rule(name, src, dst):
            return {"name": name, "description": None, "source_addresses": src, "source_ip_groups": [],
                    "destination_addresses": dst, "destination_ip_groups": [], "destination_fqdns": [],
                    "destination_ports": ["443"], "protocols": ["TCP"]}

        res(out, "azurerm_firewall_policy_rule_collection_group", "vwan", {
            "id": f"{P}/firewallPolicies/fw-policy/ruleCollectionGroups/rcg-vwan", "name": "rcg-vwan",
            "firewall_policy_id": f"{P}/firewallPolicies/fw-policy", "priority": 200,
            "application_rule_collection": [], "nat_rule_collection": [],
            "network_rule_collection": [{"name": "allow-spokes", "priority": 200, "action": "Allow", "rule": [
                rule("spoke1-to-spoke2-https", ["10.1.0.0/16"], ["10.2.0.0/16"]),
                rule("spoke2-to-spoke1-https", ["10.2.0.0/16"], ["10.1.0.0/16"]),
                rule("spokes-to-internet-https", ["10.1.0.0/16", "10.2.0.0/16"], ["*"])]}]})


def connection(out, n, routing):
    res(out, "azurerm_virtual_hub_connection", f"conn_{n}", {
        "id": f"{HUB}/hubVirtualNetworkConnections/conn-{n}", "name": f"conn-{n}", "virtual_hub_id": HUB,
        "remote_virtual_network_id": f"{P}/virtualNetworks/{n}", "internet_security_enabled": True,
        "routing": [routing]})


def table_id(name):
    return f"{HUB}/hubRouteTables/{name}"


def intent():
    out = []
    common(out)
    # After apply with routing intent, the provider reads back the routing
    # Virtual WAN manages: associated to defaultRouteTable, propagating to
    # noneRouteTable (how-to-routing-policies, "Rollback strategy").
    routing = {"associated_route_table_id": table_id("defaultRouteTable"),
               "propagated_route_table": [{"labels": ["none"], "route_table_ids": [table_id("noneRouteTable")]}],
               "static_vnet_route": [], "static_vnet_propagate_static_routes_enabled": True}
    for n in ("spoke1", "spoke2"):
        connection(out, n, routing)
    res(out, "azurerm_virtual_hub_routing_intent", "hub1", {
        "id": f"{HUB}/routingIntent/intent", "name": "intent", "virtual_hub_id": HUB,
        "routing_policy": [{"name": "PrivateTrafficPolicy", "destinations": ["PrivateTraffic"], "next_hop": FW},
                           {"name": "InternetTrafficPolicy", "destinations": ["Internet"], "next_hop": FW}]})
    return out


def tables():
    out = []
    common(out)
    res(out, "azurerm_virtual_hub_route_table", "default", {"id": table_id("defaultRouteTable"), "name": "defaultRouteTable",
                                                            "virtual_hub_id": HUB, "labels": ["default"], "route": []})
    res(out, "azurerm_virtual_hub_route_table", "vnet", {
        "id": table_id("RT_VNET"), "name": "RT_VNET", "virtual_hub_id": HUB, "labels": ["vnets"],
        "route": [{"name": "private", "destinations": ["10.0.0.0/8"], "destinations_type": "CIDR",
                   "next_hop": FW, "next_hop_type": "ResourceId"}]})
    res(out, "azurerm_virtual_hub_route_table_route", "internet", {
        "id": f"{table_id('RT_VNET')}/routes/internet", "name": "internet", "route_table_id": table_id("RT_VNET"),
        "destinations": ["0.0.0.0/0"], "destinations_type": "CIDR", "next_hop": FW, "next_hop_type": "ResourceId"})
    routing = {"associated_route_table_id": table_id("RT_VNET"),
               "propagated_route_table": [{"labels": ["default"], "route_table_ids": [table_id("defaultRouteTable")]}],
               "static_vnet_route": [], "static_vnet_propagate_static_routes_enabled": True}
    for n in ("spoke1", "spoke2"):
        connection(out, n, routing)
    return out


os.makedirs("tests/terraform/vwan", exist_ok=True)
for fname, rs in [("intent.json", intent()), ("tables.json", tables())]:
    state = {"format_version": "1.0", "terraform_version": "1.9.8", "values": {"root_module": {"resources": rs}}}
    with open(f"tests/terraform/vwan/{fname}", "w") as f:
        json.dump(state, f, indent=2)
        f.write("\n")
