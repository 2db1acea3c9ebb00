//! Virtual WAN configurations the docs leave open stay unknown, with the
//! reason (issue 10): each test takes a fixture of tests/azure/vwan-*,
//! changes one thing in a copy, and checks that a flow the fixture decides
//! becomes unknown for that reason, or changes as the docs say.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/azure").join(case).join("input")
}

/// A copy of `case`'s input with `edit` applied to its vwan.json resources.
fn edited(case: &str, tag: &str, edit: impl Fn(&mut Vec<Value>)) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tusk-vwan-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(fixture(case)).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let f = dir.join("vwan.json");
    let mut v: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(&f, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    dir
}

fn trace(input: &Path, to: &str, port: u16) -> Value {
    trace_from(input, "spoke1-vm", to, port)
}

fn trace_from(input: &Path, from: &str, to: &str, port: u16) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tusk"))
        .args(["trace", input.to_str().unwrap(), "--from", from, "--to", to, "--port", &port.to_string()])
        .args(["-o", "json"])
        .output()
        .expect("tusk runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn named<'v>(v: &'v mut [Value], name: &str) -> &'v mut Value {
    v.iter_mut().find(|r| r["name"] == name).unwrap_or_else(|| panic!("no resource {name}"))
}

fn verdict_and_reason(t: &Value) -> (String, String) {
    (t["verdict"].as_str().unwrap().to_string(), t["reason"].to_string())
}

#[test]
fn propagation_by_id_without_a_label_is_open() {
    // "If no label is specified ... the connection will automatically
    // propagate to the 'Default' label" (about-virtual-hub-routing): with
    // the id of RT_SPOKES only, whether spoke2 reaches the default table
    // (the shared VNet's) is open.
    let dir = edited("vwan-isolate", "labels", |v| {
        let c = named(v, "conn-spoke2");
        let p = &mut c["properties"]["routingConfiguration"]["propagatedRouteTables"];
        let id = p["ids"][0]["id"].as_str().unwrap().replace("defaultRouteTable", "RT_SPOKES");
        p["ids"] = serde_json::json!([{ "id": id }]);
        p["labels"] = Value::Array(vec![]);
    });
    let (v, why) = verdict_and_reason(&trace_from(&dir, "shared-vm", "spoke2-vm", 443));
    assert_eq!(v, "unknown", "{why}");
    assert!(why.contains("no label"), "{why}");
}

#[test]
fn the_default_route_needs_enable_internet_security() {
    let unset = edited("vwan-secured-hub", "inetsec-unset", |v| {
        named(v, "conn-spoke1")["properties"].as_object_mut().unwrap().remove("enableInternetSecurity");
    });
    let (v, why) = verdict_and_reason(&trace(&unset, "internet:93.184.216.34", 443));
    assert_eq!(v, "unknown", "{why}");
    assert!(why.contains("enableInternetSecurity"), "{why}");
    // Off: the VNet does not learn the hub's 0.0.0.0/0 and leaves by its
    // own default route, past the firewall (port 80, which the firewall
    // would deny, is allowed).
    let off = edited("vwan-secured-hub", "inetsec-off", |v| {
        named(v, "conn-spoke1")["properties"]["enableInternetSecurity"] = Value::Bool(false);
    });
    let t = trace(&off, "internet:93.184.216.34", 80);
    assert_eq!(t["verdict"], "allowed", "{}", t["reason"]);
    let controls: Vec<&str> =
        t["forward"]["steps"].as_array().unwrap().iter().map(|s| s["control"].as_str().unwrap()).collect();
    assert!(!controls.contains(&"firewall"), "{controls:?}");
}

#[test]
fn two_static_routes_for_one_prefix_are_a_tie() {
    let dir = edited("vwan-static-firewall", "tie", |v| {
        let conn = v.iter().find(|r| r["name"] == "conn-spoke2").unwrap()["id"].clone();
        let rt = named(v, "RT_VNET");
        let routes = rt["properties"]["routes"].as_array_mut().unwrap();
        let mut twin = routes[0].clone();
        twin["name"] = Value::String("private-twin".into());
        twin["nextHop"] = conn;
        routes.push(twin);
    });
    let (v, why) = verdict_and_reason(&trace(&dir, "spoke2-vm", 443));
    assert_eq!(v, "unknown", "{why}");
    assert!(why.contains("two routes"), "{why}");
}

#[test]
fn a_custom_table_missing_from_the_inputs_is_unknown() {
    let dir = edited("vwan-isolate", "missing-table", |v| v.retain(|r| r["name"] != "RT_SPOKES"));
    let (v, why) = verdict_and_reason(&trace(&dir, "shared-vm", 443));
    assert_eq!(v, "unknown", "{why}");
    assert!(why.contains("RT_SPOKES"), "{why}");
}

#[test]
fn a_hub_address_prefix_that_is_no_cidr_is_unknown() {
    let dir = edited("vwan-static-firewall", "bad-prefix", |v| {
        named(v, "hub1")["properties"]["addressPrefix"] = Value::String("10.100.0.0/33".into());
    });
    let (v, why) = verdict_and_reason(&trace(&dir, "spoke2-vm", 443));
    assert_eq!(v, "unknown", "{why}");
    assert!(why.contains("addressPrefix `10.100.0.0/33` is no CIDR"), "{why}");
}

#[test]
fn a_static_route_tusk_cannot_follow_is_unknown_naming_what() {
    // Its next hop is neither the hub's firewall nor a connection (an NVA
    // in the hub): named by the last segment of its resource id.
    let nva = edited("vwan-static-firewall", "nva-next-hop", |v| {
        let rt = named(v, "RT_VNET");
        let hop = rt["properties"]["routes"][0]["nextHop"]
            .as_str()
            .unwrap()
            .replace("azureFirewalls/fw-hub1", "networkVirtualAppliances/nva1");
        rt["properties"]["routes"][0]["nextHop"] = Value::String(hop);
    });
    let (v, why) = verdict_and_reason(&trace(&nva, "spoke2-vm", 443));
    assert_eq!(v, "unknown", "{why}");
    assert!(why.contains("next hop nva1 is neither the hub's Azure Firewall"), "{why}");
    // A destination that is no CIDR: the text as written.
    let bad = edited("vwan-static-firewall", "bad-destination", |v| {
        named(v, "RT_VNET")["properties"]["routes"][0]["destinations"] = serde_json::json!(["10.0.0.0/8", "ten"]);
    });
    let (v, why) = verdict_and_reason(&trace(&bad, "spoke2-vm", 443));
    assert_eq!(v, "unknown", "{why}");
    assert!(why.contains("a static route tusk cannot read (destination `ten`)"), "{why}");
}

#[test]
fn a_hub_with_a_branch_gateway_names_it() {
    let (v, why) = verdict_and_reason(&trace(&fixture("vwan-branch-unknown"), "spoke2-vm", 443));
    assert_eq!(v, "unknown", "{why}");
    assert!(why.contains("branch routes (BGP) through VPN gateway hub1-vpngw"), "{why}");
}
