//! The words of tusk-path's typed reasons: why a segment is not evaluated
//! ([`Unevaluated`]), why a stated verdict is not definite ([`Doubt`]),
//! and where a node's source-address decision comes from
//! ([`ExitSource`]). tusk-path holds only the data; every sentence about
//! a joined path is written here.

use std::fmt::Write;
use tusk_network::Prepared;
use tusk_path::nodes::AddrUnknown;
use tusk_path::segment::{Doubt, ExitSource, MasqDefault, PairEnd, RuleKind, RuleRef, Segment, Unevaluated};

/// A rule or route as the reports name it: `NSG rule NAME (file:line:col)`.
pub(crate) fn rule_ref(r: &RuleRef) -> String {
    let kind = match r.kind {
        RuleKind::NsgRule => "NSG rule",
        RuleKind::FirewallRule => "firewall rule",
        RuleKind::Route => "route",
    };
    format!("{kind} {} ({})", r.name, r.loc)
}

/// Why a segment is not evaluated, in one sentence.
pub(crate) fn unevaluated(u: &Unevaluated) -> String {
    match u {
        Unevaluated::EndAddress(end) => {
            let who = match end {
                PairEnd::Pod { namespace, name } => format!("pod {namespace}/{name}"),
                PairEnd::Node(name) => format!("node {name}"),
                PairEnd::Azure(e) => e.ip().to_string(),
                PairEnd::Given(name) => name.clone(),
            };
            format!("{who}: address unknown (plugin or subnet not in the inputs)")
        }
        Unevaluated::NodeAddress { node, why: None } => format!("node {node}: address unknown"),
        Unevaluated::NodeAddress { node, why: Some(why) } => {
            format!("node {node}: address unknown ({})", addr_unknown(why))
        }
        Unevaluated::UnknownPlugin { node } => format!("node {node}: the cluster's network plugin is unknown"),
        Unevaluated::OverlayRoute(r) => format!(
            "CNI Overlay: {} names part of the overlay pod CIDR; whether it overrides the overlay routing domain is not documented",
            rule_ref(r)
        ),
        Unevaluated::OutsideAzure => "an end is not in the Azure inputs (its subnet is unknown)".into(),
        Unevaluated::FrontendUnknown { service } => format!(
            "Service {service}: the load balancer's frontend address is not in the inputs (export the Service with its status.loadBalancer, or set loadBalancerIP)"
        ),
        Unevaluated::EntryNode { node } => format!("node {node}: address or subnet unknown"),
        Unevaluated::NoLoadBalancer { service } => format!(
            "Service {service} has no load balancer: its ClusterIP is translated only on the cluster's nodes, so a client outside the cluster does not reach it that way (trace a LoadBalancer Service, or the pods)"
        ),
        Unevaluated::PublicFrontendFromAzure => "a client inside Azure reaching a public frontend leaves to the Internet and comes back through the load balancer; tusk does not model that hairpin".into(),
        Unevaluated::NodePortUnknown { service } => format!(
            "Service {service}: floating IP is off, so the node's NSGs see the node port, which is not in the inputs (export the Service with its spec.ports[].nodePort)"
        ),
    }
}

/// Why a node's address is not known, as a clause.
pub(crate) fn addr_unknown(a: &AddrUnknown) -> String {
    match a {
        AddrUnknown::NoAddressExported(node) => format!("Node {node} has no address in its export"),
        AddrUnknown::AksManagedVnet(pool) => {
            format!("pool {pool} has no vnetSubnetID: AKS created its own VNet, which the inputs do not hold")
        }
        AddrUnknown::SubnetNotInInputs(subnet) => format!("subnet {subnet} is not in the inputs"),
    }
}

/// Why a stated verdict is not definite, as a clause.
pub(crate) fn doubt(d: &Doubt) -> String {
    match d {
        Doubt::AddressSplit(r) => format!("{} names part of the addresses AKS may assign", rule_ref(r)),
    }
}

/// Where the node's source-address decision comes from.
pub(crate) fn exit_source(e: &ExitSource) -> String {
    let m = match e {
        ExitSource::NodeAddress => return "the node's own address".into(),
        ExitSource::Masquerade(m) => m,
    };
    let mut s = match m.default {
        MasqDefault::PodCidr => "AKS default: the pod CIDR",
        MasqDefault::VnetSpace => "AKS default: the VNet's address space",
    }
    .to_string();
    if m.configs.is_empty() {
        s += " (no azure-ip-masq-agent-config in the inputs)";
    }
    for c in &m.configs {
        let cidrs: Vec<String> = c.cidrs.iter().map(|c| format!("{}/{}", c.addr, c.prefix)).collect();
        s += &format!(" + {} [{}] ({})", c.name, cidrs.join(", "), c.loc);
    }
    s
}

/// The health probe and the assumed AKS-managed NSG, as `tusk trace`
/// lines (the probe's NSG steps worded as the Azure trace words them).
pub(crate) fn probe_text(s: &mut String, p: &Prepared, seg: &Segment) {
    let v = seg.verdict().name().to_uppercase();
    match seg {
        Segment::HealthProbe { node, port, local, steps } => {
            let what = if *local { "health check node port" } else { "node port" };
            let port = port.map(|p| format!("{what} {p}")).unwrap_or_else(|| format!("{what} (not in the inputs)"));
            let verdict = match seg.verdict() {
                tusk_core::Kind::Allowed => "passes: the node stays in the backend pool",
                tusk_core::Kind::Denied => {
                    "is denied: the load balancer takes the node out of its backend pool, so the frontend does not reach it"
                }
                tusk_core::Kind::Unknown => "may fail: whether the node stays in the backend pool is unknown",
            };
            let _ = writeln!(
                s,
                "  [{v}] health probe from AzureLoadBalancer (168.63.129.16) to node {node}, {port}, {verdict} (Azure Load Balancer docs, \"Health probes\": NSGs must admit the AzureLoadBalancer service tag)"
            );
            if steps.is_empty() {
                let _ = writeln!(s, "      no NSG of the inputs on the node's subnet or NIC");
            }
            for st in steps {
                let mark = match st.decision.verdict {
                    tusk_core::Kind::Allowed => "ok  ",
                    tusk_core::Kind::Denied => "DENY",
                    tusk_core::Kind::Unknown => "??  ",
                };
                let _ = writeln!(
                    s,
                    "      [{mark}] nsg {}  ({} → {})",
                    crate::azure::words::hop(p.net, &st.at),
                    st.src,
                    st.dst
                );
                let _ = writeln!(s, "        {}", crate::azure::words::reason(p, st));
                if let Some(c) = st.decision.cite.as_ref().map(|c| crate::azure::words::cite(p, c)) {
                    let prio = c.priority.map(|p| format!(", priority {p}")).unwrap_or_default();
                    let _ = writeln!(s, "        rule: {} `{}`{prio} at {}", c.holder, c.rule, c.loc);
                }
            }
        }
        Segment::IngressProxy { ingress, path, controller, service, port } => {
            let path = path.as_deref().map(|p| format!(" for path {p}")).unwrap_or_default();
            let ctl = match controller {
                PairEnd::Pod { namespace, name } => format!("pod {namespace}/{name}"),
                PairEnd::Node(n) => format!("node {n}"),
                PairEnd::Azure(e) => e.ip().to_string(),
                PairEnd::Given(n) => n.clone(),
            };
            let _ = writeln!(
                s,
                "  [{v}] ingress controller {ctl} ends the client's connection and, by Ingress {ingress}{path}, opens its own to Service {service}:{port}: the hops below see the controller pod as the source (Kubernetes docs, \"Ingress\")"
            );
        }
        Segment::ManagedNsgAssumed { node } => {
            let _ = writeln!(
                s,
                "  [{v}] node {node}'s NIC NSG (AKS-managed, in the node resource group) is not in the inputs: assumed to hold only what AKS writes — its default rules (AllowVnetInBound, AllowAzureLoadBalancerInBound, DenyAllInBound) and, per LoadBalancer Service, an allow rule for its ports from its loadBalancerSourceRanges (Internet when none); AKS docs, \"Use a public standard load balancer in AKS\" and \"Customize NSG rules\" (AKS overwrites changes made to that NSG)"
            );
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_node_address_says_why_when_the_inputs_do() {
        let u = Unevaluated::NodeAddress { node: "n1".into(), why: None };
        assert_eq!(unevaluated(&u), "node n1: address unknown");
        let why = Some(AddrUnknown::AksManagedVnet("system".into()));
        let u = Unevaluated::NodeAddress { node: "n1".into(), why };
        assert_eq!(
            unevaluated(&u),
            "node n1: address unknown (pool system has no vnetSubnetID: AKS created its own VNet, which the inputs do not hold)"
        );
        assert_eq!(addr_unknown(&AddrUnknown::NoAddressExported("n2".into())), "Node n2 has no address in its export");
        assert_eq!(addr_unknown(&AddrUnknown::SubnetNotInInputs("nodes".into())), "subnet nodes is not in the inputs");
    }
}
