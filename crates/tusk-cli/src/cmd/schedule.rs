//! `tusk schedule PATH... [--tenant-label KEY] [-o txt|json] [--file PATH]`: per
//! workload, the pools and zones its pods can run on, a simulated
//! placement, what one node's and each zone's failure takes away, and
//! which tenants (namespaces grouped by the label KEY) can share a node.

use crate::output::{OutputArgs, TxtOrJson};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Namespace label whose value names a namespace's tenant.
    #[arg(long, value_name = "KEY")]
    pub tenant_label: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs<TxtOrJson>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let loaded = super::load_for(&a.paths, &a.output)?;
    let estate = &loaded.estate;
    let fleet = tusk_path::materialise(estate, false);
    let s = tusk_path::schedule(estate, &fleet);
    for w in fleet.warnings.iter().chain(&s.warnings).chain(&tusk_path::addressing::check_exported_ips(estate, &fleet))
    {
        eprintln!("{w}");
    }
    let r = tusk_path::impact::report(estate, &fleet, &s, a.tenant_label.as_deref());
    match a.output.format {
        TxtOrJson::Txt => a.output.write_text(&tusk_report::schedule::text(&r))?,
        TxtOrJson::Json => a.output.write_text(&tusk_report::schedule::json(&r))?,
    }
    Ok(ExitCode::SUCCESS)
}
