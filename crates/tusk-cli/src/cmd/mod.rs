//! One module per subcommand, plus the shared loading step.

pub mod demo;
pub mod explain;
pub mod matrix;
pub mod reach;
pub mod routes;
pub mod rules;
pub mod trace;

use std::path::PathBuf;
use tusk_load::Loaded;

/// Loads the inputs, printing warnings to stderr. A load error becomes the
/// command's error (exit code 2, nothing printed on stdout).
pub fn load(paths: &[PathBuf]) -> anyhow::Result<Loaded> {
    let loaded = tusk_load::load_paths(paths).map_err(|e| anyhow::anyhow!("{e}"))?;
    for w in &loaded.warnings {
        eprintln!("{w}");
    }
    Ok(loaded)
}

/// Output format of the Azure subcommands.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    Txt,
    Json,
}
