//! Route destinations: host, subset and port (Istio's `validateDestination`),
//! for HTTP, TCP and TLS routes and mirrors.

use super::{headers, push};
use crate::diagnostic::Finding;
use crate::model::JsonAt;
use crate::rules::rule;
use crate::rules::validators as v;

rule!(
    DESTINATION,
    "IL4006",
    "destination-invalid",
    Error,
    VirtualService,
    super::VS,
    "A route destination Istio rejects (host, subset name, port)",
    "## What it checks
`destination.host` is a (wildcard) domain name but not `*` or an IP; `subset` is a DNS-1123
label; `port.number` is 1-65535; every route entry has a destination. Also `mirror` and
`mirrors`.
",
    help: "give each destination a host (a service name or FQDN, no `*`), a lowercase subset name, a port number 1-65535",
    check: crate::rules::Check::SharedWith(&super::HOSTS)
);

/// The `route` entries of a route (`r` as written); `http`: their header
/// operations too.
pub(super) fn route(r: &JsonAt, http: bool, out: &mut Vec<Finding>) {
    for d in r.get("route").items() {
        if d.is_null() {
            push(out, &DESTINATION, d, "weight may not be nil");
            continue;
        }
        let destination = d.get("destination");
        if !destination.is_object() {
            push(out, &DESTINATION, d, "destination is required");
            continue;
        }
        check(&destination, out);
        if http {
            headers::check(&d, out);
        }
    }
}

/// One `destination` (or `mirror`) mapping.
pub(super) fn check(d: &JsonAt, out: &mut Vec<Finding>) {
    let host = d.get("host");
    if let Some(h) = host.as_str() {
        if let Err(e) = v::destination_host(h) {
            push(out, &DESTINATION, host, e);
        }
    }
    let subset = d.get("subset");
    if let Some(s) = subset.as_str().filter(|s| !s.is_empty()) {
        if !v::is_dns1123_label(s) {
            let msg = format!("subset name is invalid: {s}");
            push(out, &DESTINATION, subset, msg);
        }
    }
    let port = d.get("port");
    if port.is_object() {
        let n = port["number"].as_i64().unwrap_or(0);
        if let Err(e) = v::port(n) {
            push(out, &DESTINATION, port, e);
        }
    }
}
