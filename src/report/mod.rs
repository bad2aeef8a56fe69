//! Reporters: turn a finished report into bytes. A reporter never knows a
//! rule; it only reads diagnostics.

mod github;
mod human;
mod json;
pub mod junit;
mod sarif;

use std::io::{self, Write};

use crate::check::Report;

pub use human::Human;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Snippets with the spot underlined, then a summary.
    Human,
    /// One line per finding: `file:line:col: severity[CODE] message`.
    Concise,
    /// One JSON document with every diagnostic and the summary.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// JUnit XML: a testsuite per file, a testcase per object.
    Junit,
    /// GitHub Actions annotations (errors first), after the full list.
    Github,
}

/// Presentation switches of the text formats.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub color: bool,
    /// No summary line.
    pub quiet: bool,
    /// Counts per rule after the findings.
    pub statistics: bool,
}

pub fn write(report: &Report, format: Format, style: Style, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human | Format::Concise => {
            if format == Format::Human {
                Human { color: style.color }.write(report, out)?;
            } else {
                concise(report, out)?;
            }
            if style.statistics {
                statistics(report, out)?;
            }
            if !style.quiet {
                writeln!(out, "{}", summary_line(report))?;
            }
            Ok(())
        }
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Junit => junit::write(report, out),
        Format::Github => github::write(report, out),
    }
}

/// `file:line:col: severity[CODE] message`
pub fn concise_line(d: &crate::diagnostic::Diagnostic) -> String {
    format!(
        "{}:{}:{}: {}[{}] {}",
        d.file,
        d.line(),
        d.column(),
        d.severity.as_str(),
        d.rule.code,
        d.message
    )
}

fn concise(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        writeln!(out, "{}", concise_line(d))?;
    }
    Ok(())
}

fn statistics(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut counts: Vec<(&str, &str, usize)> = Vec::new();
    for d in &report.diagnostics {
        match counts.iter_mut().find(|c| c.0 == d.rule.code) {
            Some(c) => c.2 += 1,
            None => counts.push((d.rule.code, d.rule.name, 1)),
        }
    }
    counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    for (code, name, n) in counts {
        writeln!(out, "{n:>6}  {code}  {name}")?;
    }
    Ok(())
}

pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    format!(
        "Checked {} ({}): {}, {}, {}.",
        plural(s.files, "file"),
        plural(s.objects, "object"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info"),
    )
}
