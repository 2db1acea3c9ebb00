//! `tusk diff --base PATH... --head PATH... [--grain tenant|namespace|workload|subnet]
//! [-o txt|json|md] [--file PATH]`: the flows whose verdict changed between
//! two versions of an estate (`tusk_check::diff`), each with the rules
//! that decided it on both sides. Exit 0 whatever changed (the change is
//! data; `tusk check` gates); 2 on bad input.
//!
//! `--grain tenant` compares the tenant pairs across both layers
//! (`tusk_check::diff_tenants`, from tusk-path's class-based matrix, one
//! member pair traced per changed row to cite its rules) for one
//! `--proto` / `--port`, per actor (`--actor`, default both); tenants are
//! the namespaces' values of `--tenant-label`, as for `tusk matrix --grain
//! tenant`. `--grain namespace|workload` does the same across both layers
//! when both versions hold an AKS cluster and its network and `--port` is
//! given; otherwise it compares the Kubernetes engine's matrices.

use super::EngineArg;
use crate::output::OutputArgs;
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_check::diff::{diff, Versions};
use tusk_path::matrix::Grain as PathGrain;
use tusk_policy::matrix::Grain;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Txt,
    Json,
    /// Markdown, for a pull-request comment.
    Md,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffGrain {
    /// Tenants across both layers (one protocol and port: --proto, --port).
    Tenant,
    /// Namespaces (across both layers with --port and an AKS cluster).
    Namespace,
    /// Workloads (across both layers with --port and an AKS cluster).
    Workload,
    /// Azure subnets (one protocol and port: --proto, --port).
    Subnet,
}

#[derive(clap::Args)]
pub struct Args {
    /// The estate before the change (files or folders).
    #[arg(long, required = true, num_args = 1..)]
    pub base: Vec<PathBuf>,
    /// The estate after the change.
    #[arg(long, required = true, num_args = 1..)]
    pub head: Vec<PathBuf>,
    /// The grain (default: workload when the inputs hold Kubernetes
    /// workloads, else subnet).
    #[arg(long, value_enum)]
    pub grain: Option<DiffGrain>,
    #[arg(long, value_enum)]
    pub policy_engine: Option<EngineArg>,
    /// `--grain subnet` / `tenant`: the protocol and port compared
    /// (`subnet` without --port: every port at once; `tenant` needs --port).
    /// With --port, `namespace` / `workload` on estates holding an AKS
    /// cluster and its network are compared across both layers.
    #[command(flatten)]
    pub conn: super::flow::ConnArgs,
    /// `--grain tenant`: the namespace label naming tenants.
    #[arg(long, default_value = "tenant")]
    pub tenant_label: String,
    /// Across both layers: who sends (`both`: rows per actor).
    #[arg(long, value_enum, default_value = "both")]
    pub actor: super::matrix::ActorsArg,
    #[command(flatten)]
    pub output: OutputArgs<DiffFormat>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let base = super::load_for(&a.base, &a.output)?;
    let head = super::load_for(&a.head, &a.output)?;
    let chosen = a.grain.unwrap_or(if base.estate.k8s.workloads.is_empty() && head.estate.k8s.workloads.is_empty() {
        DiffGrain::Subnet
    } else {
        DiffGrain::Workload
    });
    let joined = a.conn.port.is_some() && [&base, &head].iter().all(|l| has_aks(l));
    let grain = match chosen {
        DiffGrain::Namespace if joined => return units(&a, &base, &head, PathGrain::Namespace),
        DiffGrain::Workload if joined => return units(&a, &base, &head, PathGrain::Workload),
        DiffGrain::Namespace => Grain::Namespace,
        DiffGrain::Workload => Grain::Workload,
        DiffGrain::Subnet => return subnets(&a, &base, &head),
        DiffGrain::Tenant => return units(&a, &base, &head, PathGrain::Tenant),
    };
    let (base_semantics, _) = super::choose_semantics(a.policy_engine, &base.estate);
    let (head_semantics, _) = super::choose_semantics(a.policy_engine, &head.estate);
    let v = Versions { base: &base.estate.k8s, head: &head.estate.k8s, base_semantics, head_semantics };
    let changes: Vec<_> = diff(&v, grain).iter().map(tusk_report::diff::row).collect();
    let g = format!("{chosen:?}").to_ascii_lowercase();
    let text = match a.output.format {
        DiffFormat::Txt => tusk_report::diff::render_text(&changes, &g),
        DiffFormat::Json => tusk_report::diff::render_json(&changes, &g),
        DiffFormat::Md => tusk_report::diff::render_md(&changes, &g),
    };
    a.output.write_text(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `--grain subnet`: the Azure subnet matrices of both versions.
fn subnets(a: &Args, base: &tusk_load::Loaded, head: &tusk_load::Loaded) -> anyhow::Result<ExitCode> {
    super::need_subnets(base, "diff --grain subnet")?;
    super::need_subnets(head, "diff --grain subnet")?;
    let proto = a.conn.protocol("diff")?;
    let bp = tusk_network::Prepared::new(&base.estate.azure, &base.estate.config);
    let hp = tusk_network::Prepared::new(&head.estate.azure, &head.estate.config);
    let ports = match (a.conn.port, proto.has_ports()) {
        (Some(p), _) => tusk_core::PortSet::single(p),
        (None, true) => tusk_core::PortSet::all_ports(),
        (None, false) => tusk_core::PortSet::empty(),
    };
    let conns = if proto.has_ports() {
        tusk_core::ConnSet::of(proto, ports)
    } else {
        tusk_core::ConnSet::of(proto, tusk_core::PortSet::empty())
    };
    let changes: Vec<_> = tusk_check::diff_subnets::diff_subnets(&bp, &hp, proto, a.conn.port)
        .iter()
        .map(|c| tusk_report::diff::subnet_row(&hp, &bp, c, conns.clone()))
        .collect();
    let text = match a.output.format {
        DiffFormat::Txt => tusk_report::diff::render_text(&changes, "subnet"),
        DiffFormat::Json => tusk_report::diff::render_json(&changes, "subnet"),
        DiffFormat::Md => tusk_report::diff::render_md(&changes, "subnet"),
    };
    a.output.write_text(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// An AKS cluster and its network are in the inputs: the join can run.
fn has_aks(l: &tusk_load::Loaded) -> bool {
    !l.estate.clusters.is_empty() && !l.estate.azure.subnets.is_empty()
}

/// `--grain tenant`, and `namespace` / `workload` with a cluster and
/// `--port`: the unit pairs of both versions across both layers, from the
/// class-based matrices (`tusk_check::diff_tenants`).
fn units(a: &Args, base: &tusk_load::Loaded, head: &tusk_load::Loaded, grain: PathGrain) -> anyhow::Result<ExitCode> {
    use super::matrix::ActorsArg;
    use tusk_check::diff_tenants::{diff_tenants, Version};
    use tusk_path::join::{Actor, Wiring};
    let g = format!("{grain:?}").to_ascii_lowercase();
    for (l, which) in [(base, "--base"), (head, "--head")] {
        if !has_aks(l) {
            anyhow::bail!("--grain {g} needs the AKS cluster (managedClusters) and its network in {which}'s inputs");
        }
    }
    let Some(port) = a.conn.port else { anyhow::bail!("--grain {g} compares one flow: give --port") };
    let proto = a.conn.protocol(&format!("diff --grain {g}"))?;
    let actors = match a.actor {
        ActorsArg::Pod => vec![Actor::Pod],
        ActorsArg::Node => vec![Actor::Node],
        ActorsArg::Both => vec![Actor::Pod, Actor::Node],
    };
    let (bw, hw) = (Wiring::new(&base.estate), Wiring::new(&head.estate));
    let bp = tusk_network::Prepared::new(&bw.net, &base.estate.config);
    let hp = tusk_network::Prepared::new(&hw.net, &head.estate.config);
    let label = a.tenant_label.as_str();
    let bv = Version {
        aks: tusk_check::Aks { estate: &base.estate, wiring: &bw, prepared: &bp, tenant_label: label },
        semantics: super::choose_semantics(a.policy_engine, &base.estate).0,
    };
    let hv = Version {
        aks: tusk_check::Aks { estate: &head.estate, wiring: &hw, prepared: &hp, tenant_label: label },
        semantics: super::choose_semantics(a.policy_engine, &head.estate).0,
    };
    let changes = diff_tenants(&bv, &hv, grain, &actors, proto, port)
        .map_err(|e| anyhow::anyhow!("{}", tusk_report::diff::diff_error(&e)))?;
    let conns = tusk_core::ConnSet::of(proto, tusk_core::PortSet::single(port));
    let rows: Vec<_> = changes.iter().map(|c| tusk_report::diff::tenant_row(&hp, &bp, c, conns.clone())).collect();
    let text = match a.output.format {
        DiffFormat::Txt => tusk_report::diff::render_text(&rows, &g),
        DiffFormat::Json => tusk_report::diff::render_json(&rows, &g),
        DiffFormat::Md => tusk_report::diff::render_md(&rows, &g),
    };
    a.output.write_text(&text)?;
    Ok(ExitCode::SUCCESS)
}
