//! Diagnostics of an open document, from the same pipeline as `check`:
//! the nearest config file, the per-file checks, the cross-object rules
//! over the document and the workspace on disk, suppressions, severities.

use std::path::Path;
use std::sync::Arc;

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location, NumberOrString,
    TextEdit,
};

use crate::check::{check_source, finish, Options};
use crate::diagnostic::{Applicability, Diagnostic, ObjectRef, Severity};
use crate::rules::{Area, Rule};
use crate::server::position::LineIndex;
use crate::server::uri;
use crate::server::workspace::Workspace;
use crate::source::Source;

/// A published diagnostic with what code actions and hovers need.
#[derive(Clone, Debug)]
pub struct Published {
    pub lsp: lsp_types::Diagnostic,
    pub rule: &'static Rule,
    pub object: Option<ObjectRef>,
    /// 1-based, as suppressions count; 0 when the finding has no place.
    pub line: u32,
    pub fix: Option<PublishedFix>,
}

#[derive(Clone, Debug)]
pub struct PublishedFix {
    pub title: String,
    pub safe: bool,
    pub edits: Vec<TextEdit>,
}

/// The options for a document: its nearest `.istiolint.yaml`, as `check`
/// run from the document's directory would find it.
pub fn options_for(path: Option<&Path>) -> Result<Options, String> {
    let dir = path.and_then(Path::parent);
    let config = match dir.and_then(crate::config::discover) {
        Some(file) => crate::config::load(&file)?,
        None => crate::config::Config::default(),
    };
    Ok(crate::cli::options(
        &config,
        crate::cli::OptionFlags::default(),
    ))
}

/// Checks the document's text as `check` would check the workspace with
/// this text in place of the file on disk; returns the document's findings.
pub fn diagnose(
    name: &Arc<str>,
    path: Option<&Path>,
    text: &Arc<str>,
    workspace: &Workspace,
    opts: &Options,
) -> Vec<Diagnostic> {
    if opts.excluded(name) {
        return Vec::new();
    }
    // The editor's text is not read through `source::read`: same size cap.
    if text.len() as u64 > crate::source::MAX_FILE_BYTES {
        let limit = crate::source::MAX_FILE_BYTES >> 20;
        let rule = &crate::rules::input::INPUT_LIMIT;
        return vec![Diagnostic::new(
            rule,
            name.clone(),
            format!("larger than {limit} MiB"),
        )];
    }
    let src = Source {
        name: name.clone(),
        text: text.clone(),
    };
    let outcome = check_source(&src, opts);
    let mut diagnostics = outcome.diagnostics;
    let mut suppressions = outcome.suppressions;
    let mut facts = workspace.facts_except(path);
    facts.merge(outcome.facts);
    facts.closed_world = opts.closed_world;
    diagnostics.extend(crate::rules::cross::check(&mut facts));
    diagnostics.retain(|d| d.file == *name);
    finish(
        &mut diagnostics,
        &mut suppressions,
        opts,
        &Default::default(),
    );
    diagnostics
}

/// Our diagnostic in protocol terms (0-based lines, UTF-16 columns).
pub fn to_lsp(d: &Diagnostic, index: &LineIndex, workspace: &Workspace) -> Published {
    let range = d
        .span
        .map_or_else(Default::default, |s| index.range(s.start, s.end));
    let related = d
        .related
        .iter()
        .filter_map(|r| {
            let path = Path::new(r.file.as_ref());
            let range = if r.file == d.file {
                index.range(r.span.start, r.span.end)
            } else {
                let text = &workspace.files.get(path)?.text;
                LineIndex::new(text).range(r.span.start, r.span.end)
            };
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri::from_path(path)?, range),
                message: r.label.clone(),
            })
        })
        .collect::<Vec<_>>();
    let mut tags = Vec::new();
    if d.rule.code == crate::rules::input::UNUSED_SUPPRESSION.code {
        tags.push(DiagnosticTag::UNNECESSARY);
    }
    if d.rule.area == Area::Deprecation {
        tags.push(DiagnosticTag::DEPRECATED);
    }
    let lsp = lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.rule.code.to_string())),
        code_description: None,
        source: Some("istiolint".into()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: (!tags.is_empty()).then_some(tags),
        data: Some(serde_json::json!({ "rule": d.rule.name, "help": d.help })),
    };
    let fix = d.fix.as_ref().map(|f| PublishedFix {
        title: f.title.clone(),
        safe: f.applicability == Applicability::Safe,
        edits: f
            .edits
            .iter()
            .map(|e| TextEdit::new(index.range(e.start, e.end), e.text.clone()))
            .collect(),
    });
    Published {
        lsp,
        rule: d.rule,
        object: d.object.clone(),
        line: d.line(),
        fix,
    }
}
