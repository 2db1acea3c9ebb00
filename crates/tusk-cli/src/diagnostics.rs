//! Printing the load's diagnostics on stderr: each error with its code and a
//! snippet of the line it points at (annotate-snippets, coloured on a
//! terminal), each warning on one line, at most [`MAX_SHOWN`] in all and then
//! how many more there are; then the one-line load summary.
//!
//! The snippet's text is read back from the file only when there is an
//! error to show, and only the line shown is kept.

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use std::collections::HashMap;
use std::io::IsTerminal;
use tusk_core::{Diagnostic, Severity};
use tusk_load::Outcome;

/// At most this many diagnostics are printed; the rest are counted.
pub const MAX_SHOWN: usize = 100;

/// Prints the outcome's diagnostics and summary to stderr.
pub fn print(o: &Outcome) {
    let text = render(o, std::io::stderr().is_terminal());
    eprint!("{text}");
}

/// The text [`print`] writes.
pub fn render(o: &Outcome, colour: bool) -> String {
    let renderer = if colour { Renderer::styled() } else { Renderer::plain() };
    let mut lines = Lines::default();
    let mut all = o.diagnostics();
    // Calico and Cilium policies are in doubt only under an engine that may
    // or may not be theirs: not at all when the engine is known (it models
    // them, or the command notes them as not enforced).
    if crate::cmd::engine_decides_foreign(&o.loaded.estate) {
        all.retain(|d| d.severity != Severity::Warning || !d.message.contains(tusk_load::k8s::UNDER_OTHER_ENGINES));
    }
    let mut out = String::new();
    for d in all.iter().take(MAX_SHOWN) {
        match d.severity {
            Severity::Error => {
                out.push_str(&render_error(&renderer, d, &mut lines));
                out.push('\n');
            }
            Severity::Warning => out.push_str(&format!("{d}\n")),
        }
    }
    if all.len() > MAX_SHOWN {
        let more = &all[MAX_SHOWN..];
        let errors = more.iter().filter(|d| d.severity == Severity::Error).count();
        out.push_str(&format!(
            "... and {} more ({errors} errors, {} warnings) not shown\n",
            more.len(),
            more.len() - errors
        ));
    }
    let summary = o.summary();
    out.push_str(&format!("tusk: {summary}\n"));
    for line in summary.per_file_lines() {
        out.push_str(&format!("tusk:   {line}\n"));
    }
    out
}

fn render_error(renderer: &Renderer, d: &Diagnostic, lines: &mut Lines) -> String {
    let title = Level::ERROR.primary_title(d.message.as_str()).id(d.code.as_str());
    let pos = d.location.pos;
    let file = &*d.location.file;
    let group = match lines.get(file, pos.line) {
        Some(line) => {
            let span = token_span(&line, pos.col as usize);
            title.element(
                Snippet::source(line.clone())
                    .line_start(pos.line as usize)
                    .path(file)
                    .annotation(AnnotationKind::Primary.span(span)),
            )
        }
        None => title.element(annotate_snippets::Origin::path(d.location.to_string())),
    };
    let group = match &d.help {
        Some(h) => group.element(Level::HELP.message(h.as_str())),
        None => group,
    };
    renderer.render(&[group])
}

/// The byte range of the token starting at 1-based character column `col`.
fn token_span(line: &str, col: usize) -> std::ops::Range<usize> {
    let start = line.char_indices().nth(col.saturating_sub(1)).map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    let len = rest.find(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '}' | ':')).unwrap_or(rest.len());
    start..start + len.max(rest.chars().next().map_or(0, char::len_utf8))
}

/// Lines of the files diagnostics point into, read once per file on demand.
#[derive(Default)]
struct Lines {
    files: HashMap<String, Option<String>>,
}

impl Lines {
    fn get(&mut self, file: &str, line: u32) -> Option<String> {
        if line == 0 {
            return None;
        }
        let text = self.files.entry(file.to_string()).or_insert_with(|| {
            let bytes = std::fs::read(file).ok()?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        });
        let l = text.as_deref()?.lines().nth(line as usize - 1)?;
        // A minified JSON line can be megabytes: show no snippet rather than all of it.
        (l.len() <= 400).then(|| l.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::token_span;

    #[test]
    fn token_span_covers_the_token_at_the_column() {
        assert_eq!(token_span("  cidr: 10.0.0.0/33", 9), 8..19);
        assert_eq!(token_span("  cidr: x", 3), 2..6);
        assert_eq!(token_span("a", 5), 1..1);
    }
}
