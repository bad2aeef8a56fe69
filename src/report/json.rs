//! `--format json`: exactly one JSON document (schema:
//! schemas/output/check.json). Messages show unsafe characters as visible
//! escapes, like every other format; identifiers (file, object) stay exact,
//! with unsafe characters written as JSON `\uXXXX` escapes.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use super::escape;
use crate::check::Report;
use crate::diagnostic::{Applicability, ObjectRef, Severity, Summary};

#[derive(Serialize)]
struct Out<'a> {
    diagnostics: Vec<Entry<'a>>,
    summary: &'a Summary,
    /// What the run could not check (the human summary's "Not checked" lines).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<Cow<'a, str>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: Cow<'a, str>,
    help: Option<Cow<'a, str>>,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    pointer: Option<&'a str>,
    object: Option<&'a ObjectRef>,
    /// What `--fix` (safe) or `--fix --unsafe-fixes` (unsafe) would do; null if nothing.
    fix: Option<FixEntry<'a>>,
}

#[derive(Serialize)]
struct FixEntry<'a> {
    applicability: Applicability,
    message: &'a str,
}

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|d| Entry {
            code: d.rule.code,
            name: d.rule.name,
            severity: d.severity,
            message: escape::visible(&d.message),
            help: d.help.as_deref().map(escape::visible),
            file: &d.file,
            line: d.line(),
            column: d.column(),
            end_line: d.span.map_or(1, |s| s.end_line),
            end_column: d.span.map_or(1, |s| s.end_col),
            pointer: d.pointer.as_deref(),
            object: d.object.as_ref(),
            fix: d.fix.as_ref().map(|f| FixEntry {
                applicability: f.applicability,
                message: &f.title,
            }),
        })
        .collect();
    let text = serde_json::to_string_pretty(&Out {
        diagnostics,
        summary: &report.summary,
        notes: report.notes.iter().map(|n| escape::visible(n)).collect(),
    })?;
    writeln!(out, "{}", escape::json(text))
}
