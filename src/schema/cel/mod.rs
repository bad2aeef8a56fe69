//! The CRDs' `x-kubernetes-validations` rules, evaluated as the API server
//! evaluates them (cel-go): `self` bound to the value the rule sits on,
//! integers as `int`, the strings extension's `substring`, durations in Go
//! syntax. A rule that evaluates to `false` rejects the value with its
//! message; a rule that fails to evaluate rejects it too, as the API server
//! does.
//!
//! Every rule text is evaluated, none is ported by hand, so a new CRD
//! release needs no code (a rule using CEL this evaluator does not know
//! fails `every_bundled_cel_rule_evaluates`). Why our own evaluator and not
//! the `cel` crate: measured, the crate (with its antlr parser and chrono)
//! added 76 s of CPU and about 45 s of wall time to a cold release build
//! (issue #17's budget is two minutes), and it departs from cel-go on
//! durations (`1e3s`). It stays the oracle: tests/cel_differential.rs
//! evaluates every bundled rule with both on generated values.

mod eval;
mod parse;

use serde_json::Value as Json;

use eval::V;
use parse::Expr;

/// One compiled rule.
pub struct CelProgram {
    expr: Expr,
}

impl CelProgram {
    /// Parses a rule; the error names what could not be read.
    pub fn compile(source: &str) -> Result<CelProgram, String> {
        Ok(CelProgram {
            expr: parse::parse(source)?,
        })
    }

    /// Whether `value` passes the rule; Err with the evaluation error (an
    /// unknown function, a missing key, a type mismatch) otherwise.
    pub fn eval(&self, value: &Json) -> Result<bool, String> {
        let mut vars = vec![("self", V::from_json(value))];
        match eval::eval(&self.expr, &mut vars)? {
            V::Bool(b) => Ok(b),
            other => Err(format!("the rule gave {other:?}, not a bool")),
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
        assert_eq!(
            eval("self.all(k, k.size() != 0)", json!({"a": 1})),
            Ok(true)
        );
        assert_eq!(
            eval("self.all(k, k.size() != 0)", json!({"": 1})),
            Ok(false)
        );
    }

    #[test]
    fn errors_are_absorbed_only_where_cel_absorbs_them() {
        // `false && error` is false, `error || true` is true...
        assert_eq!(eval("self.missing == 1 || true", json!({})), Ok(true));
        assert_eq!(eval("false && self.missing == 1", json!({})), Ok(false));
        // ...but `true && error` is an error, so the value is rejected.
        assert!(eval("true && self.missing == 1", json!({})).is_err());
        assert!(eval("self.address.startsWith('unix://')", json!({})).is_err());
        assert!(eval("self.all(x, x.a == 1)", json!([{"a": 2}, {}])) == Ok(false));
        assert!(eval("self.all(x, x.a == 1)", json!([{"a": 1}, {}])).is_err());
    }

    #[test]
    fn durations_are_go_durations() {
        let rule = "duration(self) >= duration('1ms')";
        assert_eq!(eval(rule, json!("1h2m")), Ok(true));
        assert_eq!(eval(rule, json!("999us")), Ok(false));
        assert!(eval(rule, json!("1e3s")).is_err());
        assert!(eval(rule, json!("5")).is_err());
    }
}
