//! `tusk trace PATH... --from A --to B [--port N] [--proto tcp|udp|icmp|esp|ah|any]
//! [--format txt|json]`: one flow through the Azure network, hop by hop,
//! and its reply. `--from` / `--to` take the notation of
//! `docs/endpoints.md`; an end that stands for several addresses (a
//! subnet, a VM with several NICs, a CIDR) is traced for every member pair
//! and answered with the group verdict. Exit 0 whatever the verdict (the
//! verdict is data); 2 on bad input, including an endpoint that names
//! nothing or several things.

use super::flow::FlowArgs;
use super::Format;
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
    #[arg(long, value_enum, default_value = "txt")]
    pub format: Format,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let loaded = super::load(&a.paths)?;
    let p = Prepared::with_config(&loaded.estate.azure, &loaded.estate.config);
    let from = resolve_group(&p, &a.flow.from).map_err(|e| anyhow::anyhow!("--from: {e}"))?;
    let to = resolve_group(&p, &a.flow.to).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    let protos = a.flow.conn.protocols();
    let port = a.flow.conn.port;
    let single = from.members.len() == 1 && to.members.len() == 1;
    if single && protos.len() > 1 {
        let (f, t) = (&from.members[0], &to.members[0]);
        let traces: Vec<trace::Trace> = protos
            .into_iter()
            .map(|proto| trace::trace(&p, f, t, Flow { src: f.ip(), dst: t.ip(), proto, port }))
            .collect();
        let samples = [&from, &to].iter().filter_map(|g| g.sample.map(|s| (g.name.clone(), s))).collect::<Vec<_>>();
        let notes: String = samples
            .iter()
            .map(|(e, s)| format!("sample: {}\n", tusk_report::azure::trace_group::sample_note(e, *s)))
            .collect();
        let out = match a.format {
            Format::Txt => {
                notes + &traces.iter().map(tusk_report::azure::trace_text::render).collect::<Vec<_>>().join("\n")
            }
            Format::Json => tusk_report::azure::trace_json::render_any(&traces),
        };
        return super::print(&out);
    }
    let proto = a.flow.conn.protocol("trace between groups")?;
    let g = group_trace::trace_group(&p, &from, &to, proto, port);
    if g.traces.is_empty() {
        anyhow::bail!("--from and --to name the same single address");
    }
    let out = match a.format {
        Format::Txt => tusk_report::azure::trace_group::render_text(&g),
        Format::Json => tusk_report::azure::trace_group::render_json(&g),
    };
    super::print(&out)
}
