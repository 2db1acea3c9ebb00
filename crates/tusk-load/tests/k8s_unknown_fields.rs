//! Keys a selector or peer does not have are located errors, not silently
//! dropped: a dropped key could leave `{}`, which selects everything.

use std::sync::Arc;

fn load(text: &str) -> Result<tusk_load::Loaded, tusk_core::LoadError> {
    tusk_load::load_sources(&[(Arc::from("m.yaml"), text.to_string())])
}

#[test]
fn older_anp_namespaces_shape_is_refused_not_read_as_all_namespaces() {
    let e = load(
        "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: x}\nspec:\n  priority: 1\n  subject:\n    namespaces:\n      namespaceSelector: {matchLabels: {a: b}}\n",
    )
    .unwrap_err();
    assert_eq!(e.loc.pos.line, 8, "{e}");
    assert!(e.message.contains("unknown field `namespaceSelector` in label selector `namespaces`"), "{e}");
}

#[test]
fn misspelt_peer_key_is_refused() {
    let e = load(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - podSelecter: {matchLabels: {app: a}}\n",
    )
    .unwrap_err();
    assert_eq!(e.loc.pos.line, 8, "{e}");
    assert!(e.message.contains("unknown field `podSelecter` in peer"), "{e}");
}

#[test]
fn misspelt_match_labels_is_refused() {
    let e = load(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\nspec:\n  podSelector: {matchLabel: {app: a}}\n",
    )
    .unwrap_err();
    assert!(e.message.contains("unknown field `matchLabel`") && e.to_string().contains("m.yaml:5:"), "{e}");
}

#[test]
fn selecting_undeclared_namespaces_by_label_is_warned_at_the_selector() {
    let loaded = load(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: shop}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: blue}}\n",
    )
    .unwrap();
    let w = loaded.warnings.iter().find(|w| w.message.contains("are not declared")).expect("warned");
    assert_eq!(w.loc.pos.line, 12, "{w}");
    assert!(w.message.contains("shop"), "{w}");
}
