//! `tusk rules`: effective security rules of a NIC or subnet, with
//! augmented rules and tags expanded, in evaluation order (per direction,
//! the NSG Azure applies first comes first). JSON: an array of objects with
//! `nsg`, `direction`, `priority`, `name`, `access`, `protocol`, `sources`,
//! `destinations`, `sourcePorts`, `destinationPorts`, `location`. For a NIC
//! that is an NVA with rules in `tusk.yaml`, its forwarding rules follow,
//! with `direction` `Forwarded`, `nsg` naming the `tusk.yaml` entry and
//! `priority` the rule's position (first match wins; no match denies).

use serde::Serialize;
use std::fmt::Write;
use std::io;
use tusk_core::IpSet;
use tusk_model::azure::{Access, Direction};
use tusk_model::config::{NvaAction, NvaConfig};
use tusk_network::nsg::EffectiveRule;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleJson<'a> {
    pub nsg: &'a str,
    pub direction: &'static str,
    pub priority: u32,
    pub name: &'a str,
    pub access: &'static str,
    pub protocol: &'static str,
    pub sources: &'a [String],
    pub destinations: &'a [String],
    pub source_ports: &'a str,
    pub destination_ports: &'a str,
    pub location: String,
}

fn dir(d: Direction) -> &'static str {
    match d {
        Direction::Inbound => "Inbound",
        Direction::Outbound => "Outbound",
    }
}

fn access(a: Access) -> &'static str {
    match a {
        Access::Allow => "Allow",
        Access::Deny => "Deny",
    }
}

pub fn view(rules: &[EffectiveRule]) -> Vec<RuleJson<'_>> {
    rules
        .iter()
        .map(|r| RuleJson {
            nsg: &r.holder,
            direction: dir(r.direction),
            priority: r.priority,
            name: &r.name,
            access: access(r.access),
            protocol: r.protocol.name(),
            sources: &r.sources,
            destinations: &r.destinations,
            source_ports: &r.source_ports,
            destination_ports: &r.destination_ports,
            location: r.loc.to_string(),
        })
        .collect()
}

pub fn render_text(what: &str, rules: &[EffectiveRule]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "effective security rules of {what}:");
    for d in [Direction::Inbound, Direction::Outbound] {
        let _ = writeln!(s, "\n{}:", dir(d));
        for r in rules.iter().filter(|r| r.direction == d) {
            let _ = writeln!(
                s,
                "  {:<40} {:>5} {:<32} {:<5} {:<4} src {} ports {} → dst {} ports {}  ({})",
                r.holder,
                r.priority,
                r.name,
                access(r.access),
                r.protocol.name(),
                r.sources.join(","),
                r.source_ports,
                r.destinations.join(","),
                r.destination_ports,
                r.loc
            );
        }
    }
    s
}

/// The `schema` of the rules document.
pub const SCHEMA: &str = "tusk.rules/v1";

#[derive(Serialize)]
pub struct RulesJson<'a> {
    pub schema: &'static str,
    pub of: &'a str,
    pub rules: Vec<RuleRowJson<'a>>,
}

/// A row of `rules`: an NSG rule, or an NVA's forwarding rule (same keys).
#[derive(Serialize)]
#[serde(untagged)]
pub enum RuleRowJson<'a> {
    Nsg(RuleJson<'a>),
    Nva(NvaRuleJson),
}

/// Writes the rules document of `what` (`NIC name` or `subnet VNET/SUBNET`).
pub fn write_json(
    w: &mut dyn io::Write,
    what: &str,
    rules: &[EffectiveRule],
    nva: Option<&NvaConfig>,
) -> io::Result<()> {
    let mut rows: Vec<RuleRowJson> = view(rules).into_iter().map(RuleRowJson::Nsg).collect();
    rows.extend(nva.map(nva_view).unwrap_or_default().into_iter().map(RuleRowJson::Nva));
    serde_json::to_writer_pretty(&mut *w, &RulesJson { schema: SCHEMA, of: what, rules: rows })?;
    w.write_all(b"\n")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NvaRuleJson {
    pub nsg: String,
    pub direction: &'static str,
    pub priority: u32,
    pub name: String,
    pub access: &'static str,
    pub protocol: &'static str,
    pub sources: Vec<String>,
    pub destinations: Vec<String>,
    pub source_ports: &'static str,
    pub destination_ports: String,
    pub location: String,
}

fn addresses(s: &IpSet) -> Vec<String> {
    if *s == tusk_core::ip::all_ips() || *s == tusk_core::ip::all_v4() {
        return vec!["*".into()];
    }
    s.to_cidr_strings()
}

fn nva_view(cfg: &NvaConfig) -> Vec<NvaRuleJson> {
    cfg.rules
        .iter()
        .enumerate()
        .map(|(i, r)| NvaRuleJson {
            nsg: format!("tusk.yaml NVA {}", cfg.nic),
            direction: "Forwarded",
            priority: i as u32 + 1,
            name: r.name.clone(),
            access: match r.action {
                NvaAction::Allow => "Allow",
                NvaAction::Deny => "Deny",
            },
            protocol: r.protocol.map_or("Any", |p| p.name()),
            sources: addresses(&r.sources),
            destinations: addresses(&r.destinations),
            source_ports: "*",
            destination_ports: r.ports.as_ref().map_or("*".into(), |p| p.to_list_string()),
            location: r.loc.to_string(),
        })
        .collect()
}

/// The forwarding rules of an NVA, after its NSG rules in `render_text`.
pub fn render_nva_text(cfg: &NvaConfig) -> String {
    let mut s = format!(
        "\nforwarded (NVA rules from tusk.yaml; first match wins, no match denies; {}, {}):\n",
        if cfg.stateful { "stateful" } else { "stateless" },
        if cfg.snat { "SNAT to its own address" } else { "no SNAT" }
    );
    for r in nva_view(cfg) {
        let _ = writeln!(
            s,
            "  {:>3}. {:<32} {:<5} {:<4} src {} → dst {} ports {}  ({})",
            r.priority,
            r.name,
            r.access,
            r.protocol,
            r.sources.join(","),
            r.destinations.join(","),
            r.destination_ports,
            r.location
        );
    }
    let _ = writeln!(s, "  {:>3}. {:<32} Deny  (no rule matched)  ({})", cfg.rules.len() + 1, "default", cfg.loc);
    s
}
