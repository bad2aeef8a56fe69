//! IL7004: a server port Istio's webhook rejects (validateServerPort).

use crate::diagnostic::Finding;
use crate::model::protocol::Protocol;
use crate::model::{Server, ServerPort};
use crate::rules::gateway::{gateway, GW};
use crate::rules::{rule, ObjectContext};

rule!(
    SERVER_PORT,
    "IL7004",
    "server-port-invalid",
    Error,
    Gateway,
    GW,
    "A server port with an unknown protocol, a number out of range, a targetPort or an empty name",
    "## What it checks
`servers[].port` as Istio's webhook does: `protocol` one of HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB,
TLS, TCP, MONGO, REDIS, MYSQL, UDP, HTTP_PROXY (any case); `number` from 1 to 65535 (0 only for a
`unix://` bind); no `targetPort` (it has no effect on Gateways); a non-empty `name`. A port
missing one of the required fields is the schema's finding (IL2006).

## Example
```yaml
port:
  number: 9092
  name: kafka
  protocol: KAFKA        # IL7004: invalid protocol (use TCP)
```
Istio: validation.go `validateServerPort`.
",
    help: "use a protocol Istio knows (TCP for others), a port from 1 to 65535 and a port name",
    check: crate::rules::Check::Object(check)
);

pub const UNIX_PREFIX: &str = "unix://";

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(g) = gateway(ctx) else { return };
    for server in &g.servers {
        if let Some(port) = &server.port {
            for (pointer, message) in port_errors(server, port) {
                out.push(Finding::new(&SERVER_PORT, pointer, message));
            }
        }
    }
}

/// `validateServerPort`'s errors with where they are; fields the schema
/// requires and the object lacks are left to the schema.
pub fn port_errors(server: &Server, port: &ServerPort) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    if let Some(p) = &port.protocol {
        if Protocol::parse(p) == Protocol::Unsupported {
            errors.push((
                p.at.pointer.clone(),
                format!(
                    "invalid protocol {:?}, supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP",
                    p.value
                ),
            ));
        }
    }
    let unix = server
        .bind
        .as_ref()
        .is_some_and(|b| b.starts_with(UNIX_PREFIX));
    if let Some(n) = &port.number {
        if (n.value > 0 || !unix) && !(1..=65535).contains(&n.value) {
            errors.push((
                n.at.pointer.clone(),
                format!("port number {} must be in the range 1..65535", n.value),
            ));
        }
    }
    if let Some(t) = port.target_port.as_ref().filter(|t| t.value > 0) {
        errors.push((
            t.at.pointer.clone(),
            "targetPort has no impact on Gateways".to_string(),
        ));
    }
    if let Some(name) = port.name.as_ref().filter(|n| n.is_empty()) {
        errors.push((name.at.pointer.clone(), "port name must be set".to_string()));
    }
    errors
}
