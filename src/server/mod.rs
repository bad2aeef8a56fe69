//! `istiolint server`: a Language Server Protocol server on stdio, built on
//! `lsp-server`. The main loop only keeps the documents current and queues
//! work; checks and requests run on one worker thread (`worker`), so a huge
//! or hostile file never stops the loop from reading the next change.
//!
//! Files: `state` (documents, published diagnostics), `workspace` (the index
//! of files on disk), `diagnostics`, `actions`, `hover`, `navigate`
//! (definitions and the lookups hover shares), `completion`, `position`
//! (UTF-16 columns), `uri`.

pub mod actions;
pub mod completion;
pub mod diagnostics;
pub mod hover;
pub mod navigate;
pub mod position;
pub mod state;
pub mod uri;
pub mod worker;
pub mod workspace;

use std::path::PathBuf;
use std::str::FromStr;

use lsp_server::{Connection, ErrorCode, Message, Notification, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    HoverProviderCapability, OneOf, SaveOptions, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use serde_json::{json, Value};

use crate::server::state::Shared;
use crate::server::worker::Job;

/// Serves on stdin/stdout until `exit`: 0 after `shutdown`, 1 without (as
/// the protocol says), also when the client goes away or speaks nonsense.
pub fn run_stdio() -> Result<u8, String> {
    let (connection, io) = Connection::stdio();
    let (code, clean) = serve(connection);
    // The reader thread ends at `exit` or end of input; only then is
    // joining it sure to return.
    if clean {
        let _ = io.join();
    }
    Ok(code)
}

/// Returns the exit code and whether the client ended with `exit`.
pub fn serve(connection: Connection) -> (u8, bool) {
    let (id, params) = match connection.initialize_start() {
        Ok(start) => start,
        Err(e) => {
            eprintln!("istiolint server: {e}");
            return (1, false);
        }
    };
    let result = json!({
        "capabilities": capabilities(),
        "serverInfo": {"name": "istiolint", "version": env!("CARGO_PKG_VERSION")},
    });
    if let Err(e) = connection.initialize_finish(id, result) {
        eprintln!("istiolint server: {e}");
        return (1, false);
    }
    let shared = Shared::new();
    let (jobs, worker) = worker::start(shared.clone(), connection.sender.clone());
    let _ = jobs.send(Job::Index(workspace_roots(&params)));
    if supports_watch_registration(&params) {
        register_watcher(&connection);
    }
    let mut shut_down = false;
    let mut outcome = (1, false);
    for message in &connection.receiver {
        match message {
            Message::Request(req) if shut_down => {
                let reply = Response::new_err(
                    req.id,
                    ErrorCode::InvalidRequest as i32,
                    "the server is shutting down".into(),
                );
                let _ = connection.sender.send(reply.into());
            }
            Message::Request(req) if req.method == "shutdown" => {
                shut_down = true;
                let _ = connection
                    .sender
                    .send(Response::new_ok(req.id, Value::Null).into());
            }
            Message::Request(req) => {
                let _ = jobs.send(Job::Request(req));
            }
            Message::Notification(n) if n.method == "exit" => {
                outcome = (if shut_down { 0 } else { 1 }, true);
                break;
            }
            Message::Notification(n) => state::notification(&shared, &jobs, n),
            Message::Response(_) => {}
        }
    }
    drop(jobs);
    let _ = worker.join();
    outcome
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..Default::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![":".into(), "/".into()]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The workspace folders, or the (deprecated) root URI of older clients.
fn workspace_roots(params: &Value) -> Vec<PathBuf> {
    let folders = params["workspaceFolders"].as_array();
    let uris: Vec<&str> = match folders {
        Some(list) if !list.is_empty() => list.iter().filter_map(|f| f["uri"].as_str()).collect(),
        _ => params["rootUri"].as_str().into_iter().collect(),
    };
    uris.into_iter()
        .filter_map(|u| Uri::from_str(u).ok())
        .filter_map(|u| uri::to_path(&u))
        .collect()
}

fn supports_watch_registration(params: &Value) -> bool {
    params["capabilities"]["workspace"]["didChangeWatchedFiles"]["dynamicRegistration"]
        .as_bool()
        .unwrap_or(false)
}

/// Asks the client to tell us about manifests changed outside the editor.
fn register_watcher(connection: &Connection) {
    let params = json!({"registrations": [{
        "id": "istiolint-manifests",
        "method": "workspace/didChangeWatchedFiles",
        "registerOptions": {"watchers": [{"globPattern": "**/*.{yaml,yml,json}"}]},
    }]});
    let request = lsp_server::Request::new(
        lsp_server::RequestId::from("istiolint-watch".to_string()),
        "client/registerCapability".into(),
        params,
    );
    let _ = connection.sender.send(request.into());
}

/// A notification to the client.
pub fn notify(method: &str, params: impl serde::Serialize) -> Message {
    Notification::new(method.into(), params).into()
}
