//! Long mutation-fuzzing runs of the loaders (the harness is
//! `tests/fuzz/harness.rs`; FUZZING.md records the runs).
//!
//! ```sh
//! nice -n 19 cargo run --release -p tusk-cli --example fuzz -- --seconds 3600 [--engines] [--seed N] [--loader kubernetes|azure|tusk.yaml|arm|terraform]
//! ```
//!
//! Loaders take turns, one execution each. A panic, an execution over 1 s
//! of CPU time (or 10 s of wall clock, a hang) or over 512 MB is a finding: its input is saved under
//! `target/fuzz-findings/` and the run goes on. The input being executed is
//! kept in `/dev/shm/tusk-fuzz-current-PID.bin` (or, without `/dev/shm`,
//! `target/fuzz-findings/tusk-fuzz-current-PID.bin`; the path is printed at
//! the start), so an abort (the allocator's hard cap) leaves its cause
//! behind. It is rewritten before every execution: ext4 flushes a file
//! truncated and rewritten on close, and while a build kept the disk busy
//! that flush held a run in I/O wait at about 12 % of a core (62 % with the
//! file in RAM, same machine and build).
//! Progress goes to stderr every minute.

#[path = "../tests/fuzz/harness.rs"]
mod harness;

use harness::{corpora, execute, Loader, Mutator, MAX_BYTES, MAX_TIME};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: harness::CountingAlloc = harness::CountingAlloc;

#[derive(Default)]
struct Stats {
    execs: u64,
    loaded: u64,
    findings: u64,
    busy: Duration,
    cpu: Duration,
    max_time: Duration,
    max_peak: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let seconds: u64 = arg("--seconds").and_then(|s| s.parse().ok()).unwrap_or(60);
    let max_execs: u64 = arg("--execs").and_then(|s| s.parse().ok()).unwrap_or(u64::MAX);
    let seed: u64 = arg("--seed").and_then(|s| s.parse().ok()).unwrap_or(1);
    let engines = args.iter().any(|a| a == "--engines");
    let only = arg("--loader");
    let out = harness::repo().join("target/fuzz-findings");
    std::fs::create_dir_all(&out).expect("findings folder");
    let current = in_progress_path(&out);
    eprintln!("input in progress: {}", current.display());
    let mut corpora: Vec<_> =
        corpora().into_iter().filter(|c| only.as_deref().is_none_or(|o| o == c.loader.name())).collect();
    corpora.retain(|c| !c.files.is_empty());
    let mut mutators: Vec<Mutator> = corpora.iter().map(|c| Mutator::new(seed * 31 + c.loader as u64)).collect();
    let mut stats: Vec<Stats> = corpora.iter().map(|_| Stats::default()).collect();
    std::panic::set_hook(Box::new(|info| eprintln!("panic: {info}")));
    let start = Instant::now();
    let mut last = Instant::now();
    'run: loop {
        for (i, c) in corpora.iter().enumerate() {
            if start.elapsed().as_secs() >= seconds || stats[i].execs >= max_execs {
                break 'run;
            }
            let input = mutators[i].mutate(&c.files);
            let _ = std::fs::write(&current, &input);
            let r = std::panic::catch_unwind(|| execute(&input, engines));
            let s = &mut stats[i];
            s.execs += 1;
            let finding = match r {
                Err(_) => Some("panic"),
                Ok(e) => {
                    s.busy += e.elapsed;
                    s.cpu += e.cpu;
                    s.loaded += u64::from(e.loaded);
                    s.max_time = s.max_time.max(e.cpu);
                    s.max_peak = s.max_peak.max(e.peak_bytes);
                    // CPU time: on a shared machine the wall clock measures
                    // the scheduler; a hang shows as wall time alone.
                    if e.cpu > MAX_TIME || e.elapsed > MAX_TIME * 10 {
                        Some("slow")
                    } else if e.peak_bytes > MAX_BYTES {
                        Some("memory")
                    } else {
                        None
                    }
                }
            };
            if let Some(kind) = finding {
                s.findings += 1;
                let p = out.join(format!("{}-{kind}-{}.bin", c.loader.name(), s.execs));
                let _ = std::fs::write(&p, &input);
                eprintln!("finding ({kind}): {}", p.display());
            }
        }
        if last.elapsed() >= Duration::from_secs(60) {
            report(&corpora.iter().map(|c| c.loader).collect::<Vec<_>>(), &stats, start.elapsed());
            last = Instant::now();
        }
    }
    report(&corpora.iter().map(|c| c.loader).collect::<Vec<_>>(), &stats, start.elapsed());
    // Only an abort needs it; a run that ends leaves nothing in RAM.
    let _ = std::fs::remove_file(&current);
}

/// Where the input under execution is kept: a RAM-backed file when the
/// machine has `/dev/shm`, so writing it never waits for the disk; one file
/// per process, so two runs side by side do not overwrite each other's.
fn in_progress_path(findings: &std::path::Path) -> std::path::PathBuf {
    let name = format!("tusk-fuzz-current-{}.bin", std::process::id());
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        shm.join(name)
    } else {
        findings.join(name)
    }
}

fn report(loaders: &[Loader], stats: &[Stats], wall: Duration) {
    for (l, s) in loaders.iter().zip(stats) {
        eprintln!(
            "{:<10} {:>10} execs, {:>8.1} CPU s ({:.0} execs per CPU s, {:.0} per own wall s), {:>6.2}% loaded, {} findings, slowest {:.1} ms CPU, peak {:.1} MB (wall {:.0} s)",
            l.name(),
            s.execs,
            s.cpu.as_secs_f64(),
            s.execs as f64 / s.cpu.as_secs_f64().max(1e-9),
            s.execs as f64 / s.busy.as_secs_f64().max(1e-9),
            100.0 * s.loaded as f64 / s.execs.max(1) as f64,
            s.findings,
            s.max_time.as_secs_f64() * 1e3,
            s.max_peak as f64 / 1e6,
            wall.as_secs_f64()
        );
    }
}
