//! End-to-end tests of `istiolint check`: exact codes, positions, messages,
//! exit codes and output bytes.

mod common;

use common::{check_json, f, findings, istiolint};

#[test]
fn unknown_field_points_at_the_key_with_a_suggestion() {
    let (code, json) = check_json(&["testdata/check/unknown-field.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json), vec![f("IL2001", 8, 5)]);
    let d = &json["diagnostics"][0];
    assert_eq!(
        d["message"],
        "unknown field `connectionPol` in `trafficPolicy`"
    );
    assert_eq!(d["help"], "did you mean `connectionPool`?");
    assert_eq!(d["pointer"], "/spec/trafficPolicy/connectionPol");
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(8), Some(18))
    );
    assert_eq!(
        d["object"],
        serde_json::json!({"kind": "DestinationRule", "namespace": null, "name": "recommendation"})
    );
}

#[test]
fn wrong_type_points_at_the_value_and_explains_yaml11() {
    let (code, json) = check_json(&["testdata/check/wrong-type.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&json),
        vec![f("IL2002", 10, 25), f("IL2002", 14, 16)]
    );
    assert_eq!(
        json["diagnostics"][0]["message"],
        "`maxConnections` must be an integer, found string \"one\""
    );
    assert_eq!(
        json["diagnostics"][1]["message"],
        "`version` must be a string, found number 1.1"
    );
    assert_eq!(
        json["diagnostics"][1]["help"],
        "Kubernetes reads the unquoted `1.10` as number 1.1; quote it to keep the text: \"1.10\""
    );
}

#[test]
fn duplicate_key_points_at_the_second_and_names_the_first() {
    let (code, json) = check_json(&["testdata/check/duplicate-key.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json), vec![f("IL1002", 8, 3)]);
    assert_eq!(
        json["diagnostics"][0]["message"],
        "duplicate key `hosts` (first defined at line 6, column 3)"
    );
}

#[test]
fn syntax_error_has_line_and_column() {
    let (code, json) = check_json(&["testdata/check/syntax-error.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json), vec![f("IL1001", 7, 7)]);
    assert!(json["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("invalid YAML: "));
}

#[test]
fn list_items_are_objects_with_their_own_locations() {
    let (code, json) = check_json(&["testdata/check/list.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json), vec![f("IL2001", 19, 45)]);
    let d = &json["diagnostics"][0];
    assert_eq!(d["pointer"], "/spec/http/0/route/0/destination/subzet");
    assert_eq!(d["object"]["namespace"], "tutorial");
    assert_eq!(json["summary"]["objects"], 2);
}

#[test]
fn unrendered_template_is_explained() {
    let (code, json) = check_json(&["testdata/check/template.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json), vec![f("IL1003", 5, 9)]);
    assert_eq!(
        json["diagnostics"][0]["help"],
        "render it first, e.g. `helm template . | istiolint check -`"
    );
}

#[test]
fn yaml11_scalar_warns_but_does_not_fail_by_default() {
    let (code, json) = check_json(&["testdata/check/yaml11.yaml"]);
    assert_eq!(code, 0);
    assert_eq!(findings(&json), vec![f("IL1004", 16, 15)]);
    assert_eq!(
        json["diagnostics"][0]["message"],
        "unquoted `1_00` is read by Kubernetes as integer 100, by YAML 1.2 tools as string \"1_00\""
    );
    let (code, _) = check_json(&["--fail-on=warning", "testdata/check/yaml11.yaml"]);
    assert_eq!(code, 1);
}

#[test]
fn other_kinds_and_empty_documents_are_context_not_errors() {
    let (code, json) = check_json(&["testdata/check/mixed.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&json),
        vec![f("IL2004", 23, 7), f("IL2002", 26, 17), f("IL2003", 27, 25)]
    );
    assert_eq!(json["summary"]["objects"], 2);
    assert_eq!(
        json["diagnostics"][0]["message"],
        "only one of `simple`, `consistentHash` may be set, found `simple`, `consistentHash`"
    );
    assert_eq!(
        json["diagnostics"][1]["help"],
        "a duration is a string with a unit, e.g. \"5s\", \"100ms\" or \"3m\""
    );
    assert_eq!(
        json["diagnostics"][2]["message"],
        "`baseEjectionTime`: duration \"500us\" is below the minimum 1ms"
    );
}

#[test]
fn api_versions_follow_the_istio_release() {
    let (_, json) = check_json(&["testdata/check/api-version.yaml"]);
    assert_eq!(
        findings(&json),
        vec![f("IL4007", 5, 1), f("IL2006", 8, 1), f("IL2005", 8, 13)]
    );
    let (_, json) = check_json(&["--istio-version=1.20", "testdata/check/list.yaml"]);
    assert_eq!(
        findings(&json),
        vec![f("IL2005", 4, 15), f("IL2005", 10, 15)]
    );
    assert_eq!(
        json["diagnostics"][0]["message"],
        "DestinationRule `networking.istio.io/v1` is not served by Istio 1.20.0"
    );
    let (_, json) = check_json(&["--istio-version=1.22", "testdata/check/list.yaml"]);
    assert_eq!(findings(&json), vec![f("IL2001", 19, 45)]);
}

#[test]
fn stdin_is_read_with_dash() {
    let out = istiolint()
        .args(["check", "--format=concise", "-"])
        .write_stdin(std::fs::read("testdata/check/unknown-field.yaml").unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "<stdin>:8:5: error[IL2001] unknown field `connectionPol` in `trafficPolicy`\n\
         Checked 1 file (1 object): 1 error, 0 warnings, 0 infos.\n"
    );
}

#[test]
fn missing_path_is_a_usage_error() {
    let out = istiolint()
        .args(["check", "does/not/exist.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "istiolint: error: does/not/exist.yaml: no such file or directory\n"
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    let out = istiolint()
        .args(["check", "--istio-version=one", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = istiolint()
        .args(["check", "--select=IL9999", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule `IL9999`"));
}

#[test]
fn select_and_ignore_by_code_name_or_prefix() {
    let (_, json) = check_json(&["--select=IL2002", "testdata/check/mixed.yaml"]);
    assert_eq!(findings(&json), vec![f("IL2002", 26, 17)]);
    let (_, json) = check_json(&[
        "--ignore=wrong-type,IL2004,IL6",
        "testdata/check/mixed.yaml",
    ]);
    assert_eq!(findings(&json), vec![f("IL2003", 27, 25)]);
    let (code, json) = check_json(&["--select=IL1", "testdata/check/mixed.yaml"]);
    assert_eq!((code, findings(&json)), (0, vec![]));
}

#[test]
fn fail_on_never_always_exits_zero() {
    let (code, _) = check_json(&["--fail-on=never", "testdata/check/mixed.yaml"]);
    assert_eq!(code, 0);
}

#[test]
fn the_real_corpus_checks_without_errors() {
    for dir in ["examples/istiofiles", "testdata/corpus/bookinfo"] {
        let (code, json) = check_json(&[dir]);
        assert_eq!(json["summary"]["errors"], 0, "{dir}: {json}");
        assert_eq!(code, 0, "{dir}");
        assert!(json["summary"]["objects"].as_u64().unwrap() > 20);
    }
}

#[test]
fn directory_walk_honours_ignore_files_and_extensions() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::copy("testdata/check/unknown-field.yaml", p.join("a.yaml")).unwrap();
    std::fs::create_dir(p.join("skipped")).unwrap();
    std::fs::copy("testdata/check/wrong-type.yaml", p.join("skipped/b.yml")).unwrap();
    std::fs::write(p.join(".ignore"), "skipped/\n").unwrap();
    std::fs::write(p.join("notes.txt"), "not: [yaml").unwrap();
    let (code, json) = check_json(&[p.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json), vec![f("IL2001", 8, 5)]);
    assert_eq!(json["summary"]["files"], 1);
}

#[test]
fn invalid_utf8_and_binary_files_are_diagnostics_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("latin1.yaml"), b"kind: List\nname: caf\xe9\n").unwrap();
    std::fs::write(p.join("bin.yaml"), b"\x7fELF\x00\x01").unwrap();
    let (code, json) = check_json(&[p.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json), vec![f("IL1006", 1, 5), f("IL1006", 2, 10)]);
    assert_eq!(
        json["diagnostics"][0]["message"],
        "cannot check: binary file (NUL byte)"
    );
    assert_eq!(
        json["diagnostics"][1]["message"],
        "cannot check: not valid UTF-8"
    );
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let run = |threads: &str| {
        istiolint()
            .args([
                "check",
                "--format=json",
                "-j",
                threads,
                "testdata",
                "examples",
            ])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(one.len() > 1000);
    assert_eq!(one, run("2"));
    assert_eq!(one, run("4"));
}

#[test]
fn human_output_renders_snippets_without_color_when_piped() {
    let out = istiolint()
        .args(["check", "testdata/check/unknown-field.yaml"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!(text);
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn human_output_for_a_duplicate_key_shows_both_places() {
    let out = istiolint()
        .args(["check", "testdata/check/duplicate-key.yaml"])
        .output()
        .unwrap();
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn rules_are_listed_and_documented() {
    let out = istiolint().arg("rules").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("IL2001  unknown-field"));
    let out = istiolint()
        .args(["rule", "unknown-field"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .starts_with("# IL2001 unknown-field\n"));
    let out = istiolint()
        .args(["rule", "unknwon-field"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `unknown-field`?"));
}

#[test]
fn braces_in_string_values_are_not_templates_and_other_documents_are_checked() {
    let (code, json) = check_json(&["testdata/check/template-stream.yaml"]);
    assert_eq!(code, 1);
    // The template document is reported once; the DestinationRule after it
    // is still checked; the ConfigMap and PrometheusRule are plain YAML.
    assert_eq!(
        findings(&json),
        vec![f("IL1003", 31, 9), f("IL2001", 42, 5)]
    );
    assert_eq!(json["summary"]["objects"], 3);
}

#[test]
fn explicit_nulls_are_pruned_like_the_api_server() {
    let (code, json) = check_json(&["testdata/check/nulls.yaml"]);
    assert_eq!(code, 1);
    // Only the third object: a null list item stays (and is rejected), a
    // null required field is pruned and then missing.
    assert_eq!(
        findings(&json),
        vec![f("IL2006", 35, 1), f("IL2002", 38, 5), f("IL3013", 38, 5)]
    );
    assert_eq!(json["diagnostics"][0]["message"], "`spec` requires `host`");
    assert_eq!(
        json["diagnostics"][1]["message"],
        "`exportTo[0]` must be a string, found null"
    );
}

#[test]
fn flow_sequences_are_read_like_kubectl() {
    // `[192.0.2.10, 2001:db8::]` is two strings (no IL2002); `[::1]` is
    // rejected by go-yaml v2.
    let (code, json) = check_json(&["testdata/check/flow.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&json), vec![f("IL1001", 22, 15)]);
    assert_eq!(
        json["diagnostics"][0]["message"],
        "invalid YAML: `:` at the start of the plain value `::1` inside `[...]`/`{...}`: Kubernetes (go-yaml v2) rejects this document; quote the value"
    );
}

// More files than two of check's merge chunks (256 files each): every file's
// finding comes out once, in path order, and a reference in the last file
// resolves against a DestinationRule of the first.
#[test]
fn runs_longer_than_a_merge_chunk_keep_every_file_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let dr = |name: &str, policy: &str| {
        format!(
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: {name}, namespace: default}}\nspec:\n  host: {name}\n{policy}"
        )
    };
    std::fs::write(
        dir.path().join("000.yaml"),
        dr("r", "  subsets:\n  - name: v1\n    labels: {version: v1}\n"),
    )
    .unwrap();
    for i in 1..699 {
        let policy = "  trafficPolicy: {loadBalancer: {simple: ROUND_ROBN}}\n";
        std::fs::write(
            dir.path().join(format!("{i:03}.yaml")),
            dr(&format!("d{i}"), policy),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("699.yaml"),
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: default}\nspec:\n  hosts: [r]\n  http:\n  - route:\n    - destination: {host: r, subset: v1}\n    - destination: {host: r, subset: v2}\n",
    )
    .unwrap();
    let mut expected = String::new();
    for i in 1..699 {
        expected.push_str(&format!(
            "{i:03}.yaml:6:42: error[IL2003] `simple`: \"ROUND_ROBN\" is not one of UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST\n"
        ));
    }
    expected.push_str("699.yaml:9:38: error[IL5001] subset `v2` is not defined by the DestinationRule for `r.default.svc.cluster.local`; it defines `v1`\n");
    expected.push_str("Checked 700 files (700 objects): 699 errors, 0 warnings, 0 infos.\n");
    for threads in ["1", "2", "3"] {
        let out = istiolint()
            .current_dir(dir.path())
            .args([
                "check",
                "--no-config",
                "--format=concise",
                "-j",
                threads,
                ".",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "-j{threads}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            expected,
            "-j{threads}"
        );
    }
}
