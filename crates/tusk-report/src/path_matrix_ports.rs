//! The isolation matrix across both layers over every port
//! (`tusk matrix --grain tenant|namespace|workload|pod` without `--port`,
//! [`tusk_path::matrix::ports`]) in every format: per ordered pair of units
//! and actor, the connections allowed for every member pair, mixed (some
//! pairs allowed, some denied), unknown, and per (verdict, stopping layer)
//! the connections it covers with one example pair. Connection sets are
//! written in netpol-analyzer's connlist notation (`TCP 443,8080-8090`,
//! protocols by name, `All Connections`).
//!
//! JSON (`tusk.port-matrix/v1`, camelCase; a connection set is a string,
//! empty when it holds nothing):
//!
//! ```text
//! { "schema": "tusk.port-matrix/v1", "grain": string, "flow": string,
//!   "asked": string, "atoms": number, "classes": number, "traced": number,
//!   "cells": [ { "from": string, "to": string, "actor": "pod"|"node",
//!                "allowed": string, "mixed": string, "unknown": string, "denied": string,
//!                "combinations": number,
//!                "stoppedBy": [layer],
//!                "parts": [ { "verdict": "allowed"|"denied"|"unknown",
//!                             "stoppedBy": layer|null, "conns": string,
//!                             "example": string } ] } ] }
//! ```
//!
//! `layer` is one of "source pod policy", "azure network", "destination pod
//! policy", "not evaluated". CSV and Markdown have the columns `from, to,
//! actor, allowed, mixed, unknown, stopped_by`; `dot` one edge per cell and
//! actor with something not denied (dashed when not all of it is allowed);
//! `connlist` one `FROM => TO : CONNS` line per cell with allowed
//! connections (`FROM[nodes]` for the node actor), and the mixed and
//! unknown ones as `#` comment lines.

use super::path::decided_by;
use super::path_matrix::{actor, grain, layer, table};
use serde::Serialize;
use std::fmt::Write;
use tusk_core::ConnSet;
use tusk_network::Prepared;
use tusk_path::matrix::{PortCell, PortMatrix};

fn conns(c: &ConnSet) -> String {
    if c.is_empty() {
        String::new()
    } else {
        c.to_string()
    }
}

fn stops(c: &PortCell) -> Vec<&'static str> {
    c.stops().into_iter().map(layer).collect()
}

/// `allowed TCP 443; unknown UDP 53`, or `denied` when nothing may pass.
fn summary(c: &PortCell) -> String {
    let parts: Vec<String> = [("allowed", &c.reach.allowed), ("mixed", &c.reach.mixed), ("unknown", &c.reach.unknown)]
        .into_iter()
        .filter(|(_, s)| !s.is_empty())
        .map(|(n, s)| format!("{n} {s}"))
        .collect();
    if parts.is_empty() {
        "denied".into()
    } else {
        parts.join("; ")
    }
}

fn example(p: &Prepared, part: &tusk_path::matrix::ports::Part) -> String {
    let x = &part.example;
    let at = match part.example_at.port() {
        Some(port) => format!("{} {port}", part.example_at.proto),
        None => part.example_at.proto.to_string(),
    };
    format!("e.g. {} → {} at {at}: {}", crate::path::end(p, &x.from), crate::path::end(p, &x.to), decided_by(p, x))
}

/// The matrix as text: one line per ordered pair and actor with what is
/// allowed, mixed or unknown, then one indented line per (verdict, stopping
/// layer) with its connections and an example.
pub fn render_txt(p: &Prepared, m: &PortMatrix, what: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} matrix across both layers, {what}", grain(m.grain));
    let w = m.cells.iter().map(|c| c.from.len().max(c.to.len())).max().unwrap_or(8).max(8);
    for c in &m.cells {
        let stopped = stops(c);
        let by = if stopped.is_empty() { String::new() } else { format!("  stopped by: {}", stopped.join(", ")) };
        let _ = writeln!(s, "  {:>w$} -> {:<w$} actor {:<4}  {}{by}", c.from, c.to, actor(c.actor), summary(c));
        for part in &c.parts {
            let _ = writeln!(s, "      {} on {}: {}", part.kind.name(), part.conns, example(p, part));
        }
    }
    let _ = writeln!(
        s,
        "({} context classes, {} port atoms, {} representative pairs traced)",
        m.classes,
        m.atoms.len(),
        m.traced
    );
    s
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PartJson {
    verdict: &'static str,
    stopped_by: Option<&'static str>,
    conns: String,
    example: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CellJson {
    from: String,
    to: String,
    actor: &'static str,
    allowed: String,
    mixed: String,
    unknown: String,
    denied: String,
    combinations: usize,
    stopped_by: Vec<&'static str>,
    parts: Vec<PartJson>,
}

/// The matrix as JSON (`tusk.port-matrix/v1`, shape in the module doc).
pub fn render_json(p: &Prepared, m: &PortMatrix, what: &str) -> String {
    #[derive(Serialize)]
    struct Doc {
        schema: &'static str,
        grain: &'static str,
        flow: String,
        asked: String,
        atoms: usize,
        classes: usize,
        traced: usize,
        cells: Vec<CellJson>,
    }
    let doc = Doc {
        schema: "tusk.port-matrix/v1",
        grain: grain(m.grain),
        flow: what.to_string(),
        asked: conns(&m.asked),
        atoms: m.atoms.len(),
        classes: m.classes,
        traced: m.traced,
        cells: m
            .cells
            .iter()
            .map(|c| CellJson {
                from: c.from.clone(),
                to: c.to.clone(),
                actor: actor(c.actor),
                allowed: conns(&c.reach.allowed),
                mixed: conns(&c.reach.mixed),
                unknown: conns(&c.reach.unknown),
                denied: conns(&c.denied(&m.asked)),
                combinations: c.combinations,
                stopped_by: stops(c),
                parts: c
                    .parts
                    .iter()
                    .map(|x| PartJson {
                        verdict: x.kind.name(),
                        stopped_by: x.layer.map(layer),
                        conns: conns(&x.conns),
                        example: example(p, x),
                    })
                    .collect(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// The matrix as CSV (`from,to,actor,allowed,mixed,unknown,stopped_by`),
/// or as a Markdown table of the same columns when `markdown` (see
/// [`table`]).
pub fn render_table(m: &PortMatrix, markdown: bool) -> String {
    let rows = m.cells.iter().map(|c| {
        vec![
            c.from.clone(),
            c.to.clone(),
            actor(c.actor).into(),
            conns(&c.reach.allowed),
            conns(&c.reach.mixed),
            conns(&c.reach.unknown),
            stops(c).join("; "),
        ]
    });
    table(&["from", "to", "actor", "allowed", "mixed", "unknown", "stopped by"], rows, markdown)
}

/// The matrix as Graphviz: one node per unit, one edge per cell and actor
/// with some connection not denied for every pair, labelled with what is
/// allowed (and `?` what is mixed or unknown); dashed when not all of it is
/// allowed, blue for the node actor.
pub fn render_dot(m: &PortMatrix) -> String {
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut s = String::from("digraph matrix {\n  rankdir=LR;\n");
    let mut names: Vec<&str> = m.cells.iter().flat_map(|c| [c.from.as_str(), c.to.as_str()]).collect();
    names.sort();
    names.dedup();
    for n in names {
        let _ = writeln!(s, "  \"{}\";", esc(n));
    }
    for c in &m.cells {
        let open = c.reach.mixed.union(&c.reach.unknown);
        if c.reach.allowed.is_empty() && open.is_empty() {
            continue;
        }
        let mut label = format!("{}: {}", actor(c.actor), conns(&c.reach.allowed));
        if !open.is_empty() {
            let _ = write!(label, " ?{open}");
        }
        let style = if open.is_empty() { "solid" } else { "dashed" };
        let color = if c.actor == tusk_path::join::Actor::Node { "blue" } else { "black" };
        let _ = writeln!(
            s,
            "  \"{}\" -> \"{}\" [label=\"{}\", style={style}, color={color}];",
            esc(&c.from),
            esc(&c.to),
            esc(label.trim())
        );
    }
    s.push_str("}\n");
    s
}

/// The matrix as netpol-analyzer's connlist lines, `FROM => TO : CONNS`,
/// for the allowed connections (`FROM[nodes]` for the node actor), sorted;
/// mixed and unknown connections as `# FROM => TO : mixed …; unknown …`.
pub fn render_connlist(m: &PortMatrix) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for c in &m.cells {
        let from = match c.actor {
            tusk_path::join::Actor::Pod => c.from.clone(),
            tusk_path::join::Actor::Node => format!("{}[nodes]", c.from),
        };
        if !c.reach.allowed.is_empty() {
            lines.push(format!("{from} => {} : {}", c.to, c.reach.allowed));
        }
        let open: Vec<String> = [("mixed", &c.reach.mixed), ("unknown", &c.reach.unknown)]
            .into_iter()
            .filter(|(_, x)| !x.is_empty())
            .map(|(n, x)| format!("{n} {x}"))
            .collect();
        if !open.is_empty() {
            notes.push(format!("# {from} => {} : {}", c.to, open.join("; ")));
        }
    }
    lines.sort();
    notes.sort();
    let mut s = String::new();
    for l in lines.iter().chain(&notes) {
        let _ = writeln!(s, "{l}");
    }
    s
}
