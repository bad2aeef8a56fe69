//! `istiolint generate`: byte-exact against the tutorial's files, refuses bad
//! flags by name, and what it writes always checks clean.

mod common;

use common::istiolint;
use istiolint::check::{run_inputs, Options};
use istiolint::generate::{self, Breaker, Meta, SplitSpec, SubsetSpec};
use istiolint::source::{decode, Input};
use proptest::prelude::*;

fn tutorial(name: &str) -> String {
    let text = std::fs::read_to_string(format!("examples/istiofiles/{name}")).unwrap();
    // The tutorial files end with a `---` line (without newline).
    text.strip_suffix("---").unwrap_or(&text).to_string()
}

fn generate_out(args: &[&str]) -> (i32, String, String) {
    common::outcome(istiolint().arg("generate").args(args))
}

const CB: &[&str] = &[
    "circuit-breaker",
    "recommendation",
    "version-v1:version=v1",
    "version-v2:version=v2",
    "--max-connections",
    "1",
    "--http1-max-pending-requests",
    "1",
    "--max-requests-per-connection",
    "1",
    "--consecutive-5xx-errors",
    "1",
    "--interval",
    "1s",
    "--base-ejection-time",
    "3m",
    "--max-ejection-percent",
    "100",
    "--api-version",
    "networking.istio.io/v1alpha3",
];

#[test]
fn split_50_50_is_byte_identical_to_the_tutorial() {
    let expected = tutorial("virtual-service-recommendation-v1_and_v2_50_50.yml");
    let args = [
        "split",
        "recommendation",
        "version-v1=50",
        "version-v2=50",
        "--api-version",
        "networking.istio.io/v1alpha3",
    ];
    assert_eq!(generate_out(&args), (0, expected.clone(), String::new()));
    let even = [
        "split",
        "recommendation",
        "version-v1",
        "version-v2",
        "--api-version",
        "v1alpha3",
    ];
    assert_eq!(generate_out(&even).1, expected);
}

#[test]
fn split_75_25_is_byte_identical_to_the_tutorial() {
    let args = [
        "split",
        "recommendation",
        "version-v1=75",
        "version-v2=25",
        "--api-version",
        "v1alpha3",
    ];
    assert_eq!(
        generate_out(&args).1,
        tutorial("virtual-service-recommendation-v1_and_v2_75_25.yml")
    );
}

#[test]
fn subsets_are_byte_identical_to_the_tutorial() {
    let args = [
        "subsets",
        "recommendation",
        "version-v1:version=v1",
        "version-v2:version=v2",
        "--api-version",
        "v1alpha3",
    ];
    assert_eq!(
        generate_out(&args).1,
        tutorial("destination-rule-recommendation-v1-v2.yml")
    );
    let short = [
        "subsets",
        "recommendation",
        "v1",
        "v2",
        "--api-version",
        "v1alpha3",
    ];
    assert_eq!(
        generate_out(&short).1,
        tutorial("destination-rule-recommendation-v1-v2.yml")
    );
}

#[test]
fn circuit_breaker_is_byte_identical_and_warns_about_ejecting_all() {
    let (code, out, err) = generate_out(CB);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        tutorial("destination-rule-recommendation_cb_policy_version_v2.yml")
    );
    assert_eq!(
        err,
        "istiolint: warning[IL3002]: `maxEjectionPercent: 100` without `minHealthPercent` can eject every host: all requests then fail with 503\n"
    );
}

#[test]
fn circuit_breaker_for_one_subset_means_the_katacoda_file() {
    let mut args = CB.to_vec();
    args.extend(["--for-subset", "version-v2", "--format", "json"]);
    let (code, out, _) = generate_out(&args);
    assert_eq!(code, 0);
    let generated: serde_json::Value = serde_json::from_str(&out).unwrap();
    let katacoda = std::fs::read_to_string(
        "examples/istiofiles/katacoda-era/destination-rule-recommendation_cb_policy_version_v2.yml",
    )
    .unwrap()
    // Current field name and duration spellings.
    .replace("consecutiveErrors", "consecutive5xxErrors")
    .replace("120.000s", "3m")
    .replace("1.000s", "1s");
    let parsed = istiolint::yaml::parse_stream(&katacoda, Default::default());
    let expected = parsed.documents[0].root.as_ref().unwrap().to_json();
    assert_eq!(generated, expected);
}

#[test]
fn three_way_even_split_sums_to_100() {
    let (_, out, _) = generate_out(&["split", "r", "a", "b", "c"]);
    let weights: Vec<&str> = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("weight: "))
        .collect();
    assert_eq!(weights, ["34", "33", "33"]);
}

#[test]
fn bad_flags_are_refused_by_name() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["split", "r", "a=75", "b=50"],
            "weights add up to 125, not 100; fix them or pass --relative-weights (Istio >= 1.15)",
        ),
        (
            &["circuit-breaker", "r", "v1", "--max-connections", "-1"],
            "--max-connections must be at least 1, got -1",
        ),
        (
            &["circuit-breaker", "r", "v1", "--interval", "0s"],
            "--interval must be at least 1ms, got 0s",
        ),
        (
            &[
                "circuit-breaker",
                "r",
                "v1",
                "--max-ejection-percent",
                "150",
            ],
            "--max-ejection-percent must be between 0 and 100, got 150",
        ),
        (
            &[
                "circuit-breaker",
                "r",
                "v1",
                "--max-connections",
                "1",
                "--for-subset",
                "v9",
            ],
            "--for-subset: `v9` is not one of the subsets (version-v1)",
        ),
        (
            &["split", "r", "a", "--api-version", "v2"],
            "--api-version: `v2` is not one of v1, v1beta1, v1alpha3",
        ),
    ];
    for (args, message) in cases {
        let (code, out, err) = generate_out(args);
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(out, "");
        assert_eq!(err, format!("istiolint: error: {message}\n"), "{args:?}");
    }
}

#[test]
fn output_file_is_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vs.yaml");
    std::fs::write(&path, "old").unwrap();
    let (code, out, _) = generate_out(&["split", "r", "a", "b", "-o", path.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("apiVersion: networking.istio.io/v1\n"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

fn check_clean(yaml: &str) -> Vec<(String, String)> {
    let src = decode("<generated>".into(), yaml.as_bytes().to_vec()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("g.yaml");
    std::fs::write(&p, src.text.as_bytes()).unwrap();
    let report = run_inputs(&[Input::File(p)], Vec::new(), &Options::default());
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity >= istiolint::diagnostic::Severity::Warning)
        .map(|d| (d.rule.code.to_string(), d.message.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Subsets + split + breaker for arbitrary flag values: the manifests
    /// check with no error, and warn only where the flags asked for it.
    #[test]
    fn generated_manifests_check_clean(
        n in 1usize..5,
        explicit in proptest::collection::vec(proptest::option::of(0i64..40), 5),
        max_conn in proptest::option::of(1i64..10_000),
        x5 in proptest::option::of(1i64..20),
        gw in proptest::option::of(1i64..20),
        max_eject in proptest::option::of(0i64..=100),
        min_health in proptest::option::of(0i64..=100),
        interval_ms in proptest::option::of(1i64..600_000),
        api in prop_oneof!["v1", "v1beta1", "v1alpha3"],
        label in "[a-z0-9]{1,6}|on|yes|0755|1\\.10",
    ) {
        let meta = Meta { api_version: Meta::api_version(&api).unwrap(), name: "svc".into(), namespace: Some("ns".into()) };
        let subsets: Vec<SubsetSpec> = (1..=n)
            .map(|i| format!("version-v{i}:version={label},app=svc").parse().unwrap())
            .collect();
        let split: Vec<SplitSpec> = (1..=n)
            .map(|i| SplitSpec { subset: format!("version-v{i}"), weight: explicit[i - 1] })
            .collect();
        let breaker = Breaker {
            max_connections: max_conn,
            consecutive_5xx_errors: x5,
            consecutive_gateway_errors: gw,
            max_ejection_percent: max_eject,
            min_health_percent: min_health,
            interval: interval_ms.map(|ms| format!("{ms}ms")),
            http1_max_pending_requests: Some(10),
            ..Breaker::default()
        };
        let Ok(vs) = generate::split(&meta, "svc", &split, false) else {
            // Explicit weights that leave too little for the rest are refused; fine.
            return Ok(());
        };
        let dr = generate::destination_rule(&meta, "svc", &subsets, Some((&breaker, None))).unwrap();
        let yaml = format!("{}---\n{}", istiolint::emit::to_yaml(&dr), istiolint::emit::to_yaml(&vs));
        let mut expected = Vec::new();
        if let (Some(x5), Some(gw)) = (x5, gw) {
            if gw >= x5 { expected.push("IL3003".to_string()); }
        }
        if max_eject == Some(100) && min_health.unwrap_or(0) == 0 { expected.push("IL3002".to_string()); }
        let got: Vec<String> = check_clean(&yaml).into_iter().map(|(c, _)| c).collect();
        prop_assert_eq!(got, expected, "{}", yaml);
    }
}
