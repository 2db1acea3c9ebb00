//! A short mutation-fuzzing run of each loader in `cargo test` (see
//! `tests/fuzz/harness.rs`; long runs: `examples/fuzz.rs` and FUZZING.md).
//! Every execution must end without a panic, within a second and 512 MB.
//! `TUSK_FUZZ_EXECS` sets the executions per loader (default 400).

#[path = "fuzz/harness.rs"]
mod harness;

use harness::{corpora, execute, Mutator, MAX_BYTES, MAX_TIME};

#[global_allocator]
static ALLOC: harness::CountingAlloc = harness::CountingAlloc;

#[test]
fn every_loader_survives_mutated_inputs() {
    let execs: u64 = std::env::var("TUSK_FUZZ_EXECS").ok().and_then(|s| s.parse().ok()).unwrap_or(400);
    for corpus in corpora() {
        assert!(!corpus.files.is_empty(), "no corpus for {}", corpus.loader.name());
        let mut m = Mutator::new(0x7a5c + corpus.loader as u64);
        let mut loaded = 0;
        for i in 0..execs {
            let input = m.mutate(&corpus.files);
            let r = std::panic::catch_unwind(|| execute(&input, false));
            let save = || {
                let p = std::env::temp_dir().join(format!("tusk-fuzz-{}-{i}.bin", corpus.loader.name()));
                std::fs::write(&p, &input).map(|_| p.display().to_string()).unwrap_or_default()
            };
            let e =
                r.unwrap_or_else(|_| panic!("{} loader panicked on input saved at {}", corpus.loader.name(), save()));
            // Debug builds are several times slower than release: allow for
            // it. CPU time, so a loaded CI machine does not fail the test.
            assert!(e.cpu <= MAX_TIME * 5, "{}: {:?} CPU on input saved at {}", corpus.loader.name(), e.cpu, save());
            assert!(
                e.peak_bytes <= MAX_BYTES,
                "{}: {} bytes on input saved at {}",
                corpus.loader.name(),
                e.peak_bytes,
                save()
            );
            loaded += usize::from(e.loaded);
        }
        eprintln!(
            "{}: {execs} executions, {loaded} inputs loaded, {} corpus files",
            corpus.loader.name(),
            corpus.files.len()
        );
    }
}
