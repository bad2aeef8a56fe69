//! IL7005: two servers of one Gateway with the same port name (ValidateGateway).

use std::collections::HashMap;

use crate::diagnostic::Finding;
use crate::rules::gateway::{gateway, GW};
use crate::rules::{rule, ObjectContext};

rule!(
    DUPLICATE_PORT_NAME,
    "IL7005",
    "duplicate-server-port-name",
    Error,
    Gateway,
    GW,
    "Two servers of a Gateway with the same port name",
    "## What it checks
`servers[].port.name` must be unique across the servers of one Gateway, whatever their port
numbers.

## Why it matters
Istio's webhook rejects it (`port names in servers must be unique`). Copying a server block to
add a host on another port is the usual way to get there.

## Example
```yaml
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: [a.example.com]
- port: {number: 8080, name: http, protocol: HTTP}   # IL7005
  hosts: [b.example.com]
```
Istio: validation.go `ValidateGateway`.
",
    help: "give each server's port its own name (http-8080)",
    check: crate::rules::Check::Object(check)
);

pub fn check(ctx: &ObjectContext, out: &mut Vec<Finding>) {
    let Some(g) = gateway(ctx) else { return };
    let mut first: HashMap<&str, usize> = HashMap::new();
    for server in &g.servers {
        let Some(name) = server.port.as_ref().and_then(|p| p.name.as_ref()) else {
            continue;
        };
        match first.get(name.as_str()) {
            Some(&index) => out.push(Finding::new(
                &DUPLICATE_PORT_NAME,
                name.at.pointer.clone(),
                format!(
                    "port names in servers must be unique: duplicate name {:?} (also on servers[{index}])",
                    name.value
                ),
            )),
            None => {
                first.insert(name.as_str(), server.index);
            }
        }
    }
}
