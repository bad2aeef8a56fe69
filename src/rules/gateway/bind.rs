//! IL7006: a server `bind` that is neither an IP address nor a unix socket
//! (validateServerBind).

use crate::diagnostic::Finding;
use crate::rules::gateway::port::UNIX_PREFIX;
use crate::rules::gateway::{gateway, GW};
use crate::rules::validators::is_ip;
use crate::rules::{rule, ObjectContext};

rule!(
    SERVER_BIND,
    "IL7006",
    "server-bind-invalid",
    Error,
    Gateway,
    GW,
    "A server bind that is not an IP address or a valid unix:// socket",
    "## What it checks
`servers[].bind`: an IP address, or `unix://` followed by an absolute path or an abstract
socket (`unix://@name`); with a unix socket the port number must be 0.

## Example
```yaml
- port: {number: 8080, name: http, protocol: HTTP}
  bind: localhost          # IL7006: not a valid IP
```
Istio: validation.go `validateServerBind`, `ValidateUnixAddress`.
",
    help: "use an IP address such as 127.0.0.1, or unix:///absolute/path with port number 0",
    check: crate::rules::Check::Object(check)
);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(g) = gateway(ctx) else { return };
    for server in &g.servers {
        let Some(bind) = server.bind.as_ref().filter(|b| !b.is_empty()) else {
            continue;
        };
        let mut push = |pointer: &str, message: String| {
            out.push(Finding::new(&SERVER_BIND, pointer, message));
        };
        let Some(path) = bind.strip_prefix(UNIX_PREFIX) else {
            if !is_ip(bind) {
                push(
                    &bind.at.pointer,
                    format!("{} is not a valid IP", bind.value),
                );
            }
            continue;
        };
        if let Err(e) = unix_address(path) {
            push(&bind.at.pointer, e);
        }
        let number = server.port.as_ref().and_then(|p| p.number.as_ref());
        if let Some(n) = number.filter(|n| n.value != 0) {
            push(
                &n.at.pointer,
                format!("port number must be 0 for unix domain socket: {}", n.value),
            );
        }
    }
}

/// `ValidateUnixAddress`.
fn unix_address(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("unix address must not be empty".into());
    }
    if path.starts_with('@') || (path.starts_with('/') && !path.ends_with('/')) {
        Ok(())
    } else {
        Err(format!("{path} is not an absolute path to a file"))
    }
}
