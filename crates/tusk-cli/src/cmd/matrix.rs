//! `tusk matrix`: the connectivity matrix of the Kubernetes policy layer
//! (every port); with `--port` on an estate holding the AKS cluster and its
//! network, and always at `--grain tenant`, the isolation matrix across both
//! layers per actor (`tusk_path::matrix`); `--grain subnet` is `tusk reach`.

use super::EngineArg;
use crate::output::OutputArgs;
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_policy::matrix::Grain;
use tusk_policy::Analysis;
use tusk_report::k8s::{write_matrix_l7, MatrixFormat};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum GrainArg {
    Pod,
    Workload,
    Namespace,
    /// Tenants (namespaces by `--tenant-label`) across both layers, for
    /// one `--port` or (without it) every port of `--proto` (`any`: every
    /// protocol); needs the AKS cluster and its network in the inputs.
    Tenant,
    /// Subnets: `tusk reach` (every subnet pair for one `--port`).
    Subnet,
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
    /// Across both layers: who sends (`both`: a row per actor; `node`: an
    /// escaped container on the nodes hosting the row's pods).
    #[arg(long, value_enum, default_value = "both")]
    pub actor: ActorsArg,
    /// The flow's protocol and port (across both layers; `--grain subnet`).
    #[command(flatten)]
    pub conn: super::flow::ConnArgs,
    /// Refuse matrices with more allowed class pairs than this (memory guard).
    #[arg(long, default_value_t = 50_000_000, hide = true)]
    pub max_class_pairs: u64,
    /// Stream matrices with more rows than this instead of building them
    /// (memory guard: built rows cost about 700 bytes each at the peak, so
    /// the default holds about 700 MB; streamed ones, one source's rows).
    #[arg(long, default_value_t = 1_000_000, hide = true)]
    pub max_rows: u64,
    /// Refuse matrices with more rows than this even streamed (a bound on
    /// time and output: about 60 bytes a row, so the default is ~6 GB).
    #[arg(long, default_value_t = 100_000_000, hide = true)]
    pub max_stream_rows: u64,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ActorsArg {
    Pod,
    Node,
    Both,
}

/// Does this question go through the join (both layers)? The tenant grain
/// always does; the namespace, workload and pod grains do when a `--port`
/// is given and the inputs hold an AKS cluster and its network (without
/// them they stay the policy layer's matrix of every port).
fn cross_layer(args: &Args, loaded: &tusk_load::Loaded) -> bool {
    let estate = &loaded.estate;
    match args.grain {
        GrainArg::Tenant => true,
        GrainArg::Subnet => false,
        _ => args.conn.port.is_some() && !estate.clusters.is_empty() && !estate.azure.subnets.is_empty(),
    }
}

/// The isolation matrix across both layers at `--grain`, for one flow,
/// computed from context classes (`tusk_path::matrix`).
fn both_layers(args: &Args, loaded: &mut tusk_load::Loaded) -> anyhow::Result<ExitCode> {
    use tusk_path::join::{Actor, Ask};
    use tusk_path::matrix::{self, Grain as PathGrain};
    let t0 = std::time::Instant::now();
    let estate = &loaded.estate;
    let grain = match args.grain {
        GrainArg::Tenant => PathGrain::Tenant,
        GrainArg::Namespace => PathGrain::Namespace,
        GrainArg::Workload => PathGrain::Workload,
        GrainArg::Pod => PathGrain::Pod,
        GrainArg::Subnet => unreachable!("subnets are `tusk reach`"),
    };
    if estate.clusters.is_empty() || estate.azure.subnets.is_empty() {
        anyhow::bail!("--grain tenant needs the AKS cluster (managedClusters) and its network in the inputs");
    }
    let actors = match args.actor {
        ActorsArg::Pod => vec![Actor::Pod],
        ActorsArg::Node => vec![Actor::Node],
        ActorsArg::Both => vec![Actor::Pod, Actor::Node],
    };
    let (sem, why) = super::choose_semantics(args.policy_engine, estate);
    // The wiring also gives each pod without an address its pool's range,
    // which the policy engine and the explanations read alike.
    let w = tusk_path::join::wire(&mut loaded.estate);
    let estate = &loaded.estate;
    let p = tusk_network::Prepared::new(&w.net, &estate.config);
    let units = matrix::units(estate, &w, grain, &args.tenant_label)
        .map_err(|e| anyhow::anyhow!("{}", tusk_report::path_errors::too_few_units(&e)))?;
    let t_wire = t0.elapsed();
    if args.timings {
        // Printed now, so that a run cut short still says how far it got.
        eprintln!(
            "timings: wiring+prepare {:.3}s ({} nodes, {} units)",
            t_wire.as_secs_f64(),
            w.fleet.nodes.len(),
            units.len()
        );
    }
    let Some(port) = args.conn.port else {
        // Every port: one per-port matrix per port atom (`matrix::ports`).
        let run = super::matrix_ports::Run { grain, units: &units, actors: &actors, sem: &sem, why: &why };
        return super::matrix_ports::run(args, estate, &w, &p, run, t0);
    };
    let proto = args.conn.protocol("matrix --grain tenant")?;
    let ask = Ask { sem: &sem, actor: Actor::Pod, proto, port: Some(port), http: None, fqdn: None };
    let one = args.timings.then(|| one_trace(estate, &w, &p, &units, ask)).flatten();
    if let FormatArg::Dot | FormatArg::Connlist = args.output.format {
        anyhow::bail!("the matrix across both layers prints txt, json, csv or md")
    }
    // Cells are rendered as each row is done (`matrix_spill`): the matrix
    // itself is never held, so the time below includes rendering.
    let width = units.iter().map(|u| u.name.len()).max().unwrap_or(8).max(8);
    let mut spill = super::matrix_spill::Spill::new(&p, args.output.format, width)?;
    let mut cells = Counted { inner: &mut spill, cells: 0 };
    let stats = matrix::stream(estate, &w, &p, &units, &actors, ask, &mut cells);
    let n_cells = cells.cells;
    let t_matrix = t0.elapsed();
    let what = format!("{proto} port {port}; pod policy semantics: {} ({why})", tusk_report::k8s::semantics_text(&sem));
    args.output.write(|out| spill.finish(out, grain, &what, &stats))?;
    if args.timings {
        eprintln!(
            "timings: matrix {:.3}s ({} classes, {} pod keys, {} traces, {} cells), render {:.3}s",
            (t_matrix - t_wire).as_secs_f64(),
            stats.classes,
            stats.pod_keys,
            stats.traced,
            n_cells,
            (t0.elapsed() - t_matrix).as_secs_f64()
        );
        if let Some((t, from, to)) = one {
            eprintln!("timings: one end-to-end trace {from} → {to} (median of 101): {:.1} µs", t.as_secs_f64() * 1e6);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A sink that counts the cells it passes on (for `--timings`).
struct Counted<'a> {
    inner: &'a mut dyn tusk_path::matrix::Sink,
    cells: usize,
}

impl tusk_path::matrix::Sink for Counted<'_> {
    fn cell(&mut self, cell: tusk_path::matrix::Cell) {
        self.cells += 1;
        self.inner.cell(cell);
    }

    fn restart(&mut self) {
        self.cells = 0;
        self.inner.restart();
    }
}

/// The time of one end-to-end trace after load (median of 101), from the
/// first pod of the first unit to the first pod of the second, each on its
/// first feasible node: the benchmark's "one trace" figure.
fn one_trace(
    estate: &tusk_model::Estate,
    w: &tusk_path::join::Wiring,
    p: &tusk_network::Prepared,
    units: &[tusk_path::matrix::Unit],
    ask: tusk_path::join::Ask,
) -> Option<(std::time::Duration, String, String)> {
    use tusk_path::join::{End, Member};
    let member = |u: &tusk_path::matrix::Unit| {
        let pod = *u.pods.first()?;
        let node = *w.nodes_of(estate, pod).first()?;
        Some(End { name: u.name.clone(), members: vec![Member::Pod { pod, node, replica: 0 }], ..Default::default() })
    };
    let (a, b) = (member(units.first()?)?, member(units.get(1)?)?);
    let mut samples: Vec<std::time::Duration> = (0..101)
        .map(|_| {
            let t = std::time::Instant::now();
            std::hint::black_box(tusk_path::join::trace(estate, w, p, &a, &b, ask));
            t.elapsed()
        })
        .collect();
    samples.sort();
    let name = |e: &End| match e.members[0] {
        Member::Pod { pod, .. } => format!("{}/{}", estate.k8s.pods[pod].namespace, estate.k8s.pods[pod].name),
        _ => e.name.clone(),
    };
    Some((samples[50], name(&a), name(&b)))
}

/// `--grain subnet`: `tusk reach` (which stays as the alias it was).
fn subnets(args: Args) -> anyhow::Result<ExitCode> {
    let format = match args.output.format {
        FormatArg::Txt => crate::output::TxtOrJson::Txt,
        FormatArg::Json => crate::output::TxtOrJson::Json,
        _ => anyhow::bail!("--grain subnet prints txt or json (as `tusk reach`)"),
    };
    super::reach::run(super::reach::Args {
        paths: args.paths,
        conn: args.conn,
        output: OutputArgs { format, file: args.output.file },
        timings: args.timings,
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let GrainArg::Subnet = args.grain {
        return subnets(args);
    }
    let t0 = std::time::Instant::now();
    let mut loaded = super::load_for(&args.paths, &args.output)?;
    super::apply_pod_cidrs(&mut loaded, &args.pod_cidr)?;
    if cross_layer(&args, &loaded) {
        if args.timings {
            eprintln!("timings: load {:.3}s", t0.elapsed().as_secs_f64());
        }
        return both_layers(&args, &mut loaded);
    }
    if args.conn.port.is_some() {
        anyhow::bail!(
            "--port asks about one flow across both layers, which needs an AKS cluster and its network in the inputs (without them the matrix answers every port)"
        );
    }
    super::need_k8s(&loaded, "matrix")?;
    let t_load = t0.elapsed();
    let (sem, why) = super::choose_semantics(args.policy_engine, &loaded.estate);
    let described = format!("{} ({why})", tusk_report::k8s::semantics_text(&sem));
    let analysis = Analysis::new(&loaded.estate.k8s, sem);
    for n in analysis.notes() {
        eprintln!("{}", tusk_report::k8s::note(&n));
    }
    let t_analyze = t0.elapsed();
    let grain = match args.grain {
        GrainArg::Pod => Grain::Pod,
        GrainArg::Workload => Grain::Workload,
        GrainArg::Namespace => Grain::Namespace,
        GrainArg::Tenant | GrainArg::Subnet => unreachable!("handled above"),
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
    let mut rows = match analysis.matrix_at_most(grain, args.max_rows) {
        Ok(rows) => rows,
        // Too many rows to hold: written as they are produced (issue 8 C6).
        Err(n) if n <= args.max_stream_rows => {
            let r = super::matrix_stream::run(&args, &analysis, grain, format, &described, n);
            if args.timings {
                eprintln!(
                    "timings: load {:.3}s, analyze {:.3}s ({} classes), matrix and render, streamed {:.3}s",
                    t_load.as_secs_f64(),
                    (t_analyze - t_load).as_secs_f64(),
                    analysis.class_count(),
                    (t0.elapsed() - t_analyze).as_secs_f64()
                );
            }
            return r;
        }
        Err(n) => anyhow::bail!(
            "the matrix would have {n} rows (more than {}, even streamed): not written; --grain pod lists every replica of a \
             workload, and replicas of one template have the same rows — use --grain workload, narrow the inputs, or raise \
             --max-stream-rows",
            args.max_stream_rows
        ),
    };
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
    if format == MatrixFormat::Connlist {
        let cuts = (sem.engine == tusk_policy::PolicyEngine::NetpolAnalyzer)
            .then(|| tusk_report::k8s::netpol_analyzer_cuts(c));
        let text = tusk_report::k8s::render_connlist(c, &rows, cuts.as_ref());
        // netpol-analyzer's `{ingress-controller}` lines, at its grain.
        let extra = if grain == Grain::Workload && !c.ingresses.is_empty() {
            let r = tusk_policy::ingress_controller::reach(c, &sem);
            for u in tusk_report::k8s::ingress_controller_unknown(&r) {
                eprintln!("tusk: ingress controller: unknown: {u}");
            }
            tusk_report::k8s::ingress_controller_lines(c, &r)
        } else {
            Vec::new()
        };
        args.output.write_text(&tusk_report::k8s::with_lines(&text, extra))?;
    } else {
        // Name, in the human formats, the policies that made cells unknown.
        let unmodelled = tusk_policy::foreign::in_force(c, &sem);
        let note = matches!(format, MatrixFormat::Txt | MatrixFormat::Md) && !unmodelled.is_empty();
        let human = matches!(format, MatrixFormat::Txt | MatrixFormat::Md);
        let l7 = analysis.l7_column(&rows);
        args.output.write(|w| {
            write_matrix_l7(w, c, &rows, &l7, grain, &described, format)?;
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
