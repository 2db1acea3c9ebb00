//! The fast path for JSON: a positioned JSON reader, with the `//` and
//! `/* */` comments and trailing commas that ARM accepts in templates and
//! parameters files (Microsoft Learn, "Understand the structure and syntax
//! of ARM templates": comments), that builds exactly the [`Node`] tree the
//! YAML reader builds for the same text, positions included.
//!
//! It only ever answers for a well-formed document: on anything it does not
//! take (a syntax error, a duplicate key, a nesting deeper than
//! [`MAX_DEPTH`], an escape JSON lacks, a second document) it answers `None`
//! and the caller reads the text with the YAML reader, which gives the
//! located error or accepts the YAML that JSON is not. So every error
//! message stays the YAML reader's, and this module only decides speed.
//! The YAML reader reads JSON at 15-30 MB/s; this one at several hundred
//! (BENCHMARKS.md, "Load speed").
//!
//! Positions follow the YAML reader: 1-based lines; columns count
//! characters, not bytes, from 1; a quoted scalar starts at its quote, a
//! collection at its bracket.

use crate::doc::{Node, Text, Value, MAX_DEPTH};
use std::collections::HashSet;
use tusk_core::Pos;

/// Reads `text` as one JSON document (comments and trailing commas allowed
/// when `comments`); `None` when the text is not such a document, see the
/// module comment.
pub(crate) fn parse(text: &str, comments: bool) -> Option<Node> {
    parse_skipping(text, comments, &[]).map(|(root, _)| root)
}

/// Subtrees a reader may leave out of the tree: each path is a list of
/// mapping keys from the root, `*` standing for any item of a sequence
/// (`["resource_changes", "*", "change", "before"]`).
pub(crate) type SkipPaths = [&'static [&'static str]];

/// Like [`parse`], but a collection (mapping or sequence) found at one of
/// `skip`'s paths is read, checked exactly as any other (syntax, escapes,
/// duplicate keys, depth: the same code runs) and left out: the tree holds
/// an empty collection of the same kind at its position. A scalar at such
/// a path is kept. The flag says whether anything was left out, so that a
/// caller who finds it needed the subtree after all can read the text
/// again with [`parse`]. Leaving out what a loader never reads spares
/// building and freeing it: a Terraform plan carries every resource in
/// `prior_state` and twice in `resource_changes` besides `planned_values`.
pub(crate) fn parse_skipping(text: &str, comments: bool, skip: &SkipPaths) -> Option<(Node, bool)> {
    let mut r = Reader {
        t: text,
        b: text.as_bytes(),
        i: 0,
        line: 1,
        line_start: 0,
        col_at: (0, 0),
        comments,
        depth: 0,
        items: Vec::new(),
        entries: Vec::new(),
        skip,
        path: Vec::new(),
        off: usize::from(skip.is_empty()),
        discard: 0,
        skipped: false,
    };
    r.ws()?;
    let root = r.value()?;
    r.ws()?;
    (r.i == r.b.len()).then_some((root, r.skipped))
}

/// Whether the text's first significant byte opens a JSON collection: only
/// then is the fast path worth trying.
pub(crate) fn looks_like_json(text: &str) -> bool {
    matches!(text.bytes().find(|c| !c.is_ascii_whitespace()), Some(b'{' | b'['))
}

struct Reader<'a> {
    /// The text, for slicing strings out without validating them again.
    t: &'a str,
    b: &'a [u8],
    i: usize,
    line: u32,
    /// Byte offset where the current line starts.
    line_start: usize,
    /// A byte offset on the current line and its 0-based character column,
    /// so that columns are counted incrementally even on a minified line.
    col_at: (usize, u32),
    comments: bool,
    depth: usize,
    /// The items of the sequences being read, innermost last: each
    /// sequence's items go here and leave in one vector of the exact size,
    /// instead of a vector grown (and reallocated) item by item.
    items: Vec<Node>,
    /// The same for the entries of mappings.
    entries: Vec<(Node, Node)>,
    /// The paths of subtrees to leave out (see [`parse_skipping`]).
    skip: &'a SkipPaths,
    /// The keys (`*` for a sequence item) from the root to the current
    /// node while it may still lead to a path of `skip`.
    path: Vec<Text>,
    /// How many levels below the last node that could lead to a skipped
    /// path the reader is (0: on such a path).
    off: usize,
    /// How many levels inside a skipped subtree the reader is (0: building).
    discard: usize,
    /// Whether a subtree was left out.
    skipped: bool,
}

/// The bytes of the eight in `x` (little-endian) that are `"`, `\` or
/// below 0x20 (a control character, a line break among them), the bytes
/// that end the plain run of a JSON string: bit 7 of each such byte is
/// set. Zero exactly when there is none, and the lowest set bit is always
/// the first such byte (a byte above it may be flagged wrongly; the
/// classic "has zero byte" and "has byte less than" word tricks, Sean Eron
/// Anderson's "Bit Twiddling Hacks").
fn string_stops(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let quote = has_zero(x ^ (ONES * u64::from(b'"')));
    let backslash = has_zero(x ^ (ONES * u64::from(b'\\')));
    let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
    quote | backslash | control
}

/// Maps with at least this many entries check duplicates through a hash map.
const INDEXED: usize = 16;

impl Reader<'_> {
    fn pos(&mut self) -> Pos {
        let (from, col) = self.col_at;
        // Characters are the bytes that do not continue a UTF-8 sequence.
        let seg = &self.b[from..self.i];
        let chars = if seg.is_ascii() { seg.len() } else { seg.iter().filter(|&&c| (c & 0xC0) != 0x80).count() };
        let col = col + chars as u32;
        self.col_at = (self.i, col);
        Pos { line: self.line, col: col + 1 }
    }

    fn newline(&mut self) {
        self.line += 1;
        self.line_start = self.i;
        self.col_at = (self.i, 0);
    }

    /// Skips whitespace, and comments when allowed; `None` on a lone `\r`
    /// (a YAML line break the YAML reader should count) or a comment
    /// where none is allowed.
    fn ws(&mut self) -> Option<()> {
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b' ' | b'\t' => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    self.newline();
                }
                b'\r' if self.b.get(self.i + 1) == Some(&b'\n') => self.i += 1,
                b'/' if self.comments => match self.b.get(self.i + 1) {
                    Some(b'/') => {
                        let end = self.b[self.i..].iter().position(|&x| x == b'\n' || x == b'\r');
                        self.i = end.map_or(self.b.len(), |p| self.i + p);
                    }
                    Some(b'*') => {
                        let start = self.i + 2;
                        let end = self.b[start..].windows(2).position(|w| w == b"*/")? + start;
                        for k in start..end {
                            match self.b[k] {
                                b'\n' => {
                                    self.i = k + 1;
                                    self.newline();
                                }
                                b'\r' if self.b.get(k + 1) != Some(&b'\n') => return None,
                                _ => {}
                            }
                        }
                        self.i = end + 2;
                        // A comment's characters still count in the column.
                    }
                    _ => return None,
                },
                _ => return Some(()),
            }
        }
        Some(())
    }

    fn value(&mut self) -> Option<Node> {
        let pos = self.pos();
        match *self.b.get(self.i)? {
            b'{' => self.map(pos),
            b'[' => self.seq(pos),
            b'"' => Some(Node { pos, value: Value::Scalar { text: self.string(self.discard == 0)?, quoted: true } }),
            _ => {
                let start = self.i;
                while self.b.get(self.i).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.')) {
                    self.i += 1;
                }
                let text = self.t.get(start..self.i)?;
                let ok = matches!(text, "true" | "false" | "null") || is_number(text);
                ok.then(|| Node { pos, value: Value::Scalar { text: Text::new(text), quoted: false } })
            }
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        // The YAML reader refuses this depth (or less) with its own error.
        (self.depth < MAX_DEPTH).then_some(())
    }

    fn seq(&mut self, pos: Pos) -> Option<Node> {
        self.enter()?;
        self.i += 1;
        let start = self.items.len();
        let mut n = 0;
        loop {
            self.ws()?;
            match self.b.get(self.i)? {
                b']' => break,
                _ if n > 0 => {
                    self.expect(b',')?;
                    self.ws()?;
                    if self.b.get(self.i) == Some(&b']') && self.comments {
                        break;
                    }
                }
                _ => {}
            }
            let v = self.child("*")?;
            n += 1;
            if self.discard == 0 {
                self.items.push(v);
            }
        }
        self.i += 1;
        self.depth -= 1;
        Some(Node { pos, value: Value::Seq(self.items.drain(start..).collect()) })
    }

    /// The value of the child `key` (`*`: an item) of the current node,
    /// left out if it is a collection at a path of `skip`.
    fn child(&mut self, key: &str) -> Option<Node> {
        if self.off > 0 || self.discard > 0 {
            return self.value();
        }
        self.path.push(Text::new(key));
        let (full, prefix) = self.skip.iter().fold((false, false), |(full, prefix), p| {
            let on = p.len() >= self.path.len() && p.iter().zip(&self.path).all(|(a, b)| *a == b.as_str());
            (full || (on && p.len() == self.path.len()), prefix || (on && p.len() > self.path.len()))
        });
        let v = if full && matches!(self.b.get(self.i), Some(b'{' | b'[')) {
            self.discard += 1;
            let v = self.value();
            self.discard -= 1;
            self.skipped = true;
            // An empty collection of the same kind, where the subtree was.
            v.map(|v| Node {
                pos: v.pos,
                value: match v.value {
                    Value::Map(_) => Value::Map(Vec::new()),
                    _ => Value::Seq(Vec::new()),
                },
            })
        } else if prefix {
            self.value()
        } else {
            self.off += 1;
            let v = self.value();
            self.off -= 1;
            v
        };
        self.path.pop();
        v
    }

    fn map(&mut self, pos: Pos) -> Option<Node> {
        self.enter()?;
        self.i += 1;
        let start = self.entries.len();
        loop {
            self.ws()?;
            match self.b.get(self.i)? {
                b'}' => break,
                _ if self.entries.len() > start => {
                    self.expect(b',')?;
                    self.ws()?;
                    if self.b.get(self.i) == Some(&b'}') && self.comments {
                        break;
                    }
                }
                _ => {}
            }
            if self.b.get(self.i) != Some(&b'"') {
                return None;
            }
            let kpos = self.pos();
            let key = self.string(true)?;
            self.ws()?;
            self.expect(b':')?;
            self.ws()?;
            let v = self.child(&key)?;
            // A duplicate key is an error the YAML reader words and locates.
            if self.entries[start..].iter().any(|(k, _)| matches!(&k.value, Value::Scalar { text, .. } if *text == key))
            {
                return None;
            }
            self.entries.push((Node { pos: kpos, value: Value::Scalar { text: key, quoted: true } }, v));
            if self.entries.len() - start >= INDEXED {
                return self.map_indexed(pos, start);
            }
        }
        self.i += 1;
        self.depth -= 1;
        if self.discard > 0 {
            // Inside a skipped subtree the keys were kept for the duplicate
            // check only.
            self.entries.truncate(start);
            return Some(Node { pos, value: Value::Map(Vec::new()) });
        }
        Some(Node { pos, value: Value::Map(self.entries.drain(start..).collect()) })
    }

    /// The rest of a large mapping, duplicates checked through a set of keys.
    fn map_indexed(&mut self, pos: Pos, start: usize) -> Option<Node> {
        let mut seen: HashSet<Text, foldhash::fast::RandomState> = self.entries[start..]
            .iter()
            .filter_map(|(k, _)| match &k.value {
                Value::Scalar { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect();
        loop {
            self.ws()?;
            match self.b.get(self.i)? {
                b'}' => break,
                _ => {
                    self.expect(b',')?;
                    self.ws()?;
                    if self.b.get(self.i) == Some(&b'}') && self.comments {
                        break;
                    }
                }
            }
            if self.b.get(self.i) != Some(&b'"') {
                return None;
            }
            let kpos = self.pos();
            let key = self.string(true)?;
            self.ws()?;
            self.expect(b':')?;
            self.ws()?;
            let v = self.child(&key)?;
            if !seen.insert(key.clone()) {
                return None;
            }
            self.entries.push((Node { pos: kpos, value: Value::Scalar { text: key, quoted: true } }, v));
        }
        self.i += 1;
        self.depth -= 1;
        if self.discard > 0 {
            // Inside a skipped subtree the keys were kept for the duplicate
            // check only.
            self.entries.truncate(start);
            return Some(Node { pos, value: Value::Map(Vec::new()) });
        }
        Some(Node { pos, value: Value::Map(self.entries.drain(start..).collect()) })
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// A JSON string at `"`, unescaped. Raw control characters (a line
    /// break inside a string among them) are not JSON: `None`. Unless
    /// `keep`, a string without escapes is checked but not made (the empty
    /// text stands for it: inside a skipped subtree).
    fn string(&mut self, keep: bool) -> Option<Text> {
        self.i += 1;
        let start = self.i;
        // Eight bytes at a time up to the first one the byte loop below
        // stops at.
        while let Some(Ok(chunk)) = self.b.get(self.i..self.i + 8).map(<[u8; 8]>::try_from) {
            let stops = string_stops(u64::from_le_bytes(chunk));
            if stops != 0 {
                self.i += (stops.trailing_zeros() / 8) as usize;
                break;
            }
            self.i += 8;
        }
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'"' if !keep => {
                    self.t.get(start..self.i)?;
                    self.i += 1;
                    return Some(Text::default());
                }
                b'"' => {
                    let s = Text::new(self.t.get(start..self.i)?);
                    self.i += 1;
                    return Some(s);
                }
                b'\\' | b'\n' | b'\r' => return self.escaped(start).map(Text::from),
                0..=0x08 | 0x0A..=0x1F => return None,
                _ => self.i += 1,
            }
        }
        None
    }

    /// The slow path of [`Self::string`], from the first backslash on.
    fn escaped(&mut self, start: usize) -> Option<String> {
        let mut out: Vec<u8> = self.b[start..self.i].to_vec();
        loop {
            let c = *self.b.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\n' | b'\r' => self.fold(c, &mut out)?,
                0..=0x08 | 0x0A..=0x1F => return None,
                b'\\' => {
                    let e = *self.b.get(self.i)?;
                    self.i += 1;
                    let ch = match e {
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi) {
                                if self.b.get(self.i..self.i + 2)? != b"\\u" {
                                    return None;
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                char::decode_utf16([hi, lo]).next()?.ok()?
                            } else {
                                char::from_u32(u32::from(hi))?
                            }
                        }
                        other => short_escape(other)?,
                    };
                    out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                }
                _ => out.push(c),
            }
        }
    }

    /// A line break inside a string, which ARM takes (multi-line strings,
    /// Microsoft Learn, "Understand the structure and syntax of ARM
    /// templates") and JSON does not: folded as YAML folds a double-quoted
    /// scalar (YAML 1.2 section 7.3.1), so that both paths agree. Spaces
    /// and tabs around the break go; a break followed by empty lines
    /// becomes those lines' newlines, a lone break one space.
    fn fold(&mut self, c: u8, out: &mut Vec<u8>) -> Option<()> {
        let mut c = c;
        while out.last() == Some(&b' ') {
            out.pop();
        }
        // Tabs beside a break: the YAML reader's folding of them is its own
        // business; let it have the string.
        if out.last() == Some(&b'\t') {
            return None;
        }
        let mut breaks = 0;
        loop {
            match c {
                b'\r' if self.b.get(self.i) == Some(&b'\n') => self.i += 1,
                b'\r' => return None,
                _ => {}
            }
            self.newline();
            breaks += 1;
            while self.b.get(self.i) == Some(&b' ') {
                self.i += 1;
            }
            if self.b.get(self.i) == Some(&b'\t') {
                return None;
            }
            match self.b.get(self.i) {
                Some(&n @ (b'\n' | b'\r')) => {
                    self.i += 1;
                    c = n;
                }
                _ => break,
            }
        }
        if breaks == 1 {
            out.push(b' ');
        } else {
            out.extend(std::iter::repeat_n(b'\n', breaks - 1));
        }
        Some(())
    }

    fn hex4(&mut self) -> Option<u16> {
        let h = std::str::from_utf8(self.b.get(self.i..self.i + 4)?).ok()?;
        self.i += 4;
        u16::from_str_radix(h, 16).ok()
    }
}

/// JSON's number grammar (RFC 8259 section 6): `-? int frac? exp?`.
fn is_number(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let s = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > s
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// The character a one-letter backslash escape stands for, as JSON (RFC
/// 8259, section 7) and YAML's double-quoted style (YAML 1.2, section 5.7)
/// both define it; `None` for any other letter (`\u` is read by the caller).
pub(crate) fn short_escape(e: u8) -> Option<char> {
    Some(match e {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{parse_yaml, Doc};
    use std::sync::Arc;

    /// The YAML reader's tree of one JSON text (comments blanked first, as
    /// the YAML path does), or `None` if it refuses it.
    fn yaml(text: &str) -> Option<Node> {
        let blanked = crate::arm::jsonc::blank(text);
        let mut docs: Vec<Doc> = Vec::new();
        let r = parse_yaml(
            &Arc::from("t.json"),
            &blanked,
            0,
            &mut |d| {
                docs.push(d);
                Ok(())
            },
            &mut |_| false,
        );
        r.ok()?;
        (docs.len() == 1).then(|| docs.pop().map(|d| d.root)).flatten()
    }

    /// The fast path gives the YAML reader's tree, positions included.
    #[track_caller]
    fn same(text: &str) {
        let fast = parse(text, true).unwrap_or_else(|| panic!("fast path refused {text:?}"));
        let slow = yaml(text).unwrap_or_else(|| panic!("YAML reader refused {text:?}"));
        assert_eq!(fast, slow, "{text:?}");
    }

    /// The word test finds the same first stop as a byte-by-byte test,
    /// for every byte value in every position, before and after others.
    #[test]
    fn string_stops_finds_the_first_stop() {
        let naive = |w: [u8; 8]| w.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
        let word = |w: [u8; 8]| {
            let s = string_stops(u64::from_le_bytes(w));
            (s != 0).then(|| (s.trailing_zeros() / 8) as usize)
        };
        for c in 0..=255u8 {
            for at in 0..8 {
                for fill in [b'a', 0xFF, 0x80, b'!', b'#', 0x20, 0x5B, 0x5D, b'"', 0x00, 0x1F] {
                    let mut w = [fill; 8];
                    w[at] = c;
                    assert_eq!(word(w), naive(w), "{w:?}");
                    let mut v = [b'x'; 8];
                    v[at] = c;
                    v[(at + 3) % 8] = fill;
                    assert_eq!(word(v), naive(v), "{v:?}");
                }
            }
        }
    }

    #[test]
    fn trees_and_positions_match_the_yaml_reader() {
        same(r#"{"a": [1, "2", null, true, false, -0.5e+3, {}, []], "b": {"c": "d"}}"#);
        same("{\n  \"name\": \"vnet-hub\",\n  \"properties\": {\n    \"addressSpace\": {\"addressPrefixes\": [\"10.0.0.0/16\"]}\n  }\n}\n");
        same("[\r\n  {\"id\": \"/x\"},\r\n  {\"id\": \"/y\"}\r\n]");
        // Escapes, and columns counted in characters after non-ASCII text.
        same(r#"{"é": "ü\"\\\/\b\f\n\r\t\u00e9", "k": "ß", "n": 1}"#);
        // Multi-line strings (ARM takes them), folded as YAML folds them.
        same("{\"a\": \"[if( and(x,  \n      y),\n\n   z)]\", \"b\": 1}");
        same("{\"a\": \"x \\n \r\n  y\", \"b\": [2]}");
        same("{\"a\": \"日本\", \"b\": [\"x\", 2]}\n{}".split_once('\n').unwrap().0);
        // Comments and trailing commas (ASCII comments: the YAML path blanks bytes).
        same("{\n  // a comment, with \"quotes\"\n  \"a\": 1, /* inline */ \"b\": [1, 2,],\n  /* two\n lines */ \"c\": {\"d\": 3,},\n}\n");
        // A large mapping (the duplicate check through a set).
        let big: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        same(&format!("{{{}}}", big.join(", ")));
    }

    #[test]
    fn refusals_fall_back_to_the_yaml_reader() {
        for t in [
            "{\"a\": 1, \"a\": 2}", // duplicate key: the YAML reader's error
            "{\"a\": 1",            // syntax error
            "{\"a\": [1 2]}",       // missing comma
            "{\"a\": \"x \t\ny\"}", // a tab beside a line break in a string
            "{\"a\": \"\\x41\"}",   // a YAML escape JSON lacks
            "{\"a\": True}",        // YAML's plain scalar
            "{\"a\": 01}",          // not a JSON number
            "{} {}",                // two documents
            "{\"a\": 1}\r{}",       // lone carriage return
            "{a: 1}",               // unquoted key (YAML flow mapping)
            "{\"a\": \"\\ud800\"}", // lone surrogate
        ] {
            assert!(parse(t, true).is_none(), "{t:?}");
        }
        let big: Vec<String> = (0..40).map(|i| format!("\"k{}\": {i}", i % 39)).collect();
        assert!(parse(&format!("{{{}}}", big.join(", ")), true).is_none(), "duplicate past the set's size");
        assert!(parse("{\"a\": 1, // c\n}", false).is_none(), "comments only in .json files");
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(parse(&deep, true).is_none());
        assert!(parse(&format!("{}{}", "[".repeat(100), "]".repeat(100)), true).is_some());
    }

    /// A skipped subtree is checked like any other and leaves an empty
    /// collection; the rest of the tree, positions included, is the full
    /// reading's.
    #[test]
    fn skipped_subtrees_are_checked_and_left_out() {
        const SKIP: &SkipPaths = &[&["p"], &["c", "*", "b"]];
        let text =
            "{\"p\": {\"x\": [1, {\"y\": \"z\"}]}, \"c\": [{\"b\": [1], \"u\": {\"k\": 1}}, {\"b\": null}], \"q\": 2}";
        let (root, skipped) = parse_skipping(text, false, SKIP).unwrap();
        assert!(skipped);
        let full = parse(text, false).unwrap();
        assert_eq!(root.get("p").unwrap().as_map(), Some(&[][..]));
        assert_eq!(root.get("p").unwrap().pos, full.get("p").unwrap().pos);
        let c = root.get("c").unwrap().as_seq().unwrap();
        assert_eq!(c[0].get("b").unwrap().as_seq(), Some(&[][..]));
        assert_eq!(c[0].get("u"), full.get("c").unwrap().as_seq().unwrap()[0].get("u"));
        assert!(c[1].get_entry("b").unwrap().1.is_null(), "a scalar at a skipped path stays");
        assert_eq!(root.get("q"), full.get("q"));
        // Nothing at a skipped path: nothing left out.
        assert_eq!(parse_skipping("{\"q\": {\"p\": [1]}}", false, SKIP).map(|(_, s)| s), Some(false));
        // Defects inside a skipped subtree still refuse the text.
        for bad in ["{\"p\": {\"a\": 1, \"a\": 2}}", "{\"p\": [1 2]}", "{\"p\": [\"\\x41\"]}", "{\"p\": [01]}"] {
            assert!(parse_skipping(bad, false, SKIP).is_none(), "{bad}");
        }
    }

    #[test]
    fn surrogate_pairs_decode() {
        // JSON's escape of a character past U+FFFF (RFC 8259 section 7).
        let n = parse(r#"["\ud83d\ude00"]"#, false).unwrap();
        assert_eq!(n.as_seq().unwrap()[0].as_str(), Some("\u{1F600}"));
    }

    #[test]
    fn number_grammar_is_json_s() {
        for ok in ["0", "-0", "12", "1.5", "1e9", "1E-9", "-3.25e+10"] {
            assert!(is_number(ok), "{ok}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "+1", "0x10", "1.5.2"] {
            assert!(!is_number(bad), "{bad}");
        }
    }

    /// Every JSON file of the shared real-world and fixture folders reads to
    /// the same tree both ways (where the YAML reader takes it).
    #[test]
    fn shared_json_files_read_the_same_both_ways() {
        let mut checked = 0;
        let mut refused = Vec::new();
        for rel in ["realworld", "fixtures"] {
            let Some(dir) = tusk_testkit::shared(rel) else { return };
            let mut stack = vec![dir];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).unwrap().flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.extension().is_some_and(|x| x == "json") {
                        let Ok(text) = std::fs::read_to_string(&p) else { continue };
                        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                        let Some(want) = yaml(text) else { continue };
                        match parse(text, true) {
                            Some(got) => assert!(got == want, "{}: trees differ", p.display()),
                            None => refused.push(p.display().to_string()),
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100, "only {checked} JSON files compared");
        assert!(refused.is_empty(), "{} of {checked} files fell back: {refused:#?}", refused.len());
    }
}
