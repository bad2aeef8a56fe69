//! One result pipeline for `check` and `--fix`/`--diff`: per-path overrides,
//! select/ignore and suppressions apply to both, and `--context` files are
//! never reported on.

mod common;

use common::{findings, istiolint};

#[test]
fn fix_honours_per_path_overrides() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("legacy")).unwrap();
    std::fs::copy(
        "testdata/pipeline/.istiolint.yaml",
        dir.path().join(".istiolint.yaml"),
    )
    .unwrap();
    let dr = dir.path().join("legacy/dr.yaml");
    std::fs::copy("testdata/pipeline/legacy/dr.yaml", &dr).unwrap();
    let before = std::fs::read_to_string(&dr).unwrap();
    let out = istiolint()
        .current_dir(dir.path())
        .args(["check", "--fix", "--unsafe-fixes", "legacy/dr.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(&dr).unwrap(),
        before,
        "IL6001 is ignored for legacy/** and must not be fixed"
    );
    // Without the override, the same command rewrites it.
    std::fs::remove_file(dir.path().join(".istiolint.yaml")).unwrap();
    let out = istiolint()
        .current_dir(dir.path())
        .args(["check", "--fix", "--unsafe-fixes", "legacy/dr.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(std::fs::read_to_string(&dr)
        .unwrap()
        .contains("consecutive5xxErrors: 3"));
}

#[test]
fn context_files_are_never_reported_on() {
    let (code, json) = common::check_json(&[
        "--no-config",
        "--context=testdata/pipeline/context.yaml",
        "testdata/pipeline/vs.yaml",
    ]);
    assert_eq!((code, findings(&json)), (0, vec![]));
    // Checked as an input, the same file has the IL5009 finding.
    let (_, json) = common::check_json(&["--no-config", "testdata/pipeline/context.yaml"]);
    assert_eq!(
        findings(&json),
        vec![("IL5009".to_string(), 27, 13)],
        "{json}"
    );
}
