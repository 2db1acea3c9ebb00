//! Running the built `tusk` under a memory limit, shared by the tests that
//! hold it to bounded memory (`bounded_inputs`, `matrix_stream`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// tusk under a virtual memory limit (`ulimit -v`, KiB), with its wall time.
pub fn tusk_limited(kib: u64, args: &[&str]) -> (Output, Duration) {
    let t = Instant::now();
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\"")).arg(env!("CARGO_BIN_EXE_tusk")).args(args);
    let out = cmd.output().expect("sh runs");
    (out, t.elapsed())
}
