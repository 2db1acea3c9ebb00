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
    /// Also write calico.yaml (pods / 5 Calico policies in several tiers)
    /// and istio.yaml (pods / 10 AuthorizationPolicies), and label the
    /// namespaces for sidecar injection (see `tusk_gen::mesh`).
    #[arg(long)]
    mesh: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut synthetic = tusk_gen::generate(args.pods, args.seed);
    if args.mesh {
        tusk_gen::mesh::label_injection(&mut synthetic.cluster);
    }
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
    if args.mesh {
        let (calico, istio, n) = tusk_gen::mesh::render(&synthetic.cluster, args.pods, args.seed);
        let written = std::fs::write(args.out.join("calico.yaml"), calico)
            .and_then(|()| std::fs::write(args.out.join("istio.yaml"), istio));
        if let Err(e) = written {
            eprintln!("tusk-gen: cannot write {}: {e}", args.out.display());
            return ExitCode::from(2);
        }
        eprintln!(
            "tusk-gen: mesh: {} Calico policies in {} tiers, {} AuthorizationPolicies, {} PeerAuthentications",
            n.calico,
            tusk_gen::mesh::TIERS.len() + 1,
            n.authorization,
            n.peer_authentication
        );
    }
    ExitCode::SUCCESS
}
