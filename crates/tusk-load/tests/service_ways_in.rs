//! Services and Ingresses as ways into the cluster: type, external traffic
//! policy, the load balancer's frontend and source ranges, AKS's
//! annotations, Ingress backends; what the API server refuses is a located
//! error.

use std::sync::Arc;
use tusk_model::k8s::{ServiceType, TargetPort, TrafficPolicy};

fn load(text: &str) -> Result<tusk_load::Loaded, tusk_core::LoadError> {
    tusk_load::load_sources(&[(Arc::from("s.yaml"), text.to_string())])
}

const LB: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations:
    service.beta.kubernetes.io/azure-load-balancer-internal: "true"
    service.beta.kubernetes.io/azure-load-balancer-internal-subnet: ilb
    service.beta.kubernetes.io/load-balancer-source-ranges: "10.0.0.0/8, 192.168.1.0/24"
    service.beta.kubernetes.io/azure-allowed-service-tags: AzureFrontDoor.Backend
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  loadBalancerIP: 10.1.5.10
  loadBalancerSourceRanges: [172.16.0.0/12]
  selector: {app: web}
  ports: [{port: 443, targetPort: 8443, nodePort: 30443}]
status:
  loadBalancer:
    ingress: [{ip: 10.1.5.10}]
"#;

#[test]
fn a_load_balancer_service_reads_its_type_policy_frontend_and_annotations() {
    let l = load(LB).unwrap();
    let s = &l.estate.k8s.services[0];
    assert_eq!(s.kind, ServiceType::LoadBalancer);
    assert_eq!(s.external_traffic_policy, TrafficPolicy::Local);
    assert_eq!(s.load_balancer_ips, vec!["10.1.5.10".parse::<std::net::IpAddr>().unwrap()]);
    assert!(s.internal);
    assert_eq!(s.internal_subnet.as_deref(), Some("ilb"));
    assert_eq!(s.source_ranges.len(), 3);
    assert_eq!(s.allowed_service_tags, vec!["AzureFrontDoor.Backend".to_string()]);
    assert_eq!(s.ports[0].node_port, Some(30443));
}

#[test]
fn floating_ip_off_and_the_health_check_node_port_are_read() {
    let l = load(LB).unwrap();
    let s = &l.estate.k8s.services[0];
    assert!(s.floating_ip, "floating IP is on unless the annotation turns it off");
    assert_eq!(s.health_check_node_port, None);
    let text = LB
        .replace(
            "    service.beta.kubernetes.io/azure-allowed-service-tags: AzureFrontDoor.Backend\n",
            "    service.beta.kubernetes.io/azure-allowed-service-tags: AzureFrontDoor.Backend\n    service.beta.kubernetes.io/azure-disable-load-balancer-floating-ip: \"true\"\n",
        )
        .replace("  externalTrafficPolicy: Local\n", "  externalTrafficPolicy: Local\n  healthCheckNodePort: 32100\n");
    let l = load(&text).unwrap();
    let s = &l.estate.k8s.services[0];
    assert!(!s.floating_ip);
    assert_eq!(s.health_check_node_port, Some(32100));
    let err = load(&text.replace("32100", "70000")).unwrap_err().to_string();
    assert!(err.starts_with("s.yaml:15:24"), "{err}");
}

#[test]
fn a_service_the_api_server_refuses_is_a_located_error() {
    for (from, to, line) in [
        ("type: LoadBalancer", "type: LoadBalancr", "s.yaml:12:9"),
        ("externalTrafficPolicy: Local", "externalTrafficPolicy: local", "s.yaml:13:26"),
        ("[172.16.0.0/12]", "[172.16.0.0/33]", "s.yaml:15:30"),
    ] {
        let err = load(&LB.replace(from, to)).unwrap_err().to_string();
        assert!(err.starts_with(line), "{to}: {err}");
    }
}

#[test]
fn ingress_backends_name_a_service_port_by_number_or_name() {
    let text = r#"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  defaultBackend:
    service: {name: web, port: {name: https}}
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: api, port: {number: 8080}}
"#;
    let l = load(text).unwrap();
    let b = &l.estate.k8s.ingresses[0].backends;
    assert_eq!(b.len(), 2);
    assert_eq!((b[0].service.as_str(), &b[0].port), ("web", &TargetPort::Name("https".into())));
    assert_eq!((b[1].service.as_str(), &b[1].port), ("api", &TargetPort::Number(8080)));
    let both = text.replace("{name: https}", "{name: https, number: 443}");
    assert!(load(&both).unwrap_err().to_string().contains("exactly one of `number` and `name`"));
}
