//! `--format json`: exactly one JSON document (schema:
//! schemas/output/check.json). Messages show unsafe characters as visible
//! escapes, like every other format; identifiers (file, object) stay exact,
//! with unsafe characters written as JSON `\uXXXX` escapes.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use super::escape;
use crate::check::Report;
use crate::diagnostic::{ObjectRef, Severity, Summary};

#[derive(Serialize)]
struct Out<'a> {
    diagnostics: Vec<Entry<'a>>,
    summary: &'a Summary,
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
            end_line: d.span.map_or(0, |s| s.end_line),
            end_column: d.span.map_or(0, |s| s.end_col),
            pointer: d.pointer.as_deref(),
            object: d.object.as_ref(),
        })
        .collect();
    let text = serde_json::to_string_pretty(&Out {
        diagnostics,
        summary: &report.summary,
    })?;
    writeln!(out, "{}", escape::json(text))
}
