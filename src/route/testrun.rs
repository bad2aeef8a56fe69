//! Running routing test cases: every case, every request of it (no stop at
//! the first failure), each failure with the rule that answered instead.

use std::sync::Arc;

use serde_json::Value;

use super::outcome::Outcome;
use super::request::{add_header, Origin, Request};
use super::testfile::{Expect, TestCase, TestRequest};
use super::World;

#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The request, as `host:port METHOD path`.
    pub request: String,
    /// One per expectation that does not hold.
    pub messages: Vec<String>,
    /// `file:line` of the rule that answered, if one did.
    pub answered_by: Option<String>,
    /// Where we follow Istio and why (dropped delegates and the like).
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CaseResult {
    pub file: Arc<str>,
    pub line: u32,
    pub name: String,
    pub requests: usize,
    pub failures: Vec<Failure>,
}

/// The request a test describes, with the command's defaults.
pub fn request(t: &TestRequest, namespace: &str) -> Result<Request, String> {
    let (host, host_port) = super::request::split_host_port(&t.host);
    let mut headers = Vec::new();
    for (k, v) in &t.headers {
        add_header(&mut headers, k, v);
    }
    let origin = match &t.gateway {
        Some(g) => {
            let Some((ns, name)) = g.split_once('/') else {
                return Err(format!("gateway `{g}` is not NAMESPACE/NAME"));
            };
            Origin::Gateway {
                namespace: ns.to_string(),
                name: name.to_string(),
            }
        }
        None => Origin::Sidecar {
            namespace: t
                .source_namespace
                .clone()
                .unwrap_or_else(|| namespace.to_string()),
            labels: t.source_labels.clone(),
        },
    };
    Ok(Request {
        host: host.to_string(),
        port: t.port.or(host_port).unwrap_or(80),
        path: if t.path.is_empty() {
            "/".into()
        } else {
            t.path.clone()
        },
        method: t.method.clone(),
        scheme: t.scheme.clone().unwrap_or_else(|| "http".into()),
        headers,
        origin,
    })
}

pub fn run(world: &World, cases: &[TestCase], namespace: &str) -> Vec<CaseResult> {
    cases
        .iter()
        .map(|case| {
            let mut failures = Vec::new();
            for t in &case.requests {
                let shown = format!("{} {} {}", t.host, t.method, t.path);
                let outcome = request(t, namespace).and_then(|r| super::route(world, &r));
                let outcome = match outcome {
                    Ok(o) => o,
                    Err(message) => {
                        failures.push(Failure {
                            request: shown,
                            messages: vec![message],
                            answered_by: None,
                            notes: Vec::new(),
                        });
                        continue;
                    }
                };
                let problems = match &case.expect {
                    Expect::Validator { want_match, fields } => {
                        validator(&outcome, *want_match, fields)
                    }
                    Expect::Ours(fields) => ours(&outcome, fields),
                };
                if !problems.is_empty() {
                    failures.push(Failure {
                        request: shown,
                        messages: problems,
                        answered_by: outcome
                            .route
                            .as_ref()
                            .map(|r| format!("{}:{}", r.file, r.line)),
                        notes: notes(&outcome),
                    });
                }
            }
            CaseResult {
                file: case.file.clone(),
                line: case.line,
                name: case.name.clone(),
                requests: case.requests.len(),
                failures,
            }
        })
        .collect()
}

/// Trace lines that explain a difference from istio-config-validator.
fn notes(o: &Outcome) -> Vec<String> {
    o.trace
        .iter()
        .filter(|s| s.text.contains("Istio ignores"))
        .map(|s| match &s.at {
            Some(at) => format!("following Istio: {} ({at})", s.text),
            None => format!("following Istio: {}", s.text),
        })
        .collect()
}

/// Proto3 equality: unset, zero, empty and false are the same.
pub fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalize(v)))
                .filter(|(_, v)| !is_zero(v))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
            .map_or(v.clone(), |f| Value::from(f as i64)),
        other => other.clone(),
    }
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
    }
}

fn show(v: Option<&Value>) -> String {
    v.map_or("nothing".into(), |v| {
        serde_json::to_string(v).unwrap_or_default()
    })
}

/// istio-config-validator: each given field must equal (wantMatch: true) or
/// differ from (false) the answer.
fn validator(o: &Outcome, want_match: bool, fields: &[(String, Value)]) -> Vec<String> {
    let mut out = Vec::new();
    for (k, want) in fields {
        let got = match k.as_str() {
            "route" => o.written_route.as_ref(),
            "redirect" => o.redirect.as_ref(),
            "rewrite" => o.rewrite.as_ref(),
            "fault" => o.fault.as_ref(),
            "headers" => o.headers.as_ref(),
            "delegate" => o.delegate.as_ref(),
            _ => None,
        };
        let equal = got.map_or(Value::Null, normalize) == normalize(want);
        if equal != want_match {
            let verb = if want_match {
                "expected"
            } else {
                "expected anything but"
            };
            out.push(format!("{k} is {}, {verb} {}", show(got), show(Some(want))));
        }
    }
    out
}

fn ours(o: &Outcome, fields: &[(String, Value, u32)]) -> Vec<String> {
    let mut out = Vec::new();
    let json = o.to_json();
    for (k, want, line) in fields {
        let fail = |got: String| {
            format!(
                "{k} (line {line}): expected {}, got {got}",
                show(Some(want))
            )
        };
        let ok = match k.as_str() {
            "matched" | "status" | "clusters" => json[k] == *want,
            "virtualService" => match (&o.virtual_service, want) {
                (None, Value::Null) => true,
                (Some(v), Value::String(s)) => {
                    *s == format!("{}/{}", v.namespace, v.name) || *s == v.name
                }
                _ => false,
            },
            "rule" => match (&o.route, want) {
                (None, Value::Null) => true,
                (Some(r), Value::String(s)) => r.name.as_deref() == Some(s.as_str()),
                (Some(r), Value::Number(n)) => n.as_u64() == Some(r.index as u64),
                _ => false,
            },
            "match" => {
                o.route
                    .as_ref()
                    .and_then(|r| r.match_index)
                    .map(|m| m as u64)
                    == want.as_u64()
            }
            "destinations" => destinations(&json["destinations"], want),
            "timeout" => match (o.timeout.as_ref().and_then(Value::as_str), want.as_str()) {
                (Some(a), Some(b)) => {
                    crate::duration::parse(a).ok() == crate::duration::parse(b).ok()
                }
                (None, None) => want.is_null(),
                _ => false,
            },
            "delegate" => normalize(o.delegate.as_ref().unwrap_or(&Value::Null)) == normalize(want),
            "directResponse" => normalize(&json["direct_response"]) == normalize(want),
            _ => normalize(&json[k.as_str()]) == normalize(want),
        };
        if !ok {
            let got = match k.as_str() {
                "virtualService" => o
                    .virtual_service
                    .as_ref()
                    .map_or("none".into(), |v| format!("{}/{}", v.namespace, v.name)),
                "rule" => o.route.as_ref().map_or("none".into(), |r| match &r.name {
                    Some(n) => format!("{n:?} (http[{}])", r.index),
                    None => format!("http[{}]", r.index),
                }),
                "match" => o
                    .route
                    .as_ref()
                    .and_then(|r| r.match_index)
                    .map_or("none".into(), |m| m.to_string()),
                "directResponse" => show(Some(&json["direct_response"])),
                "delegate" => show(o.delegate.as_ref()),
                _ => show(Some(&json[k.as_str()])),
            };
            out.push(fail(got));
        }
    }
    out
}

/// Each expected destination gives some of host, subset, port, weight,
/// percent; a short host matches its FQDN.
fn destinations(got: &Value, want: &Value) -> bool {
    let (Some(got), Some(want)) = (got.as_array(), want.as_array()) else {
        return false;
    };
    got.len() == want.len()
        && got.iter().zip(want).all(|(g, w)| {
            let Some(w) = w.as_object() else { return false };
            w.iter().all(|(k, wv)| match k.as_str() {
                "host" => match (g["host"].as_str(), wv.as_str()) {
                    (Some(a), Some(b)) => a == b || a.starts_with(&format!("{b}.")),
                    _ => false,
                },
                "percent" => match (g["percent"].as_f64(), wv.as_f64()) {
                    (Some(a), Some(b)) => (a - b).abs() < 0.01,
                    _ => false,
                },
                _ => g[k.as_str()] == *wv,
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn proto_equality() {
        assert_eq!(
            normalize(
                &json!([{"destination": {"host": "a", "port": {"number": 80}}, "weight": 0}])
            ),
            normalize(&json!([{"destination": {"host": "a", "port": {"number": 80.0}}}]))
        );
        assert_ne!(
            normalize(&json!({"uri": "/a"})),
            normalize(&json!({"uri": "/b"}))
        );
    }

    #[test]
    fn short_hosts_match_their_fqdn() {
        let got = json!([{"host": "reviews.default.svc.cluster.local", "subset": "v1", "percent": 100.0}]);
        assert!(destinations(
            &got,
            &json!([{"host": "reviews", "subset": "v1"}])
        ));
        assert!(!destinations(
            &got,
            &json!([{"host": "review", "subset": "v1"}])
        ));
        assert!(!destinations(
            &got,
            &json!([{"host": "reviews", "percent": 50}])
        ));
        assert!(!destinations(&got, &json!([])));
    }
}
