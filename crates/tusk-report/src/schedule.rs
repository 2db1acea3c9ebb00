//! The `tusk schedule` report: per workload, where its pods can run
//! (pools, zones), where the simulation put them, what one node's and each
//! zone's failure takes away, and which tenants can share a node.
//!
//! JSON shape (`-o json`), one object:
//!
//! ```json
//! {
//!   "schema": "tusk.schedule/v1",
//!   "notes": ["pool aks1/user: autoscaled 1-4, materialised at maxCount 4"],
//!   "tenantLabel": "tenant",            // null without --tenant-label
//!   "workloads": [{
//!     "workload": "t1/web", "kind": "Deployment", "tenant": "t1",   // tenant null when unlabelled
//!     "cluster": "aks1",                  // or null, with "unbound": "why"
//!     "replicas": 3, "unplaced": 0,
//!     "placement": "simulated",           // or "exported" (pods named their nodes)
//!     "pools": ["tenant1"], "zones": ["1", "2"],
//!     "nonZonal": false,                 // some feasible nodes are in no zone
//!     "unzoned": 0,                       // replicas on such nodes (no zoneFailures entry)
//!     "podAddresses": ["10.10.1.4-10.10.1.254"],   // what its pods can have; null: unknown
//!     "rejected": [{"pool": "system", "reason": "taint ... is not tolerated"}],
//!     "nodes": [{"node": "aks-tenant1-xxxxxxxx-vmss000000", "replicas": 1}],
//!     "notModelled": [],                 // spec fields the simulation ignores, e.g. "required podAffinity"
//!     "perNode": false,                  // true for a DaemonSet: no failure lines
//!     "nodeFailure": {"node": "...", "lost": 1, "of": 3, "recoverable": true, "after": 3},  // null if nothing placed
//!     "zoneFailures": [{"zone": "1", "lost": 2, "of": 3, "recoverable": true, "after": 2}]
//!   }],
//!   "sharedNodes": [{"tenants": ["t1", "t2"], "pools": ["system"]}]
//! }
//! ```

use serde::Serialize;
use tusk_path::addressing::{range_text, PodSource, PoolAddresses, SubnetSource};
use tusk_path::binding::Unbound;
use tusk_path::impact::{ClusterOf, Loss, Note, Report, WorkloadRow};
use tusk_path::nodes::{FleetNote, PoolNodes};
use tusk_path::route_budget::RouteBudget;

/// The schedule report as text.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    for n in &r.notes {
        out.push_str(&format!("# {}\n", note(n)));
    }
    out.push_str("# placement: replicas dealt round-robin over feasible zones, then to the least-used node (a simulation; the feasible pools and zones are exact)\n");
    for w in &r.workloads {
        out.push('\n');
        row(&mut out, w);
    }
    if let Some(label) = &r.tenant_label {
        out.push_str(&format!("\ntenants (namespace label `{label}`) that can share a node:\n"));
        if r.shared.is_empty() {
            out.push_str("  none: every tenant's pods land on nodes no other tenant's can\n");
        }
        for (a, b, pools) in &r.shared {
            out.push_str(&format!("  {} + {}: pool(s) {}\n", tenant(a), tenant(b), pool_names(pools).join(", ")));
        }
    }
    out
}

/// A pool's name; nodes of no pool of the inputs as `(no pool)`.
pub fn pool_name(p: &Option<String>) -> &str {
    p.as_deref().unwrap_or("(no pool)")
}

/// [`pool_name`] of each.
pub fn pool_names(ps: &[Option<String>]) -> Vec<&str> {
    ps.iter().map(pool_name).collect()
}

/// A tenant's name; workloads of no tenant as `(no tenant)`.
fn tenant(t: &Option<String>) -> &str {
    t.as_deref().unwrap_or("(no tenant)")
}

fn row(out: &mut String, w: &WorkloadRow) {
    let tenant = w.tenant.as_ref().map(|t| format!(" [tenant {t}]")).unwrap_or_default();
    out.push_str(&format!("{} {}{tenant}\n", w.kind, w.name));
    let cluster = match &w.cluster {
        ClusterOf::None(why) => format!("none ({})", unbound(*why)),
        c => cluster_name(c).unwrap_or_default(),
    };
    out.push_str(&format!("  cluster: {cluster}\n"));
    if !w.not_modelled.is_empty() {
        out.push_str(&format!(
            "  not simulated: {} (the feasible pools are an upper bound; the placement may differ)\n",
            w.not_modelled.join(", ")
        ));
    }
    if matches!(w.cluster, ClusterOf::None(_)) {
        out.push_str(&format!("  not scheduled: no nodes are known for it ({} replica(s))\n", w.replicas));
        return;
    }
    if w.pools.is_empty() {
        out.push_str("  NO FEASIBLE NODE: no pod of it can be scheduled\n");
    } else {
        let mut zones = w.zones.join(", ");
        if w.non_zonal {
            zones = if zones.is_empty() {
                "none (non-zonal nodes)".into()
            } else {
                format!("{zones}, and non-zonal nodes")
            };
        }
        out.push_str(&format!("  can run on: pool(s) {}; zone(s) {zones}\n", pool_names(&w.pools).join(", ")));
    }
    match &w.pod_addresses {
        Some(r) => out.push_str(&format!("  pod addresses: {}\n", range_text(r).join(", "))),
        None if !w.pools.is_empty() => {
            out.push_str("  pod addresses: unknown (plugin IPAM or subnet not in the inputs)\n")
        }
        None => {}
    }
    for (pool, why) in &w.rejected {
        out.push_str(&format!("  not on pool {}: {}\n", pool_name(pool), refusal(why)));
    }
    let how = if w.simulated { "simulated" } else { "as exported" };
    let placed = w.replicas - w.unplaced;
    out.push_str(&format!("  placed {placed}/{} ({how})", w.replicas));
    if !w.nodes.is_empty() {
        let nodes: Vec<String> =
            w.nodes.iter().map(|(n, c)| if *c == 1 { n.clone() } else { format!("{n} ×{c}") }).collect();
        out.push_str(&format!(": {}", nodes.join(", ")));
    }
    out.push('\n');
    if w.unplaced > 0 && !w.pools.is_empty() {
        out.push_str(&format!(
            "  {} replica(s) unplaceable: spread or anti-affinity constraints exceed the feasible nodes\n",
            w.unplaced
        ));
    }
    if w.per_node {
        out.push_str("  one pod per feasible node: a failure takes only the failed nodes' pods\n");
    }
    if let Some(l) = &w.worst_node {
        out.push_str(&format!("  one node fails ({}): {}\n", l.what, loss(l)));
    }
    for l in &w.zone_losses {
        out.push_str(&format!("  zone {} fails: {}\n", l.what, loss(l)));
    }
    if w.unzoned > 0 {
        out.push_str(&format!(
            "  {} replica(s) on non-zonal nodes: any zone's failure may take them (AKS pins no zone)\n",
            w.unzoned
        ));
    }
}

fn loss(l: &Loss) -> String {
    let back = if !l.recoverable && l.lost == l.of {
        "nothing brings it back (no controller, or no other feasible node): the workload is down".to_string()
    } else if !l.recoverable {
        format!(
            "nothing brings them back (no controller, or no other feasible node): {} of {} keep running",
            l.after, l.of
        )
    } else if l.after == l.of {
        format!("all {} run again after rescheduling", l.of)
    } else {
        format!("only {} of {} run again after rescheduling (constraints)", l.after, l.of)
    };
    format!("loses {} of {}; {back}", l.lost, l.of)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JReport<'a> {
    schema: &'static str,
    notes: Vec<String>,
    tenant_label: Option<&'a str>,
    workloads: Vec<JWorkload<'a>>,
    shared_nodes: Vec<JShared<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JWorkload<'a> {
    workload: &'a str,
    kind: &'a str,
    tenant: Option<&'a str>,
    cluster: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unbound: Option<&'static str>,
    replicas: usize,
    unplaced: usize,
    placement: &'static str,
    pools: Vec<&'a str>,
    zones: &'a [String],
    non_zonal: bool,
    unzoned: usize,
    pod_addresses: Option<Vec<String>>,
    rejected: Vec<JRejected<'a>>,
    nodes: Vec<JNode<'a>>,
    per_node: bool,
    not_modelled: &'a [&'static str],
    node_failure: Option<JLoss<'a>>,
    zone_failures: Vec<JLoss<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JRejected<'a> {
    pool: &'a str,
    reason: String,
}

/// Why a node fails the scheduler's filters, in words.
fn refusal(r: &tusk_path::schedule::NodeRefusal) -> String {
    use tusk_path::schedule::NodeRefusal as R;
    match r {
        R::Cordoned { node } => format!("node {node} is cordoned (spec.unschedulable)"),
        R::NodeSelector { key, want, has } => {
            let has = has.as_ref().map_or("no such label".to_string(), |x| format!("{key}={x}"));
            format!("nodeSelector {key}={want} does not match ({has})")
        }
        R::NodeAffinity => "required node affinity matches none of its terms".to_string(),
        R::Taint(t) => format!("taint {t} is not tolerated"),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JNode<'a> {
    node: &'a str,
    replicas: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JLoss<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    zone: Option<&'a str>,
    lost: usize,
    of: usize,
    recoverable: bool,
    /// Replicas running after the scheduler re-placed the lost ones.
    after: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JShared<'a> {
    tenants: [&'a str; 2],
    pools: Vec<&'a str>,
}

/// The schedule report as a `tusk.schedule/v1` document (see the module
/// documentation), pretty-printed, ending in a newline.
pub fn json(r: &Report) -> String {
    let workloads = r
        .workloads
        .iter()
        .map(|w| JWorkload {
            workload: &w.name,
            kind: w.kind,
            tenant: w.tenant.as_deref(),
            cluster: cluster_name(&w.cluster),
            unbound: match w.cluster {
                ClusterOf::None(why) => Some(unbound(why)),
                _ => None,
            },
            replicas: w.replicas,
            unplaced: w.unplaced,
            placement: if w.simulated { "simulated" } else { "exported" },
            pools: pool_names(&w.pools),
            zones: &w.zones,
            non_zonal: w.non_zonal,
            unzoned: w.unzoned,
            pod_addresses: w.pod_addresses.as_ref().map(range_text),
            rejected: w.rejected.iter().map(|(p, r)| JRejected { pool: pool_name(p), reason: refusal(r) }).collect(),
            nodes: w.nodes.iter().map(|(n, c)| JNode { node: n, replicas: *c }).collect(),
            per_node: w.per_node,
            not_modelled: &w.not_modelled,
            node_failure: w.worst_node.as_ref().map(|l| JLoss {
                node: Some(&l.what),
                zone: None,
                lost: l.lost,
                of: l.of,
                recoverable: l.recoverable,
                after: l.after,
            }),
            zone_failures: w
                .zone_losses
                .iter()
                .map(|l| JLoss {
                    node: None,
                    zone: Some(&l.what),
                    lost: l.lost,
                    of: l.of,
                    recoverable: l.recoverable,
                    after: l.after,
                })
                .collect(),
        })
        .collect();
    let shared_nodes =
        r.shared.iter().map(|(a, b, p)| JShared { tenants: [tenant(a), tenant(b)], pools: pool_names(p) }).collect();
    let j = JReport {
        schema: "tusk.schedule/v1",
        notes: r.notes.iter().map(note).collect(),
        tenant_label: r.tenant_label.as_deref(),
        workloads,
        shared_nodes,
    };
    serde_json::to_string_pretty(&j).expect("plain data serialises") + "\n"
}

/// A workload's cluster as the report names it: the cluster's name, or
/// `(exported nodes; WHY)`; `None` when no cluster and no node applies.
fn cluster_name(c: &ClusterOf) -> Option<String> {
    match c {
        ClusterOf::Cluster(name) => Some(name.clone()),
        ClusterOf::ExportedNodes(why) => Some(format!("(exported nodes; {})", unbound(*why))),
        ClusterOf::None(_) => None,
    }
}

/// Why no cluster applies to a workload, as a clause.
pub fn unbound(u: Unbound) -> &'static str {
    match u {
        Unbound::ClusterNotInInputs => "tusk.yaml binds it to a cluster the inputs do not hold",
        Unbound::NoCluster => "the inputs hold no AKS managed cluster",
        Unbound::SeveralClusters => "several managed clusters and no tusk.yaml `clusters:` entry for this file",
    }
}

/// One note of the report (without the leading `# `).
pub fn note(n: &Note) -> String {
    match n {
        Note::Fleet(f) => fleet_note(f),
        Note::RouteBudget { cluster, budget } => route_budget(cluster, budget),
    }
}

/// How a cluster's or a pool's nodes were derived, in one line: `cluster
/// aks1: network plugin azure overlay, ...` or `pool aks1/user: autoscaled
/// 1-4, materialised at maxCount 4; nodes in ...; pods: ...`.
pub fn fleet_note(n: &FleetNote) -> String {
    match n {
        FleetNote::Cluster { cluster, plugin, overlay, dataplane, policy, outbound } => {
            let mode = if *overlay { " overlay" } else { "" };
            let dp = if *dataplane == tusk_model::aks::Dataplane::Cilium { ", Cilium data plane" } else { "" };
            format!(
                "cluster {cluster}: network plugin {}{mode}{dp}, network policy {}, outbound {}",
                plugin.name(),
                policy.name(),
                outbound.name()
            )
        }
        FleetNote::Pool { cluster, pool, nodes, addresses } => {
            let nodes = match nodes {
                PoolNodes::Exported(n) => format!("{n} exported Node object(s) used"),
                PoolNodes::Simulated { count, autoscale, surge } => {
                    let mut s = match autoscale {
                        Some((lo, hi)) => format!("autoscaled {lo}-{hi}, materialised at maxCount {count}"),
                        None => format!("{count} node(s)"),
                    };
                    if let Some((n, explicit)) = surge {
                        let how = if *explicit { "maxSurge" } else { "AKS's default maxSurge" };
                        s.push_str(&format!(", plus {n} surge node(s) ({how}) for capacity"));
                    }
                    s
                }
            };
            format!("pool {cluster}/{pool}: {nodes}; {}", pool_addresses(addresses))
        }
    }
}

/// Where a pool's nodes and pods take their addresses:
/// `nodes in v/s (10.1.0.4-10.1.0.254); pods: ...`.
pub fn pool_addresses(a: &PoolAddresses) -> String {
    let subnet = |s: &SubnetSource| match s {
        SubnetSource::Subnet { path, usable } => format!("{path} ({})", range_text(usable).join(", ")),
        SubnetSource::NotInInputs(name) => format!("subnet {name} (not in the inputs)"),
        SubnetSource::AksManagedVnet => "AKS's own VNet (not in the inputs)".to_string(),
    };
    let pods = match &a.pods {
        PodSource::PodCidr(cidrs) if cidrs.is_empty() => {
            "pods: a per-node range of a pod CIDR the inputs do not give".to_string()
        }
        PodSource::PodCidr(cidrs) => {
            let cidrs: Vec<String> = cidrs.iter().map(|c| c.to_string()).collect();
            format!("pods: one per-node range (which one is not predictable) of {}", cidrs.join(", "))
        }
        PodSource::NodeSubnet => "pods: the node's subnet (Azure CNI)".to_string(),
        PodSource::PodSubnet(s) => format!("pods: pod subnet {}", subnet(s)),
        PodSource::Unknown(plugin) => format!("pods: unknown ({} plugin)", plugin.name()),
    };
    format!("nodes in {}; {pods}", subnet(&a.nodes))
}

/// A kubenet cluster's route-table budget in one line.
pub fn route_budget(cluster: &str, b: &RouteBudget) -> String {
    let verdict = match (b.fits(), b.user_routes_unknown) {
        (false, _) => "OVER the limit".to_string(),
        (true, false) => format!("{} to spare", b.headroom()),
        (true, true) => format!("at most {} to spare: a route table is not in the inputs", b.headroom()),
    };
    format!(
        "cluster {cluster}: kubenet route table needs {} nodes + {} surge + {} user routes = {} of {} ({verdict})",
        b.nodes,
        b.surge,
        b.user_routes,
        b.needed(),
        b.limit
    )
}
