//! `tusk trace PATH... --from A --to B [--port N] [--proto tcp|udp|icmp|esp|ah|any]
//! [-o txt|json] [--file PATH]`: one flow through the Azure network, hop by hop,
//! and its reply. `--from` / `--to` take the notation of
//! `docs/endpoints.md`; an end that stands for several addresses (a
//! subnet, a VM with several NICs, a CIDR) is traced for every member pair
//! and answered with the group verdict. Exit 0 whatever the verdict (the
//! verdict is data); 2 on bad input, including an endpoint that names
//! nothing or several things.

use super::flow::FlowArgs;
use crate::output::{OutputArgs, TxtOrJson};
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_network::endpoint::resolve_group;
use tusk_network::{group_trace, trace, Flow, Prepared};

#[derive(clap::Args)]
pub struct Args {
    /// Input files or folders (ARM/REST JSON, `az` output, ARM templates).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub flow: FlowArgs,
    /// The name the client uses (TLS SNI / HTTP Host), for Azure Firewall
    /// application rules and network rules on FQDNs.
    #[arg(long)]
    pub fqdn: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs<TxtOrJson>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let loaded = super::load(&a.paths)?;
    super::need_subnets(&loaded, "trace")?;
    let p = Prepared::new(&loaded.estate.azure, &loaded.estate.config);
    let from = resolve_group(&p, &a.flow.from).map_err(|e| anyhow::anyhow!("--from: {e}"))?;
    let to = resolve_group(&p, &a.flow.to).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    let protos = a.flow.conn.protocols();
    let port = a.flow.conn.port;
    let single = from.members.len() == 1 && to.members.len() == 1;
    if single && protos.len() > 1 {
        let (f, t) = (&from.members[0], &to.members[0]);
        let traces: Vec<trace::Trace> = protos
            .into_iter()
            .map(|proto| {
                trace::trace_named(&p, f, t, Flow { src: f.ip(), dst: t.ip(), proto, port }, a.fqdn.as_deref())
            })
            .collect();
        let samples = [&from, &to].iter().filter_map(|g| g.sample.map(|s| (g.name.clone(), s))).collect::<Vec<_>>();
        let notes: String = samples
            .iter()
            .map(|(e, s)| format!("sample: {}\n", tusk_report::azure::trace_group::sample_note(e, *s)))
            .collect();
        use tusk_report::azure::trace_json;
        match a.output.format {
            TxtOrJson::Txt => a.output.write_text(
                &(notes
                    + &traces
                        .iter()
                        .map(|t| tusk_report::azure::trace_text::render(&p, t))
                        .collect::<Vec<_>>()
                        .join("\n")),
            )?,
            TxtOrJson::Json => {
                // The engine decides what "some protocol" answers; the reporter words it.
                let any = tusk_network::any_protocol::any_protocol(&traces);
                a.output.write(|w| trace_json::write_any(w, &p, &any, &traces))?
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let proto = a.flow.conn.protocol("trace between groups")?;
    let g = group_trace::trace_group(&p, &from, &to, proto, port, a.fqdn.as_deref());
    if g.traces.is_empty() {
        anyhow::bail!("--from and --to name the same single address");
    }
    match a.output.format {
        TxtOrJson::Txt => a.output.write_text(&tusk_report::azure::trace_group::render_text(&p, &g))?,
        TxtOrJson::Json => a.output.write_text(&tusk_report::azure::trace_group::render_json(&p, &g))?,
    }
    Ok(ExitCode::SUCCESS)
}
