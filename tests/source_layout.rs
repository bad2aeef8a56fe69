//! Issue #13's done-when about the source itself: no hand-written file in
//! src over 600 lines, and rules take pointers from the model instead of
//! building `/spec/...` strings.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources(under: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join(under), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(root).unwrap().display().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn no_source_file_is_over_600_lines() {
    let long: Vec<String> = sources("src")
        .into_iter()
        .filter(|(_, text)| text.lines().count() > 600)
        .map(|(name, text)| format!("{name}: {} lines", text.lines().count()))
        .collect();
    assert!(long.is_empty(), "split these along topics: {long:?}");
}

/// Files whose rules still build `/spec` pointers by hand: none now; a
/// rule takes its locations from the model (Located, Loc, JsonAt).
const NOT_YET_ON_THE_MODEL: &[&str] = &[];

#[test]
fn rules_build_no_spec_pointers() {
    let files = sources("src/rules");
    assert!(files.len() > 30, "{} rule files", files.len());
    let built: Vec<String> = files
        .into_iter()
        .filter(|(name, _)| !NOT_YET_ON_THE_MODEL.contains(&name.as_str()))
        .filter(|(_, text)| text.contains("\"/spec"))
        .map(|(name, _)| name)
        .collect();
    assert!(
        built.is_empty(),
        "take pointers from the model (Located, Loc) or model::JsonAt: {built:?}"
    );
}
