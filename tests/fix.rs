//! `check --fix / --unsafe-fixes / --diff`: minimal edits, comments and
//! untouched lines kept byte for byte, idempotent, atomic.

mod common;

use common::istiolint;

fn diff(args: &[&str], file: &str) -> (i32, String, String) {
    common::outcome(istiolint().args(["check", "--diff"]).args(args).arg(file))
}

fn copy(src: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir
        .path()
        .join(std::path::Path::new(src).file_name().unwrap());
    std::fs::copy(src, &p).unwrap();
    (dir, p)
}

const POOL: &str =
    "examples/istiofiles/destination-rule-recommendation_cb_policy_pool_ejection.yml";

#[test]
fn consecutive_errors_fix_is_unsafe_and_minimal() {
    let (code, out, err) = diff(&["--select=IL6001"], POOL);
    assert_eq!(
        (code, out.as_str()),
        (0, ""),
        "nothing without --unsafe-fixes"
    );
    assert_eq!(
        err,
        "Would fix 0 problems in 0 files.\n2 more fixes available with --unsafe-fixes.\n"
    );
    let (code, out, _) = diff(&["--select=IL6001", "--unsafe-fixes"], POOL);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn api_version_and_duration_spelling_fixes_are_safe() {
    let (code, out, err) = diff(&["--select=IL6002,IL6004"], POOL);
    assert_eq!(code, 1);
    assert_eq!(err, "Would fix 5 problems in 1 file.\n");
    insta::assert_snapshot!(out);
}

#[test]
fn api_version_is_not_moved_for_old_istio() {
    let (code, out, _) = diff(&["--select=IL6002", "--istio-version=1.21"], POOL);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn mirror_percent_and_yaml11_fixes_keep_comments() {
    let (code, out, _) = diff(
        &["--unsafe-fixes", "--select=IL6003,IL2002,IL6004"],
        "testdata/fix/mirror.yaml",
    );
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn fix_writes_atomically_keeps_comments_and_is_idempotent() {
    let (_dir, p) = copy("testdata/fix/mirror.yaml");
    let file = p.to_str().unwrap();
    let original = std::fs::read_to_string(&p).unwrap();
    let out = istiolint()
        .args([
            "check",
            "--fix",
            "--unsafe-fixes",
            "--select=IL6,IL6002,IL2002,IL6004",
            "--format=concise",
            file,
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "Fixed 5 problems in 1 file.\n"
    );
    let fixed = std::fs::read_to_string(&p).unwrap();
    // Every comment survives, and lines without a fix are untouched.
    for line in original.lines().filter(|l| l.contains('#')) {
        let kept = fixed.lines().any(|f| f == line)
            || line.contains("mirrorPercent")
            || line.contains("apiVersion");
        assert!(kept, "lost: {line}");
    }
    assert!(fixed.contains("    mirrorPercentage: {value: 10}    # deprecated spelling\n"));
    assert_eq!(original.lines().count(), fixed.lines().count());
    // The result checks clean for these rules, and fixing again changes nothing.
    let again = istiolint()
        .args([
            "check",
            "--diff",
            "--unsafe-fixes",
            "--select=IL6,IL6002,IL2002,IL6004",
            file,
        ])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(String::from_utf8(again.stdout).unwrap(), "");
    let check = istiolint()
        .args(["check", "--format=concise", "-q", file])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0));
    assert_eq!(
        std::fs::read_dir(p.parent().unwrap()).unwrap().count(),
        1,
        "no temp file left"
    );
}

#[test]
fn fixed_tutorial_file_checks_clean() {
    let (_dir, p) = copy(POOL);
    let file = p.to_str().unwrap();
    let out = istiolint()
        .args([
            "check",
            "--fix",
            "--unsafe-fixes",
            "--select=IL1,IL2,IL3,IL4,IL5,IL6,IL6002",
            "--format=json",
            file,
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    // What remains is the ejection warning a reviewer should look at; nothing deprecated.
    assert_eq!(codes, ["IL3002", "IL3002"]);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.starts_with("apiVersion: networking.istio.io/v1\n"));
    assert_eq!(text.matches("consecutive5xxErrors: 1").count(), 2);
}

#[test]
fn stdin_cannot_be_fixed_in_place() {
    let out = istiolint()
        .args(["check", "--fix", "-"])
        .write_stdin("a: 1\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "istiolint: error: --fix cannot write to standard input; use --diff\n"
    );
}
