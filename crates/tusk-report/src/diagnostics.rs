//! A load's diagnostics as data, for CI: the `tusk.diagnostics/v1` JSON
//! document and a SARIF 2.1.0 log. The text form, with source snippets, is
//! the CLI's (it reads the snippet lines back from the files).
//!
//! JSON (camelCase, as every tusk document):
//!
//! ```text
//! { "schema": "tusk.diagnostics/v1",
//!   "summary": string,                 // the one-line load summary
//!   "errors": int, "warnings": int,
//!   "diagnostics": [ { "code": "E0103", "severity": "error"|"warning",
//!                      "location": "file:line:col", "file": string,
//!                      "line": int|null, "column": int|null,   // null: no line (a whole file)
//!                      "message": string, "help": string|null } ] }
//! ```
//!
//! SARIF: one result per diagnostic, its `ruleId` the code, `level`
//! `error` or `warning`, located at the file, line and column; one rule per
//! code that occurs, pointing to `docs/diagnostics.md`. Every diagnostic is
//! in both documents (the text form stops at 100).

use crate::check::{sarif_document, sarif_location};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeSet;
use std::io;
use tusk_core::{Diagnostic, Severity};

/// The `schema` of the diagnostics document.
pub const SCHEMA: &str = "tusk.diagnostics/v1";

/// The diagnostics document (see the module documentation).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticsJson<'a> {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The one-line load summary (what was read and loaded, how many errors).
    pub summary: &'a str,
    /// How many diagnostics are errors.
    pub errors: usize,
    /// How many diagnostics are warnings.
    pub warnings: usize,
    /// Every diagnostic, errors first, each in the order found.
    pub diagnostics: Vec<DiagnosticJson<'a>>,
}

/// One diagnostic of [`DiagnosticsJson`].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticJson<'a> {
    /// The stable code, `E…` or `W…` (`docs/diagnostics.md`).
    pub code: &'static str,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// `file:line:col`, or the file alone when no line applies.
    pub location: String,
    /// The file, as given on the command line or found in a folder walk.
    pub file: &'a str,
    /// The line, from 1; `None` when the diagnostic is about a whole file.
    pub line: Option<u32>,
    /// The column, from 1, in characters; `None` with `line`.
    pub column: Option<u32>,
    /// What is wrong, in one sentence.
    pub message: &'a str,
    /// How to fix it, when tusk can tell.
    pub help: Option<&'a str>,
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The JSON view of `diags` with the load's `summary`.
pub fn view<'a>(diags: &'a [Diagnostic], summary: &'a str) -> DiagnosticsJson<'a> {
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    DiagnosticsJson {
        schema: SCHEMA,
        summary,
        errors,
        warnings: diags.len() - errors,
        diagnostics: diags
            .iter()
            .map(|d| {
                let pos = (d.location.pos.line > 0).then_some(d.location.pos);
                DiagnosticJson {
                    code: d.code.as_str(),
                    severity: severity(d.severity),
                    location: d.location.to_string(),
                    file: &d.location.file,
                    line: pos.map(|p| p.line),
                    column: pos.map(|p| p.col),
                    message: &d.message,
                    help: d.help.as_deref(),
                }
            })
            .collect(),
    }
}

/// Writes the `tusk.diagnostics/v1` document, pretty-printed, ending in a newline.
///
/// # Errors
///
/// The writer's error, when it fails.
pub fn write_json(w: &mut dyn io::Write, diags: &[Diagnostic], summary: &str) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &view(diags, summary))?;
    w.write_all(b"\n")
}

/// The diagnostics as one SARIF 2.1.0 log (see the module documentation),
/// pretty-printed, ending in a newline.
pub fn render_sarif(diags: &[Diagnostic]) -> String {
    let codes: BTreeSet<&'static str> = diags.iter().map(|d| d.code.as_str()).collect();
    let rules = codes
        .into_iter()
        .map(|c| {
            let level = if c.starts_with('E') { "error" } else { "warning" };
            json!({"id": c, "name": c,
                   "shortDescription": {"text": format!("tusk input diagnostic {c} (see docs/diagnostics.md)")},
                   "help": {"text": "The codes and their meaning: docs/diagnostics.md"},
                   "defaultConfiguration": {"level": level}})
        })
        .collect();
    let results = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text = format!("{text}\nhelp: {h}");
            }
            json!({"ruleId": d.code.as_str(), "level": severity(d.severity),
                   "message": {"text": text},
                   "locations": [sarif_location(&d.location, None)]})
        })
        .collect();
    sarif_document(rules, results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tusk_core::{Code, Loc, Pos};

    fn diag(code: Code, line: u32) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity(),
            location: Loc::new("a.yaml".into(), Pos { line, col: 3 }),
            message: "bad".into(),
            help: (line == 2).then(|| "fix it".into()),
        }
    }

    #[test]
    fn json_and_sarif_carry_every_diagnostic_with_code_and_place() {
        let d = [diag(Code::InvalidValue, 2), diag(Code::Io, 0), diag(Code::Skipped, 5)];
        let v: serde_json::Value = serde_json::to_value(view(&d, "read 1 file")).unwrap();
        assert_eq!(v["schema"], SCHEMA);
        assert_eq!((v["errors"].as_u64(), v["warnings"].as_u64()), (Some(2), Some(1)));
        assert_eq!(v["diagnostics"][0]["code"], "E0103");
        assert_eq!(v["diagnostics"][0]["line"], 2);
        assert_eq!(v["diagnostics"][0]["help"], "fix it");
        assert_eq!(v["diagnostics"][1]["line"], serde_json::Value::Null);
        assert_eq!(v["diagnostics"][2]["severity"], "warning");
        let s: serde_json::Value = serde_json::from_str(&render_sarif(&d)).unwrap();
        let results = s["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0]["ruleId"], "E0103");
        assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
        assert_eq!(results[2]["level"], "warning");
        assert_eq!(s["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().len(), 3);
    }
}
