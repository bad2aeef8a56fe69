//! `istiolint diff`: normalisation, traffic summary, every source of applied
//! objects (file, List, stdin, git revision, live cluster), exit codes.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use common::istiolint;

fn diff(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = istiolint();
    cmd.arg("diff").args(args);
    if let Some(s) = stdin {
        cmd.write_stdin(s.to_string());
    }
    common::outcome(&mut cmd)
}

#[test]
fn text_diff_with_traffic_summary() {
    let (code, out, _) = diff(
        &[
            "testdata/diff/local",
            "--against",
            "testdata/diff/applied.yaml",
            "--show-extra",
        ],
        None,
    );
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn json_lists_structured_changes() {
    let (code, out, _) = diff(
        &[
            "testdata/diff/local",
            "--against",
            "testdata/diff/applied.yaml",
            "--format=json",
        ],
        None,
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let objects = v["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 2, "extra objects only with --show-extra");
    assert_eq!(objects[1]["kind"], "VirtualService");
    assert_eq!(objects[1]["namespace"], "tutorial");
    assert_eq!(objects[1]["status"], "changed");
    assert_eq!(
        objects[1]["changes"],
        serde_json::json!([
            {"pointer": "/spec/http/0/route/0/weight", "old": 50, "new": 75},
            {"pointer": "/spec/http/0/route/1/weight", "old": 50, "new": 25}
        ])
    );
    assert_eq!(
        objects[1]["summary"],
        serde_json::json!(["version-v1 50% -> 75%, version-v2 50% -> 25%"])
    );
}

#[test]
fn identical_after_normalisation_exits_zero() {
    // Same objects, other apiVersions, server fields, duration spellings, key order.
    let applied = "apiVersion: networking.istio.io/v1alpha3\nkind: DestinationRule\nmetadata:\n  name: r\n  namespace: default\n  uid: u\n  resourceVersion: \"7\"\nspec:\n  trafficPolicy:\n    outlierDetection: {baseEjectionTime: 180.000s, interval: 1s}\n  host: r\n  exportTo: []\nstatus: {}\n";
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("dr.yaml");
    std::fs::write(&local, "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy:\n    outlierDetection: {interval: 1000ms, baseEjectionTime: 3m}\n").unwrap();
    let (code, out, _) = diff(&[local.to_str().unwrap(), "--against", "-"], Some(applied));
    assert_eq!((code, out.as_str()), (0, ""));
    // A different default namespace makes it a new object.
    let (code, out, _) = diff(
        &[local.to_str().unwrap(), "--against", "-", "-n", "tutorial"],
        Some(applied),
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("+ DestinationRule tutorial/r (will be created)"),
        "{out}"
    );
}

#[test]
fn ignore_path_hides_controller_managed_fields() {
    let (code, out, _) = diff(
        &[
            "testdata/diff/local/local-vs.yaml",
            "--against",
            "testdata/diff/applied.yaml",
            "--ignore-path=/spec/http/0/route/0/weight",
            "--ignore-path=/spec/http/0/route/1/weight",
        ],
        None,
    );
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn errors_exit_two_with_a_location() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "a: [1\n").unwrap();
    let (code, _, err) = diff(
        &["testdata/diff/local", "--against", bad.to_str().unwrap()],
        None,
    );
    assert_eq!(code, 2);
    assert!(
        err.starts_with("istiolint: error: ") && err.contains("bad.yaml:2:1: invalid YAML"),
        "{err}"
    );
    let (code, _, err) = diff(&["testdata/diff/local"], None);
    assert_eq!(code, 2);
    assert!(err.contains("--against"), "{err}");
    let (code, _, err) = diff(
        &[
            "testdata/diff/local",
            "--against",
            "testdata/diff/applied.yaml",
            "--ignore-path",
            "spec",
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("is not a JSON pointer"), "{err}");
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn against_a_git_revision() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q"]);
    std::fs::create_dir(p.join("istio")).unwrap();
    let vs = |w1: u32, w2: u32| {
        format!("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: r}}\nspec:\n  hosts: [r]\n  http:\n  - route:\n    - destination: {{host: r, subset: a}}\n      weight: {w1}\n    - destination: {{host: r, subset: b}}\n      weight: {w2}\n")
    };
    std::fs::write(p.join("istio/vs.yaml"), vs(90, 10)).unwrap();
    git(p, &["add", "."]);
    git(p, &["commit", "-q", "-m", "one"]);
    std::fs::write(p.join("istio/vs.yaml"), vs(50, 50)).unwrap();
    let out = istiolint()
        .current_dir(p)
        .args(["diff", "istio", "--against-git", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Summary:\n  VirtualService default/r: a 90% -> 50%, b 10% -> 50%\n"),
        "{text}"
    );
    let out = istiolint()
        .current_dir(p)
        .args(["diff", "istio", "--against-git", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A tiny stand-in for the Kubernetes API: discovery for networking.istio.io
/// and GET of one DestinationRule; everything else is 404 NotFound.
fn fake_api_server() -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(false).unwrap();
    let handle = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        for stream in listener.incoming() {
            if std::time::Instant::now() > deadline {
                break;
            }
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut length = 0;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .split('?')
                .next()
                .unwrap_or("/")
                .to_string();
            if path == "/quit" {
                break;
            }
            let (status, json) = respond(&path);
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
                json.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    (port, handle)
}

fn respond(path: &str) -> (&'static str, String) {
    let group = r#"{"name":"networking.istio.io","versions":[{"groupVersion":"networking.istio.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"networking.istio.io/v1","version":"v1"}}"#;
    match path {
        "/api" => ("200 OK", r#"{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]}"#.into()),
        "/apis" => ("200 OK", format!(r#"{{"kind":"APIGroupList","apiVersion":"v1","groups":[{group}]}}"#)),
        "/api/v1" => ("200 OK", r#"{"kind":"APIResourceList","groupVersion":"v1","resources":[]}"#.into()),
        "/apis/networking.istio.io/v1" => (
            "200 OK",
            r#"{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"networking.istio.io/v1","resources":[
              {"name":"destinationrules","singularName":"destinationrule","namespaced":true,"kind":"DestinationRule","verbs":["get","list"],"shortNames":["dr"]},
              {"name":"virtualservices","singularName":"virtualservice","namespaced":true,"kind":"VirtualService","verbs":["get","list"],"shortNames":["vs"]}]}"#
                .into(),
        ),
        "/apis/networking.istio.io/v1/namespaces/tutorial/destinationrules/recommendation" => (
            "200 OK",
            r#"{"apiVersion":"networking.istio.io/v1","kind":"DestinationRule","metadata":{"name":"recommendation","namespace":"tutorial","uid":"1","resourceVersion":"5"},
               "spec":{"host":"recommendation","subsets":[{"name":"version-v1","labels":{"version":"v1"}},{"name":"version-v2","labels":{"version":"v2"}}],
               "trafficPolicy":{"outlierDetection":{"consecutive5xxErrors":1,"interval":"1s"}}},"status":{}}"#
                .into(),
        ),
        other => {
            let name = other.rsplit('/').next().unwrap_or("");
            (
                "404 Not Found",
                format!(r#"{{"kind":"Status","apiVersion":"v1","status":"Failure","message":"virtualservices.networking.istio.io \"{name}\" not found","reason":"NotFound","code":404}}"#),
            )
        }
    }
}

#[test]
fn live_cluster_through_a_real_kubectl() {
    if std::process::Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("skipped: no kubectl installed; --live needs it");
        return;
    }
    let (port, server) = fake_api_server();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!("apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster: {{server: \"http://127.0.0.1:{port}\"}}\ncontexts:\n- name: fake\n  context: {{cluster: fake, user: u}}\ncurrent-context: fake\nusers:\n- name: u\n  user: {{}}\n"),
    )
    .unwrap();
    let out = istiolint()
        .env("HOME", dir.path())
        .env("KUBECACHEDIR", dir.path().join("cache"))
        .args(["diff", "testdata/diff/local", "--live", "--kubeconfig"])
        .arg(&kubeconfig)
        .output()
        .unwrap();
    let _ = std::net::TcpStream::connect(("127.0.0.1", port))
        .and_then(|mut s| s.write_all(b"GET /quit HTTP/1.1\r\n\r\n"));
    let _ = server.join();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with(
            "Summary:\n  DestinationRule tutorial/recommendation: outlierDetection.consecutive5xxErrors 1 -> 3; every cluster: ejection after 1 -> 3 consecutive 5xx\n  VirtualService tutorial/recommendation: will be created\n"
        ),
        "{stdout}"
    );
}

#[test]
fn live_reports_kubectl_failures() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("kubectl");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'error: You must be logged in to the server (Unauthorized)' >&2\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = istiolint()
        .env("ISTIOLINT_KUBECTL", &fake)
        .args(["diff", "testdata/diff/local", "--live"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("failed:\nerror: You must be logged in to the server (Unauthorized)"),
        "{err}"
    );
}
