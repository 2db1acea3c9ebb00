//! The ARM template expression language: a string `[...]` inside a
//! template is a function call with literal strings (`'it''s'`), integers,
//! nested calls, property access (`.name`) and indexing (`[0]`, `['k']`).
//! A string that starts with `[[` is a literal that starts with `[`.
//! (Microsoft Learn, "Syntax and expressions in ARM templates".)
//!
//! This module only parses; evaluation is `eval`'s job.

use std::rc::Rc;

#[derive(Debug, Clone)]
pub enum Expr {
    Str(Rc<str>),
    Int(i64),
    Bool(bool),
    Null,
    /// A function call; `name` is as written (`ns.fn` for a user-defined one).
    Call(Rc<str>, Vec<Expr>),
    Prop(Box<Expr>, Rc<str>),
    Index(Box<Expr>, Box<Expr>),
}

/// What a template string is: a literal, or an expression to evaluate.
pub enum Parsed {
    Literal(String),
    Expr(Expr),
}

/// Reads a template string. `Err` is a syntax error in the expression.
pub fn parse_template_string(s: &str) -> Result<Parsed, String> {
    if !s.starts_with('[') || !s.ends_with(']') {
        return Ok(Parsed::Literal(s.to_string()));
    }
    if s.starts_with("[[") {
        return Ok(Parsed::Literal(s[1..].to_string()));
    }
    let inner = &s[1..s.len() - 1];
    let mut p = P { s: inner.as_bytes(), i: 0 };
    let e = p.expr()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("unexpected `{}` after the expression", p.rest()));
    }
    Ok(Parsed::Expr(e))
}

/// Is this string an expression (not a literal)?
pub fn is_expression(s: &str) -> bool {
    s.starts_with('[') && !s.starts_with("[[") && s.ends_with(']')
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn rest(&self) -> String {
        String::from_utf8_lossy(&self.s[self.i..self.s.len().min(self.i + 20)]).into_owned()
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected `{}` at `{}`", c as char, self.rest()))
        }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut e = self.primary()?;
        loop {
            match self.peek() {
                Some(b'.') => {
                    self.i += 1;
                    self.ws();
                    let name = self.ident().ok_or_else(|| format!("expected a property name at `{}`", self.rest()))?;
                    e = Expr::Prop(Box::new(e), name.into());
                }
                Some(b'[') => {
                    self.i += 1;
                    let idx = self.expr()?;
                    self.expect(b']')?;
                    e = Expr::Index(Box::new(e), Box::new(idx));
                }
                _ => return Ok(e),
            }
        }
    }

    fn ident(&mut self) -> Option<String> {
        let start = self.i;
        while self.i < self.s.len() && (self.s[self.i].is_ascii_alphanumeric() || matches!(self.s[self.i], b'_' | b'$'))
        {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.peek() {
            None => Err("the expression is empty or ends too soon".into()),
            Some(b'\'') => self.string(),
            Some(c) if c.is_ascii_digit() || c == b'-' => self.int(),
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let mut name = self.ident().unwrap_or_default();
                // A user-defined function is called as `namespace.name(...)`.
                let save = self.i;
                if self.peek() == Some(b'.') {
                    self.i += 1;
                    self.ws();
                    match self.ident() {
                        Some(n) if self.peek() == Some(b'(') => name = format!("{name}.{n}"),
                        _ => self.i = save,
                    }
                }
                if self.peek() != Some(b'(') {
                    return match name.to_ascii_lowercase().as_str() {
                        "true" => Ok(Expr::Bool(true)),
                        "false" => Ok(Expr::Bool(false)),
                        "null" => Ok(Expr::Null),
                        _ => Err(format!("`{name}` is not a function call (missing `(`)")),
                    };
                }
                self.i += 1;
                let mut args = Vec::new();
                if self.peek() == Some(b')') {
                    self.i += 1;
                } else {
                    loop {
                        args.push(self.expr()?);
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b')') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(format!("expected `,` or `)` at `{}`", self.rest())),
                        }
                    }
                }
                Ok(Expr::Call(name.into(), args))
            }
            Some(_) => Err(format!("unexpected `{}`", self.rest())),
        }
    }

    fn string(&mut self) -> Result<Expr, String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.s.get(self.i) {
                None => return Err("a string literal is not closed (missing `'`)".into()),
                Some(b'\'') if self.s.get(self.i + 1) == Some(&b'\'') => {
                    out.push(b'\'');
                    self.i += 2;
                }
                Some(b'\'') => {
                    self.i += 1;
                    break;
                }
                Some(&c) => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
        Ok(Expr::Str(String::from_utf8_lossy(&out).into_owned().into()))
    }

    fn int(&mut self) -> Result<Expr, String> {
        let start = self.i;
        if self.s[self.i] == b'-' {
            self.i += 1;
        }
        while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        let t = String::from_utf8_lossy(&self.s[start..self.i]);
        t.parse().map(Expr::Int).map_err(|_| format!("`{t}` is not an integer"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(s: &str) -> Expr {
        match parse_template_string(s).unwrap() {
            Parsed::Expr(e) => e,
            Parsed::Literal(l) => panic!("literal {l}"),
        }
    }

    #[test]
    fn calls_properties_indexes_and_escapes_parse() {
        let e = expr("[concat(parameters('a')[0].b, 'it''s', -3, ns.f(true))]");
        let Expr::Call(name, args) = e else { panic!() };
        assert_eq!(&*name, "concat");
        assert!(matches!(&args[0], Expr::Prop(inner, p) if &**p == "b" && matches!(**inner, Expr::Index(..))));
        assert!(matches!(&args[1], Expr::Str(s) if &**s == "it's"));
        assert!(matches!(args[2], Expr::Int(-3)));
        assert!(matches!(&args[3], Expr::Call(n, _) if &**n == "ns.f"));
        assert!(matches!(parse_template_string("[[x]").unwrap(), Parsed::Literal(l) if l == "[x]"));
        assert!(matches!(parse_template_string("plain").unwrap(), Parsed::Literal(_)));
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(parse_template_string("[concat('a', ]").is_err());
        assert!(parse_template_string("[concat('a']").is_err());
        assert!(parse_template_string("[foo]").is_err());
    }
}
