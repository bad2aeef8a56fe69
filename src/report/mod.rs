//! Reporters: turn a finished report into bytes. A reporter never knows a
//! rule; it only reads diagnostics.

pub mod escape;
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
                for note in &report.notes {
                    writeln!(out, "{}", escape::visible(note))?;
                }
                if let Some(line) = fixable_line(report) {
                    writeln!(out, "{line}")?;
                }
            }
            Ok(())
        }
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Junit => junit::write(report, out),
        Format::Github => github::write(report, out),
    }
}

/// `file:line:col: severity[CODE] message` (`[*] message` when `--fix` fixes
/// it), with input made visible.
pub fn concise_line(d: &crate::diagnostic::Diagnostic) -> String {
    format!(
        "{}:{}:{}: {}[{}] {}{}",
        escape::visible(&d.file),
        d.line(),
        d.column(),
        d.severity.as_str(),
        d.rule.code,
        fixable_mark(d),
        escape::visible(&d.message)
    )
}

/// ruff's marker of a finding that `--fix` fixes (a safe fix).
pub fn fixable_mark(d: &crate::diagnostic::Diagnostic) -> &'static str {
    match &d.fix {
        Some(f) if f.applicability == crate::diagnostic::Applicability::Safe => "[*] ",
        _ => "",
    }
}

/// "[*] 2 fixable with --fix (1 more with --unsafe-fixes)." or nothing.
fn fixable_line(report: &Report) -> Option<String> {
    use crate::diagnostic::Applicability;
    let count = |a: Applicability| {
        report
            .diagnostics
            .iter()
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == a))
            .count()
    };
    let (safe, unsafe_) = (count(Applicability::Safe), count(Applicability::Unsafe));
    match (safe, unsafe_) {
        (0, 0) => None,
        (s, 0) => Some(format!("[*] {s} fixable with --fix.")),
        (s, u) => Some(format!(
            "[*] {s} fixable with --fix ({u} more with --unsafe-fixes)."
        )),
    }
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

/// "Checked 2 files (3 objects): ..." when every object was checked;
/// "(3 objects checked, 2 used as context, 1 skipped)" otherwise.
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let c = s.counts;
    let objects = if c.context == 0 && c.skipped == 0 {
        plural(s.objects, "object")
    } else {
        format!(
            "{} checked, {} used as context, {} skipped",
            plural(c.checked, "object"),
            c.context,
            c.skipped
        )
    };
    format!(
        "Checked {} ({}): {}, {}, {}.",
        plural(s.files, "file"),
        objects,
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info"),
    )
}
