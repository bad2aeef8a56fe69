//! Completion: subset names for the host being routed (from the
//! DestinationRules of the document and the workspace), gateway names in a
//! `gateways:` list, and field names from the bundled schema at the
//! cursor's path. The path is read from indentation, not from a parse, so
//! it works on the half-typed YAML completion is asked for.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, Position,
};
use serde_json::Value as Json;

use crate::schema::{self, IstioVersion, Lookup};
use crate::server::navigate::Models;
use crate::server::position::LineIndex;
use crate::server::worker::Snapshot;

pub fn complete(s: &Snapshot, p: CompletionParams) -> Option<CompletionResponse> {
    let at = p.text_document_position.position;
    let index = LineIndex::new(&s.doc.text);
    let line = index.line(at.line as usize);
    let before = prefix(line, at);
    let trimmed = before.trim_start();
    let item = trimmed.strip_prefix('-').map(str::trim_start);
    let items = if let Some(rest) = item.unwrap_or(trimmed).strip_prefix("subset:") {
        subsets(s, &index, at, rest.trim())
    } else if let Some(typed) = item.filter(|_| {
        parent_keys(&index, at)
            .last()
            .is_some_and(|k| k == "gateways")
    }) {
        gateways(s, typed)
    } else if is_key(item.unwrap_or(trimmed)) {
        fields(&index, at)
    } else {
        return None;
    };
    Some(CompletionResponse::Array(items))
}

/// The line up to the cursor (UTF-16 column).
fn prefix(line: &str, at: Position) -> &str {
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units >= at.character {
            return &line[..i];
        }
        units += c.len_utf16() as u32;
    }
    line
}

fn is_key(typed: &str) -> bool {
    typed.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn subsets(s: &Snapshot, index: &LineIndex, at: Position, _typed: &str) -> Vec<CompletionItem> {
    let models = Models::new(s);
    let offset = index.offset(at);
    let Some((vs, d)) = models
        .destination_at(offset)
        .or_else(|| models.destination_at(offset.saturating_sub(1)))
    else {
        return Vec::new();
    };
    let mut out: Vec<CompletionItem> = Vec::new();
    for dr in models.rules_for(vs, &d.host) {
        for subset in &dr.subsets {
            let Some(name) = &subset.name else { continue };
            if out.iter().any(|i| i.label == name.value) {
                continue;
            }
            let labels: Vec<String> = subset
                .labels
                .iter()
                .map(|(k, v)| format!("{}={}", k.value, v.value))
                .collect();
            out.push(CompletionItem {
                label: name.value.clone(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                detail: Some(format!(
                    "{} ({})",
                    dr.meta.name.as_deref().unwrap_or("DestinationRule"),
                    labels.join(", ")
                )),
                ..Default::default()
            });
        }
    }
    out
}

fn gateways(s: &Snapshot, _typed: &str) -> Vec<CompletionItem> {
    let models = Models::new(s);
    let own = models
        .doc
        .virtual_services
        .first()
        .map_or("default", |vs| vs.meta.namespace_or("default"));
    let mut names: Vec<String> = vec!["mesh".into()];
    for g in models.all().flat_map(|i| &i.gateways) {
        let Some(name) = &g.meta.name else { continue };
        let namespace = g.meta.namespace_or(own);
        let label = if namespace == own {
            name.clone()
        } else {
            format!("{namespace}/{name}")
        };
        if !names.contains(&label) {
            names.push(label);
        }
    }
    names
        .into_iter()
        .map(|label| CompletionItem {
            label,
            kind: Some(CompletionItemKind::REFERENCE),
            ..Default::default()
        })
        .collect()
}

fn fields(index: &LineIndex, at: Position) -> Vec<CompletionItem> {
    let keys = parent_keys(index, at);
    let (kind, version) = kind_of(index, at.line as usize);
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let Some(node) = schema_node(&kind, &version, &key_refs) else {
        return Vec::new();
    };
    let Some(props) = node.get("properties").and_then(Json::as_object) else {
        return Vec::new();
    };
    let mut names: Vec<&String> = props.keys().collect();
    names.sort();
    names
        .into_iter()
        .map(|name| CompletionItem {
            label: name.clone(),
            kind: Some(CompletionItemKind::FIELD),
            insert_text: Some(format!("{name}: ")),
            detail: props[name]
                .get("type")
                .map(|t| t.to_string().replace('"', "")),
            ..Default::default()
        })
        .collect()
}

/// Indentation of a line's key, and whether it is a `- key` item (with
/// the dash's column).
fn shape(line: &str) -> (usize, Option<usize>) {
    let indent = line.len() - line.trim_start().len();
    match line.trim_start().strip_prefix('-') {
        Some(rest) if rest.is_empty() || rest.starts_with(' ') => {
            let after = rest.len() - rest.trim_start().len();
            (indent + 1 + after, Some(indent))
        }
        _ => (indent, None),
    }
}

/// The mapping keys that lead to the cursor's line, read upwards by
/// indentation within the YAML document (list items are stepped through).
pub fn parent_keys(index: &LineIndex, at: Position) -> Vec<String> {
    let current = index.line(at.line as usize);
    let (mut need, _) = if current.trim().is_empty() {
        (at.character as usize, None)
    } else {
        shape(current)
    };
    let mut keys = Vec::new();
    for n in (0..at.line as usize).rev() {
        let line = index.line(n);
        if line.starts_with("---") {
            break;
        }
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let (col, dash) = shape(line);
        if col >= need {
            continue;
        }
        let body = content.trim_start_matches('-').trim_start();
        let Some((key, value)) = body.split_once(':') else {
            continue;
        };
        if !value.trim().is_empty() && !value.trim_start().starts_with('#') {
            // `key: value` above the cursor is a sibling's, not a parent;
            // an item `- key: value` still opens the item's mapping.
            if dash.is_none() {
                continue;
            }
            need = dash.map_or(col, |d| d + 1);
            continue;
        }
        keys.push(key.trim().trim_matches(['"', '\'']).to_string());
        need = dash.map_or(col, |d| d + 1);
        if need == 0 {
            break;
        }
    }
    keys.reverse();
    keys
}

/// `kind` and `apiVersion` version of the YAML document holding the line.
fn kind_of(index: &LineIndex, line: usize) -> (String, String) {
    let (mut kind, mut version) = (String::new(), String::new());
    let mut start = line;
    while start > 0 && !index.line(start).starts_with("---") {
        start -= 1;
    }
    for n in start..index.line_count() {
        let text = index.line(n);
        if n > start && text.starts_with("---") {
            break;
        }
        if let Some(k) = text.strip_prefix("kind:") {
            kind = k.trim().to_string();
        }
        if let Some(v) = text.strip_prefix("apiVersion:") {
            version = v.trim().rsplit('/').next().unwrap_or("").to_string();
        }
    }
    (kind, version)
}

/// The schema node of a field path (`spec`, `http`, `route`, ...) in the
/// newest bundled release; arrays are stepped into.
pub fn schema_node(kind: &str, version: &str, keys: &[&str]) -> Option<&'static Json> {
    let release = schema::release_for(IstioVersion::newest_bundled());
    let Lookup::Found(compiled) = schema::lookup(release, kind, version) else {
        return None;
    };
    let mut node = &compiled.schema;
    for key in keys {
        node = node.get("properties")?.get(*key)?;
        while let Some(items) = node.get("items") {
            node = items;
        }
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_keys_step_through_list_items() {
        let text = "spec:\n  http:\n  - match:\n    - uri: {prefix: /}\n    route:\n    - destination:\n        host: a\n  - route:\n    - destination:\n        ho\n";
        let index = LineIndex::new(text);
        assert_eq!(
            parent_keys(&index, Position::new(9, 10)),
            ["spec", "http", "route", "destination"]
        );
        assert_eq!(parent_keys(&index, Position::new(4, 4)), ["spec", "http"]);
        assert_eq!(parent_keys(&index, Position::new(1, 2)), ["spec"]);
    }
}
