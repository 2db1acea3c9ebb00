//! A positioned document tree: YAML (any number of documents per file) and
//! JSON parsed into [`Node`]s that remember their line and column, so that a
//! loader can name the exact place of every defect it finds.
//!
//! JSON is a subset of YAML 1.2 for everything `az` and `kubectl` emit, and
//! the YAML 1.2 parser gives every error; a well-formed JSON document takes
//! a fast path (`crate::json`) that builds the same tree several times
//! faster, and a `.json` file may carry the comments and trailing commas
//! ARM accepts. This module knows nothing of Kubernetes or Azure.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;
use std::sync::Arc;
use tusk_core::{Code, LoadError, Loc, Pos};

/// The text of a scalar: a string stored inline up to 23 bytes (most keys
/// and values of manifests and exports), shared on clone otherwise, so that
/// reading a document costs no allocation per short scalar. Derefs to
/// `str`; `.into()` makes one from a `&str` or a `String`.
pub type Text = smol_str::SmolStr;

/// A node's value: a scalar, a sequence or a mapping.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar's text. `quoted` scalars are always strings; plain ones may
    /// also read as null, booleans or numbers.
    Scalar {
        /// The scalar's value, quotes removed and escapes resolved.
        text: Text,
        /// Whether it was not plain (quoted, or a literal or folded block), so
        /// always a string.
        quoted: bool,
    },
    /// A sequence, in document order.
    Seq(Vec<Node>),
    /// Keys keep their own positions; order is the document's.
    Map(Vec<(Node, Node)>),
}

/// One node of a document tree, with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the node starts in its file (line and column, from 1).
    pub pos: Pos,
    /// What it holds.
    pub value: Value,
}

/// One document of a file: its root and the file it came from.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The path of the file it was read from, as the load named it.
    pub file: Arc<str>,
    /// The document's root node.
    pub root: Node,
}

impl Doc {
    /// The location of `node` in this document's file.
    pub fn loc(&self, node: &Node) -> Loc {
        Loc::new(self.file.clone(), node.pos)
    }
}

impl Node {
    /// Whether this is a plain scalar YAML 1.2's core schema reads as null
    /// (empty, `~`, `null`, `Null`, `NULL`; yaml.org/spec/1.2.2, 10.3.2).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, quoted: false } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The entries of a mapping, in document order; `None` for other values.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The items of a sequence; `None` for other values.
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

    /// A plain scalar YAML 1.2's core schema reads as a boolean (`true`, `True`,
    /// `TRUE`, `false`, ...); `None` otherwise (a quoted `"true"` is a string).
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
        // The text first, the null check (which `as_str` makes on every
        // key) only on a match: the same answer, at a fraction of the cost.
        self.as_map()?
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Scalar { text, .. } if text.as_str() == key) && !k.is_null())
            .map(|(k, v)| (k, v))
    }

    /// Case-insensitive lookup, for Azure's property names.
    pub fn get_ci(&self, key: &str) -> Option<&Node> {
        let key = key.as_bytes();
        // Same length and first byte (bit 5 ignored: a letter's case; only
        // a filter), then the bytes as they are (most keys are spelled as
        // asked), then ASCII case folded.
        let first = key.first().map_or(0, |c| c | 0x20);
        let same = |t: &[u8]| {
            t.len() == key.len()
                && t.first().map_or(0, |c| c | 0x20) == first
                && (t == key || t.eq_ignore_ascii_case(key))
        };
        self.as_map()?
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Scalar { text, .. } if same(text.as_bytes())) && !k.is_null())
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

/// At most this many nodes may be made by expanding aliases in one document.
/// Aliases are copied in full, so nested aliases grow exponentially (a
/// "billion laughs" of a few hundred bytes asks for billions of nodes); no
/// manifest or export needs more than a few hundred. Go's YAML decoder, which
/// kubectl uses, refuses "excessive aliasing" in the same spirit.
pub const MAX_ALIAS_NODES: usize = 100_000;
/// At most this many aliases in one document.
pub const MAX_ALIASES: usize = 10_000;
/// At most this many levels of nested collections. Kubernetes objects nest
/// about 15 deep; a deeper tree only costs stack in every recursive reader.
pub const MAX_DEPTH: usize = 500;

/// A collection being read: where it starts, its anchor, its size in nodes
/// so far (for the alias bound) and its items.
enum Frame {
    Seq { pos: Pos, anchor: usize, size: usize, items: Vec<Node> },
    Map(MapFrame),
}

struct MapFrame {
    pos: Pos,
    anchor: usize,
    size: usize,
    entries: Vec<(Node, Node)>,
    /// A key waiting for its value.
    key: Option<Node>,
    /// Entries brought in by merge keys (`<<: *base`); explicit keys win.
    merged: Vec<(Node, Node)>,
    /// Key text → index in `entries`, built once the mapping is large enough
    /// that a linear duplicate check would cost.
    index: Option<HashMap<String, usize>>,
}

/// Builds documents from parser events.
struct Tree<'a> {
    file: &'a Arc<str>,
    stack: Vec<Frame>,
    /// Anchor id → the anchored node and its size in nodes.
    anchors: HashMap<usize, (Node, usize)>,
    aliases: usize,
    alias_nodes: usize,
}

impl Tree<'_> {
    fn err(&self, pos: Pos, msg: impl Into<String>) -> LoadError {
        LoadError::new(Loc::new(self.file.clone(), pos), msg)
    }

    fn push_frame(&mut self, f: Frame, pos: Pos) -> Result<(), LoadError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.err(pos, format!("nesting deeper than {MAX_DEPTH} levels: tusk refuses the document")));
        }
        self.stack.push(f);
        Ok(())
    }

    /// The copy of an anchored node at an alias, within the bounds.
    fn alias(&mut self, id: usize, pos: Pos) -> Result<(Node, usize), LoadError> {
        let Some((n, size)) = self.anchors.get(&id) else {
            return Err(self.err(pos, "alias to an unknown anchor"));
        };
        self.aliases += 1;
        self.alias_nodes = self.alias_nodes.saturating_add(*size);
        if self.aliases > MAX_ALIASES || self.alias_nodes > MAX_ALIAS_NODES {
            return Err(self
                .err(
                    pos,
                    format!(
                        "YAML aliases expand to more than {MAX_ALIAS_NODES} nodes or {MAX_ALIASES} aliases in this document \
                         (nested aliases grow exponentially): tusk refuses to expand them"
                    ),
                )
                .with_help("no manifest or export needs this many; write the values out, or split the document"));
        }
        Ok((Node { pos, value: n.value.clone() }, *size))
    }

    fn anchor(&mut self, anchor: usize, n: &Node, size: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (n.clone(), size));
        }
    }

    /// Adds a finished node to the collection being read; `Some` when it is
    /// a whole document.
    fn add(&mut self, node: Node, size: usize) -> Result<Option<Node>, LoadError> {
        match self.stack.last_mut() {
            None => return Ok(Some(node)),
            Some(Frame::Seq { size: s, items, .. }) => {
                *s += size;
                items.push(node);
            }
            Some(Frame::Map(m)) => {
                m.size += size;
                match m.key.take() {
                    None => m.key = Some(node),
                    Some(k) => {
                        if let Some((pos, msg)) = m.add_entry(k, node) {
                            let e = self.err(pos, msg);
                            return Err(match e.code {
                                Code::DuplicateKey => e.with_help(
                                    "keep one of the two: kubectl refuses an object with a field written twice",
                                ),
                                _ => e,
                            });
                        }
                    }
                }
            }
        }
        Ok(None)
    }
}

impl MapFrame {
    /// Adds one entry; `Some((pos, message))` for a duplicate key or a bad
    /// merge value.
    fn add_entry(&mut self, k: Node, v: Node) -> Option<(Pos, String)> {
        // A plain `<<` key is YAML's merge key (yaml.org/type/merge.html),
        // which Go's YAML decoder, and so kubectl, honours.
        if matches!(&k.value, Value::Scalar { text, quoted: false } if text == "<<") {
            return self.merge(v);
        }
        if let Some(text) = key_text(&k) {
            if let Some(first) = self.find(text) {
                let first = self.entries[first].0.pos;
                return Some((
                    k.pos,
                    format!("duplicate key `{text}`: first at line {}, again at line {}", first.line, k.pos.line),
                ));
            }
            if let Some(ix) = &mut self.index {
                ix.insert(text.to_string(), self.entries.len());
            }
        }
        self.entries.push((k, v));
        if self.index.is_none() && self.entries.len() >= 16 {
            let ix = self.entries.iter().enumerate().filter_map(|(i, (k, _))| Some((key_text(k)?.to_string(), i)));
            self.index = Some(ix.collect());
        }
        None
    }

    fn find(&self, text: &str) -> Option<usize> {
        match &self.index {
            Some(ix) => ix.get(text).copied(),
            None => self.entries.iter().position(|(k, _)| key_text(k) == Some(text)),
        }
    }

    /// `<<: mapping` or `<<: [mapping, ...]`: earlier mappings win.
    fn merge(&mut self, v: Node) -> Option<(Pos, String)> {
        let maps = match v.value {
            Value::Map(m) => vec![m],
            Value::Seq(items) => {
                let mut maps = Vec::new();
                for i in items {
                    match i.value {
                        Value::Map(m) => maps.push(m),
                        _ => return Some((i.pos, "merge key `<<` needs a mapping or a list of mappings".into())),
                    }
                }
                maps
            }
            _ => return Some((v.pos, "merge key `<<` needs a mapping or a list of mappings".into())),
        };
        for (k, v) in maps.into_iter().flatten() {
            let seen = key_text(&k).is_some_and(|t| self.merged.iter().any(|(m, _)| key_text(m) == Some(t)));
            if !seen {
                self.merged.push((k, v));
            }
        }
        None
    }

    /// The mapping's entries: explicit keys, then merged keys they do not override.
    fn finish(mut self) -> Vec<(Node, Node)> {
        for (k, v) in std::mem::take(&mut self.merged) {
            if key_text(&k).is_none_or(|t| self.find(t).is_none()) {
                self.entries.push((k, v));
            }
        }
        self.entries
    }
}

fn key_text(k: &Node) -> Option<&str> {
    match &k.value {
        Value::Scalar { text, .. } => Some(text),
        _ => None,
    }
}

/// The text of a file's bytes: UTF-8 (a byte-order mark dropped), or UTF-16
/// with a byte-order mark (what PowerShell 5's `>` writes). YAML 1.2 allows
/// both. Anything else is an error at the first invalid byte.
pub fn decode(file: &Arc<str>, bytes: Vec<u8>) -> Result<String, LoadError> {
    let utf16 = |be: bool| {
        let units = bytes[2..].chunks(2).map(|c| {
            let pair = [c[0], *c.get(1).unwrap_or(&0)];
            if be {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        });
        char::decode_utf16(units).collect::<Result<String, _>>().map_err(|e| {
            LoadError::new(
                Loc::new(file.clone(), Pos::default()),
                format!("not valid UTF-16: unpaired surrogate 0x{:04x}", e.unpaired_surrogate()),
            )
        })
    };
    match bytes.get(..2) {
        Some([0xFF, 0xFE]) => return utf16(false),
        Some([0xFE, 0xFF]) => return utf16(true),
        _ => {}
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(match s.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => s,
        }),
        Err(e) => {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
            let line = valid.matches('\n').count() as u32 + 1;
            let col = valid.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
            Err(LoadError::new(
                Loc::new(file.clone(), Pos { line, col }),
                format!("not valid UTF-8: first invalid byte 0x{:02x}", bytes[at]),
            )
            .with_help("save the file as UTF-8 (`iconv -f LATIN1 -t UTF-8`, or your editor's encoding menu)"))
        }
    }
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
/// Aliases are expanded within [`MAX_ALIAS_NODES`] and [`MAX_ALIASES`],
/// nesting is bounded by [`MAX_DEPTH`], merge keys are applied and
/// duplicate keys are errors. The first error ends the parse.
pub fn for_each_document(
    file: &Arc<str>,
    text: &str,
    mut f: impl FnMut(Doc) -> Result<(), LoadError>,
) -> Result<(), LoadError> {
    let mut first = None;
    let r = parse(file, text, None, &mut f, &mut |e| {
        first.get_or_insert(e);
        false
    });
    match first {
        Some(e) => Err(e),
        None => r,
    }
}

/// Like [`for_each_document`], but a defect inside one document (a duplicate
/// key, an alias bound, a bad merge) goes to `on_error` and the parse goes on
/// with the next document. Syntax errors still end the file: the parser
/// cannot tell where the next document starts. The result is the syntax
/// error, if any.
pub fn for_each_document_collecting(
    file: &Arc<str>,
    text: &str,
    f: impl FnMut(Doc) -> Result<(), LoadError>,
    on_error: impl FnMut(LoadError),
) -> Result<(), LoadError> {
    for_each_document_skipping(file, text, None, f, on_error)
}

/// Subtrees a JSON document may be read without, and who decides whether
/// the document read so can be used: see [`for_each_document_skipping`].
pub(crate) struct Skip {
    /// The paths of the subtrees to leave out (`crate::json::parse_skipping`).
    pub paths: &'static crate::json::SkipPaths,
    /// Whether a root read without them is one whose reader never looks
    /// at them; otherwise the text is read again in full.
    pub usable: fn(&Node) -> bool,
}

/// Like [`for_each_document_collecting`], but a JSON document is first
/// read without the collections at `skip`'s paths (checked all the same,
/// so the same texts are accepted and refused); when something was left
/// out and `skip.usable` refuses the root, the text is read again in full.
/// So the documents handed to `f` are the full ones, except where the
/// caller said its reader does not need the parts left out.
pub(crate) fn for_each_document_skipping(
    file: &Arc<str>,
    text: &str,
    skip: Option<&Skip>,
    mut f: impl FnMut(Doc) -> Result<(), LoadError>,
    mut on_error: impl FnMut(LoadError),
) -> Result<(), LoadError> {
    parse(file, text, skip, &mut f, &mut |e| {
        on_error(e);
        true
    })
}

/// The event loop. `on_error` returns whether to go on with the next document.
fn parse(
    file: &Arc<str>,
    text: &str,
    skip: Option<&Skip>,
    f: &mut dyn FnMut(Doc) -> Result<(), LoadError>,
    on_error: &mut dyn FnMut(LoadError) -> bool,
) -> Result<(), LoadError> {
    // ARM templates and parameters files may carry comments and trailing
    // commas (see arm::jsonc); only `.json` files, as ARM reads only those.
    let jsonc = file.ends_with(".json");
    if crate::json::looks_like_json(text) {
        let paths = skip.map_or(&[][..], |s| s.paths);
        let root = match crate::json::parse_skipping(text, jsonc, paths) {
            Some((root, false)) => Some(root),
            Some((root, true)) if skip.is_some_and(|s| (s.usable)(&root)) => Some(root),
            // Read without a part its reader needs: read it in full.
            Some((_, true)) => crate::json::parse(text, jsonc),
            None => None,
        };
        if let Some(root) = root {
            if !root.is_null() {
                f(Doc { file: file.clone(), root })?;
            }
            return Ok(());
        }
    }
    if jsonc {
        return parse_yaml(file, &crate::arm::jsonc::blank(text), 0, f, on_error);
    }
    // Block-style YAML takes its own fast path, which leaves to the YAML
    // reader every document it does not take.
    crate::yaml::parse(file, text, f, on_error)
}

/// The YAML 1.2 reader's event loop, for any text (the fast paths aside).
/// `line_offset` is added to every line: the text is then the part of a
/// file that starts after that many lines.
pub(crate) fn parse_yaml(
    file: &Arc<str>,
    text: &str,
    line_offset: u32,
    f: &mut dyn FnMut(Doc) -> Result<(), LoadError>,
    on_error: &mut dyn FnMut(LoadError) -> bool,
) -> Result<(), LoadError> {
    let mut parser = Parser::new_from_str(text);
    let mut t = Tree { file, stack: Vec::new(), anchors: HashMap::new(), aliases: 0, alias_nodes: 0 };
    let shift = |mut p: Pos| {
        p.line += line_offset;
        p
    };
    // Inside a document already reported: skip its events up to its end.
    let mut skipping = false;
    while let Some(ev) = parser.next_event() {
        let (event, span) = ev.map_err(|e| {
            let m = e.marker();
            t.err(shift(Pos { line: m.line() as u32, col: m.col() as u32 + 1 }), format!("syntax error: {}", e.info()))
        })?;
        match event {
            Event::DocumentEnd | Event::DocumentStart(_) | Event::StreamEnd => {
                skipping = false;
                t.reset();
            }
            _ if skipping => continue,
            _ => {}
        }
        match t.event(event, shift(pos_of(&span))) {
            Ok(Some(root)) => {
                if !root.is_null() {
                    f(Doc { file: file.clone(), root })?;
                }
                t.reset();
            }
            Ok(None) => {}
            Err(e) => {
                if !on_error(e) {
                    return Ok(());
                }
                skipping = true;
                t.reset();
            }
        }
    }
    Ok(())
}

impl Tree<'_> {
    /// Forgets the document being read.
    fn reset(&mut self) {
        self.stack.clear();
        self.anchors.clear();
        self.aliases = 0;
        self.alias_nodes = 0;
    }

    /// Takes one event; `Some` when it completes a document.
    fn event(&mut self, event: Event, pos: Pos) -> Result<Option<Node>, LoadError> {
        let (node, size) = match event {
            Event::Scalar(text, style, anchor, _) => {
                let n =
                    Node { pos, value: Value::Scalar { text: Text::new(&text), quoted: style != ScalarStyle::Plain } };
                self.anchor(anchor, &n, 1);
                (n, 1)
            }
            Event::Alias(id) => self.alias(id, pos)?,
            Event::SequenceStart(anchor, _) => {
                self.push_frame(Frame::Seq { pos, anchor, size: 1, items: Vec::new() }, pos)?;
                return Ok(None);
            }
            Event::MappingStart(anchor, _) => {
                let m =
                    MapFrame { pos, anchor, size: 1, entries: Vec::new(), key: None, merged: Vec::new(), index: None };
                self.push_frame(Frame::Map(m), pos)?;
                return Ok(None);
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Seq { pos, anchor, size, items }) => {
                    let n = Node { pos, value: Value::Seq(items) };
                    self.anchor(anchor, &n, size);
                    (n, size)
                }
                _ => return Err(self.err(pos, "unbalanced sequence end")),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Map(m)) => {
                    let (p, anchor, size) = (m.pos, m.anchor, m.size);
                    let n = Node { pos: p, value: Value::Map(m.finish()) };
                    self.anchor(anchor, &n, size);
                    (n, size)
                }
                _ => return Err(self.err(pos, "unbalanced mapping end")),
            },
            Event::DocumentStart(_) | Event::StreamStart | Event::Nothing | Event::DocumentEnd | Event::StreamEnd => {
                return Ok(None)
            }
        };
        self.add(node, size)
    }
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

    #[test]
    fn merge_keys_merge_and_explicit_keys_win() {
        let docs = parse("base: &b {a: 1, b: 2}\nother: &o {b: 9, c: 3}\nx:\n  <<: [*b, *o]\n  a: 5\n").unwrap();
        let x = docs[0].root.get("x").unwrap();
        assert_eq!(x.get("a").unwrap().as_str(), Some("5"));
        assert_eq!(x.get("b").unwrap().as_str(), Some("2"), "the first merged mapping wins");
        assert_eq!(x.get("c").unwrap().as_str(), Some("3"));
        assert!(x.get("<<").is_none());
        let e = parse("x:\n  <<: 3\n").unwrap_err();
        assert!(e.message.contains("merge key"), "{e}");
        // A quoted `<<` is an ordinary key.
        let docs = parse("\"<<\": 1\n").unwrap();
        assert_eq!(docs[0].root.get("<<").unwrap().as_str(), Some("1"));
    }

    #[test]
    fn duplicate_keys_name_both_lines() {
        let e = parse("ipBlock:\n  cidr: 10.0.0.0/8\n  except: []\n  cidr: 0.0.0.0/0\n").unwrap_err();
        assert_eq!(e.loc.pos, Pos { line: 4, col: 3 });
        assert!(e.message.contains("duplicate key `cidr`: first at line 2, again at line 4"), "{e}");
        assert_eq!(e.code, tusk_core::Code::DuplicateKey);
        // Past the size where the index takes over.
        let mut big: String = (0..40).map(|i| format!("k{i}: v\n")).collect();
        big.push_str("k7: again\n");
        assert!(parse(&big).unwrap_err().message.contains("duplicate key `k7`"));
    }

    #[test]
    fn alias_bomb_is_refused_at_the_alias() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let e = parse(&text).unwrap_err();
        assert_eq!(e.code, tusk_core::Code::Limits, "{e}");
        assert!(e.loc.pos.line >= 5 && e.loc.pos.line <= 10, "{e}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        // The parser refuses deep flow nesting itself; block nesting is ours.
        let text = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(parse(&text).is_err());
        let e = parse(&format!("{}x\n", "- ".repeat(MAX_DEPTH + 1))).unwrap_err();
        assert!(e.message.contains("nesting deeper"), "{e}");
        assert!(parse(&format!("{}x\n", "- ".repeat(100))).is_ok());
    }

    #[test]
    fn invalid_utf8_is_located_at_the_first_bad_byte() {
        let f: Arc<str> = Arc::from("t.yaml");
        let e = decode(&f, b"a: 1\nbb: \xc3\xa9\xff\n".to_vec()).unwrap_err();
        assert_eq!(e.loc.pos, Pos { line: 2, col: 6 }, "{e}");
        assert!(e.message.contains("0xff"), "{e}");
        assert_eq!(decode(&f, b"\xef\xbb\xbfa: 1".to_vec()).unwrap(), "a: 1");
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("a: 1".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode(&f, utf16).unwrap(), "a: 1");
    }

    #[test]
    fn a_defect_in_one_document_does_not_hide_the_next() {
        let mut docs = Vec::new();
        let mut errors = Vec::new();
        let text = "a: 1\na: 2\n---\nb: {<<: 3}\n---\nc: 3\nd: [1\n";
        let r = for_each_document_collecting(
            &Arc::from("t.yaml"),
            text,
            |d| {
                docs.push(d);
                Ok(())
            },
            |e| errors.push(e),
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].loc.pos.line, 2);
        assert_eq!(errors[1].loc.pos.line, 4);
        assert!(r.unwrap_err().message.starts_with("syntax error"));
        assert!(docs.is_empty());
        let text = "a: 1\na: 2\n---\nc: 3\n";
        let r = for_each_document_collecting(
            &Arc::from("t.yaml"),
            text,
            |d| {
                docs.push(d);
                Ok(())
            },
            |_| {},
        );
        assert!(r.is_ok());
        assert_eq!(docs.len(), 1);
    }
}
