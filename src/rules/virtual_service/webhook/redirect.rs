//! A route's redirect, rewrite and direct response (Istio's
//! `validateHTTPRedirect`, `validateHTTPRewrite`, `validateHTTPDirectResponse`).

use super::{proto_set, push, set};
use crate::diagnostic::Finding;
use crate::model::JsonAt;
use crate::rules::rule;
use crate::rules::validators as v;
use crate::rules::virtual_service::webhook_warnings as W;

rule!(
    REDIRECT,
    "IL4014",
    "redirect-rewrite-invalid",
    Error,
    VirtualService,
    super::VS,
    "A redirect, rewrite or directResponse Istio rejects",
    "## What it checks
A `redirect` needs a uri, authority, scheme or port; `redirectCode` 3xx; scheme http or https.
A `rewrite` needs uri, uriRegexRewrite (with match and rewrite) or authority, not uri and
uriRegexRewrite together. `directResponse.status` 200-600, body under 1 MiB.
",
    help: "a redirect needs uri, authority, scheme or port and a 3xx code; a rewrite needs uri, authority or uriRegexRewrite (not uri with uriRegexRewrite); directResponse status is 200-599",
    check: crate::rules::Check::SharedWith(&super::HOSTS)
);

/// The redirect, rewrite and directResponse of the HTTP route `r`.
pub(super) fn check(r: &JsonAt, out: &mut Vec<Finding>) {
    let rd = r.get("redirect");
    if rd.is_object() {
        if let Some(m) = redirect(&rd) {
            push(out, &REDIRECT, rd, m);
        }
    }
    let rw = r.get("rewrite");
    if rw.is_object() {
        if let Some(m) = rewrite(&rw) {
            push(out, &REDIRECT, rw, m);
        }
    }
    let dr = r.get("directResponse");
    if dr.is_object() {
        direct_response(&dr, out);
    }
}

fn redirect(rd: &JsonAt) -> Option<String> {
    if set(&rd["uri"]) && set(&rd["prefixRewrite"]) {
        Some("redirect may only specify one of uri or prefix_rewrite".to_string())
    } else if !["uri", "prefixRewrite", "authority", "port", "scheme"]
        .iter()
        .any(|k| proto_set(&rd[*k]))
        && !set(&rd["derivePort"])
    {
        Some("redirect must specify URI, authority, scheme, or port".into())
    } else if let Some(c) = rd["redirectCode"]
        .as_i64()
        .filter(|c| *c != 0 && !(300..=399).contains(c))
    {
        Some(format!("{c} is not a valid redirect code, must be 3xx"))
    } else if rd["scheme"]
        .as_str()
        .is_some_and(|s| s != "http" && s != "https")
    {
        Some("invalid redirect scheme, must be \"http\" or \"https\"".into())
    } else {
        rd["port"]
            .as_i64()
            .filter(|n| *n > 0)
            .and_then(|n| v::port(n).err())
    }
}

fn rewrite(rw: &JsonAt) -> Option<String> {
    let rr = &rw["uriRegexRewrite"];
    if set(&rw["uri"]) && set(rr) {
        Some("rewrite may only contain one of URI or UriRegexRewrite".to_string())
    } else if !set(&rw["uri"]) && !set(rr) && !set(&rw["authority"]) {
        Some("rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified".into())
    } else if set(rr)
        && (rr["match"].as_str().unwrap_or("").is_empty()
            || rr["rewrite"].as_str().unwrap_or("").is_empty())
    {
        Some("UriRegexRewrite has errors\nUriRegexRewrite requires both Rewrite and Match fields to be specified".into())
    } else if let Some(Err(e)) = rr["match"].as_str().map(v::re2) {
        Some(format!(
            "UriRegexRewrite has errors\n\"HTTPRewrite.UriRegexRewrite.Match\": {e}"
        ))
    } else {
        None
    }
}

fn direct_response(dr: &JsonAt, out: &mut Vec<Finding>) {
    let status = dr.get("status");
    if let Some(s) = status.as_i64() {
        if !(200..=600).contains(&s) {
            let msg = format!("HTTP status {s} is not in range 200-599");
            push(out, &REDIRECT, status, msg);
        }
    }
    let body = dr.get("body");
    let size = body["string"]
        .as_str()
        .map(str::len)
        .or(body["bytes"].as_str().map(|b| b.len() * 3 / 4));
    if let Some(n) = size {
        if n > 1 << 20 {
            push(out, &REDIRECT, body, "large direct_responses may impact control plane performance, must be less than 1MB");
        } else if n > 100 << 10 {
            let msg = "large direct_responses may impact control plane performance";
            push(out, &W::LARGE_DIRECT_RESPONSE, body, msg);
        }
    }
}
