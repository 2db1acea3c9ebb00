//! `tusk demo`: the main job on the embedded demo estate — a multi-tenant
//! cluster with one deliberate leak — so a new user sees, in one command,
//! what tusk answers and how it cites the rule that decided.

use super::emit;
use std::process::ExitCode;
use std::sync::Arc;
use tusk_analyze::k8s::explain::{explain, FlowEnd};
use tusk_analyze::k8s::matrix::Grain;
use tusk_analyze::k8s::tenants::{tenant_isolation, tenants_by_label};
use tusk_analyze::k8s::{Analysis, PolicyEngine, Semantics};
use tusk_core::Protocol;
use tusk_report::k8s::{render_explanation, render_matrix, MatrixFormat};

const SOURCES: [(&str, &str); 2] = [
    ("demo/cluster.yaml", include_str!("../../demo/cluster.yaml")),
    ("demo/policies.yaml", include_str!("../../demo/policies.yaml")),
];

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    let sources: Vec<(Arc<str>, String)> = SOURCES.iter().map(|(n, t)| (Arc::from(*n), t.to_string())).collect();
    let loaded = tusk_load::load_sources(&sources).map_err(|e| anyhow::anyhow!("embedded demo: {e}"))?;
    let c = &loaded.estate.k8s;
    let sem = Semantics::of(PolicyEngine::Upstream);
    let analysis = Analysis::new(c, sem);
    let rows = analysis.matrix(Grain::Workload);

    let mut out = String::from("tusk demo: the embedded multi-tenant cluster (crates/tusk-cli/demo/)\n");
    out += &format!(
        "loaded {} namespaces, {} workloads, {} pods, {} AdminNetworkPolicies, {} BaselineAdminNetworkPolicy, {} NetworkPolicies\n",
        c.namespaces.len(),
        c.workloads.len(),
        c.pods.len(),
        c.admin_policies.len(),
        c.baseline_policy.iter().count(),
        c.network_policies.len()
    );
    out += &format!("{} pod equivalence classes\n\n", analysis.endpoints.classes.len());

    out += "Tenant isolation (actor: pod; layer: Kubernetes policies; tenants by namespace label `tenant`)\n";
    let tenants = tenants_by_label(c, "tenant");
    let mut leak = None;
    for p in tenant_isolation(&rows, &tenants) {
        if p.isolated() {
            out += &format!("  {:>6} -> {:<6} isolated\n", p.from, p.to);
        } else {
            out += &format!("  {:>6} -> {:<6} REACHABLE: {}\n", p.from, p.to, p.allowed);
            for w in &p.witnesses {
                out += &format!(
                    "           {} -> {}: {}\n",
                    tusk_report::k8s::endpoint_label(&w.src),
                    tusk_report::k8s::endpoint_label(&w.dst),
                    w.allowed
                );
            }
            leak.get_or_insert(p);
        }
    }
    out += "\nWorkload connectivity\n";
    out += &render_matrix(&rows, Grain::Workload, &sem.describe(), MatrixFormat::Txt);

    if let Some(p) = leak {
        let w = &p.witnesses[0];
        let find = |e: &tusk_analyze::k8s::matrix::Endpoint| {
            let label = tusk_report::k8s::endpoint_label(e);
            c.pods.iter().position(|pod| {
                let wl = &c.workloads[pod.workload];
                label == format!("{}/{}[{}]", wl.namespace, wl.name, wl.kind.name())
            })
        };
        if let (Some(s), Some(d)) = (find(&w.src), find(&w.dst)) {
            let proto = Protocol::Tcp;
            let port = w.allowed.ports(proto).and_then(|ps| ps.ranges().first().map(|r| r.0)).unwrap_or(0);
            let e = explain(c, &sem, FlowEnd::Pod(s), FlowEnd::Pod(d), proto, port);
            let flow = format!(
                "{}/{} -> {}/{} TCP {port}",
                c.pods[s].namespace, c.pods[s].name, c.pods[d].namespace, c.pods[d].name
            );
            out += &format!("\nWhy {} reaches {} (tusk explain):\n", p.from, p.to);
            out += &render_explanation(&flow, &sem.describe(), &e);
        }
    }
    out +=
        "\nNext: `tusk matrix DIR`, `tusk explain DIR --from NS/NAME --to NS/NAME --port N` on your own manifests.\n";
    emit(&out, None)?;
    Ok(ExitCode::SUCCESS)
}
