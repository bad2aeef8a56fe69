//! Our own validator for the bundled schemas, compiled once per kind and
//! release. The schemas are Kubernetes structural schemas (what Istio's CRDs
//! declare) written as JSON Schema by `cargo xtask gen-schemas`; the API
//! server checks custom resources with its own structural validator
//! (kube-openapi), not a general JSON Schema engine, and so do we. Only the
//! keywords the generator emits are understood; any other keyword fails
//! compilation, so a new generator output cannot be silently ignored
//! (`every_bundled_schema_compiles` compiles all of them).
//!
//! Results are the ones the `jsonschema` crate (draft 2020-12) gives on the
//! same schemas: tests/schema_differential.rs checks it on every fixture.

use regex::Regex;
use serde_json::{Number, Value as Json};

use super::keywords::{Custom, CEL, EXCLUSIVE, EXCLUSIVE_GROUPS};

/// A JSON type as the `type` keyword names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonType {
    Null,
    Boolean,
    Integer,
    Number,
    String,
    Array,
    Object,
}

impl JsonType {
    fn parse(name: &str) -> Result<JsonType, String> {
        Ok(match name {
            "null" => JsonType::Null,
            "boolean" => JsonType::Boolean,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "string" => JsonType::String,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            other => return Err(format!("unknown type `{other}`")),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }

    /// Draft 2020-12: a number with no fractional part is an integer, and
    /// every integer is a number.
    fn admits(self, v: &Json) -> bool {
        match (self, v) {
            (JsonType::Null, Json::Null)
            | (JsonType::Boolean, Json::Bool(_))
            | (JsonType::Number, Json::Number(_))
            | (JsonType::String, Json::String(_))
            | (JsonType::Array, Json::Array(_))
            | (JsonType::Object, Json::Object(_)) => true,
            (JsonType::Integer, Json::Number(n)) => is_integer(n),
            _ => false,
        }
    }
}

fn is_integer(n: &Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
}

/// What a mapping allows beyond its declared properties.
pub enum Additional {
    /// Anything (no `additionalProperties`, or `true`).
    Any,
    /// Nothing (`additionalProperties: false`).
    Forbidden,
    /// Values of this schema (a map's value type).
    Schema(Box<Schema>),
}

/// One compiled schema node.
pub struct Schema {
    /// Allowed types, as written; empty when `type` is absent.
    pub types: Vec<JsonType>,
    /// Declared properties, in the schema's order.
    pub properties: Vec<(String, Schema)>,
    pub additional: Additional,
    pub items: Option<Box<Schema>>,
    pub required: Vec<String>,
    pub enumeration: Option<Vec<Json>>,
    pub minimum: Option<Number>,
    pub maximum: Option<Number>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub max_properties: Option<u64>,
    pub pattern: Option<(String, Regex)>,
    /// The custom keywords (CEL rules, exclusive fields), in schema order.
    pub custom: Vec<(&'static str, Custom)>,
    /// The node has a CEL rule on durations (for a better type message).
    pub duration_cel: bool,
    /// `x-kubernetes-list-type: map`: the fields that identify an item;
    /// two items with the same values of them are a duplicate.
    pub list_map_keys: Vec<String>,
}

/// Keywords that carry no constraint. `x-kubernetes-list-type` matters
/// through `x-kubernetes-list-map-keys` (the generated schemas only use
/// `map`; `every_list_type_is_map_or_atomic` keeps it so).
const IGNORED: &[&str] = &["$schema", "title", "description", "x-kubernetes-list-type"];

/// The keyword of a list of items identified by some of their fields.
pub const LIST_MAP_KEYS: &str = "x-kubernetes-list-map-keys";

impl Schema {
    /// Compiles a schema node; the error names the pointer and the keyword.
    pub fn compile(json: &Json) -> Result<Schema, String> {
        compile_at(json, "")
    }

    /// The names of the declared properties, in the schema's order.
    pub fn property_names(&self) -> Vec<&str> {
        self.properties.iter().map(|(k, _)| k.as_str()).collect()
    }

    pub fn property(&self, key: &str) -> Option<&Schema> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, s)| s)
    }
}

fn compile_at(json: &Json, at: &str) -> Result<Schema, String> {
    let Json::Object(map) = json else {
        return Err(format!("{at}: a schema must be an object"));
    };
    let mut s = Schema {
        types: Vec::new(),
        properties: Vec::new(),
        additional: Additional::Any,
        items: None,
        required: Vec::new(),
        enumeration: None,
        minimum: None,
        maximum: None,
        min_length: None,
        max_length: None,
        min_items: None,
        max_items: None,
        max_properties: None,
        pattern: None,
        custom: Vec::new(),
        duration_cel: false,
        list_map_keys: Vec::new(),
    };
    for (keyword, value) in map {
        let here = format!("{at}/{keyword}");
        let bad = || format!("{here}: unexpected value {value}");
        match keyword.as_str() {
            "type" => {
                s.types = match value {
                    Json::String(t) => vec![JsonType::parse(t)?],
                    Json::Array(ts) => ts
                        .iter()
                        .map(|t| t.as_str().ok_or_else(bad).and_then(JsonType::parse))
                        .collect::<Result<_, _>>()?,
                    _ => return Err(bad()),
                }
            }
            "properties" => {
                let props = value.as_object().ok_or_else(bad)?;
                for (name, p) in props {
                    let child = compile_at(p, &format!("{here}/{name}"))?;
                    s.properties.push((name.clone(), child));
                }
            }
            "additionalProperties" => {
                s.additional = match value {
                    Json::Bool(true) => Additional::Any,
                    Json::Bool(false) => Additional::Forbidden,
                    Json::Object(_) => Additional::Schema(Box::new(compile_at(value, &here)?)),
                    _ => return Err(bad()),
                }
            }
            "items" => s.items = Some(Box::new(compile_at(value, &here)?)),
            "required" => {
                s.required = value
                    .as_array()
                    .ok_or_else(bad)?
                    .iter()
                    .map(|r| r.as_str().map(str::to_string).ok_or_else(bad))
                    .collect::<Result<_, _>>()?
            }
            "enum" => s.enumeration = Some(value.as_array().ok_or_else(bad)?.clone()),
            "minimum" => s.minimum = Some(number(value).ok_or_else(bad)?),
            "maximum" => s.maximum = Some(number(value).ok_or_else(bad)?),
            "minLength" => s.min_length = Some(value.as_u64().ok_or_else(bad)?),
            "maxLength" => s.max_length = Some(value.as_u64().ok_or_else(bad)?),
            "minItems" => s.min_items = Some(value.as_u64().ok_or_else(bad)?),
            "maxItems" => s.max_items = Some(value.as_u64().ok_or_else(bad)?),
            "maxProperties" => s.max_properties = Some(value.as_u64().ok_or_else(bad)?),
            "pattern" => {
                let text = value.as_str().ok_or_else(bad)?;
                let re = Regex::new(text).map_err(|e| format!("{here}: {e}"))?;
                s.pattern = Some((text.to_string(), re));
            }
            CEL | EXCLUSIVE | EXCLUSIVE_GROUPS => {
                let (name, custom) = Custom::compile(keyword, value).ok_or_else(bad)?;
                if name == CEL {
                    s.duration_cel = value.to_string().contains("duration(self)");
                }
                s.custom.push((name, custom));
            }
            LIST_MAP_KEYS => {
                s.list_map_keys = value
                    .as_array()
                    .ok_or_else(bad)?
                    .iter()
                    .map(|r| r.as_str().map(str::to_string).ok_or_else(bad))
                    .collect::<Result<_, _>>()?
            }
            k if IGNORED.contains(&k) => {}
            _ => return Err(format!("{here}: keyword not supported")),
        }
    }
    Ok(s)
}

fn number(v: &Json) -> Option<Number> {
    match v {
        Json::Number(n) => Some(n.clone()),
        _ => None,
    }
}

/// Numeric comparison across integer and float representations, exact for
/// integers (as jsonschema compares them).
pub fn compare(a: &Number, b: &Number) -> Option<std::cmp::Ordering> {
    let int = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (int(a), int(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`).
pub fn equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => compare(x, y) == Some(std::cmp::Ordering::Equal),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

impl Schema {
    pub(super) fn admits_type(&self, v: &Json) -> bool {
        self.types.is_empty() || self.types.iter().any(|t| t.admits(v))
    }
}
