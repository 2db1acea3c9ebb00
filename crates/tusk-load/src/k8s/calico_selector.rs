//! Calico's selector language, parsed into [`Sel`] with the byte offset of
//! the first defect, so the loader can point at the column inside the
//! string. The grammar follows libcalico-go (`lib/selector/tokenizer` and
//! `lib/selector/parser`; Calico docs, "NetworkPolicy", "Selectors"):
//!
//! ```text
//! or   := and ( "||" and )*
//! and  := op ( "&&" op )*
//! op   := "!"* ( "has(" label ")" | "all()" | "global()" | "(" or ")"
//!             | label ( "==" | "!=" | "contains" | "starts with" | "ends with" ) string
//!             | label ( "in" | "not in" ) "{" [ string ( "," string )* ] "}" )
//! ```
//!
//! Labels are runs of `[A-Za-z0-9_./-]` (at most 512), strings are quoted
//! with `"` or `'` without escapes, whitespace is spaces and tabs. The empty
//! selector is `all()`. This file decides nothing about what a selector
//! selects; it only reads it.

use tusk_model::calico::Sel;

/// A defect in a selector: the byte offset it was found at, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError {
    /// Byte offset into the selector where the defect was found.
    pub offset: usize,
    /// What is wrong there, in words.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Label(String),
    Str(String),
    LBrace,
    RBrace,
    Comma,
    Eq,
    Ne,
    In,
    Not,
    NotIn,
    Contains,
    StartsWith,
    EndsWith,
    All,
    Global,
    Has(String),
    LParen,
    RParen,
    And,
    Or,
    Eof,
}

const MAX_LABEL: usize = 512;

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b'-')
}

fn err(offset: usize, message: impl Into<String>) -> SelectorError {
    SelectorError { offset, message: message.into() }
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && (s[i] == b' ' || s[i] == b'\t') {
        i += 1;
    }
    i
}

/// A label starting at `i`: (label, end).
fn ident(src: &str, i: usize) -> Result<(String, usize), SelectorError> {
    let s = src.as_bytes();
    let mut j = i;
    while j < s.len() && ident_char(s[j]) {
        j += 1;
    }
    if j == i {
        return Err(err(i, "expected a label name"));
    }
    if j - i > MAX_LABEL {
        return Err(err(i, format!("label name longer than {MAX_LABEL} characters")));
    }
    Ok((src[i..j].to_string(), j))
}

/// `words` (separated by whitespace) at `i`, ending on a word boundary.
fn keyword(s: &[u8], i: usize, words: &[&str]) -> Option<usize> {
    let mut j = i;
    for (n, w) in words.iter().enumerate() {
        if n > 0 {
            j = skip_ws(s, j);
        }
        if !s[j..].starts_with(w.as_bytes()) {
            return None;
        }
        j += w.len();
    }
    (j >= s.len() || !ident_char(s[j])).then_some(j)
}

fn tokenize(src: &str) -> Result<Vec<(Tok, usize)>, SelectorError> {
    let s = src.as_bytes();
    let mut out: Vec<(Tok, usize)> = Vec::new();
    let mut i = 0;
    loop {
        i = skip_ws(s, i);
        if i >= s.len() {
            out.push((Tok::Eof, i));
            return Ok(out);
        }
        let start = i;
        let after_label = matches!(out.last(), Some((Tok::Label(_), _)));
        let tok = match s[i] {
            b'(' => {
                i += 1;
                Tok::LParen
            }
            b')' => {
                i += 1;
                Tok::RParen
            }
            b'{' => {
                i += 1;
                Tok::LBrace
            }
            b'}' => {
                i += 1;
                Tok::RBrace
            }
            b',' => {
                i += 1;
                Tok::Comma
            }
            q @ (b'"' | b'\'') => {
                let close = s[i + 1..].iter().position(|&c| c == q).ok_or_else(|| err(i, "unterminated string"))?;
                let v = src[i + 1..i + 1 + close].to_string();
                i += close + 2;
                Tok::Str(v)
            }
            b'=' if s[i..].starts_with(b"==") => {
                i += 2;
                Tok::Eq
            }
            b'=' => return Err(err(i, "expected `==`")),
            b'!' if s[i..].starts_with(b"!=") => {
                i += 2;
                Tok::Ne
            }
            b'!' => {
                i += 1;
                Tok::Not
            }
            b'&' if s[i..].starts_with(b"&&") => {
                i += 2;
                Tok::And
            }
            b'&' => return Err(err(i, "expected `&&`")),
            b'|' if s[i..].starts_with(b"||") => {
                i += 2;
                Tok::Or
            }
            b'|' => return Err(err(i, "expected `||`")),
            _ if after_label => {
                let ops: [(&[&str], Tok); 5] = [
                    (&["contains"], Tok::Contains),
                    (&["starts", "with"], Tok::StartsWith),
                    (&["ends", "with"], Tok::EndsWith),
                    (&["not", "in"], Tok::NotIn),
                    (&["in"], Tok::In),
                ];
                let Some((j, t)) = ops.into_iter().find_map(|(w, t)| keyword(s, i, w).map(|j| (j, t))) else {
                    let label = match out.last() {
                        Some((Tok::Label(l), _)) => l.clone(),
                        _ => String::new(),
                    };
                    return Err(err(i, format!("expected an operator after label `{label}`")));
                };
                i = j;
                t
            }
            _ if s[i..].starts_with(b"has(") => {
                let j = skip_ws(s, i + 4);
                let (label, j) = ident(src, j)?;
                let j = skip_ws(s, j);
                if s.get(j) != Some(&b')') {
                    return Err(err(j, "no closing `)` after `has(`"));
                }
                i = j + 1;
                Tok::Has(label)
            }
            _ if s[i..].starts_with(b"all(") || s[i..].starts_with(b"global(") => {
                let global = s[i] == b'g';
                let j = skip_ws(s, i + if global { 7 } else { 4 });
                if s.get(j) != Some(&b')') {
                    return Err(err(j, format!("no closing `)` after `{}(`", if global { "global" } else { "all" })));
                }
                i = j + 1;
                if global {
                    Tok::Global
                } else {
                    Tok::All
                }
            }
            _ => {
                let (label, j) = ident(src, i)?;
                i = j;
                Tok::Label(label)
            }
        };
        out.push((tok, start));
    }
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.at].0
    }

    fn offset(&self) -> usize {
        self.toks[self.at].1
    }

    fn next(&mut self) -> Tok {
        let t = self.toks[self.at].0.clone();
        if t != Tok::Eof {
            self.at += 1;
        }
        t
    }

    fn or(&mut self) -> Result<Sel, SelectorError> {
        let mut e = self.and()?;
        while *self.peek() == Tok::Or {
            self.next();
            e = Sel::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Sel, SelectorError> {
        let mut e = self.op()?;
        while *self.peek() == Tok::And {
            self.next();
            e = Sel::And(Box::new(e), Box::new(self.op()?));
        }
        Ok(e)
    }

    fn string(&mut self) -> Result<String, SelectorError> {
        let at = self.offset();
        match self.next() {
            Tok::Str(s) => Ok(s),
            _ => Err(err(at, "expected a quoted string")),
        }
    }

    fn op(&mut self) -> Result<Sel, SelectorError> {
        let mut negated = false;
        while *self.peek() == Tok::Not {
            self.next();
            negated = !negated;
        }
        let at = self.offset();
        let e = match self.next() {
            Tok::Has(k) => Sel::Has(k),
            Tok::All => Sel::All,
            Tok::Global => Sel::Global,
            Tok::LParen => {
                let e = self.or()?;
                let at = self.offset();
                if self.next() != Tok::RParen {
                    return Err(err(at, "expected `)`"));
                }
                e
            }
            Tok::Label(k) => {
                let op_at = self.offset();
                match self.next() {
                    Tok::Eq => Sel::Eq(k, self.string()?),
                    Tok::Ne => Sel::Ne(k, self.string()?),
                    Tok::Contains => Sel::Contains(k, self.string()?),
                    Tok::StartsWith => Sel::StartsWith(k, self.string()?),
                    Tok::EndsWith => Sel::EndsWith(k, self.string()?),
                    t @ (Tok::In | Tok::NotIn) => {
                        let at = self.offset();
                        if self.next() != Tok::LBrace {
                            return Err(err(at, "expected a set literal `{...}`"));
                        }
                        let mut values = Vec::new();
                        while let Tok::Str(v) = self.peek().clone() {
                            self.next();
                            values.push(v);
                            if *self.peek() != Tok::Comma {
                                break;
                            }
                            self.next();
                        }
                        let at = self.offset();
                        if self.next() != Tok::RBrace {
                            return Err(err(at, "expected `}`"));
                        }
                        values.sort();
                        values.dedup();
                        if t == Tok::In {
                            Sel::In(k, values)
                        } else {
                            Sel::NotIn(k, values)
                        }
                    }
                    Tok::Eof => return Err(err(op_at, "unexpected end of selector looking for an operator")),
                    _ => {
                        return Err(err(
                            op_at,
                            "expected `==`, `!=`, `in`, `not in`, `contains`, `starts with` or `ends with`",
                        ))
                    }
                }
            }
            Tok::Eof => return Err(err(at, "unexpected end of selector")),
            _ => return Err(err(at, "unexpected token")),
        };
        Ok(if negated { Sel::Not(Box::new(e)) } else { e })
    }
}

/// Parses a selector; the empty (or all-blank) selector is `all()`.
pub fn parse(src: &str) -> Result<Sel, SelectorError> {
    let toks = tokenize(src)?;
    if toks[0].0 == Tok::Eof {
        return Ok(Sel::All);
    }
    let mut p = Parser { toks, at: 0 };
    let e = p.or()?;
    if *p.peek() != Tok::Eof {
        return Err(err(p.offset(), "unexpected content at end of selector"));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Sel {
        parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    #[test]
    fn operators_and_precedence() {
        let l = |k: &str, v: &str| tusk_model::k8s::Labels::from([(k.to_string(), v.to_string())]);
        assert!(ok("a == 'x' || b == 'y' && c == 'z'").matches(&l("a", "x")));
        assert!(!ok("(a == 'x' || b == 'y') && c == 'z'").matches(&l("a", "x")));
        assert!(ok("a != 'x'").matches(&l("b", "x")), "!= holds when the label is absent");
        assert!(ok("a not in {'x'}").matches(&l("b", "x")));
        assert!(!ok("a in {}").matches(&l("a", "x")));
        assert!(ok("!has(a)").matches(&l("b", "x")));
        assert!(ok("!!has(a)").matches(&l("a", "")));
        assert!(ok("a starts with 'fr' && a ends with 'nd' && a contains 'ont'").matches(&l("a", "frontend")));
        assert!(ok("a   not   in {\"y\",'z',}").matches(&l("a", "x")), "a trailing comma is accepted");
        assert_eq!(ok(""), Sel::All);
        assert_eq!(ok(" all( ) "), Sel::All);
        assert_eq!(ok("global()"), Sel::Global);
        assert!(
            ok("projectcalico.org/namespace == 'default'").matches(&l(tusk_model::calico::NAMESPACE_LABEL, "default"))
        );
    }

    #[test]
    fn defects_are_located() {
        let at = |s: &str| parse(s).unwrap_err().offset;
        assert_eq!(at("a = 'x'"), 2);
        assert_eq!(at("a == x"), 5);
        assert_eq!(at("a == 'x"), 5);
        assert_eq!(at("has(a"), 5);
        assert_eq!(at("a == 'x' &&"), 11);
        assert_eq!(at("a == 'x')"), 8);
        assert_eq!(at("a in 'x'"), 5);
        assert_eq!(at("a foo 'x'"), 2);
        assert_eq!(at("(a == 'x'"), 9);
        assert_eq!(at("a == 'x' & b == 'y'"), 9);
    }

    #[test]
    fn keywords_need_a_word_boundary() {
        // `inx` is not `in`: after a label, only operators may follow.
        assert!(parse("a inx {'x'}").is_err());
        assert!(parse("has(a) in {'x'}").is_err());
    }
}
