//! Our CEL evaluator (src/schema/cel/) against the `cel` crate (with
//! cel-go's strings extension, as Kubernetes enables it) on every CEL rule
//! of the bundled CRDs: on generated values built from the fields and
//! values the rules look at, both must pass or both reject. The one place
//! the crate departs from cel-go is pinned: it reads an exponent in a
//! duration (`1e3s`), which Go's `time.ParseDuration` (cel-go's
//! `duration()`) rejects.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use cel::objects::{Key, Map};
use cel::{Context, Env, Program};
use istiolint::schema::cel::CelProgram;
use istiolint::schema::keywords::bundled_cel_rules;
use proptest::prelude::*;
use serde_json::{json, Value};

fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        env.add_extension(cel::extensions::strings).unwrap();
        Arc::new(env)
    })
}

fn to_cel(v: &Value) -> cel::Value {
    match v {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => cel::Value::Float(n.as_f64().unwrap()),
        },
        Value::String(s) => cel::Value::String(Arc::new(s.clone())),
        Value::Array(a) => cel::Value::List(Arc::new(a.iter().map(to_cel).collect())),
        Value::Object(m) => {
            let entries: HashMap<Key, cel::Value> = m
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), to_cel(v)))
                .collect();
            cel::Value::Map(Map {
                map: Arc::new(entries),
            })
        }
    }
}

/// Whether the crate passes `v`: true only for a `true` result.
fn crate_passes(program: &Program, v: &Value) -> bool {
    let mut context = Context::with_env(Arc::clone(env()));
    context.add_variable("self", to_cel(v)).unwrap();
    matches!(program.execute(&context), Ok(cel::Value::Bool(true)))
}

/// Every distinct CEL rule in the bundled schemas, compiled by both.
fn rules() -> &'static [(String, CelProgram, Program)] {
    static RULES: OnceLock<Vec<(String, CelProgram, Program)>> = OnceLock::new();
    RULES.get_or_init(|| {
        bundled_cel_rules()
            .into_iter()
            .map(|(t, _)| {
                let ours = CelProgram::compile(&t).unwrap();
                let theirs = env().compile(&t).unwrap();
                (t, ours, theirs)
            })
            .collect()
    })
}

const STRINGS: &[&str] = &[
    "",
    "*",
    "a*",
    "*.example.com",
    "api",
    "unix://",
    "unix:///run/a.sock",
    "unix://@abstract",
    "unix://relative",
    "unix:///run/dir/",
    "10.0.0.1",
    "10.0.0.0/8",
    "1ms",
    "999us",
    "0s",
    "1h2m",
    "1.5s",
    "-1s",
    "5",
    "HTTP",
    "HTTPS",
    "TCP",
    "NONE",
    "STATIC",
    "DNS",
    "DNS_ROUND_ROBIN",
    "WAYPOINT",
    "SIDECAR_INBOUND",
    "a-b",
    "-a",
    "a.b/c",
    "é",
];

const KEYS: &[&str] = &[
    "address",
    "network",
    "ports",
    "workloadSelector",
    "endpoints",
    "targetRefs",
    "resolution",
    "addresses",
    "context",
    "waypoint",
    "credentialName",
    "credentialNames",
    "tlsCertificates",
    "number",
    "name",
    "app",
    "",
    "a*",
];

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        prop::sample::select(STRINGS).prop_map(|s| json!(s)),
        prop::sample::select(&[-1i64, 0, 1, 80, 443, 65535, 65536][..]).prop_map(|n| json!(n)),
        any::<bool>().prop_map(|b| json!(b)),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..4).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// The crate's one departure from cel-go: an exponent in a duration.
fn known_departure(rule: &str, v: &Value) -> bool {
    rule.contains("duration(") && v.as_str().is_some_and(|s| s.contains(['e', 'E']))
}

#[test]
fn the_pinned_departure_is_real() {
    let rule = "duration(self) >= duration('1ms')";
    let theirs = env().compile(rule).unwrap();
    let ours = CelProgram::compile(rule).unwrap();
    let v = json!("1e3s");
    assert!(crate_passes(&theirs, &v));
    assert!(ours.eval(&v).is_err());
    assert!(known_departure(rule, &v));
}

#[test]
fn every_rule_agrees_on_the_fixed_values() {
    let rules = rules();
    assert!(rules.len() >= 23, "{} rules", rules.len());
    let mut values: Vec<Value> = STRINGS.iter().map(|s| json!(s)).collect();
    values.extend([json!(0), json!(80), json!(65536), json!({}), json!([])]);
    values.push(json!({"address": "unix:///a", "ports": {"http": 80}}));
    values.push(json!({"resolution": "DNS", "addresses": ["10.0.0.0/8"]}));
    values.push(json!({"endpoints": [{}, {}], "resolution": "DNS_ROUND_ROBIN"}));
    values.push(json!([{"number": 80}, {"number": 80}]));
    values.push(json!({"context": "WAYPOINT", "waypoint": {}}));
    let mut rejected = 0;
    for (text, ours, theirs) in rules {
        for v in &values {
            let us = ours.eval(v) == Ok(true);
            assert_eq!(us, crate_passes(theirs, v), "{text} on {v}");
            rejected += usize::from(!us);
        }
    }
    assert!(rejected > 100, "{rejected} rejections");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_rule_agrees_on_generated_values(v in value()) {
        for (text, ours, theirs) in rules() {
            if known_departure(text, &v) {
                continue;
            }
            let us = ours.eval(&v) == Ok(true);
            prop_assert_eq!(us, crate_passes(theirs, &v), "{} on {}", text, v);
        }
    }
}
