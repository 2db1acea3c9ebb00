//! `targetRef` / `targetRefs` of an AuthorizationPolicy, resolved to the
//! pods the policy applies to (Istio docs, "Authorization Policy",
//! `targetRefs`: a Gateway of `gateway.networking.k8s.io` in the policy's
//! namespace; a GatewayClass from the root namespace; a Service in the
//! policy's namespace, "only supported for waypoints"; a ServiceEntry in
//! the policy's namespace).
//!
//! * **Gateway**: the pods Istio deploys for a Gateway carry the label
//!   `gateway.networking.k8s.io/gateway-name: NAME` (older releases
//!   `istio.io/gateway-name`; Istio docs, "Gateway API", automated
//!   deployment). The policy applies to those pods. A Gateway may also be a
//!   waypoint, which enforces for ambient pods behind it: an ambient pod (or
//!   one whose data plane is unknown) may be affected.
//! * **Service** and **ServiceEntry**: enforced by the waypoint the Service
//!   uses, never by a sidecar: a sidecar pod or a pod without a proxy is
//!   not affected; an ambient pod of the namespace may be, depending on
//!   the Service's waypoint enrolment, which tusk does not model.
//! * **GatewayClass**: every Gateway of the class, whose class tusk does
//!   not read: gateway pods and ambient pods may be affected.
//!
//! Anything else (an unknown kind) may apply to any pod: unknown.

use tusk_core::Tri;
use tusk_model::istio::Dataplane;
use tusk_model::k8s::{Cluster, Pod};

/// The pod labels Istio's gateway deployment sets to the Gateway's name.
pub const GATEWAY_NAME_LABELS: &[&str] = &["gateway.networking.k8s.io/gateway-name", "istio.io/gateway-name"];

/// The name of the Gateway a pod was deployed for, if any.
pub fn gateway_of(pod: &Pod) -> Option<&str> {
    GATEWAY_NAME_LABELS.iter().find_map(|k| pod.labels.get(*k).map(String::as_str))
}

/// One `targetRef` as the loader records it (`KIND NAME`), split.
fn split(r: &str) -> (&str, &str) {
    r.split_once(' ').unwrap_or((r, ""))
}

/// Does a policy with these `targetRef(s)`, in namespace `ns`, apply to
/// `pod`? (`Maybe`: it may, through a waypoint or a gateway tusk cannot
/// tie to the pod.)
pub fn applies(ns: &str, refs: &[String], pod: &Pod) -> Tri {
    let dp = super::dataplane(pod);
    let behind_waypoint = match dp {
        Dataplane::Ambient | Dataplane::Unknown => Tri::Maybe,
        Dataplane::Sidecar | Dataplane::None => Tri::No,
    };
    let one = |r: &String| -> Tri {
        let (kind, name) = split(r);
        match kind {
            "Gateway" => match gateway_of(pod) {
                Some(g) if g == name && pod.namespace == ns => Tri::Yes,
                Some(_) => Tri::No,
                None => behind_waypoint,
            },
            "GatewayClass" => {
                if gateway_of(pod).is_some() {
                    Tri::Maybe
                } else {
                    behind_waypoint
                }
            }
            "Service" | "ServiceEntry" => {
                if pod.namespace == ns {
                    behind_waypoint
                } else {
                    Tri::No
                }
            }
            _ => Tri::Maybe,
        }
    };
    Tri::any(refs.iter().map(one))
}

/// Why a policy with `targetRef(s)` may or may not apply to a pod (for
/// `explain`'s unknown verdicts).
pub fn why_maybe(refs: &[String]) -> crate::doubt::IstioDoubt {
    crate::doubt::IstioDoubt::TargetRefs(refs.to_vec())
}

/// A synthetic class label keeping a Gateway's pods apart from others
/// when a policy targets Gateways.
pub fn class_labels(c: &Cluster, pod: &Pod) -> Vec<(String, String)> {
    let targets_gateways = c.mesh.authorization.iter().any(
        |p| matches!(&p.target, tusk_model::istio::AuthzTarget::Refs(r) if r.iter().any(|x| x.starts_with("Gateway"))),
    );
    match gateway_of(pod) {
        Some(g) if targets_gateways => vec![("@istio/gateway".into(), g.into())],
        _ => Vec::new(),
    }
}
