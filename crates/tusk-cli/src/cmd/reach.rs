//! `tusk reach PATH... --port N [--proto tcp|udp|sctp|icmp|esp|ah] [-o txt|json]
//! [--file PATH] [--timings]`: the verdict of every subnet to every other subnet for one
//! port, a group verdict over the classes of NICs the controls tell apart
//! in each subnet (`mixed` with the breakdown when they disagree); a subnet
//! without NICs is represented by its first usable host, named as a sample.
//! `--timings` prints load, preparation, one trace and all-pairs durations
//! to stderr, for the benchmark.

use super::flow::ConnArgs;
use crate::output::{OutputArgs, TxtOrJson};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use tusk_network::{reach, Prepared};

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub output: OutputArgs<TxtOrJson>,
    /// Print durations of each stage to stderr.
    #[arg(long)]
    pub timings: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let proto = a.conn.protocol("reach")?;
    let port = a.conn.port;
    let t0 = Instant::now();
    let loaded = super::load_for(&a.paths, &a.output)?;
    super::need_subnets(&loaded, "reach")?;
    let t_load = t0.elapsed();
    let t1 = Instant::now();
    let p = Prepared::new(&loaded.estate.azure, &loaded.estate.config);
    let t_prep = t1.elapsed();
    let classes = tusk_network::members::classes(&p);
    let reps = reach::reps_of(&classes);
    if reps.len() < 2 {
        anyhow::bail!(
            "`tusk reach` compares subnets pairwise, and the inputs hold {} subnet(s) with an address prefix ({} in all); give at least two",
            reps.len(),
            p.net.subnets.len()
        );
    }
    let t_trace = match (reps.first(), reps.last()) {
        (Some(&a0), Some(&b0)) if reps.len() > 1 => {
            // The median of 101 runs: one run of ~40 µs is at the mercy of
            // a cold cache or the other core's load.
            let mut samples: Vec<std::time::Duration> = (0..101)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(reach::full(&p, a0, b0, proto, port));
                    t.elapsed()
                })
                .collect();
            samples.sort();
            Some(samples[50])
        }
        _ => None,
    };
    let t2 = Instant::now();
    let m = reach::all_pairs_of(&p, classes, proto, port);
    let t_all = t2.elapsed();
    match a.output.format {
        TxtOrJson::Txt => a.output.write_text(&tusk_report::azure::reach::render_txt(&p, &m))?,
        TxtOrJson::Json => a.output.write(|w| tusk_report::azure::reach::write_json(w, &p, &m))?,
    }
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
