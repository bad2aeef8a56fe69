//! IL5018: the same object (group, kind, namespace, name) defined in two
//! input files, e.g. `vs.yaml` and a forgotten copy `vs.prev.yaml`.
//! Identical copies (a release bundle next to the per-service files it
//! concatenates) lose nothing when both are applied: not reported.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::diagnostic::{Diagnostic, Related};
use crate::model::JsonAt;
use crate::rules::cross_refs::{Located, Site};
use crate::rules::rule;

rule!(
    DUPLICATE_OBJECT,
    "IL5018",
    "duplicate-object",
    Warning,
    CrossObject,
    &[],
    "The same object (kind, namespace and name) is defined more than once among the inputs",
    "\
## What it checks
Two documents among the inputs with the same API group, kind, namespace and name (the
namespace as `kubectl apply` gives it: the object's own, a kustomization's, or `-n`) and
different content. A copy identical to the first definition (the same data, whatever its
comments, key order or quoting; e.g. a release bundle that concatenates the per-service files
next to it) is not reported: applying both changes nothing.

## Why it matters
`kubectl apply -f dir/` applies both, one after the other: only the last one read survives, and
which one that is depends on file names. Usually one of them is a stale copy (`vs.prev.yaml`,
`vs.yaml.orig`) that happens to end in `.yaml`. The cross-object rules see both copies.

## Example
`vs.yaml` and `vs.prev.yaml` both define `VirtualService default/recommendation`: IL5018 on the
second one, naming the first. Delete or rename the copy (for example to `vs.prev.yaml.bak`), or
add it to `exclude:` in `.istiolint.yaml`.
",
    help: "keep one definition: delete the stale copy or exclude it",
    check: crate::rules::Check::Cross(|facts| check(&facts.defined))
);

/// Every named object's identity and where its name is.
#[derive(Clone, Debug, Default)]
pub struct DefinedFacts {
    pub objects: Vec<(Identity, Located, Content)>,
}

/// A hash of an object's data (key order does not count), so identical
/// copies are told apart from differing ones without keeping the data.
pub type Content = u64;

fn content(json: &serde_json::Value) -> Content {
    let mut hasher = DefaultHasher::new();
    json.hash(&mut hasher);
    hasher.finish()
}

/// What `kubectl apply` identifies an object by (the version does not count).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Identity {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl DefinedFacts {
    pub fn merge(&mut self, other: DefinedFacts) {
        self.objects.extend(other.objects);
    }
}

pub fn collect(site: &Site, facts: &mut DefinedFacts) {
    let obj = site.obj;
    let Some(name) = &obj.name else { return };
    facts.objects.push((
        Identity {
            group: obj.group.clone(),
            kind: obj.kind.clone(),
            namespace: site.ns.to_string(),
            name: name.clone(),
        },
        site.at(JsonAt::member(&obj.json, "metadata").get("name").into()),
        content(&obj.json),
    ));
}

/// One finding per later definition that differs from the first, naming it.
pub fn check(facts: &DefinedFacts) -> Vec<Diagnostic> {
    let mut by_identity: BTreeMap<&Identity, Vec<(&Located, Content)>> = BTreeMap::new();
    for (id, at, data) in &facts.objects {
        by_identity.entry(id).or_default().push((at, *data));
    }
    let mut out = Vec::new();
    for (id, mut places) in by_identity {
        if places.len() < 2 {
            continue;
        }
        // Input order is file order; within a file, text order.
        places.sort_by(|(a, _), (b, _)| (&a.file, a.span.start).cmp(&(&b.file, b.span.start)));
        let (first, first_data) = places[0];
        for (later, data) in &places[1..] {
            if *data == first_data {
                continue;
            }
            let where_first = if first.file == later.file {
                format!("earlier in {} (line {})", first.file, first.span.line)
            } else {
                format!("in {} (line {})", first.file, first.span.line)
            };
            let mut d = Diagnostic::new(
                &DUPLICATE_OBJECT,
                later.file.clone(),
                format!(
                    "{} {}/{} is also defined {where_first}; `kubectl apply` keeps only the one applied last",
                    id.kind, id.namespace, id.name
                ),
            )
            .at(later.span);
            d.pointer = Some(later.pointer.clone());
            d.object = Some((*later.object).clone());
            d.related.push(Related {
                file: first.file.clone(),
                span: first.span,
                label: "first defined here".into(),
            });
            out.push(d);
        }
    }
    out
}
