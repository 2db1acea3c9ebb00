//! The file walk: the files a list of paths stands for, and their text.
//!
//! A path names a file (read whatever its extension) or a folder (every
//! `.yaml`, `.yml` and `.json` file below it, in name order, so loads are
//! deterministic). Symbolic links are followed, but no folder is entered
//! twice and no file read twice (both are compared by their canonical path),
//! so a link to a parent folder costs one warning, not an endless or
//! exponential walk. Only regular files are read: a FIFO or device named
//! `*.yaml` would block or never end. This module knows no format.

use crate::doc;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tusk_core::{LoadError, Loc, Pos, Warning};

/// What a walk found: the files to read, in order, and what it skipped or
/// could not read.
#[derive(Debug, Default)]
pub struct Walk {
    /// Regular files to read, in the walk's order.
    pub files: Vec<PathBuf>,
    /// What was skipped: a folder reached twice (a symbolic link back), a
    /// folder entry that is not a regular file or cannot be read.
    pub warnings: Vec<Warning>,
    /// Paths given that could not be read or listed, or are not regular files
    /// (a FIFO, socket or device).
    pub errors: Vec<LoadError>,
}

fn loc(p: &Path) -> Loc {
    Loc::new(Arc::from(p.display().to_string()), Pos::default())
}

/// Walks every path in turn.
pub fn walk(paths: &[PathBuf]) -> Walk {
    let mut w = Walk::default();
    let mut seen = Seen::default();
    for p in paths {
        match std::fs::metadata(p) {
            Err(e) => w.errors.push(LoadError::new(loc(p), format!("cannot read: {e}"))),
            Ok(m) if m.is_dir() => folder(p, &mut seen, &mut w),
            Ok(m) if m.is_file() => {
                if seen.file(p) {
                    w.files.push(p.clone());
                }
            }
            Ok(_) => {
                w.errors.push(LoadError::new(loc(p), "cannot read: not a regular file (a FIFO, socket or device)"))
            }
        }
    }
    w
}

#[derive(Default)]
struct Seen {
    folders: HashSet<PathBuf>,
    files: HashSet<PathBuf>,
}

impl Seen {
    /// True the first time a file (by canonical path) is seen.
    fn file(&mut self, p: &Path) -> bool {
        self.files.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()))
    }
}

fn folder(dir: &Path, seen: &mut Seen, w: &mut Walk) {
    let canon = match std::fs::canonicalize(dir) {
        Ok(c) => c,
        Err(e) => return w.errors.push(LoadError::new(loc(dir), format!("cannot read: {e}"))),
    };
    if !seen.folders.insert(canon) {
        w.warnings.push(Warning::new(loc(dir), "skipping folder: already read (a symbolic link leads back to it)"));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => return w.errors.push(LoadError::new(loc(dir), format!("cannot list folder: {e}"))),
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let wanted = matches!(
            p.extension().and_then(|e| e.to_str()), // `.tf` files are listed so that the loader can say HCL is not read.
            Some("yaml" | "yml" | "json" | "bicep" | "bicepparam" | "tf")
        );
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => folder(&p, seen, w),
            Ok(m) if m.is_file() => w.files.extend((wanted && seen.file(&p)).then_some(p)),
            Ok(_) if wanted => w.warnings.push(Warning::new(loc(&p), "skipping file: not a regular file")),
            Err(e) if wanted => w.warnings.push(Warning::new(loc(&p), format!("skipping file: cannot read: {e}"))),
            _ => {}
        }
    }
}

/// Reads one file as text (see [`doc::decode`]).
pub fn read(name: &Arc<str>, path: &Path) -> Result<String, LoadError> {
    let bytes = std::fs::read(path)
        .map_err(|e| LoadError::new(Loc::new(name.clone(), Pos::default()), format!("cannot read: {e}")))?;
    doc::decode(name, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tusk-walk-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[cfg(unix)]
    #[test]
    fn two_symlinks_to_itself_read_each_file_once() {
        let d = tmp("loop");
        std::fs::write(d.join("a.yaml"), "a: 1\n").unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/b.yml"), "b: 1\n").unwrap();
        std::os::unix::fs::symlink(&d, d.join("loop1")).unwrap();
        std::os::unix::fs::symlink("..", d.join("sub/loop2")).unwrap();
        std::os::unix::fs::symlink(d.join("a.yaml"), d.join("z.yaml")).unwrap();
        let w = walk(std::slice::from_ref(&d));
        assert_eq!(w.files, vec![d.join("a.yaml"), d.join("sub/b.yml")]);
        assert!(w.errors.is_empty(), "{:?}", w.errors);
        assert_eq!(w.warnings.len(), 2, "{:?}", w.warnings);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_never_opened() {
        let d = tmp("fifo");
        let fifo = d.join("pipe.yaml");
        let ok = std::process::Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
        if !ok {
            eprintln!("skipped: mkfifo not available");
            return;
        }
        let w = walk(std::slice::from_ref(&d));
        assert!(w.files.is_empty());
        assert!(w.warnings[0].message.contains("not a regular file"), "{:?}", w.warnings);
        let w = walk(std::slice::from_ref(&fifo));
        assert!(w.errors[0].message.contains("not a regular file"), "{:?}", w.errors);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
