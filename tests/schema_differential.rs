//! Our structural-schema validator (src/schema/structural.rs) against the
//! `jsonschema` crate (draft 2020-12) on the same bundled schemas: on every
//! fixture document, at every bundled Istio release, and on documents
//! mutated by proptest, both must find the same set of (instance pointer,
//! keyword, detail). The detail is the unexpected or missing field, the
//! custom keyword's message, or jsonschema's own text for the limits whose
//! wording our findings reuse. Our custom keywords are plugged into
//! jsonschema as its custom keywords, so both sides agree on what they mean
//! and the test checks where each keyword applies.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

use istiolint::objects::extract;
use istiolint::schema::keywords::{Custom, CEL, EXCLUSIVE, EXCLUSIVE_GROUPS};
use istiolint::schema::structural::LIST_MAP_KEYS;
use istiolint::schema::walk::{duplicate_items, violations, Kind};
use istiolint::schema::{lookup, nulls, releases, Compiled, IstioVersion, Lookup, GROUP};
use istiolint::yaml::{escape_pointer_token, parse_stream, Limits};
use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::Location;
use jsonschema::{Keyword, ValidationError};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

type Found = BTreeSet<(String, String, String)>;

/// A custom keyword of ours, run by jsonschema.
struct Ours(Custom);

impl<'i> Keyword<'i> for Ours {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match self.0.problems(instance).into_iter().next() {
            Some(m) => Err(ValidationError::custom(m)),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        self.0.problems(instance).is_empty()
    }

    fn iter_errors(
        &self,
        instance: &'i Value,
    ) -> Box<dyn Iterator<Item = ValidationError<'i>> + 'i> {
        let problems = self.0.problems(instance);
        Box::new(problems.into_iter().map(|m| ValidationError::custom(m)))
    }
}

/// `x-kubernetes-list-map-keys`, run by jsonschema: one error per item
/// that repeats an earlier item's keys ("earlier,later").
struct ListMapKeys(Vec<String>);

impl<'i> Keyword<'i> for ListMapKeys {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match self.iter_errors(instance).next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        self.iter_errors(instance).next().is_none()
    }

    fn iter_errors(
        &self,
        instance: &'i Value,
    ) -> Box<dyn Iterator<Item = ValidationError<'i>> + 'i> {
        let items = instance.as_array().map(Vec::as_slice).unwrap_or_default();
        let pairs = duplicate_items(&self.0, items);
        Box::new(
            pairs
                .into_iter()
                .map(|(a, b)| ValidationError::custom(format!("{a},{b}"))),
        )
    }
}

fn reference(schema: &Value) -> jsonschema::Validator {
    let mut options = jsonschema::options().with_draft(jsonschema::Draft::Draft202012);
    for keyword in [CEL, EXCLUSIVE, EXCLUSIVE_GROUPS] {
        options = options.with_keyword(
            keyword,
            move |_: &Map<String, Value>, v: &Value, _: Location| {
                let (_, custom) = Custom::compile(keyword, v).expect("our keyword compiles");
                Ok(Box::new(Ours(custom)) as Box<dyn for<'i> Keyword<'i>>)
            },
        );
    }
    options = options.with_keyword(
        LIST_MAP_KEYS,
        |_: &Map<String, Value>, v: &Value, _: Location| {
            let keys = v.as_array().expect("a list of keys");
            let keys = keys.iter().map(|k| k.as_str().unwrap().to_string());
            Ok(Box::new(ListMapKeys(keys.collect())) as Box<dyn for<'i> Keyword<'i>>)
        },
    );
    options.build(schema).expect("bundled schema compiles")
}

/// jsonschema's validator per compiled schema, built once.
fn reference_for(compiled: &'static Compiled) -> &'static jsonschema::Validator {
    static CACHE: OnceLock<std::sync::Mutex<HashMap<usize, &'static jsonschema::Validator>>> =
        OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    let key = compiled as *const Compiled as usize;
    cache
        .entry(key)
        .or_insert_with(|| Box::leak(Box::new(reference(&compiled.schema))))
}

fn theirs(validator: &jsonschema::Validator, json: &Value) -> Found {
    let mut out = Found::new();
    for e in validator.iter_errors(json) {
        let at = e.instance_path().as_str().to_string();
        match e.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    out.insert((
                        format!("{at}/{}", escape_pointer_token(key)),
                        "additionalProperties".into(),
                        String::new(),
                    ));
                }
            }
            ValidationErrorKind::Required { property } => {
                out.insert((at, "required".into(), property.as_str().unwrap().into()));
            }
            ValidationErrorKind::Custom { message, .. } => {
                let keyword = e.schema_path().as_str().rsplit('/').next().unwrap();
                out.insert((at, keyword.to_string(), message.clone()));
            }
            ValidationErrorKind::Type { .. }
            | ValidationErrorKind::Enum { .. }
            | ValidationErrorKind::Minimum { .. }
            | ValidationErrorKind::Maximum { .. } => {
                out.insert((at, e.kind().keyword().to_string(), String::new()));
            }
            other => {
                out.insert((at, other.keyword().to_string(), e.to_string()));
            }
        }
    }
    out
}

fn ours(compiled: &Compiled, json: &Value) -> Found {
    let mut out = Found::new();
    for v in violations(&compiled.validator, json) {
        let keyword = v.kind.keyword().to_string();
        let entry = match &v.kind {
            Kind::Unexpected(key) => (
                format!("{}/{}", v.pointer, escape_pointer_token(key)),
                keyword,
                String::new(),
            ),
            Kind::Required(p) => (v.pointer, keyword, p.to_string()),
            Kind::Custom { message, .. } => (v.pointer, keyword, message.clone()),
            Kind::Duplicate { first, second, .. } => {
                (v.pointer, keyword, format!("{first},{second}"))
            }
            Kind::Type | Kind::Enum(_) | Kind::Minimum(_) | Kind::Maximum(_) => {
                (v.pointer, keyword, String::new())
            }
            other => {
                let text = other.text(v.instance);
                (v.pointer, keyword, text)
            }
        };
        out.insert(entry);
    }
    out
}

fn fixtures() -> Vec<PathBuf> {
    let out = common::manifest_files();
    assert!(out.len() > 100, "fixtures not found: {}", out.len());
    out
}

/// Every Istio networking object of the fixtures with its schema at each
/// bundled release that serves it, nulls pruned as `check` prunes them.
fn documents() -> &'static [(String, &'static Compiled, Value)] {
    static DOCS: OnceLock<Vec<(String, &'static Compiled, Value)>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let mut out = Vec::new();
        for path in fixtures() {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for doc in parse_stream(&text, Limits::default()).documents {
                let Some(root) = doc.root else { continue };
                for object in extract(root) {
                    if object.group != GROUP {
                        continue;
                    }
                    for release in releases() {
                        if let Lookup::Found(c) = lookup(*release, &object.kind, &object.version) {
                            let mut json = object.json.clone();
                            nulls::prune(&mut json, &c.schema);
                            let name = format!("{} at {release}", path.display());
                            out.push((name, c, json));
                        }
                    }
                }
            }
        }
        out
    })
}

#[test]
fn agrees_with_jsonschema_on_every_fixture() {
    let docs = documents();
    assert!(docs.len() > 500, "fixture documents: {}", docs.len());
    let mut invalid = 0;
    let mut kinds = BTreeSet::new();
    for (name, compiled, json) in docs {
        let expected = theirs(reference_for(compiled), json);
        assert_eq!(ours(compiled, json), expected, "{name}");
        invalid += usize::from(!expected.is_empty());
        kinds.extend(expected.into_iter().map(|(_, k, _)| k));
    }
    // The fixtures exercise the keywords, not only valid documents.
    assert!(invalid > 50, "invalid documents: {invalid}");
    for k in [
        "type",
        "enum",
        "required",
        "additionalProperties",
        CEL,
        EXCLUSIVE,
        LIST_MAP_KEYS,
    ] {
        assert!(kinds.contains(k), "no fixture breaks `{k}`: {kinds:?}");
    }
}

#[test]
fn limits_and_patterns_agree() {
    let release: IstioVersion = "1.30.3".parse().unwrap();
    let Lookup::Found(c) = lookup(release, "ServiceEntry", "v1") else {
        panic!("ServiceEntry v1 at 1.30.3");
    };
    let long = "h".repeat(300);
    let doc = json!({"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry",
        "metadata": {"name": "x"},
        "spec": {"hosts": [], "addresses": [long],
            "ports": [{"number": 80, "name": long, "protocol": "HTTP"}],
            "endpoints": [{"address": "1.1.1.1", "labels": {}}]}});
    let found = ours(c, &doc);
    assert_eq!(found, theirs(reference_for(c), &doc));
    let keywords: BTreeSet<&str> = found.iter().map(|(_, k, _)| k.as_str()).collect();
    assert!(keywords.contains("minItems") && keywords.contains("maxLength"));
    let Lookup::Found(wg) = lookup(release, "WorkloadGroup", "v1") else {
        panic!("WorkloadGroup v1");
    };
    let doc = json!({"apiVersion": "networking.istio.io/v1", "kind": "WorkloadGroup",
        "metadata": {"name": "x"}, "spec": {"template": {}, "probe": {"httpGet": {"port": 80,
        "httpHeaders": [{"name": "bad header"}, {"name": "ok-1"}]}}}});
    let found = ours(wg, &doc);
    assert_eq!(found, theirs(reference_for(wg), &doc));
    assert!(found
        .iter()
        .any(|(p, k, _)| k == "pattern" && p == "/spec/probe/httpGet/httpHeaders/0/name"));
    let Lookup::Found(vs) = lookup(release, "VirtualService", "v1") else {
        panic!("VirtualService v1");
    };
    let doc = json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
        "metadata": {"name": "x"}, "spec": {"hosts": ["a"], "http": [{
            "directResponse": {"status": -1}, "retries": {"attempts": 2.5},
            "route": [{"destination": {"host": "a"}, "weight": 4294967296u64}]}]}});
    let found = ours(vs, &doc);
    assert_eq!(found, theirs(reference_for(vs), &doc));
    let at = |p: &str, k: &str| found.contains(&(p.to_string(), k.to_string(), String::new()));
    assert!(
        at("/spec/http/0/directResponse/status", "minimum"),
        "{found:?}"
    );
    assert!(at("/spec/http/0/route/0/weight", "maximum"), "{found:?}");
    assert!(at("/spec/http/0/retries/attempts", "type"), "{found:?}");
}

/// Values a mutation puts somewhere: every JSON type, limits' edges, text
/// the custom keywords look at.
fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop_oneof![
            Just(0i64),
            Just(-1),
            Just(65535),
            Just(65536),
            Just(1 << 32)
        ]
        .prop_map(Value::from),
        prop_oneof![Just(1.5f64), Just(2.0), Just(-0.5)].prop_map(Value::from),
        prop_oneof![
            Just(""),
            Just("*"),
            Just("*.example.com"),
            Just("1ms"),
            Just("0.5ms"),
            Just("5s"),
            Just("ROUND_ROBIN"),
            Just("bad key"),
        ]
        .prop_map(Value::from),
        Just(Value::String("x".repeat(300))),
        Just(json!([])),
        Just(json!([1, "a", {}])),
        Just(json!({})),
        Just(json!({"*": "v", "": 1})),
    ]
}

#[derive(Clone, Debug)]
enum Edit {
    Replace,
    /// Add a field named like a known one, or not.
    Insert(&'static str),
    Remove,
}

/// The pointer `steps` lead to: each step picks a field or an item; a
/// replacement may stop on a scalar, an insertion or removal needs an object.
fn target(doc: &Value, steps: &[usize], edit: &Edit) -> String {
    let mut at = doc;
    let mut pointer = String::new();
    for &s in steps {
        let (token, next) = match at {
            Value::Object(m) if !m.is_empty() => {
                let (k, v) = m.iter().nth(s % m.len()).unwrap();
                (escape_pointer_token(k), v)
            }
            Value::Array(a) if !a.is_empty() => ((s % a.len()).to_string(), &a[s % a.len()]),
            _ => break,
        };
        if !matches!(edit, Edit::Replace) && !next.is_object() {
            break;
        }
        pointer = format!("{pointer}/{token}");
        at = next;
    }
    pointer
}

fn mutate(doc: &mut Value, steps: &[usize], edit: &Edit, with: Value) {
    let pointer = target(doc, steps, edit);
    let at = doc.pointer_mut(&pointer).expect("the pointer was found");
    match (edit, at) {
        (Edit::Replace, at) => *at = with,
        (Edit::Insert(key), Value::Object(m)) => {
            m.insert((*key).to_string(), with);
        }
        (Edit::Remove, Value::Object(m)) if !m.is_empty() => {
            let i = steps.last().copied().unwrap_or(0) % m.len();
            let key = m.keys().nth(i).cloned().unwrap_or_default();
            m.shift_remove(&key);
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn agrees_with_jsonschema_on_mutated_documents(
        index in any::<usize>(),
        steps in prop::collection::vec(any::<usize>(), 0..8),
        edit in prop_oneof![
            Just(Edit::Replace),
            Just(Edit::Insert("name")),
            Just(Edit::Insert("host")),
            Just(Edit::Insert("simple")),
            Just(Edit::Insert("consistentHash")),
            Just(Edit::Insert("bogus")),
            Just(Edit::Remove),
        ],
        with in replacement(),
    ) {
        let docs = documents();
        let (name, compiled, json) = &docs[index % docs.len()];
        let mut doc = json.clone();
        mutate(&mut doc, &steps, &edit, with);
        let expected = theirs(reference_for(compiled), &doc);
        prop_assert_eq!(ours(compiled, &doc), expected, "{} mutated: {}", name, doc);
    }
}
