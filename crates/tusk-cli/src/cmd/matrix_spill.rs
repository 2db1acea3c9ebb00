//! The isolation matrix across both layers written as its rows are
//! computed (`tusk_path::matrix::stream`): each cell is rendered
//! (`tusk_report::path_matrix`) into a spill file beside the report as it
//! comes, so memory follows one row of the matrix, not the matrix (the
//! workload grain of a 10,000-pod cluster has 8 million cells). The file
//! is copied to the report at the end, after the header, which names the
//! count of traced pairs known only then; should the factored matrix give
//! way to the class matrix mid-way, the file starts again. Same bytes as
//! the buffered renderers.

use super::matrix::FormatArg;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use tusk_network::Prepared;
use tusk_path::matrix::{Cell, Grain, Sink, Stats};
use tusk_report::path_matrix as r;

/// The rendered cells so far, in a temporary file removed on drop.
pub struct Spill<'a> {
    p: &'a Prepared<'a>,
    format: FormatArg,
    /// Unit names are padded to this width (txt).
    width: usize,
    file: BufWriter<File>,
    path: PathBuf,
    cells: usize,
    err: Option<io::Error>,
}

impl<'a> Spill<'a> {
    /// A spill for `format` (txt, json, csv or md) in the system's
    /// temporary directory; `width`: the longest unit name, at least 8
    /// (every unit heads some cell). Errors: the file cannot be created.
    pub fn new(p: &'a Prepared<'a>, format: FormatArg, width: usize) -> io::Result<Spill<'a>> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!("tusk-matrix-{}-{nanos}.part", std::process::id()));
        let file = std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path)?;
        Ok(Spill { p, format, width, file: BufWriter::with_capacity(1 << 16, file), path, cells: 0, err: None })
    }

    /// Writes the whole report to `out`: the header, the spilled cells,
    /// the footer. Errors: any write, or one met while spilling.
    pub fn finish(mut self, out: &mut dyn Write, grain: Grain, what: &str, s: &Stats) -> io::Result<()> {
        if let Some(e) = self.err.take() {
            return Err(e);
        }
        self.file.flush()?;
        let (head, tail) = match self.format {
            FormatArg::Txt => (r::txt_head(grain, what), r::txt_tail(s.classes, s.traced)),
            FormatArg::Json => r::json_frame(grain, what, s.classes, s.traced),
            FormatArg::Csv => (r::table_head(false), String::new()),
            _ => (r::table_head(true), String::new()),
        };
        out.write_all(head.as_bytes())?;
        let f = self.file.get_mut();
        f.seek(SeekFrom::Start(0))?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            out.write_all(&buf[..n])?;
        }
        out.write_all(tail.as_bytes())
    }
}

impl Sink for Spill<'_> {
    fn cell(&mut self, c: Cell) {
        if self.err.is_some() {
            return;
        }
        let text = match self.format {
            FormatArg::Txt => r::txt_cell(self.p, &c, self.width),
            FormatArg::Json if self.cells > 0 => format!(",\n{}", r::json_cell(self.p, &c)),
            FormatArg::Json => r::json_cell(self.p, &c),
            FormatArg::Csv => r::table_cell(&c, false),
            _ => r::table_cell(&c, true),
        };
        self.cells += 1;
        if let Err(e) = self.file.write_all(text.as_bytes()) {
            self.err = Some(e);
        }
    }

    fn restart(&mut self) {
        self.cells = 0;
        let again = self.file.flush().and_then(|()| {
            let f = self.file.get_mut();
            f.set_len(0)?;
            f.seek(SeekFrom::Start(0)).map(|_| ())
        });
        if let Err(e) = again {
            self.err.get_or_insert(e);
        }
    }
}

impl Drop for Spill<'_> {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
