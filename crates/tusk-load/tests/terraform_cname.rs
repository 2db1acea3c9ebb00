//! `azurerm_private_dns_cname_record` from a state in the documented
//! `terraform show -json` format ("JSON Output Format",
//! developer.hashicorp.com/terraform/internals/json-format) loads as the
//! ARM record set `privateDnsZones/CNAME` (azurerm provider docs,
//! `private_dns_cname_record`: `zone_name`, `name`, `record`).

use std::sync::Arc;

fn res(name: &str, values: &str) -> String {
    format!(
        r#"{{"address": "azurerm_private_dns_cname_record.{name}", "mode": "managed", "type": "azurerm_private_dns_cname_record", "name": "{name}",
            "provider_name": "registry.terraform.io/hashicorp/azurerm", "values": {values}}}"#
    )
}

#[test]
fn cname_records_load_from_a_state() {
    let known = res(
        "files",
        r#"{"name": "files", "zone_name": "corp.internal", "resource_group_name": "rg", "record": "Acct.blob.core.windows.net.", "ttl": 300}"#,
    );
    let state = format!(
        r#"{{"format_version": "1.0", "terraform_version": "1.9.8", "values": {{"root_module": {{"resources": [{known}]}}}}}}"#
    );
    let l = tusk_load::load_sources(&[(Arc::from("state.json"), state)]).unwrap_or_else(|e| panic!("{e}"));
    let c = &l.estate.azure.private_dns.cname_records;
    assert_eq!(c.len(), 1, "{:?}", l.warnings);
    assert_eq!((c[0].zone.as_str(), c[0].name.as_str()), ("corp.internal", "files"));
    assert_eq!(c[0].target.as_deref(), Some("acct.blob.core.windows.net"));
    assert!(c[0].id.as_str().ends_with("/privateDnsZones/corp.internal/CNAME/files"), "{}", c[0].id.as_str());
}
