//! `tusk explain`: every policy and rule that allowed, denied or passed one
//! flow, with file:line, at the source (egress) and destination (ingress).

use super::{load, EngineArg};
use crate::output::{OutputArgs, TxtOrJson};
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

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Source: NAMESPACE/POD, NAMESPACE/WORKLOAD (its first pod), or an IP address.
    #[arg(long)]
    pub from: String,
    /// Destination, in the same forms as --from, or a Service: its ClusterIP
    /// or `svc:NAMESPACE/NAME` (the flow goes to each endpoint pod).
    #[arg(long)]
    pub to: String,
    /// Destination port; without it, tusk prints the allowed connections of the pair.
    #[arg(long)]
    pub port: Option<u16>,
    #[arg(long, value_enum, default_value = "tcp")]
    pub proto: ProtoArg,
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

/// A destination that is a Service (`svc:NS/NAME` or a ClusterIP).
fn resolve_service(c: &Cluster, what: &str) -> anyhow::Result<Option<(usize, String)>> {
    if let Some(rest) = what.strip_prefix("svc:") {
        let (ns, name) =
            rest.split_once('/').ok_or_else(|| anyhow::anyhow!("`{what}`: expected svc:NAMESPACE/NAME"))?;
        let i = c
            .services
            .iter()
            .position(|s| s.namespace == ns && s.name == name)
            .ok_or_else(|| anyhow::anyhow!("no Service `{ns}/{name}` in the inputs"))?;
        return Ok(Some((i, format!("svc {ns}/{name}"))));
    }
    let Ok(ip) = what.parse::<IpAddr>() else { return Ok(None) };
    if c.pods.iter().any(|p| p.ips.contains(&ip)) {
        return Ok(None);
    }
    Ok(tusk_policy::services::by_cluster_ip(c, ip).map(|i| {
        let s = &c.services[i];
        (i, format!("svc {}/{} ({ip})", s.namespace, s.name))
    }))
}

/// Resolves `ns/name` to a pod (by pod name, then workload name) or an IP.
fn resolve(c: &Cluster, what: &str) -> anyhow::Result<(FlowEnd, String)> {
    if what.starts_with("svc:") {
        anyhow::bail!("`{what}`: a Service is only a destination (--to)");
    }
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
    let mut loaded = load(&args.paths)?;
    super::apply_pod_cidrs(&mut loaded, &args.pod_cidr)?;
    let c = &loaded.estate.k8s;
    let (sem, why) = super::choose_semantics(args.policy_engine, &loaded.estate);
    let described = format!("{} ({why})", sem.describe());
    for n in tusk_policy::foreign::not_enforced(c, &sem) {
        eprintln!("{n}");
    }
    let (src, src_name) = resolve(c, &args.from)?;
    let proto = match args.proto {
        ProtoArg::Tcp => Protocol::Tcp,
        ProtoArg::Udp => Protocol::Udp,
        ProtoArg::Sctp => Protocol::Sctp,
        ProtoArg::Icmp => Protocol::Icmp,
    };
    if let Some((svc, svc_name)) = resolve_service(c, &args.to)? {
        return service(&args, c, &sem, &described, (src, &src_name), (svc, &svc_name), proto);
    }
    let (dst, dst_name) = resolve(c, &args.to)?;
    let port = match (args.port, proto) {
        (Some(p), _) => p,
        (None, Protocol::Icmp) => 0,
        (None, _) => {
            // The pair summary has no JSON shape (tusk.explain/v1 is one flow).
            if args.output.format == TxtOrJson::Json {
                anyhow::bail!("-o json explains one flow: give --port (the pair summary is text only)");
            }
            let analysis = Analysis::new(c, sem);
            let r = analysis.pair(src, dst);
            let (allowed, unknown) = (r.allowed(), r.unknown());
            let mut out = format!("flow: {src_name} -> {dst_name}\nsemantics: {}\n\nallowed: {allowed}\n", described);
            if !unknown.is_empty() {
                out += &format!("unknown (depends on inputs tusk lacks or does not model; see the warnings and --port): {unknown}\n");
            }
            out += "\nadd --port N (and --proto) to see the rule that decides each side\n";
            args.output.write_text(&out)?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let e = explain(c, &sem, src, dst, proto, port);
    let flow = if proto == Protocol::Icmp {
        format!("{src_name} -> {dst_name} ICMP")
    } else {
        format!("{src_name} -> {dst_name} {proto} {port}")
    };
    match args.output.format {
        TxtOrJson::Txt => args.output.write_text(&tusk_report::k8s::render_explanation(&flow, &described, &e))?,
        TxtOrJson::Json => args.output.write(|w| tusk_report::k8s::write_explanation_json(w, &flow, &described, &e))?,
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
    (svc, svc_name): (usize, &str),
    proto: Protocol,
) -> anyhow::Result<ExitCode> {
    let Some(port) = args.port else {
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
    let e = tusk_policy::services::explain_service(c, sem, src, svc, proto, port);
    let flow = format!("{src_name} -> {svc_name} {proto} {port}");
    let text = match args.output.format {
        TxtOrJson::Txt => tusk_report::k8s::render_service_explanation(c, &flow, described, &e),
        TxtOrJson::Json => tusk_report::k8s::render_service_explanation_json(c, &flow, described, &e),
    };
    args.output.write_text(&text)?;
    Ok(ExitCode::SUCCESS)
}
