//! `tusk trace` across both layers (a flow from or to a pod or node):
//! each pair's segments — source-pod egress policy, the node's exit and
//! the source address it gives the packet, the Azure hops (as `tusk trace`
//! words them, each with the addresses that control sees), the destination
//! pod's ingress policy — and the group verdict.
//!
//! JSON (`tusk.path/v1`, camelCase):
//!
//! ```text
//! { "schema": "tusk.path/v1", "samples": [string], "notes": [string],
//!   "from": string, "to": string,
//!   "actor": "pod"|"node", "verdict": "allowed"|"denied"|"mixed"|"unknown",
//!   "pairs": [ { "from": string, "to": string, "srcNode": string|null,
//!                "dstNode": string|null, "verdict": "allowed"|"denied"|"unknown",
//!                "doubt": string|null, "segments": [Segment] } ] }
//! Segment = { "kind": "sourcePolicy"|"nodeExit"|"sameNode"|"network"|
//!                     "serviceDnat"|"egress"|"podBridge"|"notEvaluated"|"destinationPolicy"|
//!                     "loadBalancer"|"kubeProxy"|"asymmetricReturn"|"sourceRanges"|
//!                     "healthProbe"|"managedNsgAssumed"|"ingressProxy",
//!             "verdict": ..., "text": string,
//!             "steps": [ { "layer", "policy", "rule", "action", "location", "decisive" } ]   // policy segments
//!             "src": IP|null, "seenSrc": IP|null, "masqueraded": bool|null,
//!             "trace": TraceJson|null }                                  // network: tusk.trace/v1's body
//! ```

use super::azure::{trace_json, trace_text};
use crate::k8s::step;
use serde::Serialize;
use std::fmt::Write;
use tusk_model::aks::OutboundType;
use tusk_network::Prepared;
use tusk_path::join::{Actor, GroupPath, PairEnd, Path, Segment};
use tusk_policy::explain::Side;

/// The `schema` of the path document.
pub const SCHEMA: &str = "tusk.path/v1";

fn actor(a: Actor) -> &'static str {
    match a {
        Actor::Pod => "pod",
        Actor::Node => "node",
    }
}

/// Who gives an Internet-bound flow its public source, per outbound type
/// (AKS, "Customize cluster egress with outbound types").
fn egress_words(o: OutboundType) -> &'static str {
    match o {
        OutboundType::LoadBalancer => {
            "SNAT to the cluster load balancer's outbound public IP (the managed load balancer is not in the inputs)"
        }
        OutboundType::ManagedNatGateway | OutboundType::UserAssignedNatGateway => {
            "SNAT to the NAT gateway's public IP"
        }
        OutboundType::UserDefinedRouting => {
            "the route table decides (the hops above); a firewall on the path translates the source to its own public IP"
        }
        OutboundType::None => "AKS sets up no egress; the hops above are all there is",
    }
}

fn side_text(s: &mut String, side: &Side) {
    if !side.applies {
        let _ = writeln!(s, "      no pod policy applies here");
    }
    for st in &side.steps {
        let loc = st.loc.as_ref().map(|l| format!("  ({l})")).unwrap_or_default();
        let mark = if st.decisive { "*" } else { " " };
        let layer = crate::k8s::layer_name(st.layer);
        let (action, policy, rule) = (step::action(st.action), step::policy(&st.policy), step::rule(&st.rule));
        let _ = writeln!(s, "     {mark}{action} [{layer}] {policy} {rule}{loc}");
    }
}

fn segment_text(s: &mut String, p: &Prepared, seg: &Segment) {
    let v = seg.verdict().name().to_uppercase();
    match seg {
        Segment::SourcePolicy(side) => {
            let _ = writeln!(s, "  [{v}] source pod egress policy");
            side_text(s, side);
        }
        Segment::NodeExit { node, pod_ip, src, masqueraded, why } => {
            let from = pod_ip.map(|ip| format!("pod {ip} → ")).unwrap_or_default();
            let nat = if *masqueraded { "masqueraded to the node's address" } else { "source kept" };
            let why = crate::path_words::exit_source(why);
            let _ = writeln!(s, "  [{v}] leaves node {node}: {from}source {src} ({nat}; non-masquerade ranges: {why})");
        }
        Segment::SameNode { node } => {
            let _ = writeln!(
                s,
                "  [{v}] same node {node}: the packet stays on the node's bridge, no Azure control sees it"
            );
        }
        Segment::Network(t) => {
            let _ = writeln!(s, "  [{v}] Azure network (what each control sees):");
            for line in trace_text::render(p, t).lines() {
                let _ = writeln!(s, "      {line}");
            }
        }
        Segment::NotEvaluated(why) => {
            let _ = writeln!(s, "  [{v}] not evaluated: {}", crate::path_words::unevaluated(why));
        }
        Segment::ServiceDnat { service, cluster_ip, port, target } => {
            let vip = cluster_ip.map(|ip| format!(" {ip}")).unwrap_or_default();
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let _ = writeln!(s, "  [{v}] Service {service}{vip}{port} translated at the source node to an endpoint pod, port {target} (before any policy or NSG sees it)");
        }
        Segment::PodBridge { node, overlay } => {
            let how = if *overlay {
                "CNI Overlay: the overlay routing domain carries pod addresses to the node holding them"
            } else {
                "kubenet: the route AKS maintains for the node's pod CIDR"
            };
            let _ = writeln!(
                s,
                "  [{v}] delivered to node {node} (the pod behind it), which hands the packet to the pod over its bridge ({how}); the reply is the Azure trace's reply path above"
            );
        }
        Segment::Egress { outbound } => {
            let _ = writeln!(
                s,
                "  [{v}] egress to the Internet, outbound type {}: {}",
                outbound.name(),
                egress_words(*outbound)
            );
        }
        Segment::DestinationPolicy { seen_src, side } => {
            let _ = writeln!(s, "  [{v}] destination pod ingress policy (source seen: {seen_src})");
            side_text(s, side);
        }
        Segment::LoadBalancer { service, frontend, internal, port, entry, local, floating_ip, node_port } => {
            let kind = if *internal { "internal" } else { "public" };
            let fe = frontend.map(|ip| ip.to_string()).unwrap_or_else(|| "(address not in the inputs)".into());
            let who = if *local {
                "externalTrafficPolicy Local: only nodes running an endpoint pass the health probe"
            } else {
                "externalTrafficPolicy Cluster: every node of the cluster is a backend"
            };
            let floating = if *floating_ip {
                "floating IP: the node's NSGs see the frontend address".to_string()
            } else {
                let np = node_port.map(|p| p.to_string()).unwrap_or_else(|| "(not in the inputs)".into());
                format!("floating IP off (azure-disable-load-balancer-floating-ip): the load balancer rewrites the destination to the node's own address and node port {np}, which the node's NSGs see")
            };
            let _ = writeln!(s, "  [{v}] Service {service}: Azure {kind} load balancer frontend {fe}:{port} hands the flow to node {entry} ({who}; {floating})");
        }
        Segment::KubeProxy { node, pod_ip, target, snat } => {
            let pod = pod_ip.map(|ip| format!(" {ip}")).unwrap_or_default();
            let src = match snat {
                Some(ip) => format!("source translated to the node's address {ip} (externalTrafficPolicy Cluster)"),
                None => "client address kept (externalTrafficPolicy Local)".into(),
            };
            let _ =
                writeln!(s, "  [{v}] node {node} translates the frontend to endpoint pod{pod} port {target}; {src}");
        }
        Segment::SourceRanges { client, ranges, tags, admitted } => {
            let ranges: Vec<String> =
                ranges.iter().map(|c| format!("{}/{}", c.addr, c.prefix)).chain(tags.iter().cloned()).collect();
            let how = match admitted {
                Some(true) => "admits",
                Some(false) => "does not admit",
                None => "may admit (through a service tag tusk does not resolve here)",
            };
            let _ = writeln!(
                s,
                "  [{v}] the Service's loadBalancerSourceRanges / allowed ranges [{}] {how} client {client} (enforced by NSG rules the cloud provider writes)",
                ranges.join(", ")
            );
        }
        Segment::HealthProbe { .. } | Segment::ManagedNsgAssumed { .. } | Segment::IngressProxy { .. } => {
            crate::path_words::probe_text(s, p, seg);
        }
        Segment::AsymmetricReturn { frontend } => {
            let _ = writeln!(
                s,
                "  [{v}] asymmetric return: the reply from {frontend} to the Internet client follows the subnet's user route to a firewall that never saw the request, and the firewall drops it. AKS docs, \"Customize cluster egress with a user-defined routing table\" (learn.microsoft.com/azure/aks/egress-udr): with outbound type UDR \"the ingress source IP routed to the load-balancer may not match the cluster's outgoing egress destination address\"; Azure Firewall docs, \"Integrate Azure Firewall with Azure Standard Load Balancer\" (learn.microsoft.com/azure/firewall/integrate-lb), asymmetric routing. Fix: publish the Service through a DNAT rule on the firewall's public IP, or route the clients' prefixes to the Internet"
            );
        }
    }
}

/// A pair's end as outputs call it: `pod NS/NAME`, `node NAME`, or an
/// Azure endpoint as `tusk trace` words it.
pub(crate) fn end(p: &Prepared, e: &PairEnd) -> String {
    match e {
        PairEnd::Pod { namespace, name } => format!("pod {namespace}/{name}"),
        PairEnd::Node(name) => format!("node {name}"),
        PairEnd::Azure(a) => super::azure::words::endpoint(p.net, a),
        PairEnd::Given(name) => name.clone(),
    }
}

fn pair_text(s: &mut String, p: &Prepared, x: &Path) {
    let nodes = match (&x.src_node, &x.dst_node) {
        (None, None) => String::new(),
        (a, b) => format!("  [node {} → node {}]", a.as_deref().unwrap_or("-"), b.as_deref().unwrap_or("-")),
    };
    let _ = writeln!(s, "{} → {}{nodes}: {}", end(p, &x.from), end(p, &x.to), x.verdict.name().to_uppercase());
    if let Some(d) = &x.doubt {
        let d = crate::path_words::doubt(d);
        let _ = writeln!(s, "  unknown: the segments agree, but {d}; the verdict could change with the address");
    }
    for seg in &x.segments {
        segment_text(s, p, seg);
    }
}

/// The text report: the group verdict, each pair's verdict, and the full
/// path of the first pair of each verdict.
fn collapsed_note(n: usize) -> String {
    format!(
        "{n} replica(s) without an exported address or node are not listed: two replicas of the same workload (same labels and ports) stand for them on each node"
    )
}

/// The group path as text: each pair's segments and the group verdict.
pub fn render_text(p: &Prepared, g: &GroupPath) -> String {
    let mut s = String::new();
    for (end, sample) in &g.samples {
        let _ = writeln!(s, "sample: {}", super::azure::trace_group::sample_note(end, *sample));
    }
    if g.collapsed > 0 {
        let _ = writeln!(s, "note: {}", collapsed_note(g.collapsed));
    }
    let _ = writeln!(s, "flow: {} → {} (actor: {})", g.from, g.to, actor(g.actor));
    let _ = writeln!(s, "verdict: {}", g.verdict.name().to_uppercase());
    if g.pairs.len() > 1 {
        let _ = writeln!(s, "\nper pair:");
        for x in &g.pairs {
            let _ = writeln!(
                s,
                "  {} [{}] → {} [{}]: {}",
                end(p, &x.from),
                x.src_node.as_deref().unwrap_or("-"),
                end(p, &x.to),
                x.dst_node.as_deref().unwrap_or("-"),
                x.verdict.name()
            );
        }
    }
    let mut shown = Vec::new();
    for x in &g.pairs {
        if shown.contains(&x.verdict) {
            continue;
        }
        shown.push(x.verdict);
        let _ = writeln!(s);
        pair_text(&mut s, p, x);
    }
    s
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StepJson {
    /// The tier that evaluated the rule (`Calico`, `Cilium`, `Istio`, ...).
    layer: &'static str,
    policy: String,
    rule: String,
    action: &'static str,
    location: Option<String>,
    decisive: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SegmentJson {
    kind: &'static str,
    verdict: &'static str,
    text: String,
    steps: Vec<StepJson>,
    src: Option<String>,
    seen_src: Option<String>,
    masqueraded: Option<bool>,
    trace: Option<trace_json::TraceJson>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PairJson {
    from: String,
    to: String,
    src_node: Option<String>,
    dst_node: Option<String>,
    verdict: &'static str,
    doubt: Option<String>,
    segments: Vec<SegmentJson>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupJson {
    schema: &'static str,
    samples: Vec<String>,
    notes: Vec<String>,
    from: String,
    to: String,
    actor: &'static str,
    verdict: &'static str,
    pairs: Vec<PairJson>,
}

fn steps(side: &Side) -> Vec<StepJson> {
    side.steps
        .iter()
        .map(|s| StepJson {
            layer: crate::k8s::layer_name(s.layer),
            policy: step::policy(&s.policy),
            rule: step::rule(&s.rule),
            action: step::action(s.action),
            location: s.loc.as_ref().map(|l| l.to_string()),
            decisive: s.decisive,
        })
        .collect()
}

fn segment_json(p: &Prepared, seg: &Segment) -> SegmentJson {
    let mut text = String::new();
    if !matches!(seg, Segment::Network(_)) {
        segment_text(&mut text, p, seg);
    }
    let mut j = SegmentJson {
        kind: "",
        verdict: seg.verdict().name(),
        text: text.trim().to_string(),
        steps: Vec::new(),
        src: None,
        seen_src: None,
        masqueraded: None,
        trace: None,
    };
    match seg {
        Segment::SourcePolicy(side) => {
            j.kind = "sourcePolicy";
            j.steps = steps(side);
        }
        Segment::NodeExit { src, masqueraded, .. } => {
            j.kind = "nodeExit";
            j.src = Some(src.to_string());
            j.masqueraded = Some(*masqueraded);
        }
        Segment::SameNode { .. } => j.kind = "sameNode",
        Segment::Network(t) => {
            j.kind = "network";
            j.trace = Some(trace_json::view(p, t));
        }
        Segment::NotEvaluated(_) => j.kind = "notEvaluated",
        Segment::Egress { .. } => j.kind = "egress",
        Segment::PodBridge { .. } => j.kind = "podBridge",
        Segment::ServiceDnat { .. } => j.kind = "serviceDnat",
        Segment::LoadBalancer { .. } => j.kind = "loadBalancer",
        Segment::KubeProxy { snat, .. } => {
            j.kind = "kubeProxy";
            j.src = snat.map(|ip| ip.to_string());
            j.masqueraded = Some(snat.is_some());
        }
        Segment::AsymmetricReturn { .. } => j.kind = "asymmetricReturn",
        Segment::HealthProbe { .. } => j.kind = "healthProbe",
        Segment::IngressProxy { .. } => j.kind = "ingressProxy",
        Segment::ManagedNsgAssumed { .. } => j.kind = "managedNsgAssumed",
        Segment::SourceRanges { .. } => j.kind = "sourceRanges",
        Segment::DestinationPolicy { seen_src, side } => {
            j.kind = "destinationPolicy";
            j.seen_src = Some(seen_src.to_string());
            j.steps = steps(side);
        }
    }
    j
}

/// The group path as a `tusk.path/v1` document (see the module documentation).
pub fn render_json(p: &Prepared, g: &GroupPath) -> String {
    let doc = GroupJson {
        schema: SCHEMA,
        notes: (g.collapsed > 0).then(|| collapsed_note(g.collapsed)).into_iter().collect(),
        samples: g.samples.iter().map(|(e, s)| super::azure::trace_group::sample_note(e, *s)).collect(),
        from: g.from.clone(),
        to: g.to.clone(),
        actor: actor(g.actor),
        verdict: g.verdict.name(),
        pairs: g
            .pairs
            .iter()
            .map(|x| PairJson {
                from: end(p, &x.from),
                to: end(p, &x.to),
                src_node: x.src_node.clone(),
                dst_node: x.dst_node.clone(),
                verdict: x.verdict.name(),
                doubt: x.doubt.as_ref().map(crate::path_words::doubt),
                segments: x.segments.iter().map(|s| segment_json(p, s)).collect(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// What decided a pair, in words: the first segment that did not allow it.
pub fn decided_by(p: &Prepared, x: &Path) -> String {
    match tusk_path::findings::deciding(x) {
        None => "every layer allows it".into(),
        Some(Segment::SourcePolicy(s)) | Some(Segment::DestinationPolicy { side: s, .. }) => s
            .steps
            .iter()
            .find(|st| st.decisive)
            .map(|st| {
                let loc = st.loc.as_ref().map(|l| format!(" ({l})")).unwrap_or_default();
                format!("{}{loc}", step::policy(&st.policy))
            })
            .unwrap_or_else(|| "pod policy".into()),
        Some(Segment::Network(t)) => super::azure::words::trace_reason(p, t),
        Some(Segment::NotEvaluated(why)) => crate::path_words::unevaluated(why),
        Some(_) => "the data path".into(),
    }
}

/// The tenant matrix as text: one line per ordered pair and actor, with
/// the group verdict, the number of pairs and what decided a first pair of
/// each verdict.
pub fn render_tenant_matrix(p: &Prepared, cells: &[tusk_path::tenants::Cell], what: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "tenant matrix across both layers, {what}");
    for c in cells {
        let g = &c.paths;
        let _ = writeln!(
            s,
            "  {:>8} -> {:<8} actor {:<4}  {:<7} ({} pair(s))",
            c.from,
            c.to,
            actor(g.actor),
            g.verdict.name(),
            g.pairs.len()
        );
        let mut shown = Vec::new();
        for x in &g.pairs {
            if shown.contains(&x.verdict) {
                continue;
            }
            shown.push(x.verdict);
            let _ = writeln!(
                s,
                "      {}: e.g. {} → {}: {}",
                x.verdict.name(),
                end(p, &x.from),
                end(p, &x.to),
                decided_by(p, x)
            );
        }
    }
    s
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CellJson {
    from: String,
    to: String,
    actor: &'static str,
    verdict: &'static str,
    pairs: usize,
    decided_by: Vec<String>,
}

/// The tenant matrix as JSON (`tusk.tenant-matrix/v1`): `{ schema, flow,
/// cells: [{ from, to, actor, verdict, pairs, decidedBy: [string] }] }`.
pub fn render_tenant_matrix_json(p: &Prepared, cells: &[tusk_path::tenants::Cell], what: &str) -> String {
    #[derive(Serialize)]
    struct Doc {
        schema: &'static str,
        flow: String,
        cells: Vec<CellJson>,
    }
    let doc = Doc {
        schema: "tusk.tenant-matrix/v1",
        flow: what.to_string(),
        cells: cells
            .iter()
            .map(|c| {
                let mut shown = Vec::new();
                let mut decided = Vec::new();
                for x in &c.paths.pairs {
                    if !shown.contains(&x.verdict) {
                        shown.push(x.verdict);
                        decided.push(format!("{}: {}", x.verdict.name(), decided_by(p, x)));
                    }
                }
                CellJson {
                    from: c.from.clone(),
                    to: c.to.clone(),
                    actor: actor(c.paths.actor),
                    verdict: c.paths.verdict.name(),
                    pairs: c.paths.pairs.len(),
                    decided_by: decided,
                }
            })
            .collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// `--proto any` across the cluster, as text: the verdict over "some
/// protocol gets through", then each protocol's report.
pub fn render_any_text(p: &Prepared, a: &tusk_path::any_protocol::AnyPath) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "verdict (some protocol): {}", a.verdict.name().to_uppercase());
    for (proto, why) in &a.skipped {
        let _ = writeln!(s, "{proto}: not taken by the destination ({})", crate::path_errors::service_error(why));
    }
    for (proto, g) in &a.per {
        let _ = writeln!(s, "\n=== {proto} ===");
        s += &render_text(p, g);
    }
    s
}

/// `--proto any` across the cluster, as JSON (`tusk.path-any/v1`):
/// `{ schema, verdict, skipped: [{ protocol, reason }],
///    protocols: [{ protocol, path: tusk.path/v1 document }] }`; `verdict`
/// is the group verdict over pairs, each allowed when some protocol is.
pub fn render_any_json(p: &Prepared, a: &tusk_path::any_protocol::AnyPath) -> String {
    let protocols: Vec<serde_json::Value> = a
        .per
        .iter()
        .map(|(proto, g)| {
            let path: serde_json::Value = serde_json::from_str(&render_json(p, g)).unwrap_or_default();
            serde_json::json!({ "protocol": proto.to_string(), "path": path })
        })
        .collect();
    let skipped: Vec<serde_json::Value> = a
        .skipped
        .iter()
        .map(|(proto, why)| {
            serde_json::json!({ "protocol": proto.to_string(), "reason": crate::path_errors::service_error(why) })
        })
        .collect();
    let doc = serde_json::json!({
        "schema": "tusk.path-any/v1",
        "verdict": a.verdict.name(),
        "skipped": skipped,
        "protocols": protocols,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
