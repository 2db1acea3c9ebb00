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
    pub authorization: Vec<AuthorizationPolicy>,
    pub peer_authentication: Vec<PeerAuthentication>,
    /// The root namespaces: a policy in one applies to every workload of
    /// the mesh (Istio's `istio-system` and the AKS add-on's
    /// `aks-istio-system`, each only as a root when it is the policy's
    /// namespace; see `docs/istio.md`).
    pub root_namespaces: Vec<String>,
}

impl Mesh {
    /// Does any policy of the mesh exist (the engine then adds its tier)?
    pub fn is_empty(&self) -> bool {
        self.authorization.is_empty() && self.peer_authentication.is_empty()
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
    pub dataplane: Dataplane,
    /// `spec.serviceAccountName` (`default` when absent): the SPIFFE
    /// identity `cluster.local/ns/<ns>/sa/<sa>` the pod presents over mTLS.
    pub service_account: String,
    /// Why tusk decided `dataplane` (for explanations).
    pub why: String,
}

/// AuthorizationPolicy `action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthzAction {
    Allow,
    Deny,
    Audit,
    /// Delegated to an external authorizer (`provider.name`): tusk cannot
    /// know its answer.
    Custom,
}

impl AuthzAction {
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
    pub namespace: String,
    pub name: String,
    pub target: AuthzTarget,
    pub action: AuthzAction,
    /// `None`: no `rules` field (an ALLOW policy then allows nothing, a
    /// DENY one denies nothing); `Some(vec![])` likewise.
    pub rules: Vec<AuthzRule>,
    /// `istio.io/dry-run: "true"`: evaluated in shadow mode, never enforced.
    pub dry_run: bool,
    pub loc: Loc,
}

impl AuthorizationPolicy {
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
    pub when: Vec<Condition>,
    pub loc: Loc,
}

/// A string match of Istio's: exact, prefix (`abc*`), suffix (`*abc`) or
/// presence (`*`) (AuthorizationPolicy reference, "Rule").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StrMatch(pub String);

impl StrMatch {
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
    pub values: Option<Vec<T>>,
    pub not_values: Option<Vec<T>>,
}

impl<T> Default for Field<T> {
    fn default() -> Self {
        Field { values: None, not_values: None }
    }
}

impl<T> Field<T> {
    pub fn is_set(&self) -> bool {
        self.values.is_some() || self.not_values.is_some()
    }
}

/// `from.source`.
#[derive(Debug, Clone, Default)]
pub struct Source {
    pub principals: Field<StrMatch>,
    pub request_principals: Field<StrMatch>,
    pub namespaces: Field<StrMatch>,
    pub ip_blocks: Field<IpSet>,
    pub remote_ip_blocks: Field<IpSet>,
}

/// `to.operation`.
#[derive(Debug, Clone, Default)]
pub struct Operation {
    pub hosts: Field<StrMatch>,
    pub ports: Field<u16>,
    pub methods: Field<StrMatch>,
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
    SourceIp,
    RemoteIp,
    SourceNamespace,
    SourcePrincipal,
    DestinationPort,
    /// A key tusk cannot evaluate offline (request headers, JWT claims,
    /// SNI, destination.ip, experimental filters): its name.
    Opaque(String),
}

#[derive(Debug, Clone)]
pub struct Condition {
    pub key: ConditionKey,
    pub values: Option<Vec<String>>,
    pub not_values: Option<Vec<String>>,
    pub loc: Loc,
}

/// PeerAuthentication `mtls.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MtlsMode {
    /// Inherit from the parent (namespace, then mesh); PERMISSIVE at the top.
    Unset,
    Permissive,
    Strict,
    Disable,
}

impl MtlsMode {
    pub fn name(self) -> &'static str {
        match self {
            MtlsMode::Unset => "UNSET",
            MtlsMode::Permissive => "PERMISSIVE",
            MtlsMode::Strict => "STRICT",
            MtlsMode::Disable => "DISABLE",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PeerAuthentication {
    pub namespace: String,
    pub name: String,
    /// `None`: the whole namespace (the mesh in the root namespace).
    pub selector: Option<LabelSelector>,
    pub mode: MtlsMode,
    /// `portLevelMtls`: container port → mode.
    pub port_level: Vec<(u16, MtlsMode)>,
    pub loc: Loc,
}

impl PeerAuthentication {
    pub fn title(&self) -> String {
        format!("PeerAuthentication {}/{}", self.namespace, self.name)
    }
}
