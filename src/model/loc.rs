//! Locations of model values, the cursor that reads typed values out of a
//! `yaml::Node` while keeping their JSON pointer, and `JsonAt`, the located
//! view of the parts kept as written. This is the one place that formats
//! `/spec/...` pointers, for the model and for the rules.

use std::borrow::Cow;
use std::ops::Deref;

use crate::yaml::{Node, Scalar, Span, Value};

/// Where a value is: its RFC 6901 pointer inside the object, the span of the
/// value and, when it is a mapping value, the span of its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub pointer: String,
    pub span: Span,
    pub key: Option<Span>,
}

/// A part of a model kept in JSON form, as written: boxed, because most are
/// absent and a model has many (168 bytes inline each otherwise).
pub type Json = Box<Located<serde_json::Value>>;

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
/// like `serde_json::Value` indexing: a missing key is `null`. A part only
/// refers to its parent; its pointer is built when a finding asks for it.
#[derive(Clone, Debug)]
pub struct JsonAt<'a> {
    pub value: &'a serde_json::Value,
    at: Step<'a>,
}

#[derive(Clone, Debug)]
enum Step<'a> {
    /// A value whose pointer is known.
    Root(Cow<'a, str>),
    Key(&'a JsonAt<'a>, &'a str),
    Index(&'a JsonAt<'a>, usize),
}

static NULL: serde_json::Value = serde_json::Value::Null;

impl<'a> JsonAt<'a> {
    /// An object's JSON, at its root (pointer "").
    pub fn root(value: &'a serde_json::Value) -> JsonAt<'a> {
        JsonAt {
            value,
            at: Step::Root(Cow::Borrowed("")),
        }
    }

    /// A top-level field of an object's JSON (`spec`, `apiVersion`).
    pub fn member(object: &'a serde_json::Value, key: &str) -> JsonAt<'a> {
        JsonAt {
            value: field(object, key).unwrap_or(&NULL),
            at: Step::Root(Cow::Owned(child("", key))),
        }
    }

    /// A part the model keeps as written.
    pub fn of(v: &'a Located<serde_json::Value>) -> JsonAt<'a> {
        JsonAt {
            value: &v.value,
            at: Step::Root(Cow::Borrowed(&v.at.pointer)),
        }
    }

    /// What is written at a model location, read in the object's JSON `root`.
    pub fn at(root: &'a serde_json::Value, at: &Loc) -> JsonAt<'a> {
        JsonAt {
            value: lookup(root, &at.pointer).unwrap_or(&NULL),
            at: Step::Root(Cow::Owned(at.pointer.clone())),
        }
    }

    /// The RFC 6901 pointer of this value inside its object.
    pub fn pointer(&self) -> String {
        match &self.at {
            Step::Root(p) => p.to_string(),
            Step::Key(parent, key) => child(&parent.pointer(), key),
            Step::Index(parent, i) => child_index(&parent.pointer(), *i),
        }
    }

    /// The value of `key`; `null` when it is missing or this is no mapping.
    pub fn get<'s>(&'s self, key: &'s str) -> JsonAt<'s> {
        JsonAt {
            value: field(self.value, key).unwrap_or(&NULL),
            at: Step::Key(self, key),
        }
    }

    /// The items of an array; nothing for other values.
    pub fn items(&self) -> Vec<JsonAt<'_>> {
        let items = self.value.as_array().map(Vec::as_slice).unwrap_or_default();
        items
            .iter()
            .enumerate()
            .map(|(i, value)| JsonAt {
                value,
                at: Step::Index(self, i),
            })
            .collect()
    }

    /// The entries of a mapping, in order; nothing for other values.
    pub fn entries(&self) -> Vec<(&str, JsonAt<'_>)> {
        self.value
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, value)| {
                let at = Step::Key(self, k.as_str());
                (k.as_str(), JsonAt { value, at })
            })
            .collect()
    }
}

/// `part["key"]` as on `serde_json::Value` (`null` when missing), with the
/// scan of `field` instead of hashing the key.
impl std::ops::Index<&str> for JsonAt<'_> {
    type Output = serde_json::Value;
    fn index(&self, key: &str) -> &serde_json::Value {
        field(self.value, key).unwrap_or(&NULL)
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
        j.pointer()
    }
}

impl From<JsonAt<'_>> for String {
    fn from(j: JsonAt<'_>) -> String {
        j.pointer()
    }
}

/// `base` + `/` + `token` escaped (RFC 6901), built without `format!`: the
/// model and the rules derive a pointer for every value they read.
fn child(base: &str, token: &str) -> String {
    let mut p = String::with_capacity(base.len() + token.len() + 1);
    p.push_str(base);
    p.push('/');
    crate::yaml::push_pointer_token(&mut p, token);
    p
}

fn child_index(base: &str, index: usize) -> String {
    use std::fmt::Write as _;
    let mut p = String::with_capacity(base.len() + 4);
    p.push_str(base);
    let _ = write!(p, "/{index}");
    p
}

/// `serde_json::Value::get` for a key: a mapping of a manifest has a handful
/// of keys, which a scan compares faster than the map hashes one (SipHash
/// was 6% of `check`). Keys are unique, so the first match is the match.
pub fn field<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    const SCANNED: usize = 16;
    let map = v.as_object()?;
    if map.len() > SCANNED {
        return map.get(key);
    }
    map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
}

/// `serde_json::Value::pointer` without its per-token allocations.
fn lookup<'a>(root: &'a serde_json::Value, pointer: &str) -> Option<&'a serde_json::Value> {
    let Some(rest) = pointer.strip_prefix('/') else {
        return pointer.is_empty().then_some(root);
    };
    rest.split('/').try_fold(root, |v, token| {
        let token: Cow<str> = if token.contains('~') {
            token.replace("~1", "/").replace("~0", "~").into()
        } else {
            token.into()
        };
        match v {
            serde_json::Value::Object(_) => field(v, &token),
            serde_json::Value::Array(a) => a.get(token.parse::<usize>().ok()?),
            _ => None,
        }
    })
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

impl<T: Locs> Locs for Box<T> {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        (**self).locs(out);
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
            pointer: child(&self.pointer, key),
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
                    pointer: child_index(&self.pointer, i),
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
                let pointer = child(&self.pointer, &e.key.text);
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

    /// The value with this cursor's location; the cursor is used up, so its
    /// pointer moves into the location instead of being copied (leaf values
    /// are most of a model's locations).
    fn located<T>(self, value: T) -> Located<T> {
        let at = Loc {
            pointer: self.pointer,
            span: self.node.span,
            key: self.key,
        };
        Located::new(value, at)
    }

    /// This node as a string scalar.
    pub fn as_string(self) -> Option<Located<String>> {
        let s = self.node.as_str()?.to_string();
        Some(self.located(s))
    }

    /// This node as an integer scalar.
    pub fn as_int(self) -> Option<Located<i64>> {
        match self.node.value {
            Value::Scalar(Scalar::Int(i)) => Some(self.located(i)),
            _ => None,
        }
    }

    /// This node as an integer that fits in u32 (ports).
    pub fn as_u32(self) -> Option<Located<u32>> {
        let i = self.as_int()?;
        let n = u32::try_from(i.value).ok()?;
        Some(i.map(|_| n))
    }

    pub fn as_bool(self) -> Option<Located<bool>> {
        match self.node.value {
            Value::Scalar(Scalar::Bool(b)) => Some(self.located(b)),
            _ => None,
        }
    }

    /// This node in JSON form, for parts the model keeps as written.
    pub fn as_json(self) -> Located<serde_json::Value> {
        let json = self.node.to_json();
        self.located(json)
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
    pub fn json(&self, key: &str) -> Option<Json> {
        let c = self.get(key)?;
        (!matches!(c.node.value, Value::Scalar(Scalar::Null))).then(|| Box::new(c.as_json()))
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
        // `located_pairs` without the locations (no pointers built).
        let entries = self.node.get(key).and_then(Node::as_map);
        entries
            .unwrap_or_default()
            .iter()
            .filter_map(|e| Some((e.key.text.clone(), e.value.as_str()?.to_string())))
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
        let root = JsonAt::root(&json);
        let spec = root.get("spec");
        assert_eq!(JsonAt::member(&json, "spec").pointer(), spec.pointer());
        let list = spec.get("a/b");
        let items = list.items();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].pointer(), "/spec/a~1b/1");
        let (key, value) = &items[1].entries()[0];
        assert_eq!(
            (*key, value.pointer().as_str()),
            ("c~d", "/spec/a~1b/1/c~0d")
        );
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
        assert_eq!(lookup(&json, ""), Some(&json));
        assert_eq!(lookup(&json, "/spec/a~1b/0"), Some(&serde_json::json!(1)));
        assert_eq!(lookup(&json, "/spec/a~1b/x"), None);
        assert_eq!(lookup(&json, "/spec/a/b"), None);
        assert_eq!(lookup(&json, "spec"), None);
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
