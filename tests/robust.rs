//! The fuzz targets' properties on the stable toolchain: seed files from
//! testdata mutated at random never panic the pipeline, every diagnostic is
//! placed inside the text, and fixing is idempotent. Tests build with debug
//! assertions, so `locate`'s check that every pointer exists (or is marked
//! absent) runs on every fixture and every mutation, with every rule on.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use istiolint::check::{check_source, Options};
use istiolint::diagnostic::Target;
use istiolint::fix::fix_text;
use istiolint::source::Source;
use proptest::prelude::*;

/// Every rule, opt-in ones included (they need their code).
fn all_rules() -> Options {
    let mut select: Vec<String> = vec!["*".into()];
    select.extend(istiolint::rules::all().iter().map(|r| r.code.to_string()));
    Options {
        select,
        ..Options::default()
    }
}

/// The per-file pipeline and the cross-object rules on one text.
fn check_all(name: &str, text: &str, opts: &Options) -> Vec<istiolint::diagnostic::Diagnostic> {
    let src = Source {
        name: Arc::from(name),
        text: Arc::from(text),
    };
    let mut out = check_source(&src, opts);
    let cross = istiolint::rules::cross::check(&mut out.facts);
    out.diagnostics.into_iter().chain(cross).collect()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every fixture, whole, through every rule: a pointer that does not exist
/// panics here (debug assertion in `locate`).
#[test]
fn every_fixture_points_at_what_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    files_under(&root.join("testdata"), &mut paths);
    files_under(&root.join("examples"), &mut paths);
    paths.sort();
    let opts = all_rules();
    let mut placed = 0;
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let diagnostics = check_all(path.to_str().unwrap(), &text, &opts);
        placed += diagnostics.iter().filter(|d| d.span.is_some()).count();
    }
    assert!(placed > 500, "only {placed} findings placed");
}

/// The property tests below rely on debug assertions being on.
#[test]
fn the_pointer_assertion_is_on_in_tests() {
    let text = "apiVersion: v1\nkind: X\nmetadata: {name: a}\n";
    let node = istiolint::yaml::parse_stream(text, Default::default())
        .documents
        .remove(0)
        .root
        .unwrap();
    let missing = std::panic::catch_unwind(|| {
        istiolint::locate::locate(&node, "/spec/host", Target::Value, text)
    });
    assert!(
        missing.is_err(),
        "locate accepted a pointer to nothing: run the tests with debug assertions"
    );
}

fn seeds() -> Vec<String> {
    let mut out = Vec::new();
    for dir in [
        "testdata/check",
        "testdata/rules",
        "testdata/fix",
        "testdata/suppress",
        "examples/istiofiles",
    ] {
        let mut paths: Vec<_> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + dir)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
        paths.sort();
        out.extend(
            paths
                .into_iter()
                .filter_map(|p| std::fs::read_to_string(p).ok()),
        );
    }
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, String),
    Delete(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let piece = prop_oneof![
        Just(":".to_string()),
        Just("- ".to_string()),
        Just("\n".to_string()),
        Just("  ".to_string()),
        Just("&a ".to_string()),
        Just("*a".to_string()),
        Just("{".to_string()),
        Just("[".to_string()),
        Just("\"".to_string()),
        Just("on".to_string()),
        Just("0755".to_string()),
        Just("# istiolint: ignore[*]".to_string()),
        Just("weight: -1".to_string()),
        Just("é".to_string()),
        "[ -~]{1,8}",
    ];
    prop_oneof![
        (any::<usize>(), piece).prop_map(|(i, s)| Mutation::Insert(i, s)),
        (any::<usize>(), 1usize..20).prop_map(|(i, n)| Mutation::Delete(i, n)),
    ]
}

fn apply(text: &str, muts: &[Mutation]) -> String {
    let mut s = text.to_string();
    for m in muts {
        let len = s.len().max(1);
        let at = |i: usize, s: &String| {
            let mut i = i % len;
            while i > 0 && !s.is_char_boundary(i) {
                i -= 1;
            }
            i.min(s.len())
        };
        match m {
            Mutation::Insert(i, piece) => {
                let i = at(*i, &s);
                s.insert_str(i, piece);
            }
            Mutation::Delete(i, n) => {
                let i = at(*i, &s);
                let mut j = (i + n).min(s.len());
                while j < s.len() && !s.is_char_boundary(j) {
                    j += 1;
                }
                s.replace_range(i..j, "");
            }
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn mutated_inputs_never_panic_and_fixes_are_idempotent(
        seed in any::<prop::sample::Index>(),
        muts in proptest::collection::vec(mutation(), 0..6),
    ) {
        let seeds = seeds();
        let text = apply(seeds[seed.index(seeds.len())].as_str(), &muts);
        let name: Arc<str> = Arc::from("m.yaml");
        let opts = all_rules();
        for d in check_all(&name, &text, &opts) {
            if let Some(s) = d.span {
                prop_assert!(s.start <= s.end && s.end <= text.len(), "{:?}", d);
                prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            }
        }
        let once = fix_text(&name, &text, &opts, true);
        let twice = fix_text(&name, &once.text, &opts, true);
        prop_assert_eq!(twice.applied, 0, "not idempotent:\n{}", once.text);
        prop_assert_eq!(&twice.text, &once.text);
    }
}
