//! `tusk trace` across real ARM templates of `../shared/realworld/`,
//! evaluated with `--param` (run when present, required when CI=true).

use std::process::Command;
use tusk_testkit::shared;

fn trace(file: &std::path::Path, params: &[&str], from: &str, to: &str, port: &str) -> String {
    let mut args: Vec<String> = vec!["trace".into(), file.display().to_string()];
    for p in params {
        args.push("--param".into());
        args.push(p.to_string());
    }
    args.extend(["--from", from, "--to", to, "--port", port].map(String::from));
    let out = Command::new(env!("CARGO_BIN_EXE_tusk")).args(&args).output().expect("tusk runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

#[test]
fn aks_node_subnet_reaches_the_internet_only_through_the_hub_firewall() {
    let Some(f) = shared("realworld/aks-lza/Bicep/All-in-One-Bicep/main.json") else { return };
    let p = ["aksadminaccessprincipalId=00000000-0000-0000-0000-000000000001"];
    // 10.1.1.10 is in the spoke's `AKS` subnet (spokeSubnetAKSPrefix 10.1.1.0/24).
    let t = trace(&f, &p, "10.1.1.10", "internet:8.8.8.8", "443");
    assert!(t.contains("subnet VNet-SPOKE/AKS"), "{t}");
    assert!(t.contains("VirtualAppliance 10.0.1.4"), "{t}");
    assert!(t.contains("route table AKS-RT `vm-to-internet`"), "{t}");
    assert!(t.contains("firewall    Azure Firewall AZFW"), "{t}");
    // The firewall admits the LZA's egress only by FQDN application rules,
    // so without a name the verdict is unknown, naming the rule.
    assert!(t.contains("verdict: UNKNOWN"), "{t}");
    assert!(t.contains("Allow-ifconfig"), "{t}");
    assert!(t.contains("leaves to the Internet"), "{t}");
}

#[test]
fn the_lza_firewall_decides_egress_by_the_name_the_client_uses() {
    let Some(f) = shared("realworld/aks-lza/Bicep/All-in-One-Bicep/main.json") else { return };
    let p = ["aksadminaccessprincipalId=00000000-0000-0000-0000-000000000001"];
    let named = |name: &str| {
        let mut args: Vec<String> = vec!["trace".into(), f.display().to_string(), "--param".into(), p[0].into()];
        args.extend(
            ["--from", "10.1.1.10", "--to", "internet:93.184.216.34", "--port", "443", "--fqdn", name]
                .map(String::from),
        );
        let out = Command::new(env!("CARGO_BIN_EXE_tusk")).args(&args).output().expect("tusk runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // `ifconfig.co` is a target FQDN of the Helper-tools collection.
    let t = named("ifconfig.co");
    assert!(t.contains("verdict: ALLOWED"), "{t}");
    assert!(t.contains("application rule matched `ifconfig.co`") && t.contains("`Allow-ifconfig`"), "{t}");
    // `*.azurecr.io` of the Registries rule: a left-end wildcard.
    let t = named("myregistry.azurecr.io");
    assert!(t.contains("verdict: ALLOWED") && t.contains("`Registries`"), "{t}");
    // Any other name may still be in the AzureKubernetesService FQDN tag,
    // whose FQDNs Microsoft does not publish as data: unknown, saying so.
    let t = named("example.org");
    assert!(t.contains("verdict: UNKNOWN") && t.contains("AKS-FQDN-TAG") && t.contains("FQDN tag"), "{t}");
}

#[test]
fn enterprise_scale_hub_firewall_denies_by_default() {
    let Some(f) = shared("realworld/enterprise-scale/eslzArm/subscriptionTemplates/hubspoke-connectivity.json") else {
        return;
    };
    let p = [
        "topLevelManagementGroupPrefix=alz",
        "addressPrefix=10.100.0.0/16",
        "location=westeurope",
        "enableHub=vhub",
        "enableAzFw=Yes",
        "connectivitySubscriptionId=11111111-1111-1111-1111-111111111111",
        "subnetMaskForAzFw=10.100.0.0/24",
        "subnetMaskForGw=10.100.2.0/24",
    ];
    let t = trace(&f, &p, "10.100.2.10", "10.100.0.4", "443");
    assert!(t.contains("subnet vnet-hub-alz-prod-westeurope/GatewaySubnet"), "{t}");
    assert!(t.contains("verdict: DENIED") && t.contains("Azure Firewall denies by default"), "{t}");
    assert!(t.contains("hubspoke-connectivity.json:"), "{t}");
}
