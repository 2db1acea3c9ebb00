//! Issue #9's "Done when" on two AKS-like estates (`examples/mesh/`): a
//! Calico cluster (NetworkPolicy, a GlobalNetworkPolicy in the `security`
//! tier, an Istio AuthorizationPolicy) and a Cilium cluster (NetworkPolicy,
//! CiliumNetworkPolicy, the same AuthorizationPolicy). The engine is
//! chosen from the managedCluster's `networkPolicy`; each estate also
//! carries the other engine's policy, which must be reported as not
//! enforced. The tests pin every workload-pair cell of the matrix and the
//! exact deciding rules (tier, policy, rule, file:line, order) of
//! `tusk explain` and `tusk trace`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs tusk from the repository root: (stdout, stderr); it must succeed.
fn tusk(args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).current_dir(root()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "tusk {args:?}: {err}");
    (String::from_utf8(out.stdout).unwrap(), err)
}

/// Every pod-to-pod cell of the workload-grain matrix as `src dst: text`,
/// sorted; any unknown connection fails the test.
fn cells(dir: &str) -> (Vec<String>, String, String) {
    let (out, err) = tusk(&["matrix", dir, "--grain", "workload", "-o", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let name = |e: &Value| match e["type"].as_str() {
        Some("workload") => Some(format!("{}/{}", e["namespace"].as_str().unwrap(), e["name"].as_str().unwrap())),
        _ => None,
    };
    let mut cells = Vec::new();
    for r in v["rows"].as_array().unwrap() {
        for k in ["tcp", "udp", "sctp"] {
            assert_eq!(r["unknown"][k], Value::Array(vec![]), "{r}");
        }
        assert_eq!(r["unknown"]["nonPortProtocols"], false, "{r}");
        if let (Some(s), Some(d)) = (name(&r["src"]), name(&r["dst"])) {
            cells.push(format!("{s} {d}: {}", r["allowedText"].as_str().unwrap()));
        }
    }
    cells.sort();
    (cells, v["semantics"].as_str().unwrap().to_string(), err)
}

/// The ingress side of `tusk explain` as `=>? [layer] policy / rule: action (loc)`.
fn ingress_steps(dir: &str, from: &str, port: &str) -> (String, Vec<String>) {
    let (out, _) = tusk(&["explain", dir, "--from", from, "--to", "pay/api", "--port", port, "-o", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let steps = v["ingress"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}[{}] {} / {}: {} ({})",
                if s["decisive"] == true { "=> " } else { "" },
                s["layer"].as_str().unwrap(),
                s["policy"].as_str().unwrap(),
                s["rule"].as_str().unwrap(),
                s["action"].as_str().unwrap(),
                s["location"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    (v["verdict"].as_str().unwrap().to_string(), steps)
}

/// The cluster names its engine, so no load warning says a Calico or
/// Cilium policy's verdicts are unknown "under an engine that may or may
/// not be" its own: each is modelled or noted as not enforced.
fn assert_no_engine_doubt(err: &str) {
    assert!(!err.contains("may or may not be"), "{err}");
}

/// The pairs every matrix shares: nothing restricts traffic to shop and ops.
fn open_cells() -> Vec<&'static str> {
    vec![
        "ops/agent shop/cart: All Connections",
        "ops/agent shop/web: All Connections",
        "pay/api ops/agent: All Connections",
        "pay/api shop/cart: All Connections",
        "pay/api shop/web: All Connections",
        "shop/cart ops/agent: All Connections",
        "shop/cart shop/web: All Connections",
        "shop/web ops/agent: All Connections",
        "shop/web shop/cart: All Connections",
    ]
}

fn expect(open: Vec<&str>, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = open.into_iter().chain(extra.iter().copied()).map(String::from).collect();
    v.sort();
    v
}

#[test]
fn calico_cluster_matrix_tier_then_netpol_then_istio() {
    let (cells, semantics, err) = cells("examples/mesh/calico");
    assert!(semantics.contains("from cluster aks-calico's networkPolicy `calico`"), "{semantics}");
    // shop/cart is passed by the tier and admitted by the NetworkPolicy but
    // refused by Istio; ops/agent is denied by the security tier (even on
    // 9090, which Istio would admit): only shop/web on 8080 gets through.
    assert_eq!(cells, expect(open_cells(), &["shop/web pay/api: TCP 8080"]));
    assert!(
        err.contains(
            "examples/mesh/calico/k8s/cilium-not-enforced.yaml:3:1: CiliumNetworkPolicy pay/api-ops (Cilium) is not enforced by the cluster's policy engine (--policy-engine calico); it changes no verdict"
        ),
        "{err}"
    );
    assert_no_engine_doubt(&err);
}

#[test]
fn cilium_cluster_matrix_deny_wins_then_istio() {
    let (cells, semantics, err) = cells("examples/mesh/cilium");
    assert!(semantics.contains("from cluster aks-cilium's networkPolicy `cilium`"), "{semantics}");
    // ops/agent: the CiliumNetworkPolicy's deny beats the NetworkPolicy's
    // allow on 8080 and its own allow opens 9090, which Istio admits.
    assert_eq!(cells, expect(open_cells(), &["ops/agent pay/api: TCP 9090", "shop/web pay/api: TCP 8080"]));
    assert!(
        err.contains(
            "examples/mesh/cilium/k8s/calico-not-enforced.yaml:9:1: Calico GlobalNetworkPolicy security.quarantine-ops (Calico) is not enforced by the cluster's policy engine (--policy-engine cilium); it changes no verdict"
        ),
        "{err}"
    );
    assert_no_engine_doubt(&err);
}

const CAL: &str = "examples/mesh/calico/k8s";
const CIL: &str = "examples/mesh/cilium/k8s";

#[test]
fn calico_explain_names_every_deciding_rule_and_tier_in_order() {
    let pass = format!(
        "=> [Calico] Calico GlobalNetworkPolicy security.quarantine-ops (tier security, order 10) / ingress[1]: Pass ({CAL}/calico.yaml:21:5)"
    );
    let (v, steps) = ingress_steps("examples/mesh/calico", "shop/cart", "8080");
    assert_eq!(v, "denied");
    assert_eq!(
        steps,
        [
            pass.clone(),
            format!("=> [NetworkPolicy] NetworkPolicy pay/api-from-shop-and-ops / ingress[0]: Allow ({CAL}/netpol.yaml:9:5)"),
            "=> [Calico] Kubernetes NetworkPolicies (tier default, order 1000) / some rule allows (see above): Allow (-)".into(),
            format!("=> [Istio] AuthorizationPolicy pay/api-callers (ALLOW) / an ALLOW policy applies to the pod and none of its rules matches this flow: Deny ({CAL}/istio.yaml:4:1)"),
        ]
    );
    // 9090: the tier passes, the default tier ends in a deny because the
    // NetworkPolicy (named, with its line) selects the pod and admits 8080 only.
    let (v, steps) = ingress_steps("examples/mesh/calico", "shop/web", "9090");
    assert_eq!(v, "denied");
    assert_eq!(
        steps,
        [
            pass,
            format!("[NetworkPolicy] NetworkPolicy pay/api-from-shop-and-ops / selects the pod for ingress; no rule allows this flow: Deny ({CAL}/netpol.yaml:2:1)"),
            "=> [Calico] Calico tier default / end of tier: no rule decided the flow: Deny (-)".into(),
            format!("=> [Istio] AuthorizationPolicy pay/api-callers (ALLOW) / rules[1]: Allow ({CAL}/istio.yaml:15:5)"),
        ]
    );
    let (v, steps) = ingress_steps("examples/mesh/calico", "ops/agent", "9090");
    assert_eq!(v, "denied");
    assert_eq!(
        steps[0],
        format!("=> [Calico] Calico GlobalNetworkPolicy security.quarantine-ops (tier security, order 10) / ingress[0]: Deny ({CAL}/calico.yaml:18:5)")
    );
}

#[test]
fn cilium_explain_names_every_deciding_rule_in_order() {
    let (v, steps) = ingress_steps("examples/mesh/cilium", "ops/agent", "8080");
    assert_eq!(v, "denied");
    assert_eq!(
        steps,
        [
            // Matched, but the Cilium deny below wins over every allow.
            format!("[NetworkPolicy] NetworkPolicy pay/api-from-shop-and-ops / ingress[0]: Allow ({CIL}/netpol.yaml:9:5)"),
            format!("=> [Cilium] CiliumNetworkPolicy pay/api-ops / ingressDeny[0]: Deny ({CIL}/cilium.yaml:12:7)"),
            format!("=> [Istio] AuthorizationPolicy pay/api-callers (ALLOW) / an ALLOW policy applies to the pod and none of its rules matches this flow: Deny ({CIL}/istio.yaml:4:1)"),
        ]
    );
    let (v, steps) = ingress_steps("examples/mesh/cilium", "ops/agent", "9090");
    assert_eq!(v, "allowed");
    assert_eq!(
        steps,
        [
            format!("=> [Cilium] CiliumNetworkPolicy pay/api-ops / ingress[0]: Allow ({CIL}/cilium.yaml:17:7)"),
            format!("=> [Istio] AuthorizationPolicy pay/api-callers (ALLOW) / rules[1]: Allow ({CIL}/istio.yaml:15:5)"),
        ]
    );
}

/// `tusk trace` joins the same steps to the AKS data path: every pod pair
/// (each pod may land on either `apps` node) lists them with their tier.
#[test]
fn traces_list_the_deciding_rules_with_their_tier() {
    for (dir, from, port, verdict, want) in [
        (
            "examples/mesh/calico",
            "workload:shop/web",
            "9090",
            "DENIED",
            vec![
                format!("*Pass [Calico] Calico GlobalNetworkPolicy security.quarantine-ops (tier security, order 10) ingress[1]  ({CAL}/calico.yaml:21:5)"),
                format!(" Deny [NetworkPolicy] NetworkPolicy pay/api-from-shop-and-ops selects the pod for ingress; no rule allows this flow  ({CAL}/netpol.yaml:2:1)"),
                "*Deny [Calico] Calico tier default end of tier: no rule decided the flow".to_string(),
                format!("*Allow [Istio] AuthorizationPolicy pay/api-callers (ALLOW) rules[1]  ({CAL}/istio.yaml:15:5)"),
            ],
        ),
        (
            "examples/mesh/cilium",
            "workload:shop/cart",
            "8080",
            "DENIED",
            vec![
                format!("*Allow [NetworkPolicy] NetworkPolicy pay/api-from-shop-and-ops ingress[0]  ({CIL}/netpol.yaml:9:5)"),
                format!("*Deny [Istio] AuthorizationPolicy pay/api-callers (ALLOW) an ALLOW policy applies to the pod and none of its rules matches this flow  ({CIL}/istio.yaml:4:1)"),
            ],
        ),
    ] {
        let (out, err) = tusk(&["trace", dir, "--from", from, "--to", "workload:pay/api", "--port", port]);
        assert!(out.contains(&format!("verdict: {verdict}\n")), "{out}");
        // The other engine's policy is noted as not enforced, as by
        // `matrix` and `explain`.
        assert_eq!(err.lines().filter(|l| l.contains("is not enforced by the cluster's policy engine")).count(), 1, "{err}");
        assert_no_engine_doubt(&err);
        let blocks: Vec<&str> = out.split("destination pod ingress policy").skip(1).collect();
        // Two possible nodes each side: four pairs, all with the verdict;
        // the first is detailed.
        let pairs = out.lines().filter(|l| l.starts_with("  pod ") && l.contains(" → pod pay/api-0 [")).count();
        let same = out.lines().filter(|l| l.starts_with("  pod ") && l.ends_with(&format!(": {}", verdict.to_lowercase()))).count();
        assert_eq!((pairs, same), (4, 4), "{out}");
        assert_eq!(blocks.len(), 1, "{out}");
        for b in blocks {
            let got: Vec<&str> = b.lines().skip(1).take_while(|l| l.starts_with("     ")).map(|l| &l[5..]).collect();
            assert_eq!(got, want, "{out}");
        }
    }
}

/// `tusk load` alone reports the other engine's policy as not enforced,
/// with its file:line, and no doubt about it.
#[test]
fn load_reports_the_other_engines_policy_as_not_enforced() {
    for (dir, line) in [
        (
            "examples/mesh/calico",
            "examples/mesh/calico/k8s/cilium-not-enforced.yaml:3:1: CiliumNetworkPolicy pay/api-ops (Cilium) is not enforced by the cluster's policy engine (--policy-engine calico); it changes no verdict",
        ),
        (
            "examples/mesh/cilium",
            "examples/mesh/cilium/k8s/calico-not-enforced.yaml:9:1: Calico GlobalNetworkPolicy security.quarantine-ops (Calico) is not enforced by the cluster's policy engine (--policy-engine cilium); it changes no verdict",
        ),
    ] {
        let (_, err) = tusk(&["load", dir]);
        assert!(err.lines().any(|l| l == line), "{dir}: {err}");
        assert_no_engine_doubt(&err);
    }
}
