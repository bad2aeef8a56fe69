//! The worker thread: checks documents and answers requests, one batch of
//! queued jobs at a time. Within a batch a document is checked once, with
//! its newest text; a result whose document changed while it was computed
//! is dropped (the newer version is already queued).

use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, Request, Response};
use lsp_types::{PublishDiagnosticsParams, Uri};

use crate::server::diagnostics::{diagnose, options_for, to_lsp, Published};
use crate::server::position::LineIndex;
use crate::server::state::{Doc, Shared};
use crate::server::workspace::Workspace;
use crate::server::{actions, completion, hover, navigate, notify};

pub enum Job {
    /// Read the workspace folders (once, at start).
    Index(Vec<PathBuf>),
    /// Files changed on disk: re-read them, then re-check open documents.
    Refresh(Vec<PathBuf>),
    Check(Uri),
    Close(Uri),
    Request(Request),
}

/// What a request handler reads: the document as it is now, the
/// diagnostics last published for it, and the workspace.
pub struct Snapshot {
    pub uri: Uri,
    pub doc: Doc,
    pub published: Arc<Vec<Published>>,
    pub workspace: Arc<Workspace>,
}

pub fn start(shared: Shared, out: Sender<Message>) -> (Sender<Job>, JoinHandle<()>) {
    let (jobs, queue) = crossbeam_channel::unbounded();
    let handle = std::thread::Builder::new()
        .name("istiolint-worker".into())
        .spawn(move || work(&shared, &queue, &out))
        .expect("spawning the worker thread");
    (jobs, handle)
}

fn work(shared: &Shared, queue: &Receiver<Job>, out: &Sender<Message>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        batch.extend(queue.try_iter());
        let mut checks: Vec<Uri> = Vec::new();
        let mut requests = Vec::new();
        let mut recheck_all = false;
        for job in batch {
            match job {
                Job::Index(roots) => {
                    let workspace = Workspace::index(roots);
                    shared.lock().workspace = Arc::new(workspace);
                    recheck_all = true;
                }
                Job::Refresh(paths) => {
                    let mut workspace = (*shared.lock().workspace).clone();
                    for path in &paths {
                        workspace.refresh(path);
                    }
                    shared.lock().workspace = Arc::new(workspace);
                    recheck_all = true;
                }
                Job::Check(uri) => {
                    if !checks.contains(&uri) {
                        checks.push(uri);
                    }
                }
                Job::Close(uri) => {
                    checks.retain(|u| *u != uri);
                    shared.lock().published.remove(&uri);
                    publish(out, uri, None, Vec::new());
                }
                Job::Request(req) => requests.push(req),
            }
        }
        if recheck_all {
            let mut open: Vec<Uri> = shared.lock().docs.keys().cloned().collect();
            open.sort();
            open.retain(|u| !checks.contains(u));
            checks.extend(open);
        }
        // Checks first: a code action or hover right after a change should
        // see the diagnostics of that change.
        for uri in checks {
            check(shared, out, uri);
        }
        for req in requests {
            let reply = answer(shared, req);
            let _ = out.send(reply.into());
        }
    }
}

fn check(shared: &Shared, out: &Sender<Message>, uri: Uri) {
    let (doc, workspace) = {
        let state = shared.lock();
        let Some(doc) = state.docs.get(&uri) else {
            return;
        };
        (doc.clone(), state.workspace.clone())
    };
    let opts = match options_for(doc.path.as_deref()) {
        Ok(opts) => opts,
        Err(message) => {
            let _ = out.send(notify(
                "window/showMessage",
                serde_json::json!({"type": 1, "message": format!("istiolint: {message}")}),
            ));
            crate::check::Options::default()
        }
    };
    let found = diagnose(&doc.name, doc.path.as_deref(), &doc.text, &workspace, &opts);
    let index = LineIndex::new(&doc.text);
    let published: Vec<Published> = found
        .iter()
        .map(|d| to_lsp(d, &index, &workspace))
        .collect();
    let mut state = shared.lock();
    // Stale: the document changed (or closed) while it was being checked.
    if state.docs.get(&uri).map(|d| d.version) != Some(doc.version) {
        return;
    }
    let lsp = published.iter().map(|p| p.lsp.clone()).collect();
    state
        .published
        .insert(uri.clone(), (doc.version, Arc::new(published)));
    // Sent without the lock: a client slow to read must not stall the main
    // loop. Only this thread publishes, so versions still arrive in order.
    drop(state);
    publish(out, uri, Some(doc.version), lsp);
}

fn publish(
    out: &Sender<Message>,
    uri: Uri,
    version: Option<i32>,
    diagnostics: Vec<lsp_types::Diagnostic>,
) {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version,
    };
    let _ = out.send(notify("textDocument/publishDiagnostics", params));
}

fn answer(shared: &Shared, req: Request) -> Response {
    let uri = req.params["textDocument"]["uri"]
        .as_str()
        .and_then(|u| u.parse::<Uri>().ok());
    let snapshot = uri.and_then(|uri| {
        let state = shared.lock();
        let doc = state.docs.get(&uri)?.clone();
        let published = state
            .published
            .get(&uri)
            .map(|(_, p)| p.clone())
            .unwrap_or_default();
        Some(Snapshot {
            uri,
            doc,
            published,
            workspace: state.workspace.clone(),
        })
    });
    let result = match (req.method.as_str(), &snapshot) {
        (_, None) if is_document_request(&req.method) => Ok(serde_json::Value::Null),
        ("textDocument/codeAction", Some(s)) => parse(&req).map(|p| json(actions::actions(s, p))),
        ("textDocument/hover", Some(s)) => parse(&req).map(|p| json(hover::hover(s, p))),
        ("textDocument/definition", Some(s)) => {
            parse(&req).map(|p| json(navigate::definition(s, p)))
        }
        ("textDocument/completion", Some(s)) => {
            parse(&req).map(|p| json(completion::complete(s, p)))
        }
        _ => {
            return Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("istiolint does not handle `{}`", req.method),
            )
        }
    };
    match result {
        Ok(value) => Response::new_ok(req.id, value),
        Err(message) => Response::new_err(req.id, ErrorCode::InvalidParams as i32, message),
    }
}

fn is_document_request(method: &str) -> bool {
    matches!(
        method,
        "textDocument/codeAction"
            | "textDocument/hover"
            | "textDocument/definition"
            | "textDocument/completion"
    )
}

fn parse<P: serde::de::DeserializeOwned>(req: &Request) -> Result<P, String> {
    serde_json::from_value(req.params.clone()).map_err(|e| format!("{}: {e}", req.method))
}

fn json(value: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
