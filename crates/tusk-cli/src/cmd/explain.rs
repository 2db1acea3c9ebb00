//! `tusk explain`: every policy and rule that allowed, denied or passed one
//! flow, with file:line, at the source (egress) and destination (ingress).

use super::{emit, load, EngineArg};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_core::Protocol;
use tusk_model::k8s::Cluster;
use tusk_policy::explain::{explain, FlowEnd};
use tusk_policy::Analysis;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ProtoArg {
    Tcp,
    Udp,
    Sctp,
    Icmp,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    Txt,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Source: NAMESPACE/POD, NAMESPACE/WORKLOAD (its first pod), or an IP address.
    #[arg(long)]
    pub from: String,
    /// Destination, in the same forms as --from.
    #[arg(long)]
    pub to: String,
    /// Destination port; without it, tusk prints the allowed connections of the pair.
    #[arg(long)]
    pub port: Option<u16>,
    #[arg(long, value_enum, default_value = "tcp")]
    pub proto: ProtoArg,
    #[arg(long, value_enum, default_value = "upstream")]
    pub policy_engine: EngineArg,
    #[arg(long, value_enum, default_value = "txt")]
    pub format: FormatArg,
}

/// Resolves `ns/name` to a pod (by pod name, then workload name) or an IP.
fn resolve(c: &Cluster, what: &str) -> anyhow::Result<(FlowEnd, String)> {
    if let Ok(ip) = what.parse::<IpAddr>() {
        if let Some(i) = c.pods.iter().position(|p| p.ips.contains(&ip)) {
            return Ok((FlowEnd::Pod(i), format!("{}/{} ({ip})", c.pods[i].namespace, c.pods[i].name)));
        }
        return Ok((FlowEnd::Address(ip), ip.to_string()));
    }
    let (ns, name) =
        what.split_once('/').ok_or_else(|| anyhow::anyhow!("`{what}`: expected NAMESPACE/NAME or an IP address"))?;
    if let Some(i) = c.pods.iter().position(|p| p.namespace == ns && p.name == name) {
        return Ok((FlowEnd::Pod(i), what.to_string()));
    }
    if let Some(i) = c.pods.iter().position(|p| {
        let w = &c.workloads[p.workload];
        w.namespace == ns && w.name == name
    }) {
        let w = &c.workloads[c.pods[i].workload];
        return Ok((FlowEnd::Pod(i), format!("{ns}/{name}[{}] (pod {})", w.kind.name(), c.pods[i].name)));
    }
    let known: Vec<String> =
        c.workloads.iter().filter(|w| w.namespace == ns).map(|w| w.name.clone()).take(10).collect();
    anyhow::bail!(
        "no pod or workload `{what}`; workloads in namespace `{ns}`: {}",
        if known.is_empty() { "none".into() } else { known.join(", ") }
    )
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let loaded = load(&args.paths)?;
    super::need_k8s(&loaded, "explain")?;
    let c = &loaded.estate.k8s;
    let sem = args.policy_engine.semantics();
    let (src, src_name) = resolve(c, &args.from)?;
    let (dst, dst_name) = resolve(c, &args.to)?;
    let proto = match args.proto {
        ProtoArg::Tcp => Protocol::Tcp,
        ProtoArg::Udp => Protocol::Udp,
        ProtoArg::Sctp => Protocol::Sctp,
        ProtoArg::Icmp => Protocol::Icmp,
    };
    let port = match (args.port, proto) {
        (Some(p), _) => p,
        (None, Protocol::Icmp) => 0,
        (None, _) => {
            let analysis = Analysis::new(c, sem);
            let (allowed, unknown) = analysis.pair(src, dst);
            let mut out =
                format!("flow: {src_name} -> {dst_name}\nsemantics: {}\n\nallowed: {allowed}\n", sem.describe());
            if !unknown.is_empty() {
                out += &format!("unknown (depends on pod IPs the input lacks): {unknown}\n");
            }
            out += "\nadd --port N (and --proto) to see the rule that decides each side\n";
            emit(&out, None)?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let e = explain(c, &sem, src, dst, proto, port);
    let flow = if proto == Protocol::Icmp {
        format!("{src_name} -> {dst_name} ICMP")
    } else {
        format!("{src_name} -> {dst_name} {proto} {port}")
    };
    let text = match args.format {
        FormatArg::Txt => tusk_report::k8s::render_explanation(&flow, &sem.describe(), &e),
        FormatArg::Json => tusk_report::k8s::render_explanation_json(&flow, &sem.describe(), &e),
    };
    emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}
