//! `--format junit`: one testsuite per file, one testcase per object, a
//! `<failure>` per error or warning (type = code). Infos are not failures.

use std::io::{self, Write};

use crate::check::Report;
use crate::diagnostic::{Diagnostic, ObjectRef, Severity};

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let failing = |d: &&Diagnostic| d.severity >= Severity::Warning;
    let mut suites = String::new();
    let (mut total_tests, mut total_failures) = (0, 0);
    for file in &report.files {
        let diags: Vec<&Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| d.file == file.name)
            .collect();
        let mut cases: Vec<(String, Vec<&Diagnostic>)> = Vec::new();
        let file_level: Vec<&Diagnostic> = diags
            .iter()
            .copied()
            .filter(|d| d.object.is_none())
            .filter(failing)
            .collect();
        if !file_level.is_empty() || file.objects.is_empty() {
            cases.push((file.name.to_string(), file_level));
        }
        for o in &file.objects {
            let mine = diags
                .iter()
                .copied()
                .filter(|d| d.object.as_ref() == Some(o))
                .filter(failing)
                .collect();
            let name = case_name(o);
            if let Some(existing) = cases.iter_mut().find(|(n, _)| *n == name) {
                // The same object twice in one file: one test case.
                existing.1 = mine;
            } else {
                cases.push((name, mine));
            }
        }
        let failures = cases.iter().filter(|(_, f)| !f.is_empty()).count();
        total_tests += cases.len();
        total_failures += failures;
        suites.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">\n",
            esc(&file.name),
            cases.len()
        ));
        for (name, failures) in cases {
            suites.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\"",
                esc(&name),
                esc(&file.name)
            ));
            if failures.is_empty() {
                suites.push_str("/>\n");
                continue;
            }
            suites.push_str(">\n");
            for d in failures {
                suites.push_str(&format!(
                    "      <failure type=\"{}\" message=\"{}\">{}:{}:{}: {}[{}] {}</failure>\n",
                    d.rule.code,
                    esc(&d.message),
                    esc(&d.file),
                    d.line(),
                    d.column(),
                    d.severity.as_str(),
                    d.rule.code,
                    esc(&d.message)
                ));
            }
            suites.push_str("    </testcase>\n");
        }
        suites.push_str("  </testsuite>\n");
    }
    write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"istiolint\" tests=\"{total_tests}\" failures=\"{total_failures}\">\n{suites}</testsuites>\n"
    )
}

fn case_name(o: &ObjectRef) -> String {
    match (&o.namespace, &o.name) {
        (Some(ns), Some(n)) => format!("{} {ns}/{n}", o.kind),
        (None, Some(n)) => format!("{} {n}", o.kind),
        _ => format!("{} (unnamed)", o.kind),
    }
}

/// Escapes XML text and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {
                out.push_str(&format!("&#{};", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}
