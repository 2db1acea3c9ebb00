//! The article half of `tusk demo`: the multi-tenant AKS of the seed
//! article (`examples/article/`, embedded), in its kubenet and Azure CNI
//! variants, and what the article argues, computed by the engine: what the
//! tenant NSGs see, what the data service sees, what an escaped container
//! on a tenant-1 node reaches, and which workloads can share a node with
//! another tenant's. Every line is a result of `tusk_path::join`; only the
//! wording is here.

use std::fmt::Write;
use std::sync::Arc;
use tusk_core::{FlowEnd, Protocol};
use tusk_network::Prepared;
use tusk_path::findings::{co_scheduled, destination_nsg};
use tusk_path::join::{self, Actor, Ask, GroupPath, Segment, Wiring};

macro_rules! variant {
    ($dir:literal) => {
        [
            (
                concat!("examples/article/", $dir, "/network.json"),
                include_str!(concat!("../../../../examples/article/", $dir, "/network.json")),
            ),
            (
                concat!("examples/article/", $dir, "/cluster.json"),
                include_str!(concat!("../../../../examples/article/", $dir, "/cluster.json")),
            ),
            (
                concat!("examples/article/", $dir, "/k8s/workloads.yaml"),
                include_str!(concat!("../../../../examples/article/", $dir, "/k8s/workloads.yaml")),
            ),
            (
                concat!("examples/article/", $dir, "/k8s/policies.yaml"),
                include_str!(concat!("../../../../examples/article/", $dir, "/k8s/policies.yaml")),
            ),
        ]
    };
}

const KUBENET: [(&str, &str); 4] = variant!("kubenet");
const CNI: [(&str, &str); 4] = variant!("cni");

fn flow(
    estate: &tusk_model::Estate,
    w: &Wiring,
    p: &Prepared,
    from: &str,
    to: &str,
    actor: Actor,
    port: u16,
) -> anyhow::Result<GroupPath> {
    let parse = |s: &str| FlowEnd::parse(s).map_err(|e| anyhow::anyhow!("{e}"));
    let a = join::resolve(estate, w, p, &parse(from)?)
        .map_err(|e| anyhow::anyhow!("{}", tusk_report::path_errors::end_error(&e)))?;
    let b = join::resolve(estate, w, p, &parse(to)?)
        .map_err(|e| anyhow::anyhow!("{}", tusk_report::path_errors::end_error(&e)))?;
    let (sem, _) = super::choose_semantics(None, estate);
    Ok(join::trace(
        estate,
        w,
        p,
        &a,
        &b,
        Ask { sem: &sem, actor, proto: Protocol::Tcp, port: Some(port), http: None, fqdn: None },
    ))
}

fn variant(out: &mut String, title: &str, files: &[(&str, &str)]) -> anyhow::Result<()> {
    let sources: Vec<(Arc<str>, String)> = files.iter().map(|(n, t)| (Arc::from(*n), t.to_string())).collect();
    let loaded = tusk_load::load_sources(&sources).map_err(|e| anyhow::anyhow!("embedded demo: {e}"))?;
    let estate = &loaded.estate;
    let w = Wiring::new(estate);
    let p = Prepared::new(&w.net, &estate.config);
    let pod_cidr: Vec<String> =
        estate.clusters[0].network.pod_cidrs.iter().map(|c| format!("{}/{}", c.addr, c.prefix)).collect();
    let _ = writeln!(out, "\n== {title} ==");

    // The tenant NSGs: what source address they see for pod-to-pod.
    let g = flow(estate, &w, &p, "workload:t1/web", "workload:t2/api", Actor::Pod, 8080)?;
    let x = &g.pairs[0];
    if let Some(s) = destination_nsg(&w.net, x) {
        let kind = if pod_cidr.iter().any(|c| tusk_core::ip::Cidr::parse(c).is_ok_and(|c| c.set().contains_ip(s.src))) {
            format!("a pod-CIDR address (pod CIDR {})", pod_cidr.join(", "))
        } else {
            "the pod's own VNet address".into()
        };
        let _ = writeln!(out, "tenant NSGs: t1/web -> t2/api TCP 8080: {} sees source {} — {kind}", s.nsg, s.src);
        let _ = writeln!(out, "  matched `{}` ({}): {}", s.rule, s.loc, s.verdict.name());
    }
    let _ = writeln!(
        out,
        "  verdict for every pod pair: {}; decided by {}",
        g.verdict.name(),
        tusk_report::path::decided_by(&p, x)
    );

    // The data service: what its NSG sees.
    let g = flow(estate, &w, &p, "pod:t1/web-0", "pe-sql", Actor::Pod, 1433)?;
    let x = &g.pairs[0];
    if let Some(s) = destination_nsg(&w.net, x) {
        let node_ip = x.segments.iter().find_map(|s| match s {
            Segment::NodeExit { pod_ip, masqueraded, .. } => Some((*pod_ip, *masqueraded)),
            _ => None,
        });
        let what = match node_ip {
            Some((_, true)) => "the node's address (the pod's was masqueraded on the node)",
            Some((Some(ip), false)) if ip == s.src => "the pod's own address",
            _ => "an address",
        };
        let _ = writeln!(
            out,
            "data service: t1/web-0 -> pe-sql TCP 1433: {} sees source {} — {what}; {}",
            s.nsg,
            s.src,
            g.verdict.name()
        );
    }

    // The escaped container: the node actor on a tenant-1 node.
    let _ = writeln!(out, "escaped container on a tenant-1 node (actor node, no pod policy at the source):");
    for (to, port) in [("workload:t2/api", 8080), ("pe-sql", 1433), ("internet", 443)] {
        let g = flow(estate, &w, &p, "node:tenant1", to, Actor::Node, port)?;
        let x = &g.pairs[0];
        let _ = writeln!(out, "  -> {to} TCP {port}: {} ({})", g.verdict.name(), tusk_report::path::decided_by(&p, x));
    }

    // Co-scheduling.
    let shared = co_scheduled(estate, &w.fleet, &w.schedule, "tenant");
    if shared.is_empty() {
        let _ = writeln!(out, "co-scheduling: no workload can share a node with another tenant's");
    }
    for c in shared {
        let _ = writeln!(
            out,
            "co-scheduling: {} (tenant {}) can share a node with tenant {}'s pods (pools {})",
            c.workload,
            c.tenant,
            c.other,
            tusk_report::schedule::pool_names(&c.pools).join(", ")
        );
    }
    Ok(())
}

/// The article's findings for both variants.
pub fn render() -> anyhow::Result<String> {
    let mut out = String::from(
        "The seed article's multi-tenant AKS in a hub & spoke (examples/article/): hub firewall, one subnet,\n\
         tainted and labelled pool and NSG per tenant, a data subnet with a private endpoint, egress via the hub.\n",
    );
    variant(&mut out, "kubenet", &KUBENET)?;
    variant(&mut out, "Azure CNI", &CNI)?;
    Ok(out)
}
