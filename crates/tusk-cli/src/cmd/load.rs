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
    // Where the cluster's engine is known, a policy of another engine is
    // reported as not enforced, as `matrix`, `explain` and `trace` do.
    let estate = &outcome.loaded.estate;
    if super::engine_decides_foreign(estate) {
        let (sem, _) = super::choose_semantics(super::POLICY_ENGINE.get().copied().flatten(), estate);
        for n in tusk_policy::foreign::not_enforced(&estate.k8s, &sem) {
            eprintln!("{}", tusk_report::k8s::note(&n));
        }
    }
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
