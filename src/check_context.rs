//! How objects take part in a run: the namespace they land in (`-n`, a
//! kustomization), whether they are checked, used as context or skipped,
//! and what `--context` files contribute.

use std::sync::Arc;

use crate::check::Options;
use crate::diagnostic::ObjectCounts;
use crate::objects::{extract, Object};
use crate::rules::cross::{self, Facts};
use crate::rules::cross_duplicates;
use crate::schema::{self, Lookup};
use crate::source::{Input, Source};
use crate::yaml::parse_stream;

/// The options with the namespaces that kustomizations among the inputs set.
pub fn with_kustomize_namespaces(opts: &Options, inputs: &[Input]) -> Options {
    let mut opts = opts.clone();
    opts.file_namespaces = Arc::new(crate::kustomize::namespaces(inputs));
    opts
}

/// What a `--context` file gave: its facts, for the summary its name and object count.
pub struct ContextFile {
    pub name: Arc<str>,
    pub objects: usize,
    pub facts: Facts,
}

/// How an object takes part: checked (an Istio networking kind we have a
/// schema for), context for the cross-object rules, or neither.
pub fn classify(object: &Object, opts: &Options) -> Use {
    if object.group == schema::GROUP {
        let release = schema::release_for(opts.istio_version);
        if !matches!(
            schema::lookup(release, &object.kind, &object.version),
            Lookup::UnknownKind
        ) {
            return Use::Checked;
        }
    }
    if cross::used_as_context(object) {
        Use::Context
    } else {
        Use::Skipped
    }
}

pub enum Use {
    Checked,
    Context,
    Skipped,
}

impl ObjectCounts {
    pub fn note(&mut self, u: Use) {
        match u {
            Use::Checked => self.checked += 1,
            Use::Context => self.context += 1,
            Use::Skipped => self.skipped += 1,
        }
    }
}

/// Objects get the namespace `kubectl apply` would give them.
pub fn place_namespace(object: &mut Object, file: &Arc<str>, opts: &Options) {
    object.assumed_namespace = opts.namespace.clone();
    object.forced_namespace = opts.file_namespaces.get(file).cloned();
}

/// What a `--context` file contributes: its objects' facts, without the
/// schema validation and rules it is not reported on.
pub fn context_facts(src: &Source, opts: &Options) -> ContextFile {
    let mut out = ContextFile {
        name: src.name.clone(),
        objects: 0,
        facts: Facts::default(),
    };
    // Template documents are skipped; the others still inform.
    let templates = crate::template::find(&src.text, opts.limits);
    let parse_text = templates.parse_text.as_deref().unwrap_or(&src.text);
    for root in parse_stream(parse_text, opts.limits)
        .documents
        .into_iter()
        .filter_map(|d| d.root)
    {
        for mut object in extract(root) {
            place_namespace(&mut object, &src.name, opts);
            schema::nulls::prune_object(&mut object, opts.istio_version);
            out.objects += 1;
            let model = crate::model::build(&object, &src.name);
            cross::collect(
                &object,
                std::sync::Arc::new(object.object_ref()),
                &src.name,
                &src.text,
                model.as_ref(),
                &mut out.facts,
            );
        }
    }
    out
}

/// What the run could not check and how to check it, for after the summary
/// line: today IL5002's hosts without a DestinationRule among the inputs.
pub fn notes(facts: &Facts, opts: &Options) -> Vec<String> {
    let mut out = Vec::new();
    if opts.enabled(&cross::NO_DESTINATION_RULE) {
        out.extend(cross::unchecked_note(facts));
    }
    if opts.enabled(&cross_duplicates::DUPLICATE_OBJECT) {
        out.extend(cross_duplicates::unchecked_note(
            &facts.defined,
            facts.closed_world,
        ));
    }
    out
}
