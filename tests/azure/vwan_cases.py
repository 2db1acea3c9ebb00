#!/usr/bin/env python3
"""Writes the inputs of the Virtual WAN fixture estates, tests/azure/vwan-*/input/.

Each estate follows one of Microsoft's Virtual WAN routing pages
(virtual-wan/about-virtual-hub-routing, scenario-any-to-any,
scenario-isolate-vnets, scenario-route-through-nva,
how-to-routing-policies). Resources are in the ARM/REST shape
(`az network vhub ... show` prints the same bodies). The expected verdicts
live in each case's expect.json, checked by hand against those pages.
Run from the repository root: python3 tests/azure/vwan_cases.py
"""
import sys, os
sys.path.insert(0, os.path.dirname(__file__))
from make_cases import rid, ref, res, vnet, nic, rt, write, net_coll

HUB = "hub1"
FW = "fw-hub1"


def wan(kind="Standard"):
    return res("virtualWans", "virtualWans", "vwan", {"type": kind, "allowBranchToBranchTraffic": True}, False)


def hub(firewall=False):
    p = {"addressPrefix": "10.100.0.0/23", "virtualWan": ref("virtualWans", "vwan"), "sku": "Standard"}
    if firewall:
        p["azureFirewall"] = ref("azureFirewalls", FW)
    return res("virtualHubs", "virtualHubs", HUB, p, False)


def conn(name, vnet_, internet_security=True, routing=None):
    p = {"remoteVirtualNetwork": ref("virtualNetworks", vnet_), "enableInternetSecurity": internet_security}
    if routing is not None:
        p["routingConfiguration"] = routing
    return {"name": name, "id": rid("virtualHubs", HUB, "hubVirtualNetworkConnections", name),
            "type": "Microsoft.Network/virtualHubs/hubVirtualNetworkConnections", "properties": p}


def table_id(name):
    return rid("virtualHubs", HUB, "hubRouteTables", name)


def route_table(name, labels, routes):
    """routes: [(name, [destinations], next hop id)]"""
    rs = [{"name": n, "destinationType": "CIDR", "destinations": d, "nextHopType": "ResourceId", "nextHop": h}
          for (n, d, h) in routes]
    return {"name": name, "id": table_id(name), "type": "Microsoft.Network/virtualHubs/hubRouteTables",
            "properties": {"labels": labels, "routes": rs}}


def routing(associated, ids, labels, static_routes=None):
    r = {"associatedRouteTable": {"id": table_id(associated)},
         "propagatedRouteTables": {"ids": [{"id": table_id(i)} for i in ids], "labels": labels}}
    if static_routes is not None:
        r["vnetRoutes"] = {"staticRoutes": static_routes, "staticRoutesConfig": {"propagateStaticRoutes": False}}
    return r


def spoke(name, space, vm_ip):
    sub = space.replace("0.0/16", "1.0/24")
    return [vnet(name, [space], [("workload", sub, None, None)]), nic(f"{name}-vm-nic", name, "workload", vm_ip)]


def hub_firewall():
    """A secured hub's firewall: no subnet, its address under hubIPAddresses."""
    return res("azureFirewalls", "azureFirewalls", FW, {
        "sku": {"name": "AZFW_Hub", "tier": "Standard"},
        "virtualHub": ref("virtualHubs", HUB),
        "hubIPAddresses": {"privateIPAddress": "10.100.0.132", "publicIPs": {"count": 1}},
        "firewallPolicy": ref("firewallPolicies", "fw-policy")}, False)


def fw_policy():
    group = "rcg-vwan"
    rules = net_coll("allow-spokes", 200, "Allow", [
        ("spoke1-to-spoke2-https", ["10.1.0.0/16"], ["10.2.0.0/16"], ["TCP"], ["443"]),
        ("spoke2-to-spoke1-https", ["10.2.0.0/16"], ["10.1.0.0/16"], ["TCP"], ["443"]),
        ("spokes-to-internet-https", ["10.1.0.0/16", "10.2.0.0/16"], ["*"], ["TCP"], ["443"]),
    ])
    return [
        res("firewallPolicies", "firewallPolicies", "fw-policy",
            {"ruleCollectionGroups": [ref("firewallPolicies", "fw-policy", "ruleCollectionGroups", group)]}, False),
        {"name": group, "id": rid("firewallPolicies", "fw-policy", "ruleCollectionGroups", group),
         "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
         "properties": {"priority": 200, "ruleCollections": [rules]}},
    ]


def spokes():
    return spoke("spoke1", "10.1.0.0/16", "10.1.1.4") + spoke("spoke2", "10.2.0.0/16", "10.2.1.4")


def any_to_any():
    # scenario-any-to-any: every connection associates and propagates to the
    # default route table (no routingConfiguration written).
    write("vwan-any-to-any", {
        "vwan.json": [wan(), hub(), conn("conn-spoke1", "spoke1"), conn("conn-spoke2", "spoke2")],
        "spokes.json": spokes(),
    })


def isolate():
    # scenario-isolate-vnets: spokes associate to RT_SPOKES, which only the
    # shared VNet propagates to; spokes propagate to the default table only.
    spoke_rt = routing("RT_SPOKES", ["defaultRouteTable"], ["default"])
    shared_rt = routing("defaultRouteTable", ["defaultRouteTable", "RT_SPOKES"], ["default", "spokes"])
    write("vwan-isolate", {
        "vwan.json": [
            wan(), hub(),
            route_table("defaultRouteTable", ["default"], []),
            route_table("RT_SPOKES", ["spokes"], []),
            conn("conn-spoke1", "spoke1", routing=spoke_rt),
            conn("conn-spoke2", "spoke2", routing=spoke_rt),
            conn("conn-shared", "shared", routing=shared_rt),
        ],
        "spokes.json": spokes() + spoke("shared", "10.3.0.0/16", "10.3.1.4"),
    })


def secured_hub_intent():
    # how-to-routing-policies: Private and Internet policies to the hub's firewall.
    fw_id = rid("azureFirewalls", FW)
    intent = {"name": "intent", "id": rid("virtualHubs", HUB, "routingIntent", "intent"),
              "type": "Microsoft.Network/virtualHubs/routingIntent",
              "properties": {"routingPolicies": [
                  {"name": "PrivateTrafficPolicy", "destinations": ["PrivateTraffic"], "nextHop": fw_id},
                  {"name": "InternetTrafficPolicy", "destinations": ["Internet"], "nextHop": fw_id}]}}
    write("vwan-secured-hub", {
        "vwan.json": [wan(), hub(firewall=True), conn("conn-spoke1", "spoke1"), conn("conn-spoke2", "spoke2"), intent],
        "firewall.json": [hub_firewall()] + fw_policy(),
        "spokes.json": spokes(),
    })


def static_to_firewall():
    # Without routing intent: the spokes associate to RT_VNET, whose static
    # routes send private and Internet traffic to the hub's firewall, and
    # propagate to the default table ("About virtual hub routing":
    # static routes win over propagated ones for one prefix).
    fw_id = rid("azureFirewalls", FW)
    spoke_rt = routing("RT_VNET", ["defaultRouteTable"], ["default"])
    write("vwan-static-firewall", {
        "vwan.json": [
            wan(), hub(firewall=True),
            route_table("defaultRouteTable", ["default"], []),
            route_table("RT_VNET", ["vnets"], [("private", ["10.0.0.0/8"], fw_id), ("internet", ["0.0.0.0/0"], fw_id)]),
            conn("conn-spoke1", "spoke1", routing=spoke_rt),
            conn("conn-spoke2", "spoke2", routing=spoke_rt),
        ],
        "firewall.json": [hub_firewall()] + fw_policy(),
        "spokes.json": spokes(),
    })


def nva_spoke():
    # scenario-route-through-nva: the default table sends the indirect
    # spoke's range to the transit VNet's connection, whose static route
    # names the NVA; the indirect spoke is peered with the transit VNet and
    # routes back through the NVA with a user route.
    transit_conn = rid("virtualHubs", HUB, "hubVirtualNetworkConnections", "conn-transit")
    statics = [{"name": "to-nva", "addressPrefixes": ["10.4.0.0/16"], "nextHopIpAddress": "10.3.1.4"}]
    default_rt = routing("defaultRouteTable", ["defaultRouteTable"], ["default"])
    transit_rt = routing("defaultRouteTable", ["defaultRouteTable"], ["default"], statics)
    peer = {"allowForwardedTraffic": True}
    write("vwan-nva-spoke", {
        "vwan.json": [
            wan(), hub(),
            route_table("defaultRouteTable", ["default"], [("indirect", ["10.4.0.0/16"], transit_conn)]),
            conn("conn-spoke1", "spoke1", routing=default_rt),
            conn("conn-transit", "transit", routing=transit_rt),
        ],
        "spokes.json": spoke("spoke1", "10.1.0.0/16", "10.1.1.4") + [
            vnet("transit", ["10.3.0.0/16"], [("nva", "10.3.1.0/24", None, None)], [("spoke4", peer)]),
            nic("transit-nva-nic", "transit", "nva", "10.3.1.4", forwarding=True),
            vnet("spoke4", ["10.4.0.0/16"], [("workload", "10.4.1.0/24", None, "rt-spoke4")], [("transit", peer)]),
            rt("rt-spoke4", [("default-via-nva", "0.0.0.0/0", "VirtualAppliance", "10.3.1.4")]),
            nic("spoke4-vm-nic", "spoke4", "workload", "10.4.1.4"),
        ],
        "tusk.yaml": NVA_CONFIG,
    })


NVA_CONFIG = """\
# The transit NVA's rules (vendor-specific: no Azure export holds them).
apiVersion: tusk.dev/v1alpha1
kind: TuskConfig
nvas:
- nic: transit-nva-nic
  stateful: true
  rules:
  - name: https-to-indirect-spoke
    action: allow
    source: [10.0.0.0/8]
    destination: [10.4.0.0/16]
    protocol: tcp
    ports: ["443"]
"""


def branch():
    # A VPN gateway in the hub learns branch routes by BGP: unknown.
    gw = res("vpnGateways", "vpnGateways", "hub1-vpngw", {"virtualHub": ref("virtualHubs", HUB)}, False)
    write("vwan-branch-unknown", {
        "vwan.json": [wan(), hub(), gw, conn("conn-spoke1", "spoke1"), conn("conn-spoke2", "spoke2")],
        "spokes.json": spokes(),
    })


def basic():
    write("vwan-basic", {
        "vwan.json": [wan("Basic"), hub(), conn("conn-spoke1", "spoke1"), conn("conn-spoke2", "spoke2")],
        "spokes.json": spokes(),
    })


if __name__ == "__main__":
    any_to_any()
    isolate()
    secured_hub_intent()
    static_to_firewall()
    nva_spoke()
    branch()
    basic()
