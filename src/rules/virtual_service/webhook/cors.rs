//! A route's `corsPolicy` (Istio's `validateCORSPolicy`).

use super::push;
use crate::diagnostic::Finding;
use crate::model::JsonAt;
use crate::rules::rule;
use crate::rules::validators as v;

rule!(
    CORS,
    "IL4013",
    "cors-invalid",
    Error,
    VirtualService,
    super::VS,
    "A corsPolicy Istio rejects",
    "## What it checks
`allowOrigins` matches with a value, known `allowMethods`, valid header names, and a `maxAge`
in whole seconds.
",
    help: "use HTTP method names, non-empty header names and origins, and a maxAge in whole milliseconds",
    check: crate::rules::Check::SharedWith(&super::HOSTS)
);

const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*",
];

pub(super) fn check(c: &JsonAt, out: &mut Vec<Finding>) {
    if !c.is_object() {
        return;
    }
    for o in c.get("allowOrigins").items() {
        let value = ["exact", "prefix", "regex"]
            .iter()
            .find_map(|k| o[*k].as_str());
        match value {
            Some(v) if !v.is_empty() => {
                let regex = o.get("regex");
                if let Some(Err(e)) = regex.as_str().map(v::re2) {
                    push(
                        out,
                        &CORS,
                        regex,
                        format!("\"corsPolicy.allowOrigins\": {e}"),
                    );
                }
            }
            other => {
                let msg = format!(
                    "'{}' is not a valid match type for CORS allow origins",
                    other.unwrap_or("")
                );
                push(out, &CORS, o, msg);
            }
        }
    }
    for m in c.get("allowMethods").items() {
        let name = m.as_str().unwrap_or("");
        if !METHODS.contains(&name) {
            let msg = format!("\"{name}\" is not a supported HTTP method");
            push(out, &CORS, m, msg);
        }
    }
    for key in ["allowHeaders", "exposeHeaders"] {
        for h in c.get(key).items() {
            let name = h.as_str().unwrap_or("");
            if name != "*" {
                if let Err(e) = v::header_name(name) {
                    push(out, &CORS, h, e);
                }
            }
        }
    }
    let max_age = c.get("maxAge");
    if let Some(age) = max_age.as_str() {
        if crate::duration::parse(age).is_ok_and(|n| n % 1_000_000_000 != 0) {
            let msg = "max_age duration is accurate only to seconds precision";
            push(out, &CORS, max_age, msg);
        }
    }
}
