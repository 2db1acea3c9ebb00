//! What the Terraform-versus-ARM tests share: run `tusk trace -o json` on
//! a fixture and drop the locations, which are the only part allowed to
//! differ between a state file and the ARM export of the same estate.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn path(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests").join(p)
}

pub fn trace(input: &Path, from: &str, to: &str, port: u16) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tusk"))
        .args(["trace", input.to_str().unwrap(), "--from", from, "--to", to, "--port", &port.to_string()])
        .args(["-o", "json"])
        .output()
        .expect("tusk runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

pub fn without_locations(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("location");
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            Value::String(s) => {
                // Reasons cite places inline: `(lb.json:12:7)` / `(state.json:80:9 (azurerm_lb.pub))`.
                if let Some(i) = s.find(" (") {
                    if s[i..].contains(".json:") {
                        s.truncate(i);
                    }
                }
            }
            _ => {}
        }
    }
    strip(&mut v);
    v
}
