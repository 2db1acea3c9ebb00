//! A load reports every defect of its input, not the first: one error per
//! malformed document, per item of a `kind: List`, per resource of an
//! `az ... list` array; references are checked only once every document loads.

use std::sync::Arc;
use tusk_core::Code;

fn load(files: &[(&str, &str)]) -> tusk_load::Outcome {
    let sources: Vec<(Arc<str>, String)> = files.iter().map(|(n, t)| (Arc::from(*n), t.to_string())).collect();
    tusk_load::load_sources_all(&sources, &tusk_load::arm::ArmParams::default())
}

#[test]
fn every_bad_item_of_a_list_is_reported() {
    let o = load(&[(
        "all.yaml",
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a, namespace: n}\n  spec: {containers: [{name: c, ports: [{containerPort: 0}]}]}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: ok, namespace: n}\n  spec: {containers: [{name: c}]}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: b, namespace: n, labels: {'bad key!': x}}\n  spec: {containers: [{name: c}]}\n",
    )]);
    let lines: Vec<u32> = o.errors.iter().map(|e| e.loc.pos.line).collect();
    assert_eq!(o.errors.len(), 2, "{:?}", o.errors);
    assert!(lines[0] == 7 && lines[1] == 14, "{:?}", o.errors);
    assert!(o.errors[0].object.as_deref() == Some("Pod n/a"), "{:?}", o.errors[0]);
}

#[test]
fn every_bad_resource_of_an_az_list_is_reported() {
    let nsg = |name: &str, prio: &str| {
        format!(
            r#"{{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/networkSecurityGroups/{name}", "name": "{name}", "type": "Microsoft.Network/networkSecurityGroups", "securityRules": [{{"name": "r", "priority": {prio}, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "443"}}]}}"#
        )
    };
    let text = format!("[\n{},\n{},\n{}\n]\n", nsg("a", "\"x\""), nsg("b", "200"), nsg("c", "\"y\""));
    let o = load(&[("nsgs.json", &text)]);
    assert_eq!(o.errors.len(), 2, "{:?}", o.errors);
    assert_eq!((o.errors[0].loc.pos.line, o.errors[1].loc.pos.line), (2, 4), "{:?}", o.errors);
    // One good resource alone loads as before.
    let o = load(&[("nsgs.json", &format!("[{}]", nsg("b", "200")))]);
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    assert_eq!(o.loaded.estate.azure.nsgs.len(), 1);
}

#[test]
fn errors_in_several_files_and_documents_are_all_kept_in_input_order() {
    let o = load(&[
        ("a.yaml", "a: [1\n"),
        ("b.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {hostNetwork: maybe}\n---\nx: 1\nx: 2\n"),
    ]);
    let codes: Vec<Code> = o.errors.iter().map(|e| e.code).collect();
    assert_eq!(codes.len(), 3, "{:?}", o.errors);
    assert_eq!(codes[0], Code::Syntax);
    assert_eq!(codes[2], Code::DuplicateKey);
    assert_eq!(o.summary().errors, 3);
}
