//! `tusk matrix`: the connectivity matrix of the Kubernetes policy layer;
//! `--grain tenant` is the tenant matrix across both layers, per actor.

use super::{load, EngineArg};
use crate::output::OutputArgs;
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_policy::matrix::Grain;
use tusk_policy::Analysis;
use tusk_report::k8s::{write_matrix, MatrixFormat};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum GrainArg {
    Pod,
    Workload,
    Namespace,
    /// Tenants (namespaces by `--tenant-label`) across both layers, for
    /// one `--port`; needs the AKS cluster and its network in the inputs.
    Tenant,
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
    #[command(flatten)]
    pub output: OutputArgs<FormatArg>,
    /// The cluster's network policy engine, where implementations differ
    /// (default: the AKS cluster's `networkPolicy`, else upstream).
    #[arg(long, value_enum)]
    pub policy_engine: Option<EngineArg>,
    /// Where pod IPs lie (repeatable, or a comma-separated list), for pods the
    /// inputs give no IP; overrides `podCidrs:` of a tusk.yaml.
    #[arg(long = "pod-cidr", value_delimiter = ',', num_args = 1..)]
    pub pod_cidr: Vec<String>,
    /// Print the time of each phase (load, classes+rules, evaluation, render) to stderr.
    #[arg(long)]
    pub timings: bool,
    /// `--grain tenant`: the namespace label naming tenants.
    #[arg(long, default_value = "tenant")]
    pub tenant_label: String,
    /// `--grain tenant`: who sends (`both`: a row per actor).
    #[arg(long, value_enum, default_value = "both")]
    pub actor: ActorsArg,
    /// `--grain tenant`: the flow's protocol and port.
    #[command(flatten)]
    pub conn: super::flow::ConnArgs,
    /// Refuse matrices with more allowed class pairs than this (memory guard).
    #[arg(long, default_value_t = 50_000_000, hide = true)]
    pub max_class_pairs: u64,
    /// Refuse matrices with more rows than this (memory guard: rows are
    /// built before they are written, about 700 bytes each at the peak, so
    /// the default allows about 700 MB).
    #[arg(long, default_value_t = 1_000_000, hide = true)]
    pub max_rows: u64,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ActorsArg {
    Pod,
    Node,
    Both,
}

/// `--grain tenant`: the tenant matrix across both layers
/// (`tusk_path::tenants`).
fn tenant_grain(args: &Args, loaded: &tusk_load::Loaded) -> anyhow::Result<ExitCode> {
    use tusk_path::join::{Actor, Ask, Wiring};
    let estate = &loaded.estate;
    if estate.clusters.is_empty() || estate.azure.subnets.is_empty() {
        anyhow::bail!("--grain tenant needs the AKS cluster (managedClusters) and its network in the inputs");
    }
    let Some(port) = args.conn.port else {
        anyhow::bail!("--grain tenant asks about one flow: give --port");
    };
    let proto = args.conn.protocol("matrix --grain tenant")?;
    let actors = match args.actor {
        ActorsArg::Pod => vec![Actor::Pod],
        ActorsArg::Node => vec![Actor::Node],
        ActorsArg::Both => vec![Actor::Pod, Actor::Node],
    };
    let (sem, why) = super::choose_semantics(args.policy_engine, estate);
    let w = Wiring::new(estate);
    let p = tusk_network::Prepared::new(&w.net, &estate.config);
    let ask = Ask { sem: &sem, actor: Actor::Pod, proto, port: Some(port) };
    let cells = tusk_path::tenants::matrix(estate, &w, &p, &args.tenant_label, &actors, ask)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let what = format!("{proto} port {port}; pod policy semantics: {} ({why})", sem.describe());
    match args.output.format {
        FormatArg::Txt => args.output.write_text(&tusk_report::path::render_tenant_matrix(&p, &cells, &what))?,
        FormatArg::Json => args.output.write_text(&tusk_report::path::render_tenant_matrix_json(&p, &cells, &what))?,
        _ => anyhow::bail!("--grain tenant prints txt or json"),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let t0 = std::time::Instant::now();
    let mut loaded = load(&args.paths)?;
    super::apply_pod_cidrs(&mut loaded, &args.pod_cidr)?;
    if let GrainArg::Tenant = args.grain {
        return tenant_grain(&args, &loaded);
    }
    if args.conn.port.is_some() {
        anyhow::bail!("--port applies to --grain tenant (the other grains answer every port)");
    }
    super::need_k8s(&loaded, "matrix")?;
    let t_load = t0.elapsed();
    let (sem, why) = super::choose_semantics(args.policy_engine, &loaded.estate);
    let described = format!("{} ({why})", sem.describe());
    let analysis = Analysis::new(&loaded.estate.k8s, sem);
    for n in analysis.notes() {
        eprintln!("{n}");
    }
    let t_analyze = t0.elapsed();
    let grain = match args.grain {
        GrainArg::Pod => Grain::Pod,
        GrainArg::Workload => Grain::Workload,
        GrainArg::Namespace => Grain::Namespace,
        GrainArg::Tenant => unreachable!("handled above"),
    };
    let format = match args.output.format {
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
    let mut rows = analysis.matrix_at_most(grain, args.max_rows).map_err(|n| {
        anyhow::anyhow!(
            "the matrix would have {n} rows (more than {}): not built; --grain pod lists every replica of a workload, \
             and replicas of one template have the same rows — use --grain workload, narrow the inputs, or raise --max-rows",
            args.max_rows
        )
    })?;
    if format == MatrixFormat::Connlist && sem.engine == tusk_policy::PolicyEngine::NetpolAnalyzer {
        // netpol-analyzer lists outside addresses as IPv4 ranges only.
        let v4 = |e: &tusk_policy::matrix::Endpoint| match e {
            tusk_policy::matrix::Endpoint::External(r) => r.lo >> 32 == 0xffff,
            _ => true,
        };
        rows.retain(|e| v4(&e.src) && v4(&e.dst));
    }
    // Each Service with a ClusterIP is a destination of its own, answered
    // through its endpoints (issue 8 A2); netpol-analyzer's connlist has
    // no such rows, so that format keeps its lines.
    let mut service_notes = Vec::new();
    if format != MatrixFormat::Connlist {
        let (extra, notes) = tusk_policy::services::matrix_rows(&analysis, grain);
        if !extra.is_empty() {
            rows.extend(extra);
            rows.sort_by_key(|e| (e.src, e.dst));
        }
        service_notes = notes;
    }
    let t_matrix = t0.elapsed();
    if format == MatrixFormat::Connlist {
        let unknown = rows.iter().filter(|r| !r.unknown.is_empty()).count();
        if unknown > 0 {
            eprintln!("tusk: {unknown} pairs have connections whose verdict depends on inputs tusk lacks or does not model; they are not connlist lines (see -o txt)");
        }
    }
    let c = &loaded.estate.k8s;
    if format == MatrixFormat::Connlist && sem.engine == tusk_policy::PolicyEngine::NetpolAnalyzer {
        args.output.write_text(&tusk_report::k8s::render_connlist(
            c,
            &rows,
            Some(&tusk_report::k8s::netpol_analyzer_cuts(c)),
        ))?;
    } else {
        // Name, in the human formats, the policies that made cells unknown.
        let unmodelled = tusk_policy::foreign::in_force(c, &sem);
        let note = matches!(format, MatrixFormat::Txt | MatrixFormat::Md) && !unmodelled.is_empty();
        let human = matches!(format, MatrixFormat::Txt | MatrixFormat::Md);
        args.output.write(|w| {
            write_matrix(w, c, &rows, grain, &described, format)?;
            if human && !service_notes.is_empty() {
                writeln!(w, "\nunknown toward these Services, whose endpoints the inputs do not give:")?;
                for (s, why) in &service_notes {
                    writeln!(w, "  {} ({})", tusk_report::k8s::reason_text(why), c.services[*s].loc)?;
                }
            }
            if note {
                writeln!(w, "\nunknown where these policies, which tusk does not model, may select the pods:")?;
                for p in unmodelled {
                    writeln!(w, "  {} ({})", p.title(), p.loc)?;
                }
            }
            Ok(())
        })?;
    }
    if args.timings {
        let c = &loaded.estate.k8s;
        eprintln!(
            "timings: load {:.3}s, analyze {:.3}s ({} pods, {} classes, {} policies), matrix {:.3}s ({} rows), render {:.3}s",
            t_load.as_secs_f64(),
            (t_analyze - t_load).as_secs_f64(),
            c.pods.iter().map(|p| u64::from(p.count())).sum::<u64>(),
            analysis.class_count(),
            c.network_policies.len() + c.admin_policies.len(),
            (t_matrix - t_analyze).as_secs_f64(),
            rows.len(),
            (t0.elapsed() - t_matrix).as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}
