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
use tusk_core::ip::u128_to_ip;
use tusk_core::{IpSet, PortSet};
use tusk_model::azure::{Access, AddressMatch, AzureNetwork, Direction, Link, ServiceTag};
use tusk_model::config::{NvaAction, NvaConfig};
use tusk_network::effective::{Attachment, EffectiveRule, Expanded};

/// One effective NSG rule as a JSON row (see the module documentation).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleJson<'a> {
    /// The NSG and where it is attached (`NSG x on subnet v/s`).
    pub nsg: String,
    /// `Inbound` or `Outbound`.
    pub direction: &'static str,
    /// The rule's priority, 100–4096 (65000+ for default rules).
    pub priority: u32,
    /// The rule's name.
    pub name: &'a str,
    /// `Allow` or `Deny`.
    pub access: &'static str,
    /// `TCP`, `UDP`, `ICMP`, `ESP`, `AH` or `*`.
    pub protocol: &'static str,
    /// Source prefixes, tags and ASGs expanded to addresses (`*` for every address).
    pub sources: Vec<String>,
    /// Destination prefixes, tags and ASGs expanded to addresses.
    pub destinations: Vec<String>,
    /// Source ports, `*` for every port.
    pub source_ports: String,
    /// Destination ports, `*` for every port.
    pub destination_ports: String,
    /// `file:line:col` of the rule.
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

/// `nsg-app (subnet spoke1/app)` or `nsg-vm (NIC vm-nic)`.
fn holder(net: &AzureNetwork, r: &EffectiveRule) -> String {
    let on = match r.on {
        Attachment::Subnet(s) => format!("subnet {}", net.subnet_path(s)),
        Attachment::Nic(n) => format!("NIC {}", net.nics[n].id.name()),
    };
    format!("{} ({on})", net.nsgs[r.nsg].id.name())
}

/// A tag's or ASG's addresses as the minimal list of prefixes.
fn ranges(s: &IpSet) -> String {
    s.to_cidr_strings().join(",")
}

/// An address entry with the prefixes it stands for, as Network Watcher's
/// "expanded address prefixes" list them.
fn expanded(net: &AzureNetwork, e: &Expanded) -> String {
    let set = e.prefixes.as_ref();
    match (e.entry, set) {
        (AddressMatch::Any, _) => "*".into(),
        (AddressMatch::Prefix(c), _) => c.to_string(),
        (AddressMatch::Range(lo, hi), _) => range_text(*lo, *hi),
        (AddressMatch::Tag(t), Some(s)) => format!("{}={}", tag_name(t), ranges(s)),
        (AddressMatch::Tag(ServiceTag::Other(t)), None) => format!("{t} (ranges not in inputs)"),
        (AddressMatch::Tag(t), None) => tag_name(t).to_string(),
        (AddressMatch::Asg(Link::Found(i)), Some(s)) => format!("ASG {}={}", net.asgs[*i].id.name(), ranges(s)),
        (AddressMatch::Asg(Link::Found(i)), None) => format!("ASG {}", net.asgs[*i].id.name()),
        (AddressMatch::Asg(Link::Absent(id)), _) => format!("ASG {} (not in inputs)", id.name()),
        (AddressMatch::IpGroup(Link::Found(i)), Some(s)) => {
            format!("IP group {}={}", net.ip_groups[*i].id.name(), ranges(s))
        }
        (AddressMatch::IpGroup(Link::Found(i)), None) => {
            format!("IP group {} (partly unknown)", net.ip_groups[*i].id.name())
        }
        (AddressMatch::IpGroup(Link::Absent(id)), _) => format!("IP group {} (not in inputs)", id.name()),
        (AddressMatch::Unknown(s), _) => format!("{s} (unknown)"),
        (AddressMatch::Fqdn(n), _) => format!("FQDN {n}"),
    }
}

fn tag_name(t: &ServiceTag) -> &str {
    match t {
        ServiceTag::VirtualNetwork => "VirtualNetwork",
        ServiceTag::Internet => "Internet",
        ServiceTag::AzureLoadBalancer => "AzureLoadBalancer",
        ServiceTag::Other(s) => s,
    }
}

fn range_text(lo: u128, hi: u128) -> String {
    // Print a CIDR when the range is one.
    let size = hi.wrapping_sub(lo).wrapping_add(1);
    if size.is_power_of_two() && lo.is_multiple_of(size) {
        let bits = size.trailing_zeros();
        let ip = u128_to_ip(lo);
        let plen = if ip.is_ipv4() { 32 - bits } else { 128 - bits };
        return format!("{ip}/{plen}");
    }
    if lo == hi {
        return u128_to_ip(lo).to_string();
    }
    format!("{}-{}", u128_to_ip(lo), u128_to_ip(hi))
}

fn port_text(s: &PortSet) -> String {
    if PortSet::all_ports().is_subset(s) {
        "*".into()
    } else {
        s.to_list_string()
    }
}

/// The rules as JSON rows, in evaluation order.
pub fn view<'a>(net: &AzureNetwork, rules: &'a [EffectiveRule]) -> Vec<RuleJson<'a>> {
    rules
        .iter()
        .map(|r| RuleJson {
            nsg: holder(net, r),
            direction: dir(r.rule.direction),
            priority: r.rule.priority,
            name: &r.rule.name,
            access: access(r.rule.access),
            protocol: r.rule.protocol.name(),
            sources: r.sources.iter().map(|e| expanded(net, e)).collect(),
            destinations: r.destinations.iter().map(|e| expanded(net, e)).collect(),
            source_ports: port_text(&r.rule.source_ports),
            destination_ports: port_text(&r.rule.destination_ports),
            location: r.rule.loc.to_string(),
        })
        .collect()
}

/// The rules of `what` (a NIC name or `subnet VNET/SUBNET`) as text, per
/// direction, saying so when no NSG applies.
pub fn render_text(net: &AzureNetwork, what: &str, rules: &[EffectiveRule]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "effective security rules of {what}:");
    let rows = view(net, rules);
    for d in [Direction::Inbound, Direction::Outbound] {
        let _ = writeln!(s, "\n{}:", dir(d));
        if !rows.iter().any(|r| r.direction == dir(d)) {
            let _ = writeln!(
                s,
                "  (no network security group applies: NSGs let all {} traffic pass)",
                dir(d).to_lowercase()
            );
        }
        for r in rows.iter().filter(|r| r.direction == dir(d)) {
            let _ = writeln!(
                s,
                "  {:<40} {:>5} {:<32} {:<5} {:<4} src {} ports {} → dst {} ports {}  ({})",
                r.nsg,
                r.priority,
                r.name,
                r.access,
                r.protocol,
                r.sources.join(","),
                r.source_ports,
                r.destinations.join(","),
                r.destination_ports,
                r.location
            );
        }
    }
    s
}

/// The `schema` of the rules document.
pub const SCHEMA: &str = "tusk.rules/v1";

/// The `tusk.rules/v1` document.
#[derive(Serialize)]
pub struct RulesJson<'a> {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// What the rules are of: a NIC name or `subnet VNET/SUBNET`.
    pub of: &'a str,
    /// NSG rules, then the NVA's forwarding rules.
    pub rules: Vec<RuleRowJson<'a>>,
}

/// A row of `rules`: an NSG rule, or an NVA's forwarding rule (same keys).
#[derive(Serialize)]
#[serde(untagged)]
pub enum RuleRowJson<'a> {
    /// An NSG rule.
    Nsg(RuleJson<'a>),
    /// An NVA forwarding rule from `tusk.yaml`.
    Nva(NvaRuleJson),
}

/// Writes the rules document of `what` (`NIC name` or `subnet VNET/SUBNET`).
pub fn write_json(
    w: &mut dyn io::Write,
    net: &AzureNetwork,
    what: &str,
    rules: &[EffectiveRule],
    nva: Option<&NvaConfig>,
) -> io::Result<()> {
    let mut rows: Vec<RuleRowJson> = view(net, rules).into_iter().map(RuleRowJson::Nsg).collect();
    rows.extend(nva.map(nva_view).unwrap_or_default().into_iter().map(RuleRowJson::Nva));
    serde_json::to_writer_pretty(&mut *w, &RulesJson { schema: SCHEMA, of: what, rules: rows })?;
    w.write_all(b"\n")
}

/// One NVA forwarding rule, with the keys of [`RuleJson`].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NvaRuleJson {
    /// `tusk.yaml NVA NIC`: the `tusk.yaml` entry, named by the NVA's NIC.
    pub nsg: String,
    /// Always `Forwarded`.
    pub direction: &'static str,
    /// The rule's position in the NVA's list, from 1 (first match wins).
    pub priority: u32,
    /// The rule's name.
    pub name: String,
    /// `Allow` or `Deny`.
    pub access: &'static str,
    /// `TCP`, `UDP`, `ICMP`, ..., or `Any`.
    pub protocol: &'static str,
    /// Source addresses as CIDRs (`*` for every address).
    pub sources: Vec<String>,
    /// Destination addresses as CIDRs.
    pub destinations: Vec<String>,
    /// Always `*`: NVA rules do not test source ports.
    pub source_ports: &'static str,
    /// Destination ports, `*` for every port.
    pub destination_ports: String,
    /// `file:line:col` of the rule in `tusk.yaml`.
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
