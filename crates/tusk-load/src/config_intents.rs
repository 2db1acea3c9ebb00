//! The `intents:` section of `tusk.yaml`: what must, or must not, reach
//! what, checked by `tusk check` (crates/tusk-check). Each entry is
//! validated here, every defect a located error: the ends are parsed in
//! the notation of `docs/endpoints.md` (`tusk_core::FlowEnd`), the ports
//! as in `nvas` rules. What the ends name is decided later, by each
//! engine's resolver, at check time.
//!
//! ```yaml
//! intents:
//! - name: app-never-reaches-db-https
//!   kind: mustNotReach          # mustReach | mustNotReach | mustPassThrough | egressOnlyVia
//!   from: vm-app-nic
//!   to: vm-db-nic
//!   protocol: tcp               # default tcp
//!   ports: ["443"]              # default: every port at once
//! ```
//!
//! `isolatedTenants` (every ordered pair of `tenants`, for `actor` or both
//! actors), `actor: pod|node` and the `tenant:` / `node:` ends are checked
//! across both layers through the AKS join; whether the inputs hold the
//! cluster is decided at check time. `isolatedTenants` needs `ports`: the
//! join answers one port at a time.

use crate::doc::Node;
use crate::fields::Cx;
use tusk_core::{FlowEnd, LoadError, Protocol};
use tusk_model::config::{Intent, IntentActor, IntentKind, IntentLayer};

const KEYS: &[&str] =
    &["name", "kind", "from", "to", "protocol", "ports", "actor", "through", "layer", "tenants", "description"];

/// One `intents:` entry, validated; every defect is a located error
/// (`file:line:col`, exit 2).
pub fn entry(cx: Cx, n: &Node) -> Result<Intent, LoadError> {
    super::config::only_keys(cx, n, KEYS, "an intents entry")?;
    let name = cx.req_str(n, "name")?.to_string();
    let at = |k: &str| n.get(k).unwrap_or(n);
    let kind = match cx.req_str(n, "kind")? {
        "mustReach" => IntentKind::MustReach,
        "mustNotReach" => IntentKind::MustNotReach,
        "mustPassThrough" => IntentKind::MustPassThrough,
        "egressOnlyVia" => IntentKind::EgressOnlyVia,
        "isolatedTenants" => IntentKind::IsolatedTenants,
        other => {
            return Err(cx.err(
                at("kind"),
                format!(
                    "invalid kind `{other}`: expected mustReach, mustNotReach, mustPassThrough, egressOnlyVia or isolatedTenants"
                ),
            ))
        }
    };
    let actor = match cx.opt_str(n, "actor")? {
        None => None,
        Some("pod") => Some(IntentActor::Pod),
        Some("node") => Some(IntentActor::Node),
        Some(other) => return Err(cx.err(at("actor"), format!("invalid actor `{other}`: expected pod or node"))),
    };
    let end = |key: &str| -> Result<Option<FlowEnd>, LoadError> {
        let Some(s) = cx.opt_str(n, key)? else { return Ok(None) };
        FlowEnd::parse(s).map(Some).map_err(|e| cx.err(at(key), format!("invalid `{key}`: {e}")))
    };
    let isolated = kind == IntentKind::IsolatedTenants;
    let tenants = tenants(cx, n, isolated)?;
    let (from, to) = if isolated {
        if let Some(k) = ["from", "to"].into_iter().find(|k| n.get(k).is_some()) {
            return Err(cx.err(at(k), format!("`{k}` does not apply to `isolatedTenants`: list the `tenants`")));
        }
        (FlowEnd::Tenant("*".into()), FlowEnd::Tenant("*".into()))
    } else {
        let from = end("from")?.ok_or_else(|| cx.err(n, "an intent needs `from`"))?;
        let to = match (end("to")?, kind) {
            (Some(t), _) => t,
            (None, IntentKind::EgressOnlyVia) => FlowEnd::Internet(None),
            (None, _) => return Err(cx.err(n, "an intent needs `to`")),
        };
        (from, to)
    };
    let protocol = match cx.opt_str(n, "protocol")? {
        None => Protocol::Tcp,
        Some(s) => Protocol::parse(s).ok_or_else(|| {
            cx.err(at("protocol"), format!("invalid protocol `{s}`: expected tcp, udp, sctp, icmp, esp or ah"))
        })?,
    };
    let ports = match n.get("ports") {
        None => None,
        Some(p) if !protocol.has_ports() => {
            return Err(cx.err(p, format!("`ports` with `protocol: {}`: it has no ports", protocol.name())))
        }
        Some(p) => Some(super::config::ports(cx, p)?),
    };
    if isolated && ports.is_none() && protocol.has_ports() {
        return Err(cx.err(n, "`isolatedTenants` needs `ports`: across the layers tusk checks one port at a time"));
    }
    let mut through = Vec::new();
    if n.get("through").is_some() {
        for t in super::config::scalars(cx, at("through"), "through")? {
            through.push(t.as_str().unwrap_or_default().trim().to_string());
        }
    }
    let passes = matches!(kind, IntentKind::MustPassThrough | IntentKind::EgressOnlyVia);
    match (passes, through.is_empty()) {
        (true, true) => return Err(cx.err(n, format!("`{}` needs `through`: the device names", kind.name()))),
        (false, false) => return Err(cx.err(at("through"), format!("`through` does not apply to `{}`", kind.name()))),
        _ => {}
    }
    let layer = match cx.opt_str(n, "layer")? {
        None => None,
        Some("azure") => Some(IntentLayer::Azure),
        Some("kubernetes") => Some(IntentLayer::Kubernetes),
        Some("aks") => Some(IntentLayer::Aks),
        Some(other) => {
            return Err(cx.err(at("layer"), format!("invalid layer `{other}`: expected azure, kubernetes or aks")))
        }
    };
    if passes && layer == Some(IntentLayer::Kubernetes) {
        return Err(cx.err(at("layer"), "devices to pass through are Azure devices: the layer must be azure or aks"));
    }
    match (layer, isolated) {
        (Some(l @ (IntentLayer::Azure | IntentLayer::Kubernetes)), true) => {
            return Err(
                cx.err(at("layer"), format!("`isolatedTenants` is checked across both layers, not `{}`", l.name()))
            )
        }
        (Some(l @ (IntentLayer::Azure | IntentLayer::Kubernetes)), false) if actor.is_some() => {
            return Err(
                cx.err(at("actor"), format!("`actor` applies across both layers (`layer: aks`), not `{}`", l.name()))
            )
        }
        _ => {}
    }
    Ok(Intent { name, kind, from, to, protocol, ports, through, layer, actor, tenants, loc: cx.loc(n) })
}

/// `tenants:` of `isolatedTenants`: two or more distinct names, or absent
/// (every tenant); refused on the other kinds.
fn tenants(cx: Cx, n: &Node, isolated: bool) -> Result<Vec<String>, LoadError> {
    let Some(t) = n.get("tenants") else { return Ok(Vec::new()) };
    if !isolated {
        return Err(cx.err(t, "`tenants` applies to `isolatedTenants` only; use `tenant:NAME` ends"));
    }
    let mut names: Vec<String> = Vec::new();
    for v in super::config::scalars(cx, t, "tenants")? {
        let name = v.as_str().unwrap_or_default().trim().to_string();
        if name.is_empty() || name == "*" {
            return Err(cx.err(v, "a tenant name is a value of the tenant label, not empty or `*`"));
        }
        if names.contains(&name) {
            return Err(cx.err(v, format!("tenant `{name}` is listed twice")));
        }
        names.push(name);
    }
    if names.len() < 2 {
        return Err(cx.err(t, "`tenants` lists at least two tenants (absent: every tenant)"));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use tusk_core::LoadError;
    use tusk_model::config::{Config, IntentKind};

    fn load(body: &str) -> Result<Config, LoadError> {
        let file: Arc<str> = Arc::from("tusk.yaml");
        let text = format!("apiVersion: tusk.dev/v1alpha1\nkind: TuskConfig\nintents:\n{body}");
        let mut b = crate::config::Builder::default();
        for d in crate::doc::parse_documents(&file, &text)? {
            b.add_document(&d)?;
        }
        b.finish(&Default::default(), &mut Vec::new())
    }

    fn fails(body: &str, at: &str, needle: &str) {
        let e = load(body).expect_err("should fail").to_string();
        assert!(e.starts_with(&format!("tusk.yaml:{at}:")), "expected tusk.yaml:{at}: in `{e}`");
        assert!(e.contains(needle), "expected `{needle}` in `{e}`");
    }

    #[test]
    fn a_full_entry_loads() {
        let c = load("- name: a\n  kind: mustNotReach\n  from: vm-app-nic\n  to: subnet:spoke/db\n  ports: [\"443\", 8000-8080]\n- name: b\n  kind: egressOnlyVia\n  from: subnet:spoke/aks\n  through: fw-hub\n").unwrap();
        let i = &c.intents[0];
        assert_eq!((i.kind, i.loc.pos.line), (IntentKind::MustNotReach, 4));
        assert_eq!(i.to.to_string(), "subnet:spoke/db");
        assert_eq!(i.ports.as_ref().unwrap().to_list_string(), "443,8000-8080");
        assert_eq!(c.intents[1].to.to_string(), "internet");
        assert_eq!(c.intents[1].through, ["fw-hub"]);
    }

    #[test]
    fn tenant_intents_load_with_their_actor_and_tenants() {
        let c = load("- name: iso\n  kind: isolatedTenants\n  tenants: [t1, t2]\n  ports: [\"8080\"]\n- name: n\n  kind: mustNotReach\n  from: node:tenant1\n  to: tenant:t2\n  actor: node\n  layer: aks\n  ports: [443]\n").unwrap();
        let i = &c.intents[0];
        assert_eq!(
            (i.kind, i.tenants.clone(), i.actor),
            (IntentKind::IsolatedTenants, vec!["t1".into(), "t2".into()], None)
        );
        let n = &c.intents[1];
        assert_eq!((n.from.to_string(), n.to.to_string()), ("node:tenant1".into(), "tenant:t2".into()));
        assert_eq!(n.actor, Some(tusk_model::config::IntentActor::Node));
        assert_eq!(n.layer, Some(tusk_model::config::IntentLayer::Aks));
    }

    #[test]
    fn bad_entries_are_located_errors() {
        fails("- name: a\n  kind: mustReech\n  from: x\n  to: y\n", "5:9", "invalid kind `mustReech`");
        fails("- name: a\n  kind: mustReach\n  from: 'internet:nope'\n  to: y\n", "6:9", "not an IP address");
        fails("- name: a\n  kind: mustReach\n  from: x\n", "4:3", "needs `to`");
        fails("- name: a\n  kind: mustReach\n  from: x\n  to: y\n  ports: [\"0\"]\n", "8:11", "invalid port `0`");
        fails("- name: a\n  kind: mustReach\n  from: x\n  to: y\n  protocol: icmp\n  ports: [1]\n", "9:10", "no ports");
        fails("- name: a\n  kind: mustPassThrough\n  from: x\n  to: y\n", "4:3", "needs `through`");
        fails("- name: a\n  kind: mustReach\n  from: x\n  to: y\n  through: fw\n", "8:12", "does not apply");
        fails("- name: a\n  kind: isolatedTenants\n", "4:3", "needs `ports`");
        fails("- name: a\n  kind: isolatedTenants\n  tenants: [t1]\n  ports: [80]\n", "6:12", "at least two");
        fails("- name: a\n  kind: isolatedTenants\n  tenants: [t1, t1]\n  ports: [80]\n", "6:17", "listed twice");
        fails("- name: a\n  kind: isolatedTenants\n  from: x\n  ports: [80]\n", "6:9", "does not apply");
        fails(
            "- name: a\n  kind: mustReach\n  from: x\n  to: y\n  tenants: [a, b]\n",
            "8:12",
            "applies to `isolatedTenants`",
        );
        fails("- name: a\n  kind: mustReach\n  from: x\n  to: y\n  actor: host\n", "8:10", "invalid actor `host`");
        fails(
            "- name: a\n  kind: mustReach\n  from: x\n  to: y\n  actor: node\n  layer: azure\n",
            "8:10",
            "both layers",
        );
        fails("- name: a\n  kind: isolatedTenants\n  ports: [80]\n  layer: kubernetes\n", "7:10", "both layers");
        fails("- name: a\n  kind: mustReach\n  from: x\n  to: y\n  dport: 1\n", "8:3", "unknown key `dport`");
        fails(
            "- name: a\n  kind: mustReach\n  from: x\n  to: y\n- name: a\n  kind: mustReach\n  from: x\n  to: y\n",
            "8:3",
            "duplicate intent name `a`",
        );
    }
}
