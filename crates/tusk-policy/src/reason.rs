//! Why a Kubernetes policy verdict is unknown, as data: the reporters word
//! it (all English lives in tusk-report), tests match on it, and
//! [`tusk_core::Verdict`] carries it with the source location of the doubt.

use crate::doubt::{DoubtAt, IstioDoubt, NotModelled};
use crate::lang::istio::route::{RouteDoubt, RouteRef};
use crate::step::{PolicyRef, StepRule};
use std::net::IpAddr;
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
    /// A Cilium or Calico rule (`rule`: the policy and rule) may match the
    /// flow, and `what` it uses is beyond tusk's model (L7 rules, toFQDNs,
    /// an entity whose members tusk does not see, ...).
    CiliumUnmodelled {
        /// The policy and rule (boxed: it keeps the reason small).
        rule: Box<DoubtAt>,
        /// What the rule uses that tusk does not model.
        what: NotModelled,
    },
    /// An Istio rule or proxy (`rule`: the policy and rule, or the pod's
    /// proxy) may decide the flow, and `what` it depends on is not in the
    /// flow or the inputs (an HTTP method or path, a JWT, an external
    /// authorizer, whether the destination has a sidecar, ...).
    Istio {
        /// The policy and rule, or the proxy (boxed: it keeps the reason small).
        rule: Box<DoubtAt>,
        /// What the decision depends on that the flow or inputs lack.
        what: IstioDoubt,
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
    /// one reading, with what it assumes, per verdict.
    Readings(Vec<(Kind, ReadingLabel)>),
    /// The Service has no port of that protocol and number.
    NoServicePort {
        /// The Service.
        service: ServiceRef,
        /// The protocol asked.
        proto: Protocol,
        /// The port asked.
        port: u16,
        /// The ports it has (protocol, port), in the Service's order.
        ports: Vec<(Protocol, u16)>,
    },
    /// The Service has no selector: its endpoints are not in the input.
    NoSelector {
        /// The Service.
        service: ServiceRef,
    },
    /// No pod of the input is an endpoint of that Service port.
    NoEndpoints {
        /// The Service.
        service: ServiceRef,
        /// The Service port's protocol.
        proto: Protocol,
        /// The Service port.
        port: u16,
    },
    /// The endpoints of a Service disagree: an endpoint per verdict.
    MixedEndpoints(Vec<(Kind, EndpointPart)>),
    /// A VirtualService bound to the mesh names the Service's host for the
    /// source's sidecar, and where it sends the flow is not known
    /// (`crate::lang::istio::route`).
    VirtualService {
        /// The VirtualService and the route (boxed: it keeps the reason small).
        by: Box<RouteRef>,
        /// Why the route is not followed.
        why: RouteDoubt,
    },
    /// The source is an Istio gateway pod, and whether a route of a
    /// VirtualService bound to its Gateway sends the flow there is not
    /// known (`crate::lang::istio::gateway`).
    GatewayRoute {
        /// The route, or the Gateway's server (boxed: it keeps the reason small).
        by: Box<RouteRef>,
        /// Why it is not known.
        why: RouteDoubt,
    },
}

/// What one reading of a flow assumes of what the inputs leave open
/// ([`crate::readings`]): an address for each pod the input gives none,
/// whether what the input lacks matches, and the order of
/// AdminNetworkPolicies sharing a priority. An empty label is the only
/// reading.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ReadingLabel {
    /// Each pod without an address (as `namespace/name`) and the address
    /// assumed for it.
    pub pods: Vec<(String, IpAddr)>,
    /// `Some(true)`: what the input lacks (node addresses of `nodes` peers,
    /// labels of undeclared namespaces) is matched; `Some(false)`: it is
    /// not; `None`: the inputs leave nothing of that open.
    pub wide: Option<bool>,
    /// The rotation (0-based) of the AdminNetworkPolicies sharing a
    /// priority, when several orders exist.
    pub order: Option<usize>,
}

/// One endpoint (or group of endpoints) of a Service whose endpoints
/// disagree.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EndpointPart {
    /// An endpoint pod, as `namespace/name`.
    Pod(String),
    /// The source itself, a replica of the workload (`namespace/name`)
    /// behind the Service: traffic to itself is always allowed.
    SourceItself {
        /// The workload, as `namespace/name`.
        workload: String,
    },
    /// The other replicas of the workload (`namespace/name`) the source
    /// belongs to.
    OtherReplicas {
        /// The workload, as `namespace/name`.
        workload: String,
    },
}

/// A Service, by namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceRef {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
}
