//! A positioned document tree: YAML (any number of documents per file) and
//! JSON parsed into [`Node`]s that remember their line and column, so that a
//! loader can name the exact place of every defect it finds.
//!
//! JSON is read by the same YAML 1.2 parser (JSON is a subset of YAML 1.2 for
//! everything `az` and `kubectl` emit), so both formats give identical errors.
//! This module knows nothing of Kubernetes or Azure.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;
use std::sync::Arc;
use tusk_core::{LoadError, Loc, Pos};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar's text. `quoted` scalars are always strings; plain ones may
    /// also read as null, booleans or numbers.
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    /// Keys keep their own positions; order is the document's.
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// One document of a file: its root and the file it came from.
#[derive(Debug, Clone)]
pub struct Doc {
    pub file: Arc<str>,
    pub root: Node,
}

impl Doc {
    pub fn loc(&self, node: &Node) -> Loc {
        Loc::new(self.file.clone(), node.pos)
    }
}

impl Node {
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, quoted: false } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar that is not null.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } if !self.is_null() => Some(text),
            _ => None,
        }
    }

    /// An integer scalar (plain, or quoted as `az` sometimes emits them).
    pub fn as_i64(&self) -> Option<i64> {
        self.as_str()?.trim().parse().ok()
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar { text, quoted: false } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// The value under `key` in a mapping; `None` if absent or not a mapping.
    /// A key present with a null value counts as absent, as in Kubernetes'
    /// and Azure's JSON decoding.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|(_, v)| v).filter(|v| !v.is_null())
    }

    /// The key node and value under `key`, null values included.
    pub fn get_entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v))
    }

    /// Case-insensitive lookup, for Azure's property names.
    pub fn get_ci(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str().is_some_and(|s| s.eq_ignore_ascii_case(key)))
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }

    /// A short description of the node's type for error messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Map(_) => "a mapping",
            Value::Seq(_) => "a list",
            _ if self.is_null() => "null",
            Value::Scalar { .. } => "a scalar",
        }
    }
}

fn pos_of(span: &Span) -> Pos {
    Pos { line: span.start.line() as u32, col: span.start.col() as u32 + 1 }
}

enum Frame {
    Seq(Pos, usize, Vec<Node>),
    Map(Pos, usize, Vec<(Node, Node)>, Option<Node>),
}

/// Parses every document of one file. Empty documents are dropped.
pub fn parse_documents(file: &Arc<str>, text: &str) -> Result<Vec<Doc>, LoadError> {
    let mut docs = Vec::new();
    for_each_document(file, text, |d| {
        docs.push(d);
        Ok(())
    })?;
    Ok(docs)
}

/// Parses one file document by document, handing each to `f` as soon as it
/// is complete, so a large export is never held as a tree all at once.
pub fn for_each_document(
    file: &Arc<str>,
    text: &str,
    mut f: impl FnMut(Doc) -> Result<(), LoadError>,
) -> Result<(), LoadError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let err = |pos: Pos, msg: String| LoadError::new(Loc::new(file.clone(), pos), msg);

    while let Some(ev) = parser.next_event() {
        let (event, span) = ev.map_err(|e| {
            let m = e.marker();
            err(Pos { line: m.line() as u32, col: m.col() as u32 + 1 }, format!("syntax error: {}", e.info()))
        })?;
        let pos = pos_of(&span);
        let node = match event {
            Event::Scalar(text, style, anchor, _) => {
                let n =
                    Node { pos, value: Value::Scalar { text: text.into_owned(), quoted: style != ScalarStyle::Plain } };
                if anchor > 0 {
                    anchors.insert(anchor, n.clone());
                }
                n
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(n) => Node { pos, value: n.value.clone() },
                None => return Err(err(pos, "alias to an unknown anchor".into())),
            },
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Seq(pos, anchor, Vec::new()));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map(pos, anchor, Vec::new(), None));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(p, anchor, items)) => {
                    let n = Node { pos: p, value: Value::Seq(items) };
                    if anchor > 0 {
                        anchors.insert(anchor, n.clone());
                    }
                    n
                }
                _ => return Err(err(pos, "unbalanced sequence end".into())),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(p, anchor, entries, _)) => {
                    let n = Node { pos: p, value: Value::Map(entries) };
                    if anchor > 0 {
                        anchors.insert(anchor, n.clone());
                    }
                    n
                }
                _ => return Err(err(pos, "unbalanced mapping end".into())),
            },
            Event::DocumentStart(_) | Event::StreamStart | Event::Nothing | Event::DocumentEnd => continue,
            Event::StreamEnd => break,
        };
        match stack.last_mut() {
            None => {
                if !node.is_null() {
                    f(Doc { file: file.clone(), root: node })?;
                }
                anchors.clear();
            }
            Some(Frame::Seq(_, _, items)) => items.push(node),
            Some(Frame::Map(_, _, entries, key)) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Doc>, LoadError> {
        parse_documents(&Arc::from("t.yaml"), text)
    }

    #[test]
    fn multi_document_yaml_keeps_positions() {
        let docs = parse("a: 1\n---\n# c\nkind: Pod\nmetadata:\n  name: x\n---\n").unwrap();
        assert_eq!(docs.len(), 2);
        let md = docs[1].root.get("metadata").unwrap();
        assert_eq!(md.get("name").unwrap().pos, Pos { line: 6, col: 9 });
        assert_eq!(docs[1].root.get("kind").unwrap().as_str(), Some("Pod"));
    }

    #[test]
    fn json_parses_and_quoted_numbers_stay_strings() {
        let docs = parse("{\"a\": [1, \"2\", null, true]}").unwrap();
        let a = docs[0].root.get("a").unwrap().as_seq().unwrap();
        assert_eq!(a[0].as_i64(), Some(1));
        assert!(matches!(&a[1].value, Value::Scalar { quoted: true, .. }));
        assert!(a[2].is_null());
        assert_eq!(a[3].as_bool(), Some(true));
    }

    #[test]
    fn syntax_error_is_located() {
        let e = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert_eq!(&*e.loc.file, "t.yaml");
        assert!(e.loc.pos.line >= 2, "{e}");
        assert!(e.message.starts_with("syntax error"), "{e}");
        let e = parse("{\"value\": [{\"id\": 1}").unwrap_err();
        assert!(e.message.starts_with("syntax error"), "{e}");
    }

    #[test]
    fn anchors_and_aliases_resolve() {
        let docs = parse("a: &x {k: v}\nb: *x\n").unwrap();
        assert_eq!(docs[0].root.get("b").unwrap().get("k").unwrap().as_str(), Some("v"));
    }
}
