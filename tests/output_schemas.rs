//! Outputs checked against what reads them (issue #20): SARIF against the
//! official SARIF 2.1.0 schema, `--format json` and `diff --format json`
//! against the schemas we publish in schemas/output/, and JUnit through an
//! XML parser with its counts, for every fixture under testdata/ and
//! examples/.

mod common;

use std::path::{Path, PathBuf};

use istiolint::check::{self, Options, Report};
use istiolint::diagnostic::Severity;
use istiolint::report::{self, Format, Style};
use serde_json::{json, Value};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn fixtures() -> Vec<PathBuf> {
    let out = common::manifest_files();
    assert!(out.len() > 100, "fixtures not found: {}", out.len());
    out
}

/// Every rule on, the opt-in ones too, so each fixture shows all it can.
fn all_rules() -> Options {
    Options {
        select: ["IL1", "IL2", "IL3", "IL4", "IL5", "IL6", "IL6002", "IL6004"]
            .map(String::from)
            .to_vec(),
        ..Options::default()
    }
}

fn relative(p: &Path) -> PathBuf {
    p.strip_prefix(ROOT).unwrap_or(p).to_path_buf()
}

/// The reports to validate: each fixture alone, and all of them at once
/// (cross-file findings, many suites).
fn reports() -> Vec<(String, Report)> {
    std::env::set_current_dir(ROOT).unwrap();
    let files: Vec<PathBuf> = fixtures().iter().map(|p| relative(p)).collect();
    let mut out: Vec<(String, Report)> = files
        .iter()
        .map(|f| {
            let r = check::run(std::slice::from_ref(f), &all_rules()).unwrap();
            (f.display().to_string(), r)
        })
        .collect();
    out.push((
        "all fixtures".into(),
        check::run(&files, &all_rules()).unwrap(),
    ));
    let total: usize = out.iter().map(|(_, r)| r.diagnostics.len()).sum();
    assert!(total > 1000, "the fixtures produce findings: {total}");
    out
}

fn render(r: &Report, format: Format) -> String {
    let mut buf = Vec::new();
    report::write(r, format, Style::default(), &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

fn load(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap()).unwrap()
}

fn validator(schema: &Value, draft: jsonschema::Draft) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(true)
        .build(schema)
        .unwrap()
}

/// Validation errors of `instance`, as `pointer: message` lines.
fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn sarif_is_valid_sarif_2_1_0_for_every_fixture() {
    let v = validator(
        &load("testdata/standards/sarif-schema-2.1.0.json"),
        jsonschema::Draft::Draft4,
    );
    let mut failures = Vec::new();
    for (name, r) in reports() {
        let sarif: Value = serde_json::from_str(&render(&r, Format::Sarif)).unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap().len();
        assert_eq!(results, r.diagnostics.len(), "{name}");
        for e in errors(&v, &sarif) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The validator is not vacuous: it rejects what SARIF forbids.
#[test]
fn the_sarif_schema_rejects_broken_sarif() {
    let v = validator(
        &load("testdata/standards/sarif-schema-2.1.0.json"),
        jsonschema::Draft::Draft4,
    );
    let r = check::run(
        &[PathBuf::from(ROOT).join("testdata/check/mixed.yaml")],
        &all_rules(),
    )
    .unwrap();
    let mut sarif: Value = serde_json::from_str(&render(&r, Format::Sarif)).unwrap();
    assert!(errors(&v, &sarif).is_empty());
    sarif["runs"][0]["results"][0]["level"] = "fatal".into();
    sarif["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    // Formats are checked too (draft 4 knows `uri`, not `uri-reference`).
    sarif["$schema"] = "not a uri".into();
    assert_eq!(errors(&v, &sarif).len(), 3, "{:?}", errors(&v, &sarif));
}

#[test]
fn json_output_matches_its_published_schema_for_every_fixture() {
    let v = validator(
        &load("schemas/output/check.json"),
        jsonschema::Draft::Draft202012,
    );
    let mut failures = Vec::new();
    for (name, r) in reports() {
        let json: Value = serde_json::from_str(&render(&r, Format::Json)).unwrap();
        for e in errors(&v, &json) {
            failures.push(format!("{name}: {e}"));
        }
        // What a schema cannot say: the summary counts what is listed.
        let count = |s: &str| {
            json["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["severity"] == s)
                .count()
        };
        let s = &json["summary"];
        assert_eq!(
            (
                s["errors"].as_u64(),
                s["warnings"].as_u64(),
                s["infos"].as_u64()
            ),
            (
                Some(count("error") as u64),
                Some(count("warning") as u64),
                Some(count("info") as u64)
            ),
            "{name}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_json_schema_rejects_what_we_never_write() {
    let v = validator(
        &load("schemas/output/check.json"),
        jsonschema::Draft::Draft202012,
    );
    let r = check::run(
        &[PathBuf::from(ROOT).join("testdata/check/mixed.yaml")],
        &all_rules(),
    )
    .unwrap();
    let mut json: Value = serde_json::from_str(&render(&r, Format::Json)).unwrap();
    assert!(errors(&v, &json).is_empty());
    json["diagnostics"][0]["severity"] = "fatal".into();
    json["diagnostics"][1]["pointer"] = "no-slash".into();
    json["diagnostics"][2]["extra"] = 1.into();
    json["summary"]["files"] = (-1).into();
    assert_eq!(errors(&v, &json).len(), 4, "{:?}", errors(&v, &json));
}

#[test]
fn junit_parses_and_its_counts_add_up_for_every_fixture() {
    for (name, r) in reports() {
        let xml = render(&r, Format::Junit);
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let attr = |n: roxmltree::Node, a: &str| -> usize {
            n.attribute(a)
                .unwrap_or_else(|| panic!("{name}: no {a}"))
                .parse()
                .unwrap()
        };
        let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
        assert_eq!(suites.len(), r.files.len(), "{name}: a suite per file");
        let (mut tests, mut failing_cases, mut failures) = (0, 0, 0);
        for suite in &suites {
            let cases: Vec<_> = suite.children().filter(|n| n.is_element()).collect();
            let failing = cases
                .iter()
                .filter(|c| c.children().any(|f| f.has_tag_name("failure")))
                .count();
            assert_eq!(attr(*suite, "tests"), cases.len(), "{name}");
            assert_eq!(attr(*suite, "failures"), failing, "{name}");
            tests += cases.len();
            failing_cases += failing;
            failures += cases
                .iter()
                .flat_map(|c| c.children())
                .filter(|f| f.has_tag_name("failure"))
                .count();
        }
        assert_eq!(attr(root, "tests"), tests, "{name}");
        assert_eq!(attr(root, "failures"), failing_cases, "{name}");
        // Every error and warning is a <failure>; infos are not.
        let failing_diagnostics = r
            .diagnostics
            .iter()
            .filter(|d| d.severity >= Severity::Warning)
            .count();
        assert_eq!(failures, failing_diagnostics, "{name}");
    }
}

/// Exact counts on a known pair of files: ports/ has a Service, a
/// ServiceEntry and two VirtualServices with three IL5013 warnings.
#[test]
fn junit_counts_of_a_known_directory() {
    let (code, out, _) = common::outcome(common::istiolint().args([
        "check",
        "--format=junit",
        "--select=IL5013",
        "testdata/rules/ports",
    ]));
    assert_eq!(code, 0, "warnings do not fail the run by default");
    let doc = roxmltree::Document::parse(&out).unwrap();
    let root = doc.root_element();
    assert_eq!(
        (root.attribute("tests"), root.attribute("failures")),
        (Some("4"), Some("2"))
    );
    let suites: Vec<(Option<&str>, Option<&str>, Option<&str>)> = root
        .children()
        .filter(|n| n.is_element())
        .map(|s| {
            (
                s.attribute("name"),
                s.attribute("tests"),
                s.attribute("failures"),
            )
        })
        .collect();
    assert_eq!(
        suites,
        [
            (
                Some("testdata/rules/ports/routes.yaml"),
                Some("2"),
                Some("2")
            ),
            (
                Some("testdata/rules/ports/services.yaml"),
                Some("2"),
                Some("0")
            )
        ]
    );
    let types: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .map(|n| n.attribute("type").unwrap())
        .collect();
    assert_eq!(types, ["IL5013", "IL5013", "IL5013"]);
}

#[test]
fn diff_json_matches_its_published_schema() {
    let v = validator(
        &load("schemas/output/diff.json"),
        jsonschema::Draft::Draft202012,
    );
    let runs: [&[&str]; 3] = [
        // changed objects and one only applied
        &[
            "testdata/diff/local",
            "--against",
            "testdata/diff/applied.yaml",
            "--show-extra",
        ],
        // objects that will be created
        &[
            "examples/istiofiles",
            "--against",
            "testdata/diff/applied.yaml",
        ],
        // the bookinfo corpus against the tutorial: everything differs
        &[
            "testdata/corpus/bookinfo",
            "--against",
            "examples/istiofiles",
            "--show-extra",
        ],
    ];
    let mut statuses = std::collections::BTreeSet::new();
    for args in runs {
        let (code, out, err) = common::outcome(
            common::istiolint()
                .arg("diff")
                .args(args)
                .arg("--format=json"),
        );
        assert_eq!(code, 1, "{args:?}: {err}");
        let json: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(errors(&v, &json), Vec::<String>::new(), "{args:?}");
        for o in json["objects"].as_array().unwrap() {
            statuses.insert(o["status"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        ["changed", "not-in-local-files", "will-be-created"]
    );
    // Not vacuous: a change without `new` is rejected.
    let bad = serde_json::json!({"objects": [{"group": "", "kind": "K", "namespace": "n", "name": "x",
        "status": "changed", "summary": [], "changes": [{"pointer": "/a", "old": 1}]}]});
    assert_eq!(errors(&v, &bad).len(), 1);
}

/// Runs istiolint and parses its JSON output, with the exit code it must have.
fn json_of(args: &[&str], code: i32) -> Value {
    let (got, out, err) = common::outcome(common::istiolint().args(args));
    assert_eq!(got, code, "{args:?}: {err}{out}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
}

#[test]
fn route_json_matches_its_published_schema() {
    let v = validator(
        &load("schemas/output/route.json"),
        jsonschema::Draft::Draft202012,
    );
    let tutorial = "examples/istiofiles/virtual-service-recommendation-v1_and_v2_50_50.yml";
    let runs: [&[&str]; 6] = [
        // a 50/50 split from a sidecar
        &[
            "route",
            tutorial,
            "-n",
            "tutorial",
            "--host",
            "recommendation",
            "--port",
            "8080",
        ],
        // the Firefox rule, with its header
        &[
            "route",
            "examples/istiofiles/virtual-service-firefox-recommendation-v2.yml",
            "-n",
            "tutorial",
            "--host",
            "recommendation",
            "--port",
            "8080",
            "--header",
            "user-agent: Mozilla Firefox",
        ],
        // a delegate merged under its root rule
        &[
            "route",
            "testdata/route/delegate/root-catch-all.yaml",
            "--host",
            "productpage.org",
            "--path",
            "/productpage/v1/x",
            "--header",
            "version: v1",
        ],
        // a gateway's httpsRedirect: 301
        &[
            "route",
            "testdata/route/gateway/redirect.yaml",
            "--host",
            "example.com",
            "--gateway",
            "default/gateway2",
        ],
        // no route on a gateway: 404
        &[
            "route",
            "testdata/route/gateway/simple.yaml",
            "--host",
            "foo.bar",
            "--path",
            "/other",
            "--gateway",
            "default/gateway",
        ],
        // no VirtualService for the host on a sidecar: PassthroughCluster
        &[
            "route",
            tutorial,
            "-n",
            "tutorial",
            "--host",
            "unknown.example.com",
        ],
    ];
    let mut seen = Vec::new();
    for args in runs {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        let json = json_of(&args, 0);
        assert_eq!(errors(&v, &json), Vec::<String>::new(), "{args:?}");
        seen.push((
            json["matched"].clone(),
            json["status"].clone(),
            json["destinations"].as_array().unwrap().len(),
        ));
    }
    assert_eq!(
        seen,
        [
            (json!(true), json!(200), 2),
            (json!(true), json!(200), 1),
            (json!(true), json!(200), 1),
            (json!(false), json!(301), 0),
            (json!(false), json!(404), 0),
            (json!(false), json!(200), 0),
        ]
    );
    // Not vacuous: a match without its VirtualService, a cluster name of
    // the wrong shape and an unknown key are each rejected.
    let mut good = json_of(&[runs[0], &["--format", "json"]].concat(), 0);
    good["virtual_service"] = Value::Null;
    assert_eq!(errors(&v, &good).len(), 1, "{:?}", errors(&v, &good));
    let mut good = json_of(&[runs[0], &["--format", "json"]].concat(), 0);
    good["clusters"][0] = json!("outbound|8080|recommendation");
    good["extra"] = json!(1);
    assert_eq!(errors(&v, &good).len(), 2, "{:?}", errors(&v, &good));
}

#[test]
fn test_json_matches_its_published_schema() {
    let v = validator(
        &load("schemas/output/test.json"),
        jsonschema::Draft::Draft202012,
    );
    let runs: [(&[&str], i32); 4] = [
        (
            &[
                "-t",
                "testdata/route/gateway/redirect.test.yaml",
                "testdata/route/gateway/redirect.yaml",
            ],
            0,
        ),
        (
            &[
                "-t",
                "testdata/route/delegate/root-catch-all.test.yaml",
                "testdata/route/delegate/root-catch-all.yaml",
            ],
            0,
        ),
        // istio-config-validator's delegate example: failures that say why
        (
            &[
                "-t",
                "testdata/route/validator/delegate_test.yml",
                "testdata/route/validator/delegate.yaml",
            ],
            1,
        ),
        (
            &[
                "-n",
                "tutorial",
                "-t",
                "examples/routing/firefox.test.yaml",
                "examples/istiofiles/virtual-service-firefox-recommendation-v2.yml",
                "examples/istiofiles/destination-rule-recommendation-v1-v2.yml",
            ],
            0,
        ),
    ];
    let mut failed = 0;
    for (args, code) in runs {
        let args = [&["test", "--format", "json"][..], args].concat();
        let json = json_of(&args, code);
        assert_eq!(errors(&v, &json), Vec::<String>::new(), "{args:?}");
        failed += json["summary"]["failed"].as_u64().unwrap();
    }
    assert!(failed > 0, "no failing case was validated");
    // Not vacuous: a passed case with failures, and a failure without messages.
    let bad = json!({"cases": [{"file": "t.yaml", "line": 1, "name": "x", "requests": 1, "passed": true,
        "failures": [{"request": "GET /", "messages": [], "answered_by": null, "notes": []}]}],
        "summary": {"cases": 1, "passed": 1, "failed": 0}});
    assert_eq!(errors(&v, &bad).len(), 2, "{:?}", errors(&v, &bad));
}

#[test]
fn explain_json_matches_its_published_schema() {
    let v = validator(
        &load("schemas/output/explain.json"),
        jsonschema::Draft::Draft202012,
    );
    let runs: [&[&str]; 4] = [
        &[
            "recommendation",
            "examples/istiofiles",
            "-n",
            "tutorial",
            "--concurrency",
            "10",
            "--clients",
            "3",
        ],
        &["testdata/corpus/bookinfo"],
        &[
            "productpage.org",
            "testdata/route/delegate/root-catch-all.yaml",
        ],
        &["testdata/explain/cases"],
    ];
    let mut routes = 0;
    for args in runs {
        let args = [&["explain", "--format", "json"][..], args].concat();
        let json = json_of(&args, 0);
        assert_eq!(errors(&v, &json), Vec::<String>::new(), "{args:?}");
        for h in json["hosts"].as_array().unwrap() {
            routes += h["routes"].as_array().unwrap().len();
        }
    }
    assert!(routes > 10, "{routes} routes validated");
    // Not vacuous: a route from an unknown source and a cluster without breakers.
    let mut json = json_of(
        &[
            "explain",
            "--format",
            "json",
            "productpage.org",
            "testdata/route/delegate/root-catch-all.yaml",
        ],
        0,
    );
    json["hosts"][0]["routes"][0]["source"] = json!("sidecar");
    json["hosts"][0]["subsets"][0]
        .as_object_mut()
        .unwrap()
        .remove("circuit_breakers");
    assert_eq!(errors(&v, &json).len(), 2, "{:?}", errors(&v, &json));
}
