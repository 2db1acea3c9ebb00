//! `tusk matrix`: the connectivity matrix of the Kubernetes policy layer.

use super::{emit, load, EngineArg};
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_analyze::k8s::matrix::Grain;
use tusk_analyze::k8s::Analysis;
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
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let loaded = load(&args.paths)?;
    let sem = args.policy_engine.semantics();
    let analysis = Analysis::new(&loaded.estate.k8s, sem);
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
    let rows = analysis.matrix(grain);
    if format == MatrixFormat::Connlist {
        let unknown = rows.iter().filter(|r| !r.unknown.is_empty()).count();
        if unknown > 0 {
            eprintln!("tusk: {unknown} pairs have connections whose verdict depends on pod IPs the input lacks; they are not connlist lines (see --format txt)");
        }
    }
    emit(&render_matrix(&rows, grain, &sem.describe(), format), args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
