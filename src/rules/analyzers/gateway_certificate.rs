//! IL8004: one certificate on servers of several Gateways of a workload
//! (Istio IST0138, gateway.CertificateAnalyzer).

use crate::diagnostic::Diagnostic;
use crate::model::ServerTls;
use crate::rules::analyzers::{diagnostic, full_name, selects};
use crate::rules::cross::Facts;
use crate::rules::rule;

rule!(
    DUPLICATE_CERTIFICATE,
    "IL8004",
    "gateway-duplicate-certificate",
    Warning,
    Analyzer,
    &["Gateway"],
    "The same certificate on servers of two Gateways of one workload",
    "## What it checks
Two Gateways where the selector of one is contained in the other's (or is empty), each with a
server whose `tls` names the same `credentialName`, or the same `serverCertificate` and
`privateKey`. Istio IST0138 (`GatewayDuplicateCertificate`).

## Why it matters
A browser that opened an HTTP/2 connection for one host re-uses it for another host of the same
certificate; when that host belongs to another Gateway's server (another filter chain), Envoy
answers 404. Put the hosts on one server, or use one certificate per Gateway.

## Example
```yaml
# Gateways a and b, same selector, both:
tls: {mode: SIMPLE, credentialName: wildcard-example-com}   # IL8004 on each
```
",
    help: "serve the hosts that share a certificate from one server of one Gateway",
    check: crate::rules::Check::Cross(check)
);

/// `haveSameCertificate`.
fn same_certificate(x: &ServerTls, y: &ServerTls) -> bool {
    let value = |v: &Option<crate::model::Located<String>>| {
        v.as_ref().map(|s| s.value.clone()).unwrap_or_default()
    };
    let (cx, cy) = (value(&x.credential_name), value(&y.credential_name));
    if !cx.is_empty() && !cy.is_empty() {
        return cx == cy;
    }
    if !cx.is_empty() || !cy.is_empty() {
        return false;
    }
    let (sx, sy) = (value(&x.server_certificate), value(&y.server_certificate));
    let (kx, ky) = (value(&x.private_key), value(&y.private_key));
    !sx.is_empty() && sx == sy && !kx.is_empty() && kx == ky
}

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    let a = &facts.analyzers;
    let mut out = Vec::new();
    for (i, gw) in a.gateways.iter().enumerate() {
        if gw.context {
            continue;
        }
        let name = full_name(&gw.ns, &gw.item.meta);
        for (j, other) in a.gateways.iter().enumerate() {
            if i == j || !selects(&gw.item.selector, &other.item.selector) {
                continue;
            }
            let other_name = full_name(&other.ns, &other.item.meta);
            if other_name == name {
                continue;
            }
            let shared = gw.item.servers.iter().find_map(|s| {
                let tls = s.tls.as_ref()?;
                let dup = other
                    .item
                    .servers
                    .iter()
                    .filter_map(|o| o.tls.as_ref())
                    .any(|o| same_certificate(tls, o));
                dup.then_some(tls)
            });
            let Some(tls) = shared else { continue };
            let at = tls
                .credential_name
                .as_ref()
                .or(tls.server_certificate.as_ref())
                .map_or(&tls.at, |c| &c.at);
            out.push(diagnostic(
                &DUPLICATE_CERTIFICATE,
                &gw.item.meta,
                at,
                format!(
                    "Duplicate certificate in multiple gateways [{name} {other_name}] may cause 404s if clients re-use HTTP2 connections."
                ),
            ));
        }
    }
    out
}
