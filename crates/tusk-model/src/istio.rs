//! Istio's security kinds as far as tusk models them: AuthorizationPolicy
//! and PeerAuthentication (security.istio.io v1 / v1beta1), and the mesh
//! membership of each pod (sidecar, ambient, or none).
//!
//! Plain data: the loader (`tusk-load/src/k8s/istio.rs`) validates and
//! fills it, the engine (`tusk-policy/src/lang/istio.rs`) decides with it.
//! Istio docs: "Authorization Policy" and "PeerAuthentication" reference
//! pages (istio.io/latest/docs/reference/config/security/).

use super::k8s::LabelSelector;
use tusk_core::{IpSet, Loc};

/// The namespace whose policies apply mesh-wide when no mesh config says
/// otherwise (MeshConfig `rootNamespace`, default `istio-system`).
pub const DEFAULT_ROOT_NAMESPACE: &str = "istio-system";

/// Everything Istio-specific tusk read from the inputs.
#[derive(Debug, Clone, Default)]
pub struct Mesh {
    /// Every AuthorizationPolicy, in input order.
    pub authorization: Vec<AuthorizationPolicy>,
    /// Every PeerAuthentication, in input order.
    pub peer_authentication: Vec<PeerAuthentication>,
    /// The root namespaces: a policy in one applies to every workload of
    /// the mesh (Istio's `istio-system` and the AKS add-on's
    /// `aks-istio-system`, each only as a root when it is the policy's
    /// namespace; see `docs/istio.md`).
    pub root_namespaces: Vec<String>,
    /// Every Sidecar, in input order (egress scoping; `istio_net`).
    pub sidecars: Vec<super::istio_net::Sidecar>,
    /// Every ServiceEntry, in input order (`istio_net`).
    pub service_entries: Vec<super::istio_net::ServiceEntry>,
    /// Every VirtualService, in input order (`istio_route`).
    pub virtual_services: Vec<super::istio_route::VirtualService>,
    /// Every Gateway, in input order (`istio_route`).
    pub gateways: Vec<super::istio_route::Gateway>,
    /// Every named DestinationRule subset, in input order (`istio_route`).
    pub subsets: Vec<super::istio_route::Subset>,
}

impl Mesh {
    /// Does any policy of the mesh exist (the engine then adds its tier)?
    pub fn is_empty(&self) -> bool {
        self.authorization.is_empty() && self.peer_authentication.is_empty() && self.sidecars.is_empty()
    }

    /// Is `ns` a root namespace (its policies apply mesh-wide)?
    pub fn is_root(&self, ns: &str) -> bool {
        self.root_namespaces.iter().any(|r| r == ns)
    }
}

/// How a pod takes part in the mesh, derived from the namespace label
/// `istio-injection` / `istio.io/rev`, the pod's `sidecar.istio.io/inject`
/// label or annotation, a live pod's `istio-proxy` container, or the
/// namespace / pod label `istio.io/dataplane-mode=ambient` (Istio docs,
/// "Installing the Sidecar", "Ambient mode: Adding workloads").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dataplane {
    /// No proxy: Istio enforces nothing for it, and its traffic is plaintext.
    #[default]
    None,
    /// An Envoy sidecar: full L4 and L7 authorization, mTLS.
    Sidecar,
    /// Ambient mode: ztunnel enforces the L4 part of policies, with mTLS.
    Ambient,
    /// The inputs do not say (a namespace no input declares).
    Unknown,
}

/// A pod's mesh identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PodMesh {
    /// Sidecar, ambient, none or unknown.
    pub dataplane: Dataplane,
    /// `spec.serviceAccountName` (`default` when absent): the SPIFFE
    /// identity `cluster.local/ns/<ns>/sa/<sa>` the pod presents over mTLS.
    pub service_account: String,
    /// Why tusk decided `dataplane` (for explanations).
    pub why: MeshWhy,
    /// The pod is a gateway proxy (Envoy in router mode), not a workload
    /// with a sidecar: its only container is `istio-proxy`, or it asks for
    /// the `gateway` injection template (annotation
    /// `inject.istio.io/templates`, Istio docs "Installing Gateways").
    pub router: bool,
}

/// Why a pod has or has not a sidecar, or is in ambient mode (Istio docs,
/// "Installing the Sidecar", automatic injection; "Adding workloads to the
/// mesh"). tusk-report words the cases.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum MeshWhy {
    /// Not read (a pod built outside the loader).
    #[default]
    Unread,
    /// The live pod runs an `istio-proxy` container.
    LiveProxy,
    /// A gateway proxy: its only container is `istio-proxy`, or it asks
    /// for the `gateway` injection template. It presents its identity over
    /// mTLS and enforces Istio's policies like a sidecar.
    GatewayProxy,
    /// Pod label `sidecar.istio.io/inject=true`.
    InjectLabel,
    /// `sidecar.istio.io/inject=false` (label or annotation).
    InjectOff,
    /// The pod's namespace (named) is not declared: its injection labels
    /// are unknown.
    NamespaceUndeclared(String),
    /// The namespace (named) has `istio-injection=enabled`.
    NamespaceInjection(String),
    /// The namespace (named) has an `istio.io/rev` label.
    NamespaceRevision(String),
    /// Pod label `istio.io/dataplane-mode=ambient`.
    AmbientPodLabel,
    /// The namespace (named) has `istio.io/dataplane-mode=ambient`.
    AmbientNamespace(String),
    /// No sidecar, and nothing puts the pod in ambient mode.
    NoSidecar(NoSidecar),
    /// No sidecar, and pod label `istio.io/dataplane-mode=none`.
    DataplaneNone(NoSidecar),
}

/// Why a pod has no sidecar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoSidecar {
    /// The live pod runs no `istio-proxy` container.
    NoLiveProxy,
    /// No sidecar injection applies.
    NoInjection,
}

/// AuthorizationPolicy `action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthzAction {
    /// Allow what a rule matches (and close the workload to the rest).
    Allow,
    /// Deny what a rule matches.
    Deny,
    /// Log what a rule matches; decides nothing.
    Audit,
    /// Delegated to an external authorizer (`provider.name`): tusk cannot
    /// know its answer.
    Custom,
}

impl AuthzAction {
    /// The action as written in the policy (`ALLOW`, ...).
    pub fn name(self) -> &'static str {
        match self {
            AuthzAction::Allow => "ALLOW",
            AuthzAction::Deny => "DENY",
            AuthzAction::Audit => "AUDIT",
            AuthzAction::Custom => "CUSTOM",
        }
    }
}

/// Which workloads a policy applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthzTarget {
    /// No selector: every workload of the namespace, or of the mesh in the
    /// root namespace.
    All,
    /// `selector.matchLabels`.
    Selector(LabelSelector),
    /// `targetRef` / `targetRefs` (kind and name each): gateways and
    /// services; tusk does not resolve them (unknown).
    Refs(Vec<String>),
}

/// One AuthorizationPolicy.
#[derive(Debug, Clone)]
pub struct AuthorizationPolicy {
    /// metadata.namespace.
    pub namespace: String,
    /// metadata.name.
    pub name: String,
    /// The workloads it applies to.
    pub target: AuthzTarget,
    /// `action` (ALLOW when absent).
    pub action: AuthzAction,
    /// `None`: no `rules` field (an ALLOW policy then allows nothing, a
    /// DENY one denies nothing); `Some(vec![])` likewise.
    pub rules: Vec<AuthzRule>,
    /// `istio.io/dry-run: "true"`: evaluated in shadow mode, never enforced.
    pub dry_run: bool,
    /// Where it is written.
    pub loc: Loc,
}

impl AuthorizationPolicy {
    /// `AuthorizationPolicy ns/name (ACTION)`, for explanations.
    pub fn title(&self) -> String {
        format!("AuthorizationPolicy {}/{} ({})", self.namespace, self.name, self.action.name())
    }
}

/// One rule: every present part must match (`from` any source, `to` any
/// operation, every `when` condition).
#[derive(Debug, Clone)]
pub struct AuthzRule {
    /// Empty: any source.
    pub from: Vec<Source>,
    /// Empty: any operation.
    pub to: Vec<Operation>,
    /// Every condition must hold.
    pub when: Vec<Condition>,
    /// Where it is written.
    pub loc: Loc,
}

/// A string match of Istio's: exact, prefix (`abc*`), suffix (`*abc`) or
/// presence (`*`) (AuthorizationPolicy reference, "Rule").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StrMatch(pub String);

impl StrMatch {
    /// Does the value match the pattern?
    pub fn matches(&self, s: &str) -> bool {
        let p = self.0.as_str();
        if p == "*" {
            return !s.is_empty();
        }
        if let Some(rest) = p.strip_suffix('*') {
            return s.starts_with(rest);
        }
        if let Some(rest) = p.strip_prefix('*') {
            return s.ends_with(rest);
        }
        p == s
    }
}

/// A field and its `not` form: matches when `values` (if set) match and
/// `not_values` do not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<T> {
    /// The positive form (`principals`, `ports`, ...).
    pub values: Option<Vec<T>>,
    /// The negative form (`notPrincipals`, `notPorts`, ...).
    pub not_values: Option<Vec<T>>,
}

impl<T> Default for Field<T> {
    fn default() -> Self {
        Field { values: None, not_values: None }
    }
}

impl<T> Field<T> {
    /// Is either form present?
    pub fn is_set(&self) -> bool {
        self.values.is_some() || self.not_values.is_some()
    }
}

/// `from.source`.
/// `from.source`: every set field must match.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// `principals` / `notPrincipals` (`cluster.local/ns/NS/sa/SA`).
    pub principals: Field<StrMatch>,
    /// `requestPrincipals` / `notRequestPrincipals` (JWT `iss/sub`).
    pub request_principals: Field<StrMatch>,
    /// `namespaces` / `notNamespaces` (the source's, from its identity).
    pub namespaces: Field<StrMatch>,
    /// `ipBlocks` / `notIpBlocks` (the peer's address).
    pub ip_blocks: Field<IpSet>,
    /// `remoteIpBlocks` / `notRemoteIpBlocks`.
    pub remote_ip_blocks: Field<IpSet>,
}

/// `to.operation`.
/// `to.operation`: every set field must match.
#[derive(Debug, Clone, Default)]
pub struct Operation {
    /// `hosts` / `notHosts` (the Host header).
    pub hosts: Field<StrMatch>,
    /// `ports` / `notPorts` (TCP destination ports).
    pub ports: Field<u16>,
    /// `methods` / `notMethods` (HTTP).
    pub methods: Field<StrMatch>,
    /// `paths` / `notPaths` (HTTP).
    pub paths: Field<StrMatch>,
}

impl Operation {
    /// Does it test what only the request shows (host, method, path)?
    pub fn is_l7(&self) -> bool {
        self.hosts.is_set() || self.methods.is_set() || self.paths.is_set()
    }
}

/// A `when` condition's key, as far as tusk evaluates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionKey {
    /// `source.ip`.
    SourceIp,
    /// `remote.ip`.
    RemoteIp,
    /// `source.namespace`.
    SourceNamespace,
    /// `source.principal`.
    SourcePrincipal,
    /// `destination.port`.
    DestinationPort,
    /// A key tusk cannot evaluate offline (request headers, JWT claims,
    /// SNI, destination.ip, experimental filters): its name.
    Opaque(String),
}

/// A `when` condition: `key` must take one of `values` (when set) and none
/// of `not_values`.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The attribute tested.
    pub key: ConditionKey,
    /// `values`: one must match.
    pub values: Option<Vec<String>>,
    /// `notValues`: none may match.
    pub not_values: Option<Vec<String>>,
    /// Where it is written.
    pub loc: Loc,
}

/// PeerAuthentication `mtls.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MtlsMode {
    /// Inherit from the parent (namespace, then mesh); PERMISSIVE at the top.
    Unset,
    /// mTLS and plaintext accepted.
    Permissive,
    /// mTLS only: plaintext refused.
    Strict,
    /// Plaintext only.
    Disable,
}

impl MtlsMode {
    /// The mode as written (`STRICT`, ...).
    pub fn name(self) -> &'static str {
        match self {
            MtlsMode::Unset => "UNSET",
            MtlsMode::Permissive => "PERMISSIVE",
            MtlsMode::Strict => "STRICT",
            MtlsMode::Disable => "DISABLE",
        }
    }
}

/// One PeerAuthentication: the mTLS mode of the workloads it selects.
#[derive(Debug, Clone)]
pub struct PeerAuthentication {
    /// metadata.namespace.
    pub namespace: String,
    /// metadata.name.
    pub name: String,
    /// `None`: the whole namespace (the mesh in the root namespace).
    pub selector: Option<LabelSelector>,
    /// `mtls.mode` (UNSET when absent).
    pub mode: MtlsMode,
    /// `portLevelMtls`: container port → mode.
    pub port_level: Vec<(u16, MtlsMode)>,
    /// Where it is written.
    pub loc: Loc,
}

impl PeerAuthentication {
    /// `PeerAuthentication ns/name`, for explanations.
    pub fn title(&self) -> String {
        format!("PeerAuthentication {}/{}", self.namespace, self.name)
    }
}
