//! One HTTP route as Istio's `validateHTTPRoute` sees it: its actions, its
//! mirrors, and the validators of its parts.

use serde_json::Value;

use super::{cors, destination, fault, headers, matches, push, redirect, retries, set};
use crate::diagnostic::Finding;
use crate::model::virtual_service::HttpRoute;
use crate::model::JsonAt;
use crate::rules::rule;

rule!(
    ROUTE_ACTION,
    "IL4009",
    "route-action-conflict",
    Error,
    VirtualService,
    super::VS,
    "An HTTP route with conflicting or missing actions",
    "## What it checks
Exactly one of `route`, `redirect`, `directResponse` (or `delegate` in a root VirtualService);
no `fault` or `rewrite` with `redirect` or `directResponse`; not both `mirror` and `mirrors`;
no `delegate` inside a delegate.

## Example
```yaml
- route: [...]
  redirect: {uri: /v2}     # IL4009: HTTP route cannot contain both route and redirect
```
",
    help: "give each HTTP rule one action: route, redirect, directResponse or delegate",
    check: crate::rules::Check::SharedWith(&super::HOSTS)
);

rule!(
    MIRROR_PERCENTAGE,
    "IL4015",
    "mirror-percentage-invalid",
    Error,
    VirtualService,
    super::VS,
    "A mirror percentage outside 0-100",
    "## What it checks
`mirrorPercentage.value`, `mirrors[].percentage.value` and the deprecated `mirrorPercent`
must be between 0 and 100.
",
    help: "use a percentage between 0 and 100",
    check: crate::rules::Check::SharedWith(&super::HOSTS)
);

/// Pairs of actions that exclude each other, with Istio's message.
const EXCLUSIVE: &[(&str, &str, &str)] = &[
    (
        "redirect",
        "route",
        "HTTP route cannot contain both route and redirect",
    ),
    (
        "redirect",
        "fault",
        "HTTP route cannot contain both fault and redirect",
    ),
    (
        "redirect",
        "rewrite",
        "HTTP route rule cannot contain both rewrite and redirect",
    ),
    (
        "redirect",
        "directResponse",
        "HTTP route rule cannot contain both direct_response and redirect",
    ),
    (
        "directResponse",
        "route",
        "HTTP route cannot contain both route and direct_response",
    ),
    (
        "directResponse",
        "fault",
        "HTTP route cannot contain both fault and direct_response",
    ),
    (
        "directResponse",
        "rewrite",
        "HTTP route rule cannot contain both rewrite and direct_response",
    ),
];

/// `route` is the model's HTTP route; `root` the object's JSON, where the
/// route is read as written.
pub(super) fn check(root: &Value, route: &HttpRoute, in_delegate: bool, out: &mut Vec<Finding>) {
    let r = JsonAt::at(root, &route.at);
    actions(&r, in_delegate, out);
    if set(&r["mirror"]) && set(&r["mirrors"]) {
        push(
            out,
            &ROUTE_ACTION,
            r.get("mirrors"),
            "HTTP route cannot contain both mirror and mirrors",
        );
    }
    for m in &route.matches {
        matches::check(&JsonAt::at(root, &m.at), m, out);
    }
    headers::check(&r, out);
    headers::authority_once(&r, out);
    mirrors(&r, out);
    cors::check(&r.get("corsPolicy"), out);
    fault::check(&r.get("fault"), out);
    retries::check(&r.get("retries"), out);
    redirect::check(&r, out);
    destination::route(&r, true, out);
}

fn actions(r: &JsonAt, in_delegate: bool, out: &mut Vec<Finding>) {
    let name = r["name"].as_str().unwrap_or("");
    if set(&r["delegate"]) && !in_delegate {
        for key in ["redirect", "route"] {
            if set(&r[key]) {
                let msg = format!("root HTTP route {name} must not specify {key}");
                push(out, &ROUTE_ACTION, r.get(key), msg);
            }
        }
        return;
    }
    if in_delegate && set(&r["delegate"]) {
        let msg = "delegate HTTP route cannot contain delegate";
        push(out, &ROUTE_ACTION, r.get("delegate"), msg);
    }
    for (a, b, msg) in EXCLUSIVE {
        if set(&r[*a]) && set(&r[*b]) {
            push(out, &ROUTE_ACTION, r.get(b), *msg);
        }
    }
    if !set(&r["route"]) && !set(&r["redirect"]) && !set(&r["directResponse"]) {
        let msg = "HTTP route, redirect or direct_response is required";
        push(out, &ROUTE_ACTION, r, msg);
    }
}

fn mirrors(r: &JsonAt, out: &mut Vec<Finding>) {
    let percent = r.get("mirrorPercent");
    if let Some(n) = percent.as_i64().filter(|n| *n > 100) {
        let msg = format!("mirror_percent must have a max value of 100 (it has {n})");
        push(out, &MIRROR_PERCENTAGE, percent, msg);
    }
    let percentage = r.get("mirrorPercentage");
    let value = percentage.get("value");
    if let Some(x) = value.as_f64() {
        if x > 100.0 {
            let msg = format!("mirror_percentage must have a max value of 100 (it has {x:.6})");
            push(out, &MIRROR_PERCENTAGE, value, msg);
        } else if x < 0.0 {
            let msg = format!("mirror_percentage must have a min value of 0 (it has {x:.6})");
            push(out, &MIRROR_PERCENTAGE, value, msg);
        }
    }
    let mirror = r.get("mirror");
    if mirror.is_object() {
        destination::check(&mirror, out);
    }
    for m in r.get("mirrors").items() {
        let d = m.get("destination");
        if !d.is_object() {
            let msg = "destination is required for mirrors";
            push(out, &destination::DESTINATION, m, msg);
            continue;
        }
        destination::check(&d, out);
        let percentage = m.get("percentage");
        let value = percentage.get("value");
        if let Some(x) = value.as_f64() {
            if !(0.0..=100.0).contains(&x) {
                let (side, bound) = if x > 100.0 { ("max", 100) } else { ("min", 0) };
                let msg = format!(
                    "mirror percentage must have a {side} value of {bound} (it has {x:.6})"
                );
                push(out, &MIRROR_PERCENTAGE, value, msg);
            }
        }
    }
}
