//! Source locations. Every rule and object in the model carries a [`Loc`] so
//! that a verdict can cite the exact line that decided it.

use std::fmt;
use std::sync::Arc;

/// A position inside one file: 1-based line and 1-based column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// The line, from 1 (0: no line, for built-in objects).
    pub line: u32,
    /// The column, from 1, counted in characters.
    pub col: u32,
}

/// A position in a named file. Cloning is cheap: the file name is shared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    /// The file name as given on the command line or found in a folder walk.
    pub file: Arc<str>,
    /// The line and column in that file.
    pub pos: Pos,
}

impl Loc {
    /// The position `pos` in `file`.
    pub fn new(file: Arc<str>, pos: Pos) -> Loc {
        Loc { file, pos }
    }

    /// A location for objects that tusk made itself (the embedded demo's
    /// defaults, synthesized default rules) rather than read from a file.
    pub fn builtin(what: &str) -> Loc {
        Loc { file: Arc::from(format!("<builtin:{what}>")), pos: Pos { line: 0, col: 0 } }
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pos.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.pos.line, self.pos.col)
        }
    }
}

impl serde::Serialize for Loc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
