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
//! `isolatedTenants`, `actor` and the `tenant:` / `node:` ends need tenants
//! and node pools in the model (the AKS join): they are errors that say so,
//! not silently ignored keys.

use crate::doc::Node;
use crate::fields::Cx;
use tusk_core::{FlowEnd, LoadError, Protocol};
use tusk_model::config::{Intent, IntentKind, IntentLayer};

const KEYS: &[&str] = &["name", "kind", "from", "to", "protocol", "ports", "actor", "through", "layer", "description"];

pub fn entry(cx: Cx, n: &Node) -> Result<Intent, LoadError> {
    super::config::only_keys(cx, n, KEYS, "an intents entry")?;
    let name = cx.req_str(n, "name")?.to_string();
    let at = |k: &str| n.get(k).unwrap_or(n);
    let kind = match cx.req_str(n, "kind")? {
        "mustReach" => IntentKind::MustReach,
        "mustNotReach" => IntentKind::MustNotReach,
        "mustPassThrough" => IntentKind::MustPassThrough,
        "egressOnlyVia" => IntentKind::EgressOnlyVia,
        "isolatedTenants" => {
            return Err(cx.err(
                at("kind"),
                "`isolatedTenants` needs tenants in the model, which come with the AKS join; not supported yet",
            ))
        }
        other => {
            return Err(cx.err(
                at("kind"),
                format!("invalid kind `{other}`: expected mustReach, mustNotReach, mustPassThrough or egressOnlyVia"),
            ))
        }
    };
    if n.get("actor").is_some() {
        return Err(cx.err(
            at("actor"),
            "`actor` (pod or node) needs node pools in the model, which come with the AKS join; not supported yet",
        ));
    }
    let end = |key: &str| -> Result<Option<FlowEnd>, LoadError> {
        let Some(s) = cx.opt_str(n, key)? else { return Ok(None) };
        let e = FlowEnd::parse(s).map_err(|e| cx.err(at(key), format!("invalid `{key}`: {e}")))?;
        if matches!(e, FlowEnd::Node(_) | FlowEnd::Tenant(_)) {
            return Err(
                cx.err(at(key), format!("`{e}`: node and tenant ends come with the AKS join; not supported yet"))
            );
        }
        Ok(Some(e))
    };
    let from = end("from")?.ok_or_else(|| cx.err(n, "an intent needs `from`"))?;
    let to = match (end("to")?, kind) {
        (Some(t), _) => t,
        (None, IntentKind::EgressOnlyVia) => FlowEnd::Internet(None),
        (None, _) => return Err(cx.err(n, "an intent needs `to`")),
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
        Some(other) => {
            return Err(cx.err(at("layer"), format!("invalid layer `{other}`: expected azure or kubernetes")))
        }
    };
    if passes && layer == Some(IntentLayer::Kubernetes) {
        return Err(cx.err(at("layer"), "devices to pass through are Azure devices: the layer must be azure"));
    }
    Ok(Intent { name, kind, from, to, protocol, ports, through, layer, loc: cx.loc(n) })
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
    fn bad_entries_are_located_errors() {
        fails("- name: a\n  kind: mustReech\n  from: x\n  to: y\n", "5:9", "invalid kind `mustReech`");
        fails("- name: a\n  kind: mustReach\n  from: 'internet:nope'\n  to: y\n", "6:9", "not an IP address");
        fails("- name: a\n  kind: mustReach\n  from: x\n", "4:3", "needs `to`");
        fails("- name: a\n  kind: mustReach\n  from: x\n  to: y\n  ports: [\"0\"]\n", "8:11", "invalid port `0`");
        fails("- name: a\n  kind: mustReach\n  from: x\n  to: y\n  protocol: icmp\n  ports: [1]\n", "9:10", "no ports");
        fails("- name: a\n  kind: mustPassThrough\n  from: x\n  to: y\n", "4:3", "needs `through`");
        fails("- name: a\n  kind: mustReach\n  from: x\n  to: y\n  through: fw\n", "8:12", "does not apply");
        fails("- name: a\n  kind: isolatedTenants\n", "5:9", "AKS join");
        fails("- name: a\n  kind: mustReach\n  from: x\n  to: y\n  actor: pod\n", "8:10", "AKS join");
        fails("- name: a\n  kind: mustReach\n  from: tenant:blue\n  to: y\n", "6:9", "AKS join");
        fails("- name: a\n  kind: mustReach\n  from: x\n  to: y\n  dport: 1\n", "8:3", "unknown key `dport`");
        fails(
            "- name: a\n  kind: mustReach\n  from: x\n  to: y\n- name: a\n  kind: mustReach\n  from: x\n  to: y\n",
            "8:3",
            "duplicate intent name `a`",
        );
    }
}
