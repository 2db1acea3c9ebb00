//! Alias chains in private DNS (`tests/azure/privatelink-cname-chain`):
//! CNAME record sets of linked zones and Azure's public CNAME from a
//! service's public name into its `privatelink.` zone ("Azure Private
//! Endpoint DNS configuration", private-link/private-endpoint-dns). The
//! traces themselves are in the case's `expect.json` (`azure_cases`);
//! here, what the resolver says on stderr and the unknown chains, which
//! exit 2 with the reason. A Terraform state carrying the same records
//! (`azurerm_private_dns_cname_record`) resolves the same way.

use std::path::{Path, PathBuf};
use std::process::Command;

fn case() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/azure/privatelink-cname-chain/input")
}

fn trace(dir: &Path, to: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tusk"))
        .arg("trace")
        .arg(dir)
        .args(["--from", "spoke1-node", "--to", to, "--port", "5432", "-o", "json"])
        .output()
        .expect("tusk runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_chain_through_a_record_and_the_public_cname_reaches_the_endpoint() {
    let (code, out, err) = trace(&case(), "files.corp.internal");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("files.corp.internal is a CNAME to pg1.postgres.database.azure.com (CNAME record at"),
        "{err}"
    );
    assert!(
        err.contains("pg1.postgres.database.azure.com is a CNAME to pg1.privatelink.postgres.database.azure.com"),
        "{err}"
    );
    assert!(err.contains("resolves to 10.2.0.50 from VNet spoke1"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["flow"]["dst"], "10.2.0.50", "{out}");
}

#[test]
fn loops_and_chains_leaving_the_zones_are_unknown() {
    let (code, _, err) = trace(&case(), "loop-a.corp.internal");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("its address is unknown: its alias chain is longer than 8 (or loops)"), "{err}");
    let (code, _, err) = trace(&case(), "away.corp.internal");
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("its alias chain reaches www.example.org, which no zone linked to VNet spoke1 covers"),
        "{err}"
    );
    // No record under the privatelink zone for this server: unknown, not
    // the public address (it may have no private endpoint).
    let (code, _, err) = trace(&case(), "pg9.postgres.database.azure.com");
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "zone privatelink.postgres.database.azure.com is linked to VNet spoke1 but the inputs hold no A record"
        ),
        "{err}"
    );
}

/// The case with a DNS forwarding ruleset and a private link service in
/// spoke2's node subnet (both read but not modelled).
fn with_unmodelled() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(case()).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    let subnet = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/spoke2/subnets/aks-nodes";
    let resolver = format!(
        r#"[{{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/dnsForwardingRulesets/rs", "type": "Microsoft.Network/dnsForwardingRulesets", "properties": {{}}}},
 {{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/privateLinkServices/pls", "type": "Microsoft.Network/privateLinkServices",
  "properties": {{"ipConfigurations": [{{"name": "c", "properties": {{"privateIPAddress": "10.2.0.77", "subnet": {{"id": "{subnet}"}}}}}}]}}}}]"#
    );
    std::fs::write(dir.path().join("resolver.json"), resolver).unwrap();
    dir
}

#[test]
fn a_forwarding_ruleset_and_a_private_link_service_are_named_by_their_kind() {
    let dir = with_unmodelled();
    let (code, _, err) = trace(dir.path(), "files.corp.internal");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("its address is unknown: DNS private resolver forwarding ("), "{err}");
    assert!(err.contains("resolver.json:1:2) may forward it elsewhere"), "{err}");
    let (code, out, err) = trace(dir.path(), "10.2.0.77");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("10.2.0.77 may be held by private link service pls ("), "{out}");
}
