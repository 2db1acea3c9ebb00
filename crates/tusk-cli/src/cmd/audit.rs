//! `tusk audit PATH... [-o txt|json|sarif] [--file PATH]`: the design lints
//! of `tusk_check::audit` (codes in docs/audit.md). Exit 0 when no finding
//! is an error (warnings and notes are printed), 1 when one is, 2 on bad
//! input, 3 when the report cannot be written.

use crate::output::OutputArgs;
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_check::audit::{audit, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    Txt,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

#[derive(clap::Args)]
pub struct Args {
    /// Input files or folders (Azure exports, AKS clusters, manifests, tusk.yaml).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs<AuditFormat>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let loaded = super::load_for(&a.paths, &a.output)?;
    let findings = audit(&loaded.estate);
    let text = match a.output.format {
        AuditFormat::Txt => tusk_report::audit::render_text(&loaded.estate, &findings),
        AuditFormat::Json => tusk_report::audit::render_json(&loaded.estate, &findings),
        AuditFormat::Sarif => tusk_report::audit::render_sarif(&loaded.estate, &findings),
    };
    a.output.write_text(&text)?;
    let failed = findings.iter().any(|f| f.severity == Severity::Error);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
