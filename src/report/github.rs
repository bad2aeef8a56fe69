//! `--format github`: workflow commands that GitHub turns into annotations.
//! GitHub shows at most 10 annotations of each type per step, so errors go
//! first and a final notice says how many were left out; the full list is
//! printed as plain log lines before the annotations.

use std::io::{self, Write};

use super::escape::{visible, workflow, workflow_property};
use crate::check::Report;
use crate::diagnostic::Severity;

const PER_TYPE: usize = 10;

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        // Plain log lines, encoded as the annotations are: no value can
        // start a workflow command here either.
        writeln!(out, "{}", workflow(&super::concise_line(d)))?;
    }
    let mut left_out = 0;
    for (severity, command) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "notice"),
    ] {
        let of_type: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .collect();
        left_out += of_type.len().saturating_sub(PER_TYPE);
        for d in of_type.into_iter().take(PER_TYPE) {
            let mut props = format!("file={}", workflow_property(&visible(&d.file)));
            if let Some(s) = d.span {
                props.push_str(&format!(",line={},endLine={}", s.line, s.end_line));
                if s.line == s.end_line {
                    props.push_str(&format!(",col={},endColumn={}", s.col, s.end_col));
                }
            }
            props.push_str(&format!(
                ",title={}",
                workflow_property(&format!("{} {}", d.rule.code, d.rule.name))
            ));
            let mut message = visible(&d.message).into_owned();
            if let Some(h) = &d.help {
                message.push_str(&format!("\nhelp: {}", visible(h)));
            }
            writeln!(out, "::{command} {props}::{}", workflow(&message))?;
        }
    }
    if left_out > 0 {
        writeln!(
            out,
            "::notice title=istiolint::{left_out} more findings were not annotated (GitHub shows at most {PER_TYPE} per type); all are listed in the log above"
        )?;
    }
    writeln!(out, "{}", super::summary_line(report))
}
