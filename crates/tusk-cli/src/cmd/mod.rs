//! One module per subcommand, plus what they share: loading inputs, the
//! policy-engine option, and writing output atomically.

pub mod demo;
pub mod explain;
pub mod matrix;
pub mod reach;
pub mod routes;
pub mod rules;
pub mod schedule;
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

/// The policy semantics and why they were chosen: `--policy-engine` when
/// given, else the `networkPolicy` of the AKS cluster the manifests belong
/// to (`tusk.yaml` `clusters:`, or the estate's only cluster), else the
/// upstream specification.
pub fn choose_semantics(arg: Option<EngineArg>, estate: &tusk_model::Estate) -> (Semantics, String) {
    use tusk_model::aks::NetworkPolicyEngine as N;
    if let Some(a) = arg {
        return (a.semantics(), "chosen by --policy-engine".into());
    }
    let mut bound: Vec<usize> = estate
        .k8s
        .workloads
        .iter()
        .filter_map(|w| tusk_path::binding::cluster_of(estate, &w.loc.file).index())
        .collect();
    bound.sort_unstable();
    bound.dedup();
    let c = match (bound.as_slice(), estate.clusters.len()) {
        ([c], _) => *c,
        ([], 1) => 0,
        ([], 0) => {
            return (EngineArg::Upstream.semantics(), "no AKS cluster in the inputs and no --policy-engine".into())
        }
        _ => {
            return (
                EngineArg::Upstream.semantics(),
                "the manifests belong to several clusters (or none is bound); pass --policy-engine".into(),
            )
        }
    };
    let cluster = &estate.clusters[c];
    let (engine, note) = match cluster.network.policy {
        N::Calico => (EngineArg::Calico, ""),
        N::Azure => (EngineArg::AzureNpm, ""),
        N::Cilium => (EngineArg::Cilium, ""),
        N::None => (
            EngineArg::Upstream,
            ": nothing in the cluster enforces NetworkPolicy; shown is what the policies would do",
        ),
    };
    let why = format!("from cluster {}'s networkPolicy `{}`{note}", cluster.name(), cluster.network.policy.name());
    (engine.semantics(), why)
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
