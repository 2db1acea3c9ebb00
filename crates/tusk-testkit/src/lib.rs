//! Test support: finds the shared test material that lives beside the
//! checkout (`../shared/` from the repository root: conformance cases,
//! Azure fixtures, real-world estates, schemas), which a fresh clone does
//! not have.
//!
//! A test that reads it asks [`shared`] (or the [`require_shared!`] macro)
//! for a path below that folder. When the path exists the test runs on it.
//! When it does not, the test is skipped: a line naming the absolute path it
//! looked at goes to the terminal (past the test harness's output capture,
//! so `cargo test` shows it), and the test returns early and passes, so the
//! project's own tests pass on a fresh clone. Under CI (`CI=true`, as GitHub
//! Actions and `.ci/run` set it) a missing folder fails the test instead,
//! so CI never passes by skipping.
//!
//! The folder is `<repository>/../shared`, or the directory named by the
//! environment variable `TUSK_SHARED_DIR` when that is set (for checkouts
//! such as git worktrees that do not sit beside it).
//!
//! This crate is a dev-dependency only; nothing in the product depends on it.

#![warn(missing_docs)]

use std::io::Write;
use std::path::{Path, PathBuf};

/// The environment variable that overrides where the shared folder is.
pub const SHARED_DIR_VAR: &str = "TUSK_SHARED_DIR";

/// The repository's root (the workspace directory), absolute: the nearest
/// folder holding a `Cargo.toml` with `[workspace]`, above the running
/// test's crate (`CARGO_MANIFEST_DIR`, which `cargo test` sets at run time)
/// or, failing that, above this crate as it was compiled. Asking at run
/// time keeps the answer right when two checkouts share one target folder.
pub fn repo_root() -> PathBuf {
    let compiled = Path::new(env!("CARGO_MANIFEST_DIR"));
    let start = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_else(|| compiled.to_path_buf());
    let is_root = |d: &Path| std::fs::read_to_string(d.join("Cargo.toml")).is_ok_and(|t| t.contains("[workspace]"));
    let root = start
        .ancestors()
        .find(|d| is_root(d))
        .or_else(|| compiled.ancestors().find(|d| is_root(d)))
        .unwrap_or(compiled)
        .to_path_buf();
    root.canonicalize().unwrap_or(root)
}

/// The shared folder: `$TUSK_SHARED_DIR` if set and non-empty, else
/// `<repository>/../shared`. It may not exist.
pub fn shared_root() -> PathBuf {
    match std::env::var_os(SHARED_DIR_VAR) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => {
            let root = repo_root();
            root.parent().unwrap_or(&root).join("shared")
        }
    }
}

/// Whether a missing shared folder must fail the test: `CI` is `true` or `1`.
pub fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The path `rel` below the shared folder (e.g. `"conformance/netpol-analyzer"`),
/// or `None` when it does not exist, after printing
/// `skipped: ../shared/<rel> not found (looked in <absolute path>)`.
///
/// # Panics
///
/// When the path does not exist and [`required`] holds (under CI), with the
/// same message: CI must run every shared test.
#[track_caller]
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = shared_root().join(rel);
    if path.exists() {
        return Some(path);
    }
    let looked = std::path::absolute(&path).unwrap_or(path);
    let msg = format!(
        "../shared/{rel} not found (looked in {}; set {SHARED_DIR_VAR} to the shared folder to run it)",
        looked.display()
    );
    if required() {
        panic!("required under CI=true: {msg}");
    }
    // Written to the process's stderr directly, not through `eprintln!`,
    // which the test harness captures and hides for passing tests.
    let _ = writeln!(std::io::stderr().lock(), "skipped: {msg}");
    None
}

/// `require_shared!("fixtures/azure-rest-api-specs")` evaluates to the path
/// below the shared folder, or returns from the calling test (skipped, see
/// [`shared`]) when it is absent.
#[macro_export]
macro_rules! require_shared {
    ($rel:expr) => {
        match $crate::shared($rel) {
            Some(path) => path,
            None => return,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_root_holds_the_workspace_manifest() {
        let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"), "{}", repo_root().display());
    }

    #[test]
    fn shared_root_is_beside_the_repository() {
        if std::env::var_os(SHARED_DIR_VAR).is_some() {
            return;
        }
        assert_eq!(shared_root(), repo_root().parent().unwrap().join("shared"));
    }

    #[test]
    fn a_missing_path_is_skipped_or_required() {
        let rel = "no-such-folder-in-shared/for-the-testkit-test";
        let r = std::panic::catch_unwind(|| shared(rel));
        match r {
            Ok(p) => assert!(p.is_none() && !required()),
            Err(e) => {
                let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
                assert!(required() && msg.contains(rel), "{msg}");
            }
        }
    }
}
