//! The fast path for block-style YAML: the subset `kubectl get -o yaml`,
//! `helm template` and hand-written manifests use (block mappings and
//! sequences, plain and one-line quoted scalars, literal block scalars,
//! empty `{}` / `[]`, comments, `---` between documents), read line by line
//! into exactly the [`Node`] tree the YAML 1.2 reader (saphyr-parser, in
//! `crate::doc`) builds for the same text, positions included.
//!
//! A file is cut into documents at its `---` lines (YAML 1.2 section 9.1.1:
//! a directives-end marker at the start of a line always ends the document
//! before it, whatever it is inside). Each document this reader does not
//! take — anchors, aliases, merge keys, tags, flow collections that are not
//! empty, folded or multi-line scalars, tabs, duplicate keys, anything
//! malformed — is read by the YAML reader alone, with its line numbers
//! shifted; should that reader find any defect in it, the rest of the file
//! from that document on is read by the YAML reader exactly as before this
//! fast path existed. So every error, its message and its location stay the
//! YAML reader's, and the bounds on aliases and nesting stay where they are:
//! this module only decides speed. A file with `%` directives is read by the
//! YAML reader whole.

mod scalar;

use crate::doc::{parse_yaml, Doc, Node, Text, Value};
use scalar::plain_start;
use std::collections::HashSet;
use std::sync::Arc;
use tusk_core::{LoadError, Pos};

/// Reads a YAML file document by document, the fast path first; see the
/// module comment for when the YAML reader takes over.
pub(crate) fn parse(
    file: &Arc<str>,
    text: &str,
    f: &mut dyn FnMut(Doc) -> Result<(), LoadError>,
    on_error: &mut dyn FnMut(LoadError) -> bool,
) -> Result<(), LoadError> {
    if text.starts_with('%') || text.contains("\n%") {
        return parse_yaml(file, text, 0, f, on_error);
    }
    let mut start = 0;
    let mut line = 1u32;
    while start < text.len() {
        let end = next_marker(text, start);
        match read_document(text, start, end, line) {
            Some((root, next)) => {
                if let Some(root) = root {
                    f(Doc { file: file.clone(), root })?;
                }
                line = next;
            }
            None => {
                let mut docs = Vec::new();
                let mut defect = false;
                let chunk = &text[start..end];
                let r = parse_yaml(
                    file,
                    chunk,
                    line - 1,
                    &mut |d| {
                        docs.push(d);
                        Ok(())
                    },
                    &mut |_| {
                        defect = true;
                        false
                    },
                );
                if r.is_err() || defect {
                    return parse_yaml(file, &text[start..], line - 1, f, on_error);
                }
                for d in docs {
                    f(d)?;
                }
                line += text.as_bytes()[start..end].iter().filter(|&&c| c == b'\n').count() as u32;
            }
        }
        start = end;
    }
    Ok(())
}

/// The start of the next line after `start` that begins with a `---`
/// marker (followed by a space, a tab, a line break or the end), or the
/// end of the text.
fn next_marker(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut from = start;
    while let Some(p) = text[from..].find("\n---") {
        let at = from + p + 1;
        if matches!(b.get(at + 3), None | Some(b' ' | b'\t' | b'\n' | b'\r')) {
            return at;
        }
        from = at;
    }
    text.len()
}

/// Whether the document's bytes are all ones this reader handles: printable
/// ASCII, line feeds (with or without a carriage return before), and UTF-8 outside the characters YAML treats
/// specially (C1 controls and NEL, the line and paragraph separators, the
/// byte-order mark, U+FFFE/U+FFFF). Tabs and carriage returns are left to
/// the YAML reader.
fn plain_bytes(b: &[u8]) -> bool {
    // Checked 32 bytes at a time without an early exit inside a block, so
    // that the compiler can use vector instructions: this scan reads every
    // byte of every YAML file.
    let ascii = |c: u8| (0x20..0x7f).contains(&c) || c == b'\n';
    let mut blocks = b.chunks_exact(32);
    if blocks.by_ref().all(|blk| blk.iter().fold(true, |ok, &c| ok & ascii(c)))
        && blocks.remainder().iter().all(|&c| ascii(c))
    {
        return true;
    }
    b.iter().enumerate().all(|(i, &c)| match c {
        b'\n' | 0x20..=0x7e => true,
        b'\r' => b.get(i + 1) == Some(&b'\n'),
        0..=0x1f | 0x7f => false,
        0xC2 => !matches!(b.get(i + 1), Some(0x80..=0x9F)),
        0xE2 => !(b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xA8 | 0xA9))),
        0xEF => !matches!((b.get(i + 1), b.get(i + 2)), (Some(0xBB), Some(0xBF)) | (Some(0xBF), Some(0xBE | 0xBF))),
        _ => true,
    })
}

/// One document, `text[start..end]`, whose first line is line `line`, and
/// the line at `end`: `Some((None, _))` when it holds no node, `None` when
/// this reader does not take it.
fn read_document(text: &str, start: usize, end: usize, line: u32) -> Option<(Option<Node>, u32)> {
    let b = &text.as_bytes()[..end];
    if !plain_bytes(&b[start..]) {
        return None;
    }
    let (items, entries) = STACKS.take();
    let mut r = Reader { t: text, b, i: start, ls: start, line, nl: start, le: start, depth: 0, items, entries };
    let out = r.document(start);
    r.items.clear();
    r.entries.clear();
    if r.items.capacity() + r.entries.capacity() <= KEEP_STACKS {
        STACKS.set((r.items, r.entries));
    }
    out
}

/// The reader's two collection stacks: sequence items and mapping entries.
type Stacks = (Vec<Node>, Vec<(Node, Node)>);

thread_local! {
    /// The collection stacks of the last document read on this thread,
    /// empty, kept for their capacity: growing them anew for each of
    /// 100,000 small documents cost more than the exact-size vectors saved.
    static STACKS: std::cell::Cell<Stacks> = const { std::cell::Cell::new((Vec::new(), Vec::new())) };
}

/// Stacks larger than this many slots (a document with a very long list)
/// are freed rather than kept.
const KEEP_STACKS: usize = 4096;

/// Deeper nesting than this goes to the YAML reader, which bounds it.
const MAX_FAST_DEPTH: usize = 128;
/// Maps with at least this many entries check duplicates through a set.
const INDEXED: usize = 16;
/// YAML 1.2 limits an implicit key to 1024 characters.
const MAX_KEY: usize = 1024;

/// Where a value sits: a mapping's value (whose sequence may sit at the
/// key's own indentation) or a sequence's item (which may be a compact
/// mapping).
#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    MapValue,
    SeqItem,
}

impl Reader<'_> {
    /// The document from `start`, see [`read_document`].
    fn document(&mut self, start: usize) -> Option<(Option<Node>, u32)> {
        self.start_line(start);
        if self.b[start..].starts_with(b"---") {
            self.i = start + 3;
            self.rest_is_blank()?;
            self.next_line();
        }
        let Some(n) = self.next_content()? else { return Some((None, self.line)) };
        let root = self.block(n)?;
        match self.next_content()? {
            None => Some((Some(root), self.line)),
            Some(_) => None,
        }
    }
}

/// A saved cursor.
#[derive(Clone, Copy)]
struct Mark {
    i: usize,
    ls: usize,
    line: u32,
    nl: usize,
    le: usize,
}

struct Reader<'a> {
    t: &'a str,
    /// The text's bytes up to the end of the document.
    b: &'a [u8],
    /// The cursor.
    i: usize,
    /// Where the cursor's line starts.
    ls: usize,
    /// The cursor's line, from 1.
    line: u32,
    /// The line feed ending the cursor's line, or the document's end.
    nl: usize,
    /// The end of the cursor's line's content (before `\r\n` or `\n`).
    le: usize,
    depth: usize,
    /// The items of the sequences being read, innermost last: each leaves
    /// in one vector of the exact size, not one grown item by item.
    items: Vec<Node>,
    /// The same for the entries of mappings.
    entries: Vec<(Node, Node)>,
}

impl Reader<'_> {
    /// The line feed ending the cursor's line, or the document's end.
    fn nl(&self) -> usize {
        self.nl
    }

    /// The end of the cursor's line's content: its line break (`\r\n` or
    /// `\n`), or the document's end.
    fn le(&self) -> usize {
        self.le
    }

    /// Puts the cursor at `ls`, the start of a line, and finds that line's end.
    fn start_line(&mut self, ls: usize) {
        self.i = ls;
        self.ls = ls;
        self.nl = self.b[ls..].iter().position(|&c| c == b'\n').map_or(self.b.len(), |p| ls + p);
        self.le = if self.nl > ls && self.b[self.nl - 1] == b'\r' { self.nl - 1 } else { self.nl };
    }

    /// The cursor, to come back to.
    fn mark(&self) -> Mark {
        Mark { i: self.i, ls: self.ls, line: self.line, nl: self.nl, le: self.le }
    }

    fn reset(&mut self, m: Mark) {
        Mark { i: self.i, ls: self.ls, line: self.line, nl: self.nl, le: self.le } = m;
    }

    /// Moves the cursor to the start of the next line.
    fn next_line(&mut self) {
        let nl = self.nl();
        if nl < self.b.len() {
            self.line += 1;
        }
        self.start_line((nl + 1).min(self.b.len()));
    }

    /// The position of byte `at` on the cursor's line (columns in characters).
    fn pos(&self, at: usize) -> Pos {
        let col = self.b[self.ls..at].iter().filter(|&&c| (c & 0xC0) != 0x80).count() as u32;
        Pos { line: self.line, col: col + 1 }
    }

    /// Whether the cursor's line from the cursor on holds only spaces and
    /// perhaps a comment (which needs a space before its `#`, unless it
    /// starts the line's content).
    fn rest_is_blank(&self) -> Option<()> {
        let le = self.le();
        let mut j = self.i;
        while j < le && self.b[j] == b' ' {
            j += 1;
        }
        (j == le || (self.b[j] == b'#' && (j == self.ls || self.b[j - 1] == b' '))).then_some(())
    }

    /// Skips blank and comment lines to the next line with content:
    /// `Some(Some(indent))`, `Some(None)` at the document's end, `None` on a
    /// `...` document end marker (left to the YAML reader).
    fn next_content(&mut self) -> Option<Option<usize>> {
        loop {
            self.i = self.ls;
            if self.ls >= self.b.len() {
                return Some(None);
            }
            let le = self.le();
            let mut j = self.ls;
            while j < le && self.b[j] == b' ' {
                j += 1;
            }
            if j < le && self.b[j] != b'#' {
                if self.b[self.ls..le].starts_with(b"...") {
                    return None;
                }
                return Some(Some(j - self.ls));
            }
            if le == self.b.len() {
                // The cursor stays on the last line, so that the end's
                // position is counted on it.
                self.i = le;
                return Some(None);
            }
            self.next_line();
        }
    }

    /// Whether the line at the cursor, indented `n`, starts a sequence item.
    fn is_dash(&self, n: usize) -> bool {
        let at = self.ls + n;
        self.b.get(at) == Some(&b'-') && matches!(self.b.get(at + 1), None | Some(b' ' | b'\n' | b'\r'))
    }

    /// The position of the first token after the dash at `d`.
    fn after_dash(&mut self, d: usize) -> Option<Pos> {
        let le = self.le();
        let j = d + 1 + self.b[d + 1..le].iter().take_while(|&&c| c == b' ').count();
        // An empty first item is left to the YAML reader.
        (j < le && self.b[j] != b'#').then(|| self.pos(j))
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth < MAX_FAST_DEPTH).then_some(())
    }

    /// A block collection whose first line is the cursor's, indented `n`.
    fn block(&mut self, n: usize) -> Option<Node> {
        if self.is_dash(n) {
            return self.seq(n, false);
        }
        self.map(self.ls + n)
    }

    /// A block sequence whose items' dashes are at indentation `n`;
    /// `indentless` when it is a mapping's value at the key's own
    /// indentation, which the YAML reader places at the token after the
    /// first dash instead of at the dash.
    fn seq(&mut self, n: usize, indentless: bool) -> Option<Node> {
        self.enter()?;
        let pos = if indentless { self.after_dash(self.ls + n)? } else { self.pos(self.ls + n) };
        let start = self.items.len();
        loop {
            self.i = self.ls + n + 1;
            let v = self.value(n, Ctx::SeqItem)?;
            self.items.push(v);
            match self.next_content()? {
                Some(m) if m == n && self.is_dash(n) => {}
                Some(m) if m <= n => break,
                None => break,
                Some(_) => return None,
            }
        }
        self.depth -= 1;
        Some(Node { pos, value: Value::Seq(self.items.drain(start..).collect()) })
    }

    /// A block mapping whose first key starts at byte `first` (on the
    /// cursor's line; later keys at the same indentation).
    fn map(&mut self, first: usize) -> Option<Node> {
        self.enter()?;
        let n = first - self.ls;
        let pos = self.pos(first);
        let start = self.entries.len();
        let mut seen: Option<HashSet<Text, foldhash::fast::RandomState>> = None;
        let mut at = first;
        loop {
            let (key, after) = self.key(at)?;
            let Value::Scalar { text, quoted } = &key.value else { return None };
            // A plain `<<` is a merge key: the YAML reader's business.
            if !quoted && text == "<<" {
                return None;
            }
            match &mut seen {
                Some(s) => {
                    if !s.insert(text.clone()) {
                        return None;
                    }
                }
                None => {
                    if self.entries[start..]
                        .iter()
                        .any(|(k, _)| matches!(&k.value, Value::Scalar { text: t, .. } if t == text))
                    {
                        return None;
                    }
                }
            }
            self.i = after;
            let v = self.value(n, Ctx::MapValue)?;
            self.entries.push((key, v));
            if seen.is_none() && self.entries.len() - start >= INDEXED {
                let keys = self.entries[start..].iter().filter_map(|(k, _)| match &k.value {
                    Value::Scalar { text, .. } => Some(text.clone()),
                    _ => None,
                });
                seen = Some(keys.collect());
            }
            match self.next_content()? {
                Some(m) if m == n && !self.is_dash(n) => at = self.ls + n,
                Some(m) if m < n => break,
                None => break,
                Some(_) => return None,
            }
        }
        self.depth -= 1;
        Some(Node { pos, value: Value::Map(self.entries.drain(start..).collect()) })
    }

    /// A key at byte `at` and the byte after its `:`; `None` if the line
    /// holds no simple key.
    fn key(&mut self, at: usize) -> Option<(Node, usize)> {
        let le = self.le();
        let pos = self.pos(at);
        match self.b[at] {
            q @ (b'"' | b'\'') => {
                let (text, close) = self.quoted(at, q)?;
                if self.b.get(close) != Some(&b':')
                    || !matches!(self.b.get(close + 1), None | Some(b' ' | b'\n' | b'\r'))
                {
                    return None;
                }
                Some((Node { pos, value: Value::Scalar { text, quoted: true } }, close + 1))
            }
            _ => {
                let colon = self.key_colon(at, le)?;
                let text = self.t[at..colon].trim_end_matches(' ');
                if text.is_empty() || text.len() > MAX_KEY || !plain_start(&self.b[at..le]) {
                    return None;
                }
                Some((Node { pos, value: Value::Scalar { text: Text::new(text), quoted: false } }, colon + 1))
            }
        }
    }

    /// The first `:` followed by a space or the line's end in a plain
    /// scalar from `at`, before any comment.
    fn key_colon(&self, at: usize, le: usize) -> Option<usize> {
        let mut j = at;
        while j < le {
            match self.b[j] {
                b':' if j + 1 == le || self.b[j + 1] == b' ' => return Some(j),
                b'#' if j > at && self.b[j - 1] == b' ' => return None,
                _ => j += 1,
            }
        }
        None
    }

    /// The value after a key's `:` or an item's `-` (the cursor just past
    /// it), whose parent is indented `n`. Leaves the cursor on the line
    /// after the value.
    fn value(&mut self, n: usize, ctx: Ctx) -> Option<Node> {
        let le = self.le();
        let mut j = self.i;
        while j < le && self.b[j] == b' ' {
            j += 1;
        }
        if j == le || (self.b[j] == b'#' && j > self.i) {
            // The value is on the lines below, or empty; the YAML reader
            // places an empty value at its indicator.
            let indicator = self.pos(self.i - 1);
            self.next_line();
            let save = self.mark();
            return match self.next_content()? {
                Some(m) if m > n => self.block(m),
                Some(m) if m == n && ctx == Ctx::MapValue && self.is_dash(n) => self.seq(n, true),
                // An empty item: the YAML reader's (it places it elsewhere).
                _ if ctx == Ctx::SeqItem => None,
                _ => {
                    self.reset(save);
                    Some(Node { pos: indicator, value: Value::Scalar { text: Text::default(), quoted: false } })
                }
            };
        }
        let pos = self.pos(j);
        match self.b[j] {
            b'|' => self.literal(j, n),
            b'{' | b'[' => {
                let node = self.flow(j, le)?;
                self.rest_is_blank()?;
                self.next_line();
                Some(node)
            }
            q @ (b'"' | b'\'') => {
                if ctx == Ctx::SeqItem && self.quoted_key_follows(j, q) {
                    return self.map(j);
                }
                let (text, close) = self.quoted(j, q)?;
                self.i = close;
                self.rest_is_blank()?;
                self.next_line();
                Some(Node { pos, value: Value::Scalar { text, quoted: true } })
            }
            _ => {
                if self.key_colon(j, le).is_some() {
                    // `- key: value` opens a compact mapping; `a: b: c` is
                    // an error the YAML reader words.
                    return if ctx == Ctx::SeqItem { self.map(j) } else { None };
                }
                if !plain_start(&self.b[j..le]) {
                    return None;
                }
                let mut e = j;
                while e < le && !(self.b[e] == b'#' && self.b[e - 1] == b' ') {
                    e += 1;
                }
                let text = Text::new(self.t[j..e].trim_end_matches(' '));
                self.next_line();
                // A more indented line below would continue the scalar.
                let save = self.mark();
                let more = matches!(self.next_content()?, Some(m) if m > n);
                self.reset(save);
                if more {
                    return None;
                }
                Some(Node { pos, value: Value::Scalar { text, quoted: false } })
            }
        }
    }
}

#[cfg(test)]
mod tests;
