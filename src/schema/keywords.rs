//! Custom keywords the schema generator emits for what plain JSON Schema
//! cannot say: the CRDs' CEL rules and Istio's "at most one of" fields.

use serde_json::Value;

use crate::duration;

pub const CEL: &str = "x-istiolint-cel";
pub const EXCLUSIVE: &str = "x-istiolint-exclusive";
pub const EXCLUSIVE_GROUPS: &str = "x-istiolint-exclusive-groups";

/// A compiled custom keyword.
pub enum Custom {
    /// The CEL rules istiolint evaluates, each with its message.
    Cel(Vec<(CelRule, String)>),
    /// Groups of fields of which at most one may be set.
    Exclusive(Vec<Vec<String>>),
}

impl Custom {
    /// Compiles `keyword: value`; None for a keyword that is not ours or a
    /// value of the wrong shape.
    pub fn compile(keyword: &str, value: &Value) -> Option<(&'static str, Custom)> {
        Some(match keyword {
            CEL => (CEL, Custom::Cel(cel_rules(value.as_array()?))),
            EXCLUSIVE => (EXCLUSIVE, Custom::Exclusive(vec![names(value)])),
            EXCLUSIVE_GROUPS => {
                let groups = value.as_array()?.iter().map(names).collect();
                (EXCLUSIVE_GROUPS, Custom::Exclusive(groups))
            }
            _ => return None,
        })
    }

    /// What is wrong with `instance`, or None.
    pub fn problem(&self, instance: &Value) -> Option<String> {
        match self {
            Custom::Cel(rules) => rules
                .iter()
                .find_map(|(rule, message)| rule.check(instance, message)),
            Custom::Exclusive(groups) => exclusive_problem(groups, instance),
        }
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
fn exclusive_problem(groups: &[Vec<String>], instance: &Value) -> Option<String> {
    let obj = instance.as_object()?;
    for group in groups {
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
pub enum CelRule {
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

fn cel_rules(rules: &[Value]) -> Vec<(CelRule, String)> {
    rules
        .iter()
        .filter_map(|r| {
            let rule = CelRule::parse(r["rule"].as_str()?)?;
            Some((
                rule,
                r["message"].as_str().unwrap_or("invalid value").to_string(),
            ))
        })
        .collect()
}
