//! HTTP matches (Istio's `validateHTTPRouteMatchRequest`) and routing on
//! JWT claims.

use serde_json::Value;

use super::{gateways, push};
use crate::diagnostic::Finding;
use crate::model::virtual_service::{HttpMatch, HttpRoute};
use crate::model::{JsonAt, Located};
use crate::rules::rule;
use crate::rules::validators as v;

rule!(
    MATCH,
    "IL4010",
    "match-invalid",
    Error,
    VirtualService,
    super::VS,
    "An HTTP match Istio rejects (empty prefix, bad regex, header name, port)",
    "## What it checks
String matches: a `prefix` or `regex` must not be empty (an empty `uri` prefix is allowed),
regexes must be RE2 syntax (no look-around, no backreferences) and at most 1024 characters;
header names must be valid; `port` 1-65535; `sourceNamespace` a namespace name; `sourceLabels`
valid labels.
",
    help: "fix the match: non-empty prefix, exact or regex values, RE2 regexes, valid header names and ports",
    check: crate::rules::Check::SharedWith(&super::HOSTS)
);

rule!(
    JWT_CLAIM,
    "IL4019",
    "jwt-claim-routing-without-gateway",
    Error,
    VirtualService,
    super::VS,
    "Routing on @request.auth.claims outside a gateway",
    "## What it checks
Header matches on `@request.auth.claims.*` work only on gateways; Istio rejects them when the
VirtualService applies to the mesh (no `gateways`, or `mesh` among them).
",
    help: "route on JWT claims only in VirtualServices bound to a gateway (with a RequestAuthentication)",
    check: crate::rules::Check::SharedWith(&super::HOSTS)
);

/// One match: `m` as written, `model` its typed form.
pub(super) fn check(m: &JsonAt, model: &HttpMatch, out: &mut Vec<Finding>) {
    string_match(&m.get("uri"), true, "uri", out);
    for key in ["scheme", "method", "authority"] {
        string_match(&m.get(key), false, key, out);
    }
    for key in ["headers", "withoutHeaders", "queryParams"] {
        for (k, val) in m.get(key).entries() {
            if val.is_null() {
                push(out, &MATCH, val, format!("header match {k} cannot be null"));
                continue;
            }
            if key != "queryParams" {
                if let Err(e) = v::header_name(k) {
                    push(out, &MATCH, &val, e);
                }
            }
            if key == "withoutHeaders" && val["regex"] == "*" {
                continue;
            }
            string_match(&val, false, key, out);
        }
    }
    let port = m.get("port");
    if let Some(n) = port.as_i64().filter(|n| *n != 0) {
        if let Err(e) = v::port(n) {
            push(out, &MATCH, port, e);
        }
    }
    if let Some(ns) = &model.source_namespace {
        if !ns.is_empty() && !v::is_dns1123_label(ns) {
            let msg = format!("sourceNamespace match {} is invalid", **ns);
            push(out, &MATCH, ns, msg);
        }
    }
    for (k, val) in m.get("sourceLabels").entries() {
        if let Err(e) = v::label(k, val.as_str().unwrap_or_default()) {
            push(out, &MATCH, val, e);
        }
    }
    gateways::names(&model.gateways, out);
}

/// An Istio StringMatch: no empty prefix (but on `uri`) nor regex, and RE2 regexes.
fn string_match(m: &JsonAt, allow_empty_prefix: bool, what: &str, out: &mut Vec<Finding>) {
    if m["prefix"].as_str() == Some("") && !allow_empty_prefix {
        let msg = format!("\"{what}\": prefix string match should not be empty");
        push(out, &MATCH, m.get("prefix"), msg);
    }
    let regex = m.get("regex");
    if let Some(re) = regex.as_str() {
        if re.is_empty() {
            let msg = format!("\"{what}\": regex string match should not be empty");
            push(out, &MATCH, regex, msg);
        } else if let Err(e) = v::re2(re) {
            let msg = format!("\"{what}\": {e}; Istio uses RE2 style regex-based match");
            push(out, &MATCH, regex, msg);
        }
    }
}

/// Header matches on `@request.auth.claims.*` outside a gateway.
pub(super) fn jwt_claims(
    root: &Value,
    route: &HttpRoute,
    gateways: &[Located<String>],
    on_gateway: bool,
    out: &mut Vec<Finding>,
) {
    if on_gateway {
        return;
    }
    let names: Vec<&str> = gateways.iter().map(|g| g.as_str()).collect();
    for m in &route.matches {
        let m = JsonAt::at(root, &m.at);
        for key in ["headers", "withoutHeaders"] {
            for (k, header) in m.get(key).entries() {
                if v::is_jwt_claim(k) {
                    push(
                        out,
                        &JWT_CLAIM,
                        header,
                        format!("JWT claim based routing (key: {k}) is only supported for gateway, found no gateways: [{}]", names.join(" ")),
                    );
                }
            }
        }
    }
}
