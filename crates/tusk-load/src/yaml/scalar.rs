//! The scalars and one-line flow collections of the block-YAML fast path:
//! quoted scalars that close on their line, literal block scalars (`|`,
//! `|-`), flow collections of scalars that close on their line, and where
//! a plain scalar may start. Each answers `None` for what it does not take,
//! and the document goes to the YAML reader (see the parent module).

use super::Reader;
use crate::doc::{Node, Text, Value};

impl Reader<'_> {
    /// Whether a quoted scalar at `j` is a key (followed by `:` and a space
    /// or the line's end).
    pub(super) fn quoted_key_follows(&self, j: usize, q: u8) -> bool {
        let le = self.le();
        let mut k = j + 1;
        while k < le {
            let c = self.b[k];
            if q == b'"' && c == b'\\' {
                k += 2;
                continue;
            }
            if c == q {
                if q == b'\'' && self.b.get(k + 1) == Some(&b'\'') {
                    k += 2;
                    continue;
                }
                return self.b.get(k + 1) == Some(&b':')
                    && matches!(self.b.get(k + 2), None | Some(b' ' | b'\n' | b'\r'));
            }
            k += 1;
        }
        false
    }

    /// A quoted scalar at `j` that closes on its own line: its text and the
    /// byte after the closing quote.
    pub(super) fn quoted(&self, j: usize, q: u8) -> Option<(Text, usize)> {
        let le = self.le();
        let mut out = String::new();
        let mut k = j + 1;
        let mut run = k;
        while k < le {
            let c = self.b[k];
            if c == q {
                if q == b'\'' && self.b.get(k + 1) == Some(&b'\'') {
                    out.push_str(&self.t[run..=k]);
                    k += 2;
                    run = k;
                    continue;
                }
                // Without escapes, the text is the slice itself.
                if run == j + 1 {
                    return Some((Text::new(&self.t[run..k]), k + 1));
                }
                out.push_str(&self.t[run..k]);
                return Some((out.into(), k + 1));
            }
            if q == b'"' && c == b'\\' {
                out.push_str(&self.t[run..k]);
                let ch = match *self.b.get(k + 1)? {
                    b'u' => {
                        let h = self.t.get(k + 2..k + 6)?;
                        let v = u32::from_str_radix(h, 16).ok()?;
                        k += 4;
                        char::from_u32(v)?
                    }
                    other => crate::json::short_escape(other)?,
                };
                out.push(ch);
                k += 2;
                run = k;
                continue;
            }
            k += 1;
        }
        None
    }

    /// A flow collection at `j` that closes on its own line, of scalars
    /// (and, in a sequence, mappings of scalars): `[a, "b"]`, `{k: v}`,
    /// `[{k: v}]`. Leaves the cursor after it. Anything richer (nesting
    /// deeper, empty or trailing entries, plain scalars with indicators) is
    /// the YAML reader's.
    pub(super) fn flow(&mut self, j: usize, le: usize) -> Option<Node> {
        let pos = self.pos(j);
        let map = self.b[j] == b'{';
        let close = if map { b'}' } else { b']' };
        let mut k = j + 1;
        let mut items = Vec::new();
        let mut entries = Vec::new();
        loop {
            while k < le && self.b[k] == b' ' {
                k += 1;
            }
            if k < le && self.b[k] == close && items.is_empty() && entries.is_empty() {
                break;
            }
            if map {
                let (key, after) = self.flow_scalar(k, le, true)?;
                if self.b.get(after) != Some(&b':') || self.b.get(after + 1) != Some(&b' ') {
                    return None;
                }
                let Value::Scalar { text, quoted } = &key.value else { return None };
                // A duplicate (quoted or not) and a merge key are the YAML reader's.
                let dup = entries
                    .iter()
                    .any(|(e, _): &(Node, Node)| matches!(&e.value, Value::Scalar { text: t, .. } if t == text));
                if dup || (!quoted && text == "<<") {
                    return None;
                }
                k = after + 2;
                while k < le && self.b[k] == b' ' {
                    k += 1;
                }
                let (v, after) = self.flow_scalar(k, le, true)?;
                entries.push((key, v));
                k = after;
            } else if self.b.get(k) == Some(&b'{') {
                self.i = k;
                let inner = self.flow(k, le)?;
                items.push(inner);
                k = self.i;
            } else {
                let (v, after) = self.flow_scalar(k, le, false)?;
                items.push(v);
                k = after;
            }
            while k < le && self.b[k] == b' ' {
                k += 1;
            }
            match self.b.get(k) {
                Some(&c) if c == close && k < le => break,
                Some(b',') if k < le => k += 1,
                _ => return None,
            }
        }
        self.i = k + 1;
        let value = if map { Value::Map(entries) } else { Value::Seq(items) };
        Some(Node { pos, value })
    }

    /// A scalar inside a flow collection at `k`: quoted, or plain of
    /// characters that are no indicator (a `:` only in a mapping's key
    /// position, where it ends the key). Returns it and the byte after it,
    /// trailing spaces excluded.
    fn flow_scalar(&self, k: usize, le: usize, in_map: bool) -> Option<(Node, usize)> {
        let pos = self.pos(k);
        match *self.b.get(k)? {
            q @ (b'"' | b'\'') if k < le => {
                let (text, after) = self.quoted(k, q)?;
                Some((Node { pos, value: Value::Scalar { text, quoted: true } }, after))
            }
            _ => {
                if !plain_start(&self.b[k..le]) {
                    return None;
                }
                let mut e = k;
                while e < le {
                    match self.b[e] {
                        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'\'' | b'"' | b'&' | b'*' | b'!' | b'?' => break,
                        b':' if in_map => break,
                        b':' => return None,
                        _ => e += 1,
                    }
                }
                let text = self.t[k..e].trim_end_matches(' ');
                if text.is_empty() {
                    return None;
                }
                let end = k + text.len();
                Some((Node { pos, value: Value::Scalar { text: Text::new(text), quoted: false } }, end))
            }
        }
    }

    /// A literal block scalar (`|` or `|-`) at byte `j`, in a parent
    /// indented `n` (YAML 1.2 section 8.1.2). Its content is indented as its
    /// first non-empty line; trailing empty lines go, and with `|` one line
    /// feed stays.
    pub(super) fn literal(&mut self, j: usize, n: usize) -> Option<Node> {
        let strip = match self.b.get(j + 1) {
            Some(b'-') => true,
            Some(b' ' | b'\n' | b'\r') | None => false,
            _ => return None,
        };
        self.i = j + 1 + usize::from(strip);
        if self.i < self.le() && self.b[self.i] != b' ' {
            return None;
        }
        self.rest_is_blank()?;
        if self.le() == self.b.len() {
            return None;
        }
        self.next_line();
        // Leading empty lines, then the first content line fixes the indentation.
        // The first line fixes the indentation; empty lines above it are
        // left to the YAML reader.
        let m = self.b[self.ls..self.le()].iter().take_while(|&&c| c == b' ').count();
        if m <= n || self.ls + m == self.le() {
            return None;
        }
        // The YAML reader places the scalar at its first content character.
        let pos = self.pos(self.ls + m);
        let mut text = String::new();
        // Empty lines seen since the last content line.
        let mut empties = 0;
        loop {
            let le = self.le();
            let sp = self.b[self.ls..le].iter().take_while(|&&c| c == b' ').count();
            if self.ls + sp == le {
                if sp > m {
                    return None;
                }
                empties += 1;
            } else if sp < m {
                break;
            } else {
                for _ in 0..empties {
                    text.push('\n');
                }
                empties = 0;
                text.push_str(&self.t[self.ls + m..le]);
                text.push('\n');
            }
            if le == self.b.len() {
                if le == self.ls + sp && empties > 0 {
                    // The document's end after empty lines.
                    break;
                }
                // Content up to the document's end without a line feed.
                return None;
            }
            self.next_line();
        }
        if strip {
            text.pop();
        }
        Some(Node { pos, value: Value::Scalar { text: text.into(), quoted: true } })
    }
}

/// Whether a plain scalar may start here in block context (YAML 1.2
/// section 7.3.3): not at an indicator, except `-`, `?` and `:` before a
/// character that is not a space.
pub(super) fn plain_start(s: &[u8]) -> bool {
    match s.first() {
        None => false,
        Some(b'-' | b'?' | b':') => !matches!(s.get(1), None | Some(b' ' | b'\n' | b'\r')),
        Some(
            b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@'
            | b'`',
        ) => false,
        Some(_) => true,
    }
}
