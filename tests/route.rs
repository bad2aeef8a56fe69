//! `istiolint route` and `istiolint test`: Istio's routing cases restated as
//! fixtures (testdata/route/*/NAME.yaml with NAME.test.yaml expectations),
//! istio-config-validator's format, the tutorial, output formats and exit codes.

mod common;

use common::istiolint;
use serde_json::{json, Value};

fn run(args: &[&str]) -> (i32, String, String) {
    common::outcome(istiolint().args(args))
}

/// Runs a fixture's own test file; every case must pass.
fn fixture(dir: &str, name: &str, extra: &[&str]) {
    let tests = format!("testdata/route/{dir}/{name}.test.yaml");
    let manifests = format!("testdata/route/{dir}/{name}.yaml");
    let mut args = vec!["test", "-t", &tests, &manifests];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(" passed, 0 failed.\n"), "{out}");
    assert!(!out.contains("FAIL"), "{out}");
}

#[test]
fn gateway_cases_from_istio() {
    for name in [
        "simple",
        "merging",
        "redirect",
        "namespaced-hosts",
        "vhosts",
    ] {
        fixture("gateway", name, &[]);
    }
}

#[test]
fn sidecar_cases_from_istio() {
    for name in ["simple", "order", "wildcard"] {
        fixture("sidecar", name, &["testdata/route/sidecar/services.yaml"]);
    }
}

#[test]
fn every_match_field() {
    fixture("match", "conditions", &["-n", "bookinfo"]);
}

#[test]
fn delegate_merge_as_istio() {
    fixture("delegate", "root-catch-all", &[]);
}

#[test]
fn validator_format_runs_unchanged() {
    let (code, out, _) = run(&[
        "test",
        "-t",
        "testdata/route/validator/shop_test.yml",
        "testdata/route/validator/shop.yaml",
    ]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        "PASS testdata/route/validator/shop_test.yml:3 accounts, every combination\n\
         PASS testdata/route/validator/shop_test.yml:20 vendors only for GET and HEAD\n\
         PASS testdata/route/validator/shop_test.yml:33 start redirects home\n\
         PASS testdata/route/validator/shop_test.yml:42 agents are rewritten to vendors\n\
         PASS testdata/route/validator/shop_test.yml:53 crawlers are throttled\n\
         \n5 test cases (15 requests): 5 passed, 0 failed.\n"
    );
}

#[test]
fn validator_delegate_example_follows_istio_and_says_why() {
    let (code, out, _) = run(&[
        "test",
        "-t",
        "testdata/route/validator/delegate_test.yml",
        "testdata/route/validator/delegate.yaml",
    ]);
    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_failure_names_the_test_and_the_rule_that_answered() {
    let dir = tempfile::tempdir().unwrap();
    let tests = dir.path().join("t.yaml");
    std::fs::write(
        &tests,
        "tests:\n- name: wrong subset\n  request: {host: recommendation, port: 8080}\n  expect:\n    destinations: [{subset: version-v2}]\n    status: 200\n- name: right\n  request: {host: recommendation, port: 8080}\n  expect: {rule: 1}\n",
    )
    .unwrap();
    let t = tests.to_str().unwrap();
    let (code, out, _) = run(&[
        "test",
        "-n",
        "tutorial",
        "-t",
        t,
        "examples/istiofiles/virtual-service-firefox-recommendation-v2.yml",
    ]);
    assert_eq!(code, 1, "{out}");
    let want = format!(
        "FAIL {t}:2 wrong subset\n     recommendation GET /\n       destinations (line 5): expected [{{\"subset\":\"version-v2\"}}], got [{{\"host\":\"recommendation.tutorial.svc.cluster.local\",\"subset\":\"version-v1\",\"port\":null,\"weight\":null,\"percent\":100.0}}]\n       answered by the rule at examples/istiofiles/virtual-service-firefox-recommendation-v2.yml:17\nPASS {t}:7 right\n\n2 test cases (2 requests): 1 passed, 1 failed.\n"
    );
    assert_eq!(out, want);
    // The same as JSON and JUnit.
    let (code, out, _) = run(&[
        "test",
        "--format",
        "json",
        "-n",
        "tutorial",
        "-t",
        t,
        "examples/istiofiles/virtual-service-firefox-recommendation-v2.yml",
    ]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"], json!({"cases": 2, "passed": 1, "failed": 1}));
    assert_eq!(v["cases"][0]["line"], 2);
    assert_eq!(
        v["cases"][0]["failures"][0]["answered_by"],
        "examples/istiofiles/virtual-service-firefox-recommendation-v2.yml:17"
    );
    let (_, xml, _) = run(&[
        "test",
        "--format",
        "junit",
        "-n",
        "tutorial",
        "-t",
        t,
        "examples/istiofiles/virtual-service-firefox-recommendation-v2.yml",
    ]);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.attribute("tests"), Some("2"));
    assert_eq!(root.attribute("failures"), Some("1"));
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), 1);
    assert!(failures[0]
        .text()
        .unwrap()
        .contains("answered by the rule at"));
}

#[test]
fn tutorial_tests_pass() {
    let (code, out, _) = run(&[
        "test",
        "-n",
        "tutorial",
        "-t",
        "examples/routing/firefox.test.yaml",
        "examples/istiofiles/virtual-service-firefox-recommendation-v2.yml",
        "examples/istiofiles/destination-rule-recommendation-v1-v2.yml",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.ends_with("3 test cases (3 requests): 3 passed, 0 failed.\n"),
        "{out}"
    );
    let (code, out, _) = run(&[
        "test",
        "-n",
        "tutorial",
        "-t",
        "examples/routing/split.test.yaml",
        "examples/istiofiles/virtual-service-recommendation-v1_and_v2_50_50.yml",
    ]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn route_json_for_a_firefox_request() {
    let (code, out, _) = run(&[
        "route",
        "examples/istiofiles/virtual-service-firefox-recommendation-v2.yml",
        "--host",
        "recommendation",
        "--port",
        "8080",
        "-n",
        "tutorial",
        "--header",
        "baggage-user-agent: Mozilla/5.0 Firefox/120.0",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v,
        json!({
            "matched": true,
            "virtual_service": {"namespace": "tutorial", "name": "recommendation",
                "file": "examples/istiofiles/virtual-service-firefox-recommendation-v2.yml", "line": 4},
            "route": {"index": 0, "name": null, "match_index": 0},
            "destinations": [{"host": "recommendation.tutorial.svc.cluster.local",
                "subset": "version-v2", "port": null, "weight": null, "percent": 100.0}],
            "clusters": ["outbound|8080|version-v2|recommendation.tutorial.svc.cluster.local"],
            "redirect": null, "direct_response": null, "rewrite": null, "fault": null,
            "timeout": null, "retries": null, "mirrors": [], "headers": null, "status": 200
        })
    );
}

#[test]
fn route_human_shows_decision_and_trace() {
    let (code, out, _) = run(&[
        "route",
        "examples/istiofiles/virtual-service-recommendation-v1_and_v2_50_50.yml",
        "--host",
        "recommendation:8080",
        "-n",
        "tutorial",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn route_on_a_gateway_and_404() {
    let (code, out, _) = run(&[
        "route",
        "testdata/route/gateway/simple.yaml",
        "--host",
        "foo.bar",
        "--path",
        "/other",
        "--gateway",
        "default/gateway",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["matched"].clone(), v["status"].clone()),
        (json!(false), json!(404))
    );
    assert_eq!(v["clusters"], json!([]));
}

#[test]
fn bad_input_exits_2_with_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let bad_test = dir.path().join("bad.yaml");
    std::fs::write(
        &bad_test,
        "tests:\n- request: {host: a}\n  expect: {colour: red}\n",
    )
    .unwrap();
    let (code, _, err) = run(&[
        "test",
        "-t",
        bad_test.to_str().unwrap(),
        "testdata/route/gateway/simple.yaml",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!(
            "istiolint: error: {}:3:20: unknown field `colour` in `expect`",
            bad_test.display()
        )),
        "{err}"
    );
    let bad_yaml = dir.path().join("vs.yaml");
    std::fs::write(&bad_yaml, "kind: VirtualService\nspec: [\n").unwrap();
    let (code, _, err) = run(&["route", bad_yaml.to_str().unwrap(), "--host", "a"]);
    assert_eq!(code, 2);
    assert!(err.contains(&format!("{}:", bad_yaml.display())), "{err}");
    let (code, _, err) = run(&[
        "route",
        "testdata/route/gateway/simple.yaml",
        "--host",
        "a",
        "--gateway",
        "default/nope",
    ]);
    assert_eq!(
        (code, err.as_str()),
        (
            2,
            "istiolint: error: no Gateway default/nope in the inputs\n"
        )
    );
    let (code, _, err) = run(&[
        "route",
        "testdata/route/gateway/simple.yaml",
        "--host",
        "a",
        "--header",
        "x",
    ]);
    assert_eq!(
        (code, err.as_str()),
        (2, "istiolint: error: header `x` is not `name: value`\n")
    );
}

#[test]
fn control_characters_from_manifests_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let vs = dir.path().join("vs.yaml");
    std::fs::write(
        &vs,
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: \"evil\\e[31m\", namespace: default}\nspec:\n  hosts: [a]\n  http:\n  - route:\n    - destination: {host: b}\n",
    )
    .unwrap();
    let (code, out, _) = run(&["route", vs.to_str().unwrap(), "--host", "a"]);
    assert_eq!(code, 0);
    assert!(!out.contains('\u{1b}'), "{out}");
    assert!(
        out.contains("default/evil\\u{1b}[31m http[0] routes it"),
        "{out}"
    );
}
