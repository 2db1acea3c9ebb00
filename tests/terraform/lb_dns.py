#!/usr/bin/env python3
"""Writes tests/terraform/lb-dns/state.json: the estate of
tests/azure/lb-outbound (a public Standard load balancer with an outbound
rule, a SNAT load-balancing rule and a rule with disableOutboundSnat, a NAT
gateway subnet, an instance-level public IP, and a private DNS zone with an
A record linked to the VNet) as the state `terraform show -json` prints
after apply ("JSON Output Format",
developer.hashicorp.com/terraform/internals/json-format), with the azurerm
resource types of each object (azurerm provider docs: lb, lb_backend_address_pool,
lb_rule, lb_outbound_rule, network_interface_backend_address_pool_association,
nat_gateway, nat_gateway_public_ip_association, subnet_nat_gateway_association,
private_dns_zone, private_dns_a_record, private_dns_zone_virtual_network_link).

Run it from the repository root: python3 tests/terraform/lb_dns.py
"""
import json

SUB = "00000000-0000-0000-0000-000000000000"
RG = "rg-app"
P = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network"
LB = f"{P}/loadBalancers/lb-pub"
ZONE = "privatelink.example.internal"

resources = []


def res(type_, name, values):
    resources.append({"address": f"{type_}.{name}", "mode": "managed", "type": type_, "name": name,
                      "provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0,
                      "values": values, "sensitive_values": {}})


res("azurerm_virtual_network", "app", {"id": f"{P}/virtualNetworks/app", "name": "app", "resource_group_name": RG,
                                       "location": "westeurope", "address_space": ["10.1.0.0/16"], "subnet": []})
for name, prefix in [("web", "10.1.1.0/24"), ("natsub", "10.1.2.0/24")]:
    res("azurerm_subnet", name, {"id": f"{P}/virtualNetworks/app/subnets/{name}", "name": name, "resource_group_name": RG,
                                 "virtual_network_name": "app", "address_prefixes": [prefix]})
for name, addr in [("pip-out", "20.10.0.1"), ("pip-web", "20.10.0.2"), ("pip-api", "20.10.0.3"),
                   ("pip-vm4", "20.10.0.4"), ("pip-nat", "20.10.0.5")]:
    res("azurerm_public_ip", name.replace("-", "_"), {"id": f"{P}/publicIPAddresses/{name}", "name": name,
                                                     "resource_group_name": RG, "location": "westeurope",
                                                     "allocation_method": "Static", "sku": "Standard",
                                                     "ip_address": addr})
res("azurerm_nat_gateway", "natgw", {"id": f"{P}/natGateways/natgw", "name": "natgw", "resource_group_name": RG,
                                     "location": "westeurope", "sku_name": "Standard"})
res("azurerm_nat_gateway_public_ip_association", "natgw", {"id": f"{P}/natGateways/natgw|{P}/publicIPAddresses/pip-nat",
                                                           "nat_gateway_id": f"{P}/natGateways/natgw",
                                                           "public_ip_address_id": f"{P}/publicIPAddresses/pip-nat"})
res("azurerm_subnet_nat_gateway_association", "natsub", {"id": f"{P}/virtualNetworks/app/subnets/natsub",
                                                          "subnet_id": f"{P}/virtualNetworks/app/subnets/natsub",
                                                          "nat_gateway_id": f"{P}/natGateways/natgw"})
res("azurerm_lb", "pub", {"id": LB, "name": "lb-pub", "resource_group_name": RG, "location": "westeurope", "sku": "Standard",
                          "frontend_ip_configuration": [
                              {"name": n, "public_ip_address_id": f"{P}/publicIPAddresses/{p}", "private_ip_address": "",
                               "subnet_id": ""}
                              for n, p in [("fe-out", "pip-out"), ("fe-web", "pip-web"), ("fe-api", "pip-api")]]})
for pool in ["be-out", "be-web", "be-api"]:
    res("azurerm_lb_backend_address_pool", pool.replace("-", "_"), {"id": f"{LB}/backendAddressPools/{pool}", "name": pool,
                                                                    "loadbalancer_id": LB})
for name, fe, pool, port, no_snat in [("web", "fe-web", "be-web", 80, False), ("api", "fe-api", "be-api", 443, True)]:
    res("azurerm_lb_rule", name, {"id": f"{LB}/loadBalancingRules/{name}", "name": name, "loadbalancer_id": LB,
                                  "frontend_ip_configuration_name": fe, "protocol": "Tcp", "frontend_port": port,
                                  "backend_port": port, "backend_address_pool_ids": [f"{LB}/backendAddressPools/{pool}"],
                                  "disable_outbound_snat": no_snat, "floating_ip_enabled": False})
res("azurerm_lb_outbound_rule", "egress", {"id": f"{LB}/outboundRules/egress", "name": "egress", "loadbalancer_id": LB,
                                           "protocol": "All", "allocated_outbound_ports": 1024,
                                           "backend_address_pool_id": f"{LB}/backendAddressPools/be-out",
                                           "frontend_ip_configuration": [{"name": "fe-out", "id": f"{LB}/frontendIPConfigurations/fe-out"}]})
for name, ip, subnet, pools, pip in [("vm1-nic", "10.1.1.4", "web", ["be-out", "be-web"], None),
                                     ("vm2-nic", "10.1.1.5", "web", ["be-web"], None),
                                     ("vm3-nic", "10.1.1.6", "web", ["be-api"], None),
                                     ("vm4-nic", "10.1.1.7", "web", ["be-out"], "pip-vm4"),
                                     ("vm5-nic", "10.1.2.4", "natsub", ["be-out"], None),
                                     ("vm6-nic", "10.1.1.8", "web", [], None)]:
    key = name.replace("-", "_")
    res("azurerm_network_interface", key, {"id": f"{P}/networkInterfaces/{name}", "name": name, "resource_group_name": RG,
                                           "location": "westeurope", "ip_forwarding_enabled": False,
                                           "ip_configuration": [{"name": "ipconfig1", "subnet_id": f"{P}/virtualNetworks/app/subnets/{subnet}",
                                                                 "private_ip_address": ip, "private_ip_address_allocation": "Static",
                                                                 "public_ip_address_id": f"{P}/publicIPAddresses/{pip}" if pip else None,
                                                                 "primary": True}]})
    for pool in pools:
        res("azurerm_network_interface_backend_address_pool_association", f"{key}_{pool.replace('-', '_')}",
            {"id": f"{P}/networkInterfaces/{name}/ipConfigurations/ipconfig1|{LB}/backendAddressPools/{pool}",
             "network_interface_id": f"{P}/networkInterfaces/{name}", "ip_configuration_name": "ipconfig1",
             "backend_address_pool_id": f"{LB}/backendAddressPools/{pool}"})
res("azurerm_private_dns_zone", "internal", {"id": f"{P}/privateDnsZones/{ZONE}", "name": ZONE, "resource_group_name": RG})
res("azurerm_private_dns_a_record", "vm2", {"id": f"{P}/privateDnsZones/{ZONE}/A/vm2", "name": "vm2", "zone_name": ZONE,
                                            "resource_group_name": RG, "ttl": 300, "records": ["10.1.1.5"]})
res("azurerm_private_dns_zone_virtual_network_link", "app", {"id": f"{P}/privateDnsZones/{ZONE}/virtualNetworkLinks/app-link",
                                                              "name": "app-link", "private_dns_zone_name": ZONE,
                                                              "resource_group_name": RG, "registration_enabled": False,
                                                              "virtual_network_id": f"{P}/virtualNetworks/app"})
state = {"format_version": "1.0", "terraform_version": "1.9.8", "values": {"root_module": {"resources": resources}}}
with open("tests/terraform/lb-dns/state.json", "w") as f:
    json.dump(state, f, indent=2)
    f.write("\n")
