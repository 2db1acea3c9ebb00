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
    /// What the input calls the object at this place when file:line alone
    /// hardly says it: a Terraform plan's resource address
    /// (`module.hub.azurerm_firewall.this`), since a plan's lines are
    /// generated. Printed beside file:line:col.
    pub label: Option<Arc<str>>,
}

impl Loc {
    /// The position `pos` in `file`.
    pub fn new(file: Arc<str>, pos: Pos) -> Loc {
        Loc { file, pos, label: None }
    }

    /// The same place, naming its object `label` (see [`Loc::label`]).
    pub fn labelled(mut self, label: Arc<str>) -> Loc {
        self.label = Some(label);
        self
    }

    /// A location for objects that tusk made itself (the embedded demo's
    /// defaults, synthesized default rules) rather than read from a file.
    pub fn builtin(what: &str) -> Loc {
        Loc { file: Arc::from(format!("<builtin:{what}>")), pos: Pos { line: 0, col: 0 }, label: None }
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pos.line == 0 {
            write!(f, "{}", self.file)?;
        } else {
            write!(f, "{}:{}:{}", self.file, self.pos.line, self.pos.col)?;
        }
        match &self.label {
            Some(l) => write!(f, " ({l})"),
            None => Ok(()),
        }
    }
}

impl serde::Serialize for Loc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_prints_beside_the_position() {
        let l = Loc::new(Arc::from("plan.json"), Pos { line: 3, col: 5 });
        assert_eq!(l.to_string(), "plan.json:3:5");
        let l = l.labelled(Arc::from("module.hub.azurerm_firewall.this"));
        assert_eq!(l.to_string(), "plan.json:3:5 (module.hub.azurerm_firewall.this)");
    }
}
