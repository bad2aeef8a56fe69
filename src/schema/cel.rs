//! The CRDs' `x-kubernetes-validations` rules, evaluated with the `cel`
//! crate as the API server evaluates them with cel-go: the standard library
//! plus the strings extension (`substring`, ...) Kubernetes enables, `self`
//! bound to the value the rule sits on, integers as `int`. A rule that
//! evaluates to `false` rejects the value with its message; a rule that
//! fails to evaluate rejects it too, as the API server does.
//!
//! Why a crate and not a port of each rule: the bundled 1.30.3 CRDs carry 23
//! distinct rules (362 uses), and every release adds some. Evaluating the
//! rule text means a new CRD needs no code, and a rule cannot be ported
//! wrongly. The few rules on hot paths (durations and ports, on every
//! VirtualService and DestinationRule) keep a native evaluation in
//! `keywords.rs`, which a test checks against this one.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use cel::objects::{Key, Map};
use cel::{Context, Env, Program, Value};
use serde_json::Value as Json;

/// One compiled rule.
pub struct CelProgram {
    pub source: String,
    program: Program,
}

/// The environment of Kubernetes' CEL: the standard library and the strings
/// extension. Built once.
fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        env.add_extension(cel::extensions::strings)
            .expect("the strings extension declares no conflicting overload");
        Arc::new(env)
    })
}

impl CelProgram {
    /// Compiles a rule; the error is the parser's.
    pub fn compile(source: &str) -> Result<CelProgram, String> {
        let program = env().compile(source).map_err(|e| e.to_string())?;
        Ok(CelProgram {
            source: source.to_string(),
            program,
        })
    }

    /// Whether `value` passes the rule; Err with the evaluation error (an
    /// unknown function, a missing key, a type mismatch) otherwise.
    pub fn eval(&self, value: &Json) -> Result<bool, String> {
        let mut context = Context::with_env(Arc::clone(env()));
        context
            .add_variable("self", to_cel(value))
            .map_err(|e| e.to_string())?;
        match self.program.execute(&context) {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!("the rule gave {other:?}, not a boolean")),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// A JSON value as the API server hands it to CEL: integers as `int` (the
/// CRDs' `integer` is int64), other numbers as `double`.
pub fn to_cel(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(u)) => Value::UInt(u),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(Arc::new(s.clone())),
        Json::Array(items) => Value::List(Arc::new(items.iter().map(to_cel).collect())),
        Json::Object(map) => {
            let entries: HashMap<Key, Value> = map
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), to_cel(v)))
                .collect();
            Value::Map(Map {
                map: Arc::new(entries),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(rule: &str, v: Json) -> Result<bool, String> {
        CelProgram::compile(rule).unwrap().eval(&v)
    }

    #[test]
    fn the_strings_extension_is_there() {
        let rule = r#"self.startsWith("unix://") ? (self.substring(7, 8) == "/" || self.substring(7, 8) == "@") : true"#;
        assert_eq!(eval(rule, json!("unix:///run/a.sock")), Ok(true));
        assert_eq!(eval(rule, json!("unix://@abstract")), Ok(true));
        assert_eq!(eval(rule, json!("unix://relative")), Ok(false));
        assert_eq!(eval(rule, json!("1.2.3.4")), Ok(true));
        // Out of range, as cel-go: an error, so the value is rejected.
        assert!(eval(rule, json!("unix://")).is_err());
    }

    #[test]
    fn has_and_macros_on_objects() {
        let one_of = "(has(self.workloadSelector) ? 1 : 0) + (has(self.endpoints) ? 1 : 0) <= 1";
        assert_eq!(eval(one_of, json!({"endpoints": []})), Ok(true));
        assert_eq!(
            eval(one_of, json!({"endpoints": [], "workloadSelector": {}})),
            Ok(false)
        );
        let unique = "self.all(l1, self.exists_one(l2, l1.number == l2.number))";
        assert_eq!(
            eval(unique, json!([{"number": 80}, {"number": 443}])),
            Ok(true)
        );
        assert_eq!(
            eval(unique, json!([{"number": 80}, {"number": 80}])),
            Ok(false)
        );
        assert_eq!(eval("0 < self && self <= 65535", json!(65536)), Ok(false));
        assert_eq!(
            eval(r#"self in ["", "HTTP", "HTTPS"]"#, json!("TCP")),
            Ok(false)
        );
    }

    #[test]
    fn a_missing_field_is_an_error_not_a_pass() {
        assert!(eval("self.address.startsWith('unix://')", json!({})).is_err());
    }
}
