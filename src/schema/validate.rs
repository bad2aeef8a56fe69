//! Runs a compiled schema on one object and turns each error into a finding
//! with a pointer, a target (key or value) and a message written for people.

use jsonschema::error::ValidationErrorKind;
use serde_json::Value as Json;

use super::keywords::{CEL, EXCLUSIVE, EXCLUSIVE_GROUPS};
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
    if compiled.validator.is_valid(json) {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for error in compiled.validator.iter_errors(json) {
        let at = error.instance_path().as_str().to_string();
        let schema_at = error.schema_path().as_str();
        let field = field_label(&at);
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let parent_schema = schema_node(
                    &compiled.schema,
                    schema_at.rsplit_once('/').map_or("", |p| p.0),
                );
                let known: Vec<&str> = parent_schema
                    .and_then(|s| s.get("properties"))
                    .and_then(Json::as_object)
                    .map(|p| p.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                for key in unexpected {
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
                    findings.push(f);
                }
            }
            ValidationErrorKind::Type { .. } => {
                let expected = schema_node(&compiled.schema, schema_at)
                    .map(type_names)
                    .unwrap_or_else(|| "another type".into());
                let mut f = Finding::new(&WRONG_TYPE, at.clone(), String::new());
                let found = node.lookup(&at).map(|(n, _)| n);
                f.message = match found {
                    Some(n) => format!("`{field}` must be {expected}, found {}", describe(n)),
                    None => format!("`{field}` must be {expected}"),
                };
                let is_duration = schema_node(
                    &compiled.schema,
                    schema_at.rsplit_once('/').map_or("", |p| p.0),
                )
                .and_then(|s| s.get(CEL))
                .is_some_and(|c| c.to_string().contains("duration(self)"));
                if let Some(n) = found {
                    if !is_duration && f.help.is_none() {
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
                findings.push(f);
            }
            ValidationErrorKind::Enum { options } => {
                let opts: Vec<&str> = options
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                    .collect();
                let got = error.instance();
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
                findings.push(f);
            }
            ValidationErrorKind::Minimum { limit } => findings.push(Finding::new(
                &INVALID_VALUE,
                at.clone(),
                format!(
                    "`{field}`: {} is below the minimum {limit}",
                    error.instance()
                ),
            )),
            ValidationErrorKind::Maximum { limit } => findings.push(Finding::new(
                &INVALID_VALUE,
                at.clone(),
                format!(
                    "`{field}`: {} is above the maximum {limit}",
                    error.instance()
                ),
            )),
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                findings.push(
                    Finding::new(
                        &MISSING_FIELD,
                        at.clone(),
                        format!("`{field}` requires `{name}`"),
                    )
                    .on_key(),
                );
            }
            ValidationErrorKind::Custom { message, .. } => {
                let keyword = schema_at.rsplit('/').next().unwrap_or_default();
                if keyword == EXCLUSIVE || keyword == EXCLUSIVE_GROUPS {
                    let second = second_exclusive_field(compiled, schema_at, json, &at);
                    let pointer =
                        second.map_or(at.clone(), |k| format!("{at}/{}", escape_pointer_token(&k)));
                    findings.push(
                        Finding::new(&CONFLICTING_FIELDS, pointer, message.clone())
                            .on_key()
                            .help("remove all but one of them"),
                    );
                } else {
                    debug_assert_eq!(keyword, CEL);
                    findings.push(Finding::new(
                        &INVALID_VALUE,
                        at.clone(),
                        format!("`{field}`: {message}"),
                    ));
                }
            }
            _ => findings.push(Finding::new(
                &INVALID_VALUE,
                at.clone(),
                format!("`{field}`: {error}"),
            )),
        }
    }
    findings
}

fn schema_node<'a>(schema: &'a Json, pointer: &str) -> Option<&'a Json> {
    schema.pointer(pointer)
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

/// `"integer"`, `["integer", "null"]` → "an integer", "an integer or null".
fn type_names(type_node: &Json) -> String {
    let names: Vec<&str> = match type_node {
        Json::String(s) => vec![s.as_str()],
        Json::Array(a) => a
            .iter()
            .filter_map(Json::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => vec![],
    };
    let article = |t: &str| match t {
        "integer" | "object" | "array" => format!("an {t}"),
        "boolean" | "string" | "number" => format!("a {t}"),
        other => other.to_string(),
    };
    names
        .iter()
        .map(|t| article(t))
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

fn second_exclusive_field(
    compiled: &Compiled,
    schema_at: &str,
    json: &Json,
    at: &str,
) -> Option<String> {
    let groups = compiled.schema.pointer(schema_at)?;
    let obj = json.pointer(at)?.as_object()?;
    let groups: Vec<Vec<&str>> = match groups.as_array()?.first()? {
        Json::Array(_) => groups
            .as_array()?
            .iter()
            .map(|g| {
                g.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                    .collect()
            })
            .collect(),
        _ => vec![groups.as_array()?.iter().filter_map(Json::as_str).collect()],
    };
    for g in groups {
        // In source order, the second of the conflicting keys.
        let present: Vec<&String> = obj.keys().filter(|k| g.contains(&k.as_str())).collect();
        if present.len() > 1 {
            return Some(present[1].clone());
        }
    }
    None
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
