//! The words of tusk-path's resolution errors: why an end across both
//! layers ([`EndError`]), a Service destination (`svc:NS/NAME`, or a
//! ClusterIP) or an Ingress destination (`ingress:NS/NAME[/PATH]`) cannot
//! be resolved, and why a matrix cannot be computed ([`TooFewUnits`],
//! [`TenantsError`]). tusk-path returns them as data; the CLI and `tusk
//! check` print these sentences. No decision is made here.

use tusk_path::errors::{EndError, TenantsError, TooFewUnits};
use tusk_path::ingress::IngressError;
use tusk_path::join::{ServiceError, MAX_PAIRS};
use tusk_path::matrix::Grain;
use tusk_policy::reason::ServiceRef;

/// Why an end across both layers cannot be resolved, in one sentence (no
/// trailing period): ``pod t1/web-0 has no node it can run on (see `tusk
/// schedule`)``.
pub fn end_error(e: &EndError) -> String {
    match e {
        EndError::Cluster(e) => crate::k8s::end_error(e),
        EndError::Unschedulable { pod } => format!("pod {pod} has no node it can run on (see `tusk schedule`)"),
        EndError::NotAPod(end) => format!("`{end}` is not a pod"),
        EndError::NoNode(n) => format!("`node:{n}` names no node and no node pool"),
        EndError::Azure(e) => e.to_string(),
    }
}

/// Why the matrix at a grain has no cell, in one sentence (no trailing
/// period).
pub fn too_few_units(e: &TooFewUnits) -> String {
    let what = match e.grain {
        Grain::Tenant => {
            format!("tenants (no two namespaces carry different values of the label `{}`)", e.label)
        }
        Grain::Namespace => "namespaces with schedulable pods".into(),
        Grain::Workload => "workloads with schedulable pods".into(),
        Grain::Pod => "schedulable pods".into(),
    };
    format!("fewer than two {what}: the matrix has no cell")
}

/// Why the per-pair tenant matrix cannot be computed, in one sentence (no
/// trailing period).
pub fn tenants_error(e: &TenantsError) -> String {
    match e {
        TenantsError::FewerThanTwo { label } => {
            format!("fewer than two tenants: no two namespaces carry different values of the label `{label}`")
        }
        TenantsError::TooManyPairs { from, to } => {
            format!("tenant {from} → {to} stands for more than {MAX_PAIRS} pairs")
        }
    }
}

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
    fn end_errors_read_as_before_they_were_typed() {
        let e = EndError::Unschedulable { pod: "t1/web-0".into() };
        assert_eq!(end_error(&e), "pod t1/web-0 has no node it can run on (see `tusk schedule`)");
        assert_eq!(end_error(&EndError::NoNode("gpu".into())), "`node:gpu` names no node and no node pool");
        assert_eq!(end_error(&EndError::NotAPod("10.9.9.9".into())), "`10.9.9.9` is not a pod");
        let pod = tusk_policy::endpoint::EndError::NoPod { namespace: "t1".into(), name: "x".into() };
        assert_eq!(end_error(&EndError::Cluster(pod)), "no pod `t1/x`");
        let azure = tusk_network::endpoint::ResolveError::NoOnPrem;
        assert_eq!(end_error(&EndError::Azure(azure.clone())), azure.to_string());
    }

    #[test]
    fn matrix_errors_name_the_grain_and_the_label() {
        let e = TooFewUnits { grain: Grain::Tenant, label: "tenant".into() };
        assert_eq!(
            too_few_units(&e),
            "fewer than two tenants (no two namespaces carry different values of the label `tenant`): the matrix has no cell"
        );
        let e = TooFewUnits { grain: Grain::Workload, label: "tenant".into() };
        assert_eq!(too_few_units(&e), "fewer than two workloads with schedulable pods: the matrix has no cell");
        let e = TenantsError::TooManyPairs { from: "a".into(), to: "b".into() };
        assert_eq!(tenants_error(&e), format!("tenant a → b stands for more than {MAX_PAIRS} pairs"));
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
