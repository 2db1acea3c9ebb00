//! `tusk-gen`: writes a synthetic cluster of N pods, or (`--estate`) a
//! whole hub & spoke estate with an AKS cluster, for the benchmarks.

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "tusk-gen", version, about = "Seeded generator of synthetic Kubernetes clusters for benchmarks")]
struct Args {
    /// Exact number of pods (Deployment replicas summed).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pods: u32,
    /// Seed; the same seed and pod count always give the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output folder for namespaces.yaml, workloads.yaml and policies.yaml
    /// (with `--estate`: network.json, cluster.json and k8s/).
    #[arg(long)]
    out: PathBuf,
    /// Write a whole estate (hub & spoke, firewall, AKS cluster with tenant
    /// pools, workloads, policies) instead of a cluster alone; the flags
    /// below shape it (defaults: the benchmark's, `tusk_gen::estate::Shape::bench`).
    #[arg(long)]
    estate: bool,
    #[arg(long, default_value_t = 200)]
    spokes: u32,
    #[arg(long, default_value_t = 10)]
    subnets_per_spoke: u32,
    #[arg(long, default_value_t = 4_000)]
    network_rules: u32,
    #[arg(long, default_value_t = 1_000)]
    application_rules: u32,
    /// Every how many spokes one has no route table (0: none).
    #[arg(long, default_value_t = 4)]
    no_route_table_every: u32,
    /// Every how many spokes one is peered directly with the next (0: none).
    #[arg(long, default_value_t = 5)]
    mesh_every: u32,
    #[arg(long, default_value_t = 20)]
    tenants: u32,
    #[arg(long, default_value_t = 3)]
    nodes_per_pool: u32,
    #[arg(long, default_value_t = 500)]
    namespaces: u32,
    #[arg(long, default_value_t = 10_000)]
    policies: u32,
}

fn estate(args: &Args) -> ExitCode {
    let shape = tusk_gen::estate::Shape {
        spokes: args.spokes,
        subnets_per_spoke: args.subnets_per_spoke,
        network_rules: args.network_rules,
        application_rules: args.application_rules,
        no_route_table_every: args.no_route_table_every,
        mesh_every: args.mesh_every,
        tenants: args.tenants,
        nodes_per_pool: args.nodes_per_pool,
        pods: args.pods,
        namespaces: args.namespaces,
        policies: args.policies,
        seed: args.seed,
    };
    match tusk_gen::estate::write_dir(&shape, &args.out) {
        Ok(w) => {
            eprintln!(
                "tusk-gen: estate with {} subnets, {} NSG rules, {} firewall rules, {} pods in {} Deployments, {} namespaces, {} NetworkPolicies -> {}",
                w.subnets, w.nsg_rules, w.firewall_rules, w.pods, w.deployments, w.namespaces, w.policies,
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tusk-gen: cannot write the estate to {}: {e}", args.out.display());
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.estate {
        return estate(&args);
    }
    let synthetic = tusk_gen::generate(args.pods, args.seed);
    if let Err(e) = tusk_gen::write_dir(&synthetic, &args.out) {
        eprintln!("tusk-gen: cannot write {}: {e}", args.out.display());
        return ExitCode::from(2);
    }
    eprintln!(
        "tusk-gen: {} pods in {} Deployments, {} namespaces, {} NetworkPolicies -> {}",
        synthetic.cluster.pod_count(),
        synthetic.cluster.deployments.len(),
        synthetic.cluster.namespaces.len(),
        synthetic.policies.len(),
        args.out.display()
    );
    ExitCode::SUCCESS
}
