//! `tusk check PATH... [--allow-unknown] [-o txt|json|sarif|junit] [--file PATH]`:
//! every intent of the inputs' `tusk.yaml` (docs/tusk-yaml.md, `intents`)
//! checked against the estate, for a CI job. Exit 0 when every intent
//! holds; 1 when one is violated, or unknown (an isolation that cannot be
//! shown is not shown) unless `--allow-unknown` makes unknown a warning;
//! 2 on bad input (including inputs without intents, and an intent whose
//! end names nothing); 3 when the report cannot be written.
//!
//! With an AKS cluster (and its network) in the inputs, intents about
//! tenants, nodes, actors or pods are checked across both layers through
//! tusk-path's join (`tusk_check::joined`); tenants are the namespaces'
//! values of `--tenant-label`, as for `tusk matrix --grain tenant`.

use super::EngineArg;
use crate::output::OutputArgs;
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_check::{Aks, Engines, Status};
use tusk_network::Prepared;
use tusk_report::check::{self as report, CheckReport};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Txt,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, one test case per intent.
    Junit,
}

#[derive(clap::Args)]
pub struct Args {
    /// Input files or folders, holding the estate and a tusk.yaml with `intents:`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// An intent whose answer is unknown passes with a warning instead of failing.
    #[arg(long)]
    pub allow_unknown: bool,
    /// The network policy engine for Kubernetes intents (default: the AKS
    /// cluster's `networkPolicy`, else upstream).
    #[arg(long, value_enum)]
    pub policy_engine: Option<EngineArg>,
    /// Where pod IPs lie, for pods the inputs give no IP; overrides `podCidrs:`.
    #[arg(long = "pod-cidr", value_delimiter = ',', num_args = 1..)]
    pub pod_cidr: Vec<String>,
    /// The namespace label whose values name tenants (`tenant:NAME` ends,
    /// `isolatedTenants`).
    #[arg(long, default_value = "tenant")]
    pub tenant_label: String,
    #[command(flatten)]
    pub output: OutputArgs<CheckFormat>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let mut loaded = super::load_for(&a.paths, &a.output)?;
    super::apply_pod_cidrs(&mut loaded, &a.pod_cidr)?;
    let estate = &loaded.estate;
    if estate.config.intents.is_empty() {
        anyhow::bail!(
            "the inputs hold no intents: add an `intents:` section to a tusk.yaml (docs/tusk-yaml.md#intents)"
        );
    }
    let prepared = (!estate.azure.subnets.is_empty()).then(|| Prepared::new(&estate.azure, &estate.config));
    let (semantics, why) = super::choose_semantics(a.policy_engine, estate);
    let described = format!("{} ({why})", tusk_report::k8s::semantics_text(&semantics));
    // The cluster wired into the network, only when an intent may need it
    // (wiring schedules every pod and builds the nodes' NICs).
    let wiring = (!estate.clusters.is_empty() && prepared.is_some()).then(|| tusk_path::join::Wiring::new(estate));
    let wired = wiring.as_ref().map(|w| Prepared::new(&w.net, &estate.config));
    let aks = match (&wiring, &wired) {
        (Some(w), Some(p)) => Some(Aks { estate, wiring: w, prepared: p, tenant_label: &a.tenant_label }),
        _ => None,
    };
    let engines = Engines { azure: prepared.as_ref(), cluster: &estate.k8s, semantics, aks };
    let mut outcomes = Vec::with_capacity(estate.config.intents.len());
    for i in &estate.config.intents {
        outcomes.push(
            tusk_check::check(&engines, i).map_err(|e| {
                anyhow::anyhow!("{}: intent `{}`: {}", i.loc, i.name, tusk_report::check::check_error(&e))
            })?,
        );
    }
    let r = CheckReport {
        outcomes: &outcomes,
        azure: prepared.as_ref(),
        joined: wired.as_ref(),
        semantics: &described,
        allow_unknown: a.allow_unknown,
    };
    let text = match a.output.format {
        CheckFormat::Txt => report::render_text(&r),
        CheckFormat::Json => report::render_json(&r),
        CheckFormat::Sarif => report::render_sarif(&r),
        CheckFormat::Junit => report::render_junit(&r),
    };
    a.output.write_text(&text)?;
    let unknown = outcomes.iter().filter(|o| o.status == Status::Unknown).count();
    if a.allow_unknown && unknown > 0 {
        eprintln!("warning: {unknown} intent(s) unknown, passed by --allow-unknown");
    }
    let failed =
        outcomes.iter().any(|o| o.status == Status::Violated || (o.status == Status::Unknown && !a.allow_unknown));
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
