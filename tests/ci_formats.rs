//! CI formats, configuration and suppressions (issue: CI and pre-commit native).

mod common;

use common::{check_json, f, findings, istiolint};

fn run(args: &[&str]) -> (i32, String) {
    let (code, out, _) = common::outcome(istiolint().args(args));
    (code, out)
}

#[test]
fn sarif_has_the_structure_code_scanning_needs() {
    let (code, out) = run(&[
        "check",
        "--format=sarif",
        "--ignore=IL6002,IL5018",
        "testdata/check/mixed.yaml",
        "testdata/check/unknown-field.yaml",
    ]);
    assert_eq!(code, 1, "exit code does not depend on the format");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "istiolint");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["IL2001", "IL2002", "IL2003", "IL2004"]);
    for r in rules {
        assert!(
            r["name"].is_string()
                && r["shortDescription"]["text"].is_string()
                && r["help"]["text"].is_string()
        );
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let r = &results[0];
    assert_eq!(r["ruleId"], "IL2004");
    assert_eq!(
        rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "IL2004"
    );
    assert_eq!(r["level"], "error");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "testdata/check/mixed.yaml");
    assert_eq!(
        loc["region"],
        serde_json::json!({"startLine": 23, "startColumn": 7, "endLine": 23, "endColumn": 21})
    );
    let fp = r["partialFingerprints"]["istiolint/v1"].as_str().unwrap();
    assert_eq!(fp.len(), 16);
    // Stable across runs.
    let (_, again) = self::run(&[
        "check",
        "--format=sarif",
        "--ignore=IL6002,IL5018",
        "testdata/check/mixed.yaml",
        "testdata/check/unknown-field.yaml",
    ]);
    assert_eq!(out, again);
}

#[test]
fn junit_is_xml_with_a_suite_per_file_and_a_case_per_object() {
    let (code, out) = run(&[
        "check",
        "--format=junit",
        "testdata/check/mixed.yaml",
        "testdata/check/template.yaml",
    ]);
    assert_eq!(code, 1);
    let doc = roxmltree::Document::parse(&out).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(
        (root.attribute("tests"), root.attribute("failures")),
        (Some("3"), Some("2"))
    );
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert_eq!(suites.len(), 2);
    assert_eq!(
        suites[0].attribute("name"),
        Some("testdata/check/mixed.yaml")
    );
    let cases: Vec<_> = suites[0].children().filter(|n| n.is_element()).collect();
    assert_eq!(
        cases[1].attribute("name"),
        Some("DestinationRule recommendation")
    );
    let failures: Vec<_> = cases[1].children().filter(|n| n.is_element()).collect();
    let types: Vec<_> = failures
        .iter()
        .map(|f| f.attribute("type").unwrap())
        .collect();
    assert_eq!(types, ["IL2004", "IL2002", "IL2003"]);
    assert_eq!(
        failures[2].attribute("message"),
        Some("`baseEjectionTime`: duration \"500us\" is below the minimum 1ms")
    );
}

#[test]
fn github_annotations_are_exact_and_capped() {
    let (code, out) = run(&[
        "check",
        "--format=github",
        "testdata/check/unknown-field.yaml",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "testdata/check/unknown-field.yaml:8:5: error[IL2001] unknown field `connectionPol` in `trafficPolicy`\n\
         ::error file=testdata/check/unknown-field.yaml,line=8,endLine=8,col=5,endColumn=18,title=IL2001 unknown-field::unknown field `connectionPol` in `trafficPolicy`%0Ahelp: did you mean `connectionPool`?\n\
         Checked 1 file (1 object): 1 error, 0 warnings, 0 infos.\n"
    );
    // 26 errors (host missing, hots unknown): 10 annotated, a notice for the rest.
    let dir = tempfile::tempdir().unwrap();
    let many: String = (0..13)
        .map(|i| format!("---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: d{i}}}\nspec: {{hots: x}}\n"))
        .collect();
    let p = dir.path().join("many.yaml");
    std::fs::write(&p, many).unwrap();
    let (_, out) = run(&["check", "--format=github", p.to_str().unwrap()]);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("::error ")).count(),
        10
    );
    assert!(out.contains(
        "::notice title=istiolint::16 more findings were not annotated (GitHub shows at most 10 per type); all are listed in the log above\n"
    ));
}

#[test]
fn concise_quiet_and_statistics() {
    let (_, out) = run(&[
        "check",
        "--format=concise",
        "--quiet",
        "--statistics",
        "testdata/rules/outlier.yaml",
    ]);
    assert_eq!(
        out,
        "testdata/rules/outlier.yaml:10:25: info[IL3004] `maxConnections: 1` per client proxy: one HTTP/1.1 request is active at a time, the others wait for it\n\
         testdata/rules/outlier.yaml:12:7: warning[IL6001] `consecutiveErrors: 1` is ignored by current Istio (`consecutive5xxErrors` applies)\n\
         testdata/rules/outlier.yaml:14:33: warning[IL3003] `consecutiveGatewayErrors: 3` never triggers: gateway errors are 5xx, and `consecutive5xxErrors: 3` ejects first\n\
         testdata/rules/outlier.yaml:15:27: warning[IL3002] `maxEjectionPercent: 100` without `minHealthPercent` can eject every host: all requests then fail with 503\n\
         testdata/rules/outlier.yaml:27:29: error[IL3001] `maxEjectionPercent` is 101, outside 0-100\n\
         \u{20}    1  IL3001  outlier-percent-range\n\
         \u{20}    1  IL3002  outlier-can-eject-all\n\
         \u{20}    1  IL3003  gateway-errors-shadowed\n\
         \u{20}    1  IL3004  serialising-pool-limit\n\
         \u{20}    1  IL6001  consecutive-errors-ignored\n"
    );
}

#[test]
fn suppressions_by_annotation_and_comment_and_unused_ones_reported() {
    let (code, json) = check_json(&[
        "--ignore=IL5002,IL4017",
        "testdata/suppress/suppressed.yaml",
    ]);
    assert_eq!(code, 0);
    // Left: the unused VS annotation (IL2001 matched nothing) and the unused comment.
    assert_eq!(
        findings(&json),
        vec![f("IL1008", 21, 5), f("IL1008", 32, 5)]
    );
    assert_eq!(
        json["diagnostics"][0]["message"],
        "annotation `istiolint.io/ignore: IL2001` suppresses nothing"
    );
    assert_eq!(
        json["diagnostics"][1]["message"],
        "comment `istiolint: ignore[IL4003]` suppresses nothing"
    );
}

fn config_dir(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".istiolint.yaml"), config).unwrap();
    std::fs::create_dir_all(dir.path().join("apps/legacy")).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    std::fs::copy(
        format!("{root}/testdata/rules/outlier.yaml"),
        dir.path().join("apps/outlier.yaml"),
    )
    .unwrap();
    std::fs::copy(
        format!("{root}/testdata/rules/outlier.yaml"),
        dir.path().join("apps/legacy/outlier.yaml"),
    )
    .unwrap();
    dir
}

fn check_in(dir: &std::path::Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = istiolint()
        .current_dir(dir)
        .args(["check", "--format=json"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr))),
    )
}

#[test]
fn config_is_discovered_from_parents_and_flags_override_it() {
    let dir = config_dir(
        "ignore: [IL3004]\nseverity:\n  IL6001: error\nfail-on: warning\noverrides:\n- files: [\"apps/legacy/**\"]\n  ignore: [IL6001, IL3003]\nexclude: [\"**/skip/**\"]\n",
    );
    let apps = dir.path().join("apps");
    let (code, json) = check_in(&apps, &["."]);
    assert_eq!(code, 1);
    let got: Vec<(String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                format!(
                    "{}:{}",
                    d["code"].as_str().unwrap(),
                    d["severity"].as_str().unwrap()
                ),
            )
        })
        .collect();
    let expect = |f: &str, c: &str| (f.to_string(), c.to_string());
    assert_eq!(
        got,
        vec![
            expect("legacy/outlier.yaml", "IL3002:warning"),
            expect("legacy/outlier.yaml", "IL3001:error"),
            // The copy in legacy/ is identical: applying both loses
            // nothing, so no IL5018 (testdata/rules/duplicate-object.yaml).
            expect("outlier.yaml", "IL6001:error"),
            expect("outlier.yaml", "IL3003:warning"),
            expect("outlier.yaml", "IL3002:warning"),
            expect("outlier.yaml", "IL3001:error"),
        ]
    );
    // A flag replaces the file's value.
    let (_, json) = check_in(&apps, &["--ignore=IL3", "outlier.yaml"]);
    assert_eq!(findings(&json), vec![f("IL6001", 12, 7)]);
    let (_, json) = check_in(&apps, &["--no-config", "outlier.yaml"]);
    assert_eq!(json["summary"]["infos"], 1);
}

#[test]
fn config_errors_name_the_place_and_suggest() {
    let dir = config_dir("select: [IL2]\nignroe: [IL3004]\n");
    let out = istiolint()
        .current_dir(dir.path())
        .args(["check", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.ends_with(".istiolint.yaml:2:1: unknown config key `ignroe`; did you mean `ignore`?\n"),
        "{err}"
    );
    let out = istiolint()
        .current_dir(dir.path())
        .args(["check", "--config", "apps", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory, expected a config file"));
}

#[test]
fn config_command_prints_the_effective_configuration() {
    let dir = config_dir("istio-version: 1.22\nignore: [IL3004]\n");
    let out = istiolint()
        .current_dir(dir.path())
        .arg("config")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "istio-version: \"1.22.0\"\nfail-on: error\nselect: []\nignore: [\"IL3004\"]\n"
        ),
        "{text}"
    );
}

#[test]
fn context_files_resolve_references_but_are_not_reported() {
    let (code, json) = check_json(&[
        "--select=IL5",
        "--context=testdata/rules/subsets/dr.yaml",
        "testdata/rules/subsets/vs.yaml",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&json),
        vec![
            f("IL5001", 12, 51),
            f("IL5001", 14, 71),
            f("IL5002", 16, 47)
        ]
    );
    assert_eq!(json["summary"]["files"], 1);
}

#[test]
fn pre_commit_hook_file_declares_both_hooks() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.pre-commit-hooks.yaml"
    ))
    .unwrap();
    let out = istiolint::yaml::parse_stream(&text, Default::default());
    let hooks = out.documents[0].root.as_ref().unwrap().to_json();
    assert_eq!(hooks[0]["id"], "istiolint");
    assert_eq!(hooks[0]["language"], "rust");
    assert_eq!(hooks[0]["types_or"], serde_json::json!(["yaml", "json"]));
    assert_eq!(hooks[1]["types_or"], serde_json::json!(["yaml", "json"]));
    assert!(hooks[0]["entry"]
        .as_str()
        .unwrap()
        .starts_with("istiolint check"));
    assert_eq!(hooks[1]["id"], "istiolint-system");
    assert_eq!(hooks[1]["language"], "system");
}

#[test]
fn non_istio_yaml_passes_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("values.yaml");
    std::fs::write(&p, "replicaCount: 2\nimage: {tag: v1}\n").unwrap();
    let (code, out) = run(&["check", "--format=concise", "--quiet", p.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn completions_and_man_page() {
    let (code, out) = run(&["completions", "bash"]);
    assert_eq!(code, 0);
    assert!(out.contains("_istiolint()"));
    let (code, out) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(out.contains(".TH istiolint 1"));
}
