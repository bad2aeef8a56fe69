//! IL5018: the same object (group, kind, namespace, name) defined in two
//! input files, e.g. `vs.yaml` and a forgotten copy `vs.prev.yaml`.
//! Identical copies (a release bundle next to the per-service files it
//! concatenates) lose nothing when both are applied: not reported. Two
//! files are only known to be applied together under `--closed-world`;
//! otherwise they are as likely alternatives (a tutorial's steps), so the
//! summary notes them instead.

use std::sync::Arc;

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

Within one file (a stream `kubectl apply` applies at once) a second definition is always
reported. Across files only with `--closed-world`, which declares the inputs one applied state:
without it, two files defining the same object are as often alternatives applied one at a time
(a tutorial's steps, a sample's variants, a release bundle next to its sources) as a stale copy,
so the summary says how many such objects there are instead (measured on the real-world corpus:
155 of 182 false alarms were such alternatives). Istio has no such check (its analyzers see the
cluster, where only one definition exists).

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
    check: crate::rules::Check::Cross(|facts| check(&facts.defined, facts.closed_world))
);

/// Every named object's identity and where its name is.
#[derive(Clone, Debug, Default)]
pub struct DefinedFacts {
    pub objects: Vec<Defined>,
}

/// One named object: its kind and name are its location's object's.
#[derive(Clone, Debug)]
pub struct Defined {
    /// Group and namespace joined by NUL (which no Kubernetes name holds),
    /// shared by every object of the same group and namespace.
    pub scope: Arc<str>,
    pub at: Located,
    pub content: Content,
}

impl Defined {
    fn identity(&self) -> Identity<'_> {
        let (group, namespace) = self.scope.split_once('\0').unwrap_or_default();
        let object = self.at.object();
        Identity {
            group,
            kind: &object.kind,
            namespace,
            name: object.name.as_deref().unwrap_or_default(),
        }
    }
}

/// A hash of an object's data (key order does not count), so identical
/// copies are told apart from differing ones without keeping the data.
pub type Content = u64;

/// Computed for every named object, so cheap: no allocation (serde_json's
/// own `Hash` of a map sorts a copy of its entries), a multiply per word,
/// mappings combined by a commutative sum of their entries' hashes.
fn content(json: &serde_json::Value) -> Content {
    use serde_json::Value;
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |h: u64, x: u64| (h.rotate_left(5) ^ x).wrapping_mul(K);
    let bytes = |tag: u64, b: &[u8]| {
        let mut h = mix(tag, b.len() as u64);
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            h = mix(h, u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        mix(h, u64::from_le_bytes(last))
    };
    match json {
        Value::Null => 1,
        Value::Bool(b) => mix(2, u64::from(*b)),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => mix(3, u),
            (None, Some(i), _) => mix(4, i as u64),
            (_, _, f) => mix(5, f.unwrap_or_default().to_bits()),
        },
        Value::String(s) => bytes(6, s.as_bytes()),
        Value::Array(items) => items
            .iter()
            .fold(mix(7, items.len() as u64), |h, item| mix(h, content(item))),
        Value::Object(map) => {
            let sum = map.iter().fold(0u64, |acc, (k, v)| {
                acc.wrapping_add(mix(bytes(8, k.as_bytes()), content(v)))
            });
            mix(mix(9, map.len() as u64), sum)
        }
    }
}

/// What `kubectl apply` identifies an object by (the version does not count).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Identity<'a> {
    group: &'a str,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
}

impl Identity<'_> {
    /// The same for equal identities in every run (fixed keys).
    fn digest(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        Hash::hash(self, &mut h);
        h.finish()
    }
}

impl DefinedFacts {
    pub fn merge(&mut self, other: DefinedFacts) {
        self.objects.extend(other.objects);
    }
}

pub fn collect(site: &Site, facts: &mut DefinedFacts) {
    let obj = site.obj;
    if obj.name.is_none() {
        return;
    }
    facts.objects.push(Defined {
        scope: format!("{}\0{}", obj.group, site.ns).into(),
        at: site.at(JsonAt::member(&obj.json, "metadata").get("name").into()),
        content: content(&obj.json),
    });
}

/// Every identity defined more than once, its definitions in input order
/// (file order; within a file, text order), in identity order. Found by
/// sorting the objects' positions by a hash of their identity (a map of
/// every identity was the peak memory of a large run; comparing whole
/// identities made the sort a tenth of a run): only equal hashes, nearly
/// always redefinitions, compare identities.
fn redefined(facts: &DefinedFacts) -> Vec<(Identity<'_>, Vec<(&Located, Content)>)> {
    let mut keyed: Vec<(u64, u32)> = facts
        .objects
        .iter()
        .enumerate()
        .map(|(i, d)| (d.identity().digest(), i as u32))
        .collect();
    // Positions are unique: within a hash they stay in input order.
    keyed.sort_unstable();
    let mut out = Vec::new();
    for run in keyed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
    {
        let mut same: Vec<&Defined> = run
            .iter()
            .map(|&(_, i)| &facts.objects[i as usize])
            .collect();
        // A stable sort: equal identities keep input order.
        same.sort_by_key(|d| d.identity());
        for same in same.chunk_by(|a, b| a.identity() == b.identity()) {
            if same.len() < 2 {
                continue;
            }
            let mut places: Vec<(&Located, Content)> =
                same.iter().map(|d| (&d.at, d.content)).collect();
            places.sort_by(|(a, _), (b, _)| {
                (&a.file(), a.span().start).cmp(&(&b.file(), b.span().start))
            });
            out.push((same[0].identity(), places));
        }
    }
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The summary's note on objects defined differently in several files,
/// which IL5018 reports only under `--closed-world`.
pub fn unchecked_note(facts: &DefinedFacts, closed_world: bool) -> Option<String> {
    if closed_world {
        return None;
    }
    let mut examples = Vec::new();
    let (mut count, mut definitions) = (0, 0);
    for (id, places) in redefined(facts) {
        let (first, first_data) = places[0];
        let others: Vec<_> = places[1..]
            .iter()
            .filter(|(p, data)| p.file() != first.file() && *data != first_data)
            .collect();
        if let Some((later, _)) = others.first() {
            count += 1;
            definitions += others.len() + 1;
            if examples.len() < 2 {
                examples.push(format!(
                    "{} {}/{} in {} and {}",
                    id.kind,
                    id.namespace,
                    id.name,
                    first.file(),
                    later.file()
                ));
            }
        }
    }
    if count == 0 {
        return None;
    }
    let more = if count > examples.len() { ", ..." } else { "" };
    Some(format!(
        "Not checked: {count} object{} defined differently in more than one file, {definitions} definitions ({}{more}): alternatives applied one at a time, or a stale copy if the files are applied together; --closed-world reports each (IL5018).",
        if count == 1 { " is" } else { "s are" },
        examples.join("; "),
    ))
}

/// One finding per later definition that differs from the first, naming
/// it: within a file always, across files under `--closed-world`.
pub fn check(facts: &DefinedFacts, closed_world: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (id, places) in redefined(facts) {
        let (first, first_data) = places[0];
        for (later, data) in &places[1..] {
            if *data == first_data || (later.file() != first.file() && !closed_world) {
                continue;
            }
            let where_first = if first.file() == later.file() {
                format!("earlier in {} (line {})", first.file(), first.span().line)
            } else {
                format!("in {} (line {})", first.file(), first.span().line)
            };
            let mut d = Diagnostic::new(
                &DUPLICATE_OBJECT,
                later.file().clone(),
                format!(
                    "{} {}/{} is also defined {where_first}; `kubectl apply` keeps only the one applied last",
                    id.kind, id.namespace, id.name
                ),
            )
            .at(later.span());
            d.pointer = Some(later.pointer());
            d.object = Some(crate::diagnostic::ObjectRef::clone(later.object()));
            d.related.push(Related {
                file: first.file().clone(),
                span: first.span(),
                label: "first defined here".into(),
            });
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::content;
    use serde_json::json;

    #[test]
    fn content_ignores_key_order_and_tells_values_apart() {
        let a = json!({"spec": {"hosts": ["a"], "http": [{"timeout": "1s"}]}, "kind": "VS"});
        let b = json!({"kind": "VS", "spec": {"http": [{"timeout": "1s"}], "hosts": ["a"]}});
        assert_eq!(content(&a), content(&b));
        for other in [
            json!({"kind": "VS", "spec": {"http": [{"timeout": "2s"}], "hosts": ["a"]}}),
            json!({"kind": "VS", "spec": {"http": [{"timeout": "1s"}], "hosts": ["a", "a"]}}),
            json!({"kind": "VS", "spec": {"http": [{"timeout": "1s"}], "hosts": "a"}}),
            json!({"kind": "VS", "spec": {"http": [{"timeout": "1s"}]}}),
            json!({"kind": "VS", "spec": {"http": [{"timeout": "1s"}], "hosts": ["a"]}, "x": null}),
        ] {
            assert_ne!(content(&a), content(&other), "{other}");
        }
        // Keys and values do not trade places, numbers keep their type.
        assert_ne!(content(&json!({"a": "b"})), content(&json!({"b": "a"})));
        assert_ne!(content(&json!(1)), content(&json!(1.0)));
        assert_ne!(content(&json!("12345678")), content(&json!("123456780")));
    }
}
