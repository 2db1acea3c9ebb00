//! `tusk diff --grain tenant|namespace|workload` across both layers, from
//! the class-based matrices
//! (`tusk_check::diff_tenants::diff_tenants`) against its oracle, the
//! per-pair diff (`diff_tenants_per_pair`: every member pair of every
//! tenant pair traced through the join in both versions). On every fixture
//! estate with an AKS cluster (`examples/article/*`, `tests/aks/*/input`),
//! each of a few one-line changes (an NSG rule's access flipped, a policy
//! peer widened, a namespace moved to another tenant, a replica added) is
//! diffed both ways, for both actors, at the tenant grain on two ports and
//! at the namespace and workload grains on one: both must give the same
//! rows (tenant pair, actor, change, member pairs moved and counted) and
//! the same witness pair with the same path in each version.

use std::path::{Path, PathBuf};
use tusk_check::diff_tenants::{diff_tenants, diff_tenants_per_pair, TenantChange, Version};
use tusk_core::Protocol;
use tusk_model::Estate;
use tusk_network::Prepared;
use tusk_path::join::{Actor, Wiring};
use tusk_path::matrix::Grain;
use tusk_policy::{PolicyEngine, Semantics};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every fixture estate folder that may hold an AKS cluster.
fn folders() -> Vec<PathBuf> {
    let mut dirs = vec![root().join("examples/article/kubenet"), root().join("examples/article/cni")];
    let aks = root().join("tests/aks");
    let mut more: Vec<PathBuf> = std::fs::read_dir(&aks)
        .unwrap_or_else(|e| panic!("{}: {e}", aks.display()))
        .map(|d| d.unwrap().path().join("input"))
        .filter(|p| p.is_dir())
        .collect();
    more.sort();
    dirs.extend(more);
    dirs
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in std::fs::read_dir(dir).unwrap() {
        let p = d.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// A copy of `dir` with the `nth` occurrence (over its files in order) of
/// `from` replaced by `to` on its line; `None` when there is no such one.
fn changed(dir: &Path, from: &str, to: &str, nth: usize) -> Option<tempfile::TempDir> {
    let tmp = tempfile::tempdir().unwrap();
    let mut seen = 0;
    let mut done = false;
    for f in files(dir) {
        let rel = f.strip_prefix(dir).unwrap();
        let target = tmp.path().join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        let text = std::fs::read_to_string(&f).unwrap();
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            if !done && line.contains(from) {
                if seen == nth {
                    out.push_str(&line.replacen(from, to, 1));
                    done = true;
                    continue;
                }
                seen += 1;
            }
            out.push_str(line);
        }
        std::fs::write(target, out).unwrap();
    }
    done.then_some(tmp)
}

fn load(dir: &Path) -> Estate {
    tusk_load::load_paths(&[dir.to_path_buf()]).unwrap_or_else(|e| panic!("{}: {e:?}", dir.display())).estate
}

/// A row as compared: every field, the witness paths by their debug form
/// (ends, nodes, segments with rules and locations, verdict).
fn summary(c: &TenantChange) -> String {
    format!(
        "{} -> {} {:?} {:?} {} of {}\n head {:?}\n base {:?}",
        c.from,
        c.to,
        c.actor,
        c.change,
        c.moved,
        c.of,
        (c.head.collapsed, &c.head.path),
        c.base.as_ref().map(|b| (b.collapsed, &b.path))
    )
}

fn both(
    base: &Estate,
    head: &Estate,
    sem: &Semantics,
    grain: Grain,
    port: u16,
) -> (Result<Vec<String>, tusk_check::DiffError>, Result<Vec<String>, tusk_check::DiffError>) {
    let (bw, hw) = (Wiring::new(base), Wiring::new(head));
    let (bp, hp) = (Prepared::new(&bw.net, &base.config), Prepared::new(&hw.net, &head.config));
    let bv = Version {
        aks: tusk_check::Aks { estate: base, wiring: &bw, prepared: &bp, tenant_label: "tenant" },
        semantics: *sem,
    };
    let hv = Version {
        aks: tusk_check::Aks { estate: head, wiring: &hw, prepared: &hp, tenant_label: "tenant" },
        semantics: *sem,
    };
    let actors = [Actor::Pod, Actor::Node];
    let rows =
        |r: Result<Vec<TenantChange>, tusk_check::DiffError>| r.map(|v| v.iter().map(summary).collect::<Vec<_>>());
    (
        rows(diff_tenants(&bv, &hv, grain, &actors, Protocol::Tcp, port)),
        rows(diff_tenants_per_pair(&bv, &hv, grain, &actors, Protocol::Tcp, port)),
    )
}

#[test]
fn the_class_based_diff_equals_the_per_pair_diff_on_one_line_changes_of_every_fixture_estate() {
    let changes: [(&str, &str, usize); 9] = [
        ("\"access\": \"Deny\"", "\"access\": \"Allow\"", 0),
        ("\"access\": \"Deny\"", "\"access\": \"Allow\"", 1),
        ("\"access\": \"Allow\"", "\"access\": \"Deny\"", 0),
        ("\"access\": \"Allow\"", "\"access\": \"Deny\"", 2),
        ("- podSelector: {}", "- namespaceSelector: {}", 0),
        ("- podSelector: {}", "- namespaceSelector: {}", 1),
        ("tenant: t2}", "tenant: t1}", 0),
        ("replicas: 2", "replicas: 3", 0),
        ("replicas: 1", "replicas: 4", 0),
    ];
    let sem = Semantics::of(PolicyEngine::Calico);
    let (mut compared, mut rows, mut kinds) = (0, 0, std::collections::BTreeSet::new());
    for dir in folders() {
        let base = load(&dir);
        if base.clusters.is_empty() {
            continue;
        }
        for (from, to, nth) in changes {
            let Some(tmp) = changed(&dir, from, to, nth) else { continue };
            let head = load(tmp.path());
            let flows =
                [(Grain::Tenant, 8080), (Grain::Tenant, 443), (Grain::Namespace, 8080), (Grain::Workload, 8080)];
            for (grain, port) in flows {
                for (a, b) in [(&base, &head), (&head, &base)] {
                    let (mine, oracle) = both(a, b, &sem, grain, port);
                    let at = format!("{} `{from}` → `{to}` #{nth} {grain:?} port {port}", dir.display());
                    assert_eq!(mine, oracle, "{at}");
                    if let Ok(r) = &mine {
                        compared += 1;
                        rows += r.len();
                        for s in r {
                            kinds.insert(s.split(' ').nth(4).unwrap_or_default().to_string());
                        }
                    }
                }
            }
        }
    }
    eprintln!("compared {compared} diffs, {rows} rows, changes {kinds:?}");
    // The comparison must have bitten: diffs answered, rows produced, and
    // more than one kind of change among them.
    assert!(compared >= 20, "only {compared} diffs compared");
    assert!(rows >= 10, "only {rows} rows compared");
    assert!(kinds.len() >= 2, "changes seen: {kinds:?}");
}
