#!/usr/bin/env python3
"""Writes the input files of the fixture estates under tests/azure/<case>/input/.

The estates are hand-designed after the seed article's Figures 1-3 and the
Microsoft docs' examples; this script only saves typing. Resources are
written in the ARM/REST shape (fields under `properties`) except where a
case says `flat=True`, which writes the flattened `az ... -o json` shape.
Run it from the repository root; the expected verdicts live in each case's
expect.json, written by hand.
"""
import json, os

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network"

def rid(kind, name, *child):
    s = f"{SUB}/{kind}/{name}"
    for i in range(0, len(child), 2):
        s += f"/{child[i]}/{child[i+1]}"
    return s

def ref(kind, name, *child):
    return {"id": rid(kind, name, *child)}

def res(kind, typ, name, props, flat):
    body = {"name": name, "id": rid(kind, name), "type": f"Microsoft.Network/{typ}", "location": "westeurope"}
    if flat:
        body.update(props)
        body["resourceGroup"] = "rg-net"
    else:
        body["properties"] = props
    return body

def child(name, id_, props, flat):
    b = {"name": name, "id": id_}
    if flat:
        b.update(props)
    else:
        b["properties"] = props
    return b

def vnet(name, space, subnets, peerings=(), flat=False):
    """subnets: [(name, prefix, nsg|None, rt|None)], peerings: [(remote, flags dict)]"""
    sn = []
    for (s, prefix, nsg, rt) in subnets:
        p = {"addressPrefix": prefix}
        if nsg: p["networkSecurityGroup"] = ref("networkSecurityGroups", nsg)
        if rt: p["routeTable"] = ref("routeTables", rt)
        sn.append(child(s, rid("virtualNetworks", name, "subnets", s), p, flat))
    pe = []
    for (remote, flags) in peerings:
        p = {"remoteVirtualNetwork": ref("virtualNetworks", remote), "peeringState": "Connected",
             "allowVirtualNetworkAccess": True, "allowForwardedTraffic": False,
             "allowGatewayTransit": False, "useRemoteGateways": False}
        p.update(flags)
        pe.append(child(f"{name}-to-{remote}", rid("virtualNetworks", name, "virtualNetworkPeerings", f"{name}-to-{remote}"), p, flat))
    return res("virtualNetworks", "virtualNetworks", name,
               {"addressSpace": {"addressPrefixes": space}, "subnets": sn, "virtualNetworkPeerings": pe}, flat)

def nsg(name, rules, flat=False):
    """rules: (name, prio, dir, access, proto, src, dst, dport)"""
    rs = []
    for (n, prio, d, acc, proto, src, dst, dport) in rules:
        p = {"priority": prio, "direction": d, "access": acc, "protocol": proto,
             "sourcePortRange": "*", "destinationPortRange": dport}
        for key, v in (("source", src), ("destination", dst)):
            if isinstance(v, str) and v.startswith("ASG:"):
                p[key + "ApplicationSecurityGroups"] = [ref("applicationSecurityGroups", v[4:])]
            elif isinstance(v, list):
                p[key + "AddressPrefixes"] = v
            else:
                p[key + "AddressPrefix"] = v
        rs.append(child(n, rid("networkSecurityGroups", name, "securityRules", n), p, flat))
    return res("networkSecurityGroups", "networkSecurityGroups", name, {"securityRules": rs}, flat)

def rt(name, routes, disable_bgp=False, flat=False):
    rs = []
    for (n, prefix, hop, ip) in routes:
        p = {"addressPrefix": prefix, "nextHopType": hop}
        if ip: p["nextHopIpAddress"] = ip
        rs.append(child(n, rid("routeTables", name, "routes", n), p, flat))
    return res("routeTables", "routeTables", name, {"routes": rs, "disableBgpRoutePropagation": disable_bgp}, flat)

def nic(name, vnet_, subnet, ip, nsg_=None, forwarding=False, pip=None, flat=False, asgs=()):
    ipc = {"privateIPAddress": ip, "privateIPAllocationMethod": "Static",
           "subnet": ref("virtualNetworks", vnet_, "subnets", subnet), "primary": True}
    if pip: ipc["publicIPAddress"] = ref("publicIPAddresses", pip)
    if asgs: ipc["applicationSecurityGroups"] = [ref("applicationSecurityGroups", a) for a in asgs]
    p = {"ipConfigurations": [child("ipconfig1", rid("networkInterfaces", name, "ipConfigurations", "ipconfig1"), ipc, flat)],
         "enableIPForwarding": forwarding,
         "virtualMachine": {"id": SUB.replace("Microsoft.Network", "Microsoft.Compute") + "/virtualMachines/" + name.removesuffix("-nic")}}
    if nsg_: p["networkSecurityGroup"] = ref("networkSecurityGroups", nsg_)
    return res("networkInterfaces", "networkInterfaces", name, p, flat)

def pip(name, addr, bound_kind, bound_name, ipconf):
    return res("publicIPAddresses", "publicIPAddresses", name,
               {"ipAddress": addr, "publicIPAllocationMethod": "Static",
                "ipConfiguration": {"id": rid(bound_kind, bound_name, "ipConfigurations", ipconf)}}, False)

def firewall(name, vnet_, ip, policy, pip_name=None):
    ipc = {"privateIPAddress": ip, "subnet": ref("virtualNetworks", vnet_, "subnets", "AzureFirewallSubnet")}
    if pip_name: ipc["publicIPAddress"] = ref("publicIPAddresses", pip_name)
    return res("azureFirewalls", "azureFirewalls", name,
               {"sku": {"name": "AZFW_VNet", "tier": "Standard"},
                "ipConfigurations": [{"name": "ipconfig", "id": rid("azureFirewalls", name, "ipConfigurations", "ipconfig"), "properties": ipc}],
                "firewallPolicy": ref("firewallPolicies", policy)}, False)

def policy(name, groups):
    """groups: [(gname, prio, [collection dicts])]"""
    out = [res("firewallPolicies", "firewallPolicies", name,
               {"ruleCollectionGroups": [ref("firewallPolicies", name, "ruleCollectionGroups", g[0]) for g in groups]}, False)]
    for (g, prio, colls) in groups:
        b = {"name": g, "id": rid("firewallPolicies", name, "ruleCollectionGroups", g),
             "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
             "properties": {"priority": prio, "ruleCollections": colls}}
        out.append(b)
    return out

def net_coll(name, prio, action, rules):
    return {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": name, "priority": prio,
            "action": {"type": action},
            "rules": [{"ruleType": "NetworkRule", "name": n, "sourceAddresses": s, "destinationAddresses": d,
                       "ipProtocols": pr, "destinationPorts": ports} for (n, s, d, pr, ports) in rules]}

def nat_coll(name, prio, rules):
    return {"ruleCollectionType": "FirewallPolicyNatRuleCollection", "name": name, "priority": prio,
            "action": {"type": "DNAT"},
            "rules": [{"ruleType": "NatRule", "name": n, "sourceAddresses": s, "destinationAddresses": d,
                       "ipProtocols": ["TCP"], "destinationPorts": [port], "translatedAddress": ta,
                       "translatedPort": tp} for (n, s, d, port, ta, tp) in rules]}

def write(case, files):
    d = os.path.join("tests/azure", case, "input")
    os.makedirs(d, exist_ok=True)
    for fname, content in files.items():
        with open(os.path.join(d, fname), "w") as f:
            if isinstance(content, str):  # tusk.yaml, written as users write it
                f.write(content)
                continue
            json.dump(content, f, indent=2)
            f.write("\n")

HUB_FW_IP = "10.0.1.4"
FWD = {"allowForwardedTraffic": True}

def fig3(case, spoke2_udr=True, hub_vm_udr=False):
    """Figure 3: East-West traffic with the hub (and its firewall) in the middle."""
    spoke_nsg_rules = [("allow-https-in", 200, "Inbound", "Allow", "Tcp", "10.0.0.0/8", "*", "443"),
                       ("allow-internal-out", 200, "Outbound", "Allow", "*", "*", "10.0.0.0/8", "*")]
    files = {
        "vnets.json": {"value": [
            vnet("hub", ["10.0.0.0/16"], [("AzureFirewallSubnet", "10.0.1.0/26", None, None),
                                          ("shared", "10.0.2.0/24", None, "rt-shared" if hub_vm_udr else None)],
                 [("spoke1", FWD), ("spoke2", FWD)]),
            vnet("spoke1", ["10.1.0.0/16"], [("aks-nodes", "10.1.0.0/22", "nsg-spoke1", "rt-spoke1")], [("hub", FWD)], flat=True),
            vnet("spoke2", ["10.2.0.0/16"], [("aks-nodes", "10.2.0.0/22", "nsg-spoke2", "rt-spoke2" if spoke2_udr else None)], [("hub", FWD)], flat=True),
        ]},
        "nsgs.json": [nsg("nsg-spoke1", spoke_nsg_rules, flat=True), nsg("nsg-spoke2", spoke_nsg_rules, flat=True)],
        "routes.json": [rt("rt-spoke1", [("default-via-fw", "0.0.0.0/0", "VirtualAppliance", HUB_FW_IP)], disable_bgp=True)]
                       + ([rt("rt-spoke2", [("default-via-fw", "0.0.0.0/0", "VirtualAppliance", HUB_FW_IP)], disable_bgp=True)] if spoke2_udr else [])
                       + ([rt("rt-shared", [("spoke1-via-fw", "10.1.0.0/16", "VirtualAppliance", HUB_FW_IP)])] if hub_vm_udr else []),
        "nics.json": {"value": [
            nic("spoke1-node-nic", "spoke1", "aks-nodes", "10.1.0.4", flat=True),
            nic("spoke2-node-nic", "spoke2", "aks-nodes", "10.2.0.4", flat=True),
            nic("hub-vm-nic", "hub", "shared", "10.0.2.4"),
        ]},
        "firewall.json": {"value": [firewall("fw-hub", "hub", HUB_FW_IP, "fwpol-hub", "pip-fw-hub"),
                                    pip("pip-fw-hub", "20.50.60.70", "azureFirewalls", "fw-hub", "ipconfig")]
                          + policy("fwpol-hub", [("east-west", 200, [
                              net_coll("spoke-to-spoke", 100, "Allow", [("spokes-https", ["10.1.0.0/16", "10.2.0.0/16"], ["10.1.0.0/16", "10.2.0.0/16"], ["TCP"], ["443"])]),
                              net_coll("hub-to-spokes", 110, "Allow", [("hub-https", ["10.0.2.0/24"], ["10.1.0.0/16", "10.2.0.0/16"], ["TCP"], ["443"])]),
                          ]), ("egress", 300, [
                              net_coll("web-out", 100, "Allow", [("https-out", ["10.1.0.0/16"], ["*"], ["TCP"], ["443"])]),
                          ])])},
    }
    write(case, files)

HUB_NVA_IP = "10.0.3.4"

NVA_CONFIG = """\
# The hub NVA's rules: no Azure export holds them (they are vendor-specific).
apiVersion: tusk.dev/v1alpha1
kind: TuskConfig
nvas:
- nic: hub-nva-nic
  stateful: true
  rules:
  - name: no-ssh-between-spokes
    action: deny
    source: [10.0.0.0/8]
    destination: [10.0.0.0/8]
    protocol: tcp
    ports: ["22"]
  - name: spokes-to-web
    action: allow
    source: [10.1.0.0/16]
    destination: [10.2.0.0/16]
    protocol: tcp
    ports: ["443", "8000-8080"]
"""

def fig3_nva(case, config=True):
    """Figure 3 with a generic NVA (a VM NIC with IP forwarding) in the hub
    instead of Azure Firewall; its rules come from tusk.yaml, or are unknown
    without it."""
    spoke_nsg_rules = [("allow-https-in", 200, "Inbound", "Allow", "Tcp", "10.0.0.0/8", "*", "443"),
                       ("allow-internal-out", 200, "Outbound", "Allow", "*", "*", "10.0.0.0/8", "*")]
    files = {
        "vnets.json": {"value": [
            vnet("hub", ["10.0.0.0/16"], [("nva", "10.0.3.0/24", None, None)], [("spoke1", FWD), ("spoke2", FWD)]),
            vnet("spoke1", ["10.1.0.0/16"], [("aks-nodes", "10.1.0.0/22", "nsg-spoke1", "rt-spoke1")], [("hub", FWD)], flat=True),
            vnet("spoke2", ["10.2.0.0/16"], [("aks-nodes", "10.2.0.0/22", "nsg-spoke2", "rt-spoke2")], [("hub", FWD)], flat=True),
        ]},
        "nsgs.json": [nsg("nsg-spoke1", spoke_nsg_rules, flat=True), nsg("nsg-spoke2", spoke_nsg_rules, flat=True)],
        "routes.json": [rt(f"rt-{s}", [("default-via-nva", "0.0.0.0/0", "VirtualAppliance", HUB_NVA_IP)], disable_bgp=True)
                        for s in ("spoke1", "spoke2")],
        "nics.json": {"value": [
            nic("spoke1-node-nic", "spoke1", "aks-nodes", "10.1.0.4", flat=True),
            nic("spoke2-node-nic", "spoke2", "aks-nodes", "10.2.0.4", flat=True),
            nic("hub-nva-nic", "hub", "nva", HUB_NVA_IP, forwarding=True),
        ]},
    }
    if config:
        files["tusk.yaml"] = NVA_CONFIG
    write(case, files)

def fig1(case):
    """Figure 1: multiple hubs. The spoke's tiers talk through system routes
    under NSGs; North (egress) and South (ingress) hubs each have a firewall."""
    files = {
        "vnets.json": [
            vnet("hub-north", ["10.100.0.0/16"], [("AzureFirewallSubnet", "10.100.1.0/26", None, None)], [("app", FWD)]),
            vnet("hub-south", ["10.101.0.0/16"], [("AzureFirewallSubnet", "10.101.1.0/26", None, None)], [("app", FWD)]),
            vnet("app", ["10.10.0.0/16"], [("web", "10.10.1.0/24", "nsg-web", "rt-app"), ("api", "10.10.2.0/24", "nsg-api", "rt-app"),
                                           ("db", "10.10.3.0/24", "nsg-db", "rt-app")],
                 [("hub-north", FWD), ("hub-south", FWD)]),
        ],
        "nsgs.json": [
            nsg("nsg-web", [("allow-https-from-south-fw", 100, "Inbound", "Allow", "Tcp", "10.101.1.0/26", "10.10.1.0/24", "443")]),
            nsg("nsg-api", [("allow-web", 100, "Inbound", "Allow", "Tcp", "10.10.1.0/24", "10.10.2.0/24", "8080"),
                            ("deny-vnet", 4000, "Inbound", "Deny", "*", "VirtualNetwork", "VirtualNetwork", "*")]),
            nsg("nsg-db", [("allow-api", 100, "Inbound", "Allow", "Tcp", "10.10.2.0/24", "10.10.3.0/24", "1433"),
                           ("deny-vnet", 4000, "Inbound", "Deny", "*", "VirtualNetwork", "VirtualNetwork", "*")]),
        ],
        "routes.json": [rt("rt-app", [("north-egress", "0.0.0.0/0", "VirtualAppliance", "10.100.1.4")])],
        "nics.json": [nic("web-vm-nic", "app", "web", "10.10.1.4"), nic("api-vm-nic", "app", "api", "10.10.2.4"),
                      nic("db-vm-nic", "app", "db", "10.10.3.4")],
        "firewalls.json": [firewall("fw-north", "hub-north", "10.100.1.4", "fwpol-north", "pip-north"),
                           pip("pip-north", "20.1.1.1", "azureFirewalls", "fw-north", "ipconfig"),
                           firewall("fw-south", "hub-south", "10.101.1.4", "fwpol-south", "pip-south"),
                           pip("pip-south", "20.2.2.2", "azureFirewalls", "fw-south", "ipconfig")]
                          + policy("fwpol-north", [("egress", 200, [net_coll("out", 100, "Allow", [("https-out", ["10.10.0.0/16"], ["*"], ["TCP"], ["443"])])])])
                          + policy("fwpol-south", [("ingress", 100, [nat_coll("publish-web", 100, [("web-https", ["*"], ["20.2.2.2"], "443", "10.10.1.4", "443")])])]),
    }
    write(case, files)

def fig2(case):
    """Figure 2: a single hub; inside the application's VNet, East-West
    traffic between tiers is also sent to the hub firewall by UDRs."""
    files = {
        "vnets.json": [
            vnet("hub", ["10.0.0.0/16"], [("AzureFirewallSubnet", "10.0.1.0/26", None, None)], [("app", FWD)]),
            vnet("app", ["10.10.0.0/16"], [("web", "10.10.1.0/24", None, "rt-web"), ("api", "10.10.2.0/24", "nsg-api", "rt-api")], [("hub", FWD)]),
        ],
        "nsgs.json": [nsg("nsg-api", [("allow-8080", 100, "Inbound", "Allow", "Tcp", "10.10.1.0/24", "*", "8080")])],
        "routes.json": [rt("rt-web", [("api-via-fw", "10.10.2.0/24", "VirtualAppliance", HUB_FW_IP), ("default", "0.0.0.0/0", "VirtualAppliance", HUB_FW_IP)]),
                        rt("rt-api", [("web-via-fw", "10.10.1.0/24", "VirtualAppliance", HUB_FW_IP), ("default", "0.0.0.0/0", "VirtualAppliance", HUB_FW_IP)])],
        "nics.json": [nic("web-vm-nic", "app", "web", "10.10.1.4"), nic("api-vm-nic", "app", "api", "10.10.2.4")],
        "firewall.json": [firewall("fw-hub", "hub", HUB_FW_IP, "fwpol-child")]
                         + policy("fwpol-base", [("base", 100, [net_coll("block-db-ports", 100, "Deny", [("no-1433", ["*"], ["*"], ["TCP"], ["1433"])])])])
                         + policy("fwpol-child", [("tiers", 100, [net_coll("web-to-api", 100, "Allow", [("web-api", ["10.10.1.0/24"], ["10.10.2.0/24"], ["TCP"], ["8080", "1433"])])])]),
    }
    # The child policy inherits from the base policy: the parent's rules go first.
    files["firewall.json"][-2]["properties"]["basePolicy"] = ref("firewallPolicies", "fwpol-base")
    write(case, files)

def route_doc(case):
    """The routing example of "Virtual network traffic routing": Subnet1's
    route table and the effective routes the doc lists for it."""
    files = {
        "vnets.json": [
            vnet("Virtual-network-1", ["10.0.0.0/16"], [("Subnet1", "10.0.0.0/24", None, "Subnet1-rt"),
                                                       ("Subnet2", "10.0.1.0/24", None, None),
                                                       ("GatewaySubnet", "10.0.255.0/27", None, None)],
                 [("Virtual-network-2", {})]),
            vnet("Virtual-network-2", ["10.1.0.0/16", "10.2.0.0/16"], [("Subnet1", "10.1.0.0/24", None, None)], [("Virtual-network-1", {})]),
        ],
        "routes.json": [rt("Subnet1-rt", [("Within-VNet1", "10.0.0.0/16", "VirtualAppliance", "10.0.100.4"),
                                          ("Within-Subnet1", "10.0.0.0/24", "VnetLocal", None),
                                          ("ToVNet2-1-Drop", "10.1.0.0/16", "None", None),
                                          ("ToVNet2-2-Drop", "10.2.0.0/16", "None", None),
                                          ("To-On-Prem", "10.10.0.0/16", "VirtualAppliance", "10.0.100.4"),
                                          ("Default-NVA", "0.0.0.0/0", "VirtualAppliance", "10.0.100.4")])],
        "gateway.json": [
            res("virtualNetworkGateways", "virtualNetworkGateways", "vgw", {
                "gatewayType": "Vpn", "vpnType": "RouteBased",
                "ipConfigurations": [{"name": "default", "id": rid("virtualNetworkGateways", "vgw", "ipConfigurations", "default"),
                                      "properties": {"privateIPAddress": "10.0.255.4", "subnet": ref("virtualNetworks", "Virtual-network-1", "subnets", "GatewaySubnet")}}]}, False),
            res("localNetworkGateways", "localNetworkGateways", "onprem", {"gatewayIpAddress": "198.51.100.1", "localNetworkAddressSpace": {"addressPrefixes": ["10.10.0.0/16"]}}, False),
            res("connections", "connections", "vgw-to-onprem", {"connectionType": "IPsec", "virtualNetworkGateway1": ref("virtualNetworkGateways", "vgw"), "localNetworkGateway2": ref("localNetworkGateways", "onprem")}, False),
        ],
        "nics.json": [nic("vm1-nic", "Virtual-network-1", "Subnet1", "10.0.0.4"), nic("vm2-nic", "Virtual-network-1", "Subnet2", "10.0.1.4"),
                      nic("nva-nic", "Virtual-network-1", "Subnet2", "10.0.100.4", forwarding=True)],
    }
    # The NVA lives at 10.0.100.4; give Subnet2 a range that holds it.
    files["vnets.json"][0]["properties"]["subnets"][1]["properties"]["addressPrefix"] = "10.0.100.0/24"
    files["nics.json"][1]["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"] = "10.0.100.5"
    write(case, files)

def nsg_doc(case):
    """The example of "How network security groups filter network traffic":
    VM1 (Subnet1 with NSG1, NIC with NSG2), VM2 (Subnet1, no NIC NSG), VM3
    (Subnet2 without NSG, NIC with NSG2), VM4 (Subnet3, no NSG). NSG1 allows
    port 80 from the Internet; NSG2 has only default rules."""
    files = {
        "vnet.json": vnet("vnet1", ["10.0.0.0/16"], [("Subnet1", "10.0.1.0/24", "NSG1", None), ("Subnet2", "10.0.2.0/24", None, None),
                                                    ("Subnet3", "10.0.3.0/24", None, None)]),
        "nsgs.json": [nsg("NSG1", [("allow-http-in", 100, "Inbound", "Allow", "Tcp", "Internet", "*", "80")]), nsg("NSG2", [])],
        "nics.json": [nic("vm1-nic", "vnet1", "Subnet1", "10.0.1.4", nsg_="NSG2", pip="pip-vm1"),
                      nic("vm2-nic", "vnet1", "Subnet1", "10.0.1.5", pip="pip-vm2"),
                      nic("vm3-nic", "vnet1", "Subnet2", "10.0.2.4", nsg_="NSG2", pip="pip-vm3"),
                      nic("vm4-nic", "vnet1", "Subnet3", "10.0.3.4", pip="pip-vm4")],
        "pips.json": [pip(f"pip-vm{i}", f"52.0.0.{i}", "networkInterfaces", f"vm{i}-nic", "ipconfig1") for i in range(1, 5)],
    }
    write(case, files)

def nic_groups(case):
    """Issue 8, A8: NICs of one subnet that the controls treat differently.
    `app`: app-1 and app-3 admit 443, app-2's NIC NSG denies it; `db`: the
    subnet NSG denies 443 to the ASG that holds db-2 only; `svc`: the subnet
    NSG denies 443 to svc-2's address only. From `web`, each of the three
    subnets is reachable for some NICs and not for others: `reach` must say
    mixed, where one NIC per subnet (the lowest address) would say allowed."""
    files = {
        "vnet.json": vnet("vnet1", ["10.0.0.0/16"], [("web", "10.0.1.0/24", None, None), ("app", "10.0.2.0/24", None, None),
                                                    ("db", "10.0.3.0/24", "nsg-db", None), ("svc", "10.0.4.0/24", "nsg-svc", None)]),
        "nsgs.json": [nsg("nsg-open", []),
                      nsg("nsg-locked", [("deny-https-in", 100, "Inbound", "Deny", "Tcp", "*", "*", "443")]),
                      nsg("nsg-db", [("deny-https-quarantine", 100, "Inbound", "Deny", "Tcp", "*", "ASG:asg-quarantine", "443")]),
                      nsg("nsg-svc", [("deny-https-svc2", 100, "Inbound", "Deny", "Tcp", "*", "10.0.4.5/32", "443")])],
        "asgs.json": [res("applicationSecurityGroups", "applicationSecurityGroups", "asg-quarantine", {}, False)],
        "nics.json": [nic("web-1-nic", "vnet1", "web", "10.0.1.4"),
                      nic("app-1-nic", "vnet1", "app", "10.0.2.4", nsg_="nsg-open"),
                      nic("app-2-nic", "vnet1", "app", "10.0.2.5", nsg_="nsg-locked"),
                      nic("app-3-nic", "vnet1", "app", "10.0.2.6"),
                      nic("db-1-nic", "vnet1", "db", "10.0.3.4"),
                      nic("db-2-nic", "vnet1", "db", "10.0.3.5", asgs=["asg-quarantine"]),
                      nic("svc-1-nic", "vnet1", "svc", "10.0.4.4"),
                      nic("svc-2-nic", "vnet1", "svc", "10.0.4.5")],
    }
    write(case, files)

if __name__ == "__main__":
    fig3("fig3-hub-spoke")
    fig3("fig3-spoke-without-udr", spoke2_udr=False)
    fig3("fig3-asymmetric-return", hub_vm_udr=True)
    fig3_nva("fig3-nva")
    fig3_nva("fig3-nva-without-config", config=False)
    fig1("fig1-multiple-hubs")
    fig2("fig2-single-hub")
    route_doc("doc-routing-example")
    nsg_doc("doc-nsg-example")
    nic_groups("nic-groups-mixed")
