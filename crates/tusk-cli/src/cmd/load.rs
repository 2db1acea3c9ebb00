//! `tusk load PATH... [-o txt|json] [--file PATH]`: what the load read and
//! made of each file (objects per kind, and what was skipped, located),
//! without analysing anything. `-o json` writes the `tusk.load/v1`
//! document (`tusk_report::load`). A load with errors exits 2 like every
//! command (with `-o json`, its `tusk.diagnostics/v1` document).

use crate::output::{OutputArgs, TxtOrJson};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs<TxtOrJson>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let outcome = super::load_outcome_for(&a.paths, &a.output)?;
    let summary = outcome.summary();
    let line = summary.to_string();
    let facts = tusk_report::load::LoadFacts {
        line: &line,
        files: summary.files,
        documents: summary.documents,
        errors: summary.errors,
        warnings: summary.warnings,
        skipped: summary.skipped,
        kinds: &summary.kinds,
        per_file: &summary.per_file,
        warnings_list: &outcome.loaded.warnings,
    };
    match a.output.format {
        TxtOrJson::Txt => a.output.write_text(&tusk_report::load::render_text(&facts))?,
        TxtOrJson::Json => a.output.write(|w| tusk_report::load::write_json(w, &facts))?,
    }
    Ok(ExitCode::SUCCESS)
}
