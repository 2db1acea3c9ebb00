//! `tusk routes PATH... --subnet VNET/SUBNET [-o txt|json] [--file PATH]`: the
//! subnet's effective routes, as Network Watcher lists them.

use crate::output::{OutputArgs, TxtOrJson};
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
    #[command(flatten)]
    pub output: OutputArgs<TxtOrJson>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let loaded = super::load_for(&a.paths, &a.output)?;
    super::need_subnets(&loaded, "routes")?;
    let p = Prepared::new(&loaded.estate.azure, &loaded.estate.config);
    let s = find_subnet(&p, &a.subnet)
        .ok_or_else(|| anyhow::anyhow!("--subnet: no subnet `{}` in the inputs", a.subnet))?;
    let r = &p.routes[s];
    let path = p.net.subnet_path(s);
    match a.output.format {
        TxtOrJson::Txt => a.output.write_text(&tusk_report::azure::routes::render_text(p.net, &path, r))?,
        TxtOrJson::Json => a.output.write(|w| tusk_report::azure::routes::write_json(w, p.net, &path, r))?,
    }
    Ok(ExitCode::SUCCESS)
}
