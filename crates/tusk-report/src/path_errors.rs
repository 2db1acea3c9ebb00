//! The words of tusk-path's resolution errors: why a Service destination
//! (`svc:NS/NAME`, or a ClusterIP) or an Ingress destination
//! (`ingress:NS/NAME[/PATH]`) cannot be resolved. tusk-path returns them
//! as data ([`ServiceError`], [`IngressError`]); the CLI and `tusk check`
//! print these sentences. No decision is made here.

use tusk_path::ingress::IngressError;
use tusk_path::join::ServiceError;
use tusk_policy::reason::ServiceRef;

fn service(s: &ServiceRef) -> String {
    format!("Service {}/{}", s.namespace, s.name)
}

/// Why a Service destination cannot be resolved, in one sentence (no
/// trailing period): `Service t2/api has no TCP port 81`.
pub fn service_error(e: &ServiceError) -> String {
    match e {
        ServiceError::NoSuchService(s) => format!("no Service `{}/{}` in the inputs", s.namespace, s.name),
        ServiceError::NoPort(s) => format!("{}: give --port (a Service port)", service(s)),
        ServiceError::NoSuchPort { service: s, proto, port } => format!("{} has no {proto} port {port}", service(s)),
        ServiceError::Endpoints { service: s, reason } => {
            format!("{}: {}", service(s), crate::k8s::reason_text(reason))
        }
    }
}

/// Why an Ingress destination cannot be resolved, in one sentence (no
/// trailing period).
pub fn ingress_error(e: &IngressError) -> String {
    match e {
        IngressError::NoSuchIngress { namespace, name } => format!("no Ingress `{namespace}/{name}` in the inputs"),
        IngressError::NoPort => "give --port (the ingress controller's port, 80 or 443)".into(),
        IngressError::NoRule { namespace, name, path } => format!(
            "Ingress {namespace}/{name} has no rule for path `{}` and no default backend",
            path.as_deref().unwrap_or("/")
        ),
        IngressError::NoController => "no ingress controller in the inputs: no LoadBalancer Service selects pods \
             labelled app.kubernetes.io/name=ingress-nginx or app.kubernetes.io/component=controller, and none is \
             in app-routing-system"
            .into(),
        IngressError::SeveralControllers(all) => format!(
            "several ingress controllers in the inputs: {}; trace svc:NS/NAME of one of them",
            all.iter().map(|s| format!("svc:{}/{}", s.namespace, s.name)).collect::<Vec<_>>().join(", ")
        ),
        IngressError::ControllerUnresolved => "the ingress controller's Service did not resolve".into(),
        IngressError::ControllerNoLoadBalancer => "the ingress controller's Service has no load balancer".into(),
        IngressError::NoBackendService(b) => format!(
            "Ingress {}/{} ({}): no Service `{}/{}` in the inputs",
            b.namespace, b.name, b.loc, b.service.namespace, b.service.name
        ),
        IngressError::NoBackendPort(b) => {
            format!("Ingress {}/{} ({}): {} has no such TCP port", b.namespace, b.name, b.loc, service(&b.service))
        }
        IngressError::BackendUnresolved(s) => format!("{} did not resolve", service(s)),
        IngressError::Service(e) => service_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tusk_core::Protocol;

    fn api() -> ServiceRef {
        ServiceRef { namespace: "t2".into(), name: "api".into() }
    }

    #[test]
    fn service_errors_read_as_before_they_were_typed() {
        assert_eq!(service_error(&ServiceError::NoSuchService(api())), "no Service `t2/api` in the inputs");
        assert_eq!(service_error(&ServiceError::NoPort(api())), "Service t2/api: give --port (a Service port)");
        let e = ServiceError::NoSuchPort { service: api(), proto: Protocol::Tcp, port: 81 };
        assert_eq!(service_error(&e), "Service t2/api has no TCP port 81");
    }

    #[test]
    fn a_service_without_selector_is_worded_not_dumped() {
        let reason = tusk_policy::reason::Reason::NoSelector { service: api() };
        let text = service_error(&ServiceError::Endpoints { service: api(), reason: Box::new(reason) });
        assert!(text.starts_with("Service t2/api: "), "{text}");
        assert!(!text.contains("NoSelector"), "a Debug dump: {text}");
    }

    #[test]
    fn ingress_errors_name_what_is_missing() {
        let e = IngressError::NoRule { namespace: "t2".into(), name: "web".into(), path: None };
        assert_eq!(ingress_error(&e), "Ingress t2/web has no rule for path `/` and no default backend");
        let e = IngressError::SeveralControllers(vec![api(), ServiceRef { namespace: "x".into(), name: "y".into() }]);
        assert_eq!(
            ingress_error(&e),
            "several ingress controllers in the inputs: svc:t2/api, svc:x/y; trace svc:NS/NAME of one of them"
        );
        let wrapped = IngressError::Service(ServiceError::NoPort(api()));
        assert_eq!(ingress_error(&wrapped), "Service t2/api: give --port (a Service port)");
    }
}
