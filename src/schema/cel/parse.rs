//! A parser for the CEL the CRDs' `x-kubernetes-validations` use: CEL's
//! grammar (cel-spec, langdef.md) without map literals, comprehensions
//! written by hand, bytes literals or message construction (no CRD rule
//! uses them). Anything else is a parse error,
//! so a rule we cannot read is never silently passed
//! (`every_bundled_cel_rule_evaluates`).

use std::fmt;

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Double(f64),
    Str(String),
    Ident(String),
    List(Vec<Expr>),
    /// `a.b`
    Select(Box<Expr>, String),
    /// `a[b]`
    Index(Box<Expr>, Box<Expr>),
    /// `f(args)` or `target.f(args)`
    Call(Option<Box<Expr>>, String, Vec<Expr>),
    Unary(Op, Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Not,
    Neg,
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(i64),
    UInt(u64),
    Double(f64),
    Str(String),
    Ident(String),
    Punct(&'static str),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Int(n) => write!(f, "{n}"),
            Tok::UInt(n) => write!(f, "{n}u"),
            Tok::Double(n) => write!(f, "{n}"),
            Tok::Str(s) => write!(f, "{s:?}"),
            Tok::Ident(s) => write!(f, "{s}"),
            Tok::Punct(p) => write!(f, "{p}"),
        }
    }
}

const PUNCT: &[&str] = &[
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "?", ":", "(", ")", "[", "]", ",", ".", "+",
    "-", "*", "/", "%",
];

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let is_double = i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit();
            if is_double {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let n = src[start..i].parse().map_err(|_| "bad number")?;
                out.push(Tok::Double(n));
            } else if i < b.len() && (b[i] == b'u' || b[i] == b'U') {
                let n = src[start..i].parse().map_err(|_| "uint out of range")?;
                out.push(Tok::UInt(n));
                i += 1;
            } else {
                let n = src[start..i].parse().map_err(|_| "int out of range")?;
                out.push(Tok::Int(n));
            }
        } else if c == b'"' || c == b'\'' {
            let (s, next) = string(src, i)?;
            out.push(Tok::Str(s));
            i = next;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Ident(src[start..i].to_string()));
        } else {
            let p = PUNCT
                .iter()
                .find(|p| src[i..].starts_with(**p))
                .ok_or_else(|| format!("unexpected character {:?} at {i}", c as char))?;
            out.push(Tok::Punct(p));
            i += p.len();
        }
    }
    Ok(out)
}

/// A quoted string starting at `start`; its text and the index after it.
fn string(src: &str, start: usize) -> Result<(String, usize), String> {
    let quote = src.as_bytes()[start] as char;
    let mut out = String::new();
    let mut chars = src[start + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => return Ok((out, start + 1 + i + 1)),
            '\\' => match chars.next().map(|(_, e)| e) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(e @ ('\\' | '"' | '\'' | '`' | '?')) => out.push(e),
                other => return Err(format!("unsupported escape \\{other:?} in a string")),
            },
            c => out.push(c),
        }
    }
    Err("unterminated string".into())
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

/// Parses a CEL expression.
pub fn parse(src: &str) -> Result<Expr, String> {
    let mut p = Parser {
        toks: lex(src)?,
        at: 0,
    };
    let e = p.expr()?;
    match p.toks.get(p.at) {
        None => Ok(e),
        Some(t) => Err(format!("unexpected `{t}` after the expression")),
    }
}

impl Parser {
    fn peek(&self, punct: &str) -> bool {
        matches!(self.toks.get(self.at), Some(Tok::Punct(p)) if *p == punct)
    }

    fn eat(&mut self, punct: &str) -> bool {
        let yes = self.peek(punct);
        self.at += usize::from(yes);
        yes
    }

    fn expect(&mut self, punct: &str) -> Result<(), String> {
        if self.eat(punct) {
            return Ok(());
        }
        match self.toks.get(self.at) {
            Some(t) => Err(format!("expected `{punct}`, found `{t}`")),
            None => Err(format!("expected `{punct}` at the end")),
        }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let c = self.binary(0)?;
        if !self.eat("?") {
            return Ok(c);
        }
        let then = self.binary(0)?;
        self.expect(":")?;
        let otherwise = self.expr()?;
        Ok(Expr::Cond(Box::new(c), Box::new(then), Box::new(otherwise)))
    }

    /// Binary operators by precedence level, loosest first.
    fn binary(&mut self, level: usize) -> Result<Expr, String> {
        const LEVELS: &[&[(&str, Op)]] = &[
            &[("||", Op::Or)],
            &[("&&", Op::And)],
            &[
                ("==", Op::Eq),
                ("!=", Op::Ne),
                ("<=", Op::Le),
                (">=", Op::Ge),
                ("<", Op::Lt),
                (">", Op::Gt),
            ],
            &[("+", Op::Add), ("-", Op::Sub)],
            &[("*", Op::Mul), ("/", Op::Div), ("%", Op::Rem)],
        ];
        let Some(ops) = LEVELS.get(level) else {
            return self.unary();
        };
        let mut left = self.binary(level + 1)?;
        loop {
            let found = ops.iter().find(|(p, _)| self.peek(p)).map(|(_, op)| *op);
            let op = match found {
                Some(op) => {
                    self.at += 1;
                    op
                }
                // `in` is a relation, at the level of `==`.
                None if level == 2
                    && matches!(self.toks.get(self.at), Some(Tok::Ident(i)) if i == "in") =>
                {
                    self.at += 1;
                    Op::In
                }
                None => return Ok(left),
            };
            let right = self.binary(level + 1)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat("!") {
            return Ok(Expr::Unary(Op::Not, Box::new(self.unary()?)));
        }
        if self.eat("-") {
            return Ok(match self.unary()? {
                Expr::Int(n) => Expr::Int(-n),
                Expr::Double(n) => Expr::Double(-n),
                e => Expr::Unary(Op::Neg, Box::new(e)),
            });
        }
        self.member()
    }

    fn member(&mut self) -> Result<Expr, String> {
        let mut e = self.primary()?;
        loop {
            if self.eat(".") {
                let name = self.ident()?;
                if self.eat("(") {
                    let args = self.list(")")?;
                    e = Expr::Call(Some(Box::new(e)), name, args);
                } else {
                    e = Expr::Select(Box::new(e), name);
                }
            } else if self.eat("[") {
                let index = self.expr()?;
                self.expect("]")?;
                e = Expr::Index(Box::new(e), Box::new(index));
            } else {
                return Ok(e);
            }
        }
    }

    fn ident(&mut self) -> Result<String, String> {
        match self.toks.get(self.at).cloned() {
            Some(Tok::Ident(name)) => {
                self.at += 1;
                Ok(name)
            }
            Some(t) => Err(format!("expected a name, found `{t}`")),
            None => Err("expected a name at the end".into()),
        }
    }

    /// Comma-separated expressions up to `close` (consumed).
    fn list(&mut self, close: &str) -> Result<Vec<Expr>, String> {
        let mut items = Vec::new();
        while !self.eat(close) {
            if !items.is_empty() {
                self.expect(",")?;
                if self.eat(close) {
                    break;
                }
            }
            items.push(self.expr()?);
        }
        Ok(items)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let Some(tok) = self.toks.get(self.at).cloned() else {
            return Err("unexpected end of the rule".into());
        };
        self.at += 1;
        Ok(match tok {
            Tok::Int(n) => Expr::Int(n),
            Tok::UInt(n) => Expr::UInt(n),
            Tok::Double(n) => Expr::Double(n),
            Tok::Str(s) => Expr::Str(s),
            Tok::Ident(name) => match name.as_str() {
                "true" => Expr::Bool(true),
                "false" => Expr::Bool(false),
                "null" => Expr::Null,
                _ if self.eat("(") => Expr::Call(None, name, self.list(")")?),
                _ => Expr::Ident(name),
            },
            Tok::Punct("(") => {
                let e = self.expr()?;
                self.expect(")")?;
                e
            }
            Tok::Punct("[") => Expr::List(self.list("]")?),
            t => return Err(format!("unexpected `{t}`")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_ternary() {
        let e = parse("a || b && !c ? 1 : 2").unwrap();
        let Expr::Cond(c, _, _) = e else {
            panic!("{e:?}")
        };
        assert!(matches!(*c, Expr::Binary(Op::Or, _, _)));
        let e = parse("(has(self.a) ? 1 : 0) + (has(self.b) ? 1 : 0) <= 1").unwrap();
        assert!(matches!(e, Expr::Binary(Op::Le, _, _)), "{e:?}");
        let e = parse(r#"self in ["", "HTTP"]"#).unwrap();
        assert!(matches!(e, Expr::Binary(Op::In, _, _)), "{e:?}");
    }

    #[test]
    fn strings_and_errors() {
        assert_eq!(parse(r#"'a\'b'"#).unwrap(), Expr::Str("a'b".into()));
        assert_eq!(parse(r#""^a$""#).unwrap(), Expr::Str("^a$".into()));
        assert!(parse("self.").is_err());
        assert!(parse("a b").is_err());
        assert!(parse("'open").is_err());
        assert!(parse("a ? b").is_err());
        assert!(parse("{'a': 1}").is_err());
    }
}
