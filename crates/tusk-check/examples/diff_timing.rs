//! Times `tusk diff` across both layers on two estate folders: load and
//! wiring, the class-based diff (`diff_tenants`) and, with `--per-pair`,
//! the per-pair oracle (`diff_tenants_per_pair`, which refuses a unit pair
//! of more than `join::MAX_PAIRS` member pairs and keeps every traced path:
//! on tusk-gen's 1,000-pod estate it grew past 21 GB and was killed, so it
//! is opt-in), checking that both give the same rows. For the figures in BENCHMARKS.md /
//! the branch notes; run it in release:
//!
//! `cargo run --release -p tusk-check --example diff_timing -- BASE HEAD PORT [tenant|namespace|workload] [--per-pair]`

// A timing tool: its output is the point.
#![allow(clippy::print_stderr)]

use std::time::Instant;
use tusk_check::diff_tenants::{diff_tenants, diff_tenants_per_pair, Version};
use tusk_core::Protocol;
use tusk_network::Prepared;
use tusk_path::join::{Actor, Wiring};
use tusk_path::matrix::Grain;
use tusk_policy::{PolicyEngine, Semantics};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: diff_timing BASE HEAD PORT [tenant|namespace|workload] [--per-pair]");
        std::process::exit(2);
    }
    let port: u16 = args[2].parse().expect("PORT is a number");
    let grain = match args.get(3).map(String::as_str) {
        None | Some("tenant") | Some("--per-pair") => Grain::Tenant,
        Some("namespace") => Grain::Namespace,
        Some("workload") => Grain::Workload,
        Some(g) => panic!("grain {g}?"),
    };
    let per_pair = args.iter().any(|a| a == "--per-pair");
    let t = Instant::now();
    let load = |d: &str| tusk_load::load_paths(&[d.into()]).unwrap_or_else(|e| panic!("{d}: {e:?}")).estate;
    let (base, head) = (load(&args[0]), load(&args[1]));
    eprintln!("load both: {:.2?}", t.elapsed());
    let t = Instant::now();
    let (bw, hw) = (Wiring::new(&base), Wiring::new(&head));
    let (bp, hp) = (Prepared::new(&bw.net, &base.config), Prepared::new(&hw.net, &head.config));
    eprintln!("wiring + prepare both: {:.2?}", t.elapsed());
    let sem = Semantics::of(PolicyEngine::Calico);
    let bv = Version {
        aks: tusk_check::Aks { estate: &base, wiring: &bw, prepared: &bp, tenant_label: "tenant" },
        semantics: sem,
    };
    let hv = Version {
        aks: tusk_check::Aks { estate: &head, wiring: &hw, prepared: &hp, tenant_label: "tenant" },
        semantics: sem,
    };
    let actors = [Actor::Pod, Actor::Node];
    let t = Instant::now();
    let mine = diff_tenants(&bv, &hv, grain, &actors, Protocol::Tcp, port).expect("class-based diff");
    let moved: usize = mine.iter().map(|c| c.moved).sum();
    eprintln!("class-based diff: {:.2?} ({} rows, {moved} member pairs moved)", t.elapsed(), mine.len());
    if per_pair {
        let t = Instant::now();
        match diff_tenants_per_pair(&bv, &hv, grain, &actors, Protocol::Tcp, port) {
            Ok(oracle) => {
                eprintln!("per-pair diff: {:.2?} ({} rows)", t.elapsed(), oracle.len());
                let key = |v: &[tusk_check::diff_tenants::TenantChange]| {
                    v.iter()
                        .map(|c| {
                            format!(
                                "{} {} {:?} {:?} {} {} {:?}",
                                c.from, c.to, c.actor, c.change, c.moved, c.of, c.head.path
                            )
                        })
                        .collect::<Vec<_>>()
                };
                assert_eq!(key(&mine), key(&oracle), "the class-based diff differs from the per-pair one");
                eprintln!("same rows: yes");
            }
            Err(e) => eprintln!("per-pair diff: refused after {:.2?}: {e:?}", t.elapsed()),
        }
    }
}
