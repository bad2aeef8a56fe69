//! The workspace index: every manifest under the workspace folders, read
//! once (the way `check` walks directories) and kept current from save and
//! watched-file notifications, so an open document is checked against the
//! DestinationRules and Gateways on disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::check::{check_source, Options};
use crate::model::Inventory;
use crate::rules::cross::Facts;
use crate::source::{self, Input, Source};

/// What the server keeps of one file: its text (for positions of
/// definitions and related locations), the facts the cross-object rules
/// read, and its model (for hover, definition and completion).
pub struct FileState {
    pub text: Arc<str>,
    pub facts: Facts,
    pub inventory: Inventory,
}

#[derive(Clone, Default)]
pub struct Workspace {
    pub roots: Vec<PathBuf>,
    pub files: BTreeMap<PathBuf, Arc<FileState>>,
}

impl FileState {
    pub fn analyze(name: &Arc<str>, text: &Arc<str>) -> FileState {
        let src = Source {
            name: name.clone(),
            text: text.clone(),
        };
        let opts = Options::default();
        let outcome = check_source(&src, &opts);
        let (inventory, _) = Inventory::from_source(&src, opts.limits);
        FileState {
            text: text.clone(),
            facts: outcome.facts,
            inventory,
        }
    }
}

impl Workspace {
    /// Reads every manifest under the roots; unreadable files are left out
    /// (they are reported when opened).
    pub fn index(roots: Vec<PathBuf>) -> Workspace {
        let existing: Vec<PathBuf> = roots.iter().filter(|r| r.is_dir()).cloned().collect();
        let inputs = source::collect(&existing)
            .map(|(inputs, _)| inputs)
            .unwrap_or_default();
        let files = inputs
            .par_iter()
            .filter_map(|input| {
                let Input::File(path) = input else {
                    return None;
                };
                let src = source::read(input).ok()?;
                let name: Arc<str> = Arc::from(path.to_string_lossy().as_ref());
                Some((path.clone(), Arc::new(FileState::analyze(&name, &src.text))))
            })
            .collect();
        Workspace { roots, files }
    }

    fn contains(&self, path: &Path) -> bool {
        self.roots.iter().any(|r| path.starts_with(r))
    }

    /// Re-reads one file after it changed on disk (or drops it when it is
    /// gone, unreadable, or not a manifest under a workspace folder).
    pub fn refresh(&mut self, path: &Path) {
        let manifest = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        );
        let input = Input::File(path.to_path_buf());
        match source::read(&input) {
            Ok(src) if manifest && self.contains(path) => {
                let name: Arc<str> = Arc::from(path.to_string_lossy().as_ref());
                let state = FileState::analyze(&name, &src.text);
                self.files.insert(path.to_path_buf(), Arc::new(state));
            }
            _ => {
                self.files.remove(path);
            }
        }
    }

    /// The facts of every file but `except` (the open document, whose
    /// editor text replaces its disk version).
    pub fn facts_except(&self, except: Option<&Path>) -> Facts {
        let mut facts = Facts::default();
        for (path, file) in &self.files {
            if Some(path.as_path()) != except {
                facts.merge(file.facts.clone());
            }
        }
        facts
    }
}
