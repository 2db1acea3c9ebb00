//! One module per subcommand, plus what they share: loading inputs, the
//! policy-engine option, and writing output atomically.

pub mod demo;
pub mod explain;
pub mod flow;
pub mod matrix;
pub mod reach;
pub mod routes;
pub mod rules;
pub mod trace;

use std::path::{Path, PathBuf};
use tusk_load::Loaded;
use tusk_policy::{PolicyEngine, Semantics};

/// Loads the inputs, printing warnings to stderr. A load error becomes the
/// command's error (exit code 2, nothing printed on stdout).
pub fn load(paths: &[PathBuf]) -> anyhow::Result<Loaded> {
    let loaded = tusk_load::load_paths(paths).map_err(|e| anyhow::anyhow!("{e}"))?;
    for w in &loaded.warnings {
        eprintln!("{w}");
    }
    Ok(loaded)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineArg {
    /// The upstream specification (ipBlocks also match pod IPs).
    Upstream,
    Calico,
    AzureNpm,
    /// Cilium: CIDR rules never select pods.
    Cilium,
}

impl EngineArg {
    pub fn semantics(self) -> Semantics {
        Semantics::of(match self {
            EngineArg::Upstream => PolicyEngine::Upstream,
            EngineArg::Calico => PolicyEngine::Calico,
            EngineArg::AzureNpm => PolicyEngine::AzureNpm,
            EngineArg::Cilium => PolicyEngine::Cilium,
        })
    }
}

/// Writes the whole output to stdout, or to `path` through a temporary
/// file renamed into place, so that a failure never leaves a partial file.
pub fn emit(text: &str, path: Option<&Path>) -> anyhow::Result<()> {
    use std::io::Write;
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e.into());
                }
            }
            Ok(())
        }
        Some(p) => {
            let tmp = p.with_extension("tusk-tmp");
            std::fs::write(&tmp, text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))?;
            std::fs::rename(&tmp, p).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?;
            Ok(())
        }
    }
}

/// Prints a whole report on stdout, ending it with a newline if it lacks one.
pub fn print(text: &str) -> anyhow::Result<std::process::ExitCode> {
    if text.ends_with('\n') {
        emit(text, None)?;
    } else {
        emit(&format!("{text}\n"), None)?;
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// Output format of the Azure subcommands.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    Txt,
    Json,
}
