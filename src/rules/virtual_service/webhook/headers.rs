//! Header operations of routes and destinations (Istio's
//! `validateHTTPHeaderNameOrJwtClaimRoute` and header value checks).

use super::push;
use crate::diagnostic::Finding;
use crate::model::JsonAt;
use crate::rules::rule;
use crate::rules::validators as v;

rule!(
    HEADERS,
    "IL4016",
    "header-operation-invalid",
    Error,
    VirtualService,
    super::VS,
    "Header add/set/remove operations Istio rejects",
    "## What it checks
Header names in `headers.request` and `headers.response` (route and destination level): valid
names, no `:` pseudo headers, no `Host` except through `:authority` on requests; values
without control characters; the authority set only once per route.
",
    help: "use plain header names (no `:` pseudo headers; Host only as `:authority` on requests); write `%%` for a literal `%` in values",
    check: crate::rules::Check::SharedWith(&super::HOSTS)
);

/// The `headers` of a route or route destination `r`.
pub(super) fn check(r: &JsonAt, out: &mut Vec<Finding>) {
    let h = r.get("headers");
    for dir in ["request", "response"] {
        let ops = h.get(dir);
        for op in ["add", "set"] {
            for (k, val) in ops.get(op).entries() {
                set_header(dir, k, &val, out);
            }
        }
        for item in ops.get("remove").items() {
            let k = item.as_str().unwrap_or("");
            let msg = if k.is_empty() {
                "header name cannot be empty".to_string()
            } else if k.eq_ignore_ascii_case("host") {
                format!("invalid header \"{k}\": cannot set Host header")
            } else if k.starts_with(':') {
                format!("invalid header \"{k}\": header cannot have \":\" prefix")
            } else {
                continue;
            };
            push(out, &HEADERS, item, msg);
        }
    }
}

/// One `add` or `set` entry: header `k` with value `val`.
fn set_header(dir: &str, k: &str, val: &JsonAt, out: &mut Vec<Finding>) {
    let lower = k.to_ascii_lowercase();
    let authority_ok = dir == "request" && (lower == ":authority" || lower == "host");
    if k.is_empty() {
        push(out, &HEADERS, val, "header name cannot be empty");
    } else if !authority_ok && lower == "host" {
        let msg = format!("invalid header \"{k}\": cannot set Host header");
        push(out, &HEADERS, val, msg);
    } else if !authority_ok && k.starts_with(':') {
        let msg = format!("invalid header \"{k}\": header cannot have \":\" prefix");
        push(out, &HEADERS, val, msg);
    }
    if val
        .as_str()
        .is_some_and(|s| s.chars().any(|c| c != '\t' && (c.is_control())))
    {
        let msg = format!("header value configuration {} is invalid", **val);
        push(out, &HEADERS, val, msg);
    } else if let Some(Err(e)) = val.as_str().map(v::envoy_format) {
        push(
            out,
            &HEADERS,
            val,
            format!("header value configuration: {e}"),
        );
    }
}

/// The authority is set once per route: by `rewrite.authority` or one
/// `:authority`/`host` request header.
pub(super) fn authority_once(r: &JsonAt, out: &mut Vec<Finding>) {
    let mut found: Vec<String> = Vec::new();
    if let Some(a) = r["rewrite"]["authority"].as_str() {
        found.push(a.to_string());
    }
    let headers = r.get("headers");
    let request = headers.get("request");
    for op in ["set", "add"] {
        for (k, val) in request[op].as_object().into_iter().flatten() {
            let l = k.to_ascii_lowercase();
            if l == ":authority" || l == "host" {
                found.push(val.as_str().unwrap_or("").to_string());
            }
        }
    }
    if found.len() > 1 {
        push(
            out,
            &HEADERS,
            request,
            format!("authority header cannot be set multiple times: have \"{}\", attempting to set \"{}\"", found[0], found[1]),
        );
    }
}
