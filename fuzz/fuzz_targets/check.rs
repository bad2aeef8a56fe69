//! The whole per-file pipeline (YAML, objects, schema, rules, locations) and
//! the cross-object rules over the file's own objects, on arbitrary input:
//! never panics, every diagnostic is placed inside the text, and (run.sh
//! builds with debug assertions) every pointer exists or is marked absent.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = istiolint::source::decode(Arc::from("fuzz.yaml"), data.to_vec()) else { return };
    let mut out = istiolint::check::check_source(&src, &Default::default());
    let cross = istiolint::rules::cross::check(&mut out.facts);
    for d in out.diagnostics.iter().chain(&cross) {
        if let Some(s) = d.span {
            assert!(s.start <= s.end.max(s.start) && s.end <= src.text.len(), "{d:?}");
            assert!(s.line >= 1 && s.col >= 1);
        }
    }
});
