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

/// Every folder of `tests/k8s-malformed/` holds `m.yaml` and
/// `expected_error.txt` (`LINE:COL words the message contains`): loading it
/// must fail there. Adding a case needs no Rust.
#[test]
fn malformed_policy_cases_are_located_errors() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/k8s-malformed");
    let mut ran = 0;
    for case in std::fs::read_dir(&root).expect("tests/k8s-malformed present") {
        let case = case.unwrap().path();
        let want = std::fs::read_to_string(case.join("expected_error.txt")).unwrap();
        let (pos, words) = want.trim().split_once(' ').unwrap();
        let e = tusk_load::load_paths(&[case.join("m.yaml")]).expect_err(&format!("{} must fail", case.display()));
        assert_eq!(format!("{}:{}", e.loc.pos.line, e.loc.pos.col), pos, "{}: {e}", case.display());
        assert!(e.message.contains(words), "{}: expected `{words}` in: {e}", case.display());
        ran += 1;
    }
    assert!(ran >= 4, "only {ran} malformed cases ran");
}

#[test]
fn shared_case_misspelt_from_is_refused() {
    let Some(dir) = tusk_testkit::shared("cases/netpol-unknown-key-in-rule") else { return };
    let e = tusk_load::load_paths(&[dir]).expect_err("`form:` must be refused");
    assert!(e.to_string().contains("m.yaml:19:5") && e.message.contains("unknown field `form`"), "{e}");
}

#[test]
fn egress_ipblock_over_a_cluster_ip_is_warned_at_the_peer() {
    let loaded = load(
        "apiVersion: v1\nkind: Service\nmetadata: {name: kube-dns, namespace: kube-system}\nspec: {clusterIP: 10.96.0.10, selector: {k8s-app: kube-dns}, ports: [{port: 53, protocol: UDP}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\nspec:\n  podSelector: {}\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.96.0.0/12}\n",
    )
    .unwrap();
    let w = loaded
        .warnings
        .iter()
        .find(|w| w.message.contains("ClusterIP of Service kube-system/kube-dns"))
        .expect("warned");
    assert_eq!(w.loc.pos.line, 13, "{w}");
}

/// A selector on a label Cilium derives (the namespace) is not read as a pod
/// label, which would select nothing: the policy covers its whole scope.
#[test]
fn cilium_selector_on_derived_labels_covers_the_whole_scope() {
    let loaded = load(
        "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: ccnp}\nspec:\n  endpointSelector: {matchLabels: {io.kubernetes.pod.namespace: kube-system}}\n  ingress: [{}]\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: cnp, namespace: a}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n  egress: [{}]\n",
    )
    .unwrap();
    let f = &loaded.estate.k8s.foreign_policies;
    assert_eq!(f.len(), 2);
    assert!(f[0].namespace.is_none() && f[0].subject.is_none() && f[0].ingress && !f[0].egress, "{:?}", f[0]);
    assert_eq!(f[1].namespace.as_deref(), Some("a"));
    assert_eq!(f[1].subject.as_ref().map(|s| s.describe()), Some("app=web".to_string()));
    assert!(!f[1].ingress && f[1].egress);
}

/// `kubectl get cnp -o yaml` in a typed list whose items omit apiVersion:
/// still a Cilium policy, not a skipped unknown kind.
#[test]
fn typed_list_items_take_the_lists_api_group() {
    let loaded = load(
        "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicyList\nitems:\n- metadata: {name: cnp, namespace: a}\n  spec:\n    endpointSelector: {}\n    ingress: [{}]\n",
    )
    .unwrap();
    assert_eq!(loaded.estate.k8s.foreign_policies.len(), 1, "{:?}", loaded.warnings);
}
