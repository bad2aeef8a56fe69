//! A route's retry policy (Istio's `validateHTTPRetry`).

use super::{push, set};
use crate::diagnostic::Finding;
use crate::model::JsonAt;
use crate::rules::rule;
use crate::rules::validators as v;

rule!(
    RETRIES,
    "IL4011",
    "retries-invalid",
    Error,
    VirtualService,
    super::VS,
    "A retry policy Istio rejects",
    "## What it checks
`attempts` below 0; `attempts: 0` together with `perTryTimeout`, `retryOn` or
`retryRemoteLocalities` (retries are off, the rest is meaningless); unknown `retryOn`
conditions; durations.
",
    help: "set attempts > 0 with retryOn or perTryTimeout; retryOn takes Envoy policies (5xx, gateway-error, connect-failure, ...) or status codes",
    check: crate::rules::Check::SharedWith(&super::HOSTS)
);

const RETRY_ON: &[&str] = &[
    "5xx",
    "gateway-error",
    "reset",
    "reset-before-request",
    "connect-failure",
    "retriable-4xx",
    "refused-stream",
    "retriable-status-codes",
    "retriable-headers",
    "envoy-ratelimited",
    "http3-post-connect-failure",
    "cancelled",
    "deadline-exceeded",
    "internal",
    "resource-exhausted",
    "unavailable",
];

pub(super) fn check(r: &JsonAt, out: &mut Vec<Finding>) {
    if !r.is_object() {
        return;
    }
    let attempts = r.get("attempts");
    let n = attempts.as_i64().unwrap_or(0);
    if n < 0 {
        push(out, &RETRIES, attempts, "attempts cannot be negative");
    }
    if n == 0
        && (set(&r["perTryTimeout"]) || set(&r["retryOn"]) || set(&r["retryRemoteLocalities"]))
    {
        let msg = "http retry policy configured when attempts are set to 0 (disabled)";
        push(out, &RETRIES, r, msg);
    }
    for key in ["perTryTimeout", "backoff"] {
        let d = r.get(key);
        if let Some(Err(e)) = d.as_str().map(v::duration_ms) {
            push(out, &RETRIES, d, e);
        }
    }
    let retry_on = r.get("retryOn");
    if let Some(on) = retry_on.as_str() {
        for token in on.split(',') {
            let status = token.parse::<u16>().ok().filter(|c| is_http_status(*c));
            if !RETRY_ON.contains(&token) && status.is_none() {
                let msg = format!("\"{token}\" is not a valid retryOn policy");
                push(out, &RETRIES, &retry_on, msg);
            }
        }
    }
}

/// Status codes Go's net/http knows (`StatusText` is non-empty).
fn is_http_status(c: u16) -> bool {
    matches!(c, 100..=103 | 200..=208 | 226 | 300..=305 | 307 | 308 | 400..=418 | 421..=426 | 428 | 429 | 431 | 451 | 500..=508 | 510 | 511)
}
