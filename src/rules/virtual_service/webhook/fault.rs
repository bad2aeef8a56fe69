//! A route's fault injection (Istio's `validateHTTPFaultInjection`).

use super::{push, set};
use crate::diagnostic::Finding;
use crate::model::JsonAt;
use crate::rules::rule;
use crate::rules::validators as v;
use crate::rules::virtual_service::webhook_warnings as W;

rule!(
    FAULT,
    "IL4012",
    "fault-invalid",
    Error,
    VirtualService,
    super::VS,
    "A fault injection Istio rejects",
    "## What it checks
A `fault` needs `abort` and/or `delay`; percentages 0 or 0.0001-100; `httpStatus` 200-600;
known `grpcStatus` names; `http2Error` and `exponentialDelay` are not supported.
",
    help: "use percentages between 0 and 100; an abort needs an httpStatus of 200-599 or a gRPC status name; a delay needs fixedDelay",
    check: crate::rules::Check::SharedWith(&super::HOSTS)
);

const GRPC_CODES: &[&str] = &[
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/// A fault percentage: 0, or 0.0001-100.
fn percentage(p: &JsonAt, out: &mut Vec<Finding>) {
    let value = p.get("value");
    if let Some(x) = value.as_f64() {
        if !(0.0..=100.0).contains(&x) || (x > 0.0 && x < 0.0001) {
            let msg = format!("percentage {x} is neither 0.0, nor in range [0.0001, 100.0]");
            push(out, &FAULT, value, msg);
        }
    }
}

pub(super) fn check(f: &JsonAt, out: &mut Vec<Finding>) {
    if !f.is_object() {
        return;
    }
    let (abort, delay) = (f.get("abort"), f.get("delay"));
    if !abort.is_object() && !delay.is_object() {
        let msg = "HTTP fault injection must have an abort and/or a delay";
        push(out, &FAULT, f, msg);
        return;
    }
    if abort.is_object() {
        self::abort(&abort, out);
    }
    if delay.is_object() {
        percentage(&delay.get("percentage"), out);
        let fixed = delay.get("fixedDelay");
        if let Some(Err(e)) = fixed.as_str().map(v::duration_ms) {
            push(out, &FAULT, fixed, e);
        }
        let exponential = delay.get("exponentialDelay");
        if set(&exponential) {
            push(
                out,
                &FAULT,
                exponential,
                "exponentialDelay not supported yet",
            );
        }
    }
}

fn abort(abort: &JsonAt, out: &mut Vec<Finding>) {
    percentage(&abort.get("percentage"), out);
    let grpc = abort.get("grpcStatus");
    if let Some(s) = grpc.as_str() {
        if !GRPC_CODES.contains(&s) {
            push(out, &FAULT, &grpc, format!("gRPC status \"{s}\" is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'"));
        }
    }
    let http2 = abort.get("http2Error");
    if set(&http2) {
        push(
            out,
            &FAULT,
            &http2,
            "HTTP/2 abort fault injection not supported yet",
        );
    }
    let status = abort.get("httpStatus");
    if let Some(n) = status.as_i64() {
        if !(200..=600).contains(&n) {
            let msg = format!("HTTP status {n} is not in range 200-599");
            push(out, &FAULT, &status, msg);
        }
    }
    if !set(&grpc) && !set(&http2) && !set(&status) {
        let msg = "abort configured, but error type not set";
        push(out, &W::ABORT_WITHOUT_ERROR, abort, msg);
    }
}
