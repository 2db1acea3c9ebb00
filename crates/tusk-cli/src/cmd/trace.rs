//! `tusk trace PATH... --from A --to B [--port N] [--proto tcp|udp|icmp|any]
//! [-o txt|json] [--file PATH]`: one flow through the Azure network, hop by hop,
//! and its reply. Exit 0 whatever the verdict (the verdict is data); 2 on
//! bad input, including an endpoint that names nothing.

use crate::output::{OutputArgs, TxtOrJson};
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
    /// The name the client uses (TLS SNI / HTTP Host), for Azure Firewall application rules and network rules on FQDNs.
    #[arg(long)]
    pub fqdn: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs<TxtOrJson>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let loaded = super::load(&a.paths)?;
    super::need_subnets(&loaded, "trace")?;
    let p = Prepared::new(&loaded.estate.azure, &loaded.estate.config);
    let from = endpoint::resolve(&p, &a.from).map_err(|e| anyhow::anyhow!("--from: {e}"))?;
    let to = endpoint::resolve(&p, &a.to).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    let protos: Vec<Protocol> = match a.proto.to_ascii_lowercase().as_str() {
        "any" => vec![Protocol::Tcp, Protocol::Udp, Protocol::Icmp],
        "tcp" | "udp" | "icmp" => vec![Protocol::parse(&a.proto).expect("checked above")],
        other => anyhow::bail!("--proto: `{other}` is not tcp, udp, icmp or any"),
    };
    let traces: Vec<trace::Trace> = protos
        .into_iter()
        .map(|proto| {
            trace::trace_named(
                &p,
                &from,
                &to,
                Flow { src: from.ip(), dst: to.ip(), proto, port: a.port },
                a.fqdn.as_deref(),
            )
        })
        .collect();
    use tusk_report::azure::trace_json;
    match a.output.format {
        TxtOrJson::Txt => a.output.write_text(
            &traces.iter().map(|t| tusk_report::azure::trace_text::render(&p, t)).collect::<Vec<_>>().join("\n"),
        )?,
        TxtOrJson::Json if traces.len() == 1 => a.output.write(|w| trace_json::write(w, &p, &traces[0]))?,
        TxtOrJson::Json => {
            // The engine decides what "some protocol" answers; the reporter words it.
            let any = tusk_network::any_protocol::any_protocol(&traces);
            a.output.write(|w| trace_json::write_any(w, &p, &any, &traces))?
        }
    }
    Ok(ExitCode::SUCCESS)
}
