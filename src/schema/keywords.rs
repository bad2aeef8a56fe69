//! Custom keywords the schema generator emits for what plain JSON Schema
//! cannot say: the CRDs' CEL rules and Istio's "at most one of" fields.

use jsonschema::paths::Location;
use jsonschema::{Keyword, ValidationError};
use serde_json::{Map, Value};

use crate::duration;

pub const CEL: &str = "x-istiolint-cel";
pub const EXCLUSIVE: &str = "x-istiolint-exclusive";
pub const EXCLUSIVE_GROUPS: &str = "x-istiolint-exclusive-groups";

pub fn options() -> jsonschema::ValidationOptions<'static> {
    jsonschema::options()
        .with_keyword(CEL, cel_factory)
        .with_keyword(
            EXCLUSIVE,
            |_: &Map<String, Value>, v: &Value, _: Location| {
                Ok(Box::new(AsKeyword(Exclusive(vec![names(v)]))) as Box<dyn for<'i> Keyword<'i>>)
            },
        )
        .with_keyword(
            EXCLUSIVE_GROUPS,
            |_: &Map<String, Value>, v: &Value, _: Location| {
                let groups = v.as_array().into_iter().flatten().map(names).collect();
                Ok(Box::new(AsKeyword(Exclusive(groups))) as Box<dyn for<'i> Keyword<'i>>)
            },
        )
}

/// A check that explains what is wrong with a value, or says nothing.
trait Problem: Send + Sync {
    fn problem(&self, instance: &Value) -> Option<String>;
}

/// Any [`Problem`] as a jsonschema keyword.
struct AsKeyword<T>(T);

impl<'i, T: Problem> Keyword<'i> for AsKeyword<T> {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match self.0.problem(instance) {
            Some(m) => Err(ValidationError::custom(m)),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        self.0.problem(instance).is_none()
    }
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// At most one field of each group may be present.
struct Exclusive(Vec<Vec<String>>);

impl Problem for Exclusive {
    fn problem(&self, instance: &Value) -> Option<String> {
        let obj = instance.as_object()?;
        for group in &self.0 {
            let set: Vec<&str> = group
                .iter()
                .filter(|f| obj.contains_key(f.as_str()))
                .map(String::as_str)
                .collect();
            if set.len() > 1 {
                return Some(format!(
                    "only one of {} may be set, found {}",
                    quote_list(group),
                    quote_list(&set)
                ));
            }
        }
        None
    }
}

fn quote_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The CEL rules from Istio's CRDs that istiolint knows how to evaluate.
/// Others are skipped (the generator lists them).
#[derive(Clone)]
enum CelRule {
    MinDuration1ms,
    Port,
    NoWildcard,
    NotStar,
    KeysNoWildcard,
    KeysNotEmpty,
    LabelKeys,
}

impl CelRule {
    fn parse(rule: &str) -> Option<CelRule> {
        Some(match rule {
            "duration(self) >= duration('1ms')" => CelRule::MinDuration1ms,
            "0 < self && self <= 65535" => CelRule::Port,
            "!self.contains(\"*\")" => CelRule::NoWildcard,
            "self != \"*\"" => CelRule::NotStar,
            "self.all(key, !key.contains(\"*\"))" => CelRule::KeysNoWildcard,
            "self.all(key, key.size() != 0)" => CelRule::KeysNotEmpty,
            r#"self.all(key, size(key) < 63 && key.matches("^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$"))"# => {
                CelRule::LabelKeys
            }
            _ => return None,
        })
    }

    /// None when valid, else a message (CEL's own, or more precise).
    fn check(&self, v: &Value, message: &str) -> Option<String> {
        let keys = || v.as_object().into_iter().flat_map(|o| o.keys());
        match self {
            CelRule::MinDuration1ms => {
                let s = v.as_str()?;
                match duration::parse(s) {
                    Err(e) => Some(e),
                    Ok(n) if n < 1_000_000 => {
                        Some(format!("duration \"{s}\" is below the minimum 1ms"))
                    }
                    Ok(_) => None,
                }
            }
            CelRule::Port => {
                let n = v.as_i64()?;
                (!(1..=65535).contains(&n)).then(|| format!("port {n} is outside 1-65535"))
            }
            CelRule::NoWildcard => v.as_str()?.contains('*').then(|| message.to_string()),
            CelRule::NotStar => (v.as_str()? == "*").then(|| message.to_string()),
            CelRule::KeysNoWildcard => keys()
                .find(|k| k.contains('*'))
                .map(|k| format!("{message}: \"{k}\"")),
            CelRule::KeysNotEmpty => keys().any(String::is_empty).then(|| message.to_string()),
            CelRule::LabelKeys => keys()
                .find(|k| !is_label_name(k))
                .map(|k| format!("{message}: \"{k}\"")),
        }
    }
}

fn is_label_name(k: &str) -> bool {
    let b = k.as_bytes();
    !b.is_empty()
        && b.len() < 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

struct Cel(Vec<(CelRule, String)>);

fn cel_factory<'a>(
    _: &'a Map<String, Value>,
    value: &'a Value,
    _: Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let rules = value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let rule = CelRule::parse(r["rule"].as_str()?)?;
            Some((
                rule,
                r["message"].as_str().unwrap_or("invalid value").to_string(),
            ))
        })
        .collect();
    Ok(Box::new(AsKeyword(Cel(rules))))
}

impl Problem for Cel {
    fn problem(&self, v: &Value) -> Option<String> {
        self.0
            .iter()
            .find_map(|(rule, message)| rule.check(v, message))
    }
}
