#![allow(dead_code)]

pub mod expect;

use assert_cmd::Command;
use serde_json::Value;

pub fn istiolint() -> Command {
    let mut cmd = Command::cargo_bin("istiolint").unwrap();
    cmd.env_remove("NO_COLOR")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs `check --format json ARGS`, returns (exit code, parsed output).
pub fn check_json(args: &[&str]) -> (i32, Value) {
    let out = istiolint()
        .arg("check")
        .arg("--format=json")
        .args(args)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), json)
}

/// (code, line, column) of every diagnostic.
pub fn findings(json: &Value) -> Vec<(String, u64, u64)> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

pub fn f(code: &str, line: u64, col: u64) -> (String, u64, u64) {
    (code.to_string(), line, col)
}

/// Runs a prepared command: (exit code, stdout, stderr).
pub fn outcome(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Every manifest-like file (yaml, yml, json) under testdata/ and examples/, sorted.
pub fn manifest_files() -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(&p, out);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for dir in ["testdata", "examples"] {
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
            &mut out,
        );
    }
    out.sort();
    out
}
