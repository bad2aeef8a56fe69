//! What every model object carries: its identity and metadata.

use std::sync::Arc;

use crate::diagnostic::ObjectRef;
use crate::model::loc::{Cursor, Loc, Locs};
use crate::objects::Object;

/// Kind, name, namespace, labels and annotations of one object, plus the
/// file it came from (for diagnostics).
#[derive(Clone, Debug)]
pub struct Meta {
    pub kind: String,
    /// `networking.istio.io`; empty for the core group.
    pub group: String,
    pub name: Option<String>,
    /// As written; `None` when the object names none (see `namespace_or`).
    pub namespace: Option<String>,
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
    pub creation_timestamp: Option<String>,
    /// Where `metadata.name` is, when set.
    pub name_at: Option<Loc>,
    /// Where `metadata.namespace` is, when set.
    pub namespace_at: Option<Loc>,
    pub object: Arc<ObjectRef>,
    pub file: Arc<str>,
}

impl Meta {
    pub fn new(object: &Object, file: &Arc<str>) -> Meta {
        let root = Cursor::root(&object.node);
        let metadata = root.map("metadata");
        let pairs = |key| metadata.as_ref().map(|m| m.pairs(key)).unwrap_or_default();
        let name = metadata.as_ref().and_then(|m| m.string("name"));
        Meta {
            kind: object.kind.clone(),
            group: object.group.clone(),
            name: object.name.clone(),
            namespace: object.namespace.clone(),
            labels: pairs("labels"),
            annotations: pairs("annotations"),
            creation_timestamp: metadata
                .as_ref()
                .and_then(|m| m.string("creationTimestamp"))
                .map(|t| t.value),
            name_at: name.map(|n| n.at),
            namespace_at: metadata
                .as_ref()
                .and_then(|m| m.string("namespace"))
                .map(|n| n.at),
            object: Arc::new(object.object_ref()),
            file: file.clone(),
        }
    }

    /// The namespace, or `default` as kubectl would apply it.
    pub fn namespace_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.namespace.as_deref().unwrap_or(default)
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        lookup(&self.labels, key)
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        lookup(&self.annotations, key)
    }
}

/// The value of `key` among string pairs.
pub fn lookup<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

impl Locs for Meta {
    fn locs<'a>(&'a self, out: &mut Vec<&'a Loc>) {
        self.name_at.locs(out);
        self.namespace_at.locs(out);
    }
}
