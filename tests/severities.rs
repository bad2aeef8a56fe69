//! One severity per rule: every finding on every fixture has the severity
//! that `istiolint rules --istio-version V` prints for its rule, V being the
//! version the fixture is checked against.

mod common;

use std::collections::BTreeMap;

use common::expect::all_fixtures;
use common::{check_json, istiolint, outcome};

/// `istiolint rules [--istio-version V]`: code -> severity.
fn printed_severities(version: Option<&str>) -> BTreeMap<String, String> {
    let mut cmd = istiolint();
    cmd.arg("rules");
    if let Some(v) = version {
        cmd.arg(format!("--istio-version={v}"));
    }
    let (code, out, err) = outcome(&mut cmd);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols[0].to_string(), cols[2].to_string())
        })
        .collect()
}

fn version_of(args: &[String]) -> Option<&str> {
    args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--istio-version=")
            .or_else(|| (a == "--istio-version").then(|| args[i + 1].as_str()))
    })
}

#[test]
fn every_finding_has_its_rules_printed_severity() {
    let mut tables: BTreeMap<Option<String>, BTreeMap<String, String>> = BTreeMap::new();
    let mut runs: Vec<Vec<String>> = all_fixtures()
        .into_iter()
        .map(|(file, fixture)| {
            let mut args = fixture.args;
            args.push(file);
            args
        })
        .collect();
    // The conformance cases and the older releases, where severities differ.
    runs.push(vec!["testdata/conformance".into()]);
    for v in ["1.14", "1.19", "1.22"] {
        runs.push(vec![
            format!("--istio-version={v}"),
            "testdata/rules".into(),
        ]);
    }
    let mut checked = 0;
    let mut wrong = Vec::new();
    for args in &runs {
        let version = version_of(args).map(str::to_string);
        let table = tables
            .entry(version.clone())
            .or_insert_with(|| printed_severities(version.as_deref()));
        let mut all: Vec<&str> = vec!["--no-config"];
        all.extend(args.iter().map(String::as_str));
        let (_, json) = check_json(&all);
        for d in json["diagnostics"].as_array().unwrap() {
            let code = d["code"].as_str().unwrap();
            checked += 1;
            if d["severity"].as_str() != table.get(code).map(String::as_str) {
                wrong.push(format!(
                    "{}:{} {code} is {} but `istiolint rules` says {:?} ({args:?})",
                    d["file"],
                    d["line"],
                    d["severity"],
                    table.get(code)
                ));
            }
        }
    }
    assert!(checked > 300, "only {checked} findings");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn version_dependent_severities_are_printed() {
    let newest = printed_severities(None);
    let old = printed_severities(Some("1.14"));
    // Istio 1.14 still rejected weights that do not add up to 100.
    assert_eq!(newest["IL4003"], "warning");
    assert_eq!(old["IL4003"], "error");
    // Before 1.20 a DestinationRule without caCertificates verified nothing.
    assert_eq!(newest["IL3017"], "info");
    assert_eq!(old["IL3017"], "warning");
    let (_, table, _) = outcome(istiolint().args(["rules", "--markdown"]));
    assert!(
        table.contains("| IL4003 | `weights-not-100` | warning (error before 1.15) |"),
        "{table}"
    );
    let (_, doc, _) = outcome(istiolint().args(["rule", "IL3017"]));
    assert!(
        doc.contains("(default severity: info (warning before 1.20))"),
        "{doc}"
    );
}
