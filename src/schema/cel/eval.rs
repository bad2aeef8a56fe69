//! Evaluates a parsed rule on a JSON value, with CEL's runtime semantics
//! (cel-spec, langdef.md): errors are values that `&&`, `||` and the
//! `all`/`exists` macros absorb when the other side decides; numbers of
//! different types compare by value; strings index and measure in code
//! points; `matches` is RE2 (the `regex` crate's syntax); `duration()` is
//! Go's `time.ParseDuration`, as in cel-go.

use std::borrow::Cow;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;

use regex::Regex;
use serde_json::{Map, Value as Json};

use super::parse::{Expr, Op};
use crate::duration;

/// A runtime value: borrowed from the instance where it can be.
#[derive(Debug, Clone)]
pub enum V<'a> {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Double(f64),
    Str(Cow<'a, str>),
    /// A list from the instance.
    JsonList(&'a [Json]),
    /// A list literal.
    List(Vec<V<'a>>),
    Map(&'a Map<String, Json>),
    /// Nanoseconds.
    Duration(i128),
}

type R<'a> = Result<V<'a>, String>;

impl<'a> V<'a> {
    pub fn from_json(v: &'a Json) -> V<'a> {
        match v {
            Json::Null => V::Null,
            Json::Bool(b) => V::Bool(*b),
            Json::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => V::Int(i),
                (None, Some(u)) => V::UInt(u),
                _ => V::Double(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => V::Str(Cow::Borrowed(s)),
            Json::Array(items) => V::JsonList(items),
            Json::Object(m) => V::Map(m),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            V::Null => "null_type",
            V::Bool(_) => "bool",
            V::Int(_) => "int",
            V::UInt(_) => "uint",
            V::Double(_) => "double",
            V::Str(_) => "string",
            V::JsonList(_) | V::List(_) => "list",
            V::Map(_) => "map",
            V::Duration(_) => "google.protobuf.Duration",
        }
    }

    fn is_list(&self) -> bool {
        matches!(self, V::JsonList(_) | V::List(_))
    }

    fn items(&self) -> Option<Vec<V<'a>>> {
        match self {
            V::JsonList(items) => Some(items.iter().map(V::from_json).collect()),
            V::List(items) => Some(items.clone()),
            _ => None,
        }
    }
}

/// Evaluates `e` with the variables in scope (`self`, then the macros'
/// loop variables, innermost last).
pub fn eval<'e: 'a, 'a>(e: &'e Expr, vars: &mut Vec<(&'e str, V<'a>)>) -> R<'a> {
    match e {
        Expr::Null => Ok(V::Null),
        Expr::Bool(b) => Ok(V::Bool(*b)),
        Expr::Int(n) => Ok(V::Int(*n)),
        Expr::UInt(n) => Ok(V::UInt(*n)),
        Expr::Double(n) => Ok(V::Double(*n)),
        Expr::Str(s) => Ok(V::Str(Cow::Borrowed(s))),
        Expr::Ident(name) => vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("undeclared reference to '{name}'")),
        Expr::List(items) => Ok(V::List(
            items
                .iter()
                .map(|i| eval(i, vars))
                .collect::<Result<_, _>>()?,
        )),
        Expr::Select(target, field) => match eval(target, vars)? {
            V::Map(m) => m
                .get(field)
                .map(V::from_json)
                .ok_or_else(|| format!("no such key: {field}")),
            other => Err(format!("no such field '{field}' on {}", other.type_name())),
        },
        Expr::Index(target, index) => {
            let (t, i) = (eval(target, vars)?, eval(index, vars)?);
            match (&t, &i) {
                (V::Map(m), V::Str(k)) => m
                    .get(k.as_ref())
                    .map(V::from_json)
                    .ok_or_else(|| format!("no such key: {k}")),
                (_, V::Int(n)) => {
                    let items = t.items().ok_or("index of a non-list")?;
                    usize::try_from(*n)
                        .ok()
                        .and_then(|n| items.get(n).cloned())
                        .ok_or_else(|| format!("index out of range: {n}"))
                }
                _ => Err("no such overload: _[_]".into()),
            }
        }
        Expr::Unary(op, x) => match (op, eval(x, vars)?) {
            (Op::Not, V::Bool(b)) => Ok(V::Bool(!b)),
            (Op::Neg, V::Int(n)) => n.checked_neg().map(V::Int).ok_or("int overflow".into()),
            (Op::Neg, V::Double(n)) => Ok(V::Double(-n)),
            (_, v) => Err(format!("no such overload: {op:?} on {}", v.type_name())),
        },
        Expr::Binary(Op::And, a, b) => logic(false, eval(a, vars), || eval(b, vars)),
        Expr::Binary(Op::Or, a, b) => logic(true, eval(a, vars), || eval(b, vars)),
        Expr::Binary(op, a, b) => {
            let (a, b) = (eval(a, vars)?, eval(b, vars)?);
            binary(*op, a, b)
        }
        Expr::Cond(c, then, otherwise) => match eval(c, vars)? {
            V::Bool(true) => eval(then, vars),
            V::Bool(false) => eval(otherwise, vars),
            v => Err(format!("a condition must be a bool, not {}", v.type_name())),
        },
        Expr::Call(None, name, args) if name == "has" => has(args, vars),
        Expr::Call(Some(target), name, args)
            if matches!(name.as_str(), "all" | "exists" | "exists_one") =>
        {
            comprehension(name, target, args, vars)
        }
        Expr::Call(target, name, args) => {
            let mut values = Vec::with_capacity(args.len() + 1);
            if let Some(t) = target {
                values.push(eval(t, vars)?);
            }
            for a in args {
                values.push(eval(a, vars)?);
            }
            call(name, target.is_some(), values)
        }
    }
}

/// `&&` (`decides` false) and `||` (`decides` true), commutative over
/// errors: `false && error` and `error && false` are both false.
fn logic<'a>(decides: bool, a: R<'a>, b: impl FnOnce() -> R<'a>) -> R<'a> {
    let is = |r: &R, want: bool| matches!(r, Ok(V::Bool(x)) if *x == want);
    if is(&a, decides) {
        return Ok(V::Bool(decides));
    }
    let b = b();
    if is(&b, decides) {
        return Ok(V::Bool(decides));
    }
    match (a?, b?) {
        (V::Bool(_), V::Bool(_)) => Ok(V::Bool(!decides)),
        (x, y) => Err(format!(
            "no such overload: {} {} {}",
            x.type_name(),
            if decides { "||" } else { "&&" },
            y.type_name()
        )),
    }
}

fn has<'e: 'a, 'a>(args: &'e [Expr], vars: &mut Vec<(&'e str, V<'a>)>) -> R<'a> {
    let [Expr::Select(target, field)] = args else {
        return Err("has() needs a field selection".into());
    };
    match eval(target, vars)? {
        V::Map(m) => Ok(V::Bool(m.contains_key(field))),
        v => Err(format!("has() on {}", v.type_name())),
    }
}

/// `all`, `exists`, `exists_one` over a list's items or a map's keys.
fn comprehension<'e: 'a, 'a>(
    name: &str,
    target: &'e Expr,
    args: &'e [Expr],
    vars: &mut Vec<(&'e str, V<'a>)>,
) -> R<'a> {
    let [Expr::Ident(var), predicate] = args else {
        return Err(format!("{name}() needs a variable and a predicate"));
    };
    let range: Vec<V<'a>> = match eval(target, vars)? {
        V::Map(m) => m
            .keys()
            .map(|k| V::Str(Cow::Borrowed(k.as_str())))
            .collect(),
        v => v
            .items()
            .ok_or_else(|| format!("{name}() over {}", v.type_name()))?,
    };
    let (mut trues, mut falses, mut error) = (0usize, 0usize, None);
    for item in range {
        vars.push((var.as_str(), item));
        let r = eval(predicate, vars);
        vars.pop();
        match r {
            Ok(V::Bool(true)) => trues += 1,
            Ok(V::Bool(false)) => falses += 1,
            Ok(v) => return Err(format!("{name}() predicate gave {}", v.type_name())),
            Err(e) => {
                if name == "exists_one" {
                    return Err(e);
                }
                error.get_or_insert(e);
            }
        }
    }
    let decided = match name {
        "all" if falses > 0 => Some(false),
        "exists" if trues > 0 => Some(true),
        "exists_one" => Some(trues == 1),
        _ => None,
    };
    match (decided, error) {
        (Some(b), _) => Ok(V::Bool(b)),
        (None, Some(e)) => Err(e),
        (None, None) => Ok(V::Bool(name == "all")),
    }
}

fn call<'a>(name: &str, member: bool, args: Vec<V<'a>>) -> R<'a> {
    let overload = || {
        let types: Vec<&str> = args.iter().map(V::type_name).collect();
        format!("no such overload: {name}({})", types.join(", "))
    };
    Ok(match (name, member, args.as_slice()) {
        ("size", _, [V::Str(s)]) => V::Int(s.chars().count() as i64),
        ("size", _, [V::List(l)]) => V::Int(l.len() as i64),
        ("size", _, [V::JsonList(l)]) => V::Int(l.len() as i64),
        ("size", _, [V::Map(m)]) => V::Int(m.len() as i64),
        ("contains", true, [V::Str(s), V::Str(x)]) => V::Bool(s.contains(x.as_ref())),
        ("startsWith", true, [V::Str(s), V::Str(x)]) => V::Bool(s.starts_with(x.as_ref())),
        ("endsWith", true, [V::Str(s), V::Str(x)]) => V::Bool(s.ends_with(x.as_ref())),
        ("matches", _, [V::Str(s), V::Str(re)]) => V::Bool(regex(re)?.is_match(s)),
        ("substring", true, [V::Str(s), V::Int(start), rest @ ..]) => {
            let end = match rest {
                [] => None,
                [V::Int(end)] => Some(*end),
                _ => return Err(overload()),
            };
            V::Str(Cow::Owned(substring(s, *start, end)?))
        }
        ("duration", false, [V::Str(s)]) => V::Duration(duration::parse(s)?),
        _ => return Err(overload()),
    })
}

/// cel-go's `substring`: code point indices, an error when out of range.
fn substring(s: &str, start: i64, end: Option<i64>) -> Result<String, String> {
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len() as i64;
    let end = end.unwrap_or(len);
    if start < 0 || start > len {
        return Err(format!("index out of range: {start}"));
    }
    if end < 0 || end > len {
        return Err(format!("index out of range: {end}"));
    }
    if start > end {
        return Err(format!(
            "invalid substring range. start: {start}, end: {end}"
        ));
    }
    Ok(chars[start as usize..end as usize].iter().collect())
}

/// Compiled patterns, per thread (a rule's pattern is one literal).
fn regex(pattern: &str) -> Result<Regex, String> {
    thread_local! {
        static CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
    }
    CACHE.with(|c| {
        if let Some(re) = c.borrow().get(pattern) {
            return Ok(re.clone());
        }
        let re = Regex::new(pattern).map_err(|e| e.to_string())?;
        c.borrow_mut().insert(pattern.to_string(), re.clone());
        Ok(re)
    })
}

fn binary<'a>(op: Op, a: V<'a>, b: V<'a>) -> R<'a> {
    let overload = |a: &V, b: &V| {
        format!(
            "no such overload: {} {op:?} {}",
            a.type_name(),
            b.type_name()
        )
    };
    Ok(match op {
        Op::Eq => V::Bool(equal(&a, &b)),
        Op::Ne => V::Bool(!equal(&a, &b)),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let ord = order(&a, &b).ok_or_else(|| overload(&a, &b))?;
            V::Bool(match op {
                Op::Lt => ord == Ordering::Less,
                Op::Le => ord != Ordering::Greater,
                Op::Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            })
        }
        Op::In => match &b {
            V::Map(m) => match &a {
                V::Str(k) => V::Bool(m.contains_key(k.as_ref())),
                _ => V::Bool(false),
            },
            _ => {
                let items = b.items().ok_or_else(|| overload(&a, &b))?;
                V::Bool(items.iter().any(|i| equal(&a, i)))
            }
        },
        Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Rem => arithmetic(op, &a, &b)
            .ok_or_else(|| overload(&a, &b))?
            .map_err(|e: &str| e.to_string())?,
        Op::And | Op::Or | Op::Not | Op::Neg => unreachable!("handled by eval"),
    })
}

fn arithmetic<'a>(op: Op, a: &V<'a>, b: &V<'a>) -> Option<Result<V<'a>, &'static str>> {
    Some(match (a, b) {
        (V::Int(x), V::Int(y)) => {
            let r = match op {
                Op::Add => x.checked_add(*y),
                Op::Sub => x.checked_sub(*y),
                Op::Mul => x.checked_mul(*y),
                Op::Div if *y == 0 => return Some(Err("division by zero")),
                Op::Rem if *y == 0 => return Some(Err("modulus by zero")),
                Op::Div => x.checked_div(*y),
                _ => x.checked_rem(*y),
            };
            r.map(V::Int).ok_or("int overflow")
        }
        (V::Double(x), V::Double(y)) => Ok(V::Double(match op {
            Op::Add => x + y,
            Op::Sub => x - y,
            Op::Mul => x * y,
            Op::Div => x / y,
            _ => return None,
        })),
        (V::Str(x), V::Str(y)) if op == Op::Add => Ok(V::Str(Cow::Owned(format!("{x}{y}")))),
        (V::Duration(x), V::Duration(y)) if op == Op::Add => Ok(V::Duration(x + y)),
        (V::Duration(x), V::Duration(y)) if op == Op::Sub => Ok(V::Duration(x - y)),
        (x, y) if op == Op::Add && x.is_list() && y.is_list() => {
            let mut items = x.items()?;
            items.extend(y.items()?);
            Ok(V::List(items))
        }
        _ => return None,
    })
}

/// Numbers as one comparable form: exact for integers.
fn number(v: &V) -> Option<f64> {
    match v {
        V::Int(n) => Some(*n as f64),
        V::UInt(n) => Some(*n as f64),
        V::Double(n) => Some(*n),
        _ => None,
    }
}

fn order(a: &V, b: &V) -> Option<Ordering> {
    match (a, b) {
        (V::Int(x), V::Int(y)) => Some(x.cmp(y)),
        (V::UInt(x), V::UInt(y)) => Some(x.cmp(y)),
        (V::Int(x), V::UInt(y)) => Some(i128::from(*x).cmp(&i128::from(*y))),
        (V::UInt(x), V::Int(y)) => Some(i128::from(*x).cmp(&i128::from(*y))),
        (V::Str(x), V::Str(y)) => Some(x.cmp(y)),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(y)),
        (V::Duration(x), V::Duration(y)) => Some(x.cmp(y)),
        _ => number(a)?.partial_cmp(&number(b)?),
    }
}

/// CEL's heterogeneous equality: values of different kinds are unequal,
/// numbers compare by value.
fn equal(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Null, V::Null) => true,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Str(x), V::Str(y)) => x == y,
        (V::Duration(x), V::Duration(y)) => x == y,
        (V::Map(x), V::Map(y)) => x == y,
        (x, y) if x.is_list() && y.is_list() => match (x.items(), y.items()) {
            (Some(x), Some(y)) => x.len() == y.len() && x.iter().zip(&y).all(|(p, q)| equal(p, q)),
            _ => false,
        },
        _ => order(a, b) == Some(Ordering::Equal) && number(a).is_some() && number(b).is_some(),
    }
}
