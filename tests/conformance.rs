//! Verdicts on cases restated from Istio's and Kiali's own test suites
//! (testdata/conformance). Each object carries the expected verdict in its
//! `expect` annotation, and is found by kind, namespace and name (a
//! DestinationRule and a VirtualService of one name are two cases):
//! - `valid`, `invalid`: Istio's webhook verdict (accepted, rejected); ours
//!   is `invalid` when any error is reported on the object;
//! - `warning`: accepted with a warning, so a warning and no error;
//! - `clean`: nothing reported on the object;
//! - `IL5001` or `"IL5001,IL5002"`: exactly these codes, no other.
//!
//! The first line of a file may say `# args: ...` (extra `check` arguments).
//!
//! A case may also carry a `gap` annotation: a known disagreement, saying
//! what istiolint lacks. It must still disagree (a gap that closes fails the
//! test until the annotation is removed) and is counted apart, never as agreeing.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use common::check_json;
use istiolint::objects::extract;
use istiolint::yaml::{parse_stream, Limits};

/// (kind, namespace, name) of an object; no namespace is `default`, as kubectl applies it.
type Key = (String, String, String);

/// The expectation of every object of a file, by key, and its known gap.
fn expectations(text: &str) -> Result<BTreeMap<Key, String>, String> {
    Ok(cases(text)?.into_iter().map(|(k, (e, _))| (k, e)).collect())
}

type Case = (String, Option<String>);

fn cases(text: &str) -> Result<BTreeMap<Key, Case>, String> {
    let mut out = BTreeMap::new();
    let parsed = parse_stream(text, Limits::default());
    for object in parsed
        .documents
        .into_iter()
        .filter_map(|d| d.root)
        .flat_map(extract)
    {
        let key = (
            object.kind.clone(),
            object.namespace.clone().unwrap_or_else(|| "default".into()),
            object.name.clone().unwrap_or_default(),
        );
        let annotations = &object.json["metadata"]["annotations"];
        let Some(expect) = annotations["expect"].as_str() else {
            continue;
        };
        let gap = annotations["gap"].as_str().map(str::to_string);
        if out.insert(key.clone(), (expect.to_string(), gap)).is_some() {
            return Err(format!("two cases are {key:?}"));
        }
    }
    Ok(out)
}

fn agrees(expect: &str, found: &[(String, String)]) -> bool {
    let has = |sev: &str| found.iter().any(|(_, s)| s == sev);
    match expect {
        "valid" => !has("error"),
        "invalid" => has("error"),
        "warning" => has("warning") && !has("error"),
        "clean" => found.is_empty(),
        codes => {
            let want: BTreeSet<&str> = codes.split(',').map(str::trim).collect();
            let got: BTreeSet<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
            want == got
        }
    }
}

#[test]
fn verdicts_agree_with_istio_and_kiali() {
    let mut files: Vec<_> = fs::read_dir("testdata/conformance")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut total, mut disagreements, mut gaps) = (0, Vec::new(), 0);
    for path in files {
        let text = fs::read_to_string(&path).unwrap();
        let file = path.to_str().unwrap();
        let extra: Vec<&str> = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# args: "))
            .map(|a| a.split_whitespace().collect())
            .unwrap_or_default();
        let mut args = extra.clone();
        args.push(file);
        let (_, json) = check_json(&args);
        let mut by_object: BTreeMap<Key, Vec<(String, String)>> = BTreeMap::new();
        for d in json["diagnostics"].as_array().unwrap() {
            let o = &d["object"];
            if o.is_null() {
                continue;
            }
            let key = (
                o["kind"].as_str().unwrap().to_string(),
                o["namespace"].as_str().unwrap_or("default").to_string(),
                o["name"].as_str().unwrap_or("").to_string(),
            );
            let code = d["code"].as_str().unwrap().to_string();
            let severity = d["severity"].as_str().unwrap().to_string();
            by_object.entry(key).or_default().push((code, severity));
        }
        let cases = cases(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!cases.is_empty(), "{file} has no cases");
        for (object, (expect, gap)) in cases {
            total += 1;
            let found = by_object.get(&object).cloned().unwrap_or_default();
            if gap.is_some() {
                gaps += 1;
                if agrees(&expect, &found) {
                    let (kind, ns, name) = object;
                    disagreements.push(format!(
                        "{file}: {kind} {ns}/{name}: agrees now ({expect}): remove its `gap`"
                    ));
                }
                continue;
            }
            if !agrees(&expect, &found) {
                let (kind, ns, name) = object;
                disagreements.push(format!(
                    "{file}: {kind} {ns}/{name}: expected {expect}, got {found:?}"
                ));
            }
        }
    }
    // Printed with --nocapture; the closing notes quote it.
    println!(
        "conformance: {} of {total} verdicts agree ({gaps} known gaps)",
        total - gaps - disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {total} disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn expectations_are_read_by_kind_namespace_and_name() {
    let text = "apiVersion: v1\nkind: A\nmetadata:\n  name: a\n  namespace: ns\n  annotations: {expect: invalid}\n\
                ---\napiVersion: v1\nkind: B\nmetadata:\n  name: a\n  annotations:\n    expect: \"IL5001,IL5002\"\n\
                ---\napiVersion: v1\nkind: C\nmetadata: {name: c}\n";
    let key = |k: &str, ns: &str, n: &str| (k.to_string(), ns.to_string(), n.to_string());
    assert_eq!(
        expectations(text).unwrap(),
        BTreeMap::from([
            (key("A", "ns", "a"), "invalid".to_string()),
            (key("B", "default", "a"), "IL5001,IL5002".to_string()),
        ])
    );
    let twice = "apiVersion: v1\nkind: A\nmetadata: {name: a, annotations: {expect: valid}}\n---\n\
                 apiVersion: v1\nkind: A\nmetadata: {name: a, annotations: {expect: clean}}\n";
    assert!(expectations(twice).is_err());
    let gap = "apiVersion: v1\nkind: A\nmetadata: {name: a, annotations: {expect: invalid, gap: not yet}}\n";
    assert_eq!(
        cases(gap).unwrap(),
        BTreeMap::from([(
            key("A", "default", "a"),
            ("invalid".to_string(), Some("not yet".to_string()))
        )])
    );
}

#[test]
fn verdicts_are_strict() {
    let e = |c: &str, s: &str| (c.to_string(), s.to_string());
    let errors = [e("IL3005", "error")];
    assert!(agrees("invalid", &errors));
    assert!(!agrees("valid", &errors));
    assert!(!agrees("clean", &errors));
    assert!(agrees("clean", &[]));
    // A warning case needs a warning, and no error.
    assert!(!agrees("warning", &errors));
    assert!(!agrees(
        "warning",
        &[e("IL3016", "warning"), e("IL3005", "error")]
    ));
    assert!(agrees("warning", &[e("IL3016", "warning")]));
    // Codes match exactly: none missing, none extra.
    assert!(agrees("IL3005", &errors));
    assert!(!agrees("IL3005,IL3006", &errors));
    assert!(!agrees(
        "IL3006",
        &[e("IL3005", "error"), e("IL3006", "error")]
    ));
    assert!(agrees(
        "IL3006, IL3005",
        &[e("IL3005", "error"), e("IL3006", "error")]
    ));
}
