//! Validates a JSON value against a compiled [`Schema`], collecting every
//! violation with its instance pointer (RFC 6901). Each keyword is checked on
//! its own, as JSON Schema does: a string where an integer with an `enum` is
//! expected breaks both `type` and `enum`.

use serde_json::{Number, Value as Json};

use super::keywords::{Custom, EXCLUSIVE, EXCLUSIVE_GROUPS};
use super::structural::{compare, equal, Additional, Schema, LIST_MAP_KEYS};
use std::fmt::Write;

/// Which keyword a value breaks, with what the message needs.
pub enum Kind<'s, 'i> {
    Type,
    Enum(&'s [Json]),
    Minimum(&'s Number),
    Maximum(&'s Number),
    MinLength(u64),
    MaxLength(u64),
    MinItems(u64),
    MaxItems(u64),
    MaxProperties(u64),
    Pattern(&'s str),
    Required(&'s str),
    /// A field `additionalProperties: false` does not allow.
    Unexpected(&'i str),
    /// Item `second` of a list-type map repeats the keys of item `first`.
    Duplicate {
        keys: &'s [String],
        first: usize,
        second: usize,
    },
    /// A custom keyword's message; for exclusive fields, the second field
    /// set (in the object's order) of the group in conflict.
    Custom {
        keyword: &'static str,
        message: String,
        second: Option<&'i str>,
    },
}

impl Kind<'_, '_> {
    /// The JSON Schema keyword, as jsonschema names it.
    pub fn keyword(&self) -> &'static str {
        match self {
            Kind::Type => "type",
            Kind::Enum(_) => "enum",
            Kind::Minimum(_) => "minimum",
            Kind::Maximum(_) => "maximum",
            Kind::MinLength(_) => "minLength",
            Kind::MaxLength(_) => "maxLength",
            Kind::MinItems(_) => "minItems",
            Kind::MaxItems(_) => "maxItems",
            Kind::MaxProperties(_) => "maxProperties",
            Kind::Pattern(_) => "pattern",
            Kind::Required(_) => "required",
            Kind::Unexpected(_) => "additionalProperties",
            Kind::Duplicate { .. } => LIST_MAP_KEYS,
            Kind::Custom { keyword, .. } => keyword,
        }
    }

    /// The wording jsonschema gave these errors, kept so findings stay as
    /// they were.
    pub fn text(&self, got: &Json) -> String {
        let plural = |n: u64, one: &str, many: &str| if n == 1 { one } else { many }.to_string();
        match *self {
            Kind::MaxLength(n) => {
                format!("{got} is longer than {n} character{}", plural(n, "", "s"))
            }
            Kind::MinLength(n) => {
                format!("{got} is shorter than {n} character{}", plural(n, "", "s"))
            }
            Kind::MaxItems(n) => format!("{got} has more than {n} item{}", plural(n, "", "s")),
            Kind::MinItems(n) => format!("{got} has less than {n} item{}", plural(n, "", "s")),
            Kind::MaxProperties(n) => {
                format!("{got} has more than {n} propert{}", plural(n, "y", "ies"))
            }
            Kind::Pattern(p) => format!("{got} does not match \"{p}\""),
            _ => format!("{got} breaks `{}`", self.keyword()),
        }
    }
}

pub struct Violation<'s, 'i> {
    /// Where in the instance: `/spec/hosts/0` (for `Required` and
    /// `Unexpected`, the object holding the field).
    pub pointer: String,
    /// The schema node broken.
    pub schema: &'s Schema,
    pub instance: &'i Json,
    pub kind: Kind<'s, 'i>,
}

/// Every violation of `schema` by `instance`.
pub fn violations<'s, 'i>(schema: &'s Schema, instance: &'i Json) -> Vec<Violation<'s, 'i>> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(schema, instance, &mut path, &mut out);
    out
}

fn walk<'s, 'i>(
    schema: &'s Schema,
    v: &'i Json,
    path: &mut Vec<Step<'i>>,
    out: &mut Vec<Violation<'s, 'i>>,
) {
    let mut report = |kind: Kind<'s, 'i>| {
        out.push(Violation {
            pointer: pointer(path),
            schema,
            instance: v,
            kind,
        })
    };
    if !schema.admits_type(v) {
        report(Kind::Type);
    }
    if let Some(options) = &schema.enumeration {
        if !options.iter().any(|o| equal(o, v)) {
            report(Kind::Enum(options));
        }
    }
    for (keyword, custom) in &schema.custom {
        for message in custom.problems(v) {
            let second = match custom {
                Custom::Exclusive(groups) => second_conflicting(groups, v),
                Custom::Cel(_) => None,
            };
            debug_assert!(second.is_none() || [EXCLUSIVE, EXCLUSIVE_GROUPS].contains(keyword));
            report(Kind::Custom {
                keyword,
                message,
                second,
            });
        }
    }
    match v {
        Json::Number(n) => {
            if let Some(limit) = &schema.minimum {
                if compare(n, limit) == Some(std::cmp::Ordering::Less) {
                    report(Kind::Minimum(limit));
                }
            }
            if let Some(limit) = &schema.maximum {
                if compare(n, limit) == Some(std::cmp::Ordering::Greater) {
                    report(Kind::Maximum(limit));
                }
            }
        }
        Json::String(s) => {
            let chars = || s.chars().count() as u64;
            if let Some(limit) = schema.max_length.filter(|l| chars() > *l) {
                report(Kind::MaxLength(limit));
            }
            if let Some(limit) = schema.min_length.filter(|l| chars() < *l) {
                report(Kind::MinLength(limit));
            }
            if let Some((text, re)) = &schema.pattern {
                if !re.is_match(s) {
                    report(Kind::Pattern(text));
                }
            }
        }
        Json::Array(items) => {
            let n = items.len() as u64;
            if let Some(limit) = schema.max_items.filter(|l| n > *l) {
                report(Kind::MaxItems(limit));
            }
            if let Some(limit) = schema.min_items.filter(|l| n < *l) {
                report(Kind::MinItems(limit));
            }
            if !schema.list_map_keys.is_empty() {
                for (first, second) in duplicate_items(&schema.list_map_keys, items) {
                    report(Kind::Duplicate {
                        keys: &schema.list_map_keys,
                        first,
                        second,
                    });
                }
            }
            if let Some(item_schema) = &schema.items {
                for (i, item) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    walk(item_schema, item, path, out);
                    path.pop();
                }
            }
        }
        Json::Object(map) => {
            if let Some(limit) = schema.max_properties.filter(|l| map.len() as u64 > *l) {
                report(Kind::MaxProperties(limit));
            }
            for property in &schema.required {
                if !map.contains_key(property) {
                    report(Kind::Required(property));
                }
            }
            for (key, value) in map {
                let child = match (schema.property(key), &schema.additional) {
                    (Some(p), _) => p,
                    (None, Additional::Schema(a)) => a,
                    (None, Additional::Any) => continue,
                    (None, Additional::Forbidden) => {
                        out.push(Violation {
                            pointer: pointer(path),
                            schema,
                            instance: v,
                            kind: Kind::Unexpected(key),
                        });
                        continue;
                    }
                };
                path.push(Step::Key(key));
                walk(child, value, path, out);
                path.pop();
            }
        }
        Json::Null | Json::Bool(_) => {}
    }
}

/// In the object's order, the second field set of the first group with more
/// than one (the one a finding points at).
fn second_conflicting<'i>(groups: &[Vec<String>], v: &'i Json) -> Option<&'i str> {
    let obj = v.as_object()?;
    groups.iter().find_map(|g| {
        let mut present = obj.keys().filter(|k| g.contains(k));
        present.next()?;
        present.next().map(String::as_str)
    })
}

/// One step from a value to a part of it.
enum Step<'i> {
    Key(&'i str),
    Index(usize),
}

/// The RFC 6901 pointer of a path, built only for a violation: the walk
/// visits every value of every object, and most are valid.
fn pointer(path: &[Step]) -> String {
    let mut p = String::new();
    for step in path {
        p.push('/');
        match step {
            Step::Key(k) => crate::yaml::push_pointer_token(&mut p, k),
            Step::Index(i) => {
                let _ = write!(p, "{i}");
            }
        }
    }
    p
}

/// Each item (by index) whose `keys` repeat those of an earlier item, with
/// the index of that earlier one, as the API server reports duplicates of a
/// `x-kubernetes-list-type: map` list. An absent key counts as null; items
/// that are not objects break `type` and are left out here.
pub fn duplicate_items(keys: &[String], items: &[Json]) -> Vec<(usize, usize)> {
    let same = |a: &Json, b: &Json| {
        keys.iter().all(|k| {
            let (x, y) = (a.get(k.as_str()), b.get(k.as_str()));
            equal(x.unwrap_or(&Json::Null), y.unwrap_or(&Json::Null))
        })
    };
    let mut out = Vec::new();
    for (j, b) in items.iter().enumerate().filter(|(_, b)| b.is_object()) {
        if let Some(i) = (0..j).find(|&i| items[i].is_object() && same(&items[i], b)) {
            out.push((i, j));
        }
    }
    out
}
