#!/usr/bin/env python3
"""Writes the Terraform JSON test inputs of tests/terraform/ to the documented
format ("JSON Output Format", developer.hashicorp.com/terraform/internals/json-format):

* hub-spoke/plan.json   the estate of tests/azure/fig3-hub-spoke plus an AKS cluster,
                        as a plan in which the hub exists (prior_state) and the
                        spokes, peerings and cluster are new (ids unknown);
* greenfield/plan.json  the same estate with every resource new: ids and the
                        firewall's private IP are known only after apply;
* state/state.json      the same estate after apply (`terraform show -json`);
* all-types/plan.json   every other azurerm type tusk reads, and azapi_resource.

Run it from the repository root: python3 tests/terraform/make_plans.py
"""
import copy, json, os

SUB = "00000000-0000-0000-0000-000000000000"
RG = "rg-net"
P = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network"


def ref(*r):
    return {"references": list(r)}


def const(v):
    return {"constant_value": v}


class Res:
    """One resource instance: values after apply, which of them the plan
    does not know when the resource is new, and its configuration."""

    def __init__(self, module, type_, name, values, config, key=None, unknown_when_new=("id",)):
        self.module, self.type, self.name, self.key = module, type_, name, key
        self.values, self.config = values, config
        self.unknown_when_new = unknown_when_new

    def address(self):
        a = f"{self.type}.{self.name}"
        if self.key is not None:
            a += f'["{self.key}"]'
        return f"{self.module}.{a}" if self.module else a


def mask(values, paths):
    """(after, after_unknown) with the dotted paths unknown."""
    after = copy.deepcopy(values)
    unknown = {}
    for p in paths:
        steps = [int(s) if s.isdigit() else s for s in p.split(".")]
        a, u = after, unknown
        for s in steps[:-1]:
            a = a[s]
            if isinstance(s, int):
                while len(u) <= s:
                    u.append({})
                u = u[s]
            else:
                u = u.setdefault(s, [] if isinstance(a, list) else {})
        last = steps[-1]
        if isinstance(a, list):
            a[last] = None
        else:
            a.pop(last, None)
        if isinstance(u, list):
            while len(u) <= last:
                u.append({})
            u[last] = True
        else:
            u[last] = True
    return after, unknown


def estate(new_hub, new_spokes):
    """The resources of the hub & spoke estate, and the configuration."""
    rs = []
    hub = "module.hub"
    fw_ip = "10.0.1.4"
    rs.append(Res(hub, "azurerm_virtual_network", "hub",
                  {"id": f"{P}/virtualNetworks/hub", "name": "hub", "resource_group_name": RG, "location": "westeurope",
                   "address_space": ["10.0.0.0/16"], "subnet": [], "dns_servers": []},
                  {"name": const("hub"), "resource_group_name": ref("var.resource_group_name"),
                   "address_space": const(["10.0.0.0/16"])}))
    for tf, name, prefix in [("firewall", "AzureFirewallSubnet", "10.0.1.0/26"), ("shared", "shared", "10.0.2.0/24")]:
        rs.append(Res(hub, "azurerm_subnet", tf,
                      {"id": f"{P}/virtualNetworks/hub/subnets/{name}", "name": name, "resource_group_name": RG,
                       "virtual_network_name": "hub", "address_prefixes": [prefix], "service_endpoints": []},
                      {"name": const(name), "virtual_network_name": ref("azurerm_virtual_network.hub.name", "azurerm_virtual_network.hub"),
                       "address_prefixes": const([prefix])}))
    rs.append(Res(hub, "azurerm_public_ip", "fw",
                  {"id": f"{P}/publicIPAddresses/pip-fw-hub", "name": "pip-fw-hub", "resource_group_name": RG,
                   "allocation_method": "Static", "sku": "Standard", "ip_address": "20.50.60.70"},
                  {"name": const("pip-fw-hub"), "allocation_method": const("Static")},
                  unknown_when_new=("id", "ip_address")))
    rs.append(Res(hub, "azurerm_firewall_policy", "hub",
                  {"id": f"{P}/firewallPolicies/fwpol-hub", "name": "fwpol-hub", "resource_group_name": RG,
                   "base_policy_id": None, "private_ip_ranges": None, "sku": "Standard"},
                  {"name": const("fwpol-hub")}))
    rs.append(Res(hub, "azurerm_firewall", "hub",
                  {"id": f"{P}/azureFirewalls/fw-hub", "name": "fw-hub", "resource_group_name": RG, "sku_name": "AZFW_VNet",
                   "sku_tier": "Standard", "firewall_policy_id": f"{P}/firewallPolicies/fwpol-hub",
                   "ip_configuration": [{"name": "ipconfig", "subnet_id": f"{P}/virtualNetworks/hub/subnets/AzureFirewallSubnet",
                                         "public_ip_address_id": f"{P}/publicIPAddresses/pip-fw-hub", "private_ip_address": fw_ip}],
                   "private_ip_ranges": None, "zones": None},
                  {"name": const("fw-hub"), "firewall_policy_id": ref("azurerm_firewall_policy.hub.id", "azurerm_firewall_policy.hub"),
                   "ip_configuration": [{"name": const("ipconfig"),
                                         "subnet_id": ref("azurerm_subnet.firewall.id", "azurerm_subnet.firewall"),
                                         "public_ip_address_id": ref("azurerm_public_ip.fw.id", "azurerm_public_ip.fw")}]},
                  unknown_when_new=("id", "firewall_policy_id", "ip_configuration.0.subnet_id",
                                    "ip_configuration.0.public_ip_address_id", "ip_configuration.0.private_ip_address")))

    def netrule(name, src, dst, ports):
        return {"name": name, "description": None, "source_addresses": src, "source_ip_groups": [], "destination_addresses": dst,
                "destination_ip_groups": [], "destination_fqdns": [], "destination_ports": ports, "protocols": ["TCP"]}

    groups = [("east_west", "east-west", 200, [("spoke-to-spoke", 100, [netrule("spokes-https", ["10.1.0.0/16", "10.2.0.0/16"], ["10.1.0.0/16", "10.2.0.0/16"], ["443"])]),
                                              ("hub-to-spokes", 110, [netrule("hub-https", ["10.0.2.0/24"], ["10.1.0.0/16", "10.2.0.0/16"], ["443"])])]),
              ("egress", "egress", 300, [("web-out", 100, [netrule("https-out", ["10.1.0.0/16"], ["*"], ["443"])])])]
    for tf, name, prio, colls in groups:
        rs.append(Res(hub, "azurerm_firewall_policy_rule_collection_group", tf,
                      {"id": f"{P}/firewallPolicies/fwpol-hub/ruleCollectionGroups/{name}", "name": name,
                       "firewall_policy_id": f"{P}/firewallPolicies/fwpol-hub", "priority": prio,
                       "application_rule_collection": [], "nat_rule_collection": [],
                       "network_rule_collection": [{"name": n, "priority": p, "action": "Allow", "rule": rules} for n, p, rules in colls]},
                      {"name": const(name), "priority": const(prio),
                       "firewall_policy_id": ref("azurerm_firewall_policy.hub.id", "azurerm_firewall_policy.hub")},
                      unknown_when_new=("id", "firewall_policy_id")))
    rs.append(Res(hub, "azurerm_network_interface", "vm",
                  {"id": f"{P}/networkInterfaces/hub-vm-nic", "name": "hub-vm-nic", "resource_group_name": RG,
                   "ip_forwarding_enabled": False,
                   "ip_configuration": [{"name": "ipconfig1", "private_ip_address": "10.0.2.4", "private_ip_address_allocation": "Static",
                                         "subnet_id": f"{P}/virtualNetworks/hub/subnets/shared", "public_ip_address_id": None, "primary": True}]},
                  {"name": const("hub-vm-nic"),
                   "ip_configuration": [{"name": const("ipconfig1"), "private_ip_address": const("10.0.2.4"),
                                         "subnet_id": ref("azurerm_subnet.shared.id", "azurerm_subnet.shared")}]},
                  unknown_when_new=("id", "ip_configuration.0.subnet_id")))
    rs.append(vm(hub, "vm", "hub-vm", f"{P}/networkInterfaces/hub-vm-nic", "azurerm_network_interface.vm"))
    for r in rs:
        r.new = new_hub
    spokes = []
    for key, n in [("spoke1", 1), ("spoke2", 2)]:
        m = f'module.spoke["{key}"]'
        vid = f"{P}/virtualNetworks/{key}"
        sid = f"{vid}/subnets/aks-nodes"
        nsg = f"{P}/networkSecurityGroups/nsg-{key}"
        rt = f"{P}/routeTables/rt-{key}"

        def rule(name, prio, direction, proto, dport, src, dst):
            return {"name": name, "description": "", "priority": prio, "direction": direction, "access": "Allow", "protocol": proto,
                    "source_port_range": "*", "source_port_ranges": [], "destination_port_range": dport, "destination_port_ranges": [],
                    "source_address_prefix": src, "source_address_prefixes": [], "destination_address_prefix": dst,
                    "destination_address_prefixes": [], "source_application_security_group_ids": [],
                    "destination_application_security_group_ids": []}

        spokes += [
            Res(m, "azurerm_virtual_network", "this",
                {"id": vid, "name": key, "resource_group_name": RG, "address_space": [f"10.{n}.0.0/16"], "subnet": [], "dns_servers": []},
                {"name": ref("var.name"), "address_space": ref("var.address_space")}),
            Res(m, "azurerm_subnet", "aks",
                {"id": sid, "name": "aks-nodes", "resource_group_name": RG, "virtual_network_name": key,
                 "address_prefixes": [f"10.{n}.0.0/22"], "service_endpoints": []},
                {"name": const("aks-nodes"), "virtual_network_name": ref("azurerm_virtual_network.this.name", "azurerm_virtual_network.this")}),
            Res(m, "azurerm_network_security_group", "this",
                {"id": nsg, "name": f"nsg-{key}", "resource_group_name": RG,
                 "security_rule": [rule("allow-https-in", 200, "Inbound", "Tcp", "443", "10.0.0.0/8", "*"),
                                   rule("allow-internal-out", 200, "Outbound", "*", "*", "*", "10.0.0.0/8")]},
                {"name": ref("var.name")}),
            Res(m, "azurerm_subnet_network_security_group_association", "aks",
                {"id": sid, "subnet_id": sid, "network_security_group_id": nsg},
                {"subnet_id": ref("azurerm_subnet.aks.id", "azurerm_subnet.aks"),
                 "network_security_group_id": ref("azurerm_network_security_group.this.id", "azurerm_network_security_group.this")},
                unknown_when_new=("id", "subnet_id", "network_security_group_id")),
            Res(m, "azurerm_route_table", "this",
                {"id": rt, "name": f"rt-{key}", "resource_group_name": RG, "bgp_route_propagation_enabled": False,
                 "route": [{"name": "default-via-fw", "address_prefix": "0.0.0.0/0", "next_hop_type": "VirtualAppliance",
                            "next_hop_in_ip_address": fw_ip}]},
                {"name": ref("var.name"), "bgp_route_propagation_enabled": const(False),
                 "route": [{"name": const("default-via-fw"), "address_prefix": const("0.0.0.0/0"), "next_hop_type": const("VirtualAppliance"),
                            "next_hop_in_ip_address": ref("var.firewall_ip")}]},
                unknown_when_new=("id",) + (("route.0.next_hop_in_ip_address",) if new_hub else ())),
            Res(m, "azurerm_subnet_route_table_association", "aks",
                {"id": sid, "subnet_id": sid, "route_table_id": rt},
                {"subnet_id": ref("azurerm_subnet.aks.id", "azurerm_subnet.aks"),
                 "route_table_id": ref("azurerm_route_table.this.id", "azurerm_route_table.this")},
                unknown_when_new=("id", "subnet_id", "route_table_id")),
            Res(m, "azurerm_network_interface", "node",
                {"id": f"{P}/networkInterfaces/{key}-node-nic", "name": f"{key}-node-nic", "resource_group_name": RG,
                 "ip_forwarding_enabled": False,
                 "ip_configuration": [{"name": "ipconfig1", "private_ip_address": f"10.{n}.0.4", "private_ip_address_allocation": "Static",
                                       "subnet_id": sid, "public_ip_address_id": None, "primary": True}]},
                {"ip_configuration": [{"name": const("ipconfig1"), "subnet_id": ref("azurerm_subnet.aks.id", "azurerm_subnet.aks")}]},
                unknown_when_new=("id", "ip_configuration.0.subnet_id")),
            Res(m, "azurerm_virtual_network_peering", "to_hub",
                {"id": f"{vid}/virtualNetworkPeerings/{key}-to-hub", "name": f"{key}-to-hub", "resource_group_name": RG,
                 "virtual_network_name": key, "remote_virtual_network_id": f"{P}/virtualNetworks/hub",
                 "allow_virtual_network_access": True, "allow_forwarded_traffic": True, "allow_gateway_transit": False,
                 "use_remote_gateways": False},
                {"virtual_network_name": ref("azurerm_virtual_network.this.name", "azurerm_virtual_network.this"),
                 "remote_virtual_network_id": ref("var.hub_vnet_id")},
                unknown_when_new=("id",) + (("remote_virtual_network_id",) if new_hub else ())),
        ]
        spokes.append(vm(m, "node", f"{key}-node", f"{P}/networkInterfaces/{key}-node-nic", "azurerm_network_interface.node"))
        for r in spokes[-9:]:
            r.key = None
            r.new = new_spokes
        spokes.append(Res("", "azurerm_virtual_network_peering", f"hub_to_{key}",
                          {"id": f"{P}/virtualNetworks/hub/virtualNetworkPeerings/hub-to-{key}", "name": f"hub-to-{key}",
                           "resource_group_name": RG, "virtual_network_name": "hub", "remote_virtual_network_id": vid,
                           "allow_virtual_network_access": True, "allow_forwarded_traffic": True, "allow_gateway_transit": False,
                           "use_remote_gateways": False},
                          {"virtual_network_name": ref("module.hub.vnet_name", "module.hub"),
                           "remote_virtual_network_id": ref(f'module.spoke["{key}"].vnet_id', f'module.spoke["{key}"]')},
                          unknown_when_new=("id", "remote_virtual_network_id")))
        spokes[-1].new = new_spokes
    aks_id = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ContainerService/managedClusters/aks-spoke1" % (SUB, RG)
    spokes.append(Res("", "azurerm_kubernetes_cluster", "aks",
                      {"id": aks_id, "name": "aks-spoke1", "resource_group_name": RG, "dns_prefix": "aks1",
                       "default_node_pool": [{"name": "system", "vm_size": "Standard_D4s_v5", "node_count": 3, "auto_scaling_enabled": False,
                                              "min_count": None, "max_count": None, "max_pods": 30, "zones": ["1", "2", "3"],
                                              "only_critical_addons_enabled": True, "node_labels": {},
                                              "vnet_subnet_id": f"{P}/virtualNetworks/spoke1/subnets/aks-nodes", "pod_subnet_id": None,
                                              "upgrade_settings": [{"max_surge": "10%"}]}],
                       "network_profile": [{"network_plugin": "azure", "network_plugin_mode": "overlay", "network_policy": "cilium",
                                            "network_data_plane": "cilium", "pod_cidr": "192.168.0.0/16", "service_cidr": "172.16.0.0/16",
                                            "dns_service_ip": "172.16.0.10", "outbound_type": "userDefinedRouting"}]},
                      {"name": const("aks-spoke1"),
                       "default_node_pool": [{"name": const("system"),
                                              "vnet_subnet_id": ref('module.spoke["spoke1"].subnet_id', 'module.spoke["spoke1"]')}]},
                      unknown_when_new=("id", "default_node_pool.0.vnet_subnet_id")))
    spokes.append(Res("", "azurerm_kubernetes_cluster_node_pool", "user",
                      {"id": aks_id + "/agentPools/user", "name": "user", "kubernetes_cluster_id": aks_id, "vm_size": "Standard_D4s_v5",
                       "mode": "User", "node_count": 2, "auto_scaling_enabled": True, "min_count": 2, "max_count": 5, "max_pods": 50,
                       "zones": ["1", "2"], "node_taints": ["tenant=a:NoSchedule"], "node_labels": {"tenant": "a"},
                       "vnet_subnet_id": f"{P}/virtualNetworks/spoke1/subnets/aks-nodes", "pod_subnet_id": None, "os_type": "Linux"},
                      {"name": const("user"), "kubernetes_cluster_id": ref("azurerm_kubernetes_cluster.aks.id", "azurerm_kubernetes_cluster.aks"),
                       "vnet_subnet_id": ref('module.spoke["spoke1"].subnet_id', 'module.spoke["spoke1"]')},
                      unknown_when_new=("id", "kubernetes_cluster_id", "vnet_subnet_id")))
    for r in spokes[-2:]:
        r.new = new_spokes
    for r in rs + spokes:
        if r.module.startswith("module.spoke"):
            r.key = None
    config_modules = {
        "hub": {"source": "./modules/hub", "expressions": {"resource_group_name": const(RG)},
                "outputs": {"vnet_id": ref("azurerm_virtual_network.hub.id", "azurerm_virtual_network.hub"),
                            "vnet_name": ref("azurerm_virtual_network.hub.name", "azurerm_virtual_network.hub"),
                            "firewall_ip": ref("azurerm_firewall.hub.ip_configuration[0].private_ip_address",
                                               "azurerm_firewall.hub.ip_configuration[0]", "azurerm_firewall.hub.ip_configuration",
                                               "azurerm_firewall.hub")}},
        "spoke": {"source": "./modules/spoke", "for_each_expression": ref("local.spokes"),
                  "expressions": {"name": ref("each.key"), "address_space": ref("each.value"),
                                  "firewall_ip": ref("module.hub.firewall_ip", "module.hub"),
                                  "hub_vnet_id": ref("module.hub.vnet_id", "module.hub")},
                  "outputs": {"vnet_id": ref("azurerm_virtual_network.this.id", "azurerm_virtual_network.this"),
                              "subnet_id": ref("azurerm_subnet.aks.id", "azurerm_subnet.aks")}},
    }
    return rs + spokes, config_modules


def vm(module, tf, name, nic, nic_ref):
    vid = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute/virtualMachines/{name}"
    return Res(module, "azurerm_linux_virtual_machine", tf,
               {"id": vid, "name": name, "resource_group_name": RG, "size": "Standard_B2s", "network_interface_ids": [nic],
                "private_ip_address": None},
               {"name": const(name), "network_interface_ids": ref(f"{nic_ref}.id", nic_ref)},
               unknown_when_new=("id", "network_interface_ids.0"))


def values_of(r):
    return {"address": r.address(), "mode": "managed", "type": r.type, "name": r.name, **({"index": r.key} if r.key else {}),
            "provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0}


def module_tree(resources, after):
    root = {"resources": [], "child_modules": []}
    mods = {}
    for r in resources:
        v = dict(values_of(r), values=after(r), sensitive_values={})
        if not r.module:
            root["resources"].append(v)
        else:
            if r.module not in mods:
                mods[r.module] = {"resources": [], "address": r.module}
                root["child_modules"].append(mods[r.module])
            mods[r.module]["resources"].append(v)
    if not root["child_modules"]:
        del root["child_modules"]
    return root


def configuration(resources, config_modules):
    def conf(r):
        return {"address": f"{r.type}.{r.name}", "mode": "managed", "type": r.type, "name": r.name,
                "provider_config_key": "azurerm", "expressions": r.config, "schema_version": 0}

    root = {"resources": [], "module_calls": {}}
    seen = set()
    for r in resources:
        key = (r.module.split("[")[0], r.type, r.name)
        if key in seen:
            continue
        seen.add(key)
        if not r.module:
            root["resources"].append(conf(r))
            continue
        call = r.module.split(".")[1].split("[")[0]
        cm = config_modules[call]
        mc = root["module_calls"].setdefault(call, {"source": cm["source"], "expressions": cm["expressions"],
                                                     **({"for_each_expression": cm["for_each_expression"]} if "for_each_expression" in cm else {}),
                                                     "module": {"outputs": {k: {"expression": e} for k, e in cm["outputs"].items()},
                                                                "resources": []}})
        mc["module"]["resources"].append(conf(r))
    return {"provider_config": {"azurerm": {"name": "azurerm", "full_name": "registry.terraform.io/hashicorp/azurerm",
                                            "expressions": {"features": [{}]}}},
            "root_module": root}


def plan(resources, config_modules):
    changes = []
    for r in resources:
        after, unknown = mask(r.values, r.unknown_when_new) if r.new else (r.values, {})
        r.after = after
        changes.append(dict(values_of(r), **({"module_address": r.module} if r.module else {}),
                            change={"actions": ["create"] if r.new else ["no-op"], "before": None if r.new else r.values,
                                    "after": after, "after_unknown": unknown, "before_sensitive": False if r.new else {},
                                    "after_sensitive": {}}))
    existing = [r for r in resources if not r.new]
    doc = {"format_version": "1.2", "terraform_version": "1.9.8",
           "planned_values": {"root_module": module_tree(resources, lambda r: r.after)},
           "resource_changes": changes, "configuration": configuration(resources, config_modules), "timestamp": "2026-11-30T12:00:00Z",
           "applyable": True, "complete": True, "errored": False}
    if existing:
        doc["prior_state"] = {"format_version": "1.0", "terraform_version": "1.9.8",
                              "values": {"root_module": module_tree(existing, lambda r: r.values)}}
    return doc


def write(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    rs, cm = estate(new_hub=False, new_spokes=True)
    write(f"{here}/hub-spoke/plan.json", plan(rs, cm))
    rs, cm = estate(new_hub=True, new_spokes=True)
    write(f"{here}/greenfield/plan.json", plan(rs, cm))
    rs, cm = estate(new_hub=False, new_spokes=False)
    # In a state, a VNet's computed `subnet` attribute lists the subnets
    # that azurerm_subnet resources manage (without their associations).
    for v in rs:
        if v.type == "azurerm_virtual_network":
            v.values["subnet"] = [{"id": s.values["id"], "name": s.values["name"], "address_prefixes": s.values["address_prefixes"],
                                   "security_group": "", "route_table_id": ""}
                                  for s in rs if s.type == "azurerm_subnet" and s.module == v.module]
    write(f"{here}/state/state.json", {"format_version": "1.0", "terraform_version": "1.9.8",
                                       "values": {"root_module": module_tree(rs, lambda r: r.values)}})
    import all_types
    write(f"{here}/all-types/plan.json", all_types.doc(Res, plan, configuration, P, RG, ref, const))


if __name__ == "__main__":
    main()
