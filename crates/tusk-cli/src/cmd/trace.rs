//! `tusk trace PATH... --from A --to B [--port N] [--proto tcp|udp|icmp|any]
//! [--format txt|json]`: one flow through the Azure network, hop by hop,
//! and its reply. Exit 0 whatever the verdict (the verdict is data); 2 on
//! bad input, including an endpoint that names nothing.

use super::Format;
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_core::Protocol;
use tusk_network::{endpoint, trace, Flow, Prepared};

#[derive(clap::Args)]
pub struct Args {
    /// Input files or folders (ARM/REST JSON, `az` output, ARM templates).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Source: an IP, a NIC/VM/private endpoint name, `internet[:IP]` or `onprem[:IP]`.
    #[arg(long)]
    pub from: String,
    /// Destination, in the same notation as `--from`.
    #[arg(long)]
    pub to: String,
    /// Destination port (omitted: any port, so port-specific rules make the verdict unknown).
    #[arg(long)]
    pub port: Option<u16>,
    /// Protocol: tcp, udp, icmp, or any (traces each of the three).
    #[arg(long, default_value = "tcp")]
    pub proto: String,
    #[arg(long, value_enum, default_value = "txt")]
    pub format: Format,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let loaded = super::load(&a.paths)?;
    super::need_azure(&loaded, "trace")?;
    let p = Prepared::with_config(&loaded.estate.azure, &loaded.estate.config);
    let from = endpoint::resolve(&p, &a.from).map_err(|e| anyhow::anyhow!("--from: {e}"))?;
    let to = endpoint::resolve(&p, &a.to).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    let protos: Vec<Protocol> = match a.proto.to_ascii_lowercase().as_str() {
        "any" => vec![Protocol::Tcp, Protocol::Udp, Protocol::Icmp],
        "tcp" | "udp" | "icmp" => vec![Protocol::parse(&a.proto).expect("checked above")],
        other => anyhow::bail!("--proto: `{other}` is not tcp, udp, icmp or any"),
    };
    let traces: Vec<trace::Trace> = protos
        .into_iter()
        .map(|proto| trace::trace(&p, &from, &to, Flow { src: from.ip(), dst: to.ip(), proto, port: a.port }))
        .collect();
    let out = match a.format {
        Format::Txt => traces.iter().map(tusk_report::azure::trace_text::render).collect::<Vec<_>>().join("\n"),
        Format::Json if traces.len() == 1 => tusk_report::azure::trace_json::render(&traces[0]),
        Format::Json => tusk_report::azure::trace_json::render_any(&traces),
    };
    super::print(&out)
}
