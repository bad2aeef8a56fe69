//! Issue #17 (conventions and rough edges) and #14.9/#14.11: exact output,
//! exit codes and bytes for each item.

mod common;

use common::{check_json, f, findings, istiolint, outcome};

const T: &str = "testdata/conventions";

fn concise(args: &[&str]) -> (i32, String, String) {
    outcome(istiolint().args(["check", "--format=concise"]).args(args))
}

fn tmp_copy(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        let name = std::path::Path::new(f).file_name().unwrap();
        std::fs::copy(f, dir.path().join(name)).unwrap();
    }
    dir
}

// 1. --fix on a file with a byte-order mark fixes it and keeps the mark.
#[test]
fn fix_keeps_the_byte_order_mark() {
    let dir = tmp_copy(&[&format!("{T}/bom.yaml")]);
    let file = dir.path().join("bom.yaml");
    let (code, out, err) = outcome(
        istiolint()
            .args(["check", "--fix", "--select=IL6003"])
            .arg(&file),
    );
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "Checked 1 file (1 object): 0 errors, 0 warnings, 0 infos.\n",
            "Fixed 1 problem in 1 file.\n"
        )
    );
    let bytes = std::fs::read(&file).unwrap();
    let original = std::fs::read(format!("{T}/bom.yaml")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF# Mirror 10%"));
    let expected = String::from_utf8(original).unwrap().replace(
        "mirrorPercent: 10    #",
        "mirrorPercentage: {value: 10}    #",
    );
    assert_eq!(String::from_utf8(bytes).unwrap(), expected);
}

// 2. The user's mistakes in generate are refused like bad flags.
#[test]
fn generate_refuses_bad_hosts_and_labels_as_usage_errors() {
    let (code, out, err) = outcome(istiolint().args(["generate", "split", "r.foo..bar", "a", "b"]));
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.starts_with("error: invalid value 'r.foo..bar' for '<HOST>': domain name \"foo..bar\" invalid (label \"\" invalid)\n"),
        "{err}"
    );
    let (code, _, err) = outcome(istiolint().args(["generate", "subsets", "r", "v1:ver$ion=v1"]));
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: invalid value 'v1:ver$ion=v1' for '<NAME:KEY=VALUE>...': subset `v1:ver$ion=v1`: invalid tag key: \"ver$ion\"\n"),
        "{err}"
    );
    assert!(!err.contains("internal error"));
}

// 3. The diff summary of a policy moved into a subset, the header naming the
// other side, and the hint about a missing -n.
#[test]
fn diff_names_its_sides_and_hints_at_the_namespace() {
    let (code, out, err) = outcome(istiolint().args([
        "diff",
        "--color=never",
        &format!("{T}/dup/vs.yaml"),
        "--against",
        "testdata/diff/applied.yaml",
    ]));
    assert_eq!(code, 1);
    assert!(out.starts_with(
        "Summary:\n  VirtualService default/recommendation: will be created\n\n+ VirtualService default/recommendation (will be created)\n--- testdata/diff/applied.yaml\n+++ local\n"
    ), "{out}");
    assert_eq!(
        err,
        "istiolint: note: objects that will be created exist in namespace tutorial; is `-n tutorial` missing?\n"
    );
}

// 3 (and 9): an object defined twice: diff compares the last and says so.
#[test]
fn diff_says_which_duplicate_it_compares() {
    let (code, _, err) = outcome(istiolint().args([
        "diff",
        &format!("{T}/dup"),
        "--against",
        "testdata/diff/applied.yaml",
    ]));
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "istiolint: note: VirtualService default/recommendation is defined in testdata/conventions/dup/vs.prev.yaml and in testdata/conventions/dup/vs.yaml; comparing the one in testdata/conventions/dup/vs.yaml (the last, as `kubectl apply -f` leaves it)\n\
         istiolint: note: objects that will be created exist in namespace tutorial; is `-n tutorial` missing?\n"
    );
}

// 4. Whole-file findings are at 1:1; a tab in the indentation is named and pointed at.
#[test]
fn file_level_findings_are_at_1_1_and_tabs_are_pointed_at() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.yaml");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(65 * 1024 * 1024).unwrap();
    let (code, out, _) = outcome(istiolint().current_dir(dir.path()).args([
        "check",
        "--format=concise",
        "-q",
        "huge.yaml",
    ]));
    assert_eq!(
        (code, out.as_str()),
        (1, "huge.yaml:1:1: error[IL1005] larger than 64 MiB\n")
    );
    let (code, out, _) = concise(&["-q", &format!("{T}/tab.yaml")]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "testdata/conventions/tab.yaml:4:1: error[IL1001] invalid YAML: a tab in the indentation: YAML indents with spaces only\n"
        )
    );
}

// 5. `config` shows overrides' severities; --ignore-path takes `*` and says when it matches nothing.
#[test]
fn config_shows_override_severities() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".istiolint.yaml"),
        "overrides:\n- files: [\"legacy/**\"]\n  ignore: [IL6001]\n  severity: {IL3002: info}\n",
    )
    .unwrap();
    let (code, out, _) = outcome(istiolint().current_dir(dir.path()).arg("config"));
    assert_eq!(code, 0);
    assert!(
        out.ends_with("overrides:\n- files: [\"legacy/**\"]\n  ignore: [\"IL6001\"]\n  severity:\n    IL3002: info\n"),
        "{out}"
    );
}

#[test]
fn ignore_path_wildcards_and_unmatched_pointers() {
    let dir = tempfile::tempdir().unwrap();
    let vs = |w1: u32, w2: u32| {
        format!("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: r}}\nspec:\n  hosts: [r]\n  http:\n  - route:\n    - destination: {{host: r, subset: a}}\n      weight: {w1}\n    - destination: {{host: r, subset: b}}\n      weight: {w2}\n")
    };
    std::fs::write(dir.path().join("local.yaml"), vs(50, 50)).unwrap();
    std::fs::write(dir.path().join("applied.yaml"), vs(90, 10)).unwrap();
    let run = |pointer: &str| {
        outcome(istiolint().current_dir(dir.path()).args([
            "diff",
            "local.yaml",
            "--against",
            "applied.yaml",
            "--ignore-path",
            pointer,
        ]))
    };
    assert_eq!(
        run("/spec/http/*/route/*/weight"),
        (0, String::new(), String::new())
    );
    let (code, _, err) = run("/spec/http/*/rout/*/weight");
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "istiolint: note: --ignore-path /spec/http/*/rout/*/weight matches nothing in any object\n"
    );
}

// 6. IL3004 says which concurrent request is the first 503.
#[test]
fn serialising_pool_limit_names_the_first_rejected_request() {
    let (_, out, _) = concise(&[
        "--select=IL3004",
        "-q",
        "examples/istiofiles/destination-rule-recommendation_cb_policy_version_v2.yml",
    ]);
    assert_eq!(
        out,
        "examples/istiofiles/destination-rule-recommendation_cb_policy_version_v2.yml:17:34: info[IL3004] `http1MaxPendingRequests: 1` per client proxy: one request can wait while 1 connection is busy; the 3rd concurrent request gets 503\n\
         examples/istiofiles/destination-rule-recommendation_cb_policy_version_v2.yml:20:25: info[IL3004] `maxConnections: 1` per client proxy: one HTTP/1.1 request is active at a time and 1 can wait; the 3rd concurrent request gets 503\n"
    );
}

// 7. --for-subset takes the vN shorthand; every limit flag has a description.
#[test]
fn circuit_breaker_for_subset_shorthand_and_help() {
    let (code, out, _) = outcome(istiolint().args([
        "generate",
        "circuit-breaker",
        "recommendation",
        "v1",
        "v2",
        "--max-connections",
        "1",
        "--for-subset",
        "v2",
    ]));
    assert_eq!(code, 0);
    assert!(out.ends_with(
        "  - labels:\n      version: v2\n    name: version-v2\n    trafficPolicy:\n      connectionPool:\n        tcp:\n          maxConnections: 1\n"
    ), "{out}");
    let (_, help, _) = outcome(istiolint().args(["generate", "circuit-breaker", "--help"]));
    for flag in [
        "--max-connections",
        "--connect-timeout",
        "--http1-max-pending-requests",
        "--http2-max-requests",
        "--max-requests-per-connection",
        "--max-retries",
        "--consecutive-5xx-errors",
        "--consecutive-gateway-errors",
        "--interval",
        "--base-ejection-time",
        "--max-ejection-percent",
        "--min-health-percent",
    ] {
        // Long help: the description is on the line after the flag.
        let lines: Vec<&str> = help.lines().collect();
        let i = lines
            .iter()
            .position(|l| l.trim_start().starts_with(flag))
            .unwrap_or_else(|| panic!("{flag} missing: {help}"));
        let described = lines[i + 1].trim();
        assert!(
            described.len() > 10 && !described.starts_with('-'),
            "{flag} has no description: {described:?}"
        );
    }
}

// 8. ruff's conventions.
#[test]
fn extend_select_adds_opt_in_rules_to_the_defaults() {
    let pool = "examples/istiofiles/destination-rule-recommendation_cb_policy_pool_ejection.yml";
    let codes = |args: &[&str]| {
        let mut all = vec!["--ignore=IL5018"];
        all.extend_from_slice(args);
        all.push(pool);
        let (_, json) = check_json(&all);
        let c: std::collections::BTreeSet<String> =
            findings(&json).into_iter().map(|x| x.0).collect();
        c.into_iter().collect::<Vec<_>>()
    };
    assert_eq!(codes(&[]), ["IL3002", "IL6001"]);
    // --select replaces the defaults; --extend-select adds to them.
    assert_eq!(codes(&["--select=old-api-version"]), ["IL6002"]);
    assert_eq!(
        codes(&["--extend-select=old-api-version"]),
        ["IL3002", "IL6001", "IL6002"]
    );
    // A prefix in --extend-select includes the opt-in rules it covers; --select IL6 does not.
    assert_eq!(codes(&["--select=IL6"]), ["IL6001"]);
    assert_eq!(
        codes(&["--extend-select=IL6"]),
        ["IL3002", "IL6001", "IL6002", "IL6004"]
    );
    assert_eq!(codes(&["--select=ALL"]), codes(&["--extend-select=IL6"]));
}

#[test]
fn exit_zero_and_output_files() {
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("report.json");
    let sarif_path = dir.path().join("report.sarif");
    let (code, out, _) = outcome(istiolint().args([
        "check",
        "--exit-zero",
        "--format=concise",
        "--output-file",
        &format!("sarif={}", sarif_path.display()),
        "--output-file",
        &format!("json={}", json_path.display()),
        "testdata/check/unknown-field.yaml",
    ]));
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "testdata/check/unknown-field.yaml:8:5: error[IL2001] unknown field `connectionPol` in `trafficPolicy`\nChecked 1 file (1 object): 1 error, 0 warnings, 0 infos.\n"
        )
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(findings(&json), vec![f("IL2001", 8, 5)]);
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif_path).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "IL2001");
    // The --format report itself to a file: nothing on stdout.
    let (code, out, _) = outcome(istiolint().args([
        "check",
        "--format=json",
        "--output-file",
        json_path.to_str().unwrap(),
        "testdata/check/unknown-field.yaml",
    ]));
    assert_eq!((code, out.as_str()), (1, ""));
    let again: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(again, json);
}

#[test]
fn stdin_filename_names_standard_input_in_findings() {
    let text = std::fs::read_to_string("testdata/check/unknown-field.yaml").unwrap();
    let (code, out, _) = outcome(
        istiolint()
            .args([
                "check",
                "--format=concise",
                "--stdin-filename",
                "dr.yaml",
                "-",
            ])
            .write_stdin(text),
    );
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "dr.yaml:8:5: error[IL2001] unknown field `connectionPol` in `trafficPolicy`\nChecked 1 file (1 object): 1 error, 0 warnings, 0 infos.\n"
        )
    );
}

#[test]
fn fixable_findings_are_marked_in_text_json_and_sarif() {
    let file = "testdata/fix/mirror.yaml";
    let (_, out, _) = concise(&["--select=IL6003,IL1004,IL2002", file]);
    assert_eq!(
        out,
        "testdata/fix/mirror.yaml:17:5: warning[IL6003] [*] `mirrorPercent` is deprecated\n\
         testdata/fix/mirror.yaml:28:35: error[IL2002] [*] `canary` must be a string, found boolean false\n\
         Checked 1 file (2 objects): 1 error, 1 warning, 0 infos.\n\
         [*] 2 fixable with --fix.\n"
    );
    let (_, json) = check_json(&[
        "--select=IL6003,IL6001",
        file,
        "examples/istiofiles/destination-rule-recommendation_cb_policy_pool_ejection.yml",
    ]);
    let fixes: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["fix"])
        .collect();
    assert_eq!(
        fixes,
        [
            &serde_json::json!({"applicability": "unsafe", "message": "rename to consecutive5xxErrors"}),
            &serde_json::json!({"applicability": "unsafe", "message": "rename to consecutive5xxErrors"}),
            &serde_json::json!({"applicability": "safe", "message": "use mirrorPercentage"}),
        ]
    );
    let (_, sarif, _) =
        outcome(istiolint().args(["check", "--format=sarif", "--select=IL6003", file]));
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["fixes"],
        serde_json::json!([{
            "description": {"text": "use mirrorPercentage (safe)"},
            "artifactChanges": [{
                "artifactLocation": {"uri": "testdata/fix/mirror.yaml"},
                "replacements": [{
                    "deletedRegion": {"startLine": 17, "startColumn": 5, "endLine": 17, "endColumn": 18},
                    "insertedContent": {"text": "mirrorPercentage"}
                }, {
                    "deletedRegion": {"startLine": 17, "startColumn": 20, "endLine": 17, "endColumn": 22},
                    "insertedContent": {"text": "{value: 10}"}
                }]
            }]
        }])
    );
}

// 9. kubectl's and kubeconform's conventions.
#[test]
fn verbose_lists_files_and_the_summary_counts_object_uses() {
    let (code, out, err) = concise(&[
        "-v",
        "--context-files",
        "testdata/rules/subsets/dr.yaml",
        &format!("{T}/mixed.yaml"),
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "Checked 1 file (1 object checked, 3 used as context, 1 skipped): 0 errors, 0 warnings, 0 infos.\n"
    );
    assert_eq!(
        err,
        "istiolint: testdata/rules/subsets/dr.yaml: context file, 2 objects\n\
         istiolint: testdata/conventions/mixed.yaml: 3 objects (1 checked, 1 used as context, 1 skipped)\n"
    );
    let (_, json) = check_json(&[&format!("{T}/mixed.yaml")]);
    assert_eq!(
        json["summary"],
        serde_json::json!({"files": 1, "objects": 3, "checked": 1, "context": 1, "skipped": 1,
            "errors": 0, "warnings": 0, "infos": 0})
    );
}

#[test]
fn the_same_object_in_two_files_is_a_warning_naming_both_under_closed_world() {
    let (code, out, _) = concise(&["--closed-world", "--select=IL5018", &format!("{T}/dup")]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "testdata/conventions/dup/vs.yaml:4:9: warning[IL5018] VirtualService default/recommendation is also defined in testdata/conventions/dup/vs.prev.yaml (line 4); `kubectl apply` keeps only the one applied last\n\
         Checked 2 files (2 objects): 0 errors, 1 warning, 0 infos.\n"
    );
    // Without it, the two files may be alternatives: a note, no warning.
    let (code, out, _) = concise(&[&format!("{T}/dup")]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "Checked 2 files (2 objects): 0 errors, 0 warnings, 0 infos.\n\
             Not checked: 1 object is defined differently in more than one file, 2 definitions (VirtualService default/recommendation in testdata/conventions/dup/vs.prev.yaml and testdata/conventions/dup/vs.yaml): alternatives applied one at a time, or a stale copy if the files are applied together; --closed-world reports each (IL5018).\n"
        )
    );
    let (_, json) = check_json(&[&format!("{T}/dup")]);
    assert_eq!(json["summary"]["warnings"], 0);
    assert_eq!(json["notes"].as_array().map(Vec::len), Some(1));
    // The tutorial's directory holds alternative steps of the same objects
    // (katacoda-era/ has one byte-identical copy, not reported).
    let (_, json) = check_json(&["--closed-world", "--select=IL5018", "examples/istiofiles"]);
    assert_eq!(json["summary"]["warnings"], 29);
}

#[test]
fn an_empty_directory_says_so() {
    let (code, out, err) = concise(&[&format!("{T}/empty-dir")]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            0,
            "Checked 0 files (0 objects): 0 errors, 0 warnings, 0 infos.\n",
            "istiolint: note: testdata/conventions/empty-dir: no manifests (*.yaml, *.yml, *.json) found\n"
        )
    );
}

#[test]
fn check_context_is_context_files_with_a_deprecation_note() {
    let new = concise(&[
        "--select=IL5",
        "--context-files=testdata/rules/subsets/dr.yaml",
        "testdata/rules/subsets/vs.yaml",
    ]);
    let old = concise(&[
        "--select=IL5",
        "--context=testdata/rules/subsets/dr.yaml",
        "testdata/rules/subsets/vs.yaml",
    ]);
    assert_eq!(new.1, old.1);
    assert_eq!(new.2, "");
    assert_eq!(
        old.2,
        "istiolint: warning: `check --context` is deprecated; use --context-files (diff's --context names a kubeconfig context)\n"
    );
}

// 10. --version and a man page per subcommand.
#[test]
fn version_names_commit_and_bundled_releases() {
    let (code, out, _) = outcome(istiolint().arg("--version"));
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("istiolint {}", env!("CARGO_PKG_VERSION")));
    assert!(lines[1].starts_with("commit: ") && lines[1].len() > "commit: ".len());
    assert_eq!(
        lines[2],
        "bundled Istio releases: 1.20.0, 1.22.0, 1.30.3 (default 1.30.3)"
    );
}

#[test]
fn man_pages_per_subcommand() {
    let (code, page, _) = outcome(istiolint().args(["man", "check"]));
    assert_eq!(code, 0);
    assert!(
        page.contains(".TH istiolint-check 1  \"istiolint 0.1.0\" \"istiolint manual\""),
        "{page}"
    );
    for option in [
        "\\-\\-context\\-files",
        "\\-\\-extend\\-select",
        "\\-\\-exit\\-zero",
        "\\-\\-namespace",
    ] {
        assert!(page.contains(option), "{option}");
    }
    assert!(page.contains(".SH \"EXIT STATUS\"\n.TP\n0\n"));
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = outcome(istiolint().args(["man", "--dir"]).arg(dir.path()));
    assert_eq!(code, 0);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "istiolint-check.1",
            "istiolint-completions.1",
            "istiolint-config.1",
            "istiolint-diff.1",
            "istiolint-explain.1",
            "istiolint-generate-circuit-breaker.1",
            "istiolint-generate-split.1",
            "istiolint-generate-subsets.1",
            "istiolint-generate.1",
            "istiolint-man.1",
            "istiolint-route.1",
            "istiolint-rule.1",
            "istiolint-rules.1",
            "istiolint-server.1",
            "istiolint-test.1",
            "istiolint.1",
        ]
    );
    assert!(err.starts_with("Wrote 16 pages to "));
    // Every page the main one refers to exists.
    let main = std::fs::read_to_string(dir.path().join("istiolint.1")).unwrap();
    for name in ["istiolint\\-check(1)", "istiolint\\-diff(1)"] {
        assert!(main.contains(name), "{name}");
    }
    let (code, _, err) = outcome(istiolint().args(["man", "chek"]));
    assert_eq!(code, 2);
    assert!(
        err.starts_with(
            "istiolint: error: no subcommand `chek` in `istiolint`; one of: check, rules,"
        ),
        "{err}"
    );
}

// 11. Colour: a flag wins over NO_COLOR, NO_COLOR over FORCE_COLOR.
#[test]
fn colour_precedence() {
    let red = |env: &[(&str, &str)], flag: &str| {
        let mut cmd = istiolint();
        cmd.args(["check", flag, "testdata/check/unknown-field.yaml"]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        outcome(&mut cmd).1.contains("\x1b[")
    };
    assert!(red(&[("FORCE_COLOR", "1")], "--color=auto"));
    assert!(!red(
        &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")],
        "--color=auto"
    ));
    assert!(red(&[("NO_COLOR", "1")], "--color=always"));
    assert!(!red(&[("FORCE_COLOR", "1")], "--color=never"));
    assert!(!red(&[], "--color=auto"), "a pipe is not a terminal");
    let diff = |env: &[(&str, &str)], flag: &str| {
        let mut cmd = istiolint();
        cmd.args([
            "diff",
            flag,
            "-n",
            "tutorial",
            "testdata/diff/local",
            "--against",
            "testdata/diff/applied.yaml",
        ]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        outcome(&mut cmd).1.contains("\x1b[")
    };
    assert!(diff(&[("FORCE_COLOR", "1")], "--color=auto"));
    assert!(!diff(&[], "--color=auto"));
    assert!(diff(&[("NO_COLOR", "1")], "--color=always"));
}

// 12. No progress line in pipes (the CLI only enables it on a terminal).
#[test]
fn no_progress_line_in_pipes() {
    let (_, _, err) = concise(&["-q", "examples/istiofiles"]);
    assert_eq!(err, "");
}

// 15. `istiolint rules` marks opt-in rules and aligns long names.
#[test]
fn rules_listing_is_aligned_and_marks_opt_in() {
    let (_, out, _) = outcome(istiolint().arg("rules"));
    let lines: Vec<&str> = out.lines().collect();
    let at = |code: &str| *lines.iter().find(|l| l.starts_with(code)).unwrap();
    assert_eq!(
        at("IL6002"),
        "IL6002  old-api-version                             info (opt-in)  networking.istio.io/v1alpha3 or v1beta1 where v1 is served (Istio >= 1.22)"
    );
    assert_eq!(
        at("IL5017"),
        "IL5017  jwt-routing-without-request-authentication  warning        JWT-claim routing on a gateway whose workloads no RequestAuthentication covers"
    );
    assert_eq!(
        at("IL1001"),
        "IL1001  yaml-syntax                                 error          The file is not valid YAML"
    );
}

// #14.9: -n and a kustomization's namespace.
#[test]
fn namespace_from_the_flag_and_from_a_kustomization() {
    let vs = format!("{T}/kustomize/vs.yaml");
    let dr = format!("{T}/kustomize/base/dr.yaml");
    let (_, out, _) = concise(&["--select=IL5", "-q", &vs, &dr]);
    assert_eq!(
        out,
        "testdata/conventions/kustomize/vs.yaml:12:17: warning[IL5002] no DestinationRule for `recommendation.default.svc.cluster.local` is among the inputs, so subset `version-v1` cannot be checked\n"
    );
    assert_eq!(
        concise(&["--select=IL5", "-q", "-n", "tutorial", &vs, &dr]).1,
        ""
    );
    assert_eq!(
        concise(&["--select=IL5", "-q", &format!("{T}/kustomize")]).1,
        ""
    );
    let (code, _, err) = concise(&["-n", "Tutorial", &vs]);
    assert_eq!(
        (code, err.as_str()),
        (2, "istiolint: error: --namespace `Tutorial` is not a valid namespace name (lowercase letters, digits, '-')\n")
    );
}

// #14.11: the Istio release used is said; what is outside the range is refused.
#[test]
fn istio_versions_outside_the_range_are_refused() {
    for v in ["1.31", "1.5", "2.0"] {
        let (code, out, err) = concise(&["--istio-version", v, &format!("{T}/mixed.yaml")]);
        assert_eq!((code, out.as_str()), (2, ""));
        assert_eq!(
            err,
            format!("istiolint: error: --istio-version {v} is outside the supported range 1.14 to 1.30 (bundled schemas: 1.20.0, 1.22.0, 1.30.3)\n")
        );
    }
    let (code, _, err) = concise(&["--istio-version", "1.25", &format!("{T}/mixed.yaml")]);
    assert_eq!(code, 0);
    assert_eq!(
        err,
        "istiolint: note: no schemas of Istio 1.25 are bundled; using those of 1.22.0 (bundled: 1.20.0, 1.22.0, 1.30.3); version-aware rules follow 1.25\n"
    );
    let (_, _, err) = concise(&["--istio-version", "1.30.0", &format!("{T}/mixed.yaml")]);
    assert_eq!(err, "");
}

// 14. The README's first run: a clean tutorial step, then one deliberate mistake.
#[test]
fn first_run_examples() {
    let (code, out, _) = concise(&[
        "examples/istiofiles/destination-rule-recommendation-v1-v2.yml",
        "examples/istiofiles/virtual-service-recommendation-v1_and_v2_75_25.yml",
    ]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "Checked 2 files (2 objects): 0 errors, 0 warnings, 0 infos.\n"
        )
    );
    let (code, out, _) = concise(&["examples/first-run"]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "examples/first-run/virtual-service.yaml:16:17: error[IL5001] subset `version-2` is not defined by the DestinationRule for `recommendation.default.svc.cluster.local`; it defines `version-v1`, `version-v2`\n\
             Checked 2 files (2 objects): 1 error, 0 warnings, 0 infos.\n"
        )
    );
    // The README's account of the whole tutorial directory.
    let (code, out, _) = concise(&["-q", "--select=IL5018", "examples/istiofiles"]);
    assert_eq!((code, out.lines().count()), (0, 0));
    let (code, out, _) = concise(&[
        "-q",
        "--closed-world",
        "--select=IL5018",
        "examples/istiofiles",
    ]);
    assert_eq!((code, out.lines().count()), (0, 29));
    let (_, json) = check_json(&["examples/istiofiles"]);
    assert_eq!(
        (
            &json["summary"]["errors"],
            &json["summary"]["warnings"],
            &json["summary"]["infos"]
        ),
        (
            &serde_json::json!(0),
            &serde_json::json!(11),
            &serde_json::json!(4)
        )
    );
}
