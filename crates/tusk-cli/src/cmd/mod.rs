//! One module per subcommand, plus what they share: loading inputs, the
//! policy-engine option, and writing output atomically.

pub mod demo;
pub mod explain;
pub mod matrix;
pub mod reach;
pub mod routes;
pub mod rules;
pub mod trace;

use std::path::{Path, PathBuf};
use tusk_load::Loaded;
use tusk_policy::{PolicyEngine, Semantics};

/// Loads the inputs, printing every diagnostic and the load summary to
/// stderr. Any error fails the command (exit code 2, nothing on stdout).
pub fn load(paths: &[PathBuf]) -> anyhow::Result<Loaded> {
    let outcome = tusk_load::load_paths_all(paths);
    crate::diagnostics::print(&outcome);
    if !outcome.errors.is_empty() {
        return Err(Failure::BadInputReported(outcome.errors.len()).into());
    }
    Ok(outcome.loaded)
}

/// Why a command failed, where the exit code depends on it (see `main`).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The input's errors, already printed with their locations (exit 2).
    #[error("{0} error(s) in the inputs; nothing was analysed")]
    BadInputReported(usize),
    /// The inputs lack what the command needs (exit 2).
    #[error("{0}")]
    Missing(String),
    /// The report could not be written (exit 3): not the input's fault.
    #[error("cannot write {path}: {source}")]
    OutputNotWritten { path: String, source: std::io::Error },
}

/// Refuses an estate without the Kubernetes objects `command` analyses.
pub fn need_k8s(loaded: &Loaded, command: &str) -> anyhow::Result<()> {
    if loaded.estate.k8s.pods.is_empty() {
        return Err(Failure::Missing(format!(
            "`tusk {command}` needs Kubernetes pods or workloads, and the inputs hold none{}; \
             give it manifests (`kubectl get -o yaml`, `helm template` output)",
            also_azure(loaded)
        ))
        .into());
    }
    Ok(())
}

/// Refuses an estate without the Azure subnets `command` analyses.
pub fn need_azure(loaded: &Loaded, command: &str) -> anyhow::Result<()> {
    if loaded.estate.azure.subnets.is_empty() {
        let k8s = if loaded.estate.k8s.pods.is_empty() && loaded.estate.k8s.network_policies.is_empty() {
            ""
        } else {
            " (they hold Kubernetes objects only)"
        };
        return Err(Failure::Missing(format!(
            "`tusk {command}` needs Azure virtual networks with subnets, and the inputs hold none{k8s}; \
             give it `az network vnet list -o json` output or ARM exports"
        ))
        .into());
    }
    Ok(())
}

fn also_azure(loaded: &Loaded) -> &'static str {
    if loaded.estate.azure.is_empty() {
        ""
    } else {
        " (they hold Azure resources only)"
    }
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
                    return Err(Failure::OutputNotWritten { path: "standard output".into(), source: e }.into());
                }
            }
            Ok(())
        }
        Some(p) => {
            let tmp = p.with_extension("tusk-tmp");
            let failed = |e| Failure::OutputNotWritten { path: p.display().to_string(), source: e };
            std::fs::write(&tmp, text).map_err(failed)?;
            std::fs::rename(&tmp, p).map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                failed(e)
            })?;
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
