//! `tusk rules PATH... (--nic NAME | --subnet VNET/SUBNET) [--format txt|json]`:
//! effective security rules, augmented rules and tags expanded.

use super::Format;
use std::path::PathBuf;
use std::process::ExitCode;
use tusk_network::nsg::{effective_rules_for, find_subnet};
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
    #[arg(long, value_enum, default_value = "txt")]
    pub format: Format,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let loaded = super::load(&a.paths)?;
    super::need_azure(&loaded, "rules")?;
    let p = Prepared::with_config(&loaded.estate.azure, &loaded.estate.config);
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
    let out = match a.format {
        super::Format::Txt => {
            let mut out = tusk_report::azure::rules::render_text(&what, &rules);
            if let Some(cfg) = nva {
                out += &tusk_report::azure::rules::render_nva_text(cfg);
            }
            out
        }
        super::Format::Json => tusk_report::azure::rules::render_json(&rules, nva),
    };
    super::print(&out)
}
