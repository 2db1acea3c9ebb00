//! `tusk explain`: every policy and rule that allowed, denied or passed one
//! flow, with file:line, at the source (egress) and destination (ingress).
//! `--from` / `--to` take the notation of `docs/endpoints.md`, resolved by
//! `tusk_policy::endpoint`; a workload (or a CIDR) is every one of its pods,
//! answered with the group verdict (allowed / denied only when every pod
//! pair is, mixed when both occur) and the verdict of each pair.

use super::flow::FlowArgs;
use super::{emit, load, EngineArg};
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_core::{GroupKind, GroupReach, Kind, Reach};
use tusk_policy::endpoint::{resolve, Group};
use tusk_policy::explain::{explain, Explanation, Verdict};
use tusk_policy::Analysis;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    Txt,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// `--from` / `--to`: `pod:NS/NAME`, `workload:NS/NAME` (every pod of
    /// it), `NS/NAME` (either), an IP or a CIDR. Without --port, tusk prints
    /// the allowed connections of the pair.
    #[command(flatten)]
    pub flow: FlowArgs,
    #[arg(long, value_enum, default_value = "upstream")]
    pub policy_engine: EngineArg,
    #[arg(long, value_enum, default_value = "txt")]
    pub format: FormatArg,
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

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let loaded = load(&args.paths)?;
    let c = &loaded.estate.k8s;
    let sem = args.policy_engine.semantics();
    let src = resolve(c, &args.flow.from).map_err(|e| anyhow::anyhow!("--from: {e}"))?;
    let dst = resolve(c, &args.flow.to).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    let proto = args.flow.conn.protocol("explain")?;
    let pairs: Vec<(&tusk_policy::endpoint::Member, &tusk_policy::endpoint::Member)> =
        src.members.iter().flat_map(|a| dst.members.iter().map(move |b| (a, b))).collect();
    let notes = sample_notes([&src, &dst]);
    let port = match (args.flow.conn.port, proto.has_ports()) {
        (Some(p), _) => p,
        (None, false) => 0,
        (None, true) => {
            let analysis = Analysis::new(c, sem);
            let reaches: Vec<Reach> = pairs
                .iter()
                .map(|(a, b)| {
                    let (allowed, unknown) = analysis.pair(a.end, b.end);
                    Reach::new(allowed, unknown)
                })
                .collect();
            let g = GroupReach::of(&reaches);
            let (from, to) = if pairs.len() == 1 {
                (pairs[0].0.label.clone(), pairs[0].1.label.clone())
            } else {
                (src.name.clone(), dst.name.clone())
            };
            let mut out = format!("{notes}flow: {from} -> {to}\nsemantics: {}\n\n", sem.describe());
            if pairs.len() == 1 {
                out += &format!("allowed: {}\n", g.allowed);
            } else {
                out += &format!("allowed for every pod pair: {}\n", g.allowed);
                if !g.mixed.is_empty() {
                    out += &format!("mixed (allowed for some pod pairs, denied for others): {}\n", g.mixed);
                }
            }
            if !g.unknown.is_empty() {
                out += &format!("unknown (depends on pod IPs the input lacks): {}\n", g.unknown);
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
            emit(&out, None)?;
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
    let explained: Vec<(String, Explanation)> =
        pairs.iter().map(|(a, b)| (flow_of(&a.label, &b.label), explain(c, &sem, a.end, b.end, proto, port))).collect();
    let text = match (args.format, explained.as_slice()) {
        (FormatArg::Txt, [(flow, e)]) => notes + &tusk_report::k8s::render_explanation(flow, &sem.describe(), e),
        (FormatArg::Json, [(flow, e)]) => tusk_report::k8s::render_explanation_json(flow, &sem.describe(), e),
        (format, _) => {
            let verdict = GroupKind::of_kinds(explained.iter().map(|(_, e)| kind(&e.verdict)));
            let flow = flow_of(&src.name, &dst.name);
            let samples: Vec<&String> = [&src, &dst].iter().filter_map(|g| g.sample.as_ref()).collect();
            match format {
                FormatArg::Txt => {
                    tusk_report::k8s::render_group_text(&notes, &flow, &sem.describe(), verdict, &explained)
                }
                FormatArg::Json => {
                    tusk_report::k8s::render_group_json(&flow, &sem.describe(), verdict, &samples, &explained)
                }
            }
        }
    };
    emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}
