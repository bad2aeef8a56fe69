//! IL7007: TLS settings that do not fit the server's protocol (validateServer).

use crate::diagnostic::Finding;
use crate::model::protocol::Protocol;
use crate::rules::gateway::port::port_errors;
use crate::rules::gateway::{gateway, set, GW};
use crate::rules::{rule, ObjectContext};

rule!(
    TLS_PROTOCOL,
    "IL7007",
    "server-tls-protocol-mismatch",
    Error,
    Gateway,
    GW,
    "An HTTPS or TLS server without `tls`, or TLS settings on a plain-text port",
    "## What it checks
A server whose port protocol is HTTPS or TLS needs a `tls` block; a plain HTTP server may only
have `tls` for `httpsRedirect` (mode PASSTHROUGH or unset, no certificate files); TCP, MONGO,
REDIS and the other non-TLS protocols take no `tls` at all.

## Why it matters
Istio's webhook rejects the Gateway (`server must have TLS settings for HTTPS/TLS protocols`,
`server cannot have TLS settings for plain text HTTP ports`). Checked only when the port itself
is valid (see IL7004), as Istio does.

## Example
```yaml
- port: {number: 443, name: https, protocol: HTTPS}   # IL7007: no tls
  hosts: [bookinfo.example.com]
```
```yaml
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: [bookinfo.example.com]
  tls: {mode: SIMPLE, credentialName: bookinfo-cert}
```
Istio: validation.go `validateServer`.
",
    help: "terminate TLS on an HTTPS/TLS port (tls.mode SIMPLE with a credentialName), or make the port HTTP",
    check: crate::rules::Check::Object(check)
);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(g) = gateway(ctx) else { return };
    for server in &g.servers {
        let Some(port) = &server.port else { continue };
        let (Some(protocol), Some(_), Some(_)) = (&port.protocol, &port.number, &port.name) else {
            continue;
        };
        if !port_errors(server, port).is_empty() {
            continue;
        }
        let p = Protocol::parse(protocol);
        let message = match &server.tls {
            None if p.is_tls() => "server must have TLS settings for HTTPS/TLS protocols",
            Some(tls) if !p.is_tls() && p.is_http() => {
                let passthrough = matches!(
                    tls.mode.as_deref().map(String::as_str),
                    None | Some("PASSTHROUGH" | "AUTO_PASSTHROUGH")
                );
                let files = set(&tls.ca_certificates)
                    || set(&tls.private_key)
                    || set(&tls.server_certificate);
                if passthrough && !files {
                    continue;
                }
                "server cannot have TLS settings for plain text HTTP ports"
            }
            Some(_) if !p.is_tls() => "server cannot have TLS settings for non HTTPS/TLS ports",
            _ => continue,
        };
        out.push(match &server.tls {
            Some(tls) => Finding::new(&TLS_PROTOCOL, tls.at.pointer.clone(), message).on_key(),
            None => Finding::new(&TLS_PROTOCOL, protocol.at.pointer.clone(), message),
        });
    }
}
