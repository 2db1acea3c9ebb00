//! `tusk audit` findings as text, JSON (`tusk.audit/v1`) and SARIF 2.1.0
//! (one SARIF rule per lint, with its code, summary and help).

use crate::audit_words::words;
use crate::check::{sarif_document, sarif_location};
use serde_json::json;
use std::fmt::Write;
use tusk_check::audit::{Finding, RULES};
use tusk_model::Estate;

/// The findings of `estate` as text: per finding `file:line:col: severity
/// CODE: message` and a `fix:` line.
pub fn render_text(estate: &Estate, findings: &[Finding]) -> String {
    let mut s = String::new();
    for f in findings {
        let (message, fix) = words(estate, &f.problem);
        let _ = writeln!(s, "{}: {} {}: {message}\n  fix: {fix}", f.loc, f.severity.name(), f.code);
    }
    let n = |w: &str| findings.iter().filter(|f| f.severity.name() == w).count();
    let _ = writeln!(
        s,
        "{} findings: {} errors, {} warnings, {} notes",
        findings.len(),
        n("error"),
        n("warning"),
        n("note")
    );
    s
}

/// `{"schema": "tusk.audit/v1", "findings": [{code, name, severity,
/// location: {file, line, column}, message, fix}]}`
pub fn render_json(estate: &Estate, findings: &[Finding]) -> String {
    let items: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let name = RULES.iter().find(|r| r.code == f.code).map(|r| r.name).unwrap_or_default();
            let (message, fix) = words(estate, &f.problem);
            json!({"code": f.code, "name": name, "severity": f.severity.name(),
                   "location": {"file": &*f.loc.file, "line": f.loc.pos.line, "column": f.loc.pos.col},
                   "message": message, "fix": fix})
        })
        .collect();
    serde_json::to_string_pretty(&json!({"schema": "tusk.audit/v1", "findings": items})).unwrap_or_default() + "\n"
}

/// The findings of `estate` as one SARIF 2.1.0 log (one rule per lint of
/// `tusk_check::audit::RULES`), pretty-printed, ending in a newline.
pub fn render_sarif(estate: &Estate, findings: &[Finding]) -> String {
    let rules = RULES
        .iter()
        .map(|r| {
            json!({"id": r.code, "name": r.name, "shortDescription": {"text": r.summary},
                   "help": {"text": format!("{} See {}.", r.summary, r.help)}})
        })
        .collect();
    let results = findings
        .iter()
        .map(|f| {
            let index = RULES.iter().position(|r| r.code == f.code).unwrap_or(0);
            let (message, fix) = words(estate, &f.problem);
            json!({"ruleId": f.code, "ruleIndex": index, "level": f.severity.name(),
                   "message": {"text": format!("{message} Fix: {fix}")},
                   "locations": [sarif_location(&f.loc, None)]})
        })
        .collect();
    sarif_document(rules, results)
}
