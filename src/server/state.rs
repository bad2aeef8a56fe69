//! What the main loop and the worker share: the open documents (newest
//! text and version), the diagnostics last published for each, and the
//! workspace index. The lock is held only to copy or swap `Arc`s.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use crossbeam_channel::Sender;
use lsp_server::Notification;
use lsp_types::{
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, Uri,
};

use crate::server::diagnostics::Published;
use crate::server::position::LineIndex;
use crate::server::uri;
use crate::server::worker::Job;
use crate::server::workspace::Workspace;

#[derive(Clone, Debug)]
pub struct Doc {
    /// The name diagnostics carry: the path, or the URI of a buffer that
    /// is not a local file.
    pub name: Arc<str>,
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    pub version: i32,
}

#[derive(Default)]
pub struct State {
    pub docs: HashMap<Uri, Doc>,
    /// Per document: the version checked and what was published for it.
    pub published: HashMap<Uri, (i32, Arc<Vec<Published>>)>,
    pub workspace: Arc<Workspace>,
}

#[derive(Clone, Default)]
pub struct Shared(Arc<Mutex<State>>);

impl Shared {
    pub fn new() -> Shared {
        Shared::default()
    }

    /// A panic elsewhere must not take the server down with a poisoned lock.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Doc {
    pub fn new(uri: &Uri, text: String, version: i32) -> Doc {
        let path = uri::to_path(uri);
        let name: Arc<str> = match &path {
            Some(p) => Arc::from(p.to_string_lossy().as_ref()),
            None => Arc::from(uri.as_str()),
        };
        Doc {
            name,
            path,
            text: Arc::from(text),
            version,
        }
    }
}

/// Applies one notification to the documents and queues the work it asks
/// for. Malformed parameters are ignored (a notification has no reply).
pub fn notification(shared: &Shared, jobs: &Sender<Job>, n: Notification) {
    match n.method.as_str() {
        "textDocument/didOpen" => {
            let Ok(p) = n.extract::<DidOpenTextDocumentParams>("textDocument/didOpen") else {
                return;
            };
            let doc = p.text_document;
            let new = Doc::new(&doc.uri, doc.text, doc.version);
            shared.lock().docs.insert(doc.uri.clone(), new);
            let _ = jobs.send(Job::Check(doc.uri));
        }
        "textDocument/didChange" => {
            let Ok(p) = n.extract::<DidChangeTextDocumentParams>("textDocument/didChange") else {
                return;
            };
            let uri = p.text_document.uri;
            {
                let mut state = shared.lock();
                let Some(doc) = state.docs.get_mut(&uri) else {
                    return;
                };
                let mut text = doc.text.to_string();
                for change in p.content_changes {
                    match change.range {
                        // We ask for full sync; ranges are honoured anyway.
                        Some(range) => {
                            let index = LineIndex::new(&text);
                            let (start, end) = (index.offset(range.start), index.offset(range.end));
                            text.replace_range(start..end.max(start), &change.text);
                        }
                        None => text = change.text,
                    }
                }
                doc.text = Arc::from(text);
                doc.version = p.text_document.version;
            }
            let _ = jobs.send(Job::Check(uri));
        }
        "textDocument/didClose" => {
            let Ok(p) = n.extract::<DidCloseTextDocumentParams>("textDocument/didClose") else {
                return;
            };
            let uri = p.text_document.uri;
            shared.lock().docs.remove(&uri);
            let _ = jobs.send(Job::Close(uri));
        }
        "textDocument/didSave" => {
            let Ok(p) = n.extract::<DidSaveTextDocumentParams>("textDocument/didSave") else {
                return;
            };
            if let Some(path) = uri::to_path(&p.text_document.uri) {
                let _ = jobs.send(Job::Refresh(vec![path]));
            }
        }
        "workspace/didChangeWatchedFiles" => {
            let Ok(p) = n.extract::<DidChangeWatchedFilesParams>("workspace/didChangeWatchedFiles")
            else {
                return;
            };
            let paths = p
                .changes
                .iter()
                .filter_map(|c| uri::to_path(&c.uri))
                .collect();
            let _ = jobs.send(Job::Refresh(paths));
        }
        _ => {}
    }
}
