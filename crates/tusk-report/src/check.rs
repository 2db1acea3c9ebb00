//! `tusk check` results as text, JSON, SARIF 2.1.0 and JUnit XML. The
//! counterexample of a violated intent is the engine's full answer (the
//! Azure trace, hop by hop, the Kubernetes explanation, rule by rule, or
//! the path across both layers, segment by segment), worded by the same
//! renderers as `tusk trace` / `tusk explain`. Every
//! location points at an input file: the intent's `tusk.yaml` line, and the
//! rules that decided the counterexample.

use serde_json::{json, Value};
use std::fmt::Write;
use tusk_check::{
    CheckError, EndFailure, EndSide, JoinedWitness, LabelledFlow, Outcome, Skip, Status, Summary, TenantError, Witness,
};
use tusk_core::Loc;
use tusk_model::config::IntentKind;
use tusk_network::trace::Trace;
use tusk_network::{Cite, Prepared};
use tusk_path::join::{GroupPath, Segment};

/// What the report needs besides the outcomes.
pub struct CheckReport<'a> {
    /// One outcome per intent, in the inputs' order.
    pub outcomes: &'a [Outcome],
    /// The Azure engine's index, to word Azure traces.
    pub azure: Option<&'a Prepared<'a>>,
    /// The Azure engine over the network wired with the AKS nodes
    /// (`tusk_check::Aks::prepared`), to word paths across both layers;
    /// `None` without a cluster.
    pub joined: Option<&'a Prepared<'a>>,
    /// The Kubernetes semantics, as `tusk explain` describes them.
    pub semantics: &'a str,
    /// `--allow-unknown`: an unknown intent is a warning, not a failure.
    pub allow_unknown: bool,
}

/// A location worth showing: in an input file, with a line.
fn real(l: &Loc) -> bool {
    l.pos.line >= 1 && !l.file.starts_with('<')
}

/// The rules that decided the witness, the deciding one first, each with
/// a few words on what it is.
pub fn deciding(azure: Option<&Prepared>, w: &Witness) -> Vec<(Loc, String)> {
    let mut out: Vec<(Loc, String)> = Vec::new();
    match w {
        Witness::Azure(t) => {
            if let Some(p) = azure {
                azure_rules(p, t, &mut out);
            }
        }
        Witness::Kubernetes { explanation, .. } => {
            if let Some(u) = explanation.verdict.why() {
                if let Some(l) = &u.loc {
                    out.push((l.clone(), crate::k8s::reason_text(&u.reason)));
                }
            }
            for s in explanation.egress.steps.iter().chain(&explanation.ingress.steps) {
                policy_rules(s, &mut out);
            }
        }
        Witness::Joined(j) => {
            // The segment that decided first, then the others in packet
            // order; an allowed pair has none that refused: every
            // segment's rules, the one nearest the destination first (as
            // for an Azure trace).
            let segments: Vec<&Segment> = match tusk_path::findings::deciding(&j.path) {
                Some(first) => std::iter::once(first).chain(&j.path.segments).collect(),
                None => j.path.segments.iter().rev().collect(),
            };
            for seg in segments {
                match seg {
                    Segment::SourcePolicy(side) | Segment::DestinationPolicy { side, .. } => {
                        side.steps.iter().for_each(|s| policy_rules(s, &mut out))
                    }
                    Segment::Network(t) => {
                        if let Some(p) = azure {
                            azure_rules(p, t, &mut out);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let mut seen = Vec::new();
    out.retain(|(l, _)| {
        real(l) && {
            let key = l.to_string();
            !seen.contains(&key) && {
                seen.push(key);
                true
            }
        }
    });
    out
}

/// A decisive policy step's rule, with its location.
fn policy_rules(s: &tusk_policy::explain::Step, out: &mut Vec<(Loc, String)>) {
    if let (true, Some(l)) = (s.decisive, &s.loc) {
        out.push((l.clone(), crate::k8s::step::cited(s)));
    }
}

/// The rules of an Azure trace: the deciding step's first; for an allowed
/// flow the rules that let it pass, filters (NSG, admin, firewall, NVA
/// rules) first, the one nearest the destination first; then routes and
/// peerings.
fn azure_rules(p: &Prepared, t: &Trace, out: &mut Vec<(Loc, String)>) {
    let words = |c| {
        let c = crate::azure::words::cite(p, c);
        (c.loc.clone(), format!("{} rule {}", c.holder, c.rule))
    };
    if let Some(c) = t.deciding_step().and_then(|s| s.decision.cite.as_ref()) {
        out.push(words(c));
    }
    let filter = |c: &&Cite| {
        matches!(c, Cite::NsgRule { .. } | Cite::AdminRule(_) | Cite::FirewallRule { .. } | Cite::NvaRule { .. })
    };
    let cites: Vec<&Cite> = t.forward.steps.iter().filter_map(|s| s.decision.cite.as_ref()).collect();
    out.extend(cites.iter().rev().filter(|c| filter(c)).map(|c| words(c)));
    out.extend(cites.iter().filter(|c| !filter(c)).map(|c| words(c)));
}

/// The Azure index a witness is worded with: the wired network's for a
/// path across both layers (its node NICs exist only there).
fn index<'a>(r: &CheckReport<'a>, w: &Witness) -> Option<&'a Prepared<'a>> {
    match w {
        Witness::Joined(_) => r.joined,
        _ => r.azure,
    }
}

/// The witness's rules as [`deciding`] gives them, worded with the right index.
fn decided(r: &CheckReport, w: &Witness) -> Vec<(Loc, String)> {
    deciding(index(r, w), w)
}

/// One pair's path across both layers, as `tusk trace` prints a group of one.
fn joined_text(p: &Prepared, j: &JoinedWitness) -> String {
    let g = GroupPath {
        collapsed: j.collapsed,
        samples: j.samples.clone(),
        from: j.from.clone(),
        to: j.to.clone(),
        actor: j.actor,
        verdict: tusk_core::GroupKind::of_kinds([j.path.verdict]),
        pairs: vec![j.path.clone()],
    };
    crate::path::render_text(p, &g)
}

fn witness_text(r: &CheckReport, w: &Witness) -> String {
    match (w, index(r, w)) {
        (Witness::Azure(t), Some(p)) => crate::azure::trace_text::render(p, t),
        (Witness::Joined(j), Some(p)) => joined_text(p, j),
        (Witness::Azure(_) | Witness::Joined(_), None) => String::new(),
        (Witness::Kubernetes { flow, explanation }, _) => {
            crate::k8s::render_explanation(&labelled_flow(flow), r.semantics, explanation)
        }
    }
}

/// `FROM -> TO PROTO [PORT]`.
fn labelled_flow(f: &LabelledFlow) -> String {
    crate::flow_line(&f.from, &f.to, f.proto, f.port)
}

fn fails(r: &CheckReport, o: &Outcome) -> bool {
    o.status == Status::Violated || (o.status == Status::Unknown && !r.allow_unknown)
}

fn intent_line(o: &Outcome) -> String {
    let i = &o.intent;
    let ports = i.ports.as_ref().map(|p| format!(" port {}", p.to_list_string())).unwrap_or_default();
    let actors = match (i.actor, i.kind) {
        (Some(a), _) => format!(", actor {}", a.name()),
        (None, IntentKind::IsolatedTenants) => ", actors pod and node".into(),
        (None, _) => String::new(),
    };
    if i.kind == IntentKind::IsolatedTenants {
        let tenants = if i.tenants.is_empty() { "every tenant".into() } else { i.tenants.join(", ") };
        return format!("{} {tenants} ({}{ports}{actors})", i.kind.name(), i.protocol);
    }
    format!("{} {} → {} ({}{ports}{actors})", i.kind.name(), i.from, i.to, i.protocol)
}

/// The text report: a line per intent (PASS, FAIL, UNKNOWN), its summary,
/// and for each failure the counterexample with the rule that decided it.
pub fn render_text(r: &CheckReport) -> String {
    let mut s = String::new();
    for o in r.outcomes {
        let word = match (o.status, r.allow_unknown) {
            (Status::Holds, _) => "PASS",
            (Status::Violated, _) => "FAIL",
            (Status::Unknown, false) => "UNKNOWN",
            (Status::Unknown, true) => "UNKNOWN (allowed)",
        };
        let _ = writeln!(s, "{word}  {}  {}  [{}]", o.intent.name, intent_line(o), o.intent.loc);
        let _ = writeln!(s, "      {}", summary(&o.summary));
        for e in &o.samples {
            let _ = writeln!(s, "      sample: `{e}` stands for more addresses than were evaluated");
        }
        if let (Some(w), true) = (&o.witness, o.status != Status::Holds) {
            let what = if o.status == Status::Violated { "counterexample" } else { "undecided flow" };
            let _ = writeln!(s, "      {what}:");
            for line in witness_text(r, w).lines() {
                let _ = writeln!(s, "        {line}");
            }
            for (l, why) in decided(r, w).iter().take(1) {
                let _ = writeln!(s, "      decided by: {why} at {l}");
            }
        }
    }
    let n = |st| r.outcomes.iter().filter(|o| o.status == st).count();
    let _ = writeln!(
        s,
        "\n{} intents: {} hold, {} violated, {} unknown{}",
        r.outcomes.len(),
        n(Status::Holds),
        n(Status::Violated),
        n(Status::Unknown),
        if r.allow_unknown && n(Status::Unknown) > 0 { " (allowed by --allow-unknown)" } else { "" }
    );
    s
}

fn loc_json(l: &Loc) -> Value {
    json!({"file": &*l.file, "line": l.pos.line, "column": l.pos.col})
}

/// `{"schema": "tusk.check/v1", "passed": bool, "intents": [{name, kind,
/// from, to, protocol, ports, through, layer, actor, tenants, status,
/// summary, flows, violating, unknown, location, samples, counterexample:
/// {text, decidedBy: [{location, rule}]}}]}`. `from` and `to` are null
/// for `isolatedTenants`. `layer` is `azure`,
/// `kubernetes` or `aks` (both, through the join); `actor` is `pod`,
/// `node` or null (pod; both for `isolatedTenants`); `tenants` lists
/// `isolatedTenants`' tenants (empty: every tenant).
pub fn render_json(r: &CheckReport) -> String {
    let intents: Vec<Value> = r
        .outcomes
        .iter()
        .map(|o| {
            let i = &o.intent;
            // isolatedTenants has `tenants`, not ends.
            let ends = i.kind != IntentKind::IsolatedTenants;
            let witness = o.witness.as_ref().filter(|_| o.status != Status::Holds).map(|w| {
                let by: Vec<Value> =
                    decided(r, w).iter().map(|(l, why)| json!({"location": loc_json(l), "rule": why})).collect();
                json!({"text": witness_text(r, w), "decidedBy": by})
            });
            json!({
                "name": i.name, "kind": i.kind.name(), "from": ends.then(|| i.from.to_string()),
                "to": ends.then(|| i.to.to_string()),
                "protocol": i.protocol.name().to_ascii_lowercase(),
                "ports": i.ports.as_ref().map(|p| p.to_list_string()),
                "through": i.through, "layer": o.layer.name(), "actor": i.actor.map(|a| a.name()),
                "tenants": i.tenants, "status": o.status.name(), "summary": summary(&o.summary),
                "flows": o.flows, "violating": o.violating, "unknown": o.unknown,
                "location": loc_json(&i.loc), "samples": o.samples, "counterexample": witness,
            })
        })
        .collect();
    let passed = !r.outcomes.iter().any(|o| fails(r, o));
    let doc = json!({"schema": "tusk.check/v1", "passed": passed, "intents": intents});
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// The input path as a URI reference: relative paths stay relative (code
/// scanning resolves them against the checkout), absolute ones become
/// `file://` URIs; characters outside RFC 3986's unreserved set and `/`
/// are percent-encoded.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::from(if path.starts_with('/') { "file://" } else { "" });
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out += &format!("%{b:02X}"),
        }
    }
    out
}

/// SARIF's physical location of `l`.
pub fn sarif_location(l: &Loc, message: Option<&str>) -> Value {
    let mut v = json!({"physicalLocation": {
        "artifactLocation": {"uri": uri(&l.file)},
        "region": {"startLine": l.pos.line.max(1), "startColumn": l.pos.col.max(1)},
    }});
    if let Some(m) = message {
        v["message"] = json!({"text": m});
    }
    v
}

/// The SARIF 2.1.0 document of one run of tusk with these rules and results.
pub fn sarif_document(rules: Vec<Value>, results: Vec<Value>) -> String {
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tusk",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

const VIOLATED: &str = "TUSK-C001";
const UNKNOWN: &str = "TUSK-C002";

/// SARIF 2.1.0: rules TUSK-C001 (violated) and TUSK-C002 (unknown); each
/// result located at the intent's `tusk.yaml` line and the deciding rule's.
pub fn render_sarif(r: &CheckReport) -> String {
    let rule = |id: &str, name: &str, short: &str, help: &str| {
        json!({"id": id, "name": name, "shortDescription": {"text": short},
               "fullDescription": {"text": short}, "help": {"text": help},
               "defaultConfiguration": {"level": "error"}})
    };
    let rules = vec![
        rule(VIOLATED, "IntentViolated", "An intent of tusk.yaml is violated by the estate.",
             "The counterexample flow names the rule that decided it; change that rule, or the intent if the flow is wanted. See docs/tusk-yaml.md#intents."),
        rule(UNKNOWN, "IntentUnknown", "tusk cannot show that an intent of tusk.yaml holds.",
             "The reason names what tusk does not model or lacks; give the missing input, narrow the ports, or run with --allow-unknown. See docs/tusk-yaml.md#intents."),
    ];
    let results: Vec<Value> = r
        .outcomes
        .iter()
        .filter(|o| o.status != Status::Holds)
        .map(|o| {
            let (id, index, level) = match o.status {
                Status::Violated => (VIOLATED, 0, "error"),
                _ => (UNKNOWN, 1, if r.allow_unknown { "warning" } else { "error" }),
            };
            let decided = o.witness.as_ref().map(|w| decided(r, w)).unwrap_or_default();
            let mut text = format!(
                "intent `{}` ({}) is {}: {}",
                o.intent.name,
                intent_line(o),
                o.status.name(),
                summary(&o.summary)
            );
            if let Some((l, why)) = decided.first() {
                let _ = write!(text, "; decided by {why} at {l}");
            }
            let mut locations = vec![sarif_location(&o.intent.loc, None)];
            let related: Vec<Value> = decided
                .iter()
                .enumerate()
                .map(|(n, (l, why))| {
                    let mut v = sarif_location(l, Some(why));
                    v["id"] = json!(n);
                    v
                })
                .collect();
            if let Some(first) = related.first() {
                // The deciding rule's line too, so code scanning shows the
                // result on a changed rule as well as on the intent.
                let mut v = first.clone();
                if let Some(m) = v.as_object_mut() {
                    m.remove("id");
                }
                locations.push(v);
            }
            json!({"ruleId": id, "ruleIndex": index, "level": level, "message": {"text": text},
                   "locations": locations, "relatedLocations": related})
        })
        .collect();
    sarif_document(rules, results)
}

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// JUnit XML: one test suite, one test case per intent; a violated intent
/// is a failure, an unknown one a failure too (or skipped with
/// `--allow-unknown`).
pub fn render_junit(r: &CheckReport) -> String {
    let n = r.outcomes.len();
    let failures = r.outcomes.iter().filter(|o| fails(r, o)).count();
    let skipped = r.outcomes.iter().filter(|o| o.status == Status::Unknown && r.allow_unknown).count();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(s, "<testsuites name=\"tusk check\" tests=\"{n}\" failures=\"{failures}\" errors=\"0\">");
    let _ = writeln!(
        s,
        "  <testsuite name=\"tusk intents\" tests=\"{n}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    for o in r.outcomes {
        let i = &o.intent;
        let _ = write!(
            s,
            "    <testcase name=\"{}\" classname=\"tusk.{}\" file=\"{}\" line=\"{}\"",
            xml(&i.name),
            i.kind.name(),
            xml(&i.loc.file),
            i.loc.pos.line
        );
        let detail = || {
            let mut d = format!("{}\n{}\nat {}\n", intent_line(o), summary(&o.summary), i.loc);
            if let Some(w) = &o.witness {
                d += &witness_text(r, w);
                for (l, why) in decided(r, w) {
                    d += &format!("decided by: {why} at {l}\n");
                }
            }
            d
        };
        match (o.status, r.allow_unknown) {
            (Status::Holds, _) => s += "/>\n",
            (Status::Unknown, true) => {
                let _ = writeln!(s, ">\n      <skipped message=\"{}\"/>\n    </testcase>", xml(&summary(&o.summary)));
            }
            (st, _) => {
                let _ = writeln!(
                    s,
                    ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                    xml(&format!("intent {}: {}", st.name(), summary(&o.summary))),
                    st.name(),
                    xml(&detail())
                );
            }
        }
    }
    s += "  </testsuite>\n</testsuites>\n";
    s
}

/// Why an intent holds, is violated or is unknown, in one sentence (no
/// trailing period): `2 of 6 flows allowed`.
pub fn summary(s: &Summary) -> String {
    match s {
        Summary::Violated { kind, bad, flows } => {
            let what = match kind {
                IntentKind::MustReach => "denied",
                IntentKind::MustNotReach | IntentKind::IsolatedTenants => "allowed",
                IntentKind::MustPassThrough | IntentKind::EgressOnlyVia => "allowed without passing through it",
            };
            format!("{bad} of {flows} flows {what}")
        }
        Summary::NotChecked { first, more } => {
            let more = if *more > 0 { format!(" (and {more} more)") } else { String::new() };
            format!("not checked: {}{more}", skip(first))
        }
        Summary::NoPair => "no flow to ask about: the ends have no distinct member pair".into(),
        Summary::Undecided { undecided, flows } => {
            format!("{undecided} of {flows} flows undecided (the engine's reason is in the trace)")
        }
        Summary::Holds { flows } => format!("every flow as intended ({flows} asked)"),
        Summary::TooManyPorts => {
            format!("`ports` names more than {} ports; tusk does not enumerate them", tusk_check::intent::MAX_PORTS)
        }
        Summary::OnePortAtATime => "across both layers tusk asks one port at a time: give `ports` (or `layer: \
                                    kubernetes` for the policy layer alone, which answers every port at once)"
            .into(),
    }
}

/// Why a question of an intent was not asked.
fn skip(s: &Skip) -> String {
    match s {
        Skip::TooManyPairs { from, to, pairs } => format!(
            "`{from}` → `{to}` stands for {pairs} member pairs, more than the {} the join traces one by one",
            tusk_path::join::MAX_PAIRS
        ),
    }
}

/// Why an intent cannot be checked, in one sentence (bad input).
pub fn check_error(e: &CheckError) -> String {
    match e {
        CheckError::End { side, why } => {
            let side = match side {
                EndSide::From => "from",
                EndSide::To => "to",
            };
            format!("{side}: {}", end_failure(why))
        }
        CheckError::Tenant(t) => tenant_error(t),
        CheckError::NotADevice(n) => {
            format!("`through: {n}` names no Azure Firewall or network interface of the inputs")
        }
        CheckError::LayersWithoutCluster { from, to } => {
            format!("`{from}` → `{to}`: one end is an Azure resource and the other a Kubernetes object; {NO_CLUSTER}")
        }
        CheckError::JoinedOnly { from, to } => {
            format!("`{from}` → `{to}` is answered across both layers only (`layer: aks`)")
        }
        CheckError::NoCluster => NO_CLUSTER.into(),
        CheckError::DevicesOnKubernetesEnds { kind, from, to } => format!(
            "`{}`: the devices to pass through are Azure devices, but `{from}` → `{to}` are Kubernetes ends",
            kind.name()
        ),
        CheckError::NoNetwork => "the intent is about the Azure network, but the inputs hold no subnet".into(),
        CheckError::TooFewTenants { count, label } => {
            format!("`isolatedTenants` needs two tenants; the inputs have {count} (namespaces by the label `{label}`)")
        }
        CheckError::ToService(e) => format!("to: {}", crate::path_errors::service_error(e)),
    }
}

const NO_CLUSTER: &str = "the intent is checked across both layers (a tenant, node or actor, or ends in both), \
     which needs the AKS cluster (a managedClusters resource) and its network (subnets) in the inputs";

/// Why one end of an intent names nothing, as its layer's resolver says.
fn end_failure(e: &EndFailure) -> String {
    match e {
        EndFailure::Azure(e) => e.to_string(),
        EndFailure::Cluster(e) => crate::k8s::end_error(e),
        EndFailure::Joined(e) => crate::path_errors::end_error(e),
        EndFailure::Tenant(e) => tenant_error(e),
    }
}

/// Why `tenant:NAME` stands for no pod, in one sentence (no trailing
/// period).
pub fn tenant_error(e: &TenantError) -> String {
    match e {
        TenantError::Unknown { name, label, known } => format!(
            "`tenant:{name}`: no namespace carries the label `{label}: {name}` (tenants in the inputs: {})",
            if known.is_empty() { "none".to_string() } else { known.join(", ") }
        ),
        TenantError::Unschedulable { name } => {
            format!("`tenant:{name}`: none of its pods can be scheduled on a node (see `tusk schedule`)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_read_as_before_they_were_typed() {
        let v = Summary::Violated { kind: IntentKind::MustNotReach, bad: 2, flows: 6 };
        assert_eq!(summary(&v), "2 of 6 flows allowed");
        let v = Summary::Violated { kind: IntentKind::EgressOnlyVia, bad: 1, flows: 1 };
        assert_eq!(summary(&v), "1 of 1 flows allowed without passing through it");
        let first = Skip::TooManyPairs { from: "tenant:a".into(), to: "tenant:b".into(), pairs: 30_000 };
        let s = summary(&Summary::NotChecked { first: first.clone(), more: 0 });
        assert!(s.starts_with("not checked: `tenant:a` → `tenant:b` stands for 30000 member pairs"), "{s}");
        assert!(!s.contains("more)"), "{s}");
        let s = summary(&Summary::NotChecked { first, more: 2 });
        assert!(s.ends_with(" one by one (and 2 more)"), "{s}");
        assert_eq!(
            summary(&Summary::OnePortAtATime),
            "across both layers tusk asks one port at a time: give `ports` (or `layer: kubernetes` for the policy \
             layer alone, which answers every port at once)"
        );
        assert_eq!(summary(&Summary::Holds { flows: 4 }), "every flow as intended (4 asked)");
    }

    #[test]
    fn check_errors_name_the_end_and_keep_the_resolver_s_words() {
        let why = EndFailure::Tenant(TenantError::Unknown { name: "x".into(), label: "tenant".into(), known: vec![] });
        let e = CheckError::End { side: EndSide::To, why };
        assert_eq!(
            check_error(&e),
            "to: `tenant:x`: no namespace carries the label `tenant: x` (tenants in the inputs: none)"
        );
        let e = CheckError::TooFewTenants { count: 1, label: "team".into() };
        assert_eq!(
            check_error(&e),
            "`isolatedTenants` needs two tenants; the inputs have 1 (namespaces by the label `team`)"
        );
        let e = CheckError::LayersWithoutCluster { from: "pod:a/b".into(), to: "vm1".into() };
        assert!(check_error(&e).starts_with("`pod:a/b` → `vm1`: one end is an Azure resource"), "{}", check_error(&e));
    }
}
