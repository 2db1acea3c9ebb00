//! `tusk matrix` when the matrix has more rows than `--max-rows`: the rows
//! are written as the engine produces them, one source endpoint at a time
//! (`tusk_policy::Analysis::stream_matrix`,
//! `tusk_report::k8s::MatrixStream`), so memory follows one source's rows,
//! not the matrix (issue 8 C6). To a `--file` the report is written
//! atomically as any other: a failed run leaves no partial file.

use super::matrix::Args;
use std::process::ExitCode;
use tusk_policy::matrix::{Endpoint, Grain};
use tusk_policy::{Analysis, PolicyEngine};
use tusk_report::k8s::{MatrixFormat, MatrixStream};

/// Streams the matrix of `analysis` at `grain` in `format`; `rows`: how
/// many rows the buffered matrix would have had (said on stderr).
pub fn run(
    args: &Args,
    analysis: &Analysis,
    grain: Grain,
    format: MatrixFormat,
    described: &str,
    rows: u64,
) -> anyhow::Result<ExitCode> {
    let c = analysis.cluster;
    let sem = &analysis.semantics;
    eprintln!(
        "tusk: the matrix has up to {rows} rows (more than {}): streamed as they are produced{}",
        args.max_rows,
        match format {
            MatrixFormat::Txt => ", in source order (not sorted by name)",
            MatrixFormat::Connlist => ", sorted per source (pipe through `sort` for one sorted list)",
            _ => "",
        }
    );
    let na = sem.engine == PolicyEngine::NetpolAnalyzer;
    let cuts = (format == MatrixFormat::Connlist && na).then(|| tusk_report::k8s::netpol_analyzer_cuts(c));
    let atoms: Vec<tusk_core::IpRange> = analysis.worlds.iter().flat_map(|w| w.endpoints.atoms.clone()).collect();
    let l7 = format != MatrixFormat::Connlist && tusk_policy::lang::istio::has_l7(c);
    let mut out = MatrixStream::new(c, grain, described, format, l7, &atoms, cuts);
    let unmodelled = tusk_policy::foreign::in_force(c, sem);
    let human = matches!(format, MatrixFormat::Txt | MatrixFormat::Md);
    args.output.write(|w| {
        out.begin(w)?;
        // netpol-analyzer's connlist has no Service rows (as buffered).
        let notes = analysis.stream_matrix(grain, format != MatrixFormat::Connlist, &mut |mut batch| {
            if format == MatrixFormat::Connlist && na {
                // netpol-analyzer lists outside addresses as IPv4 ranges only.
                let v4 = |e: &Endpoint| match e {
                    Endpoint::External(r) => r.lo >> 32 == 0xffff,
                    _ => true,
                };
                batch.retain(|e| v4(&e.src) && v4(&e.dst));
            }
            let l7 = if l7 { analysis.l7_column(&batch) } else { Vec::new() };
            out.batch(w, &batch, &l7)
        })?;
        let extra = if format == MatrixFormat::Connlist && grain == Grain::Workload && !c.ingresses.is_empty() {
            let r = tusk_policy::ingress_controller::reach(c, sem);
            for u in tusk_report::k8s::ingress_controller_unknown(&r) {
                eprintln!("tusk: ingress controller: unknown: {u}");
            }
            tusk_report::k8s::ingress_controller_lines(c, &r)
        } else {
            Vec::new()
        };
        out.finish(w, extra)?;
        if human && !notes.is_empty() {
            writeln!(w, "\nunknown toward these Services, whose endpoints the inputs do not give:")?;
            for (s, why) in &notes {
                writeln!(w, "  {} ({})", tusk_report::k8s::reason_text(why), c.services[*s].loc)?;
            }
        }
        if human && !unmodelled.is_empty() {
            writeln!(w, "\nunknown where these policies, which tusk does not model, may select the pods:")?;
            for p in &unmodelled {
                writeln!(w, "  {} ({})", p.title(), p.loc)?;
            }
        }
        Ok(())
    })?;
    if format == MatrixFormat::Connlist && out.unknown_rows() > 0 {
        eprintln!(
            "tusk: {} pairs have connections whose verdict depends on inputs tusk lacks or does not model; they are not connlist lines (see -o txt)",
            out.unknown_rows()
        );
    }
    Ok(ExitCode::SUCCESS)
}
