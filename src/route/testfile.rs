//! Routing test files. Two formats, told apart per YAML document:
//! - istio-config-validator's (`testCases:`), read unchanged: `request`
//!   {authority[], method[], uri[], headers} expands to every combination;
//!   `wantMatch` says whether each given expectation must equal or differ.
//! - ours (`tests:`): one request with everything a route depends on, and
//!   expectations on the whole answer (see README "Routing tests").

use std::sync::Arc;

use serde_json::Value;

use crate::yaml::{parse_stream, Limits, Node};

/// A request of a test, before defaults (namespace, port) are applied.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestRequest {
    pub host: String,
    pub port: Option<u32>,
    pub path: String,
    pub method: String,
    pub scheme: Option<String>,
    pub headers: Vec<(String, String)>,
    pub gateway: Option<String>,
    pub source_labels: Vec<(String, String)>,
    pub source_namespace: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    /// istio-config-validator: these fields (as written) must all equal the
    /// answer when `want_match`, all differ otherwise.
    Validator {
        want_match: bool,
        fields: Vec<(String, Value)>,
    },
    /// Ours: every field given must hold.
    Ours(Vec<(String, Value, u32)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TestCase {
    pub file: Arc<str>,
    pub line: u32,
    pub name: String,
    pub requests: Vec<TestRequest>,
    pub expect: Expect,
}

/// What a bad test file is: `file:line:col: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestFileError(pub String);

const VALIDATOR_EXPECTATIONS: [&str; 6] = [
    "route", "redirect", "rewrite", "fault", "headers", "delegate",
];

/// Fields of our `expect:` map.
pub const OUR_EXPECTATIONS: [&str; 16] = [
    "matched",
    "status",
    "virtualService",
    "rule",
    "match",
    "destinations",
    "clusters",
    "timeout",
    "retries",
    "mirrors",
    "redirect",
    "directResponse",
    "rewrite",
    "fault",
    "headers",
    "delegate",
];

pub fn parse(file: &Arc<str>, text: &str) -> Result<Vec<TestCase>, TestFileError> {
    let outcome = parse_stream(text, Limits::default());
    let err =
        |line: u32, col: u32, msg: String| TestFileError(format!("{file}:{line}:{col}: {msg}"));
    if let Some(issue) = outcome
        .issues
        .iter()
        .find(|i| !matches!(i.kind, crate::yaml::YamlIssueKind::Yaml11Scalar { .. }))
    {
        let msg = match &issue.kind {
            crate::yaml::YamlIssueKind::Syntax(m) => m.clone(),
            other => format!("{other:?}"),
        };
        return Err(err(issue.span.line, issue.span.col, msg));
    }
    let mut cases = Vec::new();
    for doc in &outcome.documents {
        let Some(root) = &doc.root else { continue };
        if root.as_map().is_none() {
            return Err(err(
                root.span.line,
                root.span.col,
                "a test document is a mapping".into(),
            ));
        }
        let (items, ours) = match (root.get("testCases"), root.get("tests")) {
            (Some(v), None) => (v, false),
            (None, Some(v)) => (v, true),
            (Some(_), Some(_)) => {
                return Err(err(
                    root.span.line,
                    root.span.col,
                    "`testCases` and `tests` in one document".into(),
                ))
            }
            (None, None) => {
                return Err(err(
                    root.span.line,
                    root.span.col,
                    "no `testCases:` (istio-config-validator) or `tests:` (istiolint) list".into(),
                ))
            }
        };
        let Some(items) = items.as_seq() else {
            return Err(err(
                items.span.line,
                items.span.col,
                "expected a list of test cases".into(),
            ));
        };
        for item in items {
            let case = if ours {
                our_case(file, item)
            } else {
                validator_case(file, item)
            };
            cases.push(case.map_err(|(n, m)| err(n.span.line, n.span.col, m))?);
        }
    }
    Ok(cases)
}

type Bad<'a> = (&'a Node, String);

fn strings<'a>(n: &'a Node, what: &str) -> Result<Vec<String>, Bad<'a>> {
    match n.as_seq() {
        Some(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or((i, format!("`{what}` items are strings")))
            })
            .collect(),
        None => n
            .as_str()
            .map(|s| vec![s.to_string()])
            .ok_or((n, format!("`{what}` is a list of strings"))),
    }
}

fn string_map<'a>(n: &'a Node, what: &str) -> Result<Vec<(String, String)>, Bad<'a>> {
    let Some(entries) = n.as_map() else {
        return Err((n, format!("`{what}` is a map of strings")));
    };
    entries
        .iter()
        .map(|e| match &e.value.to_json() {
            Value::String(s) => Ok((e.key.text.clone(), s.clone())),
            Value::Number(x) => Ok((e.key.text.clone(), x.to_string())),
            Value::Bool(b) => Ok((e.key.text.clone(), b.to_string())),
            _ => Err((&e.value, format!("`{what}.{}` is a string", e.key.text))),
        })
        .collect()
}

fn validator_case<'a>(file: &Arc<str>, item: &'a Node) -> Result<TestCase, Bad<'a>> {
    let Some(map) = item.as_map() else {
        return Err((item, "a test case is a mapping".into()));
    };
    for e in map {
        let known = ["description", "wantMatch", "request"].contains(&e.key.text.as_str())
            || VALIDATOR_EXPECTATIONS.contains(&e.key.text.as_str());
        if !known {
            return Err((
                &e.value,
                format!("unknown field `{}` in a test case", e.key.text),
            ));
        }
    }
    let name = item
        .get("description")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    let want_match = match item.get("wantMatch").map(Node::to_json) {
        None => false,
        Some(Value::Bool(b)) => b,
        Some(_) => {
            return Err((
                item.get("wantMatch").unwrap_or(item),
                "`wantMatch` is true or false".into(),
            ))
        }
    };
    let Some(req) = item.get("request") else {
        return Err((item, "the test case has no `request`".into()));
    };
    let list = |k: &str| match req.get(k) {
        Some(n) => strings(n, k),
        None => Ok(Vec::new()),
    };
    let (authorities, methods, uris) = (list("authority")?, list("method")?, list("uri")?);
    // The validator refuses empty lists; so do we, with the place.
    for (k, v) in [
        ("authority", &authorities),
        ("method", &methods),
        ("uri", &uris),
    ] {
        if v.is_empty() {
            return Err((req, format!("request `{k}` list is empty")));
        }
    }
    let headers = match req.get("headers") {
        Some(h) => string_map(h, "headers")?,
        None => Vec::new(),
    };
    let mut requests = Vec::new();
    // The validator's order: uri, then authority, then method.
    for uri in &uris {
        for authority in &authorities {
            for method in &methods {
                requests.push(TestRequest {
                    host: authority.clone(),
                    // It strips the query and decodes the path (Go url.Parse(...).Path).
                    path: uri_path(uri),
                    method: method.clone(),
                    headers: headers.clone(),
                    ..TestRequest::default()
                });
            }
        }
    }
    let fields = VALIDATOR_EXPECTATIONS
        .iter()
        .filter_map(|k| item.get(k).map(|n| (k.to_string(), n.to_json())))
        .collect();
    Ok(TestCase {
        file: file.clone(),
        line: item.span.line,
        name,
        requests,
        expect: Expect::Validator { want_match, fields },
    })
}

fn uri_path(uri: &str) -> String {
    let no_fragment = uri.split('#').next().unwrap_or("");
    let path = no_fragment.split('?').next().unwrap_or("");
    // An absolute URL keeps only its path.
    let path = match path.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => path,
    };
    path.to_string()
}

fn our_case<'a>(file: &Arc<str>, item: &'a Node) -> Result<TestCase, Bad<'a>> {
    let Some(map) = item.as_map() else {
        return Err((item, "a test case is a mapping".into()));
    };
    if let Some(e) = map
        .iter()
        .find(|e| !["name", "request", "expect"].contains(&e.key.text.as_str()))
    {
        return Err((
            &e.value,
            format!(
                "unknown field `{}` in a test (name, request, expect)",
                e.key.text
            ),
        ));
    }
    let name = item
        .get("name")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    let Some(req) = item.get("request") else {
        return Err((item, "the test has no `request`".into()));
    };
    let Some(fields) = req.as_map() else {
        return Err((req, "`request` is a mapping".into()));
    };
    let mut r = TestRequest {
        path: "/".into(),
        method: "GET".into(),
        ..TestRequest::default()
    };
    for e in fields {
        let v = &e.value;
        let text = || -> Result<String, Bad<'_>> {
            match v.to_json() {
                Value::String(s) => Ok(s),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err((v, format!("`request.{}` is a string", e.key.text))),
            }
        };
        match e.key.text.as_str() {
            "host" | "authority" => r.host = text()?,
            "port" => {
                r.port = Some(
                    v.to_json()
                        .as_u64()
                        .filter(|p| (1..=65535).contains(p))
                        .ok_or((v, "`request.port` is a number from 1 to 65535".to_string()))?
                        as u32,
                )
            }
            "path" | "uri" => r.path = text()?,
            "method" => r.method = text()?,
            "scheme" => r.scheme = Some(text()?),
            "gateway" => r.gateway = Some(text()?),
            "sourceNamespace" => r.source_namespace = Some(text()?),
            "headers" => {
                for (k, val) in string_map(v, "headers")? {
                    super::request::add_header(&mut r.headers, &k, &val);
                }
            }
            "sourceLabels" => r.source_labels = string_map(v, "sourceLabels")?,
            other => {
                return Err((
                    v,
                    format!(
                        "unknown field `{other}` in `request` (host, port, path, method, scheme, headers, gateway, sourceLabels, sourceNamespace)"
                    ),
                ))
            }
        }
    }
    if r.host.is_empty() {
        return Err((req, "`request.host` is required".into()));
    }
    let mut expect = Vec::new();
    match item.get("expect") {
        None => return Err((item, "the test has no `expect`".into())),
        Some(x) => {
            let Some(entries) = x.as_map() else {
                return Err((x, "`expect` is a mapping".into()));
            };
            for e in entries {
                if !OUR_EXPECTATIONS.contains(&e.key.text.as_str()) {
                    return Err((
                        &e.value,
                        format!(
                            "unknown field `{}` in `expect` ({})",
                            e.key.text,
                            OUR_EXPECTATIONS.join(", ")
                        ),
                    ));
                }
                expect.push((e.key.text.clone(), e.value.to_json(), e.key.span.line));
            }
        }
    }
    Ok(TestCase {
        file: file.clone(),
        line: item.span.line,
        name,
        requests: vec![r],
        expect: Expect::Ours(expect),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Arc<str> {
        Arc::from("t.yaml")
    }

    #[test]
    fn validator_requests_expand_in_its_order() {
        let text = "testCases:\n  - description: d\n    wantMatch: true\n    request:\n      authority: [a, b]\n      method: [GET]\n      uri: [\"/x?q=1\", /y]\n    route:\n      - destination: {host: h}\n";
        let cases = parse(&file(), text).unwrap();
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].line, 2);
        let got: Vec<(String, String)> = cases[0]
            .requests
            .iter()
            .map(|r| (r.host.clone(), r.path.clone()))
            .collect();
        let want = [("a", "/x"), ("b", "/x"), ("a", "/y"), ("b", "/y")];
        assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())));
        assert!(
            matches!(&cases[0].expect, Expect::Validator { want_match: true, fields } if fields.len() == 1)
        );
    }

    #[test]
    fn bad_files_name_the_place() {
        let e = parse(&file(), "testCases:\n  - description: d\n    request:\n      authority: []\n      method: [GET]\n      uri: [/]\n").unwrap_err();
        assert_eq!(e.0, "t.yaml:4:7: request `authority` list is empty");
        let e = parse(
            &file(),
            "tests:\n  - request: {host: a}\n    expect: {matchd: true}\n",
        )
        .unwrap_err();
        assert!(
            e.0.starts_with("t.yaml:3:22: unknown field `matchd` in `expect`"),
            "{}",
            e.0
        );
        let e = parse(&file(), "foo: 1\n").unwrap_err();
        assert!(e.0.starts_with("t.yaml:1:1: no `testCases:`"), "{}", e.0);
        let e = parse(&file(), "tests: [\n").unwrap_err();
        assert!(e.0.starts_with("t.yaml:"), "{}", e.0);
    }

    #[test]
    fn our_requests_default_to_get_slash() {
        let cases = parse(&file(), "tests:\n  - name: n\n    request: {host: r, port: 8080, headers: {User-Agent: F}}\n    expect: {matched: true}\n").unwrap();
        let r = &cases[0].requests[0];
        assert_eq!(
            (r.path.as_str(), r.method.as_str(), r.port),
            ("/", "GET", Some(8080))
        );
        assert_eq!(r.headers, vec![("user-agent".to_string(), "F".to_string())]);
    }
}
