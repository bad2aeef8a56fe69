//! Our own spanned YAML tree, built from saphyr-parser events. Every key and
//! value keeps its span; scalars are resolved the way Kubernetes resolves them.

mod build;
mod flow_indent;
pub mod position;
pub mod resolve;

pub use build::{parse_stream, Document, Limits, ParseOutcome, YamlIssue, YamlIssueKind};
pub use position::Span;
pub use resolve::Scalar;

/// A node of the tree.
#[derive(Clone, Debug)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub key: Key,
    pub value: Node,
}

#[derive(Clone, Debug)]
pub struct Key {
    pub text: String,
    pub span: Span,
}

impl Node {
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(e) => Some(e),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(Scalar::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key.text == key)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// A type name for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar(Scalar::Null) => "null",
            Value::Scalar(Scalar::Bool(_)) => "boolean",
            Value::Scalar(Scalar::Int(_)) => "integer",
            Value::Scalar(Scalar::Float(_)) => "number",
            Value::Scalar(Scalar::Str(_)) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }

    /// Converts to JSON, the way sigs.k8s.io/yaml hands YAML to the API server.
    /// Non-finite floats have no JSON form and become null (the schema then
    /// reports them).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Scalar(Scalar::Null) => J::Null,
            Value::Scalar(Scalar::Bool(b)) => J::Bool(*b),
            Value::Scalar(Scalar::Int(i)) => J::from(*i),
            Value::Scalar(Scalar::Float(f)) => {
                serde_json::Number::from_f64(*f).map_or(J::Null, J::Number)
            }
            Value::Scalar(Scalar::Str(s)) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.text.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// Follows an RFC 6901 JSON pointer. Returns the node and, when the last
    /// step was a mapping key, that key.
    pub fn lookup(&self, pointer: &str) -> Option<(&Node, Option<&Key>)> {
        let mut node = self;
        let mut key = None;
        if pointer.is_empty() {
            return Some((node, None));
        }
        for raw in pointer.strip_prefix('/')?.split('/') {
            // Most tokens have nothing escaped: no allocation for them.
            let token: std::borrow::Cow<str> = match raw.contains('~') {
                true => raw.replace("~1", "/").replace("~0", "~").into(),
                false => raw.into(),
            };
            match &node.value {
                Value::Map(entries) => {
                    let e = entries.iter().find(|e| e.key.text == *token)?;
                    key = Some(&e.key);
                    node = &e.value;
                }
                Value::Seq(items) => {
                    node = items.get(token.parse::<usize>().ok()?)?;
                    key = None;
                }
                Value::Scalar(_) => return None,
            }
        }
        Some((node, key))
    }
}

/// Escapes one JSON pointer token.
pub fn escape_pointer_token(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_pointer_token(&mut out, token);
    out
}

/// Appends one escaped JSON pointer token (no intermediate string).
pub fn push_pointer_token(out: &mut String, token: &str) {
    // A byte scan: `contains(['~', '/'])` decodes chars (1.3% of `check`).
    if !token.bytes().any(|b| b == b'~' || b == b'/') {
        out.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}
