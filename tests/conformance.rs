//! Verdicts on cases restated from Istio's and Kiali's own test suites
//! (testdata/conformance). Each object carries the expected verdict in its
//! `expect` annotation:
//! - `valid`, `warning`, `invalid`: Istio's webhook verdict (accepted,
//!   accepted with a warning, rejected); ours is `invalid` when any error is
//!   reported on the object, and a `warning` case needs a warning or error;
//! - `clean`: nothing reported on the object;
//! - `IL5001|IL5002`: flagged with one of these codes.
//!
//! The first line of a file may say `# args: ...` (extra `check` arguments).

mod common;

use std::collections::BTreeMap;
use std::fs;

use common::check_json;

/// (namespace/name, expectation) of every object, in file order.
fn expectations(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut name, mut namespace) = (String::new(), String::new());
    for line in text.lines().map(str::trim) {
        // A document without a namespace is in `default`, as kubectl applies it.
        if line.starts_with("apiVersion:") {
            namespace = "default".to_string();
        }
        if let Some(n) = line.strip_prefix("name: ") {
            name = n.to_string();
        } else if let Some(n) = line.strip_prefix("namespace: ") {
            namespace = n.to_string();
        } else if let Some(e) = line.strip_prefix("annotations: {expect: ") {
            let e = e.trim_end_matches('}').trim_matches('"');
            out.push((format!("{namespace}/{name}"), e.to_string()));
        }
    }
    out
}

fn agrees(expect: &str, found: &[(String, String)]) -> bool {
    let has = |sev: &str| found.iter().any(|(_, s)| s == sev);
    match expect {
        "valid" => !has("error"),
        "invalid" => has("error"),
        "warning" => has("warning") || has("error"),
        "clean" => found.is_empty(),
        codes => found.iter().any(|(c, _)| codes.split('|').any(|x| x == c)),
    }
}

#[test]
fn verdicts_agree_with_istio_and_kiali() {
    let mut files: Vec<_> = fs::read_dir("testdata/conformance")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut total, mut disagreements) = (0, Vec::new());
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
        let mut by_object: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for d in json["diagnostics"].as_array().unwrap() {
            let o = &d["object"];
            if o.is_null() {
                continue;
            }
            let key = format!(
                "{}/{}",
                o["namespace"].as_str().unwrap_or("default"),
                o["name"].as_str().unwrap_or("")
            );
            let code = d["code"].as_str().unwrap().to_string();
            let severity = d["severity"].as_str().unwrap().to_string();
            by_object.entry(key).or_default().push((code, severity));
        }
        let cases = expectations(&text);
        assert!(!cases.is_empty(), "{file} has no cases");
        for (object, expect) in cases {
            total += 1;
            let found = by_object.get(&object).cloned().unwrap_or_default();
            if !agrees(&expect, &found) {
                disagreements.push(format!(
                    "{file}: {object}: expected {expect}, got {found:?}"
                ));
            }
        }
    }
    // Printed with --nocapture; the closing notes quote it.
    println!(
        "conformance: {} of {total} verdicts agree",
        total - disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {total} disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn expectations_are_read_from_annotations() {
    let text = "metadata:\n  name: a\n  namespace: n\n  annotations: {expect: invalid}\n";
    assert_eq!(
        expectations(text),
        [("n/a".to_string(), "invalid".to_string())]
    );
    let errors = [("IL3005".to_string(), "error".to_string())];
    assert!(agrees("invalid", &errors));
    assert!(!agrees("valid", &errors));
    assert!(agrees("IL3005|IL3006", &errors));
    assert!(!agrees("clean", &errors));
    assert!(agrees("clean", &[]));
}
