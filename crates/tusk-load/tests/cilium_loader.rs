//! CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy reading: what is
//! modelled, what stays on the foreign (unknown) path, and located errors.

use std::sync::Arc;
use tusk_model::cilium::{CiliumPeer, Entity};

fn load(text: &str) -> Result<tusk_load::Loaded, tusk_core::LoadError> {
    tusk_load::load_sources(&[(Arc::from("m.yaml"), text.to_string())])
}

const HEAD: &str = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: a}\nspec:\n";

#[test]
fn an_unknown_entity_is_a_located_error() {
    let e = load(&format!("{HEAD}  endpointSelector: {{}}\n  egress:\n  - toEntities: [wrld]\n")).unwrap_err();
    assert!(e.to_string().contains("unknown Cilium entity `wrld`"), "{e}");
    assert_eq!(e.loc.pos.line, 7, "{e}");
}

#[test]
fn namespace_labels_split_from_pod_labels_and_scope_confines_selectors() {
    let l = load(&format!(
        "{HEAD}  endpointSelector: {{matchLabels: {{app: web}}}}\n  ingress:\n  - fromEndpoints:\n    - matchLabels: {{k8s:io.kubernetes.pod.namespace: b, k8s:role: db}}\n    - {{}}\n    fromEntities: [world]\n"
    ))
    .unwrap();
    let p = &l.estate.k8s.cilium_policies[0];
    assert_eq!(p.subject.namespace.match_labels, [("kubernetes.io/metadata.name".to_string(), "a".to_string())]);
    assert_eq!(p.default_deny, [true, false]);
    let peers = p.ingress[0].peers.as_ref().unwrap();
    let CiliumPeer::Endpoints(first) = &peers[0] else { panic!("{peers:?}") };
    assert_eq!(first.namespace.match_labels, [("kubernetes.io/metadata.name".to_string(), "b".to_string())]);
    assert_eq!(first.pod.match_labels, [("role".to_string(), "db".to_string())]);
    let CiliumPeer::Endpoints(second) = &peers[1] else { panic!("{peers:?}") };
    assert_eq!(second.namespace.match_labels, [("kubernetes.io/metadata.name".to_string(), "a".to_string())]);
    assert!(matches!(peers[2], CiliumPeer::Entity(Entity::World)));
}

#[test]
fn l7_rules_and_fqdns_make_the_rule_unmodelled_and_default_deny_can_be_off() {
    let l = load(&format!(
        "{HEAD}  endpointSelector: {{}}\n  enableDefaultDeny: {{egress: false}}\n  egress:\n  - toFQDNs: [{{matchName: x.example}}]\n  - toPorts:\n    - ports: [{{port: \"80\", protocol: TCP}}]\n      rules: {{http: [{{method: GET}}]}}\n    - ports: [{{port: \"8000\", endPort: 8080}}]\n"
    ))
    .unwrap();
    let p = &l.estate.k8s.cilium_policies[0];
    assert_eq!(p.default_deny, [false, false]);
    assert_eq!(p.egress.len(), 3, "{:?}", p.egress);
    assert!(p.egress[0].unmodelled.is_some() && p.egress[1].unmodelled.is_some());
    assert!(p.egress[2].unmodelled.is_none() && p.egress[2].peers.is_none());
    // protocol absent is ANY: TCP, UDP and SCTP.
    assert_eq!(p.egress[2].ports.len(), 3, "{:?}", p.egress[2].ports);
}

#[test]
fn host_policies_are_modelled_and_service_account_subjects_stay_foreign() {
    let l = load(
        "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: host}\nspec:\n  nodeSelector: {}\n  ingress: [{}]\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: sa, namespace: a}\nspec:\n  endpointSelector: {matchLabels: {io.cilium.k8s.policy.serviceaccount: x}}\n  ingress: [{}]\n",
    )
    .unwrap();
    // The host policy is modelled (over the nodes' labels, selecting no
    // pod); the service-account subject is not. Both keep their foreign
    // record for engines that may not be Cilium.
    let cp = &l.estate.k8s.cilium_policies;
    assert_eq!(cp.len(), 1, "{cp:?}");
    assert_eq!(cp[0].nodes.as_ref().map(|s| s.is_empty()), Some(true));
    assert!(!cp[0].subject.pod.matches(&Default::default()), "a host policy selects no pod");
    assert_eq!(l.estate.k8s.foreign_policies.len(), 2);
}

#[test]
fn both_selectors_is_a_located_error() {
    let e = load(&format!("{HEAD}  endpointSelector: {{}}\n  nodeSelector: {{}}\n  ingress: [{{}}]\n")).unwrap_err();
    assert!(e.to_string().contains("not both"), "{e}");
}

#[test]
fn empty_l3_list_selects_no_peer_and_none_is_an_entity() {
    let l = load(&format!(
        "{HEAD}  endpointSelector: {{}}\n  ingress:\n  - fromEndpoints: []\n    toPorts: [{{ports: [{{port: \"80\"}}]}}]\n  - fromEntities: [none]\n"
    ))
    .unwrap();
    let p = &l.estate.k8s.cilium_policies[0];
    assert!(matches!(&p.ingress[0].peers, Some(v) if v.is_empty()), "{:?}", p.ingress[0].peers);
    assert!(matches!(&p.ingress[1].peers, Some(v) if matches!(v[..], [CiliumPeer::Entity(Entity::None)])));
}

#[test]
fn default_deny_asked_for_a_direction_without_rules_stays_foreign() {
    let l =
        load(&format!("{HEAD}  endpointSelector: {{}}\n  enableDefaultDeny: {{ingress: true}}\n  egress: [{{}}]\n"))
            .unwrap();
    assert!(l.estate.k8s.cilium_policies.is_empty());
    assert_eq!(l.estate.k8s.foreign_policies.len(), 1);
}
