//! The connectivity matrix in six formats.
//!
//! `connlist` is netpol-analyzer's line format, so its output can be diffed
//! against that tool: `SRC => DST : CONNS`, one line per pair with a
//! definitely allowed connection, peers as `ns/name[Kind]` or `A-B[External]`,
//! `All Connections` when every TCP, UDP and SCTP port is allowed (that tool
//! does not model ICMP). Verdicts that depend on unknown inputs are not lines
//! of a connlist; the other formats show them.

use serde::Serialize;
use std::io;
use tusk_core::{ConnSet, PortSet, Protocol};
use tusk_model::k8s::Cluster;
use tusk_policy::lang::istio::L7Note;
use tusk_policy::matrix::{Endpoint, Entry, Grain};

/// The output formats of `tusk matrix` (`-o`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixFormat {
    /// A table, one line per pair.
    Txt,
    /// `tusk.matrix/v1` JSON.
    Json,
    /// Comma-separated values with a header line.
    Csv,
    /// A Markdown table.
    Md,
    /// A Graphviz digraph.
    Dot,
    /// netpol-analyzer's connlist lines (see the module documentation).
    Connlist,
}

/// The port part of a connection set in connlist notation.
pub(super) fn connlist_conns(c: &ConnSet) -> String {
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

pub(super) fn has_ports(c: &ConnSet) -> bool {
    Protocol::PORTED.iter().any(|p| c.ports(*p).is_some_and(|s| !s.is_empty()))
}

pub(super) fn grain_name(g: Grain) -> &'static str {
    match g {
        Grain::Pod => "pod",
        Grain::Workload => "workload",
        Grain::Namespace => "namespace",
    }
}

/// The matrix as text (for the formats other than JSON, which is streamed
/// by [`write_matrix`]; used where the report is one part of a larger text).
pub fn render_matrix(c: &Cluster, rows: &[Entry], grain: Grain, semantics: &str, format: MatrixFormat) -> String {
    let mut out = Vec::new();
    write_matrix(&mut out, c, rows, grain, semantics, format).expect("writing to memory does not fail");
    String::from_utf8(out).expect("reports are UTF-8")
}

/// Writes the matrix in `format` to `w`.
pub fn write_matrix(
    w: &mut dyn io::Write,
    c: &Cluster,
    rows: &[Entry],
    grain: Grain,
    semantics: &str,
    format: MatrixFormat,
) -> io::Result<()> {
    write_matrix_l7(w, c, rows, &[], grain, semantics, format)
}

/// [`write_matrix`] with the L7 column: `l7[i]` lists, for row `i`, the
/// Istio rules on HTTP methods, paths and hosts its unknown part depends
/// on (`tusk_policy::Analysis::l7_column`); empty (or shorter than `rows`)
/// for none. The txt, md and JSON formats show it when some row has one.
pub fn write_matrix_l7(
    w: &mut dyn io::Write,
    c: &Cluster,
    rows: &[Entry],
    l7: &[Vec<L7Note>],
    grain: Grain,
    semantics: &str,
    format: MatrixFormat,
) -> io::Result<()> {
    let l7: Vec<Vec<String>> = l7.iter().map(|n| l7_texts(c, n)).collect();
    let l7 = if l7.iter().any(|x| !x.is_empty()) { &l7[..] } else { &[] };
    let text = match format {
        MatrixFormat::Json => return json(w, c, rows, l7, grain, semantics),
        MatrixFormat::Connlist => render_connlist(c, rows, None),
        MatrixFormat::Txt => txt(c, rows, l7, grain, semantics),
        MatrixFormat::Md => md(c, rows, l7, grain, semantics),
        MatrixFormat::Csv => {
            let mut out = String::from("src,dst,allowed,unknown\n");
            for e in rows {
                out += &format!(
                    "{},{},{},{}\n",
                    csv_field(&e.src.label(c)),
                    csv_field(&e.dst.label(c)),
                    csv_field(&show(&e.allowed)),
                    csv_field(&show(&e.unknown))
                );
            }
            out
        }
        MatrixFormat::Dot => dot(c, rows),
    };
    w.write_all(text.as_bytes())
}

/// A row's L7 notes in words, in order, each text once:
/// `ACTION methods M paths P[ on TCP ports] (ns/policy rules[i], file:line:col)`.
pub(super) fn l7_texts(c: &Cluster, notes: &[L7Note]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in notes {
        let p = &c.mesh.authorization[n.policy];
        let r = &p.rules[n.rule];
        let o = &r.to[n.op];
        let ports = tusk_policy::lang::istio::op_ports(o);
        let on =
            if ports == PortSet::all_ports() { String::new() } else { format!(" on TCP {}", ports.to_list_string()) };
        let text = format!(
            "{} {}{on} ({}/{} rules[{}], {})",
            p.action.name(),
            op_l7_text(o),
            p.namespace,
            p.name,
            n.rule,
            r.loc
        );
        if !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

/// One operation's L7 part in words: `methods GET,POST paths /api/*`
/// (not-forms prefixed with `!`).
fn op_l7_text(o: &tusk_model::istio::Operation) -> String {
    let words = |f: &tusk_model::istio::Field<tusk_model::istio::StrMatch>| {
        let mut parts: Vec<String> = f.values.iter().flatten().map(|m| m.0.clone()).collect();
        parts.extend(f.not_values.iter().flatten().map(|m| format!("!{}", m.0)));
        parts.join(",")
    };
    let mut out = Vec::new();
    for (label, f) in [("methods", &o.methods), ("paths", &o.paths), ("hosts", &o.hosts)] {
        if f.is_set() {
            out.push(format!("{label} {}", words(f)));
        }
    }
    out.join(" ")
}

/// Where netpol-analyzer cuts outside addresses: at the boundaries of the
/// ipBlocks of each direction's rules (ingress rules cut the ranges traffic
/// comes from, egress rules and ANP networks the ranges it goes to), and it
/// joins nothing across them.
#[derive(Debug, Default)]
pub struct Cuts {
    ingress: std::collections::BTreeSet<u128>,
    egress: std::collections::BTreeSet<u128>,
}

/// The address cuts netpol-analyzer makes (see [`Cuts`]), from the
/// cluster's ipBlocks and ANP networks.
pub fn netpol_analyzer_cuts(c: &Cluster) -> Cuts {
    use tusk_model::k8s::{AdminPeer, NpPeer};
    let mut cuts = Cuts::default();
    let add = |set: &mut std::collections::BTreeSet<u128>, s: &tusk_core::IpSet| {
        for &(lo, hi) in s.ranges() {
            set.insert(lo);
            if hi < u128::MAX {
                set.insert(hi + 1);
            }
        }
    };
    for p in &c.network_policies {
        for (rules, ingress) in [(&p.ingress, true), (&p.egress, false)] {
            for peer in rules.iter().flat_map(|r| &r.peers) {
                if let NpPeer::IpBlock { addresses, .. } = peer {
                    add(if ingress { &mut cuts.ingress } else { &mut cuts.egress }, addresses);
                }
            }
        }
    }
    for p in c.admin_policies.iter().chain(&c.baseline_policy) {
        for peer in p.egress.iter().flat_map(|r| &r.peers) {
            if let AdminPeer::Networks(s, _) = peer {
                add(&mut cuts.egress, s);
            }
        }
    }
    cuts
}

/// netpol-analyzer's line format, sorted as text like its output so that
/// `diff` works. Adjacent outside ranges with the same connections are one
/// line, except across `cuts` (netpol-analyzer's, to diff against it).
pub fn render_connlist(c: &Cluster, rows: &[Entry], cuts: Option<&Cuts>) -> String {
    let mut lines: Vec<String> = merge_external(rows.iter().filter(|e| has_ports(&e.allowed)), cuts)
        .iter()
        .map(|e| format!("{} => {} : {}\n", e.src.label(c), e.dst.label(c), connlist_conns(&e.allowed)))
        .collect();
    lines.sort();
    lines.concat()
}

/// netpol-analyzer's `{ingress-controller} => ns/workload[Kind] : TCP ports`
/// lines for what the ingress controller reaches through the Ingress
/// objects (`tusk_policy::ingress_controller`), one per workload.
pub fn ingress_controller_lines(c: &Cluster, r: &tusk_policy::ingress_controller::ControllerReach) -> Vec<String> {
    r.allowed
        .iter()
        .map(|(w, ports)| {
            format!("{{ingress-controller}} => {} : TCP {}\n", Endpoint::Workload(*w).label(c), ports.to_list_string())
        })
        .collect()
}

/// A connlist text with `extra` lines, sorted as a whole.
pub fn with_lines(connlist: &str, extra: Vec<String>) -> String {
    let mut lines: Vec<String> = connlist.lines().map(|l| format!("{l}\n")).chain(extra).collect();
    lines.sort();
    lines.concat()
}

/// Joins rows toward (or from) adjacent outside ranges that allow the same
/// connections with the same endpoint: the engine cuts the address space at
/// every policy CIDR, but a reader (and netpol-analyzer) sees one range.
/// IPv4 and IPv6 ranges never join (they are not adjacent in the u128 space
/// where IPv4 is IPv4-mapped).
pub(super) fn merge_external<'a>(rows: impl Iterator<Item = &'a Entry>, cuts: Option<&Cuts>) -> Vec<Entry> {
    use std::collections::BTreeMap;
    let mut out = Vec::new();
    // (outside is the source, the other endpoint, connections) → ranges.
    let mut ext: BTreeMap<(bool, Endpoint, String), Vec<tusk_core::IpRange>> = BTreeMap::new();
    let mut conns: BTreeMap<String, ConnSet> = BTreeMap::new();
    for e in rows {
        let (from_outside, other, r) = match (e.src, e.dst) {
            (Endpoint::External(r), d) => (true, d, r),
            (s, Endpoint::External(r)) => (false, s, r),
            _ => {
                out.push(e.clone());
                continue;
            }
        };
        let key = format!("{:?}", e.allowed);
        conns.entry(key.clone()).or_insert_with(|| e.allowed.clone());
        ext.entry((from_outside, other, key)).or_default().push(r);
    }
    for ((from_outside, other, key), mut ranges) in ext {
        ranges.sort_by_key(|r| r.lo);
        let mut merged: Vec<tusk_core::IpRange> = Vec::new();
        let is_v4 = |v: u128| v >> 32 == 0xffff;
        for r in ranges {
            match merged.last_mut() {
                Some(m)
                    if m.hi.checked_add(1) == Some(r.lo)
                        && is_v4(m.hi) == is_v4(r.lo)
                        && !cuts.is_some_and(|c| if from_outside { &c.ingress } else { &c.egress }.contains(&r.lo)) =>
                {
                    m.hi = r.hi
                }
                _ => merged.push(r),
            }
        }
        for r in merged {
            let (src, dst) = if from_outside { (Endpoint::External(r), other) } else { (other, Endpoint::External(r)) };
            out.push(Entry { src, dst, allowed: conns[&key].clone(), unknown: ConnSet::none() });
        }
    }
    out
}

pub(super) fn show(c: &ConnSet) -> String {
    if c.is_empty() {
        String::new()
    } else {
        c.to_string()
    }
}

pub(super) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn txt(c: &Cluster, rows: &[Entry], l7: &[Vec<String>], grain: Grain, semantics: &str) -> String {
    let mut out = format!("Kubernetes policy connectivity, {} grain\nsemantics: {semantics}\n\n", grain_name(grain));
    // Rows sorted by name for reading.
    let none = Vec::new();
    let mut named: Vec<(String, String, &Entry, &Vec<String>)> =
        rows.iter().enumerate().map(|(i, e)| (e.src.label(c), e.dst.label(c), e, l7.get(i).unwrap_or(&none))).collect();
    named.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let names: Vec<(String, String)> = named.iter().map(|(s, d, _, _)| (s.clone(), d.clone())).collect();
    let notes: Vec<&Vec<String>> = named.iter().map(|(_, _, _, n)| *n).collect();
    let rows: Vec<&Entry> = named.iter().map(|(_, _, e, _)| *e).collect();
    let w1 = names.iter().map(|n| n.0.len()).max().unwrap_or(6).max(6);
    let w2 = names.iter().map(|n| n.1.len()).max().unwrap_or(11).max(11);
    let l7_header = if l7.is_empty() { "" } else { "  L7 (Istio rules on the request)" };
    out += &format!("{:<w1$}  {:<w2$}  CONNECTIONS{l7_header}\n", "SOURCE", "DESTINATION");
    let mut unknown = 0;
    for ((e, (s, d)), note) in rows.iter().zip(&names).zip(&notes) {
        let mut conns = show(&e.allowed);
        if !e.unknown.is_empty() {
            unknown += 1;
            let u = format!("unknown: {}", e.unknown);
            conns = if conns.is_empty() { u } else { format!("{conns}; {u}") };
        }
        if !note.is_empty() {
            conns += &format!("  [L7: {}]", note.join("; "));
        }
        out += &format!("{s:<w1$}  {d:<w2$}  {conns}\n");
    }
    out += &format!("\n{} pairs with allowed connections", rows.iter().filter(|e| !e.allowed.is_empty()).count());
    if unknown > 0 {
        out +=
            &format!("; {unknown} pairs with connections whose verdict depends on inputs tusk does not have or does not model (pod IPs, policies of other languages; see the warnings)");
    }
    out += "\n";
    out
}

fn md(c: &Cluster, rows: &[Entry], l7: &[Vec<String>], grain: Grain, semantics: &str) -> String {
    let mut out = format!("**Kubernetes policy connectivity, {} grain** — {semantics}\n\n", grain_name(grain));
    if l7.is_empty() {
        out += "| source | destination | allowed | unknown |\n|---|---|---|---|\n";
    } else {
        out += "| source | destination | allowed | unknown | L7 (Istio) |\n|---|---|---|---|---|\n";
    }
    for (i, e) in rows.iter().enumerate() {
        out +=
            &format!("| `{}` | `{}` | {} | {} |", e.src.label(c), e.dst.label(c), show(&e.allowed), show(&e.unknown));
        if !l7.is_empty() {
            out += &format!(" {} |", l7.get(i).map(|n| n.join("<br>").replace('|', "\\|")).unwrap_or_default());
        }
        out.push('\n');
    }
    out
}

fn dot(c: &Cluster, rows: &[Entry]) -> String {
    let mut out = String::from("digraph connectivity {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n");
    let mut seen = std::collections::BTreeSet::new();
    for e in rows {
        for n in [&e.src, &e.dst] {
            let name = n.label(c);
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
        out += &format!("  \"{}\" -> \"{}\" [label=\"{}\"{style}];\n", e.src.label(c), e.dst.label(c), label);
    }
    out += "}\n";
    out
}

/// The `schema` of the matrix document.
pub const SCHEMA: &str = "tusk.matrix/v1";

/// The JSON matrix (`tusk matrix -o json`):
///
/// ```json
/// { "schema": "tusk.matrix/v1",
///   "grain": "workload",
///   "semantics": "upstream Kubernetes semantics ...",
///   "rows": [ { "src": {"type": "workload", "namespace": "a", "name": "web", "kind": "Deployment"},
///               "dst": {"type": "external", "range": "0.0.0.0-255.255.255.255"},
///               "allowed": {"tcp": [[1, 65535]], "udp": [[53, 53]], "sctp": [], "nonPortProtocols": true},
///               "unknown": {"tcp": [], "udp": [], "sctp": [], "nonPortProtocols": false},
///               "allowedText": "TCP 1-65535,UDP 53" } ] }
/// ```
///
/// Endpoint `type` is `pod` (namespace, name), `workload` (namespace, name,
/// kind), `namespace` (name) or `external` (range). Port lists are inclusive
/// ranges; `nonPortProtocols` covers ICMP and every protocol without ports.
/// `unknown` holds what is allowed under some readings of inputs tusk lacks.
/// `l7` (only on rows that have one) lists the Istio rules on HTTP
/// methods, paths or hosts that the row's unknown part depends on, as
/// `ACTION methods M paths P (ns/policy rules[i], file:line:col)`.
///
/// Streamed one row per line (a matrix may have millions of rows; a
/// `serde_json::Value` tree of 200,000 rows cost twice the rest of the run).
fn json(
    w: &mut dyn io::Write,
    c: &Cluster,
    rows: &[Entry],
    l7: &[Vec<String>],
    grain: Grain,
    semantics: &str,
) -> io::Result<()> {
    write!(
        w,
        "{{\n  \"schema\": \"{SCHEMA}\",\n  \"grain\": \"{}\",\n  \"semantics\": {},\n  \"rows\": [",
        grain_name(grain),
        serde_json::to_string(semantics)?
    )?;
    for (k, e) in rows.iter().enumerate() {
        w.write_all(if k == 0 { b"\n    " } else { b",\n    " })?;
        let row = RowJson {
            src: endpoint_json(c, &e.src),
            dst: endpoint_json(c, &e.dst),
            allowed: ConnsJson(&e.allowed),
            unknown: ConnsJson(&e.unknown),
            allowed_text: show(&e.allowed),
            l7: l7.get(k).map(Vec::as_slice).unwrap_or_default(),
        };
        serde_json::to_writer(&mut *w, &row)?;
    }
    w.write_all(if rows.is_empty() { b"]\n}\n" } else { b"\n  ]\n}\n" })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RowJson<'a> {
    pub(super) src: EndpointJson<'a>,
    pub(super) dst: EndpointJson<'a>,
    pub(super) allowed: ConnsJson<'a>,
    pub(super) unknown: ConnsJson<'a>,
    pub(super) allowed_text: String,
    /// The Istio rules on the request the row depends on (omitted when none).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub(super) l7: &'a [String],
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub(super) enum EndpointJson<'a> {
    Pod {
        namespace: &'a str,
        name: std::borrow::Cow<'a, str>,
    },
    Workload {
        namespace: &'a str,
        name: &'a str,
        kind: &'static str,
    },
    Namespace {
        name: &'a str,
    },
    External {
        range: String,
    },
    Service {
        namespace: &'a str,
        name: &'a str,
        #[serde(rename = "clusterIps")]
        cluster_ips: Vec<String>,
    },
}

pub(super) fn endpoint_json<'a>(c: &'a Cluster, e: &Endpoint) -> EndpointJson<'a> {
    match *e {
        Endpoint::Pod(i, r) => {
            let p = &c.pods[i];
            EndpointJson::Pod { namespace: &p.namespace, name: p.replica_name(r) }
        }
        Endpoint::Workload(i) => {
            let w = &c.workloads[i];
            EndpointJson::Workload { namespace: &w.namespace, name: &w.name, kind: w.kind.name() }
        }
        Endpoint::Namespace(i) => EndpointJson::Namespace { name: &c.namespaces[i].name },
        Endpoint::External(r) => EndpointJson::External { range: r.to_string() },
        Endpoint::Service(i) => {
            let s = &c.services[i];
            let cluster_ips = s.cluster_ips.iter().map(|ip| ip.to_string()).collect();
            EndpointJson::Service { namespace: &s.namespace, name: &s.name, cluster_ips }
        }
    }
}

/// A connection set: inclusive port ranges per protocol, and the flag for
/// protocols without ports.
pub(super) struct ConnsJson<'a>(pub(super) &'a ConnSet);

impl Serialize for ConnsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let ranges = |p: Protocol| self.0.ports(p).map(|s| s.ranges()).unwrap_or_default();
        let mut st = s.serialize_struct("Conns", 4)?;
        st.serialize_field("tcp", ranges(Protocol::Tcp))?;
        st.serialize_field("udp", ranges(Protocol::Udp))?;
        st.serialize_field("sctp", ranges(Protocol::Sctp))?;
        st.serialize_field("nonPortProtocols", &self.0.has_non_port())?;
        st.end()
    }
}
