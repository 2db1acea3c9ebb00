//! Seeded generator of synthetic Kubernetes clusters for benchmarks: a
//! cluster of exactly N pods (as Deployments), its namespaces, and about
//! `1.05 * N + 10` NetworkPolicies of realistic shapes; and ([`estate`])
//! whole estates — hub & spoke network, firewall, AKS cluster with tenant
//! pools, workloads and policies — for the cross-layer benchmark.
//!
//! The same `(pods, seed)` always gives byte-identical files. The generator is
//! a benchmark tool: nothing in tusk's product depends on it, and it knows
//! nothing of tusk's model or engine (it only writes YAML).

pub mod cluster;
pub mod estate;
pub mod policies;
pub mod rng;
pub mod yaml;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

pub use cluster::Cluster;
pub use policies::NetworkPolicy;

/// A generated cluster: workloads plus policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synthetic {
    pub cluster: Cluster,
    pub policies: Vec<NetworkPolicy>,
}

pub fn generate(pods: u32, seed: u64) -> Synthetic {
    // Two streams, so that changing the policy mix never reshuffles workloads.
    let mut workload_rng = rng::Rng::new(seed);
    let mut policy_rng = rng::Rng::new(seed ^ 0x5EED_0F00_11C1_E5A5);
    let cluster = cluster::plan(pods, &mut workload_rng);
    let policies = policies::plan(&cluster, pods, &mut policy_rng);
    Synthetic { cluster, policies }
}

/// Writes `namespaces.yaml`, `workloads.yaml` and `policies.yaml` into `dir`
/// (created if missing).
pub fn write_dir(s: &Synthetic, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_file(&dir.join("namespaces.yaml"), |w| yaml::write_namespaces(w, &s.cluster.namespaces))?;
    write_file(&dir.join("workloads.yaml"), |w| yaml::write_workloads(w, &s.cluster))?;
    write_file(&dir.join("policies.yaml"), |w| yaml::write_policies(w, &s.policies))
}

fn write_file(path: &Path, body: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    body(&mut w)?;
    w.flush()
}

/// The three files as strings, for tests.
pub fn render(s: &Synthetic) -> [String; 3] {
    let mut bufs: [Vec<u8>; 3] = Default::default();
    // Writing into a Vec cannot fail.
    yaml::write_namespaces(&mut bufs[0], &s.cluster.namespaces).expect("write to Vec");
    yaml::write_workloads(&mut bufs[1], &s.cluster).expect("write to Vec");
    yaml::write_policies(&mut bufs[2], &s.policies).expect("write to Vec");
    bufs.map(|b| String::from_utf8(b).expect("generator writes ASCII"))
}

#[cfg(test)]
mod tests;
