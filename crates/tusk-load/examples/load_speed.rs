//! Load speed by stage, for `bench/load/run.sh`: for the files under each
//! path given, the MB/s of reading them, of parsing them with tusk's
//! positioned reader (`tusk_load::doc`), of the whole load (parse and
//! building the estate, `tusk_load::load_sources_all`), and, as the
//! reference, of serde_json parsing the same JSON text into a
//! `serde_json::Value` (parse only, no positions; comments blanked first,
//! which serde_json refuses). Median of `--runs N` (default 5) per stage, in
//! MB per CPU second of the running thread (Linux's schedstat), the wall
//! clock's MB/s in parentheses.
//!
//! Usage: `cargo run --release -p tusk-load --example load_speed -- [--runs N] PATH...`
//! (not part of the product).
//!
//! It runs with mimalloc, the global allocator of the `tusk` binary
//! (`crates/tusk-cli/src/main.rs`), so the figures are the product's: until
//! session 7 it ran with the system's malloc, the largest single cost of an
//! ARM template's load.

// Examples are programs, exempt from the libraries' no-printing lint.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The CPU time this thread has run so far (Linux's
/// `/proc/thread-self/schedstat`, first field, in nanoseconds); zero where
/// that file is missing.
fn cpu() -> Duration {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    Duration::from_nanos(s.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0))
}

/// The median CPU time and median wall time of `runs` runs of `f`. On a
/// shared machine the CPU time is the measure: the wall time counts the
/// waits for a core too.
fn median(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let (mut cpus, mut walls): (Vec<Duration>, Vec<Duration>) = (0..runs.max(1))
        .map(|_| {
            let (t, c) = (Instant::now(), cpu());
            f();
            (cpu() - c, t.elapsed())
        })
        .unzip();
    cpus.sort();
    walls.sort();
    (cpus[cpus.len() / 2], walls[walls.len() / 2])
}

/// MB/s per CPU second, and per wall second in parentheses. The CPU time
/// is counted in scheduler ticks: below 20 ms it says too little.
fn mbs(bytes: usize, (cpu, wall): (Duration, Duration)) -> String {
    let per = |d: Duration| bytes as f64 / 1e6 / d.as_secs_f64();
    if cpu < Duration::from_millis(20) {
        return format!("n/a ({:.1})", per(wall));
    }
    format!("{:.1} ({:.1})", per(cpu), per(wall))
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 5;
    if let Some(i) = args.iter().position(|a| a == "--runs") {
        runs = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(5);
        args.drain(i..=i + 1);
    }
    println!(
        "| input | MB | read MB/s | tusk parse MB/s | serde_json parse MB/s | tusk load MB/s | documents | errors |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for path in &args {
        let files = tusk_load::input_files(&PathBuf::from(path)).unwrap_or_else(|e| panic!("{e}"));
        let read = || -> Vec<(Arc<str>, String)> {
            files
                .iter()
                .map(|f| {
                    let name: Arc<str> = Arc::from(f.display().to_string());
                    let text = tusk_load::walk::read(&name, f).unwrap_or_else(|e| panic!("{e}"));
                    (name, text)
                })
                .collect()
        };
        let sources = read();
        let bytes: usize = sources.iter().map(|(_, t)| t.len()).sum();
        let t_read = median(runs, || drop(read()));
        let mut docs = 0;
        let t_parse = median(runs, || {
            docs = 0;
            for (name, text) in &sources {
                tusk_load::doc::for_each_document(name, text, |d| {
                    docs += 1;
                    std::hint::black_box(d);
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{e}"));
            }
        });
        let json: Vec<String> = sources
            .iter()
            .filter(|(n, _)| n.ends_with(".json"))
            .map(|(_, t)| tusk_load::arm::jsonc::blank(t).into_owned())
            .collect();
        let json_bytes: usize = json.iter().map(String::len).sum();
        let serde = (json_bytes > 0).then(|| {
            median(runs, || {
                for t in &json {
                    let v: serde_json::Value = serde_json::from_str(t).unwrap_or_else(|e| panic!("{e}"));
                    std::hint::black_box(v);
                }
            })
        });
        let params = tusk_load::arm::ArmParams::default();
        let mut errors = 0;
        let t_load = median(runs, || {
            let out = tusk_load::load_sources_all(&sources, &params);
            errors = out.errors.len();
            std::hint::black_box(out);
        });
        println!(
            "| {path} | {:.1} | {} | {} | {} | {} | {docs} | {errors} |",
            bytes as f64 / 1e6,
            mbs(bytes, t_read),
            mbs(bytes, t_parse),
            serde.map_or_else(|| "n/a (no JSON)".to_string(), |d| mbs(json_bytes, d)),
            mbs(bytes, t_load),
        );
    }
}
