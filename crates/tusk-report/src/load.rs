//! What a load read and made of each file, as data: the `tusk.load/v1`
//! document of `tusk load -o json`, and its text form. The counts come
//! from `tusk_load::Summary` (the CLI hands them over as [`LoadFacts`]);
//! the skipped things are the load's warnings with code `W0001`
//! (skipped), each located.
//!
//! JSON (camelCase, as every tusk document):
//!
//! ```text
//! { "schema": "tusk.load/v1",
//!   "summary": string,               // the one-line load summary, as on stderr
//!   "files": int, "documents": int,  // files read, documents parsed
//!   "errors": int, "warnings": int,  // warnings include the skips
//!   "skipped": int,
//!   "kinds": [ { "kind": string, "count": int } ],   // loaded objects per kind, whole load
//!   "perFile": [ { "file": string,
//!                  "kinds": [ { "kind": string, "count": int } ],  // what the file contributed
//!                  "skipped": [ { "code": "W0001", "line": int|null, "column": int|null,
//!                                 "message": string } ] } ] }      // what was skipped in it
//! ```
//!
//! `kind` is the kind's name as the summary line writes it in the
//! singular (`Pod`, `NetworkPolicy`, `VNet`, `route table`, `Bastion
//! host`); a controller's pods count as its replicas. `perFile` lists the
//! files that contributed an object, in the order their objects were first
//! met, then the files that only had things skipped, in the order of the
//! warnings; `line` is `null` for a skip about a whole file.

use serde::Serialize;
use std::io;
use tusk_core::{Code, Warning};

/// The `schema` of the load document.
pub const SCHEMA: &str = "tusk.load/v1";

/// The counts of one load, as `tusk_load::Summary` holds them.
#[derive(Debug, Clone, Copy)]
pub struct LoadFacts<'a> {
    /// The one-line summary (`read 3 files, ...: loaded ...`).
    pub line: &'a str,
    /// Files read.
    pub files: usize,
    /// Documents parsed.
    pub documents: usize,
    /// Errors found.
    pub errors: usize,
    /// Warnings, the skips included.
    pub warnings: usize,
    /// Things skipped with a warning.
    pub skipped: usize,
    /// (kind, count) over the whole load.
    pub kinds: &'a [(&'static str, usize)],
    /// (file, its kinds with counts).
    pub per_file: &'a [(String, Vec<(String, usize)>)],
    /// Every warning of the load (the skips are picked out by code).
    pub warnings_list: &'a [Warning],
}

/// The load document (see the module documentation).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadJson<'a> {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The one-line summary.
    pub summary: &'a str,
    /// Files read.
    pub files: usize,
    /// Documents parsed.
    pub documents: usize,
    /// Errors found.
    pub errors: usize,
    /// Warnings, the skips included.
    pub warnings: usize,
    /// Things skipped.
    pub skipped: usize,
    /// Loaded objects per kind.
    pub kinds: Vec<KindJson<'a>>,
    /// What each file contributed and had skipped.
    pub per_file: Vec<FileJson<'a>>,
}

/// One kind and its count.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KindJson<'a> {
    /// The kind, singular.
    pub kind: &'a str,
    /// How many objects of it.
    pub count: usize,
}

/// One file of [`LoadJson`].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileJson<'a> {
    /// The file, as given on the command line or found in a folder walk.
    pub file: &'a str,
    /// What it contributed.
    pub kinds: Vec<KindJson<'a>>,
    /// What was skipped in it.
    pub skipped: Vec<SkipJson<'a>>,
}

/// One skipped thing of a file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkipJson<'a> {
    /// Its warning code.
    pub code: &'static str,
    /// The line, from 1; `None` for a whole file.
    pub line: Option<u32>,
    /// The column, from 1; `None` with `line`.
    pub column: Option<u32>,
    /// What was skipped and why, in one sentence.
    pub message: &'a str,
}

/// The JSON view of `f`.
pub fn view<'a>(f: &LoadFacts<'a>) -> LoadJson<'a> {
    let mut per_file: Vec<FileJson<'a>> = f
        .per_file
        .iter()
        .map(|(file, kinds)| FileJson {
            file,
            kinds: kinds.iter().map(|(k, n)| KindJson { kind: k, count: *n }).collect(),
            skipped: Vec::new(),
        })
        .collect();
    for w in f.warnings_list.iter().filter(|w| w.code() == Code::Skipped) {
        let i = match per_file.iter().position(|x| x.file == &*w.loc.file) {
            Some(i) => i,
            None => {
                per_file.push(FileJson { file: &w.loc.file, kinds: Vec::new(), skipped: Vec::new() });
                per_file.len() - 1
            }
        };
        let pos = (w.loc.pos.line > 0).then_some(w.loc.pos);
        per_file[i].skipped.push(SkipJson {
            code: w.code().as_str(),
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.col),
            message: &w.message,
        });
    }
    LoadJson {
        schema: SCHEMA,
        summary: f.line,
        files: f.files,
        documents: f.documents,
        errors: f.errors,
        warnings: f.warnings,
        skipped: f.skipped,
        kinds: f.kinds.iter().map(|(k, n)| KindJson { kind: k, count: *n }).collect(),
        per_file,
    }
}

/// Writes the `tusk.load/v1` document, pretty-printed, ending in a newline.
///
/// # Errors
///
/// The writer's error, when it fails.
pub fn write_json(w: &mut dyn io::Write, f: &LoadFacts) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &view(f))?;
    w.write_all(b"\n")
}

/// The text form: the summary line, then per file what it contributed
/// (`FILE: 2 × VNet, 1 × NSG`, the counts of [`view`]) and each thing
/// skipped in it (`  skipped at LINE:COL: MESSAGE`).
pub fn render_text(f: &LoadFacts) -> String {
    let v = view(f);
    let mut out = format!("{}\n", v.summary);
    for file in &v.per_file {
        let kinds: Vec<String> = file.kinds.iter().map(|k| format!("{} × {}", k.count, k.kind)).collect();
        let kinds = if kinds.is_empty() { "nothing loaded".to_string() } else { kinds.join(", ") };
        out.push_str(&format!("{}: {kinds}\n", file.file));
        for s in &file.skipped {
            let at = match (s.line, s.column) {
                (Some(l), Some(c)) => format!("{l}:{c}"),
                _ => "the whole file".to_string(),
            };
            out.push_str(&format!("  skipped at {at} ({}): {}\n", s.code, s.message));
        }
    }
    out
}
