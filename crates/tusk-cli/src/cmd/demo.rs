//! `tusk demo`: the main job on embedded estates — first the seed
//! article's multi-tenant AKS in both plugin variants
//! ([`super::demo_article`]), then a multi-tenant cluster with one
//! deliberate policy leak and the article's Figure 3 traces — so a new user
//! sees, in one command, what tusk answers and how it cites the rule that
//! decided.

use std::process::ExitCode;
use std::sync::Arc;
use tusk_core::{Idx, Protocol};
use tusk_policy::explain::{explain, FlowEnd};
use tusk_policy::matrix::Grain;
use tusk_policy::tenants::{tenant_isolation, tenants_by_label};
use tusk_policy::{Analysis, PolicyEngine, Semantics};
use tusk_report::k8s::{render_explanation, render_matrix, MatrixFormat};

const SOURCES: [(&str, &str); 2] = [
    ("demo/cluster.yaml", include_str!("../../demo/cluster.yaml")),
    ("demo/policies.yaml", include_str!("../../demo/policies.yaml")),
];

/// The hub & spoke of the seed article's Figure 3 (spoke to spoke through
/// the hub firewall), as `az`-shaped exports.
const HUB_SPOKE: [(&str, &str); 5] = [
    ("demo/azure/with-udr/vnets.json", include_str!("../../demo/azure/with-udr/vnets.json")),
    ("demo/azure/with-udr/routes.json", include_str!("../../demo/azure/with-udr/routes.json")),
    ("demo/azure/with-udr/nsgs.json", include_str!("../../demo/azure/with-udr/nsgs.json")),
    ("demo/azure/with-udr/nics.json", include_str!("../../demo/azure/with-udr/nics.json")),
    ("demo/azure/with-udr/firewall.json", include_str!("../../demo/azure/with-udr/firewall.json")),
];

/// The same estate where spoke2's subnet lost its route table.
const WITHOUT_UDR: [(&str, &str); 2] = [
    ("demo/azure/without-udr/vnets.json", include_str!("../../demo/azure/without-udr/vnets.json")),
    ("demo/azure/without-udr/routes.json", include_str!("../../demo/azure/without-udr/routes.json")),
];

/// Loads embedded sources; the demo's own files are known good.
fn load_embedded(files: &[(&str, &str)]) -> anyhow::Result<tusk_load::Loaded> {
    let sources: Vec<(Arc<str>, String)> = files.iter().map(|(n, t)| (Arc::from(*n), t.to_string())).collect();
    tusk_load::load_sources(&sources).map_err(|e| anyhow::anyhow!("embedded demo: {e}"))
}

/// One flow through an embedded Azure estate, in brief.
fn azure_trace(files: &[(&str, &str)], from: &str, to: &str) -> anyhow::Result<String> {
    use tusk_network::{endpoint, trace, Flow, Prepared};
    let loaded = load_embedded(files)?;
    let p = Prepared::new(&loaded.estate.azure, &loaded.estate.config);
    let a = endpoint::resolve(&p, from).map_err(|e| anyhow::anyhow!("{e}"))?;
    let b = endpoint::resolve(&p, to).map_err(|e| anyhow::anyhow!("{e}"))?;
    let t = trace::trace(&p, &a, &b, Flow { src: a.ip(), dst: b.ip(), proto: Protocol::Tcp, port: Some(443) });
    Ok(tusk_report::azure::trace_brief::render(&p, &t))
}

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    let loaded = load_embedded(&SOURCES)?;
    let c = &loaded.estate.k8s;
    let sem = Semantics::of(PolicyEngine::Upstream);
    let analysis = Analysis::new(c, sem);
    let rows = analysis.matrix(Grain::Workload);

    let mut out = String::from("tusk demo\n\n");
    out += &super::demo_article::render()?;
    out += "\n== Kubernetes policies alone: the embedded multi-tenant cluster (crates/tusk-cli/demo/) ==\n";
    out += &format!(
        "loaded {} namespaces, {} workloads, {} pods, {} AdminNetworkPolicies, {} BaselineAdminNetworkPolicy, {} NetworkPolicies\n",
        c.namespaces.len(),
        c.workloads.len(),
        c.pods.iter().map(|p| u64::from(p.count())).sum::<u64>(),
        c.admin_policies.len(),
        c.baseline_policy.iter().count(),
        c.network_policies.len()
    );
    out += &format!("{} pod equivalence classes\n\n", analysis.class_count());

    out += "Tenant isolation (actor: pod; layer: Kubernetes policies; tenants by namespace label `tenant`)\n";
    let tenants = tenants_by_label(c, "tenant");
    let mut leak = None;
    for p in tenant_isolation(c, &rows, &tenants) {
        if p.isolated() {
            out += &format!("  {:>6} -> {:<6} isolated\n", p.from, p.to);
        } else {
            out += &format!("  {:>6} -> {:<6} REACHABLE: {}\n", p.from, p.to, p.allowed);
            for w in &p.witnesses {
                out += &format!("           {} -> {}: {}\n", w.src.label(c), w.dst.label(c), w.allowed);
            }
            leak.get_or_insert(p);
        }
    }
    out += "\nWorkload connectivity\n";
    out += &render_matrix(c, &rows, Grain::Workload, &tusk_report::k8s::semantics_text(&sem), MatrixFormat::Txt);

    if let Some(p) = leak {
        let w = &p.witnesses[0];
        // The witness is a workload pair: explain it for their first pods.
        let find = |e: &tusk_policy::matrix::Endpoint| match *e {
            tusk_policy::matrix::Endpoint::Workload(w) => Idx::all(&c.pods).find(|&p| c.pods[p].workload == w),
            _ => None,
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
            out += &render_explanation(&flow, &tusk_report::k8s::semantics_text(&sem), &e);
        }
    }
    out += "\nHub & spoke (the seed article's Figure 3): spoke1 node -> spoke2 node, TCP 443\n";
    out += &azure_trace(&HUB_SPOKE, "spoke1-node", "spoke2-node")?;
    out += "\nThe same, after spoke2's subnet lost its route table (peering is not transitive):\n";
    let mut broken: Vec<(&str, &str)> =
        HUB_SPOKE.iter().filter(|(n, _)| !n.ends_with("vnets.json") && !n.ends_with("routes.json")).copied().collect();
    broken.extend(WITHOUT_UDR);
    out += &azure_trace(&broken, "spoke2-node", "spoke1-node")?;

    out += "\nNext: `tusk matrix DIR`, `tusk explain DIR --from NS/NAME --to NS/NAME --port N` on your manifests;\n";
    out += "`tusk trace EXPORTS --from A --to B --port N`, `tusk routes EXPORTS --subnet VNET/SUBNET` on your az exports.\n";
    crate::output::write_report(None, |w| w.write_all(out.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
