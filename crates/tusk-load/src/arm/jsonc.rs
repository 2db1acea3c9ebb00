//! ARM accepts `//` and `/* */` comments and trailing commas in templates
//! and parameters files (Microsoft Learn, "Understand the structure and
//! syntax of ARM templates": comments); plain JSON readers do not. Before a
//! `.json` file is parsed, comments and trailing commas are replaced by
//! spaces (newlines kept), so that every value keeps its line and column
//! and no comment can ever become data.
//!
//! Text inside strings is never touched; a file without comments or
//! trailing commas is returned as it is, without a copy.

use std::borrow::Cow;

/// The text with comments and trailing commas blanked.
pub fn blank(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    let mut in_str = false;
    // Position of the last comma outside strings and comments, if only
    // whitespace and comments followed it so far.
    let mut pending_comma: Option<usize> = None;
    while i < b.len() {
        let c = b[i];
        if in_str {
            match c {
                b'\\' => i += 1,
                b'"' => in_str = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => {
                in_str = true;
                pending_comma = None;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = b[i..].iter().position(|&x| x == b'\n').map_or(b.len(), |p| i + p);
                let o = out.get_or_insert_with(|| b.to_vec());
                o[i..end].fill(b' ');
                i = end;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = b[i + 2..].windows(2).position(|w| w == b"*/").map_or(b.len(), |p| i + 2 + p + 2);
                let o = out.get_or_insert_with(|| b.to_vec());
                for x in &mut o[i..end] {
                    if *x != b'\n' && *x != b'\r' {
                        *x = b' ';
                    }
                }
                i = end;
                continue;
            }
            b',' => pending_comma = Some(i),
            b']' | b'}' => {
                if let Some(p) = pending_comma.take() {
                    out.get_or_insert_with(|| b.to_vec())[p] = b' ';
                }
            }
            c if c.is_ascii_whitespace() => {}
            _ => pending_comma = None,
        }
        i += 1;
    }
    match out {
        // Only ASCII bytes outside strings were replaced by ASCII spaces,
        // so the text is still UTF-8.
        Some(o) => {
            Cow::Owned(String::from_utf8(o).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
        }
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::blank;

    #[test]
    fn comments_and_trailing_commas_become_spaces_in_place() {
        let t = "{\"a\": [\"x\", // c\n \"y\", /* b\n */ ],\n \"u\": \"http://x/*y*/\",}";
        let out = blank(t);
        assert_eq!(out.len(), t.len());
        assert_eq!(out.matches('\n').count(), t.matches('\n').count());
        assert!(out.contains("\"http://x/*y*/\""), "{out}");
        assert!(!out.contains("//") || out.contains("http://"), "{out}");
        let docs = crate::doc::parse_documents(&std::sync::Arc::from("t.json"), &out).unwrap();
        let a = docs[0].root.get("a").unwrap().as_seq().unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].as_str(), Some("y"));
        assert!(matches!(blank("{\"a\": 1}"), std::borrow::Cow::Borrowed(_)));
    }
}
