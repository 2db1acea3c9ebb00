//! `tusk routes PATH... --subnet VNET/SUBNET [--format txt|json]`: the
//! subnet's effective routes, as Network Watcher lists them.

use super::Format;
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_network::{nsg::find_subnet, Prepared};

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The subnet, as `vnet/subnet`.
    #[arg(long)]
    pub subnet: String,
    #[arg(long, value_enum, default_value = "txt")]
    pub format: Format,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let loaded = super::load(&a.paths)?;
    super::need_azure(&loaded, "routes")?;
    let p = Prepared::with_config(&loaded.estate.azure, &loaded.estate.config);
    let s = find_subnet(&p, &a.subnet)
        .ok_or_else(|| anyhow::anyhow!("--subnet: no subnet `{}` in the inputs", a.subnet))?;
    let r = &p.routes[s];
    let out = match a.format {
        Format::Txt => tusk_report::azure::routes::render_text(&p.net.subnet_path(s), r),
        Format::Json => tusk_report::azure::routes::render_json(r),
    };
    super::print(&out)
}
