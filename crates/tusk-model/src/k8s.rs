//! Kubernetes objects as the policy engines need them: namespaces, pods (one
//! entry per exported pod, one per controller template standing for all its
//! replicas), Services, Ingresses and Nodes, already validated and typed. The
//! policy kinds (selectors parsed, ports and CIDRs checked) are in
//! [`crate::k8s_policy`], re-exported here.

use std::collections::BTreeMap;
use std::net::IpAddr;
use tusk_core::{Idx, IpSet, Loc, Protocol};

/// An object's labels, key to value, sorted by key.
pub type Labels = BTreeMap<String, String>;

/// The Kubernetes side of an estate: every object the policy engines and
/// the AKS join read, in input order.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    /// Declared namespaces, and those only used by some object (`loc` `None`).
    pub namespaces: Vec<Namespace>,
    /// Controllers and bare pods; [`Pod::workload`] indexes this list.
    pub workloads: Vec<Workload>,
    /// Every pod the input gives, and one entry per controller template
    /// standing for all its replicas ([`Pod::template`]).
    pub pods: Vec<Pod>,
    /// Services (`v1`).
    pub services: Vec<Service>,
    /// Ingresses (`networking.k8s.io/v1`), kept for `tusk audit`.
    pub ingresses: Vec<Ingress>,
    /// Exported Node objects.
    pub nodes: Vec<Node>,
    /// NetworkPolicies (`networking.k8s.io/v1`).
    pub network_policies: Vec<NetworkPolicy>,
    /// AdminNetworkPolicies (`policy.networking.k8s.io/v1alpha1`).
    pub admin_policies: Vec<AdminNetworkPolicy>,
    /// The cluster's BaselineAdminNetworkPolicy (there is at most one, named `default`).
    pub baseline_policy: Option<AdminNetworkPolicy>,
    /// Policies of languages tusk does not model (Calico, Cilium, Istio):
    /// the engine makes the verdicts they may change unknown.
    pub foreign_policies: Vec<ForeignPolicy>,
    /// CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies tusk
    /// models (also kept in `foreign_policies`, for clusters that may or may
    /// not run Cilium).
    pub cilium_policies: Vec<crate::cilium::CiliumPolicy>,
    /// Calico's policies, tiers, profiles, network sets and endpoints, as
    /// the Calico tiers model them (also kept in `foreign_policies`, for
    /// clusters that may or may not run Calico).
    pub calico: crate::calico::CalicoObjects,
    /// Istio AuthorizationPolicies and PeerAuthentications tusk models.
    pub mesh: crate::istio::Mesh,
    /// Where pod IPs lie (`--pod-cidr`, `podCidrs:` in tusk.yaml), for pods
    /// the input gives no IP; `None`: anywhere in IPv4.
    pub pod_cidrs: Option<IpSet>,
    /// AKS's ip-masq-agent configuration (`kube-system` ConfigMaps
    /// `azure-ip-masq-agent-config` and `…-reconciled`), when exported.
    pub ip_masq: Vec<IpMasqConfig>,
}

/// One ip-masq-agent ConfigMap: the destinations a pod's source address
/// is kept for (Kubernetes docs, "IP Masquerade Agent User Guide").
#[derive(Debug, Clone)]
pub struct IpMasqConfig {
    /// `kube-system/NAME`.
    pub name: String,
    /// `data.nonMasqueradeCIDRs`: destinations the pod's own address is kept for.
    pub non_masquerade: Vec<tusk_core::ip::Cidr>,
    /// Where the ConfigMap was read.
    pub loc: Loc,
}

/// The policy engine a foreign policy kind belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ForeignEngine {
    /// Calico (`crd.projectcalico.org` / `projectcalico.org`).
    Calico,
    /// Cilium (`cilium.io`).
    Cilium,
    /// Istio (`security.istio.io`).
    Istio,
}

impl ForeignEngine {
    /// `Calico`, `Cilium` or `Istio`.
    pub fn name(self) -> &'static str {
        match self {
            ForeignEngine::Calico => "Calico",
            ForeignEngine::Cilium => "Cilium",
            ForeignEngine::Istio => "Istio",
        }
    }
}

/// A policy-bearing object of a language tusk does not model yet, kept
/// with what it may act on, over-approximated: the pods of its namespace
/// (or of the cluster) that its subject may select, in the directions it
/// may act on.
#[derive(Debug, Clone)]
pub struct ForeignPolicy {
    /// The engine whose kind it is.
    pub engine: ForeignEngine,
    /// The object's `kind`, as written (`GlobalNetworkPolicy`, `AuthorizationPolicy`, ...).
    pub kind: String,
    /// `None` for a cluster-wide object (GlobalNetworkPolicy, a policy in
    /// Istio's root namespace, ...).
    pub namespace: Option<String>,
    /// The object's name.
    pub name: String,
    /// Pods it may select within its scope; `None`: all of them.
    pub subject: Option<LabelSelector>,
    /// May act on the selected pods' ingress.
    pub ingress: bool,
    /// May act on the selected pods' egress.
    pub egress: bool,
    /// May it allow what Kubernetes policies deny (Calico, Cilium), or only
    /// deny what they allow (Istio's authorization and mTLS checks)?
    pub can_allow: bool,
    /// Where the object was read.
    pub loc: Loc,
}

impl ForeignPolicy {
    /// `CiliumNetworkPolicy default/rule1`, `Calico NetworkPolicy shop/x`.
    pub fn title(&self) -> String {
        let engine = self.engine.name();
        let kind = if self.kind.starts_with(engine) { self.kind.clone() } else { format!("{engine} {}", self.kind) };
        match &self.namespace {
            Some(ns) => format!("{kind} {ns}/{}", self.name),
            None => format!("{kind} {}", self.name),
        }
    }

    /// Could it select `pod` (in `dir_ingress` true: for ingress)?
    pub fn may_select(&self, pod_namespace: &str, labels: &Labels, ingress: bool) -> bool {
        (if ingress { self.ingress } else { self.egress })
            && self.namespace.as_deref().is_none_or(|ns| ns == pod_namespace)
            && self.subject.as_ref().is_none_or(|s| s.matches(labels))
    }
}

/// A namespace (`v1`).
#[derive(Debug, Clone)]
pub struct Namespace {
    /// The namespace's name.
    pub name: String,
    /// Its labels, `kubernetes.io/metadata.name` included (the API server sets it).
    pub labels: Labels,
    /// `None` for a namespace that no input declared but some object uses.
    pub loc: Option<Loc>,
}

/// The kinds of workload tusk expands into pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WorkloadKind {
    /// A bare pod: its own workload.
    Pod,
    /// `apps/v1` Deployment.
    Deployment,
    /// `apps/v1` StatefulSet.
    StatefulSet,
    /// `apps/v1` DaemonSet.
    DaemonSet,
    /// `apps/v1` ReplicaSet.
    ReplicaSet,
    /// `v1` ReplicationController.
    ReplicationController,
    /// `batch/v1` Job.
    Job,
    /// `batch/v1` CronJob.
    CronJob,
}

impl WorkloadKind {
    /// The kind from its `kind` field, exactly as the API spells it; `None` for
    /// any other kind.
    pub fn parse(kind: &str) -> Option<WorkloadKind> {
        Some(match kind {
            "Pod" => WorkloadKind::Pod,
            "Deployment" => WorkloadKind::Deployment,
            "StatefulSet" => WorkloadKind::StatefulSet,
            "DaemonSet" => WorkloadKind::DaemonSet,
            "ReplicaSet" => WorkloadKind::ReplicaSet,
            "ReplicationController" => WorkloadKind::ReplicationController,
            "Job" => WorkloadKind::Job,
            "CronJob" => WorkloadKind::CronJob,
            _ => return None,
        })
    }

    /// The `kind` as the API spells it.
    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::Pod => "Pod",
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::ReplicationController => "ReplicationController",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
        }
    }
}

/// A workload: a controller with a pod template, or a bare pod (its own
/// workload). A pod owned by a controller whose manifest is absent is grouped
/// under its owner reference, as `kubectl get pods` output demands.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Its kind.
    pub kind: WorkloadKind,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Where the object was read.
    pub loc: Loc,
    /// Pods the controller asks for (`replicas`, `parallelism`; 1 for a
    /// bare pod; for a DaemonSet, 1 here and one per eligible node in fact).
    pub replicas: u32,
    /// The pod template's scheduling constraints (for exported pods, the
    /// first pod's).
    pub scheduling: crate::scheduling::PodScheduling,
    /// Settings of the pod template (for exported pods, the first pod's)
    /// that make escaping a container to its node easy: read for
    /// `tusk audit`, used by no verdict.
    pub escape: Vec<EscapeRisk>,
}

/// One pod-template setting that weakens the container boundary
/// (privileged, hostNetwork, hostPID, hostIPC, allowPrivilegeEscalation,
/// added capabilities, runAsUser 0), where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscapeRisk {
    /// Which setting, and in which container.
    pub setting: EscapeSetting,
    /// Where the setting is written.
    pub loc: Loc,
}

/// A pod-template setting that weakens the container boundary, as the
/// Pod Security Standards' baseline and restricted profiles name them
/// (kubernetes.io/docs/concepts/security/pod-security-standards/).
/// `container` is the container's `name` (`None` when it has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscapeSetting {
    /// `hostNetwork`, `hostPID` or `hostIPC: true` on the pod.
    HostNamespace(HostNamespace),
    /// `securityContext.runAsUser: 0` on the pod.
    RootPod,
    /// `securityContext.privileged: true` on a container.
    Privileged {
        /// The container.
        container: Option<String>,
    },
    /// `securityContext.allowPrivilegeEscalation: true` on a container.
    AllowPrivilegeEscalation {
        /// The container.
        container: Option<String>,
    },
    /// `securityContext.runAsUser: 0` on a container.
    RootContainer {
        /// The container.
        container: Option<String>,
    },
    /// `securityContext.capabilities.add` on a container (non-empty).
    AddedCapabilities {
        /// The container.
        container: Option<String>,
        /// The capabilities added, as written.
        capabilities: Vec<String>,
    },
}

/// A host namespace a pod can share (`spec.hostNetwork`, `hostPID`, `hostIPC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostNamespace {
    /// `hostNetwork`.
    Network,
    /// `hostPID`.
    Pid,
    /// `hostIPC`.
    Ipc,
}

impl HostNamespace {
    /// The pod spec field that shares it (`hostNetwork`, `hostPID`, `hostIPC`).
    pub fn field(self) -> &'static str {
        match self {
            HostNamespace::Network => "hostNetwork",
            HostNamespace::Pid => "hostPID",
            HostNamespace::Ipc => "hostIPC",
        }
    }
}

/// A pod: an exported one, or one replica of a workload's template.
#[derive(Debug, Clone)]
pub struct Pod {
    /// Its namespace.
    pub namespace: String,
    /// Its name (`WORKLOAD-N` for a replica tusk made).
    pub name: String,
    /// Its labels (the template's for a replica).
    pub labels: Labels,
    /// `status.podIP(s)` when the input carried them.
    pub ips: Vec<IpAddr>,
    /// `status.hostIP` when the input carried it.
    pub host_ip: Option<IpAddr>,
    /// Where the pod's address lies when `ips` is empty: what the network
    /// plugin allows on the nodes it can run on (the pool's pod CIDR, node
    /// subnet or pod subnet; the nodes' addresses for a hostNetwork pod),
    /// set by the AKS wiring (`tusk_path::join::wire`) and read alike by
    /// the class engine and the per-flow evaluator. `None`: not known
    /// ([`Cluster::pod_cidrs`], else anywhere in IPv4).
    pub ip_range: Option<IpSet>,
    /// `spec.hostNetwork`: the pod uses its node's network namespace and address.
    pub host_network: bool,
    /// `spec.nodeName`, when set or exported.
    pub node_name: Option<String>,
    /// Every container's declared ports.
    pub ports: Vec<ContainerPort>,
    /// Its workload in [`Cluster::workloads`].
    pub workload: Idx<Workload>,
    /// Its place in an Istio mesh (sidecar, ambient, none) and identity.
    pub mesh: crate::istio::PodMesh,
    /// Where the pod (or its template) was read.
    pub loc: Loc,
    /// `Some` when this entry stands for every replica of a controller's
    /// pod template: they are alike for every policy (same labels, ports,
    /// no address), so they stay one entry and memory follows the input,
    /// not `replicas` (issue 8 C6). `name` is then the first replica's.
    pub template: Option<Replicas>,
}

/// The replicas one [`Pod`] entry stands for: `count` pods (at least one)
/// named `{base}-0` … `{base}-{count-1}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replicas {
    /// The controller's name; replica `r` is `{base}-{r}`.
    pub base: String,
    /// How many pods the template makes (`replicas`, `parallelism`, or one
    /// per node for a DaemonSet); at least 1.
    pub count: u32,
}

impl Pod {
    /// How many pods this entry stands for: 1, or its template's count.
    pub fn count(&self) -> u32 {
        self.template.as_ref().map_or(1, |t| t.count)
    }

    /// The name of replica `r` (`r` < [`Pod::count`]): the pod's own name
    /// for a pod the input gives, `{base}-{r}` for a template's replica.
    pub fn replica_name(&self, r: u32) -> std::borrow::Cow<'_, str> {
        match &self.template {
            Some(t) if r > 0 => std::borrow::Cow::Owned(format!("{}-{r}", t.base)),
            _ => std::borrow::Cow::Borrowed(&self.name),
        }
    }

    /// The replica of this entry named `name`, if any.
    pub fn replica_named(&self, name: &str) -> Option<u32> {
        if self.name == name {
            return Some(0);
        }
        let t = self.template.as_ref()?;
        let r: u32 = name.strip_prefix(t.base.as_str())?.strip_prefix('-')?.parse().ok()?;
        // `web-01` is no replica's name; `r` must be written as printed.
        (r < t.count && format!("{}-{r}", t.base) == name).then_some(r)
    }
}

/// One `containers[].ports[]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    /// `name`, which named ports in policies and Services refer to.
    pub name: Option<String>,
    /// `containerPort`, 1–65535.
    pub port: u16,
    /// `protocol` (default TCP).
    pub protocol: Protocol,
}

/// A Service: the virtual address(es) kube-proxy (or the data plane)
/// translates to an endpoint pod before any policy sees the packet.
#[derive(Debug, Clone)]
pub struct Service {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// `spec.selector`; `None` when absent or empty: the endpoints are then
    /// managed outside the Service (EndpointSlices), not derived from pods.
    pub selector: Option<Labels>,
    /// `spec.clusterIP(s)`, without `None` (headless) and empty values.
    pub cluster_ips: Vec<IpAddr>,
    /// `spec.ports`.
    pub ports: Vec<ServicePort>,
    /// Where the Service was read.
    pub loc: Loc,
    /// `spec.type` (ClusterIP when absent).
    pub kind: ServiceType,
    /// `spec.externalTrafficPolicy`: who receives traffic from outside the
    /// cluster and which source the pod sees (Cluster when absent).
    pub external_traffic_policy: TrafficPolicy,
    /// The Azure load balancer's frontend addresses of a `LoadBalancer`
    /// Service: `status.loadBalancer.ingress[].ip`, then `spec.loadBalancerIP`,
    /// then the annotation `service.beta.kubernetes.io/azure-load-balancer-ipv4`
    /// (AKS docs, "Use an internal load balancer"); empty when none is in the
    /// inputs (Azure assigns one at deploy time).
    pub load_balancer_ips: Vec<IpAddr>,
    /// The annotation `service.beta.kubernetes.io/azure-load-balancer-internal: "true"`:
    /// the frontend is a private address of the VNet, not a public IP.
    pub internal: bool,
    /// The annotation `service.beta.kubernetes.io/azure-load-balancer-internal-subnet`:
    /// the subnet (by name, in the cluster's VNet) holding an internal frontend.
    pub internal_subnet: Option<String>,
    /// The clients the load balancer admits: `spec.loadBalancerSourceRanges`,
    /// the annotation `service.beta.kubernetes.io/load-balancer-source-ranges`
    /// and AKS's `service.beta.kubernetes.io/azure-allowed-ip-ranges`
    /// (empty: no restriction). The cloud provider enforces them with NSG
    /// rules it writes.
    pub source_ranges: Vec<tusk_core::ip::Cidr>,
    /// AKS's `service.beta.kubernetes.io/azure-allowed-service-tags`: service
    /// tags whose addresses are admitted too (their prefixes are not
    /// resolved here).
    pub allowed_service_tags: Vec<String>,
    /// Floating IP on the load balancer's rules (the default). The
    /// annotation `service.beta.kubernetes.io/azure-disable-load-balancer-floating-ip: "true"`
    /// turns it off: the load balancer then rewrites the destination to the
    /// node's address and the Service's node port, and the NSG rules the
    /// cloud provider writes name the node addresses (cloud-provider-azure,
    /// "Azure LoadBalancer" annotations; its `reconcileSecurityGroup`).
    pub floating_ip: bool,
    /// `spec.healthCheckNodePort` (externalTrafficPolicy Local): the node
    /// port the load balancer's health probe asks; `None` when not in the
    /// inputs (the API server allocates it).
    pub health_check_node_port: Option<u16>,
}

/// `spec.type` of a Service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServiceType {
    /// A virtual address translated on the cluster's nodes only.
    #[default]
    ClusterIp,
    /// A ClusterIP plus a port on every node.
    NodePort,
    /// A node port on every node plus a cloud load balancer in front
    /// (on AKS an Azure Load Balancer, public or internal).
    LoadBalancer,
    /// A DNS name (CNAME), no proxying.
    ExternalName,
}

/// `spec.externalTrafficPolicy` (Kubernetes docs, "Virtual IPs and Service
/// Proxies", traffic policies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrafficPolicy {
    /// Any node takes the traffic and forwards it to any endpoint, after
    /// translating the source to the node's address.
    #[default]
    Cluster,
    /// Only nodes with a local endpoint take it; the client's address is kept.
    Local,
}

/// One `spec.ports[]` entry of a Service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePort {
    /// `name` (required when the Service has several ports).
    pub name: Option<String>,
    /// `port`: the Service's port, 1–65535.
    pub port: u16,
    /// `protocol` (default TCP).
    pub protocol: Protocol,
    /// `targetPort` (default: the same number as `port`).
    pub target: TargetPort,
    /// `nodePort` (NodePort and LoadBalancer Services), when the input has it.
    pub node_port: Option<u16>,
}

/// `targetPort`: a number, or a container port name resolved per endpoint pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetPort {
    /// A port number, 1–65535.
    Number(u16),
    /// A container port name.
    Name(String),
}

/// An Ingress (`networking.k8s.io/v1`), by name only.
#[derive(Debug, Clone)]
pub struct Ingress {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub loc: Loc,
    /// Every Service backend it names (`spec.defaultBackend`, and each
    /// `spec.rules[].http.paths[].backend`), in its own namespace.
    pub backends: Vec<IngressBackend>,
}

/// A Service backend of an Ingress (`backend.service`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngressBackend {
    /// The Service's name, in the Ingress's namespace.
    pub service: String,
    /// `port.number` or `port.name`: a port of the Service.
    pub port: TargetPort,
    /// The rule's `path` and `pathType` (`spec.rules[].http.paths[]`);
    /// `None` for `spec.defaultBackend`.
    pub path: Option<(String, PathType)>,
    /// Where the backend was read.
    pub loc: Loc,
}

/// `pathType` of an Ingress path (Kubernetes docs, "Ingress", path types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathType {
    /// The whole URL path, case-sensitively.
    Exact,
    /// A prefix of the URL path split by `/`, element by element.
    Prefix,
    /// Up to the IngressClass's controller.
    ImplementationSpecific,
}

/// An exported Node (`v1`).
#[derive(Debug, Clone)]
pub struct Node {
    /// Its name (`aks-POOL-HASH-vmss00000N` on AKS).
    pub name: String,
    /// Its labels (AKS sets the pool, zone and OS labels).
    pub labels: Labels,
    /// `status.addresses` of type `InternalIP` (and `ExternalIP`).
    pub ips: Vec<IpAddr>,
    /// `spec.providerID` (`azure:///subscriptions/.../virtualMachineScaleSets/NAME/virtualMachines/N`).
    pub provider_id: Option<String>,
    /// `spec.podCIDRs` (or `spec.podCIDR`): kubenet and overlay nodes' pod ranges.
    pub pod_cidrs: Vec<tusk_core::ip::Cidr>,
    /// `spec.taints`.
    pub taints: Vec<crate::scheduling::Taint>,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    /// Where the Node was read.
    pub loc: Loc,
}

pub use crate::k8s_policy::{
    AdminAction, AdminNetworkPolicy, AdminPeer, AdminRule, LabelSelector, NetworkPolicy, NpPeer, NpRule, PolicyPort,
    Requirement, SelectorOp,
};
