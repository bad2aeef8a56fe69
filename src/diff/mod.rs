//! `istiolint diff`: local manifests against the applied versions (a file,
//! stdin, a git revision or the live cluster through `kubectl get`).

mod compare;
mod load;
mod normalize;

use serde::Serialize;
use serde_json::Value;

pub use compare::Change;
pub use load::{
    load_git, load_live, load_objects, load_path_objects, load_paths, load_paths_named, load_text,
};
pub use normalize::pointer_matches;

/// Identity of an object: the apiVersion's version does not count.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Key {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl Key {
    pub fn of(v: &Value, default_namespace: &str) -> Option<Key> {
        let api = v["apiVersion"].as_str()?;
        Some(Key {
            group: api.rsplit_once('/').map_or("", |(g, _)| g).to_string(),
            kind: v["kind"].as_str()?.to_string(),
            namespace: v["metadata"]["namespace"]
                .as_str()
                .unwrap_or(default_namespace)
                .to_string(),
            name: v["metadata"]["name"].as_str()?.to_string(),
        })
    }

    /// `Kind namespace/name`, with input made visible (for printing).
    pub fn title(&self) -> String {
        let v = crate::report::escape::visible;
        format!("{} {}/{}", v(&self.kind), v(&self.namespace), v(&self.name))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Changed,
    WillBeCreated,
    NotInLocalFiles,
}

#[derive(Debug, Serialize)]
pub struct ObjectDiff {
    #[serde(flatten)]
    pub key: Key,
    pub status: Status,
    pub summary: Vec<String>,
    pub changes: Vec<Change>,
    #[serde(skip)]
    pub applied_yaml: String,
    #[serde(skip)]
    pub local_yaml: String,
}

pub struct Options {
    pub namespace: String,
    pub ignore_paths: Vec<String>,
}

/// Pairs objects by identity and compares their normalised forms, in a
/// deterministic order (kind, namespace, name).
pub fn diff(local: &[Value], applied: &[Value], opts: &Options) -> Vec<ObjectDiff> {
    let index = |objects: &[Value]| -> Vec<(Key, Value)> {
        let mut v: Vec<(Key, Value)> = objects
            .iter()
            .filter_map(|o| {
                Some((
                    Key::of(o, &opts.namespace)?,
                    normalize::normalize(o, &opts.namespace, &opts.ignore_paths),
                ))
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    let (local, applied) = (index(local), index(applied));
    let mut out = Vec::new();
    for (key, new) in &local {
        let old = applied.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        let yaml = |v: &Value| crate::emit::to_yaml(&normalize::sorted(v));
        match old {
            Some(old) if old == new => {}
            Some(old) => {
                let changes = compare::changes(old, new);
                out.push(ObjectDiff {
                    summary: compare::traffic_summary(&key.kind, old, new, &changes),
                    key: key.clone(),
                    status: Status::Changed,
                    changes,
                    applied_yaml: yaml(old),
                    local_yaml: yaml(new),
                });
            }
            None => out.push(ObjectDiff {
                key: key.clone(),
                status: Status::WillBeCreated,
                summary: vec!["will be created".into()],
                changes: vec![Change {
                    pointer: String::new(),
                    old: None,
                    new: Some(new.clone()),
                }],
                applied_yaml: String::new(),
                local_yaml: yaml(new),
            }),
        }
    }
    for (key, old) in &applied {
        if !local.iter().any(|(k, _)| k == key) {
            out.push(ObjectDiff {
                key: key.clone(),
                status: Status::NotInLocalFiles,
                summary: vec!["not in local files".into()],
                changes: vec![Change {
                    pointer: String::new(),
                    old: Some(old.clone()),
                    new: None,
                }],
                applied_yaml: crate::emit::to_yaml(&normalize::sorted(old)),
                local_yaml: String::new(),
            });
        }
    }
    out
}

/// The text report: traffic summary, then a unified diff per object;
/// `applied` names the other side in the diff headers (`--- origin/main`).
pub fn render_text(diffs: &[&ObjectDiff], color: bool, applied: &str) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let summaries: Vec<String> = diffs
        .iter()
        .filter(|d| !d.summary.is_empty())
        .map(|d| {
            let summary = d.summary.join("; ");
            let summary = crate::report::escape::visible(&summary);
            format!("  {}: {summary}\n", d.key.title())
        })
        .collect();
    if !summaries.is_empty() {
        out.push_str("Summary:\n");
        out.extend(summaries);
        out.push('\n');
    }
    for d in diffs {
        let (mark, what) = match d.status {
            Status::Changed => ("~", "changed"),
            Status::WillBeCreated => ("+", "will be created"),
            Status::NotInLocalFiles => ("-", "not in local files"),
        };
        out.push_str(&paint("1", &format!("{mark} {} ({what})", d.key.title())));
        out.push('\n');
        let text = similar::TextDiff::from_lines(&d.applied_yaml, &d.local_yaml);
        for line in text
            .unified_diff()
            .context_radius(3)
            .header(applied, "local")
            .to_string()
            .lines()
        {
            let line = &*crate::report::escape::visible_text(line);
            let styled = match line.as_bytes().first() {
                Some(b'+') if !line.starts_with("+++") => paint("32", line),
                Some(b'-') if !line.starts_with("---") => paint("31", line),
                Some(b'@') => paint("36", line),
                _ => line.to_string(),
            };
            out.push_str(&styled);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

#[derive(Serialize)]
struct JsonReport<'a> {
    objects: &'a [&'a ObjectDiff],
}

/// Objects defined twice among the local files: the last one wins, as with
/// `kubectl apply -f`; returns the objects kept and a note per duplicate.
pub fn last_definitions(local: Vec<(String, Value)>, namespace: &str) -> (Vec<Value>, Vec<String>) {
    let mut kept: Vec<(Option<Key>, String, Value)> = Vec::new();
    let mut notes = Vec::new();
    for (file, v) in local {
        let key = Key::of(&v, namespace);
        if let Some(k) = &key {
            if let Some(i) = kept.iter().position(|(x, _, _)| x.as_ref() == Some(k)) {
                let (_, earlier, _) = kept.remove(i);
                notes.push(format!(
                    "{} is defined in {earlier} and in {file}; comparing the one in {file} (the last, as `kubectl apply -f` leaves it)",
                    k.title()
                ));
            }
        }
        kept.push((key, file, v));
    }
    (kept.into_iter().map(|(_, _, v)| v).collect(), notes)
}

/// Objects that will be created although the applied side has one of the
/// same kind and name in another namespace: `-n` is probably missing.
pub fn namespace_hints(diffs: &[ObjectDiff], applied: &[Value], namespace: &str) -> Vec<String> {
    let mut elsewhere: Vec<String> = Vec::new();
    for d in diffs.iter().filter(|d| d.status == Status::WillBeCreated) {
        for a in applied.iter().filter_map(|a| Key::of(a, namespace)) {
            if (&a.group, &a.kind, &a.name) == (&d.key.group, &d.key.kind, &d.key.name)
                && a.namespace != d.key.namespace
                && !elsewhere.contains(&a.namespace)
            {
                elsewhere.push(a.namespace);
            }
        }
    }
    elsewhere
        .iter()
        .map(|ns| {
            format!("objects that will be created exist in namespace {ns}; is `-n {ns}` missing?")
        })
        .collect()
}

/// The JSON report (schema: schemas/output/diff.json); unsafe characters
/// are written as `\uXXXX` escapes, values stay exact.
pub fn render_json(diffs: &[&ObjectDiff]) -> String {
    let text = serde_json::to_string_pretty(&JsonReport { objects: diffs }).expect("serialisable");
    crate::report::escape::json(text) + "\n"
}
