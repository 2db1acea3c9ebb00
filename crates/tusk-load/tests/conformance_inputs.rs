//! Every netpol-analyzer conformance input loads; every malformed one is
//! rejected with an error located in the case's input folder.

use std::path::PathBuf;

/// The case folders of `../shared/conformance/netpol-analyzer/<sub>`, or
/// `None` (skipped, see `tusk_testkit`) when they are absent.
fn cases(sub: &str) -> Option<Vec<PathBuf>> {
    let dir = tusk_testkit::shared(&format!("conformance/netpol-analyzer/{sub}"))?;
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    Some(v)
}

#[test]
fn every_good_case_loads() {
    let mut failures = Vec::new();
    let Some(cases) = cases("cases") else { return };
    for case in cases {
        if let Err(e) = tusk_load::load_paths(&[case.join("input")]) {
            failures.push(format!("{}: {e}", case.display()));
        }
    }
    assert!(failures.is_empty(), "{} cases failed to load:\n{}", failures.len(), failures.join("\n"));
}

/// netpol-analyzer's malformed cases that the API server accepts, so tusk
/// loads them (issue 8, B), with the reason.
const VALID_FOR_THE_API_SERVER: &[(&str, &str)] = &[
    (
        "anp_bad_path_test_1",
        "two AdminNetworkPolicies with the same priority are valid; their order is undefined, so tusk warns and \
         reports the flows on which they disagree as unknown",
    ),
    (
        "bad_netpols_subdir6",
        "a named port with an ipBlock peer is valid (ValidateNetworkPolicyPort checks the name only); it resolves on \
         destination pods inside the block",
    ),
];

#[test]
fn cases_valid_for_the_api_server_load() {
    let Some(bad) = tusk_testkit::shared("conformance/netpol-analyzer/bad") else { return };
    for (name, why) in VALID_FOR_THE_API_SERVER {
        let input = bad.join(name).join("input");
        if let Err(e) = tusk_load::load_paths(&[input]) {
            panic!("{name} must load ({why}): {e}");
        }
    }
}

#[test]
fn every_bad_case_is_rejected_with_a_location() {
    let mut accepted = Vec::new();
    let Some(cases) = cases("bad") else { return };
    for case in cases {
        if VALID_FOR_THE_API_SERVER.iter().any(|(n, _)| case.ends_with(n)) {
            continue;
        }
        let input = case.join("input");
        match tusk_load::load_paths(std::slice::from_ref(&input)) {
            Ok(_) => accepted.push(case.display().to_string()),
            Err(e) => {
                assert!(
                    e.loc.file.starts_with(&*input.display().to_string()),
                    "{}: error not in input: {e}",
                    case.display()
                );
                let name = case.file_name().unwrap().to_string_lossy().to_string();
                let expected = expected_message(&name);
                assert!(e.to_string().contains(expected), "{name}: expected an error about `{expected}`, got: {e}");
                assert!(e.loc.pos.line > 0, "{name}: error has no line: {e}");
            }
        }
    }
    assert!(accepted.is_empty(), "malformed cases accepted:\n{}", accepted.join("\n"));
}

/// The words each malformed case's error must contain: the defect named in
/// its `what-is-wrong.txt`, in tusk's wording.
fn expected_message(case: &str) -> &'static str {
    match case {
        "anp_bad_path_test_10" | "anp_bad_path_test_6" | "banp_bad_path_test_5" | "banp_bad_path_test_6" => {
            "needs at least one peer in `to`"
        }
        "anp_bad_path_test_14" | "anp_bad_path_test_15" | "banp_bad_path_test_10" | "banp_bad_path_test_11" => {
            "needs at least one peer in `from`"
        }
        "anp_bad_path_test_16" => "`from[]` needs exactly one of",
        "anp_bad_path_test_18" | "anp_bad_path_test_9" | "banp_bad_path_test_14" => "invalid action",
        "anp_bad_path_test_19" | "banp_bad_path_test_15" | "bad_netpols_subdir1" => "invalid CIDR",
        "anp_bad_path_test_2" => "`priority` must be an integer 0–1000",
        "anp_bad_path_test_4" | "banp_bad_path_test_3" => "needs a `subject`",
        "anp_bad_path_test_5" => "`subject` needs exactly one of",
        "anp_bad_path_test_8" | "banp_bad_path_test_13" | "banp_bad_path_test_9" => "a port entry needs exactly one of",
        "anp_test_with_empty_port_range" => "`portRange` end 1 must be greater than start 10",
        "bad_netpols_subdir2" => "invalid label key `app@b`",
        "bad_netpols_subdir4" => "empty peer",
        "bad_netpols_subdir7" => "invalid label value `$backendservice`",
        "bad_yamls_not_a_k8s_resource.yaml" | "malformed-pod-example-4" => "not a Kubernetes object",
        "banp_bad_path_test_1" => "duplicate BaselineAdminNetworkPolicy",
        "banp_bad_path_test_2" => "must be named `default`",
        "banp_bad_path_test_7" => "an egress peer needs exactly one of",
        "document_with_syntax_error" => "syntax error",
        "np_bad_path_test_1" => "duplicate NetworkPolicy `backend-netpol`",
        "np_test_with_empty_port_range" => "`endPort` 1 is less than `port` 10",
        other => panic!("new malformed case `{other}`: add the message it must produce"),
    }
}
