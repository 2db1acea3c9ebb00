//! `tusk check` across both layers on the article's estate
//! (examples/article/kubenet, with its tusk.yaml): tenants, node pools and
//! actors in intents, answered by tusk-path's join. The example passes; a
//! one-line change of tenant 2's NetworkPolicy that opens it to tenant 1
//! fails `isolatedTenants` with the full cross-layer trace and the rule's
//! file:line, in text, JSON, SARIF (validated against the published
//! schema) and JUnit; `tusk diff --grain tenant` shows exactly the newly
//! allowed tenant pair with that rule. Without the cluster, such intents
//! are bad input (exit 2) saying what is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXAMPLE: &str = "examples/article/kubenet";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tusk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).current_dir(root()).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A copy of the example with line `line` of `file` changed from `from`
/// to `to` (the line must hold `from`).
fn changed_line(file: &str, line: usize, from: &str, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join(EXAMPLE);
    for sub in ["", "k8s"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir(src.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).unwrap();
            }
        }
    }
    if !from.is_empty() {
        let path = dir.path().join(file);
        let body = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = body.split('\n').map(String::from).collect();
        assert!(lines[line - 1].contains(from), "line {line} of {file}: {}", lines[line - 1]);
        lines[line - 1] = lines[line - 1].replace(from, to);
        std::fs::write(&path, lines.join("\n")).unwrap();
    }
    dir
}

/// The one-line change: tenant 2's policy admits every namespace's pods
/// (line 21 of k8s/policies.yaml, the peer of t2/same-tenant-only).
fn opened() -> tempfile::TempDir {
    changed_line("k8s/policies.yaml", 21, "- podSelector: {}", "- namespaceSelector: {}")
}

#[test]
fn the_article_s_tenant_intents_pass_across_both_layers() {
    let out = tusk(&["check", EXAMPLE]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{s}{}", text(&out.stderr));
    assert!(s.contains("PASS  tenants-isolated-for-pods  isolatedTenants t1, t2 (TCP port 8080, actor pod)"), "{s}");
    assert!(s.contains("3 intents: 3 hold, 0 violated, 0 unknown"), "{s}");
    let out = tusk(&["check", EXAMPLE, "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let intents = doc["intents"].as_array().unwrap();
    assert!(intents.iter().all(|i| i["layer"] == "aks"), "{doc:#}");
    // t1 → t2 and t2 → t1, every replica pair on every node each can run on.
    assert!(intents[0]["flows"].as_u64().unwrap() >= 4, "{doc:#}");
    assert_eq!(intents[1]["actor"], "node");
}

#[test]
fn opening_tenant_1_to_tenant_2_fails_with_the_cross_layer_trace() {
    let dir = opened();
    let d = dir.path().to_str().unwrap();
    let out = tusk(&["check", d]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}{}", text(&out.stderr));
    assert!(s.contains("FAIL  tenants-isolated-for-pods"), "{s}");
    assert!(s.contains("flow: tenant:t1 → tenant:t2 (actor: pod)"), "only t1 → t2 opened: {s}");
    // Every segment of the path: source policy, node exit, the Azure hops
    // with the NSG that admits the pod CIDR, the bridge, the ingress policy.
    for seg in ["source pod egress policy", "leaves node aks-tenant1-", "Azure network", "destination pod ingress"] {
        assert!(s.contains(seg), "segment `{seg}`: {s}");
    }
    assert!(s.contains(&format!("`allow-pod-cidr`, priority 110 at {d}/network.json:")), "the NSG rule: {s}");
    assert!(
        s.contains(&format!(
            "decided by: NetworkPolicy t2/same-tenant-only ingress[0] (Allow) at {d}/k8s/policies.yaml:20:5"
        )),
        "the opened rule: {s}"
    );
    assert!(s.contains("3 intents: 2 hold, 1 violated, 0 unknown"), "{s}");
}

#[test]
fn the_node_actor_finds_the_agent_that_lands_on_tenant_2_s_nodes() {
    // Without `actor`, isolatedTenants is asked for both actors: t1/agent
    // tolerates every taint, so a container escaping from it stands on a
    // tenant-2 node, where every pod's node is always admitted.
    let dir = changed_line("tusk.yaml", 10, "  actor: pod", "");
    let out = tusk(&["check", dir.path().to_str().unwrap(), "-o", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let i = &doc["intents"][0];
    assert_eq!((i["status"].as_str(), i["actor"].is_null()), (Some("violated"), true), "{i:#}");
    let t = i["counterexample"]["text"].as_str().unwrap();
    assert!(t.contains("(actor: node)") && t.contains("node aks-tenant2-"), "{t}");
}

#[test]
fn sarif_and_junit_carry_the_tenant_intents() {
    let schema_path = tusk_testkit::require_shared!("schemas/sarif-schema-2.1.0.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let dir = opened();
    let out = tusk(&["check", dir.path().to_str().unwrap(), "-o", "sarif"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let r = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(r.len(), 1, "{doc:#}");
    assert_eq!(r[0]["ruleId"], "TUSK-C001");
    assert!(r[0]["message"]["text"].as_str().unwrap().contains("isolatedTenants t1, t2"), "{:#}", r[0]);
    let locs = &r[0]["locations"];
    assert_eq!(locs[0]["physicalLocation"]["region"]["startLine"], 7, "the intent's line");
    assert_eq!(locs[1]["physicalLocation"]["region"]["startLine"], 20, "the opened rule's line");
    assert!(locs[1]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap().ends_with("k8s/policies.yaml"));
    let out = tusk(&["check", dir.path().to_str().unwrap(), "-o", "junit"]);
    let x = text(&out.stdout);
    assert_eq!(x.matches("<testcase ").count(), 3, "{x}");
    assert!(x.contains("<testcase name=\"tenants-isolated-for-pods\" classname=\"tusk.isolatedTenants\""), "{x}");
    assert_eq!(x.matches("<failure ").count(), 1, "{x}");
}

#[test]
fn tenant_intents_without_the_cluster_or_with_an_unknown_tenant_are_bad_input() {
    let dir = changed_line("tusk.yaml", 9, "tenants: [t1, t2]", "tenants: [t1, t3]");
    let out = tusk(&["check", dir.path().to_str().unwrap()]);
    let e = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(
        e.contains("`tenant:t3`: no namespace carries the label `tenant: t3` (tenants in the inputs: t1, t2)"),
        "{e}"
    );
    // The same intents without the cluster: nothing to join.
    let dir = opened();
    std::fs::remove_file(dir.path().join("cluster.json")).unwrap();
    let out = tusk(&["check", dir.path().to_str().unwrap()]);
    let e = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(e.contains("needs the AKS cluster (a managedClusters resource)"), "{e}");
}

#[test]
fn diff_by_tenant_shows_exactly_the_newly_allowed_pair_with_the_changed_rule() {
    let dir = opened();
    let d = dir.path().to_str().unwrap();
    let out = tusk(&["diff", "--base", EXAMPLE, "--head", d, "--grain", "tenant", "--port", "8080", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes = doc["changes"].as_array().unwrap();
    // t1 → t2 for pods only: the node actor is still refused (the policy
    // admits pods, not node addresses), and t2 → t1 did not change.
    let rows: Vec<(&str, &str, &str)> = changes
        .iter()
        .map(|c| (c["change"].as_str().unwrap(), c["from"].as_str().unwrap(), c["to"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("newly allowed", "tenant:t1 (actor pod)", "tenant:t2")], "{doc:#}");
    let c = &changes[0];
    assert_eq!(c["connections"], "TCP 8080");
    assert!(c["example"].as_str().unwrap().contains("allowed in head, denied in base"), "{c:#}");
    let head = &c["headCause"][0];
    assert!(head["rule"].as_str().unwrap().contains("NetworkPolicy t2/same-tenant-only ingress[0]"), "{c:#}");
    assert_eq!((head["location"]["line"].as_u64(), head["location"]["column"].as_u64()), (Some(20), Some(5)));
    assert!(head["location"]["file"].as_str().unwrap().ends_with("k8s/policies.yaml"));
    assert!(c["baseCause"][0]["rule"].as_str().unwrap().contains("t2/same-tenant-only"), "{c:#}");
    // No change, no row; and the grain needs a port.
    let out = tusk(&["diff", "--base", EXAMPLE, "--head", EXAMPLE, "--grain", "tenant", "--port", "8080"]);
    assert!(text(&out.stdout).contains("no flow changed its verdict (grain tenant)"), "{}", text(&out.stdout));
    let out = tusk(&["diff", "--base", EXAMPLE, "--head", d, "--grain", "tenant"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("give --port"));
}

#[test]
fn pod_egress_that_skips_the_hub_firewall_violates_egress_only_via() {
    // Line 120 of network.json: the pools' 0.0.0.0/0 route to the hub
    // firewall. Narrowed to the hub's range, Internet traffic takes the
    // system route out and never crosses fw-hub.
    let dir = changed_line("network.json", 120, "\"0.0.0.0/0\"", "\"10.0.0.0/16\"");
    let d = dir.path().to_str().unwrap();
    let out = tusk(&["check", d]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}{}", text(&out.stderr));
    assert!(s.contains("FAIL  tenant1-egress-through-the-hub-firewall"), "{s}");
    assert!(s.contains("allowed without passing through it"), "{s}");
    assert!(s.contains("pod t1/web-") && s.contains("forward path:"), "the path out: {s}");
    assert!(s.contains("3 intents: 2 hold, 1 violated, 0 unknown"), "{s}");
}

#[test]
fn an_intent_across_the_layers_without_ports_is_unknown_not_a_pass() {
    let dir = changed_line("tusk.yaml", 17, "  ports: [\"8080\"]", "");
    let d = dir.path().to_str().unwrap();
    let out = tusk(&["check", d]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}{}", text(&out.stderr));
    assert!(s.contains("UNKNOWN  tenant1-nodes-never-reach-tenant2-api"), "{s}");
    assert!(s.contains("one port at a time: give `ports`"), "{s}");
    let out = tusk(&["check", d, "--allow-unknown"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn isolated_tenants_without_a_list_asks_every_tenant_of_the_label() {
    let dir = changed_line("tusk.yaml", 9, "tenants: [t1, t2]", "description: every tenant");
    let out = tusk(&["check", dir.path().to_str().unwrap(), "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed = tusk(&["check", EXAMPLE, "-o", "json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    // t1 and t2 are every tenant: the same flows are asked.
    assert_eq!(doc["intents"][0]["tenants"], serde_json::json!([]));
    assert_eq!(doc["intents"][0]["flows"], listed["intents"][0]["flows"]);
    // Another label names no two tenants: nothing to isolate is bad input.
    let out = tusk(&["check", dir.path().to_str().unwrap(), "--tenant-label", "team"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("needs two tenants"), "{}", text(&out.stderr));
}
