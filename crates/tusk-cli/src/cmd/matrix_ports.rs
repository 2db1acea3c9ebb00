//! `tusk matrix --grain tenant` without `--port`: the isolation matrix
//! across both layers over every port of `--proto` (`any`: every protocol,
//! ICMP, ESP, AH and the others included), one per-port matrix per port
//! atom (`tusk_path::matrix::ports`), in every format.

use super::flow::ProtoArg;
use super::matrix::{Args, FormatArg};
use std::process::ExitCode;
use tusk_core::Protocol;
use tusk_model::Estate;
use tusk_network::Prepared;
use tusk_path::join::{Actor, Ask, Wiring};
use tusk_path::matrix::{Grain, Unit};
use tusk_policy::Semantics;

/// What `both_layers` already worked out, passed on.
pub struct Run<'a> {
    pub grain: Grain,
    pub units: &'a [Unit],
    pub actors: &'a [Actor],
    pub sem: &'a Semantics,
    pub why: &'a str,
}

/// The protocols asked: the one of `--proto`, or every protocol for `any`.
fn protocols(args: &Args) -> Vec<Protocol> {
    match args.conn.proto {
        ProtoArg::Any => Protocol::PORTED.into_iter().chain(Protocol::PORTLESS).collect(),
        _ => args.conn.protocols(),
    }
}

pub fn run(
    args: &Args,
    estate: &Estate,
    w: &Wiring,
    p: &Prepared,
    r: Run,
    t0: std::time::Instant,
) -> anyhow::Result<ExitCode> {
    use tusk_path::matrix::ports;
    let protos = protocols(args);
    let t_wire = t0.elapsed();
    let atoms = ports::atoms(&ports::cuts(estate, w), &protos);
    let ask = Ask { sem: r.sem, actor: Actor::Pod, proto: Protocol::Tcp, port: None, http: None, fqdn: None };
    let m = ports::port_matrix_at(estate, w, p, r.grain, r.units, r.actors, ask, &atoms);
    let t_matrix = t0.elapsed();
    let names: Vec<&str> = protos.iter().map(|p| p.name()).collect();
    let what = format!(
        "{} every port ({} port atoms); pod policy semantics: {} ({})",
        names.join(", "),
        atoms.len(),
        tusk_report::k8s::semantics_text(r.sem),
        r.why
    );
    use tusk_report::path_matrix_ports as out;
    let text = match args.output.format {
        FormatArg::Txt => out::render_txt(p, &m, &what),
        FormatArg::Json => out::render_json(p, &m, &what),
        FormatArg::Csv => out::render_table(&m, false),
        FormatArg::Md => out::render_table(&m, true),
        FormatArg::Dot => out::render_dot(&m),
        FormatArg::Connlist => out::render_connlist(&m),
    };
    args.output.write_text(&text)?;
    if args.timings {
        eprintln!(
            "timings: port matrix {:.3}s ({} port atoms, {} classes, {} traces, {} cells), render {:.3}s",
            (t_matrix - t_wire).as_secs_f64(),
            m.atoms.len(),
            m.classes,
            m.traced,
            m.cells.len(),
            (t0.elapsed() - t_matrix).as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}
