//! The connectivity matrix in six formats.
//!
//! `connlist` is netpol-analyzer's line format, so its output can be diffed
//! against that tool: `SRC => DST : CONNS`, one line per pair with a
//! definitely allowed connection, peers as `ns/name[Kind]` or `A-B[External]`,
//! `All Connections` when every TCP, UDP and SCTP port is allowed (that tool
//! does not model ICMP). Verdicts that depend on unknown inputs are not lines
//! of a connlist; the other formats show them.

use tusk_analyze::k8s::matrix::{Endpoint, Entry, Grain};
use tusk_core::{ConnSet, PortSet, Protocol};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixFormat {
    Txt,
    Json,
    Csv,
    Md,
    Dot,
    Connlist,
}

pub fn endpoint_name(e: &Endpoint) -> String {
    match e {
        Endpoint::Pod { namespace, name } => format!("{namespace}/{name}[Pod]"),
        Endpoint::Workload { namespace, name, kind } => format!("{namespace}/{name}[{kind}]"),
        Endpoint::Namespace(ns) => format!("{ns}[Namespace]"),
        Endpoint::External(r) => format!("{r}[External]"),
    }
}

/// The port part of a connection set in connlist notation.
fn connlist_conns(c: &ConnSet) -> String {
    let ports: Vec<(Protocol, &PortSet)> =
        [Protocol::Sctp, Protocol::Tcp, Protocol::Udp].into_iter().filter_map(|p| c.ports(p).map(|s| (p, s))).collect();
    if ports.iter().all(|(_, s)| **s == PortSet::all_ports()) {
        return "All Connections".into();
    }
    ports
        .iter()
        .filter(|(_, s)| !s.is_empty())
        .map(|(p, s)| format!("{p} {}", s.to_list_string()))
        .collect::<Vec<_>>()
        .join(",")
}

fn has_ports(c: &ConnSet) -> bool {
    Protocol::PORTED.iter().any(|p| c.ports(*p).is_some_and(|s| !s.is_empty()))
}

fn grain_name(g: Grain) -> &'static str {
    match g {
        Grain::Pod => "pod",
        Grain::Workload => "workload",
        Grain::Namespace => "namespace",
    }
}

pub fn render_matrix(rows: &[Entry], grain: Grain, semantics: &str, format: MatrixFormat) -> String {
    match format {
        MatrixFormat::Connlist => {
            // Sorted as text, like netpol-analyzer's output, so `diff` works.
            let mut lines: Vec<String> = rows
                .iter()
                .filter(|e| has_ports(&e.allowed))
                .map(|e| {
                    format!("{} => {} : {}\n", endpoint_name(&e.src), endpoint_name(&e.dst), connlist_conns(&e.allowed))
                })
                .collect();
            lines.sort();
            lines.concat()
        }
        MatrixFormat::Txt => txt(rows, grain, semantics),
        MatrixFormat::Md => md(rows, grain, semantics),
        MatrixFormat::Csv => {
            let mut out = String::from("src,dst,allowed,unknown\n");
            for e in rows {
                out += &format!(
                    "{},{},{},{}\n",
                    csv_field(&endpoint_name(&e.src)),
                    csv_field(&endpoint_name(&e.dst)),
                    csv_field(&show(&e.allowed)),
                    csv_field(&show(&e.unknown))
                );
            }
            out
        }
        MatrixFormat::Dot => dot(rows),
        MatrixFormat::Json => json(rows, grain, semantics),
    }
}

fn show(c: &ConnSet) -> String {
    if c.is_empty() {
        String::new()
    } else {
        c.to_string()
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn txt(rows: &[Entry], grain: Grain, semantics: &str) -> String {
    let mut out = format!("Kubernetes policy connectivity, {} grain\nsemantics: {semantics}\n\n", grain_name(grain));
    let names: Vec<(String, String)> = rows.iter().map(|e| (endpoint_name(&e.src), endpoint_name(&e.dst))).collect();
    let w1 = names.iter().map(|n| n.0.len()).max().unwrap_or(6).max(6);
    let w2 = names.iter().map(|n| n.1.len()).max().unwrap_or(11).max(11);
    out += &format!("{:<w1$}  {:<w2$}  CONNECTIONS\n", "SOURCE", "DESTINATION");
    let mut unknown = 0;
    for (e, (s, d)) in rows.iter().zip(&names) {
        let mut conns = show(&e.allowed);
        if !e.unknown.is_empty() {
            unknown += 1;
            let u = format!("unknown: {}", e.unknown);
            conns = if conns.is_empty() { u } else { format!("{conns}; {u}") };
        }
        out += &format!("{s:<w1$}  {d:<w2$}  {conns}\n");
    }
    out += &format!("\n{} pairs with allowed connections", rows.iter().filter(|e| !e.allowed.is_empty()).count());
    if unknown > 0 {
        out +=
            &format!("; {unknown} pairs with connections whose verdict depends on inputs tusk does not have (pod IPs)");
    }
    out += "\n";
    out
}

fn md(rows: &[Entry], grain: Grain, semantics: &str) -> String {
    let mut out = format!("**Kubernetes policy connectivity, {} grain** — {semantics}\n\n", grain_name(grain));
    out += "| source | destination | allowed | unknown |\n|---|---|---|---|\n";
    for e in rows {
        out += &format!(
            "| `{}` | `{}` | {} | {} |\n",
            endpoint_name(&e.src),
            endpoint_name(&e.dst),
            show(&e.allowed),
            show(&e.unknown)
        );
    }
    out
}

fn dot(rows: &[Entry]) -> String {
    let mut out = String::from("digraph connectivity {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n");
    let mut seen = std::collections::BTreeSet::new();
    for e in rows {
        for n in [&e.src, &e.dst] {
            let name = endpoint_name(n);
            if seen.insert(name.clone()) {
                let shape = if matches!(n, Endpoint::External(_)) { ", shape=ellipse" } else { "" };
                out += &format!("  \"{name}\" [label=\"{name}\"{shape}];\n");
            }
        }
        let (label, style) = if e.allowed.is_empty() {
            (format!("unknown: {}", e.unknown), ", style=dashed, color=orange")
        } else {
            (show(&e.allowed), "")
        };
        out += &format!(
            "  \"{}\" -> \"{}\" [label=\"{}\"{style}];\n",
            endpoint_name(&e.src),
            endpoint_name(&e.dst),
            label
        );
    }
    out += "}\n";
    out
}

/// The JSON matrix (`tusk matrix --format json`):
///
/// ```json
/// { "grain": "workload",
///   "semantics": "upstream Kubernetes semantics ...",
///   "rows": [ { "src": {"type": "workload", "namespace": "a", "name": "web", "kind": "Deployment"},
///               "dst": {"type": "external", "range": "0.0.0.0-255.255.255.255"},
///               "allowed": {"tcp": [[1, 65535]], "udp": [[53, 53]], "sctp": [], "non_port_protocols": true},
///               "unknown": {"tcp": [], "udp": [], "sctp": [], "non_port_protocols": false},
///               "allowed_text": "TCP 1-65535,UDP 53" } ] }
/// ```
///
/// Endpoint `type` is `pod` (namespace, name), `workload` (namespace, name,
/// kind), `namespace` (name) or `external` (range). Port lists are inclusive
/// ranges; `non_port_protocols` covers ICMP and every protocol without ports.
/// `unknown` holds what is allowed under some readings of inputs tusk lacks.
fn json(rows: &[Entry], grain: Grain, semantics: &str) -> String {
    use serde_json::json;
    let ep = |e: &Endpoint| match e {
        Endpoint::Pod { namespace, name } => json!({"type": "pod", "namespace": namespace, "name": name}),
        Endpoint::Workload { namespace, name, kind } => {
            json!({"type": "workload", "namespace": namespace, "name": name, "kind": kind})
        }
        Endpoint::Namespace(n) => json!({"type": "namespace", "name": n}),
        Endpoint::External(r) => json!({"type": "external", "range": r.to_string()}),
    };
    let conns = |c: &ConnSet| {
        let p = |proto| c.ports(proto).map(|s: &PortSet| s.ranges().to_vec()).unwrap_or_default();
        json!({"tcp": p(Protocol::Tcp), "udp": p(Protocol::Udp), "sctp": p(Protocol::Sctp), "non_port_protocols": c.has_non_port()})
    };
    let rows: Vec<_> = rows
        .iter()
        .map(|e| {
            json!({"src": ep(&e.src), "dst": ep(&e.dst), "allowed": conns(&e.allowed), "unknown": conns(&e.unknown), "allowed_text": show(&e.allowed)})
        })
        .collect();
    let doc = json!({"grain": grain_name(grain), "semantics": semantics, "rows": rows});
    serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"
}
