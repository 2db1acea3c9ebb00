//! `tusk matrix` rows toward Service addresses (issue 8 A2): a Service with
//! a ClusterIP is a destination answered through its endpoint pods, in its
//! own port space — allowed when every endpoint allows the target port,
//! unknown when only some do or when the input cannot give the endpoints.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// stdout of a successful `tusk` run.
fn tusk(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tusk")).args(args).output().expect("tusk runs");
    assert!(out.status.success(), "tusk {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The csv row `src,dst,allowed,unknown` of a pair, if any.
fn row<'a>(csv: &'a str, src: &str, dst: &str) -> Option<&'a str> {
    csv.lines().find(|l| l.starts_with(&format!("{src},{dst},")))
}

#[test]
fn cluster_ip_of_kube_dns_is_reached_through_coredns() {
    let case = tusk_testkit::require_shared!("cases/service-clusterip-dns");
    let csv = tusk(&["matrix", &case.display().to_string(), "--grain", "pod", "-o", "csv"]);
    // The client's egress admits only UDP 53 to the CoreDNS pods; the
    // Service maps UDP 53 to them.
    assert_eq!(
        row(&csv, "app/client[Pod]", "kube-system/kube-dns[Service]"),
        Some("app/client[Pod],kube-system/kube-dns[Service],UDP 53,"),
        "{csv}"
    );
    // netpol-analyzer's connlist has no Service rows: that format is unchanged.
    let connlist = tusk(&["matrix", &case.display().to_string(), "-o", "connlist"]);
    assert!(!connlist.contains("[Service]"), "{connlist}");
}

#[test]
fn service_rows_follow_every_endpoint_and_replica() {
    let case = repo().join("tests/k8s-services/replicas-behind-service").display().to_string();
    let csv = tusk(&["matrix", &case, "--grain", "pod", "-o", "csv"]);
    let get = |src: &str, svc: &str| row(&csv, &format!("shop/{src}[Pod]"), &format!("shop/{svc}[Service]"));
    // api admits only front on its `https` port (8443): the Service's 443.
    for front in ["front-0", "front-1"] {
        assert_eq!(get(front, "api"), Some(format!("shop/{front}[Pod],shop/api[Service],TCP 443,").as_str()));
    }
    assert_eq!(get("bad", "api"), None, "bad is denied by every endpoint: {csv}");
    // A replica of api may be sent to itself (allowed) or to another
    // replica (denied by api's policy): unknown, for each replica.
    for r in 0..3 {
        let src = format!("api-{r}");
        assert_eq!(get(&src, "api"), Some(format!("shop/{src}[Pod],shop/api[Service],,TCP 443").as_str()), "{csv}");
    }
    // mixed: `open` admits everyone, `closed` only front.
    assert_eq!(get("bad", "mixed"), Some("shop/bad[Pod],shop/mixed[Service],,TCP 443"));
    assert_eq!(get("front-0", "mixed"), Some("shop/front-0[Pod],shop/mixed[Service],TCP 443,"));

    // JSON names the Service and its ClusterIP.
    let json = tusk(&["matrix", &case, "-o", "json"]);
    assert!(
        json.contains(r#"{"type":"service","namespace":"shop","name":"api","clusterIps":["10.0.60.10"]}"#),
        "{json}"
    );

    // explain agrees with the rows.
    let explain = tusk(&["explain", &case, "--from", "shop/api-1", "--to", "10.0.60.10", "--port", "443"]);
    assert!(explain.contains("verdict over all endpoints: UNKNOWN"), "{explain}");
    let explain = tusk(&["explain", &case, "--from", "shop/front-1", "--to", "svc:shop/api", "--port", "443"]);
    assert!(explain.contains("verdict over all endpoints: ALLOWED"), "{explain}");
}

#[test]
fn a_service_without_endpoints_in_the_input_is_unknown_with_the_reason() {
    let case = repo().join("tests/k8s-explain/service_named_target_port_mixed_endpoints").display().to_string();
    let csv = tusk(&["matrix", &case, "-o", "csv"]);
    assert_eq!(
        row(&csv, "shop/client[Pod]", "shop/external-db[Service]"),
        Some("shop/client[Pod],shop/external-db[Service],,TCP 5432")
    );
    // Named target ports resolve per endpoint: web-v1 on 8080 (client may),
    // web-v2 on 9090 (client may not).
    assert_eq!(row(&csv, "shop/client[Pod]", "shop/web[Service]"), Some("shop/client[Pod],shop/web[Service],,TCP 80"));
    assert_eq!(
        row(&csv, "shop/client[Pod]", "shop/web-v1-only[Service]"),
        Some("shop/client[Pod],shop/web-v1-only[Service],TCP 80,")
    );
    let txt = tusk(&["matrix", &case]);
    assert!(txt.contains("Service shop/external-db has no selector"), "{txt}");
}
