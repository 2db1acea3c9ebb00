//! Where and in which format a command writes its report: the `-o, --output
//! FORMAT` and `--file PATH` options every report-producing subcommand
//! shares, and the one function that writes a report.
//!
//! `-o` names the format, as in kubectl, az and netpol-analyzer (`--format`
//! is kept as an alias). Before this convention `tusk matrix -o PATH` named
//! the output file, so a value that is not a format is refused with a hint
//! to use `--file`, never taken as a file name.
//!
//! A report goes to standard output, or to a file written atomically: into a
//! uniquely named temporary file beside the target (so the rename stays on
//! one file system), then renamed over it; on any error the temporary file
//! is removed and the target is untouched, so a failed run never leaves a
//! partial report. A target that exists and is not a regular file (a FIFO,
//! `/dev/stdout`, a terminal), or is under `/dev` or `/proc`, is not
//! replaced by a rename but written directly. A replaced file keeps its permissions.
//!
//! A failure to write is an [`OutputNotWritten`] error, distinct from bad
//! input: the command exits 3 (see `main`).

use clap::builder::{EnumValueParser, PossibleValue, TypedValueParser};
use clap::ValueEnum;
use std::ffi::OsStr;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The output options of a subcommand whose formats are the values of `F`.
#[derive(clap::Args, Debug, Clone)]
pub struct OutputArgs<F: ValueEnum + Clone + Send + Sync + 'static> {
    /// Output format.
    #[arg(short = 'o', long = "output", visible_alias = "format", value_name = "FORMAT",
          value_parser = FormatParser::<F>::new(), default_value = "txt")]
    pub format: F,
    /// Write the report to this file (atomically) instead of standard output; `-` is standard output.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
}

impl<F: ValueEnum + Clone + Send + Sync + 'static> OutputArgs<F> {
    /// The file to write, `None` for standard output (no `--file`, or `--file -`).
    pub fn target(&self) -> Option<&Path> {
        self.file.as_deref().filter(|p| p.as_os_str() != "-")
    }

    /// Writes the report `write` produces to the chosen target.
    pub fn write(&self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), OutputNotWritten> {
        write_report(self.target(), write)
    }

    /// Writes a finished text report, adding a final newline if it lacks one.
    pub fn write_text(&self, text: &str) -> Result<(), OutputNotWritten> {
        self.write(|w| write_text(w, text))
    }
}

/// Writes `text` and, if it does not end with one, a newline.
pub fn write_text(w: &mut dyn Write, text: &str) -> io::Result<()> {
    w.write_all(text.as_bytes())?;
    if !text.is_empty() && !text.ends_with('\n') {
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// The formats `txt` and `json`, for the subcommands that have only these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TxtOrJson {
    Txt,
    Json,
}

/// The report could not be written (exit code 3): not the input's fault.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {target}")]
pub struct OutputNotWritten {
    /// The file, or "standard output".
    pub target: String,
    #[source]
    pub source: io::Error,
}

/// Writes a report to `file` (see the module documentation), or to standard
/// output when `None`. A closed pipe on standard output (`tusk ... | head`)
/// is not an error.
pub fn write_report(
    file: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), OutputNotWritten> {
    let Some(path) = file else {
        let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
        return match write(&mut out).and_then(|()| out.flush()) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                Err(OutputNotWritten { target: "standard output".into(), source: e })
            }
            _ => Ok(()),
        };
    };
    let failed = |source| OutputNotWritten { target: path.display().to_string(), source };
    // `metadata` follows symbolic links: a link to a FIFO or a device is
    // written directly. So is anything under /dev or /proc: `/dev/stdout`
    // may lead to a regular file (`> out.txt`) that the shell holds open,
    // and replacing it would be a surprise.
    let special = path.starts_with("/dev") || path.starts_with("/proc");
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() || special => write_directly(path, write).map_err(failed),
        Ok(m) => {
            // Replace the file a symbolic link points to, so the link stays a link.
            let real = std::fs::canonicalize(path).map_err(failed)?;
            write_atomically(&real, Some(m.permissions()), write).map_err(failed)
        }
        Err(_) => write_atomically(path, None, write).map_err(failed),
    }
}

/// A FIFO, a device or a terminal: opened for writing as it is.
fn write_directly(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut out = io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
    write(&mut out)?;
    out.flush()
}

/// A regular file, or none yet: through a temporary file beside it.
fn write_atomically(
    path: &Path,
    permissions: Option<std::fs::Permissions>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tusk-tmp");
    // A new file gets the usual mode (0666 less the umask), not the
    // temporary file's private 0600.
    #[cfg(unix)]
    let default_mode = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o666);
    #[cfg(unix)]
    builder.permissions(default_mode);
    // Dropping the temporary file on any error below removes it.
    let tmp = builder.tempfile_in(dir)?;
    let mut out = io::BufWriter::with_capacity(1 << 16, tmp);
    write(&mut out)?;
    let tmp = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    if let Some(p) = permissions {
        tmp.as_file().set_permissions(p)?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Parses a format like clap's enum parser (so `--help` lists the values),
/// but refuses a value that is not a format with a hint to `--file`, since
/// `tusk matrix -o PATH` used to name the output file.
#[derive(Clone)]
pub struct FormatParser<F>(std::marker::PhantomData<F>);

impl<F> FormatParser<F> {
    pub fn new() -> Self {
        FormatParser(std::marker::PhantomData)
    }
}

impl<F: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for FormatParser<F> {
    type Value = F;

    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, value: &OsStr) -> Result<F, clap::Error> {
        EnumValueParser::<F>::new().parse_ref(cmd, arg, value).map_err(|_| {
            let formats: Vec<String> =
                F::value_variants().iter().filter_map(|v| v.to_possible_value()).map(|p| p.get_name().into()).collect();
            let value = value.to_string_lossy();
            let msg = format!(
                "`{value}` is not an output format ({}); -o/--output names the format — \
                 to write the report to a file, use --file {value}\n",
                formats.join(", ")
            );
            clap::Error::raw(clap::error::ErrorKind::InvalidValue, msg).with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(F::value_variants().iter().filter_map(|v| v.to_possible_value())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(what: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tusk-output-{what}-{}", std::process::id()));
        std::fs::remove_dir_all(&d).ok();
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(d: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn a_failed_write_removes_its_temporary_file_and_keeps_the_target() {
        let d = dir("failed");
        let target = d.join("report.txt");
        std::fs::write(&target, "old report\n").unwrap();
        let r = write_report(Some(&target), |w| {
            w.write_all(b"half a rep")?;
            Err(io::Error::other("disk full"))
        });
        let e = r.unwrap_err();
        assert_eq!(e.target, target.display().to_string());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old report\n");
        assert_eq!(names(&d), ["report.txt"]);
        std::fs::remove_dir_all(&d).ok();
    }

    #[test]
    fn a_replaced_file_keeps_its_permissions_and_a_link_stays_a_link() {
        let d = dir("replace");
        let target = d.join("report.txt");
        std::fs::write(&target, "old\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
            let link = d.join("link.txt");
            std::os::unix::fs::symlink(&target, &link).unwrap();
            write_report(Some(&link), |w| w.write_all(b"new\n")).unwrap();
            assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
            assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o640);
            assert_eq!(names(&d), ["link.txt", "report.txt"]);
        }
        write_report(Some(&target), |w| w.write_all(b"newer\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "newer\n");
        std::fs::remove_dir_all(&d).ok();
    }

    #[test]
    fn a_new_file_is_not_private_to_its_owner() {
        let d = dir("new");
        let target = d.join("report.json");
        write_report(Some(&target), |w| w.write_all(b"{}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // 0666 less the umask; the usual umask 022 gives 0644. A umask
            // that removes every read bit for others would fail this.
            let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
            assert_ne!(mode, 0o600, "the temporary file's private mode leaked");
        }
        std::fs::remove_dir_all(&d).ok();
    }
}
