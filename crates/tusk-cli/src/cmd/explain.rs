//! `tusk explain`: every policy and rule that allowed, denied or passed one
//! flow, with file:line, at the source (egress) and destination (ingress).
//! `--from` / `--to` take the notation of `docs/endpoints.md`, resolved by
//! `tusk_policy::endpoint`; a workload (or a CIDR) is every one of its pods,
//! answered with the group verdict (allowed / denied only when every pod
//! pair is, mixed when both occur) and the verdict of each pair. A
//! destination that is a Service (`svc:NS/NAME`, or its ClusterIP) is
//! judged at each of its endpoint pods, on their target ports.

use super::flow::FlowArgs;
use super::EngineArg;
use crate::output::{OutputArgs, TxtOrJson};
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_core::{FlowEnd as Notation, GroupKind, GroupReach, Idx, Kind, Protocol, Reach};
use tusk_model::k8s::{Cluster, Service};
use tusk_policy::endpoint::{resolve, Group, Member};
use tusk_policy::explain::{explain_l7, Explanation, FlowEnd, Verdict};
use tusk_policy::Analysis;

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// `--from` / `--to`: `pod:NS/NAME`, `workload:NS/NAME` (every pod of
    /// it), `NS/NAME` (either), an IP or a CIDR. Without --port, tusk prints
    /// the allowed connections of the pair.
    #[command(flatten)]
    pub flow: FlowArgs,
    /// The network policy engine (default: the AKS cluster's
    /// `networkPolicy`, else upstream).
    #[arg(long, value_enum)]
    pub policy_engine: Option<EngineArg>,
    #[command(flatten)]
    pub output: OutputArgs<TxtOrJson>,
    /// Where pod IPs lie (repeatable, or a comma-separated list), for pods the
    /// inputs give no IP; overrides `podCidrs:` of a tusk.yaml.
    #[arg(long = "pod-cidr", value_delimiter = ',', num_args = 1..)]
    pub pod_cidr: Vec<String>,
}

/// A destination that is a Service (`svc:NS/NAME`, or an address that is no
/// pod's but a Service's ClusterIP): its index and its name for the output.
fn resolve_service(c: &Cluster, to: &Notation) -> anyhow::Result<Option<(Idx<Service>, String)>> {
    match to {
        Notation::Service { namespace, name } => {
            let i = c
                .services
                .iter()
                .position(|s| &s.namespace == namespace && &s.name == name)
                .map(Idx::new)
                .ok_or_else(|| anyhow::anyhow!("--to: no Service `{namespace}/{name}` in the inputs"))?;
            Ok(Some((i, format!("svc {namespace}/{name}"))))
        }
        Notation::Address(ip) if !c.pods.iter().any(|p| p.ips.contains(ip)) => {
            Ok(tusk_policy::services::by_cluster_ip(c, *ip).map(|i| {
                let s = &c.services[i];
                (i, format!("svc {}/{} ({ip})", s.namespace, s.name))
            }))
        }
        _ => Ok(None),
    }
}

fn kind(v: &Verdict) -> Kind {
    match v {
        Verdict::Allowed => Kind::Allowed,
        Verdict::Denied => Kind::Denied,
        Verdict::Unknown(_) => Kind::Unknown,
    }
}

fn sample_notes(groups: [&Group; 2]) -> String {
    groups
        .iter()
        .filter_map(|g| g.sample.as_ref())
        .map(|s| format!("sample: `{s}` stands for more addresses than were evaluated; one address outside the cluster stands for the rest\n"))
        .collect()
}

/// At most this many pod pairs are explained one by one.
const MAX_PAIRS: u64 = 1_000_000;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut loaded = super::load_for(&args.paths, &args.output)?;
    super::apply_pod_cidrs(&mut loaded, &args.pod_cidr)?;
    super::need_k8s(&loaded, "explain")?;
    let c = &loaded.estate.k8s;
    let (sem, why) = super::choose_semantics(args.policy_engine, &loaded.estate);
    let described = format!("{} ({why})", tusk_report::k8s::semantics_text(&sem));
    for n in tusk_policy::foreign::not_enforced(c, &sem) {
        eprintln!("{}", tusk_report::k8s::note(&n));
    }
    let src =
        resolve(c, &args.flow.from).map_err(|e| anyhow::anyhow!("--from: {}", tusk_report::k8s::end_error(&e)))?;
    let proto = args.flow.conn.protocol("explain")?;
    if let Some((svc, svc_name)) = resolve_service(c, &args.flow.to)? {
        let [m] = src.members.as_slice() else {
            anyhow::bail!(
                "--from `{}` stands for {} pods; a flow to a Service is explained from one source (name a pod)",
                src.name,
                src.members.len()
            );
        };
        return service(&args, c, &sem, &described, (m.end, &m.label), (svc, &svc_name), proto);
    }
    let dst = resolve(c, &args.flow.to).map_err(|e| anyhow::anyhow!("--to: {}", tusk_report::k8s::end_error(&e)))?;
    // Each member is one pod (or address): a template's replicas are
    // listed one by one, so refuse what would not fit in memory.
    let count = src.members.len() as u64 * dst.members.len() as u64;
    if count > MAX_PAIRS {
        anyhow::bail!(
            "`{}` -> `{}` stands for {count} pod pairs (more than {MAX_PAIRS}); name a pod on one side (`tusk matrix --grain workload` answers whole workloads)",
            src.name,
            dst.name
        );
    }
    let pairs: Vec<(&Member, &Member)> =
        src.members.iter().flat_map(|a| dst.members.iter().map(move |b| (a, b))).collect();
    let notes = sample_notes([&src, &dst]);
    let port = match (args.flow.conn.port, proto.has_ports()) {
        (Some(p), _) => p,
        (None, false) => 0,
        (None, true) => {
            // The pair summary has no JSON shape (tusk.explain/v1 is one flow).
            if args.output.format == TxtOrJson::Json {
                anyhow::bail!("-o json explains one flow: give --port (the pair summary is text only)");
            }
            let analysis = Analysis::new(c, sem);
            let reach = |a: &Member, b: &Member| if a.same_pod(b) { Reach::all() } else { analysis.pair(a.end, b.end) };
            let reaches: Vec<Reach> = pairs.iter().map(|(a, b)| reach(a, b)).collect();
            let g = GroupReach::of(&reaches);
            let (from, to) = if pairs.len() == 1 {
                (pairs[0].0.label.clone(), pairs[0].1.label.clone())
            } else {
                (src.name.clone(), dst.name.clone())
            };
            let mut out = format!("{notes}flow: {from} -> {to}\nsemantics: {described}\n\n");
            if pairs.len() == 1 {
                out += &format!("allowed: {}\n", g.allowed);
            } else {
                out += &format!("allowed for every pod pair: {}\n", g.allowed);
                if !g.mixed.is_empty() {
                    out += &format!("mixed (allowed for some pod pairs, denied for others): {}\n", g.mixed);
                }
            }
            if !g.unknown.is_empty() {
                out += &format!(
                    "unknown (depends on inputs tusk lacks or does not model; see the warnings and --port): {}\n",
                    g.unknown
                );
            }
            if pairs.len() > 1 {
                out += "\nper pod pair:\n";
                for ((a, b), r) in pairs.iter().zip(&reaches) {
                    out += &format!("  {} -> {}: allowed {}", a.label, b.label, r.allowed());
                    if !r.unknown().is_empty() {
                        out += &format!("; unknown {}", r.unknown());
                    }
                    out.push('\n');
                }
            }
            out += "\nadd --port N (and --proto) to see the rule that decides each side\n";
            args.output.write_text(&out)?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let flow_of = |a: &str, b: &str| {
        if proto.has_ports() {
            format!("{a} -> {b} {proto} {port}")
        } else {
            format!("{a} -> {b} {proto}")
        }
    };
    let http = args.flow.http.request();
    let one = |a: &Member, b: &Member| {
        if a.same_pod(b) {
            let why = tusk_policy::explain::Admission::SelfTraffic;
            tusk_policy::explain::admitted(c, &sem, a.end, b.end, proto, port, http.as_ref(), why)
        } else {
            explain_l7(c, &sem, a.end, b.end, proto, port, http.as_ref())
        }
    };
    let explained: Vec<(String, Explanation)> =
        pairs.iter().map(|(a, b)| (flow_of(&a.label, &b.label), one(a, b))).collect();
    match (args.output.format, explained.as_slice()) {
        (TxtOrJson::Txt, [(flow, e)]) => {
            args.output.write_text(&(notes + &tusk_report::k8s::render_explanation(flow, &described, e)))?
        }
        (TxtOrJson::Json, [(flow, e)]) => {
            args.output.write(|w| tusk_report::k8s::write_explanation_json(w, flow, &described, e))?
        }
        (format, _) => {
            let verdict = GroupKind::of_kinds(explained.iter().map(|(_, e)| kind(&e.verdict)));
            let flow = flow_of(&src.name, &dst.name);
            let samples: Vec<&String> = [&src, &dst].iter().filter_map(|g| g.sample.as_ref()).collect();
            let text = match format {
                TxtOrJson::Txt => tusk_report::k8s::render_group_text(&notes, &flow, &described, verdict, &explained),
                TxtOrJson::Json => {
                    tusk_report::k8s::render_group_json(&flow, &described, verdict, &samples, &explained)
                }
            };
            args.output.write_text(&text)?
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A flow to a Service: each endpoint pod on its target port.
fn service(
    args: &Args,
    c: &Cluster,
    sem: &tusk_policy::Semantics,
    described: &str,
    (src, src_name): (FlowEnd, &str),
    (svc, svc_name): (Idx<Service>, &str),
    proto: Protocol,
) -> anyhow::Result<ExitCode> {
    let Some(port) = args.flow.conn.port else {
        let analysis = Analysis::new(c, *sem);
        let (r, notes) = tusk_policy::services::pair(&analysis, src, svc);
        let (allowed, unknown) = (r.allowed(), r.unknown());
        let mut out = format!(
            "flow: {src_name} -> {svc_name}\nsemantics: {described}\n\nallowed (service ports, to every endpoint): {allowed}\n"
        );
        if !unknown.is_empty() {
            out += &format!("unknown (some endpoints, or endpoints not in the input): {unknown}\n");
        }
        for n in notes {
            out += &format!("  {}\n", tusk_report::k8s::reason_text(&n));
        }
        out += "\nadd --port N (and --proto) to see the rules that decide each endpoint\n";
        args.output.write_text(&out)?;
        return Ok(ExitCode::SUCCESS);
    };
    let http = args.flow.http.request();
    let e = tusk_policy::services::explain_service_l7(c, sem, src, svc, proto, port, http.as_ref());
    let flow = format!("{src_name} -> {svc_name} {proto} {port}");
    let text = match args.output.format {
        TxtOrJson::Txt => tusk_report::k8s::render_service_explanation(c, &flow, described, &e),
        TxtOrJson::Json => tusk_report::k8s::render_service_explanation_json(c, &flow, described, &e),
    };
    args.output.write_text(&text)?;
    Ok(ExitCode::SUCCESS)
}
