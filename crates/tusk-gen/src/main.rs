//! `tusk-gen`: writes a synthetic cluster of N pods for the benchmarks.

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
    /// Output folder for namespaces.yaml, workloads.yaml and policies.yaml.
    #[arg(long)]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
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
