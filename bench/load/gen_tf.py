#!/usr/bin/env python3
"""Writes a large Terraform plan (`terraform show -json PLANFILE`, the
documented "JSON Output Format") of the estate bench/load/gen_arm.py writes as
a template, for the load-speed benchmark (bench/load/run.sh): a hub VNet and
SPOKES spoke VNets of 10 azurerm_subnet, one azurerm_network_security_group
of 10 inline security_rule blocks per subnet, one azurerm_route_table of 400
inline route blocks per spoke, and the subnet associations. The plan is the
one `terraform plan` prints for an estate that already exists and does not
change: every resource is in prior_state, planned_values and
resource_changes (actions no-op, before = after), as real plans carry it.
Usage: gen_tf.py OUT_FILE [SPOKES]."""
import json
import sys

out = sys.argv[1]
spokes = int(sys.argv[2]) if len(sys.argv) > 2 else 200
SUB = "00000000-0000-0000-0000-000000000000"
RG = "rg-bench"
NET = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network"
resources = []


def add(module, type_, name, values):
    address = f"{type_}.{name}"
    resources.append({
        "address": f"{module}.{address}" if module else address,
        "mode": "managed", "type": type_, "name": name,
        "provider_name": "registry.terraform.io/hashicorp/azurerm",
        "schema_version": 0, "values": values, "sensitive_values": {},
    })


def vnet(module, name, space):
    add(module, "azurerm_virtual_network", "this", {
        "id": f"{NET}/virtualNetworks/{name}", "name": name, "resource_group_name": RG,
        "location": "westeurope", "address_space": [space], "dns_servers": [], "subnet": []})


vnet("module.hub", "bench-hub", "10.0.0.0/16")
add("module.hub", "azurerm_subnet", "firewall", {
    "id": f"{NET}/virtualNetworks/bench-hub/subnets/AzureFirewallSubnet", "name": "AzureFirewallSubnet",
    "resource_group_name": RG, "virtual_network_name": "bench-hub",
    "address_prefixes": ["10.0.1.0/26"], "service_endpoints": []})
for s in range(1, spokes + 1):
    m = f'module.spoke["{s}"]'
    rt = f"{NET}/routeTables/rt-spoke{s}"
    routes = []
    for r in range(400):
        a, b = divmod(r, 250)
        routes.append({"name": f"r{r}", "address_prefix": f"10.{100 + a}.{b}.0/24",
                       "next_hop_type": "VirtualAppliance", "next_hop_in_ip_address": "10.0.1.4"})
    add(m, "azurerm_route_table", "this", {
        "id": rt, "name": f"rt-spoke{s}", "resource_group_name": RG, "location": "westeurope",
        "bgp_route_propagation_enabled": False, "route": routes, "subnets": []})
    vnet(m, f"bench-spoke{s}", f"10.{s}.0.0/16")
    for n in range(10):
        nsg = f"{NET}/networkSecurityGroups/nsg-s{s}-n{n}"
        rules = []
        for k in range(10):
            rules.append({
                "name": f"rule{k}", "priority": 100 + k * 10, "direction": "Inbound",
                "access": "Allow" if k % 3 else "Deny", "protocol": "Tcp",
                "source_address_prefix": f"10.{(s + k) % 250}.0.0/16", "source_address_prefixes": [],
                "source_port_range": "*", "source_port_ranges": [],
                "destination_address_prefix": "*", "destination_address_prefixes": [],
                "destination_port_range": str(1000 + k), "destination_port_ranges": [],
                "source_application_security_group_ids": [],
                "destination_application_security_group_ids": [], "description": ""})
        add(m, "azurerm_network_security_group", f'nsg["{n}"]', {
            "id": nsg, "name": f"nsg-s{s}-n{n}", "resource_group_name": RG,
            "location": "westeurope", "security_rule": rules})
        sid = f"{NET}/virtualNetworks/bench-spoke{s}/subnets/snet{n}"
        add(m, "azurerm_subnet", f'snet["{n}"]', {
            "id": sid, "name": f"snet{n}", "resource_group_name": RG,
            "virtual_network_name": f"bench-spoke{s}", "address_prefixes": [f"10.{s}.{n}.0/24"],
            "service_endpoints": []})
        add(m, "azurerm_subnet_network_security_group_association", f'nsg["{n}"]', {
            "id": sid, "subnet_id": sid, "network_security_group_id": nsg})
        add(m, "azurerm_subnet_route_table_association", f'rt["{n}"]', {
            "id": sid, "subnet_id": sid, "route_table_id": rt})

changes = []
for r in resources:
    module, _, _ = r["address"].rpartition(r["type"] + ".")
    c = {k: r[k] for k in ("address", "mode", "type", "name", "provider_name")}
    if module:
        c["module_address"] = module.rstrip(".")
    c["change"] = {"actions": ["no-op"], "before": r["values"], "after": r["values"],
                   "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}}
    changes.append(c)
mods = {}
for r in resources:
    mods.setdefault(r["address"].rpartition(r["type"] + ".")[0].rstrip("."), []).append(r)
root = {"root_module": {"resources": mods.pop("", []),
        "child_modules": [{"address": a, "resources": rs} for a, rs in mods.items()]}}
plan = {"format_version": "1.2", "terraform_version": "1.9.5", "planned_values": root,
        "resource_changes": changes, "prior_state": {"format_version": "1.0", "terraform_version": "1.9.5",
        "values": root}, "configuration": {"provider_config": {}, "root_module": {}},
        "applyable": False, "complete": True, "errored": False}
with open(out, "w") as f:
    json.dump(plan, f, separators=(",", ":"))
