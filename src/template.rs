//! Which documents of a stream are unrendered templates (IL1003).
//!
//! `{{` inside a string value of valid YAML is data, not markup: the
//! sidecar-injector ConfigMap that `helm template istiod` renders, Prometheus
//! alert texts (`{{ $labels.pod }}`), Grafana's `legendFormat`. A document is
//! a template only when it contains `{{ ... }}` and either is not valid YAML
//! or has `{{` where the markup changes the document's structure (a flow
//! mapping the template would replace, `name: {{ .Values.name }}`). Each
//! document is judged on its own, so the other objects of a stream that holds
//! one template are still checked.

use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::rules::input::UNRENDERED_TEMPLATE;
use crate::yaml::{parse_stream, position::span_of, Limits, Node, Value, YamlIssueKind};

/// The verdict on one source.
#[derive(Debug, Default, PartialEq)]
pub struct Templates {
    /// Byte offset of the first `{{` of each template document.
    pub at: Vec<usize>,
    /// The text to parse: template documents blanked out (same byte offsets
    /// and lines), or None when nothing is a template.
    pub parse_text: Option<String>,
}

/// Finds the template documents of `text`.
pub fn find(text: &str, limits: Limits) -> Templates {
    let marks = candidates(text);
    if marks.is_empty() || !is_template(text, &marks, limits) {
        return Templates::default();
    }
    let mut out = Templates::default();
    let mut blanked = text.to_string();
    for (start, end) in documents(text) {
        let chunk = &text[start..end];
        let local: Vec<usize> = marks
            .iter()
            .filter(|&&m| m >= start && m < end)
            .map(|m| m - start)
            .collect();
        if local.is_empty() || !is_template(chunk, &local, limits) {
            continue;
        }
        out.at.push(start + local[0]);
        // Keep a leading `---` so the stream keeps its document count.
        let keep = if chunk.starts_with("---") { 3 } else { 0 };
        blank(&mut blanked, start + keep, end);
    }
    out.parse_text = Some(blanked);
    out
}

/// The IL1003 finding at a `{{`.
pub fn diagnostic(file: &Arc<str>, text: &str, at: usize) -> Diagnostic {
    Diagnostic::new(
        &UNRENDERED_TEMPLATE,
        file.clone(),
        "unrendered template: `{{ ... }}` is Helm/Go template markup, not YAML",
    )
    .at(span_of(text, at, (at + 2).min(text.len())))
    .help("render it first, e.g. `helm template . | istiolint check -`")
}

/// Offsets of `{{` followed by `}}` on the same line, outside comment lines.
fn candidates(text: &str) -> Vec<usize> {
    if !text.contains("{{") {
        return Vec::new();
    }
    let mut marks = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if !line.trim_start().starts_with('#') {
            let mut from = 0;
            while let Some(i) = line[from..].find("{{").map(|i| i + from) {
                if line[i..].contains("}}") {
                    marks.push(offset + i);
                }
                from = i + 2;
            }
        }
        offset += line.len();
    }
    marks
}

/// True when `text` (a stream or one document) with `{{` at `marks` is a
/// template: not valid YAML, or a mark outside every scalar and comment.
fn is_template(text: &str, marks: &[usize], limits: Limits) -> bool {
    let parsed = parse_stream(text, limits);
    let broken = parsed.aborted
        || parsed
            .issues
            .iter()
            .any(|i| matches!(i.kind, YamlIssueKind::Syntax(_) | YamlIssueKind::ComplexKey));
    if broken {
        return true;
    }
    let mut scalars = Vec::new();
    for root in parsed.documents.iter().filter_map(|d| d.root.as_ref()) {
        scalar_spans(root, &mut scalars);
    }
    scalars.sort_unstable();
    marks
        .iter()
        .any(|&m| !inside(&scalars, m) && !in_comment(text, m))
}

/// (start, end) byte ranges of every scalar value and key.
fn scalar_spans(root: &Node, out: &mut Vec<(usize, usize)>) {
    let mut todo = vec![root];
    while let Some(n) = todo.pop() {
        match &n.value {
            Value::Scalar(_) => out.push((n.span.start, n.span.end)),
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => {
                for e in entries {
                    out.push((e.key.span.start, e.key.span.end));
                    todo.push(&e.value);
                }
            }
        }
    }
}

fn inside(sorted: &[(usize, usize)], at: usize) -> bool {
    let i = sorted.partition_point(|&(start, _)| start <= at);
    sorted[..i].iter().rev().take(64).any(|&(_, end)| at < end)
}

/// A `{{` after ` #` on its line (outside scalars) is in a comment.
fn in_comment(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..at];
    before.trim_start().starts_with('#') || before.contains(" #") || before.contains("\t#")
}

/// Byte ranges of the documents of a stream, split at `---` and `...` lines
/// (go-yaml ends documents there, even inside block scalars).
fn documents(text: &str) -> Vec<(usize, usize)> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let marker = ["---", "..."].iter().any(|m| {
            line.strip_prefix(m)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
        });
        if marker && offset > start {
            docs.push((start, offset));
            start = offset;
        }
        offset += line.len();
    }
    docs.push((start, text.len()));
    docs
}

/// Replaces every character of `text[start..end]` but line breaks with
/// spaces of the same byte length, so offsets and lines stay put.
fn blank(text: &mut String, start: usize, end: usize) {
    let replaced: String = text[start..end]
        .chars()
        .map(|c| {
            if c == '\n' || c == '\r' {
                c.to_string()
            } else {
                " ".repeat(c.len_utf8())
            }
        })
        .collect();
    text.replace_range(start..end, &replaced);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Vec<usize> {
        find(text, Limits::default()).at
    }

    #[test]
    fn braces_inside_string_values_are_data() {
        let quoted = "kind: ConfigMap\ndata:\n  legend: \"{{ pod }}\"\n";
        let plain = "summary: Pod {{ $labels.pod }} is down\n";
        let block = "data:\n  config: |-\n    a: {{ .Values.x }}\n    {{- if .y }}\n";
        let comment = "a: b # {{ not a template }}\n";
        for text in [quoted, plain, block, comment] {
            assert_eq!(
                find(text, Limits::default()),
                Templates::default(),
                "{text}"
            );
        }
    }

    #[test]
    fn structural_braces_and_broken_yaml_are_templates() {
        assert_eq!(at("name: {{ .Values.name }}\n"), vec![6]);
        assert_eq!(at("name: {{ .Values.name }}-x\n"), vec![6]);
        assert_eq!(at("{{- if .Values.on }}\nkind: A\n{{- end }}\n"), vec![0]);
    }

    #[test]
    fn only_the_template_document_is_blanked() {
        let text = "kind: A\n---\nname: {{ .Values.n }}\n---\nkind: \"{{ b }}\"\n";
        let t = find(text, Limits::default());
        assert_eq!(t.at, vec![18]);
        let parse = t.parse_text.unwrap();
        assert_eq!(parse.len(), text.len());
        let blank_line = " ".repeat("name: {{ .Values.n }}".len());
        assert_eq!(
            parse,
            format!("kind: A\n---\n{blank_line}\n---\nkind: \"{{{{ b }}}}\"\n")
        );
    }
}
