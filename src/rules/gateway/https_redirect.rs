//! IL7009: httpsRedirect on a server that does not serve HTTP (ValidateGateway's warning).

use crate::diagnostic::Finding;
use crate::model::protocol::Protocol;
use crate::rules::gateway::{gateway, GW};
use crate::rules::{rule, ObjectContext};

rule!(
    HTTPS_REDIRECT,
    "IL7009",
    "https-redirect-not-http",
    Warning,
    Gateway,
    GW,
    "tls.httpsRedirect on a server whose protocol is not HTTP",
    "## What it checks
`tls.httpsRedirect: true` on a server whose port protocol is not an HTTP one (HTTP, HTTP2,
GRPC, GRPC-WEB, HTTP_PROXY). Istio accepts the Gateway with a warning: `tls.httpsRedirect should
only be used with http servers`.

## Why it matters
The redirect answers plain-text HTTP requests with a 301 to https; on an HTTPS or TCP server
there is no plain-text request to redirect, so the setting is a mistake (usually copied from
the port-80 server).

## Example
```yaml
- port: {number: 443, name: https, protocol: HTTPS}
  tls: {mode: SIMPLE, credentialName: cert, httpsRedirect: true}   # IL7009
```
Istio: validation.go `ValidateGateway`.
",
    help: "put httpsRedirect on the port-80 HTTP server instead",
    check: crate::rules::Check::Object(check)
);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(g) = gateway(ctx) else { return };
    for server in &g.servers {
        let Some(protocol) = server.port.as_ref().and_then(|p| p.protocol.as_ref()) else {
            continue;
        };
        let Some(tls) = server.tls.as_ref().filter(|t| t.https_redirect) else {
            continue;
        };
        if Protocol::parse(protocol).is_http() {
            continue;
        }
        let Some(at) = &tls.https_redirect_at else {
            continue;
        };
        out.push(Finding::new(
            &HTTPS_REDIRECT,
            at.pointer.clone(),
            "tls.httpsRedirect should only be used with http servers",
        ));
    }
}
