//! One module per subcommand, plus what they share: loading inputs and the
//! policy-engine option (output options and writing: `crate::output`).

pub mod audit;
pub mod check;
pub mod demo;
mod demo_article;
pub mod diff;
pub mod explain;
pub mod flow;
pub mod load;
pub mod matrix;
mod matrix_ports;
mod matrix_spill;
mod matrix_stream;
pub mod reach;
pub mod routes;
pub mod rules;
pub mod schedule;
pub mod trace;

use std::path::PathBuf;
use tusk_load::Loaded;
use tusk_policy::{PolicyEngine, Semantics};

/// ARM parameter values from `--param` / `--parameters`, set once by `main`.
static ARM_PARAMS: std::sync::OnceLock<tusk_load::arm::ArmParams> = std::sync::OnceLock::new();

/// The command's `--policy-engine`, set once by `main` (for commands that
/// take it), so that the load's warnings can leave out what holds only
/// under another engine.
static POLICY_ENGINE: std::sync::OnceLock<Option<EngineArg>> = std::sync::OnceLock::new();

/// Records the command's `--policy-engine` (see [`POLICY_ENGINE`]).
pub fn set_policy_engine(arg: Option<EngineArg>) {
    let _ = POLICY_ENGINE.set(arg);
}

/// Does the policy engine [`choose_semantics`] picks for this estate (by
/// `--policy-engine`, or the AKS cluster's `networkPolicy`) decide whether
/// each Calico and Cilium policy is enforced? Every engine but `upstream`
/// and `netpol-analyzer` (which may or may not be Calico or Cilium) does:
/// then a Calico or Cilium policy is either modelled or reported as not
/// enforced (`tusk_policy::foreign::not_enforced`), never a doubt.
pub fn engine_decides_foreign(estate: &tusk_model::Estate) -> bool {
    let arg = POLICY_ENGINE.get().copied().flatten();
    !matches!(choose_semantics(arg, estate).0.engine, PolicyEngine::Upstream | PolicyEngine::NetpolAnalyzer)
}

/// Reads `--param NAME=VALUE` and `--parameters FILE` for every command that loads inputs.
pub fn set_arm_params(values: &[String], files: &[PathBuf]) -> anyhow::Result<()> {
    let mut p = tusk_load::arm::ArmParams::default();
    for v in values {
        let (k, val) = v.split_once('=').ok_or_else(|| anyhow::anyhow!("--param `{v}`: expected NAME=VALUE"))?;
        p.values.push((k.trim().to_string(), val.to_string()));
    }
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| anyhow::anyhow!("--parameters {}: {e}", f.display()))?;
        p.files.push((f.display().to_string().into(), text));
    }
    let _ = ARM_PARAMS.set(p);
    Ok(())
}

/// Loads the inputs for a command whose report format is `out`'s. With a
/// text format, as [`load`]. With `-o json` (or `-o sarif`), a load that
/// fails writes its diagnostics on standard output as a
/// `tusk.diagnostics/v1` document (or a SARIF 2.1.0 log), never into
/// `--file` (a failed run leaves no file where the report goes), and only
/// the one-line load summary on stderr; the command still exits 2 (3 if the
/// document cannot be written). A load that succeeds prints its warnings on
/// stderr as text, whatever the format: the report is the document then.
/// See `docs/diagnostics.md`.
pub fn load_for<F>(paths: &[PathBuf], out: &crate::output::OutputArgs<F>) -> anyhow::Result<Loaded>
where
    F: clap::ValueEnum + Clone + Send + Sync + 'static,
{
    load_outcome_for(paths, out).map(|o| o.loaded)
}

/// As [`load_for`], keeping the whole outcome (warnings and counts) for
/// `tusk load`.
pub fn load_outcome_for<F>(paths: &[PathBuf], out: &crate::output::OutputArgs<F>) -> anyhow::Result<tusk_load::Outcome>
where
    F: clap::ValueEnum + Clone + Send + Sync + 'static,
{
    let format = out.format.to_possible_value().map(|v| v.get_name().to_string());
    let machine = matches!(format.as_deref(), Some("json" | "sarif"));
    let params = ARM_PARAMS.get().cloned().unwrap_or_default();
    let outcome = tusk_load::load_paths_all(paths, &params);
    if outcome.errors.is_empty() || !machine {
        crate::diagnostics::print(&outcome);
        if !outcome.errors.is_empty() {
            return Err(Failure::BadInputReported(outcome.errors.len()).into());
        }
        return Ok(outcome);
    }
    let summary = outcome.summary().to_string();
    eprintln!("tusk: {summary}");
    let diags = outcome.diagnostics();
    let stdout = None;
    if format.as_deref() == Some("sarif") {
        let sarif = tusk_report::diagnostics::render_sarif(&diags);
        crate::output::write_report(stdout, |w| crate::output::write_text(w, &sarif))?;
    } else {
        crate::output::write_report(stdout, |w| tusk_report::diagnostics::write_json(w, &diags, &summary))?;
    }
    Err(Failure::BadInputReported(outcome.errors.len()).into())
}

/// Why a command failed, where the exit code or the message depends on it
/// (see `main`).
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The input's errors, already printed with their locations (exit 2).
    #[error("{0} error(s) in the inputs; nothing was analysed")]
    BadInputReported(usize),
    /// The inputs lack what the command needs (exit 2).
    #[error("{0}")]
    Missing(String),
}

/// Refuses an estate without the Kubernetes objects `command` analyses.
pub fn need_k8s(loaded: &Loaded, command: &str) -> anyhow::Result<()> {
    if loaded.estate.k8s.pods.is_empty() {
        let azure = if loaded.estate.azure.is_empty() { "" } else { " (they hold Azure resources only)" };
        return Err(Failure::Missing(format!(
            "`tusk {command}` needs Kubernetes pods or workloads, and the inputs hold none{azure}; \
             give it manifests (`kubectl get -o yaml`, `helm template` output)"
        ))
        .into());
    }
    Ok(())
}

/// Applies `--pod-cidr` (over `podCidrs:` of a tusk.yaml): where the IPs
/// of pods the inputs give none may lie.
pub fn apply_pod_cidrs(loaded: &mut Loaded, cidrs: &[String]) -> anyhow::Result<()> {
    if cidrs.is_empty() {
        return Ok(());
    }
    let mut set = tusk_core::IpSet::empty();
    for c in cidrs {
        let cidr = tusk_core::ip::Cidr::parse(c).map_err(|m| anyhow::anyhow!("--pod-cidr `{c}`: {m}"))?;
        set = set.union(&cidr.set());
    }
    loaded.estate.k8s.pod_cidrs = Some(set);
    Ok(())
}

/// Fails (exit code 2) when an Azure command gets inputs without a single
/// subnet: every Azure answer starts from a subnet, so an empty or
/// near-empty estate is a usage error that says what is missing.
pub fn need_subnets(loaded: &Loaded, command: &str) -> anyhow::Result<()> {
    match tusk_report::azure::missing_subnets(&loaded.estate.azure, command) {
        Some(why) => anyhow::bail!(why),
        None => Ok(()),
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
    /// netpol-analyzer's reading (ipBlocks never select pods, hostNetwork
    /// pods are pods), so that its connlist can be diffed as text.
    NetpolAnalyzer,
}

impl EngineArg {
    pub fn semantics(self) -> Semantics {
        Semantics::of(match self {
            EngineArg::Upstream => PolicyEngine::Upstream,
            EngineArg::Calico => PolicyEngine::Calico,
            EngineArg::AzureNpm => PolicyEngine::AzureNpm,
            EngineArg::Cilium => PolicyEngine::Cilium,
            EngineArg::NetpolAnalyzer => PolicyEngine::NetpolAnalyzer,
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
    let mut bound: Vec<tusk_model::azure::Idx<tusk_model::aks::AksCluster>> = estate
        .k8s
        .workloads
        .iter()
        .filter_map(|w| tusk_path::binding::cluster_of(estate, &w.loc.file).index())
        .collect();
    bound.sort_unstable();
    bound.dedup();
    let c = match (bound.as_slice(), estate.clusters.len()) {
        ([c], _) => *c,
        ([], 1) => tusk_model::azure::Idx::new(0),
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
