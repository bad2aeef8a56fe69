//! The YAML layer on arbitrary bytes: never panics, limits hold, every span
//! lies inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let out = istiolint::yaml::parse_stream(text, Default::default());
    for issue in &out.issues {
        assert!(issue.span.start <= text.len() && issue.span.end <= text.len());
        assert!(text.is_char_boundary(issue.span.start));
    }
    for doc in &out.documents {
        if let Some(root) = &doc.root {
            assert!(root.span.end <= text.len());
            let _ = root.to_json();
        }
    }
});
