//! The Kubernetes loader: what `kubectl get -o yaml|json` and `helm template`
//! produce (single objects, multi-document streams, `List`/`PodList`/...
//! wrappers) into a [`tusk_model::k8s::Cluster`].
//!
//! One file per kind family: [`workload`] (pods and controllers), [`netpol`]
//! (NetworkPolicy), [`anp`] (Admin and Baseline admin policies), with the
//! shared pieces in [`selector`], [`ports`] and [`fields`]. Kinds that carry
//! no connectivity (ConfigMap, Secret, ...) are skipped with a warning.

mod anp;
mod calico;
mod calico_add;
pub mod calico_selector;
mod cilium;
mod foreign;
mod ipmasq;
mod istio;
mod istio_net;
mod istio_route;
mod netpol;
pub mod ports;
pub mod scheduling;
mod seen;
pub mod selector;
mod service;
mod workload;

// The generic field reader, shared with the other loaders.
use crate::fields;

use crate::doc::{Doc, Node};
use fields::Cx;
use std::collections::{BTreeMap, HashMap};

/// The hasher of the builder's maps (keys are names from the input; the
/// maps live for one load).
type FastHash = foldhash::fast::RandomState;
use tusk_core::{Idx, LoadError, Loc, Warning};
use tusk_model::k8s::{Cluster, Labels, Namespace, Node as K8sNode, Pod, Workload, WorkloadKind};

/// The label the API server puts on every namespace (Kubernetes ≥ 1.21,
/// NamespaceDefaultLabelName); policies select namespaces by it.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Istio's root namespaces tusk assumes: Istio's default `istio-system`
/// and the AKS add-on's `aks-istio-system` (MeshConfig `rootNamespace`;
/// AKS docs, "Istio-based service mesh add-on"). A policy in one applies
/// to the whole mesh.
pub const ISTIO_ROOT_NAMESPACES: &[&str] = &["istio-system", "aks-istio-system"];

/// The API groups a Kubernetes policy kind lives in (`extensions` held
/// NetworkPolicy before networking.k8s.io).
fn policy_groups(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "NetworkPolicy" => Some(&["networking.k8s.io", "extensions"]),
        "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy" => Some(&["policy.networking.k8s.io"]),
        _ => None,
    }
}

/// A document that names a policy kind but has no `apiVersion` key (a
/// misspelt `apiversion:`): an error, not a skipped document, since
/// skipping a policy changes verdicts.
pub fn policy_without_api_version(d: &Doc) -> Option<LoadError> {
    if !is_policy_without_api_version(&d.root) {
        return None;
    }
    let kind = d.root.get("kind").and_then(Node::as_str).unwrap_or_default();
    Some(LoadError::new(
        d.loc(&d.root),
        format!("`kind: {kind}` without an `apiVersion` key (misspelt?): a policy tusk cannot identify would change verdicts if skipped"),
    ))
}

/// Whether `root` names a policy kind (Kubernetes, Calico, Cilium or
/// Istio) but has no `apiVersion` key: the test of
/// [`policy_without_api_version`], on the root alone.
pub fn is_policy_without_api_version(root: &Node) -> bool {
    let Some(kind) = root.get("kind").and_then(Node::as_str) else { return false };
    let foreign = ["cilium.io", "projectcalico.org", "security.istio.io", "networking.istio.io"]
        .iter()
        .filter_map(|g| foreign::engine_of(g))
        .any(|e| matches!(foreign::classify(e, kind), foreign::Class::Policy));
    root.get("apiVersion").is_none() && (policy_groups(kind).is_some() || foreign)
}

/// Whether a document is a Kubernetes object: a mapping with both
/// `apiVersion` and `kind`.
pub fn is_k8s(root: &Node) -> bool {
    root.get("apiVersion").is_some() && root.get("kind").is_some()
}

/// Builds a [`Cluster`] from Kubernetes objects (manifests or `kubectl get -o
/// yaml` exports, `List`s included): pods, controllers, Services,
/// namespaces, nodes and every policy language tusk reads.
#[derive(Debug, Default)]
pub struct Builder {
    cluster: Cluster,
    namespaces: BTreeMap<String, Namespace>,
    workload_index: HashMap<(WorkloadKind, String, String), usize, FastHash>,
    /// (kind, namespace, name) of every named object, for duplicate checks.
    seen: seen::Seen,
    /// Controller templates, expanded in `finish` once the node count is known.
    templates: Vec<(usize, workload::PodShape, u32)>,
    /// A declared controller's own controller (a ReplicaSet's Deployment).
    owners: HashMap<usize, (WorkloadKind, String)>,
    /// Each pod's Istio hints (same index as `cluster.pods`), resolved in
    /// `finish` once the namespaces' labels are known.
    mesh_hints: Vec<istio::PodHint>,
    /// Calico policies also kept as foreign records: how many, and the
    /// first one's location (one warning in `finish`, see
    /// [`CALICO_UNDER_OTHER_ENGINES`]).
    calico_modelled: (usize, Option<Loc>),
}

/// The words of the one load warning that Calico policies were read and
/// are modelled only under the Calico engine. The CLI leaves it out when
/// the engine is known (`--policy-engine`, or the AKS cluster's
/// `networkPolicy`): see [`UNDER_OTHER_ENGINES`].
pub const CALICO_UNDER_OTHER_ENGINES: &str =
    "modelled under --policy-engine calico; under an engine that may or may not be Calico";

/// The words every load warning of this kind shares (Calico's, and each
/// Cilium policy's "modelled under --policy-engine cilium"): what it says
/// holds only under an engine that may or may not be the policy's own
/// (upstream, netpol-analyzer). Under a known engine the policy is either
/// modelled or not enforced (a note says so), and the CLI leaves the
/// warning out.
pub const UNDER_OTHER_ENGINES: &str = "under an engine that may or may not be";

impl Builder {
    /// Reads one document (an object or a `List`). A malformed object, or a
    /// duplicate (kind, namespace, name), is a located [`LoadError`]; a kind
    /// tusk does not read is skipped with a warning.
    pub fn add_document(&mut self, doc: &Doc, warnings: &mut Vec<Warning>) -> Result<(), LoadError> {
        self.add_object(Cx { doc }, &doc.root, None, None, warnings)
    }

    fn add_object(
        &mut self,
        cx: Cx,
        n: &Node,
        list_kind: Option<&str>,
        list_api: Option<&str>,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), LoadError> {
        cx.map(n, "object")?;
        let kind = match (cx.opt_str(n, "kind")?, list_kind) {
            (Some(k), _) => k.to_string(),
            // API list responses (`PodList`) omit each item's kind.
            (None, Some(l)) if l != "List" => l.trim_end_matches("List").to_string(),
            _ => return Err(cx.err(n, "not a Kubernetes object: missing `kind`")),
        };
        if kind.ends_with("List") {
            let items = n.get("items").ok_or_else(|| cx.err(n, format!("`{kind}` needs `items`")))?;
            let items = items.as_seq().ok_or_else(|| cx.err(items, "`items` must be a list"))?;
            for item in items {
                // Items of a typed list (`CiliumNetworkPolicyList`) take the
                // list's apiVersion when they carry none.
                let api = cx.opt_str(n, "apiVersion")?;
                self.add_object(cx, item, Some(&kind), api, warnings)?;
            }
            return Ok(());
        }
        let meta = n.get("metadata").ok_or_else(|| cx.err(n, format!("{kind} has no `metadata`")))?;
        cx.map(meta, "metadata")?;
        let name = cx.req_str(meta, "name")?.to_string();
        let namespace = cx.opt_str(meta, "namespace")?.unwrap_or("default").to_string();
        // Items of a typed list (`PodList`) carry no apiVersion of their own.
        let own_api = cx.opt_str(n, "apiVersion")?;
        let api_version = own_api.or(list_api.filter(|_| list_kind.is_some_and(|l| l != "List"))).unwrap_or_default();
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        if let Some(engine) = foreign::engine_of(group) {
            return self
                .add_foreign(cx, n, engine, group, &kind, namespace.clone(), name.clone(), warnings)
                .map_err(|e| e.in_object(format!("{kind} {namespace}/{name}")));
        }
        if let Some(groups) = policy_groups(&kind) {
            // Items of a typed list (`NetworkPolicyList`) omit apiVersion.
            // Items of a typed list without any apiVersion (`PodList` from
            // the API) are read as the list's kind says.
            let typed_item = api_version.is_empty() && list_kind.is_some_and(|l| l != "List");
            if !typed_item && !groups.contains(&group) {
                let at = n.get("apiVersion").unwrap_or(n);
                return Err(cx.err(
                    at,
                    format!(
                        "{kind} with apiVersion `{api_version}`: expected {}/<version>; tusk will not guess which policy language this is",
                        groups.join("/<version> or ")
                    ),
                )
                .in_object(format!("{kind} {name}")));
            }
        }
        let object = match kind.as_str() {
            "Namespace" | "Node" | "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy" => format!("{kind} {name}"),
            _ => format!("{kind} {namespace}/{name}"),
        };
        self.add_named(cx, n, meta, &kind, namespace, name, warnings).map_err(|e| e.in_object(object))
    }

    #[allow(clippy::too_many_arguments)]
    fn add_named(
        &mut self,
        cx: Cx,
        n: &Node,
        meta: &Node,
        kind: &str,
        namespace: String,
        name: String,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), LoadError> {
        let cluster_scoped = matches!(kind, "Namespace" | "Node" | "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy");
        let key_ns = if cluster_scoped { String::new() } else { namespace.clone() };
        let known = matches!(
            kind,
            "Namespace"
                | "Pod"
                | "Service"
                | "Ingress"
                | "Node"
                | "NetworkPolicy"
                | "AdminNetworkPolicy"
                | "BaselineAdminNetworkPolicy"
        ) || WorkloadKind::parse(kind).is_some();
        if kind == "ConfigMap" && ipmasq::is_ip_masq(&namespace, &name) {
            let c = ipmasq::config(cx, n, &name)?;
            self.cluster.ip_masq.push(c);
            return Ok(());
        }
        if !known {
            warnings
                .push(Warning { loc: cx.loc(n), message: format!("skipping {kind} {name}: kind not used by tusk") });
            return Ok(());
        }
        if let Some(prev) = self.seen.insert((kind.to_string(), key_ns, name.clone()), cx.loc(n)) {
            return Err(cx.err(n, format!("duplicate {kind} `{name}` (first defined at {prev})")));
        }
        if !cluster_scoped {
            self.ensure_namespace(&namespace);
        }
        let loc = cx.loc(n);
        match kind {
            "Namespace" => {
                let mut labels = selector::labels(cx, meta, "labels")?;
                labels.insert(NAMESPACE_NAME_LABEL.into(), name.clone());
                self.namespaces.insert(name.clone(), Namespace { name, labels, loc: Some(loc) });
            }
            "Node" => {
                let labels = selector::labels(cx, meta, "labels")?;
                let spec = n.get("spec");
                let (provider_id, pod_cidrs, taints, unschedulable) = match spec {
                    Some(sp) => node_spec(cx, sp)?,
                    None => (None, Vec::new(), Vec::new(), false),
                };
                let mut ips = Vec::new();
                if let Some(st) = n.get("status") {
                    for a in cx.seq(st, "addresses")? {
                        if let Some(ip) = a.get("address").and_then(Node::as_str).and_then(|s| s.parse().ok()) {
                            ips.push(ip);
                        }
                    }
                }
                self.cluster.nodes.push(K8sNode {
                    name,
                    labels,
                    ips,
                    provider_id,
                    pod_cidrs,
                    taints,
                    unschedulable,
                    loc,
                });
            }
            "Service" => self.cluster.services.push(service::service(cx, n, namespace, name, loc)?),
            "Ingress" => self.cluster.ingresses.push(service::ingress(cx, n, namespace, name, loc)?),
            "NetworkPolicy" => {
                let p = netpol::network_policy(cx, n, &namespace, &name, warnings)?;
                self.cluster.network_policies.push(p);
            }
            "AdminNetworkPolicy" => {
                let p = anp::admin_policy(cx, n, &name, false, warnings)?;
                self.cluster.admin_policies.push(p);
            }
            "BaselineAdminNetworkPolicy" => {
                if let Some(prev) = &self.cluster.baseline_policy {
                    return Err(
                        cx.err(n, format!("only one BaselineAdminNetworkPolicy may exist (first at {})", prev.loc))
                    );
                }
                self.cluster.baseline_policy = Some(anp::admin_policy(cx, n, &name, true, warnings)?);
            }
            "Pod" => {
                let shape = workload::pod_shape(cx, Some(meta), n.get("spec"), n.get("status"), warnings)?;
                let (wkind, wname) = workload::owner(cx, meta)?.unwrap_or((WorkloadKind::Pod, name.clone()));
                let w = self.workload(wkind, &namespace, &wname, &loc, None, &shape);
                self.push_pod(w, name, shape, loc);
            }
            _ => {
                let wkind = WorkloadKind::parse(kind).expect("checked above");
                let spec = n.get("spec").ok_or_else(|| cx.err(n, format!("{kind} has no `spec`")))?;
                let (template, replicas) = workload::template(cx, wkind, spec)?;
                let template = template.ok_or_else(|| cx.err(spec, format!("{kind} has no pod `template`")))?;
                let shape = workload::pod_shape(cx, template.get("metadata"), template.get("spec"), None, warnings)?;
                let w = self.workload(wkind, &namespace, &name, &loc, Some(replicas), &shape);
                if let Some(owner) = workload::owner(cx, meta)? {
                    self.owners.insert(w, owner);
                }
                self.templates.push((w, shape, replicas));
            }
        }
        Ok(())
    }

    /// A kind of Calico's, Cilium's or Istio's API groups.
    #[allow(clippy::too_many_arguments)]
    fn add_foreign(
        &mut self,
        cx: Cx,
        n: &Node,
        engine: tusk_model::k8s::ForeignEngine,
        group: &str,
        kind: &str,
        namespace: String,
        name: String,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), LoadError> {
        let what = format!("{} {kind} {name}", engine.name());
        if engine == tusk_model::k8s::ForeignEngine::Calico
            && self.add_calico(cx, n, kind, &namespace, &name, warnings)?
        {
            return Ok(());
        }
        if engine == tusk_model::k8s::ForeignEngine::Istio && istio_net::models(kind) {
            return self.add_istio_net(cx, n, group, kind, namespace, name, warnings);
        }
        match foreign::classify(engine, kind) {
            foreign::Class::Other => {
                warnings.push(Warning {
                    loc: cx.loc(n),
                    message: format!("skipping {what} ({group}): kind `{kind}` bears no policy tusk acts on"),
                });
                Ok(())
            }
            foreign::Class::Inert(why) => {
                warnings
                    .push(Warning { loc: cx.loc(n), message: format!("{what} changes no verdict by itself: {why}") });
                Ok(())
            }
            foreign::Class::Policy if engine == tusk_model::k8s::ForeignEngine::Istio && istio::models(kind) => {
                if group != "security.istio.io" {
                    let at = n.get("apiVersion").unwrap_or(n);
                    return Err(cx.err(at, format!("{kind} belongs to security.istio.io, not {group}")));
                }
                if let Some(prev) =
                    self.seen.insert((format!("{group}/{kind}"), namespace.clone(), name.clone()), cx.loc(n))
                {
                    return Err(cx.err(n, format!("duplicate {kind} `{name}` (first defined at {prev})")));
                }
                self.ensure_namespace(&namespace);
                if kind == "AuthorizationPolicy" {
                    let p = istio::authorization_policy(cx, n, &namespace, &name)?;
                    self.cluster.mesh.authorization.push(p);
                } else {
                    let p = istio::peer_authentication(cx, n, &namespace, &name)?;
                    self.cluster.mesh.peer_authentication.push(p);
                }
                Ok(())
            }
            foreign::Class::Policy => {
                let p = foreign::policy(cx, n, engine, kind, &namespace, &name)?;
                let key_ns = p.namespace.clone().unwrap_or_default();
                if let Some(prev) = self.seen.insert((format!("{group}/{kind}"), key_ns, name.clone()), cx.loc(n)) {
                    return Err(cx.err(n, format!("duplicate {kind} `{name}` (first defined at {prev})")));
                }
                if p.namespace.is_some() {
                    self.ensure_namespace(&namespace);
                }
                let mut warning = foreign::recorded(&p);
                if engine == tusk_model::k8s::ForeignEngine::Cilium {
                    // Modelled where the cluster runs Cilium; the foreign
                    // record stays for engines that may or may not be Cilium.
                    if let Some(list) = cilium::policies(cx, n, kind, &namespace, &name, warnings)? {
                        self.cluster.cilium_policies.extend(list);
                        warning.message = format!(
                            "{}: modelled under --policy-engine cilium; {UNDER_OTHER_ENGINES} Cilium (upstream, netpol-analyzer) the verdicts it may change are unknown",
                            p.title()
                        );
                    }
                }
                if engine == tusk_model::k8s::ForeignEngine::Calico {
                    // One warning per load, in `finish`, not one per policy.
                    self.calico_modelled.0 += 1;
                    self.calico_modelled.1.get_or_insert_with(|| p.loc.clone());
                } else {
                    warnings.push(warning);
                }
                self.cluster.foreign_policies.push(p);
                Ok(())
            }
        }
    }

    /// Each workload's top owner among the controllers the input declares,
    /// following `ownerReferences` transitively (Pod → ReplicaSet →
    /// Deployment, Pod → Job → CronJob); workloads owned by another are
    /// dropped and their indices remapped. Returns old index → new index.
    fn owner_roots(&mut self) -> Vec<usize> {
        let declared: std::collections::HashSet<usize> = self.templates.iter().map(|t| t.0).collect();
        let n = self.cluster.workloads.len();
        let mut top: Vec<usize> = (0..n).collect();
        for (w, t) in top.iter_mut().enumerate() {
            let mut cur = w;
            // Bounded: an ownership cycle (invalid) stops after n steps.
            for _ in 0..n {
                let Some((kind, name)) = self.owners.get(&cur) else { break };
                let ns = &self.cluster.workloads[cur].namespace;
                match self.workload_index.get(&(*kind, ns.clone(), name.clone())) {
                    Some(&o) if declared.contains(&o) => cur = o,
                    _ => break,
                }
            }
            *t = cur;
        }
        let mut new_index = vec![usize::MAX; n];
        let mut kept = Vec::new();
        for (w, wl) in std::mem::take(&mut self.cluster.workloads).into_iter().enumerate() {
            if top[w] == w {
                new_index[w] = kept.len();
                kept.push(wl);
            }
        }
        self.cluster.workloads = kept;
        for t in &mut top {
            *t = new_index[*t];
        }
        for (t, _, _) in &mut self.templates {
            // Owned controllers' templates get usize::MAX: the caller drops them.
            *t = new_index[*t];
        }
        top
    }

    fn ensure_namespace(&mut self, ns: &str) {
        if !self.namespaces.contains_key(ns) {
            let labels = Labels::from([(NAMESPACE_NAME_LABEL.to_string(), ns.to_string())]);
            self.namespaces.insert(ns.to_string(), Namespace { name: ns.to_string(), labels, loc: None });
        }
    }

    /// The workload of that kind and name, created on first use. `replicas`
    /// is the controller's count, or `None` for an exported pod (each pod of
    /// the group counts one).
    fn workload(
        &mut self,
        kind: WorkloadKind,
        ns: &str,
        name: &str,
        loc: &Loc,
        replicas: Option<u32>,
        shape: &workload::PodShape,
    ) -> usize {
        let key = (kind, ns.to_string(), name.to_string());
        let w = *self.workload_index.entry(key).or_insert_with(|| {
            self.cluster.workloads.push(Workload {
                kind,
                namespace: ns.to_string(),
                name: name.to_string(),
                loc: loc.clone(),
                replicas: 0,
                scheduling: shape.scheduling.clone(),
                escape: shape.escape.clone(),
            });
            self.cluster.workloads.len() - 1
        });
        self.cluster.workloads[w].replicas += replicas.unwrap_or(1);
        w
    }

    fn push_pod(&mut self, workload: usize, name: String, shape: workload::PodShape, loc: Loc) {
        let namespace = self.cluster.workloads[workload].namespace.clone();
        self.cluster.pods.push(Pod {
            namespace,
            name,
            labels: shape.labels,
            ips: shape.ips,
            host_ip: shape.host_ip,
            ip_range: None,
            host_network: shape.host_network,
            node_name: shape.node_name,
            ports: shape.ports,
            workload: Idx::new(workload),
            mesh: Default::default(),
            loc,
            template: None,
        });
        self.mesh_hints.push(shape.mesh);
    }

    /// Did any document yield an object (skipped kinds included)?
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Expands the controllers' pod templates into pods, binds what refers
    /// across objects (Calico tiers, Istio hints) and returns the cluster. An
    /// inconsistent set (a Calico policy in an undeclared tier, ...) is a located
    /// [`LoadError`].
    pub fn finish(mut self, warnings: &mut Vec<Warning>) -> Result<Cluster, LoadError> {
        calico::check_tiers(&self.cluster.calico)?;
        if let (n, Some(loc)) = std::mem::take(&mut self.calico_modelled) {
            let what =
                if n == 1 { "1 Calico policy".to_string() } else { format!("{n} Calico policies (the first here)") };
            warnings.push(Warning {
                loc,
                message: format!(
                    "{what}: {CALICO_UNDER_OTHER_ENGINES} (upstream, netpol-analyzer) the verdicts they may change are unknown"
                ),
            });
        }
        // A `nodes` peer selects nodes by label; their addresses come only
        // from Node objects. Without them the engine reports what the rule
        // decides toward outside addresses as unknown: say why at the rule.
        let node_ips = self.cluster.nodes.iter().any(|n| !n.ips.is_empty());
        for p in self.cluster.admin_policies.iter().chain(&self.cluster.baseline_policy) {
            for r in
                p.egress.iter().filter(|r| r.peers.iter().any(|x| matches!(x, tusk_model::k8s::AdminPeer::Nodes(_))))
            {
                if !node_ips {
                    warnings.push(Warning {
                        loc: r.loc.clone(),
                        message: format!(
                            "rule `{}` of {} has a `nodes` peer, but no Node objects with addresses are loaded: what it decides toward outside addresses is unknown (export nodes with `kubectl get nodes -o yaml`)",
                            r.name, p.name
                        ),
                    });
                }
            }
        }
        let root = self.owner_roots();
        for p in &mut self.cluster.pods {
            p.workload = Idx::new(root[p.workload.index()]);
        }
        // A controller whose pods are in the input (`kubectl get all`) is
        // not expanded again from its template, nor from the template of a
        // controller it owns.
        let has_pods: std::collections::HashSet<usize> = self.cluster.pods.iter().map(|p| p.workload.index()).collect();
        self.templates.retain(|(w, _, _)| *w != usize::MAX && !has_pods.contains(w));
        // A DaemonSet runs one pod per node; without Node objects, one.
        let nodes = self.cluster.nodes.len().max(1) as u32;
        for (w, shape, replicas) in std::mem::take(&mut self.templates) {
            let wl = &self.cluster.workloads[w];
            let count = if wl.kind == WorkloadKind::DaemonSet { nodes } else { replicas };
            let (base, loc) = (wl.name.clone(), wl.loc.clone());
            // One entry for all replicas: they are alike for every policy,
            // and the input's size, not `replicas`, bounds memory.
            if count > 0 {
                self.push_pod(w, format!("{base}-0"), shape, loc);
                let last = self.cluster.pods.len() - 1;
                self.cluster.pods[last].template = Some(tusk_model::k8s::Replicas { base, count });
            }
        }
        let mut priorities: HashMap<u32, &tusk_model::k8s::AdminNetworkPolicy> = HashMap::new();
        for p in &self.cluster.admin_policies {
            let pr = p.priority.unwrap_or_default();
            if let Some(first) = priorities.insert(pr, p) {
                // Valid, but network-policy-api leaves the order of two ANPs of
                // one priority undefined: the engine evaluates both orders and
                // reports the flows on which they disagree as unknown.
                warnings.push(Warning {
                    loc: p.loc.clone(),
                    message: format!(
                        "AdminNetworkPolicies {} and {} both have priority {pr}: their order is undefined, so flows on which they disagree are unknown",
                        first.name, p.name
                    ),
                });
            }
        }
        // A namespace no input declares gets only its name label; the real
        // one may carry others, so the engine makes a namespaceSelector's
        // match on other labels unknown for it. Say so at the selector.
        let implied: Vec<&str> =
            self.namespaces.values().filter(|n| n.loc.is_none()).map(|n| n.name.as_str()).collect();
        if !implied.is_empty() {
            let np = self.cluster.network_policies.iter().flat_map(|p| {
                p.ingress.iter().chain(&p.egress).flat_map(|r| &r.peers).filter_map(|peer| match peer {
                    tusk_model::k8s::NpPeer::Pods { namespace_selector: Some(s), loc, .. } => Some((s, loc)),
                    _ => None,
                })
            });
            if let Some((_, loc)) = np.into_iter().find(|(s, _)| {
                s.match_labels.iter().any(|(k, _)| k != NAMESPACE_NAME_LABEL)
                    || s.match_expressions.iter().any(|r| r.key != NAMESPACE_NAME_LABEL)
            }) {
                warnings.push(Warning {
                    loc: loc.clone(),
                    message: format!(
                        "namespaceSelector on labels other than the name, but namespace(s) {} are not declared: whether it selects them is unknown (export them with `kubectl get ns -o yaml`)",
                        implied.join(", ")
                    ),
                });
            }
        }
        service_addresses_in_ipblocks(&self.cluster, warnings);
        for (p, h) in self.cluster.pods.iter_mut().zip(&self.mesh_hints) {
            let ns = self.namespaces.get(&p.namespace).filter(|n| n.loc.is_some());
            p.mesh = istio::pod_mesh(h, &p.namespace, ns.map(|n| &n.labels));
        }
        self.cluster.mesh.root_namespaces = ISTIO_ROOT_NAMESPACES.iter().map(|s| s.to_string()).collect();
        self.cluster.namespaces = self.namespaces.into_values().collect();
        Ok(self.cluster)
    }
}

/// A Node's `spec`: provider id, pod CIDRs, taints, cordon flag.
type NodeSpec = (Option<String>, Vec<tusk_core::ip::Cidr>, Vec<tusk_model::scheduling::Taint>, bool);

fn node_spec(cx: Cx, sp: &Node) -> Result<NodeSpec, LoadError> {
    let provider_id = cx.opt_str(sp, "providerID")?.map(str::to_string);
    let mut texts: Vec<(&str, &Node)> =
        cx.seq(sp, "podCIDRs")?.iter().filter_map(|v| v.as_str().map(|s| (s, v))).collect();
    if texts.is_empty() {
        if let Some(v) = sp.get("podCIDR") {
            texts.extend(v.as_str().map(|s| (s, v)));
        }
    }
    let mut pod_cidrs = Vec::new();
    for (t, v) in texts {
        pod_cidrs.push(tusk_core::ip::Cidr::parse(t).map_err(|e| cx.err(v, format!("spec.podCIDR: {e}")))?);
    }
    let taints = scheduling::node_taints(cx, sp)?;
    let unschedulable = cx.opt_bool(sp, "unschedulable")?.unwrap_or(false);
    Ok((provider_id, pod_cidrs, taints, unschedulable))
}

/// An egress ipBlock that contains a Service's ClusterIP does not admit
/// traffic to the Service: the address is translated to an endpoint pod
/// before policies see the packet (Kubernetes docs, "Network Policies":
/// ipBlock and Service VIPs), so the endpoints' pod IPs must be allowed.
/// Warned once per rule, at the peer.
fn service_addresses_in_ipblocks(c: &Cluster, warnings: &mut Vec<Warning>) {
    for p in &c.network_policies {
        for r in &p.egress {
            for peer in &r.peers {
                let tusk_model::k8s::NpPeer::IpBlock { cidr, addresses, loc } = peer else { continue };
                let hit = c.services.iter().find(|s| s.cluster_ips.iter().any(|ip| addresses.contains_ip(*ip)));
                if let Some(s) = hit {
                    warnings.push(Warning {
                        loc: loc.clone(),
                        message: format!(
                            "ipBlock {cidr} contains the ClusterIP of Service {}/{}: policies see the endpoint pods' addresses after the Service address is translated, so this peer does not admit traffic to the Service",
                            s.namespace, s.name
                        ),
                    });
                    break;
                }
            }
        }
    }
}
