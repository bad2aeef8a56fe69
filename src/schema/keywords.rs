//! Custom keywords the schema generator emits for what plain JSON Schema
//! cannot say: the CRDs' CEL rules and Istio's "at most one of" fields.

use serde_json::Value;

use super::cel::CelProgram;
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

    /// What is wrong with `instance`: every failing CEL rule (the API
    /// server reports each), or the first group in conflict.
    pub fn problems(&self, instance: &Value) -> Vec<String> {
        match self {
            Custom::Cel(rules) => rules
                .iter()
                .filter_map(|(rule, message)| rule.check(instance, message))
                .collect(),
            Custom::Exclusive(groups) => exclusive_problem(groups, instance).into_iter().collect(),
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

/// A CEL rule from Istio's CRDs. The rules on hot paths (every
/// VirtualService and DestinationRule) are evaluated natively; every other
/// rule by our CEL evaluator (src/schema/cel/).
/// `native_rules_agree_with_the_evaluator` checks the native ones against it.
pub enum CelRule {
    Program(Box<CelProgram>),
    MinDuration1ms,
    Port,
    NoWildcard,
    NotStar,
    KeysNoWildcard,
    KeysNotEmpty,
    LabelKeys,
}

impl CelRule {
    /// The rule, natively where known, else compiled; None for a rule the
    /// CEL parser rejects (`every_bundled_cel_rule_evaluates` keeps that
    /// from happening to a bundled one).
    pub fn parse(rule: &str) -> Option<CelRule> {
        if let Some(native) = CelRule::native(rule) {
            return Some(native);
        }
        CelProgram::compile(rule)
            .ok()
            .map(|p| CelRule::Program(Box::new(p)))
    }

    /// The rule evaluated natively, if it is one of those.
    pub fn native(rule: &str) -> Option<CelRule> {
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
    pub fn check(&self, v: &Value, message: &str) -> Option<String> {
        let keys = || v.as_object().into_iter().flat_map(|o| o.keys());
        match self {
            CelRule::Program(p) => match p.eval(v) {
                Ok(true) => None,
                Ok(false) => Some(message.to_string()),
                Err(e) => Some(format!("{message} (the rule cannot be evaluated: {e})")),
            },
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
            let text = r["rule"].as_str()?;
            let rule = CelRule::parse(text)?;
            // The API server's message when the rule has none.
            let message = match r["message"].as_str() {
                Some(m) => m.to_string(),
                None => format!("failed rule: {text}"),
            };
            Some((rule, message))
        })
        .collect()
}

/// Every distinct CEL rule of the bundled schemas with its message, in
/// schema order (for the tests that evaluate each one).
pub fn bundled_cel_rules() -> Vec<(String, String)> {
    fn walk(v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(m) => {
                for r in m.get(CEL).and_then(Value::as_array).into_iter().flatten() {
                    let rule = r["rule"].as_str().unwrap_or_default().to_string();
                    let message = r["message"].as_str().unwrap_or_default().to_string();
                    if !out.iter().any(|(x, _)| *x == rule) {
                        out.push((rule, message));
                    }
                }
                m.values().for_each(|c| walk(c, out));
            }
            Value::Array(a) => a.iter().for_each(|c| walk(c, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for s in super::SCHEMAS {
        if let Ok(json) = serde_json::from_str(s.json) {
            walk(&json, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::cel::CelProgram;
    use serde_json::json;

    /// Values of every JSON type a rule may sit on.
    fn samples() -> Vec<Value> {
        vec![
            json!("1ms"),
            json!("unix:///a"),
            json!("*"),
            json!(""),
            json!(80),
            json!(0),
            json!({}),
            json!({"a": "b"}),
            json!({"address": "1.2.3.4", "ports": {"http": 80}}),
            json!({"resolution": "DNS", "endpoints": [{}], "addresses": ["10.0.0.0/8"]}),
            json!([]),
            json!([{"number": 80}, {"number": 80}]),
        ]
    }

    #[test]
    fn every_bundled_cel_rule_evaluates() {
        let rules = bundled_cel_rules();
        assert!(rules.len() >= 23, "{} rules", rules.len());
        let mut by_evaluator = 0;
        for (rule, _) in &rules {
            let compiled = CelRule::parse(rule).unwrap_or_else(|| panic!("does not parse: {rule}"));
            by_evaluator += usize::from(matches!(compiled, CelRule::Program(_)));
            // The evaluator knows every function the rule calls: on some value
            // of the type it sits on, it gives a boolean, not an error.
            let program = CelProgram::compile(rule).unwrap();
            let ok = samples().iter().filter(|v| program.eval(v).is_ok()).count();
            assert!(ok > 0, "never evaluates: {rule}");
        }
        assert!(
            by_evaluator >= 16,
            "{by_evaluator} rules left to the evaluator"
        );
    }

    #[test]
    fn native_rules_agree_with_the_evaluator() {
        let values: Vec<Value> = [
            "1ms",
            "999us",
            "1000us",
            "0s",
            "0.001s",
            "1h2m",
            "1.5s",
            "-1s",
            "1",
            "abc",
            "",
            "*",
            "*.example.com",
            "a*b",
            "10ms",
            "1e3s",
        ]
        .iter()
        .map(|s| json!(s))
        .chain([0, 1, 80, 65535, 65536, -1].iter().map(|n| json!(n)))
        .chain([
            json!({}),
            json!({"app": "x"}),
            json!({"": "x"}),
            json!({"a*": "x"}),
            json!({"-a": "x"}),
            json!({ "a".repeat(62): "x" }),
            json!({ "a".repeat(63): "x" }),
            json!({"a.b/c": "x"}),
        ])
        .collect();
        let (mut compared, mut differ) = (0, Vec::<String>::new());
        for (rule, message) in bundled_cel_rules() {
            let Some(native) = CelRule::native(&rule) else {
                continue;
            };
            let program = CelProgram::compile(&rule).unwrap();
            for v in &values {
                // A value of another type breaks the schema's `type`, which
                // is reported on its own; the rule only sees its own type.
                let Ok(by_evaluator) = program.eval(v) else {
                    if v.is_string() && rule.contains("duration") {
                        // An unparsable duration: an error for both.
                        assert!(native.check(v, &message).is_some(), "{rule} on {v}");
                        compared += 1;
                    }
                    continue;
                };
                let by_us = native.check(v, &message).is_none();
                if by_us != by_evaluator {
                    differ.push(format!("{rule} on {v}: evaluator {by_evaluator}"));
                }
                compared += 1;
            }
        }
        assert!(compared > 40, "{compared} comparisons");
        assert!(differ.is_empty(), "{differ:#?}");
    }
}
