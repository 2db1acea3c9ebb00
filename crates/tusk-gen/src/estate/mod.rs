//! Whole synthetic estates for the cross-layer benchmark (issue 7 item 8):
//! a hub & spoke network with an Azure Firewall, and an AKS cluster whose
//! tenants have their own node pools, subnets and NSGs, with the
//! Kubernetes workloads and policies that run on it.
//!
//! The shapes that make unknowns and fallbacks expensive are generated on
//! purpose, not only the easy ones:
//! * firewall application rules (HTTPS to FQDNs) next to the network rules,
//!   so a flow on 443 that no network rule decides needs a name the
//!   offline engine does not have (unknown);
//! * a share of spokes without a route table (their traffic does not go
//!   through the firewall), and a share of spokes peered directly with a
//!   neighbour (a mesh beside the hub);
//! * pods without IPs (Deployments only), and policies with ipBlocks.
//!
//! Files written into the output folder: `network.json` (ARM/REST shape,
//! `{"value": [...]}`), `cluster.json` (a `managedClusters` body) and
//! `k8s/{namespaces,workloads,policies}.yaml`. Same parameters and seed, same
//! bytes. Like the rest of tusk-gen this knows nothing of tusk's model: it
//! writes text.

mod azure;
mod k8s;

use std::io;
use std::path::Path;

/// The estate's size and shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Spoke VNets (each `10.S.0.0/16`, S from 1; at most 239).
    pub spokes: u32,
    /// Subnets per spoke (`/24` each, at most 256).
    pub subnets_per_spoke: u32,
    /// Firewall network rules (collections of 100).
    pub network_rules: u32,
    /// Firewall application rules (collections of 100).
    pub application_rules: u32,
    /// Every how many spokes one has no route table (0: none).
    pub no_route_table_every: u32,
    /// Every how many spokes one is peered directly with the next (0: none).
    pub mesh_every: u32,
    /// Tenants: one node pool, subnet and NSG each in the AKS VNet.
    pub tenants: u32,
    /// Nodes per tenant pool.
    pub nodes_per_pool: u32,
    /// Pods in all (Deployments of about 5 replicas, no IPs).
    pub pods: u32,
    /// Namespaces, spread round-robin over the tenants.
    pub namespaces: u32,
    /// NetworkPolicies in all (about; at least 4 per namespace).
    pub policies: u32,
    /// Seed of the choices (ports, teams, which Deployments tolerate every taint).
    pub seed: u64,
}

impl Shape {
    /// The benchmark's shape (issue 7 item 8): 200 spokes × 10 subnets,
    /// 5,000 firewall rules (4,000 network + 1,000 application), 100,000 pods
    /// in 500 namespaces of 20 tenants, 10,000 policies.
    pub fn bench() -> Shape {
        Shape {
            spokes: 200,
            subnets_per_spoke: 10,
            network_rules: 4_000,
            application_rules: 1_000,
            no_route_table_every: 4,
            mesh_every: 5,
            tenants: 20,
            nodes_per_pool: 3,
            pods: 100_000,
            namespaces: 500,
            policies: 10_000,
            seed: 1,
        }
    }

    /// Checks the limits the address plan needs. Errors name the field.
    pub fn check(&self) -> Result<(), String> {
        if self.spokes == 0 || self.spokes > 239 {
            return Err(format!("spokes: {} (1..=239, each takes 10.S.0.0/16)", self.spokes));
        }
        if self.subnets_per_spoke == 0 || self.subnets_per_spoke > 256 {
            return Err(format!("subnets per spoke: {} (1..=256 /24s)", self.subnets_per_spoke));
        }
        if self.tenants == 0 || self.tenants > 200 {
            return Err(format!("tenants: {} (1..=200, each takes a /24 of 10.250.0.0/16)", self.tenants));
        }
        if self.namespaces < self.tenants {
            return Err(format!("namespaces: {} (at least one per tenant, {})", self.namespaces, self.tenants));
        }
        if self.pods < 5 * self.namespaces {
            return Err(format!("pods: {} (at least 5 per namespace)", self.pods));
        }
        if self.nodes_per_pool == 0 || self.nodes_per_pool > 100 {
            return Err(format!("nodes per pool: {} (1..=100)", self.nodes_per_pool));
        }
        Ok(())
    }
}

/// What was written, for the generator's one-line summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Subnets in all VNets (hub, spokes, AKS).
    pub subnets: usize,
    /// NSG rules in all NSGs.
    pub nsg_rules: usize,
    /// Firewall rules, network and application.
    pub firewall_rules: usize,
    /// Deployments written.
    pub deployments: usize,
    /// Pods their replicas add up to.
    pub pods: u64,
    /// Namespaces written.
    pub namespaces: usize,
    /// NetworkPolicies written.
    pub policies: usize,
}

/// The estate's files as (relative path, contents).
pub fn render(shape: &Shape) -> Result<(Vec<(String, String)>, Written), String> {
    shape.check()?;
    let mut w = Written::default();
    let net = azure::network(shape, &mut w);
    let cluster = azure::cluster(shape);
    let (ns, workloads, policies) = k8s::render(shape, &mut w);
    let files = vec![
        ("network.json".to_string(), net),
        ("cluster.json".to_string(), cluster),
        ("k8s/namespaces.yaml".to_string(), ns),
        ("k8s/workloads.yaml".to_string(), workloads),
        ("k8s/policies.yaml".to_string(), policies),
    ];
    Ok((files, w))
}

/// Writes the estate into `dir` (created if missing). Errors: a bad shape
/// (as `InvalidInput`) or the file system's.
pub fn write_dir(shape: &Shape, dir: &Path) -> io::Result<Written> {
    let (files, w) = render(shape).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    for (rel, body) in files {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(p, body)?;
    }
    Ok(w)
}
