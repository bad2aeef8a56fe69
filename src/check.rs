//! The `check` pipeline: read every source in parallel, parse, extract
//! objects, validate against the schema and run the rules, then sort.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{
    Applicability, Change, Diagnostic, Edit, Finding, Fix, ObjectCounts, ObjectRef, Related,
    Severity, Summary, Target,
};
use crate::locate::locate;
use crate::objects::{extract, Object};
use crate::rules::cross::{self, Facts};
use crate::rules::input::{COMPLEX_KEY, DUPLICATE_KEY, INPUT_LIMIT, YAML11_SCALAR, YAML_SYNTAX};
use crate::rules::schema::{MISSING_FIELD, UNSUPPORTED_API_VERSION, WRONG_TYPE};
use crate::rules::ObjectContext;
use crate::schema::{self, IstioVersion, Lookup};
use crate::source::{self, FatalError, Input, Source};
use crate::suppress::{self, Suppression};
use crate::yaml::{parse_stream, YamlIssue, YamlIssueKind};

pub use crate::check_options::{Options, PathOverride};

/// The result of a run.
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
    /// Texts of the files that have diagnostics, for snippets.
    pub sources: BTreeMap<Arc<str>, Arc<str>>,
    /// Every file checked, in input order, with its objects.
    pub files: Vec<FileEntry>,
    /// `--context` files read, with how many objects each gave.
    pub context_files: Vec<(Arc<str>, usize)>,
    /// Directories named on the command line that hold no manifest.
    pub empty_dirs: Vec<PathBuf>,
    /// What the run could not check, printed after the summary line.
    pub notes: Vec<String>,
}

pub struct FileEntry {
    pub name: Arc<str>,
    pub objects: Box<[Arc<ObjectRef>]>,
    pub counts: ObjectCounts,
}

impl Report {
    /// The highest severity found, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.diagnostics.iter().map(|d| d.severity).max()
    }
}

/// Checks the inputs named on the command line.
pub fn run(paths: &[PathBuf], opts: &Options) -> Result<Report, FatalError> {
    let (mut inputs, walk_problems, empty_dirs) = source::collect_noting_empty(paths)?;
    inputs.retain(|i| !matches!(i, Input::File(p) if opts.excluded(&p.to_string_lossy())));
    let opts = &crate::check_context::with_kustomize_namespaces(opts, &inputs);
    // Context files feed the cross-object index only; they are not reported on.
    let context: Vec<crate::check_context::ContextFile> = if opts.context.is_empty() {
        Vec::new()
    } else {
        let (context, _) = source::collect(&opts.context)?;
        context
            .par_iter()
            .filter(|i| !inputs.contains(i))
            .filter_map(|i| source::read(i).ok())
            .map(|src| crate::check_context::context_facts(&src, opts))
            .collect()
    };
    let mut report = run_inputs_with(&inputs, walk_problems, opts, context);
    report.empty_dirs = empty_dirs;
    Ok(report)
}

pub fn run_inputs(inputs: &[Input], diagnostics: Vec<Diagnostic>, opts: &Options) -> Report {
    let opts = &crate::check_context::with_kustomize_namespaces(opts, inputs);
    run_inputs_with(inputs, diagnostics, opts, Vec::new())
}

/// The one result pipeline, shared by `check` and `--fix`/`--diff`:
/// suppressions, config severities and per-path overrides, select/ignore,
/// context files dropped (they inform, they are never reported on), sort.
pub fn finish(
    diagnostics: &mut Vec<Diagnostic>,
    suppressions: &mut [Suppression],
    opts: &Options,
    context_files: &std::collections::BTreeSet<Arc<str>>,
) {
    suppress::apply(diagnostics, suppressions);
    diagnostics
        .retain_mut(|d| !context_files.contains(&d.file) && opts.adjust(d) && opts.enabled(d.rule));
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Files checked in parallel between two merges of their results.
const MERGE_CHUNK: usize = 256;

fn run_inputs_with(
    inputs: &[Input],
    mut diagnostics: Vec<Diagnostic>,
    opts: &Options,
    context: Vec<crate::check_context::ContextFile>,
) -> Report {
    let progress = opts
        .progress
        .then(|| crate::progress::Progress::start(inputs.len()));
    let mut summary = Summary {
        files: inputs.len(),
        ..Summary::default()
    };
    let mut sources = BTreeMap::new();
    let mut facts = Facts::default();
    let mut files = Vec::with_capacity(inputs.len());
    let mut suppressions = Vec::new();
    let mut context_files = Vec::with_capacity(context.len());
    for c in context {
        summary.counts.context += c.objects;
        context_files.push((c.name, c.objects));
        facts.merge(c.facts.into_context());
    }
    // Checked in parallel a chunk at a time and merged in input order, so
    // only two chunks' per-file results are alive beside the merged ones:
    // this thread merges one while the pool checks the next (the merge was
    // a tenth of a -j2 run spent on one core).
    let check_chunk = |chunk: &[Input]| -> Vec<FileOutcome> {
        chunk
            .par_iter()
            .map(|input| match opts.read(input) {
                Ok(src) => check_source(&src, opts),
                Err(d) => FileOutcome::unreadable(opts.input_name(input), d),
            })
            .inspect(|o| {
                if let Some(p) = &progress {
                    p.file_done(
                        o.diagnostics
                            .iter()
                            .filter(|d| opts.enabled(d.rule))
                            .count(),
                    );
                }
            })
            .collect()
    };
    let mut merge = |outcomes: Vec<FileOutcome>| {
        for o in outcomes {
            summary.counts.add(o.counts);
            files.push(FileEntry {
                name: o.name.clone(),
                objects: o.objects.into(),
                counts: o.counts,
            });
            // Texts are kept for snippets only where there are findings, so memory
            // stays bounded by the largest file; cross-object findings re-read theirs.
            if let Some(src) = o.source {
                sources.insert(src.name.clone(), src.text.clone());
            }
            diagnostics.extend(o.diagnostics);
            facts.reserve_for(&o.facts, files.len(), inputs.len());
            facts.merge(o.facts);
            suppressions.extend(o.suppressions);
        }
    };
    let mut chunks = inputs.chunks(MERGE_CHUNK);
    let mut pending = chunks.next().map(check_chunk).unwrap_or_default();
    for chunk in chunks {
        let (_, next) = rayon::join(
            || merge(std::mem::take(&mut pending)),
            || check_chunk(chunk),
        );
        pending = next;
    }
    merge(pending);
    drop(progress);
    facts.closed_world = opts.closed_world;
    diagnostics.extend(cross::check(&mut facts));
    let notes = crate::check_context::notes(&facts, opts);
    let context_names = context_files.iter().map(|(n, _)| n.clone()).collect();
    finish(&mut diagnostics, &mut suppressions, opts, &context_names);
    let missing: std::collections::BTreeSet<&Arc<str>> = diagnostics
        .iter()
        .filter(|d| d.span.is_some() && !sources.contains_key(&d.file))
        .map(|d| &d.file)
        .collect();
    if !missing.is_empty() {
        for input in inputs {
            let name = opts.input_name(input);
            if missing.contains(&name) {
                if let Ok(src) = opts.read(input) {
                    sources.insert(name, src.text);
                }
            }
        }
    }
    summary.objects = summary.counts.checked + summary.counts.context + summary.counts.skipped;
    summary.count(&diagnostics);
    Report {
        diagnostics,
        summary,
        sources,
        files,
        context_files,
        empty_dirs: Vec::new(),
        notes,
    }
}

pub struct FileOutcome {
    /// The name the file goes by in findings.
    pub name: Arc<str>,
    pub source: Option<Source>,
    pub diagnostics: Vec<Diagnostic>,
    pub objects: Vec<Arc<ObjectRef>>,
    pub counts: ObjectCounts,
    pub facts: Facts,
    pub suppressions: Vec<Suppression>,
}

impl FileOutcome {
    fn unreadable(name: Arc<str>, problem: Diagnostic) -> Self {
        FileOutcome {
            name,
            source: None,
            diagnostics: vec![problem],
            objects: Vec::new(),
            counts: ObjectCounts::default(),
            facts: Facts::default(),
            suppressions: Vec::new(),
        }
    }
}

/// Checks one source on its own (no cross-file rules).
pub fn check_source(src: &Source, opts: &Options) -> FileOutcome {
    let file = &src.name;
    let text: &str = &src.text;
    let mut out = FileOutcome {
        name: src.name.clone(),
        source: Some(src.clone()),
        diagnostics: Vec::new(),
        objects: Vec::new(),
        counts: ObjectCounts::default(),
        facts: Facts::default(),
        suppressions: suppress::from_comments(&src.name, &src.text),
    };
    // Template documents are reported and blanked; the others are checked.
    let templates = crate::template::find(text, opts.limits);
    for &at in &templates.at {
        out.diagnostics
            .push(crate::template::diagnostic(file, text, at));
    }
    let parsed = parse_stream(templates.parse_text.as_deref().unwrap_or(text), opts.limits);
    for issue in &parsed.issues {
        out.diagnostics.push(yaml_diagnostic(issue, file));
    }
    for doc in parsed.documents {
        let Some(root) = doc.root else { continue };
        for mut object in extract(root) {
            crate::check_context::place_namespace(&mut object, file, opts);
            out.counts
                .note(crate::check_context::classify(&object, opts));
            schema::nulls::prune_object(&mut object, opts.istio_version);
            // One copy of the object's name, shared by the file's entry and
            // every location the cross-object index keeps.
            let object_ref = Arc::new(object.object_ref());
            out.objects.push(object_ref.clone());
            out.suppressions
                .extend(suppress::from_object(&object, file, text));
            // Built once: the cross-object collection and the rules share it.
            let model = crate::model::build(&object, file);
            cross::collect(
                &object,
                object_ref,
                file,
                text,
                model.as_ref(),
                &mut out.facts,
            );
            let findings = check_object(&object, file, text, model.as_ref(), opts);
            for f in findings {
                out.diagnostics
                    .push(place(f, &object, file, text, opts.istio_version));
            }
        }
    }
    drop_shadowed_yaml11(&mut out.diagnostics);
    // Copied once the file's trees are freed: allocated among the tree's
    // nodes, the facts would keep its pages resident (-19% peak RSS).
    out.facts = out.facts.clone();
    // Keep the text only for snippets of findings (or stdin, which cannot be
    // re-read): memory stays bounded by the largest file.
    let stdin = src.name.as_ref() == "<stdin>" || Some(&src.name) == opts.stdin_name.as_ref();
    if out.diagnostics.is_empty() && !stdin {
        out.source = None;
    }
    out
}

/// Per-object checks: the name, the registry's rules for the kind, the schema.
fn check_object(
    object: &Object,
    file: &Arc<str>,
    text: &str,
    model: Option<&crate::model::Model>,
    opts: &Options,
) -> Vec<Finding> {
    let mut findings = crate::rules::input_kinds::check(object, opts);
    if object.group != schema::GROUP {
        return findings;
    }
    let generate_name = object
        .node
        .get("metadata")
        .and_then(|m| m.get("generateName"));
    if object.name.is_none() && generate_name.is_none() {
        let missing = Finding::new(
            &MISSING_FIELD,
            "/metadata/name",
            format!("{} has no `metadata.name`", object.kind),
        )
        .help("every object needs a name: add `metadata: {name: ...}`");
        // A name that is not a string is there (and the schema's wrong type).
        let missing = match object.node.lookup("/metadata/name") {
            Some(_) => missing,
            None => missing.absent(),
        };
        findings.push(missing);
    }
    let ctx = ObjectContext::with_model(object, file, model, opts);
    crate::rules::context::run_object_rules(&ctx, &mut findings);
    let release = schema::release_for(opts.istio_version);
    match schema::lookup(release, &object.kind, &object.version) {
        Lookup::Found(compiled) => {
            findings.extend(schema::validate(compiled, &object.json, &object.node, text))
        }
        Lookup::VersionNotServed { served } => {
            let list = served
                .iter()
                .map(|v| format!("{}/{v}", schema::GROUP))
                .collect::<Vec<_>>()
                .join(", ");
            findings.push(
                Finding::new(
                    &UNSUPPORTED_API_VERSION,
                    "/apiVersion",
                    format!(
                        "{} `{}` is not served by Istio {release}",
                        object.kind, object.api_version
                    ),
                )
                .help(format!("use one of: {list} (or pass --istio-version)")),
            );
        }
        Lookup::UnknownKind => {}
    }
    findings
}

/// A finding becomes a diagnostic: its pointer is located in the object.
fn place(
    f: Finding,
    object: &Object,
    file: &Arc<str>,
    text: &str,
    version: IstioVersion,
) -> Diagnostic {
    let span = locate(&object.node, &f.pointer, f.target, text);
    let mut d = Diagnostic::new(f.rule, file.clone(), f.message).at(span);
    if f.help.is_some() {
        d.help = f.help;
    }
    d.severity = f.rule.severity_for(version);
    d.fix = f.fix.and_then(|spec| {
        let edits = spec
            .changes
            .iter()
            .map(|c| {
                let (pointer, target, text) = match c {
                    Change::Key { pointer, text } => (pointer, Target::Key, text),
                    Change::Value { pointer, text } => (pointer, Target::Value, text),
                };
                let span = crate::locate::exact(&object.node, pointer, target)?;
                Some(Edit {
                    start: span.start,
                    end: span.end,
                    text: text.clone(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Fix {
            title: spec.title,
            applicability: spec.applicability,
            edits,
        })
    });
    d.pointer = Some(f.pointer);
    d.object = Some(object.object_ref());
    d
}

/// The diagnostic of a YAML parse problem (IL1001, IL1002, IL1004, IL1005, IL1007).
pub fn yaml_diagnostic(issue: &YamlIssue, file: &Arc<str>) -> Diagnostic {
    let d = |rule, msg: String| Diagnostic::new(rule, file.clone(), msg).at(issue.span);
    match &issue.kind {
        YamlIssueKind::Syntax(msg) => d(&YAML_SYNTAX, format!("invalid YAML: {msg}")),
        YamlIssueKind::DuplicateKey { key, first } => {
            let mut x = d(&DUPLICATE_KEY, format!("duplicate key `{key}` (first defined at line {}, column {})", first.line, first.col))
                .help("Kubernetes would silently keep only the last value; remove one of them");
            x.related.push(Related {
                file: file.clone(),
                span: *first,
                label: "first defined here".into(),
            });
            x
        }
        YamlIssueKind::ComplexKey => d(&COMPLEX_KEY, "a mapping key must be a plain value, not a sequence or mapping".into()),
        YamlIssueKind::Yaml11Scalar { text, k8s, yaml12 } => d(
            &YAML11_SCALAR,
            format!("unquoted `{text}` is read by Kubernetes as {}, by YAML 1.2 tools as {}", k8s.describe(), yaml12.describe()),
        )
        .help(format!("quote it if you mean the string (\"{text}\"), or write the value unambiguously"))
        .with_fix(Fix {
            title: format!("quote `{text}`"),
            // Kubernetes reads the quoted text differently: a change of meaning.
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                start: issue.span.start,
                end: issue.span.end,
                text: format!("\"{text}\""),
            }],
        }),
        YamlIssueKind::DepthLimit(n) => d(&INPUT_LIMIT, format!("nesting deeper than {n} levels; the rest of the file is not checked")),
        YamlIssueKind::AliasLimit(n) => d(
            &INPUT_LIMIT,
            format!("aliases expand to more than {n} nodes (a \"billion laughs\" document?); the rest of the file is not checked"),
        ),
    }
}

/// A wrong-type error on a value already explains the YAML 1.1 reading;
/// the IL1004 warning on the same value would say it twice.
fn drop_shadowed_yaml11(diags: &mut Vec<Diagnostic>) {
    let typed: Vec<_> = diags
        .iter()
        .filter(|d| std::ptr::eq(d.rule, &WRONG_TYPE))
        .filter_map(|d| d.span.map(|s| s.start))
        .collect();
    if typed.is_empty() {
        return;
    }
    diags.retain(|d| {
        !(std::ptr::eq(d.rule, &YAML11_SCALAR) && d.span.is_some_and(|s| typed.contains(&s.start)))
    });
}
