//! `tusk matrix`: the connectivity matrix of the Kubernetes policy layer.

use super::{emit, load, EngineArg};
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_policy::matrix::Grain;
use tusk_policy::Analysis;
use tusk_report::k8s::{render_matrix, MatrixFormat};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum GrainArg {
    Pod,
    Workload,
    Namespace,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    Txt,
    Json,
    Csv,
    Md,
    Dot,
    /// netpol-analyzer's `SRC => DST : CONNS` lines.
    Connlist,
}

#[derive(clap::Args)]
pub struct Args {
    /// Manifests: files or folders (read recursively), YAML or JSON.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "workload")]
    pub grain: GrainArg,
    #[arg(long, value_enum, default_value = "txt")]
    pub format: FormatArg,
    /// The cluster's network policy engine, where implementations differ.
    #[arg(long, value_enum, default_value = "upstream")]
    pub policy_engine: EngineArg,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Print the time of each phase (load, classes+rules, evaluation, render) to stderr.
    #[arg(long)]
    pub timings: bool,
    /// Refuse matrices with more allowed class pairs than this (memory guard).
    #[arg(long, default_value_t = 50_000_000, hide = true)]
    pub max_class_pairs: u64,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let t0 = std::time::Instant::now();
    let loaded = load(&args.paths)?;
    super::need_k8s(&loaded, "matrix")?;
    let t_load = t0.elapsed();
    let sem = args.policy_engine.semantics();
    let analysis = Analysis::new(&loaded.estate.k8s, sem);
    let t_analyze = t0.elapsed();
    let grain = match args.grain {
        GrainArg::Pod => Grain::Pod,
        GrainArg::Workload => Grain::Workload,
        GrainArg::Namespace => Grain::Namespace,
    };
    let format = match args.format {
        FormatArg::Txt => MatrixFormat::Txt,
        FormatArg::Json => MatrixFormat::Json,
        FormatArg::Csv => MatrixFormat::Csv,
        FormatArg::Md => MatrixFormat::Md,
        FormatArg::Dot => MatrixFormat::Dot,
        FormatArg::Connlist => MatrixFormat::Connlist,
    };
    // Each class pair costs about 100 bytes before expansion; a cluster of
    // 100,000 pods with no policy at all allows ~4e8 of them. Say so rather
    // than be killed for memory.
    let bound = analysis.class_pair_bound();
    if bound > args.max_class_pairs {
        anyhow::bail!(
            "the policies allow up to {bound} class-to-class pairs ({} pod classes): a matrix this size (~{} GB) is not built; \
             most pods are unrestricted — narrow the inputs to the namespaces of interest",
            analysis.class_count(),
            bound * 100 / 1_000_000_000
        );
    }
    let rows = analysis.matrix(grain);
    let t_matrix = t0.elapsed();
    if format == MatrixFormat::Connlist {
        let unknown = rows.iter().filter(|r| !r.unknown.is_empty()).count();
        if unknown > 0 {
            eprintln!("tusk: {unknown} pairs have connections whose verdict depends on pod IPs the input lacks; they are not connlist lines (see --format txt)");
        }
    }
    emit(&render_matrix(&loaded.estate.k8s, &rows, grain, &sem.describe(), format), args.output.as_deref())?;
    if args.timings {
        let c = &loaded.estate.k8s;
        eprintln!(
            "timings: load {:.3}s, analyze {:.3}s ({} pods, {} classes, {} policies), matrix {:.3}s ({} rows), render {:.3}s",
            t_load.as_secs_f64(),
            (t_analyze - t_load).as_secs_f64(),
            c.pods.len(),
            analysis.class_count(),
            c.network_policies.len() + c.admin_policies.len(),
            (t_matrix - t_analyze).as_secs_f64(),
            rows.len(),
            (t0.elapsed() - t_matrix).as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}
