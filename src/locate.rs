//! The one place that maps a JSON pointer inside an object to a span.

use crate::diagnostic::Target;
use crate::yaml::{Node, Scalar, Span, Value};

/// The span to underline for `pointer` in `object`. The pointer must exist,
/// unless the target is [`Target::Absent`] (a missing field): then the
/// nearest existing ancestor's key is underlined. Debug builds assert both,
/// so a finding cannot silently point at a parent; release builds fall back
/// to the ancestor either way. Multi-line nodes are cut to their first line
/// so snippets stay readable.
pub fn locate(object: &Node, pointer: &str, target: Target, src: &str) -> Span {
    let mut p = pointer;
    let mut absent = false;
    loop {
        if let Some((node, key)) = object.lookup(p) {
            // `weight:` with no value is written, but the API server prunes
            // the null: to Istio the field is absent, and the key is shown.
            let pruned_null = matches!(node.value, Value::Scalar(Scalar::Null));
            debug_assert!(
                absent || target != Target::Absent || pruned_null,
                "`{pointer}` exists in the object, but its finding says it is absent"
            );
            let span = match (target, key) {
                (Target::Key, Some(k)) => k.span,
                (_, Some(k)) if absent => k.span,
                (Target::Absent, Some(k)) => k.span,
                _ => node.span,
            };
            return first_line(span, src);
        }
        debug_assert!(
            absent || target == Target::Absent,
            "`{pointer}` is not in the object: a finding about a missing field says so with Target::Absent"
        );
        absent = true;
        match p.rfind('/') {
            Some(i) => p = &p[..i],
            None => return first_line(object.span, src),
        }
    }
}

/// The exact span of a key or value, for fixes (no fallback, no clamping).
pub fn exact(object: &Node, pointer: &str, target: Target) -> Option<Span> {
    let (node, key) = object.lookup(pointer)?;
    Some(match target {
        Target::Key => key?.span,
        Target::Value => node.span,
        Target::Absent => return None,
    })
}

/// The span a finding on a value shows: a multi-line value cut to its first
/// line, as `locate` cuts it. For callers that already hold the value's span
/// (model locations), so they need not look the pointer up again.
pub fn value_span(span: Span, src: &str) -> Span {
    first_line(span, src)
}

fn first_line(span: Span, src: &str) -> Span {
    if !span.is_multiline() {
        return span;
    }
    // The first line break after the start, as YAML reads breaks.
    let line_end = src[span.start..]
        .find(['\n', '\r'])
        .map_or(src.len(), |i| span.start + i);
    let text = &src[span.start..line_end];
    let trimmed = without_comment(text).trim_end();
    Span {
        end: span.start + trimmed.len(),
        end_line: span.line,
        end_col: span.col + trimmed.chars().count() as u32,
        ..span
    }
}

/// `text` up to a trailing YAML comment (a `#` after whitespace, outside
/// quotes), so a multi-line node's first line does not underline it.
fn without_comment(text: &str) -> &str {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '#') if prev.is_whitespace() && i > 0 => return &text[..i],
            _ => {}
        }
        prev = c;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};

    fn doc(src: &str) -> Node {
        parse_stream(src, Limits::default())
            .documents
            .remove(0)
            .root
            .unwrap()
    }

    #[test]
    fn keys_values_and_absent_fields() {
        let src = "spec:\n  trafficPolicy:\n    connectionPol:\n      tcp: {}\n";
        let n = doc(src);
        let s = locate(&n, "/spec/trafficPolicy/connectionPol", Target::Key, src);
        assert_eq!((s.line, s.col, s.end_line, s.end_col), (3, 5, 3, 18));
        let s = locate(&n, "/spec/trafficPolicy", Target::Value, src);
        assert_eq!((s.line, s.col, s.end_line, s.end_col), (3, 5, 3, 19));
        let s = locate(&n, "/spec/host", Target::Absent, src);
        assert_eq!((s.line, s.col), (1, 1), "absent field → parent's key");
        let s = locate(&n, "/spec/trafficPolicy/tls/mode", Target::Absent, src);
        assert_eq!(
            (s.line, s.col, s.end_col),
            (2, 3, 16),
            "missing parents too"
        );
    }

    #[test]
    fn an_absent_field_written_as_null_shows_its_key() {
        let src = "route:\n- weight: 90\n- weight:\n";
        let n = doc(src);
        let s = locate(&n, "/route/1/weight", Target::Absent, src);
        assert_eq!((s.line, s.col, s.end_line, s.end_col), (3, 3, 3, 9));
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "`/spec/trafficPolicy/connectionPool` is not in the object")]
    fn a_pointer_to_nothing_is_a_bug() {
        let src = "spec:\n  trafficPolicy:\n    connectionPol: {}\n";
        locate(
            &doc(src),
            "/spec/trafficPolicy/connectionPool",
            Target::Value,
            src,
        );
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "`/spec` exists in the object, but its finding says it is absent")]
    fn an_absent_pointer_to_something_is_a_bug() {
        let src = "spec: {}\n";
        locate(&doc(src), "/spec", Target::Absent, src);
    }

    #[test]
    fn a_multi_line_node_is_cut_before_a_trailing_comment() {
        let src = "spec:\n  a: {b: 1,  # why\n     c: \"x # y\"}\n";
        let n = doc(src);
        let s = locate(&n, "/spec/a", Target::Value, src);
        assert_eq!((s.line, s.col, s.end_line, s.end_col), (2, 6, 2, 12));
        assert_eq!(without_comment("[a, \"#b\", c # d"), "[a, \"#b\", c ");
    }
}
