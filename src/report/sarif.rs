//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::escape;
use crate::check::Report;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::Rule;

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut rules: Vec<&'static Rule> = Vec::new();
    for d in &report.diagnostics {
        if !rules.iter().any(|r| std::ptr::eq(*r, d.rule)) {
            rules.push(d.rule);
        }
    }
    rules.sort_by_key(|r| r.code);
    let rule_index = |d: &Diagnostic| {
        rules
            .iter()
            .position(|r| std::ptr::eq(*r, d.rule))
            .unwrap_or(0)
    };
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let mut text = escape::visible(&d.message).into_owned();
            if let Some(h) = &d.help {
                text.push_str(&format!("\nhelp: {}", escape::visible(h)));
            }
            let mut location = json!({"artifactLocation": {"uri": uri(&d.file)}});
            if let Some(s) = d.span {
                location["region"] = json!({
                    "startLine": s.line, "startColumn": s.col,
                    "endLine": s.end_line, "endColumn": s.end_col,
                });
            }
            json!({
                "ruleId": d.rule.code,
                "ruleIndex": rule_index(d),
                "level": level(d.severity),
                "message": {"text": text},
                "locations": [{"physicalLocation": location}],
                "partialFingerprints": {"istiolint/v1": fingerprint(d)},
            })
        })
        .collect();
    let rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "help": {"text": r.doc, "markdown": r.doc},
                "defaultConfiguration": {"level": level(r.severity)},
            })
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "istiolint",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let text = serde_json::to_string_pretty(&sarif)?;
    writeln!(out, "{}", escape::json(text))
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Repository-relative URI: relative paths as given, absolute ones made
/// relative to the working directory when inside it; bytes outside RFC
/// 3986's unreserved set and `/` percent-encoded (UTF-8), as a URI needs.
fn uri(file: &str) -> String {
    let mut path = file.to_string();
    if let Ok(cwd) = std::env::current_dir() {
        if let Ok(rel) = std::path::Path::new(file).strip_prefix(&cwd) {
            path = rel.to_string_lossy().into_owned();
        }
    }
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Stable across runs and line shifts: rule, file, object and pointer (or
/// the message when there is no pointer), hashed with FNV-1a.
fn fingerprint(d: &Diagnostic) -> String {
    let object = d.object.as_ref().map(|o| {
        format!(
            "{}/{}/{}",
            o.kind,
            o.namespace.as_deref().unwrap_or(""),
            o.name.as_deref().unwrap_or("")
        )
    });
    let key = format!(
        "{}|{}|{}|{}",
        d.rule.code,
        d.file,
        object.unwrap_or_default(),
        d.pointer.as_deref().unwrap_or(&d.message)
    );
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}
