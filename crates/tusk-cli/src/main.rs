//! The `tusk` command line.
//!
//! Architecture invariant: only this crate knows about the terminal, the file
//! system for output, and exit codes. Exit codes: 0 success, 1 a check or
//! verdict the user asked to gate on failed, 2 bad input or usage, 3 the
//! output could not be written (not the input's fault: a full disk, a
//! read-only folder, a closed terminal).

mod cmd;
mod diagnostics;

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
}

#[derive(Subcommand)]
enum Command {
    /// Runs the main job on the embedded demo estate.
    Demo(cmd::demo::Args),
    /// Connectivity matrix of the Kubernetes policy layer.
    Matrix(cmd::matrix::Args),
    /// Every policy and rule that decided one pod-to-pod (or pod-to-IP) flow.
    Explain(cmd::explain::Args),
    /// One flow through the Azure network, hop by hop, with its reply.
    Trace(cmd::trace::Args),
    /// Effective routes of a subnet (like Network Watcher).
    Routes(cmd::routes::Args),
    /// Effective security rules of a NIC or subnet.
    Rules(cmd::rules::Args),
    /// Verdict of every subnet to every other subnet for one port.
    Reach(cmd::reach::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(a) => cmd::demo::run(a),
        Command::Matrix(a) => cmd::matrix::run(a),
        Command::Explain(a) => cmd::explain::run(a),
        Command::Trace(a) => cmd::trace::run(a),
        Command::Routes(a) => cmd::routes::run(a),
        Command::Rules(a) => cmd::rules::run(a),
        Command::Reach(a) => cmd::reach::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // Input errors were printed with their snippets already.
            if !matches!(e.downcast_ref::<cmd::Failure>(), Some(cmd::Failure::BadInputReported(_))) {
                eprintln!("tusk: {e:#}");
            }
            exit_code(&e)
        }
    }
}

/// 3 when the output could not be written, 2 for everything else (the
/// input or the arguments). An I/O error anywhere in the cause chain is an
/// output failure: input files are read by the loader, whose failures are
/// located load errors, never I/O errors.
fn exit_code(e: &anyhow::Error) -> ExitCode {
    let output = e.chain().any(|c| {
        matches!(c.downcast_ref::<cmd::Failure>(), Some(cmd::Failure::OutputNotWritten { .. }))
            || c.downcast_ref::<std::io::Error>().is_some()
    });
    ExitCode::from(if output { 3 } else { 2 })
}
