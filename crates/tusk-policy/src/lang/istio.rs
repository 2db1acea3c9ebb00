//! Istio's authorization at the destination, as one tier after the network
//! tiers: what the network lets through, the destination's proxy may still
//! refuse (Istio docs, "Authorization Policy": CUSTOM, then DENY, then
//! ALLOW; "if any ALLOW policies are applied to a workload, access to that
//! workload is denied by default unless explicitly allowed"; AUDIT decides
//! nothing). PeerAuthentication STRICT refuses plaintext peers.
//!
//! What this file assumes, for both evaluators ([`compile`] for the class
//! engine, [`explain`] for one flow):
//! * only TCP is intercepted: other protocols pass the proxy untouched;
//! * a destination without a proxy (no sidecar, not ambient, hostNetwork)
//!   enforces nothing of Istio's; one whose namespace no input declares may
//!   or may not have one (its Istio verdicts are unknown);
//! * principals and namespaces are only known over mTLS: a source with a
//!   sidecar or in ambient mode presents `cluster.local/ns/NS/sa/SA` (trust
//!   domain `cluster.local` assumed; auto mTLS on, no DestinationRule
//!   turning it off); a source without a proxy, a node or an outside
//!   address is plaintext and matches no `principals` / `namespaces`
//!   (but every `notPrincipals` / `notNamespaces`);
//! * `ipBlocks` and `remoteIpBlocks` read the peer's address (no
//!   `numTrustedProxies`, so no X-Forwarded-For);
//! * what the flow does not carry (HTTP methods, paths, hosts without
//!   `--http-*`, JWT request principals, headers, SNI, CUSTOM authorizers,
//!   `targetRef(s)`) makes a match unknown, never allowed or denied;
//! * policies with `istio.io/dry-run: "true"` are not enforced.

pub mod compile;
pub mod explain;
pub mod gateway;
pub mod gateway_eval;
pub mod route;
pub mod sidecar;
pub mod source_sets;
pub mod target_ref;

use crate::doubt::{HttpField, IstioDoubt};
use tusk_core::{Idx, PortSet, Tri};
use tusk_model::istio::{AuthorizationPolicy, AuthzTarget, Dataplane, MtlsMode, PeerAuthentication};
use tusk_model::k8s::{Cluster, Pod};

/// The HTTP request of a flow, when the user names it (`--http-method`,
/// `--http-path`): what L7 rules (`methods`, `paths`) test.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `POST`, ... as sent (Istio matches methods case-sensitively).
    pub method: Option<String>,
    /// The request path, e.g. `/api/v1/items`.
    pub path: Option<String>,
}

/// Does the cluster have Istio policies the engine must evaluate?
pub fn active(c: &Cluster) -> bool {
    !c.mesh.is_empty() || !c.mesh.gateways.is_empty()
}

/// A pod's data plane, as the engine reads it: a hostNetwork pod is never
/// injected (Istio's injector skips `hostNetwork: true` pods).
pub fn dataplane(pod: &Pod) -> Dataplane {
    if pod.host_network {
        Dataplane::None
    } else {
        pod.mesh.dataplane
    }
}

/// Does a source with this data plane present an mTLS identity?
pub fn mtls_source(d: Dataplane) -> Tri {
    match d {
        Dataplane::Sidecar | Dataplane::Ambient => Tri::Yes,
        Dataplane::None => Tri::No,
        Dataplane::Unknown => Tri::Maybe,
    }
}

/// Does a destination with this data plane enforce Istio's policies?
pub fn enforced(d: Dataplane) -> Tri {
    match d {
        Dataplane::Sidecar | Dataplane::Ambient => Tri::Yes,
        Dataplane::None => Tri::No,
        Dataplane::Unknown => Tri::Maybe,
    }
}

/// The SPIFFE identity Istio gives a pod: `cluster.local/ns/NS/sa/SA`.
pub fn principal(pod: &Pod) -> String {
    format!("cluster.local/ns/{}/sa/{}", pod.namespace, pod.mesh.service_account)
}

/// Synthetic class labels that keep pods of different mesh identity in
/// different classes (service account, data plane). Their keys start with
/// `@`, which no Kubernetes label key can, so no selector reads them.
pub fn identity_labels(c: &Cluster, pod: &Pod) -> Vec<(String, String)> {
    if !active(c) {
        return Vec::new();
    }
    let dp = match dataplane(pod) {
        Dataplane::None => "none",
        Dataplane::Sidecar => "sidecar",
        Dataplane::Ambient => "ambient",
        Dataplane::Unknown => "unknown",
    };
    let mut out = vec![("@istio/dataplane".into(), dp.into()), ("@istio/sa".into(), pod.mesh.service_account.clone())];
    out.extend(target_ref::class_labels(c, pod));
    out.extend(sidecar::class_labels(c, pod));
    out.extend(gateway_eval::class_labels(c, pod));
    out
}

/// Does an AuthorizationPolicy apply to a pod? Its namespace's workloads,
/// or every workload from a root namespace; `selector` narrows it;
/// `targetRef(s)` are resolved by [`target_ref::applies`].
pub fn applies(c: &Cluster, p: &AuthorizationPolicy, pod: &Pod) -> Tri {
    if p.dry_run || (p.namespace != pod.namespace && !c.mesh.is_root(&p.namespace)) {
        return Tri::No;
    }
    match &p.target {
        AuthzTarget::All => Tri::Yes,
        AuthzTarget::Selector(s) => {
            // A selector in the root namespace selects in every namespace
            // (Istio docs, "Authorization Policy", selector field).
            Tri::from_bool(s.matches(&pod.labels))
        }
        AuthzTarget::Refs(r) => target_ref::applies(&p.namespace, r, pod),
    }
}

/// The mTLS modes at a destination pod: the ports (TCP) where it is
/// STRICT and where it is DISABLE, and the PeerAuthentications that
/// decided them (Istio docs, "PeerAuthentication": workload policy over
/// namespace policy over mesh policy, UNSET inheriting from the parent,
/// PERMISSIVE when nothing is set; a port-level mode overrides the
/// workload's own for that container port).
#[derive(Debug, Clone, Default)]
pub struct MtlsAt<'c> {
    /// TCP ports where the mode is STRICT (only mTLS accepted).
    pub strict: PortSet,
    /// TCP ports where the mode is DISABLE (plaintext only).
    pub disable: PortSet,
    /// The PeerAuthentications that decided the modes.
    pub deciding: Vec<&'c PeerAuthentication>,
}

/// The mTLS modes at `pod` per port (see [`MtlsAt`]).
pub fn mtls_at<'c>(c: &'c Cluster, pod: &Pod) -> MtlsAt<'c> {
    let pas: Vec<&PeerAuthentication> = c.mesh.peer_authentication.iter().collect();
    mtls_among(c, pod, &pas)
}

/// [`mtls_at`] from `pas`: the cluster's PeerAuthentications in input
/// order, or any ordered part of them holding those of the pod's namespace
/// and of the root namespace (the only ones that can apply), so that the
/// class engine looks at those only (a performance split, same answer).
pub fn mtls_among<'c>(c: &'c Cluster, pod: &Pod, pas: &[&'c PeerAuthentication]) -> MtlsAt<'c> {
    let pas = pas.iter().copied();
    // Istio takes the oldest when several apply; tusk takes the first in
    // input order (creation times are not compared).
    let workload = pas
        .clone()
        .find(|p| p.namespace == pod.namespace && p.selector.as_ref().is_some_and(|s| s.matches(&pod.labels)));
    let namespace = pas.clone().find(|p| p.namespace == pod.namespace && p.selector.is_none());
    let mut mesh_pas = pas;
    let mesh = mesh_pas.find(|p| c.mesh.is_root(&p.namespace) && p.selector.is_none());
    let mut base = MtlsMode::Permissive;
    let mut deciding = Vec::new();
    for p in [mesh, namespace, workload].into_iter().flatten() {
        if p.mode != MtlsMode::Unset {
            base = p.mode;
            deciding.retain(|d: &&PeerAuthentication| d.loc != p.loc);
            deciding.push(p);
        }
    }
    let all = PortSet::all_ports();
    let (mut strict, mut disable) = match base {
        MtlsMode::Strict => (all.clone(), PortSet::empty()),
        MtlsMode::Disable => (PortSet::empty(), all.clone()),
        _ => (PortSet::empty(), PortSet::empty()),
    };
    if let Some(w) = workload {
        for &(port, mode) in &w.port_level {
            let one = PortSet::single(port);
            let mode = if mode == MtlsMode::Unset { base } else { mode };
            strict = strict.subtract(&one);
            disable = disable.subtract(&one);
            match mode {
                MtlsMode::Strict => strict = strict.union(&one),
                MtlsMode::Disable => disable = disable.union(&one),
                _ => {}
            }
            if !deciding.iter().any(|d| d.loc == w.loc) {
                deciding.push(w);
            }
        }
    }
    MtlsAt { strict, disable, deciding }
}

/// What a rule sees of a flow's source (a pod class, a pod or an address).
pub struct Peer<'a> {
    /// Does it come over mTLS (so that its principal is known)?
    pub mtls: Tri,
    /// `cluster.local/ns/NS/sa/SA` for a pod.
    pub principal: Option<&'a str>,
    /// The source's namespace, for a pod.
    pub namespace: Option<&'a str>,
    /// Is its address inside a set?
    pub ip_in: &'a dyn Fn(&tusk_core::IpSet) -> Tri,
}

fn not(t: Tri) -> Tri {
    match t {
        Tri::Yes => Tri::No,
        Tri::No => Tri::Yes,
        Tri::Maybe => Tri::Maybe,
    }
}

/// A field and its `not` form against one value (`None`: the field is
/// absent from the peer, e.g. no principal over plaintext).
fn field<T>(f: &tusk_model::istio::Field<T>, test: impl Fn(&T) -> Tri) -> Tri {
    let any = |l: &Vec<T>| Tri::any(l.iter().map(&test));
    let pos = f.values.as_ref().map_or(Tri::Yes, any);
    let neg = f.not_values.as_ref().map_or(Tri::Yes, |l| not(any(l)));
    pos.and(neg)
}

/// A string known only over mTLS (principal, namespace) against patterns.
fn identity(p: &Peer, value: &Option<&str>, pat: &tusk_model::istio::StrMatch) -> Tri {
    match value {
        Some(v) if pat.matches(v) => p.mtls,
        _ => Tri::No,
    }
}

/// Does a `from.source` match the peer? The second value names what tusk
/// cannot see when the answer is `Maybe` for want of input.
pub fn source_match(s: &tusk_model::istio::Source, p: &Peer) -> (Tri, Option<IstioDoubt>) {
    let mut why = None;
    let mut t = field(&s.principals, |m| identity(p, &p.principal, m));
    t = t.and(field(&s.namespaces, |m| identity(p, &p.namespace, m)));
    t = t.and(field(&s.ip_blocks, |set| (p.ip_in)(set)));
    t = t.and(field(&s.remote_ip_blocks, |set| (p.ip_in)(set)));
    if s.request_principals.is_set() && t != Tri::No {
        why = Some(IstioDoubt::RequestPrincipals);
        t = t.and(Tri::Maybe);
    }
    (t, why)
}

/// Does a rule's `from` (any source) match? Empty `from`: any source.
pub fn from_match(r: &tusk_model::istio::AuthzRule, p: &Peer) -> (Tri, Option<IstioDoubt>) {
    if r.from.is_empty() {
        return (Tri::Yes, None);
    }
    let mut out = Tri::No;
    let mut why = None;
    for s in &r.from {
        let (t, w) = source_match(s, p);
        if t == Tri::Maybe && why.is_none() {
            why = w;
        }
        out = out.or(t);
    }
    (out, why)
}

/// The `when` conditions on the source (all must hold); conditions on the
/// destination port are [`when_ports`]'s. Keys tusk cannot evaluate are
/// `Maybe` with their name.
pub fn when_source(r: &tusk_model::istio::AuthzRule, p: &Peer) -> (Tri, Option<IstioDoubt>) {
    use tusk_model::istio::ConditionKey as K;
    let mut out = Tri::Yes;
    let mut why = None;
    for c in &r.when {
        let test = |v: &String| -> Tri {
            match &c.key {
                K::SourceIp | K::RemoteIp => {
                    tusk_core::ip::Cidr::parse_prefix_or_addr(v).map(|cidr| (p.ip_in)(&cidr.set())).unwrap_or(Tri::No)
                }
                K::SourceNamespace => identity(p, &p.namespace, &tusk_model::istio::StrMatch(v.clone())),
                K::SourcePrincipal => identity(p, &p.principal, &tusk_model::istio::StrMatch(v.clone())),
                K::DestinationPort => Tri::Yes,
                K::Opaque(_) => Tri::Maybe,
            }
        };
        let f = tusk_model::istio::Field { values: c.values.clone(), not_values: c.not_values.clone() };
        let t = field(&f, test);
        if let (K::Opaque(k), true) = (&c.key, t == Tri::Maybe) {
            why.get_or_insert_with(|| IstioDoubt::RequestAttribute(k.clone()));
        }
        out = out.and(t);
    }
    (out, why)
}

/// The TCP ports the `when` conditions on `destination.port` admit.
pub fn when_ports(r: &tusk_model::istio::AuthzRule) -> PortSet {
    let mut out = PortSet::all_ports();
    for c in r.when.iter().filter(|c| c.key == tusk_model::istio::ConditionKey::DestinationPort) {
        let set = |l: &Option<Vec<String>>| {
            l.iter()
                .flatten()
                .filter_map(|v| v.parse::<u16>().ok())
                .fold(PortSet::empty(), |a, p| a.union(&PortSet::single(p)))
        };
        if c.values.is_some() {
            out = out.intersect(&set(&c.values));
        }
        out = out.subtract(&set(&c.not_values));
    }
    out
}

/// The TCP ports an operation admits (`ports`, `notPorts`).
pub fn op_ports(o: &tusk_model::istio::Operation) -> PortSet {
    let set = |l: &Vec<u16>| l.iter().fold(PortSet::empty(), |a, p| a.union(&PortSet::single(*p)));
    let mut out = o.ports.values.as_ref().map_or_else(PortSet::all_ports, set);
    if let Some(n) = &o.ports.not_values {
        out = out.subtract(&set(n));
    }
    out
}

/// Does the not-pattern `n` match every string the pattern `v` matches?
/// Patterns are Istio's: exact, `X*` (prefix), `*X` (suffix), `*` (any
/// non-empty string).
fn covers(n: &tusk_model::istio::StrMatch, v: &tusk_model::istio::StrMatch) -> bool {
    let (n, v) = (n.0.as_str(), v.0.as_str());
    if n == "*" {
        return !v.is_empty();
    }
    if v == "*" {
        return false;
    }
    if let Some(x) = v.strip_suffix('*') {
        return n.strip_suffix('*').is_some_and(|y| x.starts_with(y));
    }
    if let Some(x) = v.strip_prefix('*') {
        return n.strip_prefix('*').is_some_and(|y| x.ends_with(y));
    }
    tusk_model::istio::StrMatch(n.to_string()).matches(v)
}

/// Can no request match this string field? True when every value of the
/// positive form is covered by a pattern of the `not` form (`methods:
/// ["GET"]` with `notMethods: ["GET"]`, or `["G*"]`): the field, and so the
/// operation, matches nothing whatever the request (AuthorizationPolicy
/// reference, "Operation": both forms must hold).
fn never_matches(f: &tusk_model::istio::Field<tusk_model::istio::StrMatch>) -> bool {
    match (&f.values, &f.not_values) {
        (Some(vals), Some(nots)) => vals.iter().all(|v| nots.iter().any(|n| covers(n, v))),
        _ => false,
    }
}

/// Does an operation match no request at all (an L7 field whose `not`
/// form excludes all its values)? Then it matches nothing, with or without
/// `--http-*`, instead of depending on the request.
pub fn op_never_matches(o: &tusk_model::istio::Operation) -> bool {
    never_matches(&o.methods) || never_matches(&o.paths) || never_matches(&o.hosts)
}

/// An operation's L7 part (hosts, methods, paths) against the request:
/// `Maybe` when the flow carries no request or the field needs what it
/// lacks (hosts: the Host header), with what is missing.
pub fn op_l7(o: &tusk_model::istio::Operation, http: Option<&HttpRequest>) -> (Tri, Option<IstioDoubt>) {
    if !o.is_l7() {
        return (Tri::Yes, None);
    }
    if op_never_matches(o) {
        return (Tri::No, None);
    }
    let mut t = Tri::Yes;
    let mut why = None;
    let mut need =
        |f: &tusk_model::istio::Field<tusk_model::istio::StrMatch>, have: Option<&String>, name: HttpField| {
            if !f.is_set() {
                return;
            }
            match have {
                Some(v) => t = t.and(field(f, |m| Tri::from_bool(m.matches(v)))),
                None => {
                    t = t.and(Tri::Maybe);
                    why.get_or_insert(IstioDoubt::Http(name));
                }
            }
        };
    need(&o.methods, http.and_then(|h| h.method.as_ref()), HttpField::Method);
    need(&o.paths, http.and_then(|h| h.path.as_ref()), HttpField::Path);
    if o.hosts.is_set() {
        t = t.and(Tri::Maybe);
        why.get_or_insert(IstioDoubt::HostHeader);
    }
    if t == Tri::No {
        why = None;
    }
    (t, why)
}

/// The workload selectors of the mesh's policies (their label keys split
/// pods into classes).
pub fn selectors(c: &Cluster) -> Vec<&tusk_model::k8s::LabelSelector> {
    let ap = c.mesh.authorization.iter().filter_map(|p| match &p.target {
        AuthzTarget::Selector(s) => Some(s),
        _ => None,
    });
    ap.chain(c.mesh.peer_authentication.iter().filter_map(|p| p.selector.as_ref())).collect()
}

/// Every address set the mesh's policies match sources against, and the
/// ServiceEntries' addresses (Sidecar egress, `sidecar.rs`).
pub fn address_sets(c: &Cluster) -> Vec<tusk_core::IpSet> {
    use tusk_model::istio::ConditionKey as K;
    let mut out = Vec::new();
    for r in c.mesh.authorization.iter().flat_map(|p| &p.rules) {
        for s in &r.from {
            for f in [&s.ip_blocks, &s.remote_ip_blocks] {
                out.extend(f.values.iter().chain(&f.not_values).flatten().cloned());
            }
        }
        for cond in r.when.iter().filter(|c| matches!(c.key, K::SourceIp | K::RemoteIp)) {
            for v in cond.values.iter().chain(&cond.not_values).flatten() {
                if let Ok(cidr) = tusk_core::ip::Cidr::parse_prefix_or_addr(v) {
                    out.push(cidr.set());
                }
            }
        }
    }
    // Sidecar egress tells outside addresses apart by ServiceEntry.
    out.extend(c.mesh.service_entries.iter().filter_map(|e| e.addresses.clone()));
    out
}

/// Do the mesh's policies test the request (hosts, methods, paths)? Then
/// the matrix gains an L7 column.
pub fn has_l7(c: &Cluster) -> bool {
    c.mesh.authorization.iter().flat_map(|p| &p.rules).flat_map(|r| &r.to).any(|o| o.is_l7())
}

/// One Istio rule on the request that a pair of the matrix depends on:
/// operation `op` of rule `rule` of `c.mesh.authorization[policy]`, an
/// operation with hosts, methods or paths. Worded by tusk-report
/// (`ACTION methods ... paths ... (policy rule, file:line)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L7Note {
    /// Index of the AuthorizationPolicy in `Cluster::mesh.authorization`.
    pub policy: usize,
    /// Index of the rule in the policy's `rules`.
    pub rule: usize,
    /// Index of the operation in the rule's `to`.
    pub op: usize,
}

/// The L7 part of a pair of the matrix: per rule with hosts, methods or
/// paths that applies at one of `dst` pods' proxies and may match one of
/// `src` (pods or addresses), its operations on the request
/// ([`L7Note`]). What those rules allow or deny is the pair's unknown
/// part; this says which requests it depends on.
pub fn l7_notes(c: &Cluster, src: &[crate::explain::FlowEnd], dst: &[Idx<Pod>]) -> Vec<L7Note> {
    use crate::explain::FlowEnd;
    let mut out: Vec<L7Note> = Vec::new();
    for &d in dst {
        let pod = &c.pods[d];
        if enforced(dataplane(pod)) == Tri::No {
            continue;
        }
        for (pi, p) in c.mesh.authorization.iter().enumerate() {
            if p.action == tusk_model::istio::AuthzAction::Audit || applies(c, p, pod) == Tri::No {
                continue;
            }
            for (ri, r) in p.rules.iter().enumerate() {
                let ops: Vec<usize> =
                    (0..r.to.len()).filter(|&oi| r.to[oi].is_l7() && !op_never_matches(&r.to[oi])).collect();
                if ops.is_empty() {
                    continue;
                }
                let matched = src.iter().any(|&s| {
                    let t = match s {
                        FlowEnd::Pod(j) => {
                            let sp = &c.pods[j];
                            let ip_in = |set: &tusk_core::IpSet| {
                                if sp.ips.is_empty() {
                                    Tri::Maybe
                                } else {
                                    Tri::from_bool(sp.ips.iter().any(|ip| set.contains_ip(*ip)))
                                }
                            };
                            let name = principal(sp);
                            let peer = Peer {
                                mtls: mtls_source(dataplane(sp)),
                                principal: Some(&name),
                                namespace: Some(&sp.namespace),
                                ip_in: &ip_in,
                            };
                            from_match(r, &peer).0.and(when_source(r, &peer).0)
                        }
                        FlowEnd::Address(ip) => {
                            let ip_in = |set: &tusk_core::IpSet| Tri::from_bool(set.contains_ip(ip));
                            let peer = Peer { mtls: Tri::No, principal: None, namespace: None, ip_in: &ip_in };
                            from_match(r, &peer).0.and(when_source(r, &peer).0)
                        }
                    };
                    t != Tri::No
                });
                if !matched {
                    continue;
                }
                for op in ops {
                    let note = L7Note { policy: pi, rule: ri, op };
                    if !out.contains(&note) {
                        out.push(note);
                    }
                }
            }
        }
    }
    out
}
