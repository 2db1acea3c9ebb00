//! The streamed matrix (`Analysis::stream_matrix`, issue 8 C6) equals the
//! buffered one: its batches, concatenated, are `Analysis::matrix` plus the
//! Service rows of `services::matrix_rows`, sorted by (source,
//! destination), on every case of the repository's `tests/k8s*` folders,
//! at every grain, under every engine's semantics; and each batch holds
//! one source only.

use std::path::{Path, PathBuf};
use tusk_policy::matrix::{Entry, Grain};
use tusk_policy::{Analysis, PolicyEngine, Semantics};

/// Every `input` folder under the repository's `tests/k8s*` folders.
fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let mut out = Vec::new();
    for suite in std::fs::read_dir(&root).expect("tests/ exists") {
        let suite = suite.unwrap().path();
        if !suite.file_name().unwrap().to_string_lossy().starts_with("k8s") {
            continue;
        }
        for case in std::fs::read_dir(&suite).unwrap() {
            let input = case.unwrap().path().join("input");
            if input.is_dir() {
                out.push(input);
            }
        }
    }
    out.sort();
    out
}

fn buffered(a: &Analysis, grain: Grain, services: bool) -> Vec<Entry> {
    let mut rows = a.matrix(grain);
    if services {
        let (extra, _) = tusk_policy::services::matrix_rows(a, grain);
        rows.extend(extra);
        rows.sort_by_key(|e| (e.src, e.dst));
    }
    rows
}

#[test]
fn streamed_rows_equal_buffered_rows() {
    let engines = [PolicyEngine::Upstream, PolicyEngine::Calico, PolicyEngine::Cilium, PolicyEngine::NetpolAnalyzer];
    let cases = inputs();
    assert!(cases.len() > 40, "the repository's k8s cases are found ({})", cases.len());
    let (mut compared, mut rows_seen) = (0, 0);
    for input in &cases {
        // Cases that must fail to load (tests/k8s-malformed) have no matrix.
        let Ok(loaded) = tusk_load::load_paths(std::slice::from_ref(input)) else { continue };
        let c = &loaded.estate.k8s;
        for engine in engines {
            let a = Analysis::new(c, Semantics::of(engine));
            for grain in [Grain::Pod, Grain::Workload, Grain::Namespace] {
                // A template of 2^31 replicas has no matrix to compare.
                if a.matrix_at_most(grain, 1_000_000).is_err() {
                    continue;
                }
                for services in [false, true] {
                    let mut streamed: Vec<Entry> = Vec::new();
                    a.stream_matrix(grain, services, &mut |batch: Vec<Entry>| {
                        assert!(!batch.is_empty(), "{}: an empty batch", input.display());
                        assert!(
                            batch.iter().all(|e| e.src == batch[0].src),
                            "{}: one source per batch",
                            input.display()
                        );
                        streamed.extend(batch);
                        Ok::<(), ()>(())
                    })
                    .unwrap();
                    let want = buffered(&a, grain, services);
                    assert_eq!(streamed, want, "{} under {engine:?} at {grain:?}", input.display());
                    rows_seen += want.len();
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 300 && rows_seen > 1000, "{compared} comparisons, {rows_seen} rows");
}
