//! Suppressions written in the YAML itself: the annotation
//! `istiolint.io/ignore: "CODE[,CODE...]"` on an object (survives Helm and
//! kustomize), and a comment `# istiolint: ignore[CODE] reason` on the line
//! of a finding or alone on the line above it. `*` suppresses every rule.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, ObjectRef};
use crate::objects::Object;
use crate::rules::input::UNUSED_SUPPRESSION;
use crate::rules::Rule;
use crate::yaml::position::{lines_inclusive, span_of};
use crate::yaml::Span;

pub const ANNOTATION: &str = "istiolint.io/ignore";

#[derive(Clone, Debug)]
pub struct Suppression {
    pub file: Arc<str>,
    pub scope: Scope,
    /// Codes, names or `*`.
    pub rules: Vec<String>,
    /// Where it is written, for the unused-suppression report.
    pub span: Span,
    pub used: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    Object(ObjectRef),
    Line(u32),
}

impl Suppression {
    fn matches(&self, d: &Diagnostic) -> bool {
        if d.file != self.file || std::ptr::eq(d.rule, &UNUSED_SUPPRESSION) {
            return false;
        }
        let in_scope = match &self.scope {
            Scope::Object(o) => d.object.as_ref() == Some(o),
            Scope::Line(l) => d.line() == *l,
        };
        in_scope && self.rules.iter().any(|r| names(r, d.rule))
    }
}

fn names(sel: &str, rule: &Rule) -> bool {
    sel == "*" || sel.eq_ignore_ascii_case(rule.code) || sel == rule.name
}

fn split_rules(s: &str) -> Vec<String> {
    s.split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect()
}

/// The annotation on an object, if any.
pub fn from_object(obj: &Object, file: &Arc<str>, text: &str) -> Option<Suppression> {
    let pointer = format!("/metadata/annotations/{}", ANNOTATION.replace('/', "~1"));
    let (node, _) = obj.node.lookup(&pointer)?;
    Some(Suppression {
        file: file.clone(),
        scope: Scope::Object(obj.object_ref()),
        rules: split_rules(node.as_str()?),
        span: crate::locate::locate(&obj.node, &pointer, crate::diagnostic::Target::Key, text),
        used: false,
    })
}

/// `# istiolint: ignore[...]` comments of a file.
pub fn from_comments(file: &Arc<str>, text: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    if !text.contains("istiolint:") {
        return out;
    }
    let mut offset = 0;
    for (i, line) in lines_inclusive(text).enumerate() {
        let line_no = i as u32 + 1;
        if let Some(hash) = line.find('#') {
            let comment = line[hash + 1..].trim_start();
            if let Some(rest) = comment.strip_prefix("istiolint:") {
                if let Some(list) = rest
                    .trim_start()
                    .strip_prefix("ignore[")
                    .and_then(|r| r.split_once(']'))
                {
                    let alone = line[..hash].trim().is_empty();
                    let start = offset + hash;
                    out.push(Suppression {
                        file: file.clone(),
                        scope: Scope::Line(if alone { line_no + 1 } else { line_no }),
                        rules: split_rules(list.0),
                        span: span_of(text, start, offset + line.trim_end().len()),
                        used: false,
                    });
                }
            }
        }
        offset += line.len();
    }
    out
}

/// Drops suppressed diagnostics and reports the suppressions that
/// suppressed nothing.
pub fn apply(diagnostics: &mut Vec<Diagnostic>, suppressions: &mut [Suppression]) {
    if suppressions.is_empty() {
        return;
    }
    diagnostics.retain(|d| {
        let mut suppressed = false;
        for s in suppressions.iter_mut() {
            if s.matches(d) {
                s.used = true;
                suppressed = true;
            }
        }
        !suppressed
    });
    for s in suppressions.iter().filter(|s| !s.used) {
        let what = match s.scope {
            Scope::Object(_) => format!("annotation `{ANNOTATION}: {}`", s.rules.join(",")),
            Scope::Line(_) => format!("comment `istiolint: ignore[{}]`", s.rules.join(",")),
        };
        diagnostics.push(
            Diagnostic::new(
                &UNUSED_SUPPRESSION,
                s.file.clone(),
                format!("{what} suppresses nothing"),
            )
            .at(s.span)
            .help("remove it, so that it does not hide a future finding"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_lines_are_counted_as_yaml_counts_them() {
        // A lone CR ends a line for the parser, so it does for comments too:
        // the comment is on line 2 and covers line 3.
        let text = "a: 1\r# istiolint: ignore[IL4017]\nb: 2\n";
        let file: Arc<str> = Arc::from("f.yaml");
        let found = from_comments(&file, text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].scope, Scope::Line(3));
        assert_eq!((found[0].span.line, found[0].span.col), (2, 1));
    }
}
