//! Writes a planned cluster as Kubernetes YAML, by hand.
//!
//! Three multi-document files, the layout both tusk and NCA read:
//! `namespaces.yaml`, `workloads.yaml` (Deployments) and `policies.yaml`.
//! The YAML is written with `write!` rather than a serializer: the shapes are
//! fixed, every string is a plain DNS-label-like token that needs no quoting,
//! and 100,000 pods must be written in well under a second.

use crate::cluster::{Cluster, Deployment, Namespace};
use crate::policies::{NetworkPolicy, Peer, PortRef, PortSpec, Rule, Selector};
use std::io::{self, Write};

pub fn write_namespaces(out: &mut impl Write, namespaces: &[Namespace]) -> io::Result<()> {
    for ns in namespaces {
        writeln!(out, "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {}\n  labels:", ns.name)?;
        for (k, v) in &ns.labels {
            writeln!(out, "    {k}: {v}")?;
        }
    }
    Ok(())
}

pub fn write_workloads(out: &mut impl Write, cluster: &Cluster) -> io::Result<()> {
    for d in &cluster.deployments {
        write_deployment(out, &cluster.namespaces[d.namespace].name, d)?;
    }
    Ok(())
}

fn write_deployment(out: &mut impl Write, ns: &str, d: &Deployment) -> io::Result<()> {
    let (sel_key, sel_value) = &d.labels[0];
    write!(
        out,
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  \
         replicas: {replicas}\n  selector:\n    matchLabels:\n      {sel_key}: {sel_value}\n  template:\n    \
         metadata:\n      labels:\n",
        name = d.name,
        replicas = d.replicas,
    )?;
    for (k, v) in &d.labels {
        writeln!(out, "        {k}: {v}")?;
    }
    write!(out, "    spec:\n      containers:\n      - name: main\n        image: registry.example/{}:1.0\n", d.name)?;
    if !d.ports.is_empty() {
        writeln!(out, "        ports:")?;
        for p in &d.ports {
            writeln!(
                out,
                "        - name: {}\n          containerPort: {}\n          protocol: {}",
                p.name, p.number, p.protocol
            )?;
        }
    }
    Ok(())
}

pub fn write_policies(out: &mut impl Write, policies: &[NetworkPolicy]) -> io::Result<()> {
    for p in policies {
        write_policy(out, p)?;
    }
    Ok(())
}

fn write_policy(out: &mut impl Write, p: &NetworkPolicy) -> io::Result<()> {
    write!(
        out,
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {}\n  namespace: {}\nspec:\n",
        p.name, p.namespace
    )?;
    write_selector(out, 2, "", "podSelector", &p.pod_selector)?;
    writeln!(out, "  policyTypes:")?;
    if p.ingress.is_some() {
        writeln!(out, "  - Ingress")?;
    }
    if p.egress.is_some() {
        writeln!(out, "  - Egress")?;
    }
    if let Some(rules) = p.ingress.as_ref().filter(|r| !r.is_empty()) {
        write_rules(out, "ingress", "from", rules)?;
    }
    if let Some(rules) = p.egress.as_ref().filter(|r| !r.is_empty()) {
        write_rules(out, "egress", "to", rules)?;
    }
    Ok(())
}

fn write_rules(out: &mut impl Write, section: &str, peers_key: &str, rules: &[Rule]) -> io::Result<()> {
    writeln!(out, "  {section}:")?;
    for rule in rules {
        // Each rule is a list item; its first key carries the dash.
        let mut dash = "- ";
        if !rule.peers.is_empty() {
            writeln!(out, "  {dash}{peers_key}:")?;
            dash = "  ";
            for peer in &rule.peers {
                write_peer(out, peer)?;
            }
        }
        if !rule.ports.is_empty() {
            writeln!(out, "  {dash}ports:")?;
            dash = "  ";
            for port in &rule.ports {
                write_port(out, port)?;
            }
        }
        if dash == "- " {
            writeln!(out, "  - {{}}")?;
        }
    }
    Ok(())
}

fn write_peer(out: &mut impl Write, peer: &Peer) -> io::Result<()> {
    match peer {
        Peer::Pods { namespaces, pods } => {
            let mut dash = "- ";
            if let Some(sel) = namespaces {
                write_selector(out, 4, dash, "namespaceSelector", sel)?;
                dash = "  ";
            }
            if let Some(sel) = pods {
                write_selector(out, 4, dash, "podSelector", sel)?;
            }
        }
        Peer::IpBlock { cidr, except } => {
            writeln!(out, "    - ipBlock:\n        cidr: {cidr}")?;
            if !except.is_empty() {
                writeln!(out, "        except:")?;
                for e in except {
                    writeln!(out, "        - {e}")?;
                }
            }
        }
    }
    Ok(())
}

/// Writes `key: <selector>` at `indent` spaces after `lead`, which is `""`,
/// the list dash `"- "` or its blank continuation `"  "`; the selector body is
/// indented two past the key's own column.
fn write_selector(out: &mut impl Write, indent: usize, lead: &str, key: &str, sel: &Selector) -> io::Result<()> {
    let pad = " ".repeat(indent);
    if sel.is_empty() {
        return writeln!(out, "{pad}{lead}{key}: {{}}");
    }
    writeln!(out, "{pad}{lead}{key}:")?;
    let body = " ".repeat(indent + lead.len() + 2);
    if !sel.match_labels.is_empty() {
        writeln!(out, "{body}matchLabels:")?;
        for (k, v) in &sel.match_labels {
            writeln!(out, "{body}  {k}: {v}")?;
        }
    }
    if !sel.match_expressions.is_empty() {
        writeln!(out, "{body}matchExpressions:")?;
        for req in &sel.match_expressions {
            writeln!(out, "{body}- key: {}\n{body}  operator: {}", req.key, req.operator.as_str())?;
            if !req.values.is_empty() {
                writeln!(out, "{body}  values: [{}]", req.values.join(", "))?;
            }
        }
    }
    Ok(())
}

fn write_port(out: &mut impl Write, port: &PortSpec) -> io::Result<()> {
    let mut dash = "- ";
    if let Some(protocol) = port.protocol {
        writeln!(out, "    {dash}protocol: {protocol}")?;
        dash = "  ";
    }
    if let Some(p) = &port.port {
        match p {
            PortRef::Number(n) => writeln!(out, "    {dash}port: {n}")?,
            PortRef::Named(name) => writeln!(out, "    {dash}port: {name}")?,
        }
        dash = "  ";
    }
    if let Some(end) = port.end_port {
        writeln!(out, "    {dash}endPort: {end}")?;
        dash = "  ";
    }
    if dash == "- " {
        writeln!(out, "    - {{}}")?;
    }
    Ok(())
}
