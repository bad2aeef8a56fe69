//! The emitter: any string, written as a value and read back the way
//! Kubernetes reads it, is the same string.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|s: String| {
    let text = istiolint::emit::to_yaml(&json!({"k": s, "list": [s]}));
    let out = istiolint::yaml::parse_stream(&text, Default::default());
    assert!(!out.aborted, "{text:?}");
    let back = out.documents[0].root.as_ref().unwrap().to_json();
    assert_eq!(back, json!({"k": s, "list": [s]}), "{text:?}");
});
