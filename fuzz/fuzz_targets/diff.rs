//! `diff` loading and comparison on arbitrary input. Properties: no panic;
//! a load error names the file and a line and column inside the text;
//! objects compared with themselves differ in nothing; against nothing,
//! each object "will be created"; both renderings are deterministic, the
//! JSON parses, and neither carries a raw control or bidi character.
#![no_main]

use istiolint::diff::{self, Options, Status};
use istiolint::report::escape;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let objects = match diff::load_text("fuzz.yaml", text) {
        Ok(o) => o,
        Err(e) => {
            let rest = e
                .strip_prefix("fuzz.yaml:")
                .unwrap_or_else(|| panic!("{e}"));
            let mut parts = rest.splitn(3, ':');
            let line: usize = parts
                .next()
                .unwrap()
                .parse()
                .unwrap_or_else(|_| panic!("{e}"));
            let col: usize = parts
                .next()
                .unwrap()
                .parse()
                .unwrap_or_else(|_| panic!("{e}"));
            assert!(line >= 1 && line <= yaml_lines(text), "{e}");
            assert!(col >= 1, "{e}");
            return;
        }
    };
    let opts = Options {
        namespace: "default".into(),
        ignore_paths: vec!["/spec/http/0/route/0/weight".into()],
    };
    let same = diff::diff(&objects, &objects, &opts);
    assert!(same.is_empty(), "an object differs from itself: {same:?}");
    let created = diff::diff(&objects, &[], &opts);
    assert!(created.iter().all(|d| d.status == Status::WillBeCreated));
    let refs: Vec<&diff::ObjectDiff> = created.iter().collect();
    let text_out = diff::render_text(&refs, false, "applied");
    let json_out = diff::render_json(&refs);
    assert_eq!(text_out, diff::render_text(&refs, false, "applied"));
    assert_eq!(json_out, diff::render_json(&refs));
    serde_json::from_str::<serde_json::Value>(&json_out).expect("valid JSON");
    for c in text_out.chars().chain(json_out.chars()) {
        assert!(
            matches!(c, '\n' | '\t') || !escape::is_unsafe(c),
            "raw {c:?}"
        );
    }
});

/// Lines as YAML 1.2 counts them (CRLF, a lone CR and LF each end one),
/// counted here independently of istiolint's `line_col`, which agrees.
fn yaml_lines(text: &str) -> usize {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|c| matches!(c, '\n' | '\r'))
        .count()
        + 1
}
