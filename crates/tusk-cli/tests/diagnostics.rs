//! What the binary says about bad, hostile or near-empty input: every
//! defect with its code and snippet, exit 2, bounded memory, never a panic;
//! exit 3 when the output cannot be written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tusk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).output().expect("tusk runs")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn case(name: &str) -> String {
    repo().join("tests/diagnostics").join(name).display().to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A shared case, or `None` (with a message) when ../shared is absent; with
/// `CI=true` its absence fails the test.
fn shared(rel: &str) -> Option<PathBuf> {
    let p = repo().join("../shared").join(rel);
    if p.exists() {
        return Some(p);
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "../shared/{rel} not found (required when CI=true)");
    eprintln!("skipped: ../shared/{rel} not found (looked in {})", p.display());
    None
}

/// Runs tusk under a virtual memory limit (`ulimit -v`, in KiB).
fn tusk_limited(kib: u64, args: &[&str]) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\"")).arg(env!("CARGO_BIN_EXE_tusk")).args(args);
    cmd.output().expect("sh runs")
}

#[test]
fn five_defects_are_all_reported_with_codes_and_snippets() {
    let out = tusk(&["matrix", &case("five-defects")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    for (code, at, snippet) in [
        ("E0002", "namespace.yaml:5:12", "name: caf"),
        ("E0003", "pod.yaml:", ""),
        ("E0100", "policies.yaml:6:17", "podSelector: {matchLabel: {app: web}}"),
        ("E0005", "policies.yaml:18:9", "cidr: 0.0.0.0/0"),
        ("E0103", "policies.yaml:27:29", "ports: [{containerPort: 99999}]"),
    ] {
        assert!(err.contains(&format!("error[{code}]")), "{code} missing:\n{err}");
        assert!(err.contains(at), "{at} missing:\n{err}");
        assert!(err.contains(snippet), "{snippet} missing:\n{err}");
    }
    assert_eq!(err.matches("error[E").count(), 5, "{err}");
    assert!(err.contains("duplicate key `cidr`: first at line 17, again at line 18"), "{err}");
    assert!(err.contains("tusk: read 3 files") && err.contains("5 errors, nothing loaded"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn alias_bomb_is_refused_within_a_memory_limit() {
    // 300 MB of address space: tusk needs a few MB for this; the unbounded
    // expansion needed gigabytes.
    let mut inputs = vec![case("alias-bomb-json")];
    inputs.extend(shared("cases/yaml-alias-bomb").map(|p| p.display().to_string()));
    for input in inputs {
        let t = std::time::Instant::now();
        let out = tusk_limited(300_000, &["matrix", &input]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{input}: {err}");
        assert!(err.contains("error[E0004]") && err.contains("aliases"), "{input}: {err}");
        assert!(t.elapsed().as_secs() < 10, "{input}: {:?}", t.elapsed());
    }
}

#[test]
fn merge_keys_load_as_kubectl_reads_them() {
    let out = tusk(&["matrix", &case("merge-keys"), "--grain", "pod", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("loaded 1 Namespace, 2 workloads, 3 Pods"), "{}", stderr(&out));
}

#[test]
fn a_near_empty_estate_says_what_is_missing() {
    let k8s = case("merge-keys");
    let azure = repo().join("tests/azure/fig2-single-hub/input").display().to_string();
    for (args, want) in [
        (vec!["matrix", azure.as_str()], "needs Kubernetes pods"),
        (vec!["explain", azure.as_str(), "--from", "a/b", "--to", "c/d"], "needs Kubernetes pods"),
        (vec!["trace", k8s.as_str(), "--from", "10.0.0.4", "--to", "10.1.0.4"], "needs the virtual networks"),
        (vec!["reach", k8s.as_str(), "--port", "443"], "needs the virtual networks"),
        (vec!["routes", k8s.as_str(), "--subnet", "a/b"], "needs the virtual networks"),
        (vec!["rules", k8s.as_str(), "--nic", "x"], "needs the virtual networks"),
    ] {
        let out = tusk(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want) && !err.contains("panicked"), "{args:?}: {err}");
    }
    let dir = std::env::temp_dir().join(format!("tusk-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = tusk(&["reach", &dir.display().to_string(), "--port", "443"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("error[E0010]: no document tusk can read"), "{}", stderr(&out));
    std::fs::remove_dir_all(&dir).ok();
}

#[cfg(unix)]
#[test]
fn hostile_folders_end_with_located_errors() {
    let dir = std::env::temp_dir().join(format!("tusk-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(repo().join("tests/diagnostics/merge-keys/deployments.yaml"), dir.join("d.yaml")).unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("self1")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("self2")).unwrap();
    let fifo = dir.join("pipe.yaml");
    let have_fifo = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    let out = tusk(&["matrix", &dir.display().to_string()]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("already read").count(), 2, "{err}");
    assert!(err.contains("read 1 file,"), "{err}");
    if have_fifo {
        assert!(err.contains("pipe.yaml: warning[W0001]: skipping file: not a regular file"), "{err}");
        let out = tusk(&["matrix", &fifo.display().to_string()]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("error[E0001]: cannot read: not a regular file"), "{}", stderr(&out));
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_output_that_cannot_be_written_exits_3() {
    let out = tusk(&["matrix", &case("merge-keys"), "--file", "/nonexistent-folder/m.txt"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot write /nonexistent-folder/m.txt"), "{}", stderr(&out));
}

/// `-o json` on a failing load: the `tusk.diagnostics/v1` document on
/// standard output (every defect, with code and place), only the summary on
/// stderr, exit 2; `-o sarif` (check, audit): a SARIF log of the same.
#[test]
fn a_failing_load_gives_its_diagnostics_as_json_or_sarif() {
    let out = tusk(&["matrix", &case("five-defects"), "-o", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(doc["schema"], "tusk.diagnostics/v1");
    assert_eq!(doc["errors"], 5);
    let codes: Vec<&str> = doc["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    for code in ["E0002", "E0003", "E0100", "E0005", "E0103"] {
        assert!(codes.contains(&code), "{code} missing: {codes:?}");
    }
    let e0103 = doc["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "E0103").unwrap();
    assert!(e0103["file"].as_str().unwrap().ends_with("policies.yaml"));
    assert_eq!((e0103["line"].as_u64(), e0103["column"].as_u64()), (Some(27), Some(29)));
    let err = stderr(&out);
    assert!(!err.contains("error[E"), "the list is on stdout only:\n{err}");
    assert!(err.contains("5 errors"), "{err}");

    for command in ["check", "audit"] {
        let out = tusk(&[command, &case("five-defects"), "-o", "sarif"]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is SARIF");
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 5, "{command}");
        assert!(results.iter().all(|r| r["level"] == "error" && r["ruleId"].as_str().unwrap().starts_with('E')));
        if let Some(schema) = shared("schemas/sarif-schema-2.1.0.json") {
            let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
            let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
            let errors: Vec<String> =
                validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{command}: {}", errors.join("\n"));
        }
    }
    // A text format keeps the snippets on stderr and nothing on stdout.
    let out = tusk(&["check", &case("five-defects")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty() && stderr(&out).matches("error[E").count() == 5);
}
