//! Locations of model values, the cursor that reads typed values out of a
//! `yaml::Node` while keeping their JSON pointer, and `JsonAt`, the located
//! view of the parts kept as written. This is the one place that formats
//! `/spec/...` pointers, for the model and for the rules.

use std::ops::Deref;

use crate::yaml::{escape_pointer_token, Node, Scalar, Span, Value};

/// Where a value is: its RFC 6901 pointer inside the object, the span of the
/// value and, when it is a mapping value, the span of its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub pointer: String,
    pub span: Span,
    pub key: Option<Span>,
}

/// A value with its location.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub at: Loc,
}

impl<T> Located<T> {
    pub fn new(value: T, at: Loc) -> Located<T> {
        Located { value, at }
    }

    /// The same location with another value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Located<U> {
        Located {
            value: f(self.value),
            at: self.at,
        }
    }
}

impl<T> Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl From<&Loc> for String {
    fn from(at: &Loc) -> String {
        at.pointer.clone()
    }
}

impl<T> From<&Located<T>> for String {
    fn from(v: &Located<T>) -> String {
        v.at.pointer.clone()
    }
}

/// A value kept as written (JSON), with the pointer of every part of it:
/// rules read what the model does not interpret (fault, retries, a route as
/// Istio's webhook sees it) through it, and never format a pointer. It reads
/// like `serde_json::Value` indexing: a missing key is `null`.
#[derive(Clone, Debug)]
pub struct JsonAt<'a> {
    pub value: &'a serde_json::Value,
    pointer: String,
}

static NULL: serde_json::Value = serde_json::Value::Null;

impl<'a> JsonAt<'a> {
    /// An object's JSON, at its root (pointer "").
    pub fn root(value: &'a serde_json::Value) -> JsonAt<'a> {
        JsonAt {
            value,
            pointer: String::new(),
        }
    }

    /// A part the model keeps as written.
    pub fn of(v: &'a Located<serde_json::Value>) -> JsonAt<'a> {
        JsonAt {
            value: &v.value,
            pointer: v.at.pointer.clone(),
        }
    }

    /// What is written at a model location, read in the object's JSON `root`.
    pub fn at(root: &'a serde_json::Value, at: &Loc) -> JsonAt<'a> {
        JsonAt {
            value: root.pointer(&at.pointer).unwrap_or(&NULL),
            pointer: at.pointer.clone(),
        }
    }

    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The value of `key`; `null` when it is missing or this is no mapping.
    pub fn get(&self, key: &str) -> JsonAt<'a> {
        JsonAt {
            value: self.value.get(key).unwrap_or(&NULL),
            pointer: format!("{}/{}", self.pointer, escape_pointer_token(key)),
        }
    }

    /// The items of an array; nothing for other values.
    pub fn items(&self) -> Vec<JsonAt<'a>> {
        let items = self.value.as_array().map(Vec::as_slice).unwrap_or_default();
        items
            .iter()
            .enumerate()
            .map(|(i, value)| JsonAt {
                value,
                pointer: format!("{}/{i}", self.pointer),
            })
            .collect()
    }

    /// The entries of a mapping, in order; nothing for other values.
    pub fn entries(&self) -> Vec<(&'a str, JsonAt<'a>)> {
        self.value
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, value)| {
                let pointer = format!("{}/{}", self.pointer, escape_pointer_token(k));
                (k.as_str(), JsonAt { value, pointer })
            })
            .collect()
    }
}

impl Deref for JsonAt<'_> {
    type Target = serde_json::Value;
    fn deref(&self) -> &serde_json::Value {
        self.value
    }
}

impl From<&JsonAt<'_>> for String {
    fn from(j: &JsonAt<'_>) -> String {
        j.pointer.clone()
    }
}

impl From<JsonAt<'_>> for String {
    fn from(j: JsonAt<'_>) -> String {
        j.pointer
    }
}

/// Every model type can list the locations it holds, so tests (and tools
/// such as the language server) can walk a model generically.
pub trait Locs {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>);
}

impl Locs for Loc {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        out.push(self);
    }
}

impl<T> Locs for Located<T> {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        out.push(&self.at);
    }
}

impl<T: Locs> Locs for Option<T> {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        if let Some(v) = self {
            v.locs(out);
        }
    }
}

impl<T: Locs> Locs for Vec<T> {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        for v in self {
            v.locs(out);
        }
    }
}

impl<A: Locs, B: Locs> Locs for (A, B) {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        self.0.locs(out);
        self.1.locs(out);
    }
}

impl Locs for String {
    fn locs<'a>(&'a self, _: &mut Vec<&'a Loc>) {}
}

/// Lists the locations of several fields: `locs!(out; self.a, self.b)`.
macro_rules! locs {
    ($out:ident; $($field:expr),* $(,)?) => {
        $( $crate::model::loc::Locs::locs(&$field, $out); )*
    };
}
pub(crate) use locs;

/// A node being read, with the pointer that leads to it from the object root.
#[derive(Clone, Debug)]
pub struct Cursor<'a> {
    pub node: &'a Node,
    pointer: String,
    key: Option<Span>,
}

impl<'a> Cursor<'a> {
    /// The object's root node (pointer "").
    pub fn root(node: &'a Node) -> Cursor<'a> {
        Cursor {
            node,
            pointer: String::new(),
            key: None,
        }
    }

    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    pub fn loc(&self) -> Loc {
        Loc {
            pointer: self.pointer.clone(),
            span: self.node.span,
            key: self.key,
        }
    }

    /// The value of mapping key `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<Cursor<'a>> {
        let entry = self.node.entry(key)?;
        Some(Cursor {
            node: &entry.value,
            pointer: format!("{}/{}", self.pointer, escape_pointer_token(key)),
            key: Some(entry.key.span),
        })
    }

    /// Follows several keys: `path(&["spec", "template"])`.
    pub fn path(&self, keys: &[&str]) -> Option<Cursor<'a>> {
        keys.iter().try_fold(self.clone(), |c, k| c.get(k))
    }

    /// The items of a sequence with their index; nothing for other values.
    pub fn items(&self) -> Vec<(usize, Cursor<'a>)> {
        self.node
            .as_seq()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let c = Cursor {
                    node,
                    pointer: format!("{}/{i}", self.pointer),
                    key: None,
                };
                (i, c)
            })
            .collect()
    }

    /// The entries of a mapping, in document order; nothing for other values.
    pub fn entries(&self) -> Vec<(Located<String>, Cursor<'a>)> {
        self.node
            .as_map()
            .unwrap_or_default()
            .iter()
            .map(|e| {
                let pointer = format!("{}/{}", self.pointer, escape_pointer_token(&e.key.text));
                // A key is located by its own span (key == span marks it).
                let key = Located::new(
                    e.key.text.clone(),
                    Loc {
                        pointer: pointer.clone(),
                        span: e.key.span,
                        key: Some(e.key.span),
                    },
                );
                let value = Cursor {
                    node: &e.value,
                    pointer,
                    key: Some(e.key.span),
                };
                (key, value)
            })
            .collect()
    }

    fn located<T>(&self, value: T) -> Located<T> {
        Located::new(value, self.loc())
    }

    /// This node as a string scalar.
    pub fn as_string(&self) -> Option<Located<String>> {
        self.node.as_str().map(|s| self.located(s.to_string()))
    }

    /// This node as an integer scalar.
    pub fn as_int(&self) -> Option<Located<i64>> {
        match self.node.value {
            Value::Scalar(Scalar::Int(i)) => Some(self.located(i)),
            _ => None,
        }
    }

    /// This node as an integer that fits in u32 (ports).
    pub fn as_u32(&self) -> Option<Located<u32>> {
        let i = self.as_int()?;
        let n = u32::try_from(i.value).ok()?;
        Some(i.map(|_| n))
    }

    pub fn as_bool(&self) -> Option<Located<bool>> {
        match self.node.value {
            Value::Scalar(Scalar::Bool(b)) => Some(self.located(b)),
            _ => None,
        }
    }

    /// This node in JSON form, for parts the model keeps as written.
    pub fn as_json(&self) -> Located<serde_json::Value> {
        self.located(self.node.to_json())
    }

    pub fn string(&self, key: &str) -> Option<Located<String>> {
        self.get(key)?.as_string()
    }

    pub fn int(&self, key: &str) -> Option<Located<i64>> {
        self.get(key)?.as_int()
    }

    pub fn u32(&self, key: &str) -> Option<Located<u32>> {
        self.get(key)?.as_u32()
    }

    pub fn bool(&self, key: &str) -> Option<Located<bool>> {
        self.get(key)?.as_bool()
    }

    /// The value of `key` in JSON form; absent when it is missing or null.
    pub fn json(&self, key: &str) -> Option<Located<serde_json::Value>> {
        let c = self.get(key)?;
        (!matches!(c.node.value, Value::Scalar(Scalar::Null))).then(|| c.as_json())
    }

    /// The mapping at `key`, if it is one.
    pub fn map(&self, key: &str) -> Option<Cursor<'a>> {
        self.get(key).filter(|c| c.node.as_map().is_some())
    }

    /// The string items of the sequence at `key`; other items are skipped.
    pub fn strings(&self, key: &str) -> Vec<Located<String>> {
        self.get(key)
            .map(|c| {
                c.items()
                    .into_iter()
                    .filter_map(|(_, i)| i.as_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The mapping at `key` as string pairs, with locations (labels).
    pub fn located_pairs(&self, key: &str) -> Vec<(Located<String>, Located<String>)> {
        self.get(key)
            .map(|c| {
                c.entries()
                    .into_iter()
                    .filter_map(|(k, v)| Some((k, v.as_string()?)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The mapping at `key` as string pairs (labels, selectors).
    pub fn pairs(&self, key: &str) -> Vec<(String, String)> {
        self.located_pairs(key)
            .into_iter()
            .map(|(k, v)| (k.value, v.value))
            .collect()
    }

    /// `pairs` when `key` holds a mapping, `None` when it is missing or not one.
    pub fn selector(&self, key: &str) -> Option<Vec<(String, String)>> {
        self.map(key).map(|_| self.pairs(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        let parsed = crate::yaml::parse_stream(text, crate::yaml::Limits::default());
        parsed.documents.into_iter().next().unwrap().root.unwrap()
    }

    #[test]
    fn pointers_escape_and_spans_point_at_values_and_keys() {
        let node = root("metadata:\n  labels:\n    app.kubernetes.io/name: web\n    a~b: 3\n");
        let c = Cursor::root(&node);
        let labels = c.path(&["metadata", "labels"]).unwrap();
        let pairs = c.get("metadata").unwrap().located_pairs("labels");
        assert_eq!(pairs.len(), 1, "the integer label value is skipped");
        let (k, v) = &pairs[0];
        assert_eq!(v.at.pointer, "/metadata/labels/app.kubernetes.io~1name");
        assert_eq!((v.at.span.line, v.at.span.col), (3, 29));
        assert_eq!(v.at.key.map(|k| (k.line, k.col)), Some((3, 5)));
        assert_eq!(k.value, "app.kubernetes.io/name");
        assert_eq!(k.at.span, k.at.key.unwrap());
        let tilde = labels.int("a~b").unwrap();
        assert_eq!(
            (tilde.value, tilde.at.pointer.as_str()),
            (3, "/metadata/labels/a~0b")
        );
        assert_eq!(
            node.lookup(&tilde.at.pointer).unwrap().0.span,
            tilde.at.span
        );
    }

    #[test]
    fn json_at_walks_with_escaped_pointers_and_null_for_missing_keys() {
        let json = serde_json::json!({"spec": {"a/b": [1, {"c~d": true}]}});
        let spec = JsonAt::root(&json).get("spec");
        let items = spec.get("a/b").items();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].pointer(), "/spec/a~1b/1");
        let (key, value) = &items[1].entries()[0];
        assert_eq!((*key, value.pointer()), ("c~d", "/spec/a~1b/1/c~0d"));
        assert_eq!(*value.value, serde_json::Value::Bool(true));
        let missing = items[0].get("x");
        assert!(missing.is_null());
        assert_eq!(String::from(missing), "/spec/a~1b/0/x");
        let loc = Loc {
            pointer: "/spec/a~1b/1".into(),
            span: Span::default(),
            key: None,
        };
        assert_eq!(JsonAt::at(&json, &loc)["c~d"], true);
        assert!(spec.get("a/b").get("zz").items().is_empty());
    }

    #[test]
    fn wrong_types_are_absent() {
        let node = root("a: fifty\nb: 3\nc: {}\nd: [1, x]\ne: -1\nf: null\n");
        let c = Cursor::root(&node);
        assert_eq!(c.int("a"), None);
        assert_eq!(c.string("b"), None);
        assert!(c.strings("c").is_empty());
        let d: Vec<_> = c.strings("d").into_iter().map(|s| s.at.pointer).collect();
        assert_eq!(d, ["/d/1"]);
        assert_eq!(c.u32("e"), None);
        assert_eq!(c.json("f"), None);
        assert_eq!(c.selector("b"), None);
        assert_eq!(c.selector("c"), Some(vec![]));
    }
}
