//! Every `tusk ...` command of the README runs, from the repository's root,
//! against the folders of the repository, and succeeds with a report: the
//! README's examples cannot rot. A `--file NAME` is redirected into a
//! temporary folder so the test writes nothing into the checkout.

use std::path::Path;
use std::process::Command;

/// The `tusk` lines of the README's `sh` blocks, without trailing comments.
fn commands(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = t == "```sh";
            continue;
        }
        if in_sh && t.starts_with("tusk ") {
            let cmd = t.split(" #").next().unwrap_or(t).trim();
            out.push(cmd.to_string());
        }
    }
    out
}

#[test]
fn every_readme_command_runs_against_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let cmds = commands(&readme);
    assert!(cmds.len() >= 10, "only {} tusk commands found in README.md", cmds.len());
    let tmp = std::env::temp_dir().join(format!("tusk-readme-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut failures = Vec::new();
    for cmd in &cmds {
        let mut args: Vec<String> = cmd.split_whitespace().skip(1).map(String::from).collect();
        let mut written = None;
        if let Some(i) = args.iter().position(|a| a == "--file") {
            let target = tmp.join(&args[i + 1]);
            args[i + 1] = target.display().to_string();
            written = Some(target);
        }
        let out = Command::new(env!("CARGO_BIN_EXE_tusk")).args(&args).current_dir(&root).output().unwrap();
        let report = match &written {
            Some(f) => std::fs::read(f).unwrap_or_default(),
            None => out.stdout.clone(),
        };
        if !out.status.success() || report.is_empty() {
            failures.push(format!(
                "`{cmd}`: exit {:?}, {} bytes of report\n{}",
                out.status.code(),
                report.len(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        if args.iter().any(|a| a == "json") {
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(&report) {
                failures.push(format!("`{cmd}`: not JSON: {e}"));
            }
        }
    }
    std::fs::remove_dir_all(&tmp).ok();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
