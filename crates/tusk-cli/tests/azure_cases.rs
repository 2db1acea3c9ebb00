//! The data-driven Azure cases: every folder `tests/azure/<case>/` with an
//! `expect.json` holds an estate (`input/`) and the expected outcome of
//! traces (verdict, and each step as `control verdict [rule]`) and of
//! effective-route listings. Adding a case needs no Rust: write the inputs
//! and the expectations. The built `tusk` binary runs each one, so the
//! whole pipeline (load, engine, JSON output) is under test.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/azure")
}

fn tusk(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).output().expect("tusk runs");
    assert!(out.status.success(), "tusk {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("tusk {args:?}: bad JSON: {e}"))
}

/// A path's steps as `control verdict [rule]` strings.
fn steps(path: &Value) -> Value {
    if path.is_null() {
        return Value::Null;
    }
    let list = path["steps"].as_array().expect("steps").iter().map(|s| {
        let mut t = format!("{} {}", s["control"].as_str().unwrap(), s["verdict"].as_str().unwrap());
        if let Some(r) = s["rule"]["name"].as_str() {
            t.push(' ');
            t.push_str(r);
        }
        Value::String(t)
    });
    Value::Array(list.collect())
}

fn route_line(x: &Value) -> Value {
    let mut s = format!(
        "{} {} {} {}",
        x["source"].as_str().unwrap(),
        x["state"].as_str().unwrap(),
        x["prefix"].as_str().unwrap(),
        x["nextHopType"].as_str().unwrap()
    );
    if let Some(ip) = x["nextHopIp"].as_str() {
        s.push(' ');
        s.push_str(ip);
    }
    Value::String(s)
}

fn run_case(dir: &Path) -> Vec<String> {
    let expect: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("expect.json")).unwrap()).unwrap();
    let input = dir.join("input");
    let input = input.to_str().unwrap();
    let mut failures = Vec::new();
    for t in expect["traces"].as_array().unwrap() {
        let port = t["port"].to_string();
        let (from, to, proto) = (t["from"].as_str().unwrap(), t["to"].as_str().unwrap(), t["proto"].as_str().unwrap());
        let mut args =
            vec!["trace", input, "--from", from, "--to", to, "--proto", proto, "--port", &port, "-o", "json"];
        // `fqdn`: the name the client uses (`--fqdn`), when the case gives one.
        if let Some(n) = t["fqdn"].as_str() {
            args.extend(["--fqdn", n]);
        }
        // `httpPath`: the request's path (`--http-path`), when the case gives one.
        if let Some(n) = t["httpPath"].as_str() {
            args.extend(["--http-path", n]);
        }
        let got = tusk(&args);
        let what = format!("{}: {from} → {to} {proto}/{port}", dir.display());
        if got["verdict"] != t["verdict"] {
            failures.push(format!(
                "{what}: verdict {} (expected {}); reason: {}",
                got["verdict"], t["verdict"], got["reason"]
            ));
        }
        // `nat`: texts the forward path's translations must contain (which
        // public address the Internet sees, and why), when the case gives them.
        if let Some(want) = t["nat"].as_array() {
            let nats: Vec<&str> = got["forward"]["steps"]
                .as_array()
                .map(|a| a.iter().filter_map(|s| s["nat"].as_str()).collect())
                .unwrap_or_default();
            for w in want.iter().filter_map(Value::as_str) {
                if !nats.iter().any(|n| n.contains(w)) {
                    failures.push(format!("{what}: no translation says `{w}`; got {nats:?}"));
                }
            }
        }
        for key in ["forward", "reply"] {
            if steps(&got[key]) != t[key] {
                failures.push(format!("{what}: {key} steps\n  got      {}\n  expected {}", steps(&got[key]), t[key]));
            }
        }
    }
    for r in expect["routes"].as_array().unwrap() {
        let subnet = r["subnet"].as_str().unwrap();
        let got = tusk(&["routes", input, "--subnet", subnet, "-o", "json"]);
        assert_eq!(got["schema"], "tusk.routes/v1");
        let lines = Value::Array(got["routes"].as_array().unwrap().iter().map(route_line).collect());
        if lines != r["routes"] {
            failures.push(format!(
                "{}: routes of {subnet}\n  got      {lines}\n  expected {}",
                dir.display(),
                r["routes"]
            ));
        }
    }
    failures
}

#[test]
fn every_azure_case_matches_its_expectations() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expect.json").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 7, "cases found: {dirs:?}");
    let failures: Vec<String> = dirs.iter().flat_map(|d| run_case(d)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
