//! network-config-analyzer's Istio examples (`../shared/conformance/nca/
//! istio_testcases`), read in place: they load, the syntax cases are
//! refused or accepted as istiod's validation does, and the bookinfo
//! principal cases give exact verdicts. Skipped with a message when
//! `../shared` is absent, required when CI=true.

use std::path::{Path, PathBuf};
use tusk_core::Protocol;
use tusk_model::k8s::Cluster;
use tusk_policy::explain::{explain, FlowEnd, Verdict};
use tusk_policy::{Analysis, PolicyEngine, Semantics};

fn load(paths: &[PathBuf]) -> Cluster {
    tusk_load::load_paths(paths).unwrap_or_else(|e| panic!("{e}")).estate.k8s
}

fn workload(c: &Cluster, ns: &str, name: &str) -> FlowEnd {
    let i = c
        .pods
        .iter()
        .position(|p| p.namespace == ns && c.workloads[p.workload].name == name)
        .unwrap_or_else(|| panic!("no {ns}/{name}"));
    FlowEnd::Pod(tusk_core::Idx::new(i))
}

/// Istio's validation (and the API server's pruning of null fields) decide
/// which of NCA's "parse-error" cases are errors: a null field is absent
/// (Kubernetes docs, "Defaulting and Nullable": nulls of non-nullable
/// fields are pruned), so `from:` null is an empty rule, not an error.
#[test]
fn nca_syntax_cases_are_refused_as_istiod_refuses_them() {
    let Some(dir) = tusk_testkit::shared("conformance/nca/istio_testcases/example_policies/testcase3") else { return };
    let refused = [
        "condition-empty-values-2",
        "condition-empty-values",
        "from-is-empty",
        "key-is-empty",
        // A null field is pruned, which leaves the source or operation empty.
        "namespaces-is-null",
        "ports-is-null",
        "operation-is-empty",
        "operation-is-null",
        "rule-is-null",
        "source-is-empty-2",
        "source-is-empty",
        "to-is-empty",
    ];
    let accepted = ["condition-values-null", "deny-without-rules", "from-is-null", "when-is-null"];
    for name in refused {
        let f = dir.join(format!("testcase3-parse-error-{name}.yaml"));
        let e = tusk_load::load_paths(std::slice::from_ref(&f)).expect_err(name);
        assert!(e.loc.pos.line > 0, "{name}: an error without a line: {e}");
    }
    for name in accepted {
        let f = dir.join(format!("testcase3-parse-error-{name}.yaml"));
        tusk_load::load_paths(&[f]).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    for name in ["valid-syntax-source-not-empty", "valid-syntax-when-is-empty"] {
        tusk_load::load_paths(&[dir.join(format!("testcase3-{name}.yaml"))]).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// bookinfo, namespace `default` with istio-injection=enabled: details
/// admits only productpage's principal, and `allow-nothing` closes every
/// other workload of the namespace.
#[test]
fn nca_bookinfo_principals_give_exact_verdicts() {
    let Some(root) = tusk_testkit::shared("conformance/nca/istio_testcases") else { return };
    let pods = root.join("example_podlist");
    let c = load(&[
        pods.join("bookinfo_ns_list.json"),
        pods.join("bookinfo_deployments.yaml"),
        root.join("example_policies/bookinfo-demo/bookinfo-policy-test-principals-1.yaml"),
    ]);
    let sem = Semantics::of(PolicyEngine::Upstream);
    let analysis = Analysis::new(&c, sem);
    let (pp, details, reviews) = (
        workload(&c, "default", "productpage-v1"),
        workload(&c, "default", "details-v1"),
        workload(&c, "default", "reviews-v1"),
    );
    for (src, dst, want) in [(pp, details, "allowed"), (reviews, details, "denied"), (details, reviews, "denied")] {
        let v = explain(&c, &sem, src, dst, Protocol::Tcp, 9080).verdict;
        let word = match v {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::Unknown(_) => "unknown",
        };
        assert_eq!(word, want, "{src:?} -> {dst:?}: {v:?}");
        assert_eq!(analysis.pair(src, dst).at(Protocol::Tcp, 9080).name(), want);
    }
}

/// Every NCA Istio policy file loads beside the bookinfo topology, or is
/// refused with a located error (the syntax cases above); no panic.
#[test]
fn every_nca_istio_policy_file_loads_or_is_a_located_error() {
    let Some(root) = tusk_testkit::shared("conformance/nca/istio_testcases") else { return };
    let mut files = Vec::new();
    collect(&root.join("example_policies"), &mut files);
    let (mut ok, mut refused) = (0, 0);
    for f in &files {
        match tusk_load::load_paths(std::slice::from_ref(f)) {
            Ok(l) => {
                ok += 1;
                let _ = Analysis::new(&l.estate.k8s, Semantics::of(PolicyEngine::Upstream))
                    .matrix(tusk_policy::matrix::Grain::Workload);
            }
            Err(e) => {
                refused += 1;
                assert!(e.loc.pos.line > 0 || e.message.contains("read"), "{}: {e}", f.display());
            }
        }
    }
    assert!(ok > 50, "only {ok} NCA Istio files loaded ({refused} refused)");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "json") && !p.to_string_lossy().contains("scheme") {
            out.push(p);
        }
    }
}
