//! What a rule's check sees, and the two loops that run the registry: one
//! over the rules of an object's kind, one over the cross-object rules.

use std::cell::OnceCell;
use std::sync::Arc;

use serde_json::Value;

use crate::check::Options;
use crate::diagnostic::{Diagnostic, Finding};
use crate::model::{JsonAt, Loc, Model};
use crate::objects::Object;
use crate::rules::cross::Facts;
use crate::rules::destination_rule::{traffic_policies, Policies, Policy};
use crate::rules::{all, Check, Rule};
use crate::schema::{self, IstioVersion};

enum ModelSlot<'a> {
    Given(Option<&'a Model>),
    /// Boxed: a model is several kilobytes, a borrowed one a pointer.
    Lazy(OnceCell<Option<Box<Model>>>),
}

/// One object, as every per-object check sees it.
pub struct ObjectContext<'a> {
    pub object: &'a Object,
    file: &'a Arc<str>,
    /// Its typed model: given by the caller, or built at most once, on
    /// first use (`model()`).
    model: ModelSlot<'a>,
    pub opts: &'a Options,
    /// A DestinationRule's traffic policies, computed once for its rules.
    policies: OnceCell<Vec<Policy<'a>>>,
}

impl<'a> ObjectContext<'a> {
    pub fn new(object: &'a Object, file: &'a Arc<str>, opts: &'a Options) -> Self {
        ObjectContext {
            object,
            file,
            model: ModelSlot::Lazy(OnceCell::new()),
            opts,
            policies: OnceCell::new(),
        }
    }

    /// The context of an object whose model the caller already built.
    pub fn with_model(
        object: &'a Object,
        file: &'a Arc<str>,
        model: Option<&'a Model>,
        opts: &'a Options,
    ) -> Self {
        ObjectContext {
            model: ModelSlot::Given(model),
            ..Self::new(object, file, opts)
        }
    }

    /// The typed model (`None` for kinds the model does not cover). Built
    /// lazily: a run whose rules read only JSON pays nothing for it.
    pub fn model(&self) -> Option<&Model> {
        match &self.model {
            ModelSlot::Given(m) => *m,
            ModelSlot::Lazy(cell) => cell
                .get_or_init(|| crate::model::build(self.object, self.file).map(Box::new))
                .as_deref(),
        }
    }

    /// The JSON of the object (what the schema layer validates).
    pub fn json(&self) -> &'a Value {
        &self.object.json
    }

    /// The object's `spec` as written, with the pointer of every part (for
    /// what the model does not interpret).
    pub fn spec(&self) -> JsonAt<'a> {
        JsonAt::member(&self.object.json, "spec")
    }

    /// What is written at a location of the model.
    pub fn json_at(&self, at: &Loc) -> JsonAt<'a> {
        JsonAt::at(&self.object.json, at)
    }

    /// The Istio version checked against (`--istio-version`).
    pub fn version(&self) -> IstioVersion {
        self.opts.istio_version
    }

    /// The bundled release whose schemas are used for that version.
    pub fn release(&self) -> IstioVersion {
        schema::release_for(self.opts.istio_version)
    }

    /// Whether a rule's findings are kept (select/ignore, opt-in).
    pub fn enabled(&self, rule: &Rule) -> bool {
        self.opts.enabled(rule)
    }

    /// Every traffic policy of a DestinationRule, located by its model.
    pub fn policies(&self) -> &Policies<'a> {
        self.policies.get_or_init(|| match self.model() {
            Some(Model::DestinationRule(dr)) => traffic_policies(dr, &self.object.json),
            _ => Vec::new(),
        })
    }
}

/// Runs the per-object check of every rule that applies to the object's
/// kind. Opt-in rules run only when selected: they may walk every field.
pub fn run_object_rules(ctx: &ObjectContext, findings: &mut Vec<Finding>) {
    if ctx.object.group != schema::GROUP {
        return;
    }
    for rule in all() {
        let Check::Object(check) = rule.check else {
            continue;
        };
        if !rule.applies_to(&ctx.object.kind) || (rule.opt_in && !ctx.enabled(rule)) {
            continue;
        }
        check(ctx, findings);
    }
}

/// Runs every cross-object check over the index of all inputs.
pub fn run_cross_rules(facts: &Facts) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in all() {
        if let Check::Cross(check) = rule.check {
            out.extend(check(facts));
        }
    }
    out
}
