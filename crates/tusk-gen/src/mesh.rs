//! The policy-language mix of issue #9's speed item on top of a generated
//! cluster: Calico tiers, GlobalNetworkPolicies and namespaced Calico
//! NetworkPolicies (`pods / 5` policies), Istio AuthorizationPolicies
//! (`pods / 10`) and a few PeerAuthentications, written as `calico.yaml` and
//! `istio.yaml` beside the cluster's own files.
//!
//! Shapes, so that the mix stays realistic and its cost linear in pods:
//! * four tiers (`security` 100, `platform` 200, `tenant` 300 ending in
//!   Pass, and Calico's `default`); the tier of each policy is drawn from a
//!   fixed distribution;
//! * every selector is bounded by a namespace (`projectcalico.org/namespace`
//!   or the policy's own namespace), except a constant handful of
//!   cluster-wide GlobalNetworkPolicies, so a bigger cluster has more
//!   policies, not wider ones;
//! * selectors use the whole grammar: `==`, `!=`, `in {}`, `not in {}`,
//!   `has()`, `!has()`, `&&`, `||`, `!`, parentheses, `contains`,
//!   `starts with`, `ends with`, `all()`; rules use Allow / Deny / Pass / Log,
//!   named ports, ranges, `notPorts`, `nets` / `notNets`, `notProtocol`;
//! * Istio: application namespaces get `istio-injection: enabled` (the
//!   infrastructure ones `disabled`), so every pod's data plane is known;
//!   AuthorizationPolicies (ALLOW / DENY) name principals of the default
//!   service account, namespaces, `notNamespaces`, ports and ipBlocks — all
//!   decidable at layer 4.
//!
//! Calico: "Get started with Calico network policy" and the
//! NetworkPolicy / GlobalNetworkPolicy / Tier resource pages
//! (docs.tigera.io/calico/latest/reference/resources/). Istio: "Authorization
//! Policy" reference (istio.io/latest/docs/reference/config/security/).

use crate::cluster::{Cluster, Tier};
use crate::rng::Rng;
use std::fmt::Write as _;

/// The Calico tiers (name, order); `default` (order 1,000,000) is Calico's own.
pub const TIERS: [(&str, u32); 3] = [("security", 100), ("platform", 200), ("tenant", 300)];

/// How many Calico policies and AuthorizationPolicies were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MeshCounts {
    /// Calico NetworkPolicies and GlobalNetworkPolicies (tiers not counted).
    pub calico: usize,
    /// Istio AuthorizationPolicies.
    pub authorization: usize,
    /// Istio PeerAuthentications.
    pub peer_authentication: usize,
}

/// Labels the namespaces for sidecar injection: application namespaces
/// `istio-injection: enabled`, infrastructure ones `disabled` (Istio,
/// "Installing the sidecar": the namespace label decides injection).
pub fn label_injection(cluster: &mut Cluster) {
    for ns in &mut cluster.namespaces {
        let v = if ns.app.is_some() { "enabled" } else { "disabled" };
        ns.labels.push(("istio-injection", v.to_string()));
    }
}

/// The Calico and Istio documents for `cluster` (`pods` pods, `seed`):
/// `(calico.yaml, istio.yaml, counts)`. The same inputs give the same text.
pub fn render(cluster: &Cluster, pods: u32, seed: u64) -> (String, String, MeshCounts) {
    let mut rng = Rng::new(seed ^ 0x00CA_11C0_1571_0000);
    let mut counts = MeshCounts::default();
    let app_ns: Vec<&str> = cluster.app_namespaces().map(|(_, ns, _)| ns.name.as_str()).collect();
    let mut calico = String::new();
    for (name, order) in TIERS {
        let end = if name == "tenant" { "\n  defaultAction: Pass" } else { "" };
        let _ = write!(calico, "---\napiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: {name}\nspec:\n  order: {order}{end}\n");
    }
    // A constant handful of cluster-wide policies.
    calico += GLOBAL;
    counts.calico += GLOBAL.matches("kind: GlobalNetworkPolicy").count();
    let want = (pods / 5) as usize;
    let mut i = 0usize;
    while counts.calico < want && !app_ns.is_empty() {
        let ns = app_ns[i % app_ns.len()];
        let other = app_ns[rng.below(app_ns.len() as u64) as usize];
        calico_policy(&mut calico, &mut rng, i, ns, other);
        counts.calico += 1;
        i += 1;
    }
    let mut istio = String::new();
    let want = (pods / 10) as usize;
    let mut j = 0usize;
    while counts.authorization < want && !app_ns.is_empty() {
        let ns = app_ns[j % app_ns.len()];
        let other = app_ns[rng.below(app_ns.len() as u64) as usize];
        authorization(&mut istio, &mut rng, cluster, j, ns, other);
        counts.authorization += 1;
        j += 1;
    }
    // STRICT mTLS in one application namespace out of eight.
    for ns in app_ns.iter().step_by(8) {
        let _ = write!(
            istio,
            "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: strict\n  namespace: {ns}\n\
             spec:\n  mtls:\n    mode: STRICT\n"
        );
        counts.peer_authentication += 1;
    }
    (calico, istio, counts)
}

const GLOBAL: &str = "---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: security.db-from-backends-only
spec:
  tier: security
  order: 10
  selector: tier == 'db'
  types: [Ingress]
  ingress:
  - action: Pass
    source:
      selector: tier in {'backend', 'worker'}
  - action: Log
  - action: Deny
    protocol: TCP
    destination:
      ports: [postgres, 5432]
  - action: Pass
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: security.no-dev-to-prod
spec:
  tier: security
  order: 20
  selector: has(tier) && !has(k8s-app)
  types: [Ingress]
  ingress:
  - action: Deny
    source:
      namespaceSelector: env == 'dev'
    destination:
      namespaceSelector: env == 'prod'
  - action: Pass
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: platform.dns-and-ingress
spec:
  tier: platform
  order: 10
  selector: all()
  types: [Ingress, Egress]
  ingress:
  - action: Allow
    protocol: TCP
    source:
      namespaceSelector: projectcalico.org/name == 'ingress-nginx'
    destination:
      ports: [http, https, '8000:8999']
  - action: Pass
  egress:
  - action: Allow
    protocol: UDP
    destination:
      selector: k8s-app == 'kube-dns'
      namespaceSelector: projectcalico.org/name == 'kube-system'
      ports: [53]
  - action: Pass
";

fn quote_set(items: &[&str]) -> String {
    items.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ")
}

/// One Calico policy bounded to namespace `ns` (its peers may be in `other`).
fn calico_policy(out: &mut String, rng: &mut Rng, i: usize, ns: &str, other: &str) {
    let k = i % 10;
    let tier_label = |t: Tier| t.label();
    let own = *rng.pick(&[Tier::Frontend, Tier::Backend, Tier::Db, Tier::Cache, Tier::Worker]);
    let teams = [*rng.pick(&crate::cluster::TEAMS), *rng.pick(&crate::cluster::TEAMS)];
    let selector = match rng.below(6) {
        0 => format!("tier == '{}'", tier_label(own)),
        1 => format!("tier == '{}' && team != '{}'", tier_label(own), teams[0]),
        2 => format!("team in {{{}}}", quote_set(&teams)),
        3 => format!("app starts with '{}' || app ends with '-{}'", &tier_label(own)[..2], k),
        4 => format!("!(team not in {{{}}}) && has(app)", quote_set(&teams)),
        _ => format!("app contains '-{k}'"),
    };
    let caller = tier_label(own.caller());
    // Tier by position: mostly the tenant tier and the default one.
    let (tier, order) = match k {
        0 => ("security", 100 + i % 50),
        1 | 2 => ("platform", 100 + i % 50),
        3..=6 => ("tenant", 100 + i % 100),
        _ => ("default", 500 + i % 1000),
    };
    let name = if tier == "default" { format!("p{i}") } else { format!("{tier}.p{i}") };
    let global = k == 0 || k == 3;
    if global {
        let _ = write!(
            out,
            "---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: {name}\nspec:\n  \
             tier: {tier}\n  order: {order}\n  selector: \"projectcalico.org/namespace == '{ns}' && ({selector})\"\n"
        );
    } else {
        let _ = write!(
            out,
            "---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\n\
             spec:\n  tier: {tier}\n  order: {order}\n  selector: \"{selector}\"\n"
        );
    }
    // A peer in this namespace or in `other`, named in several ways.
    let peer_ns = if global {
        format!("      namespaceSelector: projectcalico.org/name in {{'{ns}', '{other}'}}\n")
    } else if rng.chance(50) {
        format!("      namespaceSelector: kubernetes.io/metadata.name == '{other}'\n")
    } else {
        String::new()
    };
    let ports = *rng.pick(&["[http, grpc]", "['8000:9000']", "[5432, redis]", "[http]"]);
    let end = if tier == "default" { "Deny" } else { "Pass" };
    match rng.below(4) {
        0 => {
            let _ = write!(
                out,
                "  types: [Ingress]\n  ingress:\n  - action: Allow\n    protocol: TCP\n    source:\n      \
                 selector: tier == '{caller}'\n{peer_ns}    destination:\n      ports: {ports}\n  - action: {end}\n"
            );
        }
        1 => {
            let _ = write!(
                out,
                "  types: [Ingress]\n  ingress:\n  - action: Deny\n    protocol: TCP\n    source:\n      \
                 selector: team == '{}'\n{peer_ns}  - action: Allow\n    protocol: TCP\n    source:\n      \
                 selector: has(tier)\n{peer_ns}    destination:\n      notPorts: [9100]\n",
                teams[1]
            );
        }
        2 => {
            let _ = write!(
                out,
                "  types: [Egress]\n  egress:\n  - action: Allow\n    protocol: TCP\n    destination:\n      \
                 selector: tier == '{}'\n{peer_ns}      ports: {ports}\n  - action: Allow\n    notProtocol: UDP\n    destination:\n      \
                 nets: [10.0.0.0/8]\n      notNets: [10.240.0.0/16]\n  - action: {end}\n",
                tier_label(own.callee())
            );
        }
        _ => {
            let _ = write!(
                out,
                "  types: [Ingress, Egress]\n  ingress:\n  - action: Allow\n    protocol: TCP\n    source:\n      \
                 selector: tier == '{caller}' || tier == 'frontend'\n{peer_ns}  - action: {end}\n  egress:\n  \
                 - action: Allow\n  - action: {end}\n"
            );
        }
    }
}

/// One AuthorizationPolicy in `ns` selecting a Deployment of it (the j-th
/// slot), its callers in `ns` or `other`.
fn authorization(out: &mut String, rng: &mut Rng, cluster: &Cluster, j: usize, ns: &str, other: &str) {
    let slot = (j / cluster.app_namespaces().count().max(1)) % crate::cluster::DEPLOYMENTS_PER_NAMESPACE;
    let app = cluster
        .deployments
        .iter()
        .find(|d| cluster.namespaces[d.namespace].name == ns && d.name.ends_with(&format!("-{slot}")))
        .map_or_else(|| format!("api-{slot}"), |d| d.name.clone());
    let port = *rng.pick(&["8080", "9090", "5432", "6379", "8000"]);
    let head = format!(
        "---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: a{j}\n  namespace: {ns}\n\
         spec:\n  selector:\n    matchLabels:\n      app: {app}\n"
    );
    out.push_str(&head);
    match rng.below(5) {
        0 | 1 => {
            let _ = write!(
                out,
                "  action: ALLOW\n  rules:\n  - from:\n    - source:\n        principals: [cluster.local/ns/{ns}/sa/default, \
                 cluster.local/ns/{other}/sa/default]\n    to:\n    - operation:\n        ports: ['{port}']\n"
            );
        }
        2 => {
            let _ = write!(
                out,
                "  action: ALLOW\n  rules:\n  - from:\n    - source:\n        namespaces: [{ns}]\n  - from:\n    - source:\n        \
                 namespaces: [{other}]\n    to:\n    - operation:\n        ports: ['{port}']\n"
            );
        }
        3 => {
            let _ = write!(
                out,
                "  action: DENY\n  rules:\n  - from:\n    - source:\n        notNamespaces: [{ns}, {other}]\n    to:\n    \
                 - operation:\n        notPorts: ['{port}']\n"
            );
        }
        _ => {
            let _ = write!(
                out,
                "  action: DENY\n  rules:\n  - from:\n    - source:\n        ipBlocks: [203.0.113.0/24]\n  - from:\n    \
                 - source:\n        namespaces: [{other}]\n        notPrincipals: [cluster.local/ns/{other}/sa/default]\n"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use saphyr_parser::{Event, Parser};

    /// The value of every top-level `kind:` (one per document); panics on
    /// YAML that does not parse.
    fn kinds(text: &str) -> Vec<String> {
        let (mut kinds, mut depth, mut key_next, mut want_kind) = (Vec::new(), 0usize, true, false);
        let mut parser = Parser::new_from_str(text);
        while let Some(ev) = parser.next_event() {
            match ev.expect("generated YAML parses").0 {
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    depth += 1;
                    key_next = true;
                }
                Event::MappingEnd | Event::SequenceEnd => depth -= 1,
                Event::Scalar(s, ..) if depth == 1 => {
                    if want_kind {
                        kinds.push(s.into_owned());
                        want_kind = false;
                    } else if key_next {
                        want_kind = s == "kind";
                    }
                    key_next = !key_next;
                }
                _ => {}
            }
        }
        kinds
    }

    #[test]
    fn counts_follow_the_pod_count_and_the_text_is_deterministic() {
        for pods in [200u32, 1000] {
            let mut c = crate::generate(pods, 3).cluster;
            label_injection(&mut c);
            let (calico, istio, n) = render(&c, pods, 3);
            assert_eq!((n.calico, n.authorization), ((pods / 5) as usize, (pods / 10) as usize));
            let k = kinds(&calico);
            assert_eq!(k.iter().filter(|k| *k == "Tier").count(), TIERS.len());
            let policies = k.iter().filter(|k| k.ends_with("NetworkPolicy")).count();
            assert_eq!(policies, n.calico);
            assert!(k.iter().filter(|k| *k == "GlobalNetworkPolicy").count() > n.calico / 10);
            let k = kinds(&istio);
            assert_eq!(k.iter().filter(|k| *k == "AuthorizationPolicy").count(), n.authorization);
            assert_eq!(k.iter().filter(|k| *k == "PeerAuthentication").count(), n.peer_authentication);
            assert_eq!(render(&c, pods, 3).0, calico, "same inputs, same text");
        }
    }

    #[test]
    fn every_namespace_declares_its_injection() {
        let mut c = crate::generate(500, 1).cluster;
        label_injection(&mut c);
        for ns in &c.namespaces {
            let v = ns.labels.iter().find(|(k, _)| *k == "istio-injection").map(|(_, v)| v.as_str());
            assert_eq!(v, Some(if ns.app.is_some() { "enabled" } else { "disabled" }), "{}", ns.name);
        }
    }
}
