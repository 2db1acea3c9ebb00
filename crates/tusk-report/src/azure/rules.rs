//! `tusk rules`: effective security rules of a NIC or subnet, with
//! augmented rules and tags expanded, in evaluation order (per direction,
//! the NSG Azure applies first comes first). JSON: an array of objects with
//! `nsg`, `direction`, `priority`, `name`, `access`, `protocol`, `sources`,
//! `destinations`, `sourcePorts`, `destinationPorts`, `location`.

use serde::Serialize;
use std::fmt::Write;
use tusk_analyze::azure::nsg::EffectiveRule;
use tusk_model::azure::{Access, Direction};

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

pub fn render_json(rules: &[EffectiveRule]) -> String {
    serde_json::to_string_pretty(&view(rules)).expect("rules JSON serializes")
}
