//! The `tusk` command line.
//!
//! Architecture invariant: only this crate knows about the terminal, the file
//! system for output, and exit codes. Exit codes: 0 success, 1 a check or
//! verdict the user asked to gate on failed, 2 bad input or usage, 3 the
//! output could not be written (not the input's fault: a full disk, a
//! read-only folder, a closed terminal).

mod cmd;
mod diagnostics;
mod output;

/// Loading allocates millions of small strings and frees most of them; glibc's
/// allocator fragments under that and slows every later phase (measured:
/// 100,000 pods, see BENCHMARKS.md). mimalloc does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "tusk", version, about = "Network isolation verifier for AKS clusters in Azure hub & spoke networks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// ARM template parameter value (repeatable); wins over --parameters.
    #[arg(long = "param", global = true, value_name = "NAME=VALUE")]
    param: Vec<String>,
    /// ARM parameters file (deploymentParameters.json schema) for the templates given (repeatable).
    #[arg(long = "parameters", global = true, value_name = "FILE")]
    parameters: Vec<std::path::PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the main job on the embedded demo estate.
    Demo(cmd::demo::Args),
    /// What the inputs hold: objects per kind and per file, and what was skipped, located (no analysis).
    Load(cmd::load::Args),
    /// Connectivity matrix: of the Kubernetes policy layer (every port), or with `--port` across both layers per actor (`--grain tenant|namespace|workload|pod`); `--grain subnet` is `reach`.
    Matrix(cmd::matrix::Args),
    /// Every policy and rule that decided one pod-to-pod (or pod-to-IP) flow.
    Explain(cmd::explain::Args),
    /// One flow through the Azure network, hop by hop, with its reply; with pods or nodes (`node:NAME`) across both layers.
    Trace(cmd::trace::Args),
    /// Effective routes of a subnet (like Network Watcher).
    Routes(cmd::routes::Args),
    /// Effective security rules of a NIC or subnet.
    Rules(cmd::rules::Args),
    /// Verdict of every subnet to every other subnet for one port (= `matrix --grain subnet`).
    Reach(cmd::reach::Args),
    /// Where each workload's pods can run; what a node or zone failure takes.
    Schedule(cmd::schedule::Args),
    /// Checks the intents of tusk.yaml: exit 0 all hold, 1 one is violated or unknown, 2 bad input.
    Check(cmd::check::Args),
    /// Design lints with codes, severity, location and fix: exit 1 when one is an error.
    Audit(cmd::audit::Args),
    /// The flows whose verdict changed between two versions of an estate.
    Diff(cmd::diff::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = cmd::set_arm_params(&cli.param, &cli.parameters) {
        eprintln!("tusk: {e:#}");
        return ExitCode::from(2);
    }
    cmd::set_policy_engine(match &cli.command {
        Command::Matrix(a) => a.policy_engine,
        Command::Explain(a) => a.policy_engine,
        Command::Trace(a) => a.policy_engine,
        Command::Check(a) => a.policy_engine,
        Command::Diff(a) => a.policy_engine,
        _ => None,
    });
    let result = match cli.command {
        Command::Demo(a) => cmd::demo::run(a),
        Command::Load(a) => cmd::load::run(a),
        Command::Matrix(a) => cmd::matrix::run(a),
        Command::Explain(a) => cmd::explain::run(a),
        Command::Trace(a) => cmd::trace::run(a),
        Command::Routes(a) => cmd::routes::run(a),
        Command::Rules(a) => cmd::rules::run(a),
        Command::Reach(a) => cmd::reach::run(a),
        Command::Schedule(a) => cmd::schedule::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Audit(a) => cmd::audit::run(a),
        Command::Diff(a) => cmd::diff::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // Input errors were printed with their snippets already.
            if !matches!(e.downcast_ref::<cmd::Failure>(), Some(cmd::Failure::BadInputReported(_))) {
                eprintln!("tusk: {e:#}");
            }
            // A report that could not be written is not bad input.
            let output = e.chain().any(|c| c.downcast_ref::<output::OutputNotWritten>().is_some());
            ExitCode::from(if output { 3 } else { 2 })
        }
    }
}
