//! Where objects come from: local paths, a manifest (file or stdin, `kind:
//! List` unwrapped), a git revision, or the live cluster.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use crate::objects::{extract, Object};
use crate::source;
use crate::yaml::{parse_stream, Limits, YamlIssueKind};

/// Objects of a YAML/JSON text; syntax errors name file, line and column.
pub fn load_text(name: &str, text: &str) -> Result<Vec<Value>, String> {
    Ok(load_objects(name, text)?
        .into_iter()
        .map(|o| o.json)
        .collect())
}

/// The objects themselves, with their spanned trees (for the model).
pub fn load_objects(name: &str, text: &str) -> Result<Vec<Object>, String> {
    let parsed = parse_stream(text, Limits::default());
    if let Some(e) = parsed
        .issues
        .iter()
        .find(|i| !matches!(i.kind, YamlIssueKind::Yaml11Scalar { .. }))
    {
        let what = match &e.kind {
            YamlIssueKind::Syntax(m) => format!("invalid YAML: {m}"),
            YamlIssueKind::DuplicateKey { key, .. } => format!("duplicate key `{key}`"),
            other => format!("{other:?}"),
        };
        return Err(format!("{name}:{}:{}: {what}", e.span.line, e.span.col));
    }
    Ok(parsed
        .documents
        .into_iter()
        .filter_map(|d| d.root)
        .flat_map(extract)
        .collect())
}

/// Objects of files, directories or `-`.
pub fn load_paths(paths: &[PathBuf]) -> Result<Vec<Value>, String> {
    Ok(load_path_objects(paths)?
        .into_iter()
        .map(|(_, o)| o.json)
        .collect())
}

/// Objects of files, directories or `-`, each with the file it came from.
pub fn load_paths_named(paths: &[PathBuf]) -> Result<Vec<(String, Value)>, String> {
    Ok(load_path_objects(paths)?
        .into_iter()
        .map(|(name, o)| (name.to_string(), o.json))
        .collect())
}

/// Objects of files, directories or `-`, each with the name of its file.
pub fn load_path_objects(paths: &[PathBuf]) -> Result<Vec<(Arc<str>, Object)>, String> {
    let (inputs, problems) = source::collect(paths).map_err(|e| e.to_string())?;
    if let Some(p) = problems.first() {
        return Err(format!("{}: {}", p.file, p.message));
    }
    let mut out = Vec::new();
    for input in &inputs {
        let src = source::read(input).map_err(|d| format!("{}: {}", d.file, d.message))?;
        let objects = load_objects(&src.name, &src.text)?;
        out.extend(objects.into_iter().map(|o| (src.name.clone(), o)));
    }
    Ok(out)
}

/// The same paths at a git revision.
pub fn load_git(paths: &[PathBuf], rev: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for path in paths {
        let dir = if path.is_dir() {
            path.clone()
        } else {
            path.parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let top = git(&dir, &["rev-parse", "--show-toplevel"])?;
        let top = PathBuf::from(top.trim());
        let abs = std::fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let rel = abs
            .strip_prefix(&top)
            .map_err(|_| format!("{} is outside the git repository", path.display()))?;
        let rel = rel.to_string_lossy();
        let listing = git(
            &top,
            &[
                "ls-tree",
                "-r",
                "--name-only",
                rev,
                "--",
                if rel.is_empty() { "." } else { &rel },
            ],
        )?;
        for file in listing
            .lines()
            .filter(|f| f.ends_with(".yaml") || f.ends_with(".yml") || f.ends_with(".json"))
        {
            let text = git(&top, &["show", &format!("{rev}:{file}")])?;
            out.extend(load_text(&format!("{rev}:{file}"), &text)?);
        }
    }
    Ok(out)
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| "git printed non-UTF-8 output".into())
}

/// Live objects: `kubectl get` (read-only) for each local object, a few at
/// a time. Not found means "will be created".
pub fn load_live(
    local: &[Value],
    namespace: &str,
    context: Option<&str>,
    kubeconfig: Option<&Path>,
) -> Result<Vec<Value>, String> {
    let kubectl = std::env::var_os("ISTIOLINT_KUBECTL").unwrap_or_else(|| "kubectl".into());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .map_err(|e| e.to_string())?;
    let keys: Vec<super::Key> = local
        .iter()
        .filter_map(|o| super::Key::of(o, namespace))
        .collect();
    let results: Vec<Result<Option<Value>, String>> = pool.install(|| {
        keys.par_iter()
            .map(|k| {
                let resource = if k.group.is_empty() {
                    k.kind.to_lowercase()
                } else {
                    format!("{}.{}", k.kind.to_lowercase(), k.group)
                };
                let mut cmd = Command::new(&kubectl);
                cmd.args(["get", &resource, "-n", &k.namespace, &k.name, "-o", "json"]);
                if let Some(c) = context {
                    cmd.args(["--context", c]);
                }
                if let Some(k) = kubeconfig {
                    cmd.arg("--kubeconfig").arg(k);
                }
                let out = cmd
                    .output()
                    .map_err(|e| format!("cannot run kubectl: {e}"))?;
                let stderr = String::from_utf8_lossy(&out.stderr);
                if !out.status.success() {
                    if stderr.contains("NotFound") || stderr.contains("not found") {
                        return Ok(None);
                    }
                    return Err(format!(
                        "kubectl get {resource} -n {} {} failed:\n{}",
                        k.namespace,
                        k.name,
                        stderr.trim()
                    ));
                }
                serde_json::from_slice(&out.stdout)
                    .map(Some)
                    .map_err(|e| format!("kubectl printed invalid JSON: {e}"))
            })
            .collect()
    });
    let mut out = Vec::new();
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}
