//! `tusk load -o json` (issue 10): the per-file load summary as the
//! `tusk.load/v1` document — what each file contributed per kind, and
//! what was skipped in it, located — and its text form.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn tests_dir(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests").join(p)
}

fn tusk(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).output().expect("tusk runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn kinds(v: &Value) -> Vec<(String, u64)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|k| (k["kind"].as_str().unwrap().to_string(), k["count"].as_u64().unwrap()))
        .collect()
}

#[test]
fn each_file_says_what_it_contributed_per_kind() {
    let arm = tests_dir("azure/appgw-listeners/input");
    let plan = tests_dir("terraform/bastion/plan.json");
    let (ok, out) = tusk(&["load", arm.to_str().unwrap(), plan.to_str().unwrap(), "-o", "json"]);
    assert!(ok, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "tusk.load/v1");
    assert_eq!(v["files"], 2);
    assert_eq!(v["errors"], 0);
    let files = v["perFile"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{v}");
    assert!(files[0]["file"].as_str().unwrap().ends_with("network.json"));
    let first = kinds(&files[0]["kinds"]);
    for want in [("application gateway", 1), ("NIC", 4), ("NSG", 2), ("VNet", 1), ("subnet", 3)] {
        assert!(first.contains(&(want.0.to_string(), want.1)), "{want:?} in {first:?}");
    }
    // The gateway is modelled: no unmodelled device is left to count.
    assert!(!first.iter().any(|(k, _)| k == "unmodelled device"), "{first:?}");
    assert!(files[1]["file"].as_str().unwrap().ends_with("plan.json"));
    let second = kinds(&files[1]["kinds"]);
    assert!(second.contains(&("Bastion host".to_string(), 2)), "{second:?}");
    assert!(second.contains(&("VNet".to_string(), 3)), "{second:?}");
    // The whole load's counts are the sums of the files'.
    let total = kinds(&v["kinds"]);
    assert!(total.contains(&("VNet".to_string(), 4)), "{total:?}");
    assert_eq!(v["summary"].as_str().unwrap().split(':').next(), Some("read 2 files, 2 documents"));
}

#[test]
fn a_skipped_document_is_listed_under_its_file_with_its_line() {
    let dir = std::env::temp_dir().join(format!("tusk-load-summary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(tests_dir("azure/bastion-sessions/input/network.json"), dir.join("a-network.json")).unwrap();
    std::fs::write(dir.join("b-other.yaml"), "shopping:\n  - milk\n").unwrap();
    let (ok, out) = tusk(&["load", dir.to_str().unwrap(), "-o", "json"]);
    assert!(ok, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["skipped"], 1, "{v}");
    let files = v["perFile"].as_array().unwrap();
    let other = files.iter().find(|f| f["file"].as_str().unwrap().ends_with("b-other.yaml")).expect("the skipped file");
    assert_eq!(other["kinds"].as_array().unwrap().len(), 0);
    let skip = &other["skipped"][0];
    assert_eq!(skip["code"], "W0001");
    assert_eq!(skip["line"], 1);
    assert!(!skip["message"].as_str().unwrap().is_empty());
    // The text form says the same, one file a line.
    let (ok, text) = tusk(&["load", dir.to_str().unwrap()]);
    assert!(ok);
    assert!(text.lines().any(|l| l.ends_with("b-other.yaml: nothing loaded")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("  skipped at 1:1 (W0001)")), "{text}");
    assert!(text.lines().any(|l| l.contains("a-network.json:") && l.contains("2 × Bastion host")), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}
