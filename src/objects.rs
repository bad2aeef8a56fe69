//! Kubernetes objects found in YAML documents, `kind: List` unwrapped.

use std::sync::Arc;

use crate::diagnostic::ObjectRef;
use crate::yaml::{Node, Value};

/// One Kubernetes object with its tree and JSON form.
#[derive(Debug)]
pub struct Object {
    pub api_version: String,
    /// `networking.istio.io` (empty for the core group).
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub node: Node,
    pub json: serde_json::Value,
    /// The namespace of an object that names none (`check -n`, default `default`).
    pub assumed_namespace: Arc<str>,
    /// A kustomization's `namespace:`, which replaces the object's own.
    pub forced_namespace: Option<Arc<str>>,
}

impl Object {
    fn from_node(node: Node) -> Option<Object> {
        let api_version = node.get("apiVersion")?.as_str()?.to_string();
        let kind = node.get("kind")?.as_str()?.to_string();
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.clone()),
        };
        let meta = node.get("metadata");
        let text = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(Node::as_str)
                .map(str::to_string)
        };
        let json = node.to_json();
        Some(Object {
            name: text("name"),
            namespace: text("namespace"),
            api_version,
            group,
            version,
            kind,
            node,
            json,
            assumed_namespace: Arc::from("default"),
            forced_namespace: None,
        })
    }

    /// The namespace the object lands in when applied: a kustomization's,
    /// its own, or the assumed one (as `kubectl apply -n`).
    pub fn ns(&self) -> &str {
        self.forced_namespace
            .as_deref()
            .or(self.namespace.as_deref())
            .unwrap_or(&self.assumed_namespace)
    }

    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }
}

/// The objects of one document. Documents that are not Kubernetes objects
/// (no apiVersion/kind: Helm values, arbitrary YAML) give none, quietly.
pub fn extract(root: Node) -> Vec<Object> {
    let is_list = root
        .get("kind")
        .and_then(Node::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && root.get("items").is_some_and(|i| i.as_seq().is_some());
    if !is_list {
        return Object::from_node(root).into_iter().collect();
    }
    let Value::Map(entries) = root.value else {
        return Vec::new();
    };
    entries
        .into_iter()
        .filter(|e| e.key.text == "items")
        .flat_map(|e| match e.value.value {
            Value::Seq(items) => items,
            _ => Vec::new(),
        })
        .flat_map(extract)
        .collect()
}
