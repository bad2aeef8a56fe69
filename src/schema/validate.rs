//! Runs a compiled schema on one object and turns each error into a finding
//! with a pointer, a target (key or value) and a message written for people.

use serde_json::Value as Json;

use super::keywords::{CEL, EXCLUSIVE, EXCLUSIVE_GROUPS};
use super::structural::JsonType;
use super::walk::{violations, Kind, Violation};
use super::Compiled;
use crate::diagnostic::{Applicability, Change, Finding, FixSpec};
use crate::rules::schema::{
    CONFLICTING_FIELDS, INVALID_VALUE, MISSING_FIELD, UNKNOWN_FIELD, WRONG_TYPE,
};
use crate::suggest;
use crate::yaml::{escape_pointer_token, Node, Scalar, Value};

/// Validates `json` (the object's JSON form) and explains errors with the
/// help of the object's tree and the source text.
pub fn validate(compiled: &Compiled, json: &Json, node: &Node, src: &str) -> Vec<Finding> {
    violations(&compiled.validator, json)
        .into_iter()
        .map(|v| finding(v, node, src))
        .collect()
}

fn finding(v: Violation, node: &Node, src: &str) -> Finding {
    let at = v.pointer;
    let field = field_label(&at);
    let got = v.instance;
    match v.kind {
        Kind::Unexpected(key) => {
            let known = v.schema.property_names();
            let where_ = if at.is_empty() {
                "the object".to_string()
            } else {
                format!("`{field}`")
            };
            let mut f = Finding::new(
                &UNKNOWN_FIELD,
                format!("{at}/{}", escape_pointer_token(key)),
                format!("unknown field `{key}` in {where_}"),
            )
            .on_key();
            f.help = Some(match suggest::closest(key, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("known fields here: {}", list(&known, 12)),
            });
            f
        }
        Kind::Type => {
            let expected = type_names(&v.schema.types);
            let is_duration = v.schema.duration_cel;
            let mut f = Finding::new(&WRONG_TYPE, at.clone(), String::new());
            let found = node.lookup(&at).map(|(n, _)| n);
            f.message = match found {
                Some(n) => format!("`{field}` must be {expected}, found {}", describe(n)),
                None => format!("`{field}` must be {expected}"),
            };
            if let Some(n) = found {
                if !is_duration {
                    // A string was meant and the value is rejected as it is:
                    // quoting gives it the only meaning Kubernetes accepts.
                    if let Some(raw) = quotable(n, src, &expected) {
                        f.fix = Some(FixSpec {
                            title: format!("quote `{raw}`"),
                            applicability: Applicability::Safe,
                            changes: vec![Change::Value {
                                pointer: at.clone(),
                                text: format!("\"{raw}\""),
                            }],
                        });
                    }
                }
                f.help = if is_duration {
                    Some(
                        "a duration is a string with a unit, e.g. \"5s\", \"100ms\" or \"3m\""
                            .into(),
                    )
                } else {
                    quote_hint(n, src, &expected)
                };
            }
            f
        }
        Kind::Enum(options) => {
            let opts: Vec<&str> = options.iter().filter_map(Json::as_str).collect();
            let mut f = Finding::new(
                &INVALID_VALUE,
                at.clone(),
                format!("`{field}`: {got} is not one of {}", list(&opts, 10)),
            );
            if let Some(s) = got
                .as_str()
                .and_then(|g| suggest::closest(g, opts.iter().copied()))
            {
                f.help = Some(format!("did you mean `{s}`?"));
            }
            f
        }
        Kind::Minimum(limit) => Finding::new(
            &INVALID_VALUE,
            at.clone(),
            format!("`{field}`: {got} is below the minimum {limit}"),
        ),
        Kind::Maximum(limit) => Finding::new(
            &INVALID_VALUE,
            at.clone(),
            format!("`{field}`: {got} is above the maximum {limit}"),
        ),
        Kind::Duplicate {
            keys,
            first,
            second,
        } => {
            let item = &got[second];
            let values: Vec<String> = keys
                .iter()
                .map(|k| format!("`{k}` {}", item.get(k.as_str()).unwrap_or(&Json::Null)))
                .collect();
            Finding::new(
                &INVALID_VALUE,
                format!("{at}/{second}"),
                format!(
                    "`{field}[{second}]`: duplicate entry: {} is already used by `{field}[{first}]`",
                    values.join(" and ")
                ),
            )
        }
        // At the top (`spec`, which the CRD requires): on the `kind`.
        Kind::Required(name) if at.is_empty() && got.get("kind").is_some() => Finding::new(
            &MISSING_FIELD,
            "/kind".to_string(),
            format!(
                "a {} requires `{name}`",
                got["kind"].as_str().unwrap_or("object")
            ),
        )
        .on_key(),
        Kind::Required(name) => Finding::new(
            &MISSING_FIELD,
            at.clone(),
            format!("`{field}` requires `{name}`"),
        )
        .on_key(),
        Kind::Custom {
            keyword,
            message,
            second,
        } => {
            if keyword == EXCLUSIVE || keyword == EXCLUSIVE_GROUPS {
                let pointer =
                    second.map_or(at.clone(), |k| format!("{at}/{}", escape_pointer_token(k)));
                Finding::new(&CONFLICTING_FIELDS, pointer, message)
                    .on_key()
                    .help("remove all but one of them")
            } else {
                debug_assert_eq!(keyword, CEL);
                let f = Finding::new(&INVALID_VALUE, at.clone(), format!("`{field}`: {message}"));
                // A rule on a whole object or list: on its key, as the API
                // server names the field (`spec: Invalid value: "object"`).
                if got.is_object() || got.is_array() {
                    f.on_key()
                } else {
                    f
                }
            }
        }
        other => Finding::new(
            &INVALID_VALUE,
            at.clone(),
            format!("`{field}`: {}", other.text(got)),
        ),
    }
}

/// The field a pointer names, for messages: `/spec/hosts/0` → `hosts[0]`.
pub fn field_label(pointer: &str) -> String {
    let mut parts = pointer.rsplit('/');
    let last = parts.next().unwrap_or_default();
    let last = last.replace("~1", "/").replace("~0", "~");
    if last.parse::<usize>().is_ok() {
        let parent = parts.next().unwrap_or_default();
        return format!("{parent}[{last}]");
    }
    if last.is_empty() {
        "object".into()
    } else {
        last
    }
}

/// `integer`, `[integer, null]` → "an integer", "an integer or null".
fn type_names(types: &[JsonType]) -> String {
    let article = |t: &str| match t {
        "integer" | "object" | "array" => format!("an {t}"),
        "boolean" | "string" | "number" => format!("a {t}"),
        other => other.to_string(),
    };
    types
        .iter()
        // `nullable: true` became a second type, `null`: not worth saying.
        .filter(|t| types.len() == 1 || **t != JsonType::Null)
        .map(|t| article(t.name()))
        .collect::<Vec<_>>()
        .join(" or ")
}

fn describe(n: &Node) -> String {
    match &n.value {
        Value::Scalar(s) => s.describe(),
        Value::Seq(_) => "an array".into(),
        Value::Map(_) => "an object".into(),
    }
}

/// When a string was expected but an unquoted scalar was read as something
/// else (`1.10`, `yes`, `0755`), say how to keep it a string.
fn quote_hint(n: &Node, src: &str, expected: &str) -> Option<String> {
    if !expected.contains("string") {
        return None;
    }
    let Value::Scalar(s) = &n.value else {
        return None;
    };
    if matches!(s, Scalar::Str(_)) {
        return None;
    }
    let raw = src.get(n.span.start..n.span.end)?.trim();
    if raw.is_empty() || raw.starts_with(['"', '\'']) {
        return None;
    }
    Some(format!(
        "Kubernetes reads the unquoted `{raw}` as {}; quote it to keep the text: \"{raw}\"",
        s.describe()
    ))
}

fn quotable(n: &Node, src: &str, expected: &str) -> Option<String> {
    quote_hint(n, src, expected)?;
    src.get(n.span.start..n.span.end)
        .map(|s| s.trim().to_string())
}

fn list(items: &[&str], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(", ... ({} more)", items.len() - max));
    }
    s
}
