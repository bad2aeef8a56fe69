//! Inline expectations, as rustc's UI tests and ruff's fixtures have them.
//!
//! Every file under `testdata/rules/` is a fixture. It is checked on its
//! own (`check --format=json --no-config ARGS FILE`) and must report exactly
//! the findings its comments announce, no more and no fewer:
//! - `# expect: IL5001, IL5002@13` on the line of the findings (`@N`: the
//!   column too; a code twice for two findings);
//! - `# expect-next-line: CODES` on the line above, where the finding's line
//!   cannot carry a comment;
//! - `# expect-line N: CODES` anywhere, for line N;
//! - `# expect-args: ARGS` anywhere (by convention the last line, so adding
//!   it moves no finding): the `check` arguments, e.g. `--select=...` for
//!   opt-in rules or `--context=...` for the other files of a scenario.
//!
//! A file without expectations must be clean. Every rule that
//! `istiolint rules` lists needs at least one expectation.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use common::check_json;
use common::expect::{all_fixtures, compare, parse, Expected, Found};

fn report(file: &str, missing: &[Expected], extra: &[Found], out: &mut String) {
    for m in missing {
        let col = m.column.map_or(String::new(), |c| format!(":{c}"));
        let _ = writeln!(out, "  missing  {file}:{}{col} {}", m.line, m.code);
    }
    for x in extra {
        let _ = writeln!(
            out,
            "  extra    {file}:{}:{} {} {}",
            x.line, x.column, x.code, x.message
        );
    }
}

#[test]
fn every_fixture_reports_exactly_its_expectations() {
    let fixtures = all_fixtures();
    assert!(fixtures.len() >= 30, "only {} fixtures", fixtures.len());
    let mut failures = String::new();
    let mut checked = 0;
    for (file, fixture) in &fixtures {
        let mut args: Vec<&str> = vec!["--no-config"];
        args.extend(fixture.args.iter().map(String::as_str));
        args.push(file);
        let (_, json) = check_json(&args);
        let mut found = Vec::new();
        for d in json["diagnostics"].as_array().unwrap() {
            let f = Found {
                line: d["line"].as_u64().unwrap(),
                column: d["column"].as_u64().unwrap(),
                code: d["code"].as_str().unwrap().to_string(),
                message: d["message"].as_str().unwrap().to_string(),
            };
            // Context files are never reported on: anything there is extra.
            if d["file"] != file.as_str() {
                let _ = writeln!(
                    failures,
                    "  extra    {}:{}:{} {} {} (a context file)",
                    d["file"], f.line, f.column, f.code, f.message
                );
                continue;
            }
            found.push(f);
        }
        checked += found.len();
        let (missing, extra) = compare(&fixture.expected, &found);
        report(file, &missing, &extra, &mut failures);
    }
    println!(
        "expectations: {checked} findings in {} fixtures",
        fixtures.len()
    );
    assert!(
        failures.is_empty(),
        "findings differ from the fixtures' `# expect:` comments:\n{failures}"
    );
}

#[test]
fn every_rule_has_an_expectation() {
    let (code, out, _) = common::outcome(common::istiolint().arg("rules"));
    assert_eq!(code, 0);
    let rules: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(rules.len() >= 60, "{out}");
    let covered: BTreeSet<String> = all_fixtures()
        .into_iter()
        .flat_map(|(_, f)| f.expected.into_iter().map(|e| e.code))
        .collect();
    let uncovered: Vec<&str> = rules
        .into_iter()
        .filter(|r| !covered.contains(*r))
        .collect();
    assert!(
        uncovered.is_empty(),
        "rules without a fixture expectation under testdata/rules: {uncovered:?}"
    );
}

#[test]
fn expectation_comments_parse_and_compare() {
    let text = "a: 1  # expect: IL5001, IL5002@13\n\
                # expect-next-line: IL3004\n\
                b: 2\n\
                # expect-line 9: IL1006@1\n\
                # expect-args: --select=IL6002 --context=x.yaml\n";
    let fixture = parse(text).unwrap();
    assert_eq!(fixture.args, ["--select=IL6002", "--context=x.yaml"]);
    let e = |line, code: &str, column| Expected {
        line,
        code: code.into(),
        column,
    };
    assert_eq!(
        fixture.expected,
        [
            e(1, "IL5001", None),
            e(1, "IL5002", Some(13)),
            e(3, "IL3004", None),
            e(9, "IL1006", Some(1))
        ]
    );
    assert_eq!(
        parse("a: 1 # expect: IL50").unwrap_err(),
        "line 1: `IL50` is not a rule code"
    );
    assert!(parse("# expect-lines 3: IL1001").is_err());
    assert!(parse("# expect: IL1001@x").is_err());

    let found = |line, column, code: &str| Found {
        line,
        column,
        code: code.into(),
        message: String::new(),
    };
    // A bare code matches any column; the column-pinned one is served first.
    let (missing, extra) = compare(
        &[e(1, "IL5001", None), e(1, "IL5001", Some(20))],
        &[found(1, 20, "IL5001"), found(1, 7, "IL5001")],
    );
    assert!(missing.is_empty() && extra.is_empty());
    // A wrong column is both a missing and an extra finding.
    let (missing, extra) = compare(&[e(2, "IL4006", Some(3))], &[found(2, 4, "IL4006")]);
    assert_eq!(missing, [e(2, "IL4006", Some(3))]);
    assert_eq!((extra[0].line, extra[0].column), (2, 4));
    // Two findings need two codes.
    let (missing, extra) = compare(
        &[e(5, "IL3016", None)],
        &[found(5, 1, "IL3016"), found(5, 9, "IL3016")],
    );
    assert!(missing.is_empty());
    assert_eq!(extra.len(), 1);
}
