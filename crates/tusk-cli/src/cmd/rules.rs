//! `tusk rules PATH... (--nic NAME | --subnet VNET/SUBNET) [-o txt|json] [--file PATH]`:
//! effective security rules, augmented rules and tags expanded.

use crate::output::{OutputArgs, TxtOrJson};
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_network::effective::effective_rules_for;
use tusk_network::nsg::find_subnet;
use tusk_network::{Owner, Prepared};

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// A NIC (or its VM's) name.
    #[arg(long, conflicts_with = "subnet", required_unless_present = "subnet")]
    pub nic: Option<String>,
    /// A subnet, as `vnet/subnet`.
    #[arg(long)]
    pub subnet: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs<TxtOrJson>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let loaded = super::load_for(&a.paths, &a.output)?;
    super::need_subnets(&loaded, "rules")?;
    let p = Prepared::new(&loaded.estate.azure, &loaded.estate.config);
    let mut nva = None;
    let (what, rules) = match (&a.nic, &a.subnet) {
        (Some(name), _) => {
            let e = tusk_network::endpoint::resolve(&p, name).map_err(|e| anyhow::anyhow!("--nic: {e}"))?;
            let (subnet, n) = match e {
                tusk_network::endpoint::Endpoint::Azure { subnet, owner: Some(Owner::Nic(n, _)), .. } => (subnet, n),
                _ => anyhow::bail!("--nic: `{name}` is not a NIC or VM"),
            };
            nva = loaded.estate.config.nvas.iter().find(|c| c.nic_index == Some(n));
            (format!("NIC {}", p.net.nics[n].id.name()), effective_rules_for(&p, subnet, Some(n)))
        }
        (None, Some(path)) => {
            let s =
                find_subnet(&p, path).ok_or_else(|| anyhow::anyhow!("--subnet: no subnet `{path}` in the inputs"))?;
            (format!("subnet {}", p.net.subnet_path(s)), effective_rules_for(&p, s, None))
        }
        (None, None) => anyhow::bail!("give --nic or --subnet"),
    };
    match a.output.format {
        TxtOrJson::Txt => {
            let mut out = tusk_report::azure::rules::render_text(p.net, &what, &rules);
            if let Some(cfg) = nva {
                out += &tusk_report::azure::rules::render_nva_text(cfg);
            }
            a.output.write_text(&out)?
        }
        TxtOrJson::Json => a.output.write(|w| tusk_report::azure::rules::write_json(w, p.net, &what, &rules, nva))?,
    }
    Ok(ExitCode::SUCCESS)
}
