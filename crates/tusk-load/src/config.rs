//! The `tusk.yaml` loader: documents with `apiVersion: tusk.dev/...` and
//! `kind: TuskConfig` into [`Config`]. The one schema is `docs/tusk-yaml.md`
//! (one section per top-level key); this is its one reader.
//!
//! The format (YAML or JSON; any number of such documents, merged):
//!
//! ```yaml
//! apiVersion: tusk.dev/v1alpha1
//! kind: TuskConfig
//! nvas:
//! - nic: hub-nva-nic          # the NIC's name as exported, or its private IP
//!   stateful: true            # default true: replies of allowed flows pass;
//!                             # a reply it never saw the request of is dropped
//!   snat: false               # default false: true translates the source to
//!                             # the NIC's private IP when forwarding
//!   rules:                    # in order, first match wins; no match: deny
//!   - name: spokes-to-web
//!     action: allow           # allow | deny
//!     source: [10.1.0.0/16]   # CIDRs or bare IPs; absent or "*" = any
//!     destination: [10.2.0.0/16]
//!     protocol: tcp           # tcp | udp | icmp | any (default any)
//!     ports: ["443", "8000-8080"]   # destination ports; absent = all
//! podCidrs: [10.244.0.0/16]   # where pod IPs lie, for pods the inputs give
//!                             # none (as `--pod-cidr`)
//! ```
//!
//! Everything is validated here, with `file:line:col`: CIDRs, actions,
//! protocols, ports (1–65535, `lo-hi` with lo ≤ hi, none with `icmp`),
//! unknown keys, one entry per NIC, `snat` only when `stateful` (address
//! translation needs connection state). A `nic` that names no NIC of the
//! inputs is an error when the inputs hold NICs, and a warning (the NVA
//! stays unbound) when they hold none: the same rule the Azure loader
//! applies to dangling references.
//!
//! Loaders know formats and nothing of analysis.

use crate::doc::{Doc, Node, Value};
use crate::fields::{text, Cx};
use std::net::IpAddr;
use tusk_core::ip::{all_ips, Cidr};
use tusk_core::{IpSet, LoadError, PortSet, Protocol, Warning};
use tusk_model::azure::{AzureNetwork, Idx, NetworkInterface};
use tusk_model::config::{Config, NvaAction, NvaConfig, NvaRule};

/// The prefix of `apiVersion` that marks tusk's own documents.
pub const API_GROUP: &str = "tusk.dev/";

/// The versions of the schema this loader reads.
pub const API_VERSIONS: &[&str] = &["tusk.dev/v1alpha1"];

/// The keys of a `TuskConfig` document (docs/tusk-yaml.md, "Document").
/// `deployments` and `runtimeValues` are read by `arm::plan`.
const TOP_LEVEL_KEYS: &[&str] =
    &["apiVersion", "kind", "metadata", "nvas", "podCidrs", "clusters", "deployments", "runtimeValues", "intents"];

/// Is this document tusk's own configuration?
pub fn is_config(root: &Node) -> bool {
    root.get("apiVersion").and_then(Node::as_str).is_some_and(|v| v.starts_with(API_GROUP))
}

/// Collects tusk's own configuration documents (`tusk.yaml`,
/// docs/tusk-yaml.md): NVAs, cluster bindings, pod CIDRs and intents.
#[derive(Debug, Default)]
pub struct Builder {
    nvas: Vec<NvaConfig>,
    clusters: Vec<tusk_model::config::ClusterBinding>,
    pod_cidrs: Option<(IpSet, tusk_core::Loc)>,
    intents: Vec<tusk_model::config::Intent>,
}

impl Builder {
    /// Whether no configuration document was added.
    pub fn is_empty(&self) -> bool {
        self.nvas.is_empty() && self.clusters.is_empty() && self.pod_cidrs.is_none() && self.intents.is_empty()
    }

    /// Reads one configuration document; an unknown key, a wrong shape or a
    /// duplicate is a located [`LoadError`].
    pub fn add_document(&mut self, doc: &Doc) -> Result<(), LoadError> {
        let cx = Cx { doc };
        let root = &doc.root;
        cx.map(root, "TuskConfig")?;
        let version = cx.req_str(root, "apiVersion")?;
        if !API_VERSIONS.contains(&version) {
            return Err(cx.err(
                root.get("apiVersion").unwrap_or(root),
                format!("unknown apiVersion `{version}`: expected {}", API_VERSIONS.join(" or ")),
            ));
        }
        let kind = cx.req_str(root, "kind")?;
        if kind != "TuskConfig" {
            return Err(cx.err(root.get("kind").unwrap_or(root), format!("unknown kind `{kind}`: expected TuskConfig")));
        }
        only_keys(cx, root, TOP_LEVEL_KEYS, "TuskConfig")?;
        if let Some(m) = root.get("metadata") {
            only_keys(cx, m, &["name", "labels", "annotations"], "metadata")?;
        }
        for n in cx.seq(root, "nvas")? {
            self.nvas.push(nva(cx, n)?);
        }
        for n in cx.seq(root, "clusters")? {
            only_keys(cx, n, &["cluster", "manifests"], "a clusters entry")?;
            self.clusters.push(crate::config_clusters::entry(cx, n)?);
        }
        for n in cx.seq(root, "intents")? {
            let i = crate::config_intents::entry(cx, n)?;
            if let Some(first) = self.intents.iter().find(|o| o.name == i.name) {
                return Err(LoadError::new(
                    i.loc.clone(),
                    format!("duplicate intent name `{}` (first at {})", i.name, first.loc),
                ));
            }
            self.intents.push(i);
        }
        if let Some(n) = root.get("podCidrs") {
            let mut set = IpSet::empty();
            for c in cx.seq(root, "podCidrs")? {
                let s = c.as_str().ok_or_else(|| cx.err(c, "`podCidrs` entries must be CIDR strings"))?;
                set = set.union(&Cidr::parse(s).map_err(|m| cx.err(c, format!("invalid CIDR `{s}`: {m}")))?.set());
            }
            if set.is_empty() {
                return Err(cx.err(n, "`podCidrs` must list at least one CIDR"));
            }
            if let Some((_, first)) = &self.pod_cidrs {
                return Err(cx.err(n, format!("`podCidrs` given twice (first at {first})")));
            }
            self.pod_cidrs = Some((set, cx.loc(n)));
        }
        Ok(())
    }

    /// Binds every NVA to its NIC and checks that no NIC is configured twice.
    pub fn finish(mut self, net: &AzureNetwork, warnings: &mut Vec<Warning>) -> Result<Config, LoadError> {
        for i in 0..self.nvas.len() {
            let found = find_nic(net, &self.nvas[i].nic);
            let nva = &mut self.nvas[i];
            match found {
                Some(n) => nva.nic_index = Some(n),
                None if net.nics.is_empty() => warnings.push(Warning {
                    loc: nva.loc.clone(),
                    message: format!(
                        "NVA `{}`: the inputs hold no network interfaces, so its rules apply to nothing",
                        nva.nic
                    ),
                }),
                None => {
                    return Err(LoadError::new(
                        nva.loc.clone(),
                        format!("dangling reference: `nic: {}` names no network interface of the inputs (by name or private IP)", nva.nic),
                    ))
                }
            }
            if let Some(n) = found.filter(|n| !net.nics[*n].ip_forwarding) {
                warnings.push(Warning {
                    loc: nva.loc.clone(),
                    message: format!(
                        "NVA `{}`: NIC {} has IP forwarding off, so Azure never hands it packets to forward",
                        nva.nic,
                        net.nics[n].id.name()
                    ),
                });
            }
        }
        for (i, a) in self.nvas.iter().enumerate() {
            let same = |b: &NvaConfig| match (a.nic_index, b.nic_index) {
                (Some(x), Some(y)) => x == y,
                _ => a.nic.eq_ignore_ascii_case(&b.nic),
            };
            if let Some(first) = self.nvas[..i].iter().find(|b| same(b)) {
                return Err(LoadError::new(
                    a.loc.clone(),
                    format!("duplicate NVA: `{}` is the same NIC as the entry at {}", a.nic, first.loc),
                ));
            }
        }
        Ok(Config { nvas: self.nvas, clusters: self.clusters, pod_cidrs: self.pod_cidrs, intents: self.intents })
    }
}

/// The NIC a `nic:` names: by name (case-insensitively, as Azure compares
/// names) or by one of its private addresses.
fn find_nic(net: &AzureNetwork, s: &str) -> Option<Idx<NetworkInterface>> {
    let ip: Option<IpAddr> = s.parse().ok();
    Idx::enumerate(&net.nics)
        .find(|(_, nic)| {
            nic.id.name().eq_ignore_ascii_case(s)
                || ip.is_some_and(|ip| nic.ip_configs.iter().any(|c| c.private_ip == Some(ip)))
        })
        .map(|(i, _)| i)
}

/// Rejects keys outside `allowed`, naming the first unknown one.
pub(crate) fn only_keys(cx: Cx, n: &Node, allowed: &[&str], what: &str) -> Result<(), LoadError> {
    for (k, _) in cx.map(n, what)? {
        let key = k.as_str().unwrap_or_default();
        if !allowed.contains(&key) {
            return Err(cx.err(k, format!("unknown key `{key}` in {what} (expected one of: {})", allowed.join(", "))));
        }
    }
    Ok(())
}

fn nva(cx: Cx, n: &Node) -> Result<NvaConfig, LoadError> {
    only_keys(cx, n, &["nic", "stateful", "snat", "rules"], "an nvas entry")?;
    let nic = cx.req_str(n, "nic")?.to_string();
    let stateful = cx.opt_bool(n, "stateful")?.unwrap_or(true);
    let snat = cx.opt_bool(n, "snat")?.unwrap_or(false);
    if snat && !stateful {
        return Err(cx.err(
            n.get("snat").unwrap_or(n),
            "`snat: true` needs `stateful: true`: translating the reply back requires connection state",
        ));
    }
    let rules = cx.seq(n, "rules")?.iter().map(|r| rule(cx, r)).collect::<Result<Vec<_>, _>>()?;
    for (i, r) in rules.iter().enumerate() {
        if let Some(first) = rules[..i].iter().find(|o| o.name == r.name) {
            return Err(LoadError::new(
                r.loc.clone(),
                format!("duplicate rule name `{}` (first at {})", r.name, first.loc),
            ));
        }
    }
    Ok(NvaConfig { nic, nic_index: None, stateful, snat, rules, loc: cx.loc(n) })
}

fn rule(cx: Cx, n: &Node) -> Result<NvaRule, LoadError> {
    only_keys(cx, n, &["name", "action", "source", "destination", "protocol", "ports"], "an NVA rule")?;
    let name = cx.req_str(n, "name")?.to_string();
    let action = match cx.req_str(n, "action")? {
        "allow" | "Allow" => NvaAction::Allow,
        "deny" | "Deny" => NvaAction::Deny,
        other => {
            return Err(
                cx.err(n.get("action").unwrap_or(n), format!("invalid action `{other}`: expected allow or deny"))
            )
        }
    };
    let protocol = match cx.opt_str(n, "protocol")?.map(str::to_ascii_lowercase).as_deref() {
        None | Some("any" | "*") => None,
        Some("tcp") => Some(Protocol::Tcp),
        Some("udp") => Some(Protocol::Udp),
        Some("icmp") => Some(Protocol::Icmp),
        Some(other) => {
            return Err(cx.err(
                n.get("protocol").unwrap_or(n),
                format!("invalid protocol `{other}`: expected tcp, udp, icmp or any"),
            ))
        }
    };
    let ports = match n.get("ports") {
        None => None,
        Some(p) if protocol == Some(Protocol::Icmp) => {
            return Err(cx.err(p, "`ports` with `protocol: icmp`: ICMP has no ports"))
        }
        Some(p) => Some(ports(cx, p)?),
    };
    Ok(NvaRule {
        name,
        action,
        sources: addresses(cx, n, "source")?,
        destinations: addresses(cx, n, "destination")?,
        protocol,
        ports,
        loc: cx.loc(n),
    })
}

/// `source`/`destination`: a list (or one string) of CIDRs or bare IPs;
/// absent or `*` is every address.
fn addresses(cx: Cx, parent: &Node, key: &str) -> Result<IpSet, LoadError> {
    let Some(n) = parent.get(key) else { return Ok(all_ips()) };
    let mut set = IpSet::empty();
    for item in scalars(cx, n, key)? {
        let s = item.as_str().unwrap_or_default().trim();
        if s == "*" || s.eq_ignore_ascii_case("any") {
            return Ok(all_ips());
        }
        let c = Cidr::parse_prefix_or_addr(s).map_err(|e| cx.err(item, format!("invalid `{key}`: {e}")))?;
        if !c.canonical {
            return Err(cx.err(item, format!("invalid `{key}`: `{s}` has host bits set (did you mean `{c}`?)")));
        }
        set = set.union(&c.set());
    }
    Ok(set)
}

/// `ports`: numbers or `lo-hi` ranges, as numbers or strings.
pub(crate) fn ports(cx: Cx, n: &Node) -> Result<PortSet, LoadError> {
    let mut ranges = Vec::new();
    for item in scalars(cx, n, "ports")? {
        let s = text(item);
        let s = s.trim();
        let num = |t: &str| t.trim().parse::<u32>().ok().filter(|p| (1..=65535).contains(p)).map(|p| p as u16);
        let bad = |why: &str| cx.err(item, format!("invalid port `{s}`: {why}"));
        let (lo, hi) = match s.split_once('-') {
            Some((a, b)) => {
                let (lo, hi) =
                    (num(a).ok_or_else(|| bad("ports are 1–65535"))?, num(b).ok_or_else(|| bad("ports are 1–65535"))?);
                if lo > hi {
                    return Err(bad("the range is reversed (lo-hi with lo ≤ hi)"));
                }
                (lo, hi)
            }
            None => {
                let p = num(s).ok_or_else(|| bad("ports are 1–65535, or a range lo-hi"))?;
                (p, p)
            }
        };
        ranges.push((lo, hi));
    }
    if ranges.is_empty() {
        return Err(cx.err(n, "`ports` is empty: omit it to mean every port"));
    }
    Ok(PortSet::from_ranges(ranges))
}

/// A list of scalars, or one scalar standing for a list of one.
pub(crate) fn scalars<'n>(cx: Cx, n: &'n Node, key: &str) -> Result<Vec<&'n Node>, LoadError> {
    let items: Vec<&Node> = match &n.value {
        Value::Seq(s) => s.iter().collect(),
        Value::Scalar { .. } => vec![n],
        Value::Map(_) => return Err(cx.err(n, format!("`{key}` must be a list, found a mapping"))),
    };
    for i in &items {
        if !matches!(i.value, Value::Scalar { .. }) || i.is_null() {
            return Err(cx.err(i, format!("items of `{key}` must be strings, found {}", i.type_name())));
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const HEAD: &str = "apiVersion: tusk.dev/v1alpha1\nkind: TuskConfig\n";

    fn load(body: &str) -> Result<Config, LoadError> {
        let file: Arc<str> = Arc::from("tusk.yaml");
        let mut b = Builder::default();
        for d in crate::doc::parse_documents(&file, &format!("{HEAD}{body}"))? {
            b.add_document(&d)?;
        }
        b.finish(&AzureNetwork::default(), &mut Vec::new())
    }

    /// The error's `line:col` and a fragment of its message.
    fn fails(body: &str, at: &str, needle: &str) {
        let e = load(body).expect_err("should fail");
        let shown = e.to_string();
        assert!(shown.starts_with(&format!("tusk.yaml:{at}:")), "expected tusk.yaml:{at}: in `{shown}`");
        assert!(shown.contains(needle), "expected `{needle}` in `{shown}`");
    }

    const NVA: &str = "nvas:\n- nic: nva\n  rules:\n";

    #[test]
    fn a_full_entry_loads_with_defaults() {
        let c = load(&format!(
            "{NVA}  - name: web\n    action: allow\n    source: [10.1.0.0/16, 10.9.9.9]\n    protocol: tcp\n    ports: [\"443\", 8000-8080]\n  - name: rest\n    action: deny\n"
        ))
        .unwrap();
        let n = &c.nvas[0];
        assert!(n.stateful && !n.snat);
        assert_eq!(n.rules[0].ports.as_ref().unwrap().to_list_string(), "443,8000-8080");
        assert!(n.rules[0].sources.contains_ip("10.9.9.9".parse().unwrap()));
        assert!(!n.rules[0].sources.contains_ip("10.2.0.1".parse().unwrap()));
        assert!(n.rules[1].destinations.contains_ip("8.8.8.8".parse().unwrap()));
        assert_eq!((n.rules[1].protocol, n.rules[1].loc.pos.line), (None, 11));
    }

    #[test]
    fn bad_cidr() {
        fails(&format!("{NVA}  - name: r\n    action: allow\n    source: [10.0.300.0/16]\n"), "8:14", "10.0.300.0");
    }

    #[test]
    fn bad_action() {
        fails(&format!("{NVA}  - name: r\n    action: permit\n"), "7:13", "invalid action `permit`");
    }

    #[test]
    fn bad_protocol() {
        fails(&format!("{NVA}  - name: r\n    action: allow\n    protocol: gre\n"), "8:15", "invalid protocol `gre`");
    }

    #[test]
    fn port_out_of_range() {
        fails(&format!("{NVA}  - name: r\n    action: allow\n    ports: [70000]\n"), "8:13", "invalid port `70000`");
    }

    #[test]
    fn reversed_port_range() {
        fails(&format!("{NVA}  - name: r\n    action: allow\n    ports: [\"90-80\"]\n"), "8:13", "reversed");
    }

    #[test]
    fn ports_with_icmp() {
        fails(
            &format!("{NVA}  - name: r\n    action: allow\n    protocol: icmp\n    ports: [80]\n"),
            "9:12",
            "ICMP has no ports",
        );
    }

    #[test]
    fn duplicate_nva_for_one_nic() {
        fails("nvas:\n- nic: nva\n- nic: NVA\n", "5:3", "duplicate NVA");
    }

    #[test]
    fn unknown_top_level_key_is_named() {
        fails("tenants: []\n", "3:1", "unknown key `tenants`");
    }

    #[test]
    fn unknown_api_version_and_metadata_keys_are_located_errors() {
        let e = crate::load_sources(&[(Arc::from("tusk.yaml"), "apiVersion: tusk.dev/v2\nkind: TuskConfig\n".into())])
            .expect_err("unknown version");
        assert!(e.to_string().starts_with("tusk.yaml:1:13:") && e.message.contains("tusk.dev/v1alpha1"), "{e}");
        fails("metadata:\n  name: x\n  nmae: y\n", "5:3", "unknown key `nmae` in metadata");
        assert!(load("metadata:\n  name: x\n  labels: {a: b}\n").is_ok());
    }

    #[test]
    fn unknown_rule_key_is_named() {
        fails(&format!("{NVA}  - name: r\n    action: allow\n    dport: 80\n"), "8:5", "unknown key `dport`");
    }

    #[test]
    fn snat_needs_state() {
        fails("nvas:\n- nic: nva\n  stateful: false\n  snat: true\n", "6:9", "needs `stateful: true`");
    }

    #[test]
    fn a_nic_missing_from_inputs_that_hold_nics_is_an_error() {
        let file: Arc<str> = Arc::from("tusk.yaml");
        let nic = r#"{"name": "vm-nic", "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkInterfaces/vm-nic", "type": "Microsoft.Network/networkInterfaces", "properties": {"ipConfigurations": [{"name": "c", "properties": {"privateIPAddress": "10.0.0.4"}}]}}"#;
        let sources = vec![
            (Arc::from("nics.json"), nic.to_string()),
            (file.clone(), format!("{HEAD}nvas:\n- nic: hub-nva-nic\n")),
        ];
        let e = crate::load_sources(&sources).expect_err("dangling");
        assert!(e.to_string().starts_with("tusk.yaml:4:3:"), "{e}");
        assert!(e.message.contains("dangling reference"), "{e}");
        // By private IP it binds; with no NICs at all it is a warning.
        let sources =
            vec![(Arc::from("nics.json"), nic.to_string()), (file.clone(), format!("{HEAD}nvas:\n- nic: 10.0.0.4\n"))];
        assert_eq!(crate::load_sources(&sources).unwrap().estate.config.nvas[0].nic_index, Some(Idx::new(0)));
        let c = load("nvas:\n- nic: anything\n").unwrap();
        assert_eq!(c.nvas[0].nic_index, None);
    }
}
