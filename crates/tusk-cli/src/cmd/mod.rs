//! One module per subcommand, plus what they share: loading inputs and the
//! policy-engine option (output options and writing: `crate::output`).

pub mod demo;
pub mod explain;
pub mod matrix;
pub mod reach;
pub mod routes;
pub mod rules;
pub mod trace;

use std::path::PathBuf;
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
