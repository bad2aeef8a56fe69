//! Applying fixes: minimal text edits on the original source, repeated until
//! nothing changes (bounded), never a re-serialisation of the file.

use std::sync::Arc;

use crate::check::{check_source, finish, Options};
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::source::Source;

/// Passes over a file before giving up on convergence.
const MAX_PASSES: usize = 10;

pub struct Fixed {
    pub text: String,
    /// Fixes applied, over all passes.
    pub applied: usize,
    /// Unsafe fixes left because `--unsafe-fixes` was not given.
    pub unsafe_skipped: usize,
}

/// The text with every applicable fix applied.
pub fn fix_text(name: &Arc<str>, text: &str, opts: &Options, unsafe_fixes: bool) -> Fixed {
    let mut current = text.to_string();
    let mut applied = 0;
    let mut unsafe_skipped = 0;
    for _ in 0..MAX_PASSES {
        let src = Source {
            name: name.clone(),
            text: Arc::from(current.as_str()),
        };
        let outcome = check_source(&src, opts);
        let mut diagnostics = outcome.diagnostics;
        let mut suppressions = outcome.suppressions;
        finish(
            &mut diagnostics,
            &mut suppressions,
            opts,
            &Default::default(),
        );
        unsafe_skipped = diagnostics
            .iter()
            .filter(|d| {
                !unsafe_fixes
                    && d.fix
                        .as_ref()
                        .is_some_and(|f| f.applicability == Applicability::Unsafe)
            })
            .count();
        let edits = applicable(&diagnostics, unsafe_fixes);
        if edits.is_empty() {
            break;
        }
        let (next, n) = apply(&current, edits);
        if next == current {
            break;
        }
        applied += n;
        current = next;
    }
    Fixed {
        text: current,
        applied,
        unsafe_skipped,
    }
}

/// The fixes to apply in one pass, as groups of edits that must not overlap
/// other groups.
fn applicable(diagnostics: &[Diagnostic], unsafe_fixes: bool) -> Vec<&[Edit]> {
    let mut fixes: Vec<&[Edit]> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| unsafe_fixes || f.applicability == Applicability::Safe)
        .map(|f| f.edits.as_slice())
        .filter(|e| !e.is_empty())
        .collect();
    fixes.sort_by_key(|e| e.iter().map(|x| x.start).min());
    fixes
}

/// Applies non-overlapping fixes; overlapping ones wait for the next pass.
fn apply(text: &str, fixes: Vec<&[Edit]>) -> (String, usize) {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut count = 0;
    for group in fixes {
        let clashes = group.iter().any(|e| {
            taken
                .iter()
                .any(|t| e.start < t.end.max(t.start + 1) && t.start < e.end.max(e.start + 1))
        });
        if !clashes {
            taken.extend(group.iter());
            count += 1;
        }
    }
    taken.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in taken {
        out.push_str(&text[at..e.start]);
        out.push_str(&e.text);
        at = e.end;
    }
    out.push_str(&text[at..]);
    (out, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_fixes_wait() {
        let a = [Edit {
            start: 0,
            end: 3,
            text: "x".into(),
        }];
        let b = [Edit {
            start: 2,
            end: 4,
            text: "y".into(),
        }];
        let c = [Edit {
            start: 5,
            end: 6,
            text: "z".into(),
        }];
        assert_eq!(apply("abcdefg", vec![&a, &b, &c]), ("xdezg".to_string(), 2));
    }
}
