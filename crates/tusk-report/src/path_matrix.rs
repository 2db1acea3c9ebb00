//! The isolation matrix across both layers (`tusk matrix --grain
//! tenant|namespace|workload|pod --port N`, [`tusk_path::matrix`]) as text,
//! JSON, CSV or Markdown: per ordered pair of units (a unit to itself
//! included: the diagonal) and actor, the group
//! verdict for the flow, the layers that stopped what is not allowed, and
//! one example pair per (verdict, layer) with what decided it.
//!
//! JSON (`tusk.tenant-matrix/v1`, camelCase; the name is kept from when only
//! tenants had it):
//!
//! ```text
//! { "schema": "tusk.tenant-matrix/v1", "grain": "tenant"|"namespace"|"workload"|"pod",
//!   "flow": string, "classes": number, "traced": number,
//!   "cells": [ { "from": string, "to": string, "actor": "pod"|"node",
//!                "verdict": "allowed"|"denied"|"mixed"|"unknown",
//!                "combinations": number,
//!                "stoppedBy": ["source pod policy"|"azure network"|"destination pod policy"|"not evaluated"],
//!                "decidedBy": [string] } ] }
//! ```
//!
//! `combinations` counts the (source class, destination class, same node or
//! not) combinations the cell stands for; `decidedBy` has one line per
//! distinct (verdict, stopping layer), `VERDICT: e.g. FROM → TO: WHY`.

use super::path::decided_by;
use serde::Serialize;
use std::fmt::Write;
use tusk_network::Prepared;
use tusk_path::join::Actor;
use tusk_path::matrix::{Cell, Grain, Layer, Matrix};

pub(crate) fn actor(a: Actor) -> &'static str {
    match a {
        Actor::Pod => "pod",
        Actor::Node => "node",
    }
}

pub(crate) fn grain(g: Grain) -> &'static str {
    match g {
        Grain::Tenant => "tenant",
        Grain::Namespace => "namespace",
        Grain::Workload => "workload",
        Grain::Pod => "pod",
    }
}

/// The words for the layer that stopped a flow (the analysis gives the
/// typed [`Layer`]; wording is the report's, issue 6).
pub(crate) fn layer(l: Layer) -> &'static str {
    match l {
        Layer::SourcePolicy => "source pod policy",
        Layer::Network => "azure network",
        Layer::DestinationPolicy => "destination pod policy",
        Layer::NotEvaluated => "not evaluated",
    }
}

fn stops(c: &Cell) -> Vec<&'static str> {
    c.stops().into_iter().map(layer).collect()
}

fn decided(p: &Prepared, c: &Cell) -> Vec<String> {
    c.examples
        .iter()
        .map(|(k, _, x)| {
            format!(
                "{}: e.g. {} → {}: {}",
                k.name(),
                crate::path::end(p, &x.from),
                crate::path::end(p, &x.to),
                decided_by(p, x)
            )
        })
        .collect()
}

/// The matrix as text: one line per ordered pair and actor, then one
/// indented line per distinct (verdict, stopping layer).
pub fn render_txt(p: &Prepared, m: &Matrix, what: &str) -> String {
    let mut s = txt_head(m.grain, what);
    let w = m.cells.iter().map(|c| c.from.len().max(c.to.len())).max().unwrap_or(8).max(8);
    for c in &m.cells {
        s.push_str(&txt_cell(p, c, w));
    }
    s.push_str(&txt_tail(m.classes, m.traced));
    s
}

/// The txt format's first line ([`render_txt`]).
pub fn txt_head(g: Grain, what: &str) -> String {
    format!("{} matrix across both layers, {what}\n", grain(g))
}

/// One cell in the txt format ([`render_txt`]), names padded to `w`
/// (the longest unit name, at least 8).
pub fn txt_cell(p: &Prepared, c: &Cell, w: usize) -> String {
    let mut s = String::new();
    let stopped = stops(c);
    let by = if stopped.is_empty() { String::new() } else { format!("  stopped by: {}", stopped.join(", ")) };
    let _ = writeln!(s, "  {:>w$} -> {:<w$} actor {:<4}  {:<7}{by}", c.from, c.to, actor(c.actor), c.verdict.name());
    for line in decided(p, c) {
        let _ = writeln!(s, "      {line}");
    }
    s
}

/// The txt format's last line ([`render_txt`]).
pub fn txt_tail(classes: usize, traced: usize) -> String {
    format!("({classes} context classes, {traced} representative pairs traced)\n")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CellJson {
    from: String,
    to: String,
    actor: &'static str,
    verdict: &'static str,
    combinations: usize,
    stopped_by: Vec<&'static str>,
    decided_by: Vec<String>,
}

/// One cell of the JSON format ([`render_json`]) as it stands in the
/// `cells` array: pretty-printed, every line indented by four spaces, no
/// separator.
pub fn json_cell(p: &Prepared, c: &Cell) -> String {
    let one = CellJson {
        from: c.from.clone(),
        to: c.to.clone(),
        actor: actor(c.actor),
        verdict: c.verdict.name(),
        combinations: c.combinations,
        stopped_by: stops(c),
        decided_by: decided(p, c),
    };
    let text = serde_json::to_string_pretty(&one).unwrap_or_default();
    let mut s = String::with_capacity(text.len() + 64);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str("    ");
        s.push_str(line);
    }
    s
}

/// The JSON format ([`render_json`]) around its cells: the text before the
/// first cell, and after the last, for a matrix with cells (a matrix has
/// at least two units, so it has cells; cells are joined by `",\n"`).
pub fn json_frame(g: Grain, what: &str, classes: usize, traced: usize) -> (String, String) {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let head = format!(
        "{{\n  \"schema\": \"tusk.tenant-matrix/v1\",\n  \"grain\": {},\n  \"flow\": {},\n  \"classes\": {classes},\n  \"traced\": {traced},\n  \"cells\": [\n",
        q(grain(g)),
        q(what)
    );
    (head, "\n  ]\n}\n".to_string())
}

/// One cell of the CSV (or Markdown) format ([`render_table`]): its line.
pub fn table_cell(c: &Cell, markdown: bool) -> String {
    let row = vec![c.from.clone(), c.to.clone(), actor(c.actor).into(), c.verdict.name().into(), stops(c).join("; ")];
    table_line(&row, markdown)
}

/// The CSV (or Markdown) format's header lines ([`render_table`]).
pub fn table_head(markdown: bool) -> String {
    table(TABLE_HEADER, std::iter::empty(), markdown)
}

const TABLE_HEADER: &[&str] = &["from", "to", "actor", "verdict", "stopped by"];

/// The matrix as JSON (`tusk.tenant-matrix/v1`, shape in the module doc).
pub fn render_json(p: &Prepared, m: &Matrix, what: &str) -> String {
    #[derive(Serialize)]
    struct Doc {
        schema: &'static str,
        grain: &'static str,
        flow: String,
        classes: usize,
        traced: usize,
        cells: Vec<CellJson>,
    }
    let doc = Doc {
        schema: "tusk.tenant-matrix/v1",
        grain: grain(m.grain),
        flow: what.to_string(),
        classes: m.classes,
        traced: m.traced,
        cells: m
            .cells
            .iter()
            .map(|c| CellJson {
                from: c.from.clone(),
                to: c.to.clone(),
                actor: actor(c.actor),
                verdict: c.verdict.name(),
                combinations: c.combinations,
                stopped_by: stops(c),
                decided_by: decided(p, c),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// The matrix as CSV (`from,to,actor,verdict,stopped_by`), or as a Markdown
/// table of the same columns when `markdown` (see [`table`]).
pub fn render_table(m: &Matrix, markdown: bool) -> String {
    let rows = m.cells.iter().map(|c| {
        vec![c.from.clone(), c.to.clone(), actor(c.actor).into(), c.verdict.name().into(), stops(c).join("; ")]
    });
    table(TABLE_HEADER, rows, markdown)
}

/// Rows as CSV, the header's spaces written `_` (fields holding a comma or
/// a quote are quoted, RFC 4180), or as a Markdown table when `markdown`
/// (a `|` in a field is escaped).
pub(crate) fn table(header: &[&str], rows: impl Iterator<Item = Vec<String>>, markdown: bool) -> String {
    let mut s = String::new();
    if markdown {
        let _ = writeln!(s, "| {} |\n|{}", header.join(" | "), "---|".repeat(header.len()));
    } else {
        let _ = writeln!(s, "{}", header.iter().map(|h| h.replace(' ', "_")).collect::<Vec<_>>().join(","));
    }
    for row in rows {
        s.push_str(&table_line(&row, markdown));
    }
    s
}

/// One row of [`table`], with its newline.
fn table_line(row: &[String], markdown: bool) -> String {
    let q = |f: &str| {
        if markdown {
            f.replace('|', "\\|")
        } else if f.contains(',') || f.contains('"') {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.to_string()
        }
    };
    let f: Vec<String> = row.iter().map(|f| q(f)).collect();
    if markdown {
        format!("| {} |\n", f.join(" | "))
    } else {
        format!("{}\n", f.join(","))
    }
}
