//! Kubernetes objects as the policy engines need them: namespaces, pods (one
//! entry per exported pod, one per controller template standing for all its
//! replicas), and the policy kinds, already validated
//! and typed (selectors parsed, ports and CIDRs checked).

use std::collections::BTreeMap;
use std::net::IpAddr;
use tusk_core::{IpSet, Loc, Protocol};

pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, Default)]
pub struct Cluster {
    pub namespaces: Vec<Namespace>,
    pub workloads: Vec<Workload>,
    /// Every pod the input gives, and one entry per controller template
    /// standing for all its replicas ([`Pod::template`]).
    pub pods: Vec<Pod>,
    pub services: Vec<Service>,
    pub ingresses: Vec<Ingress>,
    pub nodes: Vec<Node>,
    pub network_policies: Vec<NetworkPolicy>,
    pub admin_policies: Vec<AdminNetworkPolicy>,
    pub baseline_policy: Option<AdminNetworkPolicy>,
    /// Policies of languages tusk does not model (Calico, Cilium, Istio):
    /// the engine makes the verdicts they may change unknown.
    pub foreign_policies: Vec<ForeignPolicy>,
    /// CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies tusk
    /// models (also kept in `foreign_policies`, for clusters that may or may
    /// not run Cilium).
    pub cilium_policies: Vec<crate::cilium::CiliumPolicy>,
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
    pub non_masquerade: Vec<tusk_core::ip::Cidr>,
    pub loc: Loc,
}

/// The policy engine a foreign policy kind belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ForeignEngine {
    Calico,
    Cilium,
    Istio,
}

impl ForeignEngine {
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
    pub engine: ForeignEngine,
    pub kind: String,
    /// `None` for a cluster-wide object (GlobalNetworkPolicy, a policy in
    /// Istio's root namespace, ...).
    pub namespace: Option<String>,
    pub name: String,
    /// Pods it may select within its scope; `None`: all of them.
    pub subject: Option<LabelSelector>,
    /// May act on the selected pods' ingress / egress.
    pub ingress: bool,
    pub egress: bool,
    /// May it allow what Kubernetes policies deny (Calico, Cilium), or only
    /// deny what they allow (Istio's authorization and mTLS checks)?
    pub can_allow: bool,
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

#[derive(Debug, Clone)]
pub struct Namespace {
    pub name: String,
    pub labels: Labels,
    /// `None` for a namespace that no input declared but some object uses.
    pub loc: Option<Loc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WorkloadKind {
    Pod,
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    ReplicationController,
    Job,
    CronJob,
}

impl WorkloadKind {
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
    pub kind: WorkloadKind,
    pub namespace: String,
    pub name: String,
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
    /// `privileged: true in container app`, ...
    pub what: String,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Pod {
    pub namespace: String,
    pub name: String,
    pub labels: Labels,
    /// `status.podIP(s)` when the input carried them.
    pub ips: Vec<IpAddr>,
    /// `status.hostIP` when the input carried it.
    pub host_ip: Option<IpAddr>,
    pub host_network: bool,
    pub node_name: Option<String>,
    pub ports: Vec<ContainerPort>,
    /// Index into [`Cluster::workloads`].
    pub workload: usize,
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub port: u16,
    pub protocol: Protocol,
}

/// A Service: the virtual address(es) kube-proxy (or the data plane)
/// translates to an endpoint pod before any policy sees the packet.
#[derive(Debug, Clone)]
pub struct Service {
    pub namespace: String,
    pub name: String,
    /// `spec.selector`; `None` when absent or empty: the endpoints are then
    /// managed outside the Service (EndpointSlices), not derived from pods.
    pub selector: Option<Labels>,
    /// `spec.clusterIP(s)`, without `None` (headless) and empty values.
    pub cluster_ips: Vec<IpAddr>,
    pub ports: Vec<ServicePort>,
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: u16,
    pub protocol: Protocol,
    pub target: TargetPort,
}

/// `targetPort`: a number, or a container port name resolved per endpoint pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetPort {
    Number(u16),
    Name(String),
}

#[derive(Debug, Clone)]
pub struct Ingress {
    pub namespace: String,
    pub name: String,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    pub labels: Labels,
    pub ips: Vec<IpAddr>,
    /// `spec.providerID` (`azure:///subscriptions/.../virtualMachineScaleSets/NAME/virtualMachines/N`).
    pub provider_id: Option<String>,
    /// `spec.podCIDRs` (or `spec.podCIDR`): kubenet and overlay nodes' pod ranges.
    pub pod_cidrs: Vec<tusk_core::ip::Cidr>,
    pub taints: Vec<crate::scheduling::Taint>,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    pub loc: Loc,
}

/// A label selector (metav1.LabelSelector). An empty selector selects
/// everything; an absent one is modelled by `Option` at the use site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct LabelSelector {
    pub match_labels: Vec<(String, String)>,
    pub match_expressions: Vec<Requirement>,
}

impl LabelSelector {
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Plain evaluation against one label map; the engine uses label
    /// indexes instead, and this is its reference.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| r.matches(labels))
    }

    /// Evaluation against labels of which only `labels` are known and any
    /// other key may or may not be present (a namespace no input declares):
    /// `Some` when the known labels decide, `None` when the rest could.
    pub fn matches_known(&self, labels: &Labels) -> Option<bool> {
        let mut open = false;
        for (k, v) in &self.match_labels {
            match labels.get(k) {
                Some(x) if x != v => return Some(false),
                Some(_) => {}
                None => open = true,
            }
        }
        for r in &self.match_expressions {
            if labels.contains_key(&r.key) {
                if !r.matches(labels) {
                    return Some(false);
                }
            } else {
                open = true;
            }
        }
        if open {
            None
        } else {
            Some(true)
        }
    }

    /// `app=web,tier in (a,b)`, the notation of `kubectl get -l`.
    pub fn describe(&self) -> String {
        if self.is_empty() {
            return "{} (all)".into();
        }
        let mut parts: Vec<String> = self.match_labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for r in &self.match_expressions {
            parts.push(match r.op {
                SelectorOp::In => format!("{} in ({})", r.key, r.values.join(",")),
                SelectorOp::NotIn => format!("{} notin ({})", r.key, r.values.join(",")),
                SelectorOp::Exists => r.key.clone(),
                SelectorOp::DoesNotExist => format!("!{}", r.key),
            });
        }
        parts.join(",")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SelectorOp {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Requirement {
    pub key: String,
    pub op: SelectorOp,
    pub values: Vec<String>,
}

impl Requirement {
    pub fn matches(&self, labels: &Labels) -> bool {
        let v = labels.get(&self.key);
        match self.op {
            SelectorOp::In => v.is_some_and(|v| self.values.contains(v)),
            // NotIn matches objects without the key, as in apimachinery's
            // labels.Requirement.Matches.
            SelectorOp::NotIn => v.is_none_or(|v| !self.values.contains(v)),
            SelectorOp::Exists => v.is_some(),
            SelectorOp::DoesNotExist => v.is_none(),
        }
    }
}

/// A port as a policy names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PolicyPort {
    /// Every port of the protocol (a `ports` entry with `port` absent).
    All(Protocol),
    /// `port` .. `endPort` (equal when `endPort` is absent).
    Range(Protocol, u16, u16),
    /// A container port name, resolved per destination pod. NetworkPolicy
    /// names a protocol (default TCP) that must match the container port's;
    /// AdminNetworkPolicy's `namedPort` takes the container port's protocol.
    Named(Option<Protocol>, String),
}

/// The peers of a NetworkPolicy rule.
#[derive(Debug, Clone)]
pub enum NpPeer {
    /// `podSelector` and/or `namespaceSelector`; an absent namespace selector
    /// means the policy's own namespace, an absent pod selector all pods.
    Pods { namespace_selector: Option<LabelSelector>, pod_selector: Option<LabelSelector>, loc: Loc },
    /// `ipBlock`: the CIDR minus its exceptions.
    IpBlock { cidr: String, addresses: IpSet, loc: Loc },
}

#[derive(Debug, Clone)]
pub struct NpRule {
    /// Empty: all peers (the field was absent or an empty list).
    pub peers: Vec<NpPeer>,
    /// Empty: all ports and protocols.
    pub ports: Vec<PolicyPort>,
    pub loc: Loc,
}

/// networking.k8s.io/v1 NetworkPolicy.
#[derive(Debug, Clone)]
pub struct NetworkPolicy {
    pub namespace: String,
    pub name: String,
    pub pod_selector: LabelSelector,
    /// From `policyTypes`, or its default: Ingress always, Egress when the
    /// spec has an `egress` section.
    pub isolates_ingress: bool,
    pub isolates_egress: bool,
    pub ingress: Vec<NpRule>,
    pub egress: Vec<NpRule>,
    pub loc: Loc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    Allow,
    Deny,
    Pass,
}

/// The subject or a peer of an (Baseline)AdminNetworkPolicy.
#[derive(Debug, Clone)]
pub enum AdminPeer {
    Namespaces(LabelSelector),
    Pods {
        namespace_selector: LabelSelector,
        pod_selector: LabelSelector,
    },
    /// Egress only: nodes selected by label.
    Nodes(LabelSelector),
    /// Egress only: CIDRs.
    Networks(IpSet, Vec<String>),
}

#[derive(Debug, Clone)]
pub struct AdminRule {
    pub name: String,
    pub action: AdminAction,
    pub peers: Vec<AdminPeer>,
    /// Empty: all ports and protocols.
    pub ports: Vec<PolicyPort>,
    pub loc: Loc,
}

/// policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy, or the cluster's one
/// BaselineAdminNetworkPolicy (`priority` is `None`, no `Pass`).
#[derive(Debug, Clone)]
pub struct AdminNetworkPolicy {
    pub name: String,
    pub priority: Option<u32>,
    pub subject: AdminPeer,
    pub ingress: Vec<AdminRule>,
    pub egress: Vec<AdminRule>,
    pub loc: Loc,
}
