//! YAML emitter for generated manifests, in the tutorial's canonical style:
//! keys sorted at every level, two-space indent, list items at their parent
//! key's indent. Strings that YAML 1.1 (Kubernetes) or 1.2 would retype, or
//! that YAML syntax would misread, are double-quoted.

use serde_json::Value;

use crate::yaml::resolve::needs_quotes;

pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => map(v, 0, &mut out),
        Value::Array(a) if !a.is_empty() => seq(a, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

/// Pretty JSON with sorted keys (the same canonical order).
pub fn to_json(v: &Value) -> String {
    serde_json::to_string_pretty(&sorted(v)).expect("JSON values serialise") + "\n"
}

/// The same value with object keys sorted at every level (canonical order).
pub fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&m[k])))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn pad(n: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A map's entries, each at `indent`; the first one's indentation may have
/// been written already (after "- ").
fn map(v: &Value, indent: usize, out: &mut String) {
    let Value::Object(m) = v else { unreachable!() };
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    for (i, k) in keys.into_iter().enumerate() {
        if i > 0 || !out.ends_with("- ") {
            pad(indent, out);
        }
        out.push_str(&key(k));
        out.push(':');
        value_after_key(&m[k], indent, out);
    }
}

fn value_after_key(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            map(v, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            seq(a, indent, out);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn seq(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        pad(indent, out);
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => map(item, indent + 2, out),
            Value::Array(a) if !a.is_empty() => {
                out.truncate(out.len() - 1);
                out.push('\n');
                seq(a, indent + 2, out);
            }
            other => {
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn key(k: &str) -> String {
    if plain_safe(k) {
        k.to_string()
    } else {
        quote(k)
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if plain_safe(s) => s.clone(),
        Value::String(s) => quote(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// Whether a string can be written plain and read back as the same string.
fn plain_safe(s: &str) -> bool {
    if needs_quotes(s) || s.trim() != s {
        return false;
    }
    let first = s
        .chars()
        .next()
        .expect("needs_quotes rejects empty strings");
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    !(s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(|c| !(' '..='~').contains(&c)))
}

/// A YAML double-quoted scalar: JSON escapes, plus `\uXXXX` for every
/// non-ASCII character that is not alphanumeric (BOMs, spaces and format
/// characters that YAML readers reject or silently drop).
pub fn quote(s: &str) -> String {
    let json = serde_json::to_string(s).expect("strings serialise");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        // DEL is ASCII but not printable YAML.
        if (c.is_ascii() && c != '\u{7f}') || c.is_alphanumeric() {
            out.push(c);
        } else {
            // YAML has no surrogate pairs: \U for characters beyond the BMP.
            let code = c as u32;
            if code > 0xFFFF {
                out.push_str(&format!("\\U{code:08x}"));
            } else {
                out.push_str(&format!("\\u{code:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn canonical_style() {
        let v = json!({"spec": {"subsets": [{"name": "v1", "labels": {"version": "v1"}}], "host": "r"}, "kind": "X"});
        assert_eq!(
            to_yaml(&v),
            "kind: X\nspec:\n  host: r\n  subsets:\n  - labels:\n      version: v1\n    name: v1\n"
        );
    }

    #[test]
    fn retypable_strings_are_quoted() {
        let v = json!({"a": "on", "b": "0755", "c": "1.10", "d": "yes", "e": "v1", "f": "", "g": "a: b", "h": "- x"});
        assert_eq!(
            to_yaml(&v),
            "a: \"on\"\nb: \"0755\"\nc: \"1.10\"\nd: \"yes\"\ne: v1\nf: \"\"\ng: \"a: b\"\nh: \"- x\"\n"
        );
    }

    #[test]
    fn invisible_characters_are_escaped() {
        let v = json!({"a": "1\u{feff}10", "b": "é", "c": "a\u{2028}b\u{7f}"});
        assert_eq!(
            to_yaml(&v),
            "a: \"1\\ufeff10\"\nb: \"é\"\nc: \"a\\u2028b\\u007f\"\n"
        );
        let out = parse_stream(&to_yaml(&v), Limits::default());
        assert_eq!(out.documents[0].root.as_ref().unwrap().to_json(), v);
    }

    proptest! {
        /// Whatever the string, Kubernetes reads back exactly that string.
        #[test]
        fn strings_round_trip(s in "\\PC{0,12}|[ -~]{0,8}|(on|yes|no|y|0[0-7]{1,3}|[0-9_.]{1,5}|~|null)") {
            let text = to_yaml(&json!({"k": s}));
            let out = parse_stream(&text, Limits::default());
            prop_assert!(!out.aborted, "{text}");
            let back = out.documents[0].root.as_ref().unwrap().to_json();
            prop_assert_eq!(back, json!({"k": s}), "{}", text);
        }
    }
}
