#!/usr/bin/env python3
"""Writes tests/azure/bastion-internet/input/: the Internet leg of Azure
Bastion (issue 10). Microsoft Learn, "Configure NSG rules for Azure
Bastion" (bastion/bastion-nsg): clients reach a Bastion's public IP on TCP
443, from the Internet or from the public addresses the NSG names; an NSG
on AzureBastionSubnet must hold the table's rules, or Azure refuses it
(NetworkSecurityGroupNotCompliantForAzureBastionSubnet).

* hub 10.0.0.0/16: bas-hub (Basic, public IP 20.60.0.10) in
  AzureBastionSubnet 10.0.0.0/26, whose NSG nsg-bastion-hub lacks
  AllowGatewayManagerInbound (and has the other rules);
* spoke 10.1.0.0/16: bas-spoke (Standard, public IP 20.60.0.11) in
  AzureBastionSubnet 10.1.0.0/26, whose NSG nsg-bastion-spoke has every
  required rule, HTTPS only from the clients' range 198.51.100.0/24;
* a service tags file giving GatewayManager and AzureCloud (documentation
  ranges), so that a client outside them is told apart.

Run it from the repository root; expect.json is written by hand.
"""
import json

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network"


def rule(name, prio, direction, proto, src, dst, ports):
    p = {"priority": prio, "direction": direction, "access": "Allow", "protocol": proto,
         "sourceAddressPrefix": src, "sourcePortRange": "*", "destinationAddressPrefix": dst}
    if len(ports) == 1:
        p["destinationPortRange"] = ports[0]
    else:
        p["destinationPortRanges"] = ports
    return {"name": name, "properties": p}


def required(clients="Internet", gateway_manager=True):
    rules = [rule("AllowHttpsInbound", 120, "Inbound", "Tcp", clients, "*", ["443"])]
    if gateway_manager:
        rules.append(rule("AllowGatewayManagerInbound", 130, "Inbound", "Tcp", "GatewayManager", "*", ["443"]))
    rules += [
        rule("AllowAzureLoadBalancerInbound", 140, "Inbound", "Tcp", "AzureLoadBalancer", "*", ["443"]),
        rule("AllowBastionHostCommunication", 150, "Inbound", "*", "VirtualNetwork", "VirtualNetwork", ["8080", "5701"]),
        rule("AllowSshRdpOutbound", 100, "Outbound", "*", "*", "VirtualNetwork", ["22", "3389"]),
        rule("AllowAzureCloudOutbound", 110, "Outbound", "Tcp", "*", "AzureCloud", ["443"]),
        rule("AllowBastionCommunication", 120, "Outbound", "*", "VirtualNetwork", "VirtualNetwork", ["8080", "5701"]),
        rule("AllowHttpOutbound", 130, "Outbound", "*", "*", "Internet", ["80"]),
    ]
    return rules


def nsg(name, rules):
    return {"name": name, "id": f"{SUB}/networkSecurityGroups/{name}", "type": "Microsoft.Network/networkSecurityGroups",
            "properties": {"securityRules": rules}}


def vnet(name, space, nsg_name):
    sid = f"{SUB}/virtualNetworks/{name}/subnets/AzureBastionSubnet"
    return {"name": name, "id": f"{SUB}/virtualNetworks/{name}", "type": "Microsoft.Network/virtualNetworks",
            "properties": {"addressSpace": {"addressPrefixes": [space]}, "subnets": [
                {"name": "AzureBastionSubnet", "id": sid, "properties": {
                    "addressPrefix": space.replace("0.0/16", "0.0/26"),
                    "networkSecurityGroup": {"id": f"{SUB}/networkSecurityGroups/{nsg_name}"}}}]}}


def pip(name, ip):
    return {"name": name, "id": f"{SUB}/publicIPAddresses/{name}", "type": "Microsoft.Network/publicIPAddresses",
            "properties": {"ipAddress": ip, "publicIPAllocationMethod": "Static"}}


def bastion(name, sku, vnet_name, pip_name):
    return {"name": name, "id": f"{SUB}/bastionHosts/{name}", "type": "Microsoft.Network/bastionHosts",
            "sku": {"name": sku}, "properties": {"ipConfigurations": [{"name": "IpConf", "properties": {
                "subnet": {"id": f"{SUB}/virtualNetworks/{vnet_name}/subnets/AzureBastionSubnet"},
                "publicIPAddress": {"id": f"{SUB}/publicIPAddresses/{pip_name}"}}}]}}


def tag(name, prefixes):
    return {"name": name, "id": name, "properties": {"changeNumber": 1, "region": "", "regionId": 0, "platform": "Azure",
                                                      "systemService": name, "addressPrefixes": prefixes,
                                                      "networkFeatures": ["API", "NSG", "UDR", "FW"]}}


network = {"value": [
    nsg("nsg-bastion-hub", required(gateway_manager=False)),
    nsg("nsg-bastion-spoke", required(clients="198.51.100.0/24")),
    vnet("hub", "10.0.0.0/16", "nsg-bastion-hub"),
    vnet("spoke", "10.1.0.0/16", "nsg-bastion-spoke"),
    pip("pip-bas-hub", "20.60.0.10"),
    pip("pip-bas-spoke", "20.60.0.11"),
    bastion("bas-hub", "Basic", "hub", "pip-bas-hub"),
    bastion("bas-spoke", "Standard", "spoke", "pip-bas-spoke"),
]}
tags = {"changeNumber": 1, "cloud": "Public", "values": [
    tag("GatewayManager", ["192.0.2.0/24"]),
    tag("AzureCloud", ["20.0.0.0/8", "192.0.2.0/24"]),
]}
for path, doc in [("network.json", network), ("ServiceTags_Public_20261201.json", tags)]:
    with open(f"tests/azure/bastion-internet/input/{path}", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
