//! The whole pipeline (reading, YAML, objects, schema, rules, cross-object
//! rules, suppressions, selection) on arbitrary input, through `check::run`
//! as the CLI calls it. Properties: no panic; every span lies inside the
//! text, on character boundaries, at the line and column it reports; the
//! same input gives the same output; every finding comes from a registered
//! rule that the options enable; every output format is well-formed and
//! carries no raw control or bidirectional character and no workflow
//! command but istiolint's own; and (run.sh builds with debug assertions)
//! every pointer exists or is marked absent.
#![no_main]

use std::path::PathBuf;

use istiolint::check::{self, Options, Report};
use istiolint::diagnostic::Severity;
use istiolint::report::{self, escape, Format, Style};
use istiolint::yaml::position::line_col;
use libfuzzer_sys::fuzz_target;

fn render(report: &Report, format: Format) -> String {
    let mut buf = Vec::new();
    report::write(report, format, Style::default(), &mut buf).unwrap();
    String::from_utf8(buf).expect("output is UTF-8")
}

fuzz_target!(|data: &[u8]| {
    let path = PathBuf::from(format!("/tmp/istiolint-fuzz-{}.yaml", std::process::id()));
    std::fs::write(&path, data).unwrap();
    let opts = Options::default();
    let report = check::run(std::slice::from_ref(&path), &opts).unwrap();
    let text = std::str::from_utf8(data).ok();
    for d in &report.diagnostics {
        assert!(
            istiolint::rules::all()
                .iter()
                .any(|r| std::ptr::eq(*r, d.rule)),
            "unregistered rule: {d:?}"
        );
        assert!(
            opts.enabled(d.rule),
            "a rule that is not enabled spoke: {d:?}"
        );
        // Positions are in the decoded text (a BOM is dropped).
        let Some(text) = text.map(|t| t.strip_prefix('\u{feff}').unwrap_or(t)) else {
            continue;
        };
        if let Some(s) = d.span {
            assert!(s.start <= s.end && s.end <= text.len(), "{d:?}");
            assert!(
                text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
                "{d:?}"
            );
            assert_eq!(line_col(text, s.start), (s.line, s.col), "{d:?}");
            assert_eq!(line_col(text, s.end), (s.end_line, s.end_col), "{d:?}");
        }
    }
    let again = check::run(std::slice::from_ref(&path), &opts).unwrap();
    assert_eq!(
        render(&report, Format::Json),
        render(&again, Format::Json),
        "the same input gave different output"
    );
    for format in [
        Format::Human,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
    ] {
        let out = render(&report, format);
        for c in out.chars() {
            // The human format keeps the source's tabs and CRLF in snippets.
            let layout = c == '\n' || (format == Format::Human && matches!(c, '\t' | '\r'));
            assert!(
                layout || !escape::is_unsafe(c),
                "{format:?} wrote {c:?}:\n{out}"
            );
        }
        if matches!(format, Format::Json | Format::Sarif) {
            serde_json::from_str::<serde_json::Value>(&out).expect("valid JSON");
        }
        if format == Format::Junit {
            roxmltree::Document::parse(&out).expect("well-formed XML");
        }
        if format == Format::Github {
            // Exactly the commands istiolint writes: 10 per type, and a
            // notice when some were left out.
            let commands = out
                .lines()
                .filter(|l| l.trim_start().starts_with("::"))
                .count();
            let per_type = [Severity::Error, Severity::Warning, Severity::Info].map(|s| {
                report
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == s)
                    .count()
            });
            let expected = per_type.iter().map(|n| (*n).min(10)).sum::<usize>()
                + usize::from(per_type.iter().any(|n| *n > 10));
            assert_eq!(
                commands, expected,
                "a value formed a workflow command:\n{out}"
            );
        }
    }
});
