//! The load summary's per-file lines name Kubernetes objects too (#10
//! item 6): namespaces, workloads, pods (a controller's as its replicas),
//! Services, policies by kind (Calico's and Cilium's by their own `kind`),
//! before the Azure objects of the same or other files.

use std::sync::Arc;
use tusk_load::load_sources_all;

const APP: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"#;

const POLICIES: &str = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: g}
spec:
  selector: all()
  types: [Ingress]
  ingress: [{action: Allow}]
"#;

const NET: &str = r#"{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v", "type": "Microsoft.Network/virtualNetworks", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}"#;

#[test]
fn each_file_names_what_it_contributed_kubernetes_first() {
    let sources = [
        (Arc::from("app.yaml"), APP.to_string()),
        (Arc::from("policies.yaml"), POLICIES.to_string()),
        (Arc::from("net.json"), NET.to_string()),
    ];
    let mut o = load_sources_all(&sources, &Default::default());
    o.files = 3;
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    let lines = o.summary().per_file_lines();
    assert_eq!(
        lines,
        [
            "app.yaml: 1 Namespace, 1 workload, 3 Pods, 1 Service",
            "policies.yaml: 1 NetworkPolicy, 1 GlobalNetworkPolicy",
            "net.json: 1 VNet, 1 subnet",
        ],
        "{:?}",
        o.loaded.warnings
    );
}
