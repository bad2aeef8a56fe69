//! `istiolint server` driven over stdio as an editor drives it. Every wait
//! has a timeout: a broken server fails the test, it never hangs it.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    seen: Vec<Value>,
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_istiolint"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        let mut client = Client {
            child,
            stdin,
            incoming,
            next_id: 1,
            seen: Vec::new(),
        };
        let init = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": {},
                "workspaceFolders": [{"uri": file_uri(root), "name": "ws"}],
            }),
        );
        assert_eq!(init["serverInfo"]["name"], "istiolint");
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn next(&mut self, what: &str) -> Value {
        match self.incoming.recv_timeout(TIMEOUT) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => panic!("timed out waiting for {what}"),
            Err(RecvTimeoutError::Disconnected) => panic!("server closed while waiting for {what}"),
        }
    }

    /// The full response (result or error) of a request.
    fn response(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.next(method);
            if m["id"] == id && m.get("method").is_none() {
                return m;
            }
            self.seen.push(m);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let r = self.response(method, params);
        assert!(r.get("error").is_none(), "{method}: {r}");
        r["result"].clone()
    }

    /// The diagnostics published for this version of the document.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        };
        if let Some(i) = self.seen.iter().position(matches) {
            let m = self.seen.remove(i);
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let m = self.next("publishDiagnostics");
            if matches(&m) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.seen.push(m);
        }
    }

    /// Waits until a publication for this version satisfies `done`.
    fn diagnostics_until(&mut self, uri: &str, version: i64, done: impl Fn(&[Value]) -> bool) {
        while !done(&self.diagnostics(uri, version)) {}
    }

    fn open(&mut self, uri: &str, text: &str) {
        let doc = json!({"uri": uri, "languageId": "yaml", "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": doc}));
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"text": text}]}),
        );
    }

    fn at(&mut self, method: &str, uri: &str, line: u32, character: u32) -> Value {
        let position = json!({"line": line, "character": character});
        self.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": position}),
        )
    }

    /// Ends the session; returns the exit code.
    fn finish(mut self, shutdown: bool) -> i32 {
        if shutdown {
            assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        }
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A workspace folder with the server fixtures (a DestinationRule for
/// `reviews` with subsets v1 and v2, the Gateway `bookinfo-gateway`).
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    std::fs::create_dir(&root).unwrap();
    for name in ["dr.yaml", "gateway.yaml"] {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/server")
            .join(name);
        std::fs::copy(from, root.join(name)).unwrap();
    }
    (dir, root)
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/server")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

fn summary(diagnostics: &[Value]) -> Vec<(String, Value, i64)> {
    diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d["source"], "istiolint");
            let code = d["code"].as_str().unwrap().to_string();
            (code, d["range"].clone(), d["severity"].as_i64().unwrap())
        })
        .collect()
}

#[test]
fn an_editor_session() {
    let (_dir, root) = workspace();
    let mut client = Client::start(&root);
    let uri = file_uri(&root.join("vs.yaml"));
    let text = fixture("vs.yaml");
    client.open(&uri, &text);
    // `bogus` follows "é😀" on its line: 48 UTF-16 units in (51 bytes, 47 chars).
    let unknown = ("IL2001".to_string(), range(10, 48, 10, 53), 1);
    assert_eq!(
        summary(&client.diagnostics(&uri, 1)),
        std::slice::from_ref(&unknown)
    );

    // v3 is not among the subsets of the DestinationRule on disk.
    client.change(&uri, 2, &text.replace("subset: v2", "subset: v3"));
    let found = client.diagnostics(&uri, 2);
    let missing = ("IL5001".to_string(), range(13, 16, 13, 18), 1);
    assert_eq!(summary(&found), [unknown, missing]);
    assert_eq!(
        found[1]["message"],
        "subset `v3` is not defined by the DestinationRule for \
         `reviews.default.svc.cluster.local`; it defines `v1`, `v2`"
    );

    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(13, 16, 13, 16),
               "context": {"diagnostics": []}}),
    );
    let edits: Vec<(String, Value)> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            assert_eq!(a["kind"], "quickfix");
            (
                a["title"].as_str().unwrap().to_string(),
                a["edit"]["changes"][&uri].clone(),
            )
        })
        .collect();
    assert_eq!(
        edits,
        [
            (
                "Suppress IL5001 on this line".to_string(),
                json!([{"range": range(13, 0, 13, 0), "newText": "        # istiolint: ignore[IL5001]\n"}])
            ),
            (
                "Suppress IL5001 for this VirtualService".to_string(),
                json!([{"range": range(3, 0, 3, 0),
                        "newText": "  annotations:\n    istiolint.io/ignore: \"IL5001\"\n"}])
            ),
        ]
    );

    // Hover on a finding: the rule's documentation.
    let hover = client.at("textDocument/hover", &uri, 13, 17);
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("**IL5001 subset-not-found**: subset `v3` is not defined"),
        "{value}"
    );
    assert!(
        value.contains("\n\ndid you mean `v1`?\n\n## What it checks\n"),
        "{value}"
    );

    // Hover on a destination: the subset's labels and where it is defined.
    let hover = client.at("textDocument/hover", &uri, 9, 45);
    let dr = root.join("dr.yaml");
    assert_eq!(
        hover["contents"]["value"],
        format!(
            "subset `v1` of `reviews`: labels `version: v1`\n\nfrom DestinationRule `reviews` ({}:12)\
             \n\n---\n\n`spec.http.route.destination.subset`: v1\n\ntype: string",
            dr.display()
        )
    );

    // Definitions: the subset in the DestinationRule, the Gateway.
    let def = client.at("textDocument/definition", &uri, 9, 45);
    assert_eq!(
        def,
        json!({"uri": file_uri(&dr), "range": range(11, 10, 11, 12)})
    );
    let def = client.at("textDocument/definition", &uri, 6, 15);
    let gateway = file_uri(&root.join("gateway.yaml"));
    assert_eq!(def, json!({"uri": gateway, "range": range(3, 8, 3, 24)}));

    // Completion of the subsets of the host being routed.
    let items = client.at("textDocument/completion", &uri, 13, 16);
    let labels: Vec<(&str, &str)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["label"].as_str().unwrap(), i["detail"].as_str().unwrap()))
        .collect();
    assert_eq!(
        labels,
        [
            ("v1", "reviews (version=v1)"),
            ("v2", "reviews (version=v2)")
        ]
    );

    assert_eq!(client.finish(true), 0);
}

#[test]
fn traffic_policy_hover_fields_and_gateway_completion() {
    let (_dir, root) = workspace();
    let mut client = Client::start(&root);
    let dr = file_uri(&root.join("dr.yaml"));
    client.open(&dr, &fixture("dr.yaml"));
    let info = ("IL3004".to_string(), range(9, 24, 9, 25), 3);
    assert_eq!(summary(&client.diagnostics(&dr, 1)), [info]);
    // On the key (the finding is on the value): the field alone.
    let hover = client.at("textDocument/hover", &dr, 9, 12);
    assert_eq!(
        hover["contents"]["value"],
        "`spec.trafficPolicy.connectionPool.tcp.maxConnections`: 1\n\nIn Envoy: circuit breaker \
         `max_connections` 1 per client proxy (each calling sidecar or gateway counts its own)"
    );

    // Field names from the bundled schema at the cursor's path.
    let draft = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: x\n\
                 spec:\n  host: x\n  trafficPolicy:\n    con";
    let uri = file_uri(&root.join("draft.yaml"));
    client.open(&uri, draft);
    let items = client.at("textDocument/completion", &uri, 7, 7);
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "connectionPool",
            "loadBalancer",
            "outlierDetection",
            "portLevelSettings",
            "proxyProtocol",
            "retryBudget",
            "tls",
            "tunnel"
        ]
    );
    assert_eq!(items[0]["insertText"], "connectionPool: ");

    // Gateway names in a `gateways:` list.
    let vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: x\n\
              spec:\n  hosts: [x]\n  gateways:\n  - ";
    let uri = file_uri(&root.join("gw.yaml"));
    client.open(&uri, vs);
    let items = client.at("textDocument/completion", &uri, 7, 4);
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["mesh", "bookinfo-gateway"]);
    assert_eq!(client.finish(true), 0);
}

#[test]
fn fixes_are_quick_fixes_safe_ones_preferred() {
    let (_dir, root) = workspace();
    let mut client = Client::start(&root);
    let uri = file_uri(&root.join("old.yaml"));
    let text = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: d\n\
                \x20 labels: {canary: off}\nspec:\n  host: d\n  trafficPolicy:\n    outlierDetection:\n\
                \x20     consecutiveErrors: 5\n";
    client.open(&uri, text);
    let codes: Vec<String> = summary(&client.diagnostics(&uri, 1))
        .into_iter()
        .map(|d| d.0)
        .collect();
    assert_eq!(codes, ["IL2002", "IL6001"]);
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(0, 0, 10, 0), "context": {"diagnostics": []}}),
    );
    let fixes: Vec<(&str, &Value, &Value)> = actions
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !a["title"].as_str().unwrap().starts_with("Suppress"))
        .map(|a| {
            (
                a["title"].as_str().unwrap(),
                &a["isPreferred"],
                &a["edit"]["changes"][&uri],
            )
        })
        .collect();
    assert_eq!(
        fixes,
        [
            (
                "quote `off`",
                &json!(true),
                &json!([{"range": range(4, 19, 4, 22), "newText": "\"off\""}])
            ),
            (
                "rename to consecutive5xxErrors (unsafe: changes behaviour)",
                &Value::Null,
                &json!([{"range": range(9, 6, 9, 23), "newText": "consecutive5xxErrors"}])
            ),
        ]
    );
    assert_eq!(client.finish(true), 0);
}

#[test]
fn files_changed_on_disk_config_and_close() {
    let (_dir, root) = workspace();
    std::fs::write(root.join(".istiolint.yaml"), "ignore: [IL2001]\n").unwrap();
    let mut client = Client::start(&root);
    let uri = file_uri(&root.join("vs.yaml"));
    let text = fixture("vs.yaml").replace("subset: v2", "subset: v3");
    client.open(&uri, &text);
    // The config file next to the document is honoured: no IL2001.
    let codes: Vec<String> = summary(&client.diagnostics(&uri, 1))
        .into_iter()
        .map(|d| d.0)
        .collect();
    assert_eq!(codes, ["IL5001"]);

    // Another DestinationRule on disk now defines v3: the open document is
    // checked again against the new workspace.
    let v3 = fixture("dr.yaml")
        .replace("name: reviews", "name: reviews-v3")
        .replace("v2", "v3");
    let path = root.join("dr-v3.yaml");
    std::fs::write(&path, v3).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&path), "type": 1}]}),
    );
    // (A publication from before the change may still be on its way.)
    client.diagnostics_until(&uri, 1, |d| d.is_empty());

    // Closing clears the document's diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let cleared = loop {
        let m = client.next("publishDiagnostics after close");
        if m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"].is_null() {
            break m;
        }
    };
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
    assert_eq!(client.finish(true), 0);
}

#[test]
fn the_newest_version_wins_and_a_hostile_file_never_blocks() {
    let (_dir, root) = workspace();
    let mut client = Client::start(&root);
    let uri = file_uri(&root.join("vs.yaml"));
    // Alias bombs and deep nesting are cut off by the YAML limits.
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n".to_string()
        + &(b'b'..=b'z')
            .map(|c| {
                format!(
                    "{}: &{} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
                    c as char,
                    c as char,
                    p = (c - 1) as char
                )
            })
            .collect::<String>()
        + &"[".repeat(100_000);
    client.open(&uri, &bomb);
    client.change(&uri, 2, &fixture("vs.yaml"));
    let codes: Vec<String> = summary(&client.diagnostics(&uri, 2))
        .into_iter()
        .map(|d| d.0)
        .collect();
    assert_eq!(codes, ["IL2001"]);
    // A request is answered after every pending check: nothing stale
    // (version 1) is published after version 2.
    client.seen.clear();
    client.at("textDocument/hover", &uri, 0, 0);
    let stale: Vec<&Value> = client
        .seen
        .iter()
        .filter(|m| m["params"]["version"] == 1)
        .collect();
    assert!(stale.is_empty(), "{stale:?}");
    assert_eq!(client.finish(true), 0);
}

#[test]
fn exit_without_shutdown_is_code_1_and_requests_after_shutdown_fail() {
    let (_dir, root) = workspace();
    let client = Client::start(&root);
    assert_eq!(client.finish(false), 1);

    let mut client = Client::start(&root);
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    let refused = client.response("textDocument/hover", json!({}));
    assert_eq!(refused["error"]["code"], -32600);
    client.notify("exit", Value::Null);
    drop(client.stdin.take());
    let status = client.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

/// A real client: Neovim's built-in LSP (0.7+) opens a file and reads the
/// diagnostics. CI installs Neovim (.ci/run); elsewhere the test says
/// loudly that it did not run.
#[test]
fn neovim_reads_the_diagnostics() {
    let nvim = Command::new("nvim").arg("--version").output();
    if nvim.is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install neovim (see .ci/run)"
        );
        eprintln!("\n*** SKIPPED neovim_reads_the_diagnostics: `nvim` is not installed ***\n");
        return;
    }
    let (dir, root) = workspace();
    let file = root.join("vs.yaml");
    std::fs::write(
        &file,
        fixture("vs.yaml").replace("subset: v2", "subset: v3"),
    )
    .unwrap();
    let out = dir.path().join("diagnostics.txt");
    let script = dir.path().join("init.lua");
    let lua = format!(
        r#"
local out = "{out}"
local id = vim.lsp.start_client({{
  name = "istiolint",
  cmd = {{ "{bin}", "server" }},
  root_dir = "{root}",
}})
vim.cmd("edit {file}")
vim.lsp.buf_attach_client(0, id)
vim.wait(20000, function() return #vim.diagnostic.get(0) >= 2 end, 50)
local f = io.open(out, "w")
local all = vim.diagnostic.get(0)
table.sort(all, function(a, b) return a.lnum < b.lnum end)
for _, d in ipairs(all) do
  f:write(string.format("%d:%d-%d:%d %s %s\n", d.lnum, d.col, d.end_lnum, d.end_col,
    d.code or d.user_data.lsp.code, d.source))
end
f:close()
vim.lsp.stop_client(id)
vim.wait(5000, function() return vim.lsp.client_is_stopped(id) end, 50)
vim.cmd("qall!")
"#,
        out = out.display(),
        bin = env!("CARGO_BIN_EXE_istiolint"),
        root = root.display(),
        file = file.display(),
    );
    std::fs::write(&script, lua).unwrap();
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-u"])
        .arg(&script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nvim did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Neovim counts columns in bytes: `bogus` is at byte 51 of its line.
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "10:51-10:56 IL2001 istiolint\n13:16-13:18 IL5001 istiolint\n"
    );
}

/// 295 VirtualServices of 17 lines, each splitting `reviews` over v1 and v2.
fn five_thousand_lines() -> String {
    (0..295)
        .map(|i| {
            format!(
                "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: vs{i}\n\
                 spec:\n  hosts: [svc{i}]\n  http:\n  - route:\n    - destination:\n        host: reviews\n\
                 \x20       subset: v1\n      weight: 50\n    - destination:\n        host: reviews\n\
                 \x20       subset: v2\n      weight: 50\n---\n"
            )
        })
        .collect()
}

/// The BENCHMARKS.md row: from a change of a 5,000-line file to its
/// diagnostics. Run once, in release:
/// `cargo test --release --test server -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark"]
fn latency_of_a_5000_line_file() {
    let (_dir, root) = workspace();
    let mut client = Client::start(&root);
    let uri = file_uri(&root.join("big.yaml"));
    let text = five_thousand_lines();
    assert_eq!(text.lines().count(), 5015);
    client.open(&uri, &text);
    assert_eq!(client.diagnostics(&uri, 1), Vec::<Value>::new());
    let mut times = Vec::new();
    for version in 2..=41 {
        let broken = version % 2 == 0;
        let changed = if broken {
            text.replacen("subset: v2", "subset: v3", 1)
        } else {
            text.clone()
        };
        let start = Instant::now();
        client.change(&uri, version, &changed);
        let found = client.diagnostics(&uri, version);
        times.push(start.elapsed());
        assert_eq!(found.len(), usize::from(broken));
    }
    times.sort();
    eprintln!(
        "5,015-line file, change -> publishDiagnostics over stdio: median {:?}, max {:?} ({} changes)",
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );
    assert_eq!(client.finish(true), 0);
}
