//! `tusk trace --fqdn` on a flow that starts at a pod (issue 10 item 4 on
//! the joined path): the name reaches the Azure leg, so the hub firewall's
//! application rules decide pod egress as they decide a VM's. The estate is
//! the article's kubenet example with its network rule narrowed to port 80
//! and one application rule allowing `github.com` on HTTPS; Azure Firewall
//! applies network rules before application rules and denies what none
//! admits ('Azure Firewall rule processing logic', firewall/rule-processing).
//! Before, the joined trace dropped `--fqdn`, so the answer stayed unknown
//! whatever name was given.

use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// The patched estate in a fresh folder.
fn estate() -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/article/kubenet");
    let dir = tempfile::tempdir().unwrap();
    for f in ["cluster.json", "tusk.yaml"] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    std::fs::create_dir(dir.path().join("k8s")).unwrap();
    for f in ["policies.yaml", "workloads.yaml"] {
        std::fs::copy(src.join("k8s").join(f), dir.path().join("k8s").join(f)).unwrap();
    }
    let mut net: Value = serde_json::from_str(&std::fs::read_to_string(src.join("network.json")).unwrap()).unwrap();
    let fw = net["value"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["type"] == "Microsoft.Network/azureFirewalls")
        .unwrap();
    fw["properties"]["networkRuleCollections"][0]["properties"]["rules"][0]["destinationPorts"] = json!(["80"]);
    fw["properties"]["applicationRuleCollections"] = json!([{
        "name": "aks-fqdn",
        "properties": {
            "priority": 200,
            "action": {"type": "Allow"},
            "rules": [{
                "name": "github",
                "protocols": [{"protocolType": "Https", "port": 443}],
                "sourceAddresses": ["10.1.0.0/16"],
                "targetFqdns": ["github.com"]
            }]
        }
    }]);
    std::fs::write(dir.path().join("network.json"), serde_json::to_string_pretty(&net).unwrap()).unwrap();
    dir
}

/// The verdict line of `tusk trace` from pod t1/web to a public address on
/// 443, with `extra` arguments.
fn verdict(dir: &Path, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tusk"))
        .arg("trace")
        .arg(dir)
        .args(["--from", "workload:t1/web", "--to", "internet:140.82.112.3", "--port", "443"])
        .args(extra)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.lines().find(|l| l.starts_with("verdict:")).unwrap_or_else(|| panic!("no verdict: {text}")).to_string()
}

#[test]
fn the_name_given_decides_the_firewall_application_rule_for_pod_egress() {
    let dir = estate();
    assert_eq!(verdict(dir.path(), &["--fqdn", "github.com"]), "verdict: ALLOWED");
    assert_eq!(verdict(dir.path(), &["--fqdn", "example.org"]), "verdict: DENIED");
    // Without a name, only an application rule could admit it: unknown.
    assert_eq!(verdict(dir.path(), &[]), "verdict: UNKNOWN");
}
