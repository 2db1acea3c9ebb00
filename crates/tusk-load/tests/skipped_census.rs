//! Census of the Azure resource types the loader does not model (issue 10,
//! "audit the generic skip"): every JSON file under `../shared/realworld/`
//! and `../shared/fixtures/` is loaded on its own, and every resource it
//! skips or reads only as "unknown" is listed by type with the decision
//! taken (docs/azure.md, "Resource types tusk skips"). The test fails when
//! a skipped type carries no decision, so a new type cannot be skipped
//! silently. Run with `--nocapture` to see the table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tusk_load::arm::ArmParams;
use tusk_testkit::require_shared;

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// The decision a warning states: `harmless`, `addresses`, `routes`,
/// `names`, or `none` when the message gives no decision.
fn decision(message: &str) -> &'static str {
    if message.contains("not part of the network model; skipped (") {
        "harmless"
    } else if message.contains("flows to addresses it may hold") {
        "addresses"
    } else if message.contains("flows leaving the address space") {
        "routes"
    } else if message.contains("names resolved through private DNS zones") {
        "names"
    } else {
        "none"
    }
}

#[test]
fn every_skipped_type_has_a_decision() {
    let mut files = Vec::new();
    for rel in ["realworld", "fixtures"] {
        let dir = require_shared!(rel);
        json_files(&dir, &mut files);
    }
    // type → (decision, occurrences, first file)
    let mut census: BTreeMap<String, (&'static str, usize, String)> = BTreeMap::new();
    // The AKS Landing Zone Accelerator's template needs its one required
    // parameter to evaluate (as in tests/arm_templates.rs).
    let lza = ArmParams {
        values: vec![("aksadminaccessprincipalId".to_string(), "00000000-0000-0000-0000-000000000001".to_string())],
        files: Vec::new(),
    };
    for f in &files {
        let p = if f.ends_with("All-in-One-Bicep/main.json") { lza.clone() } else { ArmParams::default() };
        let o = tusk_load::load_paths_all(std::slice::from_ref(f), &p);
        for w in &o.loaded.warnings {
            let Some(rest) = w.message.strip_prefix("resource type `") else { continue };
            let Some((t, _)) = rest.split_once('`') else { continue };
            let e = census.entry(t.to_ascii_lowercase()).or_insert((decision(&w.message), 0, w.loc.to_string()));
            e.1 += 1;
        }
    }
    println!("{:<75} {:<10} {:>5}  first seen", "type", "decision", "count");
    for (t, (d, n, first)) in &census {
        println!("{t:<75} {d:<10} {n:>5}  {first}");
    }
    let undecided: Vec<&String> = census.iter().filter(|(_, v)| v.0 == "none").map(|(t, _)| t).collect();
    assert!(undecided.is_empty(), "skipped without a decision: {undecided:?}");
    assert!(!census.is_empty(), "the real estates skip some types (storage accounts, role assignments, ...)");
}
