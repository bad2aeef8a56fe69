//! Code actions on the findings under the cursor: the finding's fix (safe
//! ones are the preferred quick fix, unsafe ones say so in the title), and
//! suppressing it on its line or for its object (the comment and annotation
//! syntax of `suppress`).

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Range, TextEdit,
    WorkspaceEdit,
};

use crate::diagnostic::ObjectRef;
use crate::objects::extract;
use crate::server::diagnostics::Published;
use crate::server::position::LineIndex;
use crate::server::worker::Snapshot;
use crate::suppress::ANNOTATION;
use crate::yaml::{parse_stream, Limits, Node};

pub fn actions(s: &Snapshot, p: CodeActionParams) -> Vec<CodeActionOrCommand> {
    let index = LineIndex::new(&s.doc.text);
    let mut out = Vec::new();
    for found in s
        .published
        .iter()
        .filter(|f| overlaps(f.lsp.range, p.range))
    {
        let code = found.rule.code;
        let action = |title: String, edits: Vec<TextEdit>, preferred: bool| {
            CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![found.lsp.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(s.uri.clone(), edits)])),
                    ..Default::default()
                }),
                is_preferred: preferred.then_some(true),
                ..Default::default()
            })
        };
        if let Some(fix) = &found.fix {
            let title = if fix.safe {
                fix.title.clone()
            } else {
                format!("{} (unsafe: changes behaviour)", fix.title)
            };
            out.push(action(title, fix.edits.clone(), fix.safe));
        }
        if let Some(edit) = suppress_line(&index, found) {
            out.push(action(
                format!("Suppress {code} on this line"),
                vec![edit],
                false,
            ));
        }
        if let Some(edit) = found
            .object
            .as_ref()
            .and_then(|o| suppress_object(&s.doc.text, &index, o, code))
        {
            let what = found.object.as_ref().map_or("", |o| o.kind.as_str());
            out.push(action(
                format!("Suppress {code} for this {what}"),
                vec![edit],
                false,
            ));
        }
    }
    out
}

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// `# istiolint: ignore[CODE]` alone on a new line above the finding,
/// indented like it.
fn suppress_line(index: &LineIndex, found: &Published) -> Option<TextEdit> {
    let line = found.line.checked_sub(1)? as usize;
    let text = index.line(line);
    let indent = &text[..text.len() - text.trim_start().len()];
    let at = index.position(index.line_start(line));
    let comment = format!("{indent}# istiolint: ignore[{}]\n", found.rule.code);
    Some(TextEdit::new(Range::new(at, at), comment))
}

/// The `istiolint.io/ignore` annotation on the finding's object: the code
/// appended to an existing one, or a new entry. Flow-style metadata
/// (`metadata: {name: x}`) gets no action rather than a risky rewrite.
fn suppress_object(
    text: &str,
    index: &LineIndex,
    object: &ObjectRef,
    code: &str,
) -> Option<TextEdit> {
    let parsed = parse_stream(text, Limits::default());
    let found = parsed
        .documents
        .into_iter()
        .filter_map(|d| d.root)
        .flat_map(extract)
        .find(|o| o.object_ref() == *object)?;
    let metadata = found.node.get("metadata")?;
    let annotations = metadata.get("annotations");
    if let Some(existing) = annotations.and_then(|a| a.get(ANNOTATION)) {
        let list = existing.as_str()?;
        let value = format!("\"{list},{code}\"");
        return Some(TextEdit::new(
            index.range(existing.span.start, existing.span.end),
            value,
        ));
    }
    let entry = format!("{ANNOTATION}: \"{code}\"");
    match annotations {
        Some(map) => {
            let indent = block_indent(text, map)?;
            insert_line(index, map, format!("{indent}{entry}\n"))
        }
        None => {
            let indent = block_indent(text, metadata)?;
            let new = format!("{indent}annotations:\n{indent}  {entry}\n");
            insert_line(index, metadata, new)
        }
    }
}

/// The indentation of a block mapping's first key (None for flow style).
fn block_indent<'a>(text: &'a str, map: &Node) -> Option<&'a str> {
    let first = map.as_map()?.first()?;
    let start = first.key.span.start;
    let line_start = crate::yaml::position::line_start(text, start);
    let indent = &text[line_start..start];
    indent.bytes().all(|b| b == b' ').then_some(indent)
}

fn insert_line(index: &LineIndex, map: &Node, line: String) -> Option<TextEdit> {
    let first = map.as_map()?.first()?;
    let at = index.position(first.key.span.start);
    let at = lsp_types::Position::new(at.line, 0);
    Some(TextEdit::new(Range::new(at, at), line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annotate(text: &str, code: &str) -> Option<String> {
        let index = LineIndex::new(text);
        let object = ObjectRef {
            kind: "VirtualService".into(),
            namespace: None,
            name: Some("r".into()),
        };
        let edit = suppress_object(text, &index, &object, code)?;
        let (start, end) = (index.offset(edit.range.start), index.offset(edit.range.end));
        Some(format!(
            "{}{}{}",
            &text[..start],
            edit.new_text,
            &text[end..]
        ))
    }

    const HEAD: &str = "apiVersion: networking.istio.io/v1\nkind: VirtualService\n";

    #[test]
    fn the_annotation_is_added_extended_or_left_alone() {
        let bare = format!("{HEAD}metadata:\n  name: r\nspec: {{}}\n");
        assert_eq!(
            annotate(&bare, "IL5001").unwrap(),
            format!("{HEAD}metadata:\n  annotations:\n    istiolint.io/ignore: \"IL5001\"\n  name: r\nspec: {{}}\n")
        );
        let other = format!("{HEAD}metadata:\n  name: r\n  annotations:\n    a: b\n");
        assert_eq!(
            annotate(&other, "IL5001").unwrap(),
            format!("{HEAD}metadata:\n  name: r\n  annotations:\n    istiolint.io/ignore: \"IL5001\"\n    a: b\n")
        );
        let existing = format!(
            "{HEAD}metadata:\n  name: r\n  annotations:\n    istiolint.io/ignore: IL2001\n"
        );
        assert_eq!(
            annotate(&existing, "IL5001").unwrap(),
            format!("{HEAD}metadata:\n  name: r\n  annotations:\n    istiolint.io/ignore: \"IL2001,IL5001\"\n")
        );
        // Flow-style metadata: no action rather than a rewrite.
        assert_eq!(
            annotate(&format!("{HEAD}metadata: {{name: r}}\n"), "IL5001"),
            None
        );
    }
}
