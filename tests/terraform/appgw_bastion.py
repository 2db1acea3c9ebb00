#!/usr/bin/env python3
"""Writes two Terraform plans (`terraform show -json PLANFILE`, "JSON Output
Format", developer.hashicorp.com/terraform/internals/json-format) of estates
the ARM cases already hold, so that a test can ask both for the same traces:

* appgw/plan.json    tests/azure/appgw-listeners: an application gateway
                     (WAF_v2) with listeners, routing rules, a URL path map,
                     backend pools and settings, private and public
                     frontends, an inline WAF and a WAF policy
                     (azurerm_application_gateway,
                     azurerm_web_application_firewall_policy);
* appgw-nic-pool/plan.json  tests/azure/appgw-nic-pool (which this script
                     also writes from appgw-listeners): the same gateway
                     whose pools' members are NICs, by
                     azurerm_network_interface_application_gateway_backend_address_pool_association;
* bastion/plan.json  tests/azure/bastion-sessions: two Bastion hosts, Basic
                     and Standard with IP-based connection and the native
                     client (azurerm_bastion_host).

Each resource of the ARM input becomes the azurerm resource the provider
docs give for it (virtual_network with subnet blocks, network_security_group
with security_rule blocks, network_interface, public_ip, ...), with the
values Terraform records once the estate exists; every change is a no-op
(the estate is deployed), so nothing is unknown.

Run it from the repository root: python3 tests/terraform/appgw_bastion.py
"""
import json
import os

PROVIDER = "registry.terraform.io/hashicorp/azurerm"


def last(ref):
    return ref["id"].rsplit("/", 1)[1]


def props(r):
    return r.get("properties", {})


def rg(id_):
    return id_.split("/resourceGroups/")[1].split("/")[0]


def nsg(r):
    rules = []
    for x in props(r)["securityRules"]:
        p = x["properties"]
        ports = p.get("destinationPortRanges", [])
        rules.append({"name": x["name"], "priority": p["priority"], "direction": p["direction"], "access": p["access"],
                      "protocol": p["protocol"], "source_port_range": p["sourcePortRange"], "source_port_ranges": [],
                      "destination_port_range": p.get("destinationPortRange", ""), "destination_port_ranges": ports,
                      "source_address_prefix": p["sourceAddressPrefix"], "source_address_prefixes": [],
                      "destination_address_prefix": p["destinationAddressPrefix"], "destination_address_prefixes": [],
                      "source_application_security_group_ids": [], "destination_application_security_group_ids": [],
                      "description": ""})
    return [("azurerm_network_security_group", r["name"], {"id": r["id"], "name": r["name"], "resource_group_name": rg(r["id"]),
                                                           "location": "westeurope", "security_rule": rules})]


def vnet(r):
    p = props(r)
    out = [("azurerm_virtual_network", r["name"], {"id": r["id"], "name": r["name"], "resource_group_name": rg(r["id"]),
                                                   "location": "westeurope", "address_space": p["addressSpace"]["addressPrefixes"],
                                                   "subnet": []})]
    for s in p["subnets"]:
        sid = f"{r['id']}/subnets/{s['name']}"
        key = f"{r['name']}_{s['name']}"
        out.append(("azurerm_subnet", key, {"id": sid, "name": s["name"], "resource_group_name": rg(r["id"]),
                                            "virtual_network_name": r["name"], "address_prefixes": [s["properties"]["addressPrefix"]]}))
        g = s["properties"].get("networkSecurityGroup")
        if g:
            out.append(("azurerm_subnet_network_security_group_association", key,
                        {"id": sid, "subnet_id": sid, "network_security_group_id": g["id"]}))
    for pe in p.get("virtualNetworkPeerings", []):
        q = pe["properties"]
        out.append(("azurerm_virtual_network_peering", pe["name"].replace("-", "_"),
                    {"id": f"{r['id']}/virtualNetworkPeerings/{pe['name']}", "name": pe["name"], "resource_group_name": rg(r["id"]),
                     "virtual_network_name": r["name"], "remote_virtual_network_id": q["remoteVirtualNetwork"]["id"],
                     "allow_virtual_network_access": q["allowVirtualNetworkAccess"],
                     "allow_forwarded_traffic": q["allowForwardedTraffic"], "allow_gateway_transit": False,
                     "use_remote_gateways": False}))
    return out


def nic(r):
    key = r["name"].replace("-", "_")
    configs, out = [], []
    for k, c in enumerate(props(r)["ipConfigurations"]):
        q = c["properties"]
        configs.append({"name": c["name"], "subnet_id": q["subnet"]["id"], "private_ip_address": q["privateIPAddress"],
                        "private_ip_address_allocation": "Static", "public_ip_address_id": None, "primary": k == 0})
        # An application gateway pool the configuration is in: the
        # association resource (azurerm provider docs,
        # network_interface_application_gateway_backend_address_pool_association).
        for pool in q.get("applicationGatewayBackendAddressPools", []):
            out.append(("azurerm_network_interface_application_gateway_backend_address_pool_association",
                        f"{key}_{c['name']}_{last(pool)}",
                        {"id": f"{r['id']}/ipConfigurations/{c['name']}|{pool['id']}", "network_interface_id": r["id"],
                         "ip_configuration_name": c["name"], "backend_address_pool_id": pool["id"]}))
    nic = ("azurerm_network_interface", key,
           {"id": r["id"], "name": r["name"], "resource_group_name": rg(r["id"]), "location": "westeurope",
            "ip_forwarding_enabled": False, "ip_configuration": configs})
    return [nic] + out


def pip(r):
    return [("azurerm_public_ip", r["name"].replace("-", "_"),
             {"id": r["id"], "name": r["name"], "resource_group_name": rg(r["id"]), "location": "westeurope",
              "allocation_method": "Static", "sku": "Standard", "ip_address": props(r)["ipAddress"]})]


def waf_policy(r):
    s = props(r)["policySettings"]
    return [("azurerm_web_application_firewall_policy", r["name"].replace("-", "_"),
             {"id": r["id"], "name": r["name"], "resource_group_name": rg(r["id"]), "location": "westeurope",
              "policy_settings": [{"enabled": s["state"] == "Enabled", "mode": s["mode"]}],
              "managed_rules": [{"managed_rule_set": [{"type": "OWASP", "version": "3.2"}]}]})]


def gateway(r):
    p = props(r)
    fe = []
    for f in p["frontendIPConfigurations"]:
        q = f["properties"]
        fe.append({"name": f["name"], "subnet_id": q.get("subnet", {}).get("id", ""),
                   "private_ip_address": q.get("privateIPAddress", ""),
                   "private_ip_address_allocation": q.get("privateIPAllocationMethod", "Dynamic"),
                   "public_ip_address_id": q.get("publicIPAddress", {}).get("id", "")})
    listeners = []
    for l in p["httpListeners"]:
        q = l["properties"]
        listeners.append({"name": l["name"], "frontend_ip_configuration_name": last(q["frontendIPConfiguration"]),
                          "frontend_port_name": last(q["frontendPort"]), "protocol": q["protocol"], "host_name": "",
                          "host_names": q.get("hostNames", []), "firewall_policy_id": q.get("firewallPolicy", {}).get("id", "")})
    rules = []
    for x in p["requestRoutingRules"]:
        q = x["properties"]
        name = lambda k: last(q[k]) if k in q else ""
        rules.append({"name": x["name"], "rule_type": q["ruleType"], "priority": q["priority"],
                      "http_listener_name": name("httpListener"), "backend_address_pool_name": name("backendAddressPool"),
                      "backend_http_settings_name": name("backendHttpSettings"), "url_path_map_name": name("urlPathMap"),
                      "redirect_configuration_name": name("redirectConfiguration")})
    maps = []
    for m in p.get("urlPathMaps", []):
        q = m["properties"]
        maps.append({"name": m["name"], "default_backend_address_pool_name": last(q["defaultBackendAddressPool"]),
                     "default_backend_http_settings_name": last(q["defaultBackendHttpSettings"]),
                     "default_redirect_configuration_name": "",
                     "path_rule": [{"name": pr["name"], "paths": pr["properties"]["paths"],
                                    "backend_address_pool_name": last(pr["properties"]["backendAddressPool"]),
                                    "backend_http_settings_name": last(pr["properties"]["backendHttpSettings"]),
                                    "redirect_configuration_name": ""} for pr in q["pathRules"]]})
    pools = [{"name": b["name"], "ip_addresses": [a["ipAddress"] for a in b["properties"].get("backendAddresses", []) if "ipAddress" in a],
              "fqdns": [a["fqdn"] for a in b["properties"].get("backendAddresses", []) if "fqdn" in a]}
             for b in p["backendAddressPools"]]
    settings = [{"name": s["name"], "port": s["properties"]["port"], "protocol": s["properties"].get("protocol", "Http"),
                 "cookie_based_affinity": "Disabled"} for s in p["backendHttpSettingsCollection"]]
    w = p.get("webApplicationFirewallConfiguration")
    waf = [{"enabled": w["enabled"], "firewall_mode": w["firewallMode"], "rule_set_type": "OWASP", "rule_set_version": "3.2"}] if w else []
    return [("azurerm_application_gateway", r["name"].replace("-", "_"),
             {"id": r["id"], "name": r["name"], "resource_group_name": rg(r["id"]), "location": "westeurope",
              "sku": [{"name": p["sku"]["name"], "tier": p["sku"]["tier"], "capacity": 2}],
              "gateway_ip_configuration": [{"name": g["name"], "subnet_id": g["properties"]["subnet"]["id"]}
                                           for g in p["gatewayIPConfigurations"]],
              "frontend_ip_configuration": fe,
              "frontend_port": [{"name": x["name"], "port": x["properties"]["port"]} for x in p["frontendPorts"]],
              "http_listener": listeners, "request_routing_rule": rules, "url_path_map": maps,
              "backend_address_pool": pools, "backend_http_settings": settings, "waf_configuration": waf,
              "firewall_policy_id": p.get("firewallPolicy", {}).get("id", "")})]


def bastion(r):
    p = props(r)
    c = p["ipConfigurations"][0]["properties"]
    return [("azurerm_bastion_host", r["name"].replace("-", "_"),
             {"id": r["id"], "name": r["name"], "resource_group_name": rg(r["id"]), "location": "westeurope",
              "sku": r["sku"]["name"], "ip_connect_enabled": p.get("enableIpConnect", False),
              "tunneling_enabled": p.get("enableTunneling", False), "copy_paste_enabled": True,
              "ip_configuration": [{"name": "IpConf", "subnet_id": c["subnet"]["id"],
                                    "public_ip_address_id": c["publicIPAddress"]["id"]}]})]


MAP = {"Microsoft.Network/networkSecurityGroups": nsg, "Microsoft.Network/virtualNetworks": vnet,
       "Microsoft.Network/networkInterfaces": nic, "Microsoft.Network/publicIPAddresses": pip,
       "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies": waf_policy,
       "Microsoft.Network/applicationGateways": gateway, "Microsoft.Network/bastionHosts": bastion}


def plan(arm_path, out_path):
    resources, changes, config = [], [], []
    for r in json.load(open(arm_path))["value"]:
        for type_, name, values in MAP[r["type"]](r):
            address = f"{type_}.{name}"
            resources.append({"address": address, "mode": "managed", "type": type_, "name": name,
                              "provider_name": PROVIDER, "schema_version": 0, "values": values, "sensitive_values": {}})
            changes.append({"address": address, "mode": "managed", "type": type_, "name": name, "provider_name": PROVIDER,
                            "change": {"actions": ["no-op"], "before": values, "after": values, "after_unknown": {},
                                       "before_sensitive": {}, "after_sensitive": {}}})
            config.append({"address": address, "mode": "managed", "type": type_, "name": name,
                           "provider_config_key": "azurerm", "expressions": {}, "schema_version": 0})
    doc = {"format_version": "1.2", "terraform_version": "1.9.8",
           "planned_values": {"root_module": {"resources": resources}}, "resource_changes": changes,
           "configuration": {"provider_config": {"azurerm": {"name": "azurerm", "full_name": PROVIDER}},
                             "root_module": {"resources": config}}}
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def nic_pool_case(src, out_path):
    """tests/azure/appgw-nic-pool: appgw-listeners with its pools' members
    given from the NICs' side, as an ARM template (and Terraform's pool
    association) gives them: each member NIC's ip configuration names the
    pool in `applicationGatewayBackendAddressPools` (networkInterface.json),
    and the gateway's pools list no address. web2-nic has a second ip
    configuration (10.3.2.9) in no pool, which a member list built per NIC,
    not per configuration, would wrongly add."""
    d = json.load(open(src))
    members = {"web1-nic": "web", "web2-nic": "web", "api1-nic": "api"}
    agw = next(r for r in d["value"] if r["type"] == "Microsoft.Network/applicationGateways")
    for p in props(agw)["backendAddressPools"]:
        p["properties"]["backendAddresses"] = []
    for r in d["value"]:
        if r["name"] in members:
            c = props(r)["ipConfigurations"][0]
            c["properties"]["applicationGatewayBackendAddressPools"] = [
                {"id": f"{agw['id']}/backendAddressPools/{members[r['name']]}"}]
        if r["name"] == "web2-nic":
            second = json.loads(json.dumps(props(r)["ipConfigurations"][0]))
            second["name"] = "ipconfig2"
            second["id"] = second["id"].rsplit("/", 1)[0] + "/ipconfig2"
            second["properties"]["privateIPAddress"] = "10.3.2.9"
            del second["properties"]["applicationGatewayBackendAddressPools"]
            props(r)["ipConfigurations"].append(second)
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as f:
        json.dump(d, f, indent=1)
        f.write("\n")


plan("tests/azure/appgw-listeners/input/network.json", "tests/terraform/appgw/plan.json")
nic_pool_case("tests/azure/appgw-listeners/input/network.json", "tests/azure/appgw-nic-pool/input/network.json")
os.makedirs("tests/terraform/appgw-nic-pool", exist_ok=True)
plan("tests/azure/appgw-nic-pool/input/network.json", "tests/terraform/appgw-nic-pool/plan.json")
plan("tests/azure/bastion-sessions/input/network.json", "tests/terraform/bastion/plan.json")
