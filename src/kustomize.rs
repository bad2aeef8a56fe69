//! The `namespace:` of a kustomization for the files it lists, so that
//! objects without a namespace are checked where `kustomize build` puts them.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::source::{self, Input};
use crate::yaml::{parse_stream, Limits, Node};

const FILE_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Input name → the namespace its kustomization sets. Kustomizations are
/// applied innermost first, so an outer one wins, as in `kustomize build`.
pub fn namespaces(inputs: &[Input]) -> HashMap<Arc<str>, Arc<str>> {
    let mut kustomizations: Vec<&PathBuf> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::File(p) => Some(p),
            Input::Stdin => None,
        })
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| FILE_NAMES.contains(&n))
        })
        .collect();
    let mut out = HashMap::new();
    if kustomizations.is_empty() {
        return out;
    }
    kustomizations.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    let files: Vec<(PathBuf, Arc<str>)> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::File(p) => Some((lexical(p), i.name())),
            Input::Stdin => None,
        })
        .collect();
    for k in kustomizations {
        let Some((namespace, resources)) = read(k) else {
            continue;
        };
        let namespace: Arc<str> = Arc::from(namespace.as_str());
        let dir = k.parent().unwrap_or(Path::new(""));
        for r in resources {
            // Remote bases (URLs, git) are not among the inputs.
            if r.contains("://") || r.starts_with("github.com/") {
                continue;
            }
            let target = lexical(&dir.join(&r));
            for (path, name) in &files {
                if path.starts_with(&target) {
                    out.insert(name.clone(), namespace.clone());
                }
            }
        }
    }
    out
}

/// (namespace, resources) of a kustomization that sets a namespace.
fn read(path: &Path) -> Option<(String, Vec<String>)> {
    let src = source::read(&Input::File(path.to_path_buf())).ok()?;
    let root = parse_stream(&src.text, Limits::default())
        .documents
        .into_iter()
        .next()?
        .root?;
    let namespace = root.get("namespace")?.as_str()?.to_string();
    let resources = root
        .get("resources")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect();
    Some((namespace, resources))
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::lexical;
    use std::path::Path;

    #[test]
    fn lexical_paths() {
        assert_eq!(
            lexical(Path::new("./a/./b/../c.yaml")),
            Path::new("a/c.yaml")
        );
        assert_eq!(lexical(Path::new("../x")), Path::new("../x"));
    }
}
