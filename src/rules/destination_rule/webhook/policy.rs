//! One traffic policy (top level, subset or port level): empty policies,
//! connection pool, outlier detection and tunnel settings.

use super::{load_balancer, push, tls};
use crate::diagnostic::Finding;
use crate::model::JsonAt;
use crate::rules::destination_rule::Policy;
use crate::rules::rule;
use crate::rules::validators as v;

rule!(
    POLICY_EMPTY,
    "IL3008",
    "traffic-policy-empty",
    Error,
    DestinationRule,
    super::DR,
    "A trafficPolicy, connectionPool or port-level setting with no field",
    "## What it checks
`trafficPolicy: {}`, a `connectionPool` without `tcp` or `http`, a `portLevelSettings` entry
without a port or without any policy, and `tunnel` together with `proxyProtocol`.

## Why it matters
Istio rejects them (`traffic policy must have at least one field`); usually an indentation
mistake moved the settings elsewhere.
",
    help: "remove the empty block, or set at least one field in it",
    check: crate::rules::Check::SharedWith(&super::HOST_INVALID)
);

rule!(
    POOL_INVALID,
    "IL3009",
    "connection-pool-invalid",
    Error,
    DestinationRule,
    super::DR,
    "Negative connection-pool limits, or UPGRADE with useClientProtocol",
    "## What it checks
`maxConnections`, `http1MaxPendingRequests`, `http2MaxRequests`, `maxRequestsPerConnection`,
`maxRetries` and `maxConcurrentStreams` below 0; `h2UpgradePolicy: UPGRADE` with
`useClientProtocol: true`.
",
    help: "use non-negative limits; with h2UpgradePolicy UPGRADE, drop useClientProtocol",
    check: crate::rules::Check::SharedWith(&super::HOST_INVALID)
);

rule!(
    LOCAL_ORIGIN,
    "IL3012",
    "local-origin-without-split",
    Error,
    DestinationRule,
    super::DR,
    "consecutiveLocalOriginFailures without splitExternalLocalOriginErrors",
    "## What it checks
`outlierDetection.consecutiveLocalOriginFailures` set while `splitExternalLocalOriginErrors` is
not `true`: Istio rejects it, because local-origin failures are only counted separately when
the split is on.
",
    help: "set splitExternalLocalOriginErrors: true, or drop consecutiveLocalOriginFailures",
    check: crate::rules::Check::SharedWith(&super::HOST_INVALID)
);

rule!(
    TUNNEL_INVALID,
    "IL3015",
    "tunnel-invalid",
    Error,
    DestinationRule,
    super::DR,
    "trafficPolicy.tunnel settings Istio rejects",
    "## What it checks
`tunnel.protocol` other than CONNECT or POST, `targetHost` neither a domain name nor an IP,
`targetPort` outside 1-65535.
",
    help: "set tunnel.targetHost and tunnel.targetPort; protocol is CONNECT or POST",
    check: crate::rules::Check::SharedWith(&super::HOST_INVALID)
);

/// The fields of a policy, and the fewer of a port-level one.
const FIELDS: &[&str] = &[
    "outlierDetection",
    "connectionPool",
    "loadBalancer",
    "tls",
    "portLevelSettings",
    "tunnel",
    "proxyProtocol",
    "retryBudget",
];
const PORT_FIELDS: &[&str] = &["outlierDetection", "connectionPool", "loadBalancer", "tls"];

/// Connection pool limits that must not be negative, with Istio's wording.
const LIMITS: &[(&str, &str, &str)] = &[
    ("tcp", "maxConnections", "max connections"),
    (
        "http",
        "http1MaxPendingRequests",
        "http1 max pending requests",
    ),
    ("http", "http2MaxRequests", "http2 max requests"),
    (
        "http",
        "maxRequestsPerConnection",
        "max requests per connection",
    ),
    ("http", "maxRetries", "max retries"),
    ("http", "maxConcurrentStreams", "max concurrent streams"),
];

pub(super) fn check(policy: &Policy, out: &mut Vec<Finding>) {
    let (tp, port_level) = (&policy.json, policy.port_level);
    let fields = if port_level { PORT_FIELDS } else { FIELDS };
    if port_level && tp["port"].is_null() {
        push(
            out,
            &POLICY_EMPTY,
            tp,
            "portTrafficPolicy must have valid port",
        );
    }
    // Only a literally empty policy: unknown keys are already schema errors.
    let empty = tp
        .as_object()
        .is_some_and(|o| o.keys().all(|k| k == "port"));
    if !fields.iter().any(|f| !tp[*f].is_null()) && empty {
        let what = if port_level {
            "port traffic policy"
        } else {
            "traffic policy"
        };
        push(
            out,
            &POLICY_EMPTY,
            tp,
            format!("{what} must have at least one field"),
        );
        return;
    }
    if !tp["tunnel"].is_null() && !tp["proxyProtocol"].is_null() {
        let msg = "tunnel and proxyProtocol must not be set together";
        push(out, &POLICY_EMPTY, tp.get("proxyProtocol"), msg);
    }
    connection_pool(&tp.get("connectionPool"), out);
    let od = tp.get("outlierDetection");
    if od["consecutiveLocalOriginFailures"]
        .as_i64()
        .is_some_and(|n| n > 0)
        && od["splitExternalLocalOriginErrors"] != true
    {
        push(
            out,
            &LOCAL_ORIGIN,
            od.get("consecutiveLocalOriginFailures"),
            "outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false",
        );
    }
    load_balancer::check(&tp.get("loadBalancer"), !od.is_null(), out);
    tls::check(&tp.get("tls"), out);
    tunnel(&tp.get("tunnel"), out);
}

fn connection_pool(pool: &JsonAt, out: &mut Vec<Finding>) {
    if !pool.is_object() {
        return;
    }
    if pool.as_object().is_some_and(|o| o.is_empty()) {
        let msg = "connection pool must have at least one field";
        push(out, &POOL_INVALID, pool, msg);
    }
    for (section, field, text) in LIMITS {
        let part = pool.get(section);
        let limit = part.get(field);
        if limit.as_i64().is_some_and(|n| n < 0) {
            push(
                out,
                &POOL_INVALID,
                limit,
                format!("{text} must be non-negative"),
            );
        }
    }
    let http = pool.get("http");
    if http["h2UpgradePolicy"] == "UPGRADE" && http["useClientProtocol"] == true {
        push(
            out,
            &POOL_INVALID,
            http.get("useClientProtocol"),
            "use client protocol must not be true when H2UpgradePolicy is UPGRADE",
        );
    }
}

fn tunnel(t: &JsonAt, out: &mut Vec<Finding>) {
    if !t.is_object() {
        return;
    }
    let proto = t["protocol"].as_str().unwrap_or("");
    if !["", "CONNECT", "POST"].contains(&proto) {
        let msg = "tunnel protocol must be \"CONNECT\" or \"POST\"";
        push(out, &TUNNEL_INVALID, t.get("protocol"), msg);
    }
    let host = t.get("targetHost");
    if let Some(h) = host.as_str() {
        if let (Err(e), false) = (v::fqdn(h), v::is_ip(h)) {
            let msg = format!("tunnel target host must be valid FQDN or IP address: {e}");
            push(out, &TUNNEL_INVALID, host, msg);
        }
    }
    let port = t.get("targetPort");
    if let Some(Err(e)) = port.as_i64().map(v::port) {
        push(
            out,
            &TUNNEL_INVALID,
            port,
            format!("tunnel target port is invalid: {e}"),
        );
    }
}
