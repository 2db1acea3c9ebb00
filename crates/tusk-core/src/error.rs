//! Diagnostics of the input: what is wrong (an error, the load fails) or was
//! skipped or not taken literally (a warning, the load goes on), where, and
//! under which stable code, so that CI can gate on codes rather than on
//! English. Every code is listed, with its meaning, in `docs/diagnostics.md`;
//! a code never changes meaning once published.
//!
//! A [`LoadError`] names the file, line and column, the object it belongs to
//! when there is one, and what was expected; the CLI turns any error into
//! exit code 2 with no partial output. Loaders build errors with
//! [`LoadError::new`], which derives the code from the message's wording
//! (see [`Code::of_error`]); a loader that knows better sets it with
//! [`LoadError::with_code`]. This module does no I/O and renders nothing
//! beyond one line per diagnostic.

use crate::loc::Loc;
use std::fmt;

/// How bad a diagnostic is: an error fails the load (exit 2), a warning is
/// printed and the load goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The input is rejected: the load fails and the command exits with 2.
    Error,
    /// The input was skipped in part or read other than as written; the load goes on.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A stable diagnostic code. `E…` codes are errors, `W…` warnings; the
/// spelling (`as_str`) is the contract, the variant names are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Code {
    /// A path that cannot be read: missing, unreadable, or not a regular file.
    Io,
    /// A file that is not UTF-8 (or UTF-16 with a byte-order mark).
    Encoding,
    /// A YAML or JSON syntax error.
    Syntax,
    /// YAML aliases that expand beyond tusk's bound (an "alias bomb"), or
    /// nesting deeper than tusk's bound.
    Limits,
    /// A mapping that holds the same key twice.
    DuplicateKey,
    /// A document that is neither Kubernetes, Azure nor tusk configuration,
    /// in an input where nothing else was usable.
    Unrecognised,
    /// A key that the object's schema does not have.
    UnknownField,
    /// A required field that is absent.
    MissingField,
    /// A field of the wrong type (a list where a mapping is expected, ...).
    WrongType,
    /// A value outside what the API accepts (a malformed CIDR, port, name).
    InvalidValue,
    /// Two objects with the same identity.
    DuplicateObject,
    /// A reference to something that the inputs do not hold, or hold with
    /// another type.
    Reference,
    /// Any other defect the API server or Azure would reject.
    Invalid,
    /// A document or kind that tusk skips.
    Skipped,
    /// A value tusk does not evaluate (an ARM expression): what depends on it
    /// is unknown.
    NotEvaluated,
    /// A value read other than as written (a CIDR with host bits set).
    Normalised,
    /// Something valid whose meaning is ambiguous or undefined.
    Ambiguous,
    /// Any other warning.
    Note,
}

impl Code {
    /// The stable spelling, e.g. `E0103`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "E0001",
            Code::Encoding => "E0002",
            Code::Syntax => "E0003",
            Code::Limits => "E0004",
            Code::DuplicateKey => "E0005",
            Code::Unrecognised => "E0010",
            Code::UnknownField => "E0100",
            Code::MissingField => "E0101",
            Code::WrongType => "E0102",
            Code::InvalidValue => "E0103",
            Code::DuplicateObject => "E0104",
            Code::Reference => "E0105",
            Code::Invalid => "E0199",
            Code::Skipped => "W0001",
            Code::NotEvaluated => "W0002",
            Code::Normalised => "W0003",
            Code::Ambiguous => "W0004",
            Code::Note => "W0099",
        }
    }

    /// Every code, in the order of `docs/diagnostics.md` (a test keeps the
    /// two in step).
    pub const ALL: [Code; 18] = [
        Code::Io,
        Code::Encoding,
        Code::Syntax,
        Code::Limits,
        Code::DuplicateKey,
        Code::Unrecognised,
        Code::UnknownField,
        Code::MissingField,
        Code::WrongType,
        Code::InvalidValue,
        Code::DuplicateObject,
        Code::Reference,
        Code::Invalid,
        Code::Skipped,
        Code::NotEvaluated,
        Code::Normalised,
        Code::Ambiguous,
        Code::Note,
    ];

    /// [`Severity::Error`] for `E…` codes, [`Severity::Warning`] for `W…` codes.
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('E') {
            Severity::Error
        } else {
            Severity::Warning
        }
    }

    /// The code an error message's wording implies. Loaders word their
    /// messages consistently (`unknown field`, `missing`, `must be a`, ...),
    /// so the code follows from the message without every call site naming
    /// one; the order of the tests matters (most specific first).
    pub fn of_error(message: &str) -> Code {
        let m = message.to_ascii_lowercase();
        let has = |s: &str| m.contains(s);
        if m.starts_with("cannot read") || m.starts_with("cannot list") || has("not a regular file") {
            Code::Io
        } else if has("utf-8") || has("utf-16") {
            Code::Encoding
        } else if m.starts_with("syntax error") || has("unbalanced") || has("unknown anchor") {
            Code::Syntax
        } else if has("alias") || has("nesting") {
            Code::Limits
        } else if m.starts_with("duplicate key") {
            Code::DuplicateKey
        } else if m.starts_with("not a kubernetes object (no `apiversion`") || has("no document tusk can read") {
            Code::Unrecognised
        } else if has("unknown field") || has("unknown key") {
            Code::UnknownField
        } else if m.starts_with("duplicate") || has("defined again") {
            Code::DuplicateObject
        } else if has("dangling") || has("reference") || has("names no ") || has("no such") {
            Code::Reference
        } else if m.starts_with("missing")
            || has("needs")
            || has(" has no `")
            || has(" has no pod `")
            || has(" has no action")
            || has("missing `")
        {
            Code::MissingField
        } else if has("must be a list")
            || has("must be a mapping")
            || has("must be a string")
            || has("must be an integer")
            || has("must be true or false")
            || has("must be strings")
            || has("must be a scalar")
        {
            Code::WrongType
        } else if has("invalid")
            || has("is not ")
            || has("out of range")
            || has("less than")
            || has("greater than")
            || has("must be")
            || has("host bits")
            || has("unknown ")
            || has("expected")
        {
            Code::InvalidValue
        } else {
            Code::Invalid
        }
    }

    /// The code a warning message's wording implies (see [`Code::of_error`]).
    pub fn of_warning(message: &str) -> Code {
        let m = message.to_ascii_lowercase();
        if m.starts_with("skipping") || m.contains("skipped") {
            Code::Skipped
        } else if m.contains("not evaluated") {
            Code::NotEvaluated
        } else if m.contains("host bits") || m.contains("read as") {
            Code::Normalised
        } else if m.contains("undefined") || m.contains("defined again") || m.contains("ambiguous") {
            Code::Ambiguous
        } else {
            Code::Note
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding about the input, in the form every output shares (text with a
/// source snippet, JSON, SARIF): a stable code, its severity, where, what,
/// and optionally how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code (`docs/diagnostics.md`).
    pub code: Code,
    /// Error (the load fails) or warning.
    pub severity: Severity,
    /// The file, line and column the finding is about.
    pub location: Loc,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when tusk can tell.
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}[{}]: {}", self.location, self.severity, self.code, self.message)
    }
}

/// A defect in the input that fails the load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// Where the defect is: file, line, column.
    pub loc: Loc,
    /// The object the defect is in, as `Kind namespace/name`, when known.
    pub object: Option<String>,
    /// What is wrong and what was expected, in one sentence.
    pub message: String,
    /// Derived from the message by [`LoadError::new`]; see [`Code::of_error`].
    pub code: Code,
    /// How to fix the input, when tusk can tell.
    pub help: Option<String>,
}

impl LoadError {
    /// An error at `loc`; its code is derived from the message's wording
    /// ([`Code::of_error`]).
    pub fn new(loc: Loc, message: impl Into<String>) -> LoadError {
        let message = message.into();
        LoadError { loc, object: None, code: Code::of_error(&message), message, help: None }
    }

    /// Sets the code where the message's wording does not imply the right one.
    pub fn with_code(mut self, code: Code) -> LoadError {
        self.code = code;
        self
    }

    /// Adds a hint on how to fix the input.
    pub fn with_help(mut self, help: impl Into<String>) -> LoadError {
        self.help = Some(help.into());
        self
    }

    /// Attaches the enclosing object's name unless a more precise one is set.
    pub fn in_object(mut self, object: impl Into<String>) -> LoadError {
        if self.object.is_none() {
            self.object = Some(object.into());
        }
        self
    }

    /// The error as a diagnostic; the object's name ends the message.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let message = match &self.object {
            Some(o) => format!("{} (in {o})", self.message),
            None => self.message.clone(),
        };
        Diagnostic {
            code: self.code,
            severity: Severity::Error,
            location: self.loc.clone(),
            message,
            help: self.help.clone(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: error[{}]: {}", self.loc, self.code, self.message)?;
        if let Some(o) = &self.object {
            write!(f, " (in {o})")?;
        }
        Ok(())
    }
}

/// Something the loader skipped or could not take literally; the load goes on.
/// Its code follows from the message ([`Code::of_warning`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where the skipped or reinterpreted input is.
    pub loc: Loc,
    /// What was skipped or how it was read, in one sentence.
    pub message: String,
}

impl Warning {
    /// A warning at `loc`; its code follows from the message ([`Code::of_warning`]).
    pub fn new(loc: Loc, message: impl Into<String>) -> Warning {
        Warning { loc, message: message.into() }
    }

    /// The stable code the message's wording implies ([`Code::of_warning`]).
    pub fn code(&self) -> Code {
        Code::of_warning(&self.message)
    }

    /// The warning as a diagnostic (no help text).
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic {
            code: self.code(),
            severity: Severity::Warning,
            location: self.loc.clone(),
            message: self.message.clone(),
            help: None,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: warning[{}]: {}", self.loc, self.code(), self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_wording_loaders_use() {
        for (m, c) in [
            ("syntax error: did not find expected key", Code::Syntax),
            ("unknown field `podSelecter` in peer", Code::UnknownField),
            ("missing `name`", Code::MissingField),
            ("Deployment has no `spec`", Code::MissingField),
            ("`ports` with `protocol: icmp`: ICMP has no ports", Code::Invalid),
            ("`ports` must be a list, found a mapping", Code::WrongType),
            ("invalid CIDR `10.0.0.300/8`", Code::InvalidValue),
            ("duplicate NetworkPolicy `p` (first defined at m.yaml:1:1)", Code::DuplicateObject),
            ("duplicate key `cidr` (first at line 3)", Code::DuplicateKey),
            ("dangling reference: `nic: x` names no network interface", Code::Reference),
            ("YAML aliases expand to more than 100000 nodes", Code::Limits),
            ("cannot read: No such file or directory", Code::Io),
            ("not valid UTF-8: first invalid byte 0xff", Code::Encoding),
        ] {
            assert_eq!(Code::of_error(m), c, "{m}");
            assert_eq!(c.severity(), Severity::Error);
        }
        assert_eq!(Code::of_warning("skipping ConfigMap x: kind not used by tusk"), Code::Skipped);
        assert_eq!(Code::of_warning("ARM expression `[x]` is not evaluated; the value is unknown"), Code::NotEvaluated);
        assert_eq!(Code::Skipped.severity(), Severity::Warning);
    }

    #[test]
    fn codes_are_unique() {
        let mut s: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        s.sort();
        s.dedup();
        assert_eq!(s.len(), Code::ALL.len());
    }

    #[test]
    fn docs_table_lists_every_code_with_its_severity() {
        let doc = include_str!("../../../docs/diagnostics.md");
        for c in Code::ALL {
            let row = format!("| {} | {} |", c.as_str(), c.severity());
            assert!(doc.contains(&row), "docs/diagnostics.md lacks the row `{row}`");
        }
        assert_eq!(doc.matches("\n| E0").count() + doc.matches("\n| W0").count(), Code::ALL.len());
    }
}
