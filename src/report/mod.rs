//! Reporters: turn a finished report into bytes. A reporter never knows a
//! rule; it only reads diagnostics.

mod human;
mod json;

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
}

pub fn write(report: &Report, format: Format, color: bool, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => Human { color }.write(report, out),
        Format::Concise => concise(report, out),
        Format::Json => json::write(report, out),
    }
}

fn concise(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            d.file,
            d.line(),
            d.column(),
            d.severity.as_str(),
            d.rule.code,
            d.message
        )?;
    }
    writeln!(out, "{}", summary_line(report))
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
