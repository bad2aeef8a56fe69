//! IL8003: Gateways of one workload that claim the same host on the same
//! port (Istio IST0145, gateway.ConflictingGatewayAnalyzer).

use crate::diagnostic::Diagnostic;
use crate::model::Server;
use crate::rules::analyzers::{diagnostic, full_name, selector_string, selects, AnalyzerFacts};
use crate::rules::cross::Facts;
use crate::rules::rule;

rule!(
    CONFLICTING_GATEWAYS,
    "IL8003",
    "conflicting-gateways",
    Error,
    Analyzer,
    &["Gateway"],
    "Two Gateways for the same workload with a server on the same port for the same host",
    "## What it checks
Gateways whose selectors are the same (or where one selector's text, `k1=v1,k2=v2` sorted by
key, contains the other's, and a workload among the inputs matches both: Istio compares the
strings, so `app=a` and `app=a,tier=b` are compared but `a=1,c=3` and `a=1,b=2,c=3` are not): a server of one on the same port number, with the same `bind`,
listing a host another also lists (hosts compared as written). Istio IST0145
(`ConflictingGateways`).

## Why it matters
The proxy can only have one server per host and port: one of the Gateways' servers is dropped
(which one depends on creation time), often with its TLS certificate.

## Example
```yaml
kind: Gateway
metadata: {name: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]
---
kind: Gateway
metadata: {name: shop-v2}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http2, protocol: HTTP}, hosts: [shop.example.com]}]   # IL8003
```
",
    help: "keep one server per host and port: merge the Gateways, or give each its own hosts",
    check: crate::rules::Check::Cross(check)
);

/// The same workload: equal selectors, or (as Istio compares them) one
/// selector's `k=v,...` string containing the other's, and a workload
/// among the inputs matching both.
fn same_workload(a: &AnalyzerFacts, x: &[(String, String)], y: &[(String, String)]) -> bool {
    let (sx, sy) = (selector_string(x), selector_string(y));
    if sx == sy {
        return true;
    }
    let nested = sx.contains(&sy) || sy.contains(&sx);
    nested
        && a.workloads
            .iter()
            .any(|w| selects(x, &w.item.pod_labels) && selects(y, &w.item.pod_labels))
}

/// The first host of `server` that `other` (same port, same bind) lists too.
fn shared_host<'a>(
    server: &'a Server,
    other: &Server,
) -> Option<&'a crate::model::Located<String>> {
    let number = |s: &Server| {
        s.port
            .as_ref()
            .and_then(|p| p.number.as_ref())
            .map(|n| n.value)
    };
    let bind = |s: &Server| s.bind.as_ref().map(|b| b.value.clone()).unwrap_or_default();
    if number(server).is_none() || number(server) != number(other) || bind(server) != bind(other) {
        return None;
    }
    server
        .hosts
        .iter()
        .find(|h| other.hosts.iter().any(|o| o.value == h.value))
}

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    let a = &facts.analyzers;
    let mut out = Vec::new();
    for (i, gw) in a.gateways.iter().enumerate() {
        if gw.context {
            continue;
        }
        let name = full_name(&gw.ns, &gw.item.meta);
        for server in &gw.item.servers {
            let mut others = Vec::new();
            let mut at = None;
            for (j, other) in a.gateways.iter().enumerate() {
                let other_name = full_name(&other.ns, &other.item.meta);
                if i == j
                    || other_name == name
                    || !same_workload(a, &gw.item.selector, &other.item.selector)
                {
                    continue;
                }
                let host = other
                    .item
                    .servers
                    .iter()
                    .find_map(|o| shared_host(server, o));
                if let Some(host) = host {
                    at.get_or_insert(host);
                    others.push(other_name);
                }
            }
            let Some(host) = at else { continue };
            others.sort();
            others.dedup();
            let port = server.port.as_ref().and_then(|p| p.number.as_ref());
            let hosts: Vec<&str> = server.hosts.iter().map(|h| h.as_str()).collect();
            out.push(diagnostic(
                &CONFLICTING_GATEWAYS,
                &gw.item.meta,
                &host.at,
                format!(
                    "Conflict with gateways {} (workload selector {}, port {}, hosts {}).",
                    others.join(","),
                    selector_string(&gw.item.selector),
                    port.map_or(0, |n| n.value),
                    hosts.join(",")
                ),
            ));
        }
    }
    out
}
