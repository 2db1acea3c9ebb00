//! Load errors and warnings. An error names the file, line and column, the
//! object it belongs to when there is one, and what was expected; the CLI
//! turns any [`LoadError`] into exit code 2 with no partial output.

use crate::loc::Loc;
use std::fmt;

/// A defect in the input that stops the load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    pub loc: Loc,
    /// The object the defect is in, as `Kind namespace/name`, when known.
    pub object: Option<String>,
    pub message: String,
}

impl LoadError {
    pub fn new(loc: Loc, message: impl Into<String>) -> LoadError {
        LoadError { loc, object: None, message: message.into() }
    }

    /// Attaches the enclosing object's name unless a more precise one is set.
    pub fn in_object(mut self, object: impl Into<String>) -> LoadError {
        if self.object.is_none() {
            self.object = Some(object.into());
        }
        self
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: error: {}", self.loc, self.message)?;
        if let Some(o) = &self.object {
            write!(f, " (in {o})")?;
        }
        Ok(())
    }
}

/// Something the loader skipped or could not take literally; the load goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub loc: Loc,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: warning: {}", self.loc, self.message)
    }
}
