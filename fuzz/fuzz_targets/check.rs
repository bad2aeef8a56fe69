//! The whole per-file pipeline (YAML, objects, schema, rules, suppressions,
//! locations) and the cross-object rules over the file's own objects, on
//! arbitrary input. Properties: no panic; every span lies inside the text,
//! on character boundaries, at the line and column it reports; the same
//! input gives the same findings; every finding comes from a registered
//! rule that the options enable; every output format is well-formed and
//! carries no raw control or bidirectional character.
#![no_main]

use std::collections::BTreeMap;
use std::sync::Arc;

use istiolint::check::{check_source, FileEntry, Options, Report};
use istiolint::diagnostic::{Diagnostic, Severity, Summary};
use istiolint::report::{self, escape, Format, Style};
use istiolint::yaml::position::line_col;
use libfuzzer_sys::fuzz_target;

fn findings(
    src: &istiolint::source::Source,
    opts: &Options,
) -> (Vec<Diagnostic>, Vec<istiolint::diagnostic::ObjectRef>) {
    let mut out = check_source(src, opts);
    let cross = istiolint::rules::cross::check(&mut out.facts);
    let mut all = out.diagnostics;
    all.extend(cross);
    all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    (all, out.objects)
}

fn key(d: &Diagnostic) -> String {
    format!(
        "{} {:?} {} {:?} {:?}",
        d.rule.code, d.span, d.message, d.pointer, d.object
    )
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = istiolint::source::decode(Arc::from("fuzz.yaml"), data.to_vec()) else {
        return;
    };
    let text: &str = &src.text;
    let opts = Options::default();
    let (diagnostics, objects) = findings(&src, &opts);
    for d in &diagnostics {
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
    let (again, _) = findings(&src, &opts);
    assert_eq!(
        diagnostics.iter().map(key).collect::<Vec<_>>(),
        again.iter().map(key).collect::<Vec<_>>(),
        "the same input gave different findings"
    );

    let mut summary = Summary {
        files: 1,
        objects: objects.len(),
        ..Summary::default()
    };
    summary.count(&diagnostics);
    let report = Report {
        diagnostics,
        summary,
        sources: BTreeMap::from([(src.name.clone(), src.text.clone())]),
        files: vec![FileEntry {
            name: src.name.clone(),
            objects,
        }],
    };
    for format in [
        Format::Human,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
    ] {
        let mut buf = Vec::new();
        report::write(&report, format, Style::default(), &mut buf).unwrap();
        let out = String::from_utf8(buf).expect("output is UTF-8");
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
