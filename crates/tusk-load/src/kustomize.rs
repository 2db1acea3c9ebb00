//! Kustomize trees in the inputs. A `kustomization.yaml` is a build
//! recipe for `kubectl kustomize`, not an object the API server accepts,
//! and the patches it names are fragments of objects; tusk does not run
//! kustomize, so both are skipped with a hint to pass the rendered output
//! (`kubectl kustomize DIR > rendered.yaml`) instead of failing the whole
//! folder. The other files of the tree still load as they are, without the
//! kustomization's transformations (name prefixes, namespaces, patches),
//! which the warning says. File names are the ones kustomize looks for
//! (`kustomization.yaml`, `kustomization.yml`, `Kustomization`:
//! kubectl.docs.kubernetes.io, "kustomization").

use crate::doc::{parse_documents, Doc, Node};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use tusk_core::{Loc, Pos, Warning};

const NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

fn is_kustomization_file(name: &str) -> bool {
    Path::new(name).file_name().and_then(|f| f.to_str()).is_some_and(|f| NAMES.contains(&f))
}

/// Is this document a kustomization (by its `kind`, whatever the file's name)?
pub fn is_kustomization(root: &Node) -> bool {
    root.get("kind").and_then(Node::as_str) == Some("Kustomization")
        && root.get("apiVersion").and_then(Node::as_str).is_none_or(|a| a.starts_with("kustomize.config.k8s.io/"))
}

/// The warning for a `kind: Kustomization` document in a file of another name.
pub fn skipped_document(d: &Doc) -> Warning {
    let message = "a Kustomization is a recipe for `kubectl kustomize`, which tusk does not run; skipped: pass the rendered output instead";
    Warning { loc: d.loc(&d.root), message: message.into() }
}

/// The sources to skip (kustomizations and the patches they name), each
/// with its warning.
pub fn skipped(sources: &[(Arc<str>, String)]) -> Vec<(Arc<str>, Warning)> {
    let mut out = Vec::new();
    let mut patches: HashSet<PathBuf> = HashSet::new();
    for (name, text) in sources.iter().filter(|(n, _)| is_kustomization_file(n)) {
        let dir = Path::new(&**name).parent().unwrap_or(Path::new(""));
        for d in parse_documents(name, text).unwrap_or_default() {
            for key in ["patchesStrategicMerge", "patches", "patchesJson6902"] {
                for p in d.root.get(key).and_then(Node::as_seq).unwrap_or_default() {
                    if let Some(path) = p.as_str().or_else(|| p.get("path").and_then(Node::as_str)) {
                        patches.insert(normal(&dir.join(path)));
                    }
                }
            }
        }
        let message = format!(
            "a kustomization is a recipe for `kubectl kustomize`, which tusk does not run; skipped. The other files of its tree load as they are, without its transformations: pass the rendered output instead (`kubectl kustomize {} > rendered.yaml`)",
            if dir.as_os_str().is_empty() { "." } else { dir.to_str().unwrap_or(".") }
        );
        out.push((name.clone(), Warning { loc: Loc::new(name.clone(), Pos { line: 1, col: 1 }), message }));
    }
    for (name, _) in sources {
        if patches.contains(&normal(Path::new(&**name))) {
            let message =
                "a patch named by a kustomization (a fragment of an object, not an object); skipped".to_string();
            out.push((name.clone(), Warning { loc: Loc::new(name.clone(), Pos { line: 1, col: 1 }), message }));
        }
    }
    out
}

/// A path without `.` steps and with `x/..` folded, to compare names.
fn normal(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}
