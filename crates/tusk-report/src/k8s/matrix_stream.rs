//! The connectivity matrix written as its rows are produced
//! (`tusk_policy::Analysis::stream_matrix`), for matrices too large to hold
//! (issue 8 C6: 9 million rows for one Deployment of 3,000 replicas at
//! `--grain pod`). Memory stays proportional to one source's rows.
//!
//! Same bytes as the buffered [`super::write_matrix_l7`] for `json`, `csv`,
//! `md` and `dot` (those keep the engine's row order), given the same L7
//! decision. Two formats differ, because the buffered ones sort the whole
//! text: `txt` lists rows in the engine's order (source by source) with
//! columns as wide as the longest label any endpoint could have;
//! `connlist` sorts lines within each source (rows from outside addresses,
//! which the buffered connlist merges across sources, are held and written
//! last, merged the same way). `sort` restores the buffered order of
//! `connlist`.

use super::matrix::{
    connlist_conns, csv_field, endpoint_json, grain_name, has_ports, merge_external, show, ConnsJson, Cuts,
    MatrixFormat, RowJson,
};
use std::collections::HashSet;
use std::io;
use tusk_core::{Idx, IpRange};
use tusk_model::k8s::Cluster;
use tusk_policy::lang::istio::L7Note;
use tusk_policy::matrix::{Endpoint, Entry, Grain};

/// A matrix being written batch by batch: [`MatrixStream::begin`], then
/// [`MatrixStream::batch`] per source's rows, then [`MatrixStream::finish`].
pub struct MatrixStream<'c> {
    c: &'c Cluster,
    format: MatrixFormat,
    grain: Grain,
    semantics: String,
    /// Does the L7 column show (decided before the first row)?
    l7: bool,
    /// Column widths of the txt format (source, destination).
    widths: (usize, usize),
    cuts: Option<Cuts>,
    rows: u64,
    allowed: u64,
    unknown: u64,
    /// Dot: the node names declared so far.
    seen: HashSet<String>,
    /// Connlist: rows from outside addresses, merged at the end.
    outside: Vec<Entry>,
}

impl<'c> MatrixStream<'c> {
    /// A stream of the matrix of `c` at `grain` in `format`; `l7`: whether
    /// the txt, md and JSON formats carry the L7 column; `atoms`: the outside
    /// ranges the rows may name (they size the txt columns); `cuts`: as for
    /// [`super::render_connlist`].
    pub fn new(
        c: &'c Cluster,
        grain: Grain,
        semantics: &str,
        format: MatrixFormat,
        l7: bool,
        atoms: &[IpRange],
        cuts: Option<Cuts>,
    ) -> MatrixStream<'c> {
        let w = label_width(c, grain, atoms);
        MatrixStream {
            c,
            format,
            grain,
            semantics: semantics.to_string(),
            l7,
            widths: (w.max(6), w.max(11)),
            cuts,
            rows: 0,
            allowed: 0,
            unknown: 0,
            seen: HashSet::new(),
            outside: Vec::new(),
        }
    }

    /// Rows written so far whose verdict is partly unknown.
    pub fn unknown_rows(&self) -> u64 {
        self.unknown
    }

    /// Writes what comes before the rows.
    pub fn begin(&mut self, w: &mut dyn io::Write) -> io::Result<()> {
        let g = grain_name(self.grain);
        match self.format {
            MatrixFormat::Json => write!(
                w,
                "{{\n  \"schema\": \"{}\",\n  \"grain\": \"{g}\",\n  \"semantics\": {},\n  \"rows\": [",
                super::matrix::SCHEMA,
                serde_json::to_string(&self.semantics)?
            ),
            MatrixFormat::Txt => {
                let (w1, w2) = self.widths;
                let l7 = if self.l7 { "  L7 (Istio rules on the request)" } else { "" };
                write!(w, "Kubernetes policy connectivity, {g} grain\nsemantics: {}\n\n", self.semantics)?;
                writeln!(w, "{:<w1$}  {:<w2$}  CONNECTIONS{l7}", "SOURCE", "DESTINATION")
            }
            MatrixFormat::Md => {
                write!(w, "**Kubernetes policy connectivity, {g} grain** — {}\n\n", self.semantics)?;
                w.write_all(if self.l7 {
                    b"| source | destination | allowed | unknown | L7 (Istio) |\n|---|---|---|---|---|\n"
                } else {
                    b"| source | destination | allowed | unknown |\n|---|---|---|---|\n"
                })
            }
            MatrixFormat::Csv => w.write_all(b"src,dst,allowed,unknown\n"),
            MatrixFormat::Dot => {
                w.write_all(b"digraph connectivity {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n")
            }
            MatrixFormat::Connlist => Ok(()),
        }
    }

    /// Writes one source's rows (`l7[i]`: the L7 notes of `rows[i]`, or
    /// empty).
    pub fn batch(&mut self, w: &mut dyn io::Write, rows: &[Entry], l7: &[Vec<L7Note>]) -> io::Result<()> {
        let c = self.c;
        let l7: Vec<Vec<String>> = l7.iter().map(|n| super::matrix::l7_texts(c, n)).collect();
        let none = Vec::new();
        for (i, e) in rows.iter().enumerate() {
            let note = if self.l7 { l7.get(i).unwrap_or(&none) } else { &none };
            self.rows += 1;
            self.allowed += u64::from(!e.allowed.is_empty());
            self.unknown += u64::from(!e.unknown.is_empty());
            match self.format {
                MatrixFormat::Json => {
                    w.write_all(if self.rows == 1 { b"\n    " } else { b",\n    " })?;
                    let row = RowJson {
                        src: endpoint_json(c, &e.src),
                        dst: endpoint_json(c, &e.dst),
                        allowed: ConnsJson(&e.allowed),
                        unknown: ConnsJson(&e.unknown),
                        allowed_text: show(&e.allowed),
                        l7: note,
                    };
                    serde_json::to_writer(&mut *w, &row)?;
                }
                MatrixFormat::Txt => {
                    let (w1, w2) = self.widths;
                    let mut conns = show(&e.allowed);
                    if !e.unknown.is_empty() {
                        let u = format!("unknown: {}", e.unknown);
                        conns = if conns.is_empty() { u } else { format!("{conns}; {u}") };
                    }
                    if !note.is_empty() {
                        conns += &format!("  [L7: {}]", note.join("; "));
                    }
                    writeln!(w, "{:<w1$}  {:<w2$}  {conns}", e.src.label(c), e.dst.label(c))?;
                }
                MatrixFormat::Md => {
                    write!(
                        w,
                        "| `{}` | `{}` | {} | {} |",
                        e.src.label(c),
                        e.dst.label(c),
                        show(&e.allowed),
                        show(&e.unknown)
                    )?;
                    if self.l7 {
                        write!(w, " {} |", note.join("<br>").replace('|', "\\|"))?;
                    }
                    w.write_all(b"\n")?;
                }
                MatrixFormat::Csv => writeln!(
                    w,
                    "{},{},{},{}",
                    csv_field(&e.src.label(c)),
                    csv_field(&e.dst.label(c)),
                    csv_field(&show(&e.allowed)),
                    csv_field(&show(&e.unknown))
                )?,
                MatrixFormat::Dot => {
                    for n in [&e.src, &e.dst] {
                        let name = n.label(c);
                        if !self.seen.contains(&name) {
                            let shape = if matches!(n, Endpoint::External(_)) { ", shape=ellipse" } else { "" };
                            writeln!(w, "  \"{name}\" [label=\"{name}\"{shape}];")?;
                            self.seen.insert(name);
                        }
                    }
                    let (label, style) = if e.allowed.is_empty() {
                        (format!("unknown: {}", e.unknown), ", style=dashed, color=orange")
                    } else {
                        (show(&e.allowed), "")
                    };
                    writeln!(w, "  \"{}\" -> \"{}\" [label=\"{label}\"{style}];", e.src.label(c), e.dst.label(c))?;
                }
                MatrixFormat::Connlist => {}
            }
        }
        if self.format == MatrixFormat::Connlist {
            // Rows from outside ranges merge across sources: held to the end.
            let (outside, inside): (Vec<&Entry>, Vec<&Entry>) =
                rows.iter().filter(|e| has_ports(&e.allowed)).partition(|e| matches!(e.src, Endpoint::External(_)));
            self.outside.extend(outside.into_iter().cloned());
            self.connlist_lines(w, inside.into_iter(), Vec::new())?;
        }
        Ok(())
    }

    /// Connlist lines of `rows` (outside ranges merged) and `extra`, sorted.
    fn connlist_lines<'a>(
        &self,
        w: &mut dyn io::Write,
        rows: impl Iterator<Item = &'a Entry>,
        extra: Vec<String>,
    ) -> io::Result<()> {
        let c = self.c;
        let mut lines: Vec<String> = merge_external(rows, self.cuts.as_ref())
            .iter()
            .map(|e| format!("{} => {} : {}\n", e.src.label(c), e.dst.label(c), connlist_conns(&e.allowed)))
            .chain(extra)
            .collect();
        lines.sort();
        lines.iter().try_for_each(|l| w.write_all(l.as_bytes()))
    }

    /// Writes what comes after the rows; `extra` are further connlist lines
    /// (netpol-analyzer's `{ingress-controller}` ones), written sorted with
    /// the rows from outside addresses.
    pub fn finish(&mut self, w: &mut dyn io::Write, extra: Vec<String>) -> io::Result<()> {
        match self.format {
            MatrixFormat::Json => w.write_all(if self.rows == 0 { b"]\n}\n" } else { b"\n  ]\n}\n" }),
            MatrixFormat::Txt => {
                write!(w, "\n{} pairs with allowed connections", self.allowed)?;
                if self.unknown > 0 {
                    write!(w, "; {} pairs with connections whose verdict depends on inputs tusk does not have or does not model (pod IPs, policies of other languages; see the warnings)", self.unknown)?;
                }
                w.write_all(b"\n")
            }
            MatrixFormat::Dot => w.write_all(b"}\n"),
            MatrixFormat::Md | MatrixFormat::Csv => Ok(()),
            MatrixFormat::Connlist => {
                let outside = std::mem::take(&mut self.outside);
                self.connlist_lines(w, outside.iter(), extra)
            }
        }
    }
}

/// The longest label (`ns/name[Kind]`, `range[External]`,
/// `ns/name[Service]`) any endpoint of `c` at `grain`, any of `atoms` or any
/// Service can have, in bytes.
pub fn label_width(c: &Cluster, grain: Grain, atoms: &[IpRange]) -> usize {
    let inside = match grain {
        Grain::Pod => Idx::enumerate(&c.pods)
            .flat_map(|(i, p)| [0, p.count().saturating_sub(1)].map(|r| Endpoint::Pod(i, r)))
            .map(|e| e.label(c).len())
            .max(),
        Grain::Workload => Idx::all(&c.workloads).map(|i| Endpoint::Workload(i).label(c).len()).max(),
        Grain::Namespace => Idx::all(&c.namespaces).map(|i| Endpoint::Namespace(i).label(c).len()).max(),
    };
    let outside = atoms.iter().map(|r| Endpoint::External(*r).label(c).len()).max();
    let services = Idx::all(&c.services).map(|i| Endpoint::Service(i).label(c).len()).max();
    [inside, outside, services].into_iter().flatten().max().unwrap_or(0)
}
