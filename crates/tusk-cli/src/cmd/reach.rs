//! `tusk reach PATH... --port N [--proto tcp|udp|icmp] [--format txt|json]
//! [--timings]`: the verdict of every subnet to every other subnet for one
//! port (each subnet represented by its first NIC or first usable host).
//! `--timings` prints load, preparation, one trace and all-pairs durations
//! to stderr, for the benchmark.

use super::Format;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use tusk_core::Protocol;
use tusk_network::{reach, Prepared};

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long)]
    pub port: Option<u16>,
    #[arg(long, default_value = "tcp")]
    pub proto: String,
    #[arg(long, value_enum, default_value = "txt")]
    pub format: Format,
    /// Print durations of each stage to stderr.
    #[arg(long)]
    pub timings: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let proto = match Protocol::parse(&a.proto) {
        Some(p @ (Protocol::Tcp | Protocol::Udp | Protocol::Icmp)) => p,
        _ => anyhow::bail!("--proto: `{}` is not tcp, udp or icmp", a.proto),
    };
    let t0 = Instant::now();
    let loaded = super::load(&a.paths)?;
    super::need_azure(&loaded, "reach")?;
    let t_load = t0.elapsed();
    let t1 = Instant::now();
    let p = Prepared::with_config(&loaded.estate.azure, &loaded.estate.config);
    let t_prep = t1.elapsed();
    let reps = reach::representatives(&p);
    if reps.is_empty() {
        return Err(super::Failure::Missing(
            "`tusk reach` needs a subnet with an address prefix or a NIC, and the inputs' subnets have none".into(),
        )
        .into());
    }
    let t_trace = match (reps.first(), reps.last()) {
        (Some(&a0), Some(&b0)) if reps.len() > 1 => {
            // The median of 101 runs: one run of ~40 µs is at the mercy of
            // a cold cache or the other core's load.
            let mut samples: Vec<std::time::Duration> = (0..101)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(reach::full(&p, a0, b0, proto, a.port));
                    t.elapsed()
                })
                .collect();
            samples.sort();
            Some(samples[50])
        }
        _ => None,
    };
    let t2 = Instant::now();
    let m = reach::all_pairs(&p, proto, a.port);
    let t_all = t2.elapsed();
    match a.format {
        Format::Txt => super::print(&tusk_report::azure::reach::render_txt(&m))?,
        Format::Json => super::print(&tusk_report::azure::reach::render_json(&p, &m))?,
    };
    if a.timings {
        eprintln!("load: {:.3} s", t_load.as_secs_f64());
        eprintln!("prepare (indexes, effective routes): {:.3} s", t_prep.as_secs_f64());
        if let Some(t) = t_trace {
            eprintln!("one trace (full, with texts; median of 101): {:.1} µs", t.as_secs_f64() * 1e6);
        }
        eprintln!("all subnet pairs: {:.3} s ({} of them via the full trace)", t_all.as_secs_f64(), m.fallbacks);
    }
    Ok(ExitCode::SUCCESS)
}
