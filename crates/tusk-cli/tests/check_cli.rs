//! `tusk check` on the CI example (examples/ci): it passes; a one-line
//! change that opens tenant-a to tenant-b's API fails it with the
//! counterexample and the opening rule's file:line; its SARIF validates
//! against the published SARIF 2.1.0 schema (../shared/schemas); JUnit has
//! one test case per intent; a bad intent is a located error, exit 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tusk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).current_dir(root()).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A copy of examples/ci in a temporary folder, with `from` replaced by
/// `to` (exactly once) in `file`.
fn changed(file: &str, from: &str, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("examples/ci");
    for sub in ["", "azure", "k8s"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir(src.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).unwrap();
            }
        }
    }
    let path = dir.path().join(file);
    if from.is_empty() {
        return dir;
    }
    let body = std::fs::read_to_string(&path).unwrap();
    assert_eq!(body.matches(from).count(), 1, "`{from}` must occur once in {file}");
    std::fs::write(&path, body.replace(from, to)).unwrap();
    dir
}

/// As [`changed`], on one line of the file only.
fn changed_line(file: &str, line: usize, from: &str, to: &str) -> tempfile::TempDir {
    let dir = changed(file, "", "");
    let path = dir.path().join(file);
    let body = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = body.split('\n').map(String::from).collect();
    assert!(lines[line - 1].contains(from), "line {line} of {file}: {}", lines[line - 1]);
    lines[line - 1] = lines[line - 1].replace(from, to);
    std::fs::write(&path, lines.join("\n")).unwrap();
    dir
}

const OPEN: (&str, &str) = ("matchLabels: {kubernetes.io/metadata.name: tenant-b}", "matchLabels: {}");

#[test]
fn the_example_passes() {
    let out = tusk(&["check", "examples/ci"]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{s}{}", text(&out.stderr));
    assert!(s.contains("6 intents: 6 hold, 0 violated, 0 unknown"), "{s}");
}

#[test]
fn opening_tenant_a_to_tenant_b_fails_with_the_counterexample() {
    let dir = changed("k8s/tenants.yaml", OPEN.0, OPEN.1);
    let d = dir.path().to_str().unwrap();
    let out = tusk(&["check", d]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(s.contains("FAIL  tenant-a-never-reaches-tenant-b-api"), "{s}");
    assert!(s.contains("counterexample:") && s.contains("pod web-0) -> tenant-b/api"), "{s}");
    // The rule that opened it, with its line in the changed file (line 62:
    // the ingress rule of api-from-own-namespace).
    assert!(
        s.contains(&format!(
            "decided by: NetworkPolicy tenant-b/api-from-own-namespace ingress[0] (Allow) at {d}/k8s/tenants.yaml:62:5"
        )),
        "{s}"
    );
    // Everything else still holds.
    assert!(s.contains("6 intents: 5 hold, 1 violated, 0 unknown"), "{s}");
}

#[test]
fn opening_the_east_west_firewall_rule_to_every_port_fails_with_the_trace() {
    // Line 92 of firewall.json is the `spokes-https` rule's only port; the
    // spokes' NSGs admit the VirtualNetwork tag, so the firewall alone keeps
    // SSH out: `*` there lets it through.
    let dir = changed_line("azure/firewall.json", 92, "\"443\"", "\"*\"");
    let d = dir.path().to_str().unwrap();
    let out = tusk(&["check", d]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(s.contains("FAIL  spokes-no-ssh"), "{s}");
    assert!(s.contains("forward path:") && s.contains("reply path:"), "the full trace: {s}");
    assert!(
        s.contains(&format!("collection spoke-to-spoke rule spokes-https at {d}/azure/firewall.json:77:15")),
        "{s}"
    );
    assert!(s.contains("6 intents: 5 hold, 1 violated, 0 unknown"), "{s}");
}

#[test]
fn sarif_validates_against_the_published_schema() {
    let schema_path = tusk_testkit::require_shared!("schemas/sarif-schema-2.1.0.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let dir = changed("k8s/tenants.yaml", OPEN.0, OPEN.1);
    for (args, results) in [
        (vec!["check", "examples/ci", "-o", "sarif"], 0),
        (vec!["check", dir.path().to_str().unwrap(), "-o", "sarif"], 1),
    ] {
        let out = tusk(&args);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{args:?}: {}", errors.join("\n"));
        let r = doc["runs"][0]["results"].as_array().unwrap();
        assert_eq!(r.len(), results, "{args:?}");
        if results == 1 {
            assert_eq!(r[0]["ruleId"], "TUSK-C001");
            let locs = &r[0]["locations"];
            assert_eq!(locs[0]["physicalLocation"]["region"]["startLine"], 28, "the intent's line");
            assert_eq!(locs[1]["physicalLocation"]["region"]["startLine"], 62, "the deciding rule's line");
            assert!(locs[1]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("k8s/tenants.yaml"));
        }
    }
    // A document that breaks the schema is caught: the check is not vacuous.
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]});
    assert!(!validator.is_valid(&bad));
}

#[test]
fn junit_has_one_case_per_intent_and_json_says_why() {
    let dir = changed("k8s/tenants.yaml", OPEN.0, OPEN.1);
    let out = tusk(&["check", dir.path().to_str().unwrap(), "-o", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let x = text(&out.stdout);
    assert_eq!(x.matches("<testcase ").count(), 6, "{x}");
    assert_eq!(x.matches("<failure ").count(), 1, "{x}");
    assert!(x.contains("tests=\"6\" failures=\"1\""), "{x}");
    let out = tusk(&["check", dir.path().to_str().unwrap(), "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["passed"], false);
    let bad: Vec<&serde_json::Value> =
        doc["intents"].as_array().unwrap().iter().filter(|i| i["status"] != "holds").collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["counterexample"]["decidedBy"][0]["location"]["line"], 62);
}

#[test]
fn an_unknown_intent_fails_unless_allowed() {
    // Every port at once between the spokes: the firewall's rule names 443
    // only, and the Azure engine answers "every port at once" with unknown
    // rather than a guess; unknown is not a pass.
    let dir = changed("tusk.yaml", "  to: spoke2-node\n  ports: [\"443\"]\n", "  to: spoke2-node\n");
    let d = dir.path().to_str().unwrap();
    let out = tusk(&["check", d]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(s.contains("UNKNOWN  spoke1-reaches-spoke2-https"), "{s}");
    assert!(s.contains("undecided flow:") && s.contains("the flow's port is not given"), "the reason: {s}");
    let out = tusk(&["check", d, "--allow-unknown"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("warning: 1 intent(s) unknown"));
}

#[test]
fn a_bad_intent_is_a_located_error() {
    let dir =
        changed("tusk.yaml", "kind: mustNotReach\n  from: spoke2-node", "kind: mustNotReech\n  from: spoke2-node");
    let out = tusk(&["check", dir.path().to_str().unwrap()]);
    let e = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(e.contains("tusk.yaml:23:9") && e.contains("invalid kind `mustNotReech`"), "{e}");
    let dir = changed("tusk.yaml", "from: spoke2-node", "from: no-such-nic");
    let out = tusk(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no-such-nic"));
}

#[test]
fn audit_reports_codes_with_locations_and_its_sarif_validates() {
    let out = tusk(&["audit", "examples/ci"]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "warnings only: {s}");
    assert!(s.contains("examples/ci/azure/routes.json:9:9: warning TA004"), "{s}");
    let out = tusk(&["audit", "tests/aks/two-clusters/input", "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = doc["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"TA001") && codes.contains(&"TA005"), "{codes:?}");
    let schema_path = tusk_testkit::require_shared!("schemas/sarif-schema-2.1.0.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let out = tusk(&["audit", "examples/ci", "tests/aks/two-clusters/input", "-o", "sarif"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 5);
}

#[test]
fn diff_shows_exactly_the_newly_allowed_flow_with_the_changed_rule() {
    let dir = changed("k8s/tenants.yaml", OPEN.0, OPEN.1);
    let d = dir.path().to_str().unwrap();
    let out = tusk(&["diff", "--base", "examples/ci", "--head", d, "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes = doc["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{doc:#}");
    let c = &changes[0];
    assert_eq!(
        (c["change"].as_str(), c["from"].as_str(), c["to"].as_str()),
        (Some("newly allowed"), Some("tenant-a/web[Deployment]"), Some("tenant-b/api[Deployment]"))
    );
    assert_eq!(c["connections"], "TCP 8080");
    // The changed rule in the head (line 62) and what denied it in the base.
    assert_eq!(c["headCause"][0]["location"]["line"], 62);
    assert!(c["headCause"][0]["location"]["file"].as_str().unwrap().starts_with(d));
    assert!(c["baseCause"].as_array().unwrap().iter().all(|x| x["location"]["file"] == "examples/ci/k8s/tenants.yaml"));
    // No change: nothing listed; the Markdown says so too.
    let out = tusk(&["diff", "--base", "examples/ci", "--head", "examples/ci", "-o", "md", "--grain", "namespace"]);
    assert!(text(&out.stdout).contains("No flow changed its verdict."));
}

#[test]
fn a_flow_allowed_in_the_base_and_unknown_in_the_head_is_newly_unknown() {
    // A Calico policy tusk does not model under upstream semantics selects
    // tenant-a's pods for egress: their allowed egress to the outside can
    // no longer be shown either way. That is a change (it was reported as
    // none: only denied → unknown counted).
    let dir = changed("k8s/tenants.yaml", "", "");
    let policy = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: audit-egress\n  namespace: tenant-a\nspec:\n  selector: all()\n  types: [Egress]\n  egress:\n  - action: Log\n";
    std::fs::write(dir.path().join("k8s/calico.yaml"), policy).unwrap();
    let d = dir.path().to_str().unwrap();
    let out = tusk(&["diff", "--base", "examples/ci", "--head", d, "--grain", "namespace", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<(&str, &str, &str)> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["change"].as_str().unwrap(), c["from"].as_str().unwrap(), c["to"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("newly unknown", "tenant-a[Namespace]", "0.0.0.0-255.255.255.255[External]")], "{doc:#}");
}

#[test]
fn subnet_diff_shows_the_newly_allowed_ssh_with_the_firewall_rule_on_both_sides() {
    let dir = changed_line("azure/firewall.json", 92, "\"443\"", "\"*\"");
    let d = dir.path().to_str().unwrap();
    let out = tusk(&["diff", "--base", "examples/ci", "--head", d, "--grain", "subnet", "--port", "22", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes = doc["changes"].as_array().unwrap();
    let pairs: Vec<(&str, &str, &str)> = changes
        .iter()
        .map(|c| (c["change"].as_str().unwrap(), c["from"].as_str().unwrap(), c["to"].as_str().unwrap()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("newly allowed", "spoke1/aks-nodes", "spoke2/aks-nodes"),
            ("newly allowed", "spoke2/aks-nodes", "spoke1/aks-nodes")
        ]
    );
    for c in changes {
        assert_eq!(c["headCause"][0]["location"]["line"], 77, "the changed rule spokes-https: {c:#}");
        assert!(c["headCause"][0]["rule"].as_str().unwrap().contains("spokes-https"));
        assert!(c["baseCause"][0]["rule"].as_str().unwrap().contains("default deny"), "{c:#}");
    }
    // On 443, which the rule allowed before, nothing changed.
    let out = tusk(&["diff", "--base", "examples/ci", "--head", d, "--grain", "subnet", "--port", "443"]);
    assert!(text(&out.stdout).contains("no flow changed its verdict"));
}

#[test]
fn audit_finds_each_planted_flaw_with_its_code_and_location() {
    let dir = "tests/audit/planted";
    let expected = std::fs::read_to_string(root().join(dir).join("expected.txt")).unwrap();
    let mut want: Vec<String> = expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.replacen(' ', &format!(" {dir}/input/"), 1))
        .collect();
    let out = tusk(&["audit", &format!("{dir}/input"), "-o", "json"]);
    assert_eq!(out.status.code(), Some(1), "errors among the findings: {}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["code"].as_str().unwrap(),
                f["location"]["file"].as_str().unwrap(),
                f["location"]["line"]
            )
        })
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    let mut codes: Vec<&str> =
        doc["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), 11, "every lint fires: {codes:?}");
}

#[test]
fn audit_words_each_finding_as_its_expected_text() {
    // Findings are data; tusk-report words them. The planted flaws and the
    // other branches of the wording (tests/audit/variants) print exactly
    // their expected text, sentence and fix line.
    for dir in ["tests/audit/planted", "tests/audit/variants"] {
        let want = std::fs::read_to_string(root().join(dir).join("expected_text.txt")).unwrap();
        let out = tusk(&["audit", &format!("{dir}/input")]);
        assert_eq!(text(&out.stdout), want, "{dir}: {}", text(&out.stderr));
        // SARIF and JSON carry the same words.
        let out = tusk(&["audit", &format!("{dir}/input"), "-o", "sarif"]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let sarif: Vec<String> = doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["message"]["text"].as_str().unwrap().replace(" Fix: ", "\n  fix: "))
            .collect();
        let out = tusk(&["audit", &format!("{dir}/input"), "-o", "json"]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let json: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{}\n  fix: {}", f["message"].as_str().unwrap(), f["fix"].as_str().unwrap()))
            .collect();
        assert_eq!(sarif, json, "{dir}");
        for m in &json {
            assert!(want.contains(&format!(": {m}\n")), "{dir}: {m}");
        }
    }
}
