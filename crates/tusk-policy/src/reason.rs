//! Why a Kubernetes policy verdict is unknown, as data: the reporters word
//! it (all English lives in tusk-report), tests match on it, and
//! [`tusk_core::Verdict`] carries it with the source location of the doubt.

use crate::lang::istio::route::{RouteDoubt, RouteRef};
use crate::step::{PolicyRef, StepRule};
use tusk_core::{Kind, Loc, Protocol};

/// Why a policy verdict is unknown (or, for a Service, why it has no
/// endpoint to evaluate).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reason {
    /// An address set of a rule (`policy`'s `rule`: an ipBlock, an ANP
    /// `networks` peer) may contain the IP of a pod the input gives none.
    PodIpUnknown {
        /// The pod, as `namespace/name` (or the address of the other end).
        pod: String,
        /// The policy holding the rule (boxed: it keeps the reason small).
        policy: Box<PolicyRef>,
        /// The rule.
        rule: StepRule,
    },
    /// Policies of a language tusk does not model (each with its location)
    /// may decide one side of the flow at `pod`.
    Unmodelled {
        /// The policies, each with its location.
        policies: Vec<(PolicyRef, Loc)>,
        /// The pod, as `namespace/name`.
        pod: String,
        /// The ingress side (`true`) or the egress side (`false`).
        ingress: bool,
    },
    /// A Cilium rule (`rule`: policy title and rule name) may match the
    /// flow, and `what` it uses is beyond tusk's model (L7 rules, toFQDNs,
    /// an entity whose members tusk does not see, ...).
    CiliumUnmodelled {
        /// The policy's title and the rule's name.
        rule: String,
        /// What the rule uses that tusk does not model.
        what: String,
    },
    /// An Istio rule or proxy (`rule`: policy title and rule) may decide
    /// the flow, and `what` it depends on is not in the flow or the inputs
    /// (an HTTP method or path, a JWT, an external authorizer, whether the
    /// destination has a sidecar, ...).
    Istio {
        /// The policy's title and the rule.
        rule: String,
        /// What the decision depends on that the flow or inputs lack.
        what: String,
    },
    /// A hostNetwork pod: the verdict if the plugin applies policies to it,
    /// and if it ignores it (upstream leaves this undefined).
    HostNetwork {
        /// The pod, as `namespace/name`.
        pod: String,
        /// The verdict when policies treat it like any pod.
        as_pods: Kind,
        /// The verdict when policies ignore it (its traffic is the node's).
        ignored: Kind,
    },
    /// The readings the inputs leave open (pod addresses, orders of
    /// equal-priority ANPs, what the input lacks) give different verdicts:
    /// one reading, described, per verdict.
    Readings(Vec<(Kind, String)>),
    /// The Service has no port of that protocol and number.
    NoServicePort {
        /// The Service, as `Service NS/NAME`.
        service: String,
        /// The protocol asked.
        proto: Protocol,
        /// The port asked.
        port: u16,
        /// The ports it has, in words (`TCP 80`, ...).
        ports: Vec<String>,
    },
    /// The Service has no selector: its endpoints are not in the input.
    NoSelector {
        /// The Service, as `Service NS/NAME`.
        service: String,
    },
    /// No pod of the input is an endpoint of that Service port.
    NoEndpoints {
        /// The Service, as `Service NS/NAME`.
        service: String,
        /// The Service port's protocol.
        proto: Protocol,
        /// The Service port.
        port: u16,
    },
    /// The endpoints of a Service disagree: an endpoint per verdict.
    MixedEndpoints(Vec<(Kind, String)>),
    /// A VirtualService bound to the mesh names the Service's host for the
    /// source's sidecar, and where it sends the flow is not known
    /// (`crate::lang::istio::route`).
    VirtualService {
        /// The VirtualService and the route (boxed: it keeps the reason small).
        by: Box<RouteRef>,
        /// Why the route is not followed.
        why: RouteDoubt,
    },
}
