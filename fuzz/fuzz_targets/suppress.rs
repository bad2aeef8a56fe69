//! Suppression comments on arbitrary text. Properties: no panic; each
//! suppression's span lies inside the text on the line it is written on,
//! and its scope is that line or the next; applying them to one finding per
//! line removes exactly the findings they name, and each unused one is
//! reported once, inside the text.
#![no_main]

use std::sync::Arc;

use istiolint::diagnostic::Diagnostic;
use istiolint::rules::input::UNUSED_SUPPRESSION;
use istiolint::suppress::{self, Scope};
use istiolint::yaml::position::{line_col, span_of};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file: Arc<str> = Arc::from("fuzz.yaml");
    let mut found = suppress::from_comments(&file, text);
    for s in &found {
        let sp = s.span;
        assert!(sp.start <= sp.end && sp.end <= text.len(), "{s:?}");
        assert!(text.is_char_boundary(sp.start) && text.is_char_boundary(sp.end));
        assert_eq!(line_col(text, sp.start), (sp.line, sp.col));
        assert!(text[sp.start..].starts_with('#'), "{s:?}");
        let Scope::Line(l) = s.scope else {
            panic!("a comment scoped to an object")
        };
        assert!(l == sp.line || l == sp.line + 1, "{s:?}");
        assert!(s
            .rules
            .iter()
            .all(|r| !r.is_empty() && r.trim() == r && !r.contains(',')));
    }
    // One finding (weights-not-100) at the start of every line.
    let rule = istiolint::rules::find("IL4003").unwrap();
    let mut diagnostics = Vec::new();
    // Lines as YAML 1.2 splits them (a lone CR ends one too), split here
    // independently of istiolint's own splitting.
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for i in 0..bytes.len() {
        let lone_cr = bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
        if (bytes[i] == b'\n' || lone_cr) && i + 1 < bytes.len() {
            starts.push(i + 1);
        }
    }
    for &offset in starts.iter().filter(|_| !text.is_empty()) {
        diagnostics
            .push(Diagnostic::new(rule, file.clone(), "x").at(span_of(text, offset, offset)));
    }
    let names = |s: &suppress::Suppression| {
        s.rules
            .iter()
            .any(|r| r == "*" || r.eq_ignore_ascii_case("IL4003") || r == "weights-not-100")
    };
    let suppressed_lines: std::collections::BTreeSet<u32> = found
        .iter()
        .filter(|s| names(s))
        .map(|s| match s.scope {
            Scope::Line(l) => l,
            Scope::Object(_) => unreachable!(),
        })
        .collect();
    let before = diagnostics.len();
    suppress::apply(&mut diagnostics, &mut found);
    let kept: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| !std::ptr::eq(d.rule, &UNUSED_SUPPRESSION))
        .collect();
    let removed = suppressed_lines
        .iter()
        .filter(|l| (**l as usize) <= before)
        .count();
    assert_eq!(kept.len(), before - removed);
    assert!(kept.iter().all(|d| !suppressed_lines.contains(&d.line())));
    let unused = diagnostics.len() - kept.len();
    assert_eq!(unused, found.iter().filter(|s| !s.used).count());
    for d in diagnostics
        .iter()
        .filter(|d| std::ptr::eq(d.rule, &UNUSED_SUPPRESSION))
    {
        assert!(d.span.unwrap().end <= text.len());
    }
});
